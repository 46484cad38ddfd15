"""Lesson 10: dense connections (r_i = r_{i-1} || h_i = h_1 || ... || h_i, lessonlib's column
order). The widths of a dense net that grows by ``growth`` units per layer, the parameter
counts of the plain, residual and dense nets of that shape, the depth where one shape's count
overtakes another's, and a summary of a run's per-layer gradients. Lesson 10 trains its nets
with ``l09_residual.train_iris``."""
import numpy as np

from ..models import MLP


def dense_widths(depth, growth, first=3):
    """Hidden widths first, first + growth, first + 2 growth, ... (depth of them)."""
    return [first + growth * i for i in range(depth)]


def param_counts(hidden, n_in=4, n_out=3):
    """{connection: model.n_params} for a net of these hidden widths. A residual net needs equal
    widths: its entry uses every layer at the widest width of ``hidden``."""
    return {"plain": MLP(n_in, hidden, n_out, connection="plain").n_params,
            "residual": MLP(n_in, [max(hidden)] * len(hidden), n_out,
                            connection="residual").n_params,
            "dense": MLP(n_in, hidden, n_out, connection="dense").n_params}


def gradient_summary(grad_mean_abs, floor=1e-12):
    """Per weight matrix (columns of ``history.grad_mean_abs``, fc1 first): the first epoch
    (counted from 1) from which its mean |gradient| stays at or below ``floor`` to the end
    (None if it never does), and its smallest mean |gradient| over the epochs."""
    g = np.asarray(grad_mean_abs, dtype=np.float64)
    low = g <= floor
    stays = np.flip(np.logical_and.accumulate(np.flip(low, axis=0), axis=0), axis=0)
    first = [int(np.argmax(stays[:, j])) + 1 if stays[-1, j] else None
             for j in range(g.shape[1])]
    return first, g.min(axis=0)


def crossover_depth(depths, widths_a, widths_b, connection="dense"):
    """The first depth at which the net with hidden widths ``widths_a(depth)`` has more
    parameters than the one with ``widths_b(depth)`` (None if it never does)."""
    for d in depths:
        if (MLP(4, widths_a(d), 3, connection=connection).n_params
                > MLP(4, widths_b(d), 3, connection=connection).n_params):
            return int(d)
    return None
