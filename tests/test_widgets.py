"""Every explorer builder in lessonlib.widgets.__all__: builds with no arguments, and every
control at its minimum, maximum and middle (every dropdown option, every button) updates the
figure without an error."""
import ipywidgets as widgets
import matplotlib
import matplotlib.pyplot as plt
import pytest

matplotlib.use("Agg")

from lessonlib import widgets as lw  # noqa: E402
from lessonlib.widgets import Explorer  # noqa: E402


def explorers(widget):
    """Every Explorer inside a widget tree (a builder may return a box of several)."""
    if isinstance(widget, Explorer):
        yield widget
    for child in getattr(widget, "children", ()):
        yield from explorers(child)


def positions(control):
    if isinstance(control, widgets.Dropdown) or isinstance(control, widgets.ToggleButtons):
        return [value for _, value in control.options] if control.options and \
            isinstance(control.options[0], tuple) else list(control.options)
    if isinstance(control, widgets.FloatLogSlider):
        return [control.base ** control.min, control.base ** control.max,
                control.base ** ((control.min + control.max) / 2)]
    if isinstance(control, (widgets.IntSlider, widgets.FloatSlider)):
        mid = (control.min + control.max) / 2
        return [control.min, control.max, round(mid) if isinstance(control, widgets.IntSlider) else mid]
    if isinstance(control, widgets.Checkbox):
        return [True, False]
    return []


@pytest.fixture(autouse=True)
def close_figures():
    """Each builder makes its figures through pyplot; closing them keeps the test's own count
    below matplotlib's "more than 20 figures" RuntimeWarning."""
    yield
    plt.close("all")


def test_there_are_builders():
    assert lw.__all__, "lessonlib.widgets exports no explorer builders"


@pytest.mark.parametrize("name", lw.__all__)
def test_every_control_at_every_extreme(name, recwarn):
    built = getattr(lw, name)()
    assert isinstance(built, widgets.Widget)
    found = list(explorers(built))
    assert found, f"{name}() contains no Explorer"
    for explorer in found:
        assert explorer.error is None, f"{name} at its defaults: {explorer.error!r}"
        for cname, control in explorer.controls.items():
            default = getattr(control, "value", None)
            for value in positions(control):
                control.value = value
                if explorer.run_button is not None:
                    explorer.run_button.click()
                assert explorer.error is None, f"{name}: {cname}={value!r}: {explorer.error!r}"
            if default is not None:
                control.value = default
        if explorer.run_button is not None:
            explorer.run_button.click()
            assert explorer.error is None
    runtime = [w for w in recwarn if issubclass(w.category, RuntimeWarning)]
    assert not runtime, f"{name} emitted RuntimeWarnings: {[str(w.message) for w in runtime]}"


@pytest.mark.parametrize("builder, moved, control, value", [
    ("initialisation_explorer", "custom_std", "init", "custom"),
    ("regularisation_explorer", "lam", "decay", True),
])
def test_moving_a_setting_slider_switches_it_on(builder, moved, control, value):
    """A slider that counts only when selected selects itself: else moving it changes nothing
    (the browser test found the lesson 07 figure unchanged when its first slider moved)."""
    explorer = getattr(lw, builder)()
    slider = explorer.controls[moved]
    slider.value = positions(slider)[1]
    assert explorer.controls[control].value == value
    assert explorer.error is None


def test_run_comparison_keeps_the_previous_run_in_grey():
    fig, ax = lw.new_figure()
    runs = lw._base.RunComparison(ax, "C0")
    runs.show([1, 2], [3.0, 2.0], "first settings", "C1")
    assert runs.legend.get_texts()[0].get_text() == "previous run"
    runs.show([1, 2, 3], [1.0, 0.5, 0.2], "second settings", "C2")
    assert list(runs.previous.get_ydata()) == [3.0, 2.0]
    assert list(runs.current.get_ydata()) == [1.0, 0.5, 0.2]
    assert runs.legend.get_texts()[0].get_text() == "previous: first settings"
    assert runs.current.get_color() == "C2"


def test_epoch_progress_reports_about_twenty_times_and_ends_full():
    seen = []
    report = lw._base.epoch_progress(lambda fraction, text: seen.append((fraction, text)), 100)
    for epoch in range(100):
        report(epoch, None)
    assert len(seen) == 20 and seen[-1] == (1.0, "training: epoch 100 of 100")
    lw._base.epoch_progress(None, 10)(0, None)         # no progress bar: nothing to do
