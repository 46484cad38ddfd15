"""Lesson 11: LeakyReLU and dead ReLUs.

Builder (``__all__``): ``leaky_relu_explorer`` (the slope of LeakyReLU: the activation and its
derivative follow the slider; a run, by itself when cheap, else on Run, trains lesson 06's
deep iris net with it and counts the units that are never > 0). The activation and the run
come from ``lessonlib.recipes.l11_leaky``,
``never_positive`` from ``lessonlib.models``, the colours and the loss axis from
``lessonlib.plots.l11_leaky``.
"""

import numpy as np

from ..data import load_iris
from ..models import never_positive
from ..plots.l11_leaky import LEAKY_COLOR, RELU_COLOR, _loss_axis
from ..plots.style import LOSS_FLOOR
from ..recipes.l11_leaky import leaky_relu, leaky_relu_grad, train_iris
from ._base import (Explorer, RunComparison, diverged_banner, epoch_progress, mark_diverged,
                    new_figure, slider)

__all__ = ["leaky_relu_explorer"]


# ---------------------------------------------------------------- the explorer

def leaky_relu_explorer(slope=0.25, depth=7, epochs=200, seed=0):
    """The slope of LeakyReLU (0 = ReLU, 1 = no activation at all): the activation and its
    derivative move with the slider; a run (by itself when cheap, else on Run) trains lesson
    06's deep iris network with it and counts, per layer, the units that are negative for
    every training flower."""
    data = load_iris()
    X = data[0]
    fig, (ax_f, ax_loss, ax_dead) = new_figure(1, 3, figsize=(11.5, 3.7),
                                               width_ratios=(1, 1.1, 1.1))
    z = np.linspace(-3, 3, 241)
    ax_f.plot(z, np.maximum(z, 0.0), color="0.55", lw=4, alpha=0.5, label="ReLU")
    (f_line,) = ax_f.plot(z, leaky_relu(z, slope), color=LEAKY_COLOR, lw=2, label="f(z)")
    (d_line,) = ax_f.plot(z, leaky_relu_grad(z, slope), color=LEAKY_COLOR, lw=1.5, ls="--",
                          label="f′(z)")
    ax_f.axhline(0, color="0.75", lw=0.8, zorder=0)
    ax_f.axvline(0, color="0.75", lw=0.8, zorder=0)
    ax_f.set_ylim(-3.2, 3.2)
    ax_f.set_xlabel("z")
    ax_f.legend(loc="upper left", fontsize=8)
    f_title = ax_f.set_title("slope", fontsize=10)

    runs = RunComparison(ax_loss, LEAKY_COLOR, lw=1.5, previous_style=dict(color="0.6", lw=1.2,
                                                                           ls="--"))
    _loss_axis(ax_loss, epochs)
    loss_title = ax_loss.set_title("loss\n(placeholder)", fontsize=10)
    banner = diverged_banner(ax_loss)

    max_depth = 10
    width = 10
    layers = np.arange(1, max_depth + 1)
    bars = ax_dead.bar(layers, np.zeros(max_depth), color=LEAKY_COLOR, width=0.7)
    ax_dead.set_xlim(0.4, max_depth + 0.6)
    ax_dead.set_ylim(0, width + 0.5)
    ax_dead.set_xticks(layers)
    ax_dead.set_xlabel("hidden layer")
    ax_dead.set_ylabel(f"units (of {width}) never > 0")
    dead_title = ax_dead.set_title("units negative for every\ntraining flower", fontsize=10)
    fig.tight_layout()

    def draw_activation(s):
        f_line.set_ydata(leaky_relu(z, s))
        d_line.set_ydata(leaky_relu_grad(z, s))
        name = "ReLU" if s == 0 else ("the identity" if s == 1 else "LeakyReLU")
        f_title.set_text(f"slope {s:.2f}: {name}")

    def update(slope, depth, epochs, seed, progress):
        draw_activation(slope)
        model, history = train_iris("leaky_relu", depth, width, epochs, seed, slope,
                                    data=data, callback=epoch_progress(progress, epochs))
        color = RELU_COLOR if slope == 0 else LEAKY_COLOR
        label = f"slope {slope:.2f}, {depth} layers, seed {seed}"
        losses = np.maximum(history.loss, LOSS_FLOOR)
        runs.show(np.arange(1, len(losses) + 1), losses, label, color)
        ax_loss.set_xlim(0, max(epochs, len(runs.previous.get_xdata())))
        if history.diverged:
            mark_diverged(ax_loss, banner, True, f"Diverged at epoch {history.diverged_epoch + 1}")
            loss_title.set_text(f"{label}\nstopped: the loss is no longer finite")
            counts = np.zeros(depth)
        else:
            mark_diverged(ax_loss, banner, False)
            test_acc = model.score(data[2], data[3])
            loss_title.set_text(f"{label}\nfinal loss {history.loss[-1]:.3f}, "
                                f"test accuracy {test_acc:.0%}")
            counts = never_positive(model, X)
        for i, bar in enumerate(bars):
            bar.set_height(counts[i] if i < depth else 0)
            bar.set_color(color)
            bar.set_alpha(1.0 if i < depth else 0.0)
        if slope == 0:
            what = "ReLUs dead"
        elif slope == 1:
            what = "units never > 0\n(slope 1 passes them whole: none is off)"
        else:
            what = "units never > 0\n(not dead: slope > 0)"
        dead_title.set_text(f"{int(counts.sum())} of {width * depth} {what}")
        return f"Trained in {history.seconds:.1f} s."

    controls = {
        "slope": slider("slope for z < 0", slope, 0.0, 1.0, 0.01, continuous=True,
                        readout_format=".2f"),
        "depth": slider("hidden layers (10 units each)", depth, 2, max_depth, 1,
                        continuous=False),
        "epochs": slider("epochs", epochs, 50, 300, 50, continuous=False),
        "seed": slider("seed (initial weights, batches)", seed, 0, 9, 1, continuous=False),
    }
    def cost(depth, epochs, **_):
        """Seconds of a run on the course machine: epochs x layers."""
        return 0.05 + 5.5e-4 * epochs * (depth + 1)

    explorer = Explorer(controls, fig, update, run_button=True, cost=cost,
                        title="LeakyReLU: the slope below zero")

    def on_slope(change):
        # the activation panel follows the slider at once; training runs by itself when cheap
        draw_activation(change["new"])
        fig.canvas.draw_idle()

    controls["slope"].observe(on_slope, names="value")
    return explorer
