"""Lesson 09's explorer: its status line reads cleanly (no "0.0 s", no "-0.000"), and it offers
the notes' own SGD step, lr 0.05/3."""
import re

import matplotlib
import matplotlib.pyplot as plt
import pytest

matplotlib.use("Agg")

from lessonlib import widgets as lw  # noqa: E402
from lessonlib.recipes import l09_residual as recipe  # noqa: E402
from lessonlib.widgets import l09_residual as explorer_module  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_three_digits_drops_the_sign_of_a_zero():
    assert explorer_module._three_digits(-0.0004) == "0.000"
    assert explorer_module._three_digits(0.0) == "0.000"
    assert explorer_module._three_digits(-0.0123) == "-0.012"
    assert explorer_module._three_digits(0.7951) == "0.795"


def test_the_status_line_has_no_zero_seconds_and_no_signed_zero():
    explorer = lw.residual_explorer(depth=3, width=10, connection=recipe.LEARNED_SCALE,
                                    optimizer="adam_1e-3", epochs=10)
    status = explorer.status.value
    assert explorer.error is None
    assert "in 0.0 s" not in status and "-0.000" not in status
    seconds = re.search(r"Trained 10 epochs in (under 0\.1 s|\d+\.\d s)", status)
    assert seconds, status
    if seconds.group(1) != "under 0.1 s":
        assert float(seconds.group(1).split()[0]) >= 0.1
    assert "The learned α_i now lie between" in status


def test_the_explorer_offers_the_notes_step():
    explorer = lw.residual_explorer()
    options = dict((key, label) for label, key in explorer.controls["optimizer"].options)
    assert options["momentum_0.05/3"] == "SGD lr 0.05/3 (the notes' step), momentum 0.9"
    assert recipe.OPTIMIZERS["momentum_0.05/3"][1]().lr == 0.05 / 3


def test_the_previous_run_is_named_with_its_seed_and_the_seeds_match_the_tables():
    """Question 1 compares seeds: the grey previous run's legend entry names its seed, and the
    seed slider covers the tables' seeds 0-9."""
    explorer = lw.residual_explorer(depth=2, width=3, epochs=10)
    assert explorer.controls["seed"].min == 0 and explorer.controls["seed"].max == 9
    explorer.controls["seed"].value = 7
    assert explorer.error is None
    labels = [text.get_text() for text in explorer.fig.axes[0].get_legend().get_texts()]
    assert labels[0].startswith("previous: 2 × 3, residual, seed 0,")
    assert "seed 7" in explorer.fig._suptitle.get_text()
