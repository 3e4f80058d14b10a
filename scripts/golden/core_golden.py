#!/usr/bin/env python3
"""Golden values for QLXCore's layers, computed with JAX (forward, and backward via jax.vjp).

Writes Tests/QLXCoreTests/Fixtures/core_golden.{bin,json}: for each case its inputs, a
cotangent `dy`, the output `y` and the gradients. Layouts follow qlx (PyTorch): images
(N, C, H, W); conv weights [out, in, kH, kW]; transposed-conv weights [in, out, kH, kW].

Run: python3 scripts/golden/core_golden.py
"""
import json
import os

import jax
import jax.numpy as jnp
import numpy as np

jax.config.update("jax_enable_x64", False)
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DIMS = ("NCHW", "OIHW", "NCHW")


def write_fixture(directory, name, tensors, extra=None):
    """A raw little-endian float32 .bin plus a .json index {"tensors": {name: {shape, offset}}}."""
    os.makedirs(directory, exist_ok=True)
    index, chunks, offset = {}, [], 0
    for key in sorted(tensors):
        array = np.asarray(tensors[key], dtype="<f4")
        index[key] = {"shape": list(array.shape), "offset": offset}
        chunks.append(array.reshape(-1))
        offset += array.size
    data = np.concatenate(chunks) if chunks else np.zeros(0, dtype="<f4")
    with open(os.path.join(directory, name + ".bin"), "wb") as f:
        f.write(data.astype("<f4").tobytes())
    meta = {"tensors": index}
    if extra:
        meta.update(extra)
    with open(os.path.join(directory, name + ".json"), "w") as f:
        json.dump(meta, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"wrote {name}: {offset} floats")


def conv2d(x, w, stride, padding):
    """PyTorch Conv2d without bias: w [out, in, k, k]."""
    return jax.lax.conv_general_dilated(x, w, (stride, stride), [(padding, padding)] * 2, dimension_numbers=DIMS,
                                        precision=jax.lax.Precision.HIGHEST)


def conv_transpose2d(x, w, stride, padding):
    """PyTorch ConvTranspose2d without bias (no output padding): w [in, out, k, k].
    A stride-1 convolution of the input dilated by `stride`, padded by k − 1 − p, with the
    kernel flipped spatially and its channel axes swapped."""
    k = w.shape[2]
    flipped = jnp.flip(w, axis=(2, 3)).transpose(1, 0, 2, 3)
    return jax.lax.conv_general_dilated(x, flipped, (1, 1), [(k - 1 - padding, k - 1 - padding)] * 2,
                                        lhs_dilation=(stride, stride), dimension_numbers=DIMS,
                                        precision=jax.lax.Precision.HIGHEST)


def conv_transpose2d_as_gradient(x, w, stride, padding, out_hw):
    """The same operator as the adjoint (vjp) of the convolution it transposes: a check."""
    n, _, _, _ = x.shape
    probe = jnp.zeros((n, w.shape[1]) + out_hw, x.dtype)
    _, vjp = jax.vjp(lambda y: conv2d(y, w, stride, padding), probe)
    return vjp(x)[0]


def instance_norm(x, weight=None, bias=None, eps=1e-6):
    mean = x.mean(axis=(2, 3), keepdims=True)
    var = ((x - mean) ** 2).mean(axis=(2, 3), keepdims=True)
    y = (x - mean) / jnp.sqrt(var + eps)
    if weight is not None:
        y = y * weight[None, :, None, None] + bias[None, :, None, None]
    return y


def main():
    rng = np.random.default_rng(20231)
    tensors = {}

    def rand(*shape):
        return rng.uniform(-1, 1, size=shape).astype(np.float32)

    conv_cases = [  # (name, cin, cout, k, s, p, n, h, w)
        ("k3s1p1", 3, 4, 3, 1, 1, 2, 6, 6),
        ("k4s2p1", 2, 3, 4, 2, 1, 2, 8, 8),
        ("k1s1p0", 4, 2, 1, 1, 0, 2, 5, 5),
        ("k3s2p0", 2, 3, 3, 2, 0, 1, 7, 6),
    ]
    cases = []
    for name, cin, cout, k, s, p, n, h, w in conv_cases:
        # Convolution
        x, wt = rand(n, cin, h, w), rand(cout, cin, k, k)
        y, vjp = jax.vjp(lambda a, b: conv2d(a, b, s, p), x, wt)
        dy = rand(*y.shape)
        dx, dw = vjp(dy)
        key = f"conv.{name}"
        tensors.update({f"{key}.x": x, f"{key}.w": wt, f"{key}.y": y, f"{key}.dy": dy, f"{key}.dx": dx, f"{key}.dw": dw})
        cases.append({"name": key, "kind": "conv", "in": cin, "out": cout, "kernel": k, "stride": s, "padding": p})
        # Transposed convolution (input has `cin` channels, weight [cin, cout, k, k])
        x, wt = rand(n, cin, h, w), rand(cin, cout, k, k)
        y, vjp = jax.vjp(lambda a, b: conv_transpose2d(a, b, s, p), x, wt)
        assert y.shape[2] == (h - 1) * s - 2 * p + k, y.shape
        check = conv_transpose2d_as_gradient(x, wt.transpose(0, 1, 2, 3), s, p, y.shape[2:])
        np.testing.assert_allclose(np.asarray(check), np.asarray(y), rtol=1e-5, atol=1e-5)
        dy = rand(*y.shape)
        dx, dw = vjp(dy)
        key = f"convT.{name}"
        tensors.update({f"{key}.x": x, f"{key}.w": wt, f"{key}.y": y, f"{key}.dy": dy, f"{key}.dx": dx, f"{key}.dw": dw})
        cases.append({"name": key, "kind": "convT", "in": cin, "out": cout, "kernel": k, "stride": s, "padding": p})

    # Linear: y = x Wᵀ + b
    x, wt, b = rand(3, 5), rand(4, 5), rand(4)
    y, vjp = jax.vjp(lambda a, c, d: a @ c.T + d, x, wt, b)
    dy = rand(*y.shape)
    dx, dw, db = vjp(dy)
    tensors.update({"linear.x": x, "linear.w": wt, "linear.b": b, "linear.y": y, "linear.dy": dy,
                    "linear.dx": dx, "linear.dw": dw, "linear.db": db})

    # Instance norm with and without affine
    x = rand(2, 3, 4, 5) * 3 + 0.5
    g, b = rand(3), rand(3)
    y, vjp = jax.vjp(lambda a, c, d: instance_norm(a, c, d), x, g, b)
    dy = rand(*y.shape)
    dx, dg, db = vjp(dy)
    tensors.update({"norm.x": x, "norm.g": g, "norm.b": b, "norm.y": y, "norm.dy": dy, "norm.dx": dx,
                    "norm.dg": dg, "norm.db": db})
    y, vjp = jax.vjp(lambda a: instance_norm(a), x)
    (dx,) = vjp(dy)
    tensors.update({"norm_plain.y": y, "norm_plain.dx": dx})

    # Leaky ReLU and sigmoid BCE from logits
    x = rand(64) * 4
    y, vjp = jax.vjp(lambda a: jax.nn.leaky_relu(a, 0.2), x)
    dy = rand(64)
    tensors.update({"leaky.x": x, "leaky.y": y, "leaky.dy": dy, "leaky.dx": vjp(dy)[0]})

    write_fixture(os.path.join(ROOT, "Tests/QLXCoreTests/Fixtures"), "core_golden",
                  {k: np.asarray(v) for k, v in tensors.items()}, {"cases": cases})


if __name__ == "__main__":
    main()
