"""Lesson 03's exercises: the references pass, the typical slips get their own message, a stub
is "not attempted yet", and nothing ever shows a traceback."""
import numpy as np
import pytest

from lessonlib import exercises
from lessonlib.layers import Linear, ReLU

LAYER = exercises.relu_layer_backward
STEP = exercises.momentum_step


# ---------------------------------------------------------------- exercise 2a

def _backward(dh, x, W, z, *, mask="z>0", divide=False, bias="sum", dw="x.T@dz", dx="dz@W.T"):
    """The reference with one slip switched on."""
    dz = {"z>0": dh * (z > 0), "none": dh, "z<0": dh * (z < 0)}[mask]
    n = len(x)
    dW = {"x.T@dz": x.T @ dz, "dz.T@x": dz.T @ x, "x.T@dh": x.T @ dh}[dw]
    dX = {"dz@W.T": dz @ W.T, "dz": dz}[dx]
    db = {"sum": dz.sum(axis=0), "zeros": np.zeros(dz.shape[1]),
          "keepdims": dz.sum(axis=0, keepdims=True), "rows": dz, "total": dz.sum(),
          "mean": dz.mean(axis=0)}[bias]
    if divide:
        dW = dW / n
    return dX, dW, db


def test_layer_reference_passes_and_matches_lessonlib(rng):
    assert LAYER.grade(LAYER.reference) is None
    assert LAYER.grade(_backward) is None
    x, dh = rng.standard_normal((7, 4)), rng.standard_normal((7, 3))
    fc, relu = Linear(4, 3, init="normal", rng=1), ReLU()
    z = fc.forward(x, training=True)
    relu.forward(z, training=True)
    dx = fc.backward(relu.backward(dh))
    ref = LAYER.reference(dh, x, fc.params["W"], z)
    np.testing.assert_allclose(ref[0], dx)
    np.testing.assert_allclose(ref[1], fc.grads["W"])
    np.testing.assert_allclose(ref[2], fc.grads["b"])


def test_layer_mask_on_h_also_passes():
    def via_h(dh, x, W, z):
        h = np.maximum(z, 0)
        dz = np.where(h > 0, dh, 0.0)
        return dz @ W.T, x.T @ dz, np.sum(dz, axis=0)
    assert LAYER.grade(via_h) is None


def test_layer_stub_is_not_attempted(capsys):
    def stub(dh, x, W, z):
        raise NotImplementedError("Exercise 2a: write the backward pass here")
    LAYER.check(stub)
    out = capsys.readouterr().out
    assert "not attempted yet" in out and "Traceback" not in out


def test_layer_missing_bias_gradient():
    assert "your db is all zeros: the bias gradient is missing" in LAYER.grade(
        lambda *a: _backward(*a, bias="zeros"))
    msg = LAYER.grade(lambda dh, x, W, z: _backward(dh, x, W, z)[:2])
    assert "three arrays" in msg and "2 values" in msg
    assert "forget to `return" in LAYER.grade(lambda dh, x, W, z: (None, None, None))


def test_layer_bias_shapes():
    assert "without keepdims" in LAYER.grade(lambda *a: _backward(*a, bias="keepdims"))
    assert "one row per example" in LAYER.grade(lambda *a: _backward(*a, bias="rows"))
    assert "single number" in LAYER.grade(lambda *a: _backward(*a, bias="total"))


def test_layer_bias_averaged():
    msg = LAYER.grade(lambda *a: _backward(*a, bias="mean"))
    assert msg.startswith("your db is 6 times too small") and "do not average again" in msg


def test_layer_weight_gradient_averaged():
    msg = LAYER.grade(lambda *a: _backward(*a, divide=True))
    assert msg.startswith("your dW is 6 times too small") and "1/N" in msg


def test_layer_missing_or_inverted_relu_derivative():
    msg = LAYER.grade(lambda *a: _backward(*a, mask="none"))
    assert "ignores ReLU's derivative" in msg and msg.startswith("your dx")
    assert "mask is inverted" in LAYER.grade(lambda *a: _backward(*a, mask="z<0"))
    assert "your dW ignores ReLU's derivative" in LAYER.grade(lambda *a: _backward(*a, dw="x.T@dh"))


def test_layer_transposed_and_wrong_shapes():
    assert "transposed" in LAYER.grade(lambda *a: _backward(*a, dw="dz.T@x"))
    msg = LAYER.grade(lambda *a: _backward(*a, dx="dz"))
    assert "dx = dz @ W.T" in msg and "(6, 4)" in msg


def test_layer_flipped_sign():
    msg = LAYER.grade(lambda *a: tuple(-g for g in _backward(*a)))
    assert "opposite sign" in msg


def test_layer_other_error_is_a_relative_error():
    def off(*a):
        dx, dW, db = _backward(*a)
        dW = dW.copy()
        dW[0, 0] += 0.5
        return dx, dW, db
    msg = LAYER.grade(off)
    assert msg.startswith("your dW") and "relative error" in msg and "numerical gradient" in msg


def test_layer_changing_dh_in_place_is_flagged():
    def in_place(dh, x, W, z):
        dh[z <= 0] = 0.0
        return dh @ W.T, x.T @ dh, dh.sum(axis=0)
    assert "changed dh" in LAYER.grade(in_place)


def test_layer_learner_crash_is_one_line(capsys):
    LAYER.check(lambda dh, x, W, z: dh @ W)
    out = capsys.readouterr().out
    assert "ValueError" in out and "Traceback" not in out


# ---------------------------------------------------------------- exercise 2b

def _step(w, v, grad, lr, rho, *, slip=None):
    if slip == "notes":
        m = rho * v + lr * grad
        return w - m, m
    if slip == "positive v":
        v_new = rho * v - lr * grad
        return w + v_new, -v_new
    if slip == "uphill":
        v_new = rho * v + lr * grad
        return w + v_new, v_new
    if slip == "old v":
        v_new = rho * v - lr * grad
        return w + v, v_new
    if slip == "minus rho":
        v_new = -rho * v - lr * grad
        return w + v_new, v_new
    if slip == "plain":
        return w - lr * grad, rho * v - lr * grad
    v_new = rho * v - lr * grad
    return w + v_new, v_new


def test_step_reference_passes():
    assert STEP.grade(STEP.reference) is None
    assert STEP.grade(_step) is None


def test_step_stub_is_not_attempted(capsys):
    def stub(w, v, grad, lr, rho):
        raise NotImplementedError("Exercise 2b: write one momentum step here")
    STEP.check(stub)
    assert "not attempted yet" in capsys.readouterr().out


@pytest.mark.parametrize("slip, words", [
    ("notes", "the notes' sign convention"),
    ("positive v", "v_new has the opposite sign"),
    ("uphill", "uphill"),
    ("old v", "moved by the old velocity"),
    ("minus rho", "momentum term has the wrong sign"),
    ("plain", "plain gradient step"),
])
def test_step_slips(slip, words):
    assert words in STEP.grade(lambda *a: _step(*a, slip=slip))


def test_step_return_shape_problems():
    assert "two arrays" in STEP.grade(lambda w, v, g, lr, rho: w - lr * g)
    assert "forget to `return" in STEP.grade(lambda *a: None)
    assert "wrong shape" in STEP.grade(lambda w, v, g, lr, rho: (w.ravel(), v.ravel()))


def test_solutions_and_hints_print(capsys):
    for ex in (LAYER, STEP):
        ex.hint()
        ex.hint(3)
        ex.solution()
    out = capsys.readouterr().out
    assert "Hint 1 of 3" in out and "Hint 3 of 3" in out
    assert "def reference_relu_layer_backward" in out and "def reference_momentum_step" in out
