"""Lesson 11: LeakyReLU and dead ReLUs. The activation and its derivative, and ``train_iris``:
one run of lesson 06's deep iris net with a chosen activation, optimiser or other fix."""
import numpy as np

from ..optim import make_optimizer
from .l06_vanishing import fit_iris


def leaky_relu(z, slope=0.25):
    """z where z > 0, slope * z elsewhere (slope 0 is ReLU, slope 1 the identity)."""
    z = np.asarray(z, dtype=np.float64)
    return np.where(z > 0, z, slope * z)


def leaky_relu_grad(z, slope=0.25):
    """1 where z > 0, slope elsewhere (at z = 0 we take the left value, like every library)."""
    z = np.asarray(z, dtype=np.float64)
    return np.where(z > 0, 1.0, slope)


def train_iris(activation="relu", depth=7, width=10, epochs=300, seed=0, slope=0.25,
               optimizer="adam", lr=1e-3, data=None, callback=None, **mlp_kw):
    """Lesson 06's ``fit_iris`` with lesson 11's choices: the activation (and LeakyReLU's
    ``slope``), ``depth`` hidden layers of ``width`` units, ``make_optimizer(optimizer, lr)``
    ("adam" or "momentum", the notes' two optimisers), 300 epochs. Extra keywords go to MLP
    (init, batch_norm, connection). Returns (model, history)."""
    return fit_iris(make_optimizer(optimizer, lr), [width] * depth, epochs=epochs, seed=seed,
                    data=data, callback=callback, activation=activation, slope=slope, **mlp_kw)
