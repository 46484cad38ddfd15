"""Lesson 05: adaptive learning rates. SGD, momentum, Adagrad, RMSProp and Adam side by side.

Builder (``__all__``): ``adaptive_explorer``, the five optimisers on two-parameter problems (a
quadratic valley 100 times steeper across than along, the same valley turned by 45 degrees, and
the b = (2, 3) sin-logistic loss with all points or mini-batches of 30 per step). The problems
come from ``lessonlib.recipes.l05_adaptive`` (``make_problems``, ``BOUND`` for
``toys.blew_up``), the optimisers from ``lessonlib.optim.make_optimizer``, the contour, the
drawable paths and losses and the optimisers' names and colours from
``lessonlib.plots.l05_adaptive``.
"""
import numpy as np

from ..plots.l05_adaptive import (OPTIMIZER_COLORS, OPTIMIZER_LABELS, _fit_loss_axis,
                                  draw_surface, drawable, drawable_losses)
from ..optim import OPTIMIZER_NAMES, make_optimizer
from ..plots.style import fit_step_axis
from ..recipes.l05_adaptive import BOUND, make_problems
from ..recipes.toys import blew_up
from ._base import (Explorer, diverged_banner, dropdown, log_slider, mark_diverged, new_figure,
                    slider)

__all__ = ["adaptive_explorer"]

MAX_STEPS = 1000     # the steps slider's largest value, where the step axis ends at most

# Which of the explorer's beta sliders each optimiser reads (named in the loss panel's title).
BETAS_READ = {"sgd": (), "momentum": ("β1 (as the momentum ρ)",), "adagrad": (),
              "rmsprop": ("β2 (as its β)",), "adam": ("β1", "β2")}

PROBLEM_CHOICES = [("valley, 100 times steeper across than along", "valley"),
                   ("the same valley, turned by 45°", "tilted"),
                   ("sin-logistic b = (2, 3), all points", "sin_full"),
                   ("sin-logistic b = (2, 3), batches of 30", "sin_batch")]


def adaptive_explorer(problem="valley", optimizer="adam", lr=0.1, beta1=0.9, beta2=0.999,
                      steps=100, seed=0):
    """One optimiser at a time on a two-parameter problem: its path on the loss contour and its
    loss per step. The previous setting's path and loss stay in grey for comparison."""
    problems = make_problems(seed)
    fig, (ax_c, ax_l) = new_figure(1, 2, figsize=(10, 4.4), width_ratios=(1, 1.4))
    (prev_path,) = ax_c.plot([], [], "-", color="0.85", lw=1.2, zorder=3, label="previous")
    (path_line,) = ax_c.plot([], [], "o-", color="#d62728", ms=2, lw=1.2, zorder=4,
                             label="this run")
    (end_point,) = ax_c.plot([], [], "o", color="#d62728", mec="k", ms=7, zorder=5)
    (start_point,) = ax_c.plot([], [], "o", mfc="white", mec="k", ms=7, zorder=6, label="start")
    (star,) = ax_c.plot([], [], "*", color="white", mec="k", ms=14, zorder=6, label="minimum")
    ax_c.set_xlabel("b1")
    ax_c.set_ylabel("b2")
    c_title = ax_c.set_title("problem", fontsize=10)
    (prev_loss,) = ax_l.plot([], [], color="0.7", lw=1.2, label="previous")
    (loss_line,) = ax_l.plot([], [], color="#d62728", lw=1.5, label="this run")
    best_line = ax_l.axhline(0.0, color="0.3", ls=":", lw=1, label="at the true b")
    ax_l.set_xlabel("step")
    ax_l.set_ylabel("loss")
    l_title = ax_l.set_title("loss\n(placeholder)", fontsize=10)
    banner = diverged_banner(ax_c)
    banner.set_fontsize(10)
    fig.tight_layout()
    state = {"problem": None, "surface": [], "last": None, "legend": None}

    def show_problem(key):
        spec = problems[key]
        for artist in state["surface"]:
            artist.remove()
        state["surface"] = draw_surface(ax_c, spec)
        start_point.set_data([spec.start[0]], [spec.start[1]])
        star.set_data([spec.target[0]], [spec.target[1]])
        star.set_label("minimum" if spec.log_loss else "true b")
        prev_path.set_data([], [])
        prev_loss.set_data([], [])
        loss_line.set_data([], [])
        scale = "log" if spec.log_loss else "linear"
        if ax_l.get_yscale() != scale:
            ax_l.set_ylim(0.1, 1.0)         # valid on both scales while switching
            ax_l.set_yscale(scale)
        best_line.set_visible(not spec.log_loss)
        best_line.set_ydata([spec.best, spec.best])
        c_title.set_text(spec.label)
        state["problem"], state["last"] = key, None

    def update(problem, optimizer, lr, beta1, beta2, steps, progress=None):
        if state["problem"] != problem:
            show_problem(problem)
        spec = problems[problem]
        label, color, uses = (OPTIMIZER_LABELS[optimizer], OPTIMIZER_COLORS[optimizer],
                              BETAS_READ[optimizer])
        # the sliders an optimiser reads (BETAS_READ), as its class's keywords
        betas = {"momentum": dict(momentum=beta1), "rmsprop": dict(beta=beta2),
                 "adam": dict(beta1=beta1, beta2=beta2)}.get(optimizer, {})
        path, losses = spec.run(make_optimizer(optimizer, lr, **betas), steps)
        drawn = drawable(path)
        shown = drawable_losses(losses, spec.log_loss)
        has_prev = state["last"] is not None
        if has_prev:
            prev_path.set_data(*state["last"][0].T)
            prev_loss.set_data(np.arange(len(state["last"][1])), state["last"][1])
        state["last"] = (drawn, shown)
        path_line.set_data(drawn[:, 0], drawn[:, 1])
        path_line.set_color(color)
        finite = drawn[np.isfinite(drawn).all(axis=1)]
        end_point.set_data(finite[-1:, 0], finite[-1:, 1])
        end_point.set_color(color)
        loss_line.set_data(np.arange(len(shown)), shown)
        loss_line.set_color(color)
        # legends copy their handles' looks: rebuilt, with only the curves there are, when
        # those or the colour change (a new legend redraws the whole figure)
        legend_key = (has_prev, color, star.get_label(), best_line.get_visible())
        if state["legend"] != legend_key:
            ax_c.legend(handles=[prev_path] * has_prev + [path_line, start_point, star],
                        loc="lower right", fontsize=8, framealpha=0.85)
            ax_l.legend(handles=[prev_loss] * has_prev + [loss_line] +
                        [best_line] * best_line.get_visible(), fontsize=8, loc="upper right")
            state["legend"] = legend_key
        fit_step_axis(ax_l, steps, most=MAX_STEPS)
        _fit_loss_axis(ax_l, [shown, prev_loss.get_ydata()], spec.log_loss,
                       None if spec.log_loss else spec.best)
        gone = blew_up(path, BOUND)
        inside = ((path[:, 0] >= spec.xlim[0]) & (path[:, 0] <= spec.xlim[1])
                  & (path[:, 1] >= spec.ylim[0]) & (path[:, 1] <= spec.ylim[1]))
        left = not gone and not bool(inside.all())
        b = path[-1]
        if gone:
            mark_diverged(ax_c, banner, True, "Diverged: each step overshoots\n"
                                              "further than the last")
            banner.set_position((0.5, 0.5))
            result = "diverged"
        else:
            mark_diverged(ax_c, banner, left, f"The path left the map\n"
                                              f"(it ends at b = ({b[0]:.3g}, {b[1]:.3g}))")
            banner.set_position((0.5, 0.88))
            final = f"{losses[-1]:.3g}" if spec.log_loss else f"{losses[-1]:.4f}"
            result = f"loss {final} at b = ({b[0]:.2f}, {b[1]:.2f})"
        hyper = {"sgd": "", "momentum": f", ρ = β1 = {beta1:.2f}", "adagrad": "",
                 "rmsprop": f", β = β2 = {beta2:.3f}",
                 "adam": f", β1 {beta1:.2f}, β2 {beta2:.3f}"}[optimizer]
        unused = [name for name in ("β1", "β2") if not any(name in u for u in uses)]
        note = f"  ({' and '.join(unused)} not used)" if unused else ""
        l_title.set_text(f"{label}, lr {lr:.3g}{hyper}{note}\nafter {steps} steps: {result}")

    controls = {
        "problem": dropdown("problem", PROBLEM_CHOICES, problem),
        "optimizer": dropdown("optimiser", [(OPTIMIZER_LABELS[k], k) for k in OPTIMIZER_NAMES],
                              optimizer),
        "lr": log_slider("learning rate", lr, -3, 0, step=0.05),
        "beta1": slider("β1", beta1, 0.0, 0.99, 0.01),
        "beta2": slider("β2", beta2, 0.5, 0.999, 0.001, readout_format=".3f"),
        "steps": slider("steps", steps, 10, MAX_STEPS, 10),
    }
    # the paths, curves and texts move, with the points and the dashed line drawn over them;
    # a new problem (contours, scale) or legend redraws the whole figure
    moving = [prev_path, path_line, end_point, start_point, star, banner, prev_loss,
              loss_line, best_line, l_title]
    return Explorer(controls, fig, update, moving=moving, legends_of=[ax_c, ax_l],
                    still=["problem"],
                    title="Five optimisers on two-parameter problems (β1: the momentum ρ of "
                          "SGD + momentum and Adam's β1; β2: RMSProp's β and Adam's β2; "
                          "SGD and Adagrad use neither)")
