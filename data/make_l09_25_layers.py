"""Precompute lesson 09's runs of the 25-hidden-layer nets (about 4 s on one core).

    .venv/bin/python data/make_l09_25_layers.py        # from the repository root

Writes ``l09_25_layers.npz`` next to this script. Every run is
``recipes.l09_residual.train_iris([10] * 25, connection, "momentum_0.05", 100, seed)``: an MLP
of 25 hidden layers of 10 ReLUs, weights uniform on [-0.01, 0.01], SGD lr 0.05 with momentum
0.9, batches of 20, 100 epochs on the lessons' iris split, for the plain and the residual net
and seeds 0-4. Stored: ``connections`` (2,), ``seeds`` (5,), ``loss`` (2, 5, 100) per epoch,
``test_accuracy`` (2, 5) after the last epoch and ``grad_mean_abs`` (2, 5, 100, 26), the mean
|gradient| of every weight matrix per epoch.

Why precomputed: momentum amplifies the last bits of the matrix products, which differ between
CPUs, so a residual run could end at another test accuracy on another machine.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from lessonlib import single_thread  # noqa: E402
from lessonlib.recipes.l09_residual import connection_seed_table  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
CONNECTIONS = ("plain", "residual")
SEEDS = range(5)
EPOCHS = 100


def main(path=None):
    table = connection_seed_table([10] * 25, CONNECTIONS, SEEDS, epochs=EPOCHS)
    np.savez(path or os.path.join(HERE, "l09_25_layers.npz"), **table)
    print(np.round(table["test_accuracy"], 2))


if __name__ == "__main__":
    with single_thread():
        main()
