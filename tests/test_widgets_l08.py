"""Lesson 08's explorer: its y labels stay readable at extreme values (a 25-layer net without
batch norm at std 10 has losses and gradients near 1e30), and the previous run's label says
"1 layer", not "1 layers"."""
import matplotlib
import matplotlib.pyplot as plt
import pytest

matplotlib.use("Agg")

from lessonlib import widgets as lw  # noqa: E402
from lessonlib.plots.style import short_log_label  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def run(explorer, **values):
    for name, value in values.items():
        explorer.controls[name].value = value
    if explorer.stale:
        explorer.run_button.click()
    assert explorer.error is None, explorer.error


def test_short_tick_labels():
    short = short_log_label
    assert [short(v) for v in (0.002, 0.05, 1.0, 50.0, 2000.0)] == ["0.002", "0.05", "1", "50",
                                                                    "2000"]
    assert [short(v) for v in (2e31, 1e30, 5e-5, 1e-5, 1e6)] == ["2e31", "1e30", "5e-5", "1e-5",
                                                                 "1e6"]
    assert [short(v) for v in (1e-4, 5e-4, 1e4)] == ["0.0001", "0.0005", "10000"]


def test_y_labels_stay_clear_of_wide_tick_labels():
    """Two 25-layer runs without batch norm at std 10 put both axes near 1e30-1e35 over less
    than four decades, where the labels used to read "2e+31" and pushed "training loss" out of
    the figure."""
    explorer = lw.batchnorm_explorer(depth=25, batch_norm=False, init="normal", init_scale=10.0,
                                     seed=1)
    run(explorer, seed=2)
    fig = explorer.fig
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for ax in fig.axes[:2]:
        low, high = ax.get_ylim()
        assert high > 1e25
        label = ax.yaxis.label.get_window_extent(renderer)
        ticks = [t.get_window_extent(renderer) for t in ax.get_yticklabels()
                 if t.get_visible() and t.get_text()]
        assert ticks and all("+" not in t.get_text() for t in ax.get_yticklabels())
        assert label.x0 >= 0, f"{ax.get_ylabel()!r} sticks out of the figure"
        assert label.x1 <= min(t.x0 for t in ticks), f"{ax.get_ylabel()!r} overlaps its ticks"


def test_previous_run_label_counts_layers_right():
    explorer = lw.batchnorm_explorer(depth=1)
    run(explorer, depth=2)
    legend = explorer.fig.axes[0].get_legend()
    assert legend.get_texts()[0].get_text().startswith("previous: 1 layer, BN on")
    run(explorer, depth=3)
    legend = explorer.fig.axes[0].get_legend()
    assert legend.get_texts()[0].get_text().startswith("previous: 2 layers, BN on")
