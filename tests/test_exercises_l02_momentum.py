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


# ---------------------------------------------------------------- exercise 2a

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
        raise NotImplementedError("Exercise 2a: write the gradient here")
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
    X0, y0 = make_sin_logistic(0.7, 0.7, n=1000, noise=0.3, seed=2)     # the notebook's X, y
    msg = GRAD.grade(lambda b, X, y: sin_logistic_grad(b, X0, y0))
    assert "global variables" in msg


def test_gradient_learner_crash_is_one_line(capsys):
    GRAD.check(lambda b, X, y: X[:, 5])
    out = capsys.readouterr().out
    assert "IndexError" in out and "Traceback" not in out


# ---------------------------------------------------------------- exercise 2b

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
        raise NotImplementedError("Exercise 2b: write the loop here")
    LOOP.check(stub)
    assert "not attempted yet" in capsys.readouterr().out


@pytest.mark.parametrize("count, words", [(-1, "one too few"), (1, "one too many")])
def test_loop_off_by_one(count, words):
    msg = LOOP.grade(lambda *a: _heavy_ball(*a, count=count))
    assert "expected steps + 1 = 13" in msg and words in msg


def test_loop_sign_errors():
    assert "uphill" in LOOP.grade(lambda *a: _heavy_ball(*a, sign=-1.0))
    assert "momentum term has the wrong sign" in LOOP.grade(
        lambda *a: _heavy_ball(*a, mom_sign=-1.0))


def test_loop_plain_gradient_descent_is_named():
    msg = LOOP.grade(lambda *a: _heavy_ball(*a, mom_sign=0.0))
    assert "plain gradient descent: rho is never used" in msg


def test_loop_first_step_and_start():
    assert "first step is not plain gradient descent" in LOOP.grade(
        lambda *a: _heavy_ball(*a, first_zero=True))
    msg = LOOP.grade(lambda g, x0, lr, rho, steps: _heavy_ball(g, x0, lr, rho, steps)[1:].tolist()
                     + [0.0])
    assert "first value should be the start x0 = -3" in msg


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
    assert "def grad(b, X, y)" in out and "def momentum_descend(grad_fn" in out


def test_loop_grader_uses_descend_on_the_quartic():
    from lessonlib.optim import SGD, descend
    path = LOOP.reference(quartic_grad, 0.5, 0.1, 0.9, 29)
    np.testing.assert_allclose(path, descend(quartic_grad, 0.5, SGD(lr=0.1, momentum=0.9), 29),
                               rtol=1e-12)
    assert f"{path[-1]:.6f}" == "-1.602265"


# ---------------------------------------------------------------- fairness tables

def _grad_f32(b, X, y):
    b, X, y = (np.asarray(a, dtype=np.float32) for a in (b, X, y))
    x1, x2, u, p = _parts(b, X, y)
    c = (p - y) * np.cos(u)
    return np.array([np.mean(c * x1 * x2), np.mean(c * x2)], dtype=np.float32)


def _grad_loop(b, X, y):
    import math
    g1 = g2 = 0.0
    for (x1, x2), yi in zip(X.tolist(), y.tolist()):
        u = b[0] * x1 * x2 + b[1] * x2
        p = 1 / (1 + math.exp(-math.sin(u)))
        g1 += (p - yi) * math.cos(u) * x1 * x2
        g2 += (p - yi) * math.cos(u) * x2
    return [g1 / len(y), g2 / len(y)]


def _grad_matrix(b, X, y):
    features = np.column_stack([X[:, 0] * X[:, 1], X[:, 1]])      # du/db, one row per point
    u = features @ b
    p = 1 / (1 + np.exp(-np.sin(u)))
    return features.T @ ((p - y) * np.cos(u)) / len(y)


def _grad_in_place(b, X, y):
    X *= 1.0                                        # harmless work on the given arrays
    x1, x2, u, p = _parts(b, X, y)
    p -= y
    p *= np.cos(u)
    return (np.mean(p * x1 * x2), np.mean(p * x2))


def _grad_slip(kind):
    def grad(b, X, y):
        x1, x2, u, p = _parts(b, X, y)
        c = {"sum": (p - y) * np.cos(u) * len(y), "sign": (y - p) * np.cos(u),
             "no cos": p - y, "sin": (p - y) * np.sin(u),
             "sigmoid'": (p - y) * np.cos(u) * p * (1 - p)}[kind]
        return np.array([np.mean(c * x1 * x2), np.mean(c * x2)])
    return grad


def _grad_reader_slip(kind):
    """The slips of a fresh reader, each once told only a relative error."""
    def grad(b, X, y):
        x1, x2, u, p = _parts(b, X, y)
        if kind == "no sin":
            p = 1 / (1 + np.exp(-u))
        c = {"slope": p * (1 - p) * np.cos(u),
             "cos(sin)": (p - y) * np.cos(np.sin(u))}.get(kind, (p - y) * np.cos(u))
        if kind == "N - 1":
            return np.array([np.sum(c * x1 * x2), np.sum(c * x2)]) / (len(y) - 1)
        d_b2 = {"b2 x1": np.mean(c * x1), "b2 x1*x2": np.mean(c * x1 * x2)}.get(
            kind, np.mean(c * x2))
        return np.array([np.mean(c * x1 * x2), d_b2])
    return grad


def _momentum_f32(grad_fn, x0, lr, rho, steps):
    x = np.array(x0, dtype=np.float32)
    v = np.zeros_like(x)
    path = [x.copy()]
    for _ in range(steps):
        v = np.float32(rho) * v - np.float32(lr) * np.asarray(grad_fn(x), dtype=np.float32)
        x = x + v
        path.append(x.copy())
    return np.array(path)


def _momentum_in_place(grad_fn, x0, lr, rho, steps):
    x = x0                                # the caller's array itself (or a float)
    v = 0 * x
    path = [np.copy(x)]
    for _ in range(steps):
        v = rho * v - lr * np.asarray(grad_fn(x))
        x += v                            # changes x0 too: harmless, the checker kept its own
        path.append(np.copy(x))
    return path


def _momentum_unscaled_velocity(grad_fn, x0, lr, rho, steps):
    x, v, path = np.asarray(x0, dtype=float), 0.0, [np.asarray(x0, dtype=float)]
    for _ in range(steps):
        v = rho * v + np.asarray(grad_fn(x))     # v without the lr: the same run, lr constant
        x = x - lr * v
        path.append(x)
    return np.stack(path)


def _momentum_preallocated(grad_fn, x0, lr, rho, steps):
    x0 = np.asarray(x0, dtype=float)
    path = np.empty((steps + 1,) + x0.shape)
    path[0] = x0
    v = np.zeros_like(x0)
    for t in range(1, steps + 1):
        v = rho * v - lr * np.asarray(grad_fn(path[t - 1]))
        path[t] = path[t - 1] + v
    return path


def _momentum_position(grad_fn, x0, lr, rho, steps):
    xs = [np.array(x0, dtype=float)]
    for t in range(steps):
        prev = xs[-2] if t else xs[-1]
        xs.append(xs[-1] - lr * np.asarray(grad_fn(xs[-1])) + rho * (xs[-1] - prev))
    return [x.tolist() for x in xs]


def _momentum_ema(grad_fn, x0, lr, rho, steps):
    x = np.array(x0, dtype=float)
    v = np.zeros_like(x)
    path = [x.copy()]
    for _ in range(steps):
        v = rho * v + (1 - rho) * np.asarray(grad_fn(x))
        x = x - lr * v
        path.append(x.copy())
    return np.array(path)


def _momentum_fixed_rho(grad_fn, x0, lr, rho, steps):
    return LOOP.reference(grad_fn, x0, lr, 0.9, steps)


FAIRNESS = {
    "sin_logistic_gradient": dict(
        right=[("the reference", GRAD.reference), ("float32 throughout", _grad_f32),
               ("a Python loop over the points, a list", _grad_loop),
               ("matrix form features.T @ c / N", _grad_matrix),
               ("in-place work on its own arrays, a tuple", _grad_in_place),
               ("lessonlib's own", sin_logistic_grad)],
        slips=[("sum instead of mean", _grad_slip("sum"), "1000 times too large"),
               ("y - p", _grad_slip("sign"), "p - y, not y - p"),
               ("cos missing", _grad_slip("no cos"), "misses the factor cos"),
               ("sin where cos belongs", _grad_slip("sin"), "sin(b1*x1*x2 + b2*x2) where cos"),
               ("the sigmoid's derivative kept", _grad_slip("sigmoid'"), "extra factor p(1 - p)"),
               ("entries swapped", lambda b, X, y: sin_logistic_grad(b, X, y)[::-1], "swapped"),
               ("the sin forgotten in the forward pass", _grad_reader_slip("no sin"),
                "p must be sigmoid(sin(u)): the logit is sin(u), not u"),
               ("the sigmoid's slope instead of p - y", _grad_reader_slip("slope"),
                "the sigmoid's slope p(1 - p) where p - y belongs"),
               ("np.cos(np.sin(u))", _grad_reader_slip("cos(sin)"), "cos(sin(u)) where cos(u)"),
               ("sum / (N - 1)", _grad_reader_slip("N - 1"), "not N - 1"),
               ("d/db2 with x1", _grad_reader_slip("b2 x1"),
                ["d loss/d b2 has the factor x1 where x2", "with respect to b2 is x2"]),
               ("d/db2 with x1*x2", _grad_reader_slip("b2 x1*x2"),
                ["d loss/d b2 has the factor x1*x2", "with respect to b2 is x2"])]),
    "heavy_ball": dict(
        right=[("the reference", LOOP.reference), ("float32 throughout", _momentum_f32),
               ("x = x0; x += v (changes the caller's x0)", _momentum_in_place),
               ("velocity without lr: v = rho v + g, x -= lr v", _momentum_unscaled_velocity),
               ("a preallocated path array", _momentum_preallocated),
               ("position form, a list of lists", _momentum_position)],
        slips=[("uphill", lambda *a: _heavy_ball(*a, sign=-1.0), "uphill"),
               ("momentum sign", lambda *a: _heavy_ball(*a, mom_sign=-1.0),
                "momentum term has the wrong sign"),
               ("momentum on the first step", lambda *a: _heavy_ball(*a, first_zero=True),
                "first step is not plain gradient descent"),
               ("EMA form", _momentum_ema, "average of the gradients"),
               ("appends x, then x += v", lambda *a: _heavy_ball(*a, in_place=True), "copy"),
               ("one update too many", lambda *a: _heavy_ball(*a, count=1), "one too many"),
               ("rho written in as 0.9", _momentum_fixed_rho, "wrong value")]),
}


def _momentum_variant(kind):
    def descend_(grad_fn, x0, lr, rho, steps):
        x = np.array(x0, dtype=float)
        v = np.zeros_like(x)
        path = [x.copy()]
        for _ in range(steps):
            if kind == "nesterov":
                v = rho * v - lr * np.asarray(grad_fn(x + rho * v))
                x = x + v
            elif kind == "lr twice":
                v = rho * v - lr * np.asarray(grad_fn(x))
                x = x + lr * v
            else:                                   # x moved by the old velocity first
                x = x + v
                v = rho * v - lr * np.asarray(grad_fn(x))
            path.append(x.copy())
        return np.array(path)
    return descend_


FAIRNESS["heavy_ball"]["slips"] += [
    ("Nesterov's look-ahead", _momentum_variant("nesterov"), "Nesterov"),
    ("lr applied twice", _momentum_variant("lr twice"), "lr is applied twice"),
    ("x moved before v", _momentum_variant("x first"), "old velocity before v is updated"),
]


def _grad_fix2_slip(kind):
    """Slips a fresh reader (02r9) was told only a relative error or a bare shape for."""
    def grad(b, X, y):
        if kind == "columns swapped":
            X = X[:, ::-1]
        if kind == "1 - y":
            y = 1 - y
        x1, x2, u, p = _parts(b, X, y)
        c = (p - y) * np.cos(u)
        if kind == "d/dp":
            c = (p - y) / (p * (1 - p)) * np.cos(u)
        if kind == "(2, N)":
            return np.stack([c * x1 * x2, c * x2])
        d_b2 = np.mean(c) if kind == "b2 no x2" else np.mean(c * x2)
        return np.array([np.mean(c * x1 * x2), d_b2])
    return grad


def _momentum_fix2_slip(kind):
    def descend_(grad_fn, x0, lr, rho, steps):
        x = np.array(x0, dtype=float)
        x_prev = x.copy()
        v = -lr * np.asarray(grad_fn(x)) if kind == "v0 step" else np.zeros_like(x)
        g_prev = np.asarray(grad_fn(x))
        path = [x.copy()]
        for _ in range(steps):
            g = np.asarray(grad_fn(x))
            if kind == "rho bracket":
                v = rho * (v - lr * g)
            elif kind == "stale":
                v, g_prev = rho * v - lr * g_prev, g
            elif kind == "x_prev kept":
                x = x - lr * g + rho * (x - x_prev)        # x_prev never moves on from x0
                path.append(x.copy())
                continue
            else:
                v = rho * v - lr * g
            x = x + v
            path.append(x.copy())
        return np.array(path)
    return descend_


FAIRNESS["sin_logistic_gradient"]["slips"] += [
    ("d loss/dp without the sigmoid's slope", _grad_fix2_slip("d/dp"),
     ["(p - y)/(p(1 - p)), the loss's derivative with respect to p", "leaves p - y"]),
    ("d/db2 without x2", _grad_fix2_slip("b2 no x2"),
     ["d loss/d b2 is missing the factor x2", "with respect to b2 is x2"]),
    ("a (2, N) answer: no mean over the points", _grad_fix2_slip("(2, N)"),
     ["has shape (2, 1000)", "one value per point", "average each row"]),
    ("x1 and x2 swapped", _grad_fix2_slip("columns swapped"), "x1 and x2 are swapped"),
    ("labels flipped: 1 - y", _grad_fix2_slip("1 - y"), "1 - y where y belongs"),
]
FAIRNESS["heavy_ball"]["slips"] += [
    ("v = rho * (v - lr * g)", _momentum_fix2_slip("rho bracket"),
     "rho multiplies the gradient step too"),
    ("velocity started at -lr * g(x0)", _momentum_fix2_slip("v0 step"),
     "velocity starts at - lr * f'(x0) instead of 0"),
    ("position form, x_prev never updated", _momentum_fix2_slip("x_prev kept"),
     "x_prev is never updated"),
    ("gradient one step late", _momentum_fix2_slip("stale"), "one step late"),
]


def test_rho_bracket_is_not_called_the_average_form():
    """With rho 0.5, v = rho * (v - lr g) and the average form give the same run; the first
    case uses another rho so that the message names what the learner wrote, and the average
    form is still named as such."""
    assert "average of the gradients" not in LOOP.grade(_momentum_fix2_slip("rho bracket"))
    assert "rho multiplies" not in LOOP.grade(_momentum_ema)


def test_lr_twice_is_not_called_the_average_form():
    """With lr = 1 - rho (0.1 and 0.9) the average form and 'lr twice' give the same run on the
    first case; the message must name what the learner wrote."""
    assert "average of the gradients" not in LOOP.grade(_momentum_variant("lr twice"))


# ---------------------------------------------------------------- fix round 3 (reader 02)

def _momentum_returns(extra):
    """The right loop, returning (path, None) or (path, v) instead of the path alone."""
    def descend_(grad_fn, x0, lr, rho, steps):
        x = np.array(x0, dtype=float)
        v = np.zeros_like(x)
        path = [x.copy()]
        for _ in range(steps):
            v = rho * v - lr * np.asarray(grad_fn(x))
            x = x + v
            path.append(x.copy())
        return (np.array(path), None) if extra == "None" else (np.array(path), v)
    return descend_


def _momentum_float_x0(grad_fn, x0, lr, rho, steps):
    """Right for one parameter; float(x0) fails on the two-parameter case's array."""
    x, v = float(x0), 0.0
    path = [x]
    for _ in range(steps):
        v = rho * v - lr * grad_fn(x)
        x = x + v
        path.append(x)
    return path


def _momentum_tuple_of_floats(grad_fn, x0, lr, rho, steps):
    return tuple(LOOP.reference(grad_fn, x0, lr, rho, steps))


def _grad_sigmoid_sign(b, X, y):
    """p = 1/(1 + exp(+sin u)), i.e. sigmoid(-sin u): the sign in the exponent flipped."""
    x1, x2 = X[:, 0], X[:, 1]
    u = b[0] * x1 * x2 + b[1] * x2
    p = 1 / (1 + np.exp(np.sin(u)))
    c = (p - y) * np.cos(u)
    return np.array([np.mean(c * x1 * x2), np.mean(c * x2)])


FAIRNESS["heavy_ball"]["right"] += [
    ("a tuple of the iterates", _momentum_tuple_of_floats),
]
FAIRNESS["heavy_ball"]["slips"] += [
    ("returns (path, None)", _momentum_returns("None"),
     ["returned a tuple of 2 things", "return the path alone"]),
    ("returns (path, v)", _momentum_returns("v"),
     ["returned a tuple of 2 things", "return the path alone"]),
    ("float(x0): fails on the two-parameter case", _momentum_float_x0,
     ["x0 is an array of 2 numbers", "float(...)", "np.array(x0, dtype=float)"]),
]
FAIRNESS["sin_logistic_gradient"]["slips"] += [
    ("the sigmoid's sign flipped: exp(+sin u)", _grad_sigmoid_sign,
     ["p is sigmoid(-sin(u))", "sign in the exponent is flipped"]),
]


@pytest.mark.parametrize("extra", ["None", "v"])
def test_loop_a_returned_tuple_is_named_without_an_array_repr(extra):
    msg = LOOP.grade(_momentum_returns(extra))
    assert "forget to `return`" not in msg and "array(" not in msg and "should be numbers" not in msg


def test_loop_float_x0_names_the_two_parameter_case():
    msg = LOOP.grade(_momentum_float_x0)
    assert "sin-logistic loss" in msg and "line" in msg and "float(x0)" in msg


# ---------------------------------------------------------------- fix round 4 (reader 02, 8/10)

def _grad_model_slip(model, first):
    """The model written wrong in u, the chain rule followed through it (first: the factor of
    d loss/d b1 used) or the right factors kept."""
    def grad(b, X, y):
        x1, x2 = X[:, 0], X[:, 1]
        u = b[0] * x1 + b[1] * x2 if model == "no product" else b[1] * x1 * x2 + b[0] * x2
        p = 1 / (1 + np.exp(-np.sin(u)))
        c = (p - y) * np.cos(u)
        f1, f2 = {"x1": (x1, x2), "x1*x2": (x1 * x2, x2), "swapped": (x2, x1 * x2)}[first]
        return np.array([np.mean(c * f1), np.mean(c * f2)])
    return grad


def _momentum_scaled_move(grad_fn, x0, lr, rho, steps):
    """v = rho v - lr g, then x = x + rho v: the run of v = rho (v - lr g), x = x + v."""
    x = np.array(x0, dtype=float)
    v = np.zeros_like(x)
    path = [x.copy()]
    for _ in range(steps):
        v = rho * v - lr * np.asarray(grad_fn(x))
        x = x + rho * v
        path.append(x.copy())
    return np.array(path)


FAIRNESS["sin_logistic_gradient"]["slips"] += [
    ("u = b1*x1 + b2*x2, its own gradient", _grad_model_slip("no product", "x1"),
     ["your u is b1*x1 + b2*x2", "product x1*x2"]),
    ("u = b1*x1 + b2*x2, the factors x1*x2 and x2", _grad_model_slip("no product", "x1*x2"),
     ["your u is b1*x1 + b2*x2", "product x1*x2"]),
    ("b1 and b2 swapped in u", _grad_model_slip("b swapped", "x1*x2"),
     ["b1 and b2 swapped", "b1 = b[0] multiplies x1*x2"]),
    ("b1 and b2 swapped in u, its own gradient", _grad_model_slip("b swapped", "swapped"),
     ["b1 and b2 swapped", "b1 = b[0] multiplies x1*x2"]),
]
FAIRNESS["heavy_ball"]["slips"] += [
    ("x = x + rho * v (the run of v = rho * (v - lr * g))", _momentum_scaled_move,
     ["rho multiplies the gradient step too", "x = x + rho * v", "both forms give this run"]),
]


@pytest.mark.parametrize("model, first", [("no product", "x1"), ("no product", "x1*x2"),
                                          ("b swapped", "x1*x2"), ("b swapped", "swapped")])
def test_the_model_slips_are_not_told_only_a_relative_error(model, first):
    msg = GRAD.grade(_grad_model_slip(model, first))
    assert "relative error" not in msg and "your u " in msg


def test_the_rho_bracket_message_names_both_forms():
    for slip in (_momentum_fix2_slip("rho bracket"), _momentum_scaled_move):
        msg = LOOP.grade(slip)
        assert "v = rho * (v - lr * f'(x))" in msg and "x = x + rho * v" in msg
        assert "you wrote" not in msg


# ---------------------------------------------------------------- the two answers together

def _stub(*args):
    raise NotImplementedError("Exercise: write it here")


def _data():
    from lessonlib.data import make_sin_logistic
    return make_sin_logistic(0.7, 0.7, n=1000, noise=0.3, seed=2)


def _heavy_ball_by_hand(X, y, rho, steps=100, lr=0.1):
    """The notes' run written out here: the position form from (0, 0), first update plain."""
    def g(b):
        x1, x2, u, p = _parts(b, X, y)
        c = (p - y) * np.cos(u)
        return np.array([np.mean(c * x1 * x2), np.mean(c * x2)])
    xs = [np.zeros(2)]
    for t in range(steps):
        prev = xs[-2] if t else xs[-1]
        xs.append(xs[-1] - lr * g(xs[-1]) + rho * (xs[-1] - prev))
    return np.array(xs)


@pytest.mark.parametrize("grad, loop, words", [
    (_stub, _stub, "grad (exercise 2a): not attempted yet; momentum_descend (exercise 2b): not "
                   "attempted yet"),
    (_grad_slip("sign"), LOOP.reference, "grad (exercise 2a): not right yet; momentum_descend "
                                         "(exercise 2b): passes"),
    (GRAD.reference, _stub, "grad (exercise 2a): passes; momentum_descend (exercise 2b): not "
                            "attempted yet"),
])
def test_lesson_runs_show_lessonlibs_alone_until_both_answers_pass(grad, loop, words, capsys):
    X, y = _data()
    runs = LOOP.lesson_runs(loop, grad, X, y)
    out = capsys.readouterr().out
    assert out.startswith("Only lessonlib's runs are drawn") and words in out
    assert [label for label, _, _ in runs] == ["plain GD", "momentum 0.9"]
    assert all(mine is None for _, _, mine in runs)
    for (_, path, _), rho in zip(runs, (0.0, 0.9)):
        np.testing.assert_allclose(path, _heavy_ball_by_hand(X, y, rho), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("grad, loop", [(GRAD.reference, LOOP.reference),
                                        (_grad_f32, _momentum_f32),
                                        (_grad_loop, _momentum_position)])
def test_lesson_runs_draw_the_learners_paths_once_both_pass(grad, loop, capsys):
    X, y = _data()
    runs = LOOP.lesson_runs(loop, grad, X, y)
    out = capsys.readouterr().out
    assert "Only lessonlib's" not in out and "Your paths lie on lessonlib's" in out
    assert "plain GD: yours ends at b = (0.155, -0.082)" in out
    assert "momentum 0.9: yours ends at b = (0.708, 0.703)" in out
    for (_, path, mine), rho in zip(runs, (0.0, 0.9)):
        expected = _heavy_ball_by_hand(X, y, rho)
        assert mine.shape == (101, 2)
        np.testing.assert_allclose(mine, expected, atol=1e-4)
        np.testing.assert_allclose(path, expected, rtol=1e-9, atol=1e-12)


def test_lesson_runs_survive_a_crash_in_the_learners_code(capsys):
    """Both pass their checks, but the run on the lesson's data goes wrong: a line, no
    traceback, and lessonlib's runs alone."""
    X, y = _data()
    calls = {"n": 0}

    def grad(b, X, y):
        calls["n"] += 1
        if len(y) == 1000 and calls["n"] > 100:
            raise ValueError("a late failure")
        return GRAD.reference(b, X, y)

    runs = LOOP.lesson_runs(LOOP.reference, grad, X, y)
    out = capsys.readouterr().out
    assert "raised ValueError" in out and "Traceback" not in out
    assert all(mine is None for _, _, mine in runs)
