"""JAX layers and timing shared by our speed scripts (jax_decode_speed.py, jax_train_speed.py,
eqx_decode_speed.py).

Weights use PyTorch/qlx layouts: conv [out, in, k, k], conv transpose [in, out, k, k].
Feature maps are NCHW (what Equinox uses, as vmapped CHW images) or NHWC (XLA's native CPU
layout). Conv transposes use lhs dilation, as Equinox's ConvTranspose does.
"""
import time

import jax
import jax.numpy as jnp
import numpy as np

# layout -> (conv dimension numbers, spatial axes, channel axis)
LAYOUTS = {"NCHW": (("NCHW", "OIHW", "NCHW"), (2, 3), 1), "NHWC": (("NHWC", "HWIO", "NHWC"), (1, 2), 3)}


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
