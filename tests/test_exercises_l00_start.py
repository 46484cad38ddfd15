"""Lesson 00's warm-up (f'(x) of the quartic): the slips the hints anticipate are named, a wrong
polynomial is read back term by term, and the fairness table. The kit's own tests, shown on
the warm-up, are in test_exercises_base.py."""
import math

import numpy as np

from lessonlib import exercises
from lessonlib.recipes.toys import quartic_grad

EX = exercises.warm_up


def test_the_stub_name_is_the_notebooks():
    assert EX.answer_name == "f_prime"
    assert EX.solution_code().startswith("def f_prime(x):")


def test_caret_for_a_power_is_named(capsys):
    assert "in Python ^ is not a power" in EX.grade(lambda x: 4 * x ^ 3)
    EX.check(lambda x: 4 * x ^ 3 + 9 * x ^ 2 + 4 * x)
    out = capsys.readouterr().out
    assert "write x**3" in out and "Traceback" not in out


def test_a_wrong_polynomial_is_read_term_by_term():
    message = EX.grade(lambda x: 4 * x ** 3 + 3 * x ** 2 + 2 * x)
    assert message.startswith("your f_prime(x) is 4x^3 + 3x^2 + 2x, but f'(x) = 4x^3 + 9x^2 + 4x")
    assert "the x^2 term is 3x^2, should be 9x^2 (d/dx 3x^3 = 3 * 3x^2 = 9x^2)" in message
    assert "the x term 4x is missing" in EX.grade(lambda x: 4 * x ** 3 + 9 * x ** 2)
    assert "the constant term 4 should not be there" in EX.grade(
        lambda x: 4 * x ** 3 + 9 * x ** 2 + 4 * x + 4)


def test_a_non_polynomial_answer_gets_the_first_wrong_point():
    assert EX.grade(math.cos) == "f_prime(-3) should be -39, got -0.989992"


def test_one_number_per_call():
    assert "should return one number for one number x" in EX.grade(lambda x: [x, x])
    assert EX.grade(lambda x: np.array([quartic_grad(x)])) is None      # one number, wrapped


# ---------------------------------------------------------------- fairness table

def _f32(x):
    x = np.float32(x)
    return np.float32(4) * x ** 3 + np.float32(9) * x ** 2 + np.float32(4) * x


def _horner(x):
    return x * (4 * x * x + 9 * x + 4)


def _power_rule_loop(x):
    total = 0.0
    for coefficient, power in [(1, 4), (3, 3), (2, 2)]:      # f = sum c x^p
        total += coefficient * power * math.pow(x, power - 1)
    return total


def _polyder(x):
    return np.polyval(np.polyder([1, 3, 2, 0, 0]), x)


def _central_difference(x, h=1e-4):
    f = lambda t: t ** 4 + 3 * t ** 3 + 2 * t ** 2
    return (f(x + h) - f(x - h)) / (2 * h)      # exact up to h^2 f'''/6 = 4e-8 (x + 0.75)


FAIRNESS = {
    "warm_up": dict(
        right=[("the reference", EX.reference), ("float32 throughout", _f32),
               ("Horner's form x (4x^2 + 9x + 4)", _horner),
               ("the power rule in a loop, math.pow", _power_rule_loop),
               ("np.polyder and np.polyval", _polyder),
               ("a central difference", _central_difference),
               ("lessonlib's quartic_grad", quartic_grad),
               ("one number in a one-element list", lambda x: [quartic_grad(x)])],
        slips=[("f instead of f'", lambda x: x ** 4 + 3 * x ** 3 + 2 * x ** 2,
                "returns f(x) itself"),
               ("the power kept", lambda x: 4 * x ** 4 + 9 * x ** 3 + 4 * x ** 2,
                "the power stayed"),
               ("the exponent not brought down", lambda x: x ** 3 + 3 * x ** 2 + 2 * x,
                "not brought down as a factor"),
               ("the coefficients not multiplied", lambda x: 4 * x ** 3 + 3 * x ** 2 + 2 * x,
                ["the x^2 term is 3x^2, should be 9x^2", "the x term is 2x, should be 4x"]),
               ("one sign", lambda x: 4 * x ** 3 + 9 * x ** 2 - 4 * x,
                "the x term is -4x, should be 4x"),
               ("every sign", lambda x: -(4 * x ** 3 + 9 * x ** 2 + 4 * x), "opposite sign"),
               ("the second derivative", lambda x: 12 * x ** 2 + 18 * x + 4,
                ["that is f''(x)", "the second derivative"]),
               ("^ for a power", lambda x: 4 * x ^ 3 + 9 * x ^ 2 + 4 * x, "^ is not a power"),
               ("no return", lambda x: None, "forget to `return`"),
               ("the terms returned as a tuple", lambda x: (4 * x ** 3, 9 * x ** 2, 4 * x),
                ["returned a tuple of 3 values", "return one number, the sum"]),
               ("the number returned as text, str()", lambda x: str(quartic_grad(x)),
                ["f_prime(-3) is text ('-39.0')", "not a string"]),
               ("the number returned as an f-string", lambda x: f"{quartic_grad(x):.3f}",
                ["is text", "not a string"])]),
}
