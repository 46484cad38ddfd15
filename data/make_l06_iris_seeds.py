"""Precompute lesson 06's ten-seed table and curves (about 8 s on one core), and the same table
at the notes' Adam (``--notes-adam``, about 1 s).

    .venv/bin/python data/make_l06_iris_seeds.py              # from the repository root
    .venv/bin/python data/make_l06_iris_seeds.py --notes-adam  # writes l06_notes_adam.csv only

Writes ``l06_iris_seeds.csv`` and ``l06_iris_curves.npz`` next to this script: lesson 06's iris
networks, trained by ``recipes.l06_vanishing.fit_iris`` (``load_iris(seed=0)``, unscaled, 100
train / 50 test; hidden layers of 10 ReLU units, weights uniform on [-0.01, 0.01], Adam lr 0.001,
batch 20, 100 epochs) with 3 and 7 hidden layers, seeds 0-9 (the model's seed and the
mini-batch seed).

``l06_iris_curves.npz``: for each depth d, ``grad_<d>`` (seeds, epochs, weight matrices), the
mean |gradient| of every weight matrix in every epoch (``history.grad_mean_abs``), and
``loss_<d>`` (seeds, epochs), the training loss of every epoch, both as float32; ``depths`` and
``seeds`` name the axes.

``l06_iris_seeds.csv``: one row per run, columns:

- ``depth``, ``seed``;
- ``loss_below_1_epoch``: the first epoch whose training loss is below 1.0, empty if never;
- ``final_loss``: the training loss of epoch 100;
- ``test_accuracy``; ``species_predicted``: how many of the 3 species the network predicts for
  the 50 test flowers;
- ``fc1_grad``, ``output_grad``: the mean |gradient| of the first and of the output weight
  matrix in epoch 100 (``history.grad_mean_abs[-1, 0]`` and ``[-1, -1]``).

``l06_notes_adam.csv`` (``--notes-adam``): the same twenty runs at the notes' Adam,
``recipes.l06_vanishing.notes_adam()``, the rows and columns of ``l06_iris_seeds.csv``. The notes'
loss is a mean over all N x 3 entries of the one-hot product, our cross-entropy divided by 3, and
so is its gradient; and their Adam is MXNet's R ``mx.opt.adam``, the Adam paper's efficient order
(the bias correction folded into the learning rate, eps 1e-8 added to the uncorrected sqrt(v)).
On our loss that is ``Adam(lr=0.001, eps=3e-8, efficient=True)``: the textbook rule with an eps
of 3e-8 / sqrt(1 - 0.999^t) in update t (9.5e-7 in the first, 4.8e-8 in the 500th and last). So
these are the notes' Adam steps on our loss. They differ from ours only where gradients are near
or below that eps, in the stuck deep nets.

Deterministic: every run is seeded and BLAS uses one thread; rerunning gives the same numbers
on the same NumPy/BLAS. The lesson retrains one of these runs live and prints the same numbers.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import numpy as np  # noqa: E402

from lessonlib import single_thread  # noqa: E402
from lessonlib.data import load_iris  # noqa: E402
from lessonlib.optim import make_optimizer  # noqa: E402
from lessonlib.recipes.l06_vanishing import (breakthrough_epoch, fit_iris,  # noqa: E402
                                             notes_adam, write_runs)

DEPTHS, SEEDS = (3, 7), range(10)
COLUMNS = ["depth", "seed", "loss_below_1_epoch", "final_loss", "test_accuracy",
           "species_predicted", "fc1_grad", "output_grad"]


def main(notes=False):
    """The table and curves at lessonlib's Adam (eps 1e-8), or, with ``notes``, only the table at
    the notes' Adam (``l06_notes_adam.csv``)."""
    data = load_iris(seed=0)
    X_test, y_test = data[2:]
    rows, curves = [], {"depths": np.array(DEPTHS), "seeds": np.array(list(SEEDS))}
    for depth in DEPTHS:
        grads, losses = [], []
        for seed in SEEDS:
            optimizer = notes_adam() if notes else make_optimizer("adam", 0.001)
            model, hist = fit_iris(optimizer, [10] * depth, epochs=100, seed=seed, data=data)
            first = breakthrough_epoch(hist)
            pred = model.predict(X_test)
            rows.append({"depth": depth, "seed": seed,
                         "loss_below_1_epoch": "" if first is None else first,
                         "final_loss": f"{hist.loss[-1]:.6f}",
                         "test_accuracy": f"{np.mean(pred == y_test):.4f}",
                         "species_predicted": len(np.unique(pred)),
                         "fc1_grad": f"{hist.grad_mean_abs[-1, 0]:.6e}",
                         "output_grad": f"{hist.grad_mean_abs[-1, -1]:.6e}"})
            grads.append(hist.grad_mean_abs)
            losses.append(hist.loss)
            print(rows[-1], flush=True)
        # float32: 7 digits are plenty for a figure, and the file is half as large
        curves[f"grad_{depth}"] = np.array(grads, dtype=np.float32)
        curves[f"loss_{depth}"] = np.array(losses, dtype=np.float32)
    if notes:
        write_runs(os.path.join(HERE, "l06_notes_adam.csv"), rows, COLUMNS)
        return
    write_runs(os.path.join(HERE, "l06_iris_seeds.csv"), rows, COLUMNS)
    np.savez_compressed(os.path.join(HERE, "l06_iris_curves.npz"), **curves)


if __name__ == "__main__":
    if sys.argv[1:] not in ([], ["--notes-adam"]):
        sys.exit(f"usage: {sys.argv[0]} [--notes-adam]")
    with single_thread():
        main(notes=sys.argv[1:] == ["--notes-adam"])
