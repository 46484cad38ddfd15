"""Lesson 11: LeakyReLU and dead ReLUs. The activation and its derivative, ``train_iris``: one
run of lesson 06's deep iris net with a chosen activation, optimiser, loss or other fix, and
``standardized`` inputs, ``SoftmaxSquaredError`` (the loss family's row of the summary: squared error on the softmax
output instead of cross-entropy)."""
import numpy as np

from .._blas import single_thread
from ..data import load_iris
from ..optim import make_optimizer
from .l06_vanishing import IRIS_BATCH, fit_iris, notes_adam

LOSSES = ("cross_entropy", "squared_error")


def leaky_relu(z, slope=0.25):
    """z where z > 0, slope * z elsewhere (slope 0 is ReLU, slope 1 the identity)."""
    z = np.asarray(z, dtype=np.float64)
    return np.where(z > 0, z, slope * z)


def leaky_relu_grad(z, slope=0.25):
    """1 where z > 0, slope elsewhere (at z = 0 we take the left value, like every library)."""
    z = np.asarray(z, dtype=np.float64)
    return np.where(z > 0, 1.0, slope)


class SoftmaxSquaredError:
    """Train on the squared error 1/2 |p - onehot(y)|^2 (mean over the batch) of the softmax
    output p, instead of cross-entropy: the loss family's "before" of lesson 11.

    ``forward`` returns the batch's *cross-entropy*, so that the run's ``history.loss`` can be
    compared with every other run's; ``backward`` returns the gradient of the squared error,
    the loss this net is trained on: d/dz = p * (g - sum_k p_k g_k) / N with g = p - onehot."""

    def __init__(self):
        self._cache = None

    def forward(self, logits, y):
        z = logits - logits.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        rows = np.arange(len(y))
        self._cache = (p, rows, y)
        return float(-np.mean(np.log(np.maximum(p[rows, y], 1e-300))))

    def backward(self):
        if self._cache is None:
            raise RuntimeError("SoftmaxSquaredError.backward was called before forward")
        p, rows, y = self._cache
        g = p.copy()
        g[rows, y] -= 1.0                                   # d (1/2 |p - onehot|^2) / d p
        # back through the softmax: its Jacobian is diag(p) - p p^T
        return p * (g - np.sum(p * g, axis=1, keepdims=True)) / len(y)


def squared_error(model, X, y):
    """The mean squared error 1/2 |p - onehot(y)|^2 of a model's softmax output on (X, y)."""
    p = model.predict_proba(X)
    onehot = np.eye(p.shape[1])[y]
    return float(0.5 * np.mean(np.sum((p - onehot) ** 2, axis=1)))


def standardized(data):
    """(X_train, y_train, X_test, y_test) with every feature shifted and scaled to mean 0 and
    standard deviation 1 on the training set (the test set with the training set's numbers)."""
    X_train, y_train, X_test, y_test = data
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    return (X_train - mean) / std, y_train, (X_test - mean) / std, y_test


def train_iris(activation="relu", depth=7, width=10, epochs=300, seed=0, slope=0.25,
               optimizer="adam", lr=1e-3, data=None, callback=None, loss="cross_entropy",
               standardize=False, notes=False, **mlp_kw):
    """Lesson 06's ``fit_iris`` with lesson 11's choices: the activation (and LeakyReLU's
    ``slope``), ``depth`` hidden layers of ``width`` units, ``make_optimizer(optimizer, lr)``
    ("adam" or "momentum", the notes' two optimisers; ``notes=True`` with "adam": the notes'
    Adam on our loss, ``notes_adam(lr)``, MXNet's efficient form, in place of lessonlib's Adam
    with eps 1e-8), 300 epochs, and the ``loss`` it is
    trained on ("cross_entropy", or "squared_error" on the softmax output; history.loss is the
    cross-entropy either way). ``standardize=True`` trains on ``standardized(data)`` (the
    model then expects standardised inputs too). Extra keywords go to MLP (init, batch_norm,
    connection). Returns (model, history)."""
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {LOSSES}; got {loss!r}")
    if standardize:
        data = standardized(load_iris(seed=0) if data is None else data)
    if notes and optimizer != "adam":
        raise ValueError(f"notes=True is the notes' Adam: optimizer must be \"adam\", "
                         f"got {optimizer!r}")
    opt = notes_adam(lr) if notes else make_optimizer(optimizer, lr)
    kw = dict(data=data, activation=activation, slope=slope, **mlp_kw)
    if loss == "cross_entropy":
        return fit_iris(opt, [width] * depth, epochs=epochs, seed=seed, callback=callback, **kw)
    # the same untrained net as fit_iris would train, with the squared error as its loss (the
    # MLP has no loss option: it always builds a SoftmaxCrossEntropy, replaced here), then
    # fit_iris's own training call
    model, _ = fit_iris(opt, [width] * depth, epochs=0, seed=seed, **kw)
    model._loss = SoftmaxSquaredError()
    X_train, y_train, _, _ = load_iris(seed=0) if data is None else data
    with single_thread():
        history = model.fit(X_train, y_train, opt, epochs=epochs, batch_size=IRIS_BATCH,
                            seed=seed, callback=callback)
    return model, history
