"""Lesson 06: vanishing gradients. The labels of the initialisations (``INITS``),
``draw_slopes`` and ``draw_slope_products`` (the seed-002 intuition: a sigmoid's slope is at
most 1/4, and a product of n such factors shrinks like 0.5^n or 0.25^n),
``draw_seed_gradients`` and ``draw_seed_losses`` (the ten-seed iris runs: the median gradient
of every layer per epoch, and every run's loss), ``draw_run_gradients`` (one run's),
``draw_weight_changes`` (the seed-002 figure: mean |weight change| of every layer per batch),
``add_layer_colorbar`` (a layer colour bar naming every layer), ``name_every_layer`` (names
them again when the depth changes, for the explorer) and ``set_loss_axis`` (the y axis of a loss
panel: linear up to 10, log above)."""
import numpy as np

from ..recipes.l06_vanishing import activation_slope
from .style import GRAD_FLOOR, LN3, fit_log_axis, layer_colorbar, layer_colors

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


LAYER_STYLES = ("-", "--", "-.")   # neighbouring layers differ in line style as well as colour


def draw_layer_lines(ax, values, names=None):
    """One line per weight matrix (``values``: (steps, matrices)), coloured by its depth and with
    neighbouring layers in different line styles; labelled fc1, fc2, ... unless ``names`` are
    given. Returns the lines, first layer first."""
    n_w = values.shape[1]
    names = names or [f"fc{j + 1}" for j in range(n_w)]
    steps = np.arange(1, len(values) + 1)
    return [ax.plot(steps, values[:, j], color=color, lw=1.4, ls=LAYER_STYLES[j % 3],
                    label=names[j])[0]
            for j, color in enumerate(layer_colors(n_w))]


BAR_FONTSIZE = 8           # the layer names on a colour bar


def name_every_layer(bar, n_weights, output_above=False):
    """Tick and name every weight matrix on a layer colour bar, fc1 at the bottom to
    fc{n_weights} at the top. The output layer's tick says "(output)" on a second line, or, with
    ``output_above``, the bar's title says "output" (the explorer, whose bar names up to 21
    layers: a second line would run into the name below it)."""
    bar.set_ticks(np.linspace(0, 1, n_weights))
    names = [f"fc{j + 1}" for j in range(n_weights)]
    if not output_above:
        names[-1] += "\n(output)"
    labels = bar.ax.set_yticklabels(names, fontsize=BAR_FONTSIZE)
    if not output_above:            # the two lines hang down from the top, clear of the title
        labels[-1].set_verticalalignment("top")
    bar.ax.set_title("output" if output_above else "", fontsize=BAR_FONTSIZE)


def add_layer_colorbar(fig, ax, n_weights, below=None):
    """The layer colour bar (``style.layer_colorbar``) beside ``ax``, with a tick naming every
    weight matrix, fc1 at the bottom to the output at the top; ``below``, an Axes under ``ax``
    sharing its x axis, gives up the same width (an empty slot), so the two stay aligned.
    Returns the colour bar."""
    from matplotlib.colorbar import make_axes_gridspec
    bar = layer_colorbar(fig, ax, n_weights)
    name_every_layer(bar, n_weights)
    if below is not None:
        slot, _ = make_axes_gridspec(below, fraction=0.05, pad=0.02)
        slot.set_visible(False)
    return bar


def draw_seed_gradients(ax, grads):
    """The median over seeds of every weight matrix's mean |gradient| per epoch, one line per
    matrix coloured by its depth (``grads``: (seeds, epochs, matrices); values below
    GRAD_FLOOR, a dead layer's exact 0 among them, drawn at the floor). Returns the lines."""
    median = np.median(np.maximum(grads, GRAD_FLOOR), axis=0)
    lines = draw_layer_lines(ax, median)
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("median mean |gradient|")
    return lines


def draw_run_gradients(ax, history):
    """One run's mean |gradient| of every weight matrix per epoch (values below GRAD_FLOOR drawn
    at the floor), one line per matrix as in ``draw_seed_gradients``. Returns the lines."""
    lines = draw_layer_lines(ax, np.maximum(history.grad_mean_abs, GRAD_FLOOR))
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("mean |gradient|")
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
    record_batches=True), labelled fc1 ... as in the gradient figures. Returns the lines,
    first layer first."""
    lines = draw_layer_lines(ax, np.maximum(history.batch_weight_change_mean_abs, GRAD_FLOOR))
    for line in lines:
        line.set_linewidth(1.0)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("batch (update)")
    ax.set_ylabel("mean |weight change|")
    return lines


LINEAR_LOSS_MAX = 10.0     # above this the loss panel switches to a log axis


def set_loss_axis(ax, loss):
    """Fit a loss panel's y axis to ``loss`` (NaN for epochs not run): linear from 0 while the
    loss stays below LINEAR_LOSS_MAX, else a log axis spanning the whole loss curve (and ln 3),
    so the line is always on the chart. Returns "linear" or "log"."""
    finite = loss[np.isfinite(loss) & (loss > 0)]
    if finite.size == 0 or finite.max() <= LINEAR_LOSS_MAX:
        ax.set_yscale("linear")
        ax._fitted_log_limits = None          # fit_log_axis sets its ticks again next time
        top = 1.25 if finite.size == 0 else max(1.25, float(finite.max()) * 1.05)
        ax.set_ylim(0.0, top)
        return "linear"
    ax.set_yscale("log")
    fit_log_axis(ax, [finite, [LN3]], margin=2.0)
    return "log"
