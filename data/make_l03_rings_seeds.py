"""Precompute lesson 03's five-seed table: the rings network with ReLU and with sigmoid hidden
layers, seeds 0-4, 2,500 iterations each (about 10 s on one core).

    .venv/bin/python data/make_l03_rings_seeds.py        # from the repository root

Writes ``l03_rings_seeds.npz`` next to this script. Every run is lesson 03's
``recipes.l03_relu.train_rings(activation, (20, 20), 0.1, 0.9, 2500, "normal", seed)``:
``MLP(2, [20, 20], 2, activation, init="normal", seed=seed)`` fitted on ``make_rings()`` (300
points) by full-batch gradient descent with momentum (lr 0.1, 0.9), one iteration per epoch.
Stored: ``activations`` (2,), ``seeds`` (5,) and ``loss`` (2, 5, 2500), the training loss per
iteration. Why precomputed: momentum amplifies the last bits of the matrix products, which
differ between CPUs, so some of these runs end differently on different machines.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from lessonlib import single_thread  # noqa: E402
from lessonlib.data import make_rings  # noqa: E402
from lessonlib.recipes.l03_relu import train_rings  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ACTIVATIONS = ("relu", "sigmoid")
SEEDS = range(5)
ITERATIONS = 2500


def train(activation, seed, X, y, iterations=ITERATIONS):
    """The loss per iteration of one run (lesson 03's train_rings with the table's settings)."""
    _, history = train_rings(activation, (20, 20), 0.1, 0.9, iterations, "normal", seed, X, y)
    return history.loss


def main(path=None):
    X, y = make_rings()
    loss = np.array([[train(act, seed, X, y) for seed in SEEDS] for act in ACTIVATIONS])
    np.savez(path or os.path.join(HERE, "l03_rings_seeds.npz"), activations=np.array(ACTIVATIONS),
             seeds=np.array(SEEDS), loss=loss)
    for act, runs in zip(ACTIVATIONS, loss):
        print(act, " ".join(f"{run[-1]:.4f}" for run in runs))


if __name__ == "__main__":
    with single_thread():
        main()
