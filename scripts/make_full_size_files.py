#!/usr/bin/env python3
"""Writes full-size dataset files in the published layouts, for timing qlx on them (cache
build, open time, random-access images/s, resident memory). The content is synthetic (a
square whose place and brightness follow the index), only the sizes and layouts are real:

- dsprites_full.npz: np.savez_compressed, imgs uint8 737280x64x64 (0/1), latents_classes
  int64 737280x6 in the dSprites grid order, latents_values, a pickled metadata entry (3 GB
  of images once decompressed).
- mpi3d_full.npz: np.savez_compressed, images uint8 460800x64x64x3 only (5.7 GB once
  decompressed); factors follow from the index.
- 3dshapes_full.h5: images uint8 480000x64x64x3 (contiguous, like the published file),
  labels float64 480000x6 in the Shapes3D grid order (5.9 GB).

Usage: python3 scripts/make_full_size_files.py OUTPUT_FOLDER [dsprites|shapes3d|mpi3d ...]
Needs numpy and h5py from PyPI. Do not commit the outputs.
"""
import os
import sys

import numpy as np


def squares(n, channels, start):
    images = np.zeros((n, 64, 64, channels), dtype=np.uint8)
    idx = np.arange(start, start + n)
    for k in range(n):
        i = idx[k]
        x, y = (7 * i) % 48, (11 * i) % 48
        images[k, y:y + 16, x:x + 16, :] = 1 if channels == 1 else 60 + (i % 190)
    return images if channels > 1 else images[..., 0]


def dsprites(out):
    sizes = [1, 3, 6, 40, 32, 32]
    n = int(np.prod(sizes))
    classes = np.stack(np.unravel_index(np.arange(n), sizes), axis=1).astype(np.int64)
    imgs = np.concatenate([squares(min(65536, n - s), 1, s) for s in range(0, n, 65536)])
    metadata = np.array({"description": "synthetic full-size dSprites-format file"}, dtype=object)
    np.savez_compressed(os.path.join(out, "dsprites_full.npz"), imgs=imgs, latents_classes=classes,
                        latents_values=classes.astype(np.float64), metadata=metadata)


def mpi3d(out):
    n = 4 * 4 * 2 * 3 * 3 * 40 * 40
    images = np.concatenate([squares(min(20000, n - s), 3, s) for s in range(0, n, 20000)])
    np.savez_compressed(os.path.join(out, "mpi3d_full.npz"), images=images)


def shapes3d(out):
    import h5py
    sizes = [10, 10, 10, 8, 4, 15]
    n = int(np.prod(sizes))
    grid = np.stack(np.unravel_index(np.arange(n), sizes), axis=1).astype(np.float64)
    with h5py.File(os.path.join(out, "3dshapes_full.h5"), "w") as f:
        images = f.create_dataset("images", shape=(n, 64, 64, 3), dtype=np.uint8)
        for s in range(0, n, 20000):
            images[s:s + 20000] = squares(min(20000, n - s), 3, s)
        f.create_dataset("labels", data=grid / 10.0)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: make_full_size_files.py OUTPUT_FOLDER [dsprites|shapes3d|mpi3d ...]")
    os.makedirs(sys.argv[1], exist_ok=True)
    for which in sys.argv[2:] or ["dsprites", "shapes3d"]:
        {"dsprites": dsprites, "shapes3d": shapes3d, "mpi3d": mpi3d}[which](sys.argv[1])
