"""Lesson 08: the static figures of batch normalisation. ``BN_COLOR`` and ``PLAIN_COLOR`` (with
and without batch norm), ``draw_feature_scales``, ``draw_layer_scales``, ``draw_graph`` (the
computational graph of batch norm), ``draw_moving_average`` and ``draw_scale_sweep``."""
import numpy as np

from .style import LN3

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
    "mu": (1.2, -1.0, "(1) μ = mean(x)"),
    "xc": (2.6, 0.0, "(2) xc = x − μ"),
    "sq": (3.9, 1.0, "(3) sq = xc²"),
    "var": (6.1, 1.0, "(4) var = mean(sq)"),
    "std": (8.6, 1.0, "(5) std = √(var + ε)"),
    "inv": (11.0, 1.0, "(6) inv = 1 / std"),
    "xhat": (11.6, 0.0, "(7) x̂ = xc · inv"),
    "gamma": (12.6, -1.0, "γ"),
    "scaled": (13.8, 0.0, "(8) s = γ · x̂"),
    "beta": (14.9, -1.0, "β"),
    "y": (15.9, 0.0, "(9) y = s + β"),
}
_GRAPH_EDGES = [("x", "mu"), ("x", "xc"), ("mu", "xc"), ("xc", "sq"), ("sq", "var"),
                ("var", "std"), ("std", "inv"), ("xc", "xhat"), ("inv", "xhat"),
                ("xhat", "scaled"), ("gamma", "scaled"), ("scaled", "y"), ("beta", "y")]


def draw_graph(ax):
    """The staged computational graph of batch norm (forward left to right, steps numbered).
    x and xc feed two nodes each (orange): their gradients are sums of two contributions."""
    fan_out = {"x", "xc"}
    params = {"gamma", "beta"}
    boxes = {}
    for name, (x, y, text) in _GRAPH_NODES.items():
        color = "#ffd9a6" if name in fan_out else "#e8e8e8" if name in params else "#d6e6f5"
        boxes[name] = ax.text(x, y, text, ha="center", va="center", fontsize=9, zorder=3,
                              bbox=dict(boxstyle="round,pad=0.35", fc=color, ec="0.4"))
    for a, b in _GRAPH_EDGES:
        # patchA/patchB clip the arrow at the two boxes' edges, whatever their sizes
        ax.annotate("", xy=_GRAPH_NODES[b][:2], xytext=_GRAPH_NODES[a][:2],
                    arrowprops=dict(arrowstyle="-|>", color="0.35", lw=1.0, shrinkA=1,
                                    shrinkB=1, patchA=boxes[a].get_bbox_patch(),
                                    patchB=boxes[b].get_bbox_patch()), zorder=4)
    ax.set_xlim(-0.6, 16.9)
    ax.set_ylim(-1.5, 1.5)
    ax.axis("off")
    ax.text(-0.5, 1.3, "forward: steps (1) to (9) →", fontsize=9, color="0.3", va="center")
    ax.text(16.8, -1.35, "← backward: steps (9) to (1), one local derivative each", fontsize=9,
            color="#b00020", ha="right", va="center")
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


def draw_scale_sweep(axes, stds, loss, labels=("without batch norm", "with batch norm")):
    """One panel per weight std: the loss per epoch of every seed, dashed without batch norm,
    solid with it (loss[std, bn, seed, epoch], NaN after a divergence). Each panel has its own
    log scale: the losses of large weights span ten orders of magnitude."""
    epochs = np.arange(1, loss.shape[-1] + 1)
    for i, (ax, std) in enumerate(zip(axes, stds)):
        for j, (color, ls) in enumerate(((PLAIN_COLOR, "--"), (BN_COLOR, "-"))):
            for k in range(loss.shape[2]):
                ax.plot(epochs, loss[i, j, k], ls=ls, color=color, lw=1.1, alpha=0.8,
                        label=labels[j] if k == 0 else None)
        ax.set_yscale("log")
        ax.set_title(f"weights ~ N(0, {std:g}²)", fontsize=10)
        ax.set_xlabel("epoch")
        ax.axhline(LN3, color="0.5", lw=0.8, ls=":")
    axes[0].set_ylabel("training loss")
    axes[min(2, len(axes) - 1)].legend(fontsize=8, loc="upper right")
