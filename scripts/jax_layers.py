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
# (name, architecture, style decoder?) in the order `qlx bench` prints them.
DECODE_CASES = [("image_small + style_image_small", SMALL, True), ("image + style_image", PAPER, True),
                ("image_small + image_small", SMALL, False), ("image + image", PAPER, False)]


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


def latent_batches(rng, latents=10):
    """(batch, z) for the timed batch sizes 1 and 10: z uniform in [-0.5, 0.5), float32."""
    for batch in (1, 10):
        yield batch, jnp.asarray(rng.uniform(-0.5, 0.5, (batch, latents)).astype(np.float32))
