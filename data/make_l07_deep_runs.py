"""Precompute lesson 07's deep runs, where He's factor 2 decides whether a ReLU net trains
(about 15 s on one core of the course machine).

    .venv/bin/python data/make_l07_deep_runs.py        # from the repository root

Writes ``l07_deep_runs.npz`` next to this script. Every run is
``recipes.l07_initialisation.train_deep(init, seed)``: ``MLP(64, [100] * 30, 10,
activation="relu", init=init, seed=seed)`` (30 hidden ReLU layers of 100, biases 0) fitted on
the lesson's digits, ``load_digits_split(n_train=1000, seed=0)`` (pixels / 16; 797 test
images), by SGD with lr 0.001 and momentum 0.9, batches of 50 (order drawn from the seed), 20
epochs; init "xavier" (LeCun's 1/sqrt(n_in)) and "he" (sqrt(2/n_in)), seeds 0-4. lr 0.001 is
the step at which the He nets train well at this depth; the He nets are also run, same seeds,
at the larger steps ``DEEP["he_larger_lrs"]`` (0.05, the 6-layer runs' step, and 0.01), which
the lesson shows beside 0.001.
Stored: ``inits`` (2,) as text, ``seeds`` (5,), ``loss`` (2, 5, 20), the training loss of every
epoch (NaN after a divergence), ``test_accuracy`` (2, 5) on the 797 test images after the last
epoch (NaN for a diverged run), and the settings ``hidden`` (30,), ``lr``, ``momentum``,
``batch``, ``epochs``; for the larger steps ``he_lrs`` (2,), ``he_loss`` (2, 5, 20) and
``he_test_accuracy`` (2, 5), the same quantities for init "he" at each step.

Why precomputed: twenty runs of 20 epochs take about 30 s (1.4 s each, measured), the whole
budget of the notebook, and momentum amplifies the last bits of the matrix products, which
differ between CPUs, so the He runs' late epochs differ a little from one machine to another.

Deterministic: every run is seeded and BLAS uses one thread; rerunning gives the same numbers on
the same NumPy/BLAS.
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from lessonlib import single_thread  # noqa: E402
from lessonlib.recipes.l07_initialisation import DEEP, deep_runs  # noqa: E402

INITS, SEEDS, EPOCHS, HE_LRS = DEEP["inits"], DEEP["seeds"], DEEP["epochs"], DEEP["he_larger_lrs"]


def report(init, seed, model, history):
    print(f"{init}, seed {seed}: loss {history.loss[-1]:.4f} after {history.epochs} epochs, "
          f"{history.seconds:.1f} s", flush=True)


def main(path=None):
    table = deep_runs(INITS, SEEDS, EPOCHS, progress=report)
    larger = [deep_runs(("he",), SEEDS, EPOCHS, progress=report, lr=lr) for lr in HE_LRS]
    table.update(he_lrs=np.array(HE_LRS), he_loss=np.stack([run["loss"][0] for run in larger]),
                 he_test_accuracy=np.stack([run["test_accuracy"][0] for run in larger]))
    path = path or os.path.join(HERE, "l07_deep_runs.npz")
    np.savez(path, **table)
    print("test accuracy:", np.round(table["test_accuracy"], 2).tolist())
    print("wrote", path)


if __name__ == "__main__":
    with single_thread():
        main()
