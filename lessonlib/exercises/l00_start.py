"""Lesson 00: a warm-up that shows how every exercise is checked.

``warm_up``: ``f_prime(x)`` returns f'(x) for f(x) = x^4 + 3x^3 + 2x^2, at one number x. The
checker calls it at nine points. A wrong answer that is still a polynomial of degree at most 4
is read back term by term (nine points determine it), so the message can say which term is
off and which term of f it comes from.
"""
import numpy as np

from ..recipes.toys import quartic, quartic_grad
from ._kit import Exercise, as_numbers, close, named_slip, pair

__all__ = ["warm_up"]


def reference_f_prime(x):
    """Derivative of f(x) = x^4 + 3x^3 + 2x^2."""
    return 4 * x ** 3 + 9 * x ** 2 + 4 * x


# Nine points, none a root of f' (except 0), both signs, small and large: they pin down any
# polynomial of degree up to 8, so a polynomial answer of degree <= 4 is read back exactly.
_XS = np.array([-3.0, -1.5, -0.2, 0.0, 0.5, 2.0, 1.0, -1.0, 3.0])
_F = np.array([0.0, 0.0, 2.0, 3.0, 1.0])          # f's coefficients, x^0 ... x^4
_F_PRIME = np.array([0.0, 4.0, 9.0, 4.0, 0.0])    # f''s coefficients, x^0 ... x^4


def _polynomial(coefficients):
    """'4x^3 + 9x^2 + 4x' from coefficients of x^0, x^1, ..."""
    terms = []
    for power in range(len(coefficients) - 1, -1, -1):
        c = float(coefficients[power])
        if c == 0:
            continue
        size = "" if abs(c) == 1 and power else f"{abs(c):g}"
        term = size + {0: "", 1: "x"}.get(power, f"x^{power}")
        terms.append(("- " if c < 0 else "+ ") + term)
    if not terms:
        return "0"
    text = " ".join(terms)
    return text[2:] if text.startswith("+ ") else "-" + text[2:]


def _read_polynomial(values):
    """The coefficients (x^0 ... x^4) of the polynomial of degree <= 4 through the values at
    _XS, rounded to 1e-6, or None when the values are not such a polynomial."""
    vander = np.vander(_XS, 5, increasing=True)
    coefficients = np.linalg.lstsq(vander, values, rcond=None)[0]
    coefficients = np.round(coefficients, 6) + 0.0          # + 0.0 turns -0 into 0
    if not close(vander @ coefficients, values):
        return None
    return coefficients


def _term_by_term(coefficients):
    """What is wrong, term by term, in a polynomial answer."""
    wrong = []
    for power in range(4, -1, -1):
        got, want = coefficients[power], _F_PRIME[power]
        if abs(got - want) <= 1e-4 * max(1.0, abs(want)):
            continue
        name = {0: "constant term", 1: "x term"}.get(power, f"x^{power} term")
        c = _F[power + 1] if power < 4 else 0.0     # the term of f whose derivative gives it
        source = (f" (d/dx {_polynomial([0] * (power + 1) + [c])} = {power + 1} * "
                  f"{_polynomial([0] * power + [c])} = {_polynomial([0] * power + [want])})"
                  if c else "")
        if want == 0:
            wrong.append(f"the {name} {_polynomial([0] * power + [got])} should not be there "
                         f"(no term of f gives it)")
        elif abs(got) <= 1e-4:
            wrong.append(f"the {name} {_polynomial([0] * power + [want])} is missing{source}")
        else:
            wrong.append(f"the {name} is {_polynomial([0] * power + [got])}, should be "
                         f"{_polynomial([0] * power + [want])}{source}")
    return (f"your f_prime(x) is {_polynomial(coefficients)}, but f'(x) = "
            f"{_polynomial(_F_PRIME)}: " + "; ".join(wrong[:2]))


def _slips():
    """Whole-answer slips the hints anticipate: (values at _XS, message)."""
    x = _XS
    return [
        (quartic(x), "your f_prime returns f(x) itself, x^4 + 3x^3 + 2x^2, not its derivative"),
        (4 * x ** 4 + 9 * x ** 3 + 4 * x ** 2,
         "each term was multiplied by its exponent, but the power stayed: d/dx x^n = n x^(n-1), "
         "so the power drops by one (x^4 gives 4x^3)"),
        (x ** 3 + 3 * x ** 2 + 2 * x,
         "each power dropped by one, but the exponent was not brought down as a factor: "
         "d/dx x^n = n x^(n-1), so x^4 gives 4x^3 and 3x^3 gives 9x^2"),
        (-quartic_grad(x), "your f_prime has the right size but the opposite sign everywhere: "
                           "check a sign"),
        (12 * x ** 2 + 18 * x + 4,
         "that is f''(x) = 12x^2 + 18x + 4, the second derivative (the derivative was taken "
         "twice): f'(x) = 4x^3 + 9x^2 + 4x"),
    ]


def _grade(f_prime):
    expected = quartic_grad(_XS)          # from the checker's own points, before any call
    got = []
    for x in _XS:
        try:
            value = f_prime(float(x))
        except TypeError as exc:
            if "^" in str(exc):
                return ("your function uses ^ for a power, but in Python ^ is not a power "
                        "(it is bitwise XOR): write x**3 for x cubed")
            raise
        if value is None:
            return "your f_prime returned None: did you forget to `return` the value?"
        returned = value
        if isinstance(returned, (tuple, list)) and len(returned) > 1:
            return (f"f_prime(x) should return one number for one number x; f_prime({x:g}) "
                    f"returned a {type(returned).__name__} of {len(returned)} values, "
                    f"{str(returned)[:60]}: return one number, the sum of the terms (join "
                    f"them with +, not with commas)")
        one_number = (f"f_prime(x) should return one number for one number x; f_prime({x:g}) "
                      f"returned {type(returned).__name__} {str(returned)[:60]}")
        if isinstance(returned, dict):
            return one_number
        value, problem = as_numbers(f"f_prime({x:g})", returned)    # text is refused here
        if problem:
            return problem
        if value.size != 1:
            return one_number
        got.append(float(value.reshape(-1)[0]))
    got = np.array(got)
    if close(got, expected):
        return None
    message = named_slip(got, _slips())
    if message:
        return message
    if np.isfinite(got).all():
        coefficients = _read_polynomial(got)
        if coefficients is not None:
            return _term_by_term(coefficients)
    k = int(np.argmin([close(g, e) for g, e in zip(got, expected)]))
    want, have = pair(expected[k], got[k])
    return f"f_prime({_XS[k]:g}) should be {want}, got {have}"


warm_up = Exercise(
    "warm_up", "Warm-up (the derivative of the quartic)", _grade,
    hints=["Differentiate term by term: d/dx x^n = n x^(n-1).",
           "x^4 gives 4x^3; now do 3x^3 and 2x^2 the same way. In Python a power is **, "
           "not ^.",
           "f'(x) = 4x^3 + 9x^2 + 4x: return 4 * x**3 + 9 * x**2 + 4 * x."],
    reference=reference_f_prime, answer_name="f_prime")
