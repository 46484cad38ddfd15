"""Lesson 10: the static figures of dense connections. ``draw_param_counts`` (the number of
parameters of nets of several shapes against their depth)."""
from ..models import MLP


def draw_param_counts(ax, depths, shapes):
    """shapes: [(label, depth -> hidden widths, connection, colour, line style)]; the number of
    parameters against the depth, log y."""
    for label, widths, connection, color, ls in shapes:
        counts = [MLP(4, widths(d), 3, connection=connection).n_params for d in depths]
        ax.plot(depths, counts, ls, color=color, lw=1.6, ms=3, label=label)
    ax.set_yscale("log")
    ax.set_xlabel("hidden layers")
    ax.set_ylabel("parameters")
