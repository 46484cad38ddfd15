"""Lesson 06: vanishing gradients, layer by layer.

Builder (``__all__``): ``vanishing_gradient_explorer`` (depth, activation, initial weights and
optimiser of an MLP on iris -> the mean |gradient| of every weight matrix per epoch).
Helpers for the lesson's static figures: ``single_thread`` (re-exported from ``lessonlib._blas``),
``confusion_table``, ``breakthrough_epoch``, ``read_runs`` (precomputed runs in data/; these
three, ``EPOCHS`` and ``OPTIMIZERS`` live in ``lessonlib.recipes.l06_vanishing``),
``draw_weight_changes`` (the seed-002 figure: mean |weight change| of every layer per batch)
and ``layer_colors`` (from ``lessonlib.plots``).
"""

import matplotlib
import numpy as np

from ..data import load_iris
from ..models import MLP
from ..plots import layer_colors
from .._blas import single_thread
from ..recipes.l06_vanishing import (EPOCHS, OPTIMIZERS, breakthrough_epoch,  # noqa: F401
                                     confusion_table, read_runs)
from ._base import (Explorer, diverged_banner, dropdown, epoch_progress, mark_diverged,
                    new_figure, slider)

__all__ = ["vanishing_gradient_explorer"]

GRAD_FLOOR = 1e-12          # log axes: smaller gradients (and exact zeros) are drawn here
MAX_DEPTH = 20
CHANCE_LOSS = float(np.log(3.0))    # cross-entropy of guessing 1/3 for each iris species
INITS = {"uniform": "uniform ±0.01", "normal": "normal, std 1", "xavier": "Xavier",
         "he": "He"}
ACTIVATIONS = ("relu", "sigmoid", "tanh", "leaky_relu")


def draw_weight_changes(ax, history, log=True):
    """One line per weight matrix: mean |W after - W before| of every batch (fit with
    record_batches=True). Returns the lines, first layer first."""
    changes = np.maximum(history.batch_weight_change_mean_abs, GRAD_FLOOR)
    colors = layer_colors(len(history.weight_names))
    steps = np.arange(1, len(changes) + 1)
    lines = [ax.plot(steps, changes[:, j], color=colors[j], lw=1.0, label=name)[0]
             for j, name in enumerate(history.weight_names)]
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("batch (update)")
    ax.set_ylabel("mean |weight change|")
    return lines


def _loss_limits(loss):
    finite = loss[np.isfinite(loss)]
    top = 1.25 if finite.size == 0 else max(1.25, min(float(finite.max()) * 1.05, 10.0))
    return 0.0, top


def vanishing_gradient_explorer(depth=7, activation="relu", init="uniform", optimizer="adam",
                                seed=0):
    """An MLP with ``depth`` hidden layers of 10 units trained on iris (100 flowers, batch 20,
    100 epochs): the mean |gradient| of every weight matrix per epoch (log scale), and the loss."""
    X, y, X_test, y_test = load_iris(seed=0)
    fig, (ax, ax_loss) = new_figure(1, 2, figsize=(10, 3.9),
                                    gridspec_kw={"width_ratios": [1.7, 1]})
    epochs = np.arange(1, EPOCHS + 1)
    pool = [ax.plot(epochs, np.full(EPOCHS, np.nan), lw=1.2)[0] for _ in range(MAX_DEPTH + 1)]
    ax.set_yscale("log")
    ax.set_xlim(1, EPOCHS)
    ax.set_xlabel("epoch")
    ax.set_ylabel("mean |gradient| of each weight matrix")
    sm = matplotlib.cm.ScalarMappable(norm=matplotlib.colors.Normalize(0, 1),
                                      cmap=matplotlib.colormaps["rainbow"])
    cbar = fig.colorbar(sm, ax=ax, ticks=[0, 1], pad=0.02, fraction=0.05)
    cbar.ax.set_yticklabels(["fc1\n(first)", "output"])
    grad_title = ax.set_title("mean |gradient|", fontsize=10)
    (loss_line,) = ax_loss.plot(epochs, np.full(EPOCHS, np.nan), color="k", lw=1.5)
    ax_loss.axhline(CHANCE_LOSS, color="0.6", ls=":", lw=1)
    ax_loss.text(EPOCHS, CHANCE_LOSS, "guessing (ln 3)", color="0.4", fontsize=8,
                 ha="right", va="bottom")
    ax_loss.set_xlim(1, EPOCHS)
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("training loss")
    loss_title = ax_loss.set_title("loss", fontsize=10)
    banner = diverged_banner(ax_loss)
    fig.tight_layout()

    def update(depth, activation, init, optimizer, seed, progress):
        model = MLP(4, [10] * depth, 3, activation=activation, init=init, seed=seed)
        with single_thread():
            hist = model.fit(X, y, OPTIMIZERS[optimizer][1](), epochs=EPOCHS, batch_size=20,
                             seed=seed, callback=epoch_progress(progress, EPOCHS))
        n_w = len(hist.weight_names)
        grads = np.full((EPOCHS, n_w), np.nan)
        grads[:hist.epochs] = np.maximum(hist.grad_mean_abs, GRAD_FLOOR)
        for j, (line, color) in enumerate(zip(pool, layer_colors(n_w))):
            line.set_visible(True)
            line.set_ydata(grads[:, j])
            line.set_color(color)
            line.set_zorder(2 + j)
        for line in pool[n_w:]:
            line.set_visible(False)
        finite = grads[np.isfinite(grads)]
        if finite.size:
            lo, hi = finite.min(), finite.max()
            ax.set_ylim(max(lo / 3, GRAD_FLOOR / 2), max(hi * 3, lo * 30))
        loss = np.full(EPOCHS, np.nan)
        loss[:hist.epochs] = hist.loss
        loss_line.set_ydata(loss)
        ax_loss.set_ylim(*_loss_limits(loss))
        mark_diverged(ax_loss, banner, hist.diverged,
                      f"Diverged in epoch {(hist.diverged_epoch or 0) + 1}")
        if hist.epochs:
            g = hist.grad_mean_abs[-1]
            grad_title.set_text(f"{depth} hidden layers, last epoch: fc1 {g[0]:.0e}, "
                                f"output fc{n_w} {g[-1]:.0e}")
        else:
            grad_title.set_text(f"{depth} hidden layers: no epoch completed")
        if hist.diverged:
            loss_title.set_text("no test accuracy (diverged)")
        else:
            pred = model.predict(X_test)
            loss_title.set_text(f"test accuracy {np.mean(pred == y_test):.2f}, "
                                f"predicts {len(np.unique(pred))} of 3 species")
        return f"{hist.epochs} epochs in {hist.seconds:.1f} s"

    controls = {
        "depth": slider("hidden layers", depth, 1, MAX_DEPTH, 1, continuous=False),
        "activation": dropdown("activation", list(ACTIVATIONS), activation),
        "init": dropdown("initial weights", [(label, key) for key, label in INITS.items()], init),
        "optimizer": dropdown("optimiser", [(label, key) for key, (label, _) in
                                            OPTIMIZERS.items()], optimizer),
        "seed": slider("seed", seed, 0, 9, 1, continuous=False),
    }
    return Explorer(controls, fig, update,
                    title="Per-layer gradients of an MLP on iris (10 units per layer)")
