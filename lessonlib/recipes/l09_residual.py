"""Lesson 09: residual connections (r_i = h_i + r_{i-1}). Training the lesson's iris net
(``train_iris``, ``seed_runs``), its test accuracy (``final_test_accuracy``, ``accuracy_line``),
the gradients of a fresh net, the share of dead ReLUs, and an explorer run's epoch budget.
Lesson 10 trains its dense nets with the same ``train_iris``."""
from functools import partial

import numpy as np

from ..models import MLP, never_positive
from ..optim import make_optimizer
from .l06_vanishing import fit_iris

OPTIMIZERS = {      # key: (label, factory)
    "momentum_0.05": ("SGD lr 0.05, momentum 0.9", partial(make_optimizer, "momentum", 0.05)),
    "momentum_0.005": ("SGD lr 0.005, momentum 0.9", partial(make_optimizer, "momentum", 0.005)),
    "adam_1e-3": ("Adam lr 1e-3", partial(make_optimizer, "adam", 1e-3)),
    "adam_1e-4": ("Adam lr 1e-4", partial(make_optimizer, "adam", 1e-4)),
}
LAYER_EPOCH_BUDGET = 40_000     # depth x epochs of one explorer run: 1000 layers get 40 epochs


def train_iris(hidden, connection="residual", optimizer="momentum_0.05", epochs=100, seed=0,
               data=None, batch_norm=False, callback=None):
    """Lesson 06's ``fit_iris`` with lesson 09's choices: the ``connection``, an optimiser by
    its key in OPTIMIZERS, and the test accuracy after every epoch (the 50 test flowers are the
    validation data). Returns (model, history)."""
    return fit_iris(OPTIMIZERS[optimizer][1](), hidden, epochs=epochs, seed=seed, data=data,
                    validate=True, callback=callback, connection=connection,
                    batch_norm=batch_norm)


def seed_runs(hidden, connection, seeds, optimizer="momentum_0.05", epochs=100, data=None):
    """train_iris for every seed -> list of (model, history)."""
    return [train_iris(hidden, connection, optimizer, epochs, seed, data) for seed in seeds]


def final_test_accuracy(history):
    """Accuracy on the 50 test flowers after the last epoch (nan if the run diverged)."""
    if history.diverged or history.val_accuracy is None or not len(history.val_accuracy):
        return float("nan")
    return float(history.val_accuracy[-1])


def accuracy_line(label, runs):
    """'label: 1.00 0.94 ... (learned: k of n)' where learned means test accuracy >= 0.9.
    ``runs``: a list of (model, history), or the final test accuracies themselves."""
    acc = np.array([final_test_accuracy(run[1]) if isinstance(run, tuple) else run
                    for run in runs], dtype=np.float64)
    learned = int(np.sum(acc >= 0.9))
    return (f"{label}: " + " ".join(f"{a:.2f}" for a in acc)
            + f"   (learned: {learned} of {len(acc)})")


def initial_gradients(hidden, connection, seed, X, y):
    """Mean |dL/dW| of every weight matrix (fc1 first) of a fresh net, before any training."""
    model = MLP(X.shape[1], list(hidden), 3, connection=connection, seed=seed)
    _, grads = model.loss_and_grads(X, y)
    return np.array([np.abs(grads[name]).mean() for name in model.weight_names])


def dead_fraction(model, X):
    """Fraction of the hidden ReLUs that output 0 for every row of X (their gradient is 0)."""
    return float(never_positive(model, X).sum() / sum(model.hidden))


def epochs_for(depth, epochs):
    """The epochs an explorer run gets: at most LAYER_EPOCH_BUDGET / depth (40 at 1000 layers),
    so that one click stays within a few seconds."""
    return int(min(epochs, max(1, LAYER_EPOCH_BUDGET // depth)))
