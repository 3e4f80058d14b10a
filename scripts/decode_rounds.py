#!/usr/bin/env python3
"""qlx against the Equinox decoders in interleaved rounds, for a verdict on a shared machine.

One run of each table is not enough here: the machine's speed drifts by up to half from one
minute to the next (other tenants), so a cell can pass in one run and fail in the next. This
script builds and jits the Equinox decoders of eqx_decode_speed.py once, then repeats rounds
in which every cell (decoder and batch) is timed by Equinox and by `qlx bench --only
architectures --decoder D --batch B` one right after the other, Equinox first in odd rounds
and qlx first in even ones. It prints every round's ratios, then per cell the median qlx and
Equinox times, the median and the largest of the per-round ratios (qlx time / Equinox time)
and qlx's median share of the sgemm peak.

Usage: python3 scripts/decode_rounds.py [--rounds 4] [--runs 25] [--qlx .build/release/qlx]
Needs `equinox` and `jax` from PyPI, and a release build of qlx.
"""
import argparse
import re
import statistics
import subprocess

import jax
import numpy as np

from eqx_decode_speed import ImageDecoder, StyleImageDecoder, closed_over
from jax_layers import DECODE_CASES, latent_batches, median_ms

BATCHES = (1, 10, 100)
ROW = re.compile(r"^\s+(.+?)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+(\d+)%$")


def equinox_cells(runs):
    """{(decoder, batch): timing function} with every decoder built and jitted beforehand."""
    rng = np.random.default_rng(0)
    cells = {}
    for name, arch, style in DECODE_CASES:
        decode = closed_over((StyleImageDecoder if style else ImageDecoder)(arch, 10, jax.random.PRNGKey(0)))
        for batch, z in latent_batches(rng, batches=BATCHES):
            np.asarray(decode(z)[0])   # compile now, not inside a round
            count = runs if batch < 100 else max(3, (runs + 2) // 3)
            cells[(name, batch)] = lambda decode=decode, z=z, count=count: median_ms(lambda: decode(z), count)
    return cells


def qlx_cell(binary, cell):
    """(ms, share of peak %) of one cell from `qlx bench --only architectures`."""
    output = subprocess.run([binary, "bench", "--only", "architectures", "--decoder", cell[0], "--batch", str(cell[1])],
                            check=True, capture_output=True, text=True).stdout
    for line in output.splitlines():
        match = ROW.match(line)
        if match and (match.group(1), int(match.group(2))) == cell:
            return float(match.group(3)), int(match.group(5))
    raise SystemExit(f"decode_rounds: qlx bench printed no row for {cell}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--runs", type=int, default=25)
    parser.add_argument("--qlx", default=".build/release/qlx")
    options = parser.parse_args()

    cells = equinox_cells(options.runs)
    rounds = []
    for number in range(1, options.rounds + 1):
        ours, reference = {}, {}
        for cell, time in cells.items():
            if number % 2:
                reference[cell] = time()
                ours[cell] = qlx_cell(options.qlx, cell)
            else:
                ours[cell] = qlx_cell(options.qlx, cell)
                reference[cell] = time()
        rounds.append((ours, reference))
        print(f"round {number}: " + ", ".join(f"{name.split(' (')[0]} b{batch} {ours[(name, batch)][0] / reference[(name, batch)]:.2f}"
                                             for name, batch in cells), flush=True)

    print(f"\n  {options.rounds} rounds; ratio = qlx ms / Equinox ms within a round")
    print(f"  {'decoder':34s} {'batch':>5s} {'qlx ms':>8s} {'eqx ms':>8s} {'ratio':>6s} {'worst':>6s}  qlx share of peak")
    for cell in cells:
        ratios = [ours[cell][0] / reference[cell] for ours, reference in rounds]
        print(f"  {cell[0]:34s} {cell[1]:5d} {statistics.median(ours[cell][0] for ours, _ in rounds):8.2f} "
              f"{statistics.median(reference[cell] for _, reference in rounds):8.2f} {statistics.median(ratios):6.2f} "
              f"{max(ratios):6.2f}  {statistics.median(ours[cell][1] for ours, _ in rounds):12.0f}%")


if __name__ == "__main__":
    main()
