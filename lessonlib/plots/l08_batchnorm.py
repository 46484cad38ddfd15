"""Lesson 08: the static figures of batch normalisation. ``BN_COLOR`` and ``PLAIN_COLOR`` (with
and without batch norm), ``draw_feature_scales``, ``draw_layer_scales``, ``draw_graph`` (the
computational graph of batch norm, with the local derivative on every edge),
``draw_moving_average``, ``draw_scale_sweep``, ``draw_epoch_loss`` (a loss per epoch, the
first epoch at 1 as in the gradient panels and the printed epochs), ``draw_guess_line`` (ln 3)
and ``note_floor`` (where a log axis draws the values below its floor)."""
import numpy as np
from matplotlib.ticker import LogLocator

from .style import GRAD_FLOOR, LN3, fit_log_axis

BN_COLOR = "#1f77b4"
PLAIN_COLOR = "#ff7f0e"


def draw_feature_scales(ax, X, X_bn, names):
    """Each feature's values as a strip of points, raw (left half) and batch-normalised."""
    rng = np.random.default_rng(0)
    d = X.shape[1]
    for j in range(d):
        jitter = rng.uniform(-0.15, 0.15, len(X))
        ax.plot(j + jitter, X[:, j], ".", ms=3, color=PLAIN_COLOR, alpha=0.6,
                label="raw (cm)" if j == 0 else None)
        ax.plot(d + 1 + j + jitter, X_bn[:, j], ".", ms=3, color=BN_COLOR, alpha=0.6,
                label="batch-normalised" if j == 0 else None)
    ax.axvline(d, color="0.7", lw=0.8)
    ax.axhline(0, color="0.85", lw=0.8, zorder=0)
    ax.set_xticks(list(range(d)) + [d + 1 + j for j in range(d)])
    ax.set_xticklabels(list(names) * 2, rotation=30, ha="right", fontsize=8)
    ax.set_ylabel("value")
    ax.legend(loc="upper right", fontsize=8, markerscale=3)


def draw_epoch_loss(ax, losses, label=None, **style):
    """The training loss of every epoch, epochs counted from 1; returns the line."""
    (line,) = ax.plot(np.arange(1, len(losses) + 1), losses, label=label, **style)
    ax.set_xlabel("epoch")
    ax.set_ylabel("cross-entropy loss")
    return line


def draw_guess_line(ax, label="ln 3: a uniform guess"):
    """The loss of guessing 1/3 for each species, ln 3, as a dotted grey line under the curves;
    it goes into the legend under ``label``."""
    return ax.axhline(LN3, color="0.3", lw=1.0, ls=":", zorder=1, label=label)


def note_floor(ax, floor=GRAD_FLOOR):
    """Say in the lower right corner of a log axis that values below ``floor`` (a dead
    layer's exact 0 among them) are drawn at the floor."""
    return ax.text(0.97, 0.03, f"below {floor:.0e}:\ndrawn at {floor:.0e}", transform=ax.transAxes,
                   ha="right", va="bottom", fontsize=7.5, color="0.35")


def draw_layer_scales(ax, curves):
    """curves: [(label, per-layer std, style dict)]: one line each, log y."""
    for label, values, style in curves:
        ax.plot(np.arange(1, len(values) + 1), values, label=label, **{"marker": "o", "ms": 4,
                                                                       **style})
    ax.set_yscale("log")
    ax.set_xlabel("hidden layer")
    ax.set_ylabel("std of the ReLU outputs")
    ax.legend(fontsize=8)


_GRAPH_NODES = {   # name: (x, y, forward step); the numbers match the lesson's code comments
    "x": (0.0, 0.0, "x"),
    "mu": (1.6, -1.7, "(1) μ\nmean(x)"),
    "xc": (3.2, 0.0, "(2) xc\nx − μ"),
    "sq": (5.0, 1.7, "(3) sq\nxc²"),
    "var": (8.0, 1.7, "(4) var\nmean(sq)"),
    "std": (11.3, 1.7, "(5) std\n√(var + ε)"),
    "inv": (14.6, 1.7, "(6) inv\n1 / std"),
    "xhat": (14.6, 0.0, "(7) x̂\nxc · inv"),
    "gamma": (16.9, -1.7, "γ"),
    "scaled": (16.9, 0.0, "(8) s\nγ · x̂"),
    "beta": (19.2, -1.7, "β"),
    "y": (19.2, 0.0, "(9) y\ns + β"),
}
# (tail, head, local derivative d head / d tail, where its label goes: offset from the edge's
# middle). A per-unit quantity (shape (D,): mu, inv, gamma, beta) used by every row gets the
# sum of its rows' contributions: those edges are dashed.
_GRAPH_EDGES = [("x", "mu", "1/N", (-0.45, 0.0)), ("x", "xc", "1", (0.0, 0.3)),
                ("mu", "xc", "−1", (0.4, 0.0)), ("xc", "sq", "2·xc", (-0.6, 0.15)),
                ("sq", "var", "1/N", (0.0, 0.5)), ("var", "std", "1 / (2·std)", (0.0, 0.5)),
                ("std", "inv", "−1 / std²", (0.0, 0.5)), ("xc", "xhat", "inv", (0.0, 0.3)),
                ("inv", "xhat", "xc", (0.35, 0.0)), ("xhat", "scaled", "γ", (0.0, 0.3)),
                ("gamma", "scaled", "x̂", (0.3, 0.0)), ("scaled", "y", "1", (0.0, 0.3)),
                ("beta", "y", "1", (0.3, 0.0))]
_SUMMED = {("mu", "xc"), ("inv", "xhat"), ("gamma", "scaled"), ("beta", "y")}
EDGE_LABEL_COLOR = "#0b4f8a"


def draw_graph(ax):
    """The staged computational graph of batch norm: forward left to right, steps numbered as
    in the lesson's code, and on every edge (in blue) its local derivative d(head)/d(tail), the
    factor the backward pass multiplies by. x and xc feed two nodes each (orange): their
    gradients are sums of two contributions. Dashed edges start at a per-unit quantity (one
    value per column) used by every row: its gradient sums over the batch."""
    fan_out = {"x", "xc"}
    params = {"gamma", "beta"}
    boxes = {}
    for name, (x, y, text) in _GRAPH_NODES.items():
        color = "#ffd9a6" if name in fan_out else "#e8e8e8" if name in params else "#d6e6f5"
        boxes[name] = ax.text(x, y, text, ha="center", va="center", fontsize=9, zorder=3,
                              linespacing=1.3,
                              bbox=dict(boxstyle="round,pad=0.35", fc=color, ec="0.4"))
    for a, b, derivative, (dx, dy) in _GRAPH_EDGES:
        (xa, ya), (xb, yb) = _GRAPH_NODES[a][:2], _GRAPH_NODES[b][:2]
        # patchA/patchB clip the arrow at the two boxes' edges, whatever their sizes
        ax.annotate("", xy=(xb, yb), xytext=(xa, ya),
                    arrowprops=dict(arrowstyle="-|>", color="0.35", lw=1.0, shrinkA=1,
                                    shrinkB=1, ls="--" if (a, b) in _SUMMED else "-",
                                    patchA=boxes[a].get_bbox_patch(),
                                    patchB=boxes[b].get_bbox_patch()), zorder=2)
        ax.text((xa + xb) / 2 + dx, (ya + yb) / 2 + dy, derivative, ha="center", va="center",
                fontsize=9.5, color=EDGE_LABEL_COLOR, zorder=5)
    ax.set_xlim(-0.5, 19.9)
    ax.set_ylim(-3.3, 2.6)
    ax.axis("off")
    ax.text(-0.6, 2.45, "forward: steps (1) to (9), left to right", fontsize=9, color="0.3",
            va="center")
    ax.text(-0.6, -2.85, "Blue, on each edge: its local derivative ∂(head)/∂(tail). Backward, "
            "steps (9) to (1): a node's gradient is the gradient\nof each node it feeds times "
            "that edge's derivative, summed over its outgoing edges (orange nodes have two) "
            "and,\non a dashed edge, over the rows of the batch (μ, inv, γ and β hold one value "
            "per unit, used by every row).", fontsize=8.5, color="0.2", va="center", ha="left",
            linespacing=1.35)
    return boxes


def draw_moving_average(ax, batch_means, moving_means, full_mean, feature="petal length"):
    """The batch means of one feature, the moving mean that follows them, the data's mean."""
    steps = np.arange(1, len(batch_means) + 1)
    ax.plot(steps, batch_means, "o", ms=3, color="0.6", label="mean of each batch of 20")
    ax.plot(np.concatenate([[0], steps]), moving_means, "-", color=BN_COLOR, lw=1.8,
            label="moving mean (0.9 old + 0.1 batch)")
    ax.axhline(full_mean, color="k", ls="--", lw=1, label="mean of all 100 training flowers")
    ax.set_xlabel("batches seen (5 per epoch)")
    ax.set_ylabel(f"{feature} (cm)")
    ax.legend(fontsize=8, loc="lower right")


def draw_scale_sweep(axes, stds, loss, labels=("without batch norm", "with batch norm"),
                     legend_ax=None):
    """One panel per weight std: the loss per epoch of every seed, dashed without batch norm,
    solid with it (loss[std, bn, seed, epoch], NaN after a divergence). Each panel has its own
    log scale: the losses of large weights span ten orders of magnitude. The legend goes on
    ``legend_ax`` (a spare panel, whose axes are hidden) or else on the third panel. The dashed
    runs are drawn over the solid ones and the ln 3 line under both: plain runs stuck at ln 3
    (std 0.001) would otherwise hide under a stuck batch-norm run."""
    epochs = np.arange(1, loss.shape[-1] + 1)
    for i, (ax, std) in enumerate(zip(axes, stds)):
        for j, (color, ls, z) in enumerate(((PLAIN_COLOR, "--", 3), (BN_COLOR, "-", 2))):
            for k in range(loss.shape[2]):
                ax.plot(epochs, loss[i, j, k], ls=ls, color=color, lw=1.1, alpha=0.8, zorder=z,
                        label=labels[j] if k == 0 else None)
        ax.set_yscale("log")
        fit_log_axis(ax, [loss[i]], margin=1.3)
        low, high = ax.get_ylim()
        if high / low > 1e6:        # a label every few decades, not at each of eleven
            ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0,), numticks=6))
        ax.set_title(f"weights ~ N(0, {std:g}²)", fontsize=10)
        ax.set_xlabel("epoch")
        ax.axhline(LN3, color="0.5", lw=0.8, ls=":", zorder=1.5,
                   label="ln 3: a uniform guess" if i == 0 else None)
    axes[0].set_ylabel("training loss")
    if legend_ax is None:
        axes[min(2, len(axes) - 1)].legend(fontsize=8, loc="upper right")
    else:
        legend_ax.axis("off")
        legend_ax.legend(*axes[0].get_legend_handles_labels(), loc="center", fontsize=9,
                         title="5 seeds each", title_fontsize=9)
