"""Lesson 12: weight decay (L2) and dropout against overfitting, on a few hundred digits.
The lesson's setting and ``train_digits`` (one run, with per-epoch training and test accuracy,
test loss and weight size)."""
import numpy as np

from .._blas import single_thread
from ..data import load_overfit_digits
from ..models import MLP
from ..optim import SGD

# The lesson's setting: 300 training digits, three hidden layers of 128 ReLUs, He initial
# weights, SGD with momentum, batch 30.
HIDDEN = (128, 128, 128)
LR, MOMENTUM, BATCH = 0.05, 0.9, 30


def cross_entropy(proba, y):
    """Mean -log p(true class), with p floored at 1e-12 so a confident mistake stays finite."""
    picked = proba[np.arange(len(y)), y]
    return float(-np.mean(np.log(np.maximum(picked, 1e-12))))


def weight_norm(model):
    """sqrt(sum of squared weights) over the weight matrices (what weight decay penalises)."""
    return float(np.sqrt(sum(float(np.sum(model.params[name] ** 2))
                             for name in model.weight_names)))


def train_digits(weight_decay=0.0, dropout=0.0, epochs=100, seed=0, hidden=HIDDEN, data=None,
                 n_test=None, callback=None):
    """Train the lesson's network on the overfitting digits (300 train / 1497 test).

    Every epoch, in inference mode (no dropout): accuracy on the training set and the test set
    (its first ``n_test`` rows, or all), the test cross-entropy and the weights' size.
    Returns (model, history, metrics), metrics a dict of per-epoch arrays: train_accuracy,
    test_accuracy, test_loss, weight_norm. ``callback(epoch, history)`` after each epoch, as
    ``MLP.fit`` calls it."""
    X, y, X_test, y_test = load_overfit_digits() if data is None else data
    if n_test is not None:
        X_test, y_test = X_test[:n_test], y_test[:n_test]
    model = MLP(X.shape[1], list(hidden), 10, activation="relu", init="he", dropout=dropout,
                seed=seed)
    metrics = {k: [] for k in ("train_accuracy", "test_accuracy", "test_loss", "weight_norm")}

    def record(epoch, history):
        metrics["train_accuracy"].append(float(np.mean(model.predict(X) == y)))
        proba = model.predict_proba(X_test)
        metrics["test_accuracy"].append(float(np.mean(np.argmax(proba, axis=1) == y_test)))
        metrics["test_loss"].append(cross_entropy(proba, y_test))
        metrics["weight_norm"].append(weight_norm(model))
        if callback is not None:
            callback(epoch, history)

    with single_thread(), np.errstate(all="ignore"):
        history = model.fit(X, y, SGD(lr=LR, momentum=MOMENTUM), epochs=epochs,
                            batch_size=BATCH, seed=seed, weight_decay=weight_decay,
                            callback=record)
    return model, history, {k: np.array(v) for k, v in metrics.items()}
