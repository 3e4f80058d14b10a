#!/usr/bin/env python3
"""Training throughput of a QLAE in JAX on this CPU, to compare with `qlx bench --only training`.

Our own JAX implementation (not the reference code) of the architecture `qlx train` uses by
default: encoder conv blocks (conv k4 s2 p1, no bias -> instance norm with affine -> leaky
ReLU 0.2), flatten, dense (ReLU), linear head to n_z; per-latent scalar codebooks with
straight-through quantization; image decoder dense (ReLU) -> dense to the encoder's final map
(ReLU) -> conv-transpose blocks (k4 s2 p1 -> instance norm -> leaky ReLU) -> 1x1 conv to
logits; or (--decoder-kind style_image, the default like qlx's) a style decoder: w = dense
(ReLU), a learned constant 4x4 input map (0.1) through style blocks (convT k4 s2 p1 -> leaky ReLU
-> instance norm without affine -> x*scale + bias, [scale, bias] = ReLU(linear(w))) -> 3x3 conv
(padding 1) to logits. Loss = BCE + 0.01 quantization + 0.01 commitment; AdamW (lr 1e-3, wd 0.1, element-wise
clip to [-1, 1]) on weights, plain Adam on biases, norm affines and codebooks (Adam written
out in JAX; optax is not needed).

Images are sparse random binary 64x64 batches prepared beforehand, so the figure is the jitted
train step alone (sprite generation in qlx costs about 2 ms per batch of 64).

Prints one line: "jax: <images/s> images/s at batch <B> (<ms> ms/step, ...)".
With --rounds N it alternates its own timing with `qlx bench --only training` N times (the
machine's speed drifts from minute to minute) and prints each round's ratio and their median.
Usage: python3 scripts/jax_train_speed.py [--rounds N [--qlx .build/release/qlx]]
       [--encoder-widths 16,32,32,64] [--dense-widths 128]
       [--decoder-kind style_image|image]
       [--latents 10] [--values 10] [--batch 64] [--steps 20]
"""
import argparse
import re
import statistics
import subprocess
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np

from jax_layers import conv, conv_transpose, leaky, normalize, per_channel


def widths(text):
    return [int(w) for w in text.split(",")]


def init_params(key, enc_widths, dense_widths, latents, values, style, side=64):
    params = {}
    keys = iter(jax.random.split(key, 64))

    def uniform(shape, fan_in):
        bound = 1.0 / np.sqrt(fan_in)
        return jax.random.uniform(next(keys), shape, jnp.float32, -bound, bound)

    channels, size = 1, side
    for i, w in enumerate(enc_widths):
        params[f"encoder.conv.{i}.weight"] = uniform((w, channels, 4, 4), channels * 16)
        params[f"encoder.conv.{i}.norm.weight"] = jnp.ones((w,))
        params[f"encoder.conv.{i}.norm.bias"] = jnp.zeros((w,))
        channels, size = w, size // 2
    final = (channels, size, size)
    features = channels * size * size
    for i, d in enumerate(dense_widths):
        params[f"encoder.dense.{i}.weight"] = uniform((d, features), features)
        params[f"encoder.dense.{i}.bias"] = uniform((d,), features)
        features = d
    params["encoder.head.weight"] = uniform((latents, features), features)
    params["encoder.head.bias"] = uniform((latents,), features)
    params["latent.values"] = jnp.tile(jnp.linspace(-0.5, 0.5, values), (latents, 1))
    features = latents
    for i, d in enumerate(dense_widths):
        params[f"decoder.dense.{i}.weight"] = uniform((d, features), features)
        params[f"decoder.dense.{i}.bias"] = uniform((d,), features)
        features = d
    if style:
        # The constant map has as many channels as the first style block, at the encoder's final size.
        channels = enc_widths[-1]
        params["decoder.input_map"] = jnp.full((channels, final[1], final[2]), 0.1, jnp.float32)
        for i, w in enumerate(reversed(enc_widths)):
            params[f"decoder.style.{i}.weight"] = uniform((channels, w, 4, 4), channels * 16)
            params[f"decoder.style.{i}.conditioning.weight"] = uniform((2 * w, features), features)
            params[f"decoder.style.{i}.conditioning.bias"] = uniform((2 * w,), features)
            channels = w
        params["decoder.conv.weight"] = uniform((1, channels, 3, 3), channels * 9)
        return params, final
    flat = final[0] * final[1] * final[2]
    params["decoder.transition.weight"] = uniform((flat, features), features)
    params["decoder.transition.bias"] = uniform((flat,), features)
    channels = final[0]
    for i, w in enumerate(reversed(enc_widths)):
        params[f"decoder.conv_transpose.{i}.weight"] = uniform((channels, w, 4, 4), channels * 16)
        params[f"decoder.conv_transpose.{i}.norm.weight"] = jnp.ones((w,))
        params[f"decoder.conv_transpose.{i}.norm.bias"] = jnp.zeros((w,))
        channels = w
    params["decoder.conv.weight"] = uniform((1, channels, 1, 1), channels)
    return params, final


def instance_norm(x, weight, bias):
    return normalize(x) * per_channel(weight) + per_channel(bias)


def image_decoder(params, z, enc_count, dense_count, final):
    for i in range(dense_count):
        z = jax.nn.relu(z @ params[f"decoder.dense.{i}.weight"].T + params[f"decoder.dense.{i}.bias"])
    z = jax.nn.relu(z @ params["decoder.transition.weight"].T + params["decoder.transition.bias"])
    y = z.reshape(z.shape[0], *final)
    for i in range(enc_count):
        y = leaky(instance_norm(conv_transpose(y, params[f"decoder.conv_transpose.{i}.weight"], 2),
                                params[f"decoder.conv_transpose.{i}.norm.weight"],
                                params[f"decoder.conv_transpose.{i}.norm.bias"]))
    return conv(y, params["decoder.conv.weight"], 1, 0)


def style_decoder(params, z, enc_count, dense_count):
    w = z
    for i in range(dense_count):
        w = jax.nn.relu(w @ params[f"decoder.dense.{i}.weight"].T + params[f"decoder.dense.{i}.bias"])
    y = params["decoder.input_map"][None]
    for i in range(enc_count):
        y = normalize(leaky(conv_transpose(y, params[f"decoder.style.{i}.weight"], 2)))
        condition = jax.nn.relu(w @ params[f"decoder.style.{i}.conditioning.weight"].T
                                + params[f"decoder.style.{i}.conditioning.bias"])
        c = y.shape[1]
        y = y * condition[:, :c, None, None] + condition[:, c:, None, None]
    return conv(y, params["decoder.conv.weight"], 1, 1)


def make_loss(enc_count, dense_count, final, style):
    def loss_fn(params, images):
        x = images
        for i in range(enc_count):
            x = leaky(instance_norm(conv(x, params[f"encoder.conv.{i}.weight"], 2, 1),
                                    params[f"encoder.conv.{i}.norm.weight"], params[f"encoder.conv.{i}.norm.bias"]))
        x = x.reshape(x.shape[0], -1)
        for i in range(dense_count):
            x = jax.nn.relu(x @ params[f"encoder.dense.{i}.weight"].T + params[f"encoder.dense.{i}.bias"])
        c = x @ params["encoder.head.weight"].T + params["encoder.head.bias"]
        codebooks = params["latent.values"]
        index = jnp.argmin(jnp.abs(c[:, :, None] - codebooks[None, :, :]), axis=-1)
        q = jnp.take_along_axis(codebooks[None, :, :], index[:, :, None], axis=-1)[..., 0]
        quantization = jnp.mean((jax.lax.stop_gradient(c) - q) ** 2)
        commitment = jnp.mean((c - jax.lax.stop_gradient(q)) ** 2)
        z = c + jax.lax.stop_gradient(q - c)
        if style:
            logits = style_decoder(params, z, enc_count, dense_count)
        else:
            logits = image_decoder(params, z, enc_count, dense_count, final)
        bce = jnp.mean(jnp.maximum(logits, 0) - logits * images + jnp.log1p(jnp.exp(-jnp.abs(logits))))
        return bce + 0.01 * quantization + 0.01 * commitment
    return loss_fn


def is_decayed(name):
    if name == "decoder.input_map":
        return True
    if name == "latent.values" or name.endswith(".norm.weight") or name.endswith(".bias"):
        return False
    return name.endswith(".weight")


def make_step(loss_fn, lr=1e-3, wd=0.1, b1=0.9, b2=0.999, eps=1e-8):
    @jax.jit
    def step(params, m, v, t, images):
        loss, grads = jax.value_and_grad(loss_fn)(params, images)
        t = t + 1
        new_params, new_m, new_v = {}, {}, {}
        for name, p in params.items():
            g = grads[name]
            decayed = is_decayed(name)
            if decayed:
                g = jnp.clip(g, -1.0, 1.0)
            mi = b1 * m[name] + (1 - b1) * g
            vi = b2 * v[name] + (1 - b2) * g * g
            update = (mi / (1 - b1 ** t)) / (jnp.sqrt(vi / (1 - b2 ** t)) + eps)
            if decayed:
                update = update + wd * p
            new_params[name], new_m[name], new_v[name] = p - lr * update, mi, vi
        return new_params, new_m, new_v, t, loss
    return step


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--encoder-widths", default="16,32,32,64")
    parser.add_argument("--dense-widths", default="128")
    parser.add_argument("--decoder-kind", choices=["style_image", "image"], default="style_image")
    parser.add_argument("--latents", type=int, default=10)
    parser.add_argument("--values", type=int, default=10)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=0,
                        help="alternate JAX and `qlx bench --only training` this many times and print their ratios")
    parser.add_argument("--qlx", default=".build/release/qlx", help="the qlx binary for --rounds")
    args = parser.parse_args()

    enc, dense = widths(args.encoder_widths), widths(args.dense_widths)
    style = args.decoder_kind == "style_image"
    params, final = init_params(jax.random.PRNGKey(0), enc, dense, args.latents, args.values, style)
    step = make_step(make_loss(len(enc), len(dense), final, style))
    rng = np.random.default_rng(0)
    batches = [jnp.asarray((rng.random((args.batch, 1, 64, 64)) < 0.06).astype(np.float32)) for _ in range(4)]
    m = {k: jnp.zeros_like(p) for k, p in params.items()}
    v = {k: jnp.zeros_like(p) for k, p in params.items()}
    t = jnp.zeros((), jnp.float32)
    warm_start = time.perf_counter()
    for i in range(3):  # compile and warm up
        params, m, v, t, loss = step(params, m, v, t, batches[i % 4])
    loss.block_until_ready()
    print(f"compiled and warmed up in {time.perf_counter() - warm_start:.1f} s", file=sys.stderr, flush=True)
    state = [params, m, v, t]

    def time_steps():
        """(median seconds per step, CPU seconds per step) over args.steps steps."""
        times = []
        cpu_start = time.process_time()
        for i in range(args.steps):
            start = time.perf_counter()
            state[0], state[1], state[2], state[3], loss = step(*state, batches[i % 4])
            loss.block_until_ready()
            times.append(time.perf_counter() - start)
            print(f"step {i + 1}/{args.steps}: {times[-1] * 1e3:.1f} ms", file=sys.stderr, flush=True)
        return sorted(times)[len(times) // 2], (time.process_time() - cpu_start) / args.steps

    count = sum(int(np.prod(p.shape)) for p in params.values())
    describe = (f"encoder {args.encoder_widths} dense {args.dense_widths}, {args.decoder_kind} decoder, "
                f"{count:,} parameters, jax {jax.__version__} on {jax.devices()[0].platform}")
    if args.rounds == 0:
        median, cpu_per_step = time_steps()
        print(f"jax: {args.batch / median:.1f} images/s at batch {args.batch} ({median * 1e3:.1f} ms/step median of "
              f"{args.steps}, {cpu_per_step * 1e3:.0f} ms CPU/step, {describe})")
        return
    # Rounds: this machine's speed drifts by up to half from minute to minute, so each round
    # times JAX and then `qlx bench --only training` right after, and the verdict is the
    # median of the rounds' ratios.
    ratios = []
    for number in range(1, args.rounds + 1):
        median, _ = time_steps()
        output = subprocess.run([args.qlx, "bench", "--only", "training"], check=True, capture_output=True, text=True).stdout
        found = re.search(r"([\d.]+) images/s", output)
        if not found:
            raise SystemExit(f"jax_train_speed: no images/s in the output of {args.qlx} bench --only training")
        ours, theirs = float(found.group(1)), args.batch / median
        ratios.append(ours / theirs)
        print(f"round {number}: jax {theirs:.1f} images/s, qlx {ours:.1f} images/s, qlx/jax {ours / theirs:.2f}", flush=True)
    print(f"qlx/jax over {args.rounds} rounds: median {statistics.median(ratios):.2f}, lowest {min(ratios):.2f} ({describe}, batch {args.batch})")


if __name__ == "__main__":
    main()
