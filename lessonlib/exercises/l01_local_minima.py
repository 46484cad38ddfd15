"""Lesson 01's exercise: the limit of the learning rate, below which gradient descent settles.

``largest_stable_lr(f_prime, f_second, x_star)``: near a stationary point x*, one step of
gradient descent multiplies the distance to x* by 1 - lr f''(x*). The distance shrinks while
that factor lies between -1 and 1, that is for 0 < lr < 2 / f''(x*) when f''(x*) > 0 (a
minimum; at lr = 2 / f''(x*) exactly the steps swing forever, so the limit is not itself a
stable rate); at a hilltop (f''(x*) < 0) the factor is above 1 for every lr > 0, and the
answer is 0.0. This linear test does not decide f''(x*) = 0 (x^4 at 0 is a minimum where
gradient descent settles, slowly); no case of the checker has it. The learner gets both
derivatives and must pick the one that decides. The checker tries the lesson's quartic at its
three stationary points and four other functions at their minima and maxima, and names the usual slips: 1/f'' (the lr that lands on x* in one
step), f' in place of f'' (it is 0 at x*; recognised by calling the learner's function once
more with a slope that is not 0), inf at a minimum or a hilltop, f''/2, 2 f'', the second
derivative taken at another point, a negative answer, |f''| (a hilltop treated as a valley),
a rate just below the limit (the limit itself is asked for), the quartic's f'' typed in
(right for the quartic, wrong for the other functions), the valley test reversed (0.0 at a
minimum; recognised by calling the learner's function once more with f'' negated),
and a dict, a tuple or list of several values, or text in place of one number.
"""
import numpy as np

from ..recipes.l01_local_minima import QUARTIC_GLOBAL_MIN, QUARTIC_LOCAL_MAX, quartic_second
from ..recipes.toys import quartic_grad
from ._kit import Exercise, as_numbers, close, compare, describe_exception, named_slip, pair

__all__ = ["stable_learning_rate"]


def reference_largest_stable_lr(f_prime, f_second, x_star):
    """The limit of the learning rate: below it, gradient descent settles at the stationary
    point x_star. 2 / f''(x_star) where f''(x_star) > 0 (a minimum); 0.0 where f''(x_star) < 0
    (a hilltop), as no learning rate settles there. f''(x_star) = 0 is not decided by this test
    (x^4 at 0 is a minimum where gradient descent settles, slowly); the checker has no such
    case, and this function returns 0.0 there too."""
    curvature = f_second(x_star)      # the factor per step is 1 - lr * f''(x_star)
    if curvature <= 0:
        return 0.0                    # f'' < 0, a hilltop: 1 - lr * f'' > 1 for every lr > 0
    return 2.0 / curvature            # 1 - lr * f'' > -1  <=>  lr < 2 / f''


def _f64(value):
    return np.float64(value)          # so that 2 / f'(x*) is inf, as NumPy computes it


# The functions the checker tries: (name, f', f'', [(x*, kind), ...]). Their f' and f'' return
# NumPy floats, like lessonlib's quartic_grad. Every f'' is far from 0 at every x*.
_FUNCTIONS = [
    ("the quartic x^4 + 3x^3 + 2x^2", quartic_grad,
     lambda x: _f64(12 * x ** 2 + 18 * x + 4),
     [(0.0, "its local minimum"), (QUARTIC_GLOBAL_MIN, "its global minimum"),
      (QUARTIC_LOCAL_MAX, "its hilltop")]),
    ("x^2", lambda x: _f64(2 * x), lambda x: _f64(2.0), [(0.0, "its minimum")]),
    ("3(x - 1)^2", lambda x: _f64(6 * (x - 1)), lambda x: _f64(6.0), [(1.0, "its minimum")]),
    ("x^2 / 20", lambda x: _f64(x / 10), lambda x: _f64(0.1), [(0.0, "its minimum")]),
    ("the double well (x^2 - 1)^2", lambda x: _f64(4 * x ** 3 - 4 * x),
     lambda x: _f64(12 * x ** 2 - 4),
     [(1.0, "a minimum"), (-1.0, "a minimum"), (0.0, "its hilltop")]),
    ("cos(x)", lambda x: _f64(-np.sin(x)), lambda x: _f64(-np.cos(x)),
     [(np.pi, "its minimum"), (0.0, "its hilltop")]),
]


def _cases():
    """(function name, f', f'', x*, kind, every x* of that function), minima first: a slip that
    shows at a minimum is named before one that shows only at a hilltop."""
    cases = [(name, fp, fpp, x, kind, [p for p, _ in points])
             for name, fp, fpp, points in _FUNCTIONS for x, kind in points]
    return sorted(cases, key=lambda c: "hilltop" in c[4])


def _slips(f_prime, f_second, x_star, points, quartic=False):
    """What the usual slips compute at x_star: [(value, message)]."""
    with np.errstate(all="ignore"):
        curvature = f_second(x_star)
        hilltop = curvature < 0
        slips = []
        if not quartic:             # the quartic's f'' typed in (or cell 22's f_second used)
            q = float(quartic_second(x_star))
            message = (f"you used the quartic's f''(x) = 12x^2 + 18x + 4, not the f_second you "
                       f"are given: the checker also tries other functions (here f''(x_star) = "
                       f"{float(curvature):g}, the quartic's would be {q:g}). "
                       f"Call f_second(x_star)")
            slips += [(2.0 / q, message)] + ([(0.0, message)] if q <= 0 else [])
        if hilltop:
            slips += [
                (2.0 / curvature,
                 "your learning rate is negative: 2 / f''(x_star) with f''(x_star) < 0. Here "
                 "x_star is a hilltop, where the factor 1 - lr * f''(x_star) is above 1 for "
                 "every lr > 0, so no learning rate settles there: return 0.0"),
                (2.0 / abs(curvature),
                 "you used |f''(x_star)|, but x_star is a hilltop (f''(x_star) < 0): the "
                 "factor 1 - lr * f''(x_star) = 1 + lr * |f''(x_star)| is above 1 for every "
                 "lr > 0, so no learning rate settles there: return 0.0"),
                (1.0 / abs(curvature),
                 "you used |f''(x_star)|, but x_star is a hilltop (f''(x_star) < 0): no "
                 "learning rate settles there, return 0.0"),
            ]
        else:
            slips += [
                (1.0 / curvature,
                 "your learning rate is half the limit: 1 / f''(x_star) is the lr that lands on "
                 "x_star in one step (factor 0). The distance still shrinks while the factor "
                 "1 - lr * f''(x_star) stays above -1, up to lr = 2 / f''(x_star)"),
                (curvature / 2.0,
                 "your answer is upside down: f''(x_star) / 2 instead of 2 / f''(x_star). "
                 "A more curved valley (larger f'') needs a smaller learning rate"),
                (2.0 * curvature,
                 "your answer is 2 * f''(x_star): solve 1 - lr * f''(x_star) > -1 for lr, "
                 "which gives lr < 2 / f''(x_star)"),
                (-2.0 / curvature, "your learning rate is negative: a learning rate is a "
                                   "positive step size"),
            ]
        for p in [q for q in points if q != x_star] + ([0.0] if 0.0 not in points else []):
            other = f_second(p)
            for value in (2.0 / other, 2.0 / abs(other)):
                slips.append((value if np.isfinite(value) else None,
                              f"your answer is right for x = {p:.6g}, not for x_star = "
                              f"{x_star:.6g}: evaluate f_second at x_star, the point you "
                              f"are given"))
    return slips


_PROBE_SLOPE = 0.3125       # a slope that is not 0, for the second call (_slope_answer)


def _slope_answer(fn, f_second, x_star):
    """How the learner's answer depends on f_prime: called once more with an f_prime that is
    0.3125 everywhere, the answer if it is 2 / 0.3125 or 1 / 0.3125 (f' used where f''
    belongs), else None. Only for an answer already found wrong."""
    try:
        got = fn(lambda x: np.float64(_PROBE_SLOPE), f_second, float(x_star))
    except Exception:               # any failure: no evidence either way
        return None
    for value in (2.0 / _PROBE_SLOPE, 1.0 / _PROBE_SLOPE):
        if close(got, value):
            return value
    return None


def _slope_message(fn, f_second, x_star):
    """The message for f' used in place of f'', if a second call shows it, else None."""
    value = _slope_answer(fn, f_second, x_star)
    if value is None:
        return None
    return (f"you used f_prime where f_second belongs: f'(x_star) is the slope, which is 0 at "
            f"every stationary point (given a slope of {_PROBE_SLOPE} instead, your function "
            f"returned {value:g} = {value * _PROBE_SLOPE:g} / {_PROBE_SLOPE}). The factor per "
            f"step, 1 - lr * f''(x_star), holds the second derivative")


def _reversed_message(fn, f_prime, f_second, x_star):
    """At a minimum the learner returned 0.0, the hilltop answer. Called once more with f''
    negated (x_star made a hilltop), does the function return a learning rate, +-2 / f''? Then
    its test for a valley is reversed: the message, else None."""
    curvature = float(f_second(x_star))
    try:
        got = fn(f_prime, lambda x: -f_second(x), float(x_star))
    except Exception:               # any failure: no evidence either way
        return None
    for value in (2.0 / curvature, -2.0 / curvature):
        if close(got, value):
            return (f"your answer is 0.0, the hilltop answer, but here f''(x_star) = "
                    f"{curvature:g} > 0: x_star is a minimum (given f''(x_star) = "
                    f"{-curvature:g} instead, your function returned {float(value):g}). Is your "
                    f"test for a valley reversed? A minimum has f''(x_star) > 0, and there the "
                    f"limit is 2 / f''(x_star)")
    return None


def _grade(fn):
    for name, f_prime, f_second, x_star, kind, points in _cases():
        # the expected value and the slips before the learner's code runs
        expected = reference_largest_stable_lr(f_prime, f_second, x_star)
        slips = _slips(f_prime, f_second, x_star, points, quartic=f_prime is quartic_grad)
        what = f"for {name} at {kind} x_star = {x_star:.6g}"
        try:
            got = fn(f_prime, f_second, float(x_star))
        except ZeroDivisionError as exc:
            message = _slope_message(fn, f_second, x_star)
            if message:
                return f"{what}, your function raised {describe_exception(exc)}: {message}"
            return (f"{what}, your function raised {describe_exception(exc)}. Did you "
                    f"divide by f_prime(x_star)? The slope f'(x_star) is 0 at every "
                    f"stationary point; the factor per step, 1 - lr * f''(x_star), holds the "
                    f"second derivative, f_second")
        if got is None and expected == 0.0:
            return (f"{what}, your function returned None. At a hilltop no learning rate "
                    f"settles: return 0.0 (a number), not None")
        if isinstance(got, dict):
            keys = ", ".join(map(str, list(got)[:4]))
            return (f"your answer {what} is a dict (keys {keys}); return one number, the limit "
                    f"itself, not a dict")
        if isinstance(got, (tuple, list)) and len(got) > 1:
            return (f"your answer {what} is a {type(got).__name__} of {len(got)} values "
                    f"({str(got)[:50]}); return one number, the limit itself")
        got_arr, problem = as_numbers(f"your answer {what}", got, ())
        if problem:
            if got_arr is None and np.ndim(np.asarray(got, dtype=object)) > 0:
                return problem + "; return one number"
            return problem
        if close(got_arr, expected):
            continue
        message = _slope_message(fn, f_second, x_star)
        if message:
            return f"{what}, {message}"
        if not np.isfinite(got_arr):
            if expected > 0:
                return (f"{what}, your answer is {float(got_arr)}: at a minimum, with "
                        f"f''(x_star) > 0, the limit 2 / f''(x_star) is finite (here "
                        f"{expected:.6g})")
            if got_arr > 0:
                return (f"{what}, your answer is inf: at a hilltop no learning rate settles, "
                        f"so the limit is 0.0, not inf")
            return (f"{what}, your answer is {float(got_arr)}: x_star is a hilltop "
                    f"(f''(x_star) < 0), where no learning rate settles: return 0.0")
        if expected > 0 and got_arr == 0:
            message = _reversed_message(fn, f_prime, f_second, x_star)
            if message:
                return f"{what}, {message}"
        message = named_slip(got_arr, slips)
        if message:
            return f"{what}, {message}"
        if 0.8 * expected < got_arr < expected:
            want, have = pair(expected, got_arr)
            return (f"{what}, expected {want}, got {have}: your answer is just below the limit: "
                    f"return the limit itself, not a rate below it (the lr where the factor "
                    f"1 - lr * f''(x_star) reaches -1; every rate below it settles)")
        if expected == 0.0:
            want, have = pair(expected, got_arr)
            return (f"{what}, expected {want}, got {have}: x_star is a hilltop "
                    f"(f''(x_star) < 0), where no learning rate settles")
        return compare(f"your answer {what}", got_arr, expected)
    return None


stable_learning_rate = Exercise(
    "stable_learning_rate", "Exercise 1a (the largest stable learning rate)", _grade,
    hints=["Only the factor 1 - lr * f''(x_star) matters: the distance to x_star shrinks when "
           "it lies between -1 and 1. Which of the two derivatives appears in it? Evaluate "
           "that one at x_star.",
           "With f''(x_star) > 0 the factor is below 1 for every lr > 0; it stays above -1 "
           "while lr * f''(x_star) < 2: that bound is the limit. With f''(x_star) < 0 (a "
           "hilltop) the factor is above 1 for every lr > 0: no learning rate settles, so "
           "return 0.0. (f''(x_star) = 0 is not decided by this test: x^4 has f''(0) = 0, "
           "yet 0 is a minimum where gradient descent settles, slowly. No case here has it.)",
           "curvature = f_second(x_star); return 2.0 / curvature if curvature > 0 else 0.0"],
    reference=reference_largest_stable_lr, answer_name="largest_stable_lr")
