"""Lesson 02's figures. The 1-D half: plain gradient descent against momentum on the quartic
(``rolling_figure``) and x_t step by step (``trace_figure``). The sin-logistic half: the loss
surface of logit(p) = sin(b1 x1 x2 + b2 x2) at the fixed ``LOSS_LEVELS`` (shared with lessons 04
and 05), ``redraw_loss_contours``, the lesson's comparison of runs on one surface
(``compare_runs_figure``), the learner's runs of exercises 2a and 2b on lessonlib's
(``your_runs_figure``), one run on three Axes (``draw_sin_logistic_run``) and a row per run
(``sin_logistic_runs_figure``). The decision maps carry a p(class 1) colour bar and a class
legend (``map_colorbar``, ``class_legend``). The 2-D ravine: ``ravine_figure`` (plain gradient
descent zig-zagging against momentum on a narrow quadratic valley); and ``roots_figure`` (the
larger |r| against the learning rate on x², for several rho)."""
import numpy as np
from matplotlib import patheffects

from matplotlib.lines import Line2D

from ..recipes.l02_momentum import _inside, ravine
from ..recipes.toys import quartic, sin_logistic_proba
from .l01_local_minima import FUNCTIONS, GD_COLOR, MOMENTUM_COLOR, draw_function_paths, draw_trace
from .style import CLASS_COLORS, decision_map, fit_log_axis, new_figure

# Plain gradient descent dashed, momentum solid: the pair differs in line style, not only colour.
RUN_STYLES = ({"color": GD_COLOR, "ls": "--"}, {"color": MOMENTUM_COLOR, "ls": "-"})
# A white edge keeps a path visible on every shade of the viridis loss map.
_HALO = [patheffects.withStroke(linewidth=4, foreground="white")]


# A third run (a larger momentum) when a figure compares two momenta: Okabe-Ito bluish green,
# dotted.
THIRD_STYLE = {"color": "#009E73", "ls": ":"}


def _style(label):
    return RUN_STYLES[1] if "momentum" in label else RUN_STYLES[0]


def _styles(labels):
    """Plain GD dashed, the first momentum run solid, any later one dotted green."""
    styles, momenta = [], 0
    for label in labels:
        if "momentum" in label:
            styles.append(RUN_STYLES[1] if momenta == 0 else THIRD_STYLE)
            momenta += 1
        else:
            styles.append(RUN_STYLES[0])
    return styles


def trace_figure(function, runs, title, ylim, figsize=(8.5, 3.3)):
    """x_t against t for each (label, path) of ``runs`` on FUNCTIONS[function], with its
    stationary points; the legend in a row above the paths (leave room for it in ``ylim``)."""
    fig, ax = new_figure(figsize=figsize)
    lines = draw_trace(ax, [p for _, p in runs], [label for label, _ in runs],
                       colors=[_style(label)["color"] for label, _ in runs],
                       marks=FUNCTIONS[function]["marks"], mark_labels="outside")
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


def compare_runs_figure(X, y, grid, L, runs, true_b, best_loss, true_map=False, zoom=None):
    """Several runs (label, path, losses) on one sin-logistic surface. Top: the loss surface in
    3-D and from above, every path on both (plain GD dashed, momentum solid). Bottom: the
    decision map at each run's final b (and at the true b, ``true_map``), with a class legend
    and a p(class 1) colour bar, and the loss per step against ``best_loss`` (the loss at the
    true b). ``zoom`` = (b1 limits, b2 limits): an inset magnifying that part of the
    surface from above."""
    maps = [(label, path[-1]) for label, path, _ in runs]
    if true_map:
        maps.append(("true b", np.asarray(true_b, dtype=np.float64)))
    m = len(maps)
    fig = new_figure(figsize=(9, 6.6))[0]
    fig.delaxes(fig.axes[0])
    gs = fig.add_gridspec(2, 2 * (m + 1), height_ratios=(1.1, 1))
    half = m + 1
    ax_3d = fig.add_subplot(gs[0, :half], projection="3d")
    ax_c = fig.add_subplot(gs[0, half:])
    bottom = [fig.add_subplot(gs[1, 2 * k:2 * k + 2]) for k in range(m + 1)]
    B1, B2 = np.meshgrid(grid, grid)
    ax_3d.computed_zorder = False
    ax_3d.plot_surface(B1, B2, L, cmap="viridis", vmin=LOSS_LEVELS[0], vmax=LOSS_LEVELS[-1],
                       rstride=1, cstride=1, linewidth=0, antialiased=False, alpha=0.8, zorder=1)
    filled = ax_c.contourf(B1, B2, L, levels=LOSS_LEVELS, cmap="viridis", extend="both")
    ax_c.contour(B1, B2, L, levels=LOSS_LEVELS, colors="k", linewidths=0.3, alpha=0.4)
    # Plain GD's path is short and lies under the start of momentum's: draw it on top, with a
    # dot per step, and magnify the start in an inset (``zoom``: (b1 limits, b2 limits)).
    ax_z = None
    if zoom is not None:
        ax_z = ax_c.inset_axes([0.03, 0.57, 0.36, 0.4])
        ax_z.contourf(B1, B2, L, levels=LOSS_LEVELS, cmap="viridis", extend="both")
        ax_z.set_xlim(*zoom[0])
        ax_z.set_ylim(*zoom[1])
        ax_z.set_xticks([])
        ax_z.set_yticks([])
        ax_c.indicate_inset_zoom(ax_z, edgecolor="white", alpha=0.9)
    start = runs[0][1][0]
    for label, path, losses in runs:
        style = _style(label)
        plain = "momentum" not in label
        on_top = 2 if plain else 0
        shown = _inside(path, grid)
        ax_3d.plot(path[shown, 0], path[shown, 1], losses[shown] + 0.005, lw=2,
                   zorder=5 + on_top, path_effects=_HALO, **style)
        ax_3d.scatter([path[-1, 0]], [path[-1, 1]], [losses[-1] + 0.005], color=style["color"],
                      edgecolor="k", s=30, zorder=6 + on_top, depthshade=False)
        for ax in (ax_c, ax_z):
            if ax is None:
                continue
            ax.plot(path[:, 0], path[:, 1], lw=1.8, path_effects=_HALO, zorder=3 + on_top,
                    **style)
            if plain:         # a dot per step, without the halo
                ax.plot(path[:, 0], path[:, 1], "o", ms=3, color=style["color"], mec="white",
                        mew=0.4, zorder=3 + on_top)
            ax.plot(*path[-1], "o", color=style["color"], mec="k", ms=7, zorder=4 + on_top)
            if ax is ax_c:    # the legend's entry: the line, with the dots for plain GD
                ax.plot([], [], lw=1.8, label=label, marker="o" if plain else None, ms=3,
                        **style)
    for ax in (ax_c, ax_z):
        if ax is not None:
            ax.plot(*start, "o", mfc="white", mec="k", ms=9, label="start", zorder=2)
    ax_c.plot(*true_b, "*", color="white", mec="k", ms=14, label="true b", zorder=5)
    ax_c.set_xlim(grid[0], grid[-1])
    ax_c.set_ylim(grid[0], grid[-1])
    ax_c.set_xlabel("b1")
    ax_c.set_ylabel("b2")
    ax_c.legend(loc="lower right", fontsize=8, framealpha=0.85)
    ax_c.set_title("from above (big dots: the ends; inset: the start)" if zoom is not None
                   else "from above (the dots: where each run ends)", fontsize=10)
    fig.colorbar(filled, ax=ax_c, label="loss", ticks=LOSS_LEVELS[::4])
    ax_3d.set_xlabel("b1", labelpad=-4)
    ax_3d.set_ylabel("b2", labelpad=-4)
    ax_3d.set_zlabel("loss", labelpad=-4)
    ax_3d.tick_params(labelsize=7, pad=-1)
    ax_3d.view_init(elev=55, azim=-115)
    ax_3d.set_box_aspect(None, zoom=1.2)
    ax_3d.set_title("the loss surface, paths as on the right", fontsize=10)
    for ax, (label, b) in zip(bottom, maps):
        image = decision_map(ax, X, y, lambda G, b=b: sin_logistic_proba(b, G))[0]
        ax.set_title(f"{label}: p(class 1) at b = ({b[0]:.2f}, {b[1]:.2f})", fontsize=9)
        ax.tick_params(labelsize=8)
    class_legend(bottom[0])
    map_colorbar(fig, image, bottom[m - 1])
    ax_l = bottom[-1]
    for label, path, losses in runs:
        ax_l.plot(np.arange(len(losses)), losses, lw=1.8, label=label, **_style(label))
    ax_l.axhline(best_loss, color="0.3", ls=":", lw=1.2, label="at the true b")
    ax_l.set_xlabel("step")
    ax_l.set_ylabel("loss")
    # between the curves: at the top a run that never leaves log 2 would lie under it
    ax_l.legend(fontsize=8, loc="center right", framealpha=0.9)
    ax_l.set_title("loss step by step", fontsize=10)
    ax_l.tick_params(labelsize=8)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------- exercises 2a and 2b together

# The learner's path: Okabe-Ito orange dots with a black edge (seen on every shade of viridis),
# one per update, over lessonlib's lines.
YOURS_STYLE = dict(ls="none", marker="o", ms=3.2, color="#E69F00", mec="k", mew=0.4)


def your_runs_figure(grid, L, runs, true_b, zoom):
    """The notes' exercise 1 run with the learner's answers (``exercises.heavy_ball.
    lesson_runs``): [(label, lessonlib's path, the learner's path or None)]. lessonlib's paths as
    lines (plain GD dashed, momentum solid) over the loss contours, the learner's as orange
    dots on them; the whole surface (left) and ``zoom`` = (b1 limits, b2 limits), around the
    start where plain GD stops (right)."""
    fig, axes = new_figure(1, 2, figsize=(9, 3.9), width_ratios=(1, 1))
    B1, B2 = np.meshgrid(grid, grid)
    yours = [mine for _, _, mine in runs if mine is not None]
    for ax, limits in zip(axes, (((grid[0], grid[-1]),) * 2, zoom)):
        filled = ax.contourf(B1, B2, L, levels=LOSS_LEVELS, cmap="viridis", extend="both")
        ax.contour(B1, B2, L, levels=LOSS_LEVELS, colors="k", linewidths=0.3, alpha=0.4)
        for (label, path, _), style in zip(runs, _styles([label for label, _, _ in runs])):
            if "momentum" in label:
                ax.plot(path[:, 0], path[:, 1], lw=1.8, path_effects=_HALO, zorder=3,
                        label=f"{label} (lessonlib)", **style)
            else:             # short: a dot per step, as in compare_runs_figure
                ax.plot(path[:, 0], path[:, 1], lw=1.8, path_effects=_HALO, zorder=3, **style)
                ax.plot(path[:, 0], path[:, 1], "o", ms=3, color=style["color"], mec="white",
                        mew=0.4, zorder=3)
                ax.plot([], [], lw=1.8, marker="o", ms=3, label=f"{label} (lessonlib)", **style)
        for k, mine in enumerate(yours):
            ax.plot(mine[:, 0], mine[:, 1], zorder=4, label="yours" if k == 0 else None,
                    **YOURS_STYLE)
        ax.plot(*runs[0][1][0], "o", mfc="white", mec="k", ms=8, zorder=5, label="start")
        ax.plot(*true_b, "*", color="white", mec="k", ms=13, zorder=5, label="true b")
        ax.set_xlim(*limits[0])
        ax.set_ylim(*limits[1])
        ax.set_xlabel("b1")
        ax.tick_params(labelsize=8)
    axes[0].set_ylabel("b2")
    axes[0].indicate_inset((zoom[0][0], zoom[1][0], zoom[0][1] - zoom[0][0],
                            zoom[1][1] - zoom[1][0]), edgecolor="white", alpha=0.9)
    axes[0].legend(loc="lower right", fontsize=8, framealpha=0.85)
    axes[0].set_title("your paths (dots) on lessonlib's (lines)" if yours else
                      "lessonlib's paths (yours: once both checks pass)", fontsize=10)
    axes[1].set_title("the white box: the start, where plain GD stops", fontsize=10)
    fig.colorbar(filled, ax=axes[1], label="loss", ticks=LOSS_LEVELS[::4])
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------- decision-map keys

def class_legend(ax, **kw):
    """A legend naming the points' colours (the classes), top left of a decision map."""
    handles = [Line2D([], [], ls="", marker="o", ms=4, color=CLASS_COLORS[k], label=f"class {k}")
               for k in (0, 1)]
    return ax.legend(handles=handles, **{"loc": "upper left", "fontsize": 7, "framealpha": 0.9,
                                         "handletextpad": 0.1, "borderpad": 0.3, **kw})


def map_colorbar(fig, image, ax):
    """The colour bar of a decision map's background, p(class 1), beside the map ``ax``."""
    bar = fig.colorbar(image, ax=ax, ticks=[0, 0.5, 1], fraction=0.06, aspect=25, pad=0.03)
    bar.ax.set_yticklabels(["0\nclass 0", "0.5", "1\nclass 1"], fontsize=7)
    bar.set_label("p(class 1)", fontsize=8, labelpad=-4)
    return bar


# ---------------------------------------------------------------- the ravine and the roots

def ravine_figure(runs, shown, b1_range=(-10.0, 6.0), b2_range=(-1.5, 1.3)):
    """Top: the first ``shown`` updates of each (label, path) on the contours of the ravine
    (b1² + 25 b2²)/2, drawn to scale (one unit of b1 as long as one of b2); bottom: each path's
    distance to the minimum (0, 0) against the step, on a log axis, the whole path."""
    fig, (ax_c, ax_d) = new_figure(2, 1, figsize=(8.5, 5.0), height_ratios=(1, 1.45))
    B1, B2 = np.meshgrid(np.linspace(*b1_range, 321), np.linspace(*b2_range, 121))
    levels = [0.5 * 2.0 ** k for k in range(-4, 7)]
    ax_c.contour(B1, B2, ravine(np.stack([B1, B2], axis=-1)), levels=levels, colors="0.6",
                 linewidths=0.7)
    styles = _styles([label for label, _ in runs])
    for (label, path), style in zip(runs, styles):
        ax_c.plot(path[:shown + 1, 0], path[:shown + 1, 1], marker="o", ms=2, lw=1.1,
                  label=label, **style)
        dist = np.linalg.norm(path, axis=1)
        ax_d.plot(np.arange(len(path)), dist, lw=1.6, label=label, **style)
    ax_c.plot(*runs[0][1][0], "o", mfc="white", mec="k", ms=6, label="start", zorder=5)
    ax_c.plot(0, 0, "*", color="white", mec="k", ms=11, label="minimum", zorder=5)
    ax_c.set_xlim(*b1_range)
    ax_c.set_ylim(*b2_range)
    ax_c.set_aspect("equal")
    ax_c.set_xlabel("b1 (along the valley)", labelpad=1)
    ax_c.set_ylabel("b2\n(across)")
    ax_c.legend(fontsize=7.5, loc="upper left", bbox_to_anchor=(1.01, 1.05), framealpha=0.9)
    ax_c.set_title(f"contours of (b1² + 25 b2²)/2, to scale: the first {shown} updates",
                   fontsize=10)
    ax_d.axvline(shown, color="0.3", ls=(0, (1, 3)), lw=1, label=f"{shown} updates")
    ax_d.set_yscale("log")
    fit_log_axis(ax_d, [np.linalg.norm(path, axis=1) for _, path in runs])
    ax_d.set_xlabel("step")
    ax_d.set_ylabel("distance to the minimum")
    ax_d.legend(fontsize=7.5, loc="lower left", framealpha=0.9)
    ax_d.set_title("distance to the minimum (log scale), the whole path", fontsize=10)
    fig.tight_layout()
    return fig


def roots_figure(lrs, radii):
    """The larger |r| against the learning rate on x², one line per rho (``radii``: rho ->
    |r| at each of ``lrs``), with |r| = 1 (above it the path grows), the bound lr = 1 + rho
    and the floor sqrt(rho) of each rho."""
    fig, ax = new_figure(figsize=(8, 3.4))
    colors = ("#1f77b4", "#E69F00", "#aa0000")
    styles = ("--", "-.", "-")
    for (rho, r), color, ls in zip(radii.items(), colors, styles):
        ax.plot(lrs, r, color=color, ls=ls, lw=1.8,
                label=f"ρ = {rho:g}: lr < {1 + rho:g}, floor √ρ = {np.sqrt(rho):.2f}")
        ax.plot([1 + rho], [1.0], "o", color=color, mec="k", ms=6, zorder=5)
        if rho > 0:
            ax.axhline(np.sqrt(rho), color=color, ls=(0, (1, 2)), lw=0.9)
    ax.axhline(1.0, color="0.2", lw=1)
    ax.text(0.99, 1.03, "|r| > 1: the path grows", fontsize=8, color="0.2",
            ha="right", transform=ax.get_yaxis_transform())
    ax.set_xlim(0, lrs[-1])
    ax.set_ylim(0, 1.8)
    ax.set_xlabel("learning rate")
    ax.set_ylabel("larger |r| (per step)")
    ax.legend(fontsize=8, loc="upper left", framealpha=0.9,
              title="dots: lr = 1 + ρ;  dotted: √ρ", title_fontsize=8)
    ax.set_title("f(x) = x²: how fast momentum shrinks (or grows) the path", fontsize=10)
    fig.tight_layout()
    return fig
