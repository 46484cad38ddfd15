"""Lesson 12's exercise (inverted dropout): the reference passes and matches lessonlib's Dropout,
the typical slips get their own message, a stub is "not attempted yet", no traceback."""
import numpy as np
import pytest

from lessonlib import exercises
from lessonlib.layers import Dropout

EX = exercises.dropout_layer


def _dropout(x, dout, p_drop, u, training=True, *, keep_where="u<keep", scale="1/keep",
             backward="mask", inference="identity", in_place=False):
    """The reference with one slip switched on."""
    if not training and inference == "identity":
        return x, dout
    keep = 1.0 - p_drop
    kept = {"u<keep": u < keep, "u<p": u < p_drop, "u>=p": u >= p_drop,
            "u>=keep": u >= keep}[keep_where]
    factor = {"1/keep": 1.0 / keep, "none": 1.0, "1/p": 1.0 / p_drop if p_drop else 1.0,
              "keep": keep}[scale]
    mask = kept * factor
    if in_place:
        x *= mask
        out = x
    else:
        out = x * mask
    dx = {"mask": dout * mask, "none": dout, "unscaled": dout * kept}[backward]
    return out, dx


def test_reference_passes():
    assert EX.grade(EX.reference) is None
    assert EX.grade(_dropout) is None


def test_reference_matches_lessonlib_dropout():
    """With the generator's numbers as u, the reference is lessonlib.layers.Dropout exactly."""
    rng = np.random.default_rng(0)
    x, dout = rng.standard_normal((6, 5)), rng.standard_normal((6, 5))
    layer = Dropout(0.3, rng=np.random.default_rng(7))
    out = layer.forward(x, training=True)
    dx = layer.backward(dout)
    u = np.random.default_rng(7).random(x.shape)
    ref_out, ref_dx = EX.reference(x, dout, 0.3, u)
    np.testing.assert_array_equal(ref_out, out)
    np.testing.assert_array_equal(ref_dx, dx)
    np.testing.assert_array_equal(EX.reference(x, dout, 0.3, u, training=False)[0],
                                  layer.forward(x, training=False))


def test_stub_is_not_attempted(capsys):
    def stub(x, dout, p_drop, u, training=True):
        raise NotImplementedError("Exercise: write inverted dropout here")
    EX.check(stub)
    out = capsys.readouterr().out
    assert "not attempted yet" in out and "Traceback" not in out


@pytest.mark.parametrize("slip, message", [
    (dict(scale="none"), "the kept values are not scaled"),
    (dict(scale="1/p"), "the kept values are divided by p_drop"),
    (dict(scale="keep"), "multiplied by 1 - p_drop; divide by it instead"),
    (dict(keep_where="u<p", scale="1/p"), "you keep each unit with probability p_drop"),
    (dict(keep_where="u<p"), "you keep units where u < p_drop"),
    (dict(keep_where="u>=p"), "you keep units where u >= p_drop"),
    (dict(keep_where="u>=keep"), "your mask is inverted"),
    (dict(backward="none"), "dx equals dout: the backward pass must apply the same mask"),
    (dict(backward="unscaled"), "dx is masked but not scaled"),
    (dict(inference="mask"), "at inference (training=False) dropout must do nothing"),
    (dict(in_place=True), "your function changed x or dout"),
])
def test_typical_slips_are_named(slip, message):
    problem = EX.grade(lambda *args: _dropout(*args, **slip))
    assert problem is not None and message in problem, problem


def test_wrong_return_values():
    assert "did you forget to `return out, dx`" in EX.grade(lambda *a: None)
    assert "should return two arrays, out and dx; got 3 values" in EX.grade(
        lambda x, dout, p, u, t=True: (x, dout, u))
    assert "wrong shape" in EX.grade(lambda x, dout, p, u, t=True: (x.T, dout))


def test_other_wrong_gradient_gets_a_numerical_comparison():
    def doubled(x, dout, p_drop, u, training=True):
        out, dx = EX.reference(x, dout, p_drop, u, training)
        return out, 2 * dx if training else dx
    assert "relative error" in EX.grade(doubled)


def test_an_exception_is_reported_briefly():
    def broken(x, dout, p_drop, u, training=True):
        return x * undefined_name  # noqa: F821
    problem = EX.grade(broken)
    assert problem.startswith("your function raised NameError")


def test_hints_and_solution(capsys):
    assert len(EX.hints) == 3
    EX.hint(3)
    EX.solution()
    out = capsys.readouterr().out
    assert "Hint 3 of 3" in out and "mask = (u < keep) / keep" in out
