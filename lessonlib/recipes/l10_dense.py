"""Lesson 10: dense connections (r_i = h_i || r_{i-1}). The widths of a dense net that grows by
``growth`` units per layer, and the parameter counts of the plain, residual and dense nets of
that shape. Lesson 10 trains them with ``l09_residual.train_iris``."""
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
