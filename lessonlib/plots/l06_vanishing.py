"""Lesson 06: vanishing gradients. The labels of the initialisations (``INITS``),
``draw_slopes`` and ``draw_slope_products`` (the seed-002 intuition: a sigmoid's slope is at
most 1/4, and a product of n such factors shrinks like 0.5^n or 0.25^n),
``draw_seed_gradients`` and ``draw_seed_losses`` (the ten-seed iris runs: the median gradient
of every layer per epoch, and every run's loss), ``draw_weight_changes`` (the seed-002 figure:
mean |weight change| of every layer per batch) and ``_loss_limits`` (the y range of a loss
panel)."""
import numpy as np

from ..recipes.l06_vanishing import activation_slope
from .style import GRAD_FLOOR, LN3, fit_log_axis, layer_colors

INITS = {"uniform": "uniform ±0.01", "normal": "normal, std 1",
         "xavier": "LeCun, std 1/√n_in", "he": "He, std √(2/n_in)"}
# Okabe-Ito (colour-blind safe), and a line style or marker of their own as well
BLUE, VERMILLION, GREEN, ORANGE = "#0072B2", "#D55E00", "#009E73", "#E69F00"


def draw_slopes(ax, z_max=6.0):
    """The slopes f'(z) of sigmoid (at most 1/4, at z = 0) and tanh (at most 1), read from
    lessonlib's layers, and the level 1/4. Returns the two curves."""
    z = np.linspace(-z_max, z_max, 241)
    sig, = ax.plot(z, activation_slope("sigmoid", z), color=BLUE, lw=2,
                   label="sigmoid: f'(z) = s(1 - s)")
    tanh, = ax.plot(z, activation_slope("tanh", z), color=ORANGE, lw=2, ls="--",
                    label="tanh: f'(z) = 1 - tanh²")
    ax.axhline(0.25, color="0.5", lw=1, ls=":")
    ax.text(z_max - 0.2, 0.27, "1/4, the sigmoid's largest slope", fontsize=8, color="0.35",
            ha="right")
    ax.set_xlim(-z_max, z_max)
    ax.set_ylim(0, 1.08)
    ax.set_xlabel("z (a unit's input)")
    ax.set_ylabel("slope f'(z)")
    ax.legend(fontsize=8, loc="upper right")
    return sig, tanh


def draw_slope_products(ax, n_max=50, marked=(5, 10, 50)):
    """The product of n factors of 0.5 (the notes' example) and of 0.25 (n sigmoid slopes at
    their largest) against n on a log axis, the notes' ``marked`` powers of 0.5 labelled.
    Returns the two lines."""
    n = np.arange(1, n_max + 1)
    half, = ax.plot(n, 0.5 ** n, "o-", color=BLUE, ms=3, lw=1.2, label="0.5ⁿ (the notes' example)")
    quarter, = ax.plot(n, 0.25 ** n, "s--", color=VERMILLION, ms=3, lw=1.2,
                       label="0.25ⁿ: n sigmoid slopes at their largest")
    for k in marked:
        last = k == n_max                  # its label goes below left, inside the axes
        ax.annotate(f"0.5^{k} = {0.5 ** k:.2g}", (k, 0.5 ** k),
                    xytext=(-4, -6) if last else (7, 7), textcoords="offset points",
                    fontsize=8, color=BLUE, ha="right" if last else "left",
                    va="top" if last else "baseline")
    ax.set_yscale("log")
    fit_log_axis(ax, [0.25 ** n, 0.5 ** n, [1.0]], margin=3.0)
    ax.set_xlim(0, n_max + 2)
    ax.set_xlabel("n, the number of layers the gradient passes")
    ax.set_ylabel("product of n slopes")
    ax.legend(fontsize=8, loc="lower left")
    return half, quarter


def draw_seed_gradients(ax, grads):
    """The median over seeds of every weight matrix's mean |gradient| per epoch, one line per
    matrix coloured by its depth (``grads``: (seeds, epochs, matrices); values below
    GRAD_FLOOR, a dead layer's exact 0 among them, drawn at the floor). Returns the lines."""
    median = np.median(np.maximum(grads, GRAD_FLOOR), axis=0)
    n_w = median.shape[1]
    epochs = np.arange(1, len(median) + 1)
    lines = [ax.plot(epochs, median[:, j], color=color, lw=1.5,
                     label=f"fc{j + 1}" + (" (output)" if j == n_w - 1 else ""))[0]
             for j, color in enumerate(layer_colors(n_w))]
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("median mean |gradient|")
    return lines


def draw_seed_losses(ax, losses, level=1.0):
    """Every seed's training loss per epoch (``losses``: (seeds, epochs)): solid blue for the
    runs whose loss gets below ``level``, dashed vermillion for those that never do, and the
    loss of guessing, ln 3, dotted. Returns the legend handles (with the counts)."""
    import matplotlib.lines
    epochs = np.arange(1, losses.shape[1] + 1)
    learned = (losses < level).any(axis=1)
    ax.axhline(LN3, color="0.6", ls=":", lw=1, zorder=1)
    for run, ok in zip(losses, learned):
        ax.plot(epochs, run, color=BLUE if ok else VERMILLION, ls="-" if ok else "--",
                lw=1.0 if ok else 1.6, zorder=2 if ok else 3)
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss")
    return [matplotlib.lines.Line2D([], [], color=BLUE, lw=1.0,
                                    label=f"loss below {level:g}: {learned.sum()} of {len(learned)}"),
            matplotlib.lines.Line2D([], [], color=VERMILLION, ls="--", lw=1.6,
                                    label=f"never: {(~learned).sum()} of {len(learned)}"),
            matplotlib.lines.Line2D([], [], color="0.6", ls=":", lw=1,
                                    label="ln 3, guessing")]


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
