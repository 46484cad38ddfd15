"""Lesson 09: the static figures of residual connections. ``CONNECTION_COLORS`` (plain,
residual, dense), ``draw_ln3`` (the loss of guessing, ``style.LN3``), ``gradient_figure`` with
``floor_note`` (per-layer gradient curves of a few runs, live or stored; lessons 10 and 11 draw
theirs with it too; ``move_to_clear_spot`` keeps each panel's note off the curves),
``draw_loss_runs`` (several seeds of several variants) and
``draw_layer_profile`` (a value per hidden layer, log-log), ``draw_block`` and ``block_figure``
(the residual block of the notes, beside a plain layer, with the gradients of the backward
pass), and ``draw_alpha_histogram`` (learned branch scalars). The lesson's stored runs drawn
whole: ``deep_loss_figure`` (100 and 1000 layers, three seeds per setting), ``profile_figure``
(|r_i| and |g_i| of fresh nets of several depths) and ``ten_seed_figure`` (the 1000-layer
ten-seed table and its learned scalars)."""
from types import SimpleNamespace

import numpy as np

from ..recipes.l09_residual import TEN_SEED_NAMES
from .style import (GRAD_FLOOR, LN3, LOSS_FLOOR, fit_log_axis, gradient_curves, layer_colorbar,
                    new_figure)

CONNECTION_COLORS = {"plain": "#7f7f7f", "residual": "#d62728", "dense": "#2ca02c",
                     "residual_alpha": "#0072B2"}   # the last: a learned scalar per branch
MAX_GRAD_LINES = 40             # gradient curves drawn per run (evenly spread over the layers)


def gradient_figure(runs, titles, suptitle=None, panel_width=4.4):
    """One panel per run: the mean |gradient| of every weight matrix per epoch
    (plots.gradient_curves), sharing one log scale. A panel says how many matrices had a
    gradient below GRAD_FLOOR (usually exactly 0: dead ReLUs) in every epoch. ``runs``: the
    (model, history) pairs of a trainer, or stored ``history.grad_mean_abs`` arrays (epochs,
    weight matrices). ``panel_width``: inches per panel (two panels of 4 stay within 820 px
    at plots.show's dpi, so their text is not shrunk)."""
    histories = [run[1] if isinstance(run, tuple) else _stored_history(run) for run in runs]
    fig, axes = new_figure(1, len(runs), figsize=(panel_width * len(runs), 3.6), sharey=True)
    axes = np.atleast_1d(axes)
    notes = []
    for ax, history, title in zip(axes, histories, titles):
        gradient_curves(ax, history)
        ax.set_title(title, fontsize=10)
        note = floor_note(history)
        if note:
            notes.append((ax, ax.text(0.5, 0.5, note, transform=ax.transAxes, fontsize=8,
                                      color="0.25", ha="center", va="center",
                                      bbox=dict(boxstyle="round", facecolor="white",
                                                edgecolor="0.7"))))
    for ax in axes[1:]:
        ax.set_ylabel("")
    grads = np.concatenate([np.ravel(h.grad_mean_abs) for h in histories])
    finite = grads[np.isfinite(grads)]
    above = finite[finite > GRAD_FLOOR]
    lo = GRAD_FLOOR / 3 if (finite <= GRAD_FLOOR).any() or not above.size else above.min() / 2
    hi = above.max() * 3 if above.size else GRAD_FLOOR * 10
    axes[0].set_ylim(lo, hi)
    layer_colorbar(fig, axes[-1], len(histories[-1].weight_names))
    if suptitle:
        fig.suptitle(suptitle, fontsize=11)
    fig.tight_layout()
    if notes:
        fig.draw_without_rendering()            # final positions and text sizes, in pixels
        for ax, note in notes:
            move_to_clear_spot(ax, note)
    return fig


# Where a note may sit on a panel (axes coordinates), in order of preference: the middle, then
# the lower and upper middles, then the four quarters.
NOTE_SPOTS = ((0.5, 0.5), (0.5, 0.25), (0.5, 0.75), (0.7, 0.3), (0.3, 0.3), (0.7, 0.7),
              (0.3, 0.7))


def move_to_clear_spot(ax, note, spots=NOTE_SPOTS, pad=6.0):
    """Centre ``note`` (a text with a box, in axes coordinates) on the spot of ``spots`` where its
    box, ``pad`` pixels larger, covers the fewest points along the panel's curves (sampled along
    every segment, in pixels); the first such spot on a tie. The figure must have been laid out
    (``draw_without_rendering``)."""
    points = [np.empty((0, 2))]
    for line in ax.get_lines():
        x, y = (np.asarray(v, dtype=float) for v in line.get_data())
        ok = np.isfinite(x) & np.isfinite(y) & (y > 0 if ax.get_yscale() == "log" else True)
        ends = ax.transData.transform(np.column_stack([x[ok], y[ok]]))
        if len(ends) > 1:
            t = np.linspace(0.0, 1.0, 20)[:, None, None]
            points.append((ends[:-1] + t * (ends[1:] - ends[:-1])).reshape(-1, 2))
        points.append(ends)
    points = np.concatenate(points)
    panel = ax.get_window_extent()
    best, fewest = spots[0], None
    for spot in spots:
        note.set_position(spot)
        box = note.get_window_extent().padded(pad)
        inside = (box.x0 >= panel.x0 and box.x1 <= panel.x1 and box.y0 >= panel.y0
                  and box.y1 <= panel.y1)
        covered = int(np.sum((points[:, 0] >= box.x0) & (points[:, 0] <= box.x1)
                             & (points[:, 1] >= box.y0) & (points[:, 1] <= box.y1)))
        if inside and (fewest is None or covered < fewest):
            best, fewest = spot, covered
    note.set_position(best)


def _stored_history(grad_mean_abs):
    """What gradient_figure reads of a History, from its stored grad_mean_abs array."""
    grads = np.asarray(grad_mean_abs, dtype=np.float64)
    return SimpleNamespace(grad_mean_abs=grads,
                           weight_names=[f"fc{i}_weight" for i in range(1, grads.shape[1] + 1)])


def floor_note(history):
    """'k of n weight matrices: gradient exactly 0 (or below 1e-12) in every epoch', or ''."""
    g = history.grad_mean_abs
    n = g.shape[1]
    low = np.all(g <= GRAD_FLOOR, axis=0)
    if not low.any():
        return ""
    zero = np.all(g[:, low] == 0)
    words = "exactly 0" if zero else f"below {GRAD_FLOOR:g}"
    who = f"all {n}" if low.all() else f"{int(low.sum())} of {n}"
    return f"{who} weight matrices: gradient {words}\nin every epoch (drawn at {GRAD_FLOOR:g})"


def draw_ln3(ax):
    """The dotted ln 3 line: the loss of a net that gives every species probability 1/3."""
    ax.axhline(LN3, color="0.55", lw=0.8, ls=":")
    ax.text(0.99, LN3, "ln 3: guessing ", fontsize=8, color="0.4", ha="right", va="bottom",
            transform=ax.get_yaxis_transform())


def draw_loss_runs(ax, loss, labels, colors, styles=None):
    """loss[v, s, e]: one colour (and line style, ``styles``, solid unless given) per variant v,
    one thin line per seed s (NaN after a divergence), on a log scale, with the ln 3 line. The
    first variant is drawn on top, so that its runs stay visible where later ones coincide."""
    epochs = np.arange(1, loss.shape[-1] + 1)
    styles = styles or ["-"] * len(labels)
    for v, (label, color, ls) in enumerate(zip(labels, colors, styles)):
        for s in range(loss.shape[1]):
            ax.plot(epochs, np.maximum(loss[v, s], LOSS_FLOOR), color=color, lw=1.2, alpha=0.85,
                    ls=ls, zorder=2 + 0.1 * (len(labels) - v), label=label if s == 0 else None)
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss")
    draw_ln3(ax)
    ax.set_xlim(0, epochs[-1] + 1)


def draw_layer_profile(ax, values, label, color, ls="-", lw=1.4, end_marker=None):
    """values[i - 1] for hidden layer i = 1..L on a log-log plot against i. ``end_marker``: a
    marker at layer L only, so that a short curve lying on a longer one shows where it ends."""
    layers = np.arange(1, len(values) + 1)
    marks = dict(marker=end_marker, markevery=[len(values) - 1], ms=7, mec="white", mew=0.8) \
        if end_marker else {}
    # the shorter curve on top, where several lie on each other
    (line,) = ax.plot(layers, values, color=color, ls=ls, lw=lw, label=label,
                      zorder=2 + 1 / len(values), **marks)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("hidden layer i")
    return line


# The block diagrams: forward in black, the backward pass's gradients in Okabe-Ito vermillion.
BACKWARD_COLOR = "#D55E00"


def _box(ax, y, text, x=0.0, width=2.6):
    ax.text(x, y, text, ha="center", va="center", fontsize=9,
            bbox=dict(boxstyle="round,pad=0.4", facecolor="#e8eef7", edgecolor="0.3",
                      lw=1.0), zorder=3)


def _arrow(ax, start, end, color="0.15", style="-|>", lw=1.2, connection="arc3"):
    ax.annotate("", xy=end, xytext=start, zorder=2,
                arrowprops=dict(arrowstyle=style, color=color, lw=lw, shrinkA=0, shrinkB=0,
                                connectionstyle=connection))


def draw_block(ax, residual=True, backward=True):
    """Hidden layer i drawn from bottom (its input) to top (its output): Linear, then ReLU,
    then (residual) the sum with the skip that carries r_{i-1} around them. ``backward``
    writes the gradient each arrow carries back, in BACKWARD_COLOR."""
    name = "r" if residual else "h"
    ax.set_xlim(-3.4, 4.0)
    ax.set_ylim(-1.0, 10.4)
    ax.axis("off")
    top = 9.9
    ax.text(0, 0, f"${name}_{{i-1}}$", ha="center", va="center", fontsize=11)
    _arrow(ax, (0, 0.45), (0, 2.3))
    _box(ax, 2.8, f"Linear: $l_i = {name}_{{i-1}} W_i + b_i$")
    _arrow(ax, (0, 3.3), (0, 4.7))
    _box(ax, 5.2, r"ReLU: $h_i = \max(0,\, l_i)$")
    if residual:
        _arrow(ax, (0, 5.7), (0, 7.6))
        ax.text(0, 8.0, "+", ha="center", va="center", fontsize=12, zorder=4,
                bbox=dict(boxstyle="circle,pad=0.15", facecolor="white", edgecolor="0.15"))
        _arrow(ax, (0, 8.4), (0, top - 0.45))
        # the skip: out of r_{i-1} to the right, up past both layers, into the sum
        ax.plot([0, 2.5, 2.5], [1.0, 1.0, 8.0], color="0.15", lw=1.2, zorder=2)
        _arrow(ax, (2.5, 8.0), (0.35, 8.0))
        ax.text(2.65, 3.6, "skip:\n$r_{i-1}$\nunchanged", ha="left", va="center",
                fontsize=8.5)
        ax.text(-0.2, 6.7, "$h_i$", ha="right", va="center", fontsize=9)
        ax.set_title("residual layer: $r_i = h_i + r_{i-1}$", fontsize=10)
    else:
        _arrow(ax, (0, 5.7), (0, top - 0.45))
        ax.set_title("plain layer: $h_i$ replaces $h_{i-1}$", fontsize=10)
    ax.text(0, top, f"${name}_i$", ha="center", va="center", fontsize=11)
    if not backward:
        return
    b = dict(color=BACKWARD_COLOR, fontsize=8.5)
    arriving = "$g_i$" if residual else r"$\partial\,\mathrm{loss}/\partial h_i$"
    ax.text(0.2, top - 1.0, f"{arriving} arrives", ha="left", va="center", **b)
    ax.text(-0.2, 1.4, r"$\delta_i W_i^\top$", ha="right", va="center", **b)
    if residual:
        ax.text(2.65, 6.4, "$g_i$, whole", ha="left", va="center", **b)
        ax.text(0, -0.75, r"$g_{i-1} = g_i + \delta_i W_i^\top$", ha="center", va="center",
                **b)
    else:
        ax.text(0, -0.75, r"gradient to $h_{i-1}$: $\delta_i W_i^\top$ alone", ha="center",
                va="center", **b)


def block_figure():
    """A plain layer beside the residual layer (the notes' residual block), with the backward
    pass's gradients in colour."""
    fig, axes = new_figure(1, 2, figsize=(8.0, 4.4))
    draw_block(axes[0], residual=False)
    draw_block(axes[1], residual=True)
    fig.text(0.5, 0.005, "black: the forward pass, bottom to top;   "
             "vermillion: the gradient the backward pass sends along, top to bottom",
             ha="center", va="bottom", fontsize=8.5, color="0.25")
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig


def draw_alpha_histogram(ax, alpha, color, step=0.01):
    """A histogram of the learned branch scalars alpha[s, i] of several runs (all pooled), with
    the 0 every one of them started from. Bins of width ``step``, symmetric about 0 and wide
    enough for every value; a log count axis, so that a single far value shows."""
    values = np.ravel(alpha)
    reach = step * (np.ceil(np.abs(values).max() / step) + 1)
    counts, _, _ = ax.hist(values, bins=np.linspace(-reach, reach,
                                                    int(round(2 * reach / step)) + 1),
                           color=color, alpha=0.8, label=f"alpha_2 ... alpha_{alpha.shape[1] + 1},"
                                                         f"\n{alpha.shape[0]} seeds pooled")
    ax.set_yscale("log")
    ax.set_ylim(0.5, 30 * counts.max())        # headroom for the legend above the bars
    ax.axvline(0.0, color="0.2", lw=1.0, ls=":", label="where all started: 0")
    ax.set_xlabel(r"learned $\alpha_i$")
    ax.set_ylabel("number of branches")
    ax.set_title(r"the branch scalars $\alpha_i$ after 100 epochs", fontsize=10)
    ax.legend(fontsize=8, loc="upper left")


# ---------------------------------------------------------------- the lesson's stored runs
SETTING_COLORS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7"]   # Okabe-Ito, each with its dashes
SETTING_STYLES = ["-", "--", "-.", ":"]


def deep_loss_figure(deep, depth, title, notes=None):
    """The loss per epoch of the stored runs of ``data/l09_deep.npz`` (``deep``, loaded) at
    ``depth`` hidden layers: one colour and dash per setting, one line per seed; with ``notes``
    (the loaded l09_notes_step.npz), the runs at the notes' SGD step as one more setting."""
    loss = deep[f"d{depth}_loss"]
    labels = [str(label) for label in deep[f"d{depth}_labels"]]
    if notes is not None:
        loss = np.concatenate([loss, notes[f"d{depth}_loss"]])
        labels.append("SGD lr 0.05/3 (the notes' step), momentum 0.9")
    fig, ax = new_figure(figsize=(8, 3.6))
    draw_loss_runs(ax, loss, labels, SETTING_COLORS[:len(labels)], SETTING_STYLES[:len(labels)])
    fit_log_axis(ax, [loss])
    ax.legend(fontsize=8, loc="lower left")
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig


def profile_figure(profiles, seed):
    """``profiles``: {depth: (mean |r_i|, mean |g_i|) for i = 1..depth} of fresh residual nets
    of width 10: forward on the left, backward on the right, one colour, dash and end marker
    per depth (the deepest without a marker)."""
    fig, (ax_f, ax_b) = new_figure(1, 2, figsize=(9, 3.6))
    styles = zip(["#CC79A7", "#E69F00", "#56B4E9", "#0072B2"], [":", "-.", "--", "-"],
                 ["o", "s", "^", None])                 # a marker where each shorter net ends
    for depth, (color, ls, marker) in zip(profiles, styles):
        for ax, values in zip((ax_f, ax_b), profiles[depth]):
            draw_layer_profile(ax, values, f"{depth} layers", color, ls=ls, lw=1.8,
                               end_marker=marker)
    fit_log_axis(ax_f, [p[0] for p in profiles.values()])
    # room below the short nets' gradient curves, which lie near 4e-5
    fit_log_axis(ax_b, [p[1] for p in profiles.values()], margin=2)
    ax_f.set_ylabel("mean |r_i|")
    ax_f.set_title("forward: the signal r_i", fontsize=10)
    ax_b.set_ylabel("mean |d loss / d r_i|")
    ax_b.set_title("backward: the gradient g_i", fontsize=10)
    ax_f.legend(fontsize=8, loc="upper left")
    ax_b.legend(fontsize=8, loc="center left")
    fig.suptitle(f"Fresh residual nets of width 10 (seed {seed}), before any training",
                 fontsize=11)
    fig.tight_layout()
    return fig


def ten_seed_figure(thousand):
    """``data/l09_thousand.npz`` (``thousand``, loaded): the loss per epoch of the plain
    residual net and of the learned-alpha recipe, ten seeds each (left), and a histogram of
    the recipe's learned alpha_i (right)."""
    fig, (ax_loss, ax_alpha) = new_figure(1, 2, figsize=(9, 3.6))
    colors = [SETTING_COLORS[0], "#D55E00"]
    draw_loss_runs(ax_loss, thousand["loss"], [f"{n}, Adam lr 1e-3" for n in TEN_SEED_NAMES],
                   colors)
    fit_log_axis(ax_loss, [thousand["loss"]])
    ax_loss.legend(fontsize=8, loc="lower left")
    ax_loss.set_title("1000 hidden layers of 10: ten seeds each", fontsize=10)
    draw_alpha_histogram(ax_alpha, thousand["alpha_final"], colors[1])
    fig.tight_layout()
    return fig
