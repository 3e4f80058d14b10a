#!/usr/bin/env python3
"""InfoE of a code against the same code with its rows shuffled: the chance level.

InfoE fits its regressions in-sample and without a penalty, so a code with more one-hot
columns (more latents, or more values per latent) scores above zero even when it carries no
information about a factor. Shuffling the rows of the codes keeps every column's histogram
and removes all dependence on the factors; the InfoE of the shuffled code is the part of the
score that any code of that size gets. Compare models with different codebook sizes on both
figures, not on InfoE alone.

InfoE comes from `explicitness` in scripts/golden/metrics_golden.py, the scikit-learn
computation that qlx's own InfoE is tested against (no penalty, intercept, balanced class
weights, L-BFGS with 100 iterations and tol 1e-4).

Usage:
  qlx encode MODEL.safetensors -o codes.npy --factors factors.npy
  python3 scripts/infoe_chance.py codes.npy factors.npy [--seed 0]
Needs numpy and scikit-learn from PyPI.
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden"))
from metrics_golden import explicitness  # noqa: E402


def load(path, name):
    try:
        array = np.load(path)
    except (OSError, ValueError) as error:
        sys.exit(f"{path}: cannot read {name} .npy ({error})")
    if array.ndim != 2:
        sys.exit(f"{path}: expected a 2-D {name} array (samples × columns), found shape {array.shape}")
    return array


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("codes")
    parser.add_argument("factors")
    parser.add_argument("--seed", type=int, default=0, help="seed of the row shuffle")
    args = parser.parse_args()
    codes, factors = load(args.codes, "codes"), load(args.factors, "factors")
    if len(codes) != len(factors):
        sys.exit(f"{args.factors}: expected {len(codes)} rows like {args.codes}, found {len(factors)}")
    shuffled = codes[np.random.default_rng(args.seed).permutation(len(codes))]
    real, _ = explicitness(factors, codes, discrete=True)
    chance, _ = explicitness(factors, shuffled, discrete=True)
    print(f"{len(codes)} samples, {codes.shape[1]} latents; InfoE per factor, then the mean")
    print("factor  InfoE   chance")
    for column, (r, c) in enumerate(zip(real, chance)):
        print(f"{column:<6}  {r:.3f}   {c:.3f}")
    print(f"mean    {real.mean():.3f}   {chance.mean():.3f}")


if __name__ == "__main__":
    main()
