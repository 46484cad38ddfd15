"""Lesson 07: the figures of the initialisations. ``INIT_LABELS``, ``INIT_COLORS``, ``INIT_MARKERS`` and
``INIT_STYLES`` (one name, colour, marker and line style per initialisation), ``init_label``, ``histogram_grid`` (the seed-004 figure: one
histogram of activations per layer and case), ``unit_histograms`` (single units' histograms
under the pooled one), ``draw_loss_curves`` (training loss per epoch,
one colour per initialisation) and ``deep_runs_figure`` (the 30-layer runs). The computations live in
``lessonlib.recipes.l07_initialisation``."""
import matplotlib.lines
import matplotlib.ticker
import numpy as np

from ..recipes.l07_initialisation import (_histogram, layer_activations, per_unit_spread,
                                         value_range)
from .style import new_figure, short_log_label

# lessonlib's init "xavier" is 1/sqrt(n_in): LeCun's scale (what Deep Learning from Scratch and
# the lecture notes call Xavier); Glorot & Bengio's own is sqrt(2/(n_in + n_out)).
INIT_LABELS = {"normal": "std 1", 0.01: "std 0.01", "xavier": "LeCun 1/√n_in",
               "he": "He √(2/n_in)"}
# Okabe-Ito (colour-blind safe), and a marker and line style of their own as well
INIT_COLORS = {"normal": "#D55E00", 0.01: "#7f7f7f", "xavier": "#0072B2", "he": "#009E73"}
INIT_MARKERS = {"normal": "o", 0.01: "s", "xavier": "^", "he": "D"}
INIT_STYLES = {"normal": "--", 0.01: ":", "xavier": "-", "he": "-."}


def init_label(init):
    """'std 1', 'std 0.01', 'LeCun 1/√n_in', 'He √(2/n_in)' or 'std <value>'."""
    if init in INIT_LABELS:
        return INIT_LABELS[init]
    return f"std {init:g}" if not isinstance(init, str) else init


def _note(h, activation, outside, zeros, sep=" · ", top=None):
    parts = [f"std {np.std(h):.2g}"]
    if activation == "relu":
        parts.append(f"{zeros:.0%} zeros")
    if outside >= 0.005:
        parts.append(f"{outside:.0%} > {value_range(activation)[1] if top is None else top:g}")
    return sep.join(parts)


def histogram_grid(cases, depth=5, seed=0):
    """One row per (init, activation) case, one column per layer: the histogram of that layer's
    activations (shares of all 100,000 values; one y scale per row). Returns (fig, axes).
    Few, fixed ticks and no tight_layout: a grid of 30 small axes is otherwise slow to draw."""
    rows = len(cases)
    fig, axes = new_figure(rows, depth, figsize=(min(1.8 * depth, 9.0), 1.3 * rows + 0.6),
                           squeeze=False)
    fig.subplots_adjust(left=0.11, right=0.99, bottom=0.35 / (1.3 * rows + 0.6),
                        top=1 - 0.3 / (1.3 * rows + 0.6), wspace=0.22, hspace=0.45)
    for r, (init, activation) in enumerate(cases):
        hs = layer_activations(init, activation, depth, seed)
        stats = [_histogram(h, activation) for h in hs]
        top = 1.3 * max(share.max() for share, _, _, _ in stats)
        lo, hi = value_range(activation)
        for k, (h, (share, edges, outside, zeros)) in enumerate(zip(hs, stats)):
            ax = axes[r, k]
            ax.stairs(share, edges, fill=True, color=INIT_COLORS.get(init, "0.4"), alpha=0.8)
            ax.set_xlim(lo, hi)
            ax.set_ylim(0, top)
            ticks = [lo, (lo + hi) / 2, hi]
            ax.set_xticks(ticks, labels=[f"{t:g}".replace("-", "\u2212") for t in ticks])
            ax.set_yticks([0, float(f"{top / 2.6:.1g}")] if k == 0 else [])
            ax.tick_params(labelsize=8)
            ax.text(0.97, 0.95, _note(h, activation, outside, zeros, sep="\n"),
                    transform=ax.transAxes, ha="right", va="top", fontsize=8,
                    bbox=dict(boxstyle="round,pad=0.15", facecolor="white", edgecolor="none",
                              alpha=0.8))
            if r == 0:
                ax.set_title(f"layer {k + 1}", fontsize=9)
        axes[r, 0].set_ylabel(f"{activation}\n{init_label(init)}", fontsize=8.5)
    fig.supylabel("share of the 100,000 activations per bin", fontsize=9, x=0.005)
    return fig, axes


def draw_loss_curves(ax, curves, log=True):
    """Training loss per epoch, one colour per init: ``curves`` maps an init to an array
    (seeds, epochs) or (epochs,), NaN after a divergence. Each seed is one thin line; a run that
    diverged ends with an x; inits whose every run diverged in its first epoch are named in a
    note on the axes. Returns one line per init, for the legend."""
    handles, never = [], []
    for init, loss in curves.items():
        loss = np.atleast_2d(np.asarray(loss, dtype=np.float64))
        color, style = INIT_COLORS.get(init, "0.4"), INIT_STYLES.get(init, "-")
        epochs = np.arange(1, loss.shape[1] + 1)
        diverged = np.isnan(loss).any(axis=1)
        for run, bad in zip(loss, diverged):
            ax.plot(epochs, run, color=color, ls=style, lw=1.0, alpha=0.8)
            done = np.flatnonzero(np.isfinite(run))
            if bad and done.size:
                ax.plot(epochs[done[-1]], run[done[-1]], "x", color=color, ms=7)
        if not np.isfinite(loss).any():
            never.append(init_label(init))
        handles.append(matplotlib.lines.Line2D([], [], color=color, ls=style, lw=1.5,
                                               label=init_label(init)))
    if never:
        ax.text(0.03, 0.04, "\n".join(f"{name}: diverged in epoch 1" for name in never),
                transform=ax.transAxes, fontsize=8, color="#b00020")
    if log:       # labels at 1 and 3 of every decade: enough to read a loss off the axis
        ax.set_yscale("log")
        ax.yaxis.set_major_locator(matplotlib.ticker.LogLocator(subs=(1.0, 3.0)))
        ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(short_log_label))
        ax.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss")
    return handles


def deep_runs_figure(runs):
    """The 30-hidden-layer ReLU runs of data/l07_deep_runs.npz (``runs``: its arrays): training
    loss per epoch, one thin line per seed, LeCun and He told apart by colour and line style,
    and the loss of guessing, ln 10, dashed on top of the curves (the LeCun lines lie on it and
    would hide it). Returns (fig, ax)."""
    fig, ax = new_figure(1, 1, figsize=(6.0, 3.2))
    inits = [str(init) for init in runs["inits"]]
    n = len(runs["seeds"])
    handles = draw_loss_curves(ax, {init: runs["loss"][i] for i, init in enumerate(inits)})
    for handle in handles:
        handle.set_label(f"{handle.get_label()} ({n} seeds)")
    guessing = ax.axhline(np.log(10), color="black", lw=0.9, ls=(0, (3, 3)), zorder=3,
                          label="ln 10 (guessing)")
    ax.set_xlim(0.5, runs["loss"].shape[-1] + 0.5)
    ax.set_xticks(range(0, runs["loss"].shape[-1] + 1, 5))
    ax.set_ylim(0.1, 3.0)
    ax.set_title(f"ReLU, {len(runs['hidden'])} hidden layers of {runs['hidden'][0]}, "
                 f"SGD lr {float(runs['lr']):g}, momentum {float(runs['momentum']):g}",
                 fontsize=10)
    ax.legend(handles=handles + [guessing], loc="lower left", fontsize=9, frameon=False)
    fig.tight_layout()
    return fig, ax


UNIT_BINS = 100     # finer than the grid's 30 bins: a sigmoid/LeCun unit is narrower than one


def unit_histograms(cases, layer=4, n_units=8, seed=0):
    """One panel per (init, activation) case: at the top the histogram of all the layer's
    activations pooled (all units, all 1000 inputs), below it the histograms of ``n_units``
    single units (units 1 to n_units, each across the 1000 inputs), one ridge per unit sorted
    by its mean output. Every ridge is scaled to its own peak. For ReLU the exact zeros are
    left out of every histogram and each unit's share of them is written on its ridge.
    Returns (fig, axes)."""
    fig, axes = new_figure(1, len(cases), figsize=(4.1 * len(cases), 3.9), squeeze=False)
    axes = axes[0]
    fig.subplots_adjust(left=0.17, right=0.99, bottom=0.15, top=0.86, wspace=0.35)
    for ax, (init, activation) in zip(axes, cases):
        h = layer_activations(init, activation, layer, seed)[-1]
        lo, hi = value_range(activation)
        edges = np.linspace(lo, hi, UNIT_BINS + 1)
        color = INIT_COLORS.get(init, "0.4")

        def ridge(values, base, height, **style):
            if activation == "relu":
                values = values[values != 0.0]
            counts = np.histogram(values, bins=edges)[0].astype(np.float64)
            if counts.max() > 0:
                counts *= height / counts.max()
            ax.stairs(counts + base, edges, baseline=base, fill=True, **style)

        units = np.argsort(h[:, :n_units].mean(axis=0))          # ridges sorted by the mean
        for row, j in enumerate(units):
            ridge(h[:, j], row, 0.9, color=color, alpha=0.85)
            if activation == "relu":
                ax.text(0.99 * hi, row + 0.3, f"{np.sum(h[:, j] == 0)} of {len(h)} are 0",
                        ha="right", fontsize=8,
                        bbox=dict(boxstyle="round,pad=0.1", facecolor="white", edgecolor="none",
                                  alpha=0.7))
        ridge(h.ravel(), n_units + 0.3, 1.6, color="0.35", alpha=0.8)
        ax.set_xlim(lo, hi)
        ax.set_ylim(-0.1, n_units + 2.1)
        ax.set_yticks(list(range(n_units)) + [n_units + 0.8],
                      labels=[f"unit {j + 1}" for j in units] + ["all 100\nunits pooled"],
                      fontsize=8)
        ax.tick_params(axis="y", length=0)
        ax.set_xlabel(f"{activation} output" + (" (exact zeros left out)"
                                                 if activation == "relu" else ""), fontsize=8.5)
        ax.set_title(f"{activation}, {init_label(init)}, layer {layer}:\n"
                     f"pooled std {np.std(h):.2g}, per-unit std {per_unit_spread(h):.2g}",
                     fontsize=9)
    return fig, axes
