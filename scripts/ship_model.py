#!/usr/bin/env python3
"""Turns a checkpoint written by `qlx train` into the file we ship in assets/.

Keeps the model's parameters as float16 (half the size; decoding in qlx is float32 either
way) with the `qlx.config` and `qlx.metrics` metadata, and drops what only resuming needs:
the optimizer's `optimizer.*` tensors and the `qlx.training_state` entry. The output is
written to a temporary file beside it and renamed into place.

Usage: python3 scripts/ship_model.py TRAINED.safetensors OUT.safetensors
Needs numpy and safetensors from PyPI.
"""
import os
import sys

import numpy as np
from safetensors import safe_open
from safetensors.numpy import save_file

KEPT_METADATA = ("qlx.config", "qlx.metrics")


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: ship_model.py TRAINED.safetensors OUT.safetensors")
    source, target = sys.argv[1], sys.argv[2]
    tensors, metadata = {}, {}
    with safe_open(source, "np") as f:
        header = f.metadata() or {}
        if "qlx.config" not in header:
            sys.exit(f"{source}: expected a qlx checkpoint with 'qlx.config' metadata, found keys {sorted(header)}")
        metadata = {key: header[key] for key in KEPT_METADATA if key in header}
        for name in f.keys():
            if name.startswith("optimizer."):
                continue
            values = f.get_tensor(name)
            if not np.all(np.isfinite(values)):
                sys.exit(f"{source}: tensor {name} holds NaN or Inf")
            half = values.astype(np.float16)
            if not np.all(np.isfinite(half)):
                sys.exit(f"{source}: tensor {name} overflows float16 (largest magnitude {np.abs(values).max()})")
            tensors[name] = half
    temporary = f"{target}.tmp-{os.getpid()}"
    try:
        save_file(tensors, temporary, metadata=metadata)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
    print(f"{target}: {len(tensors)} tensors as float16, {os.path.getsize(target):,} bytes")


if __name__ == "__main__":
    main()
