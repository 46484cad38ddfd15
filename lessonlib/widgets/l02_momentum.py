"""Lesson 02: momentum, on the quartic and x^2 and on the two-parameter sin-logistic model.

Builders (``__all__``): ``momentum_explorer`` (plain gradient descent against heavy-ball momentum
in 1-D) and ``sin_logistic_explorer`` (gradient descent with momentum on b1, b2). The 1-D
problems and their drawing helpers come from ``lessonlib.plots.l01_local_minima``, the loss
contours from ``lessonlib.plots.l02_momentum``; the computations from
``lessonlib.recipes.l01_local_minima`` (``outcome``, ``BLOWN_UP``), ``toys.blew_up`` and
``lessonlib.recipes.l02_momentum`` (``DATA_SETS``, ``grid_for``, ``loss_surface``, ``_inside``).
"""
import time

import numpy as np

from .. import plots
from ..data import make_sin_logistic
from ..optim import SGD, descend
from ..plots.l01_local_minima import (FUNCTIONS, GD_COLOR, MOMENTUM_COLOR, _finite_clipped,
                                      _set_trace, add_zoom, draw_trace, fixed)
from ..plots.l02_momentum import LOSS_LEVELS, class_legend, map_colorbar, redraw_loss_contours
from ..plots.style import fit_step_axis
from ..recipes.l01_local_minima import AHEAD, BLOWN_UP, outcome
from ..recipes.toys import blew_up
from ..recipes.l02_momentum import DATA_SETS, _inside, grid_for, loss_surface
from ..recipes.toys import quartic, sin_logistic_descend, sin_logistic_loss, sin_logistic_proba
from ._base import (Explorer, diverged_banner, dropdown, log_slider, mark_diverged, new_figure,
                    slider)

__all__ = ["momentum_explorer", "sin_logistic_explorer"]

MAX_STEPS = 100     # the steps slider's largest value, where the step axis ends at most

# A drag sends a slider's value many times a second. The updates of one gesture (the same
# control moved again within GESTURE_SECONDS of the last update) keep in grey the path from
# before the gesture, not the path of one tick ago (which would lie under the current one).
GESTURE_SECONDS = 0.4
_clock = time.monotonic     # the time of an update (a test sets its own clock)


# ---------------------------------------------------------------- 1-D

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
    # plain GD dashed, momentum solid (as in the lesson's figures): not colour alone
    for color, ls, label in ((GD_COLOR, "--", "plain GD"), (MOMENTUM_COLOR, "-", "momentum")):
        (line,) = ax.plot([], [], "o", ls=ls, color=color, ms=3.5, lw=1, alpha=0.8, label=label,
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
    for line in (traces[0], zartists[0][0]):
        line.set_linestyle("--")
    hlines = [ax_t.axhline(0.0, color="0.5", lw=0.8, zorder=1) for _ in range(3)]
    # the lines' names just outside the axes, clear of the paths (as in the lesson's figures,
    # e.g. "hilltop -0.610"): still, never redrawn by a move
    names = [ax_t.annotate("", (1.0, 0.0), xycoords=("axes fraction", "data"),
                           xytext=(4, 0), textcoords="offset points", ha="left", va="center",
                           fontsize=8, color="0.35") for _ in hlines]
    banner = diverged_banner(ax)
    banner.set_position((0.5, 0.25))
    title = ax.set_title("f\n(placeholder)", fontsize=10)
    # three lines (steps, GD, momentum) at 9 pt: the longest verdict fits the 820-px figure
    summary = ax_t.set_title("after\n(placeholder)\n(placeholder)", fontsize=9)
    shown = {"function": None}

    def show_function(function):
        """The still part of the figure for one function (a full redraw, once per choice)."""
        spec = FUNCTIONS[function]
        curve.set_data(xs[function], spec["f"](xs[function]))
        zcurve.set_data(zs[function], spec["f"](zs[function]))
        for k, (vline, zvline, hline, name) in enumerate(zip(vlines, zvlines, hlines, names)):
            visible = k < len(spec["marks"])
            for artist in (vline, zvline, hline, name):
                artist.set_visible(visible)
            if visible:
                mark, where, style = spec["marks"][k]
                for artist in (vline, zvline):
                    artist.set_xdata([where, where])
                    artist.set_linestyle(style)
                hline.set_ydata([where, where])
                hline.set_linestyle(style)
                name.xy = (1.0, where)
                name.set_text(f"{mark} {where:.3f}" if where else f"{mark} 0")
        ax.set_xlim(*spec["xlim"])
        ax.set_ylim(*spec["ylim"])
        inset.set_xlim(*spec["zoom"][0])
        inset.set_ylim(*spec["zoom"][1])
        ax_t.set_ylim(*spec["xlim"])
        shown["function"] = function

    show_function("quartic")            # the longest names, for the layout
    fig.tight_layout()

    def update(function, lr, momentum, start, steps, progress=None):
        if shown["function"] != function:
            show_function(function)
        spec = FUNCTIONS[function]
        fit_step_axis(ax_t, steps, pad=0.5, most=MAX_STEPS)
        # followed AHEAD steps further, to say where a run that has not settled is heading
        runs = [descend(spec["grad"], start, SGD(lr=lr), steps + AHEAD),
                descend(spec["grad"], start, SGD(lr=lr, momentum=momentum), steps + AHEAD)]
        paths = [run[:steps + 1] for run in runs]
        words = []
        for k, (path, run, trace, name) in enumerate(zip(paths, runs, traces,
                                                         ("GD", "momentum"))):
            drawn = _finite_clipped(path)
            plots.set_path(*artists[k], drawn, spec["f"])
            plots.set_path(*zartists[k], drawn, spec["f"])
            _set_trace(trace, path)
            what = outcome(path, spec["marks"], ahead=run[steps + 1:])
            value = fixed(path[-1], 5) if what != "blew up" else "far away"
            words.append(f"{name}: {value} ({what})")
        start_point.set_data([start], [spec["f"](start)])
        gone = [name for path, name in zip(paths, ("plain GD", "momentum"))
                if blew_up(path, BLOWN_UP)]
        mark_diverged(ax, banner, bool(gone), " and ".join(gone) + " diverged")
        title.set_text(f"{spec['label']}\nlr {lr:.4g}, momentum ρ = {momentum:.2f}, "
                       f"start {start:.2f}")
        summary.set_text(f"after {steps} step{'s' * (steps != 1)}:\n" + "\n".join(words))

    controls = {"function": dropdown("function", [("quartic", "quartic"), ("x²", "square")],
                                     function),
                "lr": log_slider("learning rate", lr, -3, 0.5, step=0.01),
                "momentum": slider("momentum ρ", momentum, 0.0, 0.99, 0.01),
                "start": slider("start x₀", start, -3.0, 1.5, 0.05),
                "steps": slider("steps", steps, 1, MAX_STEPS, 1)}
    # only the paths, points, traces and texts move; the legend and the zoom inset sit over
    # the paths, so the legend is redrawn on top and the inset pasted again over them
    moving = [a for pair in artists + zartists for a in pair] + [
        start_point, *traces, title, summary, banner, ax.get_legend()]
    return Explorer(controls, fig, update, title="Plain gradient descent against momentum",
                    moving=moving, covers=[inset], still=["function"])


# ---------------------------------------------------------------- sin-logistic

def sin_logistic_explorer(data="easy", lr=0.1, momentum=0.9, b1=0.0, b2=0.0, iterations=100,
                          seed=0):
    """Gradient descent (with momentum) on the two parameters of logit(p) = sin(b1 x1 x2 + b2 x2):
    the decision map at the final b beside the loss surface with the path, and the previous
    setting's path in grey to compare. The surface is computed once per data set.

    The grey path is the one shown before the learner's last change. A drag of a slider is one
    change: its updates come in a quick burst, each within ``GESTURE_SECONDS`` of the last and
    moving the same control, and the grey path stays the one from before the burst. A change
    after a pause, or to another control, makes the path then shown the grey one."""
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
    class_legend(ax_map)
    map_colorbar(fig, image, ax_map)
    map_title = ax_map.set_title("p", fontsize=10)
    contour = {"set": None}
    (prev_line,) = ax_c.plot([], [], "--", color="0.75", lw=1.5, zorder=2.9,
                             label="previous setting's path")
    (path_line,) = ax_c.plot([], [], "-", color="#ff3030", lw=1.5, zorder=3, label="path")
    (start_point,) = ax_c.plot([], [], "o", mfc="white", mec="k", ms=6, zorder=4, label="start")
    (end_point,) = ax_c.plot([], [], "o", color="#ff3030", mec="k", ms=7, zorder=4, label="end")
    (star,) = ax_c.plot([], [], "*", color="white", mec="k", ms=13, zorder=4, label="true b")
    ax_c.set_xlabel("b1")
    ax_c.set_ylabel("b2")
    c_title = ax_c.set_title("loss\n(placeholder)", fontsize=10)
    banner = diverged_banner(ax_c)
    banner.set_position((0.5, 0.9))
    banner.set_fontsize(10)
    # the data set shown; the red path ("current") and the grey one ("previous"); the last
    # update's values, the controls it moved and when it ended (what makes one gesture)
    shown = {"data": None, "current": None, "previous": None, "legend": None, "values": None,
             "moved": None, "at": float("-inf")}

    def show_data(key):
        X, y, grid, L, true_b, _ = problem(key)
        scatter.set_facecolors([plots.CLASS_COLORS[k] for k in y])
        contour["set"] = redraw_loss_contours(ax_c, grid, L, contour["set"])
        star.set_data([true_b[0]], [true_b[1]])
        ax_c.set_xlim(grid[0], grid[-1])
        ax_c.set_ylim(grid[0], grid[-1])
        prev_line.set_data([], [])
        shown["data"], shown["current"], shown["previous"] = key, None, None

    def show_legend(has_prev):
        """The path legend, naming the grey path only once there is one (a new legend is a
        full redraw: only when that changes)."""
        if shown["legend"] != has_prev:
            legend = ax_c.legend(handles=[prev_line] * has_prev + [path_line, start_point,
                                                                   end_point, star],
                                 loc="lower right", fontsize=8, framealpha=0.85)
            # a moving artist from the start, as its successors are: never in a kept picture
            legend.set_animated(True)
            shown["legend"] = has_prev

    show_data(data)
    show_legend(False)
    # The levels are fixed, so one colour bar serves both data sets.
    fig.colorbar(contour["set"][0], ax=ax_c, label="loss", ticks=LOSS_LEVELS[::4])
    fig.tight_layout()

    def keep_previous(values):
        """Make the path shown so far the grey one when ``values`` start a new gesture: they
        move other controls than the last update did, or come after a pause."""
        old = shown["values"]
        moved = frozenset(k for k in values if old is not None and values[k] != old[k])
        if not moved:
            return                      # the same values again: the same path
        if shown["current"] is not None and (moved != shown["moved"]
                                             or _clock() - shown["at"] > GESTURE_SECONDS):
            shown["previous"] = shown["current"]
            prev_line.set_data(shown["previous"][:, 0], shown["previous"][:, 1])
        shown["moved"] = moved

    def update(data, lr, momentum, b1, b2, iterations, progress=None):
        values = dict(data=data, lr=lr, momentum=momentum, b1=b1, b2=b2, iterations=iterations)
        if shown["data"] != data:
            show_data(data)
        X, y, grid, _, _, best = problem(data)
        path, losses = sin_logistic_descend(X, y, SGD(lr=lr, momentum=momentum), iterations,
                                            b0=(b1, b2))
        drawn = np.clip(path, -1e3, 1e3)
        keep_previous(values)
        shown["current"], shown["values"] = drawn, values
        show_legend(shown["previous"] is not None)
        path_line.set_data(drawn[:, 0], drawn[:, 1])
        start_point.set_data(drawn[:1, 0], drawn[:1, 1])
        end_point.set_data(drawn[-1:, 0], drawn[-1:, 1])
        b = path[-1]
        image.set_data(sin_logistic_proba(b, points).reshape(shape))
        map_title.set_text(f"p(class 1) at b = ({b[0]:.2f}, {b[1]:.2f})")
        inside = _inside(path, grid)
        if not inside[0]:
            message = (f"The start lies outside the plotted region\n"
                       f"(b1, b2 from {grid[0]:g} to {grid[-1]:g} for this data)")
        else:
            message = (f"The path left the plotted region\n"
                       f"(it ends at b = ({b[0]:.3g}, {b[1]:.3g}))")
        mark_diverged(ax_c, banner, not inside.all(), message)
        c_title.set_text(f"loss {losses[0]:.4f} → {losses[-1]:.4f} after {iterations} "
                         f"step{'s' * (iterations != 1)}\n"
                         f"(at the true b: {best:.4f})")
        shown["at"] = _clock()          # a gesture's next update comes soon after this one

    controls = {"data": dropdown("data", [("b = (0.7, 0.7)", "easy"), ("b = (2, 3)", "hard")],
                                 data),
                "lr": log_slider("learning rate", lr, -2, 0.5),
                "momentum": slider("momentum ρ", momentum, 0.0, 0.99, 0.01),
                # up to 3.5: the map of b = (2, 3) (that of b = (0.7, 0.7) stops at 2)
                "b1": slider("start b1", b1, -0.5, 3.5, 0.05),
                "b2": slider("start b2", b2, -0.5, 3.5, 0.05),
                "iterations": slider("iterations", iterations, 0, 300, 10)}
    # the map's image changes, so the points drawn over it move with it, and the class legend
    # over them; the true b and the path legend (rebuilt once a previous path exists) sit over
    # the paths
    moving = [image, scatter, ax_map.get_legend(), map_title, prev_line, path_line, start_point,
              end_point, star, c_title, banner]
    return Explorer(controls, fig, update,
                    title="Fitting logit(p) = sin(b1·x1·x2 + b2·x2) by gradient descent",
                    moving=moving, legends_of=[ax_c], still=["data"])
