#!/usr/bin/env python3
"""Writes the binary seed corpora of the npz, hdf5 and eqx fuzz targets (small, valid files of
each form qlx reads, so the fuzzer starts from inside the formats rather than from noise).

Usage: python3 Fuzz/make_seeds.py        (from the repository root; needs numpy and h5py)
The text seeds (yaml, key-script) are written by hand.
"""
import io
import os
import zipfile

import h5py
import numpy as np

rng = np.random.default_rng(21)


def npy_bytes(array, fortran=False):
    out = io.BytesIO()
    np.save(out, np.asfortranarray(array) if fortran else array, allow_pickle=False)
    return out.getvalue()


def npz(path, members, compressed):
    method = zipfile.ZIP_DEFLATED if compressed else zipfile.ZIP_STORED
    with zipfile.ZipFile(path, "w", method) as z:
        for name, array in members.items():
            z.writestr(name + ".npy", npy_bytes(array))


def main():
    d = "Fuzz/npz/corpus"
    os.makedirs(d, exist_ok=True)
    # dSprites' form: 0/1 images and latents_classes whose column 0 is dropped.
    imgs = (rng.random((4, 6, 6)) > 0.5).astype(np.uint8)
    classes = np.array([[0, 0, 1, 2, 0, 1], [0, 1, 0, 2, 1, 0], [0, 0, 0, 0, 0, 0], [0, 1, 1, 1, 1, 1]], dtype=np.int64)
    npz(f"{d}/dsprites_like.npz", {"imgs": imgs, "latents_classes": classes}, compressed=True)
    # Generic: uint8 channels-last images, float labels to label-encode; stored (no deflate).
    npz(f"{d}/generic_stored.npz", {"images": rng.integers(0, 255, (3, 4, 4, 3), dtype=np.uint8),
                                    "labels": np.array([[0.5, 2.0], [0.25, 2.0], [0.5, 1.0]])}, compressed=False)
    # Float32 channels-first images, big-endian int16 classes.
    npz(f"{d}/generic_float.npz", {"x": rng.random((2, 1, 5, 5)).astype(np.float32),
                                   "y": np.array([[3], [-1]], dtype=">i2")}, compressed=True)
    # Fortran-ordered classes (read through the mapped element reader's index mapping).
    with zipfile.ZipFile(f"{d}/fortran_classes.npz", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("images.npy", npy_bytes(rng.integers(0, 2, (3, 3, 3), dtype=np.uint8).astype(bool)))
        z.writestr("classes.npy", npy_bytes(np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9]], dtype="<u2"), fortran=True))

    d = "Fuzz/hdf5/corpus"
    os.makedirs(d, exist_ok=True)
    labels = np.array([[0.0, 0.1, 0.2, 0.75, 0.0, -30.0], [0.1, 0.1, 0.3, 1.25, 3.0, 30.0]])
    # Shapes3D's form: contiguous uint8 images (memory-mapped by qlx) and float labels.
    with h5py.File(f"{d}/contiguous.h5", "w") as f:
        f.create_dataset("images", data=rng.integers(0, 255, (2, 4, 4, 3), dtype=np.uint8))
        f.create_dataset("labels", data=labels)
    # Chunked and gzip-compressed (read through HDF5, one hyperslab per image).
    with h5py.File(f"{d}/chunked.h5", "w") as f:
        f.create_dataset("images", data=rng.integers(0, 255, (2, 4, 4, 3), dtype=np.uint8),
                         chunks=(1, 4, 4, 3), compression="gzip")
        f.create_dataset("labels", data=labels, chunks=(1, 6), compression="gzip")
    # Grey images, one label column, the HDF5 file-format version 1.8 layout.
    with h5py.File(f"{d}/grey_latest.h5", "w", libver="latest") as f:
        f.create_dataset("images", data=rng.integers(0, 255, (3, 5, 5), dtype=np.uint8))
        f.create_dataset("labels", data=np.array([[2.0], [1.0], [2.0]]))
    # Every filter qlx undoes (shuffle, gzip, fletcher32), chunks of two rows and half an image
    # (the last partial), one image never written, big-endian float32 labels. Its own generator,
    # so the seeds above and below stay as they were.
    filtered = np.random.default_rng(11)
    with h5py.File(f"{d}/filters.h5", "w") as f:
        images = f.create_dataset("images", shape=(3, 4, 4, 3), dtype="uint8", chunks=(2, 2, 4, 3),
                                  compression="gzip", shuffle=True, fletcher32=True)
        images[:2] = filtered.integers(0, 255, (2, 4, 4, 3), dtype=np.uint8)
        f.create_dataset("labels", data=np.array([[0.5, 1.0], [0.5, 2.0], [1.5, 1.0]], dtype=">f4"), chunks=(2, 2), shuffle=True)

    d = "Fuzz/eqx/corpus"
    os.makedirs(d, exist_ok=True)
    # tree_serialise_leaves: one .npy record per leaf, back to back (arrays and Python scalars).
    records = [rng.standard_normal((3, 2)).astype(np.float32), np.zeros(3, np.float32),
               np.array(4, dtype=np.int64), np.array(True), np.array([1.5, -2.0], dtype=">f8")]
    with open(f"{d}/leaves.eqx", "wb") as f:
        f.write(b"".join(npy_bytes(r) for r in records))
    with open(f"{d}/scalars.eqx", "wb") as f:
        f.write(npy_bytes(np.array(0.5)) + npy_bytes(np.array(7, dtype=np.int32)) + npy_bytes(np.array([], np.float16)))
    with open(f"{d}/fortran.eqx", "wb") as f:
        f.write(npy_bytes(np.arange(6, dtype=np.uint8).reshape(2, 3), fortran=True) + npy_bytes(np.arange(4.0).reshape(2, 2)))


if __name__ == "__main__":
    main()
