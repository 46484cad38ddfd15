"""Lesson 02: momentum on the two-parameter sin-logistic model. Its two data sets
(``DATA_SETS``), the b1, b2 grid a figure covers (``grid_for``), the loss over that grid
(``loss_surface``) and which iterates of a path lie on it (``_inside``); lesson 04 reuses them."""
import numpy as np

from .toys import sin_logistic_surface


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
