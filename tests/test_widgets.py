"""Every explorer builder in lessonlib.widgets.__all__: builds with no arguments, and every
control at its minimum, maximum and middle (every dropdown option, every button) updates the
figure without an error."""
import ipywidgets as widgets
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

matplotlib.use("Agg")

from lessonlib import widgets as lw  # noqa: E402
from lessonlib.widgets._base import Explorer, new_figure  # noqa: E402


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
                if explorer.run_button is not None and explorer.stale:
                    explorer.run_button.click()     # an expensive setting waits for Run
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


def legend_texts(runs):
    assert runs.legend is runs.current.axes.get_legend()     # the legend on the figure
    return [t.get_text() for t in runs.legend.get_texts()]


def test_run_comparison_keeps_the_previous_run_in_grey():
    """The legend names the grey line only once it holds a run (no empty entry before)."""
    fig, ax = new_figure()
    runs = lw._base.RunComparison(ax, "C0")
    assert legend_texts(runs) == ["this run"]
    runs.show([1, 2], [3.0, 2.0], "first settings", "C1")
    assert legend_texts(runs) == ["this run"]
    runs.show([1, 2, 3], [1.0, 0.5, 0.2], "second settings", "C2")
    assert list(runs.previous.get_ydata()) == [3.0, 2.0]
    assert list(runs.current.get_ydata()) == [1.0, 0.5, 0.2]
    assert legend_texts(runs) == ["previous: first settings", "this run"]
    assert runs.current.get_color() == "C2"
    assert runs.legend.legend_handles[1].get_color() == "C2"
    runs.show([1], [0.1], "third settings", "C3")
    assert legend_texts(runs) == ["previous: second settings", "this run"]


def test_run_comparison_with_several_curves_per_run():
    """Lesson 12: training and validation per run; every line named, the previous run's
    settings in the legend's title."""
    fig, ax = new_figure()
    runs = lw._base.RunComparison(ax, "C0", kinds=(("training", "--"), ("validation", "-")))
    assert legend_texts(runs) == ["this run: training", "this run: validation"]
    runs.show([1, 2], ([1.0, 0.9], [0.5, 0.6]), "first settings", "C1")
    assert legend_texts(runs) == ["this run: training", "this run: validation"]
    assert runs.legend.get_title().get_text() == ""
    runs.show([1, 2, 3], ([0.2, 0.3, 0.4], [0.1, 0.2, 0.3]), "second settings", "C2")
    assert legend_texts(runs) == [
        "this run: training", "this run: validation", "previous: training", "previous: validation"]
    assert [list(line.get_ydata()) for line in runs.previous_lines] == [[1.0, 0.9], [0.5, 0.6]]
    assert runs.current_lines[1].get_linestyle() == "-" and runs.previous_lines[0].get_linestyle() == "--"
    assert runs.legend.get_title().get_text() == "previous run: first settings"
    assert len(runs.curves()) == 4
    with pytest.raises(ValueError, match="one y array per kind"):
        runs.show([1], [[1.0]], "bad", "C3")


def test_epoch_progress_reports_about_twenty_times_and_ends_full():
    seen = []
    report = lw._base.epoch_progress(lambda fraction, text: seen.append((fraction, text)), 100)
    for epoch in range(100):
        report(epoch, None)
    assert len(seen) == 20 and seen[-1] == (1.0, "training: epoch 100 of 100")
    lw._base.epoch_progress(None, 10)(0, None)         # no progress bar: nothing to do


# ---------------------------------------------------------------- cheap runs start by themselves

def training_explorer(cost, sleep=0.0):
    """A toy training explorer: one slider ``n``; every run is logged; ``cost`` is its formula
    (seconds) and each run really takes ``sleep`` seconds."""
    import time
    fig, ax = new_figure()
    (line,) = ax.plot([0, 1], [0, 0])
    runs = []

    def update(n, progress):
        runs.append(n)
        progress(0.5, f"training {n}")
        time.sleep(sleep)
        line.set_ydata([0, n])
        return f"ran {n}"

    controls = {"n": widgets.IntSlider(value=1, min=1, max=1000)}
    return Explorer(controls, fig, update, run_button=True, cost=cost), runs


def test_a_cheap_setting_runs_without_the_button():
    explorer, runs = training_explorer(lambda n: 0.01 * n)
    assert runs == [1]                      # the first run, at construction
    explorer.controls["n"].value = 20       # about 0.2 s (or less: the toy is faster)
    assert runs == [1, 20]
    assert not explorer.stale and explorer.status.value == "ran 20"
    assert explorer.progress.layout.visibility == "hidden"


def test_an_expensive_setting_waits_for_run_and_says_why():
    explorer, runs = training_explorer(lambda n: 0.01 * n)
    explorer.speed = 1.0                    # as on the course machine (the toy runs in ~0 s)
    explorer.controls["n"].value = 400      # about 4 s
    assert runs == [1] and explorer.stale
    assert explorer.status.value == "This setting takes about 4 s: press Run."
    explorer.run_button.click()
    assert runs == [1, 400] and not explorer.stale
    assert explorer.status.value == "ran 400"


def test_the_estimate_follows_the_measured_speed():
    """A machine that runs twice as slowly as the formula says makes every estimate double."""
    explorer, runs = training_explorer(lambda n: 0.05 * n, sleep=0.1)
    assert 1.5 <= explorer.speed <= 3.0     # 0.1 s measured against 0.05 s estimated
    assert explorer.estimate_seconds({"n": 10}) == pytest.approx(0.5 * explorer.speed)
    assert explorer.is_cheap({"n": 5}) and not explorer.is_cheap({"n": 20})


def test_changes_during_a_run_end_with_one_run_of_the_latest_values():
    """While a run is in progress (here: changes made from its progress callback, the only way
    a change can arrive mid-run on the kernel's one thread), only the latest values are kept:
    one more run follows, with them, and the intermediate values never run."""
    explorer, runs = training_explorer(lambda n: 0.001 * n)
    burst = iter([[2, 3, 4, 5], [], []])

    def update(n, progress):
        runs.append(n)
        for value in next(burst, []):
            explorer.controls["n"].value = value
        return f"ran {n}"

    explorer._update = update
    explorer.controls["n"].value = 10
    assert runs == [1, 10, 5]
    assert explorer.values == {"n": 5} and not explorer.stale


def test_changes_queued_in_a_kernel_coalesce_into_one_run(monkeypatch):
    """In a kernel a fresh change runs at once; a change just after a run (a message that queued
    up during it) schedules the run on the event loop, and the rest of the burst, handled before
    it fires, makes no more runs: one run of the last values."""
    scheduled, doors = [], []

    class Loop:
        def add_callback(self, fn, *args):      # tornado's thread-safe entry, which wakes it
            doors.append(fn)
            fn(*args)

        def call_later(self, delay, callback):
            scheduled.append(callback)

    explorer, runs = training_explorer(lambda n: 0.01 * n)
    monkeypatch.setattr(lw._base, "_kernel_loop", lambda: Loop())
    explorer._run_ended = float("-inf")     # a fresh change, long after the last run: at once
    explorer.controls["n"].value = 7
    assert runs == [1, 7] and not scheduled
    for value in (2, 3, 4, 5):              # just after that run: queued during it
        explorer.controls["n"].value = value
    assert runs == [1, 7] and len(scheduled) == 1
    # scheduled through the thread-safe door: a comm message may be handled off the loop's
    # thread, where a bare call_later would wait for the next message to wake the loop
    assert len(doors) == 1
    scheduled.pop()()
    assert runs == [1, 7, 5] and not explorer.stale
    explorer.controls["n"].value = 900      # expensive: scheduled, then it explains and waits
    scheduled.pop()()
    assert runs == [1, 7, 5] and "press Run" in explorer.status.value


@pytest.mark.parametrize("builder, cheap, expensive", [
    ("residual_explorer", {"depth": 3}, {"depth": 1000}),
    ("relu_mlp_explorer", {"iterations": 500}, {"width": 40, "depth": 6, "iterations": 6000}),
    ("batchnorm_explorer", {"batch_norm": False}, {"depth": 25}),
    ("dense_explorer", {"depth": 2}, {"depth": 12, "growth": 4, "first": 8}),
    ("leaky_relu_explorer", {"epochs": 50}, {"depth": 10, "epochs": 300}),
    ("regularisation_explorer", {"epochs": 50}, {"epochs": 300, "dropout": 0.5}),
    ("vanishing_gradient_explorer", {"depth": 1}, None),
])
def test_training_explorers_estimate_their_runs(builder, cheap, expensive):
    """At the course machine's speed (speed 1), a small setting is cheap and a big one waits."""
    explorer = getattr(lw, builder)()
    assert explorer.run_button is not None and explorer.last_run_seconds is not None
    explorer.speed = 1.0
    assert explorer.is_cheap({**explorer.values, **cheap})
    if expensive is not None:
        assert not explorer.is_cheap({**explorer.values, **expensive})


KERNEL_SETUP = '''
import time, matplotlib, ipywidgets as widgets
matplotlib.use("Agg")
from lessonlib.widgets._base import Explorer, new_figure
fig, ax = new_figure(); (line,) = ax.plot([0, 1], [0, 0]); runs = []
def update(n, progress):
    runs.append(n); time.sleep(0.6); line.set_ydata([0, n]); return f"ran {n}"
s = widgets.IntSlider(value=1, min=1, max=100)
ex = Explorer({"n": s}, fig, update, run_button=True, cost=lambda n: 0.01)
print(s.model_id)
'''


def test_a_burst_in_a_real_kernel_ends_with_one_run_of_the_latest_value():
    """In ipykernel, five slider changes sent 50 ms apart while the first one's run (0.6 s)
    blocks the kernel: the first runs at once, the four queued behind it make one run of 6."""
    import time
    manager = pytest.importorskip("jupyter_client.manager")
    km, kc = manager.start_new_kernel(kernel_name="python3")
    try:
        out = []
        kc.execute_interactive(KERNEL_SETUP, timeout=60, output_hook=out.append)
        model_id = [m["content"]["text"] for m in out if m["msg_type"] == "stream"][-1].strip()
        for value in (2, 3, 4, 5, 6):
            kc.shell_channel.send(kc.session.msg("comm_msg", {
                "comm_id": model_id, "buffer_paths": [],
                "data": {"method": "update", "state": {"value": value}, "buffer_paths": []}}))
            time.sleep(0.05)
        time.sleep(2.5)
        out.clear()
        kc.execute_interactive("print(runs, ex.stale)", timeout=30, output_hook=out.append)
        printed = [m["content"]["text"] for m in out if m["msg_type"] == "stream"][-1].strip()
        assert printed == "[1, 2, 6] False"
    finally:
        km.shutdown_kernel(now=True)


def test_a_move_that_switches_a_setting_on_runs_once():
    """Moving lesson 12's lambda switches weight decay on: one run, with both changes."""
    explorer = lw.regularisation_explorer()
    explorer.speed = 0.5                    # cheap here, whatever the load
    seen = []
    inner = explorer._update
    explorer._update = lambda **v: (seen.append((v["decay"], v["lam"])), inner(**v))[1]
    explorer.controls["lam"].value = 1e-3
    assert seen == [(True, 1e-3)] and not explorer.stale and explorer.error is None


def test_sin_logistic_explorer_keeps_the_previous_path_in_grey():
    """Lesson 02's question 3 compares momentum values: the previous setting's path stays in
    grey, named in the legend once it exists; another data set starts afresh."""
    explorer = lw.sin_logistic_explorer()
    ax_c = explorer.fig.axes[1]
    names = lambda: [t.get_text() for t in ax_c.get_legend().get_texts()]
    assert "previous setting's path" not in names()
    first = ax_c.lines[1].get_xydata().copy()           # the path of the defaults
    explorer.controls["momentum"].value = 0.5
    assert explorer.error is None
    assert names()[0] == "previous setting's path"
    assert np.array_equal(ax_c.lines[0].get_xydata(), first)
    explorer.controls["data"].value = "hard"
    assert len(ax_c.lines[0].get_xdata()) == 0 and "previous setting's path" not in names()
