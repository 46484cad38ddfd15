"""Lesson 08: batch normalisation.

``batchnorm_explorer`` trains the lesson's iris net (depth, batch norm on or off, the scale of
the initial weights) and shows its loss and per-layer gradient curves. The other functions are
the lesson's helpers and static figures: a forward pass redone by hand with batch or moving
statistics, the computational graph of batch norm, and the figures of the notebook.
``forward_by_hand`` and ``layer_scales`` live in ``lessonlib.recipes.l08_batchnorm`` and are
imported here under the same names.
"""
import ipywidgets as widgets
import matplotlib
import numpy as np
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize

from .. import plots
from ..data import load_iris
from ..models import MLP
from ..optim import Adam
from ..recipes.l08_batchnorm import forward_by_hand, layer_scales  # noqa: F401
from ._base import (Explorer, RunComparison, diverged_banner, epoch_progress, log_slider,
                    mark_diverged, new_figure, slider)

__all__ = ["batchnorm_explorer"]

BN_COLOR = "#1f77b4"
PLAIN_COLOR = "#ff7f0e"


# ---------------------------------------------------------------- static figures

def draw_feature_scales(ax, X, X_bn, names):
    """Each feature's values as a strip of points, raw (left half) and batch-normalised."""
    rng = np.random.default_rng(0)
    d = X.shape[1]
    for j in range(d):
        jitter = rng.uniform(-0.15, 0.15, len(X))
        ax.plot(j + jitter, X[:, j], ".", ms=3, color=PLAIN_COLOR, alpha=0.6,
                label="raw (cm)" if j == 0 else None)
        ax.plot(d + 1 + j + jitter, X_bn[:, j], ".", ms=3, color=BN_COLOR, alpha=0.6,
                label="batch-normalised" if j == 0 else None)
    ax.axvline(d, color="0.7", lw=0.8)
    ax.axhline(0, color="0.85", lw=0.8, zorder=0)
    ax.set_xticks(list(range(d)) + [d + 1 + j for j in range(d)])
    ax.set_xticklabels(list(names) * 2, rotation=30, ha="right", fontsize=8)
    ax.set_ylabel("value")
    ax.legend(loc="upper right", fontsize=8, markerscale=3)


def draw_layer_scales(ax, curves):
    """curves: [(label, per-layer std, style dict)]: one line each, log y."""
    for label, values, style in curves:
        ax.plot(np.arange(1, len(values) + 1), values, label=label, **{"marker": "o", "ms": 4,
                                                                       **style})
    ax.set_yscale("log")
    ax.set_xlabel("hidden layer")
    ax.set_ylabel("std of the ReLU outputs")
    ax.legend(fontsize=8)


_GRAPH_NODES = {   # name: (x, y, forward step); the numbers match the lesson's code comments
    "x": (0.0, 0.0, "x"),
    "mu": (1.2, -1.0, "(1) μ = mean(x)"),
    "xc": (2.6, 0.0, "(2) xc = x − μ"),
    "sq": (3.9, 1.0, "(3) sq = xc²"),
    "var": (6.1, 1.0, "(4) var = mean(sq)"),
    "std": (8.6, 1.0, "(5) std = √(var + ε)"),
    "inv": (11.0, 1.0, "(6) inv = 1 / std"),
    "xhat": (11.6, 0.0, "(7) x̂ = xc · inv"),
    "gamma": (12.6, -1.0, "γ"),
    "scaled": (13.8, 0.0, "(8) s = γ · x̂"),
    "beta": (14.9, -1.0, "β"),
    "y": (15.9, 0.0, "(9) y = s + β"),
}
_GRAPH_EDGES = [("x", "mu"), ("x", "xc"), ("mu", "xc"), ("xc", "sq"), ("sq", "var"),
                ("var", "std"), ("std", "inv"), ("xc", "xhat"), ("inv", "xhat"),
                ("xhat", "scaled"), ("gamma", "scaled"), ("scaled", "y"), ("beta", "y")]


def draw_graph(ax):
    """The staged computational graph of batch norm (forward left to right, steps numbered).
    x and xc feed two nodes each (orange): their gradients are sums of two contributions."""
    fan_out = {"x", "xc"}
    params = {"gamma", "beta"}
    boxes = {}
    for name, (x, y, text) in _GRAPH_NODES.items():
        color = "#ffd9a6" if name in fan_out else "#e8e8e8" if name in params else "#d6e6f5"
        boxes[name] = ax.text(x, y, text, ha="center", va="center", fontsize=9, zorder=3,
                              bbox=dict(boxstyle="round,pad=0.35", fc=color, ec="0.4"))
    for a, b in _GRAPH_EDGES:
        # patchA/patchB clip the arrow at the two boxes' edges, whatever their sizes
        ax.annotate("", xy=_GRAPH_NODES[b][:2], xytext=_GRAPH_NODES[a][:2],
                    arrowprops=dict(arrowstyle="-|>", color="0.35", lw=1.0, shrinkA=1,
                                    shrinkB=1, patchA=boxes[a].get_bbox_patch(),
                                    patchB=boxes[b].get_bbox_patch()), zorder=4)
    ax.set_xlim(-0.6, 16.9)
    ax.set_ylim(-1.5, 1.5)
    ax.axis("off")
    ax.text(-0.5, 1.3, "forward: steps (1) to (9) →", fontsize=9, color="0.3", va="center")
    ax.text(16.8, -1.35, "← backward: steps (9) to (1), one local derivative each", fontsize=9,
            color="#b00020", ha="right", va="center")
    return boxes


def draw_moving_average(ax, batch_means, moving_means, full_mean, feature="petal length"):
    """The batch means of one feature, the moving mean that follows them, the data's mean."""
    steps = np.arange(1, len(batch_means) + 1)
    ax.plot(steps, batch_means, "o", ms=3, color="0.6", label="mean of each batch of 20")
    ax.plot(np.concatenate([[0], steps]), moving_means, "-", color=BN_COLOR, lw=1.8,
            label="moving mean (0.9 old + 0.1 batch)")
    ax.axhline(full_mean, color="k", ls="--", lw=1, label="mean of all 100 training flowers")
    ax.set_xlabel("batches seen (5 per epoch)")
    ax.set_ylabel(f"{feature} (cm)")
    ax.legend(fontsize=8, loc="lower right")


def draw_scale_sweep(axes, stds, loss, labels=("without batch norm", "with batch norm")):
    """One panel per weight std: the loss per epoch of every seed, dashed without batch norm,
    solid with it (loss[std, bn, seed, epoch], NaN after a divergence). Each panel has its own
    log scale: the losses of large weights span ten orders of magnitude."""
    epochs = np.arange(1, loss.shape[-1] + 1)
    for i, (ax, std) in enumerate(zip(axes, stds)):
        for j, (color, ls) in enumerate(((PLAIN_COLOR, "--"), (BN_COLOR, "-"))):
            for k in range(loss.shape[2]):
                ax.plot(epochs, loss[i, j, k], ls=ls, color=color, lw=1.1, alpha=0.8,
                        label=labels[j] if k == 0 else None)
        ax.set_yscale("log")
        ax.set_title(f"weights ~ N(0, {std:g}²)", fontsize=10)
        ax.set_xlabel("epoch")
        ax.axhline(np.log(3), color="0.5", lw=0.8, ls=":")
    axes[0].set_ylabel("training loss")
    axes[min(2, len(axes) - 1)].legend(fontsize=8, loc="upper right")


# ---------------------------------------------------------------- the explorer

def batchnorm_explorer(depth=7, batch_norm=True, init_scale=0.01, seed=0, epochs=100):
    """Train the lesson's iris net (width 10, ReLU, Adam lr 0.001, batch 20) and show its loss
    per epoch and the mean |gradient| of every weight matrix per epoch. The previous run stays
    on the loss panel in grey, to compare."""
    X_train, y_train, X_test, y_test = load_iris(seed=0)
    max_depth = 25
    fig, (ax_loss, ax_grad) = new_figure(1, 2, figsize=(10, 3.9))
    ep = np.arange(1, epochs + 1)
    runs = RunComparison(ax_loss, BN_COLOR)
    ax_loss.axhline(np.log(3), color="0.6", lw=0.8, ls=":")
    ax_loss.text(epochs, np.log(3), "ln 3: guessing ", fontsize=8, color="0.45", ha="right",
                 va="bottom")
    ax_loss.set_yscale("log")
    ax_loss.set_xlim(0, epochs + 1)
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("training loss")
    ax_loss.set_title("loss per epoch", fontsize=9)
    banner = diverged_banner(ax_loss)
    grad_lines = [ax_grad.plot([], [], lw=1.2)[0] for _ in range(max_depth + 1)]
    ax_grad.set_yscale("log")
    ax_grad.set_xlim(0, epochs + 1)
    ax_grad.set_xlabel("epoch")
    ax_grad.set_ylabel("mean |gradient|")
    ax_grad.set_title("every weight matrix, per epoch (below 1e-12: drawn at 1e-12)", fontsize=9)
    cmap = matplotlib.colormaps["rainbow"]
    bar = fig.colorbar(ScalarMappable(Normalize(0, 1), cmap=cmap), ax=ax_grad, ticks=[0, 1],
                       fraction=0.05, pad=0.02)
    bar.ax.set_yticklabels(["fc1\n(input)", "output"], fontsize=8)
    title = fig.suptitle(" ", fontsize=10)
    fig.tight_layout()

    def update(depth, batch_norm, init_scale, seed, progress):
        model = MLP(4, [10] * depth, 3, activation="relu", batch_norm=batch_norm,
                    init=float(init_scale), seed=seed)
        hist = model.fit(X_train, y_train, Adam(lr=1e-3), epochs=epochs, batch_size=20,
                         seed=seed, callback=epoch_progress(progress, epochs))
        settings = (f"{depth} hidden layers, {'with' if batch_norm else 'without'} batch norm, "
                    f"weights N(0, {init_scale:.3g}²), seed {seed}")
        loss = np.maximum(hist.loss, 1e-4)
        runs.show(ep[:len(loss)], loss, f"{depth} layers, BN {'on' if batch_norm else 'off'}, "
                  f"std {init_scale:.3g}, seed {seed}", BN_COLOR if batch_norm else PLAIN_COLOR)
        grads = np.maximum(hist.grad_mean_abs, 1e-12)     # log axes need positive values
        n_w = grads.shape[1]
        colors = plots.layer_colors(n_w)
        for j, line in enumerate(grad_lines):
            if j < n_w:
                line.set_data(ep[:len(grads)], grads[:, j])
                line.set_color(colors[j])
                line.set_visible(True)
            else:
                line.set_data([], [])
                line.set_visible(False)
        mark_diverged(ax_loss, banner, hist.diverged,
                      f"Diverged in epoch {(hist.diverged_epoch or 0) + 1}: the loss overflowed")
        plots.fit_log_axis(ax_loss, runs.curves(), floor=1e-4, min_ratio=1.0, margin=2.0,
                           include_floor=True)
        plots.fit_log_axis(ax_grad, [grads], floor=1e-12, min_ratio=1.0, margin=2.0,
                           include_floor=True)
        if hist.diverged:
            title.set_text(f"{settings}: diverged")
            return "The run diverged: the loss stopped being finite."
        acc = model.score(X_test, y_test)
        title.set_text(f"{settings}: test accuracy {acc:.2f}, final loss {hist.loss[-1]:.3g}")
        return f"Test accuracy {acc:.2f} on the 50 held-out flowers."

    controls = {
        "depth": slider("hidden layers", depth, 1, max_depth, 1, continuous=False),
        "batch_norm": widgets.Checkbox(value=batch_norm, description="batch norm",
                                       indent=False),
        "init_scale": log_slider("initial weight std", init_scale, -3, 1, continuous=False,
                                 step=0.25),
        "seed": slider("seed", seed, 0, 9, 1, continuous=False),
    }
    return Explorer(controls, fig, update, run_button=True,
                    title="Batch norm on the iris net: press Run after changing a setting")


