"""Lesson 02's sin-logistic explorer: the dashed grey path is the one shown before the learner's
last change, and a slider's drag (a quick burst of values) is one change (cells 30-31).
The test sets the explorer's clock, so that a burst and a pause do not depend on the machine's
speed; the expected paths are the lesson's runs, recomputed here with the engine."""
import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from lessonlib import widgets as lw  # noqa: E402
from lessonlib.data import make_sin_logistic  # noqa: E402
from lessonlib.optim import SGD  # noqa: E402
from lessonlib.recipes.toys import sin_logistic_descend  # noqa: E402
from lessonlib.widgets import l02_momentum  # noqa: E402

from _claims import assert_says  # noqa: E402

GREY = "previous setting's path"
X, y = make_sin_logistic(0.7, 0.7, seed=2)          # the lesson's data (DATA_SEED = 2)


def run(momentum, lr=0.1, steps=100):
    """The path of the explorer's setting, from b = (0, 0), computed here."""
    return sin_logistic_descend(X, y, SGD(lr=lr, momentum=momentum), steps)[0]


class Clock:
    """A clock that moves only when the test says so."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def explorer(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(l02_momentum, "_clock", clock)
    explorer = lw.sin_logistic_explorer(seed=2)
    explorer.clock = clock
    yield explorer
    matplotlib.pyplot.close(explorer.fig)


def lines(explorer):
    """(grey path, red path) as drawn, and the path legend's names."""
    ax_c = explorer.fig.axes[1]
    grey, red = ax_c.lines[0], ax_c.lines[1]
    names = [t.get_text() for t in ax_c.get_legend().get_texts()]
    return grey.get_xydata(), red.get_xydata(), names


def drag(explorer, name, values, tick=0.05):
    """Set the control to each value in turn, ``tick`` seconds apart (a throttled drag)."""
    for value in values:
        explorer.clock.now += tick
        explorer.controls[name].value = value
        assert explorer.error is None


def test_a_drag_keeps_the_path_from_before_it_in_grey(explorer):
    assert_says("02_momentum.ipynb", "type a value in the box by its slider, or drag the slider "
                "and let go. The path from before the change stays in dashed grey; a whole drag "
                "counts as one change.")
    explorer.clock.now += 5.0                       # the learner reads for a while
    before = lines(explorer)[1].copy()
    np.testing.assert_allclose(before, run(0.9), rtol=1e-12)
    # momentum 0.9 -> 0 in ten ticks, as a drag sends them
    drag(explorer, "momentum", [round(v, 2) for v in np.linspace(0.81, 0.0, 10)])
    grey, red, names = lines(explorer)
    np.testing.assert_allclose(red, run(0.0), rtol=1e-12)
    np.testing.assert_allclose(grey, run(0.9), rtol=1e-12)     # not the run at 0.09
    assert names[0] == GREY
    # step by step, 0.01 at a time, as a slow drag sends them: the same
    explorer.clock.now += 5.0
    drag(explorer, "momentum", [round(0.01 * k, 2) for k in range(1, 51)])
    grey, red, _ = lines(explorer)
    np.testing.assert_allclose(red, run(0.5), rtol=1e-12)
    np.testing.assert_allclose(grey, run(0.0), rtol=1e-12)


def test_a_change_after_a_pause_makes_the_current_path_grey(explorer):
    explorer.clock.now += 5.0
    drag(explorer, "momentum", [0.8, 0.6, 0.4])
    explorer.clock.now += 1.0                       # a pause longer than GESTURE_SECONDS
    assert 1.0 > l02_momentum.GESTURE_SECONDS
    explorer.controls["momentum"].value = 0.3
    grey, red, _ = lines(explorer)
    np.testing.assert_allclose(grey, run(0.4), rtol=1e-12)
    np.testing.assert_allclose(red, run(0.3), rtol=1e-12)


def test_another_control_starts_a_new_change_at_once(explorer):
    """Typing a momentum, then at once a learning rate: two changes, even without a pause."""
    explorer.clock.now += 5.0
    explorer.controls["momentum"].value = 0.5
    explorer.clock.now += 0.05
    explorer.controls["lr"].value = 0.05
    grey, red, _ = lines(explorer)
    np.testing.assert_allclose(grey, run(0.5), rtol=1e-12)
    np.testing.assert_allclose(red, run(0.5, lr=0.05), rtol=1e-12)


def test_the_first_change_after_the_cell_runs_has_a_grey_path(explorer):
    """The explorer's own updates while it is built (every data set drawn once) are no
    gesture: a change right after them shows the default setting's path in grey."""
    explorer.controls["momentum"].value = 0.0       # no time passes on the test's clock
    grey, red, names = lines(explorer)
    np.testing.assert_allclose(grey, run(0.9), rtol=1e-12)
    assert names[0] == GREY


def test_a_drag_costs_no_extra_full_redraw(explorer):
    """The grey path is a moving artist: a drag blits, as before the gesture rule."""
    explorer.fig.canvas.draw()
    explorer.clock.now += 5.0
    explorer.controls["momentum"].value = 0.85       # the grey path's legend entry appears
    explorer.moving.redraw()
    full = explorer.moving.full_draws
    for value in (0.8, 0.7, 0.6, 0.5):
        explorer.clock.now += 0.05
        explorer.controls["momentum"].value = value
        assert explorer.moving.redraw() == "blit"
    assert explorer.moving.full_draws == full


def test_the_momentum_explorers_reference_lines_are_named():
    """The x_t panel names its horizontal lines, as the lesson's static figures do."""
    explorer = lw.momentum_explorer()
    ax_t = explorer.fig.axes[1]

    def names():
        return sorted(t.get_text() for t in ax_t.texts if t.get_visible() and t.get_text())

    assert names() == ["global min -1.640", "hilltop -0.610", "local min 0"]
    explorer.controls["function"].value = "square"
    assert names() == ["minimum 0"] and explorer.error is None
    explorer.controls["function"].value = "quartic"
    assert names() == ["global min -1.640", "hilltop -0.610", "local min 0"]
    explorer.fig.canvas.draw()                       # inside the 820-px figure
    renderer = explorer.fig.canvas.get_renderer()
    assert all(t.get_window_extent(renderer).x1 <= explorer.fig.bbox.width
               for t in ax_t.texts if t.get_visible())
    matplotlib.pyplot.close(explorer.fig)
