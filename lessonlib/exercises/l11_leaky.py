"""Lesson 11's exercises, LeakyReLU written by hand (lessonlib.layers.LeakyReLU's convention):

- ``leaky_relu_forward``: ``fn(z, slope)`` returns z where z > 0 and slope * z elsewhere;
- ``leaky_relu_backward``: ``fn(dout, z, slope)`` returns dz = dout where z > 0 and
  slope * dout elsewhere, z == 0 included (the formula's "otherwise", as in lessonlib and
  PyTorch). At the kink z == 0 any value between slope * dout and dout is accepted (any slope
  between slope and 1 is a valid subderivative there), element by element.

The graders call the learner's function with the lesson's slope 0.25 first, then with others (a
slope written into the function shows), on arrays of mixed signs holding some exact zeros (the
kink) and, for the backward pass, a dout of mixed signs (a mask taken from dout shows).
"""
import numpy as np

from ._crashes import built_in_max, crashed_in_loop, explain_crash
from ._kit import (Exercise, changed_input, close, close_elements, compare,
                   describe_exception, learner_frames, named_slip, shape_problem, tolerance)

__all__ = ["leaky_relu_forward", "leaky_relu_backward"]


def reference_leaky_relu(z, slope=0.25):
    """LeakyReLU: z where z > 0, slope * z elsewhere. Shape: any -> same."""
    return np.where(z > 0, z, slope * z)


def reference_leaky_relu_backward(dout, z, slope=0.25):
    """dz = dout * LeakyReLU'(z): dout where z > 0, slope * dout elsewhere (z == 0 included)."""
    return np.where(z > 0, dout, slope * dout)      # a new array: dout stays as it is


# (shape, slope, seed): the lesson's slope first, then others; shapes differ, one is 1-D
_CASES = [((4, 5), 0.25, 0), ((7,), 0.1, 1), ((3, 2, 4), 0.6, 2)]
_OTHER_SLOPES = (0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.3, 0.5)


def _case(shape, seed):
    """z of mixed signs with a few exact zeros (at least one) and dout of mixed signs."""
    rng = np.random.default_rng(seed)
    z = rng.standard_normal(shape)
    z[np.abs(z) < 0.05] = 0.3
    flat = z.reshape(-1)
    flat[rng.choice(flat.size, size=max(1, flat.size // 8), replace=False)] = 0.0
    dout = rng.standard_normal(shape)
    dout[np.abs(dout) < 0.05] = -0.4
    return z, dout


def _describe(shape, slope):
    return f"(z of shape {shape}, slope={slope:g})"


def _hard_coded(got, slope, compute):
    """A message when got is the right answer for another slope than the one passed."""
    for other in _OTHER_SLOPES:
        if other != slope and close(got, compute(other)):
            return (f"your result matches slope = {other:g}, but this call passed slope={slope:g}: "
                    f"use the slope argument instead of a number written into the function")
    return None


def _call(fn, args, shape, element_wise):
    """(the learner's result, None), or (None, a message) for the crashes the lesson's slips
    cause: the kit's usual ones (``explain_crash``: built-in max, np.max for np.maximum, an `if`
    on a whole array), then ``element_wise``, the code to use here; a matrix product where the
    product is element by element; and a loop over the rows of a 2-D z that compares a whole
    row with 0."""
    try:
        return fn(*args), None
    except (TypeError, ValueError) as exc:
        if not learner_frames(exc):
            raise
        text, raised = str(exc), f"your function raised {describe_exception(exc)}"
        if isinstance(exc, ValueError) and ("matmul" in text or "not aligned" in text):
            return None, (f"{raised}: @ is the matrix product; LeakyReLU works element by "
                          f"element: multiply element by element with *")
        if "truth value of an array" in text and not built_in_max(exc) and crashed_in_loop(exc):
            return None, (f"{raised}: a loop over a 2-D z (here {shape}) gives whole rows, and a "
                          f"comparison such as `row > 0` holds many answers at once. z can have "
                          f"any shape: use np.where, or loop over z.ravel()")
        explanation = explain_crash(exc)
        if explanation is None:
            raise
        return None, f"{raised}: {explanation}. Here: {element_wise}"


def _factor(got, z, side):
    """c when got == c * z on the given side of z (where z > 0, or where z < 0), else None."""
    got_side, z_side = got[side], z[side]
    if z_side.size == 0:
        return None
    c = float(np.median(got_side / z_side))
    return c if close(got_side, c * z_side) else None


# ---------------------------------------------------------------- exercise 11a: forward

def _forward_slips(z, slope):
    return [
        (np.where(z > 0, slope * z, z), "the slope is on the wrong side: LeakyReLU keeps z "
                                        "where z > 0 and multiplies the negative side by slope"),
        (np.maximum(z, slope), "you returned max(z, slope), which compares z with the number "
                               "slope; LeakyReLU compares z with slope * z: np.maximum(z, "
                               "slope * z), or np.where(z > 0, z, slope * z)"),
        (np.where(z > 0, z, slope), "your negative side is the constant slope; it is slope "
                                    "times z: np.where(z > 0, z, slope * z)"),
        (np.maximum(z, 0.0), "your out is ReLU's, 0 for z <= 0: LeakyReLU keeps slope * z "
                             "there, so that a negative unit still passes some signal (and "
                             "gradient)"),
        (slope * z, "your out is slope * z everywhere; only the negative side is scaled, the "
                    "positive side stays z"),
        (z, "your out equals z: the negative side must be multiplied by slope"),
        (np.where(z > 0, z, -slope * z), "your negative side has the wrong sign: it is slope * z "
                                         "(negative for z < 0), not -slope * z"),
    ]


def _linear_sides(got, z, slope):
    """A message when got is a * z where z > 0 and c * z where z < 0 with the wrong factors
    (any c: a number written into the function, 1 - slope, ...), else None."""
    if not close(got[z == 0], np.zeros(int((z == 0).sum()))):
        return None
    a, c = _factor(got, z, z > 0), _factor(got, z, z < 0)
    if a is None or c is None:
        return None
    same = lambda x, y: abs(x - y) <= 1e-4 * max(1.0, abs(y))
    one_minus = same(c, 1 - slope)
    named = f"(1 - slope) * z = {c:.4g} * z" if one_minus else f"{c:.4g} * z"
    should = f"slope * z with the slope passed in, here {slope:g} * z"
    if same(a, 1.0) and not same(c, slope):
        if one_minus:
            return (f"your negative side is {named}: the factor is slope itself, not 1 - slope; "
                    f"it should be {should}")
        return f"your negative side is {named}; it should be {should}"
    if not same(a, 1.0):
        if same(a, c):
            return (f"your out is {named} everywhere: LeakyReLU keeps z itself where z > 0 "
                    f"and is {should} elsewhere")
        return (f"your positive side is {a:.4g} * z; LeakyReLU keeps z itself there (and is "
                f"{should} elsewhere)")
    return None


def _grade_forward(fn):
    for shape, slope, seed in _CASES:
        z, _ = _case(shape, seed)
        expected = reference_leaky_relu(z, slope)           # before the call
        where = _describe(shape, slope)
        args = [z.copy(), slope]
        got, problem = _call(fn, args, shape,
                             "np.maximum(z, slope * z), or np.where(z > 0, z, slope * z)")
        if problem:
            return problem
        if isinstance(got, tuple):
            return (f"leaky_relu returned a tuple of {len(got)} values; return the output out "
                    f"alone, an array of z's shape {shape}")
        problem = shape_problem(f"your out {where}", got, shape)
        if problem:
            return problem
        got = np.asarray(got, dtype=np.float64)
        if close(got, expected):
            problem = changed_input([("z", z)], args)
            if problem:
                return (problem + ". The backward pass still needs z as it was (where is it "
                        "positive?)")
            continue
        message = named_slip(got, _forward_slips(z, slope))
        message = message or _hard_coded(got, slope, lambda s: reference_leaky_relu(z, s))
        message = message or _linear_sides(got, z, slope)
        return message or compare(f"your out {where}", got, expected)
    return None


leaky_relu_forward = Exercise(
    "leaky_relu_forward", "Exercise 11a (LeakyReLU forward)", _grade_forward,
    hints=["Two sides: where z > 0 the output is z itself; everywhere else it is z times the "
           "small slope. Use the slope argument, not a number.",
           "np.where(condition, a, b) picks a where the condition holds and b elsewhere, element "
           "by element. (For a slope between 0 and 1, np.maximum(z, slope * z) is the same "
           "function.)",
           "return np.where(z > 0, z, slope * z)"],
    reference=reference_leaky_relu, answer_name="leaky_relu")


# ---------------------------------------------------------------- exercise 11b: backward

def _backward_slips(dout, z, slope):
    at_zero = z == 0
    return [
        (dout * (z > 0), "your dz is 0 where z <= 0: that is ReLU's derivative. LeakyReLU's is "
                         "slope there, so dz = slope * dout on that side: the gradient never "
                         "stops"),
        (np.where(z > 0, slope * dout, dout), "the slope is on the wrong side: the derivative "
                                              "is 1 where z > 0 and slope elsewhere"),
        (np.where(dout > 0, dout, slope * dout), "your mask comes from dout: the derivative "
                                                 "depends on the layer's input, so use z > 0"),
        (np.where(z > 0, 1.0, slope), "your dz is the derivative alone: the chain rule "
                                      "multiplies it by dout, dz = dout * LeakyReLU'(z)"),
        (dout * reference_leaky_relu(z, slope), "you multiplied dout by LeakyReLU(z) itself; "
                                                "multiply by its derivative, 1 or slope"),
        (reference_leaky_relu(z, slope), "your dz is LeakyReLU(z), the forward pass's output; "
                                         "the backward pass returns dout times the derivative"),
        (slope * dout, "your dz is slope * dout everywhere; where z > 0 the derivative is 1, "
                       "so dz = dout there"),
        (dout, "your dz equals dout: that is the derivative of the identity; where z <= 0 it "
               "is slope * dout"),
        (np.where(dout > 0, z, slope * z), "your dz is the right formula with dout and z "
                                           "swapped: the signature is (dout, z, slope), dout "
                                           "first, then z"),
        (np.where(z > 0, dout, -slope * dout), "your negative side has the wrong sign: the "
                                               "derivative of slope * z is slope (positive), so "
                                               "dz = slope * dout there, not -slope * dout"),
        (np.where(z > 0, dout, (1 - slope) * dout), "your negative side is (1 - slope) * dout: "
                                                    "the factor is slope itself, not 1 - slope; "
                                                    "dz = slope * dout there"),
        (np.where(z > 0, dout, slope), "your negative side is the constant slope: the chain "
                                       "rule multiplies the derivative by dout on that side "
                                       "too, so dz = slope * dout there"),
        (np.where(z > 0, dout, np.where(z < 0, slope * dout, 0.0)) if at_zero.any() else None,
         "your dz is right except where z == 0 exactly, where it is 0: your two masks (z > 0 "
         "and z < 0) leave z == 0 out. The lesson's formula puts z = 0 on the slope side "
         "(\"otherwise\"): use z > 0 and its complement"),
    ]


def _kink_range(dout, z, slope):
    """(low, high): where z == 0 any value between slope * dout and dout is right (any slope
    between slope and 1 is a valid subderivative at the kink); elsewhere low == high, the one
    right value."""
    expected = reference_leaky_relu_backward(dout, z, slope)
    at_kink = z == 0
    low = np.where(at_kink, np.minimum(slope * dout, dout), expected)
    high = np.where(at_kink, np.maximum(slope * dout, dout), expected)
    return low, high


def _compare_backward(what, got, dout, z, slope, expected):
    """None if got is right (the usual comparison away from the kink, any value between
    slope * dout and dout at z == 0), else the first wrong element, said in the kink's words
    when it is at z == 0."""
    low, high = _kink_range(dout, z, slope)
    at_kink = z == 0
    tol = tolerance(expected)
    in_range = (got >= low - tol) & (got <= high + tol)
    ok = np.where(at_kink, in_range, close_elements(got, expected))
    if ok.all():
        return None
    # a wrong element away from the kink first: a kink element is named only when it is the
    # only kind of wrong element (else the kink message sends the learner to the wrong place)
    wrong = ~ok & ~at_kink
    bad = tuple(int(i) for i in np.argwhere(wrong if wrong.any() else ~ok)[0])
    if not at_kink[bad]:
        # the usual message, the kink elements judged already
        return compare(what, got, np.where(at_kink, got, expected))
    d = dout[bad]
    return (f"{what} has a wrong value at index {bad}, where z == 0 exactly (the kink): any "
            f"value between slope * dout = {slope * d:.6g} and dout = {d:.6g} is right there; "
            f"got {got[bad]:.6g}")


def _grade_backward(fn):
    for shape, slope, seed in _CASES:
        z, dout = _case(shape, seed)
        expected = reference_leaky_relu_backward(dout, z, slope)        # before the call
        where = _describe(shape, slope)
        args = [dout.copy(), z.copy(), slope]
        got, problem = _call(fn, args, shape, "np.where(z > 0, dout, slope * dout)")
        if problem:
            return problem
        if isinstance(got, tuple):
            return (f"leaky_relu_backward returned a tuple of {len(got)} values; return dz "
                    f"alone, an array of z's shape {shape}")
        problem = shape_problem(f"your dz {where}", got, shape)
        if problem:
            return problem
        got = np.asarray(got, dtype=np.float64)
        # at the kink z == 0 any value between slope and 1 is a valid (sub)derivative: the
        # lesson takes slope (its "otherwise"), z >= 0 takes 1, (1 + slope)/2 lies between
        if _compare_backward("", got, dout, z, slope, expected) is None:
            problem = changed_input([("dout", dout)], args)
            if problem:
                return (problem + ". In a network dout belongs to the layer above; a backward "
                        "pass returns a new array: np.where(z > 0, dout, slope * dout)")
            problem = changed_input([("z", z)], args[1:])
            if problem:
                return (problem + ". In a network z is the input that the forward pass kept "
                        "in the layer's cache; the backward pass only reads it and returns a "
                        "new array: np.where(z > 0, dout, slope * dout)")
            continue
        message = named_slip(got, _backward_slips(dout, z, slope))
        message = message or _hard_coded(
            got, slope, lambda s: reference_leaky_relu_backward(dout, z, s))
        return message or _compare_backward(f"your dz {where}", got, dout, z, slope, expected)
    return None


leaky_relu_backward = Exercise(
    "leaky_relu_backward", "Exercise 11b (LeakyReLU backward)", _grade_backward,
    hints=["The chain rule: dz = dout times the derivative of LeakyReLU at z, element by "
           "element. The derivative is 1 on one side and slope on the other; which side holds "
           "z == 0 is in the lesson's formula.",
           "The derivative is 1 where z > 0 and slope elsewhere, z == 0 included (the formula's "
           "\"otherwise\"). So dz is dout where z > 0 and slope * dout elsewhere. Build a new "
           "array; leave dout and z unchanged.",
           "return np.where(z > 0, dout, slope * dout)"],
    reference=reference_leaky_relu_backward, answer_name="leaky_relu_backward")
