"""Lesson 01: gradient descent on the quartic, a function with two valleys.

Builder (``__all__``): ``local_minima_explorer``. Its problem (``FUNCTIONS``) and drawing helpers
come from ``lessonlib.plots.l01_local_minima``, the verdict on a run (``outcome``) from
``lessonlib.recipes.l01_local_minima``.
"""
import numpy as np
from matplotlib.ticker import MaxNLocator

from .. import plots
from ..optim import SGD, descend
from ..plots.l01_local_minima import (FUNCTIONS, GD_COLOR, _finite_clipped, _mark_minima,
                                      _set_trace, add_zoom, draw_function_paths, draw_trace, fixed)
from ..recipes.l01_local_minima import AHEAD, outcome
from ..plots.style import fit_step_axis
from ._base import Explorer, diverged_banner, mark_diverged, new_figure, slider

__all__ = ["local_minima_explorer"]

MAX_STEPS = 100     # the steps slider's largest value, where the step axis ends at most


def local_minima_explorer(start=0.5, lr=0.05, steps=29):
    """Gradient descent on the quartic: the start point, the learning rate and the number of
    steps decide which valley the optimiser ends in, or whether it blows up."""
    spec = FUNCTIONS["quartic"]
    fig, (ax, ax_t) = new_figure(1, 2, figsize=(10, 4.0), width_ratios=(1.2, 1))
    xs = np.linspace(*spec["xlim"], 400)
    _mark_minima(ax, spec["marks"])
    _, [(line, end)] = draw_function_paths(ax, spec["f"], xs, [None], ["gradient descent"])
    (start_point,) = ax.plot([], [], "o", mfc="white", mec=GD_COLOR, ms=8, zorder=5,
                             label="start x₀")
    end.set_label("where it ends")
    # one row along the bottom, below the curve's lowest point (-0.62): no path goes there
    ax.legend(handles=[start_point, line, end], loc="lower center", ncol=3, fontsize=7.5,
              framealpha=0.9, borderpad=0.3, columnspacing=1.2, handletextpad=0.4)
    ax.set_xlim(*spec["xlim"])
    ax.set_ylim(-4.5, spec["ylim"][1])
    inset, _, [(zline, zend)] = add_zoom(ax, spec["f"], np.linspace(*spec["zoom"][0], 200), 1)
    _mark_minima(inset, spec["marks"])
    inset.tick_params(labelsize=8)         # add_zoom's 7 pt (lesson 02's too) is small at 82 dpi
    inset.set_xlim(*spec["zoom"][0])
    inset.set_ylim(*spec["zoom"][1])
    ax.set_title(spec["label"], fontsize=10)
    [trace] = draw_trace(ax_t, [None], ["gradient descent"], marks=spec["marks"])
    ax_t.set_ylim(*spec["xlim"])
    ax_t.xaxis.set_major_locator(MaxNLocator(integer=True))
    banner = diverged_banner(ax)
    banner.set_position((0.5, 0.42))       # below the inset, above the start and the valleys
    summary = ax_t.set_title("lr\n(placeholder)", fontsize=10)
    fig.tight_layout()

    def update(start, lr, steps, progress=None):
        # followed AHEAD steps further, to say where a run that has not settled is heading
        run = descend(spec["grad"], start, SGD(lr=lr), steps + AHEAD)
        path = run[:steps + 1]
        drawn = _finite_clipped(path)
        plots.set_path(line, end, drawn, spec["f"])
        plots.set_path(zline, zend, drawn, spec["f"])
        start_point.set_data([start], [spec["f"](start)])
        _set_trace(trace, path)
        fit_step_axis(ax_t, steps, pad=0.5, most=MAX_STEPS)
        what = outcome(path, spec["marks"], ahead=run[steps + 1:])
        mark_diverged(ax, banner, what == "blew up",
                      "Diverged: every step overshoots further")
        final = fixed(path[-1], 6) if what != "blew up" else "far away"
        plural = "" if steps == 1 else "s"
        summary.set_text(f"start {start:.2f}, lr {lr:.4g}: x after {steps} step{plural} = "
                         f"{final}\n({what})")

    controls = {"start": slider("start x₀", start, -3.0, 1.5, 0.05),
                # steps of 0.001, not a log scale: every rate the lesson names (0.05, 0.49,
                # 0.52, 0.29, 0.30, 0.501) is a point of the slider, so a typed one is kept
                "lr": slider("learning rate", lr, 0.001, 1.0, 0.001, readout_format=".3f"),
                "steps": slider("steps", steps, 1, MAX_STEPS, 1)}
    # the main path passes under the zoom inset: the inset covers it again after each move
    return Explorer(controls, fig, update, title="Gradient descent on a function with two valleys",
                    moving=[line, end, start_point, trace, summary, banner, zline, zend,
                            ax.get_legend()],
                    covers=[inset])
