#!/usr/bin/env python3
"""Times DCI as disentanglement_lib computes it (scikit-learn's GradientBoostingClassifier with
its defaults, one per factor), for `qlx bench --only metrics`, which writes the arrays and runs
this script on them. The first 2/3 of the rows train, the rest test (qlx's bench uses the same
rows). D and C follow scripts/golden/dci_golden.py.

Usage: python3 scripts/sklearn_dci_speed.py SOURCES.npy LATENTS.npy
Prints one line: seconds=<wall time> d=<..> c=<..> i=<..>
Exits with status 3 when numpy, scipy or scikit-learn is missing.
"""
import os
import sys
import time

try:
    import numpy as np
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden"))
    from dci_golden import dci
except ImportError as error:
    print(f"missing: {error}", file=sys.stderr)
    sys.exit(3)


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sources, latents = np.load(sys.argv[1]), np.load(sys.argv[2]).astype(np.float64)
    train = len(sources) * 2 // 3
    start = time.perf_counter()
    result = dci(latents[:train], sources[:train], latents[train:], sources[train:])
    seconds = time.perf_counter() - start
    print(f"seconds={seconds:.4f} d={result['disentanglement']:.6f} c={result['completeness']:.6f} "
          f"i={result['informativeness']:.6f}")


if __name__ == "__main__":
    main()
