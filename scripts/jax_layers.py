"""JAX layers and timing shared by our speed scripts (jax_decode_speed.py, jax_train_speed.py,
eqx_decode_speed.py).

Weights use PyTorch/qlx layouts: conv [out, in, k, k], conv transpose [in, out, k, k].
Feature maps are NCHW (what Equinox uses, as vmapped CHW images) or NHWC (XLA's native CPU
layout). Conv transposes use lhs dilation, as Equinox's ConvTranspose does.
"""
import argparse
import time

import jax
import jax.numpy as jnp
import numpy as np

# layout -> (conv dimension numbers, spatial axes, channel axis)
LAYOUTS = {"NCHW": (("NCHW", "OIHW", "NCHW"), (2, 3), 1), "NHWC": (("NHWC", "HWIO", "NHWC"), (1, 2), 3)}

# The reference's decoder architectures, as both decode-speed scripts build them.
PAPER = dict(widths=[256, 256, 256, 128, 128, 128, 64, 64, 64, 32, 32, 32],
             kernels=[3, 3, 4] * 4, strides=[1, 1, 2] * 4, dense=[256, 256], map=(256, 4, 4))
SMALL = dict(widths=[512, 256, 128, 64], kernels=[4] * 4, strides=[2] * 4, dense=[512], map=(512, 4, 4))
# (name, architecture, style decoder?) in the order `qlx bench --only architectures` prints them.
DECODE_CASES = [("image + style_image (paper)", PAPER, True), ("image_small + image_small", SMALL, False),
                ("image_small + style_image_small", SMALL, True), ("image + image", PAPER, False)]


def conv(x, w, stride, padding, layout="NCHW"):
    kernel = w if layout == "NCHW" else w.transpose(2, 3, 1, 0)
    return jax.lax.conv_general_dilated(x, kernel, (stride, stride), [(padding, padding)] * 2,
                                        dimension_numbers=LAYOUTS[layout][0])


def conv_transpose(x, w, stride, padding=1, layout="NCHW"):
    """Output size (in - 1) * stride - 2 * padding + k."""
    k = w.shape[2]
    kernel = jnp.flip(w, axis=(2, 3)).transpose(1, 0, 2, 3)
    if layout == "NHWC":
        kernel = kernel.transpose(2, 3, 1, 0)
    return jax.lax.conv_general_dilated(x, kernel, (1, 1), [(k - 1 - padding, k - 1 - padding)] * 2,
                                        lhs_dilation=(stride, stride), dimension_numbers=LAYOUTS[layout][0])


def normalize(x, layout="NCHW"):
    """Instance norm without affine, eps 1e-6."""
    axes = LAYOUTS[layout][1]
    mean = x.mean(axis=axes, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=axes, keepdims=True)
    return (x - mean) / jnp.sqrt(var + 1e-6)


def per_channel(v, layout="NCHW"):
    """(N, C) or (C,) values -> broadcastable against a feature map in the layout."""
    v = v.reshape((-1, v.shape[-1]))
    return v[:, :, None, None] if layout == "NCHW" else v[:, None, None, :]


def leaky(x):
    return jnp.where(x >= 0, x, 0.2 * x)


def median_ms(call, runs, warm_up=5):
    """Median wall time of `runs` calls of `call` (blocking on its result), in ms, after
    `warm_up` untimed calls that compile and fill caches."""
    for _ in range(warm_up):
        jax.block_until_ready(call())
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        jax.block_until_ready(call())
        times.append(time.perf_counter() - start)
    return float(np.median(times)) * 1e3


def parse_runs(doc):
    """The decode scripts' one option, --runs (timed calls per case), with `doc`'s first
    line as the description."""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument("--runs", type=int, default=25)
    return parser.parse_args().runs


def latent_batches(rng, latents=10, batches=(1, 10)):
    """(batch, z) for the timed batch sizes: z uniform in [-0.5, 0.5), float32."""
    for batch in batches:
        yield batch, jnp.asarray(rng.uniform(-0.5, 0.5, (batch, latents)).astype(np.float32))


def decoder_multiply_adds(arch, style, latents=10, side=64):
    """Multiply-adds of one image's decode, counted as `qlx bench` counts them: dense layers,
    conditioning linears, transposed convolutions and the output conv, without a style
    decoder's first block (it sees only the constant input map)."""
    total, features = 0, latents
    for width in arch["dense"]:
        total, features = total + features * width, width
    channels, size = arch["map"][0], arch["map"][1]
    if not style:
        total += features * int(np.prod(arch["map"]))
    for i, (w, k, s) in enumerate(zip(arch["widths"], arch["kernels"], arch["strides"])):
        if style:
            total += features * 2 * w
        if not (style and i == 0):
            total += channels * w * k * k * size * size
        channels, size = w, (size - 1) * s - 2 + k
    assert size == side
    return total + channels * (9 if style else 1) * size * size


def sgemm_gflops(n=2048, runs=5):
    """The machine's float32 matrix-product speed through XLA, n×n×n, median of `runs`."""
    a = jnp.asarray(np.random.default_rng(1).uniform(size=(n, n)).astype(np.float32))
    b = jnp.asarray(np.random.default_rng(2).uniform(size=(n, n)).astype(np.float32))
    matmul = jax.jit(jnp.dot)
    return 2 * n ** 3 / median_ms(lambda: matmul(a, b), runs, warm_up=1) / 1e6
