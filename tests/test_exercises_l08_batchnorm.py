"""Lesson 08's exercises: the references pass and agree with lessonlib's BatchNorm, the typical
slips (wrong shape, N - 1, eps outside the root, a missing path through the mean or the
variance, ...) get their own message, a stub is "not attempted yet", and no traceback is shown."""
import numpy as np
import pytest

from lessonlib import exercises
from lessonlib.gradcheck import numerical_gradient, rel_error
from lessonlib.layers import BatchNorm

FWD = exercises.batchnorm_forward
BWD = exercises.batchnorm_backward


# ---------------------------------------------------------------- slips, switched on one at a time

def _forward(x, gamma, beta, eps=1e-3, *, ddof=0, eps_place="inside", axis=0, affine="gamma,beta",
             ret="y", eps_value=None):
    eps = eps if eps_value is None else eps_value
    mean = x.mean(axis=axis, keepdims=axis != 0)
    var = x.var(axis=axis, ddof=ddof, keepdims=axis != 0)
    if eps_place == "inside":
        x_hat = (x - mean) / np.sqrt(var + eps)
    elif eps_place == "outside":
        x_hat = (x - mean) / (np.sqrt(var) + eps)
    else:                               # no square root at all
        x_hat = (x - mean) / (var + eps)
    y = {"gamma,beta": gamma * x_hat + beta, "none": x_hat, "swapped": beta * x_hat + gamma,
         "mean - x": gamma * (mean - x) / np.sqrt(var + eps) + beta,
         "minus beta": gamma * x_hat - beta, "gamma (x_hat + beta)": gamma * (x_hat + beta)}[affine]
    if ret == "y":
        return y
    if ret == "tuple":
        return y, (x_hat, var)
    if ret == "stats":
        return mean
    return None


def _backward(dout, x, gamma, eps=1e-3, *, ddof=0, eps_place="inside", mean_path=True,
              var_path=True, gamma_in_dx=True, beta_reduce="sum", gamma_reduce="sum",
              order="dx,dgamma,dbeta", scale_dx=1.0, in_place=False, dvar_sign=1.0,
              dmean_sign=1.0, dmean_over=None, dx_is_dx_hat=False):
    """The staged derivation of the lesson, with one slip switched on."""
    n = len(x)
    mean = x.mean(axis=0)
    if in_place:
        x -= mean
        xc = x
    else:
        xc = x - mean
    var = (xc ** 2).sum(axis=0) / (n - ddof)
    if eps_place == "inside":
        std = np.sqrt(var + eps)
        dstd_dvar = 0.5 / std
    else:
        std = np.sqrt(var) + eps
        dstd_dvar = 0.5 / np.sqrt(var)
    x_hat = xc / std
    dbeta = {"sum": dout.sum(axis=0), "mean": dout.mean(axis=0),
             "keepdims": dout.sum(axis=0, keepdims=True), "rows": dout.copy(),
             "axis1": dout.sum(axis=1), "total": dout.sum()}[beta_reduce]
    dgamma = {"sum": (dout * x_hat).sum(axis=0), "mean": (dout * x_hat).mean(axis=0),
              "no_xhat": dout.sum(axis=0)}[gamma_reduce]
    dx_hat = dout * gamma if gamma_in_dx else dout
    dstd = -(dx_hat * xc).sum(axis=0) / std ** 2
    dvar = dvar_sign * dstd * dstd_dvar
    dmean = -dmean_sign * (dx_hat / std).sum(axis=0)
    dx = dx_hat / std
    if var_path:
        dx = dx + dvar * 2 * xc / (n - ddof)
    if mean_path:
        dx = dx + dmean / (n if dmean_over is None else dmean_over)
    if dx_is_dx_hat:
        dx = dx_hat
    dx = dx * scale_dx
    out = {"dx": dx, "dgamma": dgamma, "dbeta": dbeta}
    return tuple(out[k] for k in order.split(","))


# ---------------------------------------------------------------- references

def test_references_pass_and_match_lessonlib(rng):
    assert FWD.grade(FWD.reference) is None
    assert BWD.grade(BWD.reference) is None
    assert FWD.grade(_forward) is None
    assert BWD.grade(_backward) is None
    x = 3.0 + 2.0 * rng.standard_normal((7, 4))
    dout = rng.standard_normal((7, 4))
    bn = BatchNorm(4)
    bn.params["gamma"][:] = rng.uniform(0.5, 2, 4)
    bn.params["beta"][:] = rng.uniform(-1, 1, 4)
    y = bn.forward(x, training=True)
    dx = bn.backward(dout)
    gamma, beta = bn.params["gamma"], bn.params["beta"]
    np.testing.assert_allclose(FWD.reference(x, gamma, beta, eps=1e-3), y, rtol=1e-12)
    ref = BWD.reference(dout, x, gamma, eps=1e-3)
    np.testing.assert_allclose(ref[0], dx, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ref[1], bn.grads["gamma"], rtol=1e-12)
    np.testing.assert_allclose(ref[2], bn.grads["beta"], rtol=1e-12)


def test_backward_reference_matches_numerical_gradient(rng):
    x = rng.standard_normal((6, 3)) * [1.0, 0.03, 5.0]
    gamma, beta, dout = rng.uniform(0.5, 2, 3), rng.standard_normal(3), rng.standard_normal((6, 3))

    def f():
        return float(np.sum(FWD.reference(x, gamma, beta, eps=1e-3) * dout))

    dx, dgamma, dbeta = BWD.reference(dout, x, gamma, eps=1e-3)
    assert rel_error(dx, numerical_gradient(f, x)) < 1e-7
    assert rel_error(dgamma, numerical_gradient(f, gamma)) < 1e-7
    assert rel_error(dbeta, numerical_gradient(f, beta)) < 1e-7


def test_compact_backward_also_passes():
    def compact(dout, x, gamma, eps=1e-3):
        x_hat = (x - x.mean(0)) / np.sqrt(x.var(0) + eps)
        g = dout * gamma
        dx = (g - g.mean(0) - x_hat * (g * x_hat).mean(0)) / np.sqrt(x.var(0) + eps)
        return dx, (dout * x_hat).sum(0), dout.sum(0)
    assert BWD.grade(compact) is None


@pytest.mark.parametrize("exercise", [FWD, BWD])
def test_stub_is_not_attempted(exercise, capsys):
    def stub(*args, **kwargs):
        raise NotImplementedError("Exercise 8: write it here")
    exercise.check(stub)
    out = capsys.readouterr().out
    assert "not attempted yet" in out and "Traceback" not in out


def test_check_prints_correct(capsys):
    FWD.check(FWD.reference)
    BWD.check(BWD.reference)
    out = capsys.readouterr().out
    assert out.count("correct! Well done.") == 2


def test_hints_and_solution(capsys):
    for exercise in (FWD, BWD):
        assert len(exercise.hints) == 3
        exercise.hint(3)
        exercise.solution()
    out = capsys.readouterr().out
    assert "Hint 3 of 3" in out and "def batchnorm_backward(dout, x, gamma, eps=1e-3)" in out
    assert "def batchnorm_forward(x, gamma, beta, eps=1e-3)" in out
    assert "reference" not in out


# ---------------------------------------------------------------- forward slips

def test_forward_unbiased_variance():
    msg = FWD.grade(lambda *a, **k: _forward(*a, **k, ddof=1))
    assert msg.startswith("you used the unbiased variance, dividing by N - 1")


def test_forward_eps_outside_sqrt():
    assert FWD.grade(lambda *a, **k: _forward(*a, **k, eps_place="outside")).startswith(
        "eps is outside the square root")
    assert "instead of its square root" in FWD.grade(
        lambda *a, **k: _forward(*a, **k, eps_place="noroot"))


def test_forward_affine_slips():
    assert "without gamma and beta" in FWD.grade(lambda *a, **k: _forward(*a, **k, affine="none"))
    assert "gamma and beta are swapped" in FWD.grade(
        lambda *a, **k: _forward(*a, **k, affine="swapped"))


def test_forward_wrong_axis_and_wrong_shape():
    assert "wrong axis (axis=1" in FWD.grade(lambda *a, **k: _forward(*a, **k, axis=1))
    assert "one mean and variance for the whole array" in FWD.grade(
        lambda *a, **k: _forward(*a, **k, axis=None))
    msg = FWD.grade(lambda *a, **k: _forward(*a, **k, ret="stats"))
    assert "has shape (3,), one value per feature" in msg
    msg = FWD.grade(lambda x, g, b, eps=1e-3: _forward(x, g, b, eps).sum(axis=1))
    assert "wrong axis" in msg
    assert "return the normalised array y alone" in FWD.grade(
        lambda *a, **k: _forward(*a, **k, ret="tuple"))
    assert "is None" in FWD.grade(lambda *a, **k: _forward(*a, **k, ret="none"))


def test_forward_hard_coded_eps():
    msg = FWD.grade(lambda *a, **k: _forward(*a, **k, eps_value=1e-3))
    assert "use the eps argument" in msg and "eps=0.01" in msg


def test_forward_other_error_names_the_first_difference():
    msg = FWD.grade(lambda *a, **k: _forward(*a, **k) + 0.1)
    assert msg.startswith("your y (x of shape (8, 3), eps=0.001) has the wrong value at index")


def test_forward_in_place_change_of_x():
    def in_place(x, gamma, beta, eps=1e-3):
        x -= x.mean(axis=0)
        return gamma * x / np.sqrt((x ** 2).mean(axis=0) + eps) + beta
    assert "changed x" in FWD.grade(in_place)


def test_forward_exception_is_reported_without_traceback(capsys):
    def broken(x, gamma, beta, eps=1e-3):
        return x @ gamma.reshape(1, -1)
    FWD.check(broken)
    out = capsys.readouterr().out
    assert "not yet: your function raised ValueError" in out and "Traceback" not in out


# ---------------------------------------------------------------- backward slips

def test_backward_wrong_shapes():
    def slip(**kw):
        return lambda *a, **k: _backward(*a, **k, **kw)
    assert "without keepdims" in BWD.grade(slip(beta_reduce="keepdims"))
    assert "one row per example" in BWD.grade(slip(beta_reduce="rows"))
    assert "summed over the features (axis=1)" in BWD.grade(
        lambda *a, **k: _backward(*a, **k, beta_reduce="axis1"))
    assert "single number" in BWD.grade(lambda *a, **k: _backward(*a, **k, beta_reduce="total"))
    assert "in the order dx, dgamma, dbeta" in BWD.grade(
        lambda *a, **k: _backward(*a, **k, order="dgamma,dbeta,dx"))
    msg = BWD.grade(lambda *a, **k: _backward(*a, **k, order="dx,dgamma"))
    assert "should return three values, dx, dgamma and dbeta" in msg and "got 2 values" in msg
    assert "forget to `return" in BWD.grade(lambda *a, **k: None)
    msg = BWD.grade(lambda dout, x, gamma, eps=1e-3:
                    (dout.sum(0), *_backward(dout, x, gamma, eps)[1:]))
    assert "your dx has shape (3,), one value per feature" in msg


def test_backward_unbiased_variance():
    msg = BWD.grade(lambda *a, **k: _backward(*a, **k, ddof=1))
    assert msg.startswith("you used the unbiased variance, dividing by N - 1")


def test_backward_eps_outside_sqrt():
    msg = BWD.grade(lambda *a, **k: _backward(*a, **k, eps_place="outside"))
    assert msg.startswith("eps is outside the square root")


def test_backward_missing_mean_path():
    msg = BWD.grade(lambda *a, **k: _backward(*a, **k, mean_path=False))
    assert msg.startswith("your dx misses the path through the mean")


def test_backward_missing_variance_path():
    msg = BWD.grade(lambda *a, **k: _backward(*a, **k, var_path=False))
    assert msg.startswith("your dx misses the path through the variance")


def test_backward_statistics_treated_as_constants():
    msg = BWD.grade(lambda *a, **k: _backward(*a, **k, mean_path=False, var_path=False))
    assert "treats the batch mean and variance as constants" in msg


def test_backward_gamma_and_beta_slips():
    assert "ignores gamma" in BWD.grade(lambda *a, **k: _backward(*a, **k, gamma_in_dx=False))
    msg = BWD.grade(lambda *a, **k: _backward(*a, **k, beta_reduce="mean"))
    assert msg.startswith("your dbeta is 8 times too small") and "1/N is in it" in msg
    assert "your dgamma is 8 times too small" in BWD.grade(
        lambda *a, **k: _backward(*a, **k, gamma_reduce="mean"))
    assert "your dgamma equals dbeta" in BWD.grade(
        lambda *a, **k: _backward(*a, **k, gamma_reduce="no_xhat"))


def test_backward_sign_and_relative_error():
    msg = BWD.grade(lambda *a, **k: _backward(*a, **k, scale_dx=-1.0))
    assert "opposite sign" in msg
    msg = BWD.grade(lambda *a, **k: _backward(*a, **k, scale_dx=1.01))
    assert msg.startswith("your dx (x of shape (8, 3), eps=0.001) has the wrong value at index")
    assert "expected" in msg and "got" in msg


def test_backward_in_place_change_of_x():
    assert "changed x" in BWD.grade(lambda *a, **k: _backward(*a, **k, in_place=True))


def test_backward_changing_dout_is_named():
    def modifies_dout(dout, x, gamma, eps=1e-3):
        result = _backward(dout, x, gamma, eps)
        dout *= 2
        return result
    assert "changed dout" in BWD.grade(modifies_dout)


def test_pytorch_eps_is_named():
    msg = FWD.grade(lambda *a, **k: _forward(*a, **k, eps_value=1e-5))
    assert "eps = 1e-5, PyTorch's default" in msg and "use the eps argument" in msg
    msg = BWD.grade(lambda dout, x, gamma, eps=1e-3: _backward(dout, x, gamma, 1e-5))
    assert msg.startswith("your dgamma matches eps = 1e-5, PyTorch's default")


def test_every_slip_differs_from_the_right_answer_and_from_the_others():
    from lessonlib.exercises import l08_batchnorm as module
    from lessonlib.exercises._kit import close
    for n, d, eps, seed in module._CASES:
        x, gamma, beta, dout = module._case(n, d, seed)
        tables = {"y": (module.reference_batchnorm_forward(x, gamma, beta, eps),
                        module._forward_slips(x, gamma, beta, eps))}
        right = module.reference_batchnorm_backward(dout, x, gamma, eps)
        for name, slips in module._backward_slips(dout, x, gamma, eps).items():
            tables[name] = (right[("dx", "dgamma", "dbeta").index(name)], slips)
        for name, (expected, slips) in tables.items():
            for k, (value, message) in enumerate(slips):
                assert not close(value, expected), (name, message)
                for other, other_message in slips[k + 1:]:
                    assert other_message == message or not close(value, other), (name, message)


# ---------------------------------------------------------------- fairness tables

def _forward_f32(x, gamma, beta, eps=1e-3):
    x, gamma, beta = (np.asarray(a, dtype=np.float32) for a in (x, gamma, beta))
    mean = x.mean(axis=0)
    var = ((x - mean) ** 2).mean(axis=0)
    return gamma * (x - mean) / np.sqrt(var + np.float32(eps)) + beta


def _forward_np_std(x, gamma, beta, eps=1e-3):
    return gamma * (x - np.mean(x, axis=0, keepdims=True)) / np.sqrt(np.std(x, axis=0) ** 2
                                                                      + eps) + beta


def _forward_columns(x, gamma, beta, eps=1e-3):
    columns = []
    for j in range(x.shape[1]):
        col = [float(v) for v in x[:, j]]
        mean = sum(col) / len(col)
        var = sum((v - mean) ** 2 for v in col) / len(col)
        columns.append([gamma[j] * (v - mean) / (var + eps) ** 0.5 + beta[j] for v in col])
    return [list(row) for row in zip(*columns)]


def _forward_in_place_on_a_copy(x, gamma, beta, eps=1e-3):
    y = x.copy()
    y -= y.mean(axis=0)
    y /= np.sqrt(np.var(x, axis=0) + eps)
    y *= gamma
    y += beta
    return y


def _forward_one_pass_variance(x, gamma, beta, eps=1e-3):
    mean = x.mean(axis=0)
    var = (x ** 2).mean(axis=0) - mean ** 2             # E[x^2] - E[x]^2
    scale = gamma / np.sqrt(var + eps)                  # fold gamma into the scale first
    return x * scale + (beta - mean * scale)


def _forward_layer(x, gamma, beta, eps=1e-3):
    bn = BatchNorm(x.shape[1], eps=eps)
    bn.params["gamma"][:], bn.params["beta"][:] = gamma, beta
    return bn.forward(x, training=True)


def _backward_f32(dout, x, gamma, eps=1e-3):
    dout, x, gamma = (np.asarray(a, dtype=np.float32) for a in (dout, x, gamma))
    n = np.float32(len(x))
    xc = x - x.mean(axis=0)
    inv = 1 / np.sqrt((xc ** 2).mean(axis=0) + np.float32(eps))
    x_hat = xc * inv
    dx_hat = dout * gamma
    dvar = np.float32(-0.5) * inv ** 3 * (dx_hat * xc).sum(axis=0)
    dx = dx_hat * inv + dvar * 2 * xc / n - inv * dx_hat.sum(axis=0) / n
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)


def _backward_compact(dout, x, gamma, eps=1e-3):
    x_hat = (x - x.mean(0)) / np.sqrt(x.var(0) + eps)
    g = dout * gamma
    dx = (g - g.mean(0) - x_hat * (g * x_hat).mean(0)) / np.sqrt(x.var(0) + eps)
    return dx, (dout * x_hat).sum(0), dout.sum(0)


def _backward_columns(dout, x, gamma, eps=1e-3):
    n, d = x.shape
    dx, dgamma, dbeta = np.zeros((n, d)), [], []
    for j in range(d):
        xj, gj = x[:, j], dout[:, j]
        std = np.sqrt(np.var(xj) + eps)
        x_hat = (xj - xj.mean()) / std
        g = gj * gamma[j]
        dx[:, j] = (n * g - g.sum() - x_hat * np.dot(g, x_hat)) / (n * std)
        dgamma.append(np.dot(gj, x_hat))
        dbeta.append(gj.sum())
    return dx, dgamma, dbeta


def _backward_in_place_on_copies(dout, x, gamma, eps=1e-3):
    n = len(x)
    xc = x.copy()
    xc -= xc.mean(axis=0)
    inv = 1.0 / np.sqrt((xc ** 2).mean(axis=0) + eps)
    dbeta = dout.sum(axis=0)
    dx_hat = dout.copy()
    dx_hat *= gamma
    dvar = -0.5 * inv ** 3 * (dx_hat * xc).sum(axis=0)
    dmean = -inv * dx_hat.sum(axis=0) + dvar * (-2.0 * xc).mean(axis=0)   # + a 0 term
    dgamma = (dout * xc * inv).sum(axis=0)
    dx_hat *= inv
    dx_hat += dvar * 2 * xc / n + dmean / n
    return (dx_hat, dgamma, dbeta)


def _backward_staged(dout, x, gamma, eps=1e-3):
    n = len(x)
    mu = x.mean(axis=0)
    xc = x - mu
    std = np.sqrt((xc ** 2).mean(axis=0) + eps)
    inv = 1.0 / std
    x_hat = xc * inv
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    dx_hat = dout * gamma
    dinv = (dx_hat * xc).sum(axis=0)
    dxc = dx_hat * inv
    dvar = -dinv / std ** 2 * 0.5 / std
    dxc = dxc + 2 * xc * np.full_like(xc, 1.0 / n) * dvar
    dmu = -dxc.sum(axis=0)
    return [dxc + dmu / n, dgamma.tolist(), dbeta.tolist()]


def _backward_graph(dout, x, gamma, eps=1e-3, *, sum_dinv=True, add_to_dxc=True, sq_over_n=True,
                    half=True, inv_edge_squared=True, var_edge_eps=True):
    """The graph route of 3b as a learner writes it, with one of its two rules switchable:
    the dashed edge's sum over the batch, and adding xc's second contribution to its first;
    and four of its edge labels: the 1/N from the squares to var, the 1/(2 std) from var to std
    (its 1/2, and its std with eps or, as in the notes' step 6, sqrt(var) without), the
    -1/std**2 from std to inv (or -1/std)."""
    n = len(x)
    mu = x.mean(axis=0)
    xc = x - mu
    sq = xc ** 2
    var = sq.mean(axis=0)
    std = np.sqrt(var + eps)
    inv = 1.0 / std
    x_hat = xc * inv
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    dx_hat = dout * gamma
    dinv = (dx_hat * xc).sum(axis=0) if sum_dinv else dx_hat * xc
    dxc = dx_hat * inv
    dstd = -dinv / std ** 2 if inv_edge_squared else -dinv / std
    dvar = dstd * (0.5 if half else 1.0) / (std if var_edge_eps else np.sqrt(var))
    dsq = np.full_like(xc, 1.0 / n if sq_over_n else 1.0) * dvar
    if add_to_dxc:
        dxc = dxc + 2 * xc * dsq
    else:
        dxc = 2 * xc * dsq
    dmu = -dxc.sum(axis=0)
    dx = dxc + np.full_like(xc, 1.0 / n) * dmu
    return dx, dgamma, dbeta


def _backward_formulas_dvar_per_row(dout, x, gamma, eps=1e-3):
    """3a's formulas with the sum over the batch left out of dvar."""
    n = len(x)
    mu, var = x.mean(axis=0), x.var(axis=0)
    x_hat = (x - mu) / np.sqrt(var + eps)
    dx_hat = dout * gamma
    dvar = -0.5 * dx_hat * (x - mu) * (var + eps) ** -1.5          # no .sum(axis=0)
    dmu = (-dx_hat / np.sqrt(var + eps)).sum(axis=0)
    dx = dx_hat / np.sqrt(var + eps) + dvar * 2 * (x - mu) / n + dmu / n
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)


def _backward_dvar_slip(factor=2.0, power=1.5, half=0.5, over_n=True):
    def backward(dout, x, gamma, eps=1e-3):
        n = len(x)
        xc = x - x.mean(axis=0)
        var = x.var(axis=0)
        dx_hat = dout * gamma
        dvar = -half * (dx_hat * xc).sum(axis=0) * (var + eps) ** -power
        dmean = -dx_hat.sum(axis=0) / np.sqrt(var + eps)
        dx = dx_hat / np.sqrt(var + eps) + dvar * factor * xc / (n if over_n else 1) + dmean / n
        return dx, (dout * xc / np.sqrt(var + eps)).sum(axis=0), dout.sum(axis=0)
    return backward


def _forward_uncentred_variance(x, gamma, beta, eps=1e-3):
    mean = x.mean(axis=0)
    var = (x ** 2).mean(axis=0)                         # E[x^2], not E[(x - mean)^2]
    return gamma * (x - mean) / np.sqrt(var + eps) + beta


def _forward_changes_x(x, gamma, beta, eps=1e-3):
    x -= x.mean(axis=0)
    return gamma * x / np.sqrt((x ** 2).mean(axis=0) + eps) + beta


def _backward_dbeta_off(dout, x, gamma, eps=1e-3):
    dx, dgamma, dbeta = _backward(dout, x, gamma, eps)
    return dx, dgamma, dbeta + np.array([0.0, 0.5] + [0.0] * (len(dbeta) - 2))


def _backward_changes_dout(dout, x, gamma, eps=1e-3):
    result = _backward(dout, x, gamma, eps)
    dout *= 2
    return result


FAIRNESS = {
    "batchnorm_forward": dict(
        right=[("the reference", FWD.reference), ("float32 throughout", _forward_f32),
               ("np.std and keepdims", _forward_np_std),
               ("a Python loop over the columns, lists", _forward_columns),
               ("in-place work on its own copy", _forward_in_place_on_a_copy),
               ("E[x^2] - E[x]^2, gamma folded into the scale", _forward_one_pass_variance),
               ("lessonlib's BatchNorm", _forward_layer)],
        slips=[("N - 1", lambda *a: _forward(*a, ddof=1), "unbiased variance, dividing by N - 1"),
               ("eps outside the root", lambda *a: _forward(*a, eps_place="outside"),
                "eps is outside the square root"),
               ("no square root", lambda *a: _forward(*a, eps_place="noroot"),
                "instead of its square root"),
               ("the variance of x itself, mean(x**2)", _forward_uncentred_variance,
                ["your variance is mean(x**2)", "the variance is of the centred values"]),
               ("eps = 1e-5 written in", lambda *a: _forward(*a, eps_value=1e-5),
                ["PyTorch's default", "use the eps argument"]),
               ("no eps", lambda *a: _forward(*a, eps_value=0.0), "no eps at all"),
               ("eps = 1e-3 written in", lambda *a: _forward(*a, eps_value=1e-3),
                ["eps = 0.001 written into your function", "eps=0.01"]),
               ("no gamma, beta", lambda *a: _forward(*a, affine="none"), "without gamma and beta"),
               ("gamma and beta swapped", lambda *a: _forward(*a, affine="swapped"), "swapped"),
               ("mean - x", lambda *a: _forward(*a, affine="mean - x"), "not mean - x"),
               ("- beta", lambda *a: _forward(*a, affine="minus beta"), "you subtracted beta"),
               ("gamma (x_hat + beta)", lambda *a: _forward(*a, affine="gamma (x_hat + beta)"),
                "your y is gamma * (x_hat + beta)"),
               ("axis=1", lambda *a: _forward(*a, axis=1), "wrong axis (axis=1"),
               ("one mean for the whole array", lambda *a: _forward(*a, axis=None),
                "for the whole array"),
               ("returns (y, cache)", lambda *a: _forward(*a, ret="tuple"),
                "return the normalised array y alone"),
               ("changes x in place", _forward_changes_x, "changed x")]),
    "batchnorm_backward": dict(
        right=[("the reference", BWD.reference), ("float32 throughout", _backward_f32),
               ("the compact one-line form", _backward_compact),
               ("a loop over the columns", _backward_columns),
               ("in-place work on its own copies, dmean with its 0 term",
                _backward_in_place_on_copies),
               ("the staged graph, lists for dgamma and dbeta", _backward_staged),
               ("the graph of 3b node by node, as the lesson writes it", _backward_graph),
               ("the lesson's staged derivation with np.var", _backward)],
        slips=[("N - 1", lambda *a: _backward(*a, ddof=1), "unbiased variance"),
               ("eps outside the root", lambda *a: _backward(*a, eps_place="outside"),
                "eps is outside the square root"),
               ("eps = 1e-5 written in", lambda dout, x, gamma, eps=1e-3:
                _backward(dout, x, gamma, 1e-5), "PyTorch's default"),
               ("no path through the mean", lambda *a: _backward(*a, mean_path=False),
                "misses the path through the mean"),
               ("no path through the variance", lambda *a: _backward(*a, var_path=False),
                "misses the path through the variance"),
               ("mean and variance as constants",
                lambda *a: _backward(*a, mean_path=False, var_path=False),
                "treats the batch mean and variance as constants"),
               ("no gamma in dx", lambda *a: _backward(*a, gamma_in_dx=False), "ignores gamma"),
               ("dvar with +1/2", lambda *a: _backward(*a, dvar_sign=-1.0),
                "your dvar has the wrong sign"),
               ("mean path with the wrong sign", lambda *a: _backward(*a, dmean_sign=-1.0),
                "the path through the mean has the wrong sign"),
               ("dmean without 1/N", lambda *a: _backward(*a, dmean_over=1),
                "the path through the mean lacks its 1/N"),
               ("graph: dinv not summed over the batch",
                lambda *a: _backward_graph(*a, sum_dinv=False),
                ["keeps one dinv (or dvar) per row", "dashed edge"]),
               ("formulas: dvar not summed over the batch", _backward_formulas_dvar_per_row,
                "keeps one dinv (or dvar) per row"),
               ("graph: dxc overwritten by its second contribution",
                lambda *a: _backward_graph(*a, add_to_dxc=False),
                ["only the path through the variance", "dxc = dxc + 2 * xc * dsq"]),
               ("graph: the 1/N edge from the squares to var forgotten",
                lambda *a: _backward_graph(*a, sq_over_n=False),
                ["the path through the variance lacks its 1/N", "edge from the squares to var"]),
               ("formulas: dvar * 2 * xc without / N",
                _backward_dvar_slip(over_n=False), "the path through the variance lacks its 1/N"),
               ("graph: the 1/(2 std) edge from var to std without its 1/2",
                lambda *a: _backward_graph(*a, half=False),
                ["your dvar is twice too large", "1 / (2 std)"]),
               ("formulas: dvar without its -1/2, only -1", _backward_dvar_slip(half=1.0),
                "your dvar is twice too large"),
               ("graph: the edge from std to inv written -1/std",
                lambda *a: _backward_graph(*a, inv_edge_squared=False),
                ["your dvar has (var + eps)^(-1)", "-1 / std**2, not -1 / std"]),
               ("formulas: dvar with (var + eps)**-1", _backward_dvar_slip(power=1.0),
                "your dvar has (var + eps)^(-1)"),
               ("graph: dvar = dstd * 0.5 / sqrt(var), the notes' step 6",
                lambda *a: _backward_graph(*a, var_edge_eps=False),
                ["your dvar uses sqrt(var) where sqrt(var + eps) belongs", "notes' step 6"]),
               ("dx = dout * gamma", lambda *a: _backward(*a, dx_is_dx_hat=True),
                "your dx is dout * gamma"),
               ("dbeta averaged", lambda *a: _backward(*a, beta_reduce="mean"),
                "dbeta is 8 times too small"),
               ("dgamma = dbeta", lambda *a: _backward(*a, gamma_reduce="no_xhat"),
                "dgamma equals dbeta"),
               ("wrong order", lambda *a: _backward(*a, order="dgamma,dbeta,dx"),
                "in the order dx, dgamma, dbeta"),
               ("dgamma and dbeta swapped", lambda *a: _backward(*a, order="dx,dbeta,dgamma"),
                "dgamma and dbeta are swapped: return dx, dgamma, dbeta"),
               ("dbeta off at one element", _backward_dbeta_off,
                "your dbeta (x of shape (8, 3), eps=0.001) has the wrong value at element 1"),
               ("dx with the opposite sign", lambda *a: _backward(*a, scale_dx=-1.0),
                "opposite sign"),
               ("changes x in place", lambda *a: _backward(*a, in_place=True), "changed x"),
               ("changes dout in place", _backward_changes_dout, "changed dout")]),
}


def test_backward_slips_in_the_variance_path():
    assert "lacks the 2 of d var / d x_i" in BWD.grade(_backward_dvar_slip(factor=1.0))
    assert "uses (var + eps)^(-1/2)" in BWD.grade(_backward_dvar_slip(power=0.5))
    assert BWD.grade(_backward_dvar_slip()) is None
    assert BWD.grade(_backward_dvar_slip(over_n=False)).startswith(
        "the path through the variance lacks its 1/N")
    assert BWD.grade(_backward_dvar_slip(half=1.0)).startswith("your dvar is twice too large")


def test_backward_slips_of_the_graph_route():
    """The two rules of 3b's graph (cell "Read the backward pass off the graph"): the dashed
    edge sums over the batch, and a node with two outgoing edges adds their gradients."""
    assert BWD.grade(_backward_graph) is None
    msg = BWD.grade(lambda *a: _backward_graph(*a, sum_dinv=False))
    assert msg.startswith("your dx keeps one dinv (or dvar) per row")
    assert BWD.grade(_backward_formulas_dvar_per_row).startswith(
        "your dx keeps one dinv (or dvar) per row")
    msg = BWD.grade(lambda *a: _backward_graph(*a, add_to_dxc=False))
    assert msg.startswith("your dx has only the path through the variance")
    msg = BWD.grade(lambda *a: _backward_graph(*a, sq_over_n=False))
    assert msg.startswith("the path through the variance lacks its 1/N") and "the squares" in msg
    msg = BWD.grade(lambda *a: _backward_graph(*a, half=False))
    assert msg.startswith("your dvar is twice too large") and "1 / (2 std)" in msg
    msg = BWD.grade(lambda *a: _backward_graph(*a, inv_edge_squared=False))
    assert msg.startswith("your dvar has (var + eps)^(-1) where (var + eps)^(-3/2) belongs")
    msg = BWD.grade(lambda *a: _backward_graph(*a, var_edge_eps=False))
    assert msg.startswith("your dvar uses sqrt(var) where sqrt(var + eps) belongs")


def test_forward_uncentred_variance_is_named():
    assert FWD.grade(_forward_uncentred_variance).startswith("your variance is mean(x**2)")
