"""Lesson 12: weight decay (L2), dropout and early stopping against overfitting, on 50 digits.

Builder (``__all__``): ``regularisation_explorer`` (weight decay on or off, its lambda, the
dropout ratio, epochs, seed: a run, by itself when cheap, else on Run, trains the lesson's
network and shows training against validation accuracy, with the epoch where the validation
accuracy peaks, and the validation loss; the previous run stays in grey on both axes, through
``RunComparison``, named by all its settings: lambda, dropout, seed and epochs). The run is
``lessonlib.recipes.l12_regularisation.train_digits``; the axes come from
``lessonlib.plots.l12_regularisation``.
"""

import ipywidgets as widgets
import numpy as np

from ..plots.l12_regularisation import TRAIN_LS, VAL_LS, _accuracy_axis, _log_loss_axis
from ..recipes.l12_regularisation import early_stop, load_data, train_digits
from ._base import (Explorer, RunComparison, diverged_banner, epoch_progress, log_slider,
                    mark_diverged, new_figure, slider)

__all__ = ["regularisation_explorer"]

THIS_RUN_COLOR = "#0072B2"     # the explorer's current run (Okabe-Ito blue); the previous: grey
PREVIOUS = {"color": "0.6", "lw": 1.2}


# ---------------------------------------------------------------- the explorer

def regularisation_explorer(decay=False, lam=0.01, dropout=0.0, epochs=150, seed=0):
    """Weight decay lambda (on/off) and the dropout ratio: a run (by itself when cheap, else on
    Run) trains the lesson's network on 50 digits; watch training against validation accuracy
    (300 other digits), where the validation accuracy peaks, and the validation loss."""
    data = load_data()
    fig, (ax_acc, ax_loss) = new_figure(1, 2, figsize=(8.2, 3.9), width_ratios=(1.25, 1))
    # legends where they cover the fewest points (the curves move with λ and dropout)
    acc_runs = RunComparison(ax_acc, THIS_RUN_COLOR, lw=1.6, previous_style=PREVIOUS,
                             loc="best",
                             kinds=(("training", TRAIN_LS), ("validation", VAL_LS)))
    stop_line = ax_acc.axvline(np.nan, color="0.3", lw=1.0, ls=":")
    _accuracy_axis(ax_acc, epochs, low=0.5)
    acc_title = ax_acc.set_title("accuracy\n(placeholder)\n(placeholder)", fontsize=9)
    banner = diverged_banner(ax_acc)
    loss_runs = RunComparison(ax_loss, THIS_RUN_COLOR, lw=1.6, previous_style=PREVIOUS,
                              loc="best")
    _log_loss_axis(ax_loss, "validation cross-entropy (log scale)")
    ax_loss.set_xlabel("epoch")
    ax_loss.grid(color="0.92", lw=0.8)
    loss_title = ax_loss.set_title("validation loss\n(placeholder)", fontsize=9)
    fig.tight_layout()

    def update(decay, lam, dropout, epochs, seed, progress):
        wd = lam if decay else 0.0
        model, history, m = train_digits(wd, dropout, epochs, seed, data=data, test=False,
                                         callback=epoch_progress(progress, epochs))
        e = np.arange(1, len(m["val_accuracy"]) + 1)
        setting = (f"λ = {wd:.2g}" if decay else "no weight decay") + f", dropout {dropout:.2f}"
        # the grey run's label names every control, so that two runs that differ only in the
        # seed or the epochs are told apart
        label = f"{setting},\nseed {seed}, {epochs} epochs"
        acc_runs.show(e, (m["train_accuracy"], m["val_accuracy"]), label, THIS_RUN_COLOR)
        loss_runs.show(e, np.clip(m["val_loss"], 1e-3, 1e3), label, THIS_RUN_COLOR)
        setting += f", seed {seed}"
        xmax = max(epochs, len(acc_runs.previous.get_xdata()))
        ax_acc.set_xlim(0, xmax)
        lowest = min(np.concatenate([m["val_accuracy"][len(e) // 4:], [0.5]]))
        ax_acc.set_ylim(np.floor(lowest * 10) / 10, 1.01)
        ax_loss.set_xlim(0, xmax)
        ax_loss.relim()
        ax_loss.autoscale_view(scalex=False)
        if history.diverged or len(e) == 0:
            stop_line.set_xdata([np.nan, np.nan])
            mark_diverged(ax_acc, banner, True, f"Diverged at epoch {history.diverged_epoch + 1}")
            acc_title.set_text(f"{setting}\nstopped: the loss is no longer finite\n")
            loss_title.set_text("validation loss")
            return "The run diverged."
        mark_diverged(ax_acc, banner, False)
        stop = early_stop(m)
        k = int(stop["epoch"])
        stop_line.set_xdata([k, k])
        train_acc, val_acc = m["train_accuracy"][-1], m["val_accuracy"][-1]
        acc_title.set_text(f"{setting}\nepoch {len(e)}: training {train_acc:.1%}, validation "
                           f"{val_acc:.1%}\nvalidation peak (dotted line): {stop['val_accuracy']:.1%}"
                           f" at epoch {k}")
        loss_title.set_text(f"validation loss: lowest {m['val_loss'].min():.3f} at epoch "
                            f"{int(np.argmin(m['val_loss'])) + 1}\nweights' size √ΣW² = "
                            f"{m['weight_norm'][-1]:.1f} at the end")
        return f"Trained in {history.seconds:.1f} s."

    controls = {
        "decay": widgets.Checkbox(value=decay, description="weight decay",
                                  style={"description_width": "initial"}),
        "lam": log_slider("weight decay λ", lam, -4, 0, continuous=False, step=0.25),
        "dropout": slider("dropout ratio p", dropout, 0.0, 0.6, 0.05, continuous=False),
        "epochs": slider("epochs", epochs, 50, 300, 25, continuous=False),
        "seed": slider("seed (initial weights, batches, masks)", seed, 0, 9, 1,
                       continuous=False),
    }

    def cost(epochs, dropout, **_):
        """Seconds of a run on the course machine: per epoch (5 steps and the evaluation of 50
        training and 300 validation digits), measured 4.5 ms in CPU time."""
        return 0.05 + 0.005 * epochs * (1.1 if dropout else 1.0)

    explorer = Explorer(controls, fig, update, run_button=True, cost=cost,
                        title="Weight decay, dropout and early stopping on 50 digits")
    explorer.switch_on_move("lam", "decay", True)
    return explorer
