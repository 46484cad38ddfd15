"""The exercise machinery (the grading kit, lessonlib/exercises/_kit.py): verdicts, hints,
solutions, never a traceback; digits that show a difference, float32 answers accepted, no "?."
endings. The warm-up of lesson 00 shows the machinery; its fairness table is in
test_exercises_l00_start.py."""
import re

import numpy as np
import pytest

from lessonlib import exercises
from lessonlib.exercises import _kit
from lessonlib.exercises._kit import compare, gradient_problem


def test_warm_up_accepts_the_reference_and_says_not_attempted(capsys):
    ex = exercises.warm_up
    assert ex.grade(ex.reference) is None

    def stub(x):
        raise NotImplementedError
    ex.check(stub)
    assert "not attempted yet" in capsys.readouterr().out


def test_warm_up_names_the_wrong_value(capsys):
    ex = exercises.warm_up
    assert "the x term is -4x, should be 4x" in ex.grade(
        lambda x: 4 * x ** 3 + 9 * x ** 2 - 4 * x)
    assert "f_prime(-3) should be -39, got -0.14112" in ex.grade(np.sin)
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
    assert "def f_prime(x):" in out and "reference" not in out


def test_compare_reports_shape_nonfinite_and_value():
    assert "wrong shape: expected (3,), got (2,)" in compare("x", [1, 2], [1, 2, 3])
    assert "non-finite value nan at index (1,)" in compare("x", [1, np.nan], [1, 2])
    assert compare("x", [1.0, 2.0], [1.0, 2.0 + 1e-12]) is None
    assert "is text" in compare("x", "abc", [1.0])


def test_gradient_problem_gives_the_relative_error():
    assert gradient_problem("grad", [1.0, 2.0], [1.0, 2.0]) is None
    assert "flipped sign" in gradient_problem("grad", [-1.0, -2.0], [1.0, 2.0])
    assert "relative error 0.2" in gradient_problem("grad", [1.5, 3.0], [1.0, 2.0])


# ---------------------------------------------------------------- the kit

@pytest.mark.parametrize("expected, got", [
    (0.0278145, 0.02781449), (0.02781451, 0.02781449), (1.0, 1.0 + 1e-9), (-39.0, -39.00001),
    (1e-20, 1.0000001e-20), (123456.7, 123456.8), (1 / 3, 1 / 3 + 1e-15)])
def test_pair_shows_enough_digits_to_see_a_difference(expected, got):
    want, have = _kit.pair(expected, got)
    assert want != have
    assert float(want) == pytest.approx(expected, rel=1e-6)
    assert float(have) == pytest.approx(got, rel=1e-6)


def test_pair_keeps_short_numbers_short():
    assert _kit.pair(-39.0, -15.0) == ("-39", "-15")
    assert _kit.pair(0.5, 0.25) == ("0.5", "0.25")


def test_compare_never_shows_two_equal_looking_numbers():
    rng = np.random.default_rng(0)
    for power in range(-6, 7):
        # one magnitude per array, so that no element hides under the array's scale
        expected = rng.choice([-1.0, 1.0], 20) * (1 + rng.random(20)) * 10.0 ** power
        for k in range(20):
            got = expected.copy()
            got[k] *= 1 + 2e-4 * (1 if k % 2 else -1)         # just outside the tolerance
            message = compare("x", got, expected)
            shown = message.split("expected ")[1].split(", got ")
            assert shown[0] != shown[1], message
    message = compare("x", [0.02781449], [0.02781451], rtol=1e-9, scale_atol=0.0)
    assert "expected 0.02781451, got 0.02781449" in message


def test_close_accepts_float32_results():
    rng = np.random.default_rng(1)
    for expected in [rng.standard_normal((20, 8)),
                     rng.standard_normal(100) * np.logspace(-4, 4, 100),   # many magnitudes
                     np.array([1e3, 1e-3, 0.0, -2.5]),                     # a zero beside a large
                     rng.standard_normal((5, 3)) @ rng.standard_normal((3, 5))]:
        float32 = expected.astype(np.float32)
        assert _kit.close(float32, expected)
        assert compare("x", float32, expected) is None
        assert not _kit.close(expected * 1.01, expected)       # a 1 % slip still fails


def test_close_needs_the_shape_and_numbers():
    assert not _kit.close(np.zeros(3), np.zeros((3, 1)))
    assert not _kit.close("abc", np.zeros(1))
    assert _kit.close([np.inf, 1.0], [np.inf, 1.0])


@pytest.mark.parametrize("text, full", [
    ("did you forget to `return` it?", "did you forget to `return` it?"),
    ("wrong value", "wrong value."), ("right. ", "right. "), ("done!", "done!")])
def test_sentence_never_ends_in_question_mark_and_full_stop(text, full):
    assert _kit.sentence(text) == full


def test_check_prints_no_question_mark_and_full_stop(capsys):
    ex = exercises.warm_up
    ex.check(lambda x: None)
    out = capsys.readouterr().out
    assert "?." not in out and "did you forget to `return` the value?\n" in out
    ex.check(lambda x: x)
    assert capsys.readouterr().out.count(".\nA hint") == 1


def test_changed_input_names_the_array_that_changed():
    x, dout = np.arange(3.0), np.ones(3)
    assert _kit.changed_input([("x", x), ("dout", dout)], [x.copy(), dout.copy()]) is None
    changed = x.copy()
    changed[1] = 7.0
    message = _kit.changed_input([("x", x), ("dout", dout)], [dout.copy() * 0 + x, dout * 2])
    assert message.startswith("the result is right, but your function changed dout")
    message = _kit.changed_input([("x", x), ("dout", dout)], [changed, dout.copy()])
    assert "changed x" in message and "`x -= ...`" in message and "new arrays" in message
    assert _kit.changed_input([("lr", 0.1)], [0.2]) is None       # numbers are not arrays


def test_unpack_returned_names_a_dict_and_a_wrong_count():
    values, problem = _kit.unpack_returned((1, 2), "your function", ("out", "dx"))
    assert values == (1, 2) and problem is None
    values, problem = _kit.unpack_returned({"out": 1, "dx": 2}, "your function", ("out", "dx"))
    assert values is None
    assert problem == ("your function should return two values, out and dx (`return out, dx`); "
                       "got a dict (keys out, dx)")
    # more than four keys: the first four and "...", so none seems missing
    six = {name: 0 for name in ("W1", "b1", "W2", "b2", "W3", "b3")}
    _, problem = _kit.unpack_returned(six, "your function", ("W1", "b1"))
    assert problem.endswith("got a dict (keys W1, b1, W2, b2, ...)")
    assert _kit.as_numbers("x", six)[1].startswith("x is a dict (keys W1, b1, W2, b2, ...); ")
    problem = _kit.unpack_returned([1, 2, 3], "your step", ("x", "v"))[1]
    assert "should return two values, x and v" in problem and "got 3 values" in problem
    problem = _kit.unpack_returned(None, "your step", ("x", "v"))[1]
    assert problem == "your step returned None: did you forget to `return x, v`?"
    assert "got a float" in _kit.unpack_returned(1.5, "your step", ("x", "v", "m"))[1]


def _checker(source):
    """An Exercise whose grade function is compiled as if it were lessonlib's own code, so that
    an exception inside it is the checker's, not the learner's."""
    namespace = {"np": np}
    exec(compile(source, "/lessonlib/exercises/_demo.py", "exec"), namespace)
    return _kit.Exercise("demo", "Demo", namespace["grade"], hints=["a hint"],
                         reference=lambda: 1.0)


def test_a_checker_that_cannot_use_the_result_says_so(capsys):
    ex = _checker("def grade(fn):\n    return None if float(fn()) == 1.0 else 'wrong'\n")
    assert ex.grade(lambda: 1.0) is None
    message = ex.grade(lambda: {"a": 1})
    assert message.startswith("the checker could not use what your function returned "
                              "(TypeError: ")
    assert message.endswith("; check what it returns")
    ex.check(lambda: [1, 2])
    out = capsys.readouterr().out
    assert "the checker could not use what your function returned" in out
    assert "Traceback" not in out


def test_an_error_in_the_learners_code_names_its_line():
    ex = _checker("def grade(fn):\n    return None if float(fn()) == 1.0 else 'wrong'\n")

    def broken():
        value = 1 / 0
        return value
    message = ex.grade(broken)
    assert message.startswith("your function raised ZeroDivisionError: division by zero")
    assert "`value = 1 / 0`" in message


def test_check_wants_the_function_not_its_result():
    assert "check(f_prime), not its result; got float" in exercises.warm_up.grade(3.0)


def test_a_function_whose_parameters_differ_from_the_stub_is_told_the_stubs_first_line():
    def f_prime():                          # the learner dropped the parameter x
        return 1.0
    message = exercises.warm_up.grade(f_prime)
    assert message.startswith("the checker calls your function as the stub is written, "
                              "`def f_prime(x):`")
    assert "f_prime() takes 0 positional arguments but 1 was given" in message
    # a wrong call inside the learner's own code is theirs, named by its line, not the stub's
    def helper(a, b):
        return a + b

    def f_prime_calling_wrongly(x):
        return helper(x)
    message = exercises.warm_up.grade(f_prime_calling_wrongly)
    assert message.startswith("your function raised TypeError: ")
    assert "`return helper(x)`" in message and "as the stub is written" not in message


def test_the_stub_line_spans_a_wrapped_signature():
    assert exercises.train_adam.stub_line() == (
        "def train_adam(params, X, y, lr, epochs, batch_size, rng, beta1=0.9, beta2=0.999, "
        "eps=1e-8):")


def test_every_stub_shares_its_cell_with_its_check():
    """The 'not attempted yet' message tells the learner to write in *this* cell and run it
    again: so every exercise cell holds the stub and, on its last line, its check."""
    import json
    import pathlib
    lessons = pathlib.Path(__file__).resolve().parent.parent / "lessons"
    stubs = 0
    for path in sorted(lessons.glob("*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            source = "".join(cell["source"])
            if cell["cell_type"] != "code" or "raise NotImplementedError" not in source:
                continue
            stubs += 1
            last = source.strip().splitlines()[-1]
            assert re.match(r"exercises\.\w+\.check\(\w+\)$", last), (path.name, last)
    assert stubs >= 25


@pytest.mark.parametrize("text", ["3", np.array(["3"]), [["1", "2"]], ("3.0",)])
def test_text_is_never_read_as_numbers(text):
    arr, message = _kit.as_numbers("your result", text)
    assert arr is None and "is text" in message


def test_built_in_max_or_min_on_arrays_is_named_for_every_exercise():
    def f_prime(x):
        return max(np.array([x, x]), np.array([1.0, 2.0]))      # the learner's own arrays
    message = exercises.warm_up.grade(f_prime)
    assert "Python's built-in max compares two whole arrays" in message
    assert "np.maximum(a, b)" in message

    def f_prime_min(x):
        return min(np.array([x, x]), np.array([1.0, 2.0]))
    assert "np.minimum(a, b)" in exercises.warm_up.grade(f_prime_min)

    def f_prime_method(x):                    # a method or np.max is not Python's built-in
        return np.array([x, 1.0]).max() if np.array([x, 2.0]) > 0 else 0.0
    assert "built-in" not in exercises.warm_up.grade(f_prime_method)


def test_np_max_given_a_second_array_is_named_for_every_exercise():
    """np.max(a, b) takes b for the axis: the kit says so, whichever exercise it is."""
    def relu_layer_backward(dh, x, W, z):
        dz = dh * np.max(z, 0 * z)
        return dz @ W.T, x.T @ dz
    message = exercises.relu_layer_backward.grade(relu_layer_backward)
    assert "np.max reduces one array to its largest value" in message
    assert "the axis" in message and "np.maximum(a, b)" in message


@pytest.mark.parametrize("in_loop", [False, True])
def test_if_on_a_whole_array_is_named_for_every_exercise(in_loop):
    def relu_layer_backward(dh, x, W, z):
        if in_loop:
            dz = np.array([d if row > 0 else 0 * d for d, row in zip(dh, z)])
        else:
            dz = dh if z > 0 else 0 * dh
        return dz @ W.T, x.T @ dz
    message = exercises.relu_layer_backward.grade(relu_layer_backward)
    assert "truth value of an array" in message
    expected = ("gives whole rows" if in_loop else
                "Python's `if` needs a single one (so do `and`, `or` and `not`)")
    assert expected in message and "np.where" in message


def test_built_in_max_with_a_number_is_named_for_every_exercise():
    def relu_layer_backward(dh, x, W, z):
        dz = dh * (max(z, 0) > 0)
        return dz @ W.T, x.T @ dz
    message = exercises.relu_layer_backward.grade(relu_layer_backward)
    assert "Python's built-in max compares an array with the number 0 as a whole" in message


def test_a_generators_sizes_given_apart_are_named_at_the_learners_line():
    """rng.standard_normal(n_in, n_out) (np.random.randn's habit): NumPy reads the second size
    as the dtype. The message points at the learner's line, not at NumPy's compiled
    numpy/random/_generator.pyx, and says how to pass the shape."""
    def draw_weights(n_in, n_out, scheme, rng):
        std = np.sqrt(2 / n_in) if scheme == "he" else 1 / np.sqrt(n_in)
        return rng.standard_normal(n_in, n_out) * std
    message = exercises.weight_init.grade(draw_weights)
    assert "rng.standard_normal(n_in, n_out) * std`" in message          # the learner's line
    assert "takes the shape as one tuple, rng.standard_normal((n_in, n_out))" in message

    def draw_weights_random(n_in, n_out, scheme, rng):
        return (rng.random(n_in, n_out) - 0.5) / np.sqrt(n_in)
    assert "rng.random((n_in, n_out))" in exercises.weight_init.grade(draw_weights_random)


def test_the_readme_counts_the_exercises():
    import pathlib
    readme = (pathlib.Path(__file__).resolve().parent.parent / "README.md").read_text()
    assert f"the exercise checkers ({len(exercises.__all__)} exercises)" in readme
