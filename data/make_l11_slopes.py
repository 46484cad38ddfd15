"""Precompute lesson 11's slope sweep: data/l11_slopes.csv (about 75 s on one core).

    .venv/bin/python data/make_l11_slopes.py            # from the repository root

Lesson 06's failing network as data/make_l11_runs.py trains it (iris 100 train / 50 test,
unscaled; 7 hidden layers of 10 units; weights U(-0.01, 0.01); Adam lr 1e-3; batch 20; 300
epochs), with LeakyReLU of every slope in SLOPES (slope 0 is ReLU), seeds 0-9
(``recipes.l11_leaky.train_iris``). One row per run, columns:

- ``slope``, ``seed``;
- ``final_loss``: the training cross-entropy of the last epoch;
- ``test_accuracy``: on the 50 held-out flowers;
- ``never_positive``: hidden units whose input is <= 0 for all 100 training flowers at the end
  (of 70).

Deterministic: every run is seeded and BLAS uses one thread. Slopes 0 and 0.25 are the ReLU and
LeakyReLU rows of data/l11_runs.npz, the same runs.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import numpy as np  # noqa: E402

from lessonlib import single_thread  # noqa: E402
from lessonlib.data import load_iris  # noqa: E402
from lessonlib.models import never_positive  # noqa: E402
from lessonlib.recipes.l06_vanishing import write_runs  # noqa: E402
from lessonlib.recipes.l11_leaky import train_iris  # noqa: E402

SLOPES = (0.0, 0.01, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5)
SEEDS, DEPTH, EPOCHS = tuple(range(10)), 7, 300
COLUMNS = ["slope", "seed", "final_loss", "test_accuracy", "never_positive"]


def main():
    data = load_iris(seed=0)
    X, _, X_test, y_test = data
    rows = []
    for slope in SLOPES:
        for seed in SEEDS:
            model, history = train_iris("leaky_relu", DEPTH, 10, EPOCHS, seed, slope=slope,
                                        data=data)
            rows.append({"slope": f"{slope:g}", "seed": seed,
                         "final_loss": f"{history.loss[-1]:.6f}",
                         "test_accuracy": f"{model.score(X_test, y_test):.4f}",
                         "never_positive": int(np.sum(never_positive(model, X)))})
            print(rows[-1], flush=True)
    write_runs(os.path.join(HERE, "l11_slopes.csv"), rows, COLUMNS)


if __name__ == "__main__":
    with single_thread():
        main()
