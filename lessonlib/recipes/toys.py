"""The small problems of lessons 01-05: a non-convex quartic and the sin-logistic model.

The sin-logistic model has two parameters b = (b1, b2):
    logit(p) = sin(b1 x1 x2 + b2 x2),   loss = mean cross-entropy(y, p),
    d loss / d b1 = mean((p - y) cos(b1 x1 x2 + b2 x2) x1 x2),
    d loss / d b2 = mean((p - y) cos(b1 x1 x2 + b2 x2) x2).
"""
import numpy as np

from .._checks import as_rng, check_int
from ..data import batch_indices
from ..optim import Optimizer


def quartic(x):
    """f(x) = x^4 + 3x^3 + 2x^2: a local minimum at 0, the global one near -1.64."""
    x = np.asarray(x, dtype=np.float64)
    return x ** 4 + 3 * x ** 3 + 2 * x ** 2


def quartic_grad(x):
    """f'(x) = 4x + 9x^2 + 4x^3."""
    x = np.asarray(x, dtype=np.float64)
    return 4 * x + 9 * x ** 2 + 4 * x ** 3


def square(x):
    """f(x) = x^2, convex: one minimum at 0."""
    return np.asarray(x, dtype=np.float64) ** 2


def square_grad(x):
    return 2 * np.asarray(x, dtype=np.float64)


def _logit(b, X):
    return np.sin(b[0] * X[:, 0] * X[:, 1] + b[1] * X[:, 1])


def sin_logistic_proba(b, X):
    """p = sigmoid(sin(b1 x1 x2 + b2 x2)) for X (N, 2) -> (N,)."""
    return 0.5 * (1.0 + np.tanh(0.5 * _logit(b, X)))


def sin_logistic_loss(b, X, y):
    """Mean cross-entropy of the sin-logistic model at b = (b1, b2)."""
    z = _logit(b, X)
    # log(1 + e^z) - y z is the cross-entropy written with logaddexp: no log(0) ever.
    return float(np.mean(np.logaddexp(0.0, z) - y * z))


def sin_logistic_grad(b, X, y):
    """(d loss / d b1, d loss / d b2) as an array of shape (2,)."""
    return _grad_on(b, X[:, 0], X[:, 1], y)


def sin_logistic_surface(X, y, b1_grid, b2_grid):
    """Loss on a grid: L[j, i] = loss at (b1_grid[i], b2_grid[j]) (rows follow b2, as contour wants)."""
    b1_grid = np.asarray(b1_grid, dtype=np.float64)
    b2_grid = np.asarray(b2_grid, dtype=np.float64)
    x1x2, x2 = X[:, 0] * X[:, 1], X[:, 1]
    # (n_b2, n_b1, N) at once: the surface of lesson 02 is 50 x 50 x 1000, 20 MB, fast.
    z = np.sin(b1_grid[None, :, None] * x1x2 + b2_grid[:, None, None] * x2)
    return np.mean(np.logaddexp(0.0, z) - y * z, axis=2)


def sin_logistic_descend(X, y, optimizer, steps, b0=(0.0, 0.0), batch_size=None, seed=0):
    """Optimise b from b0 for ``steps`` updates -> (path (steps + 1, 2), full-data losses).

    batch_size=None uses every point (gradient descent); otherwise each update uses the next
    mini-batch of one permutation per epoch (drawn with ``seed``).
    """
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be a lessonlib.optim optimiser; got {optimizer!r}")
    steps = check_int("steps", steps, low=0)
    n = len(X)
    batch_size = n if batch_size is None else min(check_int("batch_size", batch_size, low=1), n)
    rng = as_rng(seed)
    optimizer.reset()
    b = np.array(b0, dtype=np.float64)
    path = np.empty((steps + 1, 2))
    path[0] = b
    # contiguous columns: the explorers run this on every move, and the same products on
    # contiguous copies are the same numbers as on X's strided columns, only faster
    x1, x2 = np.ascontiguousarray(X[:, 0]), np.ascontiguousarray(X[:, 1])
    batches = iter(())
    with np.errstate(all="ignore"):
        for t in range(1, steps + 1):
            idx = next(batches, None)
            if idx is None:
                batches = batch_indices(n, batch_size, rng)
                idx = next(batches)
            optimizer.step({"b": b}, {"b": _grad_on(b, x1[idx], x2[idx], y[idx])})
            path[t] = b
        losses = _losses_along(path, X, y)
    return path, losses


def _grad_on(b, x1, x2, y):
    """The gradient on columns x1, x2 (contiguous copies are faster than X's strided columns
    and give the same numbers): p as sin_logistic_proba computes it, from the inner sum
    computed once."""
    inner = b[0] * x1 * x2 + b[1] * x2
    p = 0.5 * (1.0 + np.tanh(0.5 * np.sin(inner)))
    common = (p - y) * np.cos(inner)
    # np.mean of a 1-D float64 array is np.add.reduce / n: the same number, less overhead
    n = len(common)
    return np.array([np.add.reduce(common * x1 * x2) / n, np.add.reduce(common * x2) / n])


def _losses_along(path, X, y):
    """sin_logistic_loss at every row of path, in one pass over (rows, N) arrays: the same
    operations in the same order per row, so the same numbers as the loop, several times
    faster (an explorer computes 300-1000 of them per move)."""
    z = np.sin(path[:, :1] * X[:, 0] * X[:, 1] + path[:, 1:] * X[:, 1])
    return np.mean(np.logaddexp(0.0, z) - y * z, axis=1)


def blew_up(path, bound):
    """True if any iterate of a path (1-D, or one row per iterate) is non-finite or farther than
    ``bound`` from 0 in a coordinate: the lessons' "it diverged" for toy problems."""
    path = np.asarray(path, dtype=np.float64)
    return bool(not np.isfinite(path).all() or np.abs(path).max() > bound)
