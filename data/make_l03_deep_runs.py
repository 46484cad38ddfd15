"""Precompute lesson 03's six-layer runs: the rings network with six hidden layers of 20 and
Xavier initial weights, sigmoid and ReLU with momentum 0.9, and ReLU without momentum, 1,000
iterations each (about 2 s on one core).

    .venv/bin/python data/make_l03_deep_runs.py        # from the repository root

Writes ``l03_deep_runs.npz`` next to this script. Every run is lesson 03's
``recipes.l03_relu.train_rings(activation, [20] * 6, 0.1, momentum, 1000, "xavier", seed=0)``:
``MLP(2, [20] * 6, 2, activation, init="xavier", seed=0)`` fitted on ``make_rings()`` (300
points) by full-batch gradient descent at lr 0.1, one iteration per epoch.
Stored: ``activations`` (2,), "sigmoid" and "relu", the runs with momentum 0.9; for each,
``<activation>_loss`` (1000,), the loss per iteration, and its final weights,
``<activation>_<name>`` for every array of ``model.params`` (``recipes.l03_relu.stored_deep_runs``
loads them); ``relu_no_momentum_loss`` (1000,), the ReLU run without momentum.
Why precomputed: the notebook draws these runs to their end, and momentum amplifies the last
bits of the matrix products, which differ between CPUs: the ReLU run's first 300 iterations
are the same everywhere (and the notebook prints only from them), but where its later spikes
fall, and its decision map, change with the BLAS kernel (and under a 1e-12 nudge of the inputs).
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from lessonlib import single_thread  # noqa: E402
from lessonlib.data import make_rings  # noqa: E402
from lessonlib.recipes.l03_relu import DEEP_HIDDEN, train_rings  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ACTIVATIONS = ("sigmoid", "relu")
ITERATIONS = 1000


def train(activation, momentum, X, y, iterations=ITERATIONS):
    """(model, history): six hidden layers of 20, Xavier weights, lr 0.1, seed 0."""
    return train_rings(activation, DEEP_HIDDEN, 0.1, momentum, iterations, "xavier", 0, X, y)


def main(path=None):
    X, y = make_rings()
    out = {"activations": np.array(ACTIVATIONS)}
    for activation in ACTIVATIONS:
        model, history = train(activation, 0.9, X, y)
        out[f"{activation}_loss"] = history.loss
        for name, w in model.params.items():
            out[f"{activation}_{name}"] = w.copy()
        print(f"{activation}, momentum 0.9: final loss {history.loss[-1]:.6f}")
    _, history = train("relu", 0.0, X, y)
    out["relu_no_momentum_loss"] = history.loss
    print(f"relu, no momentum: final loss {history.loss[-1]:.6f}")
    np.savez(path or os.path.join(HERE, "l03_deep_runs.npz"), **out)


if __name__ == "__main__":
    with single_thread():
        main()
