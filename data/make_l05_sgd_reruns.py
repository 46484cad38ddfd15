"""Precompute lesson 05's reruns of the two-hidden-layer SGD run (about 15 s on one core).

    .venv/bin/python data/make_l05_sgd_reruns.py        # from the repository root

Writes ``l05_sgd_reruns.npz`` next to this script: ``recipes.l05_adaptive.sgd_reruns()``, the
run of ``l05_rings.npz`` that SGD with momentum (lr 0.05, 0.9) makes on the rings with two
hidden layers of 20 (``fit_rings(..., (20, 20), epochs=667, batch_size=20, seed=0,
init="he")``), trained again 12 times on ``nudged_rings(pattern)``: the 300 points times
(1 + 1e-12 u), u uniform on [-1, 1] from ``default_rng(pattern)``, patterns 101-112. Such a
nudge is larger than any difference in rounding between CPUs, and as harmless. Stored:
``patterns`` (12,), ``nudge``, ``loss`` (12, 667) per epoch, ``lowest_epoch`` and
``peak_epoch`` (12,), 1-based, the epoch of the lowest loss and of the highest after it, and
``dead`` (12, 2), the ReLUs of each hidden layer whose input is <= 0 on all 300 points.

Why precomputed: twelve runs of 10,000 updates take about 15 s, and every one of them, like the
stored run, ends differently on another CPU: only what the lesson reads from them (the lowest
loss about 0.1, a climb back past 0.6, at least half of the second layer's ReLUs dead) holds.

Deterministic: every run is seeded and BLAS uses one thread; rerunning gives the same numbers on
the same NumPy/BLAS.
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from lessonlib import single_thread  # noqa: E402
from lessonlib.recipes.l05_adaptive import RERUN_PATTERNS, RINGS_EPOCHS, sgd_reruns  # noqa: E402

PATTERNS, EPOCHS = RERUN_PATTERNS, RINGS_EPOCHS


def main(path=None):
    table = sgd_reruns(PATTERNS, EPOCHS, progress=lambda text: print(text, flush=True))
    path = path or os.path.join(HERE, "l05_sgd_reruns.npz")
    np.savez(path, **table)
    print("wrote", path)


if __name__ == "__main__":
    with single_thread():
        main()
