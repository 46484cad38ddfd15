"""Checkers that never refuse a right answer and name every usual slip.

Every lesson's exercise tests (tests/test_exercises_lNN_*.py) hold a ``FAIRNESS`` table: for each
exercise, right answers written differently (float32, lists, loops, harmless in-place work,
equivalent algebra), which must pass, and slips, each with the words its message must contain.
This file runs all the tables and requires at least five of each for every exercise.
"""
import importlib
import pathlib

import pytest

from lessonlib import exercises

MIN_RIGHT = MIN_SLIPS = 5
_TEST_DIR = pathlib.Path(__file__).parent


def _tables():
    tables = {}
    for path in sorted(_TEST_DIR.glob("test_exercises_l*.py")):
        module = importlib.import_module(path.stem)     # tests/ is on sys.path under pytest
        for name, table in getattr(module, "FAIRNESS", {}).items():
            assert name not in tables, f"two fairness tables for {name}"
            tables[name] = table
    return tables


TABLES = _tables()
RIGHT = [(name, label, fn) for name, t in TABLES.items() for label, fn in t["right"]]
SLIPS = [(name, label, fn, words) for name, t in TABLES.items()
         for label, fn, words in t["slips"]]


@pytest.mark.parametrize("name", exercises.__all__)
def test_every_exercise_has_a_fairness_table(name):
    table = TABLES.get(name)
    assert table is not None, f"no FAIRNESS table for exercises.{name}"
    assert len(table["right"]) >= MIN_RIGHT, f"{name}: only {len(table['right'])} right answers"
    assert len(table["slips"]) >= MIN_SLIPS, f"{name}: only {len(table['slips'])} slips"


@pytest.mark.parametrize("name, label, fn", RIGHT, ids=[f"{n}: {l}" for n, l, _ in RIGHT])
def test_right_answer_passes(name, label, fn):
    assert getattr(exercises, name).grade(fn) is None


@pytest.mark.parametrize("name, label, fn, words", SLIPS,
                         ids=[f"{n}: {l}" for n, l, _, _ in SLIPS])
def test_slip_is_named(name, label, fn, words):
    message = getattr(exercises, name).grade(fn)
    assert message is not None, f"{label} passed"
    for part in ([words] if isinstance(words, str) else words):
        assert part in message


@pytest.mark.parametrize("name", exercises.__all__)
def test_the_solution_passes_when_pasted(name):
    """solution() prints code that, pasted into the exercise cell, defines the stub's function."""
    exercise = getattr(exercises, name)
    namespace = {}
    exec(exercise.solution_code(), namespace)
    assert exercise.grade(namespace[exercise.answer_name]) is None
