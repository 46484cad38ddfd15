"""Lesson 09: the static figures of residual connections. ``CONNECTION_COLORS`` (plain,
residual, dense), ``draw_ln3`` (the loss of guessing, ``style.LN3``), ``gradient_figure`` with
``floor_note`` (per-layer gradient curves of a few runs, live or stored; lessons 10 and 11 draw
theirs with it too), ``draw_loss_runs`` (several seeds of several variants) and
``draw_layer_profile`` (a value per hidden layer, log-log)."""
from types import SimpleNamespace

import numpy as np

from .style import GRAD_FLOOR, LN3, LOSS_FLOOR, gradient_curves, layer_colorbar, new_figure

CONNECTION_COLORS = {"plain": "#7f7f7f", "residual": "#d62728", "dense": "#2ca02c"}
MAX_GRAD_LINES = 40             # gradient curves drawn per run (evenly spread over the layers)


def gradient_figure(runs, titles, suptitle=None):
    """One panel per run: the mean |gradient| of every weight matrix per epoch
    (plots.gradient_curves), sharing one log scale. A panel says how many matrices had a
    gradient below GRAD_FLOOR (usually exactly 0: dead ReLUs) in every epoch. ``runs``: the
    (model, history) pairs of a trainer, or stored ``history.grad_mean_abs`` arrays (epochs,
    weight matrices)."""
    histories = [run[1] if isinstance(run, tuple) else _stored_history(run) for run in runs]
    fig, axes = new_figure(1, len(runs), figsize=(5.2 * len(runs), 3.6), sharey=True)
    axes = np.atleast_1d(axes)
    for ax, history, title in zip(axes, histories, titles):
        gradient_curves(ax, history)
        ax.set_title(title, fontsize=10)
        note = floor_note(history)
        if note:
            ax.text(0.5, 0.5, note, transform=ax.transAxes, fontsize=8, color="0.25",
                    ha="center", va="center",
                    bbox=dict(boxstyle="round", facecolor="white", edgecolor="0.7"))
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
    return fig


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


def draw_loss_runs(ax, loss, labels, colors):
    """loss[v, s, e]: one colour per variant v, one thin line per seed s (NaN after a
    divergence), on a log scale, with the ln 3 line."""
    epochs = np.arange(1, loss.shape[-1] + 1)
    for v, (label, color) in enumerate(zip(labels, colors)):
        for s in range(loss.shape[1]):
            ax.plot(epochs, np.maximum(loss[v, s], LOSS_FLOOR), color=color, lw=1.2, alpha=0.85,
                    label=label if s == 0 else None)
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss")
    draw_ln3(ax)
    ax.set_xlim(0, epochs[-1] + 1)


def draw_layer_profile(ax, values, label, color, ls="-", lw=1.4):
    """values[i - 1] for hidden layer i = 1..L on a log-log plot against i."""
    layers = np.arange(1, len(values) + 1)
    (line,) = ax.plot(layers, values, color=color, ls=ls, lw=lw, label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("hidden layer i")
    return line
