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

import ipywidgets as widgets
from IPython.display import clear_output, display

from ..plots.style import (MAX_FIGURE_PX, RunComparison, diverged_banner,  # noqa: F401
                           mark_diverged, new_figure)


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
    return widgets.Dropdown(options=options, value=value if value is not None else
                            (options[0][1] if isinstance(options[0], tuple) else options[0]),
                            description=description, style={"description_width": "initial"})


class Explorer(widgets.VBox):
    """Controls above one figure, updated in place; a status line below.

    update(**values, progress=callable) changes the figure's artists. ``progress(fraction, text)``
    moves the progress bar (for training). With ``run_button=True`` changes wait for a click.
    An exception inside update is shown as a one-line message, never a traceback, and kept in
    ``self.error`` so tests can fail on it.
    """

    def __init__(self, controls, fig, update, *, run_button=False, title=None):
        self.controls = dict(controls)
        self.fig = fig
        self._update = update
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

    def switch_on_move(self, moved, control, value):
        """Moving the control ``moved`` sets ``control`` to ``value``. For a slider that only
        counts when another control selects it (a custom std, the weight-decay strength):
        moving it means "use this", so it switches itself on, as a learner expects."""
        self.controls[moved].observe(
            lambda _change: setattr(self.controls[control], "value", value), names="value")

    @property
    def values(self):
        return {name: c.value for name, c in self.controls.items()
                if not isinstance(c, widgets.Button)}

    def _on_change(self, _change):
        if self.run_button is None:
            self.refresh()
        else:
            self.set_status("Press Run to train with the new settings.")

    def set_status(self, text):
        self.status.value = html.escape(text)

    def _set_progress(self, fraction, text=""):
        self.progress.layout.visibility = "visible"
        self.progress.value = max(0.0, min(1.0, float(fraction)))
        if text:
            self.set_status(text)

    def refresh(self):
        """Run update with the current values and redraw the figure."""
        self.error = None
        self.set_status("")
        try:
            message = self._update(**self.values, progress=self._set_progress)
        except Exception as exc:        # shown, not raised: a learner never sees a traceback
            self.error = exc
            self.set_status(f"Could not update the figure ({type(exc).__name__}: {exc}).")
            message = None
        self.progress.layout.visibility = "hidden"
        if message:
            self.set_status(message)
        self._draw()

    def _draw(self):
        if self._output is None:
            self.fig.canvas.draw_idle()
        else:
            with self._output:
                clear_output(wait=True)
                display(self.fig)


def epoch_progress(progress, total, unit="epoch"):
    """A ``fit`` callback that moves the explorer's progress bar about 20 times in a run of
    ``total`` epochs ("training: epoch 40 of 100")."""
    every = max(1, total // 20)

    def report(epoch, _history):
        if progress is not None and (epoch + 1) % every == 0:
            progress((epoch + 1) / total, f"training: {unit} {epoch + 1} of {total}")
    return report
