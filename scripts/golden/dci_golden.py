#!/usr/bin/env python3
"""Golden DCI figures (Eastwood & Williams 2018) computed with scikit-learn, for qlx's DCI.

Writes Tests/QLXMetricsTests/Fixtures/dci_golden.json: per case the train and test codes
and factors, and what scikit-learn gives for them: the importance matrix (codes × factors),
disentanglement, completeness, informativeness (mean test accuracy) and train accuracy.

DCI as disentanglement_lib computes it: one GradientBoostingClassifier per factor with the
library's defaults (100 stages, depth-3 regression trees, learning rate 0.1, log loss),
importances from `feature_importances_`; disentanglement and completeness from the
entropies of the importance matrix's rows (base = number of factors) and columns (base =
number of codes), each after adding 1e-11, weighted by the row and column sums.

A factor with one value in the training rows cannot be fitted: scikit-learn raises
ValueError ("y contains 1 class"), so disentanglement_lib stops there. That case records
the refusal (qlx refuses it too, naming the factor).

Ties: scikit-learn visits features in a random order at every node and keeps the first of
equal-gain splits, so duplicated codes share importance at random; its random_state is
fixed here so that the fixture is reproducible. qlx breaks ties the same way with its own
seeded generator, so duplicated codes agree in distribution, not bit for bit; the tests'
tolerances (0.02 on D and C, 0.01 on accuracy) allow for it.

Run: python3 scripts/golden/dci_golden.py   (numpy, scipy, scikit-learn >= 1.5)
"""
import json
import os

import numpy as np
import scipy.stats
import sklearn
from sklearn.ensemble import GradientBoostingClassifier

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
FIXTURES = os.path.join(ROOT, "Tests", "QLXMetricsTests", "Fixtures")


def importance_gbt(x_train, y_train, x_test, y_test):
    """Importance matrix (codes × factors), train and test accuracy per factor."""
    codes, factors = x_train.shape[1], y_train.shape[1]
    importance = np.zeros((codes, factors))
    train_accuracy, test_accuracy = [], []
    for i in range(factors):
        model = GradientBoostingClassifier(random_state=1000 + i)
        model.fit(x_train, y_train[:, i])
        importance[:, i] = np.abs(model.feature_importances_)
        train_accuracy.append(float(np.mean(model.predict(x_train) == y_train[:, i])))
        test_accuracy.append(float(np.mean(model.predict(x_test) == y_test[:, i])))
    return importance, train_accuracy, test_accuracy


def weighted_one_minus_entropy(matrix, axis):
    """Σ (1 − H_base(normalised slice + 1e-11)) × slice weight; slices along `axis`."""
    slices = matrix if axis == 0 else matrix.T
    base = matrix.shape[axis]
    per_slice = 1.0 - scipy.stats.entropy(slices + 1e-11, base=base)
    total = matrix.sum()
    weights = (matrix if total > 0 else np.ones_like(matrix)).sum(axis=axis)
    weights = weights / weights.sum()
    return float(np.sum(per_slice * weights)), per_slice.tolist()


def dci(x_train, y_train, x_test, y_test):
    importance, train_accuracy, test_accuracy = importance_gbt(x_train, y_train, x_test, y_test)
    # Rows are codes: disentanglement per code is over factors (axis 1), completeness per
    # factor over codes (axis 0).
    disentanglement, per_code = weighted_one_minus_entropy(importance, axis=1)
    completeness, per_factor = weighted_one_minus_entropy(importance, axis=0)
    return {
        "importance": importance.tolist(), "disentanglement": disentanglement, "completeness": completeness,
        "informativeness": float(np.mean(test_accuracy)), "testAccuracy": test_accuracy,
        "trainAccuracy": train_accuracy, "disentanglementPerCode": per_code, "completenessPerFactor": per_factor,
    }


def cases():
    rng = np.random.default_rng(20180430)
    n_train, n_test = 600, 300
    n = n_train + n_test
    sizes = [2, 3, 5, 4]
    s = np.stack([rng.integers(0, size, n) for size in sizes], axis=1)

    def noisy(column, size, rate):
        flip = rng.random(n) < rate
        return np.where(flip, rng.integers(0, size, n), column)

    # Each factor in one code, relabelled, in shuffled order, with two codes of noise.
    perm = rng.permutation(4)
    relabelled = np.stack([rng.permutation(sizes[p])[s[:, p]] for p in perm], axis=1)
    yield "disentangled", s, np.concatenate([relabelled, rng.integers(0, 6, (n, 2))], axis=1)
    # Codes that each mix two factors.
    mixed = np.stack([s[:, 0] * 3 + s[:, 1], (s[:, 2] + s[:, 3]) % 5, s[:, 1] * 4 + s[:, 3],
                      (s[:, 0] + s[:, 2]) % 3, rng.integers(0, 4, n)], axis=1)
    yield "entangled", s, mixed
    yield "noisy", s, np.stack([noisy(s[:, i], sizes[i], 0.25) for i in range(4)]
                               + [rng.integers(0, 10, n), rng.integers(0, 3, n)], axis=1)
    yield "noise", s, rng.integers(0, 8, (n, 5))
    # Every factor in two identical codes: the importance splits between them.
    yield "redundant", s, np.stack([s[:, 0], s[:, 1], s[:, 1], noisy(s[:, 2], 5, 0.1), s[:, 3], s[:, 3],
                                    s[:, 0]], axis=1)
    # Codebook-like values (not 0…n−1), so thresholds are midpoints of real values.
    codebook = np.linspace(-0.5, 0.5, 7)
    yield "codebook_values", s, np.stack([codebook[noisy(s[:, 2], 5, 0.2)], codebook[s[:, 3] + 1],
                                          codebook[rng.integers(0, 7, n)], codebook[s[:, 1] * 2]], axis=1)
    constant = s.copy()
    constant[:, 1] = 2
    yield "constant_factor", constant, np.concatenate([s, rng.integers(0, 5, (n, 1))], axis=1)


def compact(array):
    """Whole numbers as integers in the JSON (a third of the size)."""
    return array.astype(np.int64).tolist() if np.all(array == np.round(array)) else array.tolist()


def main():
    out = []
    n_train = 600
    for name, factors, codes in cases():
        codes = codes.astype(np.float64)
        x_train, x_test = codes[:n_train], codes[n_train:]
        y_train, y_test = factors[:n_train], factors[n_train:]
        case = {"name": name, "trainCodes": compact(x_train), "trainFactors": y_train.tolist(),
                "testCodes": compact(x_test), "testFactors": y_test.tolist()}
        try:
            case["expected"] = dci(x_train, y_train, x_test, y_test)
            e = case["expected"]
            print(f"{name:16s} D {e['disentanglement']:.4f} C {e['completeness']:.4f} "
                  f"I {e['informativeness']:.4f} train {np.mean(e['trainAccuracy']):.4f}")
        except ValueError as error:
            constant = [i for i in range(y_train.shape[1]) if len(np.unique(y_train[:, i])) < 2]
            case["refusedFactor"] = constant[0]
            print(f"{name:16s} refused by scikit-learn: {error}")
        out.append(case)
    payload = {"generator": "scripts/golden/dci_golden.py", "sklearn": sklearn.__version__,
               "numpy": np.__version__, "cases": out}
    with open(os.path.join(FIXTURES, "dci_golden.json"), "w") as f:
        json.dump(payload, f, separators=(",", ":"))


if __name__ == "__main__":
    main()
