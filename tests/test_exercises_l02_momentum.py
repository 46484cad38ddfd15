"""Lesson 02's exercises: the references pass, the typical slips get their own message, a stub
is "not attempted yet", and nothing ever shows a traceback."""
import numpy as np
import pytest

from lessonlib import exercises
from lessonlib.recipes.toys import quartic_grad, sin_logistic_grad

GRAD = exercises.sin_logistic_gradient
LOOP = exercises.heavy_ball


def _parts(b, X, y):
    x1, x2 = X[:, 0], X[:, 1]
    u = b[0] * x1 * x2 + b[1] * x2
    p = 1 / (1 + np.exp(-np.sin(u)))
    return x1, x2, u, p


# ---------------------------------------------------------------- exercise 1

def test_gradient_reference_passes_and_matches_lessonlib(rng):
    assert GRAD.grade(GRAD.reference) is None
    assert GRAD.grade(sin_logistic_grad) is None
    X = rng.uniform(-3, 3, size=(50, 2))
    y = (rng.uniform(size=50) > 0.5).astype(float)
    for b in [(0.0, 0.0), (0.7, 0.7), (2.0, -1.0)]:
        np.testing.assert_allclose(GRAD.reference(np.array(b), X, y),
                                   sin_logistic_grad(np.array(b), X, y), rtol=1e-12)


def test_gradient_also_accepts_a_list_or_tuple():
    assert GRAD.grade(lambda b, X, y: list(sin_logistic_grad(b, X, y))) is None


def test_gradient_stub_is_not_attempted(capsys):
    def stub(b, X, y):
        raise NotImplementedError("Exercise 1: write the gradient here")
    GRAD.check(stub)
    out = capsys.readouterr().out
    assert "not attempted yet" in out and "Traceback" not in out


def test_gradient_flipped_sign():
    msg = GRAD.grade(lambda b, X, y: -sin_logistic_grad(b, X, y))
    assert "opposite sign" in msg and "p - y" in msg


def test_gradient_sum_instead_of_mean():
    def summed(b, X, y):
        x1, x2, u, p = _parts(b, X, y)
        c = (p - y) * np.cos(u)
        return np.array([np.sum(c * x1 * x2), np.sum(c * x2)])
    msg = GRAD.grade(summed)
    assert "1000 times too large" in msg and "np.mean" in msg


def test_gradient_missing_x1_factor():
    def no_x1(b, X, y):
        x1, x2, u, p = _parts(b, X, y)
        c = (p - y) * np.cos(u)
        return np.array([np.mean(c * x2), np.mean(c * x2)])
    assert "missing the factor x1" in GRAD.grade(no_x1)


def test_gradient_missing_cos_and_swapped():
    def no_cos(b, X, y):
        x1, x2, u, p = _parts(b, X, y)
        return np.array([np.mean((p - y) * x1 * x2), np.mean((p - y) * x2)])
    assert "misses the factor cos(b1*x1*x2 + b2*x2)" in GRAD.grade(no_cos)
    assert "swapped" in GRAD.grade(lambda b, X, y: sin_logistic_grad(b, X, y)[::-1])


def test_gradient_wrong_shapes():
    assert "wrong shape: expected (2,), got (2, 1)" in GRAD.grade(
        lambda b, X, y: sin_logistic_grad(b, X, y).reshape(2, 1))
    msg = GRAD.grade(lambda b, X, y: np.tile(sin_logistic_grad(b, X, y), (len(y), 1)))
    assert "one value per point" in msg and "(1000, 2)" in msg
    assert "did you forget to `return`" in GRAD.grade(lambda b, X, y: None)


def test_gradient_other_error_gives_relative_error_and_which_part():
    def half_b2(b, X, y):
        g = sin_logistic_grad(b, X, y)
        return np.array([g[0], 0.5 * g[1]])
    msg = GRAD.grade(half_b2)
    assert "relative error" in msg and "d loss/d b1 is right, d loss/d b2 is not" in msg


def test_gradient_reading_globals_is_caught():
    from lessonlib.data import make_sin_logistic
    X0, y0 = make_sin_logistic()
    msg = GRAD.grade(lambda b, X, y: sin_logistic_grad(b, X0, y0))
    assert "global variables" in msg


def test_gradient_learner_crash_is_one_line(capsys):
    GRAD.check(lambda b, X, y: X[:, 5])
    out = capsys.readouterr().out
    assert "IndexError" in out and "Traceback" not in out


# ---------------------------------------------------------------- exercise 2

def _heavy_ball(grad_fn, x0, lr, rho, steps, *, count=0, sign=1.0, mom_sign=1.0,
                first_zero=False, in_place=False):
    x = np.array(x0, dtype=float)
    v = x.copy() if first_zero else np.zeros_like(x)    # first_zero: as if x_{-1} = 0
    path = [x if in_place else x.copy()]
    for _ in range(steps + count):
        v = mom_sign * rho * v - sign * lr * np.asarray(grad_fn(x))
        if in_place:
            x += v
        else:
            x = x + v
        path.append(x if in_place else x.copy())
    return np.array(path) if not in_place else path


def test_loop_reference_passes():
    assert LOOP.grade(LOOP.reference) is None
    assert LOOP.grade(_heavy_ball) is None


def test_loop_position_form_also_passes():
    def position(grad_fn, x0, lr, rho, steps):
        xs = [np.array(x0, dtype=float)]
        for t in range(steps):
            prev = xs[-2] if t else xs[-1]
            xs.append(xs[-1] - lr * np.asarray(grad_fn(xs[-1])) + rho * (xs[-1] - prev))
        return np.array(xs)
    assert LOOP.grade(position) is None


def test_loop_stub_is_not_attempted(capsys):
    def stub(grad_fn, x0, lr, rho, steps):
        raise NotImplementedError("Exercise 2: write the loop here")
    LOOP.check(stub)
    assert "not attempted yet" in capsys.readouterr().out


@pytest.mark.parametrize("count, words", [(-1, "one too few"), (1, "one too many")])
def test_loop_off_by_one(count, words):
    msg = LOOP.grade(lambda *a: _heavy_ball(*a, count=count))
    assert "expected steps + 1 = 30" in msg and words in msg


def test_loop_sign_errors():
    assert "uphill" in LOOP.grade(lambda *a: _heavy_ball(*a, sign=-1.0))
    assert "momentum term has the wrong sign" in LOOP.grade(
        lambda *a: _heavy_ball(*a, mom_sign=-1.0))


def test_loop_first_step_and_start():
    assert "first step is not plain gradient descent" in LOOP.grade(
        lambda *a: _heavy_ball(*a, first_zero=True))
    msg = LOOP.grade(lambda g, x0, lr, rho, steps: _heavy_ball(g, x0, lr, rho, steps)[1:].tolist()
                     + [0.0])
    assert "first value should be the start x0 = 0.5" in msg


def test_loop_in_place_aliasing_on_vectors():
    msg = LOOP.grade(lambda *a: _heavy_ball(*a, in_place=True))
    assert "same" in msg and "copy" in msg


def test_loop_returns_none():
    assert "did you forget to `return`" in LOOP.grade(lambda *a: None)


def test_solutions_and_hints_print(capsys):
    for ex in (GRAD, LOOP):
        ex.hint()
        ex.hint(3)
        ex.solution()
    out = capsys.readouterr().out
    assert "Hint 1 of 3" in out and "Hint 3 of 3" in out
    assert "def reference_grad" in out and "def reference_momentum_descend" in out


def test_loop_grader_uses_descend_on_the_quartic():
    from lessonlib.optim import SGD, descend
    path = LOOP.reference(quartic_grad, 0.5, 0.1, 0.9, 29)
    np.testing.assert_allclose(path, descend(quartic_grad, 0.5, SGD(lr=0.1, momentum=0.9), 29),
                               rtol=1e-12)
    assert f"{path[-1]:.6f}" == "-1.602265"
