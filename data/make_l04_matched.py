"""Precompute lesson 04's full-batch circle nets stopped at the batch-20 nets' training loss
(about 10 s on one core).

    .venv/bin/python data/make_l04_matched.py        # from the repository root

Needs ``l04_runs.npz`` (``make_l04_runs.py``): for seed 0-4 it takes the trained batch-20 net's
weights from ``circle_params``, and its loss on the 100 training points of
``make_circle(n=100, seed=0)`` is the target. Then it trains
``MLP(2, [30], 2, activation="relu", init="normal", seed=seed)`` with full batches (100) and
``SGD(lr=0.1, momentum=0.9)``, ``seed=seed``, exactly as ``make_l04_runs.py`` does for the
5,000-epoch full-batch nets, and keeps the weights of the first epoch after which its training
loss is at most the target (``recipes.l04_minibatch.fit_to_loss``, at most 5,000 epochs).

Writes ``l04_matched.npz`` next to this script: ``seeds`` (5,), ``target_loss`` (5,): the
batch-20 nets' training loss, ``matched_epoch`` (5,): the epoch the full-batch net reached it,
``matched_params`` (5, 152): its weights then, the arrays of ``model.params`` in order, raveled
(``recipes.l04_minibatch.set_flat_params`` puts them back).

Why precomputed: up to 2,300 epochs with momentum per seed, several seconds, and long runs with
momentum amplify the last bits of each computation, which differ between CPUs.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from lessonlib import MLP, SGD  # noqa: E402
from lessonlib import single_thread  # noqa: E402
from lessonlib.data import make_circle  # noqa: E402
from lessonlib.recipes.l04_minibatch import fit_to_loss, set_flat_params  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
MAX_EPOCHS = 5000


def batch20_loss(seed, runs):
    """The training loss of the stored batch-20 net of ``seed``."""
    X, y = make_circle(n=100, seed=0)
    i = list(runs["circle_batch_sizes"]).index(20)
    j = list(runs["circle_seeds"]).index(seed)
    model = MLP(2, [30], 2, activation="relu", init="normal", seed=seed)
    set_flat_params(model, runs["circle_params"][i, j])
    return model.loss_and_grads(X, y)[0]


def matched_full_batch(seed, target, max_epochs=MAX_EPOCHS):
    """(epoch, flat weights) of the full-batch net of ``seed`` stopped at training loss target."""
    X, y = make_circle(n=100, seed=0)
    model = MLP(2, [30], 2, activation="relu", init="normal", seed=seed)
    epoch = fit_to_loss(model, X, y, SGD(lr=0.1, momentum=0.9), target, max_epochs,
                        batch_size=len(X), seed=seed)
    if epoch is None:
        raise RuntimeError(f"seed {seed}: full batch never reached loss {target}")
    return epoch, np.concatenate([w.ravel() for w in model.params.values()])


def main(path=None):
    with np.load(os.path.join(HERE, "l04_runs.npz")) as stored:
        runs = dict(stored)
    seeds = [int(s) for s in runs["circle_seeds"]]
    targets = np.array([batch20_loss(seed, runs) for seed in seeds])
    matched = [matched_full_batch(seed, target) for seed, target in zip(seeds, targets)]
    np.savez(path or os.path.join(HERE, "l04_matched.npz"), seeds=np.array(seeds),
             target_loss=targets, matched_epoch=np.array([e for e, _ in matched]),
             matched_params=np.array([p for _, p in matched]))
    print("batch-20 training losses:", np.round(targets, 4))
    print("full batch reaches them after epochs:", [e for e, _ in matched])


if __name__ == "__main__":
    with single_thread():
        main()
