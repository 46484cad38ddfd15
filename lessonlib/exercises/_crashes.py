"""When the learner's code raises: where (the line of their code), and what the usual NumPy
slips behind the error mean. The grading kit (``_kit.Exercise``) says this for every exercise;
a checker adds its own advice for the crashes its lesson's slips cause.

The usual slips, named by ``explain_crash``:

- Python's built-in ``max(a, b)`` / ``min`` on arrays (with a second array, or with a number);
- ``np.max(a, b)``: a reduction given a second array where its axis goes;
- ``if z > 0:`` (or ``and``/``or``/``not``) on a whole array, in a loop or not;
- ``rng.standard_normal(n_in, n_out)``: a Generator's sizes given apart (the second is the dtype).
"""
import dis
import numbers
import re
import traceback

import numpy as np

__all__ = ["learner_frames", "describe_exception", "built_in_max", "crashed_in_loop",
           "explain_crash"]

# max(...) or min(...), not np.max(...), np.maximum(...) or a method such as z.max(...)
_BUILT_IN_MAX = re.compile(r"(?<![\w.])(max|min)\(")
# the same call with simple arguments, to read them: max(z, slope)
_BUILT_IN_MAX_ARGS = re.compile(r"(?<![\w.])(?:max|min)\(([^()]*)\)")
# np.max(z, slope * z) and the like: a reduction given a second array where the axis goes
_NP_MAX = re.compile(r"(?<!\w)((?:np|numpy)\.a?(?:max|min)|\w+\.(?:max|min))\(")
_AMBIGUOUS = "truth value of an array"
# a Generator's draw given the sizes apart, rng.standard_normal(n_in, n_out): the second one is
# read as the dtype
_SHAPE_APART = re.compile(r"\.(standard_normal|random)\(\s*[^(),]+,\s*[^(),=]+\)")
_NUMBER = re.compile(r"[-+]?\d+(\.\d*)?(e[-+]?\d+)?")


def learner_frames(exc):
    """The traceback frames of exc that are in the learner's code (not in lessonlib or NumPy)."""
    frames = traceback.extract_tb(exc.__traceback__)
    library = ("lessonlib", "site-packages", "/numpy/")

    def in_library(filename):
        # NumPy's compiled modules report relative names: numpy/random/_generator.pyx
        name = filename.replace("\\", "/")
        return (any(part in name for part in library) or name.startswith("numpy/")
                or name.endswith((".pyx", ".pxd")))
    return [f for f in frames if not in_library(f.filename)]


def describe_exception(exc):
    """'ValueError: msg (line 3 of your code: `x = 1 / 0`)', pointing at the last frame of the
    learner's code."""
    learner = learner_frames(exc)
    where = ""
    if learner:
        frame = learner[-1]
        where = f" (line {frame.lineno} of your code: `{(frame.line or '').strip()}`)"
    return f"{type(exc).__name__}: {exc}{where}"


def built_in_max(exc):
    """"max" or "min" when exc is NumPy's "truth value of an array ... is ambiguous", raised on
    a line of the learner's code that calls Python's built-in max or min (on arrays), else
    None."""
    frames = learner_frames(exc)
    if not (isinstance(exc, ValueError) and _AMBIGUOUS in str(exc) and frames):
        return None
    found = _BUILT_IN_MAX.search(frames[-1].line or "")
    return found.group(1) if found else None


def _learner_frame(exc):
    """The frame object (with its local variables) of the learner's last line in exc's
    traceback, or None."""
    frames = learner_frames(exc)
    if not frames:
        return None
    last, found, tb = frames[-1], None, exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if (code.co_filename, code.co_name, tb.tb_lineno) == (last.filename, last.name,
                                                              last.lineno):
            found = tb.tb_frame
        tb = tb.tb_next
    return found


def crashed_in_loop(exc):
    """True when the learner's code that raised is a loop: a comprehension, or a function with
    a for."""
    frame = _learner_frame(exc)
    if frame is None:
        return False
    code = frame.f_code
    return (code.co_name in ("<listcomp>", "<genexpr>", "<setcomp>", "<dictcomp>")
            or any(ins.opname == "FOR_ITER" for ins in dis.get_instructions(code)))


def _number_argument(exc):
    """The text of a number passed to the built-in max or min that failed (`slope`, `0`), or
    None: max(z, slope) compares an array with a number, not two arrays."""
    frame = _learner_frame(exc)
    found = _BUILT_IN_MAX_ARGS.search(learner_frames(exc)[-1].line or "") if frame else None
    if not found:
        return None
    for text in (part.strip() for part in found.group(1).split(",")):
        value = frame.f_locals.get(text) if text.isidentifier() else None
        if (isinstance(value, numbers.Real) and not isinstance(value, np.ndarray)) or \
                _NUMBER.fullmatch(text):
            return text
    return None


def explain_crash(exc):
    """What the usual slip behind exc means, as a clause for "your function raised ...: ",
    or None when exc is none of them (see the module's docstring)."""
    frames = learner_frames(exc)
    if not frames:
        return None
    which = built_in_max(exc)
    if which:
        number = _number_argument(exc)
        what = (f"compares an array with the number {number} as a whole" if number
                else "compares two whole arrays")
        return (f"Python's built-in {which} {what}, which has no single answer; "
                f"np.{which}imum(a, b) compares element by element")
    found = _NP_MAX.search(frames[-1].line or "")
    if isinstance(exc, TypeError) and found and ("integer" in str(exc) or "index" in str(exc)):
        name = found.group(1)
        largest, pairwise = (("largest", "np.maximum") if name.endswith("max")
                             else ("smallest", "np.minimum"))
        return (f"{name} reduces one array to its {largest} value, and its second argument is "
                f"the axis to reduce along; {pairwise}(a, b) compares two arrays element by "
                f"element")
    if isinstance(exc, TypeError) and "as a data type" in str(exc) and \
            _SHAPE_APART.search(frames[-1].line or ""):
        method = _SHAPE_APART.search(frames[-1].line).group(1)
        old_form = {"standard_normal": "randn", "random": "rand"}[method]
        return (f"rng.{method} takes the shape as one tuple, rng.{method}((n_in, n_out)): its "
                f"second argument is the dtype (np.random.{old_form}(n_in, n_out), the old "
                f"form, takes the sizes apart)")
    if isinstance(exc, ValueError) and _AMBIGUOUS in str(exc):
        if crashed_in_loop(exc):
            return ("a loop over an array of two or more dimensions gives whole rows, and a "
                    "comparison such as `row > 0` holds many answers at once; loop over "
                    "array.ravel(), or choose element by element with np.where")
        return ("a comparison such as `z > 0` on an array gives one True or False per element, "
                "and Python's `if` needs a single one (so do `and`, `or` and `not`); choose "
                "element by element instead, e.g. with np.where(condition, a, b)")
    return None
