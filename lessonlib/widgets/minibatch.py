"""Lesson 04: mini-batch SGD on the two-parameter sin-logistic model and on a small MLP.

Builder (``__all__``): ``batch_size_explorer``. The helpers below it make the lesson's static
figures: ``batch_gradients`` and ``draw_gradient_cloud`` (the noise of mini-batch gradients),
``final_points``, ``final_losses`` and ``draw_final_losses`` (the spread of the final loss
across batch sizes and seeds), ``draw_paths`` (optimiser paths on the loss contour) and
``draw_circle_run`` (a trained MLP's decision map) and ``smooth`` (a moving average).
``reached``, ``batch_gradients``, ``final_points``, ``final_losses`` and ``smooth`` live in
``lessonlib.recipes.l04_minibatch`` and are re-exported here.
"""
import numpy as np

from .. import plots
from ..data import make_sin_logistic
from ..functions import sin_logistic_descend, sin_logistic_loss
from ..optim import SGD
from ..recipes.l02_momentum import DATA_SETS, grid_for, loss_surface
from ..recipes.l04_minibatch import (batch_gradients, final_losses, final_points,  # noqa: F401
                                     reached, smooth)
from ._base import (Explorer, diverged_banner, dropdown, log_slider, mark_diverged, new_figure,
                    slider)
from .descent import LOSS_LEVELS, redraw_loss_contours

__all__ = ["batch_size_explorer"]

BATCH_COLORS = {1: "#8c564b", 5: "#9467bd", 10: "#ff7f0e", 20: "#ff7f0e", 30: "#d62728",
                50: "#e377c2", 100: "#2ca02c", 200: "#17becf", 300: "#17becf",
                500: "#1f77b4", 1000: "#1f77b4"}
FULL_COLOR = "0.25"


def batch_color(batch_size, n=1000):
    return FULL_COLOR if batch_size >= n else BATCH_COLORS.get(batch_size, "#d62728")


# ---------------------------------------------------------------- gradient noise

def draw_gradient_cloud(ax, grads, full, batch_size, n=1000):
    """The mini-batch gradients (k, 2) at one b as dots, the full-data gradient as a black dot."""
    ax.scatter(grads[:, 0], grads[:, 1], s=9, alpha=0.6, color=batch_color(batch_size, n), lw=0)
    ax.plot(*full, "o", color="k", ms=6)
    ax.axhline(0, color="0.7", lw=0.8, zorder=0)
    ax.axvline(0, color="0.7", lw=0.8, zorder=0)
    spread = np.sqrt(np.mean(np.sum((grads - full) ** 2, axis=1)))
    ax.set_title(f"batch {batch_size}: {len(grads)} gradients\n"
                 f"typical distance from the full gradient {spread:.3f}", fontsize=10)
    ax.set_xlabel("d loss / d b1")
    ax.set_ylabel("d loss / d b2")
    return spread


# ---------------------------------------------------------------- final loss across batch sizes

def draw_final_losses(ax, results, true_b, best_loss, stuck_loss=None, n=1000):
    """A strip per batch size: every seed's final loss (jittered sideways), with the count of
    runs that reached the true b. Returns the counts {batch_size: (hits, runs)}."""
    jitter = np.random.default_rng(0)
    counts = {}
    for i, (bs, (losses, finals)) in enumerate(results.items()):
        hits = np.linalg.norm(finals - np.asarray(true_b), axis=1) < 0.2
        xs = i + jitter.uniform(-0.22, 0.22, size=len(losses))
        color = batch_color(bs, n)
        ax.scatter(xs[hits], losses[hits], s=18, color=color, lw=0, alpha=0.85)
        ax.scatter(xs[~hits], losses[~hits], s=18, facecolor="none", edgecolor=color, lw=1)
        ax.text(i, 1.0, f"{hits.sum()}/{len(hits)}", transform=ax.get_xaxis_transform(),
                ha="center", va="bottom", fontsize=9, color=color)
        counts[bs] = (int(hits.sum()), len(hits))
    ax.axhline(best_loss, color="0.3", ls="--", lw=0.8, zorder=0)
    ax.annotate(f"loss at the true b: {best_loss:.3f}", (0.0, best_loss), xytext=(3, 3),
                xycoords=("axes fraction", "data"), textcoords="offset points", ha="left",
                fontsize=8, color="0.3")
    if stuck_loss is not None:
        ax.axhline(stuck_loss, color="0.3", ls=":", lw=0.8, zorder=0)
        ax.annotate(f"the dip near the start: {stuck_loss:.3f}", (0.0, stuck_loss),
                    xytext=(3, -3), xycoords=("axes fraction", "data"),
                    textcoords="offset points", ha="left", va="top", fontsize=8, color="0.3")
    ax.set_xticks(range(len(results)))
    ax.set_xticklabels([f"{bs}" if bs < n else f"{bs}\n(full)" for bs in results])
    ax.set_xlim(-0.6, len(results) - 0.4)
    ax.set_xlabel("batch size")
    ax.set_ylabel("final loss (all 1000 points)")
    return counts


# ---------------------------------------------------------------- paths on the loss contour

def draw_contour(ax, grid, L, true_b=None):
    """The loss surface from above (fixed levels, shared with lesson 02)."""
    filled = redraw_loss_contours(ax, grid, L)[0]
    if true_b is not None:
        ax.plot(*true_b, "*", color="white", mec="k", ms=13, zorder=6, label="true b")
    ax.set_xlim(grid[0], grid[-1])
    ax.set_ylim(grid[0], grid[-1])
    ax.set_xlabel("b1")
    ax.set_ylabel("b2")
    return filled


def draw_paths(ax, grid, L, paths, labels, colors, true_b=None):
    """Contour of the loss, then each path (start: white dot, end: coloured dot)."""
    filled = draw_contour(ax, grid, L, true_b)
    for path, label, color in zip(paths, labels, colors):
        drawn = np.clip(path, grid[0] - 1, grid[-1] + 1)
        ax.plot(drawn[:, 0], drawn[:, 1], "-", color=color, lw=1.2, alpha=0.9, zorder=3,
                label=label)
        ax.plot(*drawn[-1], "o", color=color, mec="k", ms=7, zorder=5)
    if paths:
        ax.plot(*paths[0][0], "o", mfc="white", mec="k", ms=6, zorder=5)
    return filled


# ---------------------------------------------------------------- the MLP of exercise 3

def draw_circle_run(ax_map, X, y, model, label, X_test=None, y_test=None):
    """The decision map of a trained model over the data (test points, if given, faint)."""
    plots.decision_map(ax_map, X, y, lambda G: plots.class1_proba(model, G))
    if X_test is not None:
        ax_map.scatter(X_test[:, 0], X_test[:, 1], s=2, lw=0, alpha=0.25,
                       c=[plots.CLASS_COLORS[k] for k in y_test], zorder=0)
    ax_map.set_title(label, fontsize=10)


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

    fig, (ax_c, ax_l) = new_figure(1, 2, figsize=(10.5, 4.4), width_ratios=(1.1, 1))
    contour = {"set": None, "data": None}
    (full_line,) = ax_c.plot([], [], "-", color=FULL_COLOR, lw=1.2, zorder=3,
                             label="full batch")
    (full_end,) = ax_c.plot([], [], "o", color=FULL_COLOR, mec="k", ms=6, zorder=4)
    (path_line,) = ax_c.plot([], [], "-", color="#ff3030", lw=1.0, alpha=0.9, zorder=3,
                             label="mini-batch")
    (end_point,) = ax_c.plot([], [], "o", color="#ff3030", mec="k", ms=7, zorder=5)
    ax_c.plot([0.0], [0.0], "o", mfc="white", mec="k", ms=6, zorder=5, label="start")
    (star,) = ax_c.plot([], [], "*", color="white", mec="k", ms=13, zorder=6, label="true b")
    ax_c.set_xlabel("b1")
    ax_c.set_ylabel("b2")
    ax_c.legend(loc="lower right", fontsize=8, framealpha=0.85)
    c_title = ax_c.set_title("b\n(placeholder)", fontsize=10)
    banner = diverged_banner(ax_c)
    banner.set_position((0.5, 0.9))
    banner.set_fontsize(10)

    (full_loss,) = ax_l.plot([], [], color=FULL_COLOR, lw=1.2, label="full batch")
    (mini_loss,) = ax_l.plot([], [], color="#ff3030", lw=0.8, label="mini-batch")
    best_line = ax_l.axhline(0.5, color="0.3", ls="--", lw=0.8, label="at the true b")
    ax_l.set_xlabel("iteration (one mini-batch each)")
    ax_l.set_ylabel("loss on all 1000 points")
    ax_l.legend(loc="upper right", fontsize=8)
    l_title = ax_l.set_title("loss\n(placeholder)", fontsize=10)

    def show_data(key):
        X, y, grid, L, true_b, best = problem(key)
        contour["set"] = redraw_loss_contours(ax_c, grid, L, contour["set"])
        star.set_data([true_b[0]], [true_b[1]])
        best_line.set_ydata([best, best])
        ax_c.set_xlim(grid[0], grid[-1])
        ax_c.set_ylim(grid[0], grid[-1])
        contour["data"] = key

    show_data(data)
    fig.colorbar(contour["set"][0], ax=ax_c, label="loss", ticks=LOSS_LEVELS[::4])
    fig.tight_layout()

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
        ax_l.set_xlim(0, max(steps, 1))
        finite = np.concatenate([losses, f_losses, [best]])
        finite = finite[np.isfinite(finite)]
        ax_l.set_ylim(min(finite.min(), best) - 0.02, max(finite.max(), 0.70) + 0.02)
        b = path[-1]
        left = not np.all((path >= grid[0]) & (path <= grid[-1]))
        mark_diverged(ax_c, banner, left, f"The mini-batch path left the plotted region\n"
                                          f"(it ends at b = ({b[0]:.3g}, {b[1]:.3g}))")
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
        "steps": slider("iterations", steps, 50, 1000, 50, continuous=False),
        "seed": slider("seed (batch order)", seed, 0, 29, 1, continuous=False),
    }
    return Explorer(controls, fig, update,
                    title="Mini-batch SGD on logit(p) = sin(b1·x1·x2 + b2·x2)")
