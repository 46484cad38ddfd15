"""Precompute lesson 09's runs at the notes' own SGD step, lr 0.05/3 (about 45 s on one core).

    .venv/bin/python data/make_l09_notes_step.py        # from the repository root

Why 0.05/3: the notes' loss is MxNet's
``0 - mx.symbol.mean(mx.symbol.broadcast_mul(mx.symbol.log(softmax + eps), label))``, the mean
of -onehot * log(p) over all N x 3 entries of the one-hot table: a third of lessonlib's mean
cross-entropy over the N flowers. Its gradient is a third of ours too, and an SGD step (with or
without momentum) is linear in the gradient, so the notes' "sgd, learning.rate = 0.05,
momentum = 0.9" is lessonlib's ``SGD(lr=0.05 / 3, momentum=0.9)``, the recipe's optimiser
``"momentum_0.05/3"``. The lesson trains with lr 0.05 in its own units (three times the notes'
step, the files ``l09_six_layers.npz``, ``l09_25_layers.npz`` and ``l09_deep.npz``); this file
holds the same nets at the notes' step.

Writes ``l09_notes_step.npz`` next to this script. Every run is
``recipes.l09_residual.train_iris(hidden, connection, "momentum_0.05/3", 100, seed)``: ReLU,
weights uniform on [-0.01, 0.01], batches of 20, 100 epochs on the lessons' iris split
(``load_iris(seed=0)``: 100 training flowers, 50 test flowers, unscaled), BLAS on one thread.
Four groups, each under its prefix:

- ``six_``: 6 hidden layers of 3, plain and residual, seeds 0-9 (section 5's nets);
- ``d25_``: 25 hidden layers of 10, plain and residual, seeds 0-4 (section 6's);
- ``d100_``: 100 hidden layers of 10, residual, seeds 0-2 (section 7's);
- ``d1000_``: 1000 hidden layers of 10, residual, seeds 0-2 (section 7's two-epoch runs, here
  for 100 epochs).

Arrays of a group (c = connection, s = seed, e = epoch): ``connections``, ``seeds``,
``loss[c, s, e]`` (mean training cross-entropy of each epoch, lessonlib's units: the notes would
print a third of it), ``test_accuracy[c, s]`` after the last epoch (NaN after a divergence; none
diverged) and ``dead_final[c, s]``, the share of hidden ReLUs that output 0 for all 100 training
flowers at the end. Also ``lr`` (0.05/3) and ``optimizer`` (the recipe's key).

Why precomputed: momentum amplifies the last bits of the matrix products, which differ between
CPUs, so a run's late epochs, and with them a seed's final accuracy, could differ on another
machine. The first epochs do not: ``tests/test_claims_l09.py`` retrains them and compares.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from lessonlib import single_thread  # noqa: E402
from lessonlib.recipes.l09_residual import OPTIMIZERS, connection_seed_table  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OPTIMIZER = "momentum_0.05/3"
EPOCHS = 100
GROUPS = {      # prefix: (hidden widths, connections, seeds)
    "six": ([3] * 6, ("plain", "residual"), range(10)),
    "d25": ([10] * 25, ("plain", "residual"), range(5)),
    "d100": ([10] * 100, ("residual",), range(3)),
    "d1000": ([10] * 1000, ("residual",), range(3)),
}


def run_group(prefix, epochs=EPOCHS, connections=None):
    """The arrays of one group, keys prefixed; ``epochs``, ``connections``: a cut for the
    tests (the first epochs of every run, or one connection's runs)."""
    hidden, group_connections, seeds = GROUPS[prefix]
    table = connection_seed_table(hidden, connections or group_connections, list(seeds),
                                  epochs=epochs, optimizer=OPTIMIZER, dead=True)
    del table["grad_mean_abs"]            # this file holds losses, accuracies and dead units
    return {f"{prefix}_{name}": value for name, value in table.items()}


def main(path=None):
    out = {"optimizer": np.array(OPTIMIZER), "lr": np.array(OPTIMIZERS[OPTIMIZER][1]().lr)}
    for prefix in GROUPS:
        out.update(run_group(prefix))
        print(prefix, np.round(out[f"{prefix}_test_accuracy"], 2).tolist(), flush=True)
    np.savez(path or os.path.join(HERE, "l09_notes_step.npz"), **out)


if __name__ == "__main__":
    with single_thread():
        main()
