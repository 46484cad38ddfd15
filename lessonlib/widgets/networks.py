"""Lesson 03: ReLU against sigmoid in a small MLP on the rings data.

Builder (``__all__``): ``relu_mlp_explorer``. The helpers below it make the lesson's static
figures, the non-interactive twins of the explorer: ``activation_figure`` (the activations and
their derivatives), ``layer_gradients`` and ``draw_layer_gradients`` (mean |dL/dW| per layer at
the start of training), ``train_rings`` (one run on the rings data), ``draw_rings_run`` (its
decision map and loss curve) and ``rings_comparison_figure`` (several runs side by side).
``sigmoid``, ``layer_gradients``, ``train_rings`` and ``dead_units`` live in
``lessonlib.recipes.l03_relu``, ``single_thread`` in ``lessonlib._blas``; both are re-exported
here.
"""
import numpy as np

from .. import plots
from ..data import make_rings
from .._blas import single_thread  # noqa: F401
from ..recipes.l03_relu import dead_units, layer_gradients, sigmoid, train_rings  # noqa: F401
from ._base import (Explorer, RunComparison, diverged_banner, dropdown, epoch_progress,
                    log_slider, mark_diverged, new_figure, slider)

__all__ = ["relu_mlp_explorer"]

ACTIVATION_COLORS = {"relu": "#d62728", "sigmoid": "#1f77b4", "tanh": "#2ca02c",
                     "leaky_relu": "#9467bd"}
INIT_LABELS = {"normal": "std 1", "xavier": "Xavier", "he": "He"}
LOSS_FLOOR = 1e-5           # the loss axis is logarithmic: smaller losses are drawn here
LOSS_CEILING = 1e3          # and a run that blows up is drawn up to here


# ---------------------------------------------------------------- static figures

def activation_figure(z=np.linspace(-5, 5, 401)):
    """Left: ReLU and sigmoid; right: their derivatives, with sigmoid's ceiling of 0.25."""
    fig, (ax_f, ax_d) = new_figure(1, 2, figsize=(10, 3.4))
    s = sigmoid(z)
    ax_f.plot(z, np.maximum(z, 0.0), color=ACTIVATION_COLORS["relu"], lw=2, label="ReLU(z)")
    ax_f.plot(z, s, color=ACTIVATION_COLORS["sigmoid"], lw=2, label="sigmoid S(z)")
    ax_f.set_ylim(-0.3, 3.0)
    ax_f.set_title("the activations", fontsize=10)
    ax_d.plot(z, (z > 0).astype(float), color=ACTIVATION_COLORS["relu"], lw=2,
              label="ReLU'(z): 1 if z > 0, else 0")
    ax_d.plot(z, s * (1 - s), color=ACTIVATION_COLORS["sigmoid"], lw=2,
              label="S'(z) = S(z)(1 - S(z))")
    ax_d.axhline(0.25, color="0.4", ls=":", lw=1)
    ax_d.annotate("0.25, the most S' can be", (z[0], 0.25), xytext=(2, 3),
                  textcoords="offset points", fontsize=8, color="0.3")
    ax_d.set_ylim(-0.05, 1.15)
    ax_d.set_title("their derivatives", fontsize=10)
    for ax in (ax_f, ax_d):
        ax.axhline(0, color="0.7", lw=0.8, zorder=0)
        ax.axvline(0, color="0.7", lw=0.8, zorder=0)
        ax.set_xlabel("z")
        ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    return fig


def draw_layer_gradients(ax, grads):
    """One line per activation: mean |dL/dW| against the layer (1 = first), log scale."""
    for act, g in grads.items():
        layers = np.arange(1, len(g) + 1)
        ax.plot(layers, g, "o-", color=ACTIVATION_COLORS.get(act, "0.3"), label=act)
    ax.set_yscale("log")
    n = len(next(iter(grads.values())))
    ax.set_xticks(np.arange(1, n + 1))
    ax.set_xticklabels([f"fc{i}" if i < n else f"fc{i}\n(output)" for i in range(1, n + 1)],
                       fontsize=8)
    ax.set_xlabel("weight matrix (input side → output side)")
    ax.set_ylabel("mean |dL/dW|")
    ax.legend(fontsize=9)


def draw_rings_run(ax_map, ax_loss, X, y, model, history, label):
    """The decision map of a trained model over the data, and its loss per iteration."""
    plots.decision_map(ax_map, X, y, lambda G: plots.class1_proba(model, G))
    ax_map.set_title(f"{label}: p(class 1)", fontsize=10)
    color = ACTIVATION_COLORS.get(model.activation, "0.3")
    losses = np.clip(history.loss, LOSS_FLOOR, LOSS_CEILING)
    plots.loss_curve(ax_loss, losses, label=label, color=color, lw=1.5)
    ax_loss.set_yscale("log")
    ax_loss.set_xlabel("iteration")


def rings_comparison_figure(X, y, runs):
    """One decision map per run (label, model, history), then all their loss curves on one
    log-scale axis."""
    fig, axes = new_figure(1, len(runs) + 1, figsize=(4.2 * len(runs) + 4.6, 3.8),
                           width_ratios=[1] * len(runs) + [1.25])
    for ax, (label, model, history) in zip(axes, runs):
        draw_rings_run(ax, axes[-1], X, y, model, history, label)
    plots.fit_log_axis(axes[-1], [np.clip(h.loss, LOSS_FLOOR, LOSS_CEILING) for _, _, h in runs],
                       min_ratio=20.0, margin=1.3)
    axes[-1].legend(fontsize=8, loc="lower left")
    axes[-1].set_title("loss per iteration", fontsize=10)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------- the explorer

def relu_mlp_explorer(activation="relu", width=20, depth=2, init="normal", lr=0.1, momentum=0.9,
                      iterations=2000, seed=0):
    """Train an MLP on the rings data with full-batch gradient descent and momentum; compare the
    activations. The previous run's loss curve stays in grey for comparison. Press Run."""
    X, y = make_rings()
    fig, (ax_map, ax_loss) = new_figure(1, 2, figsize=(10, 4.2), width_ratios=(1, 1.15))
    image, points, shape = plots.decision_map(ax_map, X, y)
    map_title = ax_map.set_title("p(class 1)", fontsize=10)
    runs = RunComparison(ax_loss, ACTIVATION_COLORS["relu"], lw=1.5, loc="upper right",
                         previous_style=dict(color="0.6", lw=1.2, ls="--"))
    ax_loss.set_yscale("log")
    ax_loss.set_xlabel("iteration")
    ax_loss.set_ylabel("cross-entropy loss")
    loss_title = ax_loss.set_title("loss\n(placeholder)", fontsize=10)
    banner = diverged_banner(ax_loss)
    fig.tight_layout()

    def update(activation, width, depth, init, lr, momentum, iterations, seed, progress=None):
        hidden = [width] * depth
        model, history = train_rings(activation, hidden, lr, momentum, iterations, init, seed,
                                     X, y, callback=epoch_progress(progress, iterations,
                                                                   unit="iteration"))
        image.set_data(plots.class1_proba(model, points).reshape(shape))
        label = f"{activation} {hidden}, init {INIT_LABELS[init]}, lr {lr:.3g}, ρ {momentum:.2f}"
        losses = np.clip(history.loss, LOSS_FLOOR, LOSS_CEILING)
        runs.show(np.arange(len(losses)), losses, label, ACTIVATION_COLORS[activation])
        plots.fit_log_axis(ax_loss, runs.curves(), min_ratio=20.0, margin=1.3)
        ax_loss.set_xlim(0, iterations)
        map_title.set_text(f"{activation}, hidden {hidden}: p(class 1)")
        if history.diverged:
            mark_diverged(ax_loss, banner, True,
                          f"Diverged at iteration {history.diverged_epoch + 1}:\n"
                          f"the loss overflowed")
            loss_title.set_text(f"{label}\nstopped: the loss is no longer finite")
            return ("The run diverged: try a smaller learning rate, or smaller initial weights "
                    "(Xavier or He).")
        mark_diverged(ax_loss, banner, False)
        dead = dead_units(model, X)
        words = f", {dead} of {sum(hidden)} ReLUs dead" if activation == "relu" else ""
        loss_title.set_text(f"{label}\nfinal loss {history.loss[-1]:.4f}, accuracy "
                            f"{model.score(X, y):.0%}{words}")
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
    return Explorer(controls, fig, update, run_button=True,
                    title="An MLP on the rings: ReLU against sigmoid")
