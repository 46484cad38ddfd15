"""The exercise machinery: verdicts, hints, solutions, never a traceback."""
import numpy as np

from lessonlib import exercises
from lessonlib.exercises import compare, gradient_problem


def test_warm_up_accepts_the_reference_and_says_not_attempted(capsys):
    ex = exercises.warm_up
    assert ex.grade(ex.reference) is None

    def stub(x):
        raise NotImplementedError
    ex.check(stub)
    assert "not attempted yet" in capsys.readouterr().out


def test_warm_up_names_the_wrong_value(capsys):
    ex = exercises.warm_up
    assert "wrong value at index (0,): expected -39, got -15" in ex.grade(
        lambda x: 4 * x ** 3 + 9 * x ** 2 - 4 * x)
    assert "opposite sign" in ex.grade(lambda x: -(4 * x ** 3 + 9 * x ** 2 + 4 * x))
    assert "did you forget to `return`" in ex.grade(lambda x: None)
    ex.check(lambda x: 1 / 0)
    out = capsys.readouterr().out
    assert "ZeroDivisionError" in out and "Traceback" not in out


def test_hints_are_tiered_and_the_solution_is_source(capsys):
    ex = exercises.warm_up
    ex.hint()
    ex.hint(2)
    ex.hint(99)
    ex.solution()
    out = capsys.readouterr().out
    assert "Hint 1 of 3" in out and "Hint 2 of 3" in out and "Hint 3 of 3" in out
    assert "def reference_f_prime" in out


def test_compare_reports_shape_nonfinite_and_value():
    assert "wrong shape: expected (3,), got (2,)" in compare("x", [1, 2], [1, 2, 3])
    assert "non-finite value nan at index (1,)" in compare("x", [1, np.nan], [1, 2])
    assert compare("x", [1.0, 2.0], [1.0, 2.0 + 1e-12]) is None
    assert "should be numbers" in compare("x", "abc", [1.0])


def test_gradient_problem_gives_the_relative_error():
    assert gradient_problem("grad", [1.0, 2.0], [1.0, 2.0]) is None
    assert "flipped sign" in gradient_problem("grad", [-1.0, -2.0], [1.0, 2.0])
    assert "relative error 0.2" in gradient_problem("grad", [1.5, 3.0], [1.0, 2.0])
