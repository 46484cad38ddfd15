"""Lesson 03's exercises, an MLP with ReLU and momentum (the notes' exercise 2):

- ``relu_layer_backward``: the backward pass of one hidden layer h = ReLU(x @ W + b);
- ``momentum_step``: one heavy-ball update of a weight array;
- ``train_mlp``: the whole training loop of the rings MLP, full batch, with momentum.
"""
import numpy as np

from ..data import make_rings
from ..gradcheck import numerical_gradient
from ..optim import SGD
from ._kit import (Exercise, changed_input, close, compare, fresh, gradient_problem,
                   learner_frames, named_slip, shape_problem, unpack_returned)
from ._training import Case, MomentumCheck, TrainerExercise, initial_params, rings_runs

__all__ = ["relu_layer_backward", "momentum_step", "train_mlp"]


# ---------------------------------------------------------------- exercise 3a

def reference_relu_layer_backward(dh, x, W, z):
    """Backward through z = x @ W + b, h = ReLU(z): dh (N, n_out) -> (dx, dW, db)."""
    dz = dh * (z > 0)           # ReLU lets the gradient through where it was active
    dx = dz @ W.T               # (N, n_in)
    dW = x.T @ dz               # (n_in, n_out)
    db = dz.sum(axis=0)         # (n_out,): b is added to every row, so its gradient sums them
    return dx, dW, db


def _backward_from_dz(dz, x, W):
    """(dx, dW, db) from a given dz: how the checker rebuilds a slip in the activation step."""
    return dz @ W.T, x.T @ dz, dz.sum(axis=0)


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


def _kink_case(n, n_in, n_out, seed):
    """Like _layer_case, but with small whole numbers, so that some z are exactly 0: ReLU's
    kink, where the lesson (and lessonlib) take its derivative as 0."""
    rng = np.random.default_rng(seed)
    while True:
        W = rng.integers(-2, 3, (n_in, n_out)).astype(float)
        b = rng.integers(-1, 2, n_out).astype(float)
        x = rng.integers(-2, 3, (n, n_in)).astype(float)
        z = x @ W + b
        dh = rng.standard_normal((n, n_out))
        if (z == 0).sum() >= 3 and (z > 0).any() and (z < 0).any():
            return x, W, b, z, dh


# (N, n_in, n_out, seed, kink): N, n_in and n_out all differ, so a shape says which axis is
# wrong; the last case has some z exactly 0
_LAYER_CASES = [(6, 4, 3, 0, False), (9, 2, 5, 1, False), (7, 3, 4, 2, True)]


def _numerical_layer_grads(x, W, b, dh):
    """Numerical d/dx, d/dW, d/db of sum(ReLU(x @ W + b) * dh)."""
    x, W, b = x.copy(), W.copy(), b.copy()

    def f():
        return float(np.sum(np.maximum(x @ W + b, 0.0) * dh))

    return numerical_gradient(f, x), numerical_gradient(f, W), numerical_gradient(f, b)


def _mismatch(exc, x, W, dh):
    """A message for a matrix product whose shapes do not fit, else None."""
    if not isinstance(exc, ValueError) or not ("matmul" in str(exc) or "align" in str(exc)):
        return None
    frames = learner_frames(exc)
    where = f" (line {frames[-1].lineno}: `{(frames[-1].line or '').strip()}`)" if frames else ""
    return (f"a matrix product in your function has shapes that do not fit{where}. Here dh and "
            f"dz are {dh.shape} (N, n_out), W is {W.shape} (n_in, n_out) and x is {x.shape} "
            f"(N, n_in): dx = dz @ W.T and dW = x.T @ dz (W and x transposed)")


def _grade_layer(fn):
    names = ("dx", "dW", "db")
    for n, n_in, n_out, seed, kink in _LAYER_CASES:
        x, W, b, z, dh = (_kink_case if kink else _layer_case)(n, n_in, n_out, seed)
        # every expected value from the checker's own arrays, before the learner's code runs
        expected = reference_relu_layer_backward(dh, x, W, z)
        unmasked = reference_relu_layer_backward(dh, x, W, np.ones_like(z))
        inverted = reference_relu_layer_backward(dh, x, W, -z)
        at_kink = reference_relu_layer_backward(dh, x, W, np.where(z == 0, 1.0, z))
        by_h = _backward_from_dz(dh * np.maximum(z, 0.0), x, W)
        slope = 1.0 / (1.0 + np.exp(-z))
        by_sigmoid = _backward_from_dz(dh * slope * (1.0 - slope), x, W)
        args = [fresh(dh), fresh(x), fresh(W), fresh(z)]
        try:
            result = fn(*args)
        except ValueError as exc:
            message = _mismatch(exc, x, W, dh)
            if message is None:
                raise
            return message
        where = f"(x of shape {x.shape}, W {W.shape}{', some z exactly 0' if kink else ''})"
        triple, problem = unpack_returned(result, "relu_layer_backward", names)
        if problem:
            return problem
        shapes = {"dx": "x's shape", "dW": "W's shape", "db": "b's shape, one value per unit"}
        # 1. shapes, with the usual reasons
        for name, got, exp in zip(names, triple, expected):
            problem = shape_problem(f"your {name} {where}", got, exp.shape)
            if problem is None:
                continue
            if got is None:
                return problem
            shape = np.shape(got)
            if name == "dx" and shape == W.shape and np.shape(triple[1]) == x.shape:
                return (f"your dx has shape {shape}, W's shape, and your dW has x's shape "
                        f"{where}: return the three in the order dx, dW, db")
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
        for name, g in zip(names, got):
            if not np.isfinite(g).all():
                what = "NaN (not a number)" if np.isnan(g).any() else "inf"
                return (f"your {name} {where} contains {what}, at {int((~np.isfinite(g)).sum())} "
                        f"of its {g.size} entries: every input here is an ordinary finite "
                        f"number, so it came from your code (a division by 0, 0 * inf, or an "
                        f"np.empty array not filled everywhere)")
        problems = [compare(f"your {name} {where}", g, e)
                    for name, g, e in zip(names, got, expected)]
        if not any(problems):
            changed = changed_input([("dh", dh), ("x", x), ("W", W), ("z", z)], args)
            if changed:
                return changed
            continue
        # 2. the classic slips, each with its own message
        if problems[2] and close(got[2], np.zeros_like(expected[2])):
            return ("your db is all zeros: the bias gradient is missing. b is added to every "
                    "row of x @ W, so db is dz summed over the batch")
        for k, name in enumerate(names):
            if problems[k] is None:
                continue
            message = named_slip(got[k], [
                (unmasked[k], f"your {name} ignores ReLU's derivative: first set the gradient "
                              f"to 0 where z <= 0 (dz = dh * (z > 0)), then use dz"),
                (at_kink[k] if kink else None,
                 f"your {name} lets the gradient through where z == 0 {where}: at z == 0 the "
                 f"ReLU passes nothing (the lesson takes its derivative there as 0, as "
                 f"lessonlib does): use z > 0, not z >= 0"),
                (inverted[k], f"your {name} lets the gradient through where z < 0 instead of "
                              f"z > 0: the ReLU mask is inverted"),
                (by_h[k], f"your {name} multiplies the gradient by h = ReLU(z) itself "
                          f"(dz = dh * h): ReLU's derivative is 1 where z > 0, not z, so "
                          f"dz = dh * (z > 0)"),
                (by_sigmoid[k], f"your {name} uses the sigmoid's derivative S(z)(1 - S(z)): "
                                f"this layer is a ReLU, whose derivative is 1 where z > 0 and "
                                f"0 elsewhere, dz = dh * (z > 0)"),
                (expected[k] / n, f"your {name} is {n} times too small (N = {n}): you divided "
                                  f"by N. dh already is the gradient of the mean loss, so the "
                                  f"1/N is in it; do not average again"),
                (expected[k] * n, f"your {name} is {n} times too large (N = {n})"),
            ])
            if message:
                return message
        # 3. against a numerical gradient (not at the kink, where it has none)
        if kink:
            return next(p for p in problems if p)
        numerical = _numerical_layer_grads(x, W, b, dh)
        for name, g, num, problem in zip(names, got, numerical, problems):
            if problem:
                return gradient_problem(f"your {name} {where}", g, num, tol=1e-6) or problem
    return None


relu_layer_backward = Exercise(
    "relu_layer_backward", "Exercise 3a (backward through a ReLU layer)", _grade_layer,
    hints=["Go backwards one step at a time. h = ReLU(z): the gradient passes where z > 0 and "
           "is 0 elsewhere; that gives dz, shape (N, n_out). Then z = x @ W + b gives the three "
           "gradients from dz.",
           "dz = dh * (z > 0). Shapes tell you the order of each product: dW must be "
           "(n_in, n_out), so it is x.T @ dz; dx must be (N, n_in), so it is dz @ W.T.",
           "dz = dh * (z > 0); dx = dz @ W.T; dW = x.T @ dz; db = dz.sum(axis=0); "
           "return dx, dW, db. (No division by N: dh already carries the 1/N of the mean loss.)"],
    reference=reference_relu_layer_backward)


# ---------------------------------------------------------------- exercise 3b

def reference_momentum_step(w, v, grad, lr, rho):
    """One heavy-ball step: v_new = rho * v - lr * grad, w_new = w + v_new."""
    v_new = rho * v - lr * grad
    w_new = w + v_new
    return w_new, v_new


# (shape, lr, rho, velocity: "zero" or "random", seed). A non-zero velocity first: with v = 0
# several slips give the same numbers, and the diagnosis could not tell them apart.
_STEP_CASES = [((3, 4), 0.1, 0.9, "random", 1), ((3, 4), 0.1, 0.9, "zero", 0),
               ((5,), 0.05, 0.5, "random", 2), ((2, 3), 0.2, 0.0, "random", 3)]


def _step_slips(w, v, grad, lr, rho, case):
    """(the pair (w_new, v_new) a usual slip returns, its message), for named_slip."""
    pair = lambda w_new, v_new: np.stack([w_new, v_new])
    v_right = rho * v - lr * grad
    notes = rho * v + lr * grad
    ema = rho * v + (1 - rho) * grad
    unscaled = rho * v - grad
    no_rho = v - lr * grad
    rho_outside = rho * (v - lr * grad)
    return [
        (pair(v_right, w + v_right),
         f"your two results are swapped {case}: return w_new, v_new in that order"),
        (pair(w + v_right, -v_right),
         f"your w_new is right but v_new has the opposite sign {case}. The notes keep "
         f"M = rho*M + lr*grad and subtract it; here the velocity is the move itself: "
         f"v_new = rho*v - lr*grad and w_new = w + v_new"),
        (pair(w - v_right, v_right),
         f"your v_new is right, but w_new = w - v_new moves the wrong way {case}: the velocity "
         f"is the move itself (the -lr*grad in it already points downhill), so w_new = w + "
         f"v_new"),
        (pair(w - notes, notes),
         f"your step uses the notes' sign convention (M = rho*M + lr*grad, w - M) {case}; "
         f"here the velocity is the move itself: v_new = rho*v - lr*grad, w_new = w + v_new"),
        (pair(w - lr * ema, ema),
         f"you wrote momentum as an average of the gradients {case}, v = rho*v + (1 - rho)*grad, "
         f"w = w - lr*v (the form Adam uses for m). That is a real variant, but its steps are "
         f"(1 - rho) times smaller; here (and in lessonlib's SGD) the velocity is the move "
         f"itself: v_new = rho*v - lr*grad, w_new = w + v_new"),
        (pair(w + lr * unscaled, unscaled),
         f"your velocity leaves out lr {case}: v = rho*v - grad with w = w + lr*v is a fine "
         f"way to write a loop, but this function's v is the move itself, v_new = rho*v - "
         f"lr*grad, so that w_new = w + v_new"),
        (pair(w + notes, notes),
         f"your step goes uphill {case}: subtract lr * grad, the gradient points up the slope"),
        (pair(w - rho * v - lr * grad, -rho * v - lr * grad),
         f"your momentum term has the wrong sign {case}: the velocity keeps the last move's "
         f"direction, v_new = rho*v - lr*grad"),
        (pair(w + v, v_right),
         f"your v_new is right, but w moved by the old velocity v {case}: update v first, "
         f"then w_new = w + v_new"),
        (pair(w + v_right, v),
         f"your w_new is right, but the v_new you returned is the old velocity v {case}: "
         f"return the new one, v_new = rho*v - lr*grad"),
        (pair(w + (lr * v - rho * grad), lr * v - rho * grad),
         f"lr and rho are swapped in your step {case}: v_new = rho*v - lr*grad"),
        (pair(w + no_rho, no_rho),
         f"your velocity leaves out rho {case}: v_new = v - lr*grad keeps all of the old "
         f"velocity; it keeps a share rho of it, v_new = rho*v - lr*grad"),
        (pair(w + rho_outside, rho_outside),
         f"your velocity is rho*(v - lr*grad) {case}: rho shrinks the new gradient step too; "
         f"only the old velocity is scaled, v_new = rho*v - lr*grad"),
        (pair(w + rho * v_right - lr * grad, v_right),
         f"your v_new is right, but w_new = w + rho*v_new - lr*grad is Nesterov's step "
         f"{case} (it looks ahead along the velocity). This exercise is the plain (heavy-ball) "
         f"step, as lessonlib's SGD does it: w_new = w + v_new"),
    ]


def _grade_step(fn):
    for shape, lr, rho, velocity, seed in _STEP_CASES:
        rng = np.random.default_rng(seed)
        w = rng.standard_normal(shape)
        v = np.zeros(shape) if velocity == "zero" else 0.3 * rng.standard_normal(shape)
        grad = rng.standard_normal(shape)
        case = f"(lr {lr:g}, rho {rho:g}, {'v = 0' if velocity == 'zero' else 'v not 0'})"
        w_exp, v_exp = reference_momentum_step(w, v, grad, lr, rho)     # before the call
        args = [fresh(w), fresh(v), fresh(grad)]
        result = fn(*args, lr, rho)
        result, problem = unpack_returned(result, "momentum_step", ("w_new", "v_new"))
        if problem:
            return problem
        for name, got, exp in (("w_new", result[0], w_exp), ("v_new", result[1], v_exp)):
            problem = shape_problem(f"your {name} {case}", got, exp.shape)
            if problem:
                return problem
        w_got = np.asarray(result[0], dtype=np.float64)
        v_got = np.asarray(result[1], dtype=np.float64)
        w_problem = compare(f"your w_new {case}", w_got, w_exp)
        v_problem = compare(f"your v_new {case}", v_got, v_exp)
        if not w_problem and not v_problem:
            changed = changed_input([("w", w), ("v", v), ("grad", grad)], args)
            if changed:
                return changed
            continue
        message = named_slip(np.stack([w_got, v_got]), _step_slips(w, v, grad, lr, rho, case))
        if message:
            return message
        if rho and velocity == "random" and close(w_got, w - lr * grad):
            return (f"your w_new is a plain gradient step {case}: it ignores the velocity; "
                    f"w_new = w + v_new with v_new = rho*v - lr*grad")
        scaled = _scaled_parts(v_got, v, grad, lr, rho, case) if velocity == "random" else None
        return scaled or v_problem or w_problem
    return None


def _scaled_parts(v_got, v, grad, lr, rho, case):
    """A v_new made of the right two parts, rho*v and -lr*grad, with the wrong weights (2*lr,
    rho**2, ...): name the factors. None if v_new is not of that form, or rho is 0."""
    if not rho:
        return None
    parts = np.column_stack([(rho * v).ravel(), (-lr * grad).ravel()])
    (a, b), *_ = np.linalg.lstsq(parts, v_got.ravel(), rcond=None)
    if not close(v_got, (parts @ [a, b]).reshape(v_got.shape)):
        return None
    if not np.any(v_got) or np.allclose([a, b], 1.0, rtol=1e-3, atol=0):
        return None                      # all zeros, or v_new is right: the problem is elsewhere
    a, b = (0.0 if abs(c) < 1e-9 else float(c) for c in (a, b))     # not rounding noise
    return (f"your v_new {case} is {a:.3g} times rho*v plus {b:.3g} times -lr*grad; both "
            f"factors should be 1: v_new = rho*v - lr*grad")


momentum_step = Exercise(
    "momentum_step", "Exercise 3b (one momentum step)", _grade_step,
    hints=["Two lines, as in lesson 02: first the new velocity from the old one and the "
           "gradient, then the new weights from the new velocity.",
           "The velocity is the move itself: it keeps rho of the last move and adds a step "
           "downhill, -lr * grad. The weights then move by that velocity.",
           "v_new = rho * v - lr * grad; w_new = w + v_new; return w_new, v_new."],
    reference=reference_momentum_step)


# ---------------------------------------------------------------- exercise 3c: the whole loop

def reference_train_mlp(params, X, y, lr, rho, iterations):
    """Full-batch gradient descent with momentum for the rings MLP: two hidden ReLU layers
    (W1, b1, W2, b2), the output layer (W3, b3), softmax and the mean cross-entropy.
    Returns (params, losses): the trained arrays and the loss before every update."""
    params = {key: np.array(value, dtype=float) for key, value in params.items()}
    velocity = {key: np.zeros_like(value) for key, value in params.items()}
    n = len(y)
    rows = np.arange(n)
    losses = []
    for _ in range(iterations):
        # forward: z_k = h_(k-1) @ W_k + b_k, ReLU on the two hidden layers
        z1 = X @ params["W1"] + params["b1"]
        h1 = np.maximum(z1, 0.0)
        z2 = h1 @ params["W2"] + params["b2"]
        h2 = np.maximum(z2, 0.0)
        logits = h2 @ params["W3"] + params["b3"]
        shifted = logits - logits.max(axis=1, keepdims=True)      # exp cannot overflow
        log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        losses.append(-log_p[rows, y].mean())
        # backward: d loss/d logits = (p - onehot) / N, then layer by layer
        dz3 = np.exp(log_p)
        dz3[rows, y] -= 1.0
        dz3 /= n
        grads = {"W3": h2.T @ dz3, "b3": dz3.sum(axis=0)}
        dz2 = (dz3 @ params["W3"].T) * (z2 > 0)
        grads["W2"], grads["b2"] = h1.T @ dz2, dz2.sum(axis=0)
        dz1 = (dz2 @ params["W2"].T) * (z1 > 0)
        grads["W1"], grads["b1"] = X.T @ dz1, dz1.sum(axis=0)
        # momentum: one velocity per array, all gradients computed before any update
        for key in params:
            velocity[key] = rho * velocity[key] - lr * grads[key]
            params[key] = params[key] + velocity[key]
    return params, np.array(losses)


class _FullBatch(MomentumCheck):
    function = "train_mlp"

    def call(self, fn, case, hyper, steps, rng, X):
        return fn(fresh(case.params), X, fresh(case.y), hyper["lr"], hyper["rho"],
                  steps["iterations"])


def _small_params(hidden, seed):
    """lessonlib's initial weights, with biases that are not 0, so that a forward pass that
    leaves a bias out shows in the first loss."""
    params = initial_params(hidden, "normal", seed)
    rng = np.random.default_rng(seed + 100)
    for k in (1, 2, 3):
        params[f"b{k}"] = rng.normal(0.0, 0.5, size=params[f"b{k}"].shape)
    return params


TRAIN_SEED = 0              # the lesson's SEED
TRAIN_ITERATIONS = 1000     # the run drawn beside the learner's


def _cases():
    X_small, y_small = make_rings(n=12, seed=4)
    X, y = make_rings(n=300, seed=TRAIN_SEED)
    return [
        Case("12 rings points (hidden widths 4 and 3)",
             X_small, y_small, _small_params((4, 3), 3), dict(lr=0.05, rho=0.8), iterations=6),
        Case("the lesson's rings (300 points, hidden widths 20 and 20)", X, y,
             initial_params((20, 20), "normal", TRAIN_SEED), dict(lr=0.1, rho=0.9),
             iterations=60, long_run=True),
    ]


_CHECK = {}


def _grade_trainer(fn):
    if "check" not in _CHECK:
        _CHECK["check"] = _FullBatch(_cases())
    return _CHECK["check"].grade(fn)


def _lesson_run(fn):
    """lessonlib's run of the lesson's setting (1000 iterations), and the learner's trainer."""
    def call(fn, params, X, y):
        return fn(params, X, y, 0.1, 0.9, TRAIN_ITERATIONS)
    return rings_runs(fn, call, SGD(lr=0.1, momentum=0.9), "normal", TRAIN_ITERATIONS)


train_mlp = TrainerExercise(
    "train_mlp", "Exercise 3c (the whole training loop)", _grade_trainer,
    hints=["Three parts per iteration, in this order: the forward pass (z1, h1, z2, h2, the "
           "logits, the softmax and the mean loss, appended to losses), the backward pass "
           "(gradients of all six arrays, output layer first) and the update (one velocity "
           "per array, zero at the start, kept across iterations).",
           "Backward: d loss/d logits = (p - onehot) / N; then for each layer dW = h_in.T @ dz "
           "and db = dz.sum(axis=0), and dz of the layer below = (dz @ W.T) * (z_below > 0), "
           "which is your relu_layer_backward. Compute all six gradients before changing any "
           "weight; then, for every key, v = rho * v - lr * grad and W = W + v (your "
           "momentum_step).",
           "z1 = X @ W1 + b1; h1 = np.maximum(z1, 0); z2 = h1 @ W2 + b2; "
           "h2 = np.maximum(z2, 0); logits = h2 @ W3 + b3; "
           "log_p = logits - max - log(sum exp(logits - max)); "
           "loss = -log_p[np.arange(N), y].mean(). "
           "dz3 = exp(log_p), dz3[np.arange(N), y] -= 1, dz3 /= N; "
           "dW3 = h2.T @ dz3, db3 = dz3.sum(0); dz2 = (dz3 @ W3.T) * (z2 > 0); dW2 = h1.T @ dz2; "
           "dz1 = (dz2 @ W2.T) * (z1 > 0); dW1 = X.T @ dz1; then the momentum step for all six."],
    reference=reference_train_mlp,
    lesson_run=("lessonlib (MLP.fit, SGD)", "your train_mlp", _lesson_run))
