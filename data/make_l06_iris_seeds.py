"""Precompute lesson 06's ten-seed table (about 5 s on one core).

    .venv/bin/python data/make_l06_iris_seeds.py        # from the repository root

Writes ``l06_iris_seeds.csv`` next to this script: lesson 06's iris networks (``load_iris(seed=0)``,
unscaled, 100 train / 50 test; hidden layers of 10 ReLU units, weights uniform on
[-0.01, 0.01], Adam lr 0.001, batch 20, 100 epochs) with 3 and 7 hidden layers, seeds 0-9
(the model's seed and the mini-batch seed). One row per run, columns:

- ``depth``, ``seed``;
- ``loss_below_1_epoch``: the first epoch whose training loss is below 1.0, empty if never;
- ``final_loss``: the training loss of epoch 100;
- ``test_accuracy``; ``species_predicted``: how many of the 3 species the network predicts for
  the 50 test flowers;
- ``fc1_grad``, ``output_grad``: the mean |gradient| of the first and of the output weight
  matrix in epoch 100 (``history.grad_mean_abs[-1, 0]`` and ``[-1, -1]``).

Deterministic: every run is seeded and BLAS uses one thread; rerunning gives the same numbers
on the same NumPy/BLAS. The lesson retrains one of these runs live and prints the same numbers.
"""
import csv
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import numpy as np  # noqa: E402

from lessonlib import MLP, Adam  # noqa: E402
from lessonlib import single_thread  # noqa: E402
from lessonlib.data import load_iris  # noqa: E402
from lessonlib.recipes.l06_vanishing import breakthrough_epoch  # noqa: E402

DEPTHS, SEEDS = (3, 7), range(10)
COLUMNS = ["depth", "seed", "loss_below_1_epoch", "final_loss", "test_accuracy",
           "species_predicted", "fc1_grad", "output_grad"]


def main():
    X, y, X_test, y_test = load_iris(seed=0)
    rows = []
    for depth in DEPTHS:
        for seed in SEEDS:
            model = MLP(4, [10] * depth, 3, activation="relu", init="uniform", seed=seed)
            hist = model.fit(X, y, Adam(lr=0.001), epochs=100, batch_size=20, seed=seed)
            first = breakthrough_epoch(hist)
            pred = model.predict(X_test)
            rows.append({"depth": depth, "seed": seed,
                         "loss_below_1_epoch": "" if first is None else first,
                         "final_loss": f"{hist.loss[-1]:.6f}",
                         "test_accuracy": f"{np.mean(pred == y_test):.4f}",
                         "species_predicted": len(np.unique(pred)),
                         "fc1_grad": f"{hist.grad_mean_abs[-1, 0]:.6e}",
                         "output_grad": f"{hist.grad_mean_abs[-1, -1]:.6e}"})
            print(rows[-1], flush=True)
    with open(os.path.join(HERE, "l06_iris_seeds.csv"), "w", newline="\n",
              encoding="utf-8") as f:
        writer = csv.DictWriter(f, COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    with single_thread():
        main()
