"""Precompute lesson 03's depth sweep: the rings network with 1 to 6 hidden layers of 20, ReLU
and sigmoid, five seeds, 1,000 iterations each (about 30 s on one core).

    .venv/bin/python data/make_l03_depth_runs.py        # from the repository root

Writes ``l03_depth_runs.npz`` next to this script. Every run is lesson 03's
``recipes.l03_relu.train_rings(activation, [20] * depth, lr, 0.9, 1000, "xavier", seed)``:
``MLP(2, [20] * depth, 2, activation, init="xavier", seed=seed)`` fitted on ``make_rings()``
(300 points) by full-batch gradient descent with momentum 0.9, one iteration per epoch. ReLU
runs at the lesson's lr 0.1; sigmoid at lr 0.1, 0.3, 1 and 3 (a smaller slope means smaller
gradients, so sigmoid gets the chance of a larger step).
Stored: ``depths`` (6,), ``seeds`` (5,), ``iterations`` (), ``relu_lr`` (), ``sigmoid_lrs``
(4,); ``relu_final`` (6, 5), the loss after the last iteration of every ReLU run (depth, seed),
``relu_lowest`` (6, 5), its lowest loss along the run, ``relu_dead`` (6, 5), its hidden units
that output 0 for every training point at the end (``dead_units``), ``relu_units`` (6,), the
hidden units of each depth; ``sigmoid_final`` and ``sigmoid_lowest`` (4, 6, 5), the same for
sigmoid (lr, depth, seed).
Why precomputed: 150 runs take too long for the lesson, and momentum amplifies the last bits of
the matrix products, which differ between CPUs: a deep ReLU run that spikes ends elsewhere on
another machine.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from lessonlib import single_thread  # noqa: E402
from lessonlib.data import make_rings  # noqa: E402
from lessonlib.recipes.l03_relu import dead_units, train_rings  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DEPTHS = (1, 2, 3, 4, 5, 6)
SEEDS = range(5)
ITERATIONS = 1000
RELU_LR = 0.1
SIGMOID_LRS = (0.1, 0.3, 1.0, 3.0)


def train(activation, depth, lr, seed, X, y, iterations=ITERATIONS):
    """(model, history): ``depth`` hidden layers of 20, Xavier weights, momentum 0.9."""
    return train_rings(activation, [20] * depth, lr, 0.9, iterations, "xavier", seed, X, y)


def sweep(activation, lr, X, y, depths=DEPTHS, seeds=SEEDS, iterations=ITERATIONS):
    """(final loss, lowest loss, dead units), each (len(depths), len(seeds))."""
    final, lowest, dead = (np.zeros((len(depths), len(seeds))) for _ in range(3))
    for i, depth in enumerate(depths):
        for j, seed in enumerate(seeds):
            model, history = train(activation, depth, lr, seed, X, y, iterations)
            final[i, j], lowest[i, j] = history.loss[-1], history.loss.min()
            dead[i, j] = dead_units(model, X)
    return final, lowest, dead.astype(int)


def main(path=None):
    X, y = make_rings()
    relu_final, relu_lowest, relu_dead = sweep("relu", RELU_LR, X, y)
    sigmoid = [sweep("sigmoid", lr, X, y)[:2] for lr in SIGMOID_LRS]
    np.savez(path or os.path.join(HERE, "l03_depth_runs.npz"),
             depths=np.array(DEPTHS), seeds=np.array(list(SEEDS)),
             iterations=np.array(ITERATIONS), relu_lr=np.array(RELU_LR),
             sigmoid_lrs=np.array(SIGMOID_LRS), relu_final=relu_final,
             relu_lowest=relu_lowest, relu_dead=relu_dead,
             relu_units=np.array([20 * d for d in DEPTHS]),
             sigmoid_final=np.array([f for f, _ in sigmoid]),
             sigmoid_lowest=np.array([low for _, low in sigmoid]))
    print("median final loss over the seeds, depths", DEPTHS)
    print(f"relu, lr {RELU_LR:g}: " + " ".join(f"{v:.4f}" for v in np.median(relu_final, 1)))
    for lr, (final, _) in zip(SIGMOID_LRS, sigmoid):
        print(f"sigmoid, lr {lr:g}: " + " ".join(f"{v:.4f}" for v in np.median(final, 1)))


if __name__ == "__main__":
    with single_thread():
        main()
