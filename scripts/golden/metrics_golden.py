#!/usr/bin/env python3
"""Golden values for qlx's metrics, computed by scikit-learn, and .npy files written by numpy.

Writes
  Tests/QLXMetricsTests/Fixtures/infomec_golden.json  arrays + InfoMEC/MIG figures per case
  Tests/QLXMetricsTests/Fixtures/npy/*.npy            small arrays in many dtypes and layouts
  Tests/QLXMetricsTests/Fixtures/npy/index.json       what each .npy file holds

The InfoMEC definitions follow docs/method.md (the reference evaluation of Hsu et al. 2023):
NMI from mutual_info_score (discrete latents) or mutual_info_classif(n_neighbors=10) on
standardised values (continuous), entropy = mutual_info_score(s, s), active latents, InfoM,
InfoC, InfoE from LogisticRegression(penalty=None, class_weight="balanced", lbfgs, 100
iterations, tol 1e-4) log loss against the same fit on all-zero inputs, and MIG.

Run: python3 scripts/golden/metrics_golden.py   (numpy, scikit-learn >= 1.5)
"""
import json
import os
import warnings

import numpy as np
import sklearn
from sklearn import feature_selection, linear_model, metrics, preprocessing
from sklearn.exceptions import ConvergenceWarning

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
FIXTURES = os.path.join(ROOT, "Tests", "QLXMetricsTests", "Fixtures")


def label_encode(columns):
    return np.stack([preprocessing.LabelEncoder().fit_transform(columns[:, i])
                     for i in range(columns.shape[1])], axis=1)


def mutual_information(sources, latents, discrete):
    s = label_encode(sources)
    if discrete:
        z = label_encode(latents)
    else:
        z = preprocessing.StandardScaler().fit_transform(latents)
    mi = np.empty((s.shape[1], z.shape[1]))
    for i in range(s.shape[1]):
        for j in range(z.shape[1]):
            if discrete:
                mi[i, j] = metrics.mutual_info_score(s[:, i], z[:, j])
            else:
                mi[i, j] = feature_selection.mutual_info_classif(
                    z[:, j][:, None], s[:, i], discrete_features=False, n_neighbors=10,
                    random_state=1000 * i + j)[0]
    entropies = np.array([metrics.mutual_info_score(s[:, i], s[:, i]) for i in range(s.shape[1])])
    return mi, entropies


def log_loss_of_fit(x, y):
    # C = inf is penalty=None (the spelling scikit-learn >= 1.8 prefers).
    model = linear_model.LogisticRegression(C=np.inf, tol=1e-4, fit_intercept=True,
                                            class_weight="balanced", solver="lbfgs", max_iter=100)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(x, y)
    return metrics.log_loss(y, model.predict_proba(x)), int(np.max(model.n_iter_))


def explicitness(sources, latents, discrete):
    s = label_encode(sources)
    if discrete:
        x = preprocessing.OneHotEncoder(sparse_output=False).fit_transform(latents)
    else:
        x = preprocessing.StandardScaler().fit_transform(latents)
    per_source, iterations = [], []
    for i in range(s.shape[1]):
        ce, n_iter = log_loss_of_fit(x, s[:, i])
        null, _ = log_loss_of_fit(np.zeros_like(latents, dtype=np.float64), s[:, i])
        per_source.append((null - ce) / null)
        iterations.append(n_iter)
    return np.array(per_source), iterations


def infomec(sources, latents, discrete):
    mi, entropies = mutual_information(sources, latents, discrete)
    nmi = mi / entropies[:, None]
    ranges = latents.max(axis=0) - latents.min(axis=0)
    active = ranges > 0 if discrete else ranges > ranges.max() / 20
    k, l = sources.shape[1], int(active.sum())
    pruned = nmi[:, active]
    infom = (np.mean(pruned.max(axis=0) / pruned.sum(axis=0)) - 1 / k) / (1 - 1 / k)
    infoc = (np.mean(pruned.max(axis=1) / pruned.sum(axis=1)) - 1 / l) / (1 - 1 / l)
    ordered = -np.sort(-mi, axis=1)
    second = ordered[:, 1] if mi.shape[1] > 1 else 0
    mig = float(np.mean((ordered[:, 0] - second) / entropies))
    per_source, iterations = explicitness(sources, latents, discrete)
    return {
        "nmi": nmi.tolist(), "mutualInformation": mi.tolist(), "sourceEntropies": entropies.tolist(),
        "activeLatents": active.tolist(), "infoM": float(infom), "infoC": float(infoc),
        "infoE": float(per_source.mean()), "explicitnessPerSource": per_source.tolist(),
        "mig": mig, "sklearnIterations": iterations,
    }


def cases():
    rng = np.random.default_rng(20230518)
    n = 400
    sizes = [2, 3, 5, 8]
    s = np.stack([rng.integers(0, size, n) for size in sizes], axis=1)

    def noisy(column, size, rate):
        flip = rng.random(n) < rate
        return np.where(flip, rng.integers(0, size, n), column)

    yield "disentangled", s, s.copy(), True
    perm = rng.permutation(4)
    relabelled = np.stack([rng.permutation(sizes[p])[s[:, p]] for p in perm], axis=1)
    yield "permuted", s, relabelled, True
    yield "duplicated", s, np.concatenate([s, s[:, ::-1]], axis=1), True
    yield "noisy", s, np.stack([noisy(s[:, i], sizes[i], 0.3) for i in range(4)], axis=1), True
    yield "random", s, rng.integers(0, 10, (n, 6)), True
    constant = np.concatenate([s[:, :2], np.full((n, 1), 7), noisy(s[:, 2], 5, 0.5)[:, None], np.zeros((n, 1), int)], axis=1)
    yield "constant_columns", s, constant, True
    mixed = np.stack([s[:, 0] * 3 + s[:, 1], (s[:, 2] + s[:, 3]) % 5, rng.integers(0, 4, n),
                      noisy(s[:, 3], 8, 0.1)], axis=1)
    yield "entangled", s, mixed, True
    # Float-valued sources (label-encoded) and codebook-valued discrete latents.
    fs = np.stack([np.linspace(0.5, 1.0, 6)[rng.integers(0, 6, n)], rng.integers(0, 3, n) * 1.5], axis=1)
    codebook = np.linspace(-0.5, 0.5, 10)
    zq = np.stack([codebook[np.minimum(9, (fs[:, 0] - 0.5) * 18).astype(int)], codebook[rng.integers(0, 10, n)]], axis=1)
    yield "float_sources", fs, zq, True

    gauss = lambda scale, shape: rng.normal(0, scale, shape)
    cont = np.round(s + gauss(0.3, s.shape), 6)
    yield "continuous_noisy", s, cont, False
    rotation = np.linalg.qr(rng.normal(size=(4, 4)))[0]
    yield "continuous_rotated", s, np.round((s / np.array(sizes)) @ rotation + gauss(0.05, (n, 4)), 6), False
    inactive = np.concatenate([np.round(s[:, :3] + gauss(0.2, (n, 3)), 6), np.full((n, 1), 2.5),
                               np.round(gauss(0.01, (n, 1)), 6), np.round(gauss(1.0, (n, 1)), 6)], axis=1)
    yield "continuous_inactive", s, inactive, False


def write_golden():
    out = []
    for name, sources, latents, discrete in cases():
        result = infomec(sources, latents, discrete)
        is_int = np.issubdtype(latents.dtype, np.integer)
        out.append({
            "name": name, "discrete": discrete,
            "sources": sources.tolist(), "sourcesAreIntegers": bool(np.issubdtype(sources.dtype, np.integer)),
            "latents": latents.tolist(), "latentsAreIntegers": bool(is_int),
            "expected": result,
        })
        print(f"{name:22s} InfoM {result['infoM']:.4f} InfoE {result['infoE']:.4f} "
              f"InfoC {result['infoC']:.4f} MIG {result['mig']:.4f} iters {result['sklearnIterations']}")
    payload = {"generator": "scripts/golden/metrics_golden.py", "sklearn": sklearn.__version__,
               "numpy": np.__version__, "cases": out}
    with open(os.path.join(FIXTURES, "infomec_golden.json"), "w") as f:
        json.dump(payload, f, separators=(",", ":"))


def write_npy():
    folder = os.path.join(FIXTURES, "npy")
    os.makedirs(folder, exist_ok=True)
    base = np.array([[0, 1, 2, 3], [4, 5, 6, 127]])
    index = {}

    def save(name, array, values, kind):
        path = os.path.join(folder, name)
        np.save(path, array)
        index[name] = {"shape": list(array.shape), "kind": kind, "values": values}

    for dtype in ["<i1", "<i2", "<i4", "<i8", "<u1", "<u2", "<u4", "<u8", ">i2", ">i4", ">i8", ">u4"]:
        save(f"int_{dtype[1:]}_{'le' if dtype[0] == '<' else 'be'}.npy", base.astype(dtype),
             base.flatten().tolist(), "int")
    save("int_i8_negative.npy", np.array([-9223372036854775808, -1, 0, 9223372036854775807], dtype="<i8"),
         [-9223372036854775808, -1, 0, 9223372036854775807], "int")
    save("int_u8_large.npy", np.array([0, 18446744073709551615], dtype="<u8"), None, "refused")
    floats = np.array([[0.5, -1.25, 3.0], [1e-3, 65504.0, -0.0]])
    for dtype in ["<f2", "<f4", "<f8", ">f4", ">f8"]:
        save(f"float_{dtype[1:]}_{'le' if dtype[0] == '<' else 'be'}.npy", floats.astype(dtype),
             floats.astype(dtype).astype(np.float64).flatten().tolist(), "float")
    fortran = np.asfortranarray(np.arange(24, dtype="<i4").reshape(2, 3, 4))
    save("int_i4_fortran.npy", fortran, np.arange(24).tolist(), "int")
    save("float_f8_fortran.npy", np.asfortranarray(floats), floats.flatten().tolist(), "float")
    save("bool.npy", np.array([True, False, True]), [1, 0, 1], "int")
    save("scalar_f8.npy", np.array(2.5), [2.5], "float")
    save("empty_f4.npy", np.zeros((0, 3), dtype="<f4"), [], "float")
    save("object.npy", np.array([{"a": 1}, None], dtype=object), None, "refused")
    save("complex.npy", np.array([1 + 2j]), None, "refused")
    save("string.npy", np.array(["ab", "c"]), None, "refused")
    # Header versions 2.0 and 3.0 (numpy picks them only when needed; force them here).
    from numpy.lib import format as npformat
    for version in [(2, 0), (3, 0)]:
        name = f"float_f8_v{version[0]}.npy"
        with open(os.path.join(folder, name), "wb") as f:
            npformat.write_array(f, floats, version=version)
        index[name] = {"shape": [2, 3], "kind": "float", "values": floats.flatten().tolist()}
    with open(os.path.join(folder, "index.json"), "w") as f:
        json.dump(index, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    np.random.seed(0)
    write_golden()
    write_npy()
