"""Explorers that redraw only their moving artists (lessonlib/plots/blit.py) show the same
pixels as a full redraw: after every control move, the blitted canvas equals a full draw of the
same figure exactly, and a draw with nothing animated (the figure as it would be without
blitting) up to a few pixels where a moving line crosses a spine or an inset's tick label (the
label is drawn again over the line, on top of its own cached picture): at most 2 in 10,000. A
moving artist drawn in the wrong order (over a legend, under a grid line) differs in about 10
in 10,000."""
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

matplotlib.use("Agg")

from lessonlib import widgets as lw  # noqa: E402
from lessonlib.plots.blit import MovingArtists  # noqa: E402
from lessonlib.widgets._base import Explorer  # noqa: E402

from test_widgets import positions  # noqa: E402

# the analytic explorers that name their moving artists
BLITTING = ["start_here_explorer", "local_minima_explorer", "momentum_explorer",
            "sin_logistic_explorer", "batch_size_explorer", "adaptive_explorer",
            "initialisation_explorer"]


def pixels(fig):
    return np.asarray(fig.canvas.buffer_rgba()).copy()


def drawn_without_blitting(explorer):
    """The canvas drawn with no artist animated (MovingArtists switched off meanwhile)."""
    moving = explorer.moving
    artists, moving.artists = moving.artists, []
    for artist in artists:
        artist.set_animated(False)
    explorer.fig.canvas.draw()
    plain = pixels(explorer.fig)
    for artist in artists:
        artist.set_animated(True)
    moving.artists = artists
    explorer.fig.canvas.draw()
    return plain


@pytest.mark.parametrize("builder", BLITTING)
def test_blitted_pixels_are_a_full_redraws(builder):
    explorer = getattr(lw, builder)()
    assert explorer.moving is not None
    explorer.fig.canvas.draw()
    modes = []
    for name, control in explorer.controls.items():
        for value in positions(control) + [control.value]:
            control.value = value
            modes.append(explorer.moving.redraw())
            blitted = pixels(explorer.fig)
            explorer.fig.canvas.draw()
            assert np.array_equal(blitted, pixels(explorer.fig)), (builder, name, value)
            differ = (blitted != drawn_without_blitting(explorer)).any(axis=2).mean()
            assert differ <= 2e-4, (builder, name, value, differ)
    assert "blit" in modes, f"{builder}: no control move was drawn by blitting"
    plt.close(explorer.fig)


@pytest.mark.parametrize("builder", BLITTING)
def test_kept_pictures_are_a_full_redraws_after_a_random_walk(builder):
    """Returning to values seen before pastes the picture of the still part kept then: walking
    over every control's positions in a random order (so the same values come back after other
    paths, with other axis limits kept on the way), each picture equals a full redraw."""
    rng = np.random.default_rng(7)
    explorer = getattr(lw, builder)()
    explorer.fig.canvas.draw()
    names = list(explorer.controls)
    modes = []
    for _ in range(24):
        name = names[rng.integers(len(names))]
        control = explorer.controls[name]
        choices = positions(control)[:2]
        if not choices:
            continue
        control.value = choices[rng.integers(len(choices))]
        modes.append(explorer.moving.redraw())
        shown = pixels(explorer.fig)
        explorer.fig.canvas.draw()
        assert np.array_equal(shown, pixels(explorer.fig)), (builder, name, control.value)
    # explorers whose still part never changes always blit
    assert "recall" in modes or "full" not in modes, f"{builder}: no kept picture used: {modes}"
    plt.close(explorer.fig)


# the explorers that name a ``still`` dropdown, and its name
STILL_OPTIONS = [("momentum_explorer", "function"), ("sin_logistic_explorer", "data"),
                 ("batch_size_explorer", "data"), ("adaptive_explorer", "problem"),
                 ("initialisation_explorer", "activation")]


@pytest.mark.parametrize("builder,name", STILL_OPTIONS)
def test_every_still_option_is_drawn_once_when_the_explorer_is_built(builder, name,
                                                                       monkeypatch):
    """An explorer builds with a kept picture of each option of its ``still`` dropdown: the
    first switch to any option blits on it and shows a full redraw's pixels, and the figure
    starts exactly as it would without them."""
    monkeypatch.setattr(Explorer, "draw_still_options", False)
    plain = getattr(lw, builder)()
    plain.fig.canvas.draw()
    expected = pixels(plain.fig)
    options = positions(plain.controls[name])
    plt.close(plain.fig)
    monkeypatch.setattr(Explorer, "draw_still_options", True)
    for option in options:
        explorer = getattr(lw, builder)()
        explorer.fig.canvas.draw()
        assert np.array_equal(pixels(explorer.fig), expected), (builder, "start")
        if option == explorer.controls[name].value:
            plt.close(explorer.fig)
            continue
        explorer.controls[name].value = option
        mode = explorer.moving.redraw()
        shown = pixels(explorer.fig)
        explorer.fig.canvas.draw()
        assert np.array_equal(shown, pixels(explorer.fig)), (builder, option)
        assert mode == "recall", (builder, option, mode)
        plt.close(explorer.fig)


def test_a_kept_picture_is_pasted_when_the_values_come_back():
    fig, ax = plt.subplots()
    (line,) = ax.plot([0, 1], [0, 1])
    shown = {"value": "a"}
    moving = MovingArtists(fig, [line], scene=lambda: shown["value"])
    ax.set_ylim(0, 1)
    fig.canvas.draw()
    for value, limit, mode in (("b", 2, "full"), ("a", 1, "recall"), ("b", 2, "recall"),
                               ("b", 3, "full")):
        shown["value"] = value
        ax.set_ylim(0, limit)
        assert moving.redraw() == mode, (value, limit)
        if mode == "full":
            fig.canvas.draw()
    plt.close(fig)


def test_a_change_to_the_still_part_draws_the_whole_figure():
    fig, ax = plt.subplots()
    (line,) = ax.plot([0, 1], [0, 1])
    moving = MovingArtists(fig, [line])
    fig.canvas.draw()
    line.set_ydata([1, 0])
    assert moving.redraw() == "blit"
    ax.set_ylim(-1, 2)                  # not a moving artist: the cached picture is stale
    assert moving.redraw() == "full"
    line.set_ydata([0.5, 0.5])
    assert moving.redraw() == "blit"
    plt.close(fig)


def test_saving_draws_the_moving_artists_once():
    fig, ax = plt.subplots(figsize=(2, 2), dpi=50)
    (line,) = ax.plot([0.2, 0.8], [0.2, 0.8], lw=4, alpha=0.5)    # clear of the spines
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    fig.canvas.draw()
    plain = pixels(fig)
    moving = MovingArtists(fig, [line])      # kept: matplotlib holds its draw hook weakly
    fig.canvas.draw()
    assert np.array_equal(pixels(fig), plain)       # drawn once on the live canvas
    import io
    saved = io.BytesIO()
    fig.savefig(saved, format="rgba", dpi=50)
    assert np.array_equal(np.frombuffer(saved.getvalue(), np.uint8).reshape(plain.shape), plain)
    assert moving.artists == [line, *ax.spines.values()]    # the frame moves with the line
    plt.close(fig)


def test_drawing_a_moving_legend_leaves_the_figure_clean():
    """A legend sets its frame's bounds as it draws, which marks its axes stale: without the
    reset every redraw after the first would be a full draw."""
    fig, ax = plt.subplots()
    (line,) = ax.plot([0, 1], [0, 1], label="path")
    moving = MovingArtists(fig, [line, ax.legend()])
    fig.canvas.draw()
    assert not fig.stale
    for k in range(3):
        line.set_ydata([k, 0])
        assert moving.redraw() == "blit"
    plt.close(fig)
