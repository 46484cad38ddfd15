"""Lesson 02: momentum on the two-parameter sin-logistic model. Its two data sets
(``DATA_SETS``), the b1, b2 grid a figure covers (``grid_for``), the loss over that grid
(``loss_surface``) and which iterates of a path lie on it (``_inside``); lesson 04 reuses them.
``final_b_over_seeds``: where gradient descent ends on many data seeds (the lesson's seed count).
The ravine (``RAVINE_CURVATURES``, ``ravine``, ``ravine_grad``), a narrow 2-D quadratic valley, and
``largest_root``: how fast momentum shrinks the error along one direction of a quadratic."""
import numpy as np

from ..data import make_sin_logistic
from ..optim import SGD, descend
from .toys import sin_logistic_grad, sin_logistic_surface


def loss_surface(X, y, b1_grid, b2_grid, rows=10):
    """sin_logistic_surface computed a few rows at a time (bounded memory on big grids)."""
    b2_grid = np.asarray(b2_grid, dtype=np.float64)
    return np.vstack([sin_logistic_surface(X, y, b1_grid, b2_grid[j:j + rows])
                      for j in range(0, len(b2_grid), rows)])


def grid_for(true_b):
    """The b1, b2 grid drawn for a data set: [-0.5, 2] as in the notes, wider when the true b
    lies outside it (b = (2, 3))."""
    hi = max(2.0, float(np.ceil(2 * max(true_b) + 1)) / 2)
    n = int(round((hi + 0.5) / 0.05)) + 1          # a grid step of 0.05
    return np.linspace(-0.5, hi, n)


def _inside(path, grid):
    return np.all((path >= grid[0]) & (path <= grid[-1]), axis=1)


DATA_SETS = {"easy": (0.7, 0.7), "hard": (2.0, 3.0)}


def final_b_over_seeds(true_b, seeds, momentum, lr=0.1, steps=100, b0=(0.0, 0.0)):
    """Where full-batch gradient descent (SGD(lr, momentum)) from b0 ends after ``steps``
    updates, on the 1000-point data set make_sin_logistic(*true_b, seed=s) of each seed s
    -> array (len(seeds), 2). Only the last iterate is kept (no losses): a cheap sweep."""
    ends = []
    for seed in seeds:
        X, y = make_sin_logistic(*true_b, seed=seed)
        path = descend(lambda b: sin_logistic_grad(b, X, y), np.array(b0, dtype=np.float64),
                       SGD(lr=lr, momentum=momentum), steps)
        ends.append(path[-1])
    return np.array(ends)


# ---------------------------------------------------------------- the ravine

# f(b) = (b1² + 25 b2²) / 2: a valley 5 times narrower across (b2) than along (b1), its floor the
# b1 axis; the curvature along each axis is the Hessian's eigenvalue there (condition number 25).
RAVINE_CURVATURES = np.array([1.0, 25.0])


def ravine(b):
    """(b1² + 25 b2²) / 2 for b of shape (..., 2)."""
    b = np.asarray(b, dtype=np.float64)
    return 0.5 * (b ** 2 @ RAVINE_CURVATURES)


def ravine_grad(b):
    return RAVINE_CURVATURES * np.asarray(b, dtype=np.float64)


def largest_root(lr, rho, curvature=2.0):
    """The larger |r| of r² - (1 - lr·curvature + rho) r + rho = 0: the factor per step by which
    heavy-ball momentum shrinks (< 1) or grows a quadratic's error along a direction of that
    curvature (2 for x², whose f' = 2x). rho = 0 is plain gradient descent, |1 - lr·curvature|."""
    return float(np.abs(np.roots([1.0, -(1 - lr * curvature + rho), rho])).max())
