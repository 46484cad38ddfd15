"""Precompute lesson 05's many-seed and long results (about 15 s on one core).

    .venv/bin/python data/make_l05_runs.py        # from the repository root

Writes ``l05_runs.npz`` next to this script, with two experiments:

- Arrivals on the hard sin-logistic data (``make_sin_logistic(2, 3, seed=0)``): for each
  optimiser of ``ARRIVAL_SETTINGS`` and batch orders (seeds) 0-9, the first step at which
  ``recipes.l05_adaptive.sin_logistic_path(X, y, optimizer, 1500, batch_size=30, seed=seed)``
  comes within 0.3 of b = (2, 3), or -1 if it never does. Stored: ``arrival_labels`` (3,),
  ``arrival_seeds`` (10,), ``arrival_step`` (3, 10), and the whole path of seed 0 for each
  optimiser, ``arrival_path_seed0`` (3, 1501, 2).
- The rings network of eight hidden layers of 20 from the notes' std-1 initial weights:
  ``recipes.l03_relu.fit_rings(optimizer, [20] * 8, epochs=100, batch_size=20, seed=0,
  init="normal")`` for each optimiser of ``l05_adaptive.RINGS_OPTIMIZERS``. Stored:
  ``std1_labels`` (2,), ``std1_loss`` (2, 100) per epoch (nan after a divergence),
  ``std1_diverged_epoch`` (2,) (-1: none) and ``std1_accuracy`` (2,) on the 300 training
  points.

Why precomputed: with momentum or from enormous initial weights, the last bits of each
computation, which differ between CPUs, change where these runs end on another machine.
"""
import os
import sys
from functools import partial

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from lessonlib import single_thread  # noqa: E402
from lessonlib.data import make_rings, make_sin_logistic  # noqa: E402
from lessonlib.optim import make_optimizer  # noqa: E402
from lessonlib.recipes import l05_adaptive  # noqa: E402
from lessonlib.recipes.l03_relu import fit_rings  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ARRIVAL_SETTINGS = {"SGD + momentum, lr 0.1": partial(make_optimizer, "momentum", 0.1),
                    "Adam, lr 0.1": partial(make_optimizer, "adam", 0.1),
                    "Adam, lr 0.3": partial(make_optimizer, "adam", 0.3)}
ARRIVAL_SEEDS = range(10)
ARRIVAL_STEPS = 1500
STD1_EPOCHS = 100


def first_arrival(path, target=(2, 3), radius=0.3):
    """The first step within ``radius`` of ``target``, or -1."""
    near = np.linalg.norm(path - target, axis=1) < radius
    return int(np.argmax(near)) if near.any() else -1


def arrival_paths(seeds=ARRIVAL_SEEDS, steps=ARRIVAL_STEPS):
    """The paths (settings, seeds, steps + 1, 2) of every optimiser and batch order."""
    X, y = make_sin_logistic(2, 3, seed=0)
    return np.array([[l05_adaptive.sin_logistic_path(X, y, make(), steps, batch_size=30, seed=s)
                      for s in seeds] for make in ARRIVAL_SETTINGS.values()])


def std1_runs(epochs=STD1_EPOCHS):
    X, y = make_rings()
    loss, diverged_epoch, accuracy = [], [], []
    for make in l05_adaptive.RINGS_OPTIMIZERS.values():
        model, history = fit_rings(make(), [20] * 8, epochs=epochs,
                                   batch_size=l05_adaptive.RINGS_BATCH, seed=0, X=X, y=y,
                                   init="normal")
        curve = np.full(epochs, np.nan)             # a diverged run's History stops early
        curve[:len(history.loss)] = history.loss
        loss.append(np.where(np.isfinite(curve), curve, np.nan))
        diverged_epoch.append(history.diverged_epoch if history.diverged else -1)
        accuracy.append(np.nan if history.diverged else model.score(X, y))
    return np.array(loss), np.array(diverged_epoch), np.array(accuracy)


def main(path=None):
    paths = arrival_paths()
    steps = np.array([[first_arrival(path) for path in setting] for setting in paths])
    loss, diverged_epoch, accuracy = std1_runs()
    np.savez(path or os.path.join(HERE, "l05_runs.npz"),
             arrival_labels=np.array(list(ARRIVAL_SETTINGS)),
             arrival_seeds=np.array(ARRIVAL_SEEDS), arrival_step=steps,
             arrival_path_seed0=paths[:, 0],
             std1_labels=np.array(list(l05_adaptive.RINGS_OPTIMIZERS)), std1_loss=loss,
             std1_diverged_epoch=diverged_epoch, std1_accuracy=accuracy)
    print(steps)
    print(diverged_epoch, accuracy)


if __name__ == "__main__":
    with single_thread():
        main()
