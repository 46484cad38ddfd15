"""Precompute lesson 07's multi-seed training runs (about a minute on one core).

    .venv/bin/python data/make_l07_init_runs.py        # from the repository root

Writes, next to this script, ``l07_digits_curves.npz`` (the digits runs' training loss of every
epoch: ``loss[activation, init, seed, epoch]``, NaN after a divergence, with the axes'
``activations``, ``inits`` (as text), ``seeds``) and ``l07_init_runs.csv``, one row per training
run, with the columns

- ``experiment``: "digits" or "iris";
- ``activation``: "relu", "tanh" or "sigmoid";
- ``init``: the ``init`` argument of ``lessonlib.MLP``: "normal" (std 1), "0.01" (normal with
  std 0.01), "xavier", "he" or "uniform" (U(-0.01, 0.01));
- ``seed``: the model's seed and the mini-batch seed;
- ``epochs``: epochs completed (fewer than planned when the run diverged);
- ``diverged``: 1 if the loss or the weights stopped being finite, else 0;
- ``final_loss``: the training loss of the last completed epoch (empty if none);
- ``test_accuracy``: on the held-out set (empty for a diverged run);
- ``loss_below_1_epoch``: the first epoch whose training loss is below 1.0, empty if never.

The two experiments:

- digits: ``load_digits_split(n_train=1000, seed=0)`` (pixels / 16; 797 test images), an MLP
  64 -> 6 hidden layers of 50 -> 10 with each activation and each of the inits normal, 0.01,
  xavier, he; SGD lr 0.05 with momentum 0.9, batch 50, 20 epochs; seeds 0-4.
- iris: ``load_iris(seed=0)`` (unscaled, 100 train / 50 test), lesson 06's network trained by
  ``recipes.l06_vanishing.fit_iris``: 7 hidden layers of 10 ReLU units, inits uniform, xavier,
  he; Adam lr 0.001, batch 20, 100 epochs; seeds 0-9.

Deterministic: every run is seeded and BLAS uses one thread; rerunning gives the same numbers
on the same NumPy/BLAS.
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from lessonlib import MLP, SGD  # noqa: E402
from lessonlib import single_thread  # noqa: E402
from lessonlib.data import load_digits_split, load_iris  # noqa: E402
from lessonlib.optim import make_optimizer  # noqa: E402
from lessonlib.recipes.l06_vanishing import (breakthrough_epoch, fit_iris,  # noqa: E402
                                             write_runs)

DIGITS = dict(hidden=[50] * 6, activations=("relu", "tanh", "sigmoid"),
              inits=("normal", 0.01, "xavier", "he"), epochs=20, batch=50, seeds=range(5))
IRIS = dict(hidden=[10] * 7, inits=("uniform", "xavier", "he"), epochs=100, seeds=range(10))
COLUMNS = ["experiment", "activation", "init", "seed", "epochs", "diverged", "final_loss",
           "test_accuracy", "loss_below_1_epoch"]


def row(experiment, activation, init, seed, model, hist, X_test, y_test):
    first = breakthrough_epoch(hist)
    return {"experiment": experiment, "activation": activation, "init": str(init),
            "seed": seed, "epochs": hist.epochs, "diverged": int(hist.diverged),
            "final_loss": f"{hist.loss[-1]:.6f}" if hist.epochs else "",
            "test_accuracy": "" if hist.diverged else f"{model.score(X_test, y_test):.4f}",
            "loss_below_1_epoch": "" if first is None else first}


def main():
    rows = []
    X, y, X_test, y_test = load_digits_split(n_train=1000, seed=0)
    curves = np.full((len(DIGITS["activations"]), len(DIGITS["inits"]), len(DIGITS["seeds"]),
                      DIGITS["epochs"]), np.nan)
    for a, activation in enumerate(DIGITS["activations"]):
        for i, init in enumerate(DIGITS["inits"]):
            for k, seed in enumerate(DIGITS["seeds"]):
                model = MLP(64, DIGITS["hidden"], 10, activation=activation, init=init,
                            seed=seed)
                hist = model.fit(X, y, SGD(lr=0.05, momentum=0.9), epochs=DIGITS["epochs"],
                                 batch_size=DIGITS["batch"], seed=seed)
                rows.append(row("digits", activation, init, seed, model, hist, X_test, y_test))
                curves[a, i, k, :hist.epochs] = hist.loss
                print(rows[-1], flush=True)
    np.savez(os.path.join(HERE, "l07_digits_curves.npz"), loss=curves,
             activations=np.array(DIGITS["activations"]),
             inits=np.array([str(init) for init in DIGITS["inits"]]),
             seeds=np.array(list(DIGITS["seeds"])))
    data = load_iris(seed=0)
    X_test, y_test = data[2:]
    for init in IRIS["inits"]:
        for seed in IRIS["seeds"]:
            model, hist = fit_iris(make_optimizer("adam", 0.001), IRIS["hidden"],
                                   epochs=IRIS["epochs"], seed=seed, data=data, init=init)
            rows.append(row("iris", "relu", init, seed, model, hist, X_test, y_test))
            print(rows[-1], flush=True)
    write_runs(os.path.join(HERE, "l07_init_runs.csv"), rows, COLUMNS)


if __name__ == "__main__":
    with single_thread():
        main()
