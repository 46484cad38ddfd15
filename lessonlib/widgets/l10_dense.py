"""Lesson 10: dense connections (r_i = r_{i-1} || h_i = h_1 || ... || h_i).

Builder (``__all__``): ``dense_explorer`` (depth and growth of a dense net: parameter counts,
and the loss of the dense, plain and residual nets of that shape). The widths and parameter
counts come from ``lessonlib.recipes.l10_dense``; the nets train with its ``train_iris``
(lesson 09's, plus the notes' SGD step, lr 0.05/3 in lessonlib's units), in the colours and
line styles of ``lessonlib.plots.l10_dense.CONNECTION_STYLES``.
"""

import numpy as np
from matplotlib.ticker import FuncFormatter

from .. import plots
from ..data import load_iris
from ..plots.l10_dense import CONNECTION_STYLES, draw_ln3_band
from ..plots.style import LN3, LOSS_FLOOR
from ..recipes.l09_residual import final_test_accuracy
from ..recipes.l10_dense import NOTES_STEP, OPTIMIZERS, dense_widths, param_counts, train_iris
from ._base import Explorer, diverged_banner, dropdown, mark_diverged, new_figure, slider

__all__ = ["dense_explorer"]


def dense_explorer(depth=6, growth=1, first=3, optimizer="momentum_0.05", seed=0, epochs=100):
    """A dense net with widths first, first + growth, ... against the plain net of the same
    widths and the residual net whose every layer is as wide as the dense net's widest: their
    parameter counts, and their loss per epoch on iris (batch 20). A cheap setting runs by
    itself; a wide and deep one waits for Run."""
    data = load_iris(seed=0)
    kinds = ("plain", "residual", "dense")
    fig, (ax_count, ax_loss) = new_figure(1, 2, figsize=(10, 3.9), width_ratios=(1, 1.35))
    bars = ax_count.barh(np.arange(3), [1, 1, 1],
                         color=[CONNECTION_STYLES[k]["color"] for k in kinds])
    ax_count.set_yticks(np.arange(3))
    ax_count.set_yticklabels(["plain\n(same widths)", "residual\n(all at the widest)",
                              "dense\n(same widths)"], fontsize=9)
    ax_count.invert_yaxis()
    ax_count.set_xlabel("parameters")
    ax_count.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    count_texts = [ax_count.text(0, i, "", va="center", ha="left", fontsize=9)
                   for i in range(3)]
    count_title = ax_count.set_title("parameters\n ", fontsize=9)
    # markers at staggered epochs: a curve lying on another (plain and residual both stuck at
    # ln 3) still shows
    lines = {k: ax_loss.plot([], [], color=CONNECTION_STYLES[k]["color"],
                             ls=CONNECTION_STYLES[k]["ls"], lw=1.8, label=k,
                             marker=CONNECTION_STYLES[k]["marker"], ms=4,
                             markevery=(3 * i, 10))[0]
             for i, k in enumerate(kinds)}
    draw_ln3_band(ax_loss)
    ax_loss.set_yscale("log")
    ax_loss.set_xlim(0, epochs + 1)
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("training loss")
    legend = ax_loss.legend(fontsize=8, loc="lower left")
    loss_title = ax_loss.set_title("loss\n ", fontsize=9)
    banner = diverged_banner(ax_loss)
    fig.tight_layout()

    def update(depth, growth, first, optimizer, seed, progress):
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
            _, hist = train_iris(shapes[k], k, optimizer, epochs, seed, data, callback=report)
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
        loss_title.set_text(f"{OPTIMIZERS[optimizer][0]}, seed {seed}\n"
                            "loss per epoch, test accuracy in the legend")
        return "Test accuracy: " + ", ".join(words) + "."

    controls = {
        "depth": slider("hidden layers", depth, 2, 12, 1, continuous=False),
        "growth": slider("growth (width added per layer)", growth, 0, 4, 1, continuous=False),
        "first": slider("width of the first layer", first, 2, 8, 1, continuous=False),
        "optimizer": dropdown("optimiser", [(OPTIMIZERS[k][0], k) for k in
                                            ("momentum_0.05", NOTES_STEP, "adam_1e-3")],
                              optimizer),
        "seed": slider("seed", seed, 0, 7, 1, continuous=False),
    }
    def cost(depth, growth, first, **_):
        """Seconds of the three runs on the course machine: per layer, and per parameter."""
        params = sum(param_counts(dense_widths(depth, growth, first)).values())
        return (0.6 + 0.145 * depth + 1.9e-5 * params) * epochs / 100

    return Explorer(controls, fig, update, run_button=True, cost=cost,
                    title="Dense against plain and residual")
