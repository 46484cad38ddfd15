"""Lesson 07: how the scale of the initial weights shapes every layer's activations.

Builder (``__all__``): ``initialisation_explorer`` (initial weights, activation, depth -> one
histogram of activations per layer, updated in place). The experiment (``layer_activations``)
and its histograms come from ``lessonlib.recipes.l07_initialisation``, the notes beside them
from ``lessonlib.plots.l07_initialisation``.
"""
import matplotlib.pyplot as plt
import numpy as np

from ..plots.l07_initialisation import _note
from ..plots.style import layer_color
from ..recipes.l07_initialisation import (BINS, MAX_DEPTH, RELU_TOP, _histogram,
                                          float64_floor, init_std, layer_activations,
                                          per_unit_spread, relu_top, value_range)
from ._base import Explorer, dropdown, log_slider, new_figure, slider

__all__ = ["initialisation_explorer"]

# "xavier" is lessonlib's key for 1/sqrt(n_in), LeCun's scale (see plots.l07_initialisation)
PRESETS = [("std 1", "normal"), ("std 0.01", "0.01"), ("LeCun 1/√n_in", "xavier"),
           ("He √(2/n_in)", "he"), ("custom std (slider)", "custom")]


def initialisation_explorer(init="xavier", custom_std=0.3, activation="sigmoid", depth=5):
    """Histograms of every layer's activations (1000 random inputs, layers of 100 units) as a
    ridge plot, and two spreads per layer on a log scale: of all activations pooled, and of
    each unit across the inputs (what carries the input's information forward).

    With ReLU the histograms' range is 0 to 4, widened (10, 20, 50, 100, ...) when a stack
    explodes so that the largest layer still shows; a per-unit spread below float64's
    resolution (``recipes.l07_initialisation.float64_floor``: rounding, not signal) is not drawn
    as a value but marked at that floor."""
    fig, (ax, ax_std) = new_figure(1, 2, figsize=(10, 4.4),
                                   gridspec_kw={"width_ratios": [1.8, 1]})
    # the ridges share the panel's fixed height (0 to MAX_DEPTH), so that a new depth moves
    # them, their notes and their layer numbers (texts, not ticks) but not the axis: the
    # figure is redrawn by blitting, not in full
    ridges, notes, numbers = [], [], []
    edges0 = np.linspace(0, 1, BINS + 1)
    for k in range(MAX_DEPTH):
        ridges.append(ax.stairs(np.zeros(BINS), edges0, baseline=float(k), fill=True,
                                alpha=0.75, color=layer_color(k / (MAX_DEPTH - 1))))
        notes.append(ax.text(0.99, k + 0.5, "", fontsize=8, ha="right",
                             va="center", transform=ax.get_yaxis_transform(), zorder=5,
                             bbox=dict(boxstyle="round,pad=0.2", facecolor="white",
                                       edgecolor="none", alpha=0.75)))
        numbers.append(ax.text(-0.012, k + 0.35, str(k + 1), ha="right", va="center",
                               fontsize=plt.rcParams["ytick.labelsize"],
                               transform=ax.get_yaxis_transform(), clip_on=False))
    ax.set_ylim(-0.1, MAX_DEPTH + 0.05)
    ax.set_yticks([])
    ax.set_xlabel("activation value")
    ax.set_ylabel("layer", labelpad=18)     # room for the layer numbers
    title = ax.set_title("activations", fontsize=10)
    (std_line,) = ax_std.plot([], [], "o-", color="k", ms=4, label="all activations pooled")
    (unit_line,) = ax_std.plot([], [], "s--", color="#0072B2", ms=4, mfc="white",
                               label="per unit, across inputs")
    (floor_line,) = ax_std.plot([], [], "v", color="0.35", ms=5, mfc="white", ls="none",
                                label="per unit: below float64\nresolution (rounding)")
    one_line = ax_std.axhline(1.0, color="0.6", lw=0.8, ls=":", label="1 (the inputs' std)")
    ax_std.legend(fontsize=8, loc="best", framealpha=0.85)     # the lines fall or rise
    ax_std.set_yscale("log")
    ax_std.set_xlim(0.5, MAX_DEPTH + 0.5)
    ax_std.set_xlabel("layer")
    ax_std.set_ylabel("std of the layer's activations")
    ax_std.set_title("spread per layer (log scale)", fontsize=10)
    fig.tight_layout()

    def set_if_new(getter, setter, value):
        """Axis limits, ticks and labels only when they change: a change redraws the whole
        figure, an unchanged one lets only the histograms and lines be drawn again."""
        if getter() != value:
            setter(value)

    kept = {"top": RELU_TOP}        # the ReLU range in use, kept while it fits (relu_top)

    def update(init, custom_std, activation, depth, progress):
        if init == "custom":
            key, label = custom_std, f"std {custom_std:.3g}"
        elif init in ("0.01", "normal"):
            key, label = (0.01 if init == "0.01" else init), dict((v, k) for k, v in PRESETS)[init]
        else:
            key = init
            label = f"{dict((v, k) for k, v in PRESETS)[init]} = std {init_std(init):.3g}"
        hs = layer_activations(key, activation, depth)
        lo, hi = value_range(activation)
        top = None
        if activation == "relu":
            top = hi = kept["top"] = relu_top(hs, kept["top"])
        stats = [_histogram(h, activation, top) for h in hs]
        peak = max(share.max() for share, _, _, _ in stats)
        spacing = MAX_DEPTH / depth                         # the ridges fill the panel
        scale = 0.9 * spacing / peak if peak > 0 else 0.0     # one scale for every layer
        for k in range(MAX_DEPTH):
            if k < depth:
                share, edges, outside, zeros = stats[k]
                ridges[k].set_data(k * spacing + share * scale, edges, baseline=k * spacing)
                notes[k].set_text(_note(hs[k], activation, outside, zeros, top=top))
                notes[k].set_y(k * spacing + 0.5 * spacing)
                numbers[k].set_y(k * spacing + 0.35 * spacing)
            for artist in (ridges[k], notes[k], numbers[k]):
                artist.set_visible(k < depth)
        set_if_new(ax.get_xlim, lambda v: ax.set_xlim(*v), (lo, hi))
        set_if_new(ax.get_xlabel, ax.set_xlabel, "activation value" + (
            "" if activation != "relu" else " (exact zeros not drawn)" if hi == RELU_TOP
            else " (exact zeros not drawn; range widened to fit)"))
        title.set_text(f"{activation}, {label}: histogram of each layer")
        stds = np.array([float(np.std(h)) for h in hs])
        units = np.array([per_unit_spread(h) for h in hs])
        floors = np.array([float64_floor(h) for h in hs])
        lost = units < floors                   # rounding, not signal: marked at the floor
        layers = np.arange(1, depth + 1)
        std_line.set_data(layers, stds)
        unit_line.set_data(layers, np.where(lost, np.nan, units))
        floor_line.set_data(layers[lost], floors[lost])
        both = np.concatenate([stds, units[~lost], floors[lost]])
        ok = both[np.isfinite(both) & (both > 0)]
        if ok.size:       # whole powers of ten, so that most moves keep the limits
            set_if_new(ax_std.get_ylim, lambda v: ax_std.set_ylim(*v),
                       (10.0 ** min(-3, np.floor(np.log10(ok.min() / 3))),
                        10.0 ** max(1, np.ceil(np.log10(ok.max() * 3)))))

    controls = {
        "init": dropdown("initial weights", PRESETS, init),
        "custom_std": log_slider("custom std", custom_std, -3, 1),
        "activation": dropdown("activation", ["sigmoid", "tanh", "relu"], activation),
        "depth": slider("layers", depth, 1, MAX_DEPTH, 1),
    }
    # the histograms, their notes and the two lines move; the legend and the dotted 1 sit over
    # the lines
    moving = ridges + notes + numbers + [title, std_line, unit_line, floor_line, one_line,
                                         ax_std.get_legend()]
    # the activation sets the x range and label (and, for ReLU, an explosion widens the range:
    # a full draw, then kept among the still pictures)
    explorer = Explorer(controls, fig, update, moving=moving, still=["activation"],
                        title="Activations of 1000 random inputs through layers of 100 units")
    explorer.switch_on_move("custom_std", "init", "custom")
    return explorer
