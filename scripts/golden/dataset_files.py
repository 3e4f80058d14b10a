#!/usr/bin/env python3
"""Writes small dataset files in the exact formats of the published ones, and what numpy and
h5py read from them, for QLXData's file-dataset tests.

- dsprites_small.npz: np.savez_compressed with `imgs` (uint8 0/1, N x 64 x 64),
  `latents_classes` (int64 N x 6, column 0 the constant colour), `latents_values` (float64)
  and a pickled `metadata` object, like the published dSprites file (48 images).
- shapes3d_small.h5: `images` (uint8 N x 64 x 64 x 3, chunked and gzip-compressed) and
  `labels` (float64 N x 6 with Shapes3D-like values), 40 images.
- shapes3d_filters.h5: 7 images through shuffle, gzip and fletcher32 in chunks of several
  rows, one image never written, big-endian float32 labels.
- generic_small.npz: float32 N x 3 x 64 x 64 `images` and float `labels` to label-encode.
- bad_*.npz / bad_*.h5 / bad_*.npy: one defect each (see BAD below; bad_sparse_chunks.h5 and
  bad_row_chunks.h5 in main; bad_chunk_*.h5 in corrupt_chunks; bad_external_images.h5 and
  bad_duplicate_member.npz in links_and_duplicates).
- expected.json: per file, per image the pixel sum and four pixel values as float32 in
  [0, 1], and the label-encoded classes (np.unique(..., return_inverse=True) per column).

Usage: python3 scripts/golden/dataset_files.py Tests/QLXDataTests/Fixtures/datasets
Needs numpy and h5py from PyPI.
"""
import io
import json
import os
import struct
import sys
import warnings
import zipfile

import h5py
import numpy as np

rng = np.random.default_rng(7)


def blobs(n, channels):
    """Smooth images (compress well): a bright square whose place and colour depend on i."""
    images = np.zeros((n, 64, 64, channels), dtype=np.uint8)
    for i in range(n):
        x, y = 4 + (7 * i) % 44, 4 + (11 * i) % 44
        for c in range(channels):
            images[i, y:y + 16, x:x + 16, c] = 40 + (37 * i + 71 * c) % 215
            images[i, :, :, c] += np.uint8((i * 3 + c) % 20)
    return images


def encoded(values):
    return np.stack([np.unique(values[:, k], return_inverse=True)[1].reshape(-1) for k in range(values.shape[1])], axis=1)


def summary(planar, classes):
    """planar: N x C x H x W float32 in [0, 1]."""
    flat = planar.reshape(planar.shape[0], -1)
    picks = [0, 1000, 4095, flat.shape[1] - 1]
    return {
        "shape": list(planar.shape),
        "sums": [float(s) for s in flat.astype(np.float64).sum(axis=1)],
        "pixels": [[float(flat[i, p]) for p in picks] for i in range(flat.shape[0])],
        "pixel_offsets": picks,
        "classes": classes.astype(int).tolist(),
    }


def main(out):
    os.makedirs(out, exist_ok=True)
    expected = {}

    # dSprites: grid shape 3 x scale 2 x orientation 2 x posX 2 x posY 2, posY fastest.
    grid = np.array(np.meshgrid(range(3), range(2), range(2), range(2), range(2), indexing="ij")).reshape(5, -1).T
    n = grid.shape[0]
    classes = np.concatenate([np.zeros((n, 1), dtype=np.int64), grid.astype(np.int64)], axis=1)
    values = classes.astype(np.float64) * 0.5
    imgs = (rng.random((n, 64, 64)) < 0.1).astype(np.uint8)
    metadata = np.array({"description": "small dSprites-format file for qlx tests", "latents_sizes": [1, 3, 2, 2, 2, 2]}, dtype=object)
    np.savez_compressed(os.path.join(out, "dsprites_small.npz"), imgs=imgs, latents_classes=classes,
                        latents_values=values, metadata=metadata)
    expected["dsprites_small.npz"] = summary(imgs[:, None].astype(np.float32), encoded(classes[:, 1:]))

    # Shapes3D: 40 images, labels drawn from the published value sets.
    n = 40
    labels = np.stack([
        rng.integers(0, 10, n) / 10.0, rng.integers(0, 10, n) / 10.0, rng.integers(0, 10, n) / 10.0,
        np.linspace(0.75, 1.25, 8)[rng.integers(0, 8, n)], rng.integers(0, 4, n).astype(np.float64),
        np.linspace(-30, 30, 15)[rng.integers(0, 15, n)],
    ], axis=1)
    images = blobs(n, 3)
    with h5py.File(os.path.join(out, "shapes3d_small.h5"), "w") as f:
        f.create_dataset("images", data=images, chunks=(1, 64, 64, 3), compression="gzip")
        f.create_dataset("labels", data=labels)
    expected["shapes3d_small.h5"] = summary(images.transpose(0, 3, 1, 2).astype(np.float32) / np.float32(255), encoded(labels))

    # Generic: float32 channels-first images and float labels.
    n = 12
    planar = (blobs(n, 3).transpose(0, 3, 1, 2).astype(np.float32) / np.float32(255))
    labels = np.stack([rng.integers(0, 3, n) * 0.25, rng.integers(0, 4, n) - 1.5], axis=1)
    np.savez_compressed(os.path.join(out, "generic_small.npz"), images=planar, labels=labels)
    expected["generic_small.npz"] = summary(planar, encoded(labels))

    # Shapes3D-shaped, with every filter and layout detail qlx decodes itself: chunks spanning
    # several rows and half an image, the last one partial, with shuffle + gzip + fletcher32;
    # an image never written (its chunks unallocated: HDF5's fill value, zeros); big-endian
    # float32 labels, shuffled.
    n = 7
    images = blobs(n, 3)
    images[n - 1] = 0
    labels = np.stack([rng.integers(0, 3, n) * 0.1, rng.integers(0, 2, n) + 0.5] + [np.arange(n) % 2 * 1.0] * 4, axis=1)
    with h5py.File(os.path.join(out, "shapes3d_filters.h5"), "w") as f:
        stored = f.create_dataset("images", shape=images.shape, dtype="uint8", chunks=(3, 32, 64, 3),
                                  compression="gzip", shuffle=True, fletcher32=True)
        stored[:n - 1] = images[:n - 1]
        f.create_dataset("labels", data=labels.astype(">f4"), chunks=(4, 6), shuffle=True)
    expected["shapes3d_filters.h5"] = summary(images.transpose(0, 3, 1, 2).astype(np.float32) / np.float32(255),
                                              encoded(labels.astype(">f4")))

    # One defect each.
    small = imgs[:4]
    np.savez(os.path.join(out, "bad_no_images.npz"), pictures=small, latents_classes=classes[:4])
    np.savez(os.path.join(out, "bad_row_count.npz"), images=small, classes=classes[:3])
    np.savez(os.path.join(out, "bad_rank.npz"), images=np.zeros((4, 64), dtype=np.uint8), classes=classes[:4])
    np.savez(os.path.join(out, "bad_object.npz"), images=np.array([{"a": 1}] * 4, dtype=object), classes=classes[:4])
    np.savez_compressed(os.path.join(out, "bad_truncated.npz"), images=blobs(8, 3), classes=classes[:8])
    path = os.path.join(out, "bad_truncated.npz")
    with zipfile.ZipFile(path) as archive:
        member = archive.getinfo("images.npy")
    with open(path, "r+b") as f:
        # Overwrite the middle of the compressed images member (the central directory stays
        # intact, so the archive opens and the member fails to inflate or its CRC check).
        f.seek(member.header_offset + 26)
        name_length, extra_length = np.frombuffer(f.read(4), dtype="<u2")
        start = member.header_offset + 30 + int(name_length) + int(extra_length)
        f.seek(start + member.compress_size // 2)
        f.write(b"\xff" * min(64, member.compress_size // 4))
    # A member that inflates past the size its zip entries declare (1024 bytes): qlx must stop
    # writing it to the cache there, not when the disk is full. And one declaring 4 GB from a
    # few hundred compressed bytes, past deflate's largest ratio: refused before writing.
    for name, declared in (("bad_long_member.npz", 1024), ("bad_bomb_member.npz", 0xFFFFFFF0)):
        path = os.path.join(out, name)
        np.savez_compressed(path, images=blobs(8, 3), classes=classes[:8])
        with zipfile.ZipFile(path) as archive:
            member = archive.getinfo("images.npy")
        with open(path, "r+b") as f:
            data = f.read()
            # The uncompressed size: at byte 22 of the local header, 24 of the central directory's.
            central = data.index(b"images.npy", data.index(b"PK\x01\x02")) - 46
            for at, field in ((member.header_offset, 22), (central, 24)):
                f.seek(at + field)
                f.write(struct.pack("<I", declared))
    with h5py.File(os.path.join(out, "bad_no_labels.h5"), "w") as f:
        f.create_dataset("images", data=blobs(4, 3))
    # 2 KB on disk, 26 TB per image: sizes from the file must be checked before allocating.
    with h5py.File(os.path.join(out, "bad_huge_images.h5"), "w") as f:
        f.create_dataset("images", shape=(2, 1 << 20, 1 << 20, 3), dtype="uint8", chunks=(1, 64, 64, 3), compression="gzip")
        f.create_dataset("labels", data=np.zeros((2, 6)))
    # Chunk grids out of proportion to the file, within what deflate could pack into it:
    # 2,000 chunks of one 8x8 image each, two written, in a file of a few kilobytes (a chunk
    # written takes at least 8 bytes of the file); and images of 1 x 8192 pixels in chunks of
    # one pixel, 8192 chunks a row (each chunk is one request to qlx's metadata server).
    with h5py.File(os.path.join(out, "bad_sparse_chunks.h5"), "w") as f:
        images = f.create_dataset("images", shape=(2000, 8, 8, 3), dtype="uint8", chunks=(1, 8, 8, 3), compression="gzip")
        images[0] = images[-1] = np.full((8, 8, 3), 9, dtype=np.uint8)
        f.create_dataset("labels", shape=(2000, 6), dtype="float64", chunks=(1000, 6), compression="gzip")
    # Chunks of 100,000 images along the unlimited first axis of a 2-image dataset, never
    # written: a 19 MB buffer of fill for every chunk read from a file of a few kilobytes.
    with h5py.File(os.path.join(out, "bad_huge_chunk.h5"), "w") as f:
        f.create_dataset("images", shape=(2, 8, 8, 3), dtype="uint8", maxshape=(None, 8, 8, 3),
                         chunks=(100_000, 8, 8, 3), compression="gzip")
        f.create_dataset("labels", data=np.zeros((2, 6)))
    with h5py.File(os.path.join(out, "bad_row_chunks.h5"), "w") as f:
        f.create_dataset("images", shape=(2, 1, 8192, 3), dtype="uint8", chunks=(1, 1, 1, 3), compression="gzip")
        f.create_dataset("labels", data=np.zeros((2, 6)))
    corrupt_chunks(out)
    links_and_duplicates(out)

    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f)


def corrupt_chunks(out):
    """Two Shapes3D-shaped files damaged the way the hdf5 fuzz target found (Fuzz/README.md):
    bad_chunk_size.h5 records 0xFFFF7FFF bytes for the first chunk of `labels` (libhdf5 then
    allocated that much before noticing the chunk runs past the end of the file), and
    bad_chunk_data.h5 has the first chunk of `images` overwritten, so the file opens but image
    0 does not inflate."""
    def shapes3d_like(path):
        with h5py.File(path, "w") as f:
            f.create_dataset("images", data=blobs(2, 3), chunks=(1, 64, 64, 3), compression="gzip")
            f.create_dataset("labels", data=np.arange(12, dtype=np.float64).reshape(2, 6), chunks=(1, 6), compression="gzip")
        with h5py.File(path, "r") as f:
            return {name: f[name].id.get_chunk_info(0) for name in ("images", "labels")}

    path = os.path.join(out, "bad_chunk_size.h5")
    chunk = shapes3d_like(path)["labels"]
    with open(path, "r+b") as f:
        data = f.read()
        # The version-1 B-tree key before the chunk's address: its stored size, filter mask and
        # offsets (two dimensions plus the element dimension), then the address itself.
        record = struct.pack("<II3QQ", chunk.size, 0, 0, 0, 0, chunk.byte_offset)
        assert data.count(record) == 1, "labels chunk record not found exactly once"
        f.seek(data.index(record))
        f.write(struct.pack("<I", 0xFFFF7FFF))

    path = os.path.join(out, "bad_chunk_data.h5")
    chunk = shapes3d_like(path)["images"]
    with open(path, "r+b") as f:
        f.seek(chunk.byte_offset)
        f.write(b"\xff" * min(64, chunk.size))


def links_and_duplicates(out):
    """Files that read as something else than they hold:
    - bad_external_images.h5: `images` is an external link to external_target.h5 (its
      `images`, contiguous), `labels` is local. libhdf5 describes the linked dataset, whose
      offset means nothing in the linking file.
    - bad_duplicate_member.npz: two members named images.npy (numpy reads the last).
    - look_alike_dark.npz, look_alike_light.npz: the same shapes and sizes, images all 0 and
      all 255 (copied to two folders under one name and one mtime, they must not share a
      cache entry)."""
    images = np.full((4, 8, 8, 3), 200, dtype=np.uint8)
    with h5py.File(os.path.join(out, "external_target.h5"), "w") as f:
        f.create_dataset("images", data=images)
    with h5py.File(os.path.join(out, "bad_external_images.h5"), "w") as f:
        f["images"] = h5py.ExternalLink("external_target.h5", "/images")
        f.create_dataset("labels", data=np.zeros((4, 6)))
    path = os.path.join(out, "bad_duplicate_member.npz")
    np.savez(path, images=np.zeros((4, 8, 8), dtype=np.uint8), classes=np.zeros((4, 2), dtype=np.int64))
    second = io.BytesIO()
    np.save(second, np.ones((4, 8, 8), dtype=np.uint8))
    with warnings.catch_warnings(), zipfile.ZipFile(path, "a") as archive:
        warnings.simplefilter("ignore")   # zipfile warns of the duplicate name, and writes it
        archive.writestr("images.npy", second.getvalue())
    for name, value in (("look_alike_dark.npz", 0), ("look_alike_light.npz", 255)):
        np.savez(os.path.join(out, name), images=np.full((4, 8, 8), value, dtype=np.uint8),
                 classes=np.arange(8, dtype=np.int64).reshape(4, 2))

if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: dataset_files.py OUTPUT_FOLDER")
    main(sys.argv[1])
