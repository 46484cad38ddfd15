"""Lesson 05: Adam written as a loop (the notes' exercise 4, "Adam for the MLP").

``adam_update`` grades ``adam_descend(grad_fn, x0, lr, steps, beta1=0.9, beta2=0.999, eps=1e-8)``,
which returns x0 and the ``steps`` iterates of Adam with bias correction. The same loop trains an
MLP when x is all of its weights in one vector (``recipes.l05_adaptive.mlp_as_vector``).
"""
import numpy as np

from ..recipes.toys import quartic_grad, square_grad
from ..optim import Adam, descend
from ._base import Exercise, _fmt, compare, path_length_problem

__all__ = ["adam_update"]


def reference_adam_descend(grad_fn, x0, lr, steps, beta1=0.9, beta2=0.999, eps=1e-8):
    """Adam from x0 for `steps` updates: x0, x_1, ..., x_steps, shape (steps + 1,) or
    (steps + 1, d). m and n start at 0; t counts the updates from 1."""
    x = np.array(x0, dtype=np.float64)
    m = np.zeros_like(x)                    # decaying average of the gradients
    n = np.zeros_like(x)                    # decaying average of the squared gradients
    path = [x.copy()]
    for t in range(1, steps + 1):
        g = np.asarray(grad_fn(x), dtype=np.float64)
        m = beta1 * m + (1 - beta1) * g
        n = beta2 * n + (1 - beta2) * g ** 2
        m_hat = m / (1 - beta1 ** t)        # undo the pull towards the zeros m and n start at
        n_hat = n / (1 - beta2 ** t)
        x = x - lr * m_hat / (np.sqrt(n_hat) + eps)
        path.append(x.copy())
    return np.array(path)


def _slip(grad_fn, x0, lr, steps, beta1, beta2, eps, *, sign=1.0, correct_m=True,
          correct_n=True, t_first=1, t_moves=True, eps_inside=False, m_rule="average",
          n_rule="average", step_with="m_hat", swap_betas=False):
    """Adam with one typical slip (the keywords), for the diagnoses.

    m_rule / n_rule: "average" (right), "fresh" (restarted from 0 at every step: the new value
    is never kept), "zero" (never updated), "raw" (g or g^2 itself, no average)."""
    b1, b2 = (beta2, beta1) if swap_betas else (beta1, beta2)
    x = np.array(x0, dtype=np.float64)
    m, n = np.zeros_like(x), np.zeros_like(x)
    path = [x.copy()]
    t = t_first
    with np.errstate(all="ignore"):
        for _ in range(steps):
            g = np.asarray(grad_fn(x.copy() if x.ndim else float(x)), dtype=np.float64)
            m = {"average": b1 * m + (1 - b1) * g, "fresh": (1 - b1) * g,
                 "zero": np.zeros_like(x), "raw": g}[m_rule]
            n = {"average": b2 * n + (1 - b2) * g * g, "fresh": (1 - b2) * g * g,
                 "zero": np.zeros_like(x), "raw": g * g}[n_rule]
            m_hat = m / (1 - b1 ** t) if correct_m else m
            n_hat = n / (1 - b2 ** t) if correct_n else n
            top = g if step_with == "g" else m_hat
            bottom = np.sqrt(n_hat + eps) if eps_inside else np.sqrt(n_hat) + eps
            x = x - sign * lr * top / bottom
            path.append(x.copy())
            if t_moves:
                t += 1
    return np.array(path)


_DIAGNOSES = [
    (dict(sign=-1.0), "the steps go uphill: subtract lr * m_hat / (sqrt(n_hat) + eps); the "
                      "gradient points up the slope"),
    (dict(correct_m=False, correct_n=False),
     "there is no bias correction: m and n start at 0, so in the first steps m_t and n_t are "
     "too small. Divide them by 1 - beta1**t and 1 - beta2**t (t = 1 in the first update)"),
    (dict(correct_n=False), "m is bias-corrected but n is not: divide n_t by 1 - beta2**t too"),
    (dict(correct_m=False), "n is bias-corrected but m is not: divide m_t by 1 - beta1**t too"),
    (dict(t_first=2), "the bias correction uses the wrong t, one too large: in the first update "
                      "t = 1, so 1 - beta1**t = 1 - beta1 (did t start at 1 and go up before it "
                      "was used?)"),
    (dict(t_moves=False), "t never changes: it must count the updates, 1, 2, 3, ... (the bias "
                          "correction fades as t grows)"),
    (dict(eps_inside=True),
     "you add eps inside the square root, sqrt(n_hat + eps), as the lecture notes do; lessonlib "
     "and the Adam paper add it outside: sqrt(n_hat) + eps. With eps = 1e-8 and gradients of "
     "ordinary size the two agree to many digits, but in this case the gradients are about 1e-3 "
     "and eps = 1e-3, and they differ"),
    (dict(m_rule="fresh"), "m starts again from 0 at every step: keep the new m for the next "
                           "step (m = beta1 * m + (1 - beta1) * g, with the same variable m)"),
    (dict(n_rule="fresh"), "n starts again from 0 at every step: keep the new n for the next "
                           "step (n = beta2 * n + (1 - beta2) * g**2, with the same variable n)"),
    (dict(n_rule="zero"), "n is never updated (it stays 0), so the step divides by eps alone: "
                          "n = beta2 * n + (1 - beta2) * g**2 at every step"),
    (dict(m_rule="raw"), "m is the gradient itself, not an average: m = beta1 * m + "
                         "(1 - beta1) * g"),
    (dict(m_rule="raw", correct_m=False), "m is the gradient itself, not an average: m = "
                                          "beta1 * m + (1 - beta1) * g"),
    (dict(n_rule="raw"), "n is the squared gradient itself, not an average: n = beta2 * n + "
                         "(1 - beta2) * g**2"),
    (dict(n_rule="raw", correct_n=False), "n is the squared gradient itself, not an average: "
                                          "n = beta2 * n + (1 - beta2) * g**2"),
    (dict(step_with="g"), "the step uses the gradient g where it should use m_hat: x = x - lr * "
                          "m_hat / (sqrt(n_hat) + eps)"),
    (dict(swap_betas=True), "beta1 and beta2 are swapped: beta1 (0.9) averages the gradients "
                            "into m, beta2 (0.999) the squared gradients into n"),
]


def _valley_grad(b):
    """Gradient of f(b) = (b1^2 + 100 b2^2) / 2, the lesson's valley."""
    b = np.asarray(b, dtype=np.float64)
    return np.array([b[0], 100.0 * b[1]])


def _shallow_grad(x):
    """Gradient of f(x) = 0.0005 x^2: about 1e-3 and smaller, the size of eps in that case."""
    return 0.001 * np.asarray(x, dtype=np.float64)


# (description, gradient, x0, lr, steps, keyword arguments)
_CASES = [
    ("x^2 from 0.5, lr 0.1, 30 steps (the lesson's run)", square_grad, 0.5, 0.1, 30, {}),
    ("the quartic from -3, lr 0.05, 12 steps, beta1 0.5, beta2 0.9", quartic_grad, -3.0, 0.05,
     12, dict(beta1=0.5, beta2=0.9)),
    ("the valley f = (b1^2 + 100 b2^2)/2 from b = (-4, 1), lr 0.1, 25 steps", _valley_grad,
     (-4.0, 1.0), 0.1, 25, {}),
    ("f = 0.0005 x^2 from 0.5 (gradients about 1e-3), lr 0.01, eps 1e-3, 10 steps",
     _shallow_grad, 0.5, 0.01, 10, dict(eps=1e-3)),
]
_DEFAULTS = dict(beta1=0.9, beta2=0.999, eps=1e-8)


def _same_run(got, slip):
    """True if got follows the slip's iterates for as long as both stay finite (at least three
    values, so that one shared first step is not enough)."""
    if got.shape != slip.shape:
        return False
    flat = lambda a: a.reshape(len(a), -1)
    finite = np.isfinite(flat(got)).all(axis=1) & np.isfinite(flat(slip)).all(axis=1)
    k = len(finite) if finite.all() else int(np.argmin(finite))
    return k >= min(3, len(got)) and np.allclose(got[:k], slip[:k], rtol=1e-6, atol=1e-10)


def _show(value):
    value = np.asarray(value, dtype=np.float64)
    if value.ndim == 0:
        return _fmt(float(value))
    return "(" + ", ".join(_fmt(float(v)) for v in value.ravel()) + ")"


def _grade(adam_descend):
    for what, grad_fn, x0, lr, steps, extra in _CASES:
        kw = {**_DEFAULTS, **extra}
        x_start = np.array(x0, dtype=np.float64)
        start = x_start.copy() if x_start.ndim else float(x_start)
        with np.errstate(all="ignore"):      # a slip that blows up is graded, not warned about
            got = adam_descend(grad_fn, start, lr, steps, **kw)
        expected = descend(grad_fn, start, Adam(lr=lr, **kw), steps)
        name = f"your adam_descend on {what}"
        arr, problem = path_length_problem(name, got, expected, steps)
        if problem:
            return problem
        problem = compare(name, got, expected, rtol=1e-6, atol=1e-10)
        if problem is None:
            continue
        if not any(k in problem for k in ("wrong value", "opposite sign", "non-finite")):
            return problem                  # None returned, wrong shape, not numbers
        flat = arr.reshape(len(arr), -1)
        if steps > 1 and np.allclose(arr, arr[-1]) and not np.allclose(expected, expected[-1]):
            if np.allclose(arr[-1], expected[0]):
                return (f"{name}: x never moves from x0. Is m updated, and is x given its new "
                        f"value (x = x - lr * m_hat / (sqrt(n_hat) + eps))?")
            return (f"{name}: every value is the same, the last one: you appended one array "
                    f"and then changed it in place (x -= ...); append a copy (x.copy()) or "
                    f"write x = x - (the step) instead")
        if not np.allclose(arr[0], expected[0]):
            return (f"{name}: the first value should be the start x0 = {_show(expected[0])}, "
                    f"got {_show(arr[0])}")
        if not np.isfinite(flat[1]).all():
            return (f"{name}: the first update is not finite ({_show(arr[1])}). With t = 0, "
                    f"1 - beta1**t = 0 and the bias correction divides by zero: t counts the "
                    f"updates from 1, so t = 1 in the first update")
        for slip, message in _DIAGNOSES:
            if _same_run(arr, _slip(grad_fn, x0, lr, steps, **kw, **slip)):
                return f"{name}: {message}"
        if extra and _same_run(arr, descend(grad_fn, start, Adam(lr=lr, **_DEFAULTS), steps)):
            given = ", ".join(f"{k} = {v:g}" for k, v in extra.items())
            return (f"{name}: your iterates are those of the default settings, not of the "
                    f"{given} it is given: use the function's arguments, not fixed numbers")
        return problem
    return None


adam_update = Exercise(
    "adam_update", "Exercise 4 (Adam as a loop)", _grade,
    hints=["Keep three things between steps: x, m and n (m and n start as zeros shaped like x). "
           "Count the updates with t = 1, 2, ..., steps; collect x0 and every new x: steps "
           "updates give steps + 1 values.",
           "Each step: g = grad_fn(x); m = beta1*m + (1 - beta1)*g; n = beta2*n + "
           "(1 - beta2)*g**2; then the bias-corrected m_hat = m / (1 - beta1**t) and "
           "n_hat = n / (1 - beta2**t); then move x against m_hat, scaled by sqrt(n_hat).",
           "x = np.array(x0, dtype=float); m = np.zeros_like(x); n = np.zeros_like(x); "
           "path = [x.copy()]; for t in range(1, steps + 1): ... the four lines of hint 2 ...; "
           "x = x - lr * m_hat / (np.sqrt(n_hat) + eps); path.append(x.copy()). "
           "Return np.array(path)."],
    reference=reference_adam_descend)
