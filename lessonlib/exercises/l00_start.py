"""Lesson 00: a warm-up that shows how every exercise is checked."""
import numpy as np

from ..recipes.toys import quartic_grad
from ._base import Exercise, compare

__all__ = ["warm_up"]


def reference_f_prime(x):
    """Derivative of f(x) = x^4 + 3x^3 + 2x^2."""
    return 4 * x ** 3 + 9 * x ** 2 + 4 * x


def _grade(f_prime):
    xs = np.array([-3.0, -1.5, -0.2, 0.0, 0.5, 2.0])
    got = np.array([f_prime(x) for x in xs], dtype=object)
    return compare("f_prime(x) at x = [-3, -1.5, -0.2, 0, 0.5, 2]", got.tolist(), quartic_grad(xs))


warm_up = Exercise(
    "warm_up", "Warm-up (the derivative of the quartic)", _grade,
    hints=["Differentiate term by term: d/dx x^n = n x^(n-1).",
           "x^4 gives 4x^3; now do 3x^3 and 2x^2 the same way.",
           "f'(x) = 4x^3 + 9x^2 + 4x."],
    reference=reference_f_prime)
