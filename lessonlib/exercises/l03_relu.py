"""Lesson 03's exercises, the two pieces of an MLP with ReLU and momentum (the notes' exercise 2):

- ``relu_layer_backward``: the backward pass of one hidden layer h = ReLU(x @ W + b);
- ``momentum_step``: one heavy-ball update of a weight array.
"""
import numpy as np

from ..gradcheck import numerical_gradient
from ._base import Exercise, _shape_problem, compare, gradient_problem, unpack_returned

__all__ = ["relu_layer_backward", "momentum_step"]


# ---------------------------------------------------------------- exercise 2a

def reference_relu_layer_backward(dh, x, W, z):
    """Backward through z = x @ W + b, h = ReLU(z): dh (N, n_out) -> (dx, dW, db)."""
    dz = dh * (z > 0)           # ReLU lets the gradient through where it was active
    dx = dz @ W.T               # (N, n_in)
    dW = x.T @ dz               # (n_in, n_out)
    db = dz.sum(axis=0)         # (n_out,): b is added to every row, so its gradient sums them
    return dx, dW, db


def _layer_case(n, n_in, n_out, seed):
    """x, W, b, z = x @ W + b and dh; no z within 0.05 of ReLU's kink at 0 (where a numerical
    gradient would straddle it), and some z on either side."""
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((n_in, n_out))
    b = rng.standard_normal(n_out)
    dh = rng.standard_normal((n, n_out))
    while True:
        x = rng.standard_normal((n, n_in))
        z = x @ W + b
        if np.abs(z).min() >= 0.05 and (z > 0).any() and (z < 0).any():
            return x, W, b, z, dh


# (N, n_in, n_out, seed): N, n_in and n_out all differ, so a shape says which axis is wrong
_LAYER_CASES = [(6, 4, 3, 0), (9, 2, 5, 1)]


def _numerical_layer_grads(x, W, b, dh):
    """Numerical d/dx, d/dW, d/db of sum(ReLU(x @ W + b) * dh)."""
    x, W, b = x.copy(), W.copy(), b.copy()

    def f():
        return float(np.sum(np.maximum(x @ W + b, 0.0) * dh))

    return numerical_gradient(f, x), numerical_gradient(f, W), numerical_gradient(f, b)


def _grade_layer(fn):
    for n, n_in, n_out, seed in _LAYER_CASES:
        x, W, b, z, dh = _layer_case(n, n_in, n_out, seed)
        args = [dh.copy(), x.copy(), W.copy(), z.copy()]
        result = fn(*args)
        where = f"(x of shape {x.shape}, W {W.shape})"
        triple, problem = unpack_returned(result, "relu_layer_backward", ("dx", "dW", "db"))
        if problem:
            return problem
        expected = reference_relu_layer_backward(dh, x, W, z)
        names = ("dx", "dW", "db")
        shapes = {"dx": "x's shape", "dW": "W's shape", "db": "b's shape, one value per unit"}
        # 1. shapes, with the usual reasons
        for name, got, exp in zip(names, triple, expected):
            problem = _shape_problem(f"your {name} {where}", got, exp.shape)
            if problem is None:
                continue
            if got is None:
                return problem
            shape = np.shape(got)
            if name == "dW" and shape == exp.shape[::-1]:
                return (f"your dW has shape {shape}, W's shape transposed: dW must match W "
                        f"{exp.shape}; it is x.T @ dz")
            if name == "db" and shape == (1, n_out):
                return (f"your db has shape {shape}; it should be {exp.shape} like b: sum over the "
                        f"batch axis without keepdims")
            if name == "db" and shape == (n, n_out):
                return (f"your db has shape {shape}, one row per example: sum over the batch "
                        f"(axis=0) to get one value per unit, {exp.shape}")
            if name == "db" and shape == ():
                return (f"your db is a single number: sum over the batch axis only "
                        f"(axis=0), giving {exp.shape}")
            if name == "dx" and shape == (n, n_out):
                return (f"your dx has shape {shape}, the shape of dz: carry the gradient back "
                        f"through the weights, dx = dz @ W.T, shape {exp.shape}")
            return f"{problem}; it should have {shapes[name]}"
        got = [np.asarray(g, dtype=np.float64) for g in triple]
        # 2. the classic slips, each with its own message
        if not np.allclose(got[2], expected[2]) and np.allclose(got[2], 0.0):
            return ("your db is all zeros: the bias gradient is missing. b is added to every "
                    "row of x @ W, so db is dz summed over the batch")
        unmasked = reference_relu_layer_backward(dh, x, W, np.ones_like(z))
        inverted = reference_relu_layer_backward(dh, x, W, -z)
        for k, name in enumerate(names):
            if np.allclose(got[k], expected[k], rtol=1e-6, atol=1e-9):
                continue
            if np.allclose(got[k], unmasked[k], rtol=1e-6, atol=1e-9):
                return (f"your {name} ignores ReLU's derivative: first set the gradient to 0 where "
                        f"z <= 0 (dz = dh * (z > 0)), then use dz")
            if np.allclose(got[k], inverted[k], rtol=1e-6, atol=1e-9):
                return (f"your {name} lets the gradient through where z < 0 instead of z > 0: the "
                        f"ReLU mask is inverted")
            for factor, words in ((1.0 / n, f"{n} times too small (N = {n}): you divided by "
                                   "N. dh already is the gradient of the mean loss, so the "
                                   "1/N is in it; do not average again"),
                                  (float(n), f"{n} times too large (N = {n})")):
                if np.allclose(got[k], factor * expected[k], rtol=1e-6, atol=1e-12):
                    return f"your {name} is {words}"
        # 3. against a numerical gradient
        numerical = _numerical_layer_grads(x, W, b, dh)
        for name, g, num in zip(names, got, numerical):
            problem = gradient_problem(f"your {name} {where}", g, num, tol=1e-6)
            if problem:
                return problem
        if not np.array_equal(args[0], dh):
            return ("the gradients are right, but your function changed dh, the array passed "
                    "in; a backward pass should leave dout alone: write dz = dh * (z > 0), "
                    "not dh[z <= 0] = 0")
    return None


relu_layer_backward = Exercise(
    "relu_layer_backward", "Exercise 2a (backward through a ReLU layer)", _grade_layer,
    hints=["Go backwards one step at a time. h = ReLU(z): the gradient passes where z > 0 and "
           "is 0 elsewhere; that gives dz, shape (N, n_out). Then z = x @ W + b gives the three "
           "gradients from dz.",
           "dz = dh * (z > 0). Shapes tell you the order of each product: dW must be "
           "(n_in, n_out), so it is x.T @ dz; dx must be (N, n_in), so it is dz @ W.T.",
           "dz = dh * (z > 0); dx = dz @ W.T; dW = x.T @ dz; db = dz.sum(axis=0); "
           "return dx, dW, db. (No division by N: dh already carries the 1/N of the mean loss.)"],
    reference=reference_relu_layer_backward)


# ---------------------------------------------------------------- exercise 2b

def reference_momentum_step(w, v, grad, lr, rho):
    """One heavy-ball step: v_new = rho * v - lr * grad, w_new = w + v_new."""
    v_new = rho * v - lr * grad
    w_new = w + v_new
    return w_new, v_new


# (shape, lr, rho, velocity: "zero" or "random", seed). A non-zero velocity first: with v = 0
# several slips give the same numbers, and the diagnosis could not tell them apart.
_STEP_CASES = [((3, 4), 0.1, 0.9, "random", 1), ((3, 4), 0.1, 0.9, "zero", 0),
               ((5,), 0.05, 0.5, "random", 2), ((2, 3), 0.2, 0.0, "random", 3)]


def _grade_step(fn):
    for shape, lr, rho, velocity, seed in _STEP_CASES:
        rng = np.random.default_rng(seed)
        w = rng.standard_normal(shape)
        v = np.zeros(shape) if velocity == "zero" else 0.3 * rng.standard_normal(shape)
        grad = rng.standard_normal(shape)
        case = f"(lr {lr:g}, rho {rho:g}, {'v = 0' if velocity == 'zero' else 'v not 0'})"
        result = fn(w.copy(), v.copy(), grad.copy(), lr, rho)
        result, problem = unpack_returned(result, "momentum_step", ("w_new", "v_new"))
        if problem:
            return problem
        w_exp, v_exp = reference_momentum_step(w, v, grad, lr, rho)
        for name, got, exp in (("w_new", result[0], w_exp), ("v_new", result[1], v_exp)):
            problem = _shape_problem(f"your {name} {case}", got, exp.shape)
            if problem:
                return problem
        w_got = np.asarray(result[0], dtype=np.float64)
        v_got = np.asarray(result[1], dtype=np.float64)
        w_ok, v_ok = np.allclose(w_got, w_exp), np.allclose(v_got, v_exp)
        if w_ok and v_ok:
            continue
        close = lambda a, b: np.allclose(a, b, rtol=1e-6, atol=1e-12)
        if w_ok and close(v_got, -v_exp):
            return (f"your w_new is right but v_new has the opposite sign {case}. The notes keep "
                    f"M = rho*M + lr*grad and subtract it; here the velocity is the move itself: "
                    f"v_new = rho*v - lr*grad and w_new = w + v_new")
        if close(v_got, rho * v + lr * grad) and close(w_got, w - v_got):
            return (f"your step uses the notes' sign convention (M = rho*M + lr*grad, w - M) "
                    f"{case}; here the velocity is the move itself: v_new = rho*v - lr*grad, "
                    f"w_new = w + v_new")
        if close(v_got, rho * v + lr * grad) or close(w_got, w + rho * v + lr * grad):
            return (f"your step goes uphill {case}: subtract lr * grad, the gradient points up "
                    f"the slope")
        if close(v_got, -rho * v - lr * grad):
            return (f"your momentum term has the wrong sign {case}: the velocity keeps the "
                    f"last move's direction, v_new = rho*v - lr*grad")
        if v_ok and close(w_got, w + v):
            return (f"your v_new is right, but w moved by the old velocity v {case}: update v "
                    f"first, then w_new = w + v_new")
        if close(w_got, w - lr * grad) and rho and velocity == "random":
            return (f"your w_new is a plain gradient step {case}: it ignores the velocity; "
                    f"w_new = w + v_new with v_new = rho*v - lr*grad")
        if not v_ok:
            return compare(f"your v_new {case}", v_got, v_exp)
        return compare(f"your w_new {case}", w_got, w_exp)
    return None


momentum_step = Exercise(
    "momentum_step", "Exercise 2b (one momentum step)", _grade_step,
    hints=["Two lines, as in lesson 02: first the new velocity from the old one and the "
           "gradient, then the new weights from the new velocity.",
           "The velocity is the move itself: it keeps rho of the last move and adds a step "
           "downhill, -lr * grad. The weights then move by that velocity.",
           "v_new = rho * v - lr * grad; w_new = w + v_new; return w_new, v_new."],
    reference=reference_momentum_step)
