"""Lesson 11's exercises: LeakyReLU forward and backward. The references pass and agree with
lessonlib.layers.LeakyReLU (z == 0 included), the usual slips get their own message, a stub is
"not attempted yet", and nothing ever shows a traceback."""
import numpy as np
import pytest

import lessonlib
from lessonlib import exercises

FORWARD = exercises.leaky_relu_forward
BACKWARD = exercises.leaky_relu_backward


def test_references_pass():
    assert FORWARD.grade(FORWARD.reference) is None
    assert BACKWARD.grade(BACKWARD.reference) is None


@pytest.mark.parametrize("slope", [0.0, 0.01, 0.25, 1.0])
def test_references_agree_with_lessonlib_at_the_kink_too(rng, slope):
    z = rng.standard_normal((6, 5))
    z[0, :3] = 0.0
    dout = rng.standard_normal((6, 5))
    layer = lessonlib.layers.LeakyReLU(slope=slope)
    np.testing.assert_array_equal(FORWARD.reference(z, slope), layer.forward(z, training=True))
    np.testing.assert_array_equal(BACKWARD.reference(dout, z, slope), layer.backward(dout))


def test_stubs_are_not_attempted(capsys):
    def leaky_relu(z, slope=0.25):
        raise NotImplementedError("Exercise 11a: write LeakyReLU here")

    def leaky_relu_backward(dout, z, slope=0.25):
        raise NotImplementedError("Exercise 11b: write its backward pass here")
    FORWARD.check(leaky_relu)
    BACKWARD.check(leaky_relu_backward)
    out = capsys.readouterr().out
    assert out.count("not attempted yet") == 2 and "Traceback" not in out


def test_none_tuple_and_wrong_shape():
    assert "did you forget to `return`" in FORWARD.grade(lambda z, slope: None)
    assert "return the output out alone" in FORWARD.grade(
        lambda z, slope: (FORWARD.reference(z, slope), z > 0))
    assert "return dz alone" in BACKWARD.grade(
        lambda dout, z, slope: (BACKWARD.reference(dout, z, slope), slope))
    assert "wrong shape: expected (4, 5), got (20,)" in BACKWARD.grade(
        lambda dout, z, slope: BACKWARD.reference(dout, z, slope).ravel())


def test_a_crash_is_one_line(capsys):
    BACKWARD.check(lambda dout, z, slope: dout[z > 0] @ z)
    out = capsys.readouterr().out
    assert "ValueError" in out and "Traceback" not in out


def test_an_unknown_slip_names_the_element():
    def off_by_a_bit(z, slope):
        out = FORWARD.reference(z, slope)
        out[2, 3] += 0.01
        return out
    message = FORWARD.grade(off_by_a_bit)
    assert "index (2, 3)" in message and "slope=0.25" in message


def test_hints_and_solutions_print(capsys):
    for exercise in (FORWARD, BACKWARD):
        exercise.hint()
        exercise.hint(3)
        exercise.solution()
    out = capsys.readouterr().out
    assert out.count("Hint 3 of 3") == 2
    assert "def leaky_relu(z, slope=0.25)" in out
    assert "def leaky_relu_backward(dout, z, slope=0.25)" in out


# ---------------------------------------------------------------- fairness tables

def _forward_float32(z, slope):
    z = np.asarray(z, dtype=np.float32)
    return np.where(z > 0, z, np.float32(slope) * z)


def _forward_loop(z, slope):
    flat = [x if x > 0 else slope * x for x in np.ravel(z).tolist()]
    return np.reshape(flat, np.shape(z)).tolist()           # nested lists


def _forward_in_place_on_a_copy(z, slope):
    out = z.copy()
    out[out < 0] *= slope
    return out


def _forward_layer(z, slope):
    return lessonlib.layers.LeakyReLU(slope=slope).forward(z)


def _forward_z_in_place(z, slope):
    z[z < 0] *= slope
    return z


def _backward_float32(dout, z, slope):
    dout, z = np.asarray(dout, dtype=np.float32), np.asarray(z, dtype=np.float32)
    return dout * np.where(z > 0, np.float32(1), np.float32(slope))


def _backward_loop(dout, z, slope):
    dz = []
    for d, x in zip(np.ravel(dout).tolist(), np.ravel(z).tolist()):
        dz.append(d if x > 0 else slope * d)
    return np.reshape(dz, np.shape(z))


def _backward_in_place_on_a_copy(dout, z, slope):
    dz = dout.copy()
    dz[z <= 0] *= slope
    return dz


def _backward_mask_from_out(dout, z, slope):
    out = np.maximum(z, slope * z)          # for 0 <= slope <= 1, out > 0 exactly where z > 0
    return np.where(out > 0, dout, slope * dout)


def _backward_layer(dout, z, slope):
    layer = lessonlib.layers.LeakyReLU(slope=slope)
    layer.forward(z, training=True)
    return layer.backward(dout)


def _forward_rows_loop(z, slope):
    out = []
    for row in z:                           # a whole row of a 2-D z: `row > 0` is ambiguous
        out.append(row if row > 0 else slope * row)
    return np.array(out)


def _forward_if_on_the_array(z, slope):
    return z if z > 0 else slope * z        # no loop: `if` on the whole array


def _backward_if_on_the_array(dout, z, slope):
    return dout if z > 0 else slope * dout


def _backward_z_reused_in_place(dout, z, slope):
    positive = z > 0
    z[positive] = 1.0                       # z overwritten with the derivative: right dz
    z[~positive] = slope
    return dout * z


def _backward_kink_midway(dout, z, slope):
    # (1 + slope)/2 at z == 0, between slope and 1: a valid subderivative at the kink
    return dout * ((1 + slope) / 2 + (1 - slope) / 2 * np.sign(z))


def _backward_arguments_swapped(z, dout, slope):
    # the right formula, with the parameters named in the wrong order
    return np.where(z > 0, dout, slope * dout)


def _backward_dout_in_place(dout, z, slope):
    dout[z <= 0] *= slope
    return dout


FAIRNESS = {
    "leaky_relu_forward": dict(
        right=[("the reference", FORWARD.reference),
               ("np.maximum(z, slope * z)", lambda z, slope: np.maximum(z, slope * z)),
               ("float32", _forward_float32), ("a Python loop, nested lists", _forward_loop),
               ("in place on its own copy", _forward_in_place_on_a_copy),
               ("masks as numbers", lambda z, slope: z * (z > 0) + slope * z * (z <= 0)),
               ("(1 + a)/2 z + (1 - a)/2 |z|",
                lambda z, slope: (1 + slope) / 2 * z + (1 - slope) / 2 * np.abs(z)),
               ("lessonlib's layer", _forward_layer),
               ("z >= 0 (the same at z == 0: 0 either way)",
                lambda z, slope: np.where(z >= 0, z, slope * z))],
        slips=[("the slope on the positive side", lambda z, slope: np.where(z > 0, slope * z, z),
                "slope is on the wrong side"),
               ("max(z, slope)", lambda z, slope: np.maximum(z, slope), "max(z, slope)"),
               ("plain ReLU", lambda z, slope: np.maximum(z, 0.0), "ReLU's"),
               ("slope written in as 0.01", lambda z, slope: np.where(z > 0, z, 0.01 * z),
                ["matches slope = 0.01", "slope=0.25", "slope argument"]),
               ("slope written in as 0.25", lambda z, slope: np.where(z > 0, z, 0.25 * z),
                ["matches slope = 0.25", "slope=0.1"]),
               ("z changed in place", _forward_z_in_place, "changed z"),
               ("the constant slope below 0", lambda z, slope: np.where(z > 0, z, slope),
                "constant slope"),
               ("slope * z everywhere", lambda z, slope: slope * z, "slope * z everywhere"),
               ("-slope * z below 0", lambda z, slope: np.where(z > 0, z, -slope * z),
                "wrong sign"),
               ("slope written in as 0.15, not a usual value",
                lambda z, slope: np.where(z > 0, z, 0.15 * z),
                ["your negative side is 0.15 * z", "slope passed in, here 0.25"]),
               ("(1 - slope) * z below 0", lambda z, slope: np.where(z > 0, z, (1 - slope) * z),
                ["(1 - slope) * z = 0.75 * z", "not 1 - slope"]),
               ("a loop over the rows of a 2-D z", _forward_rows_loop,
                ["truth value", "z can have any shape: use np.where, or loop over z.ravel()"]),
               ("Python's built-in max on arrays", lambda z, slope: max(z, slope * z),
                ["built-in max", "np.maximum(z, slope * z)"]),
               ("no slope parameter", lambda z: np.maximum(z, 0.25 * z),
                ["def leaky_relu(z, slope=0.25):", "takes 1 positional argument but 2"]),
               ("z if z > 0 else slope * z, no loop", _forward_if_on_the_array,
                ["one True or False per element", "`if` needs a single one",
                 "np.where(z > 0, z, slope * z)"]),
               ("built-in max(z, slope), an array and a number",
                lambda z, slope: max(z, slope),
                ["built-in max compares an array with the number slope",
                 "np.maximum(z, slope * z)"]),
               ("np.max(z, slope * z) for np.maximum",
                lambda z, slope: np.max(z, slope * z),
                ["np.max reduces one array", "the axis", "np.maximum(a, b) compares two arrays"])]),
    "leaky_relu_backward": dict(
        right=[("the reference", BACKWARD.reference),
               ("derivative 1 at the kink (z >= 0), another valid subgradient",
                lambda dout, z, slope: np.where(z >= 0, dout, slope * dout)),
               ("dout times the derivative",
                lambda dout, z, slope: dout * np.where(z > 0, 1.0, slope)),
               ("float32", _backward_float32), ("a Python loop", _backward_loop),
               ("in place on its own copy", _backward_in_place_on_a_copy),
               ("the mask from the forward's output", _backward_mask_from_out),
               ("slope + (1 - slope) * mask",
                lambda dout, z, slope: dout * (slope + (1 - slope) * (z > 0))),
               ("lessonlib's layer", _backward_layer),
               ("nested lists",
                lambda dout, z, slope: BACKWARD.reference(dout, z, slope).tolist()),
               ("(1 + slope)/2 at the kink, via np.sign", _backward_kink_midway)],
        slips=[("plain ReLU's derivative", lambda dout, z, slope: dout * (z > 0),
                ["ReLU's derivative", "never stops"]),
               ("the slope on the positive side",
                lambda dout, z, slope: np.where(z > 0, slope * dout, dout), "wrong side"),
               ("the mask taken from dout",
                lambda dout, z, slope: np.where(dout > 0, dout, slope * dout),
                "mask comes from dout"),
               ("slope written in as 0.01",
                lambda dout, z, slope: np.where(z > 0, dout, 0.01 * dout),
                ["matches slope = 0.01", "slope argument"]),
               ("dout changed in place", _backward_dout_in_place, "changed dout"),
               ("the derivative without dout", lambda dout, z, slope: np.where(z > 0, 1.0, slope),
                "chain rule"),
               ("0 at the kink",
                lambda dout, z, slope: dout * (z > 0) + slope * dout * (z < 0),
                ["z == 0 exactly", "leave z == 0 out"]),
               ("dout times LeakyReLU(z)",
                lambda dout, z, slope: dout * np.where(z > 0, z, slope * z), "its derivative"),
               ("dout and z swapped", _backward_arguments_swapped,
                ["swapped", "the signature is (dout, z, slope)"]),
               ("slope not multiplied by dout",
                lambda dout, z, slope: np.where(z > 0, dout, slope),
                ["constant slope", "slope * dout"]),
               ("Python's built-in max on arrays", lambda dout, z, slope: max(dout, slope * dout),
                ["built-in max", "np.where(z > 0, dout, slope * dout)"]),
               ("no slope parameter", lambda dout, z: np.where(z > 0, dout, 0.25 * dout),
                ["def leaky_relu_backward(dout, z, slope=0.25):", "refused the call"]),
               ("dout if z > 0 else slope * dout, no loop", _backward_if_on_the_array,
                ["`if` needs a single one", "np.where(z > 0, dout, slope * dout)"]),
               ("built-in max(z > 0, slope), an array and a number",
                lambda dout, z, slope: dout * max(z > 0, slope),
                ["compares an array with the number slope", "np.where(z > 0, dout, slope * dout)"]),
               ("np.max(dout, slope * dout) for np.maximum",
                lambda dout, z, slope: np.max(dout, slope * dout),
                ["np.max reduces one array", "np.where(z > 0, dout, slope * dout)"]),
               ("z changed in place", _backward_z_reused_in_place,
                ["changed z", "z is the input that the forward pass kept"]),
               ("dout @ mask, a matrix product",
                lambda dout, z, slope: dout @ np.where(z > 0, 1.0, slope),
                ["matmul", "multiply element by element with *"]),
               ("-slope * dout below 0",
                lambda dout, z, slope: np.where(z > 0, dout, -slope * dout),
                ["wrong sign", "not -slope * dout"]),
               ("(1 - slope) * dout below 0",
                lambda dout, z, slope: np.where(z > 0, dout, (1 - slope) * dout),
                ["(1 - slope) * dout", "not 1 - slope"]),
               ("a value outside [slope, 1] at the kink",
                lambda dout, z, slope: np.where(z > 0, dout, np.where(z < 0, slope * dout,
                                                                      2 * dout)),
                ["z == 0 exactly (the kink)", "between slope * dout"]),
               ("half the right dz everywhere (the kink included): named away from the kink",
                lambda dout, z, slope: 0.5 * np.where(z > 0, dout, slope * dout),
                ["wrong value at index (0, 1)", "expected 0.0878775, got 0.0439388"])]),
}


def test_a_value_wrong_everywhere_is_not_blamed_on_the_kink():
    """Index (0, 0) of the first case is a kink element; when elements away from the kink are
    wrong too, the message names one of those, not the kink's range."""
    from lessonlib.exercises import l11_leaky
    z, _ = l11_leaky._case(*l11_leaky._CASES[0][::2])
    assert z[0, 0] == 0
    half = lambda dout, z, slope: 0.5 * np.where(z > 0, dout, slope * dout)  # noqa: E731
    message = l11_leaky._grade_backward(half)
    assert "kink" not in message and "index (0, 1)" in message


def test_an_if_on_the_array_is_not_called_a_loop_and_z_in_place_is_not_called_dout():
    """`z if z > 0 else ...` has no loop: its message speaks of `if`, not of rows; a loop over
    the rows keeps the rows message. 11b's z changed in place is said of z, not of dout."""
    for exercise, fn in ((FORWARD, _forward_if_on_the_array),
                         (BACKWARD, _backward_if_on_the_array)):
        message = exercise.grade(fn)
        assert "`if` needs a single one" in message and "whole rows" not in message
    message = FORWARD.grade(_forward_rows_loop)
    assert "whole rows" in message and "`if` needs" not in message
    message = FORWARD.grade(lambda z, slope: max(z, slope * z))     # two arrays
    assert "compares two whole arrays" in message and "number" not in message
    message = BACKWARD.grade(_backward_z_reused_in_place)
    assert "changed z" in message and "dout belongs" not in message
    message = BACKWARD.grade(_backward_dout_in_place)
    assert "changed dout" in message and "dout belongs to the layer above" in message
