"""Lesson 11: LeakyReLU and dead ReLUs. The activation and its derivative, and ``train_iris``:
one run of lesson 06's deep iris net with a chosen activation, optimiser or other fix (it
differs from ``l09_residual.train_iris``)."""
import numpy as np

from .._blas import single_thread
from ..data import load_iris
from ..models import MLP
from ..optim import SGD, Adam


def leaky_relu(z, slope=0.25):
    """z where z > 0, slope * z elsewhere (slope 0 is ReLU, slope 1 the identity)."""
    z = np.asarray(z, dtype=np.float64)
    return np.where(z > 0, z, slope * z)


def leaky_relu_grad(z, slope=0.25):
    """1 where z > 0, slope elsewhere (at z = 0 we take the left value, like every library)."""
    z = np.asarray(z, dtype=np.float64)
    return np.where(z > 0, 1.0, slope)


def make_optimizer(name, lr):
    """"adam" -> Adam(lr); "sgd" -> SGD(lr, momentum 0.9), the notes' two optimisers."""
    return Adam(lr=lr) if name == "adam" else SGD(lr=lr, momentum=0.9)


def train_iris(activation="relu", depth=7, width=10, epochs=300, seed=0, slope=0.25,
               optimizer="adam", lr=1e-3, data=None, callback=None, **model_kw):
    """Lesson 06's setting: iris (100 train / 50 test, unscaled), ``depth`` hidden layers of
    ``width`` units, weights U(-0.01, 0.01), batch 20. Extra keywords go to MLP (init,
    batch_norm, connection). Returns (model, history)."""
    X, y, _, _ = load_iris() if data is None else data
    model = MLP(4, [width] * depth, 3, activation=activation, slope=slope, seed=seed, **model_kw)
    with single_thread():
        history = model.fit(X, y, make_optimizer(optimizer, lr), epochs=epochs, batch_size=20,
                            seed=seed, callback=callback)
    return model, history
