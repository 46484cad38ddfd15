"""Lesson 08's exercises, batch normalisation written by hand:

- ``batchnorm_forward``: y = gamma * (x - mean) / sqrt(var + eps) + beta over a batch (N, D);
- ``batchnorm_backward``: from dout = dL/dy back to (dx, dgamma, dbeta).

The graders try the learner's function on two small batches whose columns have very different
scales (the last one with a variance near eps, where eps outside the square root, or another
eps, shows) and two values of eps (so that a number written into the function shows). Every
expected value is computed before the learner's code runs, from the checker's own arrays; the
learner's function gets copies. A wrong answer is compared with the usual slips (N - 1, eps
outside the root, PyTorch's eps = 1e-5, a missing path through the mean or the variance, ...);
anything else is named by its first wrong element.
"""
import re

import numpy as np

from ._kit import (Exercise, changed_input, close, compare, fresh, named_slip, shape_problem,
                   unpack_returned)

__all__ = ["batchnorm_forward", "batchnorm_backward"]

PYTORCH_EPS = 1e-5      # torch.nn.BatchNorm1d's default: a learner who copies it writes it in


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

def _forward_variant(x, gamma, beta, eps, *, ddof=0, eps_outside=False, axis=0, centre=True,
                     affine="gamma,beta", no_sqrt=False, centred_var=True):
    """The forward pass with one slip switched on (the grader compares against these).
    centred_var=False: the variance of x itself, mean(x**2), instead of mean((x - mean)**2)."""
    keep = axis != 0
    mean = x.mean(axis=axis, keepdims=keep)
    xc = x - mean
    var = ((xc if centred_var else x) ** 2).sum(axis=axis, keepdims=keep) / (
        np.size(x) / np.size(mean) - ddof)
    top = xc if centre else x
    if no_sqrt:
        x_hat = top / (var + eps)
    elif eps_outside:
        x_hat = top / (np.sqrt(var) + eps)
    else:
        x_hat = top / np.sqrt(var + eps)
    return {"gamma,beta": gamma * x_hat + beta, "none": x_hat, "no gamma": x_hat + beta,
            "no beta": gamma * x_hat, "swapped": beta * x_hat + gamma,
            "mean - x": -gamma * x_hat + beta, "minus beta": gamma * x_hat - beta,
            "gamma (x_hat + beta)": gamma * (x_hat + beta)}[affine]


def _backward_variant(dout, x, gamma, eps, *, ddof=0, ddof_in_derivative=None, mean_path=True,
                      var_path=True, eps_outside=False, compact=False, use_gamma=True,
                      var_factor=2.0, var_power=3, var_sign=1.0, mean_sign=1.0,
                      mean_over_n=True, dvar_per_row=False, var_over_n=True, dvar_half=True,
                      dvar_std_without_eps=False):
    """dx of the backward pass with one slip switched on.

    ddof: the variance divides by N - ddof; ddof_in_derivative: the 2 (x - mean) / M of
    d var / d x uses M = N - ddof_in_derivative (default: the same as the variance).
    compact: the one-line form inv * (dx_hat - mean(dx_hat) - x_hat * mean(dx_hat * x_hat)),
    which is exact only when inv = 1 / sqrt(var + eps) with var dividing by N.
    var_factor: the 2 of d var / d x; var_power: the 3 of (var + eps)^(-3/2).
    var_sign=-1: dvar with +1/2 instead of -1/2; mean_sign=-1: the mean path subtracted;
    mean_over_n=False: dmean added without its 1/N; dvar_per_row: dvar's sum over the batch
    left out (one dvar per row); var_over_n=False: the variance path without its 1/N (the
    graph's 1/N edge from the squares to var); dvar_half=False: dvar without the 1/2 of
    d (var + eps)^(-1/2) / d var (the graph's 1/(2 std) edge from var to std);
    dvar_std_without_eps: that edge written 1 / (2 sqrt(var)), without eps (the notes' step 6,
    whose std has no eps). var_power=2 is the graph's edge from std to inv written -1/std
    instead of -1/std**2."""
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
    half = 0.5 if dvar_half else 1.0
    if eps_outside or dvar_std_without_eps:
        dinv_dvar = -half * inv ** 2 / std
    else:
        dinv_dvar = -half * inv ** var_power
    dvar = var_sign * dinv_dvar * (dx_hat * xc if dvar_per_row else (dx_hat * xc).sum(axis=0))
    dmean = -inv * dx_hat.sum(axis=0)
    dx = dx_hat * inv
    if var_path:
        dx = dx + dvar * var_factor * xc / (m_der if var_over_n else 1)
    if mean_path:
        dx = dx + mean_sign * dmean / (n if mean_over_n else 1)
    return dx


def _eps_slips(what, eps, value_at):
    """[(value, message)] for an eps written into the function: PyTorch's 1e-5, none at all
    (or a tiny one), or the course's 1e-3 when this call passed another."""
    slips = []
    for other in (PYTORCH_EPS, 0.0, 1e-3):
        if other == eps:
            continue
        if other == PYTORCH_EPS:
            why = ("eps = 1e-5, PyTorch's default (torch.nn.BatchNorm1d), written into your "
                   "function")
        elif other == 0.0:
            why = "no eps at all (or a tiny one such as 1e-8)"
        else:
            why = f"eps = {other:g} written into your function"
        slips.append((value_at(other),
                      f"{what} matches {why}, but this call passed eps={eps:g}: use the eps "
                      f"argument (the course, like MxNet and the notes, uses 1e-3 by default), "
                      f"not a number of your own"))
    return slips


def _compare(what, got, expected):
    """The kit's compare, with an index into a vector said in words: "element 0", not "(0,)"."""
    message = compare(what, got, expected)
    return message and re.sub(r"at index \((\d+),\)", r"at element \1", message)


# ---------------------------------------------------------------- test batches

def _case(n, d, seed):
    """x (n, d) whose columns have means and scales far apart, the last one with a variance
    close to eps = 1e-3; gamma (not 1, some negative), beta (not 0) and dout."""
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


# ---------------------------------------------------------------- the forward grader

def _forward_slips(x, gamma, beta, eps):
    def variant(**kwargs):
        return _forward_variant(x, gamma, beta, eps, **kwargs)
    return [
        (variant(ddof=1), "you used the unbiased variance, dividing by N - 1 (np.var(..., "
         "ddof=1), np.std(..., ddof=1) or pandas' .var()). Batch norm divides by N: "
         "var = mean((x - mean)**2), which is np.var(x, axis=0)"),
        (variant(eps_outside=True), "eps is outside the square root: (x - mean) / "
         "(sqrt(var) + eps). It belongs inside: (x - mean) / sqrt(var + eps)"),
        (variant(no_sqrt=True), "you divided by var + eps instead of its square root: "
         "x_hat = (x - mean) / sqrt(var + eps)"),
        (variant(centre=False), "your y divides x itself by the standard deviation: subtract "
         "the mean first, x_hat = (x - mean) / sqrt(var + eps)"),
        (variant(centred_var=False), "your variance is mean(x**2), the mean square of x itself: "
         "the variance is of the centred values, var = mean((x - mean)**2), which is "
         "np.var(x, axis=0)"),
        (variant(affine="none"), "your y is x_hat, without gamma and beta: finish with "
         "y = gamma * x_hat + beta"),
        (variant(affine="no gamma"), "your y is x_hat + beta, without gamma: "
         "y = gamma * x_hat + beta (gamma scales, beta shifts)"),
        (variant(affine="no beta"), "your y is gamma * x_hat, without beta: "
         "y = gamma * x_hat + beta (gamma scales, beta shifts)"),
        (variant(affine="swapped"), "gamma and beta are swapped: y = gamma * x_hat + beta "
         "(gamma scales, beta shifts)"),
        (variant(affine="mean - x"), "your y has the opposite sign of gamma * x_hat: centre "
         "with x - mean, not mean - x, so x_hat = (x - mean) / sqrt(var + eps)"),
        (variant(affine="minus beta"), "you subtracted beta; it is added: "
         "y = gamma * x_hat + beta"),
        (variant(affine="gamma (x_hat + beta)"), "your y is gamma * (x_hat + beta): beta is "
         "added after the scaling, y = gamma * x_hat + beta"),
        (variant(axis=1), "the statistics are taken over the wrong axis (axis=1, across the "
         "features of one example). Batch norm takes one mean and variance per feature, "
         "over the batch: axis=0"),
        (variant(axis=None), "you used one mean and variance for the whole array; batch norm "
         "takes one per feature (column), over the batch: x.mean(axis=0)"),
    ] + _eps_slips("your y", eps,
                   lambda other: reference_batchnorm_forward(x, gamma, beta, other))


def _grade_forward(fn):
    for n, d, eps, seed in _CASES:
        x, gamma, beta, _ = _case(n, d, seed)
        expected = reference_batchnorm_forward(x, gamma, beta, eps)    # before the call
        args = [fresh(x), fresh(gamma), fresh(beta)]
        got = fn(*args, eps)
        where = f"(x of shape {x.shape}, eps={eps:g})"
        if isinstance(got, tuple):
            return (f"batchnorm_forward returned a tuple of {len(got)} values; return the "
                    f"normalised array y alone, shape {x.shape}")
        problem = shape_problem(f"your y {where}", got, x.shape)
        if problem:
            shape = np.shape(got) if got is not None and not isinstance(got, dict) else None
            if shape in ((d,), (1, d)):
                return (f"your y has shape {shape}, one value per feature: normalise every row "
                        f"of x, (x - mean) / sqrt(var + eps), so y keeps x's shape {x.shape}")
            if shape in ((n,), (n, 1)):
                return (f"your y has shape {shape}: the statistics are taken over the wrong axis "
                        f"(axis=1, across features). Batch norm averages over the batch, axis=0")
            return problem
        y = np.asarray(got, dtype=np.float64)
        if not close(y, expected):
            message = named_slip(y, _forward_slips(x, gamma, beta, eps))
            return message or _compare(f"your y {where}", y, expected)
        problem = changed_input([("x", x), ("gamma", gamma), ("beta", beta)], args)
        if problem:
            return problem
    return None


batchnorm_forward = Exercise(
    "batchnorm_forward", "Exercise 8a (the batch-norm forward pass)", _grade_forward,
    hints=["Work column by column: every feature gets its own mean and variance, computed over "
           "the batch (the rows, axis=0). Then centre, divide by the standard deviation, and "
           "finally scale by gamma and shift by beta. Use the eps you are given.",
           "mean = x.mean(axis=0) and var = ((x - mean)**2).mean(axis=0) both have shape (D,), "
           "and broadcasting does the rest. The variance divides by N, not N - 1; eps goes "
           "inside the square root.",
           "mean = x.mean(axis=0); var = ((x - mean)**2).mean(axis=0); "
           "x_hat = (x - mean) / np.sqrt(var + eps); return gamma * x_hat + beta"],
    reference=reference_batchnorm_forward, answer_name="batchnorm_forward")


# ---------------------------------------------------------------- the backward grader

def _backward_shape_problem(triple, n, d, where):
    names = ("dx", "dgamma", "dbeta")
    shapes = [np.shape(g) if g is not None and not isinstance(g, dict) else None for g in triple]
    if shapes[0] == (d,) and (n, d) in shapes[1:]:
        return "return the three gradients in the order dx, dgamma, dbeta"
    for name, got, shape in zip(names, triple, ((n, d), (d,), (d,))):
        problem = shape_problem(f"your {name} {where}", got, shape)
        if problem is None:
            continue
        got_shape = None if got is None or isinstance(got, dict) else np.shape(got)
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


_MESSAGES = {
    "unbiased variance":
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
    "no 2":
        "the path through the variance lacks the 2 of d var / d x_i = 2 (x_i - mean) / N "
        "(the derivative of a square): add dvar * 2 * (x - mean) / N",
    "power 1/2":
        "your dvar uses (var + eps)^(-1/2); the derivative of (var + eps)^(-1/2) with respect to "
        "var is -1/2 (var + eps)^(-3/2): dvar = -0.5 * sum(dx_hat * (x - mean)) * "
        "(var + eps)**-1.5",
    "power 1":
        "your dvar has (var + eps)^(-1) where (var + eps)^(-3/2) belongs, one factor "
        "1 / sqrt(var + eps) short: the derivative of inv = 1 / std is -1 / std**2, not -1 / std "
        "(in the graph, the edge from std to inv), so dvar = -0.5 * sum(dx_hat * (x - mean)) * "
        "(var + eps)**-1.5",
    "dvar std without eps":
        "your dvar uses sqrt(var) where sqrt(var + eps) belongs: std = sqrt(var + eps), so "
        "d std / d var = 1 / (2 sqrt(var + eps)) (in the graph, the edge from var to std). The "
        "notes' step 6 writes 0.5 / sqrt(var) because their std has no eps; ours has one",
    "no gamma in dx":
        "your dx ignores gamma: the gradient reaching x_hat is dx_hat = dout * gamma",
    "dvar sign":
        "your dvar has the wrong sign: x_hat = (x - mean) (var + eps)^(-1/2), and the derivative "
        "of (var + eps)^(-1/2) is -1/2 (var + eps)^(-3/2), so dvar = -0.5 * sum(dx_hat * "
        "(x - mean)) * (var + eps)**-1.5 (minus, not plus)",
    "mean path sign":
        "the path through the mean has the wrong sign: x_hat has x - mean on top, so dmean = "
        "-sum(dx_hat) / sqrt(var + eps) (minus), and it is added to dx as + dmean / N",
    "dmean without 1/N":
        "the path through the mean lacks its 1/N: mean = sum(x) / N, so d mean / d x_i = 1/N "
        "and dx gets + dmean / N, not + dmean",
    "dvar path without 1/N":
        "the path through the variance lacks its 1/N: var = sum((x - mean)**2) / N, so "
        "d var / d x_i = 2 (x_i - mean) / N (in the graph, the edge from the squares to var is "
        "1/N, like the edge into the mean), and dx gets + dvar * 2 * (x - mean) / N",
    "dvar without 1/2":
        "your dvar is twice too large: it lacks the 1/2 of the derivative of (var + eps)^(-1/2), "
        "-1/2 (var + eps)^(-3/2) (in the graph, the edge from var to std is 1 / (2 std)): "
        "dvar = -0.5 * sum(dx_hat * (x - mean)) * (var + eps)**-1.5",
    "dinv per row":
        "your dx keeps one dinv (or dvar) per row: inv = 1 / sqrt(var + eps) and var are one "
        "number per column that every row uses (a dashed edge of the graph), so their gradients "
        "are sums over the batch: dinv = (dx_hat * xc).sum(axis=0), or in the formulas dvar = "
        "-0.5 * (dx_hat * xc).sum(axis=0) * (var + eps)**-1.5",
    "dxc overwritten":
        "your dx has only the path through the variance: xc feeds two nodes, the square and "
        "x_hat, so its gradient is the sum of both contributions. Add the second one to the "
        "first, dxc = dxc + 2 * xc * dsq, instead of overwriting dxc = dx_hat * inv",
    "dx is dx_hat":
        "your dx is dout * gamma, the gradient reaching x_hat (dx_hat); x_hat = (x - mean) / "
        "sqrt(var + eps), so go on through the division and the paths through the mean and the "
        "variance: dx = dx_hat / sqrt(var + eps) + dvar * 2 (x - mean) / N + dmean / N",
}


def _graph_variant(dout, x, gamma, eps, *, sum_dinv=True, add_to_dxc=True):
    """dx of the graph route of the lesson's 3b, node by node, with one of its two rules broken:
    sum_dinv=False keeps dinv per row (the dashed edge into x_hat not summed over the batch);
    add_to_dxc=False overwrites xc's first gradient (through x_hat) with its second (through
    the square) instead of adding them."""
    n = len(x)
    xc = x - x.mean(axis=0)
    std = np.sqrt((xc ** 2).mean(axis=0) + eps)
    inv = 1.0 / std
    dx_hat = dout * gamma
    dinv = (dx_hat * xc).sum(axis=0) if sum_dinv else dx_hat * xc
    dxc = dx_hat * inv
    dvar = -dinv / std ** 2 * 0.5 / std
    second = 2.0 * xc * dvar / n
    dxc = dxc + second if add_to_dxc else second
    return dxc - dxc.mean(axis=0)           # x's two contributions: direct and through the mean


def _backward_slips(dout, x, gamma, eps):
    """{name: [(value, message)]} for dbeta, dgamma and dx."""
    n = len(x)
    dx, dgamma, dbeta = reference_batchnorm_backward(dout, x, gamma, eps)

    def x_hat(**kwargs):
        return _forward_variant(x, 1.0, 0.0, eps, **kwargs)

    def dx_variant(**kwargs):
        return _backward_variant(dout, x, gamma, eps, **kwargs)

    return {
        "dbeta": [
            (dbeta / n, f"your dbeta is {n} times too small (N = {n}): you averaged over the "
                        f"batch. dout already is the gradient of the mean loss, so the 1/N is in "
                        f"it: dbeta = dout.sum(axis=0)"),
            ((dout * gamma).sum(axis=0), "your dbeta has a factor gamma: beta is added after "
                                         "the scaling, so dbeta = dout.sum(axis=0)"),
        ],
        "dgamma": [
            (dgamma / n, f"your dgamma is {n} times too small (N = {n}): you averaged over the "
                         f"batch; sum instead, dgamma = (dout * x_hat).sum(axis=0)"),
            (dbeta, "your dgamma equals dbeta: gamma multiplies x_hat, so dgamma = "
                    "(dout * x_hat).sum(axis=0)"),
            ((dout * (x - x.mean(axis=0))).sum(axis=0),
             "your dgamma uses x - mean; gamma multiplies the normalised x_hat = "
             "(x - mean) / sqrt(var + eps), so dgamma = (dout * x_hat).sum(axis=0)"),
            ((dout * x).sum(axis=0), "your dgamma uses x itself; gamma multiplies the normalised "
                                     "x_hat = (x - mean) / sqrt(var + eps), so dgamma = "
                                     "(dout * x_hat).sum(axis=0)"),
            ((dout * x_hat(ddof=1)).sum(axis=0), _MESSAGES["unbiased variance"]),
            ((dout * x_hat(eps_outside=True)).sum(axis=0),
             _MESSAGES["eps outside the square root"]),
        ] + _eps_slips("your dgamma", eps, lambda other: (
            dout * _forward_variant(x, 1.0, 0.0, other)).sum(axis=0)),
        "dx": [
            (dx_variant(ddof=1), _MESSAGES["unbiased variance"]),
            (dx_variant(ddof=1, ddof_in_derivative=0), _MESSAGES["unbiased variance"]),
            (dx_variant(ddof=1, compact=True), _MESSAGES["unbiased variance"]),
            (dx_variant(ddof_in_derivative=1), _MESSAGES["N - 1 in the derivative"]),
            (dx_variant(eps_outside=True), _MESSAGES["eps outside the square root"]),
            (dx_variant(eps_outside=True, compact=True), _MESSAGES["eps outside the square root"]),
            (dx_variant(mean_path=False, var_path=False),
             _MESSAGES["no mean and no variance path"]),
            (dx_variant(mean_path=False), _MESSAGES["no mean path"]),
            (dx_variant(var_path=False), _MESSAGES["no variance path"]),
            (dx_variant(var_factor=1.0), _MESSAGES["no 2"]),
            (dx_variant(var_power=1), _MESSAGES["power 1/2"]),
            (dx_variant(var_power=2), _MESSAGES["power 1"]),
            (dx_variant(dvar_std_without_eps=True), _MESSAGES["dvar std without eps"]),
            (dx_variant(use_gamma=False), _MESSAGES["no gamma in dx"]),
            (dx_variant(var_sign=-1.0), _MESSAGES["dvar sign"]),
            (dx_variant(mean_sign=-1.0), _MESSAGES["mean path sign"]),
            (dx_variant(mean_over_n=False), _MESSAGES["dmean without 1/N"]),
            (dx_variant(var_over_n=False), _MESSAGES["dvar path without 1/N"]),
            (dx_variant(dvar_half=False), _MESSAGES["dvar without 1/2"]),
            (_graph_variant(dout, x, gamma, eps, sum_dinv=False), _MESSAGES["dinv per row"]),
            (dx_variant(dvar_per_row=True), _MESSAGES["dinv per row"]),    # 3a's formulas
            (_graph_variant(dout, x, gamma, eps, add_to_dxc=False), _MESSAGES["dxc overwritten"]),
            (dout * gamma, _MESSAGES["dx is dx_hat"]),
            (dx / n, f"your dx is {n} times too small (N = {n}): dout already carries the 1/N "
                     f"of the mean loss; do not average again"),
        ] + _eps_slips("your dx", eps, lambda other: reference_batchnorm_backward(
            dout, x, gamma, other)[0]),
    }


def _grade_backward(fn):
    for n, d, eps, seed in _CASES:
        x, gamma, _, dout = _case(n, d, seed)
        expected = reference_batchnorm_backward(dout, x, gamma, eps)     # before the call
        args = [fresh(dout), fresh(x), fresh(gamma)]
        result = fn(*args, eps)
        where = f"(x of shape {x.shape}, eps={eps:g})"
        result, problem = unpack_returned(result, "batchnorm_backward", ("dx", "dgamma", "dbeta"))
        if problem:
            return problem
        problem = _backward_shape_problem(result, n, d, where)
        if problem:
            return problem
        got = dict(zip(("dx", "dgamma", "dbeta"), (np.asarray(g, dtype=np.float64)
                                                    for g in result)))
        expected = dict(zip(("dx", "dgamma", "dbeta"), expected))
        if (not close(got["dgamma"], expected["dgamma"]) and close(got["dgamma"], expected["dbeta"])
                and close(got["dbeta"], expected["dgamma"])):
            return "dgamma and dbeta are swapped: return dx, dgamma, dbeta"
        slips = None
        # dbeta and dgamma first: they are the easy ones, and dx builds on the same x_hat
        for name in ("dbeta", "dgamma", "dx"):
            if close(got[name], expected[name]):
                continue
            slips = slips or _backward_slips(dout, x, gamma, eps)
            message = named_slip(got[name], slips[name])
            return message or _compare(f"your {name} {where}", got[name], expected[name])
        problem = changed_input([("dout", dout), ("x", x), ("gamma", gamma)], args)
        if problem:
            return problem
    return None


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
    reference=reference_batchnorm_backward, answer_name="batchnorm_backward")
