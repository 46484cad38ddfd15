"""Lesson 12: the static figures of weight decay and dropout. ``CONFIG_COLORS`` (one colour per
regulariser setting), ``curves_figure`` (training against test accuracy, the test loss and the
weights' size of several runs) and ``sweep_figure`` (final accuracies against the strength of
each regulariser, from ``data/make_l12_runs.py``)."""
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from .style import new_figure

CONFIG_COLORS = {"none": "#d62728", "weight decay": "#1f77b4", "dropout": "#2ca02c",
                 "both": "#9467bd"}


def _accuracy_axis(ax, epochs, low=0.8):
    ax.set_xlim(0, epochs)
    ax.set_ylim(low, 1.005)
    ax.set_xlabel("epoch")
    ax.set_ylabel("accuracy")
    ax.grid(color="0.92", lw=0.8)


def _color(label):
    return CONFIG_COLORS.get(label.split(":")[0], "0.3")


def curves_figure(runs, epochs, low=0.8, loss_range=(0.1, 0.5)):
    """Top row, one panel per run (label, metrics): training accuracy (dashed) and test
    accuracy (solid) per epoch. Bottom row: every run's test loss, and its weights' size."""
    n = len(runs)
    with plt.ioff():
        fig = plt.figure(figsize=(3.1 * n, 6.4))
    grid = fig.add_gridspec(2, 2 * n, height_ratios=(1, 1.05))
    top = [fig.add_subplot(grid[0, 2 * i:2 * i + 2]) for i in range(n)]
    ax_loss = fig.add_subplot(grid[1, :n])
    ax_norm = fig.add_subplot(grid[1, n:])
    for ax, (label, m) in zip(top, runs):
        e = np.arange(1, len(m["train_accuracy"]) + 1)
        ax.plot(e, m["train_accuracy"], color=_color(label), lw=1.3, ls="--", label="training")
        ax.plot(e, m["test_accuracy"], color=_color(label), lw=1.6, label="test")
        _accuracy_axis(ax, epochs, low)
        gap = m["train_accuracy"][-1] - m["test_accuracy"][-1]
        ax.set_title(f"{label}\nat the end: test {m['test_accuracy'][-1]:.1%}, gap {gap:.1%}",
                     fontsize=9)
        ax.legend(loc="lower right", fontsize=8)
    for ax in top[1:]:
        ax.set_ylabel("")
    for label, m in runs:
        e = np.arange(1, len(m["test_loss"]) + 1)
        ax_loss.plot(e, m["test_loss"], color=_color(label), lw=1.4, label=label.split(":")[0])
        ax_norm.plot(e, m["weight_norm"], color=_color(label), lw=1.6, label=label.split(":")[0])
    ax_loss.set_yscale("log")
    ax_loss.set_ylim(*loss_range)
    ax_loss.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 1.5, 2.0, 3.0, 5.0)))
    ax_loss.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax_loss.yaxis.set_minor_formatter(NullFormatter())
    ax_loss.set_ylabel("test cross-entropy (log scale)")
    ax_loss.set_title("test loss per epoch", fontsize=9)
    ax_norm.set_ylim(0, None)
    ax_norm.set_ylabel("√(sum of squared weights)")
    ax_norm.set_title("size of the weights", fontsize=9)
    for ax in (ax_loss, ax_norm):
        ax.set_xlim(0, epochs)
        ax.set_xlabel("epoch")
        ax.grid(color="0.92", lw=0.8)
        ax.legend(fontsize=8, ncol=2, loc="lower right" if ax is ax_norm else "upper right")
    fig.tight_layout()
    return fig


def sweep_figure(lambdas, p_drops, decay_runs, dropout_runs, low=0.88):
    """Final training and test accuracy (mean over seeds; each seed a small dot) against the
    weight decay lambda (log axis; 0 drawn at the left edge) and against the dropout ratio.
    decay_runs / dropout_runs: dicts with (n_values, n_seeds) arrays train_accuracy,
    test_accuracy. A mean below ``low`` is drawn on the bottom edge as a triangle, labelled."""
    fig, (ax_l, ax_p) = new_figure(1, 2, figsize=(10, 3.6), sharey=True)
    lambdas = np.asarray(lambdas, dtype=float)
    positive = lambdas[lambdas > 0]
    zero_at = positive.min() / 3.0                      # where lambda = 0 is drawn
    x_l = np.where(lambdas > 0, lambdas, zero_at)
    for ax, xs, runs, name in ((ax_l, x_l, decay_runs, "λ"),
                               (ax_p, np.asarray(p_drops, dtype=float), dropout_runs, "p")):
        for key, style, label, color in (("train_accuracy", "--", "training", "0.55"),
                                         ("test_accuracy", "-", "test", "0.15")):
            values = runs[key]
            mean = values.mean(axis=1)
            ax.plot(xs, np.maximum(mean, low), style, color=color, lw=1.5,
                    label=f"{label} (mean of {values.shape[1]} seeds)")
            inside = mean >= low
            ax.plot(xs[inside], mean[inside], "o", color=color, ms=4)
            ax.plot(xs[~inside], np.full((~inside).sum(), low), "v", color=color, ms=7,
                    clip_on=False)
            seeds = values.copy()
            seeds[seeds < low] = np.nan
            ax.plot(np.repeat(xs, values.shape[1]), seeds.ravel(), ".", color=color, ms=2.5,
                    alpha=0.6)
        means = {key: runs[key].mean(axis=1) for key in ("train_accuracy", "test_accuracy")}
        values_shown = np.asarray(lambdas if name == "λ" else p_drops)
        for j in np.flatnonzero(np.minimum(*means.values()) < low):
            ax.annotate(f"{name} = {values_shown[j]:g}, below the axis:\ntraining "
                        f"{means['train_accuracy'][j]:.0%}, test {means['test_accuracy'][j]:.0%}",
                        (xs[j], low), xytext=(0.04, 0.08), textcoords="axes fraction",
                        ha="left", va="bottom", fontsize=8, color="0.2",
                        arrowprops=dict(arrowstyle="->", color="0.4", lw=0.8))
        ax.grid(color="0.92", lw=0.8)
    ax_l.set_ylim(low, 1.005)
    ax_l.set_ylabel("accuracy after the last epoch")
    ax_l.set_xscale("log")
    ax_l.set_xticks(np.concatenate([[zero_at], positive]))
    ax_l.set_xticklabels(["0"] + [f"{v:g}" for v in positive], fontsize=8)
    ax_l.minorticks_off()
    ax_l.set_xlabel("weight decay λ (no dropout)")
    ax_p.set_xlabel("dropout ratio p (no weight decay)")
    ax_l.legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    return fig
