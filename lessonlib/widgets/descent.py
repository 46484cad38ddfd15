"""Lessons 01-02: gradient descent and momentum on the quartic, on x^2 and on the two-parameter
sin-logistic model.

Builders (``__all__``): ``local_minima_explorer``, ``momentum_explorer``,
``sin_logistic_explorer``. The drawing helpers below them (``draw_paths``, ``draw_trace``,
``draw_sin_logistic_run``, ``sin_logistic_runs_figure``) make the lessons' static figures, the
non-interactive twins of the explorers. The computations they use live in
``lessonlib.recipes.l01_local_minima`` (``QUARTIC_*``, ``BLOWN_UP``, ``blew_up``, ``outcome``)
and ``lessonlib.recipes.l02_momentum`` (``DATA_SETS``, ``grid_for``, ``loss_surface``,
``_inside``), and are re-exported here.
"""
import numpy as np

from .. import plots
from ..data import make_sin_logistic
from ..functions import (quartic, quartic_grad, sin_logistic_descend, sin_logistic_loss,
                         sin_logistic_proba, square, square_grad)
from ..optim import SGD, descend
from ..recipes.l01_local_minima import (BLOWN_UP, QUARTIC_GLOBAL_MIN,  # noqa: F401
                                        QUARTIC_LOCAL_MAX, QUARTIC_LOCAL_MIN, blew_up, outcome)
from ..recipes.l02_momentum import DATA_SETS, _inside, grid_for, loss_surface  # noqa: F401
from ._base import (Explorer, diverged_banner, dropdown, log_slider, mark_diverged, new_figure,
                    slider)

__all__ = ["local_minima_explorer", "momentum_explorer", "sin_logistic_explorer"]

GD_COLOR = "#1f77b4"
MOMENTUM_COLOR = plots.PATH_COLOR

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

# Contour levels shared by both sin-logistic data sets (their losses lie in 0.46 .. 0.94).
LOSS_LEVELS = np.linspace(0.45, 0.95, 21)


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


def draw_paths(ax, f, xs, paths, labels, colors=(GD_COLOR, MOMENTUM_COLOR, "#2ca02c")):
    """f over xs with each path of x values drawn on it (dots joined by a line, a big dot at
    the end). Returns (curve, [(path_line, end_point), ...]) for set_path."""
    (curve,) = ax.plot(xs, f(xs), color="0.3", lw=1.5, zorder=1)
    artists = []
    for path, label, color in zip(paths, labels, colors):
        (line,) = ax.plot([], [], "o-", color=color, ms=3.5, lw=1, alpha=0.8, label=label,
                          zorder=3)
        (end,) = ax.plot([], [], "o", color=color, ms=8, zorder=4)
        if path is not None:
            plots.set_path(line, end, _finite_clipped(path), f)
        artists.append((line, end))
    ax.set_xlabel("x")
    ax.set_ylabel("f(x)")
    return curve, artists


def add_zoom(ax, f, xs, n_paths, colors=(GD_COLOR, MOMENTUM_COLOR, "#2ca02c")):
    """A small inset in the top middle of ax, for a close view of the valleys; returns
    (inset, curve, [(path_line, end_point), ...])."""
    inset = ax.inset_axes((0.3, 0.5, 0.4, 0.46))
    curve, artists = draw_paths(inset, f, xs, [None] * n_paths, [None] * n_paths, colors)
    inset.set_xlabel("")
    inset.set_ylabel("")
    inset.tick_params(labelsize=7)
    inset.text(0.97, 0.04, "close up", transform=inset.transAxes, ha="right", va="bottom",
               fontsize=8, color="0.4")
    for name in inset.spines:
        inset.spines[name].set_color("0.5")
    return inset, curve, artists


def draw_trace(ax, paths, labels, colors=(GD_COLOR, MOMENTUM_COLOR, "#2ca02c"), marks=()):
    """x_t against t for each path, with horizontal lines at the marked points.
    Returns the lines (update with set_data)."""
    for name, where, style in marks:
        ax.axhline(where, color="0.5", ls=style, lw=0.8)
        ax.annotate(f"{name} {where:.3f}" if where else f"{name} 0", (1.0, where),
                    xycoords=("axes fraction", "data"), xytext=(-3, 2),
                    textcoords="offset points", ha="right", va="bottom", fontsize=8,
                    color="0.35")
    lines = []
    for path, label, color in zip(paths, labels, colors):
        (line,) = ax.plot([], [], "o-", color=color, ms=3, lw=1, label=label)
        if path is not None:
            _set_trace(line, path)
        lines.append(line)
    if any(path is not None for path in paths):
        plots.rescale_to_data(ax)
    ax.set_xlabel("step t")
    ax.set_ylabel("x_t")
    return lines


def _set_trace(line, path):
    path = _finite_clipped(path)
    line.set_data(np.arange(len(path)), path)


def _mark_minima(ax, marks):
    return [ax.axvline(where, color="0.6", ls=style, lw=0.8, zorder=0)
            for _, where, style in marks]


# ---------------------------------------------------------------- lesson 01

def local_minima_explorer(start=0.5, lr=0.05, steps=29):
    """Gradient descent on the quartic: the start point, the learning rate and the number of
    steps decide which valley the optimiser ends in, or whether it blows up."""
    spec = FUNCTIONS["quartic"]
    fig, (ax, ax_t) = new_figure(1, 2, figsize=(10, 4.0), width_ratios=(1.2, 1))
    xs = np.linspace(*spec["xlim"], 400)
    _mark_minima(ax, spec["marks"])
    _, [(line, end)] = draw_paths(ax, spec["f"], xs, [None], ["gradient descent"])
    (start_point,) = ax.plot([], [], "o", mfc="white", mec=GD_COLOR, ms=8, zorder=5)
    ax.set_xlim(*spec["xlim"])
    ax.set_ylim(*spec["ylim"])
    inset, _, [(zline, zend)] = add_zoom(ax, spec["f"], np.linspace(*spec["zoom"][0], 200), 1)
    _mark_minima(inset, spec["marks"])
    inset.set_xlim(*spec["zoom"][0])
    inset.set_ylim(*spec["zoom"][1])
    ax.set_title(spec["label"], fontsize=10)
    [trace] = draw_trace(ax_t, [None], ["gradient descent"], marks=spec["marks"])
    ax_t.set_ylim(*spec["xlim"])
    banner = diverged_banner(ax)
    banner.set_position((0.5, 0.25))
    summary = ax_t.set_title("lr\n(placeholder)", fontsize=10)
    fig.tight_layout()

    def update(start, lr, steps, progress=None):
        path = descend(spec["grad"], start, SGD(lr=lr), steps)
        drawn = _finite_clipped(path)
        plots.set_path(line, end, drawn, spec["f"])
        plots.set_path(zline, zend, drawn, spec["f"])
        start_point.set_data([start], [spec["f"](start)])
        _set_trace(trace, path)
        ax_t.set_xlim(-0.5, max(steps, 1) + 0.5)
        what = outcome(path, spec["marks"])
        mark_diverged(ax, banner, what == "blew up",
                      "Diverged: every step overshoots further")
        final = fixed(path[-1], 6) if what != "blew up" else "far away"
        summary.set_text(f"start {start:.2f}, lr {lr:.3g}: x after {steps} steps = {final}\n"
                         f"({what})")

    controls = {"start": slider("start x₀", start, -3.0, 1.5, 0.05),
                "lr": log_slider("learning rate", lr, -3, 0),
                "steps": slider("steps", steps, 1, 100, 1)}
    return Explorer(controls, fig, update, title="Gradient descent on a function with two valleys")


# ---------------------------------------------------------------- lesson 02, 1-D

def momentum_explorer(function="quartic", lr=0.1, momentum=0.9, start=0.5, steps=29):
    """Plain gradient descent and heavy-ball momentum from the same start, side by side:
    on the quartic momentum can roll past the small valley; on x^2 it survives a learning rate
    that makes plain gradient descent diverge (try lr = 1.02)."""
    fig, (ax, ax_t) = new_figure(1, 2, figsize=(10, 4.0), width_ratios=(1.2, 1))
    xs = {name: np.linspace(*spec["xlim"], 400) for name, spec in FUNCTIONS.items()}
    zs = {name: np.linspace(*spec["zoom"][0], 200) for name, spec in FUNCTIONS.items()}
    (curve,) = ax.plot([], [], color="0.3", lw=1.5, zorder=1)
    vlines = [ax.axvline(0.0, color="0.6", lw=0.8, zorder=0) for _ in range(3)]
    artists = []
    for color, label in ((GD_COLOR, "plain GD"), (MOMENTUM_COLOR, "momentum")):
        (line,) = ax.plot([], [], "o-", color=color, ms=3.5, lw=1, alpha=0.8, label=label,
                          zorder=3)
        (end,) = ax.plot([], [], "o", color=color, ms=8, zorder=4)
        artists.append((line, end))
    (start_point,) = ax.plot([], [], "o", mfc="white", mec="0.2", ms=8, zorder=5, label="start")
    ax.set_xlabel("x")
    ax.set_ylabel("f(x)")
    ax.legend(loc="lower left", fontsize=8, framealpha=0.9)
    inset, zcurve, zartists = add_zoom(ax, quartic, zs["quartic"], 2)
    zvlines = [inset.axvline(0.0, color="0.6", lw=0.8, zorder=0) for _ in range(3)]
    traces = draw_trace(ax_t, [None, None], ["plain GD", "momentum"])
    hlines = [ax_t.axhline(0.0, color="0.5", lw=0.8) for _ in range(3)]
    banner = diverged_banner(ax)
    banner.set_position((0.5, 0.25))
    title = ax.set_title("f\n(placeholder)", fontsize=10)
    summary = ax_t.set_title("after\n(placeholder)", fontsize=10)
    fig.tight_layout()

    def update(function, lr, momentum, start, steps, progress=None):
        spec = FUNCTIONS[function]
        curve.set_data(xs[function], spec["f"](xs[function]))
        zcurve.set_data(zs[function], spec["f"](zs[function]))
        for k, (vline, zvline, hline) in enumerate(zip(vlines, zvlines, hlines)):
            visible = k < len(spec["marks"])
            for artist in (vline, zvline, hline):
                artist.set_visible(visible)
            if visible:
                _, where, style = spec["marks"][k]
                for artist in (vline, zvline):
                    artist.set_xdata([where, where])
                    artist.set_linestyle(style)
                hline.set_ydata([where, where])
                hline.set_linestyle(style)
        ax.set_xlim(*spec["xlim"])
        ax.set_ylim(*spec["ylim"])
        inset.set_xlim(*spec["zoom"][0])
        inset.set_ylim(*spec["zoom"][1])
        ax_t.set_ylim(*spec["xlim"])
        ax_t.set_xlim(-0.5, max(steps, 1) + 0.5)
        paths = [descend(spec["grad"], start, SGD(lr=lr), steps),
                 descend(spec["grad"], start, SGD(lr=lr, momentum=momentum), steps)]
        words = []
        for k, (path, trace, name) in enumerate(zip(paths, traces, ("GD", "momentum"))):
            drawn = _finite_clipped(path)
            plots.set_path(*artists[k], drawn, spec["f"])
            plots.set_path(*zartists[k], drawn, spec["f"])
            _set_trace(trace, path)
            what = outcome(path, spec["marks"])
            value = fixed(path[-1], 5) if what != "blew up" else "far away"
            words.append(f"{name}: {value} ({what})")
        start_point.set_data([start], [spec["f"](start)])
        gone = [name for path, name in zip(paths, ("plain GD", "momentum")) if blew_up(path)]
        mark_diverged(ax, banner, bool(gone), " and ".join(gone) + " diverged")
        title.set_text(f"{spec['label']}\nlr {lr:.3g}, momentum ρ = {momentum:.2f}, "
                       f"start {start:.2f}")
        summary.set_text(f"after {steps} steps: " + "\n".join(words))

    controls = {"function": dropdown("function", [("quartic", "quartic"), ("x²", "square")],
                                     function),
                "lr": log_slider("learning rate", lr, -3, 0.5, step=0.01),
                "momentum": slider("momentum ρ", momentum, 0.0, 0.99, 0.01),
                "start": slider("start x₀", start, -3.0, 1.5, 0.05),
                "steps": slider("steps", steps, 1, 100, 1)}
    return Explorer(controls, fig, update, title="Plain gradient descent against momentum")


# ---------------------------------------------------------------- lesson 02, sin-logistic

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
    plots.decision_map(ax_map, X, y, lambda G: sin_logistic_proba(b, G))
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


def sin_logistic_explorer(data="easy", lr=0.1, momentum=0.9, b1=0.0, b2=0.0, iterations=100,
                          seed=0):
    """Gradient descent (with momentum) on the two parameters of logit(p) = sin(b1 x1 x2 + b2 x2):
    the decision map at the final b beside the loss surface with the path. The surface is
    computed once per data set."""
    problems = {}

    def problem(key):
        if key not in problems:
            true_b = DATA_SETS[key]
            X, y = make_sin_logistic(*true_b, seed=seed)
            grid = grid_for(true_b)
            problems[key] = (X, y, grid, loss_surface(X, y, grid, grid), true_b,
                             sin_logistic_loss(true_b, X, y))
        return problems[key]

    fig, (ax_map, ax_c) = new_figure(1, 2, figsize=(10, 4.3))
    X, y = problem(data)[:2]
    image, points, shape = plots.decision_map(ax_map, X, y)
    scatter = ax_map.collections[-1]
    map_title = ax_map.set_title("p", fontsize=10)
    contour = {"set": None}
    (path_line,) = ax_c.plot([], [], "-", color="#ff3030", lw=1.5, zorder=3)
    (start_point,) = ax_c.plot([], [], "o", mfc="white", mec="k", ms=6, zorder=4, label="start")
    (end_point,) = ax_c.plot([], [], "o", color="#ff3030", mec="k", ms=7, zorder=4, label="end")
    (star,) = ax_c.plot([], [], "*", color="white", mec="k", ms=13, zorder=4, label="true b")
    ax_c.set_xlabel("b1")
    ax_c.set_ylabel("b2")
    ax_c.legend(loc="lower right", fontsize=8, framealpha=0.85)
    c_title = ax_c.set_title("loss\n(placeholder)", fontsize=10)
    banner = diverged_banner(ax_c)
    banner.set_position((0.5, 0.9))
    banner.set_fontsize(10)
    shown = {"data": None}

    def show_data(key):
        X, y, grid, L, true_b, _ = problem(key)
        scatter.set_facecolors([plots.CLASS_COLORS[k] for k in y])
        contour["set"] = redraw_loss_contours(ax_c, grid, L, contour["set"])
        star.set_data([true_b[0]], [true_b[1]])
        ax_c.set_xlim(grid[0], grid[-1])
        ax_c.set_ylim(grid[0], grid[-1])
        shown["data"] = key

    show_data(data)
    # The levels are fixed, so one colour bar serves both data sets.
    fig.colorbar(contour["set"][0], ax=ax_c, label="loss", ticks=LOSS_LEVELS[::4])
    fig.tight_layout()

    def update(data, lr, momentum, b1, b2, iterations, progress=None):
        if shown["data"] != data:
            show_data(data)
        X, y, grid, _, _, best = problem(data)
        path, losses = sin_logistic_descend(X, y, SGD(lr=lr, momentum=momentum), iterations,
                                            b0=(b1, b2))
        drawn = np.clip(path, -1e3, 1e3)
        path_line.set_data(drawn[:, 0], drawn[:, 1])
        start_point.set_data(drawn[:1, 0], drawn[:1, 1])
        end_point.set_data(drawn[-1:, 0], drawn[-1:, 1])
        b = path[-1]
        image.set_data(sin_logistic_proba(b, points).reshape(shape))
        map_title.set_text(f"p(class 1) at b = ({b[0]:.2f}, {b[1]:.2f})")
        left = not _inside(path, grid).all()
        mark_diverged(ax_c, banner, left,
                      f"The path left the plotted region\n"
                      f"(it ends at b = ({b[0]:.3g}, {b[1]:.3g}))")
        c_title.set_text(f"loss {losses[0]:.4f} → {losses[-1]:.4f} after {iterations} steps\n"
                         f"(at the true b: {best:.4f})")

    controls = {"data": dropdown("data", [("b = (0.7, 0.7)", "easy"), ("b = (2, 3)", "hard")],
                                 data),
                "lr": log_slider("learning rate", lr, -2, 0.5),
                "momentum": slider("momentum ρ", momentum, 0.0, 0.99, 0.01),
                "b1": slider("start b1", b1, -0.5, 2.0, 0.05),
                "b2": slider("start b2", b2, -0.5, 2.0, 0.05),
                "iterations": slider("iterations", iterations, 0, 300, 10)}
    return Explorer(controls, fig, update,
                    title="Fitting logit(p) = sin(b1·x1·x2 + b2·x2) by gradient descent")
