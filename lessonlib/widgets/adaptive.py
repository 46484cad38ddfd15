"""Lesson 05: adaptive learning rates. SGD, momentum, Adagrad, RMSProp and Adam side by side.

Builder (``__all__``): ``adaptive_explorer``, the five optimisers on two-parameter problems (a
quadratic valley 100 times steeper across than along, the same valley turned by 45 degrees, and
the b = (2, 3) sin-logistic loss with all points or mini-batches of 30 per step).

The helpers below it make the lesson's static figures and experiments, the non-interactive twins
of the explorer:
- ``make_optimizer``; ``effective_rates`` and ``rates_figure`` (how the step size of Adagrad and
  RMSProp changes); ``bias_correction_figure`` (why Adam divides by 1 - beta^t);
- the problems ``Quadratic`` and ``SinLogistic`` (``make_problems``), ``paths_figure`` (runs on
  one loss contour, with their losses), ``valleys_figure`` (the same runs on the aligned and the
  turned valley), ``sin_logistic_path`` (a sin-logistic path without the loss at every step);
- ``train_rings``, ``rings_figure`` and ``layer_steps_figure`` (an MLP on the rings data: decision
  maps, losses, gradient and step size per layer), and ``mlp_as_vector`` (an MLP's parameters as
  one vector, so that a hand-written optimiser loop can train it).

The computations among them (``make_optimizer``, ``effective_rates``, ``sin_logistic_path``,
``train_rings``, ``RINGS_EPOCHS``, ``RINGS_OPTIMIZERS``, ``RINGS_DEPTHS``, ``save_rings_runs``,
``load_rings_run``, ``mlp_as_vector``, ``blew_up``, ``BOUND``, and ``_quadratic``, the matrix of
``Quadratic``) live in ``lessonlib.recipes.l05_adaptive`` and are re-exported here.
"""
import numpy as np

from .. import plots
from ..data import make_sin_logistic
from ..functions import sin_logistic_descend, sin_logistic_loss
from ..optim import descend
from ..recipes.l02_momentum import loss_surface
from ..recipes.l05_adaptive import (BOUND, RINGS_DEPTHS, RINGS_EPOCHS,  # noqa: F401
                                    RINGS_OPTIMIZERS, _quadratic, blew_up, effective_rates,
                                    load_rings_run, make_optimizer, mlp_as_vector,
                                    save_rings_runs, sin_logistic_path, train_rings)
from ._base import (Explorer, diverged_banner, dropdown, log_slider, mark_diverged, new_figure,
                    slider)
from .descent import LOSS_LEVELS

__all__ = ["adaptive_explorer"]

# name -> (label, colour, which of the explorer's beta sliders the optimiser reads); the names
# are recipes.l05_adaptive.OPTIMIZER_NAMES, those make_optimizer knows, in the same order
OPTIMIZERS = {
    "sgd": ("SGD", "#ff7f0e", ()),
    "momentum": ("SGD + momentum", "#1f77b4", ("β1 (as the momentum ρ)",)),
    "adagrad": ("Adagrad", "#2ca02c", ()),
    "rmsprop": ("RMSProp", "#9467bd", ("β2 (as its β)",)),
    "adam": ("Adam", "#d62728", ("β1", "β2")),
}
LOSS_FLOOR = 1e-12          # quadratic losses are drawn on a log axis: smaller ones sit here


def plain_log_axis(ax, subs=(1.0, 2.0, 5.0)):
    """Label a log y axis with plain numbers at 1, 2 and 5 times the powers of ten."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter
    ax.yaxis.set_major_locator(LogLocator(base=10, subs=subs))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_minor_formatter(NullFormatter())


# ---------------------------------------------------------------- one parameter: step sizes

def rates_figure(runs, log_x=False, title=None):
    """runs: [(label, path, rates, colour)]. Left: x_t against t (|x_t| on a log axis when
    log_x); right: the effective learning rate per update, log axis."""
    fig, (ax_x, ax_r) = new_figure(1, 2, figsize=(10, 3.6))
    for label, path, rates, color in runs:
        t = np.arange(len(path))
        ax_x.plot(t, np.abs(path) if log_x else path, "o-", ms=2.5, lw=1, color=color,
                  label=label)
        ax_r.plot(np.arange(1, len(rates) + 1), rates, "o-", ms=2.5, lw=1, color=color,
                  label=label)
    if log_x:
        ax_x.set_yscale("log")
        ax_x.set_ylabel("|x_t|, log scale")
    else:
        ax_x.axhline(0.0, color="0.6", lw=0.8, zorder=0)
        ax_x.set_ylabel("x_t")
    ax_x.set_xlabel("step t")
    ax_x.set_title("where x is after t updates", fontsize=10)
    ax_r.set_yscale("log")
    plain_log_axis(ax_r)
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
    fig, (ax_m, ax_s) = new_figure(1, 2, figsize=(10, 3.6))
    ax_m.plot(t, m, color="#d62728", lw=1.8, label=f"m_t (β1 = {beta1:g})")
    ax_m.plot(t, np.sqrt(n), color="#1f77b4", lw=1.8, label=f"√n_t (β2 = {beta2:g})")
    ax_m.plot(t, np.ones_like(t, dtype=float), color="0.3", lw=1.5, ls="--",
              label="m̂_t and √n̂_t (corrected)")
    ax_m.set_ylim(0, 1.1)
    ax_m.set_title("the moments for a gradient that is always 1", fontsize=10)
    ax_m.set_ylabel("value")
    ratio = m / np.sqrt(n)
    ax_s.plot(t, ratio, color="#ff7f0e", lw=1.8, label="without correction: m_t / √n_t")
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


# ---------------------------------------------------------------- two parameters

class Quadratic:
    """f(b) = b^T A b / 2: by default a valley whose walls are 100 times steeper across (b2)
    than along (b1), turned by angle_deg."""

    log_loss = True

    def __init__(self, label, curvatures=(1.0, 100.0), angle_deg=0.0, start=(-4.0, 1.0),
                 xlim=(-4.6, 1.6), ylim=(-3.1, 3.1)):
        self.label = label
        self.A, R = _quadratic(curvatures, angle_deg)
        self.start = tuple(R @ np.asarray(start))
        self.xlim, self.ylim = xlim, ylim
        self.target, self.best = (0.0, 0.0), 0.0
        self.curvatures, self.angle_deg = curvatures, angle_deg
        self.short = "turned" if angle_deg else "aligned"

    def grad(self, b):
        return self.A @ b

    def loss(self, path):
        path = np.asarray(path, dtype=np.float64)
        return 0.5 * np.einsum("ti,ij,tj->t", path, self.A, path)

    def run(self, optimizer, steps):
        path = descend(self.grad, self.start, optimizer, steps)
        with np.errstate(all="ignore"):
            return path, self.loss(path)

    def surface(self):
        b1 = np.linspace(*self.xlim, 121)
        b2 = np.linspace(*self.ylim, 121)
        B1, B2 = np.meshgrid(b1, b2)
        L = self.loss(np.column_stack([B1.ravel(), B2.ravel()])).reshape(B1.shape)
        levels = np.geomspace(0.01, 1000.0, 16)
        return B1, B2, L, levels

    def contour_style(self):
        from matplotlib.colors import LogNorm
        return dict(cmap="viridis", norm=LogNorm(0.01, 1000.0), extend="both")


class SinLogistic:
    """The loss of logit(p) = sin(b1 x1 x2 + b2 x2) on the b = (2, 3) data, from b = (0, 0),
    with all the points (batch_size None) or a mini-batch per step."""

    log_loss = False

    def __init__(self, label, batch_size=None, seed=0, true_b=(2.0, 3.0)):
        self.label = label
        self.batch_size = batch_size
        self.seed = seed
        self.X, self.y = make_sin_logistic(*true_b, seed=seed)
        self.start = (0.0, 0.0)
        self.xlim = self.ylim = (-2.5, 3.5)
        self.target = true_b
        self.best = sin_logistic_loss(true_b, self.X, self.y)

    def run(self, optimizer, steps):
        return sin_logistic_descend(self.X, self.y, optimizer, steps, b0=self.start,
                                    batch_size=self.batch_size, seed=self.seed)

    def surface(self):
        grid = np.linspace(self.xlim[0], self.xlim[1], 97)
        B1, B2 = np.meshgrid(grid, grid)
        return B1, B2, loss_surface(self.X, self.y, grid, grid), LOSS_LEVELS

    def contour_style(self):
        return dict(cmap="viridis", vmin=LOSS_LEVELS[0], vmax=LOSS_LEVELS[-1], extend="both")


def make_problems(seed=0):
    return {
        "valley": Quadratic("the valley f = (b1² + 100 b2²)/2"),
        "tilted": Quadratic("the same valley turned by 45°", angle_deg=45.0,
                            xlim=(-4.6, 1.6), ylim=(-4.1, 2.1)),
        "sin_full": SinLogistic("sin-logistic loss, b = (2, 3) data, all 1000 points per step",
                                seed=seed),
        "sin_batch": SinLogistic("sin-logistic loss, b = (2, 3) data, batches of 30",
                                 batch_size=30, seed=seed),
    }


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
    (nan); on a log axis, losses below LOSS_FLOOR are drawn at the floor."""
    losses = np.array(losses, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        bad = ~(np.abs(losses) <= LOSS_CEILING)             # also true for nan
    if bad.any():
        k = int(np.argmax(bad))
        losses[k] = LOSS_CEILING
        losses[k + 1:] = np.nan
    if log:
        with np.errstate(invalid="ignore"):
            losses = np.maximum(losses, LOSS_FLOOR)
    return losses


def _fit_loss_axis(ax, curves, log, best=None):
    values = np.concatenate([np.asarray(c, dtype=np.float64) for c in curves] +
                            ([np.array([best])] if best is not None and not log else []))
    values = values[np.isfinite(values)]
    if not values.size:
        values = np.array([1.0])
    lo, hi = values.min(), values.max()
    if log:
        lo, hi = max(lo, LOSS_FLOOR), max(hi, 10 * max(lo, LOSS_FLOOR))
        ax.set_ylim(lo / 3, hi * 3)
    else:
        pad = max(0.05 * (hi - lo), 0.005)
        ax.set_ylim(lo - pad, hi + pad)


_SURFACES = {}


def cached_surface(problem):
    """problem.surface(), computed once per kind of problem and data (the two sin-logistic
    problems share theirs)."""
    key = (type(problem).__name__, problem.xlim, problem.ylim,
           getattr(problem, "seed", None), getattr(problem, "angle_deg", None))
    if key not in _SURFACES:
        _SURFACES[key] = problem.surface()
    return _SURFACES[key]


def draw_surface(ax, problem):
    """Filled contour and contour lines of a problem's loss on ax; returns the artists."""
    B1, B2, L, levels = cached_surface(problem)
    style = problem.contour_style()
    filled = ax.contourf(B1, B2, L, levels=levels, zorder=1, **style)
    lines = ax.contour(B1, B2, L, levels=levels, colors="k", linewidths=0.3, alpha=0.4, zorder=2)
    ax.set_xlim(*problem.xlim)
    ax.set_ylim(*problem.ylim)
    ax.set_aspect("equal", adjustable="box")     # every map is square: 45° looks like 45°
    return [filled, lines]


def paths_figure(problem, runs, steps_label="iteration"):
    """Several runs on one problem: runs = [(label, path, losses, colour)]. Left: the loss
    contour with every path (white circle: the start, star: the target); right: each run's loss
    (on all the data) per iteration, with the loss at the target dotted."""
    fig, (ax_c, ax_l) = new_figure(1, 2, figsize=(10, 4.3), width_ratios=(1, 1.4))
    draw_surface(ax_c, problem)
    for label, path, losses, color in runs:
        drawn = drawable(path)
        ax_c.plot(drawn[:, 0], drawn[:, 1], "-", color=color, lw=1.2, alpha=0.9, zorder=3,
                  label=label)
        last = drawn[np.isfinite(drawn).all(axis=1)][-1]
        ax_c.plot(*last, "o", color=color, mec="k", ms=7, zorder=5)
        ax_l.plot(np.arange(len(losses)), drawable_losses(losses, problem.log_loss), color=color,
                  lw=1.2, label=label)
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
    fig, axes = new_figure(1, k + 1, figsize=(3.9 * k + 4.4, 3.9), width_ratios=[1] * k + [1.3])
    ax_l = axes[-1]
    styles = ["-", "--", ":"]
    curves = []
    for j, (ax, problem) in enumerate(zip(axes, problems)):
        draw_surface(ax, problem)
        for i, (label, make, color) in enumerate(runs):
            path, losses = problem.run(make(), 100)
            drawn = drawable(path)
            # later runs on top, thicker, so that a path hidden in a zig-zag still shows
            ax.plot(drawn[:, 0], drawn[:, 1], "o-", color=color, ms=2.5 + i, lw=0.9 + 0.8 * i,
                    alpha=0.85, zorder=3 + i, label=label)
            shown = drawable_losses(losses, True)
            curves.append(shown)
            ax_l.plot(np.arange(len(shown)), shown, styles[j], color=color, lw=1.3,
                      label=f"{label}, {problem.short}")
        ax.plot(*problem.start, "o", mfc="white", mec="k", ms=7, zorder=6)
        ax.plot(0, 0, "*", color="white", mec="k", ms=13, zorder=6)
        ax.set_title(problem.label, fontsize=10)
        ax.set_xlabel("b1")
        ax.set_ylabel("b2")
    axes[0].legend(loc="lower right", fontsize=8, framealpha=0.85)
    ax_l.set_yscale("log")
    _fit_loss_axis(ax_l, curves, True)
    ax_l.set_xlabel("step")
    ax_l.set_ylabel("loss (log scale)")
    ax_l.legend(fontsize=7.5, loc="lower left")
    ax_l.set_title("loss per step", fontsize=10)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------- the MLP on the rings

def rings_figure(X, y, runs, title=None):
    """runs = [(label, model, history, colour)]: one decision map per run, then all the loss
    curves (mean training loss per epoch, log axis) on one axis."""
    k = len(runs)
    fig, axes = new_figure(1, k + 1, figsize=(3.9 * k + 4.6, 3.7),
                           width_ratios=[1] * k + [1.3])
    ax_l = axes[-1]
    curves = []
    for ax, (label, model, history, color) in zip(axes, runs):
        plots.decision_map(ax, X, y, lambda G, m=model: plots.class1_proba(m, G))
        ax.set_title(f"{label}\naccuracy {model.score(X, y):.0%}", fontsize=9)
        losses = np.where(np.isfinite(history.loss), history.loss, np.nan)
        curves.append(losses)
        ax_l.plot(np.arange(1, len(losses) + 1), losses, color=color, lw=1.2, label=label)
    ax_l.set_yscale("log")
    values = np.concatenate(curves)
    values = values[np.isfinite(values) & (values > 0)]
    if values.size:
        ax_l.set_ylim(values.min() / 1.5, values.max() * 1.5)
    plain_log_axis(ax_l)
    ax_l.set_xlabel("epoch (15 batches of 20)")
    ax_l.set_ylabel("training loss (log scale)")
    ax_l.legend(fontsize=8, loc="lower left")
    ax_l.set_title("loss per epoch", fontsize=10)
    if title:
        fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    return fig


def layer_steps_figure(runs, last_epochs=None):
    """runs = [(label, model, history, colour)]: per weight matrix (fc1 = first), the mean
    |gradient| and the mean |change of a weight| per batch, averaged over the epochs (or the
    last ``last_epochs``), log axes. SGD's changes follow the gradients; Adam's do not."""
    fig, (ax_g, ax_c) = new_figure(1, 2, figsize=(10, 3.6))
    for label, model, history, color in runs:
        rows = slice(-last_epochs, None) if last_epochs else slice(None)
        layers = np.arange(1, len(history.weight_names) + 1)
        ax_g.plot(layers, history.grad_mean_abs[rows].mean(axis=0), "o-", color=color,
                  label=label)
        ax_c.plot(layers, history.weight_change_mean_abs[rows].mean(axis=0), "o-", color=color,
                  label=label)
    names = runs[0][2].weight_names
    for ax, what in ((ax_g, "mean |dL/dW| per batch"), (ax_c, "mean |change of W| per batch")):
        ax.set_yscale("log")
        ax.set_xticks(np.arange(1, len(names) + 1))
        ax.set_xticklabels([name.replace("_weight", "") for name in names], fontsize=8)
        ax.set_xlabel("weight matrix (input side → output side)")
        ax.set_ylabel(what)
        ax.legend(fontsize=8)
    ax_g.set_title("the gradients", fontsize=10)
    ax_c.set_title("the steps the optimiser took", fontsize=10)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------- the explorer

PROBLEM_CHOICES = [("valley, 100 times steeper across than along", "valley"),
                   ("the same valley, turned by 45°", "tilted"),
                   ("sin-logistic b = (2, 3), all points", "sin_full"),
                   ("sin-logistic b = (2, 3), batches of 30", "sin_batch")]


def adaptive_explorer(problem="valley", optimizer="adam", lr=0.1, beta1=0.9, beta2=0.999,
                      steps=100, seed=0):
    """One optimiser at a time on a two-parameter problem: its path on the loss contour and its
    loss per step. The previous setting's path and loss stay in grey for comparison."""
    problems = make_problems(seed)
    fig, (ax_c, ax_l) = new_figure(1, 2, figsize=(10, 4.4), width_ratios=(1, 1.4))
    (prev_path,) = ax_c.plot([], [], "-", color="0.85", lw=1.2, zorder=3, label="previous")
    (path_line,) = ax_c.plot([], [], "o-", color="#d62728", ms=2, lw=1.2, zorder=4,
                             label="this run")
    (end_point,) = ax_c.plot([], [], "o", color="#d62728", mec="k", ms=7, zorder=5)
    (start_point,) = ax_c.plot([], [], "o", mfc="white", mec="k", ms=7, zorder=6, label="start")
    (star,) = ax_c.plot([], [], "*", color="white", mec="k", ms=14, zorder=6, label="minimum")
    ax_c.set_xlabel("b1")
    ax_c.set_ylabel("b2")
    c_title = ax_c.set_title("problem", fontsize=10)
    (prev_loss,) = ax_l.plot([], [], color="0.7", lw=1.2, label="previous")
    (loss_line,) = ax_l.plot([], [], color="#d62728", lw=1.5, label="this run")
    best_line = ax_l.axhline(0.0, color="0.3", ls=":", lw=1, label="at the true b")
    ax_l.set_xlabel("step")
    ax_l.set_ylabel("loss")
    l_title = ax_l.set_title("loss\n(placeholder)", fontsize=10)
    banner = diverged_banner(ax_c)
    banner.set_fontsize(10)
    fig.tight_layout()
    state = {"problem": None, "surface": [], "last": None}

    def show_problem(key):
        spec = problems[key]
        for artist in state["surface"]:
            artist.remove()
        state["surface"] = draw_surface(ax_c, spec)
        start_point.set_data([spec.start[0]], [spec.start[1]])
        star.set_data([spec.target[0]], [spec.target[1]])
        star.set_label("minimum" if spec.log_loss else "true b")
        prev_path.set_data([], [])
        prev_loss.set_data([], [])
        loss_line.set_data([], [])
        scale = "log" if spec.log_loss else "linear"
        if ax_l.get_yscale() != scale:
            ax_l.set_ylim(0.1, 1.0)         # valid on both scales while switching
            ax_l.set_yscale(scale)
        best_line.set_visible(not spec.log_loss)
        best_line.set_ydata([spec.best, spec.best])
        c_title.set_text(spec.label)
        state["problem"], state["last"] = key, None

    def update(problem, optimizer, lr, beta1, beta2, steps, progress=None):
        if state["problem"] != problem:
            show_problem(problem)
        spec = problems[problem]
        label, color, uses = OPTIMIZERS[optimizer]
        path, losses = spec.run(make_optimizer(optimizer, lr, beta1, beta2), steps)
        drawn = drawable(path)
        shown = drawable_losses(losses, spec.log_loss)
        has_prev = state["last"] is not None
        if has_prev:
            prev_path.set_data(*state["last"][0].T)
            prev_loss.set_data(np.arange(len(state["last"][1])), state["last"][1])
        state["last"] = (drawn, shown)
        path_line.set_data(drawn[:, 0], drawn[:, 1])
        path_line.set_color(color)
        finite = drawn[np.isfinite(drawn).all(axis=1)]
        end_point.set_data(finite[-1:, 0], finite[-1:, 1])
        end_point.set_color(color)
        loss_line.set_data(np.arange(len(shown)), shown)
        loss_line.set_color(color)
        # legends copy their handles' looks: rebuild them, with only the curves there are
        ax_c.legend(handles=[prev_path] * has_prev + [path_line, start_point, star],
                    loc="lower right", fontsize=8, framealpha=0.85)
        ax_l.legend(handles=[prev_loss] * has_prev + [loss_line] +
                    [best_line] * best_line.get_visible(), fontsize=8, loc="upper right")
        ax_l.set_xlim(0, steps)
        _fit_loss_axis(ax_l, [shown, prev_loss.get_ydata()], spec.log_loss,
                       None if spec.log_loss else spec.best)
        gone = blew_up(path)
        inside = ((path[:, 0] >= spec.xlim[0]) & (path[:, 0] <= spec.xlim[1])
                  & (path[:, 1] >= spec.ylim[0]) & (path[:, 1] <= spec.ylim[1]))
        left = not gone and not bool(inside.all())
        b = path[-1]
        if gone:
            mark_diverged(ax_c, banner, True, "Diverged: each step overshoots\n"
                                              "further than the last")
            banner.set_position((0.5, 0.5))
            result = "diverged"
        else:
            mark_diverged(ax_c, banner, left, f"The path left the map\n"
                                              f"(it ends at b = ({b[0]:.3g}, {b[1]:.3g}))")
            banner.set_position((0.5, 0.88))
            final = f"{losses[-1]:.3g}" if spec.log_loss else f"{losses[-1]:.4f}"
            result = f"loss {final} at b = ({b[0]:.2f}, {b[1]:.2f})"
        hyper = {"sgd": "", "momentum": f", ρ = β1 = {beta1:.2f}", "adagrad": "",
                 "rmsprop": f", β = β2 = {beta2:.3f}",
                 "adam": f", β1 {beta1:.2f}, β2 {beta2:.3f}"}[optimizer]
        unused = [name for name in ("β1", "β2") if not any(name in u for u in uses)]
        note = f"  ({' and '.join(unused)} not used)" if unused else ""
        l_title.set_text(f"{label}, lr {lr:.3g}{hyper}{note}\nafter {steps} steps: {result}")

    controls = {
        "problem": dropdown("problem", PROBLEM_CHOICES, problem),
        "optimizer": dropdown("optimiser", [(v[0], k) for k, v in OPTIMIZERS.items()], optimizer),
        "lr": log_slider("learning rate", lr, -3, 0, step=0.05),
        "beta1": slider("β1", beta1, 0.0, 0.99, 0.01),
        "beta2": slider("β2", beta2, 0.5, 0.999, 0.001, readout_format=".3f"),
        "steps": slider("steps", steps, 10, 1000, 10),
    }
    return Explorer(controls, fig, update,
                    title="Five optimisers on two-parameter problems (β1: the momentum ρ of "
                          "SGD + momentum and Adam's β1; β2: RMSProp's β and Adam's β2; "
                          "SGD and Adagrad use neither)")
