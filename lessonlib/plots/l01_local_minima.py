"""Lesson 01 (and the 1-D half of lesson 02): gradient descent and momentum on the quartic and
on x^2. ``FUNCTIONS`` (what each 1-D problem looks like on screen), the path colours, and the
drawing helpers of the lessons' static figures and explorers: ``draw_function_paths`` (paths on the
curve), ``add_zoom`` (a close-up inset), ``draw_trace`` (x_t against t), ``_finite_clipped`` (a
path safe to draw) and ``fixed`` (a number without "-0.000"); lesson 01's two static figures
``two_starts_figure`` and ``convex_figure``."""
import numpy as np

from ..recipes.l01_local_minima import (BLOWN_UP, QUARTIC_BEND, QUARTIC_GLOBAL_MIN,
                                        QUARTIC_LOCAL_MAX, QUARTIC_LOCAL_MIN)
from ..recipes.toys import quartic, quartic_grad, square, square_grad
from .style import (CLASS_COLORS, GD_COLOR, PATH_COLOR, fit_log_axis, new_figure,
                    rescale_to_data, set_path)

MOMENTUM_COLOR = PATH_COLOR

# What each 1-D problem looks like on screen: the function, its gradient, the x and y ranges
# drawn, the zoomed view of the inset, and its stationary points (name, x, line style).
FUNCTIONS = {
    "quartic": dict(f=quartic, grad=quartic_grad, label="f(x) = x⁴ + 3x³ + 2x²",
                    xlim=(-3.3, 1.8), ylim=(-1.5, 20.0), zoom=((-2.2, 0.7), (-0.8, 0.7)),
                    marks=[("global min", QUARTIC_GLOBAL_MIN, "--"),
                           ("local min", QUARTIC_LOCAL_MIN, "--"),
                           ("hilltop", QUARTIC_LOCAL_MAX, ":")]),
    "square": dict(f=square, grad=square_grad, label="f(x) = x²",
                   xlim=(-3.3, 3.3), ylim=(-0.5, 11.0), zoom=((-0.6, 0.6), (-0.03, 0.36)),
                   marks=[("minimum", 0.0, "--")]),
}


# ---------------------------------------------------------------- 1-D helpers

def _finite_clipped(path, bound=50.0):
    """A path safe to draw: it is cut after its first iterate beyond BLOWN_UP (later ones become
    nan, which set_path drops), and that iterate is clipped to ``bound``, outside the axes."""
    path = np.array(path, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        gone = ~(np.abs(path) <= BLOWN_UP)          # also true for nan
    if gone.any():
        first = int(np.argmax(gone))
        path[first + 1:] = np.nan
        path[first] = np.clip(np.nan_to_num(path[first], nan=bound), -bound, bound)
    return path


def fixed(x, digits):
    """x with ``digits`` decimals, and "0.000..." rather than "-0.000..." for a tiny negative."""
    text = f"{x:.{digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0.0 else text


def draw_function_paths(ax, f, xs, paths, labels, colors=(GD_COLOR, MOMENTUM_COLOR, "#2ca02c")):
    """f over xs with each path of x values drawn on it (dots joined by a line, a big dot at
    the end). Returns (curve, [(path_line, end_point), ...]) for set_path."""
    (curve,) = ax.plot(xs, f(xs), color="0.3", lw=1.5, zorder=1)
    artists = []
    for path, label, color in zip(paths, labels, colors):
        (line,) = ax.plot([], [], "o-", color=color, ms=3.5, lw=1, alpha=0.8, label=label,
                          zorder=3)
        (end,) = ax.plot([], [], "o", color=color, ms=8, zorder=4)
        if path is not None:
            set_path(line, end, _finite_clipped(path), f)
        artists.append((line, end))
    ax.set_xlabel("x")
    ax.set_ylabel("f(x)")
    return curve, artists


def two_starts_figure(paths, labels, lr, updates):
    """Lesson 01's first figure: gradient descent on the quartic from two starts (``paths``, one
    array of iterates each, named by ``labels``), the whole curve and a close-up of its two
    valleys with their minima named."""
    fig, (ax_all, ax_zoom) = new_figure(1, 2, figsize=(9, 3.6))
    for ax, xlim, ylim in ((ax_all, (-3.3, 1.5), (-1.5, 20)), (ax_zoom, (-2.2, 0.7), (-0.8, 0.8))):
        draw_function_paths(ax, quartic, np.linspace(*xlim, 300), paths, labels)
        ax.set_xlim(*xlim)
        ax.set_ylim(*ylim)
    ax_all.set_title(f"f(x) = x⁴ + 3x³ + 2x², lr {lr:g}, {updates} updates", fontsize=10)
    ax_zoom.set_title("close-up: each path stays in its valley", fontsize=10)
    ax_zoom.annotate(f"local minimum\nx = {QUARTIC_LOCAL_MIN:g}", (QUARTIC_LOCAL_MIN, 0),
                     (-0.3, 0.45), fontsize=9, arrowprops=dict(arrowstyle="->", color="0.4"))
    ax_zoom.annotate(f"global minimum\nx = {QUARTIC_GLOBAL_MIN:.3f}",
                     (QUARTIC_GLOBAL_MIN, quartic(QUARTIC_GLOBAL_MIN)), (-1.9, 0.35), fontsize=9,
                     arrowprops=dict(arrowstyle="->", color="0.4"))
    ax_all.legend(loc="upper center", fontsize=9)
    fig.tight_layout()
    return fig


def convex_figure(starts, ends_square, ends_quartic, lr, updates):
    """Lesson 01's convex-or-not figure: x² and the quartic with the quartic's non-convex stretch
    shaded, and where gradient descent ends (``ends_*``, after ``updates`` steps of ``lr``) from
    every start in ``starts``, with the hilltop that parts the two valleys."""
    fig, (ax_f, ax_end) = new_figure(1, 2, figsize=(9, 3.6))
    grid = np.linspace(-3, 1.5, 300)
    ax_f.axvspan(*QUARTIC_BEND, color="#ffcc80", alpha=0.5, label="f'' < 0: not convex")
    ax_f.plot(grid, square(grid), color=CLASS_COLORS[2], label="x² (convex)")
    ax_f.plot(grid, quartic(grid), color="0.3", label="quartic (non-convex)")
    ax_f.set_ylim(-1.5, 6)
    ax_f.set_xlabel("x")
    ax_f.set_ylabel("f(x)")
    ax_f.legend(fontsize=8, loc="upper right")
    ax_f.set_title("two functions", fontsize=10)
    ax_end.plot(starts, ends_quartic, color="0.3", lw=2, label="quartic")
    ax_end.plot(starts, ends_square, color=CLASS_COLORS[2], lw=2, ls="--", label="x²")
    ax_end.axvline(QUARTIC_LOCAL_MAX, color="0.6", ls=":", lw=1)
    ax_end.annotate(f"hilltop x = {QUARTIC_LOCAL_MAX:.3f}", (QUARTIC_LOCAL_MAX, -1.2),
                    (QUARTIC_LOCAL_MAX + 0.06, -1.2), fontsize=8, color="0.35")
    ax_end.set_xlabel("start x₀")
    ax_end.set_ylabel(f"x after {updates} updates")
    ax_end.legend(fontsize=8, loc="center left")
    ax_end.set_title(f"where gradient descent ends (lr {lr:g})", fontsize=10)
    fig.tight_layout()
    return fig


def add_zoom(ax, f, xs, n_paths, colors=(GD_COLOR, MOMENTUM_COLOR, "#2ca02c")):
    """A small inset in the top middle of ax, for a close view of the valleys; returns
    (inset, curve, [(path_line, end_point), ...])."""
    inset = ax.inset_axes((0.3, 0.5, 0.4, 0.46))
    curve, artists = draw_function_paths(inset, f, xs, [None] * n_paths, [None] * n_paths, colors)
    inset.set_xlabel("")
    inset.set_ylabel("")
    inset.tick_params(labelsize=7)
    inset.text(0.97, 0.04, "close up", transform=inset.transAxes, ha="right", va="bottom",
               fontsize=8, color="0.4")
    for name in inset.spines:
        inset.spines[name].set_color("0.5")
    return inset, curve, artists


def draw_trace(ax, paths, labels, colors=(GD_COLOR, MOMENTUM_COLOR, "#2ca02c"), marks=(),
               mark_labels="inside"):
    """x_t against t for each path, with horizontal lines at the marked points, named inside
    the axes at the right edge (``mark_labels="inside"``) or just outside it ("outside", clear
    of the paths). Returns the lines (update with set_data)."""
    for name, where, style in marks:
        ax.axhline(where, color="0.5", ls=style, lw=0.8)
        place = (dict(xytext=(-3, 2), ha="right", va="bottom") if mark_labels == "inside"
                 else dict(xytext=(4, 0), ha="left", va="center"))
        ax.annotate(f"{name} {where:.3f}" if where else f"{name} 0", (1.0, where),
                    xycoords=("axes fraction", "data"), textcoords="offset points",
                    fontsize=8, color="0.35", **place)
    lines = []
    for path, label, color in zip(paths, labels, colors):
        (line,) = ax.plot([], [], "o-", color=color, ms=3, lw=1, label=label)
        if path is not None:
            _set_trace(line, path)
        lines.append(line)
    if any(path is not None for path in paths):
        rescale_to_data(ax)
    ax.set_xlabel("step t")
    ax.set_ylabel("x_t")
    return lines


def _set_trace(line, path):
    path = _finite_clipped(path)
    line.set_data(np.arange(len(path)), path)


def _mark_minima(ax, marks):
    return [ax.axvline(where, color="0.6", ls=style, lw=0.8, zorder=0)
            for _, where, style in marks]


# ---------------------------------------------------------------- the saddle x^2 - y^2

SADDLE_COLORS = (GD_COLOR, "#e69f00")     # blue and Okabe-Ito orange, also told apart by marker


def draw_saddle(ax_map, ax_slope, g, paths, labels, slopes, flat=0.01):
    """Left (``ax_map``): contour lines of g(x, y) with the gradient-descent paths on them (the
    first with large open circles, the second with small dots, as they overlap at first).
    Right (``ax_slope``): the slope's length per step on a log axis (``slopes``: one array per
    path), with the level ``flat`` below which a path crawls, and the steps where the second
    path is below it shaded. Returns the path lines."""
    from matplotlib.ticker import LogLocator
    xs, ys = np.linspace(-0.4, 1.2, 161), np.linspace(-0.4, 2.2, 261)
    X, Y = np.meshgrid(xs, ys)
    contours = ax_map.contour(X, Y, g(X, Y), levels=[-3, -2, -1, -0.3, 0, 0.3, 1],
                              colors="0.65", linewidths=0.8)
    # each level labelled once, where it crosses x = 0.55 (g <= 0) or x = 1.15 (g > 0): clear of
    # the legend and the paths
    places = [(x, np.sqrt(x ** 2 - level))
              for level, x in ((level, 0.55 if level <= 0 else 1.15) for level in contours.levels)]
    ax_map.clabel(contours, fontsize=8, fmt="%g", manual=places)
    ax_map.plot([0], [0], "k+", ms=11, mew=2, zorder=5, label="saddle (0, 0)")
    styles = (dict(marker="o", ms=6, mfc="none", lw=1.2), dict(marker="o", ms=2.5, lw=1))
    lines = []
    for path, label, color, style in zip(paths, labels, SADDLE_COLORS, styles):
        (line,) = ax_map.plot(path[:, 0], path[:, 1], color=color, label=label, zorder=3,
                              **style)
        lines.append(line)
    ax_map.set_xlim(xs[0], xs[-1])
    ax_map.set_ylim(ys[0], ys[-1])
    ax_map.set_xlabel("x")
    ax_map.set_ylabel("y")
    ax_map.legend(fontsize=8, loc="upper right")
    low = np.flatnonzero(np.asarray(slopes[1]) < flat)
    if low.size:
        ax_slope.axvspan(low[0], low[-1], color="0.85", lw=0,
                         label=f"{labels[1]}: slope below {flat:g}")
    ax_slope.axhline(flat, color="0.4", ls=":", lw=1, label=f"slope {flat:g}")
    for slope, label, color, style in zip(slopes, labels, SADDLE_COLORS, ("-", "--")):
        ax_slope.semilogy(np.arange(len(slope)), slope, color=color, ls=style, lw=2, label=label)
    fit_log_axis(ax_slope, slopes, margin=3.0)
    ax_slope.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0,), numticks=6))
    ax_slope.set_xlim(0, len(slopes[0]) - 1)
    ax_slope.set_xlabel("step t")
    ax_slope.set_ylabel("slope length |∇g|")
    ax_slope.legend(fontsize=8, loc="lower left")
    return lines
