"""Precompute lesson 06's question-4 runs (about 2 s on one core).

    .venv/bin/python data/make_l06_std1_runs.py        # from the repository root

Writes ``l06_std1_runs.npz`` next to this script: lesson 06's iris network with 20 hidden layers
of 10 ReLU units and weights drawn from N(0, 1) (``init="normal"``), trained by
``recipes.l06_vanishing.fit_iris`` (``load_iris(seed=0)``, Adam lr 0.001, batch 20, 100 epochs),
seeds 0-9 (the model's seed and the mini-batch seed). Arrays, one row per seed:

- ``grad`` (seeds, epochs, 21): the mean |gradient| of every weight matrix in every epoch
  (``history.grad_mean_abs``);
- ``loss`` (seeds, epochs): the training loss of every epoch;
- ``dead`` (seeds, 20): after training, which hidden layers have every ReLU off (output 0) for
  all 100 training flowers;
- ``seeds``.

Why stored: with std-1 weights the gradients explode, and these runs are chaotic. Their first
epochs are the same on every CPU, but how each ends changes with the last bits of the
arithmetic. Measured with OpenBLAS's Haswell kernel (which made this file), Sandybridge, Nehalem
and Prescott: the dead layers were the same on all four (seed 0: 10 and 18, seed 3: 12 and 15,
seed 8: 15), but the final losses of the seeds without a dead layer differ (seed 9: 35.1 with
Haswell, 21.4 Sandybridge, 14.9 Prescott, 0.95 Nehalem; seed 5: 6.71, 5.86, 3.46, 8.98). Rerunning gives the same numbers on the same NumPy/BLAS.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import numpy as np  # noqa: E402

from lessonlib import single_thread  # noqa: E402
from lessonlib.data import load_iris  # noqa: E402
from lessonlib.optim import make_optimizer  # noqa: E402
from lessonlib.recipes.l06_vanishing import fit_iris  # noqa: E402

DEPTH, EPOCHS, SEEDS = 20, 100, range(10)


def main():
    data = load_iris(seed=0)
    grad, loss, dead = [], [], []
    for seed in SEEDS:
        model, hist = fit_iris(make_optimizer("adam", 0.001), [10] * DEPTH, epochs=EPOCHS,
                               seed=seed, init="normal", data=data)
        trace = dict(model.forward_trace(data[0]))
        dead.append([not (trace[f"relu{k}"] > 0).any() for k in range(1, DEPTH + 1)])
        grad.append(hist.grad_mean_abs)
        loss.append(hist.loss)
        print(seed, hist.loss[-1], np.flatnonzero(dead[-1]) + 1, flush=True)
    np.savez_compressed(os.path.join(HERE, "l06_std1_runs.npz"), seeds=np.array(list(SEEDS)),
                        grad=np.array(grad), loss=np.array(loss), dead=np.array(dead))


if __name__ == "__main__":
    with single_thread():
        main()
