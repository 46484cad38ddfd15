"""Lesson 01's exercise: the reference passes, the typical slips get their own message, a stub
is "not attempted yet", and nothing ever shows a traceback."""
import math

import numpy as np

from lessonlib import exercises
from lessonlib.optim import SGD, descend
from lessonlib.recipes.l01_local_minima import QUARTIC_GLOBAL_MIN, QUARTIC_LOCAL_MAX
from lessonlib.recipes.toys import quartic_grad

LR = exercises.stable_learning_rate


def _quartic_second(x):
    return 12 * x ** 2 + 18 * x + 4


def test_reference_passes_and_gives_the_lessons_numbers():
    assert LR.grade(LR.reference) is None
    assert LR.reference(quartic_grad, _quartic_second, 0.0) == 0.5
    assert f"{LR.reference(quartic_grad, _quartic_second, QUARTIC_GLOBAL_MIN):.4f}" == "0.2957"
    assert LR.reference(quartic_grad, _quartic_second, QUARTIC_LOCAL_MAX) == 0.0


def test_the_limit_is_where_gradient_descent_stops_settling():
    """Just below 2 / f''(x*) gradient descent started near x* settles there, just above it
    swings away: the exercise's answer is what the explorer shows."""
    for x_star in (0.0, QUARTIC_GLOBAL_MIN):
        limit = LR.reference(quartic_grad, _quartic_second, x_star)
        start = x_star + 1e-3
        below = descend(quartic_grad, start, SGD(lr=0.97 * limit), 400)
        above = descend(quartic_grad, start, SGD(lr=1.03 * limit), 400)
        assert abs(below[-1] - x_star) < 1e-6
        assert abs(above[-1] - x_star) > 1e-2


def test_the_hint_is_right_that_f_second_0_is_not_decided_by_the_test():
    """Hint 2 and the reference's docstring: f'' = 0 is not a hilltop. x^4 has f''(0) = 0, yet
    gradient descent settles at its minimum 0: x <- x (1 - 4 lr x^2), slowly."""
    assert "f''(x_star) < 0 (a hilltop)" in LR.hints[1]
    assert "<= 0 (a" not in LR.hints[1] and "x^4 has f''(0) = 0" in LR.hints[1]
    assert "f''(x_star) = 0 is not decided" in LR.reference.__doc__
    path = descend(lambda x: 4 * x ** 3, 0.5, SGD(lr=0.1), 2000)
    assert np.all(np.diff(np.abs(path)) < 0) and np.all(path > 0)     # no swing, always closer
    assert abs(path[-1]) < 0.03 and abs(path[-1]) > 1e-3               # near 0, but slowly


def test_stub_is_not_attempted(capsys):
    def largest_stable_lr(f_prime, f_second, x_star):
        raise NotImplementedError("Exercise 1a: ...")
    LR.check(largest_stable_lr)
    out = capsys.readouterr().out
    assert "not attempted yet" in out and "Traceback" not in out


def test_dividing_by_a_python_zero_is_named_not_a_traceback(capsys):
    LR.check(lambda fp, fpp, x: 2 / float(fp(x)))
    out = capsys.readouterr().out
    assert "ZeroDivisionError" in out and "f_prime where f_second belongs" in out
    assert "Traceback" not in out


def test_none_at_a_hilltop_and_at_a_minimum():
    assert "return 0.0 (a number), not None" in LR.grade(
        lambda fp, fpp, x: 2 / fpp(x) if fpp(x) > 0 else None)
    assert "forget to `return`" in LR.grade(lambda fp, fpp, x: None)


def test_other_wrong_answers_show_both_values():
    assert "expected 0.5, got 1" in LR.grade(lambda fp, fpp, x: 1.0)
    msg = LR.grade(lambda fp, fpp, x: 2 / fpp(x) if fpp(x) > 0 else 1.0)
    assert "hilltop" in msg and "expected 0, got 1" in msg
    assert "return one number" in LR.grade(lambda fp, fpp, x: [2 / fpp(x)])
    assert "not a string" in LR.grade(lambda fp, fpp, x: f"{2 / fpp(x)}")


def test_the_title_is_numbered_like_the_other_lessons():
    assert LR.title == "Exercise 1a (the largest stable learning rate)"


def test_hints_and_solution(capsys):
    LR.hint()
    LR.hint(3)
    LR.solution()
    out = capsys.readouterr().out
    assert "Hint 1 of 3" in out and "Hint 3 of 3" in out
    assert "def largest_stable_lr(f_prime, f_second, x_star)" in out


# ---------------------------------------------------------------- fairness table

def _float32(f_prime, f_second, x_star):
    curvature = np.float32(f_second(np.float32(x_star)))
    return np.float32(2) / curvature if curvature > 0 else np.float32(0)


def _central_difference(f_prime, f_second, x_star):
    h = 1e-4                      # f'' as the slope of f', as the lesson checked f'
    curvature = (f_prime(x_star + h) - f_prime(x_star - h)) / (2 * h)
    return 2 / curvature if curvature > 0 else 0.0


def _clipped(f_prime, f_second, x_star):
    return max(0.0, 2 / f_second(x_star))


def _where(f_prime, f_second, x_star):
    c = f_second(x_star)
    return np.where(c > 0, 2 / c, 0.0)          # a 0-d array


def _bisection(f_prime, f_second, x_star):
    c = float(f_second(x_star))

    def settles(lr):
        return abs(1 - lr * c) < 1

    if not settles(1e-12):
        return 0.0
    lo, hi = 0.0, 1.0
    while settles(hi):
        hi *= 2
    for _ in range(100):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if settles(mid) else (lo, mid)
    return lo


def _solve_factor(f_prime, f_second, x_star):
    c = math.fsum([float(f_second(x_star))])
    if c <= 0:
        return 0
    return (1 - (-1)) / c           # where the factor 1 - lr * c reaches -1


def _slip(kind):
    def largest_stable_lr(f_prime, f_second, x_star):
        c = f_second(x_star)
        return {"1/f''": 1 / c if c > 0 else 0.0,
                "f'": 2 / f_prime(x_star),
                "|f''|": 2 / abs(c),
                "no hilltop case": 2 / c,
                "at 0": 2 / f_second(0.0) if f_second(0.0) > 0 else 0.0,
                "upside down": c / 2 if c > 0 else 0.0,
                "twice f''": 2 * c if c > 0 else 0.0,
                "1/f'": 1 / f_prime(x_star),
                "inf at a minimum": np.inf if c > 0 else 0.0,
                "a dict": {"lr": 2 / c if c > 0 else 0.0},
                "a tuple": (2 / c if c > 0 else 0.0, "min" if c > 0 else "max"),
                "inf at a hilltop": 2 / c if c > 0 else np.inf,
                "just below": 2 / c - 1e-3 if c > 0 else 0.0,
                "a safety margin": 0.99 * 2 / c if c > 0 else 0.0,
                "the quartic's f''": 2 / _quartic_second(x_star)
                if _quartic_second(x_star) > 0 else 0.0,
                "the quartic's f'', no hilltop case": 2 / _quartic_second(x_star),
                "reversed": 0.0 if c > 0 else 2 / c,
                "reversed, |f''|": 0.0 if c > 0 else 2 / abs(c)}[kind]
    return largest_stable_lr


FAIRNESS = {
    "stable_learning_rate": dict(
        right=[("the reference", LR.reference), ("float32 throughout", _float32),
               ("f'' from a central difference of f'", _central_difference),
               ("max(0, 2 / f'')", _clipped), ("np.where, a 0-d array", _where),
               ("bisection on |1 - lr f''| < 1", _bisection),
               ("(1 - (-1)) / f'', an int 0 at a hilltop", _solve_factor)],
        slips=[("1 / f''", _slip("1/f''"), "half the limit"),
               ("f' instead of f''", _slip("f'"), ["f_prime where f_second belongs", "slope"]),
               ("|f''|: a hilltop as a valley", _slip("|f''|"), ["|f''(x_star)|", "hilltop"]),
               ("2 / f'' at a hilltop too", _slip("no hilltop case"), ["negative", "0.0"]),
               ("f'' at 0, not at x_star", _slip("at 0"), "evaluate f_second at x_star"),
               ("f'' / 2", _slip("upside down"), "upside down"),
               ("2 * f''", _slip("twice f''"), "2 * f''(x_star)"),
               ("1 / f'", _slip("1/f'"), ["f_prime where f_second belongs", "1 / 0.3125"]),
               ("inf at a minimum (np.inf if f'' > 0)", _slip("inf at a minimum"),
                ["your answer is inf", "limit 2 / f''(x_star) is finite (here 0.5)"]),
               ("a dict {'lr': ...}", _slip("a dict"), ["dict (keys lr)", "return one number"]),
               ("a tuple (lr, 'min')", _slip("a tuple"),
                ["a tuple of 2 values", "return one number"]),
               ("inf at a hilltop", _slip("inf at a hilltop"), "not inf"),
               ("2 / f'' - 1e-3, a rate just below the limit", _slip("just below"),
                ["expected 0.5, got 0.499", "return the limit itself, not a rate below it"]),
               ("0.99 * 2 / f'', a safety margin", _slip("a safety margin"),
                ["expected 0.5, got 0.495", "return the limit itself, not a rate below it"]),
               ("the quartic's f'' typed in (or the lesson's global f_second)",
                _slip("the quartic's f''"), ["the quartic's f''(x) = 12x^2 + 18x + 4",
                                             "for x^2 at its minimum", "Call f_second(x_star)"]),
               ("the quartic's f'' typed in, without the hilltop case",
                _slip("the quartic's f'', no hilltop case"),
                ["the quartic's f''(x) = 12x^2 + 18x + 4", "not the f_second you are given"]),
               ("0.0 if f'' > 0 else 2 / f'': the valley test reversed", _slip("reversed"),
                ["the hilltop answer", "test for a valley reversed", "returned -0.5"]),
               ("0.0 if f'' > 0 else 2 / |f''|: the valley test reversed", _slip("reversed, |f''|"),
                ["the hilltop answer", "test for a valley reversed", "returned 0.5"])]),
}
