"""Lesson 12: weight decay (L2) and dropout against overfitting, on a few hundred digits.

Builder (``__all__``): ``regularisation_explorer`` (weight decay on or off, its lambda, the
dropout ratio: a run, by itself when cheap, else on Run, trains the lesson's network and
shows training against test accuracy, and the test loss). The run is
``lessonlib.recipes.l12_regularisation.train_digits``; the accuracy axis comes from
``lessonlib.plots.l12_regularisation``.
"""

import ipywidgets as widgets
import numpy as np
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from ..data import load_overfit_digits
from ..plots.l12_regularisation import _accuracy_axis
from ..recipes.l12_regularisation import train_digits
from ._base import (Explorer, RunComparison, diverged_banner, epoch_progress, log_slider,
                    mark_diverged, new_figure, slider)

__all__ = ["regularisation_explorer"]

THIS_RUN_COLOR = "#1f77b4"     # the explorer's current run; the previous one is grey


# ---------------------------------------------------------------- the explorer

def regularisation_explorer(decay=False, lam=1e-3, dropout=0.0, epochs=60, seed=0):
    """Weight decay lambda (on/off) and the dropout ratio: a run (by itself when cheap, else on
    Run) trains the lesson's network on 300 digits; watch training against test accuracy, and
    the test loss.
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
    def cost(epochs, dropout, **_):
        """Seconds of a run on the course machine: per epoch (training and the two evaluations)."""
        return 0.05 + 0.026 * epochs * (1.1 if dropout else 1.0)

    explorer = Explorer(controls, fig, update, run_button=True, cost=cost,
                        title="Weight decay and dropout on 300 digits")
    explorer.switch_on_move("lam", "decay", True)
    return explorer
