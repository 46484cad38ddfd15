"""Lesson 09: residual connections (r_i = h_i + r_{i-1}).

Builder (``__all__``): ``residual_explorer`` (depth up to 1000; plain, residual, or residual
with a learned scalar alpha_i on every branch that starts at 0, the lesson's 1000-layer recipe;
five optimisers, among them the notes' own SGD step, lr 0.05/3: loss and per-layer gradient
curves). The run is ``lessonlib.recipes.l09_residual.train_iris``; the colours and the floors of
the log axes come from ``lessonlib.plots.l09_residual``.
"""

import numpy as np

from .. import plots
from ..data import load_iris
from ..plots.l09_residual import CONNECTION_COLORS, MAX_GRAD_LINES, draw_ln3
from ..plots.style import (GRAD_FLOOR, LN3, LOSS_FLOOR, label_layer_colorbar, layer_color,
                           layer_colorbar)
from ..recipes.l09_residual import (LEARNED_SCALE, OPTIMIZERS, dead_fraction, epochs_for,
                                    final_test_accuracy, train_iris)
from ._base import (Explorer, RunComparison, diverged_banner, dropdown, epoch_progress,
                    mark_diverged, new_figure, slider)

__all__ = ["residual_explorer"]

DEPTHS = (2, 3, 6, 10, 25, 50, 100, 250, 1000)
CONNECTIONS = {     # key: (dropdown label, short name in the titles)
    "residual": ("residual: r_i = h_i + r_(i-1)", "residual"),
    LEARNED_SCALE: ("residual, learned α_i: r_i = r_(i-1) + α_i h_i, α_i = 0 at start",
                    "residual, learned α_i"),
    "plain": ("plain", "plain"),
}


def _three_digits(value):
    """value with three decimals, without the sign of a value that rounds to 0 ("-0.000")."""
    text = f"{value:.3f}"
    return "0.000" if text == "-0.000" else text


def residual_explorer(depth=6, width=3, connection="residual", optimizer="momentum_0.05",
                      epochs=100, seed=0):
    """Train the iris net of lesson 09 (ReLU, weights uniform on [-0.01, 0.01], batch 20) and
    show its loss per epoch (the previous run in grey, dashed) and the mean |gradient| of its weight
    matrices per epoch (at most 40 of them, spread from fc1 to the output). ``connection``:
    "plain", "residual", or "residual_alpha" (the lesson's 1000-layer recipe: a learned scalar
    per branch, every alpha_i = 0 at the start; with 10 units and Adam lr 1e-3 it is
    ``recipes.l09_residual.train_thousand("rezero_adam_1e-3", seed)``). A cheap setting runs by
    itself; a deep one (50 layers and more at 100 epochs) waits for Run."""
    data = load_iris(seed=0)
    fig, (ax_loss, ax_grad) = new_figure(1, 2, figsize=(10, 4.2), width_ratios=(1, 1.1))
    runs = RunComparison(ax_loss, CONNECTION_COLORS["residual"],
                         previous_style={"ls": "--"})   # dashed: plain's own grey stays apart
    draw_ln3(ax_loss)
    ax_loss.set_yscale("log")
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("training loss")
    loss_title = ax_loss.set_title("loss", fontsize=9)
    banner = diverged_banner(ax_loss)
    grad_lines = [ax_grad.plot([], [], lw=1.1)[0] for _ in range(MAX_GRAD_LINES)]
    ax_grad.set_yscale("log")
    ax_grad.set_xlabel("epoch")
    ax_grad.set_ylabel("mean |gradient|")
    grad_title = ax_grad.set_title("weight matrices", fontsize=9)
    ax_grad.text(0.99, 0.01, f"exact zeros are drawn at {GRAD_FLOOR:g}", fontsize=7,
                 color="0.45", ha="right", va="bottom", transform=ax_grad.transAxes)
    bar = layer_colorbar(fig, ax_grad)
    suptitle = fig.suptitle("settings\nplaceholder", fontsize=10)
    fig.tight_layout()

    def update(depth, width, connection, optimizer, epochs, seed, progress):
        n_epochs = epochs_for(depth, epochs)
        model, hist = train_iris([width] * depth, connection, optimizer, n_epochs, seed, data,
                                 callback=epoch_progress(progress, n_epochs))
        ep = np.arange(1, hist.epochs + 1)
        loss = np.maximum(hist.loss, LOSS_FLOOR)
        opt_label = OPTIMIZERS[optimizer][0]
        wiring = CONNECTIONS[connection][1]
        runs.show(ep, loss, f"{depth} × {width}, {wiring}, seed {seed},\n{opt_label}",
                  CONNECTION_COLORS[connection])
        plots.fit_log_axis(ax_loss, runs.curves() + [[LN3]], LOSS_FLOOR)
        ax_loss.set_xlim(0, max(n_epochs, len(runs.previous.get_xdata())) + 1)

        grads = np.maximum(hist.grad_mean_abs, GRAD_FLOOR)
        n_w = grads.shape[1]
        picked = np.unique(np.round(np.linspace(0, n_w - 1, min(n_w, MAX_GRAD_LINES))).astype(int))
        for j, line in enumerate(grad_lines):
            if j < len(picked):
                line.set_data(ep, grads[:, picked[j]])
                line.set_color(layer_color(picked[j] / max(n_w - 1, 1)))
                line.set_visible(True)
            else:
                line.set_data([], [])
                line.set_visible(False)
        plots.fit_log_axis(ax_grad, [grads[:, picked], [1.0]] if hist.epochs else [[1.0]],
                       GRAD_FLOOR, include_floor=True)
        ax_grad.set_xlim(0, n_epochs + 1)
        label_layer_colorbar(bar, n_w)
        shown_words = "all" if len(picked) == n_w else f"{len(picked)} of the {n_w}"
        grad_title.set_text(f"{shown_words} weight matrices: mean |gradient| per epoch")

        capped = n_epochs < epochs
        cap_words = f" (capped at {n_epochs} epochs for {depth} layers)" if capped else ""
        suptitle.set_text(f"{depth} hidden layers of {width} units, {wiring}, {opt_label}, "
                          f"seed {seed}\n{n_epochs} epochs{cap_words}")
        mark_diverged(ax_loss, banner, hist.diverged,
                      f"Diverged in epoch {(hist.diverged_epoch or 0) + 1}:\n"
                      "the loss overflowed")
        if hist.diverged:
            loss_title.set_text("diverged: the loss stopped being finite")
            return "The run diverged: the loss stopped being finite. Try a smaller learning rate."
        acc = final_test_accuracy(hist)
        dead = dead_fraction(model, data[0])
        loss_title.set_text(f"test accuracy {acc:.2f}; {dead:.0%} of the ReLUs are dead")
        alphas = ""
        if connection == LEARNED_SCALE and depth > 2:
            alphas = (f" The learned α_i now lie between {_three_digits(model.alpha.min())} and "
                      f"{_three_digits(model.alpha.max())}.")
        elif connection == LEARNED_SCALE and depth == 2:      # one branch: one scalar
            alphas = f" The learned α_2 is now {_three_digits(model.alpha[0])}."
        took = "under 0.1 s" if hist.seconds < 0.1 else f"{hist.seconds:.1f} s"
        return (f"Trained {n_epochs} epochs in {took}"
                + (f"; {depth} layers are capped at {n_epochs} epochs to stay quick." if capped
                   else ".") + alphas)

    controls = {
        "depth": dropdown("hidden layers", list(DEPTHS), depth),
        "width": slider("units per layer", width, 2, 10, 1, continuous=False),
        "connection": dropdown("connection", [(label, key) for key, (label, _) in
                                              CONNECTIONS.items()], connection),
        "optimizer": dropdown("optimiser", [(label, key) for key, (label, _) in
                                            OPTIMIZERS.items()], optimizer),
        "epochs": slider("epochs", epochs, 10, 100, 10, continuous=False),
        "seed": slider("seed", seed, 0, 9, 1, continuous=False),   # the tables' seeds
    }
    def cost(depth, width, epochs, connection="residual", **_):
        """Seconds of a run on the course machine: layers x epochs (capped by epochs_for); the
        learned scalars cost about a third more (data/l09_thousand.npz's cpu_seconds)."""
        scaled = 1.3 if connection == LEARNED_SCALE else 1.0
        return 0.1 + 4e-4 * scaled * depth * epochs_for(depth, epochs) * (0.7 + 0.03 * width)

    return Explorer(controls, fig, update, run_button=True, cost=cost,
                    title="Residual or plain, 2 to 1000 hidden layers")
