"""Lesson 12's exercise: inverted dropout, forward and backward, with the random numbers given.

- ``dropout_layer``: ``fn(x, dout, p_drop, u, training)`` returns ``(out, dx)``: in training,
  keep a unit where u < 1 - p_drop and scale the kept ones by 1 / (1 - p_drop); backward, the
  same mask and scale; at inference, nothing at all.
"""
import numpy as np

from ..gradcheck import numerical_gradient
from ._base import Exercise, _shape_problem, compare, gradient_problem, unpack_returned

__all__ = ["dropout_layer"]


def reference_dropout(x, dout, p_drop, u, training=True):
    """Inverted dropout. u: uniform random numbers in [0, 1), shaped like x.
    Returns (out, dx): the layer's output and the gradient with respect to x."""
    if not training:
        return x, dout                      # inference: the layer does nothing
    keep = 1.0 - p_drop
    mask = (u < keep) / keep                # 0 for a dropped unit, 1 / keep for a kept one
    return x * mask, dout * mask


# (shape, p_drop, training, seed): shapes differ so a transposed answer shows
# and p_drop = 0.2 comes first: at 0.5, p_drop and 1 - p_drop cannot tell two slips apart
_CASES = [((3, 7), 0.2, True, 1), ((5, 4), 0.5, True, 0), ((6, 3), 0.75, True, 2),
          ((4, 5), 0.0, True, 3), ((5, 4), 0.5, False, 4)]


def _case(shape, seed):
    rng = np.random.default_rng(seed)
    return rng.standard_normal(shape), rng.standard_normal(shape), rng.random(shape)


def _close(a, b):
    try:
        a = np.asarray(a, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return a.shape == np.shape(b) and np.allclose(a, b, rtol=1e-9, atol=1e-12)


def _diagnose_forward(out, x, p_drop, u):
    """A sentence for the classic slips of the forward pass, or None."""
    keep = 1.0 - p_drop
    kept = u < keep
    slips = [
        (x * kept, "the kept values are not scaled: divide them by the keep probability "
                   "1 - p_drop (inverted dropout), so that the expected output in training "
                   "equals the output at inference"),
        (x * kept / p_drop if p_drop > 0 else None,
         "the kept values are divided by p_drop; divide by the keep probability, 1 - p_drop"),
        (x * kept * keep, "the kept values are multiplied by 1 - p_drop; divide by it instead"),
        (x * (u < p_drop) / p_drop if p_drop > 0 else None,
         "you keep each unit with probability p_drop; p_drop is the probability of dropping "
         "it: keep where u < 1 - p_drop"),
        (x * (u < p_drop) / keep, "you keep units where u < p_drop; keep where u < 1 - p_drop"),
        (x * (u >= p_drop) / keep,
         "you keep units where u >= p_drop: that drops the right fraction, but the checker "
         "(like lessonlib.layers.Dropout) keeps a unit where u < 1 - p_drop; use that mask"),
        (x * (u >= keep) / keep, "your mask is inverted: keep where u < 1 - p_drop, drop the rest"),
        (x, "out equals x: in training the dropped units must be set to 0"),
    ]
    for candidate, words in slips:
        if candidate is not None and _close(out, candidate):
            return words
    return None


def _grade(fn):
    for shape, p_drop, training, seed in _CASES:
        x, dout, u = _case(shape, seed)
        args = [x.copy(), dout.copy(), p_drop, u.copy(), training]
        result = fn(*args)
        where = f"(p_drop = {p_drop:g}, training={training}, x of shape {shape})"
        pair, problem = unpack_returned(result, "your function", ("out", "dx"))
        if problem:
            return problem
        out, dx = pair
        expected_out, expected_dx = reference_dropout(x, dout, p_drop, u, training)
        for name, got in (("out", out), ("dx", dx)):
            problem = _shape_problem(f"your {name} {where}", got, shape)
            if problem:
                return problem
        if not training:
            if not (_close(out, x) and _close(dx, dout)):
                return ("at inference (training=False) dropout must do nothing: return x and "
                        "dout unchanged. With inverted dropout the scaling was already done in "
                        "training")
            continue
        if not _close(out, expected_out):
            words = _diagnose_forward(out, x, p_drop, u)
            if words:
                return f"{words} {where}"
            return compare(f"your out {where}", out, expected_out)
        if not _close(dx, expected_dx):
            keep = 1.0 - p_drop
            if _close(dx, dout) and p_drop > 0:
                return (f"dx equals dout: the backward pass must apply the same mask as the "
                        f"forward pass, so dropped units pass no gradient {where}")
            if _close(dx, dout * (u < keep)):
                return (f"dx is masked but not scaled: out = x * mask / (1 - p_drop), so dx = "
                        f"dout * mask / (1 - p_drop) {where}")
            # the forward pass is linear in x for a fixed u: its numerical gradient is exact
            xs = x.copy()

            def f():
                return float(np.sum(reference_dropout(xs, dout, p_drop, u)[0] * dout))

            problem = gradient_problem(f"your dx {where}", dx, numerical_gradient(f, xs))
            return problem or compare(f"your dx {where}", dx, expected_dx)
        if not (np.array_equal(args[0], x) and np.array_equal(args[1], dout)):
            return ("out and dx are right, but your function changed x or dout, the arrays "
                    "passed in: build new arrays (x * mask), do not write into the inputs")
    return None


dropout_layer = Exercise(
    "dropout_layer", "Exercise (inverted dropout, forward and backward)", _grade,
    hints=["In training, build a mask from u: a unit is kept where u < 1 - p_drop. The output "
           "is x times the mask, with the kept values scaled up so that their expected value "
           "does not change. Backward, the gradient takes the same path back.",
           "mask = (u < 1 - p_drop) / (1 - p_drop): 0 for a dropped unit, 1 / (1 - p_drop) for "
           "a kept one. out = x * mask. Since out is x times a constant, dx = dout * mask. "
           "With training=False, return x and dout as they are.",
           "if not training: return x, dout; keep = 1 - p_drop; mask = (u < keep) / keep; "
           "return x * mask, dout * mask"],
    reference=reference_dropout)
