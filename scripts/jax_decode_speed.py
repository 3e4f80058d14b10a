#!/usr/bin/env python3
"""Decode latency of the reference decoder architectures in JAX on this CPU, to compare with
`qlx bench --only core`.

Our own JAX implementation (not the reference code) of the decoders qlx benchmarks, with
random weights and 10 latents:
- image / image_small: dense stack (ReLU) -> dense to the encoder's final map (ReLU) ->
  conv-transpose blocks (convT -> instance norm with affine -> leaky ReLU 0.2) -> 1x1 conv.
- style_image / style_image_small: w = dense stack (ReLU); a constant input map goes through
  style blocks (convT -> leaky ReLU 0.2 -> instance norm without affine -> x*scale + bias,
  [scale, bias] = ReLU(linear(w))) -> 3x3 conv (padding 1) to logits.
The layers are in jax_layers.py.

Each case is jitted in both layouts, warmed up 5 times, then timed 25 times; the medians are
printed, so the faster layout can be taken as JAX's figure.
Usage: python3 scripts/jax_decode_speed.py [--runs 25]
"""
import jax
import jax.numpy as jnp
import numpy as np

from jax_layers import (DECODE_CASES, LAYOUTS, conv, conv_transpose, latent_batches, leaky, median_ms, normalize,
                        parse_runs, per_channel)

def make_params(arch, style, latents, rng):
    def uniform(shape, fan_in):
        bound = 1.0 / np.sqrt(fan_in)
        return jnp.asarray(rng.uniform(-bound, bound, shape).astype(np.float32))

    p = {"dense": []}
    features = latents
    for d in arch["dense"]:
        p["dense"].append((uniform((features, d), features), uniform((d,), features)))
        features = d
    channels = arch["map"][0]
    if style:
        p["map"] = jnp.full((1,) + arch["map"], 0.1, jnp.float32)
    else:
        flat = int(np.prod(arch["map"]))
        p["transition"] = (uniform((features, flat), features), uniform((flat,), features))
    p["blocks"] = []
    for w, k in zip(arch["widths"], arch["kernels"]):
        block = {"convT": uniform((channels, w, k, k), channels * k * k)}
        if style:
            block["cond"] = (uniform((features, 2 * w), features), uniform((2 * w,), features))
        else:
            block["affine"] = (jnp.ones((1, w)), jnp.zeros((1, w)))
        p["blocks"].append(block)
        channels = w
    size = 3 if style else 1
    p["out"] = uniform((1, channels, size, size), channels * size * size)
    return p


def make_decoder(arch, style, layout):
    channel_axis = LAYOUTS[layout][2]

    def decode(p, z):
        w = z
        for weight, bias in p["dense"]:
            w = jax.nn.relu(w @ weight + bias)
        n = z.shape[0]
        if style:
            x = jnp.broadcast_to(p["map"], (n,) + p["map"].shape[1:])
        else:
            weight, bias = p["transition"]
            x = jax.nn.relu(w @ weight + bias).reshape((n,) + arch["map"])
        if layout == "NHWC":
            x = x.transpose(0, 2, 3, 1)
        for block, stride in zip(p["blocks"], arch["strides"]):
            y = conv_transpose(x, block["convT"], stride, layout=layout)
            c = y.shape[channel_axis]
            if style:
                y = normalize(leaky(y), layout)
                weight, bias = block["cond"]
                cond = jax.nn.relu(w @ weight + bias)
                x = y * per_channel(cond[:, :c], layout) + per_channel(cond[:, c:], layout)
            else:
                scale, shift = block["affine"]
                x = leaky(normalize(y, layout) * per_channel(scale, layout) + per_channel(shift, layout))
        logits = conv(x, p["out"], 1, 1 if style else 0, layout)
        return logits, jax.nn.sigmoid(logits)
    return jax.jit(decode)


def main():
    runs = parse_runs(__doc__)
    rng = np.random.default_rng(0)
    print(f"jax {jax.__version__} on {jax.devices()[0].platform}, 10 latents, median of {runs} (ms)")
    print(f"  {'decoder':34s} {'batch':>5s} {'NCHW':>8s} {'NHWC':>8s}")
    for name, arch, style in DECODE_CASES:
        params = make_params(arch, style, 10, rng)
        decoders = {layout: make_decoder(arch, style, layout) for layout in LAYOUTS}
        for batch, z in latent_batches(rng):
            nchw, nhwc = (np.asarray(decoders[layout](params, z)[0]) for layout in LAYOUTS)
            if not np.allclose(nchw, nhwc.transpose(0, 3, 1, 2), rtol=1e-3, atol=1e-4):
                raise SystemExit(f"{name}: the NCHW and NHWC decoders disagree")
            medians = [median_ms(lambda: decode(params, z), runs) for decode in decoders.values()]
            print(f"  {name:34s} {batch:5d} {medians[0]:8.2f} {medians[1]:8.2f}", flush=True)


if __name__ == "__main__":
    main()
