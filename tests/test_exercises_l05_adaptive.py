"""Lesson 05's exercise (Adam as a loop): the reference passes and reproduces the notes' number,
the typical slips get their own message, a stub is "not attempted yet", nothing shows a
traceback."""
import numpy as np
import pytest

from lessonlib import MLP, Adam, exercises
from lessonlib.data import make_rings
from lessonlib.recipes.toys import square_grad
from lessonlib.optim import descend

EX = exercises.adam_update


def learner(grad_fn, x0, lr, steps, beta1=0.9, beta2=0.999, eps=1e-8, *, sign=1.0,
            correct=("m", "n"), t0=1, eps_inside=False, extra_steps=0, keep_m=True,
            keep_n=True, in_place=False, fixed_betas=False, swap=False, t_up_first=False):
    """Adam written the way a learner might, with one slip switched on by a keyword."""
    if fixed_betas:
        beta1, beta2 = 0.9, 0.999
    if swap:
        beta1, beta2 = beta2, beta1
    x = np.array(x0, dtype=float)
    m = np.zeros_like(x)
    n = np.zeros_like(x)
    path = [x if in_place else x.copy()]
    t = t0
    for _ in range(steps + extra_steps):
        if t_up_first:
            t += 1
        g = np.asarray(grad_fn(x))
        m_new = beta1 * m + (1 - beta1) * g
        n_new = beta2 * n + (1 - beta2) * g ** 2
        if keep_m:
            m = m_new
        if keep_n:
            n = n_new
        m_hat = (m_new / (1 - beta1 ** t)) if "m" in correct else m_new
        n_hat = (n_new / (1 - beta2 ** t)) if "n" in correct else n_new
        denom = np.sqrt(n_hat + eps) if eps_inside else np.sqrt(n_hat) + eps
        if in_place:
            x -= sign * lr * m_hat / denom
        else:
            x = x - sign * lr * m_hat / denom
        path.append(x if in_place else x.copy())
        if not t_up_first:
            t += 1
    return np.array(path)


def slip(**kw):
    return lambda *a, **k: learner(*a, **k, **kw)


def test_reference_passes_and_reproduces_the_notes():
    assert EX.grade(EX.reference) is None
    assert EX.grade(learner) is None
    path = EX.reference(square_grad, 0.5, 0.1, 30)
    assert path.shape == (31,)
    assert f"{path[-1]:.8f}" == "0.02099521"
    np.testing.assert_allclose(path, descend(square_grad, 0.5, Adam(lr=0.1), 30), rtol=1e-12)


def test_a_list_of_floats_also_passes():
    assert EX.grade(lambda *a, **k: learner(*a, **k).tolist()) is None


def test_stub_is_not_attempted(capsys):
    def stub(grad_fn, x0, lr, steps, beta1=0.9, beta2=0.999, eps=1e-8):
        raise NotImplementedError("Exercise 4: write the Adam loop here")
    EX.check(stub)
    out = capsys.readouterr().out
    assert "not attempted yet" in out and "Traceback" not in out


def test_missing_bias_correction():
    assert "no bias correction" in EX.grade(slip(correct=()))
    assert "n is not" in EX.grade(slip(correct=("m",)))
    assert "m is not" in EX.grade(slip(correct=("n",)))


def test_t_starting_at_zero_divides_by_zero(capsys):
    msg = EX.grade(slip(t0=0))
    assert "first update is not finite" in msg and "t = 1 in the first update" in msg
    EX.check(slip(t0=0))
    out = capsys.readouterr().out
    assert "Traceback" not in out and "Warning" not in out


def test_t_one_too_large():
    assert "one too large" in EX.grade(slip(t_up_first=True))
    assert "one too large" in EX.grade(slip(t0=2))


def test_eps_inside_the_square_root_is_caught_where_it_matters():
    msg = EX.grade(slip(eps_inside=True))
    assert "inside the square root" in msg and "eps = 1e-3" in msg
    # at the lesson's settings the notes' form gives the same printed number
    path = learner(square_grad, 0.5, 0.1, 30, eps_inside=True)
    assert f"{path[-1]:.8f}" == "0.02099521"


def test_sign_error():
    assert "uphill" in EX.grade(slip(sign=-1.0))


@pytest.mark.parametrize("extra, words", [(-1, "one too few"), (1, "one too many")])
def test_off_by_one_iteration_count(extra, words):
    msg = EX.grade(slip(extra_steps=extra))
    assert "expected steps + 1 = 31" in msg and words in msg


def test_m_or_n_not_carried_between_steps():
    assert "m starts again from 0" in EX.grade(slip(keep_m=False))
    assert "n starts again from 0" in EX.grade(slip(keep_n=False))


def test_m_and_n_never_updated():
    def no_update(grad_fn, x0, lr, steps, beta1=0.9, beta2=0.999, eps=1e-8):
        x = np.array(x0, dtype=float)
        m, n = np.zeros_like(x), np.zeros_like(x)
        path = [x.copy()]
        for t in range(1, steps + 1):
            g = grad_fn(x)
            beta1 * m + (1 - beta1) * g         # computed, never stored
            x = x - lr * (m / (1 - beta1 ** t)) / (np.sqrt(n / (1 - beta2 ** t)) + eps)
            path.append(x.copy())
        return np.array(path)
    assert "never moves" in EX.grade(no_update)

    def n_never_updated(grad_fn, x0, lr, steps, beta1=0.9, beta2=0.999, eps=1e-8):
        x = np.array(x0, dtype=float)
        m, n = np.zeros_like(x), np.zeros_like(x)
        path = [x.copy()]
        for t in range(1, steps + 1):
            g = grad_fn(x)
            m = beta1 * m + (1 - beta1) * g
            x = x - lr * (m / (1 - beta1 ** t)) / (np.sqrt(n / (1 - beta2 ** t)) + eps)
            path.append(x.copy())
        return np.array(path)
    assert "n is never updated" in EX.grade(n_never_updated)


def test_betas_ignored_or_swapped():
    assert "not of the beta1 = 0.5, beta2 = 0.9 it is given" in EX.grade(slip(fixed_betas=True))
    assert "swapped" in EX.grade(slip(swap=True))


def test_in_place_aliasing_on_vectors():
    msg = EX.grade(slip(in_place=True))
    assert "same" in msg and "copy" in msg


def test_returns_none_and_crashes_are_one_line(capsys):
    assert "did you forget to `return`" in EX.grade(lambda *a, **k: None)
    EX.check(lambda grad_fn, x0, lr, steps, **k: grad_fn(x0)[5])
    out = capsys.readouterr().out
    assert "not yet" in out and "Traceback" not in out


def test_hints_and_solution_print(capsys):
    EX.hint()
    EX.hint(3)
    EX.solution()
    out = capsys.readouterr().out
    assert "Hint 1 of 3" in out and "Hint 3 of 3" in out and "def reference_adam_descend" in out


def test_the_loop_trains_an_mlp_like_fit():
    from lessonlib.recipes.l05_adaptive import mlp_as_vector
    X, y = make_rings()
    model = MLP(2, [5, 5], 2, init="he", seed=3)
    twin = MLP(2, [5, 5], 2, init="he", seed=3)
    x0, grad_fn, load = mlp_as_vector(model, X, y, batch_size=20, seed=3)
    path = EX.reference(grad_fn, x0, 0.01, 3 * 15)          # 3 epochs of 15 batches
    load(path[-1])
    twin.fit(X, y, Adam(lr=0.01), epochs=3, batch_size=20, seed=3)
    for name, value in twin.params.items():
        np.testing.assert_allclose(model.params[name], value, rtol=1e-9, atol=1e-12)


def test_the_fast_sin_logistic_path_follows_sin_logistic_descend():
    from lessonlib.data import make_sin_logistic
    from lessonlib.recipes.toys import sin_logistic_descend
    from lessonlib.recipes.l05_adaptive import sin_logistic_path
    X, y = make_sin_logistic(2, 3, n=200, seed=1)
    for batch_size in (None, 30, 7):
        path, _ = sin_logistic_descend(X, y, Adam(lr=0.1), 80, batch_size=batch_size, seed=4)
        assert np.array_equal(sin_logistic_path(X, y, Adam(lr=0.1), 80, batch_size=batch_size,
                                                seed=4), path)
