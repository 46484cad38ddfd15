"""Lesson 12: the static figures of weight decay, dropout and early stopping.
``METHOD_STYLES`` (one Okabe-Ito colour and one line style per method, so that no pair of lines
differs by colour alone), ``accuracy_figure`` (training against test accuracy, one panel per
method), ``loss_and_norm_figure`` (every method's test loss and weights' size),
``early_stopping_figure`` (the validation curves of one run and where they peak),
``sweep_figure`` (final accuracies against the strength of each regulariser),
``noisy_labels_figure`` (runs on partly wrong training labels, means over seeds),
``more_data_figure`` (the same network on more training digits) and ``moons_figure`` (decision
maps on the two moons, side by side)."""
import numpy as np
from matplotlib.legend_handler import HandlerTuple
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from .style import new_figure

# Okabe-Ito colours, and a line style each for the panels where all methods share an axis.
METHOD_STYLES = {"none": ("#D55E00", "-"), "weight decay": ("#0072B2", "--"),
                 "dropout": ("#E69F00", "-."), "both": ("#CC79A7", ":")}
TRAIN_LS, TEST_LS, VAL_LS = "--", "-", "-"


def method_style(label):
    """(colour, line style) of a run labelled "<method>: ..." (grey, solid if unknown)."""
    return METHOD_STYLES.get(label.split(":")[0], ("0.3", "-"))


def _accuracy_axis(ax, epochs, low=0.5):
    ax.set_xlim(0, epochs)
    ax.set_ylim(low, 1.01)
    ax.set_xlabel("epoch")
    ax.set_ylabel("accuracy")
    ax.grid(color="0.92", lw=0.8)


def _log_loss_axis(ax, label):
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 1.5, 2.0, 3.0, 5.0, 7.0)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set_ylabel(label)


def accuracy_figure(runs, epochs, low=0.5):
    """One panel per run (label, metrics), two by two: training accuracy (dashed) and test
    accuracy (solid) per epoch, the title giving both after the last epoch and their gap."""
    fig, axes = new_figure(2, 2, figsize=(9, 6.0), sharex=True, sharey=True)
    for ax, (label, m) in zip(axes.ravel(), runs):
        color, _ = method_style(label)
        e = np.arange(1, len(m["train_accuracy"]) + 1)
        ax.plot(e, m["train_accuracy"], color=color, lw=1.4, ls=TRAIN_LS, label="training (50)")
        ax.plot(e, m["test_accuracy"], color=color, lw=1.7, ls=TEST_LS, label="test (1447)")
        ax.fill_between(e, m["test_accuracy"], m["train_accuracy"], color=color, alpha=0.12,
                        lw=0, label="gap")
        _accuracy_axis(ax, epochs, low)
        train, test = m["train_accuracy"][-1], m["test_accuracy"][-1]
        ax.set_title(f"{label}\nepoch {len(e)}: training {train:.1%}, test {test:.1%}, "
                     f"gap {100 * (train - test):.1f} points", fontsize=9)
        ax.legend(loc="lower right", fontsize=8)
    for ax in axes[0]:
        ax.set_xlabel("")
    for ax in axes[:, 1]:
        ax.set_ylabel("")
    fig.tight_layout()
    return fig


def loss_and_norm_figure(runs, epochs):
    """Every run's test loss (log axis) and weights' size per epoch; each method its own colour
    and line style."""
    fig, (ax_loss, ax_norm) = new_figure(1, 2, figsize=(9, 3.5))
    for label, m in runs:
        color, ls = method_style(label)
        e = np.arange(1, len(m["test_loss"]) + 1)
        name = label.split(":")[0]
        ax_loss.plot(e, m["test_loss"], color=color, ls=ls, lw=1.6, label=name)
        ax_norm.plot(e, m["weight_norm"], color=color, ls=ls, lw=1.6, label=name)
    _log_loss_axis(ax_loss, "test cross-entropy (log scale)")
    ax_loss.set_title("test loss per epoch", fontsize=9)
    ax_norm.set_ylim(0, None)
    ax_norm.set_ylabel("√(sum of squared weights)")
    ax_norm.set_title("size of the weights", fontsize=9)
    for ax in (ax_loss, ax_norm):
        ax.set_xlim(0, epochs)
        ax.set_xlabel("epoch")
        ax.grid(color="0.92", lw=0.8)
        ax.legend(fontsize=8, ncol=2, loc="lower left" if ax is ax_norm else "upper left")
    fig.tight_layout()
    return fig


def early_stopping_figure(label, m, stop_epoch, epochs, low=0.5):
    """One run: training, validation and test accuracy per epoch (left) and the validation
    loss (right), with a vertical line where early stopping stops (``stop_epoch``, counted
    from 1: where the validation accuracy peaks) and the test accuracy there."""
    fig, (ax_acc, ax_loss) = new_figure(1, 2, figsize=(9, 3.6), width_ratios=(1.35, 1))
    color, _ = method_style(label)
    e = np.arange(1, len(m["train_accuracy"]) + 1)
    ax_acc.plot(e, m["train_accuracy"], color=color, ls=TRAIN_LS, lw=1.3,
                label="training (50)")
    ax_acc.plot(e, m["val_accuracy"], color="#009E73", ls=VAL_LS, lw=1.6,
                label="validation (300)")
    ax_acc.plot(e, m["test_accuracy"], color="0.2", ls=":", lw=1.6, label="test (1447)")
    k = stop_epoch - 1
    for ax in (ax_acc, ax_loss):
        ax.axvline(stop_epoch, color="0.4", lw=1.0, ls=(0, (4, 2)), label="where it stops")
    ax_acc.plot([stop_epoch], [m["val_accuracy"][k]], "o", color="#009E73", ms=6,
                label=f"validation peak, epoch {stop_epoch}")
    ax_acc.plot([stop_epoch], [m["test_accuracy"][k]], "s", color="0.2", ms=5,
                label=f"test there: {m['test_accuracy'][k]:.1%}")
    _accuracy_axis(ax_acc, epochs, low)
    ax_acc.set_title(f"{label}: stop where the validation accuracy peaks\n"
                     f"test {m['test_accuracy'][k]:.1%} at epoch {stop_epoch}, "
                     f"{m['test_accuracy'][-1]:.1%} at epoch {len(e)}", fontsize=9)
    ax_acc.legend(loc="lower right", fontsize=8)
    best = int(np.argmin(m["val_loss"]))
    ax_loss.plot(e, m["val_loss"], color="#009E73", lw=1.6, label="validation loss")
    ax_loss.plot([best + 1], [m["val_loss"][best]], "v", color="#009E73", ms=7,
                 label=f"lowest, epoch {best + 1}")
    _log_loss_axis(ax_loss, "validation cross-entropy (log scale)")
    ax_loss.set_xlim(0, epochs)
    ax_loss.set_xlabel("epoch")
    ax_loss.grid(color="0.92", lw=0.8)
    ax_loss.set_title("validation loss: lowest early, then rising", fontsize=9)
    ax_loss.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    return fig


def sweep_figure(lambdas, p_drops, decay_runs, dropout_runs, low=0.5):
    """Final training and test accuracy (mean over seeds; each seed a small dot) against the
    weight decay lambda (log axis; 0 drawn at the left edge) and against the dropout ratio.
    decay_runs / dropout_runs: dicts with (n_values, n_seeds) arrays train_accuracy,
    test_accuracy. A mean below ``low`` is drawn on the bottom edge as a triangle, labelled."""
    fig, (ax_l, ax_p) = new_figure(1, 2, figsize=(9, 3.5), sharey=True)
    lambdas = np.asarray(lambdas, dtype=float)
    positive = lambdas[lambdas > 0]
    zero_at = positive.min() / 3.0                      # where lambda = 0 is drawn
    x_l = np.where(lambdas > 0, lambdas, zero_at)
    handles, seed_dots = {}, []
    for ax, xs, runs, name in ((ax_l, x_l, decay_runs, "λ"),
                               (ax_p, np.asarray(p_drops, dtype=float), dropout_runs, "p")):
        for key, style, label, color in (("train_accuracy", "--", "training", "0.55"),
                                         ("test_accuracy", "-", "test", "0.15")):
            values = runs[key]
            mean = values.mean(axis=1)
            ax.plot(xs, np.maximum(mean, low), style, color=color, lw=1.5)
            inside = mean >= low
            ax.plot(xs[inside], mean[inside], "o", color=color, ms=4)
            if (~inside).any():     # an empty line with clip_on=False widens the tight bbox
                ax.plot(xs[~inside], np.full((~inside).sum(), low), "v", color=color, ms=7,
                        clip_on=False)
            seeds = values.copy()
            seeds[seeds < low] = np.nan
            ax.plot(np.repeat(xs, values.shape[1]), seeds.ravel(), ".", color=color, ms=2.5,
                    alpha=0.6)
            if ax is ax_l:          # legend handles: the mean's line and dot, a seed's dot
                handles[f"{label}: mean of {values.shape[1]} seeds"] = Line2D(
                    [], [], ls=style, marker="o", color=color, lw=1.5, ms=4)
                seed_dots.append(Line2D([], [], ls="", marker=".", color=color, ms=5,
                                        alpha=0.8))
        means = {key: runs[key].mean(axis=1) for key in ("train_accuracy", "test_accuracy")}
        values_shown = np.asarray(lambdas if name == "λ" else p_drops)
        for j in np.flatnonzero(np.minimum(*means.values()) < low):
            ax.annotate(f"{name} = {values_shown[j]:g}, below the axis:\ntraining "
                        f"{means['train_accuracy'][j]:.0%}, test {means['test_accuracy'][j]:.0%}",
                        (xs[j], low), xytext=(0.04, 0.08), textcoords="axes fraction",
                        ha="left", va="bottom", fontsize=8, color="0.2",
                        arrowprops=dict(arrowstyle="->", color="0.4", lw=0.8))
        ax.grid(color="0.92", lw=0.8)
    ax_l.set_ylim(low, 1.01)
    ax_l.set_ylabel("accuracy after the last epoch")
    ax_l.set_xscale("log")
    ax_l.set_xticks(np.concatenate([[zero_at], positive]))
    ax_l.set_xticklabels(["0"] + [f"{v:g}" for v in positive], fontsize=8)
    ax_l.minorticks_off()
    ax_l.set_xlabel("weight decay λ (0, then a log scale; no dropout)")
    ax_p.set_xlabel("dropout ratio p (no weight decay)")
    # the seeds' dots: one entry showing a light (training) and a dark (test) dot, enlarged
    handles["one seed each (training, test)"] = tuple(seed_dots)
    ax_l.legend(list(handles.values()), list(handles), fontsize=8, loc="lower left",
                handler_map={tuple: HandlerTuple(ndivide=None, pad=0.8)})
    fig.tight_layout()
    return fig


def noisy_labels_figure(runs, clean, epochs, stops=None):
    """Runs on partly wrong training labels, each method's mean over seeds per epoch: left the
    training accuracy measured against the labels it trained on (100% = every wrong label
    learnt too), right the test accuracy, with the clean-label run (``clean``: (label, its test
    accuracy per seed and epoch)) in grey for comparison. ``runs``: [(label, metrics)], each
    metric (seeds, epochs); ``stops``: optional {label: mean test accuracy at the early-stopping
    epochs}, written in the legend beside the mean at the end."""
    fig, (ax_train, ax_test) = new_figure(1, 2, figsize=(9, 4.0))
    e = np.arange(1, epochs + 1)
    clean_label, clean_test = clean
    clean_mean = np.mean(clean_test, axis=0)
    ax_test.plot(e, clean_mean, color="0.55", lw=1.5, ls="-",
                 label=f"{clean_label}: end {clean_mean[-1]:.1%}")
    for label, m in runs:
        color, ls = method_style(label)
        ax_train.plot(e, np.mean(m["train_accuracy"], axis=0), color=color, ls=ls, lw=1.6,
                      label=label)
        test = np.mean(m["test_accuracy"], axis=0)
        words = f"{label.split(':')[0]}: end {test[-1]:.1%}"
        if stops is not None and label in stops:
            words += f", stopped early {stops[label]:.1%}"
        ax_test.plot(e, test, color=color, ls=ls, lw=1.6, label=words)
    _accuracy_axis(ax_train, epochs, low=0.0)
    ax_train.set_ylabel("accuracy on the 50 training labels")
    ax_train.set_title("training, against its labels (12 wrong), mean of five seeds", fontsize=9)
    ax_train.legend(loc="lower right", fontsize=8)
    _accuracy_axis(ax_test, epochs, low=0.4)
    ax_test.set_ylabel("test accuracy (1447 digits)")
    ax_test.set_title("test, mean of five seeds", fontsize=9)
    ax_test.legend(loc="upper center", fontsize=7.5, ncol=1, framealpha=0.95)
    ax_test.set_ylim(0.4, 1.13)
    ax_test.set_yticks(np.arange(0.4, 1.01, 0.1))
    fig.tight_layout()
    return fig


def more_data_figure(sizes, train, test, epochs):
    """The unregularised network trained on more digits: training and test accuracy after
    ``epochs`` epochs against the number of training digits, each seed a small dot and the
    mean a line, the gap between the means shaded. ``train``, ``test``: (sizes, seeds)."""
    fig, ax = new_figure(1, 1, figsize=(6.4, 3.6))
    sizes = np.asarray(sizes)
    color = METHOD_STYLES["none"][0]
    for values, ls, marker, label in ((train, TRAIN_LS, "s", "training digits"),
                                      (test, TEST_LS, "o", "test digits (the same 1197)")):
        values = np.asarray(values)
        ax.plot(sizes, values.mean(axis=1), color=color, ls=ls, marker=marker, lw=1.6,
                label=f"{label}, mean of {values.shape[1]} seeds")
        for k, n in enumerate(sizes):
            ax.plot(np.full(values.shape[1], n), values[k], marker, color=color, ms=3,
                    alpha=0.45, ls="none")
    ax.fill_between(sizes, np.mean(test, axis=1), np.mean(train, axis=1), color=color,
                    alpha=0.12, lw=0, label="gap")
    ax.set_xticks(sizes)
    ax.set_xlabel("training digits")
    ax.set_ylabel(f"accuracy after epoch {epochs}")
    ax.set_ylim(0.7, 1.01)
    ax.grid(color="0.92", lw=0.8)
    ax.set_title("no regularisation, more training digits", fontsize=9)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return fig


# The two moons' classes: Okabe-Ito blue circles and vermilion triangles (shape and colour).
MOON_CLASSES = (("#0072B2", "o"), ("#D55E00", "^"))


def moons_figure(panels, grid_x1, grid_x2, X, y, X_test, y_test, n_test=300):
    """One panel per run, side by side: the network's decision map on the two moons (the
    region it calls class 1 shaded, its boundary p = 0.5 as a black line), the training
    points (large, edged) and the first ``n_test`` test points (small, faint).
    ``panels``: [(title, p(class 1) shaped (len(grid_x2), len(grid_x1)))]."""
    fig, axes = new_figure(1, len(panels), figsize=(8.2, 2.8), sharey=True)
    axes = np.atleast_1d(axes)
    for ax, (title, proba) in zip(axes, panels):
        ax.contourf(grid_x1, grid_x2, proba, levels=[0.0, 0.5, 1.0],
                    colors=[MOON_CLASSES[0][0], MOON_CLASSES[1][0]], alpha=0.13)
        ax.contour(grid_x1, grid_x2, proba, levels=[0.5], colors="k", linewidths=1.2)
        for c, (colour, marker) in enumerate(MOON_CLASSES):
            t = y_test[:n_test] == c
            ax.scatter(X_test[:n_test][t, 0], X_test[:n_test][t, 1], s=7, c=colour,
                       marker=marker, alpha=0.35, linewidths=0,
                       label=f"test, class {c}" if ax is axes[0] else None)
            ax.scatter(X[y == c, 0], X[y == c, 1], s=34, c=colour, marker=marker,
                       edgecolors="k", linewidths=0.7,
                       label=f"training, class {c}" if ax is axes[0] else None)
        ax.set_title(title, fontsize=9)
        ax.set_xlim(grid_x1[0], grid_x1[-1])
        ax.set_ylim(grid_x2[0], grid_x2[-1])
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_aspect("equal")
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    fig.legend(loc="lower center", ncol=4, fontsize=8, frameon=False, bbox_to_anchor=(0.5, 0.0))
    return fig
