#!/usr/bin/env python3
"""InfoE of a code against the same code with its rows shuffled: the chance level.

InfoE fits its regressions in-sample and without a penalty, so a code with more one-hot
columns (more latents, or more values per latent) scores above zero even when it carries no
information about a factor. Shuffling the rows of the codes keeps every column's histogram
and removes all dependence on the factors; the InfoE of the shuffled code is the part of the
score that any code of that size gets. Compare models with different codebook sizes on both
figures, not on InfoE alone.

Computed with scikit-learn's LogisticRegression as `qlx metrics` defines InfoE (no penalty,
intercept, balanced class weights, L-BFGS with 100 iterations and tol 1e-4).

Usage:
  qlx encode MODEL.safetensors -o codes.npy --factors factors.npy
  python3 scripts/infoe_chance.py codes.npy factors.npy [--seed 0]
Needs numpy and scikit-learn from PyPI.
"""
import argparse
import sys
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.preprocessing import OneHotEncoder


def explicitness(inputs, labels):
    """(H_null − CE) / H_null for one factor, both fitted in-sample."""
    def cross_entropy(features):
        model = LogisticRegression(penalty=None, class_weight="balanced", max_iter=100, tol=1e-4)
        model.fit(features, labels)
        return log_loss(labels, model.predict_proba(features))
    null = cross_entropy(np.zeros((len(labels), 1)))
    return (null - cross_entropy(inputs)) / null


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
    # 100 iterations is the definition, not a bug to report; penalty=None is the old spelling
    # of C=inf that every supported scikit-learn still accepts.
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    warnings.filterwarnings("ignore", category=FutureWarning)
    print(f"{len(codes)} samples, {codes.shape[1]} latents; InfoE per factor, then the mean")
    print("factor  InfoE   chance")
    rows = []
    for column in range(factors.shape[1]):
        labels = factors[:, column]
        real = explicitness(OneHotEncoder(sparse_output=False).fit_transform(codes), labels)
        chance = explicitness(OneHotEncoder(sparse_output=False).fit_transform(shuffled), labels)
        rows.append((real, chance))
        print(f"{column:<6}  {real:.3f}   {chance:.3f}")
    real, chance = np.mean(rows, axis=0)
    print(f"mean    {real:.3f}   {chance:.3f}")


if __name__ == "__main__":
    main()
