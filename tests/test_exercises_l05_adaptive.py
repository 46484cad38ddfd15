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
            keep_n=True, in_place=False, fixed_betas=False, swap=False, t_up_first=False,
            use_eps=True, m_sum=False, swap_avg=False, swap_corr=False, paper=False,
            n_after=False, square_all=False, step_g=False, t_out=(), fixed_eps=False,
            alias_after_x0=False, root_offset=0.0):
    """Adam written the way a learner might, with one slip switched on by a keyword (paper: the
    Adam paper's efficient form, lr_t = lr sqrt(1 - beta2**t) / (1 - beta1**t), which is right;
    t_out: the corrections, "m" or "n", written without t, m / (1 - beta1); alias_after_x0:
    path = [x.copy()], then x -= ... and path.append(x); root_offset: sqrt(n_hat - it))."""
    if fixed_betas:
        beta1, beta2 = 0.9, 0.999
    if swap:
        beta1, beta2 = beta2, beta1
    if not use_eps:
        eps = 0.0
    if fixed_eps:
        eps = 1e-8
    if alias_after_x0:
        in_place = True
    x = np.array(x0, dtype=float)
    m = np.zeros_like(x)
    n = np.zeros_like(x)
    path = [x if in_place and not alias_after_x0 else x.copy()]
    t = t0
    for _ in range(steps + extra_steps):
        if t_up_first:
            t += 1
        g = np.asarray(grad_fn(x))
        a1, a2 = (beta2, beta1) if swap_avg else (beta1, beta2)
        c1, c2 = (beta2, beta1) if swap_corr else (beta1, beta2)
        m_new = a1 * m + (1 if m_sum else 1 - a1) * g
        n_new = a2 * n + ((1 - a2) * g) ** 2 if square_all else a2 * n + (1 - a2) * g ** 2
        n_before = n
        if keep_m:
            m = m_new
        if keep_n:
            n = n_new
        m_hat = (m_new / (1 - c1 ** (1 if "m" in t_out else t))) if "m" in correct else m_new
        n_step = n_before if n_after else n_new     # n_after: the step uses the old n
        n_hat = (n_step / (1 - c2 ** (1 if "n" in t_out else t))) if "n" in correct else n_step
        n_hat = n_hat - root_offset
        denom = np.sqrt(n_hat + eps) if eps_inside else np.sqrt(n_hat) + eps
        if paper:
            lr_t = lr * np.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
            x = x - lr_t * m_new / (np.sqrt(n_new) + eps)
            path.append(x.copy())
            t += 1
            continue
        if step_g:
            m_hat = g
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
        raise NotImplementedError("Exercise 5a: write the Adam loop here")
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


def test_t_zero_is_named_only_when_t_zero_gives_the_nan(capsys):
    """A first update that is nan for another reason is not blamed on t."""
    msg = EX.grade(slip(root_offset=1.5))       # sqrt(n_hat - 1.5): nan at x0 = 0.5 only
    assert "t = 0 is not the cause" in msg and "square root of a negative number" in msg
    assert "With t = 0" not in msg
    assert "not the cause" not in EX.grade(slip(t0=0))


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
    msg = EX.grade(slip(alias_after_x0=True))   # x0 copied, every later x the same array
    assert "every value after x0 is the same" in msg and "copy" in msg


def test_returns_none_and_crashes_are_one_line(capsys):
    assert "did you forget to `return`" in EX.grade(lambda *a, **k: None)
    EX.check(lambda grad_fn, x0, lr, steps, **k: grad_fn(x0)[5])
    out = capsys.readouterr().out
    assert "not yet" in out and "Traceback" not in out


def test_yours_is_the_learners_loop_once_it_passes(capsys):
    def stub(grad_fn, x0, lr, steps, beta1=0.9, beta2=0.999, eps=1e-8):
        raise NotImplementedError("Exercise 5a: write the Adam loop here")
    assert EX.yours(stub) is EX.reference
    assert "runs the reference solution" in capsys.readouterr().out
    assert EX.yours(slip(sign=-1.0)) is EX.reference
    assert EX.yours(learner) is learner
    assert capsys.readouterr().out.count("reference") == 1


def test_hints_and_solution_print(capsys):
    EX.hint()
    EX.hint(3)
    EX.solution()
    out = capsys.readouterr().out
    assert "Hint 1 of 3" in out and "Hint 3 of 3" in out and "def adam_descend(" in out


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


# ---------------------------------------------------------------- fairness table

def _adam_f32(grad_fn, x0, lr, steps, beta1=0.9, beta2=0.999, eps=1e-8):
    f = np.float32
    x = np.array(x0, dtype=f)
    m, n = np.zeros_like(x), np.zeros_like(x)
    path = [x.copy()]
    for t in range(1, steps + 1):
        g = np.asarray(grad_fn(x), dtype=f)
        m = f(beta1) * m + f(1 - beta1) * g
        n = f(beta2) * n + f(1 - beta2) * g * g
        m_hat, n_hat = m / f(1 - beta1 ** t), n / f(1 - beta2 ** t)
        x = x - f(lr) * m_hat / (np.sqrt(n_hat) + f(eps))
        path.append(x.copy())
    return np.array(path)


def _adam_changes_x0(grad_fn, x0, lr, steps, beta1=0.9, beta2=0.999, eps=1e-8):
    """x = x0; x -= ...: changes the caller's array (its own copy here), appends copies."""
    x = x0 if isinstance(x0, np.ndarray) else np.array(x0, dtype=float)
    m, n = np.zeros_like(x), np.zeros_like(x)
    path = [x.copy()]
    for t in range(1, steps + 1):
        g = grad_fn(x)
        m *= beta1
        m += (1 - beta1) * g
        n *= beta2
        n += (1 - beta2) * g ** 2
        x -= lr * (m / (1 - beta1 ** t)) / (np.sqrt(n / (1 - beta2 ** t)) + eps)
        path.append(x.copy())
    return path


def _adam_running_powers(grad_fn, x0, lr, steps, beta1=0.9, beta2=0.999, eps=1e-8):
    """beta**t kept as running products, and the path preallocated."""
    x = np.array(x0, dtype=float)
    path = np.empty((steps + 1,) + x.shape)
    path[0] = x
    m, n, b1t, b2t = 0.0 * x, 0.0 * x, 1.0, 1.0
    for t in range(steps):
        g = np.asarray(grad_fn(x))
        b1t, b2t = b1t * beta1, b2t * beta2
        m = beta1 * m + (1 - beta1) * g
        n = beta2 * n + (1 - beta2) * np.square(g)
        x = x - lr * (m / (1 - b1t)) / (np.sqrt(n / (1 - b2t)) + eps)
        path[t + 1] = x
    return path


def _adam_sums(grad_fn, x0, lr, steps, beta1=0.9, beta2=0.999, eps=1e-8):
    """lessonlib's algebra: the plain decaying sums p = m / (1 - beta1), q = n / (1 - beta2)."""
    x = np.array(x0, dtype=float)
    p, q = np.zeros_like(x), np.zeros_like(x)
    path = [x]
    for t in range(1, steps + 1):
        g = grad_fn(x)
        p = beta1 * p + g
        q = beta2 * q + g * g
        k = np.sqrt((1 - beta2) / (1 - beta2 ** t))
        x = x - lr * (1 - beta1) / ((1 - beta1 ** t) * k) * p / (np.sqrt(q) + eps / k)
        path.append(x)
    return np.array(path)


def _adam_no_root(grad_fn, x0, lr, steps, beta1=0.9, beta2=0.999, eps=1e-8):
    x = np.array(x0, dtype=float)
    m, n = np.zeros_like(x), np.zeros_like(x)
    path = [x.copy()]
    for t in range(1, steps + 1):
        g = grad_fn(x)
        m = beta1 * m + (1 - beta1) * g
        n = beta2 * n + (1 - beta2) * g ** 2
        x = x - lr * (m / (1 - beta1 ** t)) / (n / (1 - beta2 ** t) + eps)
        path.append(x.copy())
    return np.array(path)


FAIRNESS = {
    "adam_update": dict(
        right=[("the reference", EX.reference), ("float32 throughout", _adam_f32),
               ("x = x0; x -= ... (changes the caller's x0), a list", _adam_changes_x0),
               ("running powers of beta, a preallocated path", _adam_running_powers),
               ("lessonlib's decaying sums", _adam_sums),
               ("a list of floats", lambda *a, **k: learner(*a, **k).tolist()),
               ("the Adam paper's efficient form, lr_t and plain eps", slip(paper=True))],
        slips=[("no bias correction", slip(correct=()), "no bias correction"),
               ("eps inside the square root", slip(eps_inside=True), "inside the square root"),
               ("no eps at all", slip(use_eps=False), "without eps"),
               ("a fixed 1e-8 in place of eps", slip(fixed_eps=True),
                "a fixed 1e-8 in place of the eps argument"),
               ("no square root", _adam_no_root, "without the square root"),
               ("uphill", slip(sign=-1.0), "uphill"),
               ("t one too large", slip(t0=2), "one too large"),
               ("t = 0 in the first update", slip(t0=0), "t = 1 in the first update"),
               ("sqrt(n_hat - 1.5): nan in the first update, t right", slip(root_offset=1.5),
                ["t = 0 is not the cause", "square root of a negative number"]),
               ("m_hat = m / (1 - beta1), t left out", slip(t_out=("m",)),
                ["t left out of its correction, m_hat = m / (1 - beta1)",
                 "lesson 02's momentum form"]),
               ("m_hat = m / (1 - beta1), t left out, n not corrected",
                slip(t_out=("m",), correct=("m",)),
                ["t left out of its correction, m_hat = m / (1 - beta1), and n_hat = n",
                 "neither m nor n is bias-corrected"]),
               ("t left out of both corrections (t stays 1)", slip(t_out=("m", "n")),
                ["t never changes", "t is left out of the corrections"]),
               ("x -= ...; path.append(x) after path = [x.copy()]", slip(alias_after_x0=True),
                ["every value after x0 is the same", "append a copy"]),
               ("m restarted every step", slip(keep_m=False), "m starts again from 0"),
               ("betas swapped", slip(swap=True), "swapped"),
               ("betas swapped in the averages only", slip(swap_avg=True),
                "swapped in the averages"),
               ("bias corrections swapped", slip(swap_corr=True), "corrections are swapped"),
               ("m = beta1*m + g (lesson 02's form)", slip(m_sum=True),
                "lesson 02's momentum form"),
               ("m = beta1*m + g, m not corrected", slip(m_sum=True, correct=("n",)),
                "lesson 02's momentum form"),
               ("m = beta1*m + g, no bias correction", slip(m_sum=True, correct=()),
                "neither m nor n is bias-corrected"),
               ("n updated after the step", slip(n_after=True), "n is updated after the step"),
               ("n adds ((1 - beta2)*g)**2", slip(square_all=True), "the factor squared too"),
               ("the step uses g in place of m_hat", slip(step_g=True),
                "the step uses the gradient g itself"),
               ("(path, None) returned", lambda *a, **k: (learner(*a, **k), None),
                "return the path alone"),
               ("one update too many", slip(extra_steps=1), "one too many")]),
}


# ---------------------------------------------------------------- exercise 5b: the whole loop

TRAIN = exercises.train_adam


def learner_adam(params, X, y, lr, epochs, batch_size, rng, beta1=0.9, beta2=0.999, eps=1e-8,
                 *, f32=False, fixed=False, swap=False, reset_state=False, draw="permutation",
                 correct=("m", "n"), eps_inside=False, root=True, t_epoch=False,
                 t_per_array=False, keep_m=True, sign=1.0, t0=0, fresh_state=False,
                 fresh_t=False, grad_by_bs=False, eps_hat=False, momentum=False,
                 m_factor=True, swap_avg=False, n_after=False, grad_by_n=False,
                 square_all=False, t_out=(), n_adds="g**2", root_offset=0.0, use_eps=True):
    """Adam with mini-batches as a learner writes it, with the slips given (t_out: the
    corrections, "m" or "n", written without t; n_adds: "g**2", "g" or "2*g"; root_offset:
    sqrt(n_hat - it))."""
    from test_exercises_l03_relu import loss_and_grads
    from test_exercises_l04_trainer import order_of
    if fixed:
        beta1, beta2 = 0.9, 0.999
    if swap:
        beta1, beta2 = beta2, beta1
    if not use_eps:
        eps = 0.0
    dtype = np.float32 if f32 else np.float64
    P = {k: np.array(v, dtype=dtype) for k, v in params.items()}
    X = X.astype(dtype)
    M = {k: np.zeros_like(v) for k, v in P.items()}
    N = {k: np.zeros_like(v) for k, v in P.items()}
    t = t0
    losses = []
    for _ in range(epochs):
        if t_epoch:
            t = t0
        if reset_state:
            M = {k: np.zeros_like(v) for k, v in P.items()}
            N = {k: np.zeros_like(v) for k, v in P.items()}
        order = order_of(rng, len(y), draw)
        for start in range(0, len(y), batch_size):
            idx = order[start:start + batch_size]
            loss, grads = loss_and_grads(P, X[idx], y[idx])
            if grad_by_bs:
                grads = loss_and_grads(P, X[idx], y[idx], batch_size)[1]
            if grad_by_n:           # lesson 03's full-batch division by len(y) kept
                grads = loss_and_grads(P, X[idx], y[idx], len(y))[1]
            losses.append(loss)
            if fresh_state:         # m and n made inside the batch loop
                M = {k: np.zeros_like(v) for k, v in P.items()}
                N = {k: np.zeros_like(v) for k, v in P.items()}
            if fresh_t:
                t = t0
            if not t_per_array:
                t += 1
            for key in P:
                if t_per_array:
                    t += 1
                g = grads[key]
                if momentum:        # lesson 04's update left in: M is the velocity
                    M[key] = beta1 * M[key] - lr * g
                    P[key] = P[key] + M[key]
                    continue
                if eps_hat:         # the Adam paper's efficient order (Keras, TensorFlow)
                    M[key] = beta1 * M[key] + (1 - beta1) * g
                    N[key] = beta2 * N[key] + (1 - beta2) * g * g
                    lr_t = lr * np.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
                    P[key] = P[key] - lr_t * M[key] / (np.sqrt(N[key]) + eps)
                    continue
                a1, a2 = (beta2, beta1) if swap_avg else (beta1, beta2)
                M[key] = (a1 * M[key] if keep_m else 0) + ((1 - a1) if m_factor else 1) * g
                n_before = N[key]
                gg = {"g**2": g * g, "g": g, "2*g": 2 * g}[n_adds]
                N[key] = a2 * N[key] + ((1 - a2) * g) ** 2 if square_all else (
                    a2 * N[key] + (1 - a2) * gg)
                n_step = n_before if n_after else N[key]    # n_after: the step uses the old n
                t_m, t_n = (1 if "m" in t_out else t), (1 if "n" in t_out else t)
                m_hat = M[key] / (1 - beta1 ** t_m) if "m" in correct else M[key]
                n_hat = n_step / (1 - beta2 ** t_n) if "n" in correct else n_step
                n_hat = n_hat - root_offset
                if not root:
                    bottom = n_hat + eps
                elif eps_inside:
                    bottom = np.sqrt(n_hat + eps)
                else:
                    bottom = np.sqrt(n_hat) + eps
                P[key] = P[key] - sign * lr * m_hat / bottom
    return P, losses


def adam_slip(**kw):
    return lambda *a, **k: learner_adam(*a, **k, **kw)


def _adam_sums_in_place(params, X, y, lr, epochs, batch_size, rng, beta1=0.9, beta2=0.999,
                        eps=1e-8):
    """lessonlib's algebra (decaying sums p, q), running powers of beta, arrays updated in
    place in the dict, losses as Python floats."""
    from test_exercises_l03_relu import loss_and_grads
    p = {k: np.zeros_like(v) for k, v in params.items()}
    q = {k: np.zeros_like(v) for k, v in params.items()}
    b1t = b2t = 1.0
    losses = []
    for _ in range(epochs):
        order = rng.choice(len(y), len(y), replace=False)
        for start in range(0, len(y), batch_size):
            idx = order[start:start + batch_size]
            loss, grads = loss_and_grads(params, X[idx], y[idx])
            losses.append(float(loss))
            b1t, b2t = b1t * beta1, b2t * beta2
            k = np.sqrt((1 - beta2) / (1 - b2t))
            for key in params:
                p[key] = beta1 * p[key] + grads[key]
                q[key] = beta2 * q[key] + grads[key] ** 2
                params[key] -= lr * (1 - beta1) / ((1 - b1t) * k) * p[key] / (
                    np.sqrt(q[key]) + eps / k)
    return params, losses


def test_train_adam_reference_passes_and_matches_fit():
    from lessonlib.data import make_rings
    from lessonlib.exercises._training import initial_params, params_of
    assert TRAIN.grade(TRAIN.reference) is None
    X, y = make_rings()
    model = MLP(2, [20, 20], 2, activation="relu", init="he", seed=0)
    history = model.fit(X, y, Adam(lr=0.001), epochs=3, batch_size=20, seed=0,
                        record_batches=True)
    params, losses = TRAIN.reference(initial_params((20, 20), "he", 0), X, y, 0.001, 3, 20,
                                     np.random.default_rng(0))
    np.testing.assert_allclose(losses, history.batch_loss, rtol=1e-10)
    for key, value in params_of(model).items():
        np.testing.assert_allclose(params[key], value, rtol=1e-8, atol=1e-12)


def test_train_adam_stub_and_lesson_runs(capsys):
    def stub(params, X, y, lr, epochs, batch_size, rng, beta1=0.9, beta2=0.999, eps=1e-8):
        raise NotImplementedError("Exercise 5b: write the training loop here")
    TRAIN.check(stub)
    assert len(TRAIN.lesson_runs(stub)) == 1
    out = capsys.readouterr().out
    assert "not attempted yet" in out and "yours appears beside it" in out
    TRAIN.check(TRAIN.reference)
    assert len(TRAIN.lesson_runs(TRAIN.reference)) == 2


def test_train_adam_gradient_is_read_from_the_large_eps_update():
    from test_exercises_l03_relu import loss_and_grads

    def w2_gradient_off(params, X, y, lr, epochs, batch_size, rng, beta1=0.9, beta2=0.999,
                        eps=1e-8):
        # (a gradient off by a factor would pass: Adam's step does not change when every
        # gradient is scaled, so an offset)
        def halve(P, Xb, yb):
            loss, grads = loss_and_grads(P, Xb, yb)
            grads["W2"] = grads["W2"] + 0.3 * np.abs(grads["W2"]).max()
            return loss, grads
        import test_exercises_l03_relu as l03
        original = l03.loss_and_grads
        l03.loss_and_grads = halve
        try:
            return learner_adam(params, X, y, lr, epochs, batch_size, rng, beta1, beta2, eps)
        finally:
            l03.loss_and_grads = original
    msg = TRAIN.grade(w2_gradient_off)
    assert "first update of W2 is not" in msg and "-lr * g / (|g| + eps)" in msg
    assert "backward pass from layer 3 into layer 2" in msg


FAIRNESS["train_adam"] = dict(
    right=[("the reference", TRAIN.reference), ("float32 throughout", adam_slip(f32=True)),
           ("rng.choice, decaying sums, in place in the dict", _adam_sums_in_place),
           ("rng.shuffle of an arange", adam_slip(draw="shuffle")),
           ("argsort of rng.random(n)", adam_slip(draw="argsort")),
           ("argsort of rng.uniform(size=n)", adam_slip(draw="uniform")),
           ("t counted up before use from 0", adam_slip(t0=0)),
           ("the paper's efficient order: lr_t, eps-hat", adam_slip(eps_hat=True))],
    slips=[("no bias correction", adam_slip(correct=()), "no bias correction"),
           ("n not corrected", adam_slip(correct=("m",)), "n is not"),
           ("eps inside the square root", adam_slip(eps_inside=True), "inside the square root"),
           ("no square root", adam_slip(root=False), "without the square root"),
           ("t restarted every epoch", adam_slip(t_epoch=True), "t starts again at every epoch"),
           ("t per array", adam_slip(t_per_array=True), "once per array"),
           ("betas swapped", adam_slip(swap=True), "swapped"),
           ("betas fixed", adam_slip(fixed=True), "not the beta1 and beta2 it was given"),
           ("m restarted every update", adam_slip(keep_m=False), "m starts again from 0"),
           ("uphill", adam_slip(sign=-1.0), "uphill"),
           ("t = 0 in the first update", adam_slip(t0=-1), "t = 1 in the first update"),
           ("state reset every epoch", adam_slip(reset_state=True), "starts again at every epoch"),
           ("np.random instead of rng", adam_slip(draw="np.random"), "drew nothing from rng"),
           ("m and n made again for every batch", adam_slip(fresh_state=True),
            "m and n start again from 0 at every batch"),
           ("m, n and t made again for every batch", adam_slip(fresh_state=True, fresh_t=True),
            "m, n and t start again at every batch"),
           ("dz3 = (p - onehot) / batch_size", adam_slip(grad_by_bs=True), "len(idx)"),
           ("lesson 04's momentum update left in", adam_slip(momentum=True),
            "the update is not Adam's"),
           ("m = beta1*m + g, without (1 - beta1)", adam_slip(m_factor=False),
            "lesson 02's momentum form"),
           ("m = beta1*m + g, m not corrected", adam_slip(m_factor=False, correct=("n",)),
            "lesson 02's momentum form"),
           ("m = beta1*m + g, no bias correction", adam_slip(m_factor=False, correct=()),
            "neither m nor n is bias-corrected"),
           ("n updated after the step", adam_slip(n_after=True), "n is updated after the step"),
           ("betas swapped in the averages only", adam_slip(swap_avg=True),
            "swapped in the averages"),
           ("n adds ((1 - beta2)*g)**2", adam_slip(square_all=True), "the factor squared too"),
           ("dz3 = (p - onehot) / len(y), the whole data's n", adam_slip(grad_by_n=True),
            "len(y)"),
           ("m_hat = m / (1 - beta1), t left out", adam_slip(t_out=("m",)),
            ["t left out of its correction, m_hat = m / (1 - beta1)",
             "lesson 02's momentum form"]),
           ("m_hat = m / (1 - beta1), t left out, n not corrected",
            adam_slip(t_out=("m",), correct=("m",)),
            ["t left out of its correction, m_hat = m / (1 - beta1), and n_hat = n",
             "neither m nor n is bias-corrected"]),
           ("t = 1 in every update, m and n kept", adam_slip(fresh_t=True), "t never changes"),
           ("t left out of both corrections", adam_slip(t_out=("m", "n")),
            ["t never changes", "t is left out of the corrections"]),
           ("n adds 2*g in place of g**2", adam_slip(n_adds="2*g"),
            ["exactly those whose gradient is negative", "2*g in place of g**2"]),
           ("n adds g in place of g**2", adam_slip(n_adds="g"),
            "exactly those whose gradient is negative"),
           ("sqrt(n_hat - 1e-3): nan in the first update, t right", adam_slip(root_offset=1e-3),
            ["t = 0 is not the cause", "square root of a negative number"]),
           ("no eps: 0/0 where a gradient is 0", adam_slip(use_eps=False),
            ["exactly those whose gradient is 0", "np.sqrt(n_hat) + eps"]),
           ("losses averaged over the classes too (half)",
            lambda *a, **k: (lambda r: (r[0], np.asarray(r[1]) / 2))(TRAIN.reference(*a, **k)),
            "averaged over the 2 classes too")])


def test_a_loss_averaged_over_both_axes_is_named_in_3c_4b_and_5b():
    """The shared checker (_training) names a loss that is half of lessonlib's."""
    def halved(reference):
        return lambda *a, **k: (lambda r: (r[0], np.asarray(r[1]) / 2))(reference(*a, **k))
    for exercise in (exercises.train_mlp, exercises.train_minibatch, TRAIN):
        msg = exercise.grade(halved(exercise.reference))
        assert "half of lessonlib's: you averaged over the 2 classes too" in msg, msg


def test_train_adam_names_t_zero_only_when_t_zero_gives_the_nan():
    """A non-finite first update is blamed on t = 0 only when a t = 0 run is non-finite at the
    same places (everywhere)."""
    assert "t = 1 in the first update" in TRAIN.grade(adam_slip(t0=-1))
    for wrong in (adam_slip(n_adds="2*g"), adam_slip(root_offset=1e-3),
                  adam_slip(use_eps=False)):
        msg = TRAIN.grade(wrong)
        assert "not finite" in msg and "With t = 0" not in msg, msg


def test_train_adam_probe_is_described_once():
    """The probe's settings are listed once, with what they are for."""
    msg = TRAIN.grade(adam_slip(eps_inside=True))
    header = msg.split(" (a test run")[0]
    assert header.count("lr ") == 1 and "lr 0.1, beta1 0.8, beta2 0.99, eps 1 (a test run" in msg
