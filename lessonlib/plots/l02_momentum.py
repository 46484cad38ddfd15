"""Lesson 02, the sin-logistic half: the loss surface of logit(p) = sin(b1 x1 x2 + b2 x2) at the
fixed ``LOSS_LEVELS`` (shared with lessons 04 and 05), ``redraw_loss_contours``, one run on three
Axes (``draw_sin_logistic_run``) and a row per run (``sin_logistic_runs_figure``)."""
import numpy as np

from ..recipes.l02_momentum import _inside
from ..recipes.toys import sin_logistic_proba
from .style import decision_map, new_figure

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
