"""Lesson 10: the static figures of dense connections. ``CONNECTION_STYLES`` (a colour-blind-safe
colour, line style and marker per kind of net: plain, residual, dense, and ``DENSE_ADAM``),
``dense_block_figure`` (the dense block of the notes, in lessonlib's column order: who reads
whom, and the columns each layer reads), ``draw_seed_losses`` (several seeds of several nets,
over ``draw_ln3_band``, the ln 3 level as a pale band), ``gradient_figure`` (lesson 09's, which
keeps its notes off the curves) and ``draw_param_counts`` (the number of parameters of nets of
several shapes against their depth)."""
import numpy as np

from ..models import MLP
from . import l09_residual
from .style import LN3, LOSS_FLOOR, fit_log_axis, new_figure

gradient_figure = l09_residual.gradient_figure       # lesson 10's figures in one place

# Okabe-Ito colours, each kind also with its own line style and marker, so that no pair of
# lines differs by colour alone
CONNECTION_STYLES = {
    "plain": dict(color="#707070", ls=":", marker="s"),
    "residual": dict(color="#D55E00", ls="--", marker="^"),
    "dense": dict(color="#0072B2", ls="-", marker="o"),
}
DENSE_ADAM = dict(color="#E69F00", ls="-.", marker="D")
# the colours of h_1, h_2, h_3, ... in the block diagram (Okabe-Ito, then tab10 beyond)
BLOCK_COLORS = ("#56B4E9", "#E69F00", "#009E73", "#CC79A7", "#F0E442", "#0072B2", "#D55E00",
                "#8c564b", "#bcbd22", "#17becf")
INPUT_COLOR = "0.8"


def _box(ax, x, y, w, h, text, color, fontsize=9):
    from matplotlib.patches import FancyBboxPatch
    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.02",
                                facecolor=color, edgecolor="0.25", lw=1))
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize)


def _draw_reads(ax, widths):
    """Who reads whom: the input, the hidden layers and the output in a row; an arrow from
    every h_j to every later layer (straight to the next one, arcs above to the others)."""
    from matplotlib.patches import FancyArrowPatch
    L = len(widths)
    xs = np.arange(L + 2) * 1.9                    # x, layer 1..L, output
    labels = (["input x\n(4 columns)"]
              + [f"fc{i} + ReLU\n→ $h_{i}$ ({w} wide)" for i, w in enumerate(widths, 1)]
              + [f"fc{L + 1} (output)\n→ softmax"])
    colors = [INPUT_COLOR] + list(BLOCK_COLORS[:L]) + ["white"]
    for x, text, color in zip(xs, labels, colors):
        _box(ax, x, 0, 1.45, 0.62, text, color, fontsize=8.5)
    for j in range(L + 1):                        # source: x (j = 0) or h_j
        targets = [j + 1] if j == 0 else range(j + 1, L + 2)
        for t in targets:
            if t == j + 1:                        # the next layer: straight
                start, end, rad = (xs[j] + 0.73, 0.0), (xs[t] - 0.73, 0.0), 0.0
            else:                                 # a later one: an arc over the boxes between
                start = (xs[j] + 0.12 * (t - j - 2), 0.31)
                end = (xs[t] - 0.12 * (j - 1) - 0.2, 0.31)
                rad = -0.35
            arrow = FancyArrowPatch(start, end,
                                    connectionstyle=f"arc3,rad={rad}", arrowstyle="-|>",
                                    mutation_scale=10, lw=1.3,
                                    color="0.35" if j == 0 else BLOCK_COLORS[j - 1])
            ax.add_patch(arrow)
    ax.set_xlim(xs[0] - 0.8, xs[-1] + 0.8)
    ax.set_ylim(-0.45, 1.45)
    ax.axis("off")
    ax.set_title("who reads whom: every $h_j$ goes to every later layer (x only to fc1)",
                 fontsize=10)


def _draw_columns(ax, widths):
    """The columns each layer reads, one square per column, coloured by the block they
    come from: x for fc1, then r_i = h_1 || ... || h_i (np.concatenate order) for fc(i+1)."""
    from matplotlib.patches import Rectangle
    L = len(widths)
    rows = [("fc1 reads x", [("x", 4, INPUT_COLOR)])]
    for i in range(1, L + 1):
        blocks = [(f"$h_{j}$", widths[j - 1], BLOCK_COLORS[j - 1]) for j in range(1, i + 1)]
        reader = f"fc{i + 1}" + (" (output)" if i == L else "")
        r = " ‖ ".join(f"$h_{j}$" for j in range(1, i + 1))
        rows.append((f"{reader} reads $r_{i}$ = {r}", blocks))
    for k, (label, blocks) in enumerate(rows):
        y = -k
        ax.text(-0.6, y, label, ha="right", va="center", fontsize=9)
        col = 0
        for name, width, color in blocks:
            for c in range(width):
                ax.add_patch(Rectangle((col + c, y - 0.35), 1, 0.7, facecolor=color,
                                       edgecolor="white", lw=1.2))
            ax.text(col + width / 2, y, name, ha="center", va="center", fontsize=9)
            col += width
        ax.text(col + 0.3, y, f"{col} columns", ha="left", va="center", fontsize=8,
                color="0.3")
    total = sum(widths)
    ax.annotate("", xy=(total, -len(rows) + 0.35), xytext=(0, -len(rows) + 0.35),
                arrowprops=dict(arrowstyle="->", color="0.4", lw=0.9))
    ax.text(total / 2, -len(rows) + 0.05, "column 0 →  the older blocks first, the newest last",
            ha="center", va="center", fontsize=8, color="0.3")
    ax.set_xlim(-12.5, total + 3.5)        # room for the labels on the left, inside the axes
    ax.set_ylim(-len(rows) - 0.1, 0.6)
    ax.axis("off")
    ax.set_title("the columns each layer reads ($W_i$ has one row per column)", fontsize=10)


def dense_block_figure(widths=(3, 4, 5)):
    """The notes' dense block with hidden widths ``widths`` (the first three of 3, 4, 5, ...),
    wired as lessonlib wires it: above, which layers each h_j feeds; below, the columns of
    r_i = r_(i-1) || h_i = h_1 || ... || h_i that layer i + 1 reads, in their order."""
    fig, (ax_top, ax_bottom) = new_figure(2, 1, figsize=(8.2, 5.2),
                                          gridspec_kw=dict(height_ratios=(0.9, 1.15)))
    _draw_reads(ax_top, list(widths))
    _draw_columns(ax_bottom, list(widths))
    fig.tight_layout()
    return fig


def draw_ln3_band(ax):
    """The ln 3 level (the loss of a net that gives every species probability 1/3) as a wide
    pale band behind the curves, so that a dotted curve lying on it stays visible."""
    ax.axhline(LN3, color="0.87", lw=5, ls="-", zorder=0.5, solid_capstyle="butt")
    ax.text(0.99, LN3 * 1.04, "ln 3: guessing ", fontsize=8, color="0.4", ha="right",
            va="bottom", transform=ax.get_yaxis_transform())


def draw_seed_losses(ax, loss, labels, styles):
    """loss[v, s, e]: one colour and line style per variant v (``styles``: dicts with color
    and ls), one thin line per seed s, on a log scale with labelled ticks, over the ln 3 band.
    The first variant is drawn on top, with its marker (``styles``' "marker") every 10 epochs,
    so that its runs stay visible where later ones lie on them."""
    epochs = np.arange(1, loss.shape[-1] + 1)
    shown = np.maximum(loss, LOSS_FLOOR)
    for v, (label, style) in enumerate(zip(labels, styles)):
        marks = dict(marker=style.get("marker"), markevery=(4, 10), ms=4) if v == 0 else {}
        for s in range(loss.shape[1]):
            ax.plot(epochs, shown[v, s], color=style["color"], ls=style["ls"], lw=1.3,
                    alpha=0.85, zorder=3 if v == 0 else 2, label=label if s == 0 else None,
                    **marks)
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss")
    draw_ln3_band(ax)
    fit_log_axis(ax, [shown, [LN3]], LOSS_FLOOR)
    ax.set_xlim(0, epochs[-1] + 1)


def draw_param_counts(ax, depths, shapes):
    """shapes: [(label, depth -> hidden widths, connection, colour, line style, marker)]; the
    number of parameters against the depth, log y (a marker every third depth)."""
    for label, widths, connection, color, ls, marker in shapes:
        counts = [MLP(4, widths(d), 3, connection=connection).n_params for d in depths]
        ax.plot(depths, counts, ls=ls, marker=marker, markevery=(1, 3), color=color, lw=1.6,
                ms=5, label=label)
    ax.set_yscale("log")
    ax.set_xlabel("hidden layers")
    ax.set_ylabel("parameters")
