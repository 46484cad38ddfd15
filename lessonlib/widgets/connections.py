"""Lessons 09 and 10: residual (r_i = h_i + r_{i-1}) and dense (r_i = h_i || r_{i-1}) connections.

Builders (``__all__``): ``residual_explorer`` (depth up to 1000, plain or residual, four
optimisers: loss and per-layer gradient curves) and ``dense_explorer`` (depth and growth of a
dense net: parameter counts, and the loss of the dense, plain and residual nets of that shape).
The other functions are the lessons' helpers and static figures: training the iris net, several
seeds at once, and drawing loss curves, per-layer profiles and parameter counts.
The computations live in ``lessonlib.recipes.l09_residual`` (training the iris net, seeds,
accuracies, gradients of a fresh net, dead ReLUs, the explorer's epoch budget) and
``lessonlib.recipes.l10_dense`` (widths and parameter counts of dense nets), the static figures
and their colours and floors in ``lessonlib.plots.l09_residual`` and ``lessonlib.plots.l10_dense``;
they are imported here under the same names.
"""

import matplotlib
import numpy as np
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.ticker import FuncFormatter

from .. import plots
from ..data import load_iris
from ..plots.l09_residual import (CONNECTION_COLORS, GRAD_FLOOR, LN3,  # noqa: F401
                                  LOSS_FLOOR, MAX_GRAD_LINES, draw_layer_profile,
                                  draw_ln3, draw_loss_runs, floor_note,
                                  gradient_colorbar, gradient_figure)
from ..plots.l10_dense import draw_param_counts  # noqa: F401
from ..recipes.l09_residual import (BATCH, LAYER_EPOCH_BUDGET, OPTIMISERS,  # noqa: F401
                                    accuracy_line, dead_fraction, epochs_for,
                                    final_test_accuracy, initial_gradients, make_optimizer,
                                    seed_runs, train_iris)
from ..recipes.l10_dense import dense_widths, param_counts  # noqa: F401
from ._base import (Explorer, RunComparison, diverged_banner, dropdown, epoch_progress,
                    mark_diverged, new_figure, slider)

__all__ = ["residual_explorer", "dense_explorer"]

DEPTHS = (2, 3, 6, 10, 25, 50, 100, 250, 1000)



# ---------------------------------------------------------------- lesson 09's explorer

def residual_explorer(depth=6, width=3, connection="residual", optimiser="sgd_0.05",
                      epochs=100, seed=0):
    """Train the iris net of lesson 09 (ReLU, weights uniform on [-0.01, 0.01], batch 20) and
    show its loss per epoch (the previous run in grey) and the mean |gradient| of its weight
    matrices per epoch (at most 40 of them, spread from fc1 to the output). Press Run."""
    data = load_iris(seed=0)
    fig, (ax_loss, ax_grad) = new_figure(1, 2, figsize=(10, 4.2), width_ratios=(1, 1.1))
    runs = RunComparison(ax_loss, CONNECTION_COLORS["residual"])
    draw_ln3(ax_loss)
    ax_loss.set_yscale("log")
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("training loss")
    loss_title = ax_loss.set_title("loss", fontsize=9)
    banner = diverged_banner(ax_loss)
    cmap = matplotlib.colormaps["rainbow"]
    grad_lines = [ax_grad.plot([], [], lw=1.1)[0] for _ in range(MAX_GRAD_LINES)]
    ax_grad.set_yscale("log")
    ax_grad.set_xlabel("epoch")
    ax_grad.set_ylabel("mean |gradient|")
    grad_title = ax_grad.set_title("weight matrices", fontsize=9)
    ax_grad.text(0.99, 0.01, f"exact zeros are drawn at {GRAD_FLOOR:g}", fontsize=7,
                 color="0.45", ha="right", va="bottom", transform=ax_grad.transAxes)
    bar = fig.colorbar(ScalarMappable(Normalize(0, 1), cmap=cmap), ax=ax_grad, ticks=[0, 1],
                       fraction=0.05, pad=0.02)
    bar.ax.set_yticklabels(["fc1\n(input)", "output"], fontsize=8)
    suptitle = fig.suptitle("settings\nplaceholder", fontsize=10)
    fig.tight_layout()

    def update(depth, width, connection, optimiser, epochs, seed, progress):
        n_epochs = epochs_for(depth, epochs)
        model, hist = train_iris([width] * depth, connection, optimiser, n_epochs, seed, data,
                                 callback=epoch_progress(progress, n_epochs))
        ep = np.arange(1, hist.epochs + 1)
        loss = np.maximum(hist.loss, LOSS_FLOOR)
        opt_label = OPTIMISERS[optimiser][0]
        runs.show(ep, loss, f"{depth} × {width}, {connection}, {opt_label}",
                  CONNECTION_COLORS[connection])
        plots.fit_log_axis(ax_loss, runs.curves() + [[LN3]], LOSS_FLOOR)
        ax_loss.set_xlim(0, max(n_epochs, len(runs.previous.get_xdata())) + 1)

        grads = np.maximum(hist.grad_mean_abs, GRAD_FLOOR)
        n_w = grads.shape[1]
        picked = np.unique(np.round(np.linspace(0, n_w - 1, min(n_w, MAX_GRAD_LINES))).astype(int))
        for j, line in enumerate(grad_lines):
            if j < len(picked):
                line.set_data(ep, grads[:, picked[j]])
                line.set_color(cmap(picked[j] / max(n_w - 1, 1)))
                line.set_visible(True)
            else:
                line.set_data([], [])
                line.set_visible(False)
        plots.fit_log_axis(ax_grad, [grads[:, picked], [1.0]] if hist.epochs else [[1.0]],
                       GRAD_FLOOR, include_floor=True)
        ax_grad.set_xlim(0, n_epochs + 1)
        bar.ax.set_yticklabels(["fc1\n(input)", f"fc{n_w}\n(output)"], fontsize=8)
        shown_words = "all" if len(picked) == n_w else f"{len(picked)} of the {n_w}"
        grad_title.set_text(f"{shown_words} weight matrices: mean |gradient| per epoch")

        capped = n_epochs < epochs
        cap_words = f" (capped at {n_epochs} epochs for {depth} layers)" if capped else ""
        suptitle.set_text(f"{depth} hidden layers of {width} units, {connection}, {opt_label}, "
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
        return (f"Trained {n_epochs} epochs in {hist.seconds:.1f} s"
                + (f"; {depth} layers are capped at {n_epochs} epochs to stay quick." if capped
                   else "."))

    controls = {
        "depth": dropdown("hidden layers", list(DEPTHS), depth),
        "width": slider("units per layer", width, 2, 10, 1, continuous=False),
        "connection": dropdown("connection", [("residual: r_i = h_i + r_(i-1)", "residual"),
                                              ("plain", "plain")], connection),
        "optimiser": dropdown("optimiser", [(label, key) for key, (label, _) in
                                            OPTIMISERS.items()], optimiser),
        "epochs": slider("epochs", epochs, 10, 100, 10, continuous=False),
        "seed": slider("seed", seed, 0, 4, 1, continuous=False),
    }
    return Explorer(controls, fig, update, run_button=True,
                    title="Residual or plain, 2 to 1000 hidden layers: press Run after a change")


# ---------------------------------------------------------------- lesson 10's explorer

def dense_explorer(depth=6, growth=1, first=3, optimiser="sgd_0.05", seed=0, epochs=100):
    """A dense net with widths first, first + growth, ... against the plain net of the same
    widths and the residual net whose every layer is as wide as the dense net's widest: their
    parameter counts, and their loss per epoch on iris (batch 20). Press Run."""
    data = load_iris(seed=0)
    kinds = ("plain", "residual", "dense")
    fig, (ax_count, ax_loss) = new_figure(1, 2, figsize=(10, 3.9), width_ratios=(1, 1.35))
    bars = ax_count.barh(np.arange(3), [1, 1, 1], color=[CONNECTION_COLORS[k] for k in kinds])
    ax_count.set_yticks(np.arange(3))
    ax_count.set_yticklabels(["plain\n(same widths)", "residual\n(all at the widest)",
                              "dense\n(same widths)"], fontsize=9)
    ax_count.invert_yaxis()
    ax_count.set_xlabel("parameters")
    ax_count.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    count_texts = [ax_count.text(0, i, "", va="center", ha="left", fontsize=9)
                   for i in range(3)]
    count_title = ax_count.set_title("parameters\n ", fontsize=9)
    lines = {k: ax_loss.plot([], [], color=CONNECTION_COLORS[k], lw=1.6, label=k)[0]
             for k in kinds}
    draw_ln3(ax_loss)
    ax_loss.set_yscale("log")
    ax_loss.set_xlim(0, epochs + 1)
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("training loss")
    legend = ax_loss.legend(fontsize=8, loc="lower left")
    loss_title = ax_loss.set_title("loss\n ", fontsize=9)
    banner = diverged_banner(ax_loss)
    fig.tight_layout()

    def update(depth, growth, first, optimiser, seed, progress):
        widths = dense_widths(depth, growth, first)
        shapes = {"plain": widths, "residual": [max(widths)] * depth, "dense": widths}
        counts = param_counts(widths)
        for bar, text, k in zip(bars, count_texts, kinds):
            bar.set_width(counts[k])
            text.set_x(counts[k])
            text.set_text(f" {counts[k]:,}")
        ax_count.set_xlim(0, 1.3 * max(counts.values()))
        ax_count.set_yticklabels(["plain\n(same widths)", f"residual\n(all {max(widths)} wide)",
                                  "dense\n(same widths)"], fontsize=9)
        shown_widths = (", ".join(map(str, widths)) if depth <= 8 else
                        f"{widths[0]}, {widths[1]}, ..., {widths[-1]}")
        count_title.set_text(f"parameters of {depth} hidden layers\nwidths {shown_widths}")
        shown, diverged, words = [[LN3]], False, []
        for n, k in enumerate(kinds):
            def report(epoch, _hist, n=n, k=k):
                if (epoch + 1) % 10 == 0:
                    progress((n + (epoch + 1) / epochs) / 3,
                             f"training the {k} net: epoch {epoch + 1} of {epochs}")
            _, hist = train_iris(shapes[k], k, optimiser, epochs, seed, data, callback=report)
            loss = np.maximum(hist.loss, LOSS_FLOOR)
            lines[k].set_data(np.arange(1, hist.epochs + 1), loss)
            shown.append(loss)
            acc = final_test_accuracy(hist)
            diverged |= hist.diverged
            legend.get_texts()[n].set_text(
                f"{k}: " + ("diverged" if hist.diverged else f"test accuracy {acc:.2f}"))
            words.append(f"{k} {'diverged' if hist.diverged else f'{acc:.2f}'}")
        plots.fit_log_axis(ax_loss, shown, LOSS_FLOOR)
        mark_diverged(ax_loss, banner, diverged, "A run diverged:\nits loss overflowed")
        loss_title.set_text(f"{OPTIMISERS[optimiser][0]}, seed {seed}\n"
                            "loss per epoch, test accuracy in the legend")
        return "Test accuracy: " + ", ".join(words) + "."

    controls = {
        "depth": slider("hidden layers", depth, 2, 12, 1, continuous=False),
        "growth": slider("growth (width added per layer)", growth, 0, 4, 1, continuous=False),
        "first": slider("width of the first layer", first, 2, 8, 1, continuous=False),
        "optimiser": dropdown("optimiser", [(OPTIMISERS[k][0], k) for k in
                                            ("sgd_0.05", "adam_1e-3")], optimiser),
        "seed": slider("seed", seed, 0, 4, 1, continuous=False),
    }
    return Explorer(controls, fig, update, run_button=True,
                    title="Dense against plain and residual: press Run after a change")
