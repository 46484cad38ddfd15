"""Lesson 06: vanishing gradients, layer by layer.

Builder (``__all__``): ``vanishing_gradient_explorer`` (depth, activation, initial weights and
optimiser of an MLP on iris -> the mean |gradient| of every weight matrix per epoch).
The run is ``lessonlib.recipes.l06_vanishing.fit_iris`` with one of its ``OPTIMIZERS``; the
figure's constants come from ``lessonlib.plots.l06_vanishing``.
"""

import numpy as np

from ..data import load_iris
from ..plots import layer_colors
from ..plots.l06_vanishing import INITS, name_every_layer, set_loss_axis
from ..plots.style import GRAD_FLOOR, LN3, layer_colorbar
from ..recipes.l06_vanishing import EPOCHS, OPTIMIZERS, fit_iris
from ._base import (Explorer, diverged_banner, dropdown, epoch_progress, mark_diverged,
                    new_figure, slider)

__all__ = ["vanishing_gradient_explorer"]

MAX_DEPTH = 20
ACTIVATIONS = ("relu", "sigmoid", "tanh", "leaky_relu")


def vanishing_gradient_explorer(depth=7, activation="relu", init="uniform", optimizer="adam",
                                seed=4):
    """An MLP with ``depth`` hidden layers of 10 units trained on iris (100 flowers, batch 20,
    100 epochs): the mean |gradient| of every weight matrix per epoch (log scale), and the loss."""
    data = load_iris(seed=0)
    X_test, y_test = data[2], data[3]
    fig, (ax, ax_loss) = new_figure(1, 2, figsize=(10, 3.9),
                                    gridspec_kw={"width_ratios": [1.7, 1]})
    epochs = np.arange(1, EPOCHS + 1)
    pool = [ax.plot(epochs, np.full(EPOCHS, np.nan), lw=1.2)[0] for _ in range(MAX_DEPTH + 1)]
    ax.set_yscale("log")
    ax.set_xlim(1, EPOCHS)
    ax.set_xlabel("epoch")
    ax.set_ylabel("mean |gradient| of each weight matrix")
    bar = layer_colorbar(fig, ax)
    name_every_layer(bar, MAX_DEPTH + 1, output_above=True)     # the widest names, for the layout
    # two lines from the start, so that tight_layout leaves room for the floor note
    grad_title = ax.set_title("mean |gradient|\n ", fontsize=10)
    (loss_line,) = ax_loss.plot(epochs, np.full(EPOCHS, np.nan), color="k", lw=1.5)
    ax_loss.axhline(LN3, color="0.6", ls=":", lw=1)
    # under the dotted line, a few points down: a loss stuck at ln 3 runs along the line, and
    # a learning one falls away from it well before the right end
    ln3_label = ax_loss.annotate("guessing (ln 3)", (EPOCHS, LN3), xytext=(0, -4),
                                 textcoords="offset points", color="0.4", fontsize=8,
                                 ha="right", va="top")
    ax_loss.set_xlim(1, EPOCHS)
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("training loss")
    loss_title = ax_loss.set_title("loss", fontsize=9)
    banner = diverged_banner(ax_loss)
    fig.tight_layout()

    def update(depth, activation, init, optimizer, seed, progress):
        model, hist = fit_iris(OPTIMIZERS[optimizer][1](), [10] * depth, epochs=EPOCHS,
                               seed=seed, data=data, callback=epoch_progress(progress, EPOCHS),
                               activation=activation, init=init)
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
        name_every_layer(bar, n_w, output_above=True)
        finite = grads[np.isfinite(grads)]
        if finite.size:
            lo, hi = finite.min(), finite.max()
            ax.set_ylim(max(lo / 3, GRAD_FLOOR / 2), max(hi * 3, lo * 30))
        loss = np.full(EPOCHS, np.nan)
        loss[:hist.epochs] = hist.loss
        loss_line.set_ydata(loss)
        set_loss_axis(ax_loss, loss)
        # near the bottom of the axis the label goes above the line, where it is not cut off
        height = ax_loss.transAxes.inverted().transform(ax_loss.transData.transform((1, LN3)))[1]
        low = height < 0.1
        ln3_label.xyann = (0, 3) if low else (0, -4)
        ln3_label.set_va("bottom" if low else "top")
        mark_diverged(ax_loss, banner, hist.diverged,
                      f"Diverged in epoch {(hist.diverged_epoch or 0) + 1}")
        layers = f"{depth} hidden layer{'s' * (depth != 1)}"
        if hist.epochs:
            g = hist.grad_mean_abs[-1]
            floored = (hist.grad_mean_abs < GRAD_FLOOR).any()
            grad_title.set_text(f"{layers}, last epoch: fc1 {g[0]:.0e}, "
                                f"output fc{n_w} {g[-1]:.0e}"
                                + (f"\n(below {GRAD_FLOOR:.0e} drawn at {GRAD_FLOOR:.0e})"
                                   if floored else f"\n(none below {GRAD_FLOOR:.0e})"))
        else:
            grad_title.set_text(f"{layers}: no epoch completed")
        if hist.diverged:
            loss_title.set_text("no test accuracy (diverged)")
        else:
            pred = model.predict(X_test)
            loss_title.set_text(f"test accuracy {np.mean(pred == y_test):.2f}, "
                                f"{len(np.unique(pred))} of 3 species, loss {hist.loss[-1]:.3g}")
        if hist.diverged:
            return f"Diverged in epoch {(hist.diverged_epoch or 0) + 1}, after {hist.seconds:.1f} s"
        return f"{hist.epochs} epochs in {hist.seconds:.1f} s"

    controls = {
        "depth": slider("hidden layers", depth, 1, MAX_DEPTH, 1, continuous=False),
        "activation": dropdown("activation", list(ACTIVATIONS), activation),
        "init": dropdown("initial weights", [(label, key) for key, label in INITS.items()], init),
        "optimizer": dropdown("optimiser", [(label, key) for key, (label, _) in
                                            OPTIMIZERS.items()], optimizer),
        "seed": slider("seed", seed, 0, 9, 1, continuous=False),
    }
    def cost(depth, **_):
        """Seconds of a run on the course machine: 100 epochs of 5 batches, per layer."""
        return 0.15 + 0.035 * (depth + 1)

    return Explorer(controls, fig, update, run_button=True, cost=cost,
                    title="Per-layer gradients of an MLP on iris (10 units per layer)")
