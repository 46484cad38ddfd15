"""Lesson 11: LeakyReLU, dead ReLUs, and the five families of fixes side by side.

Builder (``__all__``): ``leaky_relu_explorer``. The helpers below make the lesson's static
figures: ``activation_figure`` (ReLU and LeakyReLU with their derivatives), ``never_positive``
(per hidden layer, the units whose input is <= 0 for every example: dead, for a ReLU),
``train_iris`` (one run of the lesson-06 iris setting), ``gradient_figure`` (per-layer gradient
curves of a few runs), ``seed_curves_figure`` and ``fixes_figure`` (the precomputed runs of
``data/make_l11_runs.py``). ``leaky_relu``, ``leaky_relu_grad``, ``make_optimizer`` and
``train_iris`` live in ``lessonlib.recipes.l11_leaky``, ``never_positive`` in
``lessonlib.models``; they are imported here under the same names.
"""

import numpy as np

from .. import plots
from ..data import load_iris
from ..models import never_positive  # noqa: F401  (lesson 11: leaky.never_positive)
from ..recipes.l11_leaky import (leaky_relu, leaky_relu_grad, make_optimizer,  # noqa: F401
                                 train_iris)
from ._base import (Explorer, RunComparison, diverged_banner, epoch_progress, mark_diverged,
                    new_figure, slider)

__all__ = ["leaky_relu_explorer"]

RELU_COLOR = "#d62728"
LEAKY_COLOR = "#9467bd"
LOSS_FLOOR = 1e-4               # the loss axes are logarithmic: smaller losses are drawn here
LN3 = float(np.log(3.0))        # the loss of predicting 1/3 for each of the three species


# ---------------------------------------------------------------- the activation

def _draw_activation(ax_f, ax_d, z, slope):
    """ReLU in grey behind LeakyReLU(slope) on ax_f, their derivatives on ax_d.
    Returns the two LeakyReLU lines (function, derivative) to update."""
    ax_f.plot(z, np.maximum(z, 0.0), color="0.55", lw=4, alpha=0.5, label="ReLU")
    (f_line,) = ax_f.plot(z, leaky_relu(z, slope), color=LEAKY_COLOR, lw=2,
                          label=f"LeakyReLU, slope {slope:g}")
    ax_d.plot(z, (z > 0).astype(float), color="0.55", lw=4, alpha=0.5, label="ReLU′")
    (d_line,) = ax_d.plot(z, leaky_relu_grad(z, slope), color=LEAKY_COLOR, lw=2,
                          label=f"LeakyReLU′, slope {slope:g}")
    ax_f.set_ylim(-1.6, 3.2)
    ax_d.set_ylim(-0.1, 1.15)
    for ax in (ax_f, ax_d):
        ax.axhline(0, color="0.75", lw=0.8, zorder=0)
        ax.axvline(0, color="0.75", lw=0.8, zorder=0)
        ax.set_xlabel("z")
        ax.legend(loc="upper left", fontsize=8)
    ax_f.set_title("the activation", fontsize=10)
    ax_d.set_title("its derivative", fontsize=10)
    return f_line, d_line


def activation_figure(slope=0.25, z=np.linspace(-4, 3, 351)):
    """Left: ReLU and LeakyReLU(slope); right: their derivatives."""
    fig, (ax_f, ax_d) = new_figure(1, 2, figsize=(9.5, 3.2))
    _draw_activation(ax_f, ax_d, z, slope)
    ax_d.annotate(f"slope {slope:g}: the gradient that still\ngets through where z < 0",
                  (-2.5, slope), xytext=(-3.9, slope + 0.28), fontsize=8, color="0.3",
                  arrowprops=dict(arrowstyle="->", color="0.5", lw=0.8))
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------- figures of the iris runs

def gradient_figure(runs, title=""):
    """One panel per (label, grads): grads (epochs, weight matrices) is a History's
    grad_mean_abs, the mean |dL/dW| of every weight matrix per epoch, drawn on a log scale;
    all panels on one y range so they compare."""
    from types import SimpleNamespace
    fig, axes = new_figure(1, len(runs), figsize=(4.8 * len(runs), 3.6), sharey=True)
    axes = np.atleast_1d(axes)
    for ax, (label, grads) in zip(axes, runs):
        grads = np.asarray(grads, dtype=np.float64)
        names = [f"fc{i}_weight" for i in range(1, grads.shape[1] + 1)]
        plots.gradient_curves(ax, SimpleNamespace(grad_mean_abs=grads, weight_names=names))
        ax.set_title(label, fontsize=10)
    axes[-1].legend(fontsize=7, loc="lower right", ncol=2)
    for ax in axes[1:]:
        ax.set_ylabel("")
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def _loss_axis(ax, epochs):
    ax.set_yscale("log")
    ax.set_ylim(0.02, 3)
    ax.set_xlim(0, epochs)
    ax.axhline(LN3, color="0.6", lw=0.8, ls=":")
    ax.text(0.99, LN3, "ln 3: guessing", fontsize=7, color="0.4", ha="right", va="bottom",
            transform=ax.get_yaxis_transform())
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss")


def seed_curves_figure(curves, labels, colors, epochs):
    """One panel per group: the loss curve of every seed. curves: list of (seeds, epochs)."""
    fig, axes = new_figure(1, len(curves), figsize=(4.6 * len(curves), 3.4), sharey=True)
    for ax, c, label, color in zip(np.atleast_1d(axes), curves, labels, colors):
        for row in c:
            ax.plot(np.arange(1, len(row) + 1), np.maximum(row, LOSS_FLOOR), color=color,
                    lw=1.2, alpha=0.8)
        _loss_axis(ax, epochs)
        ax.set_title(label, fontsize=10)
    for ax in np.atleast_1d(axes)[1:]:
        ax.set_ylabel("")
    fig.tight_layout()
    return fig


FAMILY_COLORS = {"baseline": "0.35", "optimiser": "#ff7f0e", "activation": LEAKY_COLOR,
                 "normalisation": "#2ca02c", "architecture": "#1f77b4"}


def fixes_figure(names, final_loss, test_accuracy, families):
    """Final training loss (log) of every seed, one row per variant, coloured by family;
    beside each row, how many seeds reach 90% test accuracy."""
    from matplotlib.lines import Line2D
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter
    n = len(names)
    fig, ax = new_figure(figsize=(8.6, 0.42 * n + 1.1))
    rng = np.random.default_rng(0)                      # vertical jitter, fixed
    for i in range(n):
        y = n - 1 - i
        losses = np.maximum(final_loss[i], LOSS_FLOOR)
        ax.scatter(losses, y + rng.uniform(-0.12, 0.12, len(losses)),
                   color=FAMILY_COLORS[families[i]], s=28, zorder=3, alpha=0.85, lw=0)
        acc = test_accuracy[i]
        ax.text(1.02, y, f"{np.sum(acc >= 0.9)}/{len(acc)} seeds ≥ 90% test", fontsize=8,
                va="center", transform=ax.get_yaxis_transform())
    ax.set_yticks(np.arange(n)[::-1])
    ax.set_yticklabels(names, fontsize=9)
    ax.set_xscale("log")
    ax.set_xlim(0.02, 2)
    ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.axvline(LN3, color="0.6", lw=0.8, ls=":")
    ax.text(LN3 * 0.97, -0.55, "ln 3 (guessing)", fontsize=7, color="0.4", ha="right",
            va="bottom")
    ax.set_ylim(-0.6, n - 0.4)
    ax.set_xlabel("training loss after the last epoch (one dot per seed)")
    ax.grid(axis="x", which="major", color="0.92", lw=0.8)
    seen = list(dict.fromkeys(families))
    handles = [Line2D([], [], marker="o", ls="", color=FAMILY_COLORS[f], label=f)
               for f in seen]
    ax.legend(handles=handles, fontsize=8, loc="lower left", bbox_to_anchor=(0.625, 0.06),
              title="family", title_fontsize=8, framealpha=0.9)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------- the explorer

def leaky_relu_explorer(slope=0.25, depth=7, epochs=200, seed=0):
    """The slope of LeakyReLU (0 = ReLU, 1 = no activation at all): the activation and its
    derivative move with the slider; Run trains lesson 06's deep iris network with it and
    counts, per layer, the units that are negative for every training flower."""
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
        what = "ReLUs dead" if slope == 0 else "units never > 0 (not dead: slope > 0)"
        dead_title.set_text(f"{int(counts.sum())} of {width * depth} {what}")
        return f"Trained in {history.seconds:.1f} s."

    controls = {
        "slope": slider("slope for z < 0", slope, 0.0, 1.0, 0.05, continuous=True),
        "depth": slider("hidden layers (10 units each)", depth, 2, max_depth, 1,
                        continuous=False),
        "epochs": slider("epochs", epochs, 50, 300, 50, continuous=False),
        "seed": slider("seed (initial weights, batches)", seed, 0, 9, 1, continuous=False),
    }
    explorer = Explorer(controls, fig, update, run_button=True,
                        title="LeakyReLU: the slope below zero")

    def on_slope(change):
        # the activation panel follows the slider at once; training waits for Run
        draw_activation(change["new"])
        fig.canvas.draw_idle()

    controls["slope"].observe(on_slope, names="value")
    return explorer
