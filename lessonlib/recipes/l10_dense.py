"""Lesson 10: dense connections (r_i = r_{i-1} || h_i = h_1 || ... || h_i, lessonlib's column
order). The widths of a dense net that grows by ``growth`` units per layer, the parameter
counts of the plain, residual and dense nets of that shape, the depth where one shape's count
overtakes another's, and a summary of a run's per-layer gradients. Lesson 10 trains its nets
with ``train_iris``: lesson 09's run, with the notes' SGD step among its optimisers.

The notes' loss is the mean of -y log o over all N x 3 entries of the one-hot table: our
cross-entropy (a mean over the N rows) divided by 3, and so is its gradient (lesson 09). SGD's
update is linear in the gradient, so the notes' "sgd, learning.rate = 0.05, momentum = 0.9" is
lessonlib's SGD(lr=0.05 / 3, momentum=0.9): ``NOTES_STEP``. lessonlib's lr 0.05 takes steps
three times the notes'."""
from functools import partial

import numpy as np

from ..models import MLP
from ..optim import make_optimizer
from .l06_vanishing import fit_iris

NOTES_LR = 0.05 / 3             # the notes' lr 0.05 on a loss a third of ours
NOTES_STEP = "momentum_0.05/3"  # train_iris's key for it
OPTIMIZERS = {      # key: (label, factory): two of lesson 09's keys, and NOTES_STEP
    "momentum_0.05": ("SGD lr 0.05 (3 × the notes' step), momentum 0.9",
                      partial(make_optimizer, "momentum", 0.05)),
    NOTES_STEP: ("SGD lr 0.05/3 (the notes' step), momentum 0.9",
                 partial(make_optimizer, "momentum", NOTES_LR)),
    "adam_1e-3": ("Adam lr 1e-3", partial(make_optimizer, "adam", 1e-3)),
}


def train_iris(hidden, connection, optimizer="momentum_0.05", epochs=100, seed=0, data=None,
               callback=None):
    """Lesson 09's iris run (``l09_residual.train_iris``: lesson 06's ``fit_iris``, batches of
    20, weights uniform on [-0.01, 0.01], the test accuracy after every epoch) with an
    optimiser by its key in OPTIMIZERS. Returns (model, history)."""
    return fit_iris(OPTIMIZERS[optimizer][1](), hidden, epochs=epochs, seed=seed, data=data,
                    validate=True, callback=callback, connection=connection)


def seed_runs(hidden, connection, seeds, optimizer="momentum_0.05", epochs=100, data=None):
    """train_iris for every seed -> list of (model, history)."""
    return [train_iris(hidden, connection, optimizer, epochs, seed, data) for seed in seeds]


def dense_widths(depth, growth, first=3):
    """Hidden widths first, first + growth, first + 2 growth, ... (depth of them)."""
    return [first + growth * i for i in range(depth)]


def param_counts(hidden, n_in=4, n_out=3):
    """{connection: model.n_params} for a net of these hidden widths. A residual net needs equal
    widths: its entry uses every layer at the widest width of ``hidden``."""
    return {"plain": MLP(n_in, hidden, n_out, connection="plain").n_params,
            "residual": MLP(n_in, [max(hidden)] * len(hidden), n_out,
                            connection="residual").n_params,
            "dense": MLP(n_in, hidden, n_out, connection="dense").n_params}


def gradient_summary(grad_mean_abs, floor=1e-12):
    """Per weight matrix (columns of ``history.grad_mean_abs``, fc1 first): the first epoch
    (counted from 1) from which its mean |gradient| stays below ``floor`` to the end (None if
    it never does), and its smallest mean |gradient| over the epochs."""
    g = np.asarray(grad_mean_abs, dtype=np.float64)
    low = g < floor
    stays = np.flip(np.logical_and.accumulate(np.flip(low, axis=0), axis=0), axis=0)
    first = [int(np.argmax(stays[:, j])) + 1 if stays[-1, j] else None
             for j in range(g.shape[1])]
    return first, g.min(axis=0)


def crossover_depth(depths, widths_a, widths_b, connection="dense"):
    """The first depth at which the net with hidden widths ``widths_a(depth)`` has more
    parameters than the one with ``widths_b(depth)`` (None if it never does)."""
    for d in depths:
        if (MLP(4, widths_a(d), 3, connection=connection).n_params
                > MLP(4, widths_b(d), 3, connection=connection).n_params):
            return int(d)
    return None
