"""Precompute lesson 03's larger-learning-rate runs (about 20 s on one core).

    .venv/bin/python data/make_l03_lr_runs.py        # from the repository root

Writes ``l03_lr_runs.npz`` next to this script. Every run is lesson 03's
``recipes.l03_relu.train_rings(activation, hidden, lr, 0.9, iterations, init, seed=0)``:
an MLP fitted on ``make_rings()`` (300 points) by full-batch gradient descent with momentum 0.9,
one iteration per epoch. Two experiments:

- Two hidden layers of 20 (``init="normal"``, std 1), lr 1, 1,000 iterations, ReLU and sigmoid.
  Stored: ``two_layer_activations`` (2,), ``two_layer_loss`` (2, 1000), the loss per iteration,
  ``two_layer_accuracy`` (2,), the final training accuracy, and ``two_layer_dead`` (2,), the
  hidden units that output 0 for every point at the end (``dead_units``; 0 for sigmoid).
- Six hidden layers of 20 with sigmoid (``init="xavier"``): lr 0.3, 1 and 3 for 2,000
  iterations, and lr 0.1 for 6,000. Stored: ``deep_lrs`` (3,), ``deep_loss`` (3, 2000),
  ``deep_accuracy`` (3,), ``deep_long_lr`` (), ``deep_long_loss`` (6000,) and
  ``deep_long_accuracy`` ().

Why precomputed: 15,000 iterations take too long for the lesson, and momentum amplifies the last
bits of the matrix products, which differ between CPUs (the sigmoid run at lr 1 passes 0.1 at
iteration 350 here and at 347 under a 1e-12 nudge of its inputs).
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from lessonlib import single_thread  # noqa: E402
from lessonlib.data import make_rings  # noqa: E402
from lessonlib.recipes.l03_relu import dead_units, train_rings  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
TWO_LAYER_ACTIVATIONS = ("relu", "sigmoid")
TWO_LAYER_LR, TWO_LAYER_ITERATIONS = 1.0, 1000
DEEP_LRS, DEEP_ITERATIONS = (0.3, 1.0, 3.0), 2000
DEEP_LONG_LR, DEEP_LONG_ITERATIONS = 0.1, 6000


def two_layer(activation, X, y, iterations=TWO_LAYER_ITERATIONS):
    """(model, history): two hidden layers of 20, std-1 weights, lr 1, momentum 0.9."""
    return train_rings(activation, (20, 20), TWO_LAYER_LR, 0.9, iterations, "normal", 0, X, y)


def deep_sigmoid(lr, iterations, X, y):
    """(model, history): six sigmoid hidden layers of 20, Xavier weights, momentum 0.9."""
    return train_rings("sigmoid", [20] * 6, lr, 0.9, iterations, "xavier", 0, X, y)


def main(path=None):
    X, y = make_rings()
    two = [two_layer(act, X, y) for act in TWO_LAYER_ACTIVATIONS]
    deep = [deep_sigmoid(lr, DEEP_ITERATIONS, X, y) for lr in DEEP_LRS]
    long_model, long_history = deep_sigmoid(DEEP_LONG_LR, DEEP_LONG_ITERATIONS, X, y)
    np.savez(path or os.path.join(HERE, "l03_lr_runs.npz"),
             two_layer_activations=np.array(TWO_LAYER_ACTIVATIONS),
             two_layer_loss=np.array([h.loss for _, h in two]),
             two_layer_accuracy=np.array([m.score(X, y) for m, _ in two]),
             two_layer_dead=np.array([dead_units(m, X) for m, _ in two]),
             deep_lrs=np.array(DEEP_LRS), deep_loss=np.array([h.loss for _, h in deep]),
             deep_accuracy=np.array([m.score(X, y) for m, _ in deep]),
             deep_long_lr=np.array(DEEP_LONG_LR), deep_long_loss=long_history.loss,
             deep_long_accuracy=np.array(long_model.score(X, y)))
    for act, (m, h) in zip(TWO_LAYER_ACTIVATIONS, two):
        print(f"{act}, 2 layers, lr 1: final loss {h.loss[-1]:.4f}")
    for lr, (m, h) in zip(DEEP_LRS, deep):
        print(f"sigmoid, 6 layers, lr {lr:g}: final loss {h.loss[-1]:.4f}")
    print(f"sigmoid, 6 layers, lr 0.1, 6000 iterations: final loss {long_history.loss[-1]:.4f}")


if __name__ == "__main__":
    with single_thread():
        main()
