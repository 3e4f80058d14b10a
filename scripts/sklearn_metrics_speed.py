#!/usr/bin/env python3
"""Times scikit-learn on the InfoMEC definitions qlx implements (docs/method.md), for
`qlx bench --only metrics`, which writes the arrays and runs this script on them.

Usage: python3 scripts/sklearn_metrics_speed.py SOURCES.npy LATENTS.npy
Prints one line: seconds=<wall time> infom=<..> infoe=<..> infoc=<..>
Exits with status 3 when numpy or scikit-learn is missing.
"""
import sys
import time
import warnings

try:
    import numpy as np
    from sklearn import linear_model, metrics, preprocessing
    from sklearn.exceptions import ConvergenceWarning
except ImportError as error:
    print(f"missing: {error}", file=sys.stderr)
    sys.exit(3)


def log_loss_of_fit(x, y):
    # C = inf is penalty=None; balanced classes, L-BFGS, 100 iterations, tol 1e-4.
    model = linear_model.LogisticRegression(C=np.inf, tol=1e-4, class_weight="balanced",
                                            solver="lbfgs", max_iter=100)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(x, y)
    return metrics.log_loss(y, model.predict_proba(x))


def infomec_discrete(sources, latents):
    s = np.stack([preprocessing.LabelEncoder().fit_transform(sources[:, i]) for i in range(sources.shape[1])], 1)
    z = np.stack([preprocessing.LabelEncoder().fit_transform(latents[:, j]) for j in range(latents.shape[1])], 1)
    nmi = np.empty((s.shape[1], z.shape[1]))
    for i in range(s.shape[1]):
        for j in range(z.shape[1]):
            nmi[i, j] = metrics.mutual_info_score(s[:, i], z[:, j])
        nmi[i] /= metrics.mutual_info_score(s[:, i], s[:, i])
    active = (latents.max(0) - latents.min(0)) > 0
    k, l = s.shape[1], active.sum()
    pruned = nmi[:, active]
    infom = (np.mean(pruned.max(0) / pruned.sum(0)) - 1 / k) / (1 - 1 / k)
    infoc = (np.mean(pruned.max(1) / pruned.sum(1)) - 1 / l) / (1 - 1 / l)
    onehot = preprocessing.OneHotEncoder(sparse_output=False).fit_transform(latents)
    explicitness = []
    for i in range(s.shape[1]):
        ce = log_loss_of_fit(onehot, s[:, i])
        null = log_loss_of_fit(np.zeros_like(latents, dtype=np.float64), s[:, i])
        explicitness.append((null - ce) / null)
    return infom, float(np.mean(explicitness)), infoc


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sources, latents = np.load(sys.argv[1]), np.load(sys.argv[2])
    start = time.perf_counter()
    infom, infoe, infoc = infomec_discrete(sources, latents)
    seconds = time.perf_counter() - start
    print(f"seconds={seconds:.4f} infom={infom:.6f} infoe={infoe:.6f} infoc={infoc:.6f}")


if __name__ == "__main__":
    main()
