#!/usr/bin/env python3
"""Golden values for whole tiny QLAE models (both decoder families), written in JAX from the
method's description (docs/method.md) with qlx's canonical parameter names.

For each family it writes Tests/QLXModelTests/Fixtures/model_golden_<family>.{bin,json}:
fixed parameters, a batch of images, the encoder's continuous output and codes, the logits
of decoding the quantized values, and the loss terms and gradients (straight-through
estimator) of the reference loss BCE + 0.01·quantization + 0.01·commitment.

Run: python3 scripts/golden/model_golden.py
"""
import os
import sys

import jax
import jax.numpy as jnp
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from core_golden import ROOT, conv2d, conv_transpose2d, instance_norm, write_fixture  # noqa: E402

# Architecture (mirrored by Tests/QLXModelTests/ModelGoldenTests.swift).
IMAGE = (2, 16, 16)
ENCODER = dict(widths=[4, 4, 8], kernels=[3, 4, 4], strides=[1, 2, 2], paddings=[1, 1, 1], dense=[16])
DECODER = dict(widths=[8, 4, 4], kernels=[4, 4, 3], strides=[2, 2, 1], paddings=[1, 1, 1], dense=[16])
LATENTS, VALUES, STYLE_INPUT_CHANNELS, BATCH = 4, 5, 6, 3


def leaky(x):
    return jnp.where(x > 0, x, 0.2 * x)


def encoder(p, x):
    for i, (s, pad) in enumerate(zip(ENCODER["strides"], ENCODER["paddings"])):
        x = conv2d(x, p[f"encoder.conv.{i}.weight"], s, pad)
        x = leaky(instance_norm(x, p[f"encoder.conv.{i}.norm.weight"], p[f"encoder.conv.{i}.norm.bias"]))
    h = x.reshape(x.shape[0], -1)
    for i in range(len(ENCODER["dense"])):
        h = jax.nn.relu(h @ p[f"encoder.dense.{i}.weight"].T + p[f"encoder.dense.{i}.bias"])
    return h @ p["encoder.head.weight"].T + p["encoder.head.bias"]


def quantize(values, c):
    codes = jnp.argmin(jnp.abs(c[:, :, None] - values[None, :, :]), axis=2)
    q = jnp.take_along_axis(values[None, :, :].repeat(c.shape[0], 0), codes[:, :, None], axis=2)[:, :, 0]
    return q, codes


def decoder(p, z, family):
    h = z
    for i in range(len(DECODER["dense"])):
        h = jax.nn.relu(h @ p[f"decoder.dense.{i}.weight"].T + p[f"decoder.dense.{i}.bias"])
    blocks = list(zip(DECODER["strides"], DECODER["paddings"]))
    if family == "image":
        t = jax.nn.relu(h @ p["decoder.transition.weight"].T + p["decoder.transition.bias"])
        x = t.reshape(z.shape[0], ENCODER["widths"][-1], 4, 4)
        for i, (s, pad) in enumerate(blocks):
            x = conv_transpose2d(x, p[f"decoder.conv_transpose.{i}.weight"], s, pad)
            x = leaky(instance_norm(x, p[f"decoder.conv_transpose.{i}.norm.weight"],
                                    p[f"decoder.conv_transpose.{i}.norm.bias"]))
        return conv2d(x, p["decoder.conv.weight"], 1, 0)
    x = p["decoder.input_map"][None]
    for i, (s, pad) in enumerate(blocks):
        x = instance_norm(leaky(conv_transpose2d(x, p[f"decoder.style.{i}.weight"], s, pad)))
        cond = jax.nn.relu(h @ p[f"decoder.style.{i}.conditioning.weight"].T + p[f"decoder.style.{i}.conditioning.bias"])
        c = x.shape[1]
        x = x * cond[:, :c, None, None] + cond[:, c:, None, None]
    return conv2d(x, p["decoder.conv.weight"], 1, 1)


def loss_terms(p, images, family):
    c = encoder(p, images)
    q, _ = quantize(p["latent.values"], jax.lax.stop_gradient(c))
    z = c + jax.lax.stop_gradient(q - c)
    logits = decoder(p, z, family)
    bce = jnp.mean(jnp.maximum(logits, 0) - logits * images + jnp.log1p(jnp.exp(-jnp.abs(logits))))
    quantization = jnp.mean((jax.lax.stop_gradient(c) - q) ** 2)
    commitment = jnp.mean((c - jax.lax.stop_gradient(q)) ** 2)
    total = bce + 0.01 * quantization + 0.01 * commitment
    return total, (bce, quantization, commitment)


def parameter_shapes(family):
    shapes, c = {}, IMAGE[0]
    for i, (w, k) in enumerate(zip(ENCODER["widths"], ENCODER["kernels"])):
        shapes[f"encoder.conv.{i}.weight"] = (w, c, k, k)
        shapes[f"encoder.conv.{i}.norm.weight"] = (w,)
        shapes[f"encoder.conv.{i}.norm.bias"] = (w,)
        c = w
    features = c * 4 * 4
    for i, d in enumerate(ENCODER["dense"]):
        shapes[f"encoder.dense.{i}.weight"], shapes[f"encoder.dense.{i}.bias"] = (d, features), (d,)
        features = d
    shapes["encoder.head.weight"], shapes["encoder.head.bias"] = (LATENTS, features), (LATENTS,)
    shapes["latent.values"] = (LATENTS, VALUES)
    features = LATENTS
    for i, d in enumerate(DECODER["dense"]):
        shapes[f"decoder.dense.{i}.weight"], shapes[f"decoder.dense.{i}.bias"] = (d, features), (d,)
        features = d
    if family == "image":
        shapes["decoder.transition.weight"] = (c * 16, features)
        shapes["decoder.transition.bias"] = (c * 16,)
        for i, (w, k) in enumerate(zip(DECODER["widths"], DECODER["kernels"])):
            shapes[f"decoder.conv_transpose.{i}.weight"] = (c, w, k, k)
            shapes[f"decoder.conv_transpose.{i}.norm.weight"] = (w,)
            shapes[f"decoder.conv_transpose.{i}.norm.bias"] = (w,)
            c = w
        shapes["decoder.conv.weight"] = (IMAGE[0], c, 1, 1)
    else:
        c = STYLE_INPUT_CHANNELS
        shapes["decoder.input_map"] = (c, 4, 4)
        for i, (w, k) in enumerate(zip(DECODER["widths"], DECODER["kernels"])):
            shapes[f"decoder.style.{i}.weight"] = (c, w, k, k)
            shapes[f"decoder.style.{i}.conditioning.weight"] = (2 * w, features)
            shapes[f"decoder.style.{i}.conditioning.bias"] = (2 * w,)
            c = w
        shapes["decoder.conv.weight"] = (IMAGE[0], c, 3, 3)
    return shapes


def main():
    for seed, family in enumerate(["image", "style_image"]):
        rng = np.random.default_rng(7 + seed)
        params = {}
        for name, shape in parameter_shapes(family).items():
            if name.endswith("norm.weight"):
                params[name] = 1 + 0.2 * rng.uniform(-1, 1, shape)
            elif name == "decoder.input_map":
                params[name] = 0.1 + 0.3 * rng.uniform(-1, 1, shape)
            else:
                fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else 4
                params[name] = rng.uniform(-1, 1, shape) / np.sqrt(fan_in)
        params = {k: jnp.asarray(v, jnp.float32) for k, v in params.items()}
        images = jnp.asarray((rng.uniform(size=(BATCH,) + IMAGE) < 0.3).astype(np.float32) * 0.9 + 0.05)
        # Codebooks spanning each latent's range, so several values are in use.
        c = np.asarray(encoder(params, images))
        spread = np.linspace(0, 1, VALUES)[None, :]
        lo, hi = c.min(0)[:, None], c.max(0)[:, None]
        params["latent.values"] = jnp.asarray(lo + (hi - lo) * spread + 0.01 * rng.uniform(-1, 1, (LATENTS, VALUES)),
                                              jnp.float32)

        continuous = encoder(params, images)
        values, codes = quantize(params["latent.values"], continuous)
        logits = decoder(params, values, family)
        (total, (bce, quantization, commitment)), grads = jax.value_and_grad(loss_terms, has_aux=True)(
            params, images, family)
        tensors = {"images": images, "continuous": continuous, "values": values,
                   "codes": np.asarray(codes, np.float32), "logits": logits,
                   "loss": np.array([bce, quantization, commitment, total], np.float32)}
        tensors.update({f"param.{k}": v for k, v in params.items()})
        tensors.update({f"grad.{k}": v for k, v in grads.items()})
        write_fixture(os.path.join(ROOT, "Tests/QLXModelTests/Fixtures"), f"model_golden_{family}",
                      {k: np.asarray(v) for k, v in tensors.items()})


if __name__ == "__main__":
    main()
