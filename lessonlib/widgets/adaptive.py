"""Lesson 05: adaptive learning rates. SGD, momentum, Adagrad, RMSProp and Adam side by side.

Builder (``__all__``): ``adaptive_explorer``, the five optimisers on two-parameter problems (a
quadratic valley 100 times steeper across than along, the same valley turned by 45 degrees, and
the b = (2, 3) sin-logistic loss with all points or mini-batches of 30 per step).

These helpers, re-exported here, make the lesson's static figures and experiments, the
non-interactive twins of the explorer:
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
``Quadratic``) live in ``lessonlib.recipes.l05_adaptive``, the figures and their helpers
(``rates_figure``, ``bias_correction_figure``, ``paths_figure``, ``valleys_figure``,
``rings_figure``, ``layer_steps_figure``, ``draw_surface``, ``drawable``, ``plain_log_axis``...)
in ``lessonlib.plots.l05_adaptive``; both are re-exported here. The problems ``Quadratic`` and
``SinLogistic`` stay here: they compute (gradient, loss, runs, surface) more than they draw.
"""
import numpy as np

from ..data import make_sin_logistic
from ..functions import sin_logistic_descend, sin_logistic_loss
from ..optim import descend
from ..plots.l02_momentum import LOSS_LEVELS
from ..plots.l05_adaptive import (LOSS_CEILING, LOSS_FLOOR, _SURFACES,  # noqa: F401
                                  _fit_loss_axis, bias_correction_figure, cached_surface,
                                  draw_surface, drawable, drawable_losses, layer_steps_figure,
                                  paths_figure, plain_log_axis, rates_figure, rings_figure,
                                  valleys_figure)
from ..recipes.l02_momentum import loss_surface
from ..recipes.l05_adaptive import (BOUND, RINGS_DEPTHS, RINGS_EPOCHS,  # noqa: F401
                                    RINGS_OPTIMIZERS, _quadratic, blew_up, effective_rates,
                                    load_rings_run, make_optimizer, mlp_as_vector,
                                    save_rings_runs, sin_logistic_path, train_rings)
from ._base import (Explorer, diverged_banner, dropdown, log_slider, mark_diverged, new_figure,
                    slider)

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
