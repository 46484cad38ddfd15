"""Lesson 06: vanishing gradients. The labels of the initialisations (``INITS``),
``draw_weight_changes`` (the seed-002 figure: mean |weight change| of every layer per batch)
and ``_loss_limits`` (the y range of a loss panel)."""
import numpy as np

from .style import GRAD_FLOOR, layer_colors

INITS = {"uniform": "uniform ±0.01", "normal": "normal, std 1", "xavier": "Xavier",
         "he": "He"}


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
