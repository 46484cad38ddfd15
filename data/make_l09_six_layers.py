"""Precompute lesson 09's ten-seed table of the six-hidden-layer nets (about 5 s on one core).

    .venv/bin/python data/make_l09_six_layers.py        # from the repository root

Writes ``l09_six_layers.npz`` next to this script. Every run is
``recipes.l09_residual.train_iris([3] * 6, connection, "momentum_0.05", 100, seed)``: an MLP
of six hidden layers of 3 ReLUs, weights uniform on [-0.01, 0.01], SGD lr 0.05 with momentum
0.9, batches of 20, 100 epochs on the lessons' iris split, for the plain and the residual net
and seeds 0-9. Stored: ``connections`` (2,), ``seeds`` (10,), ``loss`` (2, 10, 100) per epoch and
``test_accuracy`` (2, 10) after the last epoch.

Why precomputed: momentum amplifies the last bits of the matrix products, which differ between
CPUs, so some residual runs end at another test accuracy on another machine.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from lessonlib import single_thread  # noqa: E402
from lessonlib.recipes.l09_residual import connection_seed_table  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
CONNECTIONS = ("plain", "residual")
SEEDS = range(10)
EPOCHS = 100


def main(path=None):
    table = connection_seed_table([3] * 6, CONNECTIONS, SEEDS, epochs=EPOCHS)
    del table["grad_mean_abs"]            # this file holds losses and accuracies only
    np.savez(path or os.path.join(HERE, "l09_six_layers.npz"), **table)
    print(np.round(table["test_accuracy"], 2))


if __name__ == "__main__":
    with single_thread():
        main()
