"""Lesson 04: mini-batch SGD. The batch sizes' colours (``BATCH_COLORS``, ``FULL_COLOR``,
``batch_color``) and the static figures: ``draw_gradient_cloud`` (the noise of mini-batch
gradients), ``draw_final_losses`` (the final loss across batch sizes and seeds),
``draw_equal_work`` (the median loss against epochs, the same work for every batch size),
``draw_contour`` and ``draw_contour_paths`` (optimiser paths on the loss contour) with
``loss_colorbar`` and ``path_legend``, ``draw_dip_zoom`` (a close-up of a dip, its rim and its
lowest pass, at the finer ``ZOOM_LEVELS``) with ``zoom_colorbar`` and ``dip_zoom_legend``,
``draw_circle_run`` (a trained MLP's decision map, a marker per class, with
``circle_legend`` and ``circle_colorbar``, lesson 03's ``map_colorbar``), ``draw_sharp_flat`` (a sharp and a flat
minimum under a shifted test loss, after Keskar et al. 2017); ``trainer_figure`` (lesson 03's)
draws exercise 4b's runs."""
import numpy as np
from matplotlib.lines import Line2D

from ..recipes.l04_minibatch import FLAT_MIN, SHARP_MIN, sharp_flat_loss
from .l02_momentum import LOSS_LEVELS, redraw_loss_contours
from . import l03_relu
from .style import CLASS_COLORS, class1_proba

BATCH_COLORS = {1: "#8c564b", 5: "#9467bd", 10: "#ff7f0e", 20: "#ff7f0e", 30: "#d62728",
                50: "#e377c2", 100: "#2ca02c", 200: "#17becf", 300: "#17becf",
                500: "#1f77b4", 1000: "#1f77b4"}
FULL_COLOR = "0.25"


# and a marker each, so that no two batch sizes differ by colour alone
BATCH_MARKERS = {1: "v", 5: "D", 10: "^", 30: "o", 100: "s", 1000: "x"}


def batch_color(batch_size, n=1000):
    return FULL_COLOR if batch_size >= n else BATCH_COLORS.get(batch_size, "#d62728")


# ---------------------------------------------------------------- gradient noise

def draw_gradient_cloud(ax, grads, full, batch_size, n=1000):
    """The mini-batch gradients (k, 2) at one b as dots, the full-data gradient as a black dot
    (both labelled, for a legend)."""
    ax.scatter(grads[:, 0], grads[:, 1], s=9, alpha=0.6, color=batch_color(batch_size, n), lw=0,
               label="the gradient of one mini-batch")
    ax.plot(*full, "o", color="k", ms=6, label="the full gradient (all 1000 points)")
    ax.axhline(0, color="0.7", lw=0.8, zorder=0)
    ax.axvline(0, color="0.7", lw=0.8, zorder=0)
    spread = np.sqrt(np.mean(np.sum((grads - full) ** 2, axis=1)))
    ax.set_title(f"batch {batch_size}: {len(grads)} gradients\n"
                 f"typical distance from the full one {spread:.3f}", fontsize=9)
    ax.set_xlabel("d loss / d b1")
    ax.set_ylabel("d loss / d b2")
    return spread


# ---------------------------------------------------------------- final loss across batch sizes

def draw_final_losses(ax, results, true_b, best_loss, stuck_loss=None, n=1000):
    """A strip per batch size: every seed's final loss (jittered sideways), with the count of
    runs that reached the true b. Returns the counts {batch_size: (hits, runs)}."""
    jitter = np.random.default_rng(0)
    counts = {}
    for i, (bs, (losses, finals)) in enumerate(results.items()):
        hits = np.linalg.norm(finals - np.asarray(true_b), axis=1) < 0.2
        xs = i + jitter.uniform(-0.22, 0.22, size=len(losses))
        color = batch_color(bs, n)
        ax.scatter(xs[hits], losses[hits], s=18, color=color, lw=0, alpha=0.85)
        ax.scatter(xs[~hits], losses[~hits], s=18, facecolor="none", edgecolor=color, lw=1)
        ax.text(i, 1.0, f"{hits.sum()}/{len(hits)}", transform=ax.get_xaxis_transform(),
                ha="center", va="bottom", fontsize=9, color=color)
        counts[bs] = (int(hits.sum()), len(hits))
    ax.axhline(best_loss, color="0.3", ls="--", lw=0.8, zorder=0)
    ax.annotate(f"loss at the true b: {best_loss:.3f}", (0.0, best_loss), xytext=(3, 3),
                xycoords=("axes fraction", "data"), textcoords="offset points", ha="left",
                fontsize=8, color="0.3")
    if stuck_loss is not None:
        ax.axhline(stuck_loss, color="0.3", ls=":", lw=0.8, zorder=0)
        ax.annotate(f"the dip near the start: {stuck_loss:.3f}", (0.0, stuck_loss),
                    xytext=(3, -3), xycoords=("axes fraction", "data"),
                    textcoords="offset points", ha="left", va="top", fontsize=8, color="0.3")
    ax.scatter([], [], s=18, color="0.35", lw=0, label="ends within 0.2 of the true b")
    ax.scatter([], [], s=18, facecolor="none", edgecolor="0.35", lw=1, label="ends elsewhere")
    ax.legend(loc="upper right", fontsize=8, title="one run (seed):", title_fontsize=8)
    ax.set_xticks(range(len(results)))
    ax.set_xticklabels([f"{bs}" if bs < n else f"{bs}\n(full)" for bs in results])
    ax.set_xlim(-0.6, len(results) - 0.4)
    ax.set_xlabel("batch size")
    ax.set_ylabel("final loss (all 1000 points)")
    return counts


# ---------------------------------------------------------------- the same work: loss per epoch

def draw_equal_work(ax, medians, best_loss, n=1000):
    """{batch_size: the median loss over the seeds at the start and after every epoch}, one line
    per batch size (its colour and marker; full batch dotted), and the loss at the true b
    (dashed)."""
    for bs, loss in medians.items():
        epochs = np.arange(len(loss))
        name = f"full batch ({bs})" if bs >= n else f"batch {bs}"
        ax.plot(epochs, loss, color=batch_color(bs, n), marker=BATCH_MARKERS.get(bs, "o"),
                ms=4, markevery=(0, 3), lw=1.5, label=name, ls=":" if bs >= n else "-")
    ax.axhline(best_loss, color="0.3", ls="--", lw=0.8, zorder=0,
               label=f"loss at the true b: {best_loss:.3f}")
    ax.set_xlim(0, len(loss) - 1)
    ax.set_xlabel("epochs (passes over the data: the work done)")
    ax.set_ylabel("median loss over the seeds")


# ---------------------------------------------------------------- paths on the loss contour

def draw_contour(ax, grid, L, true_b=None):
    """The loss surface from above (fixed levels, shared with lesson 02)."""
    filled = redraw_loss_contours(ax, grid, L)[0]
    if true_b is not None:
        ax.plot(*true_b, "*", color="white", mec="k", ms=13, zorder=6, label="true b")
    ax.set_xlim(grid[0], grid[-1])
    ax.set_ylim(grid[0], grid[-1])
    ax.set_xlabel("b1")
    ax.set_ylabel("b2")
    return filled


def loss_colorbar(fig, filled, axes):
    """One colour bar for the loss contours of ``axes`` (all drawn at LOSS_LEVELS), right of
    them (the figure needs ``layout="constrained"``)."""
    bar = fig.colorbar(filled, ax=axes, ticks=LOSS_LEVELS[::4], fraction=0.04, aspect=35,
                       pad=0.02)
    bar.set_label("loss (all 1000 points)", fontsize=9)
    bar.ax.tick_params(labelsize=8)
    return bar


def draw_contour_paths(ax, grid, L, paths, labels, colors, true_b=None):
    """Contour of the loss, then each path (start: white dot, end: coloured dot)."""
    filled = draw_contour(ax, grid, L, true_b)
    for path, label, color in zip(paths, labels, colors):
        drawn = np.clip(path, grid[0] - 1, grid[-1] + 1)
        ax.plot(drawn[:, 0], drawn[:, 1], "-", color=color, lw=1.2, alpha=0.9, zorder=3,
                label=label)
        ax.plot(*drawn[-1], "o", color=color, mec="k", ms=7, zorder=5)
    if paths:
        ax.plot(*paths[0][0], "o", mfc="white", mec="k", ms=6, zorder=5)
    return filled


# the close-up of a dip: contours ten times closer than LOSS_LEVELS' 0.025
ZOOM_STEP = 0.0025
ZOOM_LEVELS = np.round(np.arange(0.6, 0.78 + ZOOM_STEP / 2, ZOOM_STEP), 4)
DIP_MARKER = dict(ls="", marker="v", mfc="white", mec="k", ms=9)
PASS_MARKER = dict(ls="", marker="X", mfc="white", mec="k", ms=10)
RIM_STYLE = dict(colors="white", linewidths=1.8, linestyles="--")


def draw_dip_zoom(ax, b1, b2, L, dip, pass_b, pass_loss, path=None, color=None):
    """A close-up of a dip: the loss ``L`` (L[j, i] at (b1[i], b2[j])) at the fine ZOOM_LEVELS,
    the dip (a white triangle), its lowest pass (a white cross) and the contour at the pass's
    loss (white, dashed): the rim, the closed loop round the dip that meets the pass; inside it
    the loss is below the pass's. ``path``, if given, is drawn in ``color`` (start: white dot,
    end: a dot in its colour). Returns the filled contours (for ``zoom_colorbar``)."""
    B1, B2 = np.meshgrid(b1, b2)
    filled = ax.contourf(B1, B2, L, levels=ZOOM_LEVELS, cmap="viridis", extend="both", zorder=1)
    ax.contour(B1, B2, L, levels=ZOOM_LEVELS, colors="k", linewidths=0.25, alpha=0.35, zorder=2)
    ax.contour(B1, B2, L, levels=[pass_loss], zorder=3, **RIM_STYLE)
    if path is not None:
        ax.plot(path[:, 0], path[:, 1], "-", color=color, lw=1.0, alpha=0.9, zorder=4)
        ax.plot(*path[0], "o", mfc="white", mec="k", ms=6, zorder=5)
        if b1[0] <= path[-1, 0] <= b1[-1] and b2[0] <= path[-1, 1] <= b2[-1]:
            ax.plot(*path[-1], "o", color=color, mec="k", ms=7, zorder=5)
    ax.plot(*dip, zorder=6, **DIP_MARKER)
    ax.plot(*pass_b, zorder=6, **PASS_MARKER)
    ax.set_xlim(b1[0], b1[-1])
    ax.set_ylim(b2[0], b2[-1])
    ax.set_aspect("equal")
    ax.set_xlabel("b1")
    ax.set_ylabel("b2")
    return filled


def zoom_colorbar(fig, filled, axes):
    """The colour bar of ``draw_dip_zoom``'s fine levels (ticks every 0.02), right of ``axes``
    (a constrained layout)."""
    bar = fig.colorbar(filled, ax=axes, ticks=ZOOM_LEVELS[::8], fraction=0.04, aspect=30,
                       pad=0.02)
    bar.set_label(f"loss (contours {ZOOM_STEP:g} apart)", fontsize=9)
    bar.ax.tick_params(labelsize=8)
    return bar


def dip_zoom_legend(fig, path_label, color, steps=300):
    """The key to ``draw_dip_zoom`` panels, below the figure (a constrained layout)."""
    handles = [Line2D([], [], color=color, lw=1.0, label=path_label),
               Line2D([], [], ls="", marker="o", mfc="white", mec="k", ms=6,
                      label="start, b = (0, 0)"),
               Line2D([], [], ls="", marker="o", mfc=color, mec="k", ms=7,
                      label=f"end after {steps} updates (if in view)"),
               Line2D([], [], label="the dip", **DIP_MARKER),
               Line2D([], [], label="the lowest pass out of it", **PASS_MARKER),
               Line2D([], [], color="0.35", lw=1.8, ls="--",
                      label="the contour at the pass's loss (the rim)")]
    return fig.legend(handles=handles, loc="outside lower center", ncol=3, fontsize=8,
                      frameon=False)


def path_legend(fig, paths, steps=300):
    """The key to ``draw_contour_paths`` panels, in one row below the figure (a constrained
    layout): each path's colour (``paths``: (label, colour) pairs), the start (a white dot), the
    end (a dot in the path's colour) and the true b (the star)."""
    handles = [Line2D([], [], color=color, lw=1.2, label=label) for label, color in paths]
    handles += [Line2D([], [], ls="", marker="o", mfc="white", mec="k", ms=6,
                       label="start, b = (0, 0)"),
                Line2D([], [], ls="", marker="o", mfc="0.6", mec="k", ms=7,
                       label=f"end after {steps} updates (the path's colour)"),
                Line2D([], [], ls="", marker="*", mfc="white", mec="k", ms=12, label="true b")]
    return fig.legend(handles=handles, loc="outside lower center", ncol=3, fontsize=8,
                      frameon=False)


# ---------------------------------------------------------------- the MLP of the notes' exercise 3

CIRCLE_CLASSES = ("class 0 (mostly inside)", "class 1 (mostly outside)")


def draw_circle_run(ax_map, X, y, model, label, X_test=None, y_test=None):
    """The decision map of a trained model over the data, a marker per class (lesson 03's
    ``class_map``; test points, if given, faint). Returns the map's image (for
    ``map_colorbar``)."""
    image, _, _ = l03_relu.class_map(ax_map, X, y, lambda G: class1_proba(model, G))
    for points, name in zip(ax_map.collections[-2:], CIRCLE_CLASSES):
        points.set_label(name)
    if X_test is not None:
        ax_map.scatter(X_test[:, 0], X_test[:, 1], s=2, lw=0, alpha=0.25,
                       c=[CLASS_COLORS[k] for k in y_test], zorder=0)
    ax_map.set_title(label, fontsize=10)
    return image


def circle_colorbar(fig, image, maps):
    """Lesson 03's p(class 1) colour bar, right of the circle maps (a constrained layout)."""
    return l03_relu.map_colorbar(fig, image, maps)


def circle_legend(ax, **kw):
    """The two classes' markers of ``draw_circle_run`` (on the map ``ax``), in one row below
    the figure (a constrained layout), where they cover no point."""
    handles = [h for h in ax.collections if h.get_label() in CIRCLE_CLASSES]
    return ax.figure.legend(handles=handles, **{"loc": "outside lower left", "ncol": 2,
                                                "fontsize": 8, "frameon": False, **kw})


# ---------------------------------------------------------------- sharp and flat minima

TRAIN_STYLE = dict(color="0.15", lw=2.0, ls="-")
TEST_STYLE = dict(color="#0072B2", lw=2.0, ls="--")        # Okabe-Ito blue, dashed


def draw_sharp_flat(ax, shift, w=np.linspace(-3.2, 4.0, 1441)):
    """The 1-D loss of ``recipes.l04_minibatch.sharp_flat_loss`` (training, solid) and the same
    curve shifted by ``shift`` (test, dashed); at each minimum, how far the test loss sits above
    the training loss (a grey bar with its value)."""
    ax.plot(w, sharp_flat_loss(w), label="training loss", **TRAIN_STYLE)
    ax.plot(w, sharp_flat_loss(w, shift), label=f"test loss (the same curve shifted by {shift:g})",
            **TEST_STYLE)
    # each label sits in the empty space beside its well, with an arrow to the test loss
    for at, name, text_x in ((SHARP_MIN, "sharp minimum", SHARP_MIN - 1.0),
                             (FLAT_MIN, "flat minimum", FLAT_MIN + 0.1)):
        test = float(sharp_flat_loss(at, shift))
        ax.plot([at, at], [0.0, test], color="0.55", lw=5, alpha=0.5, solid_capstyle="butt",
                zorder=1)
        ax.plot(at, 0.0, "o", color=TRAIN_STYLE["color"], ms=7, zorder=4)
        ax.plot(at, test, "s", color=TEST_STYLE["color"], ms=7, zorder=4)
        ax.annotate(f"{name}:\ntraining loss 0,\ntest loss {test:.3f}", (at, test),
                    xytext=(text_x, 0.35), fontsize=8.5, ha="center", va="bottom",
                    arrowprops=dict(arrowstyle="->", color="0.4", lw=0.8))
    ax.set_xlim(w[0], w[-1])
    ax.set_ylim(-0.05, 1.3)
    ax.set_xlabel("the weight w")
    ax.set_ylabel("loss")
    ax.legend(fontsize=8.5, loc="upper right")


def trainer_figure(X, y, runs, per="epoch"):
    """Exercise 4b's runs (its ``lesson_runs``), drawn as lesson 03's: one decision map per
    run and their losses per epoch (``plots.l03_relu.trainer_figure``)."""
    return l03_relu.trainer_figure(X, y, runs, per)
