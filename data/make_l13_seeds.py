"""Precompute lesson 13's multi-seed table (about 10 s on one core).

    .venv/bin/python data/make_l13_seeds.py        # from the repository root

Writes ``l13_seeds.csv`` next to this script: the three networks of lesson 13 trained by
``recipes.l06_vanishing.fit_iris`` on ``load_iris(seed=0)`` (100 training flowers, unscaled),
weights uniform on [-0.01, 0.01], batches of 20, 100 epochs, for seeds 0-9 (the model's seed
and the mini-batch seed):

- network 0, batch norm: 7 hidden layers of 10 ReLU units with batch norm (gamma learned),
  Adam lr 0.001;
- network 1, residual: 6 hidden layers of 3, r_1 = h_1, r_i = h_i + r_{i-1}, SGD lr 0.05
  momentum 0.9;
- network 2, dense: hidden widths 3, 4, 5, 6, 7, 8, each layer reading [h_1, ..., h_{i-1}],
  SGD lr 0.05 momentum 0.9.

SGD lr 0.05 is three times the notes' step: their loss is our cross-entropy divided by 3, so
their "learning.rate = 0.05" is lessonlib's lr 0.05 / 3 (the notebook prints seed 0 at that
step; this file keeps the lesson's lr 0.05).

Columns: network, seed, final_loss (training loss of epoch 100), train_accuracy,
test_accuracy; read it with ``lessonlib.data.read_csv``. The notebook trains seed 0 of each
itself and checks that its accuracies match this file's.

Deterministic: every run is seeded; rerunning gives the same numbers on the same NumPy/BLAS.
"""
import os
import sys
from functools import partial

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from lessonlib.data import load_iris, write_csv  # noqa: E402
from lessonlib.optim import make_optimizer  # noqa: E402
from lessonlib.recipes.l06_vanishing import fit_iris  # noqa: E402

EPOCHS = 100
SEEDS = range(10)
NETWORKS = [  # (hidden widths, MLP keywords, optimiser factory), in the order of the codes 0, 1, 2
    ([10] * 7, dict(batch_norm=True, fix_gamma=False), partial(make_optimizer, "adam", 0.001)),
    ([3] * 6, dict(connection="residual"), partial(make_optimizer, "momentum", 0.05)),
    ([3, 4, 5, 6, 7, 8], dict(connection="dense"), partial(make_optimizer, "momentum", 0.05)),
]


def main():
    data = load_iris(seed=0)
    X_train, y_train, X_test, y_test = data
    rows = []
    for code, (hidden, kw, optimizer) in enumerate(NETWORKS):
        for seed in SEEDS:
            model, hist = fit_iris(optimizer(), hidden, epochs=EPOCHS, seed=seed, data=data,
                                   **kw)
            rows.append([code, seed, round(float(hist.loss[-1]), 6),
                         model.score(X_train, y_train), model.score(X_test, y_test)])
            print(*rows[-1], flush=True)
    write_csv(os.path.join(HERE, "l13_seeds.csv"), rows,
              ["network", "seed", "final_loss", "train_accuracy", "test_accuracy"])


if __name__ == "__main__":
    main()
