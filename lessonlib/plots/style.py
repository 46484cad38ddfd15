"""Drawing functions shared by the lessons. Each draws onto a given Axes and returns the
artists it made, so an explorer can later change their data instead of redrawing.
``new_figure`` makes a figure that is not shown until it is placed; ``RunComparison``,
``diverged_banner`` and ``mark_diverged`` are the loss-axis helpers the explorers share."""
import numpy as np

CLASS_COLORS = ("#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b",
                "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")
PATH_COLOR = "#aa0000"     # momentum's paths (lessons 01, 02)
GD_COLOR = "#1f77b4"       # plain gradient descent's paths (lessons 00, 01, 02)
LN3 = float(np.log(3.0))    # the cross-entropy of guessing 1/3 for each of three classes (iris)
LOSS_FLOOR = 1e-4           # loss axes are logarithmic: smaller losses are drawn here
GRAD_FLOOR = 1e-12          # the same for gradients (a dead layer's gradient is exactly 0)


def function_with_path(ax, f, xs, path=None, color=GD_COLOR):
    """f over xs, and (optionally) an optimiser's path of x values drawn on it.
    Returns (curve, path_line, end_point)."""
    (curve,) = ax.plot(xs, f(xs), color="0.3", lw=1.5)
    (path_line,) = ax.plot([], [], "o-", color=color, ms=3, lw=1, alpha=0.8)
    (end_point,) = ax.plot([], [], "o", color=color, ms=8)
    if path is not None:
        set_path(path_line, end_point, path, f)
    ax.set_xlabel("x")
    ax.set_ylabel("f(x)")
    return curve, path_line, end_point


def set_path(path_line, end_point, path, f):
    """Move a drawn path to new x values (non-finite iterates are dropped)."""
    path = np.asarray(path, dtype=np.float64)
    finite = path[np.isfinite(path)]
    with np.errstate(all="ignore"):
        ys = f(finite)
    path_line.set_data(finite, ys)
    end_point.set_data(finite[-1:], ys[-1:])


def grid_2d(X, n=100, margin=0.0):
    """A (n, n) grid over X's bounding box -> (g1, g2, points (n*n, 2))."""
    lo, hi = X.min(axis=0) - margin, X.max(axis=0) + margin
    g1, g2 = np.linspace(lo[0], hi[0], n), np.linspace(lo[1], hi[1], n)
    G1, G2 = np.meshgrid(g1, g2)
    return g1, g2, np.column_stack([G1.ravel(), G2.ravel()])


def decision_map(ax, X, y, proba_of_class1=None, n=100):
    """The probability of class 1 as an image behind the labelled points.
    Returns (image, grid_points, grid_shape): update with image.set_data(p.reshape(shape))."""
    g1, g2, grid = grid_2d(X, n)
    values = np.full((n, n), 0.5) if proba_of_class1 is None else proba_of_class1(grid).reshape(n, n)
    image = ax.imshow(values, origin="lower", extent=(g1[0], g1[-1], g2[0], g2[-1]),
                      cmap="coolwarm_r", vmin=0, vmax=1, aspect="auto", alpha=0.55)
    ax.scatter(X[:, 0], X[:, 1], c=[CLASS_COLORS[k] for k in y], s=8, lw=0)
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    return image, grid, (n, n)


def class1_proba(model, points):
    """p(class 1) of a two-class model on points, for ``decision_map``; 0.5 where the output
    is not finite (a diverged run)."""
    p = model.predict_proba(points)[:, 1]
    return np.where(np.isfinite(p), p, 0.5)


def loss_curve(ax, losses=(), label=None, **style):
    """A loss-per-step line; returns it (update with set_data, then rescale_to_data)."""
    (line,) = ax.plot(np.arange(len(losses)), losses, label=label, **style)
    ax.set_xlabel("step")
    ax.set_ylabel("cross-entropy loss")
    return line


def rescale_to_data(ax, log_y=False):
    """Fit the axes to their (finite) line data after set_data."""
    ax.relim()
    ax.autoscale_view()
    if log_y:
        ax.set_yscale("log")


def axis_end(n):
    """n rounded up to one significant digit (29 -> 30, 350 -> 400, 1000 -> 1000): where an
    explorer's step axis ends, so that most moves of a steps slider keep the limits (a new
    limit redraws the whole figure, a kept one only the curves)."""
    n = max(float(n), 1.0)
    unit = 10.0 ** np.floor(np.log10(n))
    return float(np.ceil(n / unit - 1e-9) * unit)


def holds(limits, needed, slack, log=False):
    """True if ``limits`` (lo, hi) contain ``needed`` with at most ``slack`` to spare at either
    end (a factor on a log axis). An explorer keeps an axis that still holds its new curve:
    a kept axis lets the figure be blitted, a new one redraws it whole; the slack stops a
    curve from sitting in a corner of limits made for an earlier, much larger one."""
    (lo, hi), (need_lo, need_hi) = limits, needed
    if not (lo <= need_lo and need_hi <= hi):
        return False
    if log:
        return need_lo / lo <= slack and hi / need_hi <= slack
    return need_lo - lo <= slack and hi - need_hi <= slack


def fit_step_axis(ax, steps, pad=0.0, most=None):
    """x limits of an explorer's step axis, from -pad to a round end + pad. The end is kept
    while it holds ``steps`` with the curve over at least half of the axis; a new one is
    ``axis_end(1.2 * steps)`` (room for a few more steps), at most ``most`` (the slider's
    largest value). Most moves of a steps slider then keep the axis (a blit), instead of every
    crossing of a round number (a full redraw)."""
    lo, hi = ax.get_xlim()
    end = hi - pad
    if lo == -pad and steps <= end <= 2 * max(steps, 1) and (most is None or end <= most):
        return
    end = axis_end(1.2 * steps)
    ax.set_xlim(-pad, (max(min(end, most), steps) if most is not None else end) + pad)


def _snap_125(value, up):
    """The nearest of 1, 2, 5 times a power of ten below (or above, ``up``) ``value`` > 0."""
    power = 10.0 ** np.floor(np.log10(value))
    steps = np.array([1.0, 2.0, 5.0, 10.0]) * power
    return float(steps[steps >= value * (1 - 1e-12)][0] if up
                 else steps[steps <= value * (1 + 1e-12)][-1])


def kept_limits(fig):
    """The axes' limits of ``fig`` as they are now (with ``fit_log_axis``'s record of what it
    fitted): call the result to put them back, e.g. after drawing another state of the figure."""
    saved = [(ax, ax.get_xlim(), ax.get_ylim(), getattr(ax, "_fitted_log_limits", None))
             for ax in fig.axes]

    def restore():
        for ax, xlim, ylim, fitted in saved:
            ax.set_xlim(xlim)
            ax.set_ylim(ylim)
            ax._fitted_log_limits = fitted
    return restore


def short_log_label(value, _position=None):
    """A log axis's tick label: Python's shortest form ("0.002", "50"), with its exponent
    written short where it has one ("2e31" and "1e-5" for "2e+31" and "1e-05": the wide form
    crowds the axis's own label)."""
    text = f"{value:g}"
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    return f"{mantissa}e{int(exponent)}"


def fit_log_axis(ax, arrays, floor=0.0, min_ratio=10.0, margin=1.6, include_floor=False,
                 snap=False):
    """y limits of a log axis around the finite values above ``floor`` in ``arrays``, spanning
    at least ``min_ratio`` (so that a power of ten is labelled) and ``margin`` times wider on
    each side; down to the floor itself when ``include_floor`` and some value sits on it.
    Labels: short plain numbers (``short_log_label``) at 1, 2 and 5 times the powers of ten over
    a short range, at the powers over a long one, and 10^k beyond four decades; minor ticks
    unlabelled.
    ``snap`` widens the limits to 1, 2 or 5 times a power of ten, and keeps the limits in
    place while they hold the values with at most a decade to spare at either end, so that an
    explorer's next curve mostly keeps them (no redraw of the axis: a blitting explorer stays
    a blit)."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter
    values = np.concatenate([np.asarray(a, dtype=np.float64).ravel() for a in arrays]) \
        if len(arrays) else np.array([])
    values = values[np.isfinite(values)]
    above = values[values > floor]
    if above.size:
        lo, hi = above.min(), above.max()
    else:
        lo, hi = (floor, floor) if floor > 0 else (0.01, 1.0)
    if include_floor and (values <= floor).any():
        lo = floor
    if hi / lo < min_ratio:
        centre = np.sqrt(lo * hi)
        lo, hi = centre / np.sqrt(min_ratio), centre * np.sqrt(min_ratio)
    lo, hi = lo / margin, hi * margin
    fitted = getattr(ax, "_fitted_log_limits", None) == ax.get_ylim()
    if snap and fitted and holds(ax.get_ylim(), (lo, hi), slack=10.0, log=True):
        return                 # within a decade of what is shown: keep it (see ``holds``)
    if snap:
        lo, hi = _snap_125(lo, up=False), _snap_125(hi, up=True)
    if fitted and ax.get_ylim() == (lo, hi):
        return
    ax.set_ylim(lo, hi)
    ax._fitted_log_limits = (lo, hi)
    decades = np.log10(hi / lo)
    subs = (1.0, 2.0, 5.0) if decades <= 2.5 else (1.0,)
    ax.yaxis.set_major_locator(LogLocator(base=10, subs=subs, numticks=12))
    if decades <= 4:
        ax.yaxis.set_major_formatter(FuncFormatter(short_log_label))
    else:
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"$10^{{{np.log10(v):.0f}}}$"))
    ax.yaxis.set_minor_formatter(NullFormatter())


def gradient_curves(ax, history, log=True):
    """One line per weight matrix: mean |gradient| per epoch (the seed-001 figure).
    Returns the lines, in history.weight_names order."""
    grads = np.maximum(history.grad_mean_abs, 1e-12)       # log scale needs positive values
    colors = layer_colors(len(history.weight_names))
    lines = [ax.plot(np.arange(1, len(grads) + 1), grads[:, j], color=colors[j], lw=1.2,
                     label=name)[0] for j, name in enumerate(history.weight_names)]
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("mean |gradient|")
    return lines


# The colour of a layer by its depth, first to output: viridis (colour-blind safe, and its
# lightness rises with depth), stopped short of its last pale yellow, which is hard to see on white.
LAYER_CMAP_RANGE = (0.0, 0.88)


def layer_cmap():
    """The layer colour map (viridis over LAYER_CMAP_RANGE)."""
    import matplotlib
    from matplotlib.colors import ListedColormap
    lo, hi = LAYER_CMAP_RANGE
    return ListedColormap(matplotlib.colormaps["viridis"](np.linspace(lo, hi, 256)),
                          name="layer_depth")


def layer_color(position):
    """The colour of a layer at ``position`` in [0, 1] (0 the first layer, 1 the output)."""
    import matplotlib
    lo, hi = LAYER_CMAP_RANGE
    return matplotlib.colormaps["viridis"](lo + (hi - lo) * float(position))


def layer_colors(n):
    """n colours from the first layer to the output layer."""
    return [layer_color(i / max(n - 1, 1)) for i in range(n)]


def layer_colorbar(fig, ax, n_weights=None):
    """The colour bar of the layer colours beside ``ax``, its ends naming the first and the last
    weight matrix (fc1 ... fc{n_weights}, or just "output" when the depth is not known yet)."""
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize
    bar = fig.colorbar(ScalarMappable(Normalize(0, 1), cmap=layer_cmap()), ax=ax, ticks=[0, 1],
                       fraction=0.05, pad=0.02)
    label_layer_colorbar(bar, n_weights)
    return bar


def label_layer_colorbar(bar, n_weights=None):
    """Name the ends of a layer colour bar (again, when the number of weight matrices changes)."""
    last = "output" if n_weights is None else f"fc{n_weights}\n(output)"
    bar.ax.set_yticklabels(["fc1\n(input)", last], fontsize=8)


TIGHT_PAD_IN = 0.1      # matplotlib's pad around a tight bounding box, in inches


def show(fig, dpi=90):
    """Show a figure that will not change as one PNG image and release it.

    Under the ipympl backend a figure shown as its canvas is stored three times in the notebook
    (image, HTML fallback, widget state); a static figure needs none of that interactivity."""
    import io

    import matplotlib.pyplot as plt
    from IPython.display import Image, display
    buf = io.BytesIO()
    # JupyterLab shows a PNG at its pixel size: one wider than MAX_FIGURE_PX is cut off on a
    # laptop (STYLE.md 1b), so a wide figure is saved at a lower dpi (the same layout, smaller)
    width_in = fig.get_tightbbox(fig.canvas.get_renderer()).width + 2 * TIGHT_PAD_IN
    dpi = min(dpi, 0.99 * MAX_FIGURE_PX / width_in)    # 1 %: text extents vary with dpi
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", pad_inches=TIGHT_PAD_IN)
    plt.close(fig)
    display(Image(data=buf.getvalue()))


# JupyterLab's output area on a 1280-pixel screen with the file browser open (the house style);
# ipympl draws a canvas at its full pixel size, so a wider one would be cut off on the right.
# (Not a speed win: Agg's draw time of an explorer is mostly its text, the same at 920 px.)
MAX_FIGURE_PX = 820


def new_figure(nrows=1, ncols=1, figsize=(9, 3.6), **subplot_kw):
    """A figure that is not shown until an explorer places it. Returns (fig, axes).
    A figure wider than MAX_FIGURE_PX at 100 dpi gets a lower dpi: the same layout, smaller."""
    import matplotlib.pyplot as plt
    dpi = min(100.0, MAX_FIGURE_PX / figsize[0])
    # A fixed title height spares matplotlib measuring every tick label to place the titles on
    # each redraw (about 15 % of a slider's redraw; the same pixels: no labels sit on top).
    with plt.ioff(), plt.rc_context({"axes.titley": 1.0}):
        fig, axes = plt.subplots(nrows, ncols, figsize=figsize, dpi=dpi, **subplot_kw)
    canvas = fig.canvas
    for attr, value in (("header_visible", False), ("footer_visible", False),
                        ("toolbar_visible", False), ("resizable", False)):
        if hasattr(canvas, attr):           # ipympl's canvas options; absent under Agg
            setattr(canvas, attr, value)
    return fig, axes


class RunComparison:
    """On a loss (or accuracy) axis: this run's curve and, in grey, the previous run's, with a
    legend naming the previous one's settings. Training explorers show every new run with
    ``show``. Until a previous run exists the legend names this run's lines alone (an empty grey
    entry would promise a curve that is not there).

    ``kinds``, optional: several curves per run, each a (name, line style) pair, for example
    ``(("training", "--"), ("test", "-"))``; ``show`` then takes one y array per kind, the
    legend names every line ("this run: training", ..., "previous: test") and its title names
    the previous run's settings. ``current`` and ``previous`` are the first kind's lines;
    ``current_lines`` and ``previous_lines`` hold all of them."""

    def __init__(self, ax, color, *, lw=2.0, previous_style=None, loc="lower left",
                 kinds=None):
        style = {"color": "0.7", "lw": 1.5, **(previous_style or {})}
        self._kinds = None if kinds is None else [(str(name), ls) for name, ls in kinds]
        if self._kinds is None:
            (self.previous,) = ax.plot([], [], label="previous run", **style)
            (self.current,) = ax.plot([], [], color=color, lw=lw, label="this run")
            self.previous_lines, self.current_lines = [self.previous], [self.current]
        else:
            if not self._kinds:
                raise ValueError("kinds must name at least one curve, e.g. "
                                 "(('training', '--'), ('test', '-')); got none")
            self.current_lines = [ax.plot([], [], color=color, lw=lw, ls=ls,
                                          label=f"this run: {name}")[0]
                                  for name, ls in self._kinds]
            self.previous_lines = [ax.plot([], [], **{**style, "ls": ls},
                                           label=f"previous: {name}")[0]
                                   for name, ls in self._kinds]
            self.previous, self.current = self.previous_lines[0], self.current_lines[0]
        self._ax, self._loc = ax, loc
        self._label = self._previous_label = None
        self._draw_legend()

    def _draw_legend(self):
        """A fresh legend: this run's lines, and the previous run's once it has any points."""
        has_previous = len(self.previous.get_xdata()) > 0
        lines = self.current_lines + self.previous_lines * has_previous
        if self._kinds is None:
            lines = lines[::-1]                 # "previous: ..." above "this run"
            if has_previous:
                self.previous.set_label(f"previous: {self._previous_label}")
        self.legend = self._ax.legend(handles=lines, fontsize=8, loc=self._loc)
        if self._kinds is not None and has_previous:
            self.legend.set_title(f"previous run: {self._previous_label}", prop={"size": 8})

    def show(self, x, y, label, color):
        """Draw (x, y) as this run, labelled ``label`` when it becomes the previous one; the
        run shown until now turns grey. With ``kinds``, y is one array per kind, in order."""
        ys = [y] if self._kinds is None else list(y)
        if len(ys) != len(self.current_lines):
            raise ValueError(f"show needs one y array per kind ({len(self.current_lines)}); "
                             f"got {len(ys)}")
        for previous, current, values in zip(self.previous_lines, self.current_lines, ys):
            previous.set_data(*current.get_data())
            current.set_data(x, values)
            current.set_color(color)
        self._previous_label, self._label = self._label, label
        self._draw_legend()

    def curves(self):
        """The y values of all curves (the previous ones may be empty), for the axis range."""
        return ([np.asarray(line.get_ydata()) for line in self.current_lines]
                + [np.asarray(line.get_ydata()) for line in self.previous_lines])


def mark_diverged(ax, text_artist, diverged, message="Diverged: the values blew up"):
    """Show or hide a red banner on ``ax`` (text_artist made once by ``diverged_banner``)."""
    text_artist.set_text(message if diverged else "")
    text_artist.set_visible(bool(diverged))


def diverged_banner(ax):
    """An invisible, centred red text on ax, for ``mark_diverged`` to switch on."""
    return ax.text(0.5, 0.5, "", transform=ax.transAxes, ha="center", va="center",
                   color="#b00020", fontsize=12, fontweight="bold", visible=False, zorder=10,
                   bbox=dict(boxstyle="round", facecolor="white", edgecolor="#b00020"))
