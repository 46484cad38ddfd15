"""Lesson 05: adaptive learning rates. The optimisers' names and colours (``OPTIMIZER_LABELS``,
``OPTIMIZER_COLORS``; runs drawn together also differ by ``RUN_MARKERS`` and ``RUN_STYLES``)
and the static figures: ``rates_figure`` (the effective learning rate of Adagrad and RMSProp),
``bias_correction_figure`` (why Adam divides by 1 - beta^t), ``paths_figure`` and
``valleys_figure`` (runs on a two-parameter problem's loss contour, ``draw_surface``, with
``surface_colorbar``, and their losses), ``rings_figure`` and ``layer_steps_figure`` (an MLP on
the rings data), and their helpers: ``drawable`` and ``drawable_losses`` (paths and losses safe to draw,
``QUADRATIC_LOSS_FLOOR``, ``LOSS_CEILING``), ``cached_surface``, and ``contour_levels`` and
``contour_style`` (how a problem's loss contour looks). A problem (``Quadratic``,
``SinLogistic`` in ``lessonlib.recipes.l05_adaptive``) is anything with ``surface()``,
``run(optimizer, steps)``, ``label``, ``start``, ``target``, ``best``, ``log_loss``, ``xlim``
and ``ylim``. ``trainer_figure`` (lesson 03's) draws exercise 5b's runs. Every figure is at
most 9 inches wide: 810 px at the 90 dpi of ``plots.show``."""
import numpy as np
from matplotlib.colors import LogNorm
from matplotlib.ticker import MaxNLocator

from ..recipes.l05_adaptive import BOUND
from .l02_momentum import LOSS_LEVELS
from . import l03_relu
from .style import class1_proba, fit_log_axis, holds, new_figure

# The five optimisers of lessonlib.optim.OPTIMIZER_NAMES, in that order: name on screen,
# and colour (Okabe-Ito, colour-blind safe) and marker in every figure and in the explorer.
OPTIMIZER_LABELS = {"sgd": "SGD", "momentum": "SGD + momentum", "adagrad": "Adagrad",
                    "rmsprop": "RMSProp", "adam": "Adam"}
OPTIMIZER_COLORS = {"sgd": "#E69F00", "momentum": "#0072B2", "adagrad": "#009E73",
                    "rmsprop": "#CC79A7", "adam": "#D55E00"}
# Runs drawn together also differ in marker and line style (not by colour alone).
RUN_MARKERS = ("o", "s", "^", "D")
RUN_STYLES = ("-", "--", "-.", ":")

QUADRATIC_LOSS_FLOOR = 1e-12   # far below style.LOSS_FLOOR: quadratic losses fall to 1e-10


# ---------------------------------------------------------------- one parameter: step sizes

def rates_figure(runs, log_abs_x=False, title=None):
    """runs: [(label, path, rates, colour)]. Left: x_t against t (|x_t| on a log axis when
    log_abs_x); right: the effective learning rate per update, log axis."""
    fig, (ax_x, ax_r) = new_figure(1, 2, figsize=(9, 3.5))
    xs, rs = [], []
    for i, (label, path, rates, color) in enumerate(runs):
        t = np.arange(len(path))
        style = dict(marker=RUN_MARKERS[i], ls=RUN_STYLES[i], ms=3, lw=1, color=color,
                     label=label, markevery=max(1, len(path) // 30))
        xs.append(np.abs(path) if log_abs_x else path)
        rs.append(rates)
        ax_x.plot(t, xs[-1], **style)
        ax_r.plot(np.arange(1, len(rates) + 1), rates, **style)
    if log_abs_x:
        ax_x.set_yscale("log")
        fit_log_axis(ax_x, xs, min_ratio=30)
        ax_x.set_ylabel("|x_t|, log scale")
    else:
        ax_x.axhline(0.0, color="0.6", lw=0.8, zorder=0)
        ax_x.set_ylabel("x_t")
    ax_x.set_xlabel("step t")
    ax_x.set_title("where x is after t updates", fontsize=10)
    ax_r.set_yscale("log")
    fit_log_axis(ax_r, rs, min_ratio=10)
    ax_r.set_xlabel("update t")
    ax_r.set_ylabel("effective learning rate, log scale")
    ax_r.set_title("lr / (√n_t + eps): the multiplier of the gradient", fontsize=10)
    for ax in (ax_x, ax_r):
        ax.legend(fontsize=8)
    if title:
        fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    return fig


def bias_correction_figure(beta1=0.9, beta2=0.999, steps=3000):
    """Adam's moments for a gradient that is always 1: m_t and sqrt(n_t) start near 0 and only
    slowly reach 1; divided by 1 - beta^t they are 1 from the start. Right: the step in units of
    lr, m/sqrt(n) without the correction and m_hat/sqrt(n_hat) with it."""
    t = np.arange(1, steps + 1)
    m = 1.0 - beta1 ** t            # m_t = (1 - b1) (1 + b1 + ... + b1^(t-1)) for g = 1
    n = 1.0 - beta2 ** t
    fig, (ax_m, ax_s) = new_figure(1, 2, figsize=(9, 3.5))
    ax_m.plot(t, m, color=OPTIMIZER_COLORS["adam"], lw=1.8, label=f"m_t (β1 = {beta1:g})")
    ax_m.plot(t, np.sqrt(n), color=OPTIMIZER_COLORS["momentum"], lw=1.8, ls="-.",
              label=f"√n_t (β2 = {beta2:g})")
    ax_m.plot(t, np.ones_like(t, dtype=float), color="0.3", lw=1.5, ls="--",
              label="m̂_t and √n̂_t (corrected)")
    ax_m.set_ylim(0, 1.1)
    ax_m.set_title("the moments for a gradient that is always 1", fontsize=10)
    ax_m.set_ylabel("value")
    ratio = m / np.sqrt(n)
    ax_s.plot(t, ratio, color=OPTIMIZER_COLORS["sgd"], lw=1.8,
              label="without correction: m_t / √n_t")
    ax_s.plot(t, np.ones_like(t, dtype=float), color="0.3", lw=1.5, ls="--",
              label="with correction: m̂_t / √n̂_t")
    k = int(np.argmax(ratio))
    ax_s.annotate(f"{ratio[k]:.1f} × lr at t = {t[k]}", (t[k], ratio[k]), xytext=(40, -30),
                  textcoords="offset points", fontsize=8, color="0.25", va="top",
                  arrowprops=dict(arrowstyle="->", color="0.4", lw=0.8))
    ax_s.set_ylim(0, ratio.max() * 1.15)
    ax_s.set_title("the size of each step, in units of lr", fontsize=10)
    ax_s.set_ylabel("step / lr")
    for ax in (ax_m, ax_s):
        ax.set_xscale("log")
        ax.set_xlabel("step t (log scale)")
        ax.legend(fontsize=8, loc="lower right" if ax is ax_m else "upper right")
    fig.tight_layout()
    return fig


def drawable(path, bound=BOUND):
    """A path safe to draw: cut after its first iterate that is not finite or beyond ``bound``
    (later ones become nan, which breaks the line); that iterate is clipped to the bound."""
    path = np.array(path, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        bad = ~np.all(np.abs(path) <= bound, axis=1)        # also true for nan
    if bad.any():
        k = int(np.argmax(bad))
        path[k] = np.clip(np.nan_to_num(path[k], nan=bound, posinf=bound, neginf=-bound),
                          -bound, bound)
        path[k + 1:] = np.nan
    return path


LOSS_CEILING = 1e6          # a blowing-up loss is drawn up to here, then stops


def drawable_losses(losses, log):
    """Losses for a loss axis: a loss that blows up is drawn up to LOSS_CEILING and hidden after
    (nan); on a log axis, losses below QUADRATIC_LOSS_FLOOR are drawn at the floor."""
    losses = np.array(losses, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        bad = ~(np.abs(losses) <= LOSS_CEILING)             # also true for nan
    if bad.any():
        k = int(np.argmax(bad))
        losses[k] = LOSS_CEILING
        losses[k + 1:] = np.nan
    if log:
        with np.errstate(invalid="ignore"):
            losses = np.maximum(losses, QUADRATIC_LOSS_FLOOR)
    return losses


def _fit_loss_axis(ax, curves, log, best=None):
    """y limits around the finite losses of ``curves`` (and ``best`` on a linear axis); on a
    log axis, with tick labels enough to read values (``style.fit_log_axis``)."""
    values = np.concatenate([np.asarray(c, dtype=np.float64) for c in curves] +
                            ([np.array([best])] if best is not None and not log else []))
    values = values[np.isfinite(values)]
    if not values.size:
        values = np.array([1.0])
    lo, hi = values.min(), values.max()
    if log:
        fit_log_axis(ax, [np.maximum(values, QUADRATIC_LOSS_FLOOR)], min_ratio=10, margin=3,
                     snap=True)
    else:
        # rounded to 0.05, and kept while they hold the curves with at most 0.1 to spare: most
        # moves keep the limits (a new limit redraws the whole figure)
        pad = max(0.05 * (hi - lo), 0.005)
        if not holds(ax.get_ylim(), (lo - pad, hi + pad), slack=0.1):
            ax.set_ylim(np.floor((lo - pad) / 0.05) * 0.05, np.ceil((hi + pad) / 0.05) * 0.05)


_SURFACES = {}


def cached_surface(problem):
    """problem.surface() (B1, B2, L), computed once per kind of problem and data (the two
    sin-logistic problems share theirs)."""
    key = (type(problem).__name__, problem.xlim, problem.ylim,
           getattr(problem, "seed", None), getattr(problem, "angle_deg", None))
    if key not in _SURFACES:
        _SURFACES[key] = problem.surface()
    return _SURFACES[key]


def contour_levels(problem):
    """The contour levels of a problem's loss: 16 log-spaced from 0.01 to 1000 for a loss that
    spans decades (``log_loss``: the quadratics), else the sin-logistic ``LOSS_LEVELS``."""
    if problem.log_loss:
        return np.geomspace(0.01, 1000.0, 16)
    return LOSS_LEVELS


def contour_style(problem):
    """The colour mapping of a problem's filled contour (keyword arguments of ``contourf``): a
    log scale from 0.01 to 1000 for a ``log_loss`` problem, else the range of LOSS_LEVELS."""
    if problem.log_loss:
        return dict(cmap="viridis", norm=LogNorm(0.01, 1000.0), extend="both")
    return dict(cmap="viridis", vmin=LOSS_LEVELS[0], vmax=LOSS_LEVELS[-1], extend="both")


def draw_surface(ax, problem):
    """Filled contour and contour lines of a problem's loss on ax; returns the artists."""
    B1, B2, L = cached_surface(problem)
    levels = contour_levels(problem)
    style = contour_style(problem)
    # pale, so that the paths drawn on it stand out in any colour
    filled = ax.contourf(B1, B2, L, levels=levels, zorder=1, alpha=0.6, **style)
    lines = ax.contour(B1, B2, L, levels=levels, colors="k", linewidths=0.3, alpha=0.4, zorder=2)
    ax.set_xlim(*problem.xlim)
    ax.set_ylim(*problem.ylim)
    ax.set_aspect("equal", adjustable="box")     # every map is square: 45° looks like 45°
    return [filled, lines]


def surface_colorbar(fig, filled, problem, ax, shrink=1.0):
    """The loss's colour bar (dark: low loss), right of the contour map(s) ``ax``."""
    bar = fig.colorbar(filled, ax=ax, fraction=0.046, pad=0.03, aspect=25, shrink=shrink)
    if not problem.log_loss:
        bar.locator = MaxNLocator(5)
    bar.set_label("loss (log scale)" if problem.log_loss else "loss", fontsize=8)
    bar.ax.tick_params(labelsize=7)
    return bar


def paths_figure(problem, runs, steps_label="iteration"):
    """Several runs on one problem: runs = [(label, path, losses, colour)]. Left: the loss
    contour with every path (white circle: the start, star: the target); right: each run's loss
    (on all the data) per iteration, with the loss at the target dotted."""
    fig, (ax_c, ax_l) = new_figure(1, 2, figsize=(9, 3.9), width_ratios=(1, 1.3))
    filled, _ = draw_surface(ax_c, problem)
    surface_colorbar(fig, filled, problem, ax_c)
    for i, (label, path, losses, color) in enumerate(runs):
        drawn = drawable(path)
        ax_c.plot(drawn[:, 0], drawn[:, 1], RUN_STYLES[i], color=color, lw=1.4, zorder=3 + i,
                  label=label)
        last = drawn[np.isfinite(drawn).all(axis=1)][-1]
        ax_c.plot(*last, RUN_MARKERS[i], color=color, mec="k", ms=7, zorder=5)
        ax_l.plot(np.arange(len(losses)), drawable_losses(losses, problem.log_loss), color=color,
                  lw=1.2, ls=RUN_STYLES[i], label=label)
    ax_c.plot(*problem.start, "o", mfc="white", mec="k", ms=7, zorder=6, label="start")
    ax_c.plot(*problem.target, "*", color="white", mec="k", ms=14, zorder=6,
              label="minimum" if problem.log_loss else "true b")
    ax_c.set_xlabel("b1")
    ax_c.set_ylabel("b2")
    ax_c.legend(loc="lower right", fontsize=8, framealpha=0.85)
    ax_c.set_title(problem.label, fontsize=10)
    if problem.log_loss:
        ax_l.set_yscale("log")
    else:
        ax_l.axhline(problem.best, color="0.3", ls=":", lw=1, label="loss at the true b")
    _fit_loss_axis(ax_l, [drawable_losses(r[2], problem.log_loss) for r in runs],
                   problem.log_loss, problem.best)
    ax_l.set_xlabel(steps_label)
    ax_l.set_ylabel("loss on all the data")
    ax_l.legend(fontsize=8, loc="upper right")
    ax_l.set_title("loss per iteration", fontsize=10)
    fig.tight_layout()
    return fig


def valleys_figure(problems, runs):
    """The same runs on several quadratic problems: runs = [(label, optimiser factory, colour)],
    each run for 100 steps. One contour per problem with the paths, then every loss on one log
    axis (solid for the first problem, dashed for the second, ...)."""
    k = len(problems)
    fig, axes = new_figure(1, k + 1, figsize=(9, 3.6), width_ratios=[1] * k + [1.25],
                           layout="constrained")
    ax_l = axes[-1]
    styles = ["-", "--", ":"]
    curves = []
    for j, (ax, problem) in enumerate(zip(axes, problems)):
        filled, _ = draw_surface(ax, problem)
        for i, (label, make, color) in enumerate(runs):
            path, losses = problem.run(make(), 100)
            drawn = drawable(path)
            # later runs on top, thicker, so that a path hidden in a zig-zag still shows
            ax.plot(drawn[:, 0], drawn[:, 1], marker=RUN_MARKERS[i], color=color, ms=2 + i,
                    lw=0.9 + 0.5 * i, zorder=3 + i, label=label)
            shown = drawable_losses(losses, True)
            curves.append(shown)
            ax_l.plot(np.arange(len(shown)), shown, styles[j], color=color, lw=1.3,
                      marker=RUN_MARKERS[i], ms=3, markevery=10,
                      label=f"{label}, {problem.short}")
        ax.plot(*problem.start, "o", mfc="white", mec="k", ms=7, zorder=6)
        ax.plot(0, 0, "*", color="white", mec="k", ms=13, zorder=6)
        ax.set_title(problem.label, fontsize=9)
        ax.set_xlabel("b1")
        ax.set_ylabel("b2")
    axes[0].legend(loc="lower right", fontsize=7, framealpha=0.85)
    # one colour bar for all the maps (one log scale), as tall as the square maps
    surface_colorbar(fig, filled, problems[-1], list(axes[:k]), shrink=0.8)
    ax_l.set_yscale("log")
    fit_log_axis(ax_l, curves)
    ax_l.set_xlabel("step")
    ax_l.set_ylabel("loss (log scale)")
    ax_l.legend(fontsize=7, loc="lower left")
    ax_l.set_title("loss per step", fontsize=9)
    return fig


# ---------------------------------------------------------------- the MLP on the rings

def rings_figure(X, y, runs, title=None):
    """runs = [(label, model, history, colour)]: one decision map per run (lesson 03's: a
    marker per class, one p(class 1) colour bar), then all the loss curves (mean training loss
    per epoch, log axis) on one axis."""
    k = len(runs)
    fig, axes = new_figure(1, k + 1, figsize=(8.8, 3.5), width_ratios=[1] * k + [1.3],
                           layout="constrained")
    ax_l = axes[-1]
    curves = []
    for ax, (label, model, history, color) in zip(axes, runs):
        image, _, _ = l03_relu.class_map(ax, X, y, lambda G, m=model: class1_proba(m, G))
        ax.set_title(f"{label}\naccuracy {model.score(X, y):.0%}", fontsize=9)
        losses = np.where(np.isfinite(history.loss), history.loss, np.nan)
        curves.append(losses)
        # blue against orange (OPTIMIZER_COLORS): solid lines; a dashed noisy curve reads as fuzz
        ax_l.plot(np.arange(1, len(losses) + 1), losses, color=color, lw=1.1, label=label)
    ax_l.set_yscale("log")
    fit_log_axis(ax_l, curves, margin=1.3)
    ax_l.set_xlabel("epoch (15 batches of 20)")
    ax_l.set_ylabel("training loss (log scale)")
    ax_l.legend(fontsize=8, loc="best")             # off the curves (SGD's dip near epoch 164)
    ax_l.set_title("loss per epoch", fontsize=10)
    l03_relu.class_legend(axes[0], loc="lower left")
    l03_relu.map_colorbar(fig, image, list(axes[:k]))
    if title:
        fig.suptitle(title, fontsize=11)
    return fig


def layer_steps_figure(runs, last_epochs=None):
    """runs = [(label, model, history, colour)]: per weight matrix (fc1 = first), the mean
    |gradient| and the mean |change of a weight| per batch, averaged over the epochs (or the
    last ``last_epochs``), log axes. SGD's changes follow the gradients; Adam's do not."""
    fig, (ax_g, ax_c) = new_figure(1, 2, figsize=(9, 3.4))
    for i, (label, model, history, color) in enumerate(runs):
        rows = slice(-last_epochs, None) if last_epochs else slice(None)
        layers = np.arange(1, len(history.weight_names) + 1)
        style = dict(marker=RUN_MARKERS[i], ls=RUN_STYLES[i], color=color, label=label)
        ax_g.plot(layers, history.grad_mean_abs[rows].mean(axis=0), **style)
        ax_c.plot(layers, history.weight_change_mean_abs[rows].mean(axis=0), **style)
    names = runs[0][2].weight_names
    for ax, what in ((ax_g, "mean |dL/dW| per batch"), (ax_c, "mean |change of W| per batch")):
        ax.set_yscale("log")
        fit_log_axis(ax, [line.get_ydata() for line in ax.get_lines()], min_ratio=10)
        ax.set_xticks(np.arange(1, len(names) + 1))
        ax.set_xticklabels([name.replace("_weight", "") for name in names], fontsize=8)
        ax.set_xlabel("weight matrix (input side → output side)")
        ax.set_ylabel(what)
        ax.legend(fontsize=8)
    ax_g.set_title("the gradients", fontsize=10)
    ax_c.set_title("the steps the optimiser took", fontsize=10)
    fig.tight_layout()
    return fig


def trainer_figure(X, y, runs, per="epoch"):
    """Exercise 5b's runs (its ``lesson_runs``), drawn as lesson 03's: one decision map per
    run and their losses per epoch (``plots.l03_relu.trainer_figure``)."""
    return l03_relu.trainer_figure(X, y, runs, per)
