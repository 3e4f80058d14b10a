#!/usr/bin/env python3
"""Checkpoint interop between qlx and the Hugging Face `safetensors` package, both ways.

    python3 scripts/golden/checkpoint_fixture.py
        Writes the tiny checkpoints in Tests/QLXModelTests/Fixtures/ with safetensors.numpy:
        an image-decoder model as F32, F16 and BF16, and a style-decoder model (F32) with
        optimizer tensors and training settings. The Swift tests read them.

    python3 scripts/golden/checkpoint_fixture.py verify PATH
        Checks a checkpoint written by qlx: opens it with safetensors.safe_open, derives the
        parameter names and shapes from its "qlx.config" metadata (computed here from
        docs/checkpoint-format.md, independently of the Swift code) and checks every value
        against the fixture formula. Prints a report and exits 1 on the first mismatch.
        The committed Tests/QLXModelTests/Fixtures/checkpoint_written_by_qlx.verified.txt is
        this command's output for checkpoint_written_by_qlx.safetensors.

Values: tensor `name` holds float32(((i*37 + k*11) % 101 - 50) / 192) at flat index i, with
k = (sum of the UTF-8 bytes of name) % 97, so both languages can recompute them exactly.
"""
import json
import os
import sys
import zlib

import ml_dtypes
import numpy as np
from safetensors import safe_open
from safetensors.numpy import save_file

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Tests", "QLXModelTests", "Fixtures")
CONFIG_KEY = "qlx.config"


def formula(name, shape):
    k = sum(name.encode("utf-8")) % 97
    i = np.arange(int(np.prod(shape, dtype=np.int64)), dtype=np.int64)
    return (((i * 37 + k * 11) % 101 - 50) / 192.0).astype(np.float32).reshape(shape)


def stack(widths, kernel, stride, padding):
    n = len(widths)
    return {"widths": widths, "kernelSizes": [kernel] * n, "strides": [stride] * n, "paddings": [padding] * n}


TINY_IMAGE_CONFIG = {
    "encoder": {"preset": "custom", "conv": stack([4, 6], 4, 2, 1), "denseWidths": [5]},
    "decoder": {"kind": "image", "preset": "custom", "denseWidths": [5], "convTranspose": stack([4, 3], 4, 2, 1)},
    "latent": {"count": 3, "valuesPerLatent": 4, "quantized": True},
    "image": {"channels": 1, "height": 8, "width": 8},
    "dataset": {"name": "tiny", "factorNames": ["shape", "size"], "factorSizes": [3, 2]},
}

TINY_STYLE_CONFIG = {
    "encoder": {"preset": "custom", "conv": stack([4], 4, 2, 1), "denseWidths": []},
    "decoder": {"kind": "style_image", "preset": "custom", "denseWidths": [6],
                "convTranspose": stack([3], 4, 2, 1), "inputChannels": 5},
    "latent": {"count": 2, "valuesPerLatent": 5, "quantized": True},
    "image": {"channels": 3, "height": 8, "width": 8},
    "dataset": {"name": "tiny-colour", "factorNames": ["hue", "posX", "posY"], "factorSizes": [4, 8, 8]},
    "training": {"steps": 1000, "batchSize": 16, "learningRate": 0.001, "weightDecay": 0.1,
                 "quantizationWeight": 0.01, "commitmentWeight": 0.01, "seed": 7, "stepsDone": 250},
}


def parameter_shapes(config):
    """Canonical names and shapes (docs/checkpoint-format.md), in canonical order."""
    out = []
    c, h, w = config["image"]["channels"], config["image"]["height"], config["image"]["width"]
    conv = config["encoder"]["conv"]
    for i, width in enumerate(conv["widths"]):
        k, s, p = conv["kernelSizes"][i], conv["strides"][i], conv["paddings"][i]
        out += [(f"encoder.conv.{i}.weight", [width, c, k, k]),
                (f"encoder.conv.{i}.norm.weight", [width]), (f"encoder.conv.{i}.norm.bias", [width])]
        c, h, w = width, (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
    final = (c, h, w)
    features = c * h * w
    for i, width in enumerate(config["encoder"]["denseWidths"]):
        out += [(f"encoder.dense.{i}.weight", [width, features]), (f"encoder.dense.{i}.bias", [width])]
        features = width
    nz, nv = config["latent"]["count"], config["latent"]["valuesPerLatent"]
    out += [("encoder.head.weight", [nz, features]), ("encoder.head.bias", [nz])]
    if config["latent"]["quantized"]:
        out.append(("latent.values", [nz, nv]))
    decoder = config["decoder"]
    features = nz
    for i, width in enumerate(decoder["denseWidths"]):
        out += [(f"decoder.dense.{i}.weight", [width, features]), (f"decoder.dense.{i}.bias", [width])]
        features = width
    transpose = decoder["convTranspose"]
    if decoder["kind"] == "image":
        flat = final[0] * final[1] * final[2]
        out += [("decoder.transition.weight", [flat, features]), ("decoder.transition.bias", [flat])]
        c = final[0]
        for i, width in enumerate(transpose["widths"]):
            k = transpose["kernelSizes"][i]
            out += [(f"decoder.conv_transpose.{i}.weight", [c, width, k, k]),
                    (f"decoder.conv_transpose.{i}.norm.weight", [width]),
                    (f"decoder.conv_transpose.{i}.norm.bias", [width])]
            c = width
        out.append(("decoder.conv.weight", [config["image"]["channels"], c, 1, 1]))
    else:
        c = decoder["inputChannels"]
        out.append(("decoder.input_map", [c, final[1], final[2]]))
        for i, width in enumerate(transpose["widths"]):
            k = transpose["kernelSizes"][i]
            out += [(f"decoder.style.{i}.weight", [c, width, k, k]),
                    (f"decoder.style.{i}.conditioning.weight", [2 * width, features]),
                    (f"decoder.style.{i}.conditioning.bias", [2 * width])]
            c = width
        out.append(("decoder.conv.weight", [config["image"]["channels"], c, 3, 3]))
    return out


def tensors_for(config, optimizer_for=()):
    tensors = {name: formula(name, shape) for name, shape in parameter_shapes(config)}
    for name in optimizer_for:
        for moment in ("m", "v"):
            key = f"optimizer.{moment}.{name}"
            tensors[key] = formula(key, tensors[name].shape)
    return tensors


def decoded_sum(tensors):
    """Sum of every value as float64, tensors in name order: exact for these small fractions."""
    return sum(float(np.sum(tensors[name].astype(np.float64))) for name in sorted(tensors))


def write_fixtures():
    os.makedirs(FIXTURES, exist_ok=True)
    image = tensors_for(TINY_IMAGE_CONFIG)
    base = {CONFIG_KEY: json.dumps(TINY_IMAGE_CONFIG, sort_keys=True), "fixture.writer": "safetensors.numpy"}
    variants = {"f32": np.float32, "f16": np.float16, "bf16": ml_dtypes.bfloat16}
    for suffix, dtype in variants.items():
        cast = {name: value.astype(dtype) for name, value in image.items()}
        metadata = dict(base, **{"fixture.decoded_sum": repr(decoded_sum(cast))})
        save_file(cast, os.path.join(FIXTURES, f"checkpoint_tiny_image_{suffix}.safetensors"), metadata=metadata)

    style = tensors_for(TINY_STYLE_CONFIG, optimizer_for=["encoder.head.weight", "latent.values"])
    metadata = {CONFIG_KEY: json.dumps(TINY_STYLE_CONFIG, sort_keys=True),
                "qlx.training_state": json.dumps({"step": 250}), "fixture.writer": "safetensors.numpy"}
    save_file(style, os.path.join(FIXTURES, "checkpoint_tiny_style_f32.safetensors"), metadata=metadata)
    print(f"wrote fixtures to {os.path.normpath(FIXTURES)}")


def fail(message):
    print(f"FAIL: {message}")
    sys.exit(1)


def verify(path):
    with open(path, "rb") as f:
        raw = f.read()
    header_length = int.from_bytes(raw[:8], "little")
    print(f"file: {os.path.basename(path)} ({len(raw)} bytes, crc32 {zlib.crc32(raw):08x})")
    if header_length % 8 != 0:
        fail(f"header length {header_length} is not a multiple of 8")
    header = json.loads(raw[8:8 + header_length])
    names_in_file_order = [k for k in header if k != "__metadata__"]
    if names_in_file_order != sorted(names_in_file_order):
        fail("tensors are not sorted by name in the header")
    with safe_open(path, framework="numpy") as f:
        metadata = f.metadata() or {}
        if CONFIG_KEY not in metadata:
            fail(f"metadata has no {CONFIG_KEY}")
        config = json.loads(metadata[CONFIG_KEY])
        expected = dict(parameter_shapes(config))
        present = set(f.keys())
        model_names = {n for n in present if not n.startswith("optimizer.")}
        if model_names != set(expected):
            fail(f"names differ: missing {sorted(set(expected) - model_names)}, unexpected {sorted(model_names - set(expected))}")
        for name in sorted(present):
            value = f.get_tensor(name)
            if value.dtype != np.float32:
                fail(f"{name}: dtype {value.dtype}, expected float32")
            shape = expected.get(name) or expected.get(name.split(".", 2)[2])
            if list(value.shape) != shape:
                fail(f"{name}: shape {list(value.shape)}, expected {shape}")
            if not np.array_equal(value, formula(name, shape)):
                fail(f"{name}: values differ from the formula")
    optimizer = len(present) - len(model_names)
    print(f"safetensors {__import__('safetensors').__version__}: {len(model_names)} model tensors and "
          f"{optimizer} optimizer tensors; names, shapes (from {CONFIG_KEY}) and F32 values all match")
    print("metadata keys: " + ", ".join(sorted(metadata)))
    print("OK")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "verify":
        verify(sys.argv[2])
    elif len(sys.argv) == 1:
        write_fixtures()
    else:
        print(__doc__)
        sys.exit(2)
