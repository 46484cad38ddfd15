"""Lesson 04: mini-batch SGD on the two-parameter sin-logistic model.

Builder (``__all__``): ``batch_size_explorer``. The data sets, grid and loss surface come from
``lessonlib.recipes.l02_momentum``, whether a path reached the true b from
``lessonlib.recipes.l04_minibatch``; the loss contours from ``lessonlib.plots.l02_momentum`` and
the full batch's colour from ``lessonlib.plots.l04_minibatch``.
"""
import numpy as np

from ..data import make_sin_logistic
from ..optim import SGD
from ..plots.l02_momentum import LOSS_LEVELS, redraw_loss_contours
from ..plots.l04_minibatch import FULL_COLOR
from ..plots.style import fit_step_axis, holds
from ..recipes.l02_momentum import DATA_SETS, grid_for, loss_surface
from ..recipes.l04_minibatch import reached
from ..recipes.toys import sin_logistic_descend, sin_logistic_loss
from ._base import (Explorer, diverged_banner, dropdown, log_slider, mark_diverged, new_figure,
                    slider)

__all__ = ["batch_size_explorer"]

MAX_STEPS = 1000     # the steps slider's largest value, where the step axis ends at most


# ---------------------------------------------------------------- the explorer

BATCH_SIZES = [1, 5, 10, 20, 30, 50, 100, 200, 500, 1000]


def batch_size_explorer(data="easy", batch_size=30, lr=0.1, momentum=0.9, steps=300, seed=0):
    """Mini-batch SGD on logit(p) = sin(b1 x1 x2 + b2 x2) from b = (0, 0): the path on the loss
    contour and the loss on all the data per iteration, beside full-batch gradient descent
    with the same learning rate and momentum (grey)."""
    problems, full_runs = {}, {}

    def problem(key):
        if key not in problems:
            true_b = DATA_SETS[key]
            X, y = make_sin_logistic(*true_b, seed=0)
            grid = grid_for(true_b)
            problems[key] = (X, y, grid, loss_surface(X, y, grid, grid), true_b,
                             sin_logistic_loss(true_b, X, y))
        return problems[key]

    def full_batch(key, lr, momentum, steps):
        # the grey reference depends on neither the batch size nor the seed: keep it
        cache_key = (key, lr, momentum, steps)
        if cache_key not in full_runs:
            X, y = problem(key)[:2]
            full_runs.clear()
            full_runs[cache_key] = sin_logistic_descend(X, y, SGD(lr=lr, momentum=momentum),
                                                        steps)
        return full_runs[cache_key]

    fig, (ax_c, ax_l) = new_figure(1, 2, figsize=(10.5, 4.7), width_ratios=(1.1, 1))
    contour = {"set": None, "data": None}
    (full_line,) = ax_c.plot([], [], "-", color=FULL_COLOR, lw=1.2, zorder=3,
                             label="full batch")
    (full_end,) = ax_c.plot([], [], "o", color=FULL_COLOR, mec="k", ms=6, zorder=4)
    (path_line,) = ax_c.plot([], [], "-", color="#ff3030", lw=1.0, alpha=0.9, zorder=3,
                             label="mini-batch")
    (end_point,) = ax_c.plot([], [], "o", color="#ff3030", mec="k", ms=7, zorder=5)
    (start_point,) = ax_c.plot([0.0], [0.0], "o", mfc="white", mec="k", ms=6, zorder=5,
                               label="start")
    (star,) = ax_c.plot([], [], "*", color="white", mec="k", ms=13, zorder=6, label="true b")
    ax_c.set_xlabel("b1")
    ax_c.set_ylabel("b2")
    c_title = ax_c.set_title("b\n(placeholder)", fontsize=10)
    banner = diverged_banner(ax_c)
    banner.set_fontsize(10)

    (full_loss,) = ax_l.plot([], [], color=FULL_COLOR, lw=1.2, label="full batch")
    (mini_loss,) = ax_l.plot([], [], color="#ff3030", lw=0.8, label="mini-batch")
    best_line = ax_l.axhline(0.5, color="0.3", ls="--", lw=0.8, label="at the true b")
    ax_l.set_xlabel("iteration (one mini-batch each)")
    ax_l.set_ylabel("loss on all 1000 points")
    # one legend for both panels, below them: off the paths and curves, it is drawn once
    # with the still part, not again on every move
    fig.legend(handles=[full_line, path_line, start_point, star, best_line],
               labels=["full batch", "mini-batch", "start", "true b",
                       "loss at the true b"],
               loc="lower center", ncol=5, fontsize=8, frameon=False)
    l_title = ax_l.set_title("loss\n(placeholder)", fontsize=10)

    def show_data(key):
        X, y, grid, L, true_b, best = problem(key)
        contour["set"] = redraw_loss_contours(ax_c, grid, L, contour["set"])
        star.set_data([true_b[0]], [true_b[1]])
        best_line.set_ydata([best, best])
        ax_c.set_xlim(grid[0], grid[-1])
        ax_c.set_ylim(grid[0], grid[-1])
        # the banner in the half of the map away from the true b's star
        star_up = (true_b[1] - grid[0]) / (grid[-1] - grid[0]) > 0.5
        banner.set_position((0.5, 0.45 if star_up else 0.8))
        contour["data"] = key

    show_data(data)
    fig.colorbar(contour["set"][0], ax=ax_c, label="loss", ticks=LOSS_LEVELS[::4])
    ax_l.set_xlim(0, 1000)      # laid out for the widest step axis: its "1000" fits the figure
    fig.tight_layout(rect=(0, 0.06, 1, 1))

    def update(data, batch_size, lr, momentum, steps, seed, progress=None):
        if contour["data"] != data:
            show_data(data)
        X, y, grid, _, true_b, best = problem(data)
        path, losses = sin_logistic_descend(X, y, SGD(lr=lr, momentum=momentum), steps,
                                            batch_size=batch_size, seed=seed)
        f_path, f_losses = full_batch(data, lr, momentum, steps)
        lo, hi = grid[0] - 1.0, grid[-1] + 1.0            # far enough to leave the axes
        for line, end, p in ((path_line, end_point, path), (full_line, full_end, f_path)):
            drawn = np.clip(np.nan_to_num(p, nan=hi), lo, hi)
            line.set_data(drawn[:, 0], drawn[:, 1])
            end.set_data(drawn[-1:, 0], drawn[-1:, 1])
        its = np.arange(steps + 1)
        mini_loss.set_data(its, losses)
        full_loss.set_data(its, f_losses)
        finite = np.concatenate([losses, f_losses, [best]])
        finite = finite[np.isfinite(finite)]
        # new limits redraw the whole figure (ticks and labels): rounded to 0.05 and kept while
        # they hold the curves with at most 0.1 to spare, most moves keep them, and only the
        # curves and texts are drawn again
        fit_step_axis(ax_l, steps, most=MAX_STEPS)
        needed = (min(finite.min(), best) - 0.02, max(finite.max(), 0.70) + 0.02)
        if not holds(ax_l.get_ylim(), needed, slack=0.1):
            ax_l.set_ylim(np.floor(needed[0] / 0.05) * 0.05, np.ceil(needed[1] / 0.05) * 0.05)
        b = path[-1]
        # only an end point outside the picture (or not finite) is hidden from the reader: a
        # path that wanders out and comes back is drawn clipped and needs no banner
        left = not np.all((b >= grid[0]) & (b <= grid[-1]))
        mark_diverged(ax_c, banner, left, f"The mini-batch path ends\noutside the plotted "
                                          f"region\n(at b = ({b[0]:.3g}, {b[1]:.3g}))")
        which = "full batch" if batch_size >= len(X) else f"batch {batch_size}, seed {seed}"
        there = "reached the true b" if reached(path, true_b) else "not at the true b"
        c_title.set_text(f"{which}: ends at b = ({b[0]:.2f}, {b[1]:.2f}), {there}\n"
                         f"lr {lr:.3g}, momentum {momentum:.2f}, {steps} iterations")
        l_title.set_text(f"final loss: mini-batch {losses[-1]:.4f}, full batch "
                         f"{f_losses[-1]:.4f}\n(at the true b: {best:.4f})")

    controls = {
        "data": dropdown("data", [("b = (0.7, 0.7)", "easy"), ("b = (2, 3)", "hard")], data),
        "batch_size": dropdown("batch size", [(f"{bs}" if bs < 1000 else "1000 (full batch)",
                                               bs) for bs in BATCH_SIZES], batch_size),
        "lr": log_slider("learning rate", lr, -2, 0.5, continuous=False),
        "momentum": slider("momentum ρ", momentum, 0.0, 0.99, 0.01, continuous=False),
        "steps": slider("iterations", steps, 50, MAX_STEPS, 50, continuous=False),
        "seed": slider("seed (batch order)", seed, 0, 29, 1, continuous=False),
    }
    # the paths, curves and texts move; the points and the dashed line drawn over them are
    # drawn again on top
    moving = [full_line, full_end, path_line, end_point, start_point, star,
              c_title, banner, full_loss, mini_loss, best_line, l_title]
    return Explorer(controls, fig, update,
                    title="Mini-batch SGD on logit(p) = sin(b1·x1·x2 + b2·x2)", moving=moving,
                    still=["data"])
