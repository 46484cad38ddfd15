"""Lesson 03: ReLU against sigmoid. The activations' colours (``ACTIVATION_COLORS``), the loss
axis range (``LOSS_FLOOR``, ``LOSS_CEILING``), a line style per activation (``ACTIVATION_LINES``:
red against green is never the only difference) and the static figures: ``activation_figure``
(ReLU, sigmoid and tanh and their derivatives), ``draw_layer_gradients`` (mean |dL/dW| per layer),
``class_map`` (a decision map with a marker per class), ``map_colorbar`` and ``class_legend``,
``draw_rings_run`` (a run's decision map and loss curve), ``rings_comparison_figure``,
``stalled_figure`` (where a stalled ReLU run's last hidden layer is off),
``depth_figure`` (the loss after 1,000 iterations against the number of hidden layers),
``spike_figure`` (the deep ReLU net's loss spikes, with and without momentum) and
``trainer_figure`` (the learner's own training loop beside lessonlib's, lessons 03-05)."""
import numpy as np

from ..recipes.l03_relu import last_layer_off, sigmoid
from .style import (CLASS_COLORS, class1_proba, decision_map, fit_log_axis, loss_curve,
                    new_figure)

ACTIVATION_COLORS = {"relu": "#d62728", "sigmoid": "#1f77b4", "tanh": "#2ca02c",
                     "leaky_relu": "#9467bd"}
# tanh (green) is dashed beside ReLU (red), so that the two differ by more than their colour
ACTIVATION_LINES = {"relu": dict(ls="-", marker="o"), "sigmoid": dict(ls="-", marker="s"),
                    "tanh": dict(ls="--", marker="^"), "leaky_relu": dict(ls="-.", marker="D")}
RINGS_LOSS_FLOOR = 1e-5     # below style.LOSS_FLOOR: the rings nets fit their 300 points further
LOSS_CEILING = 1e3          # and a run that blows up is drawn up to here


# ---------------------------------------------------------------- decision maps

# each class its own marker as well as its colour (red and blue, as the map's background)
CLASS_MARKERS = (dict(marker="o", label="class 0 (core, gap)"),
                 dict(marker="^", label="class 1 (ring, outside)"))


def class_map(ax, X, y, proba_of_class1=None):
    """``style.decision_map`` with a marker per class: circles for class 0, triangles for
    class 1. Returns (image, grid_points, grid_shape) like ``decision_map``."""
    image, grid, shape = decision_map(ax, X, y, proba_of_class1)
    ax.collections[-1].remove()             # decision_map's points, one marker for both classes
    for k, style in enumerate(CLASS_MARKERS):
        ax.scatter(X[y == k, 0], X[y == k, 1], s=11, color=CLASS_COLORS[k], edgecolors="0.15",
                   linewidths=0.3, **style)
    return image, grid, shape


def class_legend(ax, **kw):
    """The two classes' markers, in a small legend (top left of a map by default)."""
    handles = [h for h in ax.collections if h.get_label() in
               {style["label"] for style in CLASS_MARKERS}]
    return ax.legend(handles=handles, **{"loc": "upper left", "fontsize": 7, "framealpha": 0.9,
                                         "handletextpad": 0.2, "borderpad": 0.3, **kw})


def map_colorbar(fig, image, ax, fontsize=7):
    """The colour bar of a decision map's background, p(class 1), right of the map ``ax`` (or
    of a list of maps; the figure needs ``layout="constrained"``). ``fontsize``: its tick
    labels' (the label's is one point larger)."""
    bar = fig.colorbar(image, ax=ax, ticks=[0, 0.5, 1], fraction=0.05, aspect=30, pad=0.02)
    bottom, _, top = bar.ax.set_yticklabels(["0\nclass 0", "0.5", "1\nclass 1"],
                                            fontsize=fontsize)
    # the two-line labels hang inside the bar's height, clear of a title above it
    bottom.set_verticalalignment("bottom")
    top.set_verticalalignment("top")
    bar.set_label("p(class 1)", fontsize=fontsize + 1, labelpad=-2)
    return bar


# ---------------------------------------------------------------- static figures

# the text of the two-map figures the lesson shows at a lower dpi (a legend, a colour bar):
# 9 points there are about as tall on screen as 8 points elsewhere
MAP_FONTSIZE = 9

def activation_figure(z=np.linspace(-5, 5, 401)):
    """Left: ReLU, sigmoid and tanh; right: their derivatives, with sigmoid's ceiling of 0.25.
    ReLU's derivative is drawn as its two flat pieces, with 0 (a filled dot) at z = 0."""
    fig, (ax_f, ax_d) = new_figure(1, 2, figsize=(10, 3.6))
    s = sigmoid(z)
    t = np.tanh(z)
    relu, sig = ACTIVATION_COLORS["relu"], ACTIVATION_COLORS["sigmoid"]
    tanh = dict(color=ACTIVATION_COLORS["tanh"], ls=ACTIVATION_LINES["tanh"]["ls"], lw=2)
    ax_f.plot(z, np.maximum(z, 0.0), color=relu, lw=2, label="ReLU(z)")
    ax_f.plot(z, s, color=sig, lw=2, label="sigmoid S(z)")
    ax_f.plot(z, t, label="tanh(z)", **tanh)
    ax_f.set_ylim(-1.2, 3.0)
    ax_f.set_title("the activations", fontsize=10)
    # ReLU': 0 up to and including z = 0 (filled dot), 1 after it (open dot at the jump)
    ax_d.plot(z[z <= 0], np.zeros((z <= 0).sum()), color=relu, lw=2,
              label="ReLU'(z): 1 if z > 0, else 0")
    ax_d.plot(z[z > 0], np.ones((z > 0).sum()), color=relu, lw=2)
    ax_d.plot([0], [0], "o", color=relu, ms=5, zorder=3)
    ax_d.plot([0], [1], "o", mfc="white", mec=relu, ms=5, zorder=3)
    ax_d.plot(z, s * (1 - s), color=sig, lw=2, label="S'(z) = S(z)(1 - S(z))")
    ax_d.plot(z, 1 - t ** 2, label="tanh'(z) = 1 - tanh(z)²", **tanh)
    ax_d.axhline(0.25, color="0.4", ls=":", lw=1)
    ax_d.annotate("S' ≤ 0.25", (z[-1], 0.25), xytext=(-2, 3),
                  textcoords="offset points", fontsize=8, color="0.3", ha="right")
    ax_d.set_ylim(-0.05, 1.45)
    ax_d.set_title("their derivatives", fontsize=10)
    for ax in (ax_f, ax_d):
        ax.axhline(0, color="0.7", lw=0.8, zorder=0)
        ax.axvline(0, color="0.7", lw=0.8, zorder=0)
        ax.set_xlabel("z")
        ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    return fig


def draw_layer_gradients(ax, grads):
    """One line per activation: mean |dL/dW| against the layer (1 = first), log scale."""
    for act, g in grads.items():
        layers = np.arange(1, len(g) + 1)
        ax.plot(layers, g, color=ACTIVATION_COLORS.get(act, "0.3"), label=act,
                **ACTIVATION_LINES.get(act, dict(ls="-", marker="o")))
    ax.set_yscale("log")
    n = len(next(iter(grads.values())))
    ax.set_xticks(np.arange(1, n + 1))
    ax.set_xticklabels([f"fc{i}" if i < n else f"fc{i}\n(output)" for i in range(1, n + 1)],
                       fontsize=8)
    ax.set_xlabel("weight matrix (input side → output side)")
    ax.set_ylabel("mean |dL/dW|")
    ax.legend(fontsize=9)


def draw_rings_run(ax_map, ax_loss, X, y, model, history, label):
    """The decision map of a trained model over the data, and its loss per iteration.
    Returns the map's image (for ``map_colorbar``)."""
    image, _, _ = class_map(ax_map, X, y, lambda G: class1_proba(model, G))
    ax_map.set_title(f"{label}: p(class 1)", fontsize=10)
    color = ACTIVATION_COLORS.get(model.activation, "0.3")
    losses = np.clip(history.loss, RINGS_LOSS_FLOOR, LOSS_CEILING)
    loss_curve(ax_loss, losses, label=label, color=color, lw=1.5,
               ls=ACTIVATION_LINES.get(model.activation, {}).get("ls", "-"))
    ax_loss.set_yscale("log")
    ax_loss.set_xlabel("iteration")
    return image


def rings_comparison_figure(X, y, runs, loss_only=()):
    """One decision map per run (label, model, history) with their colour bar, then all their
    loss curves on one log-scale axis, with those of ``loss_only`` (more runs, drawn without a
    map)."""
    fig, axes = new_figure(1, len(runs) + 1, figsize=(3.1 * len(runs) + 3.6, 3.4),
                           width_ratios=[1] * len(runs) + [1.25], layout="constrained")
    # a wider gap before the loss panel: the colour bar's label and the loss axis's stay apart
    fig.get_layout_engine().set(wspace=0.08)
    maps, ax_loss = list(axes[:-1]), axes[-1]
    for ax, (label, model, history) in zip(maps, runs):
        image = draw_rings_run(ax, ax_loss, X, y, model, history, label)
    for label, model, history in loss_only:
        color = ACTIVATION_COLORS.get(model.activation, "0.3")
        loss_curve(ax_loss, np.clip(history.loss, RINGS_LOSS_FLOOR, LOSS_CEILING), label=label,
                   color=color, lw=1.5,
                   ls=ACTIVATION_LINES.get(model.activation, {}).get("ls", "-"))
    ax_loss.set_xlabel("iteration")
    class_legend(maps[0], fontsize=MAP_FONTSIZE)
    map_colorbar(fig, image, maps, fontsize=MAP_FONTSIZE)
    fit_log_axis(ax_loss, [np.clip(h.loss, RINGS_LOSS_FLOOR, LOSS_CEILING)
                           for _, _, h in list(runs) + list(loss_only)],
                 min_ratio=20.0, margin=1.3)
    ax_loss.legend(fontsize=MAP_FONTSIZE, loc="lower left")
    ax_loss.set_title("loss per iteration", fontsize=10)
    return fig


def stalled_figure(X, y, runs):
    """One decision map per trained ReLU run (label, model), with the region where every unit of
    the last hidden layer is off hatched (there the output is the output bias alone) and the
    misclassified training points ringed; one legend below the maps."""
    from matplotlib.patches import Patch
    fig, axes = new_figure(1, len(runs), figsize=(4.0 * len(runs) + 0.6, 3.6),
                           layout="constrained")
    for ax, (label, model) in zip(axes, runs):
        image, grid, shape = class_map(ax, X, y, lambda G, model=model: class1_proba(model, G))
        off = last_layer_off(model, grid).reshape(shape).astype(float)
        extent = image.get_extent()
        ax.contourf(off, levels=[0.5, 1.5], colors="none", hatches=["////"], extent=extent,
                    origin="lower")
        ax.contour(off, levels=[0.5], colors="k", linewidths=1.0, extent=extent, origin="lower")
        wrong = model.predict(X) != y
        ax.scatter(X[wrong, 0], X[wrong, 1], s=40, facecolors="none", edgecolors="k",
                   linewidths=0.9, label="misclassified")
        ax.set_title(label, fontsize=9)
    handles = [h for h in axes[0].collections if not h.get_label().startswith("_")]
    handles.append(Patch(facecolor="none", edgecolor="k", hatch="////",
                         label="every unit of the last hidden layer off"))
    map_colorbar(fig, image, list(axes), fontsize=MAP_FONTSIZE)
    fig.legend(handles=handles, loc="outside lower center", ncol=2, fontsize=MAP_FONTSIZE,
               frameon=False)
    return fig


# sigmoid at each learning rate: blues from light to dark, each with its own marker and dash
SIGMOID_LR_STYLES = (dict(color="#6baed6", marker="s", ls="--"),
                     dict(color="#3182bd", marker="D", ls="-."),
                     dict(color="#08519c", marker="v", ls=":"),
                     dict(color="#08306b", marker="^", ls=(0, (5, 1, 1, 1, 1, 1))))


def depth_figure(depths, relu_final, relu_lr, sigmoid_final, sigmoid_lrs, guess_loss,
                 iterations):
    """The loss after ``iterations`` against the number of hidden layers: ReLU at ``relu_lr``
    (``relu_final``, (depths, seeds)) and sigmoid at every lr of ``sigmoid_lrs``
    (``sigmoid_final``, (lrs, depths, seeds)). A line through the median of the seeds, a small
    mark per seed beside it; a dotted line at ``guess_loss``, the loss of guessing."""
    fig, ax = new_figure(figsize=(7.6, 3.8))
    depths = np.asarray(depths, dtype=float)
    runs = [(f"ReLU, lr {relu_lr:g}", relu_final,
             dict(color=ACTIVATION_COLORS["relu"], marker="o", ls="-", lw=2.0))]
    runs += [(f"sigmoid, lr {lr:g}", final, dict(lw=1.5, **style))
             for lr, final, style in zip(sigmoid_lrs, sigmoid_final, SIGMOID_LR_STYLES)]
    offsets = np.linspace(-0.2, 0.2, len(runs))
    for (label, final, style), dx in zip(runs, offsets):
        final = np.clip(np.asarray(final), RINGS_LOSS_FLOOR, LOSS_CEILING)
        ax.plot(depths + dx, np.median(final, axis=1), label=f"{label} (median)", ms=6,
                **style)
        for seed_losses, x in zip(final, depths + dx):
            ax.plot(np.full(len(seed_losses), x), seed_losses, ls="none",
                    marker=style["marker"], ms=3, color=style["color"], alpha=0.6)
    ax.axhline(guess_loss, color="0.4", ls=":", lw=1, zorder=0,
               label=f"guessing the class shares: loss {guess_loss:.3f}")
    ax.set_yscale("log")
    ax.set_ylim(2e-5, 2.0)          # room below the curves for the legend
    ax.set_xlim(depths[0] - 0.4, depths[-1] + 0.4)
    ax.set_xticks(depths)
    ax.set_xlabel("hidden layers (20 units each)")
    ax.set_ylabel(f"loss after {iterations:,} iterations")
    ax.set_title("the rings, Xavier initial weights, momentum 0.9: one small mark per seed",
                 fontsize=10)
    ax.legend(fontsize=8, loc="lower left", ncol=2)
    fig.tight_layout()
    return fig


# Okabe-Ito orange and blue, each with its own dash: the runs without momentum
PLAIN_STYLES = (dict(color="#E69F00", ls="--", lw=1.6), dict(color="#0072B2", ls="-.", lw=1.6))


def spike_figure(momentum_loss, no_momentum_loss, continued, at, window=(150, 250)):
    """Left: the deep ReLU net's loss with momentum 0.9 and without momentum (lr 0.1 both).
    Right: a close-up of ``window`` with the momentum run and its continuations from iteration
    ``at`` by plain gradient descent ({lr: losses}, ``recipes.l03_relu.continue_plain``)."""
    fig, (ax_all, ax_zoom) = new_figure(1, 2, figsize=(9, 3.5))
    relu = dict(color=ACTIVATION_COLORS["relu"], lw=1.4)
    momentum_loss = np.clip(momentum_loss, RINGS_LOSS_FLOOR, LOSS_CEILING)
    ax_all.plot(momentum_loss, label="momentum 0.9", **relu)
    ax_all.plot(no_momentum_loss, label="no momentum", color="0.2", ls=":", lw=1.8)
    ax_all.set_title("the whole run, lr 0.1", fontsize=10)
    ax_all.set_yscale("log")
    fit_log_axis(ax_all, [momentum_loss, no_momentum_loss], min_ratio=20.0, margin=1.3)
    lo, hi = window
    steps = np.arange(lo, hi)
    ax_zoom.plot(steps, momentum_loss[lo:hi], label="momentum 0.9 (as on the left)", **relu)
    curves = [momentum_loss[lo:hi]]
    for (lr, losses), style in zip(continued.items(), PLAIN_STYLES):
        shown = np.asarray(losses)[:hi - at]
        ax_zoom.plot(np.arange(at, at + len(shown)), shown,
                     label=f"from iteration {at}: no momentum, lr {lr:g}", **style)
        curves.append(shown)
    ax_zoom.axvline(at, color="0.6", lw=0.8, zorder=0,
                    label=f"iteration {at}: stopped, then on without momentum")
    ax_zoom.set_xlim(lo, hi - 1)
    ax_zoom.set_yscale("log")
    fit_log_axis(ax_zoom, curves, min_ratio=20.0, margin=1.3)
    bottom, top = ax_zoom.get_ylim()
    ax_zoom.set_ylim(bottom, top * 4)          # room for the legend above the spikes
    ax_zoom.set_title(f"close-up: iterations {lo} to {hi}", fontsize=10)
    for ax in (ax_all, ax_zoom):
        ax.set_xlabel("iteration")
        ax.set_ylabel("cross-entropy loss")
    ax_all.legend(fontsize=8, loc="lower left")
    ax_zoom.legend(fontsize=7.5, loc="upper right")
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------- the trainer exercises

# lessonlib's run solid and dark, the learner's dashed in Okabe-Ito orange: two lines that lie
# on top of each other stay apart by colour and by dash
TRAINER_STYLES = (dict(color="0.2", lw=1.6, ls="-"), dict(color="#E69F00", lw=1.6, ls="--"))


def trainer_figure(X, y, runs, per="iteration"):
    """The runs of a trainer exercise (lessons 03-05), [(label, model, losses)] with
    lessonlib's first (``exercises.<name>.lesson_runs``): one decision map per run (a marker per
    class, one colour bar for p(class 1)), then their losses (one per ``per``: "iteration" or
    "epoch") on one log axis."""
    fig, axes = new_figure(1, len(runs) + 1, figsize=(3.1 * len(runs) + 3.6, 3.4),
                           width_ratios=[1] * len(runs) + [1.25], layout="constrained")
    maps, ax = list(axes[:-1]), axes[-1]
    curves = []
    for ax_map, (label, model, losses), style in zip(maps, runs, TRAINER_STYLES):
        image, _, _ = class_map(ax_map, X, y, lambda G, model=model: class1_proba(model, G))
        ax_map.set_title(f"{label}: p(class 1)", fontsize=10)
        curve = np.clip(np.asarray(losses, dtype=float), RINGS_LOSS_FLOOR, LOSS_CEILING)
        curves.append(curve)
        loss_curve(ax, curve, label=label, **style)
    class_legend(maps[0])
    map_colorbar(fig, image, maps)
    ax.set_yscale("log")
    fit_log_axis(ax, curves, min_ratio=20.0, margin=1.3)
    ax.set_xlabel(per)
    ax.legend(fontsize=8, loc="upper right")
    ax.set_title(f"loss per {per}" + (" (mean of its batches)" if per == "epoch" else ""),
                 fontsize=10)
    return fig
