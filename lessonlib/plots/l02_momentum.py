"""Lesson 02's figures. The 1-D half: plain gradient descent against momentum on the quartic
(``rolling_figure``) and x_t step by step (``trace_figure``). The sin-logistic half: the loss
surface of logit(p) = sin(b1 x1 x2 + b2 x2) at the fixed ``LOSS_LEVELS`` (shared with lessons 04
and 05), ``redraw_loss_contours``, the lesson's comparison of runs on one surface
(``compare_runs_figure``), one run on three Axes (``draw_sin_logistic_run``) and a row per run
(``sin_logistic_runs_figure``)."""
import numpy as np
from matplotlib import patheffects

from ..recipes.l02_momentum import _inside
from ..recipes.toys import quartic, sin_logistic_proba
from .l01_local_minima import FUNCTIONS, GD_COLOR, MOMENTUM_COLOR, draw_function_paths, draw_trace
from .style import decision_map, new_figure

# Plain gradient descent dashed, momentum solid: the pair differs in line style, not only colour.
RUN_STYLES = ({"color": GD_COLOR, "ls": "--"}, {"color": MOMENTUM_COLOR, "ls": "-"})
# A white edge keeps a path visible on every shade of the viridis loss map.
_HALO = [patheffects.withStroke(linewidth=4, foreground="white")]


def _style(label):
    return RUN_STYLES[1] if "momentum" in label else RUN_STYLES[0]


def trace_figure(function, runs, title, ylim, figsize=(8.5, 3.3)):
    """x_t against t for each (label, path) of ``runs`` on FUNCTIONS[function], with its
    stationary points; the legend in a row above the paths (leave room for it in ``ylim``)."""
    fig, ax = new_figure(figsize=figsize)
    lines = draw_trace(ax, [p for _, p in runs], [label for label, _ in runs],
                       colors=[_style(label)["color"] for label, _ in runs],
                       marks=FUNCTIONS[function]["marks"])
    for line, (label, _) in zip(lines, runs):
        line.set_linestyle(_style(label)["ls"])
    ax.set_ylim(*ylim)
    ax.legend(fontsize=8, loc="upper left", ncol=len(runs), framealpha=0.9)
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig


def rolling_figure(runs, shown):
    """The quartic with the first ``shown`` updates of each (label, path) drawn on the curve
    (left), and x_t of the whole paths (right), marking where the notes stop."""
    fig, (ax_f, ax_t) = new_figure(1, 2, figsize=(9, 3.5), width_ratios=(1, 1.15))
    labels = [label for label, _ in runs]
    _, artists = draw_function_paths(ax_f, quartic, np.linspace(-2.2, 0.7, 300),
                                     [p[:shown + 1] for _, p in runs], labels,
                                     colors=[_style(label)["color"] for label in labels])
    for (line, _), label in zip(artists, labels):
        line.set_linestyle(_style(label)["ls"])
    ax_f.set_xlim(-2.2, 0.7)
    ax_f.set_ylim(-0.8, 1.2)
    ax_f.legend(fontsize=8, loc="upper center")
    ax_f.set_title(f"on the curve: the first {shown} updates", fontsize=10)
    lines = draw_trace(ax_t, [p for _, p in runs], labels,
                       colors=[_style(label)["color"] for label in labels],
                       marks=FUNCTIONS["quartic"]["marks"])
    for line, label in zip(lines, labels):
        line.set_linestyle(_style(label)["ls"])
        line.set_markersize(2)
    ax_t.axvline(shown, color="0.2", ls=":", lw=1.2, label=f"{shown} updates (the notes)")
    ax_t.legend(fontsize=8, loc="lower right", framealpha=0.9, bbox_to_anchor=(1.0, 0.24))
    ax_t.set_title(f"x step by step, {len(runs[0][1]) - 1} updates", fontsize=10)
    fig.tight_layout()
    return fig

# Contour levels shared by both sin-logistic data sets (their losses lie in 0.46 .. 0.94).
LOSS_LEVELS = np.linspace(0.45, 0.95, 21)


def redraw_loss_contours(ax, grid, L, old=None):
    """Remove the contour artists ``old`` (when given) and draw the loss ``L`` over grid x grid
    as filled contours with thin lines, at the fixed LOSS_LEVELS (so one colour bar serves
    every data set). Returns the new artists, the filled set first."""
    for artist in old or ():
        artist.remove()
    B1, B2 = np.meshgrid(grid, grid)
    return [ax.contourf(B1, B2, L, levels=LOSS_LEVELS, cmap="viridis", extend="both", zorder=1),
            ax.contour(B1, B2, L, levels=LOSS_LEVELS, colors="k", linewidths=0.3, alpha=0.4,
                       zorder=2)]


def draw_sin_logistic_run(ax_map, ax_3d, ax_contour, X, y, grid, L, path, losses, true_b=None,
                          label=None):
    """One run of the sin-logistic model on three Axes: the decision map at the final b (with
    the points), the loss surface in 3-D and as a contour, both with the optimiser's path.
    ax_3d may be None. L is sin_logistic_surface(X, y, grid, grid)."""
    b = path[-1]
    decision_map(ax_map, X, y, lambda G: sin_logistic_proba(b, G))
    ax_map.set_title(f"{label + ': ' if label else ''}p(class 1) at b = ({b[0]:.2f}, {b[1]:.2f})",
                     fontsize=10)
    B1, B2 = np.meshgrid(grid, grid)
    shown = _inside(path, grid)
    if ax_3d is not None:
        ax_3d.computed_zorder = False
        ax_3d.plot_surface(B1, B2, L, cmap="viridis", vmin=LOSS_LEVELS[0], vmax=LOSS_LEVELS[-1],
                           rstride=1, cstride=1, linewidth=0, antialiased=False, alpha=0.85,
                           zorder=1)
        ax_3d.plot(path[shown, 0], path[shown, 1], losses[shown] + 0.004, color="#ff3030",
                   lw=2, zorder=5)
        ax_3d.scatter([path[0, 0]], [path[0, 1]], [losses[0] + 0.004], color="white",
                      edgecolor="k", s=30, zorder=6, depthshade=False)
        ax_3d.scatter([b[0]], [b[1]], [losses[-1] + 0.004], color="#ff3030", edgecolor="k",
                      s=40, zorder=6, depthshade=False)
        ax_3d.set_xlabel("b1", labelpad=-2)
        ax_3d.set_ylabel("b2", labelpad=-2)
        ax_3d.set_zlabel("loss", labelpad=-2)
        ax_3d.tick_params(labelsize=7, pad=0)
        ax_3d.view_init(elev=55, azim=-115)
        ax_3d.set_title(f"loss {losses[-1]:.4f} after {len(path) - 1} steps", fontsize=10)
    filled = ax_contour.contourf(B1, B2, L, levels=LOSS_LEVELS, cmap="viridis", extend="both")
    ax_contour.contour(B1, B2, L, levels=LOSS_LEVELS, colors="k", linewidths=0.3, alpha=0.4)
    ax_contour.plot(path[:, 0], path[:, 1], "-", color="#ff3030", lw=1.5)
    ax_contour.plot(*path[0], "o", mfc="white", mec="k", ms=6, label="start")
    ax_contour.plot(*b, "o", color="#ff3030", mec="k", ms=7, label="end")
    if true_b is not None:
        ax_contour.plot(*true_b, "*", color="white", mec="k", ms=13, label="true b")
    ax_contour.set_xlim(grid[0], grid[-1])
    ax_contour.set_ylim(grid[0], grid[-1])
    ax_contour.set_xlabel("b1")
    ax_contour.set_ylabel("b2")
    ax_contour.legend(loc="lower right", fontsize=8, framealpha=0.85)
    ax_contour.set_title("the same surface from above", fontsize=10)
    ax_contour.figure.colorbar(filled, ax=ax_contour, label="loss", ticks=LOSS_LEVELS[::4])
    return filled


def sin_logistic_runs_figure(X, y, grid, L, runs, true_b=None):
    """A row per run (label, path, losses): decision map | 3-D loss surface | contour."""
    fig, axes = new_figure(len(runs), 3, figsize=(11, 3.5 * len(runs)), squeeze=False,
                           width_ratios=(1, 1.05, 1.2))
    for row, (label, path, losses) in enumerate(runs):
        axes[row, 1].remove()
        ax_3d = fig.add_subplot(len(runs), 3, 3 * row + 2, projection="3d")
        draw_sin_logistic_run(axes[row, 0], ax_3d, axes[row, 2], X, y, grid, L, path, losses,
                              true_b=true_b, label=label)
    fig.tight_layout()
    return fig


def compare_runs_figure(X, y, grid, L, runs, true_b, best_loss):
    """Several runs (label, path, losses) on one sin-logistic surface. Top: the loss surface in
    3-D and from above, every path on both (plain GD dashed, momentum solid). Bottom: the
    decision map at each run's final b, and the loss per step against ``best_loss`` (the loss at
    the true b)."""
    n = len(runs)
    fig = new_figure(figsize=(9, 6.6))[0]
    fig.delaxes(fig.axes[0])
    gs = fig.add_gridspec(2, 2 * (n + 1), height_ratios=(1.1, 1))
    half = n + 1
    ax_3d = fig.add_subplot(gs[0, :half], projection="3d")
    ax_c = fig.add_subplot(gs[0, half:])
    bottom = [fig.add_subplot(gs[1, 2 * k:2 * k + 2]) for k in range(n + 1)]
    B1, B2 = np.meshgrid(grid, grid)
    ax_3d.computed_zorder = False
    ax_3d.plot_surface(B1, B2, L, cmap="viridis", vmin=LOSS_LEVELS[0], vmax=LOSS_LEVELS[-1],
                       rstride=1, cstride=1, linewidth=0, antialiased=False, alpha=0.8, zorder=1)
    filled = ax_c.contourf(B1, B2, L, levels=LOSS_LEVELS, cmap="viridis", extend="both")
    ax_c.contour(B1, B2, L, levels=LOSS_LEVELS, colors="k", linewidths=0.3, alpha=0.4)
    for label, path, losses in runs:
        style = _style(label)
        shown = _inside(path, grid)
        ax_3d.plot(path[shown, 0], path[shown, 1], losses[shown] + 0.005, lw=2, zorder=5,
                   path_effects=_HALO, **style)
        ax_3d.scatter([path[-1, 0]], [path[-1, 1]], [losses[-1] + 0.005], color=style["color"],
                      edgecolor="k", s=30, zorder=6, depthshade=False)
        ax_c.plot(path[:, 0], path[:, 1], lw=1.8, label=label, path_effects=_HALO, **style)
        ax_c.plot(*path[-1], "o", color=style["color"], mec="k", ms=7)
    start = runs[0][1][0]
    ax_c.plot(*start, "o", mfc="white", mec="k", ms=7, label="start", zorder=5)
    ax_c.plot(*true_b, "*", color="white", mec="k", ms=14, label="true b", zorder=5)
    ax_c.set_xlim(grid[0], grid[-1])
    ax_c.set_ylim(grid[0], grid[-1])
    ax_c.set_xlabel("b1")
    ax_c.set_ylabel("b2")
    ax_c.legend(loc="lower right", fontsize=8, framealpha=0.85)
    ax_c.set_title("from above (the dots: where each run ends)", fontsize=10)
    fig.colorbar(filled, ax=ax_c, label="loss", ticks=LOSS_LEVELS[::4])
    ax_3d.set_xlabel("b1", labelpad=-4)
    ax_3d.set_ylabel("b2", labelpad=-4)
    ax_3d.set_zlabel("loss", labelpad=-4)
    ax_3d.tick_params(labelsize=7, pad=-1)
    ax_3d.view_init(elev=55, azim=-115)
    ax_3d.set_box_aspect(None, zoom=1.2)
    ax_3d.set_title("the loss surface, paths as on the right", fontsize=10)
    for ax, (label, path, _) in zip(bottom, runs):
        b = path[-1]
        decision_map(ax, X, y, lambda G, b=b: sin_logistic_proba(b, G))
        ax.set_title(f"{label}: p(class 1) at b = ({b[0]:.2f}, {b[1]:.2f})", fontsize=9)
        ax.tick_params(labelsize=8)
    ax_l = bottom[-1]
    for label, path, losses in runs:
        ax_l.plot(np.arange(len(losses)), losses, lw=1.8, label=label, **_style(label))
    ax_l.axhline(best_loss, color="0.3", ls=":", lw=1.2, label="at the true b")
    ax_l.set_xlabel("step")
    ax_l.set_ylabel("loss")
    ax_l.legend(fontsize=8, loc="upper right", framealpha=0.9)
    ax_l.set_title("loss step by step", fontsize=10)
    ax_l.tick_params(labelsize=8)
    fig.tight_layout()
    return fig
