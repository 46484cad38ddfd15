"""Lesson 06's exercise: the reference passes and matches lessonlib's backward pass, the typical
slips get their own message, a stub is "not attempted yet", and nothing shows a traceback."""
import numpy as np

from lessonlib import MLP, exercises
from lessonlib.data import load_iris
from lessonlib.exercises.l06_vanishing import _variant

EX = exercises.backprop_by_hand


def _slip(**kwargs):
    return lambda model, X, y: _variant(model, X, y, **kwargs)


def test_reference_passes():
    assert EX.grade(EX.reference) is None
    assert EX.grade(_slip()) is None


def test_reference_matches_lessonlib_on_the_lesson_network():
    X, y, _, _ = load_iris(seed=0)
    for init in ("uniform", "he"):
        model = MLP(4, [10] * 7, 3, activation="relu", init=init, seed=0)
        _, grads = model.loss_and_grads(X, y)
        ours = EX.reference(model, X, y)
        assert len(ours) == 8
        for k, g in enumerate(ours, start=1):
            np.testing.assert_allclose(g, grads[f"fc{k}_weight"], rtol=1e-10, atol=1e-300)


def test_mask_on_h_also_passes():
    def via_h(model, X, y):
        trace = dict(model.forward_trace(X))
        L, n = len(model.hidden), len(y)
        delta = trace["softmax"] - np.eye(3)[y]
        delta = delta / n
        out = [None] * (L + 1)
        for k in range(L + 1, 0, -1):
            h = X if k == 1 else trace[f"relu{k - 1}"]
            out[k - 1] = h.T @ delta
            if k > 1:
                delta = np.where(h > 0, delta @ model.params[f"fc{k}_weight"].T, 0.0)
        return tuple(out)
    assert EX.grade(via_h) is None


def test_stub_is_not_attempted(capsys):
    def stub(model, X, y):
        raise NotImplementedError("Exercise: backpropagate through the MLP by hand")
    EX.check(stub)
    out = capsys.readouterr().out
    assert "not attempted yet" in out and "Traceback" not in out


def test_missing_relu_derivative():
    assert "multiply delta_k W_k^T elementwise by the ReLU's derivative" in EX.grade(
        _slip(mask="none"))


def test_mask_one_step_late():
    assert "the ReLU mask comes one step late" in EX.grade(_slip(mask="late"))


def test_missing_division_by_n():
    assert "every gradient is n = 20 times too large" in EX.grade(_slip(scale=False))


def test_flipped_sign():
    assert "opposite sign: delta_{L+1} is P - Y" in EX.grade(_slip(sign=-1.0))


def test_reverse_order():
    msg = EX.grade(lambda m, X, y: EX.reference(m, X, y)[::-1])
    assert "in reverse order" in msg


def test_wrong_count_and_none_and_array():
    assert "return 4 gradients (fc1 ... fc4), got 3" in EX.grade(
        lambda m, X, y: EX.reference(m, X, y)[1:])
    assert "did you forget to `return`" in EX.grade(lambda m, X, y: None)
    assert "return a list of 4 arrays" in EX.grade(lambda m, X, y: np.zeros(3))


def test_hard_coded_depth_fails_on_the_second_network():
    def three_hidden(model, X, y):
        grads = EX.reference(model, X, y)
        return grads if len(grads) == 4 else grads + [np.zeros((1, 1))]
    assert "return 3 gradients" in EX.grade(three_hidden)


def test_one_wrong_layer_is_named():
    def bad_fc2(model, X, y):
        grads = EX.reference(model, X, y)
        grads[1] = grads[1] + 1.0
        return grads
    msg = EX.grade(bad_fc2)
    assert msg.startswith("dL/dW of fc2 has the wrong value") and "layers above it are right" in msg


def test_shape_error_is_reported_without_traceback(capsys):
    def transposed(model, X, y):
        trace = dict(model.forward_trace(X))
        delta = trace["softmax"] - np.eye(3)[y]
        return [delta @ model.params["fc4_weight"]]     # (n, 3) @ (8, 3): a shape error
    EX.check(transposed)
    out = capsys.readouterr().out
    assert "Your function raised ValueError" in out and "Traceback" not in out
