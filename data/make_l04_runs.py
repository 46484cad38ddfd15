"""Precompute lesson 04's many-seed results (about 15 s on one core).

    .venv/bin/python data/make_l04_runs.py        # from the repository root
    .venv/bin/python data/make_l04_runs.py --only hard_long   # redo one part, keep the rest

Writes ``l04_runs.npz`` next to this script, with four experiments (``--only PART`` recomputes
one of them, ``final_loss``, ``equal_work``, ``circle`` or ``hard_long``, and writes it into the
existing file beside the others, which it leaves as they are):

- The final loss across batch sizes: for every batch size of ``BATCH_SIZES`` and seeds 0-29,
  where ``sin_logistic_descend(X, y, SGD(lr=0.1, momentum=0.9), 300, (0, 0), batch_size, seed)``
  ends on ``make_sin_logistic(0.7, 0.7, n=1000, noise=0.3, seed=0)``, computed for all seeds at
  once by ``recipes.l04_minibatch.final_losses``. Stored: ``batch_sizes`` (6,), ``seeds`` (30,),
  ``final_loss`` (6, 30) on all 1000 points and ``final_b`` (6, 30, 2).
- The same work for every batch size: the same runs (lr 0.1, momentum 0.9, seeds 0-29, every
  batch size of ``BATCH_SIZES``) from each start of ``EQUAL_STARTS`` for ``EQUAL_EPOCHS`` epochs,
  b and the loss on all 1000 points at the start and after every epoch, by
  ``recipes.l04_minibatch.epoch_runs``. Stored: ``epoch_starts`` (2, 2), ``epoch_b``
  (2, 6, 30, 31, 2) and ``epoch_loss`` (2, 6, 30, 31).
- The circle: ``MLP(2, [30], 2, activation="relu", init="normal", seed=seed)`` fitted on
  ``make_circle(n=100, seed=0)`` with ``SGD(lr=0.1, momentum=0.9)``, 5,000 updates (batch 100,
  5,000 epochs; batch 20, 1,000 epochs), ``fit(seed=seed)``, seeds 0-4. Stored:
  ``circle_batch_sizes`` (2,), ``circle_seeds`` (5,), ``circle_accuracy`` (2, 5, 2): the
  training accuracy and the accuracy on ``make_circle(n=1000, seed=1)``, and
  ``circle_batch_loss`` (2, 5, 5000): the loss of every update's batch, and
  ``circle_params`` (2, 5, 152): the trained weights, the arrays of ``model.params`` in order,
  raveled (``recipes.l04_minibatch.set_flat_params`` puts them back into a model).
- The harder data, longer: where ``sin_logistic_descend(X, y, SGD(lr=0.1, momentum=0.9), 1000,
  (0, 0), 30, seed)`` ends on ``make_sin_logistic(2.0, 3.0, n=1000, noise=0.3, seed=0)`` for
  seeds 0-29, by ``recipes.l04_minibatch.final_points``. Stored: ``hard_steps`` (1000),
  ``hard_final_b`` (30, 2). (How many of them end within 0.2 of (2, 3) moves between 25 and 27
  when the data are nudged by 1e-11 or 1e-10.)

Why precomputed: batch-1 paths and long runs with momentum amplify the last bits of each
computation, which differ between CPUs, so some of these runs end differently on another
machine; the lesson shows everybody the same stored ones.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from lessonlib import MLP, SGD  # noqa: E402
from lessonlib import single_thread  # noqa: E402
from lessonlib.data import make_circle, make_sin_logistic  # noqa: E402
from lessonlib.recipes.l04_minibatch import epoch_runs, final_losses, final_points  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
BATCH_SIZES = (1, 5, 10, 30, 100, 1000)
SEEDS = range(30)
EQUAL_STARTS = ((1.2, 1.2), (0.0, 0.0))    # in the true b's valley; the lesson's start
EQUAL_EPOCHS = 30
CIRCLE_BATCH_SIZES = (100, 20)
CIRCLE_SEEDS = range(5)
CIRCLE_UPDATES = 5000
HARD_B = (2.0, 3.0)
HARD_STEPS = 1000


def final_loss_sweep(seeds=SEEDS):
    X, y = make_sin_logistic(0.7, 0.7, n=1000, noise=0.3, seed=0)
    results = final_losses(X, y, BATCH_SIZES, list(seeds), lr=0.1, momentum=0.9, steps=300)
    return (np.array([results[bs][0] for bs in BATCH_SIZES]),
            np.array([results[bs][1] for bs in BATCH_SIZES]))


def equal_work(batch_sizes=BATCH_SIZES, seeds=SEEDS, epochs=EQUAL_EPOCHS, starts=EQUAL_STARTS):
    """(b (starts, sizes, seeds, epochs + 1, 2), loss (starts, sizes, seeds, epochs + 1))."""
    X, y = make_sin_logistic(0.7, 0.7, n=1000, noise=0.3, seed=0)
    runs = [[epoch_runs(X, y, bs, list(seeds), epochs, lr=0.1, momentum=0.9, b0=b0)
             for bs in batch_sizes] for b0 in starts]
    return (np.array([[b for b, _ in row] for row in runs]),
            np.array([[loss for _, loss in row] for row in runs]))


def train_circle(batch_size, seed, updates=CIRCLE_UPDATES):
    """(model, history) of one circle run: ``updates`` updates of batch_size on 100 points."""
    X, y = make_circle(n=100, seed=0)
    model = MLP(2, [30], 2, activation="relu", init="normal", seed=seed)
    history = model.fit(X, y, SGD(lr=0.1, momentum=0.9), epochs=updates * batch_size // len(X),
                        batch_size=batch_size, seed=seed, record_batches=True)
    return model, history


def circle_runs(batch_sizes=CIRCLE_BATCH_SIZES, seeds=CIRCLE_SEEDS, updates=CIRCLE_UPDATES):
    """(accuracy (sizes, seeds, 2): training and new points, batch loss (sizes, seeds, updates),
    trained weights (sizes, seeds, n_params))."""
    train, new = make_circle(n=100, seed=0), make_circle(n=1000, seed=1)
    accuracy = np.zeros((len(batch_sizes), len(seeds), 2))
    batch_loss = np.zeros((len(batch_sizes), len(seeds), updates))
    params = []
    for i, bs in enumerate(batch_sizes):
        for j, seed in enumerate(seeds):
            model, history = train_circle(bs, seed, updates)
            accuracy[i, j] = model.score(*train), model.score(*new)
            batch_loss[i, j] = history.batch_loss
            params.append(np.concatenate([w.ravel() for w in model.params.values()]))
    return accuracy, batch_loss, np.array(params).reshape(len(batch_sizes), len(seeds), -1)


def hard_long(seeds=SEEDS, steps=HARD_STEPS):
    """Final b (len(seeds), 2) of batch 30, momentum 0.9, lr 0.1 on the b = (2, 3) data."""
    X, y = make_sin_logistic(*HARD_B, n=1000, noise=0.3, seed=0)
    return final_points(X, y, 30, list(seeds), lr=0.1, momentum=0.9, steps=steps)[0]


def _part(name):
    """The arrays of one experiment, by name."""
    if name == "final_loss":
        final_loss, final_b = final_loss_sweep()
        return dict(batch_sizes=np.array(BATCH_SIZES), seeds=np.array(SEEDS),
                    final_loss=final_loss, final_b=final_b)
    if name == "equal_work":
        epoch_b, epoch_loss = equal_work()
        return dict(epoch_starts=np.array(EQUAL_STARTS), epoch_b=epoch_b, epoch_loss=epoch_loss)
    if name == "circle":
        accuracy, batch_loss, params = circle_runs()
        return dict(circle_batch_sizes=np.array(CIRCLE_BATCH_SIZES),
                    circle_seeds=np.array(CIRCLE_SEEDS), circle_accuracy=accuracy,
                    circle_batch_loss=batch_loss, circle_params=params)
    if name == "hard_long":
        return dict(hard_steps=np.array(HARD_STEPS), hard_final_b=hard_long())
    raise ValueError(f"no part {name!r}; the parts are {PARTS}")


PARTS = ("final_loss", "equal_work", "circle", "hard_long")


def main(path=None, only=None):
    path = path or os.path.join(HERE, "l04_runs.npz")
    arrays = {}
    if only:                    # keep the other parts as stored
        with np.load(path) as stored:
            arrays.update(stored)
    for name in ([only] if only else PARTS):
        arrays.update(_part(name))
    np.savez(path, **arrays)
    if "final_loss" in arrays:
        print("median final loss per batch size:",
              np.round(np.median(arrays["final_loss"], axis=1), 4))
    if "circle_accuracy" in arrays:
        print("circle, mean accuracy on new points:",
              arrays["circle_accuracy"][:, :, 1].mean(axis=1))
    hits = np.sum(np.linalg.norm(arrays["hard_final_b"] - HARD_B, axis=1) < 0.2)
    print(f"b = (2, 3), batch 30, {HARD_STEPS} updates: {hits} of {len(SEEDS)} seeds within 0.2")


if __name__ == "__main__":
    only = sys.argv[sys.argv.index("--only") + 1] if "--only" in sys.argv else None
    with single_thread():
        main(only=only)
