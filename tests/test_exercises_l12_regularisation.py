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
    if not training and inference == "times keep":        # the notes' non-inverted inference
        return x * keep, dout * keep
    kept = {"u<keep": u < keep, "u<p": u < p_drop, "u>=p": u >= p_drop, "u>p": u > p_drop,
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
        raise NotImplementedError("Exercise 12a: write inverted dropout here")
    EX.check(stub)
    out = capsys.readouterr().out
    assert "not attempted yet" in out and "Traceback" not in out


@pytest.mark.parametrize("slip, message", [
    (dict(scale="none"), "the kept values are not scaled"),
    (dict(scale="1/p"), "the kept values are divided by p_drop"),
    (dict(scale="keep"), "multiplied by 1 - p_drop; divide by it instead"),
    (dict(keep_where="u<p", scale="1/p"), "you keep each unit with probability p_drop"),
    (dict(keep_where="u<p"), "you keep units where u < p_drop"),
    (dict(keep_where="u>=p"), "you keep units where u > p_drop (the notes' mask)"),
    (dict(keep_where="u>=keep"), "your mask is inverted"),
    (dict(backward="none"), "dx equals dout: the backward pass must apply the same mask"),
    (dict(backward="unscaled"), "dx is masked but not scaled"),
    (dict(inference="mask"), "at inference (training=False) dropout must do nothing"),
    (dict(in_place=True), "your function changed x, the array passed in"),
    (dict(scale="none", inference="times keep"), "you wrote the notes' non-inverted dropout"),
    (dict(keep_where="u>p", scale="none", inference="times keep"),
     "you wrote the notes' non-inverted dropout: out = x * mask in training and x * (1 - p_drop) "
     "at inference. This exercise (like lessonlib.layers.Dropout) uses inverted dropout"),
    (dict(inference="times keep"), "that step belongs to the notes' non-inverted dropout"),
    (dict(keep_where="u>p", scale="keep"), "(the notes' mask)"),
])
def test_typical_slips_are_named(slip, message):
    problem = EX.grade(lambda *args: _dropout(*args, **slip))
    assert problem is not None and message in problem, problem


def test_wrong_return_values():
    assert "did you forget to `return out, dx`" in EX.grade(lambda *a: None)
    assert "should return two values, out and dx (`return out, dx`); got 3 values" in EX.grade(
        lambda x, dout, p, u, t=True: (x, dout, u))
    assert "got a dict (keys out, dx)" in EX.grade(
        lambda x, dout, p, u, t=True: {"out": x, "dx": dout})
    assert "wrong shape" in EX.grade(lambda x, dout, p, u, t=True: (x.T, dout))


def test_other_wrong_gradient_gets_a_numerical_comparison():
    def doubled(x, dout, p_drop, u, training=True):
        out, dx = EX.reference(x, dout, p_drop, u, training)
        return out, 2 * dx if training else dx
    assert "relative error" in EX.grade(doubled)


def test_an_exception_is_reported_briefly():
    def broken(x, dout, p_drop, u, training=True):
        raise NameError("name 'mask' is not defined")
    problem = EX.grade(broken)
    assert problem.startswith("your function raised NameError: name 'mask' is not defined")
    assert "Traceback" not in problem


def test_hints_and_solution(capsys):
    assert len(EX.hints) == 3
    EX.hint(3)
    EX.solution()
    out = capsys.readouterr().out
    assert "Hint 3 of 3" in out and "mask = (u < keep) / keep" in out
    assert "def dropout_layer(x, dout, p_drop, u, training=True):" in out


def test_a_mask_and_a_scale_both_wrong_are_both_named():
    msg = EX.grade(lambda *a: _dropout(*a, keep_where="u>=keep", scale="none"))
    assert "your mask is inverted" in msg and "; and the kept values are not scaled" in msg


def test_non_inverted_dropout_names_the_notes_mask_too():
    msg = EX.grade(lambda *a: _dropout(*a, keep_where="u>p", scale="none", inference="times keep"))
    assert msg.index("non-inverted") < msg.index("Also, you keep units where u > p_drop")


def test_the_unscaled_slip_is_not_called_non_inverted_without_its_inference():
    msg = EX.grade(lambda *a: _dropout(*a, scale="none"))
    assert "the kept values are not scaled" in msg and "non-inverted" not in msg


def test_float32_arithmetic_passes():
    def f32(x, dout, p_drop, u, training=True):
        x, dout, u = (a.astype(np.float32) for a in (x, dout, u))
        if not training:
            return x, dout
        keep = np.float32(1 - p_drop)
        mask = (u < keep).astype(np.float32) / keep
        return x * mask, dout * mask
    assert EX.grade(f32) is None


# ---------------------------------------------------------------- fairness table

def _where(x, dout, p_drop, u, training=True):
    if not training:
        return x.copy(), dout.copy()
    keep = 1 - p_drop
    return np.where(u < keep, x / keep, 0.0), np.where(u < keep, dout / keep, 0.0)


def _loops(x, dout, p_drop, u, training=True):
    if not training:
        return x.tolist(), dout.tolist()
    keep = 1 - p_drop
    scale = lambda a: [[v / keep if r < keep else 0.0 for v, r in zip(row, u_row)]
                       for row, u_row in zip(a.tolist(), u.tolist())]
    return [scale(x), scale(dout)]


def _in_place_on_copies(x, dout, p_drop, u, training=True):
    out, dx = x.copy(), dout.copy()
    if training:
        dropped = u >= 1 - p_drop
        for a in (out, dx):
            a[dropped] = 0.0
            a /= 1 - p_drop
    return out, dx


def _bool_mask_divided_after(x, dout, p_drop, u, training=True):
    if not training:
        return x, dout
    mask = u < 1 - p_drop
    return (x * mask) / (1 - p_drop), dout * mask * (1 / (1 - p_drop))


def _float32(x, dout, p_drop, u, training=True):
    x, dout, u = (a.astype(np.float32) for a in (x, dout, u))
    if not training:
        return x, dout
    keep = np.float32(1 - p_drop)
    mask = (u < keep).astype(np.float32) / keep
    return x * mask, dout * mask


def _gradient_from_the_output(x, dout, p_drop, u, training=True):
    if not training:
        return x, dout
    mask = (u < 1 - p_drop) / (1 - p_drop)
    out = mask * x
    return out, mask * dout          # the local derivative d out / d x is the mask itself


FAIRNESS = {
    "dropout_layer": dict(
        right=[("the reference", EX.reference), ("float32 throughout", _float32),
               ("np.where, copies at inference", _where), ("Python lists and loops", _loops),
               ("in-place work on its own copies", _in_place_on_copies),
               ("a boolean mask, divided afterwards", _bool_mask_divided_after),
               ("mask * x and mask * dout", _gradient_from_the_output)],
        slips=[("not scaled", lambda *a: _dropout(*a, scale="none"), "not scaled"),
               ("divided by p_drop", lambda *a: _dropout(*a, scale="1/p"), "divided by p_drop"),
               ("keeps where u < p_drop", lambda *a: _dropout(*a, keep_where="u<p"),
                "keep units where u < p_drop"),
               ("mask inverted", lambda *a: _dropout(*a, keep_where="u>=keep"), "inverted"),
               ("dx without the mask", lambda *a: _dropout(*a, backward="none"),
                "dx equals dout"),
               ("dx not scaled", lambda *a: _dropout(*a, backward="unscaled"),
                "dx is masked but not scaled"),
               ("dropout at inference", lambda *a: _dropout(*a, inference="mask"),
                "dropout must do nothing"),
               ("the notes' non-inverted dropout",
                lambda *a: _dropout(*a, scale="none", inference="times keep"),
                ["non-inverted", "x * (1 - p_drop) at inference"]),
               ("inverted, and times 1 - p_drop at inference too",
                lambda *a: _dropout(*a, inference="times keep"),
                "you multiply x by 1 - p_drop"),
               ("changes x in place", lambda *a: _dropout(*a, in_place=True), "changed x")]),
}


def _reader_slip(kind):
    """The slips of a fresh reader."""
    def dropout_layer(x, dout, p_drop, u, training=True):
        if not training:
            return (x, None) if kind == "dx None at inference" else (x, dout)
        if kind == "own random numbers":
            u = np.random.default_rng().random(x.shape)
        mask = (u < 1 - p_drop) / (1 - p_drop)
        return (dout * mask, x * mask) if kind == "swapped" else (x * mask, dout * mask)
    return dropout_layer


FAIRNESS["dropout_layer"]["slips"] += [
    ("out and dx swapped", _reader_slip("swapped"), "out and dx are swapped"),
    ("its own np.random instead of u", _reader_slip("own random numbers"),
     "use the u you are given"),
    ("return x, None at inference", _reader_slip("dx None at inference"),
     "at inference dx is dout itself: the layer passes the gradient through unchanged"),
]


def _no_training_argument(x, dout, p_drop, u):
    mask = (u < 1 - p_drop) / (1 - p_drop)
    return x * mask, dout * mask


FAIRNESS["dropout_layer"]["slips"] += [
    ("no training argument", _no_training_argument,
     ["should take five arguments", "Add the training argument"]),
]


def test_a_training_argument_with_another_name_or_star_args_passes():
    def by_other_name(x, dout, p_drop, u, is_training=True):
        return EX.reference(x, dout, p_drop, u, is_training)

    def star_args(*args):
        return EX.reference(*args)
    assert EX.grade(by_other_name) is None and EX.grade(star_args) is None


def test_dx_none_at_inference_is_not_a_forgotten_return():
    assert "forget to" not in EX.grade(_reader_slip("dx None at inference"))


def _mask_from(part):
    """A slip: the right dropout, but the mask built from part of u, broadcast over x."""
    def dropout_layer(x, dout, p_drop, u, training=True):
        if not training:
            return x, dout
        mask = ({"one column": u[:, :1], "one row": u[0], "one number": u[0, 0]}[part]
                < 1 - p_drop) / (1 - p_drop)
        return x * mask, dout * mask
    return dropout_layer


def _relu_inside(x, dout, p_drop, u, training=True):
    """A slip: a ReLU folded into the layer, forward and backward."""
    if not training:
        return x, dout
    mask = (u < 1 - p_drop) / (1 - p_drop)
    return np.maximum(x, 0) * mask, dout * mask * (x > 0)


def _relu_at_inference_too(x, dout, p_drop, u, training=True):
    relu = x > 0
    if not training:
        return x * relu, dout * relu
    mask = (u < 1 - p_drop) / (1 - p_drop)
    return np.where(relu, x * mask, 0.0), dout * mask * relu


def _own_seeded_generator(x, dout, p_drop, u, training=True):
    """A slip: random numbers of its own, from a seeded generator (the same on every call)."""
    if not training:
        return x, dout
    mask = (np.random.default_rng(5).random(x.shape) < 1 - p_drop) / (1 - p_drop)
    return x * mask, dout * mask


FAIRNESS["dropout_layer"]["slips"] += [
    ("the mask from one column of u", _mask_from("one column"),
     ["your mask is built from part of u", "one random number per unit"]),
    ("the mask from one row of u", _mask_from("one row"), "your mask is built from part of u"),
    ("the mask from one number of u", _mask_from("one number"),
     "your mask is built from part of u"),
    ("a ReLU folded into the layer", _relu_inside, ["as after a ReLU", "dropout is no activation"]),
    ("a ReLU in training and at inference", _relu_at_inference_too, "as after a ReLU"),
    ("a seeded generator of its own instead of u", _own_seeded_generator,
     "a mask from other numbers than u"),
]


@pytest.mark.parametrize("slip", [_mask_from("one column"), _mask_from("one row"), _relu_inside,
                                  _relu_at_inference_too])
def test_masks_from_u_are_not_called_own_random_numbers(slip):
    assert "your own random numbers" not in EX.grade(slip)


def test_a_relu_only_at_inference_is_named():
    def relu_at_inference(x, dout, p_drop, u, training=True):
        if not training:
            return np.maximum(x, 0), dout * (x > 0)
        return EX.reference(x, dout, p_drop, u)
    assert "at inference (training=False) your out is 0 wherever x < 0" in EX.grade(
        relu_at_inference)
