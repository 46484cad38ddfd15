"""Lesson 00: one slider, to show how every explorer of the course works."""
import numpy as np

from .. import plots
from ..recipes.toys import square, square_grad
from ..optim import SGD, descend
from ._base import Explorer, diverged_banner, log_slider, mark_diverged, new_figure, slider

__all__ = ["start_here_explorer"]


def start_here_explorer(lr=0.1, steps=20):
    """Gradient descent on f(x) = x^2 from x = 1: move the learning rate and watch the path."""
    fig, ax = new_figure(figsize=(7, 3.2))
    xs = np.linspace(-2, 2, 201)
    curve, path_line, end_point = plots.function_with_path(ax, square, xs)
    curve.set_label("f(x) = x²")
    path_line.set_label("gradient descent")
    end_point.set_label("where it ends")
    end_point.set_zorder(6)                 # over the start marker when it ends there (lr 1)
    # the start, x = 1, never moves, but it is drawn over the path (so it is among the moving)
    (start_point,) = ax.plot([1.0], [square(1.0)], "o", mfc="white", mec=plots.GD_COLOR, ms=8,
                             zorder=5, label="start x = 1")
    # below the axes, where a path leaving the plot never hides behind it
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=4, fontsize=9,
              framealpha=0.9, columnspacing=1.2)
    ax.set_ylim(-0.2, 4.2)
    banner = diverged_banner(ax)
    title = ax.set_title("lr")              # a placeholder, so tight_layout leaves room for it
    fig.tight_layout()

    def update(lr, steps, progress=None):
        path = descend(square_grad, 1.0, SGD(lr=lr), steps)
        plots.set_path(path_line, end_point, np.clip(path, -1e6, 1e6), square)
        factor = 1.0 - 2.0 * lr             # each step multiplies x by it (lesson 00, cell 5)
        mark_diverged(ax, banner, abs(factor) > 1.0,
                      f"Diverging: |1 − 2 lr| = {abs(factor):.3g} > 1")
        plural = "" if steps == 1 else "s"
        title.set_text(f"lr = {lr:.3g}, factor 1 − 2 lr = {factor:+.3g}: "
                       f"x after {steps} step{plural} = {path[-1]:.4g}")

    controls = {"lr": log_slider("learning rate", lr, -3, 0.3, step=0.01),
                "steps": slider("steps", steps, 1, 50, 1)}
    return Explorer(controls, fig, update, title="Gradient descent on f(x) = x²",
                    moving=[path_line, end_point, start_point, title, banner,
                            ax.get_legend()])
