"""Lesson 11: the static figures of LeakyReLU. The colours (``RELU_COLOR``, ``LEAKY_COLOR``,
``FAMILY_COLORS``), ``activation_figure`` (ReLU and LeakyReLU with their derivatives),
``unit_map_figure`` (which units fire for which flower), ``seed_curves_figure`` and ``fixes_figure`` (the precomputed runs of ``data/make_l11_runs.py``).
The per-layer gradient curves of its runs are lesson 09's ``gradient_figure``."""
import numpy as np

from ..recipes.l11_leaky import leaky_relu, leaky_relu_grad
from .style import LN3, LOSS_FLOOR, new_figure

RELU_COLOR = "#d62728"
LEAKY_COLOR = "#9467bd"


# ---------------------------------------------------------------- the activation

def _draw_activation(ax_f, ax_d, z, slope):
    """ReLU in grey behind LeakyReLU(slope) on ax_f, their derivatives on ax_d.
    Returns the two LeakyReLU lines (function, derivative) to update."""
    ax_f.plot(z, np.maximum(z, 0.0), color="0.55", lw=4, alpha=0.5, label="ReLU")
    (f_line,) = ax_f.plot(z, leaky_relu(z, slope), color=LEAKY_COLOR, lw=2,
                          label=f"LeakyReLU, slope {slope:g}")
    ax_d.plot(z, (z > 0).astype(float), color="0.55", lw=4, alpha=0.5, label="ReLU′")
    (d_line,) = ax_d.plot(z, leaky_relu_grad(z, slope), color=LEAKY_COLOR, lw=2,
                          label=f"LeakyReLU′, slope {slope:g}")
    ax_f.set_ylim(-1.6, 3.2)
    ax_d.set_ylim(-0.1, 1.15)
    for ax in (ax_f, ax_d):
        ax.axhline(0, color="0.75", lw=0.8, zorder=0)
        ax.axvline(0, color="0.75", lw=0.8, zorder=0)
        ax.set_xlabel("z")
        ax.legend(loc="upper left", fontsize=8)
    ax_f.set_title("the activation", fontsize=10)
    ax_d.set_title("its derivative", fontsize=10)
    return f_line, d_line


def activation_figure(slope=0.25, z=np.linspace(-4, 3, 351)):
    """Left: ReLU and LeakyReLU(slope); right: their derivatives."""
    fig, (ax_f, ax_d) = new_figure(1, 2, figsize=(9.5, 3.2))
    _draw_activation(ax_f, ax_d, z, slope)
    ax_d.annotate(f"slope {slope:g}: the gradient that still\ngets through where z < 0",
                  (-2.5, slope), xytext=(-3.9, slope + 0.28), fontsize=8, color="0.3",
                  arrowprops=dict(arrowstyle="->", color="0.5", lw=0.8))
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------- figures of the iris runs

OFF_COLOR, ON_COLOR = "#2c3e66", "#f3d96b"     # dark and light: apart in lightness, not hue


def unit_map_figure(maps, titles, species, layer_width=10):
    """One panel per map, a (flowers, units) array of booleans: is the unit's input z > 0 for
    that flower (light) or not (dark)? A column dark from top to bottom is a unit that never
    fires. ``species``: the flowers' labels (the rows sorted by them), marked on the left."""
    from matplotlib.patches import Patch
    from matplotlib.colors import ListedColormap
    fig, axes = new_figure(1, len(maps), figsize=(2.75 * len(maps) + 1.0, 3.7), sharey=True)
    axes = np.atleast_1d(axes)
    cmap = ListedColormap([OFF_COLOR, ON_COLOR])
    names = ("setosa", "versicolor", "virginica")
    bounds = np.concatenate([[0], np.cumsum(np.bincount(species, minlength=3))])
    for ax, m, title in zip(axes, maps, titles):
        ax.imshow(m, cmap=cmap, vmin=0, vmax=1, aspect="auto", interpolation="nearest")
        for x in np.arange(layer_width, m.shape[1], layer_width):
            ax.axvline(x - 0.5, color="white", lw=2.5)
        for y in bounds[1:-1]:
            ax.axhline(y - 0.5, color="white", lw=0.8, ls=":")
        never = ~m.any(axis=0)
        counts = " + ".join(str(int(never[i:i + layer_width].sum()))
                            for i in range(0, m.shape[1], layer_width))
        ax.set_title(f"{title}\n{counts} units never > 0", fontsize=9)
        ax.set_xticks([(i + (layer_width - 1) / 2) for i in range(0, m.shape[1], layer_width)])
        ax.set_xticklabels([f"layer {i // layer_width + 1}" for i in range(0, m.shape[1],
                                                                          layer_width)], fontsize=8)
        ax.set_xlabel("hidden unit", fontsize=8)
    axes[0].set_yticks((bounds[:-1] + bounds[1:] - 1) / 2)
    axes[0].set_yticklabels(names, fontsize=8)
    axes[0].set_ylabel("training flower", fontsize=8)
    fig.legend(handles=[Patch(color=ON_COLOR, label="z > 0: the unit fires"),
                        Patch(color=OFF_COLOR, label="z ≤ 0: ReLU outputs 0, LeakyReLU 0.25 z")],
               loc="lower center", ncol=2, fontsize=8, frameon=False)
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    return fig


def _loss_axis(ax, epochs):
    ax.set_yscale("log")
    ax.set_ylim(0.02, 3)
    ax.set_xlim(0, epochs)
    ax.axhline(LN3, color="0.6", lw=0.8, ls=":")
    ax.text(0.99, LN3, "ln 3: guessing", fontsize=7, color="0.4", ha="right", va="bottom",
            transform=ax.get_yaxis_transform())
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss")


def seed_curves_figure(curves, labels, colors, epochs):
    """One panel per group: the loss curve of every seed. curves: list of (seeds, epochs)."""
    fig, axes = new_figure(1, len(curves), figsize=(4.6 * len(curves), 3.4), sharey=True)
    for ax, c, label, color in zip(np.atleast_1d(axes), curves, labels, colors):
        for row in c:
            ax.plot(np.arange(1, len(row) + 1), np.maximum(row, LOSS_FLOOR), color=color,
                    lw=1.2, alpha=0.8)
        _loss_axis(ax, epochs)
        ax.set_title(label, fontsize=10)
    for ax in np.atleast_1d(axes)[1:]:
        ax.set_ylabel("")
    fig.tight_layout()
    return fig


FAMILY_COLORS = {"baseline": "0.35", "loss": "#8c564b", "optimiser": "#ff7f0e",
                 "activation": LEAKY_COLOR, "normalisation": "#2ca02c",
                 "architecture": "#1f77b4"}


def fixes_figure(names, final_loss, test_accuracy, families):
    """Final training loss (log) of every seed, one row per variant, coloured by family;
    beside each row, how many seeds reach 90% test accuracy."""
    from matplotlib.lines import Line2D
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter
    n = len(names)
    fig, ax = new_figure(figsize=(8.6, 0.42 * n + 1.1))
    rng = np.random.default_rng(0)                      # vertical jitter, fixed
    for i in range(n):
        y = n - 1 - i
        losses = np.maximum(final_loss[i], LOSS_FLOOR)
        ax.scatter(losses, y + rng.uniform(-0.12, 0.12, len(losses)),
                   color=FAMILY_COLORS[families[i]], s=28, zorder=3, alpha=0.85, lw=0)
        acc = test_accuracy[i]
        ax.text(1.02, y, f"{np.sum(acc >= 0.9)}/{len(acc)} seeds ≥ 90% test", fontsize=8,
                va="center", transform=ax.get_yaxis_transform())
    ax.set_yticks(np.arange(n)[::-1])
    ax.set_yticklabels(names, fontsize=9)
    ax.set_xscale("log")
    ax.set_xlim(0.02, 2)
    ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.axvline(LN3, color="0.6", lw=0.8, ls=":")
    ax.text(LN3 * 0.97, -0.55, "ln 3 (guessing)", fontsize=8.5, color="0.3", ha="right",
            va="bottom")
    ax.set_ylim(-0.6, n - 0.4)
    ax.set_xlabel("training cross-entropy after the last epoch, every row (one dot per seed)")
    ax.grid(axis="x", which="major", color="0.92", lw=0.8)
    seen = list(dict.fromkeys(families))
    handles = [Line2D([], [], marker="o", ls="", color=FAMILY_COLORS[f], label=f)
               for f in seen]
    # two columns, low on the right: the rows at the bottom (batch norm, residual, dense) end
    # below a loss of 0.3, so the box covers no dot
    ax.legend(handles=handles, fontsize=8, loc="lower right", bbox_to_anchor=(0.995, 0.05), ncol=2,
              title="family", title_fontsize=8, framealpha=0.9)
    fig.tight_layout()
    return fig
