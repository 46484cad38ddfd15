"""Lesson 08: batch normalisation.

Builder (``__all__``): ``batchnorm_explorer`` trains the lesson's iris net
(``lessonlib.recipes.l08_batchnorm.train_iris``: depth, batch norm on or off, the initial
weights: uniform on [-0.01, 0.01] as in the lesson's sections 4 and 6, or N(0, std²) as in its
section 7) and shows its loss and per-layer gradient curves, in the colours of
``lessonlib.plots.l08_batchnorm``.
"""
import ipywidgets as widgets
import numpy as np

from .. import plots
from ..data import load_iris
from ..plots.l08_batchnorm import BN_COLOR, PLAIN_COLOR
from ..plots.style import LN3, layer_colorbar
from ..recipes.l08_batchnorm import train_iris
from ._base import (Explorer, RunComparison, diverged_banner, dropdown, epoch_progress,
                    log_slider, mark_diverged, new_figure, slider)

__all__ = ["batchnorm_explorer"]

INITS = [("uniform ±0.01 (sections 4 and 6)", "uniform"), ("normal N(0, std²), std below", "normal")]


# where the y labels sit, left of the axes (axes fraction): room for tick labels as wide as
# "2e-5" or "10^-12", so that a wide label never pushes "training loss" out of the figure
YLABEL_X = -0.15


# ---------------------------------------------------------------- the explorer

def batchnorm_explorer(depth=7, batch_norm=True, init="uniform", init_scale=0.01, seed=0,
                       epochs=100):
    """Train the lesson's iris net (width 10, ReLU, Adam lr 0.001, batch 20) and show its loss
    per epoch and the mean |gradient| of every weight matrix per epoch. The previous run stays
    on the loss panel in grey, to compare. ``init``: "uniform" (U(-0.01, 0.01), the lesson's
    sections 4 and 6) or "normal" (N(0, init_scale²)); moving the std slider selects "normal"."""
    data = load_iris(seed=0)
    X_test, y_test = data[2], data[3]
    max_depth = 25
    fig, (ax_loss, ax_grad) = new_figure(1, 2, figsize=(10, 3.9))
    ep = np.arange(1, epochs + 1)
    runs = RunComparison(ax_loss, BN_COLOR)
    ax_loss.axhline(LN3, color="0.6", lw=0.8, ls=":")
    ax_loss.text(epochs, LN3, "ln 3: guessing ", fontsize=8, color="0.45", ha="right",
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
    layer_colorbar(fig, ax_grad)
    for ax in (ax_loss, ax_grad):
        ax.yaxis.set_label_coords(YLABEL_X, 0.5)
    title = fig.suptitle(" ", fontsize=10)
    fig.tight_layout()

    def update(depth, batch_norm, init, init_scale, seed, progress):
        uniform = init == "uniform"
        model, hist = train_iris(depth, batch_norm, "uniform" if uniform else init_scale, seed,
                                 epochs, data=data, callback=epoch_progress(progress, epochs))
        weights = "U(-0.01, 0.01)" if uniform else f"N(0, {init_scale:.3g}²)"
        settings = (f"{depth} hidden layer{'s' if depth > 1 else ''}, "
                    f"{'with' if batch_norm else 'without'} batch norm, weights {weights}, "
                    f"seed {seed}")
        loss = np.maximum(hist.loss, 1e-4)
        runs.show(ep[:len(loss)], loss, f"{depth} layer{'s' if depth > 1 else ''}, "
                  f"BN {'on' if batch_norm else 'off'}, "
                  f"{'uniform ±0.01' if uniform else f'std {init_scale:.3g}'}, seed {seed}",
                  BN_COLOR if batch_norm else PLAIN_COLOR)
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
        "init": dropdown("initial weights", INITS, init),
        "init_scale": log_slider("normal: std", init_scale, -3, 1, continuous=False,
                                 step=0.25),
        "seed": slider("seed", seed, 0, 9, 1, continuous=False),
    }
    def cost(depth, batch_norm, **_):
        """Seconds of a run on the course machine: per layer, batch norm about 6 times dearer."""
        return (0.1 + depth * (0.15 if batch_norm else 0.025)) * epochs / 100

    explorer = Explorer(controls, fig, update, run_button=True, cost=cost,
                        title="Batch norm on the iris net")
    explorer.switch_on_move("init_scale", "init", "normal")
    return explorer
