"""Lesson 12: weight decay (L2) and dropout against overfitting, on a few hundred digits.

Builder (``__all__``): ``regularisation_explorer``. The helpers below make the lesson's static
figures: ``train_digits`` (one run, with per-epoch training and test accuracy, test loss and
weight size), ``curves_figure`` (train against test accuracy, and the test loss, of several
runs) and ``sweep_figure`` (final accuracies against the strength of each regulariser, from
``data/make_l12_runs.py``). The lesson's setting (``HIDDEN``, ``LR``, ``MOMENTUM``, ``BATCH``),
``cross_entropy``, ``weight_norm`` and ``train_digits`` live in
``lessonlib.recipes.l12_regularisation`` and are imported here under the same names.
"""

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from ..data import load_overfit_digits
from ..recipes.l12_regularisation import (BATCH, HIDDEN, LR, MOMENTUM,  # noqa: F401
                                          cross_entropy, train_digits, weight_norm)
from ._base import (Explorer, RunComparison, diverged_banner, epoch_progress, log_slider,
                    mark_diverged, new_figure, slider)

__all__ = ["regularisation_explorer"]

THIS_RUN_COLOR = "#1f77b4"     # the explorer's current run; the previous one is grey

CONFIG_COLORS = {"none": "#d62728", "weight decay": "#1f77b4", "dropout": "#2ca02c",
                 "both": "#9467bd"}


# ---------------------------------------------------------------- static figures

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


# ---------------------------------------------------------------- the explorer

def regularisation_explorer(decay=False, lam=1e-3, dropout=0.0, epochs=60, seed=0):
    """Weight decay lambda (on/off) and the dropout ratio: press Run to train the lesson's
    network on 300 digits and watch training against test accuracy, and the test loss.
    The test curves use the first 500 test digits."""
    data = load_overfit_digits()
    n_test = 500
    fig, (ax_acc, ax_loss) = new_figure(1, 2, figsize=(10, 3.8), width_ratios=(1.2, 1))
    (prev_train,) = ax_acc.plot([], [], color="0.65", lw=1.1, ls="--")
    (prev_test,) = ax_acc.plot([], [], color="0.65", lw=1.4, label="previous run (grey)")
    (cur_train,) = ax_acc.plot([], [], color=THIS_RUN_COLOR, lw=1.3, ls="--", label="training")
    (cur_test,) = ax_acc.plot([], [], color=THIS_RUN_COLOR, lw=1.8, label="test (500 digits)")
    _accuracy_axis(ax_acc, epochs, low=0.5)
    ax_acc.legend(loc="lower right", fontsize=8)
    acc_title = ax_acc.set_title("accuracy\n(placeholder)", fontsize=10)
    banner = diverged_banner(ax_acc)
    runs = RunComparison(ax_loss, THIS_RUN_COLOR, lw=1.8,
                         previous_style={"color": "0.65", "lw": 1.4}, loc="upper right")
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("test cross-entropy (log scale)")
    ax_loss.set_yscale("log")
    ax_loss.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax_loss.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax_loss.yaxis.set_minor_formatter(NullFormatter())
    ax_loss.grid(color="0.92", lw=0.8)
    loss_title = ax_loss.set_title("test loss\n(placeholder)", fontsize=10)
    fig.tight_layout()

    def update(decay, lam, dropout, epochs, seed, progress):
        wd = lam if decay else 0.0

        model, history, m = train_digits(wd, dropout, epochs, seed, data=data, n_test=n_test,
                                         callback=epoch_progress(progress, epochs))
        for prev, cur in ((prev_train, cur_train), (prev_test, cur_test)):
            prev.set_data(*cur.get_data())
        e = np.arange(1, len(m["test_accuracy"]) + 1)
        cur_train.set_data(e, m["train_accuracy"])
        cur_test.set_data(e, m["test_accuracy"])
        setting = (f"λ = {wd:.2g}" if decay else "no weight decay") + f", dropout {dropout:.2f}"
        runs.show(e, np.clip(m["test_loss"], 1e-3, 1e3), setting, THIS_RUN_COLOR)
        xmax = max(epochs, len(prev_test.get_xdata()))
        ax_acc.set_xlim(0, xmax)
        lowest = min(np.concatenate([m["test_accuracy"][len(e) // 4:], [0.5]]))
        ax_acc.set_ylim(np.floor(lowest * 10) / 10, 1.005)
        ax_loss.set_xlim(0, xmax)
        ax_loss.relim()
        ax_loss.autoscale_view(scalex=False)
        if history.diverged:
            mark_diverged(ax_acc, banner, True, f"Diverged at epoch {history.diverged_epoch + 1}")
            acc_title.set_text(f"{setting}\nstopped: the loss is no longer finite")
            loss_title.set_text("test loss")
            return "The run diverged."
        mark_diverged(ax_acc, banner, False)
        train_acc, test_acc = m["train_accuracy"][-1], m["test_accuracy"][-1]
        acc_title.set_text(f"{setting}\ntraining {train_acc:.1%}, test {test_acc:.1%}, "
                           f"gap {train_acc - test_acc:.1%}")
        loss_title.set_text(f"test loss: {m['test_loss'][-1]:.3f} at the end, lowest "
                            f"{m['test_loss'].min():.3f}\nweights' size √ΣW² = "
                            f"{m['weight_norm'][-1]:.1f}")
        return f"Trained in {history.seconds:.1f} s."

    controls = {
        "decay": widgets.Checkbox(value=decay, description="weight decay",
                                  style={"description_width": "initial"}),
        "lam": log_slider("weight decay λ", lam, -5, -1, continuous=False, step=0.25),
        "dropout": slider("dropout ratio p", dropout, 0.0, 0.8, 0.05, continuous=False),
        "epochs": slider("epochs", epochs, 20, 100, 10, continuous=False),
        "seed": slider("seed (initial weights, batches, masks)", seed, 0, 9, 1,
                       continuous=False),
    }
    explorer = Explorer(controls, fig, update, run_button=True,
                        title="Weight decay and dropout on 300 digits")
    explorer.switch_on_move("lam", "decay", True)
    return explorer
