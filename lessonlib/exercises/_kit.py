"""The grading kit every exercise stands on.

A checker is a list of cases (inputs the learner's function is called with) plus a table of
named slips (what a usual mistake computes, and the sentence that explains it). The kit's rules
keep checkers fair:

- the learner's code always gets fresh copies (``fresh``), and an expected value is never
  derived from an array the learner's code has touched;
- values are compared with a tolerance scaled to each array's magnitude (``close``), so an
  answer right to float32 precision passes while every slip in a table still fails;
- the final answer is judged before any intermediate trace, and a right result is never blamed
  on a trace entry;
- a message names the failing case (which input, which element) with enough digits to show the
  difference, and leaves code names as written (``check`` never capitalises them).
"""
import copy
import inspect
import re
import textwrap

import numpy as np

from ._crashes import describe_exception, explain_crash, learner_frames

# float32 carries about 7 significant digits; a few hundred float32 operations stay well inside
# these, while the slips the checkers name change a result by a percent or (much) more.
RTOL = 1e-4
SCALE_ATOL = 1e-5     # an element near zero inside a large array: a share of the array's size


# how Python refuses a call whose arguments do not fit the function's parameters
_CALL_MISMATCH = re.compile(r"^[\w<>.]+\(\) (takes|missing|got an unexpected|got multiple)")


class NotAttempted(Exception):
    """The learner's function still raises NotImplementedError."""


class Exercise:
    """One exercise: ``check(fn)``, ``hint(level=1)``, ``solution()``.

    grade(fn) -> None or a message; hints: from gentle to almost the answer; reference: the
    reference implementation, shown by ``solution()`` under the stub's name ``answer_name`` (so
    that it can be pasted into the exercise cell as it is) and used by the grader.
    """

    def __init__(self, name, title, grade, hints, reference, answer_name=None):
        self.name = name                # how the notebook reaches it: exercises.<name>
        self.title = title
        self._grade = grade
        self.hints = list(hints)
        self.reference = reference
        self.answer_name = answer_name or reference.__name__.removeprefix("reference_")

    def grade(self, fn):
        """None if fn is right, else what is wrong. Raises NotAttempted for a stub."""
        if not callable(fn):
            return (f"check() needs your function itself, e.g. check({self.answer_name}), not "
                    f"its result; got {type(fn).__name__}")
        try:
            with np.errstate(all="ignore"):     # a slip that blows up is graded, not warned about
                return self._grade(fn)
        except NotImplementedError:
            raise NotAttempted from None
        except NotAttempted:
            raise
        except TypeError as exc:
            if not learner_frames(exc) and _CALL_MISMATCH.match(str(exc)):
                return (f"the checker calls your function as the stub is written, "
                        f"`{self.stub_line()}`, and Python refused the call ({exc}): keep the "
                        f"stub's first line, parameters and their order as they are")
            return self._failed(exc)
        except Exception as exc:
            return self._failed(exc)

    @staticmethod
    def _failed(exc):
        """The learner's code failed: say where, and what a usual slip behind it means."""
        explanation = explain_crash(exc)
        if explanation:
            return f"your function raised {describe_exception(exc)}: {explanation}"
        if learner_frames(exc):
            return f"your function raised {describe_exception(exc)}"
        return (f"the checker could not use what your function returned "
                f"({type(exc).__name__}: {exc}); check what it returns")

    def stub_line(self):
        """The exercise's first line as the notebook's stub has it: `def name(params):`."""
        header = re.search(r"^def \w+\(.*?\):", self.solution_code(), flags=re.M | re.S)
        return re.sub(r"\(\s+", "(", re.sub(r"\s+", " ", header.group(0)))

    def check(self, fn):
        """Print the verdict: correct, not attempted yet, or what is wrong."""
        try:
            problem = self.grade(fn)
        except NotAttempted:
            # every exercise cell holds the stub and, on its last line, this check
            print(f"{self.title}: not attempted yet. Write your code in this cell in place of "
                  f"`raise NotImplementedError` and run the cell again: the check on its last "
                  f"line answers. Stuck? exercises.{self.name}.hint()")
            return
        if problem is None:
            print(f"{self.title}: correct! Well done.")
        else:
            print(f"{self.title}: not yet: {sentence(problem)}\n"
                  f"A hint: exercises.{self.name}.hint() (then .hint(2), ...); the answer: "
                  f"exercises.{self.name}.solution()")

    def hint(self, level=1):
        """Print hint ``level`` (1 = gentlest)."""
        level = max(1, min(int(level), len(self.hints)))
        more = (f" More: exercises.{self.name}.hint({level + 1})"
                if level < len(self.hints) else "")
        print(f"Hint {level} of {len(self.hints)}: {self.hints[level - 1]}{more}")

    def solution(self):
        """Print the reference as code that passes when pasted into the exercise cell."""
        print(self.solution_code())

    def solution_code(self):
        source = textwrap.dedent(inspect.getsource(self.reference)).rstrip()
        source = re.sub(rf"^def {self.reference.__name__}\(", f"def {self.answer_name}(",
                        source, count=1, flags=re.M)
        header = "import numpy as np\n\n\n" if re.search(r"\bnp\.", source) else ""
        return header + source

    def __repr__(self):
        return (f"<Exercise {self.title!r}: .check(your_function), .hint(), .hint(2), "
                f".solution()>")


def sentence(text):
    """text with a full stop, unless it already ends in one (no '?.')."""
    return text if text.rstrip().endswith((".", "?", "!")) else text + "."


# ---------------------------------------------------------------- copies

def fresh(value):
    """A copy the learner's code may change at will: arrays, lists, dicts, numbers."""
    if isinstance(value, np.ndarray):
        return value.copy()
    return copy.deepcopy(value)


def changed_input(names_and_values, passed):
    """A message when the learner's code changed an input it was given, else None.

    names_and_values: [(name, the value before the call)]; passed: what the call received."""
    for (name, before), after in zip(names_and_values, passed):
        if isinstance(before, np.ndarray) and not np.array_equal(before, np.asarray(after)):
            return (f"the result is right, but your function changed {name}, the array passed "
                    f"in (an in-place operation such as `{name} -= ...` or `{name}[...] = ...`); "
                    f"work on new arrays instead")
    return None


# ---------------------------------------------------------------- comparing numbers

def _some_keys(mapping, shown=4):
    """'W1, b1, W2, b2, ...': a dict's first keys, with '...' when there are more."""
    keys = list(mapping)
    return ", ".join(map(str, keys[:shown])) + (", ..." if len(keys) > shown else "")


def as_numbers(what, got, shape=None):
    """(got as a float64 array, None), or (None, a message) when it is None, not numbers, or
    (when ``shape`` is given) not of that shape."""
    if got is None or (isinstance(got, (list, tuple)) and any(g is None for g in got)):
        return None, f"{what} is None: did you forget to `return` it?"
    if isinstance(got, dict):
        return None, (f"{what} is a dict (keys {_some_keys(got)}); "
                      f"return the numbers themselves, an array")
    if _is_text(got):
        return None, (f"{what} is text ({str(got)[:40]!r}); return the number itself, not a "
                      f"string (no str() or f-string)")
    try:
        arr = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return None, f"{what} should be numbers; got {type(got).__name__} {str(got)[:60]}"
    if shape is not None and arr.shape != tuple(shape):
        return None, f"{what} has the wrong shape: expected {tuple(shape)}, got {arr.shape}"
    return arr, None


def _is_text(got):
    """str, bytes, or an array or (nested) list holding them: NumPy would turn "3" into 3.0."""
    if isinstance(got, (str, bytes)):
        return True
    if isinstance(got, (list, tuple)) and any(isinstance(g, (str, bytes)) for g in got):
        return True
    try:
        return np.asarray(got).dtype.kind in "US"
    except ValueError:                  # ragged: not numbers either, said later
        return False


def tolerance(expected, rtol=RTOL, scale_atol=SCALE_ATOL):
    """Per-element tolerance: relative to the element, plus a share of the array's magnitude
    (float32 rounding of a large neighbour's size), plus a floor for arrays of zeros."""
    expected = np.asarray(expected, dtype=np.float64)
    finite = np.abs(expected[np.isfinite(expected)])
    scale = finite.max() if finite.size else 0.0
    magnitude = np.where(np.isfinite(expected), np.abs(expected), 0.0)
    return rtol * magnitude + scale_atol * scale + 1e-12


def close_elements(got, expected, **tol):
    """Element-wise: is got within tolerance of expected (inf matches the same inf)."""
    got = np.asarray(got, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        near = np.isfinite(expected) & (np.abs(got - expected) <= tolerance(expected, **tol))
    same_inf = np.isinf(expected) & (got == expected)
    return near | same_inf


def close(got, expected, **tol):
    """True if got has expected's shape and every element is within tolerance."""
    try:
        got = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return got.shape == np.shape(expected) and bool(close_elements(got, expected, **tol).all())


def pair(expected, got):
    """The two numbers with just enough significant digits to tell them apart."""
    expected, got = float(expected), float(got)
    for digits in range(6, 18):
        a, b = f"{expected:.{digits}g}", f"{got:.{digits}g}"
        if a != b:
            return a, b
    return f"{expected!r}", f"{got!r}"


def show(value):
    """A number or a small vector, six significant digits: '0.5' or '(0.5, -1.25)'."""
    value = np.asarray(value, dtype=np.float64)
    if value.ndim == 0:
        return f"{float(value):.6g}"
    return "(" + ", ".join(f"{float(v):.6g}" for v in value.ravel()) + ")"


def compare(what, got, expected, **tol):
    """None if got matches expected (shape and values, within tolerance), else the first
    difference, named with its index and enough digits to see it."""
    expected = np.asarray(expected, dtype=np.float64)
    got_arr, problem = as_numbers(what, got, expected.shape)
    if problem:
        return problem
    if not np.isfinite(got_arr).all() and np.isfinite(expected).all():
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(got_arr))[0])
        return f"{what} has a non-finite value {got_arr[bad]} at index {bad}"
    ok = close_elements(got_arr, expected, **tol)
    if ok.all():
        return None
    if close(-got_arr, expected, **tol) and np.abs(expected).max() > 0:
        return f"{what} has the right size but the opposite sign everywhere: check a sign"
    bad = tuple(int(i) for i in np.argwhere(~ok)[0])
    where = f" at index {bad}" if bad else ""
    want, have = pair(expected[bad], got_arr[bad])
    return f"{what} has the wrong value{where}: expected {want}, got {have}"


def named_slip(got, slips, **tol):
    """The message of the first slip whose value got matches, else None.

    slips: [(value a usual mistake computes, or None when it does not apply, message)]."""
    for value, message in slips:
        if value is not None and close(got, value, **tol):
            return message
    return None


def same_run(got, slip, **tol):
    """True if an iterate path got follows a slip's path for as long as both stay finite (at
    least three iterates, so that one shared first step is not enough): a run that blows up
    turns into inf and nan in ways that depend on how the update is written."""
    got = np.asarray(got, dtype=np.float64)
    if got.shape != slip.shape:
        return False
    flat = lambda a: a.reshape(len(a), -1)
    finite = np.isfinite(flat(got)).all(axis=1) & np.isfinite(flat(slip)).all(axis=1)
    k = len(finite) if finite.all() else int(np.argmin(finite))
    return k >= min(3, len(got)) and close(got[:k], slip[:k], **tol)


def gradient_problem(what, analytic, numerical, tol=1e-6):
    """None if a gradient matches its numerical estimate, else its relative error."""
    analytic, problem = as_numbers(what, analytic, np.shape(numerical))
    if problem:
        return problem
    from ..gradcheck import rel_error
    err = rel_error(analytic, numerical, atol=1e-9)
    if err <= tol:
        return None
    if rel_error(-analytic, numerical) <= tol:
        return f"{what} has the opposite sign of the numerical gradient (a flipped sign)"
    return (f"{what} is off: relative error {err:.2g} compared with a numerical gradient "
            f"(should be below {tol:g})")


# ---------------------------------------------------------------- what came back

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
    if isinstance(result, dict):
        got = f"a dict (keys {_some_keys(result)})"
    elif isinstance(result, (tuple, list)):
        got = f"{len(result)} values"
    else:
        kind = type(result).__name__
        got = f"{'an' if kind[0] in 'aeiou' or kind == 'ndarray' else 'a'} {kind}"
    count = _COUNTS.get(len(names), str(len(names)))
    listed = ", ".join(names[:-1]) + " and " + names[-1]
    return None, f"{function} should return {count} values, {listed} (`return {wanted}`); got {got}"


def shape_problem(what, got, shape):
    """None if got is numbers of the given shape, else what is wrong."""
    return as_numbers(what, got, shape)[1]
