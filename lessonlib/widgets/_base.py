"""The wiring every explorer shares: controls, one figure updated in place, a status line.

A builder makes its figure once (``new_figure``), keeps the artists, and passes an ``update``
function that changes their data. ``Explorer`` calls ``update(**values)`` whenever a control
changes (or when its Run button is clicked), then redraws the same canvas. Under the ipympl
backend (``%matplotlib widget``) the canvas is itself a widget; under any other backend the
figure is re-shown in an Output widget, so builders also work in tests and static renders.
``new_figure``, ``RunComparison``, ``diverged_banner`` and ``mark_diverged`` draw with matplotlib
only: they live in ``lessonlib.plots.style`` and are imported here under the same names.
"""
import html
import time

import ipywidgets as widgets
from IPython.display import clear_output, display

from ..plots.blit import MovingArtists
from ..plots.style import RunComparison, diverged_banner, kept_limits, mark_diverged, new_figure

# what the explorer modules take from here (the figure helpers re-exported from plots.style)
__all__ = ["Explorer", "slider", "log_slider", "dropdown", "epoch_progress",
           "CHEAP_RUN_SECONDS", "RunComparison", "diverged_banner",
           "mark_diverged", "new_figure"]


def slider(description, value, min, max, step, *, continuous=True, readout_format=None):
    """A FloatSlider (or IntSlider when every number is an int) with a readable label."""
    ints = all(isinstance(v, int) for v in (value, min, max, step))
    cls = widgets.IntSlider if ints else widgets.FloatSlider
    kw = {} if readout_format is None else {"readout_format": readout_format}
    return cls(value=value, min=min, max=max, step=step, description=description,
               continuous_update=continuous, style={"description_width": "initial"},
               layout=widgets.Layout(width="420px"), **kw)


def log_slider(description, value, min_exp, max_exp, *, continuous=True, step=0.05):
    """A slider over 10**min_exp .. 10**max_exp, for knobs that span decades (learning rates)."""
    return widgets.FloatLogSlider(value=value, base=10, min=min_exp, max=max_exp, step=step,
                                  description=description, continuous_update=continuous,
                                  readout_format=".3g", style={"description_width": "initial"},
                                  layout=widgets.Layout(width="420px"))


def dropdown(description, options, value=None):
    """A Dropdown; a builder's ``value`` that is not among the options is a ValueError naming
    them (not ipywidgets' bare "Invalid selection")."""
    values = _option_values(options)
    if value is None:
        value = values[0]
    elif value not in values:
        raise ValueError(f"{description} must be one of {values}; got {value!r}")
    return widgets.Dropdown(options=options, value=value, description=description,
                            style={"description_width": "initial"})


CHEAP_RUN_SECONDS = 1.0   # a training run estimated at most this long starts by itself
COALESCE_SECONDS = 0.03   # in a kernel, a change just after a run waits this long for newer ones
BURST_SECONDS = 0.15      # a change this soon after a run ended most likely queued during it


def _kernel_loop():
    """The running kernel's event loop (ipykernel), or None outside a kernel (tests, scripts)."""
    try:
        from IPython import get_ipython
    except ImportError:                 # pragma: no cover - IPython comes with ipywidgets
        return None
    kernel = getattr(get_ipython(), "kernel", None)
    return getattr(kernel, "io_loop", None)


class Explorer(widgets.VBox):
    """Controls above one figure, updated in place; a status line below.

    update(**values, progress=callable) changes the figure's artists. ``progress(fraction, text)``
    moves the progress bar (for training). An exception inside update is shown as a one-line
    message, never a traceback, and kept in ``self.error`` so tests can fail on it.

    Analytic explorers (no ``run_button``) update at once on every change. ``moving`` lists the
    artists update changes (lines, points, texts; lessonlib/plots/blit.py): they are redrawn
    alone over a cached picture of the rest whenever nothing else changed (no new axis limit),
    which keeps a slider's redraw to a few milliseconds. Pictures of the rest are kept per
    values of the ``still`` controls (those that change more than the moving artists and the
    axes' limits, e.g. a dropdown's data set) and axis limits, so that going back to a value
    seen before is a blit too; without ``still``, per values of all the controls.

    Training explorers (``run_button=True``) run by themselves when a run is cheap.
    ``cost(**values)`` estimates a run's seconds from a per-explorer formula (steps x layers,
    measured on the course machine). The explorer scales it by how long its last run really took
    against that formula's estimate (``speed``, kept within 0.5-3): a loaded machine makes runs
    look dearer, a quiet one cheaper. When the scaled estimate is at most ``CHEAP_RUN_SECONDS``
    (about 1 s), a control change starts the run itself, with the progress bar. Otherwise the
    figure waits and the status line says why ("This setting takes about 4 s: press Run."). The
    Run button stays for those settings, and to run again. Without ``cost`` every change waits
    for Run.

    A newer change supersedes an older one by coalescing, not by interrupting. The kernel runs
    widget callbacks on its one thread: while a run computes, no comm message is handled, so a
    run cannot see a newer change and stop early. Stopping it would mean pumping the kernel's
    message loop from inside the progress callback (``kernel.do_one_iteration``), which
    re-enters ipykernel's dispatch and is fragile. Instead: a fresh change (none for
    ``BURST_SECONDS`` after the last run) runs at once, inside its comm message, so JupyterLab
    shows the kernel busy. A change that arrives within ``BURST_SECONDS`` of a run's end most
    likely queued up during that run: it only records that a run is wanted and schedules one on
    the kernel's event loop ``COALESCE_SECONDS`` later. The rest of the queued changes are
    handled first and schedule nothing new; the one scheduled run then reads the controls, i.e.
    the latest values, and the intermediate settings are skipped. A change made while a run is
    in progress (from the progress callback, or the update itself) is remembered, and one more
    run of the latest values follows. Outside a kernel (tests, scripts) a change runs at once.
    """

    def __init__(self, controls, fig, update, *, run_button=False, title=None, cost=None,
                 cheap_seconds=CHEAP_RUN_SECONDS, moving=None, covers=(), legends_of=(),
                 still=None):
        self.controls = dict(controls)
        self.fig = fig
        # the controls the still part depends on besides the axes' limits (a dropdown's
        # function or data set): pictures of it are kept per their values; None: all controls
        self._still = None if still is None else tuple(still)
        # the artists update changes: redrawn alone over a cached picture of the rest
        self.moving = (MovingArtists(fig, moving, covers, legends_of,
                                     scene=None if run_button else self._scene)
                       if moving else None)
        self._update = update
        self._cost = cost
        self.cheap_seconds = cheap_seconds
        self.speed = 1.0          # measured / estimated seconds of the last run
        self.last_run_seconds = None
        self.stale = False        # the figure does not show the controls' current values
        self._running = False
        self._pending = False
        self._scheduled = False
        self._run_ended = float("-inf")
        self._shown_values = None
        self.error = None
        self.status = widgets.HTML(value="")
        self.progress = widgets.FloatProgress(value=0.0, min=0.0, max=1.0,
                                              layout=widgets.Layout(width="300px"))
        self.progress.layout.visibility = "hidden"
        self.run_button = None
        if run_button:
            self.run_button = widgets.Button(description="Run", button_style="primary",
                                             icon="play")
            self.run_button.on_click(lambda _: self.refresh())
        if isinstance(fig.canvas, widgets.DOMWidget):
            self._output = None
            figure_widget = fig.canvas
        else:
            self._output = widgets.Output()
            figure_widget = self._output
        rows = list(self.controls.values())
        if self.run_button is not None:
            rows.append(self.run_button)
        header = [widgets.HTML(f"<b>{html.escape(title)}</b>")] if title else []
        footer = widgets.HBox([self.progress, self.status])
        super().__init__(header + [widgets.VBox(rows), figure_widget, footer])
        self.add_class("lessonlib-explorer")      # how the browser tests find explorers
        for control in self.controls.values():
            if hasattr(control, "value") and not isinstance(control, widgets.Button):
                control.observe(self._on_change, names="value")
        self.refresh()
        if self.draw_still_options and self.moving is not None and self.run_button is None:
            self._keep_still_options()

    # draw every option of the ``still`` dropdowns once when the explorer is built
    draw_still_options = True

    def _keep_still_options(self):
        """Keep a picture of the still part for every other option of the ``still`` dropdowns,
        the other controls as they start: a learner's first switch to another data set or
        function is then a blit, not a full draw (about 0.2 s). It costs that much per option
        once, when the cell runs. Each option is drawn from the starting axis limits, and the
        figure ends as it started (the starting values updated and drawn again)."""
        start = self._shown_values
        if not self._still or start is None or self.error is not None:
            return
        restore_limits = kept_limits(self.fig)
        for name in self._still:
            for option in _option_values(getattr(self.controls[name], "options", ())):
                if option == start[name]:
                    continue
                values = dict(start, **{name: option})
                try:
                    self._update(**values, progress=lambda *_: None)
                except Exception:         # that option shows its error when chosen
                    continue
                self._shown_values = values
                self.moving.draw_and_keep()
                restore_limits()
        self.refresh()

    def switch_on_move(self, moved, control, value):
        """Moving the control ``moved`` sets ``control`` to ``value``. For a slider that only
        counts when another control selects it (a custom std, the weight-decay strength):
        moving it means "use this", so it switches itself on, as a learner expects.
        The switch comes before the explorer's own reaction to the move, so that one run (of a
        training explorer) sees both changes."""
        slider = self.controls[moved]
        slider.unobserve(self._on_change, names="value")
        slider.observe(lambda _change: setattr(self.controls[control], "value", value),
                       names="value")
        slider.observe(self._on_change, names="value")

    def _scene(self):
        """What an analytic explorer's still part shows: the values of its last update (of the
        ``still`` controls), or None after a failed one (the figure may be half updated: no
        picture of it is kept)."""
        if self.error is not None or self._shown_values is None:
            return None
        shown = tuple((name, value) for name, value in self._shown_values.items()
                      if self._still is None or name in self._still)
        try:
            hash(shown)
        except TypeError:
            return None
        return shown

    @property
    def values(self):
        return {name: c.value for name, c in self.controls.items()
                if not isinstance(c, widgets.Button)}

    def estimate_seconds(self, values=None):
        """The estimated seconds of a run with ``values`` (default: the controls'), or None
        when the explorer gives no ``cost``."""
        if self._cost is None:
            return None
        return float(self._cost(**(self.values if values is None else values))) * self.speed

    def is_cheap(self, values=None):
        """True when a change to ``values`` may run by itself (always, without a Run button)."""
        if self.run_button is None:
            return True
        estimate = self.estimate_seconds(values)
        return estimate is not None and estimate <= self.cheap_seconds

    def _on_change(self, _change):
        self.stale = True
        if self.run_button is None:
            self.refresh()
            return
        self._pending = True
        if self._running or self._scheduled:
            return                       # the run in progress or already scheduled takes it
        loop = _kernel_loop()
        if loop is None or time.perf_counter() - self._run_ended > BURST_SECONDS:
            self._run_pending()          # a fresh change: at once (the kernel shows busy)
        else:                            # just after a run: likely queued during it
            self._scheduled = True
            # add_callback is the loop's thread-safe door (it wakes the loop): a comm message may
            # be handled off the loop's thread (ipykernel 7), where a bare call_later would sleep
            # until the next message came in, and the last value of a burst would wait for it
            loop.add_callback(loop.call_later, COALESCE_SECONDS, self._run_pending)

    def _run_pending(self):
        """Run once with the latest values if a change asked for it (and it is cheap)."""
        self._scheduled = False
        while self._pending and not self._running:
            self._pending = False
            if self.values == self._shown_values:
                self.stale = False           # already on the figure (e.g. one move, two controls)
                continue
            if not self.is_cheap():
                self._explain_wait()
                return
            self.refresh()

    def _explain_wait(self):
        estimate = self.estimate_seconds()
        if estimate is None:
            self.set_status("Press Run to train with the new settings.")
        else:
            self.set_status(f"This setting takes about {_seconds_words(estimate)}: press Run.")

    def set_status(self, text):
        self.status.value = html.escape(text)

    def _set_progress(self, fraction, text=""):
        self.progress.layout.visibility = "visible"
        self.progress.value = max(0.0, min(1.0, float(fraction)))
        if text:
            self.set_status(text)

    def refresh(self):
        """Run update with the current values and redraw the figure."""
        if self._running:                  # a click or change during a run: once more after it
            self._pending = True
            return
        self.error = None
        self.set_status("")
        self._running = True
        self._pending = False
        values = self.values
        self.stale = False
        start = time.perf_counter()
        try:
            message = self._update(**values, progress=self._set_progress)
        except Exception as exc:        # shown, not raised: a learner never sees a traceback
            self.error = exc
            self.set_status(f"Could not update the figure ({type(exc).__name__}: {exc}).")
            message = None
        else:
            self._calibrate(values, time.perf_counter() - start)
            self._shown_values = values
        finally:
            self._running = False
        self.progress.layout.visibility = "hidden"
        if message:
            self.set_status(message)
        self._draw()
        self._run_ended = time.perf_counter()
        if self._pending:                  # changed while running: the latest values, once
            self._run_pending()

    def _calibrate(self, values, seconds):
        self.last_run_seconds = seconds
        if self._cost is None:
            return
        formula = float(self._cost(**values))
        if formula > 0:
            self.speed = min(3.0, max(0.5, seconds / formula))

    def _draw(self):
        if self._output is None:
            if self.moving is not None:
                self.moving.redraw()
            else:
                self.fig.canvas.draw_idle()
        else:
            with self._output:
                clear_output(wait=True)
                display(self.fig)


def _option_values(options):
    """The values of a dropdown's options (given as values or as (label, value) pairs)."""
    return [o[1] if isinstance(o, tuple) else o for o in options]


def _seconds_words(seconds):
    if seconds < 10:
        return f"{seconds:.0f} s" if seconds >= 1.5 else f"{seconds:.1f} s"
    if seconds < 90:
        return f"{5 * round(seconds / 5):.0f} s"
    return f"{seconds / 60:.0f} min"


def epoch_progress(progress, total, unit="epoch"):
    """A ``fit`` callback that moves the explorer's progress bar about 20 times in a run of
    ``total`` epochs ("training: epoch 40 of 100")."""
    every = max(1, total // 20)

    def report(epoch, _history):
        if progress is not None and (epoch + 1) % every == 0:
            progress((epoch + 1) / total, f"training: {unit} {epoch + 1} of {total}")
    return report
