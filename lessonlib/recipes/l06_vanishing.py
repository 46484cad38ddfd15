"""Lesson 06: vanishing gradients. ``fit_iris``, the one trainer of the course's iris nets
(lessons 06 to 11 and their make scripts fix their settings around it), the explorer's
optimisers and epochs, ``notes_adam`` (the notes' Adam, MXNet's efficient form with their
eps, on our loss) and its ``NOTES_EPS``, ``activation_slope`` (f'(z) of an activation layer, for
the 0.5^n figure), and the helpers of the lesson's tables: ``confusion_table``, ``breakthrough_epoch``
(the first epoch below a loss level), ``write_runs`` and ``read_runs`` (the CSVs of
precomputed runs in data/, lessons 06 and 07) and ``read_curves`` (the ten-seed curves)."""
import csv
from functools import partial

import numpy as np

from .._blas import single_thread
from ..data import load_iris
from ..layers import ACTIVATIONS
from ..models import MLP
from ..optim import make_optimizer

EPOCHS = 100
IRIS_BATCH = 20         # the notes' batch size for iris: 5 batches per epoch
# The notes' loss is our cross-entropy / 3 (a mean over all N x 3 one-hot entries), and so is
# every gradient: their eps 1e-8 acts as 3e-8 on ours. And their Adam is MXNet's R mx.opt.adam,
# the paper's efficient order (eps on the raw moments, the bias correction in lr_t).
NOTES_EPS = 3e-8


def notes_adam(lr=0.001):
    """The lecture notes' Adam (MXNet's mx.opt.adam, lr 0.001, eps 1e-8 on their loss) on our
    loss: ``Adam(lr, eps=NOTES_EPS, efficient=True)``, i.e. the textbook rule with an eps of
    3e-8 / sqrt(1 - 0.999^t), 9.5e-7 in the first update, 4.8e-8 after 500. It differs from
    ``Adam(lr)`` only where gradients are near that eps or below."""
    return make_optimizer("adam", lr, eps=NOTES_EPS, efficient=True)

OPTIMIZERS = {      # the explorer's choices, key: (label, factory)
    "adam": ("Adam, lr 0.001", partial(make_optimizer, "adam", 0.001)),
    "momentum": ("SGD + momentum 0.9, lr 0.01", partial(make_optimizer, "momentum", 0.01)),
    "sgd": ("SGD, lr 0.01", partial(make_optimizer, "sgd", 0.01)),
}


def fit_iris(optimizer, hidden, *, epochs, seed, data=None, validate=False, callback=None,
             **mlp_kw):
    """Train ``MLP(4, hidden, 3, seed=seed, **mlp_kw)`` (ReLU, weights uniform on [-0.01, 0.01]
    unless ``mlp_kw`` says otherwise) with a fresh lessonlib ``optimizer`` on the 100 training
    flowers, batches of 20 in an order drawn with ``seed``, BLAS on one thread.

    ``data``: ``load_iris(seed=0)`` (unscaled, 100 train / 50 test) unless given.
    ``validate=True`` also records the training and test accuracy after every epoch
    (``history.train_accuracy``, ``history.val_accuracy``). Returns (model, history)."""
    X_train, y_train, X_test, y_test = load_iris(seed=0) if data is None else data
    model = MLP(4, hidden, 3, seed=seed, **mlp_kw)
    with single_thread():
        history = model.fit(X_train, y_train, optimizer, epochs=epochs, batch_size=IRIS_BATCH,
                            seed=seed, validation_data=(X_test, y_test) if validate else None,
                            callback=callback)
    return model, history


def activation_slope(activation, z):
    """f'(z) of lessonlib's ``activation`` layer ("sigmoid", "tanh", "relu", ...), read from its
    backward pass: the factor D = diag(f'(z)) that every layer puts into the chain rule."""
    layer = ACTIVATIONS[activation]()
    z = np.asarray(z, dtype=np.float64)
    layer.forward(z)
    return layer.backward(np.ones_like(z))


def read_curves(path):
    """The ten-seed curves of ``data/make_l06_iris_seeds.py`` (data/l06_iris_curves.npz):
    {depth: (grad (seeds, epochs, weight matrices), loss (seeds, epochs))}, as float64."""
    with np.load(path) as f:
        return {int(d): (f[f"grad_{d}"].astype(np.float64), f[f"loss_{d}"].astype(np.float64))
                for d in f["depths"]}


def confusion_table(y_pred, y_true, n_classes=3):
    """The confusion table as text: one row per *predicted* class that occurs (as R's
    ``table(pred, true)`` prints it), one column per true class; classes numbered from 1."""
    y_pred, y_true = np.asarray(y_pred), np.asarray(y_true)
    counts = np.zeros((n_classes, n_classes), dtype=int)
    np.add.at(counts, (y_pred, y_true), 1)
    head = "pred \\ true " + " ".join(f"{k + 1:>3d}" for k in range(n_classes))
    rows = [f"{p + 1:>11d} " + " ".join(f"{c:>3d}" for c in counts[p])
            for p in range(n_classes) if counts[p].any()]
    return "\n".join([head] + rows)


def breakthrough_epoch(history, level=1.0):
    """The first epoch (counted from 1) whose training loss is below ``level``, or None.
    Guessing 1/3 for every flower costs ln 3 = 1.099; below 1.0 the network has started to
    tell the species apart."""
    below = np.flatnonzero(np.asarray(history.loss) < level)
    return int(below[0]) + 1 if below.size else None


def write_runs(path, rows, columns):
    """A CSV of precomputed runs (data/l06_*.csv, data/l07_*.csv): a header of ``columns``, then
    one line per row (a dict, its values already formatted as the file should show them)."""
    with open(path, "w", newline="\n", encoding="utf-8") as f:
        writer = csv.DictWriter(f, columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def read_runs(path):
    """The rows of a CSV of precomputed runs (data/l06_*.csv, data/l07_*.csv) as dicts:
    whole numbers as int, other numbers as float, empty cells as None, text as str."""

    def value(text):
        if text == "":
            return None
        for kind in (int, float):
            try:
                return kind(text)
            except ValueError:
                pass
        return text

    with open(path, encoding="utf-8", newline="") as f:
        return [{key: value(text) for key, text in row.items()} for row in csv.DictReader(f)]
