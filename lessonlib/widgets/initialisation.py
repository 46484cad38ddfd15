"""Lesson 07: how the scale of the initial weights shapes every layer's activations.

Builder (``__all__``): ``initialisation_explorer`` (initial weights, activation, depth -> one
histogram of activations per layer, updated in place).
Helpers for the lesson's static figures: ``init_std`` (the standard deviation each named
initialisation uses), ``layer_activations`` (the seed-004 experiment: 1000 random inputs through
a stack of 100-unit layers), ``histogram_grid`` (its figure), ``value_range``, ``init_label``,
``draw_loss_curves`` and ``read_runs`` (the precomputed runs of data/l07_init_runs.csv).
The computations (``init_std``, ``layer_activations``, ``value_range``, ``_histogram`` and the
experiment's sizes) live in ``lessonlib.recipes.l07_initialisation``, ``read_runs`` in
``lessonlib.recipes.l06_vanishing``; they are imported here under the same names.
"""
import matplotlib
import matplotlib.lines
import numpy as np

from ..recipes.l06_vanishing import read_runs  # noqa: F401  (lesson 07: init_figs.read_runs)
from ..recipes.l07_initialisation import (BINS, MAX_DEPTH, N_INPUTS, WIDTH,  # noqa: F401
                                          _histogram, _inputs_and_unit_weights, init_std,
                                          layer_activations, value_range)
from ._base import Explorer, dropdown, log_slider, new_figure, slider

__all__ = ["initialisation_explorer"]

INIT_LABELS = {"normal": "std 1", 0.01: "std 0.01", "xavier": "Xavier 1/√n",
               "he": "He √(2/n)"}
INIT_COLORS = {"normal": "#d62728", 0.01: "#7f7f7f", "xavier": "#1f77b4", "he": "#2ca02c"}


def init_label(init):
    """'std 1', 'std 0.01', 'Xavier 1/√n', 'He √(2/n)' or 'std <value>'."""
    if init in INIT_LABELS:
        return INIT_LABELS[init]
    return f"std {init:g}" if not isinstance(init, str) else init


def _note(h, activation, outside, zeros, sep=" · "):
    parts = [f"std {np.std(h):.2g}"]
    if activation == "relu":
        parts.append(f"{zeros:.0%} zeros")
    if outside >= 0.005:
        parts.append(f"{outside:.0%} > {value_range(activation)[1]:g}")
    return sep.join(parts)


def histogram_grid(cases, depth=5, seed=0):
    """One row per (init, activation) case, one column per layer: the histogram of that layer's
    activations (shares of all 100,000 values; one y scale per row). Returns (fig, axes).
    Few, fixed ticks and no tight_layout: a grid of 30 small axes is otherwise slow to draw."""
    rows = len(cases)
    fig, axes = new_figure(rows, depth, figsize=(1.9 * depth, 1.3 * rows + 0.6), squeeze=False)
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
            ax.tick_params(labelsize=7)
            ax.text(0.97, 0.95, _note(h, activation, outside, zeros, sep="\n"),
                    transform=ax.transAxes, ha="right", va="top", fontsize=6.5)
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
        color = INIT_COLORS.get(init, "0.4")
        epochs = np.arange(1, loss.shape[1] + 1)
        diverged = np.isnan(loss).any(axis=1)
        for run, bad in zip(loss, diverged):
            ax.plot(epochs, run, color=color, lw=1.0, alpha=0.8)
            done = np.flatnonzero(np.isfinite(run))
            if bad and done.size:
                ax.plot(epochs[done[-1]], run[done[-1]], "x", color=color, ms=7)
        if not np.isfinite(loss).any():
            never.append(init_label(init))
        handles.append(matplotlib.lines.Line2D([], [], color=color, lw=1.5,
                                               label=init_label(init)))
    if never:
        ax.text(0.03, 0.04, "\n".join(f"{name}: diverged in epoch 1" for name in never),
                transform=ax.transAxes, fontsize=8, color="#b00020")
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss")
    return handles


PRESETS = [("std 1", "normal"), ("std 0.01", "0.01"), ("Xavier 1/√n", "xavier"),
           ("He √(2/n)", "he"), ("custom std (slider)", "custom")]


def initialisation_explorer(init="xavier", custom_std=0.3, activation="sigmoid", depth=5):
    """Histograms of every layer's activations (1000 random inputs, layers of 100 units) as a
    ridge plot, and the std of each layer's activations on a log scale."""
    fig, (ax, ax_std) = new_figure(1, 2, figsize=(10, 4.4),
                                   gridspec_kw={"width_ratios": [1.8, 1]})
    spacing = 1.0
    ridges, notes = [], []
    edges0 = np.linspace(0, 1, BINS + 1)
    for k in range(MAX_DEPTH):
        ridges.append(ax.stairs(np.zeros(BINS), edges0, baseline=k * spacing, fill=True,
                                alpha=0.75, color=matplotlib.colormaps["viridis"](k / MAX_DEPTH)))
        notes.append(ax.text(0.99, k * spacing + 0.5, "", fontsize=7.5, ha="right",
                             va="center", transform=ax.get_yaxis_transform(), zorder=5,
                             bbox=dict(boxstyle="round,pad=0.2", facecolor="white",
                                       edgecolor="none", alpha=0.75)))
    ax.set_xlabel("activation value")
    ax.set_ylabel("layer")
    title = ax.set_title("activations", fontsize=10)
    (std_line,) = ax_std.plot([], [], "o-", color="k", ms=4)
    ax_std.axhline(1.0, color="0.75", lw=0.8, ls=":")
    ax_std.set_yscale("log")
    ax_std.set_xlim(0.5, MAX_DEPTH + 0.5)
    ax_std.set_xlabel("layer")
    ax_std.set_ylabel("std of the layer's activations")
    ax_std.set_title("spread per layer (log scale)", fontsize=10)
    fig.tight_layout()

    def update(init, custom_std, activation, depth, progress):
        if init == "custom":
            key, label = custom_std, f"std {custom_std:.3g}"
        elif init == "0.01":
            key, label = 0.01, "std 0.01"
        else:
            key = init
            label = f"{dict((v, k) for k, v in PRESETS)[init]} = std {init_std(init):.3g}"
        hs = layer_activations(key, activation, depth)
        lo, hi = value_range(activation)
        stats = [_histogram(h, activation) for h in hs]
        peak = max(share.max() for share, _, _, _ in stats)
        scale = 0.9 * spacing / peak if peak > 0 else 0.0     # one scale for every layer
        for k in range(MAX_DEPTH):
            if k < depth:
                share, edges, outside, zeros = stats[k]
                ridges[k].set_data(k * spacing + share * scale, edges, baseline=k * spacing)
                notes[k].set_text(_note(hs[k], activation, outside, zeros))
            ridges[k].set_visible(k < depth)
            notes[k].set_visible(k < depth)
        stds = [float(np.std(h)) for h in hs]
        ax.set_xlim(lo, hi)
        ax.set_xlabel("activation value" + (" (exact zeros not drawn)" if activation == "relu"
                                            else ""))
        ax.set_ylim(-0.1, depth * spacing + 0.05)
        ax.set_yticks(np.arange(depth) * spacing + 0.35)
        ax.set_yticklabels([str(k + 1) for k in range(depth)])
        title.set_text(f"{activation}, {label}: histogram of each layer")
        stds = np.asarray(stds)
        std_line.set_data(np.arange(1, depth + 1), stds)
        ok = stds[np.isfinite(stds) & (stds > 0)]
        if ok.size:
            ax_std.set_ylim(min(1e-3, ok.min() / 3), max(10.0, ok.max() * 3))

    controls = {
        "init": dropdown("initial weights", PRESETS, init),
        "custom_std": log_slider("custom std", custom_std, -3, 1),
        "activation": dropdown("activation", ["sigmoid", "tanh", "relu"], activation),
        "depth": slider("layers", depth, 1, MAX_DEPTH, 1),
    }
    explorer = Explorer(controls, fig, update,
                        title="Activations of 1000 random inputs through layers of 100 units")
    explorer.switch_on_move("custom_std", "init", "custom")
    return explorer
