"""Lesson 02: the gradient of the sin-logistic model (the notes' exercise 1), and momentum
written as a loop (velocity form)."""
import re

import numpy as np

from ..data import make_sin_logistic
from ..recipes.toys import (quartic_grad, sin_logistic_descend, sin_logistic_grad,
                            sin_logistic_loss, square_grad)
from ..gradcheck import numerical_gradient
from ..optim import SGD, descend
from ._kit import (Exercise, NotAttempted, close, compare, describe_exception, explain_crash,
                   fresh, gradient_problem, learner_frames, named_slip, path_length_problem,
                   same_run, show)

__all__ = ["sin_logistic_gradient", "heavy_ball"]


# ---------------------------------------------------------------- exercise 2a: the gradient

def reference_grad(b, X, y):
    """Gradient of the mean cross-entropy of logit(p) = sin(b1 x1 x2 + b2 x2) wrt (b1, b2)."""
    x1, x2 = X[:, 0], X[:, 1]
    inner = b[0] * x1 * x2 + b[1] * x2                # (N,)
    p = 1.0 / (1.0 + np.exp(-np.sin(inner)))          # (N,)
    # chain rule: d loss_i / d logit_i = p_i - y_i, d logit_i / d inner_i = cos(inner_i),
    # d inner_i / d b1 = x1_i x2_i, d inner_i / d b2 = x2_i
    common = (p - y) * np.cos(inner)                  # (N,)
    return np.array([np.mean(common * x1 * x2), np.mean(common * x2)])


# Points b where the gradient is checked: none on an axis, so that a missing factor or two
# swapped entries cannot hide behind a zero.
_B_POINTS = [(0.3, -0.2), (0.7, 0.7), (1.5, 0.4), (-0.4, 1.6)]
_DATA = {}


def _data():
    """The notebook's data (1000 points, its DATA_SEED = 2) and a small other sample: a function
    that reads the notebook's global X, y instead of its arguments passes on the first and fails
    on the second, which the message then says."""
    if not _DATA:
        _DATA["lesson"] = make_sin_logistic(0.7, 0.7, n=1000, noise=0.3, seed=2)
        _DATA["other"] = make_sin_logistic(1.2, -0.5, n=40, seed=7)
    return _DATA


def _variants(b, X, y):
    """What typical slips compute: name -> (value, message)."""
    x1, x2 = X[:, 0], X[:, 1]
    inner = b[0] * x1 * x2 + b[1] * x2
    p = 1.0 / (1.0 + np.exp(-np.sin(inner)))
    common = (p - y) * np.cos(inner)
    n = len(y)
    right = np.array([np.mean(common * x1 * x2), np.mean(common * x2)])
    slope = p * (1 - p) * np.cos(inner)                   # sigmoid's slope in place of p - y
    cos_sin = (p - y) * np.cos(np.sin(inner))             # cos taken at sin(u)
    p_no_sin = 1.0 / (1.0 + np.exp(-inner))               # the forward pass without the sin
    p_no_sin_common = (p_no_sin - y) * np.cos(inner)
    p_flipped = 1.0 / (1.0 + np.exp(np.sin(inner)))       # sigmoid(-sin u): exp(+L)
    p_flipped_common = (p_flipped - y) * np.cos(inner)
    with np.errstate(all="ignore"):
        dp_common = (p - y) / (p * (1 - p)) * np.cos(inner)   # d loss/dp, no sigmoid slope
    no_sin_message = ("your p must be sigmoid(sin(u)): the logit is sin(u), not u "
                      "(u = b1*x1*x2 + b2*x2)")
    no_product_message = ("your u is b1*x1 + b2*x2: the model's first term is b1 times the "
                          "product x1*x2, u = b1*x1*x2 + b2*x2 (b[0]*X[:, 0]*X[:, 1] + "
                          "b[1]*X[:, 1]), so d u/d b1 = x1*x2")
    b_swapped_message = ("your u has b1 and b2 swapped: u = b1*x1*x2 + b2*x2, so b1 = b[0] "
                         "multiplies x1*x2 and b2 = b[1] multiplies x2")
    return [
        (n * right, f"your gradient is {n} times too large (N = {n} points): the loss is the "
                    f"mean over the points, so average (np.mean), do not add up (np.sum)"),
        (right / n, f"your gradient is {n} times too small (N = {n} points): did you divide "
                    f"by N twice?"),
        (np.array([np.mean(common * x2), right[1]]),
         "your d loss/d b1 is missing the factor x1: the derivative of b1*x1*x2 + b2*x2 "
         "with respect to b1 is x1*x2, not x2"),
        (np.array([np.mean(common * x1), right[1]]),
         "your d loss/d b1 is missing the factor x2: the derivative of b1*x1*x2 + b2*x2 "
         "with respect to b1 is x1*x2"),
        (right * n / (n - 1), f"your gradient is N/(N - 1) times too large (N = {n} points): "
                              f"the loss is the mean over the N points, so divide by N "
                              f"(np.mean), not N - 1"),
        (np.array([right[0], np.mean(common * x1)]),
         "your d loss/d b2 has the factor x1 where x2 belongs: the derivative of "
         "b1*x1*x2 + b2*x2 with respect to b2 is x2"),
        (np.array([right[0], right[0]]),
         "your d loss/d b2 has the factor x1*x2 (the one of b1): the derivative of "
         "b1*x1*x2 + b2*x2 with respect to b2 is x2"),
        (right[::-1], "your two entries are swapped: return (d loss/d b1, d loss/d b2) in that "
                      "order"),
        (np.array([np.mean((p - y) * x1 * x2), np.mean((p - y) * x2)]),
         "your gradient misses the factor cos(b1*x1*x2 + b2*x2): the chain rule passes "
         "through sin"),
        (np.array([np.mean(-(p - y) * np.sin(inner) * x1 * x2),
                   np.mean(-(p - y) * np.sin(inner) * x2)]),
         "your gradient has -sin(b1*x1*x2 + b2*x2) where cos(b1*x1*x2 + b2*x2) belongs: the "
         "derivative of sin(u) is cos(u)"),
        (np.array([np.mean((p - y) * np.sin(inner) * x1 * x2),
                   np.mean((p - y) * np.sin(inner) * x2)]),
         "your gradient has sin(b1*x1*x2 + b2*x2) where cos(b1*x1*x2 + b2*x2) belongs: the "
         "derivative of sin(u) is cos(u)"),
        (np.array([np.mean(common * p * (1 - p) * x1 * x2), np.mean(common * p * (1 - p) * x2)]),
         "your gradient has an extra factor p(1 - p): the derivative of the cross-entropy of a "
         "sigmoid with respect to the logit is just p - y (the sigmoid's derivative cancels)"),
        (np.array([np.mean(slope * x1 * x2), np.mean(slope * x2)]),
         "your gradient has the sigmoid's slope p(1 - p) where p - y belongs: the derivative "
         "of the cross-entropy of a sigmoid with respect to the logit is p - y: the loss's "
         "derivative with respect to p, (p - y)/(p(1 - p)), times that slope p(1 - p)"),
        (np.array([np.mean(p_no_sin_common * x1 * x2), np.mean(p_no_sin_common * x2)]),
         no_sin_message),
        (np.array([np.mean((p_no_sin - y) * x1 * x2), np.mean((p_no_sin - y) * x2)]),
         no_sin_message),
        (np.array([np.mean(p_flipped_common * x1 * x2), np.mean(p_flipped_common * x2)]),
         "your p is sigmoid(-sin(u)), 1/(1 + exp(+sin(u))): the sign in the exponent is "
         "flipped. The sigmoid is p = 1/(1 + exp(-L)) with the logit L = sin(u) "
         "(u = b1*x1*x2 + b2*x2), so p > 0.5 where sin(u) > 0"),
        (np.array([np.mean(cos_sin * x1 * x2), np.mean(cos_sin * x2)]),
         "your gradient has cos(sin(u)) where cos(u) belongs (u = b1*x1*x2 + b2*x2): the "
         "derivative of sin(u) with respect to u is cos(u), taken at u itself"),
        (np.array([np.mean(dp_common * x1 * x2), np.mean(dp_common * x2)]),
         "your gradient has (p - y)/(p(1 - p)), the loss's derivative with respect to p, where "
         "its derivative with respect to the logit belongs: the chain rule also passes through "
         "the sigmoid, whose slope p(1 - p) cancels the denominator and leaves p - y"),
        (np.array([right[0], np.mean(common)]),
         "your d loss/d b2 is missing the factor x2: the derivative of b1*x1*x2 + b2*x2 with "
         "respect to b2 is x2"),
        (reference_grad(b, X[:, ::-1], y),
         "your x1 and x2 are swapped: x1 is the first column, X[:, 0], and x2 the second, "
         "X[:, 1]"),
        (reference_grad(b, X, 1 - y),
         "your gradient uses 1 - y where y belongs: the derivative of the cross-entropy with "
         "respect to the logit is p - y, with y the label (1 for class 1)"),
        # the model itself written wrong, the chain rule then followed through it (or not)
        (_model_slip(b, X, y, "no product", "x1"), no_product_message),
        (_model_slip(b, X, y, "no product", "x1*x2"), no_product_message),
        (_model_slip(b, X, y, "b swapped", "x1*x2"), b_swapped_message),
        (_model_slip(b, X, y, "b swapped", "swapped"), b_swapped_message),
    ]


def _model_slip(b, X, y, model, first):
    """The gradient of a model written wrong in u: "no product" (u = b1*x1 + b2*x2) or
    "b swapped" (u = b2*x1*x2 + b1*x2); ``first``: the factor of d loss/d b1 ("x1", "x1*x2",
    or "swapped": the two factors swapped with the b's, the gradient of the wrong model)."""
    x1, x2 = X[:, 0], X[:, 1]
    u = b[0] * x1 + b[1] * x2 if model == "no product" else b[1] * x1 * x2 + b[0] * x2
    p = 1.0 / (1.0 + np.exp(-np.sin(u)))
    common = (p - y) * np.cos(u)
    factors = {"x1": (x1, x2), "x1*x2": (x1 * x2, x2), "swapped": (x2, x1 * x2)}[first]
    return np.array([np.mean(common * factors[0]), np.mean(common * factors[1])])


def _grade_gradient(grad):
    for label, (X, y) in _data().items():
        for b in _B_POINTS:
            b = np.array(b)
            got = grad(fresh(b), fresh(X), fresh(y))
            where = f"at b = ({b[0]:g}, {b[1]:g})"
            try:
                shape = np.asarray(got, dtype=np.float64).shape
            except (TypeError, ValueError):
                shape = ()
            if len(shape) == 2 and shape[0] == 2 and shape[1] == len(y):
                return (f"your grad(b, X, y) {where} has shape {shape}: a row of {len(y)} "
                        f"values per parameter, one value per point; average each row over "
                        f"the points (np.mean(..., axis=1)) to get the 2 numbers "
                        f"(d loss/d b1, d loss/d b2)")
            if len(shape) >= 1 and shape[0] == len(y) and shape != (2,):
                return (f"your grad(b, X, y) {where} has shape {shape}, one value per point: "
                        f"average over the points to get the 2 numbers "
                        f"(d loss/d b1, d loss/d b2)")
            expected = sin_logistic_grad(b, X, y)
            problem = compare(f"your grad(b, X, y) {where}", got, expected)
            if problem is None:
                continue
            if "opposite sign" in problem:
                return (f"your grad(b, X, y) {where} has the opposite sign everywhere (a flipped "
                        f"sign): the cross-entropy's derivative with respect to the logit is "
                        f"p - y, not y - p")
            if "wrong value" not in problem:         # a shape, None or non-finite problem
                return problem
            got = np.asarray(got, dtype=np.float64)
            message = named_slip(got, _variants(b, X, y))
            if message:
                return f"{where}, {message}"
            b_var = b.copy()
            numerical = numerical_gradient(lambda: sin_logistic_loss(b_var, X, y), b_var)
            ok = [close(got[k], expected[k]) for k in range(2)]
            part = ""
            if ok[0] != ok[1]:
                part = (" (d loss/d b1 is right, d loss/d b2 is not)" if ok[0] else
                        " (d loss/d b2 is right, d loss/d b1 is not)")
            if label == "other":
                part += (": it is right on the lesson's data but not on another sample; does it "
                         "use the X and y it is given, not global variables?")
            verdict = gradient_problem(f"your grad(b, X, y) {where}", got, numerical, tol=1e-6)
            return (verdict or problem) + part
    return None


sin_logistic_gradient = Exercise(
    "sin_logistic_gradient", "Exercise 2a (the gradient of the sin-logistic loss)",
    _grade_gradient,
    hints=["The first two links, filled in: d loss_i/d p_i = -y_i/p_i + (1 - y_i)/(1 - p_i) "
           "= (p_i - y_i)/(p_i(1 - p_i)), and the sigmoid's slope is d p_i/d L_i = "
           "p_i(1 - p_i), so d loss_i/d L_i = p_i - y_i (the slope cancels); d L_i/d u_i = "
           "cos(u_i). So d loss_i/d b_j = (p_i - y_i) * cos(u_i) * d u_i/d b_j.",
           "The last link: d u/d b1 = x1*x2 and d u/d b2 = x2. Multiply the links point by "
           "point, then take the mean over the N points (the loss is a mean).",
           "u = b[0]*X[:, 0]*X[:, 1] + b[1]*X[:, 1]; p = 1/(1 + np.exp(-np.sin(u))); "
           "c = (p - y)*np.cos(u); return np.array([np.mean(c*X[:, 0]*X[:, 1]), "
           "np.mean(c*X[:, 1])])."],
    reference=reference_grad, answer_name="grad")


# ---------------------------------------------------------------- exercise 2b: the loop

def reference_momentum_descend(grad_fn, x0, lr, rho, steps):
    """Heavy-ball momentum in velocity form: v_t = rho v_{t-1} - lr f'(x_{t-1}),
    x_t = x_{t-1} + v_t, v_0 = 0. Returns x_0, x_1, ..., x_steps: (steps + 1,) or (steps + 1, d)."""
    x = np.array(x0, dtype=np.float64)
    v = np.zeros_like(x)
    path = [x.copy()]
    for _ in range(steps):
        v = rho * v - lr * np.asarray(grad_fn(x))
        x = x + v
        path.append(x.copy())
    return np.array(path)


def _position_form(grad_fn, x0, lr, rho, steps, sign=1.0, momentum_sign=1.0, first="none",
                   keep_prev=False):
    """x_t = x_{t-1} - sign lr f'(x_{t-1}) + momentum_sign rho (x_{t-1} - x_{t-2}), for the
    diagnoses; first="zero" takes x_{-1} = 0 instead of x_0 (momentum on the first step);
    keep_prev: x_prev is never updated (stays x_0)."""
    x_prev = np.zeros_like(np.asarray(x0, dtype=np.float64)) if first == "zero" else \
        np.array(x0, dtype=np.float64)
    x = np.array(x0, dtype=np.float64)
    path = [x.copy()]
    with np.errstate(all="ignore"):
        for _ in range(steps):
            x, x_prev = (x - sign * lr * np.asarray(grad_fn(x))
                         + momentum_sign * rho * (x - x_prev)), (x_prev if keep_prev else x)
            path.append(x.copy())
    return np.array(path)


def _two_param_grad():
    X, y = _data()["lesson"]
    return lambda b: sin_logistic_grad(b, X, y)


# (description, gradient, x0, lr, rho, steps)
# The lesson's run (lr 0.1 = 1 - rho) is not first: there the average form of momentum and "lr
# applied twice" give the same run, and the first failing case is the one diagnosed. Nor is rho
# 0.5 used first: there v = rho * (v - lr f') and the average form give the same run.
_CASES = [
    ("the quartic from -3, lr 0.02, rho 0.6, 12 steps", quartic_grad, -3.0, 0.02, 0.6, 12),
    ("the quartic from 0.5, lr 0.1, rho 0.9, 29 steps", quartic_grad, 0.5, 0.1, 0.9, 29),
    ("x^2 from 0.5, lr 1.02, rho 0.9, 29 steps", square_grad, 0.5, 1.02, 0.9, 29),
    ("the quartic from 1, lr 0.03, rho 0 (plain GD), 6 steps", quartic_grad, 1.0, 0.03, 0.0, 6),
    ("the sin-logistic loss from b = (0, 0), lr 0.1, rho 0.9, 20 steps", None, (0.0, 0.0), 0.1,
     0.9, 20),
]


def _variant_form(grad_fn, x0, lr, rho, steps, kind):
    """Heavy ball written with one usual slip, or another convention, for the diagnoses.
    "average": v = rho v + (1 - rho) f'(x), x = x - lr v (an exponential moving average of the
    gradients, as in Adam's m): right in spirit, another run; "nesterov": the look-ahead
    gradient; "lr twice", "x first", "rho bracket" (v = rho (v - lr f')), "v0 step" (v starts
    at -lr f'(x_0)), "stale" (the gradient at the previous x): slips."""
    x = np.array(x0, dtype=np.float64)
    v = -lr * np.asarray(grad_fn(x)) if kind == "v0 step" else np.zeros_like(x)
    g_prev = np.asarray(grad_fn(x))
    path = [x.copy()]
    for _ in range(steps):
        if kind in ("v0 step", "rho bracket"):
            v = rho * v - lr * np.asarray(grad_fn(x)) if kind == "v0 step" else \
                rho * (v - lr * np.asarray(grad_fn(x)))
            x = x + v
        elif kind == "stale":
            v = rho * v - lr * g_prev
            g_prev = np.asarray(grad_fn(x))
            x = x + v
        elif kind == "nesterov":
            v = rho * v - lr * np.asarray(grad_fn(x + rho * v))
            x = x + v
        elif kind == "lr twice":
            v = rho * v - lr * np.asarray(grad_fn(x))
            x = x + lr * v
        elif kind == "x first":
            x = x + v
            v = rho * v - lr * np.asarray(grad_fn(x))
        elif kind == "average":
            v = rho * v + (1 - rho) * np.asarray(grad_fn(x))
            x = x - lr * v
        path.append(x.copy())
    return np.array(path)


# float(x0), int(x0) or math.* on the two-parameter case's array: NumPy's message for turning
# an array of 2 numbers into one ("only 0-dimensional arrays ...", "only length-1 arrays ...")
_SCALAR_ONLY = re.compile(r"(?<![\w.])(float|int|math\.\w+)\(")


def _two_parameter_crash(exc, what):
    """The message for a crash in the learner's code on the two-parameter case (every case
    before it has one number for x0, so what changed is that x0 and the gradient are arrays of
    2 numbers), or None when the crash is not in the learner's code."""
    frames = learner_frames(exc)
    if not frames:
        return None
    line = frames[-1].line or ""
    found = _SCALAR_ONLY.search(line)
    scalar = "converted to Python scalars" in str(exc) or "length-1" in str(exc)
    message = (f"your momentum_descend on {what} raised {describe_exception(exc)}. In this "
               f"case x0 is an array of 2 numbers, (b1, b2), and grad_fn(x) returns 2 numbers "
               f"(the cases before it passed one number)")
    if found and scalar:
        return (f"{message}: {found.group(1)}(...) turns one number into a Python number and "
                f"fails on an array of 2; write x = np.array(x0, dtype=float), which works "
                f"for both")
    if "truth value of an array" in str(exc):
        # not explain_crash's loop advice: here the array is x itself, of 2 numbers
        return (f"{message}: a comparison such as x > 0 now gives one answer per number, and "
                f"`if` (or and, or, not) needs a single one")
    explanation = explain_crash(exc)
    return f"{message}; {explanation}" if explanation else message


def _grade_loop(momentum_descend):
    for what, grad_fn, x0, lr, rho, steps in _CASES:
        grad_fn = grad_fn or _two_param_grad()
        # the expected path first, from the checker's own start: the learner's loop may change
        # the array it is given (x = x0; x += v), and must not be blamed for that
        expected = descend(grad_fn, fresh(x0), SGD(lr=lr, momentum=rho), steps)
        start = np.array(x0, dtype=np.float64) if np.ndim(x0) else float(x0)
        name = f"your momentum_descend on {what}"
        if np.ndim(x0):
            try:
                got = momentum_descend(grad_fn, start, lr, rho, steps)
            except (TypeError, ValueError) as exc:
                problem = _two_parameter_crash(exc, what)
                if problem is None:
                    raise
                return problem
        else:
            got = momentum_descend(grad_fn, start, lr, rho, steps)
        if isinstance(got, tuple) and len(got) != steps + 1:
            return (f"{name} returned a tuple of {len(got)} things (`return path, v` or the "
                    f"like); return the path alone: one array of x0 and the {steps} iterates, "
                    f"shape ({steps + 1},) or ({steps + 1}, d)")
        arr, problem = path_length_problem(name, got, expected, steps)
        if problem:
            return problem
        problem = compare(name, got, expected)
        if problem is None:
            continue
        if not any(k in problem for k in ("wrong value", "opposite sign", "non-finite")):
            return problem
        if steps > 1 and np.isfinite(arr).all() and (arr == arr[-1]).all() and \
                not (expected == expected[-1]).all():
            return (f"{name}: every value is the same, the last one: you appended one array "
                    f"and then changed it in place (x += ...); append a copy (x.copy()) or "
                    f"write x = x + v")
        if not close(arr[0], expected[0]):
            return (f"{name}: the first value should be the start x0 = {show(expected[0])}, "
                    f"got {show(arr[0])}")
        diagnoses = [
            (_position_form(grad_fn, x0, lr, rho, steps, momentum_sign=0.0),
             "your path is plain gradient descent: rho is never used. Keep the velocity between "
             "steps: v = rho * v - lr * f'(x), then x = x + v"),
            (_position_form(grad_fn, x0, lr, rho, steps, sign=-1.0),
             "the steps go uphill: subtract lr * f'(x), the gradient points up the slope"),
            (_position_form(grad_fn, x0, lr, rho, steps, momentum_sign=-1.0),
             "the momentum term has the wrong sign: the velocity keeps the last move's "
             "direction, v_t = rho * v_{t-1} - lr * f'(x_{t-1})"),
            (_position_form(grad_fn, x0, lr, rho, steps, first="zero"),
             "the first step is not plain gradient descent: start with the velocity v = 0"),
            (_variant_form(grad_fn, x0, lr, rho, steps, "nesterov"),
             "you wrote Nesterov's momentum, which takes the gradient at the look-ahead point "
             "x + rho * v: a real (and good) variant, but this exercise and lessonlib's SGD use "
             "the plain heavy ball, the gradient at x itself: v = rho * v - lr * f'(x)"),
            (_variant_form(grad_fn, x0, lr, rho, steps, "lr twice"),
             "lr is applied twice: the velocity already holds - lr * f'(x), so the move is "
             "x = x + v, not x + lr * v"),
            (_variant_form(grad_fn, x0, lr, rho, steps, "x first"),
             "x moves by the old velocity before v is updated (the first update does not move "
             "x at all): compute the new v first, then x = x + v"),
            (_position_form(grad_fn, x0, lr, rho, steps, keep_prev=True),
             "x_prev is never updated: the momentum term rho * (x - x_prev) must use the last "
             "move, so after each step set x_prev to the x you just left"),
            (_variant_form(grad_fn, x0, lr, rho, steps, "v0 step"),
             "your velocity starts at - lr * f'(x0) instead of 0, so the first update moves "
             "(1 + rho) plain steps: start with v = 0 (the first update is a plain gradient "
             "step)"),
            (_variant_form(grad_fn, x0, lr, rho, steps, "stale"),
             "your gradient is one step late: each update uses f' at the x before the last "
             "one; compute grad_fn(x) at the current x inside the loop"),
            (_variant_form(grad_fn, x0, lr, rho, steps, "rho bracket")
             if abs(rho - (1 - rho)) > 1e-12 else None,
             "rho multiplies the gradient step too: your run is that of v = rho * (v - lr * "
             "f'(x)), x = x + v, and also of v = rho * v - lr * f'(x), x = x + rho * v (both "
             "forms give this run). Only the old velocity is scaled, and x moves by the whole "
             "new one: v = rho * v - lr * f'(x), then x = x + v"),
            (_variant_form(grad_fn, x0, lr, rho, steps, "average")
             if abs(lr - (1 - rho)) > 1e-12 else None,
             "you wrote momentum as an average of the gradients, v = rho * v + (1 - rho) * "
             "f'(x), x = x - lr * v (the form Adam uses for m). That is a real variant, but its "
             "steps are (1 - rho) times smaller; this exercise (and lessonlib's SGD) uses the "
             "heavy-ball form v = rho * v - lr * f'(x), x = x + v"),
        ]
        for value, message in diagnoses:
            if value is not None and same_run(arr, value):
                return f"{name}: {message}"
        return problem
    return None


# ---------------------------------------------------------------- the two answers together

# The notes' exercise 1 (the lesson's cell after its own runs): lr 0.1 from b = (0, 0), 100
# updates, plain gradient descent and momentum 0.9.
LESSON_RUNS = {"lr": 0.1, "steps": 100, "momenta": {0.0: "plain GD", 0.9: "momentum 0.9"}}


def _verdict(exercise, fn):
    """How ``fn`` fares on ``exercise``'s check, in a few words ("passes" when right)."""
    try:
        return "passes" if exercise.grade(fn) is None else "not right yet"
    except NotAttempted:
        return "not attempted yet"


class LoopExercise(Exercise):
    """Exercise 2b, with ``lesson_runs``: the notes' exercise 1 run with the learner's two
    answers (the loop of 2b calling the gradient of 2a) beside lessonlib's run."""

    def lesson_runs(self, momentum_descend, grad, X, y):
        """[(label, lessonlib's path, the learner's path or None)] for plain gradient descent
        and momentum 0.9 (``LESSON_RUNS``) on the data X, y: lessonlib's ``sin_logistic_descend``
        with ``SGD``, and ``momentum_descend(lambda b: grad(b, X, y), np.zeros(2), lr, rho,
        steps)`` (grad given fresh copies, as in its check) once both answers pass their checks;
        until then None, and a line says so. Prints how far the learner's paths lie from
        lessonlib's."""
        lr, steps = LESSON_RUNS["lr"], LESSON_RUNS["steps"]
        runs = [(label, sin_logistic_descend(X, y, SGD(lr=lr, momentum=rho), steps)[0], None)
                for rho, label in LESSON_RUNS["momenta"].items()]
        verdicts = {"grad (exercise 2a)": _verdict(sin_logistic_gradient, grad),
                    f"{self.answer_name} (exercise 2b)": _verdict(self, momentum_descend)}
        if set(verdicts.values()) != {"passes"}:
            print("Only lessonlib's runs are drawn: yours appear on them once your grad and your "
                  "momentum_descend both pass their checks (" +
                  "; ".join(f"{name}: {verdict}" for name, verdict in verdicts.items()) + ").")
            return runs
        theirs = []
        for (label, path, _), rho in zip(runs, LESSON_RUNS["momenta"]):
            try:
                with np.errstate(all="ignore"):
                    mine = np.asarray(momentum_descend(
                        lambda b: grad(fresh(b), fresh(X), fresh(y)), np.zeros(2), lr, rho,
                        steps), dtype=np.float64)
            except Exception as exc:          # shown, not raised, as a check would
                print(f"Only lessonlib's runs are drawn: your momentum_descend with your grad "
                      f"raised {describe_exception(exc)} on the {label} run.")
                return runs
            if mine.shape != path.shape:
                print(f"Only lessonlib's runs are drawn: your {label} run has shape "
                      f"{mine.shape}, lessonlib's {path.shape}.")
                return runs
            far = np.abs(mine - path).max()
            print(f"{label:>12}: yours ends at b = ({mine[-1, 0]:.3f}, {mine[-1, 1]:.3f}), "
                  f"lessonlib's at ({path[-1, 0]:.3f}, {path[-1, 1]:.3f}); the largest gap "
                  f"between the two paths: {far:.1e}")
            theirs.append((label, path, mine, far))
        if max(far for *_, far in theirs) < 1e-3:
            print("Your paths lie on lessonlib's: the notes' exercise 1, in your own code.")
        else:
            print("Your paths and lessonlib's part by more than 0.001 somewhere (rounding, "
                  "e.g. float32, grows along a run): the figure shows where.")
        return [(label, path, mine) for label, path, mine, _ in theirs]


heavy_ball = LoopExercise(
    "heavy_ball", "Exercise 2b (momentum as a loop)", _grade_loop,
    hints=["Keep two things between steps: x and the velocity v (start v at 0, or at an array "
           "of zeros like x). Collect x_0 and every new x in a list; steps updates give "
           "steps + 1 values.",
           "Each step: v = rho * v - lr * grad_fn(x), then x = x + v. Writing x = x + v (a new "
           "array) rather than x += v keeps the values already in your list unchanged.",
           "x = np.array(x0, dtype=float); v = np.zeros_like(x); path = [x.copy()]; repeat "
           "steps times: v = rho*v - lr*np.asarray(grad_fn(x)); x = x + v; "
           "path.append(x.copy()). Return np.array(path)."],
    reference=reference_momentum_descend, answer_name="momentum_descend")
