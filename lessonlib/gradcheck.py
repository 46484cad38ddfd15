"""Numerical gradients by central differences, to check every backward pass."""
import numpy as np


def rel_error(a, b, atol=0.0):
    """||a - b|| / (||a|| + ||b||): about 1e-7 or less when two gradients agree in float64.

    A norm over the whole array, unlike an elementwise maximum, is not thrown off by one entry
    that is zero up to rounding in both. Two arrays that are both within ``atol`` of zero (in
    norm) count as equal (0.0): a gradient that is exactly zero, such as a bias followed by
    batch norm, is matched by a numerical one of about 1e-11, whose relative error would be 1.
    Small gradients that are not both below ``atol`` still get their relative error, so a wrong
    gradient is never hidden by being small."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"rel_error needs arrays of one shape; got {a.shape} and {b.shape}")
    norm_a, norm_b = np.linalg.norm(a), np.linalg.norm(b)
    if max(norm_a, norm_b) <= atol:
        return 0.0
    return float(np.linalg.norm(a - b) / (norm_a + norm_b))


# Central differences in float64 carry noise of about 1e-11 on a loss of order 1.
ZERO_GRADIENT_ATOL = 1e-9

def bounded(error, bound):
    """A relative error as text that reads the same on every CPU: "< 1e-12" when it is below
    ``bound``, else its value, "3.2e-04 (above 1e-12)", which a wrong gradient shows. Below the
    bound an error's digits are rounding noise that differ between CPUs and BLAS kernels. The
    lessons use 1e-12 for two codings of the same float64 formulas, 1e-6 against
    numerical_gradient (central differences, h = 1e-5)."""
    error = float(error)
    if error < bound:
        return f"< {bound:.0e}"
    return f"{error:.1e} (above {bound:.0e})"


def numerical_gradient(f, x, h=1e-5):
    """d f() / d x for a scalar function f of no arguments that reads the array x,
    by central differences; x is perturbed in place and restored."""
    grad = np.zeros_like(x, dtype=np.float64)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        f_plus = f()
        x[i] = old - h
        f_minus = f()
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def check_layer(layer, x, seed=0, training=True, reset=None):
    """Compare a layer's backward with numerical gradients of sum(forward(x) * dout).

    Returns {"x": rel_error, <param>: rel_error, ...}. ``reset`` (optional) is called before
    every forward, e.g. to replay a dropout layer's random mask.
    """
    x = np.array(x, dtype=np.float64)
    rng = np.random.default_rng(seed)
    reset = reset or (lambda: None)
    reset()
    out = layer.forward(x, training=training)
    dout = rng.standard_normal(out.shape)
    dout_before = dout.copy()
    dx = layer.backward(dout)
    if not np.array_equal(dout, dout_before):
        raise AssertionError(f"{type(layer).__name__}.backward modified dout")
    analytic = {"x": dx, **{k: g.copy() for k, g in layer.grads.items()}}

    def f():
        reset()
        return float(np.sum(layer.forward(x, training=training) * dout))

    atol = ZERO_GRADIENT_ATOL
    errors = {"x": rel_error(analytic["x"], numerical_gradient(f, x), atol)}
    for name, p in layer.params.items():
        errors[name] = rel_error(analytic[name], numerical_gradient(f, p), atol)
    return errors


def check_model(model, X, y, weight_decay=0.0, reset=None):
    """rel_error between model.loss_and_grads and numerical gradients, per parameter."""
    reset = reset or (lambda: None)
    reset()
    _, grads = model.loss_and_grads(X, y, weight_decay=weight_decay)

    def f():
        reset()
        return model.loss_and_grads(X, y, weight_decay=weight_decay)[0]

    return {name: rel_error(grads[name], numerical_gradient(f, p), ZERO_GRADIENT_ATOL)
            for name, p in model.params.items()}
