"""Lesson 08's exercises, batch normalisation written by hand:

- ``batchnorm_forward``: y = gamma * (x - mean) / sqrt(var + eps) + beta over a batch (N, D);
- ``batchnorm_backward``: from dout = dL/dy back to (dx, dgamma, dbeta).

The graders try the learner's function on small batches whose columns have very different
scales (one with a variance near eps, where putting eps outside the square root shows), compare
with the reference, and name the usual slips before falling back to a numerical gradient.
"""
import numpy as np

from ..gradcheck import numerical_gradient
from ._base import Exercise, _shape_problem, compare, gradient_problem, unpack_returned

__all__ = ["batchnorm_forward", "batchnorm_backward"]


# ---------------------------------------------------------------- references

def reference_batchnorm_forward(x, gamma, beta, eps=1e-3):
    """Training-mode batch norm of x (N, D) with the batch's own statistics -> y (N, D)."""
    mean = x.mean(axis=0)                       # (D,) one mean per feature
    var = ((x - mean) ** 2).mean(axis=0)        # (D,) biased: divides by N
    x_hat = (x - mean) / np.sqrt(var + eps)     # (N, D) eps inside the root
    return gamma * x_hat + beta


def reference_batchnorm_backward(dout, x, gamma, eps=1e-3):
    """dout = dL/dy (N, D) -> (dx (N, D), dgamma (D,), dbeta (D,)) for the forward above.

    The batch statistics are recomputed from x (a layer would keep them from its forward)."""
    n = len(x)
    mean = x.mean(axis=0)
    xc = x - mean                               # (N, D) centred
    var = (xc ** 2).mean(axis=0)                # (D,)
    inv_std = 1.0 / np.sqrt(var + eps)          # (D,)
    x_hat = xc * inv_std
    dbeta = dout.sum(axis=0)                    # beta is added to every row
    dgamma = (dout * x_hat).sum(axis=0)
    dx_hat = dout * gamma
    dvar = -0.5 * inv_std ** 3 * (dx_hat * xc).sum(axis=0)        # (D,)
    dmean = -inv_std * dx_hat.sum(axis=0)       # + dvar * mean(-2 xc), which is 0
    dx = dx_hat * inv_std + dvar * 2.0 * xc / n + dmean / n       # three paths from x
    return dx, dgamma, dbeta


# ---------------------------------------------------------------- the usual slips

def _forward_variant(x, gamma, beta, eps, *, ddof=0, eps_outside=False, axis=0,
                     use_gamma_beta=True, swap=False, no_sqrt=False):
    """The forward pass with one slip switched on (the grader compares against these)."""
    keep = axis != 0
    mean = x.mean(axis=axis, keepdims=keep)
    xc = x - mean
    var = (xc ** 2).sum(axis=axis, keepdims=keep) / (np.size(x) / np.size(mean) - ddof)
    if no_sqrt:
        x_hat = xc / (var + eps)
    elif eps_outside:
        x_hat = xc / (np.sqrt(var) + eps)
    else:
        x_hat = xc / np.sqrt(var + eps)
    if not use_gamma_beta:
        return x_hat
    return beta * x_hat + gamma if swap else gamma * x_hat + beta


def _backward_variant(dout, x, gamma, eps, *, ddof=0, ddof_in_derivative=None, mean_path=True,
                      var_path=True, eps_outside=False, compact=False, use_gamma=True):
    """dx of the backward pass with one slip switched on.

    ddof: the variance divides by N - ddof; ddof_in_derivative: the 2 (x - mean) / M of
    d var / d x uses M = N - ddof_in_derivative (default: the same as the variance).
    compact: the one-line form inv * (dx_hat - mean(dx_hat) - x_hat * mean(dx_hat * x_hat)),
    which is exact only when inv = 1 / sqrt(var + eps)."""
    n = len(x)
    m_var = n - ddof
    m_der = n - (ddof if ddof_in_derivative is None else ddof_in_derivative)
    mean = x.mean(axis=0)
    xc = x - mean
    var = (xc ** 2).sum(axis=0) / m_var
    std = np.sqrt(var)
    denom = std + eps if eps_outside else np.sqrt(var + eps)
    inv = 1.0 / denom
    x_hat = xc * inv
    dx_hat = dout * gamma if use_gamma else dout
    if compact:
        return inv * (dx_hat - dx_hat.mean(axis=0) - x_hat * (dx_hat * x_hat).mean(axis=0))
    # d inv / d var: -1/2 (var + eps)^-3/2, or with eps outside -1 / (std + eps)^2 / (2 std)
    dinv_dvar = -0.5 * inv ** 2 / std if eps_outside else -0.5 * inv ** 3
    dvar = dinv_dvar * (dx_hat * xc).sum(axis=0)
    dmean = -inv * dx_hat.sum(axis=0)
    dx = dx_hat * inv
    if var_path:
        dx = dx + dvar * 2.0 * xc / m_der
    if mean_path:
        dx = dx + dmean / n
    return dx


# ---------------------------------------------------------------- test batches

def _case(n, d, seed):
    """x (n, d) whose columns have means and scales far apart, the last one with a variance
    close to eps = 1e-3; gamma (not 1), beta (not 0) and dout."""
    rng = np.random.default_rng(seed)
    centres = np.array([5.0, -1.0, 0.0, 2.0, -3.0])[:d]
    scales = np.array([2.0, 0.7, 1.0, 0.3, 1.5])[:d]
    scales[-1] = 0.03
    x = centres + scales * rng.standard_normal((n, d))
    gamma = rng.uniform(0.5, 2.0, d) * rng.choice([-1.0, 1.0], d)
    beta = rng.uniform(-1.0, 1.0, d)
    dout = rng.standard_normal((n, d))
    return x, gamma, beta, dout


# (N, D, eps, seed): N and D differ, so a shape says which axis went wrong; the second case
# uses another eps, to catch an eps written into the function instead of the argument
_CASES = [(8, 3, 1e-3, 0), (5, 4, 1e-2, 1)]
_CLOSE = dict(rtol=1e-6, atol=1e-9)


def _close(a, b):
    return np.allclose(a, b, **_CLOSE)


def _changed_input(name, before, after):
    if not np.array_equal(before, after):
        return (f"the result is right, but your function changed {name}, the array passed in "
                f"(an in-place operation such as `{name} -= ...`); work on new arrays instead")
    return None


# ---------------------------------------------------------------- the forward grader

def _grade_forward(fn):
    for n, d, eps, seed in _CASES:
        x, gamma, beta, _ = _case(n, d, seed)
        args = [x.copy(), gamma.copy(), beta.copy()]
        got = fn(*args, eps=eps)
        where = f"(x of shape {x.shape}, eps={eps:g})"
        if isinstance(got, tuple):
            return (f"batchnorm_forward returned a tuple of {len(got)} values; return the "
                    f"normalised array y alone, shape {x.shape}")
        problem = _shape_problem(f"your y {where}", got, x.shape)
        if problem:
            shape = np.shape(got) if got is not None else None
            if shape in ((d,), (1, d)):
                return (f"your y has shape {shape}, one value per feature: normalise every row "
                        f"of x, (x - mean) / sqrt(var + eps), so y keeps x's shape {x.shape}")
            if shape in ((n,), (n, 1)):
                return (f"your y has shape {shape}: the statistics are taken over the wrong axis "
                        f"(axis=1, across features). Batch norm averages over the batch, axis=0")
            return problem
        y = np.asarray(got, dtype=np.float64)
        expected = reference_batchnorm_forward(x, gamma, beta, eps)
        if _close(y, expected):
            for name, before, after in zip(("x", "gamma", "beta"), (x, gamma, beta), args):
                problem = _changed_input(name, before, after)
                if problem:
                    return problem
            continue
        slips = [
            (dict(ddof=1), "you used the unbiased variance, dividing by N - 1 (np.var(..., "
             "ddof=1) or pandas' .var()). Batch norm divides by N: var = mean((x - mean)**2)"),
            (dict(eps_outside=True), "eps is outside the square root: (x - mean) / "
             "(sqrt(var) + eps). It belongs inside: (x - mean) / sqrt(var + eps)"),
            (dict(no_sqrt=True), "you divided by var + eps instead of its square root: "
             "x_hat = (x - mean) / sqrt(var + eps)"),
            (dict(use_gamma_beta=False), "your y is x_hat, without gamma and beta: finish with "
             "y = gamma * x_hat + beta"),
            (dict(swap=True), "gamma and beta are swapped: y = gamma * x_hat + beta (gamma scales, "
             "beta shifts)"),
            (dict(axis=1), "the statistics are taken over the wrong axis (axis=1, across the "
             "features of one example). Batch norm takes one mean and variance per feature, "
             "over the batch: axis=0"),
            (dict(axis=None), "you used one mean and variance for the whole array; batch norm "
             "takes one per feature (column), over the batch: x.mean(axis=0)"),
        ]
        for kwargs, message in slips:
            if _close(y, _forward_variant(x, gamma, beta, eps, **kwargs)):
                return message
        for other in (0.0, 1e-3, 1e-5, 1e-8):
            if other != eps and _close(y, reference_batchnorm_forward(x, gamma, beta, other)):
                return (f"your y matches eps = {other:g}, but this call passed eps={eps:g}: use "
                        f"the eps argument instead of a number written into the function")
        return compare(f"your y {where}", y, expected)
    return None


batchnorm_forward = Exercise(
    "batchnorm_forward", "Exercise 8a (the batch-norm forward pass)", _grade_forward,
    hints=["Work column by column: every feature gets its own mean and variance, computed over "
           "the batch (the rows, axis=0). Then centre, divide by the standard deviation, and "
           "finally scale by gamma and shift by beta.",
           "mean = x.mean(axis=0) and var = ((x - mean)**2).mean(axis=0) both have shape (D,), "
           "and broadcasting does the rest. The variance divides by N, not N - 1; eps goes "
           "inside the square root.",
           "mean = x.mean(axis=0); var = ((x - mean)**2).mean(axis=0); "
           "x_hat = (x - mean) / np.sqrt(var + eps); return gamma * x_hat + beta"],
    reference=reference_batchnorm_forward)


# ---------------------------------------------------------------- the backward grader

def _numerical_grads(x, gamma, beta, eps, dout):
    """Numerical d/dx, d/dgamma, d/dbeta of sum(batchnorm(x) * dout)."""
    x, gamma, beta = x.copy(), gamma.copy(), beta.copy()

    def f():
        return float(np.sum(reference_batchnorm_forward(x, gamma, beta, eps) * dout))

    return (numerical_gradient(f, x), numerical_gradient(f, gamma),
            numerical_gradient(f, beta))


def _backward_shape_problem(triple, n, d, where):
    names = ("dx", "dgamma", "dbeta")
    shapes = [np.shape(g) if g is not None else None for g in triple]
    if shapes[0] == (d,) and (n, d) in shapes[1:]:
        return "return the three gradients in the order dx, dgamma, dbeta"
    for name, got, shape in zip(names, triple, ((n, d), (d,), (d,))):
        problem = _shape_problem(f"your {name} {where}", got, shape)
        if problem is None or got is None:
            if problem:
                return problem
            continue
        got_shape = np.shape(got)
        if name != "dx" and got_shape == (1, d):
            return (f"your {name} has shape {got_shape}; it should be ({d},) like {name[1:]}: sum "
                    f"over the batch axis without keepdims")
        if name != "dx" and got_shape == (n, d):
            return (f"your {name} has shape {got_shape}, one row per example: {name[1:]} is "
                    f"applied to every row, so sum over the batch (axis=0), giving ({d},)")
        if name != "dx" and got_shape == (n,):
            return (f"your {name} has shape {got_shape}: you summed over the features (axis=1); "
                    f"sum over the batch (axis=0) instead, giving ({d},)")
        if name != "dx" and got_shape == ():
            return (f"your {name} is a single number: sum over the batch axis only (axis=0), "
                    f"giving ({d},), one value per feature")
        if name == "dx" and got_shape in ((d,), (1, d)):
            return (f"your dx has shape {got_shape}, one value per feature: x has one gradient "
                    f"per entry, shape ({n}, {d})")
        return problem
    return None


def _grade_backward(fn):
    for n, d, eps, seed in _CASES:
        x, gamma, beta, dout = _case(n, d, seed)
        args = [dout.copy(), x.copy(), gamma.copy()]
        result = fn(*args, eps=eps)
        where = f"(x of shape {x.shape}, eps={eps:g})"
        result, problem = unpack_returned(result, "batchnorm_backward", ("dx", "dgamma", "dbeta"))
        if problem:
            return problem
        problem = _backward_shape_problem(result, n, d, where)
        if problem:
            return problem
        dx, dgamma, dbeta = (np.asarray(g, dtype=np.float64) for g in result)
        ref_dx, ref_dgamma, ref_dbeta = reference_batchnorm_backward(dout, x, gamma, eps)

        # dbeta and dgamma first: dx builds on them
        if not _close(dbeta, ref_dbeta):
            if _close(dbeta, ref_dbeta / n):
                return (f"your dbeta is {n} times too small (N = {n}): you averaged over the "
                        f"batch. dout already is the gradient of the mean loss, so the 1/N is in "
                        f"it: dbeta = dout.sum(axis=0)")
        if not _close(dgamma, ref_dgamma):
            if _close(dgamma, ref_dgamma / n):
                return (f"your dgamma is {n} times too small (N = {n}): you averaged over the "
                        f"batch; sum instead, dgamma = (dout * x_hat).sum(axis=0)")
            if _close(dgamma, ref_dbeta):
                return ("your dgamma equals dbeta: gamma multiplies x_hat, so dgamma = "
                        "(dout * x_hat).sum(axis=0)")
            if _close(dgamma, (dout * (x - x.mean(axis=0))).sum(axis=0)):
                return ("your dgamma uses x - mean; gamma multiplies the normalised x_hat = "
                        "(x - mean) / sqrt(var + eps), so dgamma = (dout * x_hat).sum(axis=0)")
            for kwargs, message in (
                    (dict(ddof=1), "unbiased variance (N - 1)"),
                    (dict(eps_outside=True), "eps outside the square root")):
                x_hat = _forward_variant(x, 1.0, 0.0, eps, **kwargs)
                if _close(dgamma, (dout * x_hat).sum(axis=0)):
                    return _SLIP_MESSAGES[message]
        if not _close(dx, ref_dx):
            slips = [
                (dict(ddof=1), "unbiased variance (N - 1)"),
                (dict(ddof=1, ddof_in_derivative=0), "unbiased variance (N - 1)"),
                (dict(ddof=0, ddof_in_derivative=1), "N - 1 in the derivative"),
                (dict(eps_outside=True), "eps outside the square root"),
                (dict(eps_outside=True, compact=True), "eps outside the square root"),
                (dict(mean_path=False, var_path=False), "no mean and no variance path"),
                (dict(mean_path=False), "no mean path"),
                (dict(var_path=False), "no variance path"),
                (dict(use_gamma=False), "no gamma in dx"),
            ]
            for kwargs, key in slips:
                if _close(dx, _backward_variant(dout, x, gamma, eps, **kwargs)):
                    return _SLIP_MESSAGES[key]
            if _close(dx, ref_dx / n):
                return (f"your dx is {n} times too small (N = {n}): dout already carries the 1/N "
                        f"of the mean loss; do not average again")
        # anything else: against a numerical gradient
        numerical = _numerical_grads(x, gamma, beta, eps, dout)
        for name, g, num in zip(("dx", "dgamma", "dbeta"), (dx, dgamma, dbeta), numerical):
            problem = gradient_problem(f"your {name} {where}", g, num, tol=1e-6)
            if problem:
                return problem
        for name, before, after in zip(("dout", "x", "gamma"), (dout, x, gamma), args):
            problem = _changed_input(name, before, after)
            if problem:
                return problem
    return None


_SLIP_MESSAGES = {
    "unbiased variance (N - 1)":
        "you used the unbiased variance, dividing by N - 1 (np.var(..., ddof=1)). The forward "
        "pass divides by N, var = mean((x - mean)**2), and so must the backward pass",
    "N - 1 in the derivative":
        "d var / d x_i is 2 (x_i - mean) / N: you divided by N - 1. The variance divides by N, "
        "and so does its derivative",
    "eps outside the square root":
        "eps is outside the square root, 1 / (sqrt(var) + eps); the forward pass divides by "
        "sqrt(var + eps), so use inv_std = 1 / np.sqrt(var + eps) throughout",
    "no mean and no variance path":
        "your dx is dx_hat / sqrt(var + eps) alone: it treats the batch mean and variance as "
        "constants. Both depend on every x_i, so dx also needs the path through the variance "
        "(dvar * 2 (x - mean) / N) and the path through the mean (dmean / N)",
    "no mean path":
        "your dx misses the path through the mean: every x_i moves the batch mean, so add "
        "dmean / N, with dmean = -sum(dx_hat) / sqrt(var + eps) (summed over the batch)",
    "no variance path":
        "your dx misses the path through the variance: every x_i moves the batch variance, so "
        "add dvar * 2 (x - mean) / N, with dvar = -1/2 sum(dx_hat * (x - mean)) "
        "(var + eps)^(-3/2)",
    "no gamma in dx":
        "your dx ignores gamma: the gradient reaching x_hat is dx_hat = dout * gamma",
}


batchnorm_backward = Exercise(
    "batchnorm_backward", "Exercise 8b (the batch-norm backward pass)", _grade_backward,
    hints=["Recompute the forward quantities first (mean, x - mean, var, 1 / sqrt(var + eps), "
           "x_hat). Then go backwards: beta and gamma are the easy ones (sum over the batch). "
           "For dx remember that x reaches the loss three ways: directly through x_hat, through "
           "the batch variance and through the batch mean.",
           "dx_hat = dout * gamma. dvar = sum over the batch of dx_hat * (x - mean) * "
           "(-1/2) (var + eps)^(-3/2). dmean = -sum(dx_hat) / sqrt(var + eps) (the variance's "
           "own term in dmean is 0, because the centred values sum to 0). Then "
           "dx = dx_hat / sqrt(var + eps) + dvar * 2 (x - mean) / N + dmean / N.",
           "n = len(x); mean = x.mean(axis=0); xc = x - mean; var = (xc**2).mean(axis=0); "
           "inv = 1 / np.sqrt(var + eps); x_hat = xc * inv; dbeta = dout.sum(axis=0); "
           "dgamma = (dout * x_hat).sum(axis=0); dx_hat = dout * gamma; "
           "dvar = -0.5 * inv**3 * (dx_hat * xc).sum(axis=0); dmean = -inv * dx_hat.sum(axis=0); "
           "dx = dx_hat * inv + dvar * 2 * xc / n + dmean / n; return dx, dgamma, dbeta"],
    reference=reference_batchnorm_backward)
