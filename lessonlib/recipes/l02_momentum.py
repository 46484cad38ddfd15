"""Lesson 02: momentum on the two-parameter sin-logistic model. Its two data sets
(``DATA_SETS``), the b1, b2 grid a figure covers (``grid_for``), the loss over that grid
(``loss_surface``) and which iterates of a path lie on it (``_inside``); lesson 04 reuses them.
``final_b_over_seeds``: where gradient descent ends on many data seeds (the lesson's seed count)."""
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
