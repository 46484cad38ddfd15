"""Lesson 06: vanishing gradients. The lesson's optimisers and epochs, ``train_iris`` (one run
of the explorer's iris net), and the helpers of its tables: ``confusion_table``,
``breakthrough_epoch`` (the first epoch below a loss level) and ``read_runs`` (the CSVs of
precomputed runs in data/, lessons 06 and 07)."""
import numpy as np

from .._blas import single_thread
from ..data import load_iris
from ..models import MLP
from ..optim import SGD, Adam

EPOCHS = 100

OPTIMIZERS = {
    "adam": ("Adam, lr 0.001", lambda: Adam(lr=0.001)),
    "momentum": ("SGD + momentum 0.9, lr 0.01", lambda: SGD(lr=0.01, momentum=0.9)),
    "sgd": ("SGD, lr 0.01", lambda: SGD(lr=0.01)),
}


def train_iris(depth=7, activation="relu", init="uniform", optimizer="adam", seed=0,
               epochs=EPOCHS, data=None, callback=None):
    """The explorer's run: ``depth`` hidden layers of 10 units on iris (100 training flowers,
    unscaled), batch 20, ``seed`` for the weights and the batch order, ``optimizer`` a key of
    OPTIMIZERS. ``data``: load_iris(seed=0) unless given. Returns (model, history)."""
    X, y, _, _ = load_iris(seed=0) if data is None else data
    model = MLP(4, [10] * depth, 3, activation=activation, init=init, seed=seed)
    with single_thread():
        history = model.fit(X, y, OPTIMIZERS[optimizer][1](), epochs=epochs, batch_size=20,
                            seed=seed, callback=callback)
    return model, history


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


def read_runs(path):
    """The rows of a CSV of precomputed runs (data/l06_*.csv, data/l07_*.csv) as dicts:
    whole numbers as int, other numbers as float, empty cells as None, text as str."""
    import csv

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
