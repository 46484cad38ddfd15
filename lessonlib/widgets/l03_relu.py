"""Lesson 03: ReLU against sigmoid in a small MLP on the rings data.

Builder (``__all__``): ``relu_mlp_explorer``. The training run and the count of dead ReLUs come
from ``lessonlib.recipes.l03_relu``, the activations' colours and the loss axis range from
``lessonlib.plots.l03_relu``.
"""
import numpy as np

from .. import plots
from ..data import make_rings
from ..plots.l03_relu import (ACTIVATION_COLORS, LOSS_CEILING, RINGS_LOSS_FLOOR, class_legend,
                              class_map, map_colorbar)
from ..recipes.l03_relu import dead_units, train_rings
from ._base import (Explorer, RunComparison, diverged_banner, dropdown, epoch_progress,
                    log_slider, mark_diverged, new_figure, slider)

__all__ = ["relu_mlp_explorer"]

INIT_LABELS = {"normal": "std 1", "xavier": "Xavier", "he": "He"}
NAMES = {"relu": "ReLU", "sigmoid": "sigmoid", "tanh": "tanh", "leaky_relu": "leaky ReLU"}


LOWEST_LR = 1e-3           # the learning-rate slider's left end, 10 ** -3


# ---------------------------------------------------------------- the explorer

def relu_mlp_explorer(activation="relu", width=20, depth=2, init="normal", lr=0.1, momentum=0.9,
                      iterations=2000, seed=0):
    """Train an MLP on the rings data with full-batch gradient descent and momentum; compare the
    activations. The previous run's loss curve stays in grey for comparison. A cheap setting
    runs by itself; an expensive one (wide, deep, many iterations) waits for Run."""
    X, y = make_rings()
    fig, (ax_map, ax_loss) = new_figure(1, 2, figsize=(10, 4.2), width_ratios=(1, 1.15))
    image, points, shape = class_map(ax_map, X, y)
    class_legend(ax_map)
    bar = map_colorbar(fig, image, ax_map)
    # the map's title says p(class 1): without the bar's own label, the bar's side stays clear
    # of the loss axis's label when its tick labels grow wide ("0.001")
    bar.set_label("")
    map_title = ax_map.set_title("p(class 1)\n(placeholder)", fontsize=10)
    runs = RunComparison(ax_loss, ACTIVATION_COLORS["relu"], lw=1.5, loc="upper right",
                         previous_style=dict(color="0.6", lw=1.2, ls="--"))
    ax_loss.set_yscale("log")
    ax_loss.set_xlabel("iteration")
    ax_loss.set_ylabel("cross-entropy loss")
    loss_title = ax_loss.set_title("loss\n(placeholder)\n(placeholder)", fontsize=10)
    banner = diverged_banner(ax_loss)
    fig.tight_layout(w_pad=2.0)

    def update(activation, width, depth, init, lr, momentum, iterations, seed, progress=None):
        hidden = [width] * depth
        model, history = train_rings(activation, hidden, lr, momentum, iterations, init, seed,
                                     X, y, callback=epoch_progress(progress, iterations,
                                                                   unit="iteration"))
        image.set_data(plots.class1_proba(model, points).reshape(shape))
        # every setting, so that two runs that differ only in seed or length are told apart
        label = (f"{NAMES[activation]} {hidden}, init {INIT_LABELS[init]}, lr {lr:.3g}, "
                 f"ρ {momentum:.2f},\nseed {seed}, {iterations} iterations")
        losses = np.clip(history.loss, RINGS_LOSS_FLOOR, LOSS_CEILING)
        runs.show(np.arange(len(losses)), losses, label, ACTIVATION_COLORS[activation])
        plots.fit_log_axis(ax_loss, runs.curves(), min_ratio=20.0, margin=1.3)
        ax_loss.set_xlim(0, iterations)
        map_title.set_text(f"{NAMES[activation]} {hidden}, seed {seed}: p(class 1)\n")
        if history.diverged:
            mark_diverged(ax_loss, banner, True,
                          f"Diverged at iteration {history.diverged_epoch + 1}:\n"
                          f"the loss overflowed")
            loss_title.set_text(f"{label}\nstopped: the loss is no longer finite")
            map_title.set_text(f"{NAMES[activation]} {hidden}, seed {seed}:\n"
                               f"no map (the run diverged)")
            if lr <= LOWEST_LR * 1.001:         # the slider cannot go lower
                return ("The run diverged even at the smallest learning rate: try smaller "
                        "initial weights (Xavier or He), or fewer hidden layers.")
            if init == "normal":
                return ("The run diverged: try a smaller learning rate, or smaller initial "
                        "weights (Xavier or He).")
            return "The run diverged: try a smaller learning rate."
        mark_diverged(ax_loss, banner, False)
        if activation == "relu":
            map_title.set_text(f"{NAMES[activation]} {hidden}, seed {seed}: p(class 1)\n"
                               f"{dead_units(model, X)} of {sum(hidden)} ReLUs dead "
                               f"(0 for every training point)")
        loss_title.set_text(f"{label}\nfinal loss {history.loss[-1]:.4f}, accuracy "
                            f"{model.score(X, y):.0%}")
        return f"Trained in {history.seconds:.1f} s."

    controls = {
        "activation": dropdown("activation", [("ReLU", "relu"), ("sigmoid", "sigmoid"),
                                              ("tanh", "tanh"), ("leaky ReLU (0.25)",
                                                                 "leaky_relu")], activation),
        "width": slider("units per hidden layer", width, 2, 40, 1, continuous=False),
        "depth": slider("hidden layers", depth, 1, 6, 1, continuous=False),
        "init": dropdown("initial weights", [("normal, std 1 (the notes)", "normal"),
                                             ("Xavier, std 1/√n", "xavier"),
                                             ("He, std √(2/n)", "he")], init),
        "lr": log_slider("learning rate", lr, -3, 0.5, continuous=False),
        "momentum": slider("momentum ρ", momentum, 0.0, 0.99, 0.01, continuous=False),
        "iterations": slider("iterations", iterations, 500, 6000, 500, continuous=False),
        "seed": slider("seed (initial weights)", seed, 0, 9, 1, continuous=False),
    }
    def cost(width, depth, iterations, **_):
        """Seconds of a run on the course machine: full-batch steps x (layers + params/1000)."""
        params = 3 * width + (depth - 1) * (width * width + width) + 2 * width + 2
        return 0.1 + 2.5e-4 * iterations * (depth + 1 + params / 1000)

    return Explorer(controls, fig, update, run_button=True, cost=cost,
                    title="An MLP on the rings: ReLU against sigmoid")
