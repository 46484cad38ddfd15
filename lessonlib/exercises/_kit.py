"""What every exercise shares: a checker that names what is wrong, tiered hints, a solution.

An exercise is graded by ``grade(fn)``, which returns None when ``fn`` is right and otherwise a
sentence saying what is wrong (wrong shape, the first element that differs, a gradient's
relative error against a numerical one, a diagnosis such as a flipped sign). ``check(fn)``
prints the verdict for the learner; it never shows a traceback.
"""
import inspect
import textwrap
import traceback

import numpy as np


class NotAttempted(Exception):
    """The learner's function still raises NotImplementedError."""


class Exercise:
    """One exercise: ``check(fn)``, ``hint(level=1)``, ``solution()``.

    grade(fn) -> None or a message; hints: from gentle to almost the answer; reference: the
    reference implementation, shown by ``solution()`` and used by the grader.
    """

    def __init__(self, name, title, grade, hints, reference):
        self.name = name                # how the notebook reaches it: exercises.<name>
        self.title = title
        self._grade = grade
        self.hints = list(hints)
        self.reference = reference

    def grade(self, fn):
        """None if fn is right, else what is wrong. Raises NotAttempted for a stub."""
        if not callable(fn):
            return (f"check() needs your function itself, e.g. check(my_function), not its "
                    f"result; got {type(fn).__name__}")
        try:
            return self._grade(fn)
        except NotImplementedError:
            raise NotAttempted from None
        except NotAttempted:
            raise
        except Exception as exc:        # the learner's code failed: say where, briefly
            return f"your function raised {describe_exception(exc)}"

    def check(self, fn):
        """Print the verdict: correct, not attempted yet, or what is wrong."""
        try:
            problem = self.grade(fn)
        except NotAttempted:
            print(f"{self.title}: not attempted yet. Write your code in the cell above in place "
                  f"of `raise NotImplementedError`, run that cell, then run this one again. "
                  f"Stuck? exercises.{self.name}.hint()")
            return
        if problem is None:
            print(f"{self.title}: correct! Well done.")
        else:
            print(f"{self.title}: not yet. {problem[0].upper()}{problem[1:]}.\n"
                  f"A hint: exercises.{self.name}.hint() (then .hint(2), ...); the answer: "
                  f"exercises.{self.name}.solution()")

    def hint(self, level=1):
        """Print hint ``level`` (1 = gentlest)."""
        level = max(1, min(int(level), len(self.hints)))
        more = (f" More: exercises.{self.name}.hint({level + 1})"
                if level < len(self.hints) else "")
        print(f"Hint {level} of {len(self.hints)}: {self.hints[level - 1]}{more}")

    def solution(self):
        """Print the reference solution's source."""
        print(textwrap.dedent(inspect.getsource(self.reference)).rstrip())

    def __repr__(self):
        return (f"<Exercise {self.title!r}: .check(your_function), .hint(), .hint(2), "
                f".solution()>")


def path_length_problem(name, got, expected, steps):
    """(the learner's path as a float array, or None when it is not numbers; a message when it
    holds the wrong number of iterates, naming the off-by-one, else None) for a descent loop
    that must return x0 and then one value per update: ``expected`` has steps + 1 rows."""
    try:
        arr = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return None, None
    if arr.ndim >= 1 and arr.shape[1:] == expected.shape[1:] and len(arr) != len(expected):
        n = len(arr)
        slip = {steps: "one too few", steps + 2: "one too many"}.get(n, "check the loop")
        return arr, (f"{name} returned {n} values; expected steps + 1 = {steps + 1}: the start "
                     f"x0 first, then one value per update ({slip})")
    return arr, None


_COUNTS = {2: "two", 3: "three", 4: "four"}


def unpack_returned(result, function, names):
    """(the returned values as a tuple, None) when ``result`` holds one value per name, else
    (None, a message for the learner naming ``function`` and what it should return)."""
    wanted = ", ".join(names)
    if result is None:
        return None, f"{function} returned None: did you forget to `return {wanted}`?"
    if isinstance(result, (tuple, list)) and len(result) == len(names):
        return tuple(result), None
    got = (f"{len(result)} values" if isinstance(result, (tuple, list))
           else f"a {type(result).__name__}")
    count = _COUNTS.get(len(names), str(len(names)))
    listed = ", ".join(names[:-1]) + " and " + names[-1]
    return None, f"{function} should return {count} arrays, {listed}; got {got}"


def describe_exception(exc):
    """'ValueError: msg (line 3: `x = 1 / 0`)', pointing at the last frame of the learner's code."""
    frames = traceback.extract_tb(exc.__traceback__)
    learner = [f for f in frames if "lessonlib" not in f.filename.replace("\\", "/")]
    where = ""
    if learner:
        frame = learner[-1]
        where = f" (line {frame.lineno} of your code: `{(frame.line or '').strip()}`)"
    return f"{type(exc).__name__}: {exc}{where}"


def _fmt(v):
    return f"{v:.6g}" if isinstance(v, (float, np.floating)) else repr(v)


def compare(what, got, expected, rtol=1e-6, atol=1e-9):
    """None if got matches expected (shape and values), else the first difference, named."""
    expected = np.asarray(expected, dtype=np.float64)
    problem = _shape_problem(what, got, expected.shape)
    if problem:
        return problem
    got_arr = np.asarray(got, dtype=np.float64)
    if not np.isfinite(got_arr).all():
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(got_arr))[0])
        return f"{what} has a non-finite value {got_arr[bad]} at index {bad}"
    close = np.isclose(got_arr, expected, rtol=rtol, atol=atol)
    if close.all():
        return None
    if np.allclose(got_arr, -expected, rtol=rtol, atol=atol):
        return f"{what} has the right size but the opposite sign everywhere: check a sign"
    bad = tuple(int(i) for i in np.argwhere(~close)[0])
    where = f" at index {bad}" if bad else ""
    return (f"{what} has the wrong value{where}: expected {_fmt(expected[bad])}, "
            f"got {_fmt(got_arr[bad])}")


def _shape_problem(what, got, shape):
    """None if got is numbers of the given shape, else what is wrong."""
    if got is None or (isinstance(got, (list, tuple)) and any(g is None for g in got)):
        return f"{what} is None: did you forget to `return` it?"
    try:
        got_arr = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return f"{what} should be numbers; got {type(got).__name__} {str(got)[:60]}"
    if got_arr.shape != tuple(shape):
        return f"{what} has the wrong shape: expected {tuple(shape)}, got {got_arr.shape}"
    return None


def gradient_problem(what, analytic, numerical, tol=1e-6):
    """None if a gradient matches its numerical estimate, else its relative error."""
    problem = _shape_problem(what, analytic, np.shape(numerical))
    if problem:
        return problem
    from ..gradcheck import rel_error
    err = rel_error(analytic, numerical, atol=1e-9)
    if err <= tol:
        return None
    if rel_error(-np.asarray(analytic, dtype=float), numerical) <= tol:
        return f"{what} has the opposite sign of the numerical gradient (a flipped sign)"
    return (f"{what} is off: relative error {err:.2g} compared with a numerical gradient "
            f"(should be below {tol:g})")
