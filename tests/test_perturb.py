"""The cross-CPU nudge (LESSONLIB_PERTURB) and the bounded printing of rounding-level errors."""
import numpy as np
import pytest

from lessonlib import SGD, descend
from lessonlib._perturb import ENV_VAR, perturbed
from lessonlib.data import load_iris, make_rings
from lessonlib.gradcheck import bounded
from lessonlib.layers import init_weight


def test_unset_returns_the_array_itself(monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    a = np.arange(5.0)
    assert perturbed(a) is a


def test_nudge_is_relative_tiny_and_not_zero(monkeypatch):
    plain = make_rings()[0]
    monkeypatch.setenv(ENV_VAR, "1e-12")
    nudged, y = make_rings()
    change = np.abs(nudged / plain - 1)
    assert 0 < change.max() <= 1e-12
    assert np.array_equal(y, make_rings()[1])             # the labels are not touched
    assert np.array_equal(load_iris()[0], load_iris()[0])   # the same nudge every time
    assert descend(lambda x: 2 * x, 1.0, SGD(lr=0.1), 1)[0] != 1.0


def test_nudge_leaves_the_callers_random_stream_alone(monkeypatch):
    rng = np.random.default_rng(0)
    init_weight(3, 4, "he", rng)
    expected_next = rng.standard_normal(3)
    monkeypatch.setenv(ENV_VAR, "1e-12")
    rng = np.random.default_rng(0)
    init_weight(3, 4, "he", rng)
    assert np.array_equal(rng.standard_normal(3), expected_next)


@pytest.mark.parametrize("value", ["abc", "0.1", "-1e-12"])
def test_bad_setting_names_the_variable(monkeypatch, value):
    monkeypatch.setenv(ENV_VAR, value)
    with pytest.raises(ValueError, match=ENV_VAR):
        make_rings()


def test_bounded_prints_the_bound_below_it_and_the_value_above():
    assert bounded(8.2e-16, 1e-12) == "< 1e-12"
    assert bounded(3.4e-7, 1e-6) == "< 1e-06"
    assert bounded(3.2e-4, 1e-6) == "3.2e-04 (above 1e-06)"
    assert bounded(np.float64(1e-6), 1e-6) == "1.0e-06 (above 1e-06)"
