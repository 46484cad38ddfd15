"""Lesson 05: exercise 5a, Adam written as a loop, and exercise 5b, Adam in the training loop
of the rings MLP (together the notes' exercise 4, "Adam for the MLP").

``adam_update`` grades ``adam_descend(grad_fn, x0, lr, steps, beta1=0.9, beta2=0.999, eps=1e-8)``,
which returns x0 and the ``steps`` iterates of Adam with bias correction. The same loop trains an
MLP when x is all of its weights in one vector (``recipes.l05_adaptive.mlp_as_vector``).
``train_adam`` grades the whole training loop of the rings MLP with mini-batches and Adam,
``train_adam(params, X, y, lr, epochs, batch_size, rng, beta1=0.9, beta2=0.999, eps=1e-8)``
(the machinery is in ``_training``).
"""
import numpy as np

from ..data import make_rings
from ..recipes.toys import quartic_grad, square_grad
from ..optim import Adam, descend
from ._kit import (Exercise, NotAttempted, close, compare, fresh, path_length_problem, same_run,
                   show)
from ._training import (KEYS, LESSON_SEED, M_GROWS, ONE_ROW_LAST_LABEL, AdamCheck, Case,
                        MiniBatchCheck, TrainerExercise, _all_close, checker, forward_backward,
                        initial_params, rings_runs, simulate, small_params)

__all__ = ["adam_update", "train_adam"]


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
          n_rule="average", step_with="m_hat", swap_betas=False, root=True, use_eps=True,
          swap_avg=False, swap_corr=False, eps_hat=False, n_after=False):
    """Adam with one typical slip (the keywords), for the diagnoses.

    m_rule / n_rule: "average" (right), "fresh" (restarted from 0 at every step: the new value
    is never kept), "zero" (never updated), "raw" (g or g^2 itself, no average); m_rule "sum":
    m = beta1*m + g, lesson 02's momentum form; n_rule "square_all": n = beta2*n +
    ((1 - beta2)*g)**2, the factor squared too. swap_avg / swap_corr: the betas swapped in the
    averages / the corrections only. eps_hat: the Adam paper's efficient form (right). n_after:
    n updated after the step (each step divides by the n of the step before, 0 at first)."""
    b1, b2 = (beta2, beta1) if swap_betas else (beta1, beta2)
    a1, a2 = (b2, b1) if swap_avg else (b1, b2)
    c1, c2 = (b2, b1) if swap_corr else (b1, b2)
    eps = eps if use_eps else 0.0
    x = np.array(x0, dtype=np.float64)
    m, n = np.zeros_like(x), np.zeros_like(x)
    path = [x.copy()]
    t = t_first
    with np.errstate(all="ignore"):
        for _ in range(steps):
            g = np.asarray(grad_fn(x.copy() if x.ndim else float(x)), dtype=np.float64)
            m = {"average": a1 * m + (1 - a1) * g, "fresh": (1 - a1) * g,
                 "zero": np.zeros_like(x), "raw": g, "sum": a1 * m + g}[m_rule]
            n_new = {"average": a2 * n + (1 - a2) * g * g, "fresh": (1 - a2) * g * g,
                     "zero": np.zeros_like(x), "raw": g * g,
                     "square_all": a2 * n + ((1 - a2) * g) ** 2}[n_rule]
            n_used = n if n_after else n_new
            n = n_new
            m_hat = m / (1 - c1 ** t) if correct_m else m
            n_hat = n_used / (1 - c2 ** t) if correct_n else n_used
            top = g if step_with == "g" else m_hat
            if not root:
                bottom = n_hat + eps
            elif eps_inside:
                bottom = np.sqrt(n_hat + eps)
            elif eps_hat:
                bottom = np.sqrt(n_hat) + eps / np.sqrt(1 - c2 ** t)
            else:
                bottom = np.sqrt(n_hat) + eps
            x = x - sign * lr * top / bottom
            path.append(x.copy())
            if t_moves:
                t += 1
    return np.array(path)


_M_SUM_NO_CORRECTION = (
    "m grows to 1/(1 - beta1) times the gradient and n is not bias-corrected. Two slips give "
    "these same numbers: m = beta1*m + g, lesson 02's momentum form (a decaying sum), and "
    "neither m nor n is bias-corrected; or a right m with t left out of its correction, m_hat "
    "= m / (1 - beta1), and n_hat = n. In the first update m_hat = g either way, so only n "
    "looks uncorrected; from the second update on m is too large. Adam's m is an average, m = "
    "beta1*m + (1 - beta1)*g; then m_hat = m / (1 - beta1**t) and n_hat = n / (1 - beta2**t)")
_N_AFTER = (
    "n is updated after the step, so each step divides by the n of the update before: in the "
    "first update n is still 0, and every array moved by -lr * m_hat / eps (with this eps = 1, "
    "-lr * g, like a plain gradient step). Update n = beta2*n + (1 - beta2)*g**2 before the "
    "step, as m, then n_hat = n / (1 - beta2**t) and W = W - lr * m_hat / (sqrt(n_hat) + eps)")
_N_SQUARE_ALL = (
    "n adds ((1 - beta2)*g)**2, the factor squared too. In the first update that looks like an "
    "n without bias correction (n_hat = (1 - beta2)*g**2 either way); the second update tells "
    "them apart. Only the gradient is squared: n = beta2*n + (1 - beta2)*g**2")

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
    (dict(t_moves=False), "t never changes: every step divides m by 1 - beta1 and n by "
                          "1 - beta2, the bias correction of the first update (or t is left out "
                          "of the corrections, m / (1 - beta1)). t must count the updates, 1, 2, "
                          "3, ..., in m_hat = m / (1 - beta1**t) and n_hat = n / (1 - "
                          "beta2**t), so that the correction fades as t grows. Decaying sums "
                          "with no bias correction, m = beta1*m + g and n = beta2*n + g**2, "
                          "give these same numbers too"),
    (dict(eps_inside=True),
     "you add eps inside the square root, sqrt(n_hat + eps), as the lecture notes do; lessonlib "
     "and the Adam paper add it outside: sqrt(n_hat) + eps. With eps = 1e-8 and gradients of "
     "ordinary size the two agree to many digits, but in this case the gradients are about 1e-3 "
     "and eps = 1e-3, and they differ"),
    (dict(use_eps=False),
     "your step divides by sqrt(n_hat) alone, without eps, or with a fixed 1e-8 in place of the "
     "eps argument (in this case the two give the same numbers): use the function's eps, x = x "
     "- lr * m_hat / (sqrt(n_hat) + eps). With eps = 1e-8 and gradients of ordinary size eps "
     "hardly changes a step, but in this case the gradients are about 1e-3 and eps = 1e-3, "
     "and it shortens every step several-fold"),
    (dict(m_rule="fresh"), "m starts again from 0 at every step: keep the new m for the next "
                           "step (m = beta1 * m + (1 - beta1) * g, with the same variable m)"),
    (dict(n_rule="fresh"), "n starts again from 0 at every step: keep the new n for the next "
                           "step (n = beta2 * n + (1 - beta2) * g**2, with the same variable n)"),
    (dict(n_rule="zero"), "n is never updated (it stays 0), so the step divides by eps alone: "
                          "n = beta2 * n + (1 - beta2) * g**2 at every step"),
    (dict(m_rule="raw"), "m is the gradient itself, not an average: m = beta1 * m + "
                         "(1 - beta1) * g"),
    (dict(m_rule="raw", correct_m=False), "the step uses the gradient g itself (the same as m = g "
                                          "with no correction): step with m_hat, the corrected "
                                          "average of the gradients, m = beta1 * m + (1 - beta1) "
                                          "* g, m_hat = m / (1 - beta1**t)"),
    (dict(n_rule="raw"), "n is the squared gradient itself, not an average: n = beta2 * n + "
                         "(1 - beta2) * g**2"),
    (dict(n_rule="raw", correct_n=False), "n is the squared gradient itself, not an average: "
                                          "n = beta2 * n + (1 - beta2) * g**2"),
    (dict(n_rule="square_all"), "n adds ((1 - beta2) * g)**2, the factor squared too: only "
                                "the gradient is squared, n = beta2 * n + (1 - beta2) * g**2"),
    (dict(step_with="g"), "the step uses the gradient g where it should use m_hat: x = x - lr * "
                          "m_hat / (sqrt(n_hat) + eps)"),
    (dict(root=False), "your step divides by n_hat + eps, without the square root: n_hat "
                       "averages squared gradients, so its root, sqrt(n_hat), has the size of "
                       "a gradient; x = x - lr * m_hat / (sqrt(n_hat) + eps)"),
    (dict(swap_betas=True), "beta1 and beta2 are swapped: beta1 (0.9) averages the gradients "
                            "into m, beta2 (0.999) the squared gradients into n"),
    (dict(swap_avg=True), "beta1 and beta2 are swapped in the averages: m = beta1*m + "
                          "(1 - beta1)*g averages the gradients, n = beta2*n + (1 - beta2)*g**2 "
                          "the squared gradients (and m is corrected by 1 - beta1**t, n by "
                          "1 - beta2**t)"),
    (dict(swap_corr=True), "the bias corrections are swapped: m_hat = m / (1 - beta1**t), "
                           "n_hat = n / (1 - beta2**t), each with the beta of its own average"),
    (dict(m_rule="sum"), "your first step is 1/(1 - beta1) times too long: you wrote m = "
                         "beta1*m + g, lesson 02's momentum form (a decaying sum, which grows "
                         "to 1/(1 - beta1) times the gradient). Adam's m is an average, m = "
                         "beta1*m + (1 - beta1)*g, so that m_hat = g in the first update"),
    (dict(m_rule="sum", correct_m=False), M_GROWS),
    (dict(m_rule="sum", correct_m=False, correct_n=False), _M_SUM_NO_CORRECTION),
    (dict(n_after=True), "n is updated after the step, so each step divides by the n of the "
                         "step before: in the first update n is still 0 and the step is lr * "
                         "m_hat / eps, far too long. Update n = beta2*n + (1 - beta2)*g**2 "
                         "before the step, as m, then n_hat = n / (1 - beta2**t)"),
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


def _like_t_zero(adam_descend):
    """True if, in every case, the learner's first update is not finite where (and only where)
    that of t = 0 is not: everywhere. One number that is nan says little (a square root of a
    negative number gives it too); the valley's two tell them apart."""
    for _, grad_fn, x0, lr, steps, extra in _CASES:
        kw = {**_DEFAULTS, **extra}
        start = np.array(x0, dtype=np.float64) if np.ndim(x0) else float(x0)
        try:
            got = np.asarray(adam_descend(grad_fn, start, lr, steps, **kw), dtype=np.float64)
        except Exception:           # the case itself will say what is wrong
            continue
        t_zero = _slip(grad_fn, x0, lr, steps, **kw, t_first=0)
        if got.shape != t_zero.shape:
            continue
        if not np.array_equal(np.isfinite(got[1]), np.isfinite(t_zero[1])):
            return False
    return True


def _grade(adam_descend):
    for what, grad_fn, x0, lr, steps, extra in _CASES:
        kw = {**_DEFAULTS, **extra}
        # the expected path first, from the checker's own start: the learner's loop may change
        # the array it is given (x = x0; x -= step), and must not be blamed for that
        expected = descend(grad_fn, fresh(x0), Adam(lr=lr, **kw), steps)
        start = np.array(x0, dtype=np.float64) if np.ndim(x0) else float(x0)
        got = adam_descend(grad_fn, start, lr, steps, **kw)
        name = f"your adam_descend on {what}"
        if isinstance(got, tuple) and len(got) != steps + 1:
            return (f"{name} returned a tuple of {len(got)} things; return the path alone: one "
                    f"array of x0 and the {steps} iterates, shape ({steps + 1},) or "
                    f"({steps + 1}, d)")
        arr, problem = path_length_problem(name, got, expected, steps)
        if problem:
            return problem
        problem = compare(name, got, expected)
        if problem is None:
            continue
        paper = _slip(grad_fn, x0, lr, steps, **kw, eps_hat=True)
        if arr is not None and arr.shape == paper.shape and np.isfinite(arr).all() and \
                close(arr, paper):
            continue        # the Adam paper's efficient form, eps-hat: right (as in exercise 5b)
        if not any(k in problem for k in ("wrong value", "opposite sign", "non-finite")):
            return problem                  # None returned, wrong shape, not numbers
        flat = arr.reshape(len(arr), -1)
        # every iterate the same (the start too, or all but a copied start): one array appended
        # again and again and changed in place, or an x that never moves
        if steps > 1 and close(arr[1:], np.broadcast_to(arr[-1], arr[1:].shape)) and \
                not close(expected[1:], np.broadcast_to(expected[-1], expected[1:].shape)):
            all_same = close(arr, np.broadcast_to(arr[-1], arr.shape))
            if close(arr[-1], expected[0]):
                return (f"{name}: x never moves from x0. Is m updated, and is x given its new "
                        f"value (x = x - lr * m_hat / (sqrt(n_hat) + eps))?")
            if all_same:
                return (f"{name}: every value is the same, the last one: you appended one "
                        f"array and then changed it in place (x -= ...); append a copy "
                        f"(x.copy()) or write x = x - (the step) instead")
            if close(arr[0], expected[0]):
                return (f"{name}: every value after x0 is the same, the last one: you appended "
                        f"x, one array, at every step and then changed it in place (x -= ...), "
                        f"so every entry shows its last value; append a copy "
                        f"(path.append(x.copy())) or write x = x - (the step) instead")
        if not close(arr[0], expected[0]):
            return (f"{name}: the first value should be the start x0 = {show(expected[0])}, "
                    f"got {show(arr[0])}")
        if not np.isfinite(flat[1]).all():
            if _like_t_zero(adam_descend):
                return (f"{name}: the first update is not finite ({show(arr[1])}). With t = 0, "
                        f"1 - beta1**t = 0 and the bias correction divides by zero: t counts "
                        f"the updates from 1, so t = 1 in the first update")
            return (f"{name}: the first update is not finite ({show(arr[1])}), and t = 0 is "
                    f"not the cause: with t = 0 every first update of this check is nan, in "
                    f"every element, and yours is not. Look for a square root of a negative "
                    f"number or a division by zero in the update: n must stay >= 0, n = "
                    f"beta2*n + (1 - beta2)*g**2 (an average of squared gradients), and the "
                    f"step divides by sqrt(n_hat) + eps, x = x - lr * m_hat / (np.sqrt(n_hat) "
                    f"+ eps)")
        for slip, message in _DIAGNOSES:
            if same_run(arr, _slip(grad_fn, x0, lr, steps, **kw, **slip)):
                return f"{name}: {message}"
        if extra and same_run(arr, descend(grad_fn, fresh(x0), Adam(lr=lr, **_DEFAULTS), steps)):
            given = ", ".join(f"{k} = {v:g}" for k, v in extra.items())
            return (f"{name}: your iterates are those of the default settings, not of the "
                    f"{given} it is given: use the function's arguments, not fixed numbers")
        return problem
    return None


class _LoopExercise(Exercise):
    """An Exercise whose learner's function the lesson goes on to use: ``yours(fn)``."""

    def yours(self, fn):
        """fn if it passes the check, else the reference (and a line that says so)."""
        try:
            passed = self.grade(fn) is None
        except NotAttempted:
            passed = False
        if passed:
            return fn
        print(f"This cell runs the reference solution: it runs your {self.answer_name} once "
              f"it passes exercises.{self.name}.check({self.answer_name}).")
        return self.reference


adam_update = _LoopExercise(
    "adam_update", "Exercise 5a (Adam as a loop)", _grade,
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


# ---------------------------------------------------------------- exercise 5b: the whole loop

def reference_train_adam(
        params, X, y, lr, epochs, batch_size, rng, beta1=0.9, beta2=0.999, eps=1e-8):
    """Adam with mini-batches for the rings MLP (two hidden ReLU layers, softmax, mean
    cross-entropy): every epoch a new order of the rows from rng, cut into consecutive batches
    (the last one may be smaller), one Adam update per batch; t counts the updates from 1.
    Returns (params, losses): the trained arrays and the loss of every batch before its update."""
    params = {key: np.array(value, dtype=float) for key, value in params.items()}
    m = {key: np.zeros_like(value) for key, value in params.items()}
    n = {key: np.zeros_like(value) for key, value in params.items()}
    t = 0
    losses = []
    for _ in range(epochs):
        order = rng.permutation(len(y))                 # a new order every epoch
        for start in range(0, len(y), batch_size):
            idx = order[start:start + batch_size]
            Xb, yb = X[idx], y[idx]
            rows = np.arange(len(idx))
            # forward
            z1 = Xb @ params["W1"] + params["b1"]
            h1 = np.maximum(z1, 0.0)
            z2 = h1 @ params["W2"] + params["b2"]
            h2 = np.maximum(z2, 0.0)
            logits = h2 @ params["W3"] + params["b3"]
            shifted = logits - logits.max(axis=1, keepdims=True)
            log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
            losses.append(-log_p[rows, yb].mean())
            # backward
            dz3 = np.exp(log_p)
            dz3[rows, yb] -= 1.0
            dz3 /= len(idx)
            grads = {"W3": h2.T @ dz3, "b3": dz3.sum(axis=0)}
            dz2 = (dz3 @ params["W3"].T) * (z2 > 0)
            grads["W2"], grads["b2"] = h1.T @ dz2, dz2.sum(axis=0)
            dz1 = (dz2 @ params["W2"].T) * (z1 > 0)
            grads["W1"], grads["b1"] = Xb.T @ dz1, dz1.sum(axis=0)
            # Adam: m, n per array, t counts the updates of the whole run
            t += 1
            for key in params:
                g = grads[key]
                m[key] = beta1 * m[key] + (1 - beta1) * g
                n[key] = beta2 * n[key] + (1 - beta2) * g ** 2
                m_hat = m[key] / (1 - beta1 ** t)
                n_hat = n[key] / (1 - beta2 ** t)
                params[key] = params[key] - lr * m_hat / (np.sqrt(n_hat) + eps)
    return params, np.array(losses)


def _n_after_run(params0, X, y, batches, hyper):
    """The final params of Adam with n updated after the step (the step divides by the n of
    the update before), full batches given."""
    lr, b1, b2, eps = hyper["lr"], hyper["beta1"], hyper["beta2"], hyper["eps"]
    P = {k: np.array(v, dtype=np.float64) for k, v in params0.items()}
    m = {k: np.zeros_like(v) for k, v in P.items()}
    n = {k: np.zeros_like(v) for k, v in P.items()}
    with np.errstate(all="ignore"):
        for t, idx in enumerate(batches, start=1):
            _, grads = forward_backward(P, X[idx], y[idx])
            for k in KEYS:
                g = grads[k]
                m[k] = b1 * m[k] + (1 - b1) * g
                step = lr * (m[k] / (1 - b1 ** t)) / (np.sqrt(n[k] / (1 - b2 ** t)) + eps)
                n[k] = b2 * n[k] + (1 - b2) * g * g
                P[k] = P[k] - step
    return P


class _MiniBatchAdam(MiniBatchCheck, AdamCheck):
    function = "train_adam"

    # Two slips whose first update is that of another one (the shared table names that one):
    # a second update of the probe tells them apart.
    # (the first-update slip it looks like, the slip, a run of it, its message)
    TWO_UPDATE_SLIPS = [
        ({"no_correction_n"}, lambda P, X, y, b, h: simulate(
            P, X, y, b, "adam", h, {"m_sum", "no_correction"})[1], _M_SUM_NO_CORRECTION),
        ({"momentum_step"}, _n_after_run, _N_AFTER),
        # n_hat = (1 - beta2)*g**2 in the first update either way
        ({"no_correction_n"}, lambda P, X, y, b, h: simulate(
            P, X, y, b, "adam", h, {"n_square_all"})[1], _N_SQUARE_ALL),
    ]

    def first_update_problem(self, fn, case):
        problem = super().first_update_problem(fn, case)
        if problem is None:
            return None
        named = {frozenset(slip): message for slip, message in self.FIRST_STEP_SLIPS}
        for looks_like, run, message in self.TWO_UPDATE_SLIPS:
            shown = named.get(frozenset(looks_like))
            if shown is None or not problem.endswith(f": {shown}"):
                continue
            hyper, steps = self.probe_hyper(case), dict(epochs=2, batch_size=case.n)
            P2, _, _, failed = self.run(fn, case, hyper, steps)
            batches = [np.arange(case.n)] * 2
            if failed is None and _all_close(P2, run(case.params, case.X, case.y, batches,
                                                     hyper)):
                what = (f"{self.name(case, steps, hyper)} (a test run of two updates with its own "
                        f"lr and a large eps, after the one-update test run)")
                return f"{what}: {message}"
        return problem

    def call(self, fn, case, hyper, steps, rng, X):
        return fn(fresh(case.params), X, fresh(case.y), hyper["lr"],
                  steps["epochs"], steps["batch_size"], rng, beta1=hyper["beta1"],
                  beta2=hyper["beta2"], eps=hyper["eps"])


ADAM_LR, ADAM_BATCH, ADAM_INIT = 0.001, 20, "he"         # lesson 05's rings runs
# The run drawn beside the learner's: at lr 0.001 this network needs hundreds of epochs to find
# the rings; at 0.01 it draws them in 200 epochs (about 1 s).
FIGURE_LR, FIGURE_EPOCHS = 0.01, 200


def _adam_cases():
    X_small, y_small = make_rings(n=10, seed=4)
    X, y = make_rings(n=300, seed=LESSON_SEED)
    return [
        Case("10 rings points (hidden widths 4 and 3)",
             X_small, y_small, small_params((4, 3), 3),
             dict(lr=0.01, beta1=0.8, beta2=0.99, eps=1e-8), epochs=3, batch_size=4, seed=5),
        Case("the rings (300 points, hidden widths 20 and 20, He initial weights)", X, y,
             initial_params((20, 20), ADAM_INIT, LESSON_SEED),
             dict(lr=ADAM_LR, **_DEFAULTS), epochs=2, batch_size=ADAM_BATCH, seed=LESSON_SEED,
             long_run=True),
        # a last batch of one row: range(0, n - 1, batch_size) drops it, and only here
        Case(ONE_ROW_LAST_LABEL, *make_rings(n=9, seed=5), small_params((4, 3), 3),
             dict(lr=0.01, beta1=0.8, beta2=0.99, eps=1e-8), epochs=2, batch_size=4, seed=6),
    ]


def _grade_trainer(fn):
    return checker("adam", lambda: _MiniBatchAdam(_adam_cases())).grade(fn)


def _lesson_run(fn):
    """lessonlib's MLP.fit with Adam (lr 0.01) on the rings, batches of 20, 200 epochs, and the
    learner's trainer on the same."""
    def call(fn, params, X, y):
        return fn(params, X, y, FIGURE_LR, FIGURE_EPOCHS, ADAM_BATCH,
                  np.random.default_rng(LESSON_SEED))
    return rings_runs(fn, call, Adam(lr=FIGURE_LR), ADAM_INIT, FIGURE_EPOCHS, ADAM_BATCH)


train_adam = TrainerExercise(
    "train_adam", "Exercise 5b (the training loop with Adam)", _grade_trainer,
    hints=["Start from your mini-batch trainer of lesson 04 and change only the update: in "
           "place of one velocity per array, keep two, m and n (zeros at the start), and a "
           "count t of the updates, 1 in the first update and never reset between epochs.",
           "For every batch: t += 1 once; then for every array, with g its gradient: m = "
           "beta1*m + (1 - beta1)*g, n = beta2*n + (1 - beta2)*g**2, m_hat = m / (1 - "
           "beta1**t), n_hat = n / (1 - beta2**t), and the array moves by "
           "-lr * m_hat / (sqrt(n_hat) + eps): your adam_descend's step, one array at a time.",
           "m = {k: np.zeros_like(v) for k, v in params.items()}, n likewise, t = 0; loop over "
           "epochs and batches as in lesson 04; after the backward pass: t += 1; for key in "
           "params: the four lines of hint 2, then params[key] = params[key] - lr * m_hat / "
           "(np.sqrt(n_hat) + eps). Return params, np.array(losses)."],
    reference=reference_train_adam,
    lesson_run=("lessonlib (MLP.fit, Adam)", "your train_adam", _lesson_run))
