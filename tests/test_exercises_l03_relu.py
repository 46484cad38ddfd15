"""Lesson 03's exercises: the references pass, the typical slips get their own message, a stub
is "not attempted yet", and nothing ever shows a traceback."""
import numpy as np
import pytest

from lessonlib import exercises
from lessonlib.layers import Linear, ReLU

LAYER = exercises.relu_layer_backward
STEP = exercises.momentum_step


# ---------------------------------------------------------------- exercise 3a

def _backward(dh, x, W, z, *, mask="z>0", divide=False, bias="sum", dw="x.T@dz", dx="dz@W.T"):
    """The reference with one slip switched on."""
    dz = {"z>0": dh * (z > 0), "none": dh, "z<0": dh * (z < 0), "z>=0": dh * (z >= 0)}[mask]
    n = len(x)
    dW = {"x.T@dz": x.T @ dz, "dz.T@x": dz.T @ x, "x.T@dh": x.T @ dh}[dw]
    dX = {"dz@W.T": dz @ W.T, "dz": dz}[dx]
    db = {"sum": dz.sum(axis=0), "zeros": np.zeros(dz.shape[1]),
          "keepdims": dz.sum(axis=0, keepdims=True), "rows": dz, "total": dz.sum(),
          "mean": dz.mean(axis=0)}[bias]
    if divide:
        dW = dW / n
    return dX, dW, db


def test_layer_reference_passes_and_matches_lessonlib(rng):
    assert LAYER.grade(LAYER.reference) is None
    assert LAYER.grade(_backward) is None
    x, dh = rng.standard_normal((7, 4)), rng.standard_normal((7, 3))
    fc, relu = Linear(4, 3, init="normal", rng=1), ReLU()
    z = fc.forward(x, training=True)
    relu.forward(z, training=True)
    dx = fc.backward(relu.backward(dh))
    ref = LAYER.reference(dh, x, fc.params["W"], z)
    np.testing.assert_allclose(ref[0], dx)
    np.testing.assert_allclose(ref[1], fc.grads["W"])
    np.testing.assert_allclose(ref[2], fc.grads["b"])


def test_layer_mask_on_h_also_passes():
    def via_h(dh, x, W, z):
        h = np.maximum(z, 0)
        dz = np.where(h > 0, dh, 0.0)
        return dz @ W.T, x.T @ dz, np.sum(dz, axis=0)
    assert LAYER.grade(via_h) is None


def test_layer_stub_is_not_attempted(capsys):
    def stub(dh, x, W, z):
        raise NotImplementedError("Exercise 3a: write the backward pass here")
    LAYER.check(stub)
    out = capsys.readouterr().out
    assert "not attempted yet" in out and "Traceback" not in out


def test_layer_missing_bias_gradient():
    assert "your db is all zeros: the bias gradient is missing" in LAYER.grade(
        lambda *a: _backward(*a, bias="zeros"))
    msg = LAYER.grade(lambda dh, x, W, z: _backward(dh, x, W, z)[:2])
    assert "three values, dx, dW and db" in msg and "2 values" in msg
    assert "forget to `return" in LAYER.grade(lambda dh, x, W, z: (None, None, None))


def test_layer_bias_shapes():
    assert "without keepdims" in LAYER.grade(lambda *a: _backward(*a, bias="keepdims"))
    assert "one row per example" in LAYER.grade(lambda *a: _backward(*a, bias="rows"))
    assert "single number" in LAYER.grade(lambda *a: _backward(*a, bias="total"))


def test_layer_bias_averaged():
    msg = LAYER.grade(lambda *a: _backward(*a, bias="mean"))
    assert msg.startswith("your db is 6 times too small") and "do not average again" in msg


def test_layer_weight_gradient_averaged():
    msg = LAYER.grade(lambda *a: _backward(*a, divide=True))
    assert msg.startswith("your dW is 6 times too small") and "1/N" in msg


def test_layer_missing_or_inverted_relu_derivative():
    msg = LAYER.grade(lambda *a: _backward(*a, mask="none"))
    assert "ignores ReLU's derivative" in msg and msg.startswith("your dx")
    assert "mask is inverted" in LAYER.grade(lambda *a: _backward(*a, mask="z<0"))
    assert "your dW ignores ReLU's derivative" in LAYER.grade(lambda *a: _backward(*a, dw="x.T@dh"))



def test_layer_h_or_sigmoid_slope_instead_of_the_mask():
    def times_h(dh, x, W, z):
        dz = dh * np.maximum(z, 0)
        return dz @ W.T, x.T @ dz, dz.sum(axis=0)

    def sigmoid_slope(dh, x, W, z):
        s = 1 / (1 + np.exp(-z))
        dz = dh * s * (1 - s)
        return dz @ W.T, x.T @ dz, dz.sum(axis=0)
    assert "(dz = dh * h)" in LAYER.grade(times_h)
    assert "sigmoid's derivative" in LAYER.grade(sigmoid_slope)


def test_layer_transposed_and_wrong_shapes():
    assert "transposed" in LAYER.grade(lambda *a: _backward(*a, dw="dz.T@x"))
    msg = LAYER.grade(lambda *a: _backward(*a, dx="dz"))
    assert "dx = dz @ W.T" in msg and "(6, 4)" in msg

    def swapped(*a):
        dx, dW, db = _backward(*a)
        return dW, dx, db
    assert "in the order dx, dW, db" in LAYER.grade(swapped)


def test_layer_flipped_sign():
    msg = LAYER.grade(lambda *a: tuple(-g for g in _backward(*a)))
    assert "opposite sign" in msg


def test_layer_other_error_is_a_relative_error():
    def off(*a):
        dx, dW, db = _backward(*a)
        dW = dW.copy()
        dW[0, 0] += 0.5
        return dx, dW, db
    msg = LAYER.grade(off)
    assert msg.startswith("your dW") and "relative error" in msg and "numerical gradient" in msg


def test_layer_changing_dh_in_place_is_flagged():
    def in_place(dh, x, W, z):
        dh[z <= 0] = 0.0
        return dh @ W.T, x.T @ dh, dh.sum(axis=0)
    assert "changed dh" in LAYER.grade(in_place)


def test_layer_learner_crash_is_one_line(capsys):
    LAYER.check(lambda dh, x, W, z: dh[100])
    out = capsys.readouterr().out
    assert "IndexError" in out and "Traceback" not in out
    LAYER.check(lambda dh, x, W, z: dh @ W)
    out = capsys.readouterr().out
    assert "shapes that do not fit" in out and "dx = dz @ W.T" in out and "Traceback" not in out


# ---------------------------------------------------------------- exercise 3b

def _step(w, v, grad, lr, rho, *, slip=None):
    if slip == "notes":
        m = rho * v + lr * grad
        return w - m, m
    if slip == "positive v":
        v_new = rho * v - lr * grad
        return w + v_new, -v_new
    if slip == "uphill":
        v_new = rho * v + lr * grad
        return w + v_new, v_new
    if slip == "old v":
        v_new = rho * v - lr * grad
        return w + v, v_new
    if slip == "returns old v":
        return w + rho * v - lr * grad, v
    if slip == "minus rho":
        v_new = -rho * v - lr * grad
        return w + v_new, v_new
    if slip == "plain":
        return w - lr * grad, rho * v - lr * grad
    if slip == "rho outside":
        v_new = rho * (v - lr * grad)
        return w + v_new, v_new
    if slip == "nesterov":
        v_new = rho * v - lr * grad
        return w + rho * v_new - lr * grad, v_new
    v_new = rho * v - lr * grad
    return w + v_new, v_new


def test_step_reference_passes():
    assert STEP.grade(STEP.reference) is None
    assert STEP.grade(_step) is None


def test_step_stub_is_not_attempted(capsys):
    def stub(w, v, grad, lr, rho):
        raise NotImplementedError("Exercise 3b: write one momentum step here")
    STEP.check(stub)
    assert "not attempted yet" in capsys.readouterr().out


@pytest.mark.parametrize("slip, words", [
    ("notes", "the notes' sign convention"),
    ("positive v", "v_new has the opposite sign"),
    ("uphill", "uphill"),
    ("old v", "moved by the old velocity"),
    ("returns old v", "the v_new you returned is the old velocity"),
    ("minus rho", "momentum term has the wrong sign"),
    ("plain", "plain gradient step"),
    ("rho outside", "rho*(v - lr*grad)"),
    ("nesterov", "Nesterov"),
])
def test_step_slips(slip, words):
    assert words in STEP.grade(lambda *a: _step(*a, slip=slip))


def test_step_return_shape_problems():
    assert "two values, w_new and v_new" in STEP.grade(lambda w, v, g, lr, rho: w - lr * g)
    assert "forget to `return" in STEP.grade(lambda *a: None)
    assert "wrong shape" in STEP.grade(lambda w, v, g, lr, rho: (w.ravel(), v.ravel()))


def test_solutions_and_hints_print(capsys):
    for ex in (LAYER, STEP):
        ex.hint()
        ex.hint(3)
        ex.solution()
    out = capsys.readouterr().out
    assert "Hint 1 of 3" in out and "Hint 3 of 3" in out
    assert "def relu_layer_backward(" in out and "def momentum_step(" in out
    assert "reference" not in out


# ---------------------------------------------------------------- fairness tables

def _layer_f32(dh, x, W, z):
    dh, x, W, z = (a.astype(np.float32) for a in (dh, x, W, z))
    dz = dh * (z > 0)
    return dz @ W.T, x.T @ dz, dz.sum(axis=0)


def _layer_loops(dh, x, W, z):
    """Python loops over the examples: one outer product per row."""
    n, n_out = dh.shape
    dx, dW, db = [], np.zeros(W.shape), [0.0] * n_out
    for i in range(n):
        dz_i = [dh[i, j] if z[i, j] > 0 else 0.0 for j in range(n_out)]
        dx.append([sum(dz_i[j] * W[k, j] for j in range(n_out)) for k in range(W.shape[0])])
        dW += np.outer(x[i], dz_i)
        db = [a + b for a, b in zip(db, dz_i)]
    return dx, dW, db


def _layer_in_place_copy(dh, x, W, z):
    dz = dh.copy()
    dz[z <= 0] = 0.0            # on its own copy: dh stays as it was
    return [dz @ W.T, x.T @ dz, np.ones(len(dz)) @ dz]


def _layer_einsum(dh, x, W, z):
    dz = dh * np.heaviside(z, 0.0)
    return (np.einsum("nj,kj->nk", dz, W), np.einsum("nk,nj->kj", x, dz),
            np.einsum("nj->j", dz))


def _layer_dx_untransposed(dh, x, W, z):
    dz = dh * (z > 0)
    return dz @ W, x.T @ dz, dz.sum(axis=0)


def _layer_changes_dh(dh, x, W, z):
    dh[z <= 0] = 0.0
    return dh @ W.T, x.T @ dh, dh.sum(axis=0)


def _layer_nan(dh, x, W, z):
    """An np.empty array filled everywhere but one entry, which is 0 / 0."""
    dz = dh * (z > 0)
    dx = np.empty((len(dh), W.shape[0]))
    dx[1:] = dz[1:] @ W.T
    with np.errstate(invalid="ignore"):
        dx[0] = np.float64(0.0) / np.float64(0.0)
    return dx, x.T @ dz, dz.sum(axis=0)


def _step_f32(w, v, grad, lr, rho):
    w, v, grad = (a.astype(np.float32) for a in (w, v, grad))
    v_new = np.float32(rho) * v - np.float32(lr) * grad
    return w + v_new, v_new


def _step_lists(w, v, grad, lr, rho):
    v_new = [rho * a - lr * g for a, g in zip(v.ravel(), grad.ravel())]
    w_new = [a + b for a, b in zip(w.ravel(), v_new)]
    return np.reshape(w_new, w.shape).tolist(), np.reshape(v_new, w.shape).tolist()


def _step_in_place_on_copies(w, v, grad, lr, rho):
    v_new = v.copy()
    v_new *= rho
    v_new -= lr * grad
    w_new = w.copy()
    w_new += v_new
    return w_new, v_new


def _step_position_algebra(w, v, grad, lr, rho):
    return w - lr * grad + rho * v, -lr * grad + rho * v


def _step_changes_w(w, v, grad, lr, rho):
    v_new = rho * v - lr * grad
    w += v_new
    return w, v_new


FAIRNESS = {
    "relu_layer_backward": dict(
        right=[("the reference", LAYER.reference), ("float32 throughout", _layer_f32),
               ("Python loops over the rows, lists", _layer_loops),
               ("in place on its own copy of dh, a list", _layer_in_place_copy),
               ("einsum and np.heaviside", _layer_einsum),
               ("the mask read from h = ReLU(z)", lambda dh, x, W, z: _backward(
                   dh, x, W, np.maximum(z, 0.0)))],
        slips=[("no ReLU mask", lambda *a: _backward(*a, mask="none"),
                "ignores ReLU's derivative"),
               ("inverted mask", lambda *a: _backward(*a, mask="z<0"), "mask is inverted"),
               ("no bias gradient", lambda *a: _backward(*a, bias="zeros"),
                "bias gradient is missing"),
               ("db averaged", lambda *a: _backward(*a, bias="mean"), "times too small"),
               ("dW averaged", lambda *a: _backward(*a, divide=True),
                ["your dW", "do not average again"]),
               ("dW transposed", lambda *a: _backward(*a, dw="dz.T@x"), "transposed"),
               ("dx = dz @ W", _layer_dx_untransposed, ["do not fit", "dz @ W.T"]),
               ("dh changed in place", _layer_changes_dh, "changed dh"),
               ("every sign flipped", lambda *a: tuple(-g for g in _backward(*a)),
                "opposite sign"),
               ("the mask z >= 0", lambda *a: _backward(*a, mask="z>=0"),
                ["where z == 0", "use z > 0, not z >= 0"]),
               ("a NaN in dx", _layer_nan, ["your dx", "contains NaN"])]),
    "momentum_step": dict(
        right=[("the reference", STEP.reference), ("float32 throughout", _step_f32),
               ("element by element, lists", _step_lists),
               ("in-place work on its own copies", _step_in_place_on_copies),
               ("w - lr g + rho v", _step_position_algebra),
               ("a list [w_new, v_new]", lambda *a: list(_step(*a)))],
        slips=[("the notes' convention", lambda *a: _step(*a, slip="notes"),
                "the notes' sign convention"),
               ("uphill", lambda *a: _step(*a, slip="uphill"), "uphill"),
               ("momentum sign", lambda *a: _step(*a, slip="minus rho"),
                "momentum term has the wrong sign"),
               ("w moved by the old v", lambda *a: _step(*a, slip="old v"), "old velocity"),
               ("EMA form", lambda w, v, g, lr, rho: (w - lr * (rho * v + (1 - rho) * g),
                                                       rho * v + (1 - rho) * g),
                "average of the gradients"),
               ("w changed in place", _step_changes_w, ["changed w", "in-place"]),
               ("results swapped", lambda *a: _step(*a)[::-1], "swapped"),
               ("velocity without lr", lambda w, v, g, lr, rho: (w + lr * (rho * v - g),
                                                                  rho * v - g),
                "leaves out lr"),
               ("plain gradient step", lambda *a: _step(*a, slip="plain"),
                "plain gradient step"),
               ("rho left out", lambda w, v, g, lr, rho: (w + v - lr * g, v - lr * g),
                "leaves out rho"),
               ("w_new = w - v_new", lambda w, v, g, lr, rho: (w - (rho * v - lr * g),
                                                               rho * v - lr * g),
                ["w_new = w - v_new moves the wrong way", "w_new = w + v_new"]),
               ("lr doubled", lambda w, v, g, lr, rho: (w + rho * v - 2 * lr * g,
                                                        rho * v - 2 * lr * g),
                ["1 times rho*v plus 2 times -lr*grad", "both factors should be 1"]),
               ("rho squared", lambda w, v, g, lr, rho: (w + rho ** 2 * v - lr * g,
                                                         rho ** 2 * v - lr * g),
                ["0.9 times rho*v plus 1 times -lr*grad", "both factors should be 1"])]),
}


# ---------------------------------------------------------------- exercise 3c: the whole loop
# Trainers written the way a learner might (lessons 04 and 05 import them too): every slip is
# switched on by a keyword.

TRAIN = exercises.train_mlp


def forward(P, X, relu=(True, True), bias=(True, True, True), out_relu=False):
    """zs and hs (h_0 = X) of the rings MLP."""
    zs, hs = [], [X]
    for k in (1, 2, 3):
        z = hs[-1] @ P[f"W{k}"]
        if bias[k - 1]:
            z = z + P[f"b{k}"]
        zs.append(z)
        if k < 3:
            hs.append(np.maximum(z, 0) if relu[k - 1] else z)
        else:
            hs.append(np.maximum(z, 0) if out_relu else z)
    return zs, hs


def loss_and_grads(P, X, y, divide=None, relu=(True, True), bias=(True, True, True),
                   out_relu=False, mask=(True, True), loss_sum=False, grad_sum=False, db=True,
                   flip=False):
    """The mean cross-entropy of a batch and the gradients of the six arrays."""
    zs, hs = forward(P, X, relu, bias, out_relu)
    logits = hs[-1]
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    n = divide or len(y)
    rows = np.arange(len(y))
    labels = 1 - y if flip else y
    loss = -log_p[rows, labels].sum() / (1 if loss_sum else n)
    dz = np.exp(log_p)
    dz[rows, labels] -= 1
    if not grad_sum:
        dz = dz / n
    grads = {}
    for k in (3, 2, 1):
        grads[f"W{k}"] = hs[k - 1].T @ dz
        grads[f"b{k}"] = dz.sum(axis=0) if db else np.zeros(dz.shape[1], dz.dtype)
        if k > 1:
            dh = dz @ P[f"W{k}"].T
            dz = dh * (zs[k - 2] > 0) if mask[k - 2] else dh
    return loss, grads


def momentum_update(P, V, grads, lr, rho, form="heavy"):
    for key in P:
        if form == "heavy":
            V[key] = rho * V[key] - lr * grads[key]
            P[key] = P[key] + V[key]
        elif form == "plain":
            P[key] = P[key] - lr * grads[key]
        elif form == "no_rho":
            V[key] = V[key] - lr * grads[key]
            P[key] = P[key] + V[key]
        elif form == "ema":
            V[key] = rho * V[key] + (1 - rho) * grads[key]
            P[key] = P[key] - lr * V[key]
        elif form == "nesterov":        # PyTorch's nesterov=True: W -= lr * (g + rho * buf)
            V[key] = rho * V[key] + grads[key]
            P[key] = P[key] - lr * (grads[key] + rho * V[key])


def learner_train(params, X, y, lr, rho, iterations, *, f32=False, form="heavy", inside=False,
                  loss_after=False, return_initial=False, loss_shifted=False, skip_biases=False,
                  **slips):
    """Full-batch training as a learner writes it, with the slips given."""
    dtype = np.float32 if f32 else np.float64
    P = {k: np.array(v, dtype=dtype) for k, v in params.items()}
    X = X.astype(dtype)
    V = {k: np.zeros_like(v) for k, v in P.items()}
    losses = []
    for _ in range(iterations):
        if inside:      # each layer updated as soon as its gradient is known
            loss = _backward_updating(P, V, X, y, lr, rho)
        else:
            loss, grads = loss_and_grads(P, X, y, **slips)
            weights = {k: P[k] for k in P if k.startswith("W")} if skip_biases else P
            momentum_update(weights, V, grads, lr, rho, form)
            P.update(weights)
        losses.append(loss_and_grads(P, X, y, **slips)[0] if loss_after else loss)
    if loss_shifted:
        losses = losses[1:] + [losses[-1]]
    return (params if return_initial else P), losses


def _backward_updating(P, V, X, y, lr, rho):
    zs, hs = forward(P, X)
    logits = hs[-1]
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    n = len(y)
    loss = -np.log(p[np.arange(n), y]).mean()
    dz = p.copy()
    dz[np.arange(n), y] -= 1
    dz /= n
    for k in (3, 2, 1):
        grads = {f"W{k}": hs[k - 1].T @ dz, f"b{k}": dz.sum(axis=0)}
        momentum_update({key: P[key] for key in grads}, V, grads, lr, rho)
        for key in grads:
            P[key] = P[key] + V[key]
        if k > 1:
            dz = (dz @ P[f"W{k}"].T) * (zs[k - 2] > 0)     # W{k} already updated
    return loss


def train_slip(**slips):
    return lambda *a: learner_train(*a, **slips)


def _train_layer_loop(params, X, y, lr, rho, iterations):
    """Loops over any number of layers, lists of zs and hs, losses as Python floats."""
    P = {k: np.asarray(v, dtype=float).copy() for k, v in params.items()}
    L = len(P) // 2
    V = {k: 0.0 * v for k, v in P.items()}
    losses = []
    for _ in range(iterations):
        hs, zs = [X], []
        for k in range(1, L + 1):
            zs.append(hs[-1] @ P[f"W{k}"] + P[f"b{k}"])
            hs.append(np.maximum(zs[-1], 0) if k < L else zs[-1])
        logits = hs[-1]
        e = np.exp(logits - logits.max(axis=1, keepdims=True))
        p = e / e.sum(axis=1, keepdims=True)
        onehot = np.eye(p.shape[1])[y]
        losses.append(float(-np.sum(onehot * np.log(p)) / len(y)))   # the mean as sum / N
        delta = (p - onehot) / len(y)
        grads = {}
        for k in range(L, 0, -1):
            grads[f"W{k}"] = hs[k - 1].T @ delta
            grads[f"b{k}"] = np.sum(delta, axis=0)
            if k > 1:
                delta = np.where(zs[k - 2] > 0, delta @ P[f"W{k}"].T, 0.0)
        for key in P:
            V[key] = rho * V[key] - lr * grads[key]
            P[key] = P[key] + V[key]
    return P, losses


def _train_in_place(params, X, y, lr, rho, iterations):
    """Updates the arrays of the dict it was given in place, velocity without lr, losses a list."""
    V = {k: np.zeros_like(v) for k, v in params.items()}
    losses = []
    for _ in range(iterations):
        loss, grads = loss_and_grads(params, X, y)
        losses.append(loss)
        for key in params:
            V[key] *= rho
            V[key] += grads[key]            # v = rho v + g, and the step is lr * v
            params[key] -= lr * V[key]
    return params, losses


def _train_notes_convention(params, X, y, lr, rho, iterations):
    """The notes' M = rho M + lr g, W = W - M; labels through a one-hot matrix."""
    P = dict(params)
    M = {k: np.zeros_like(v) for k, v in P.items()}
    losses = []
    for _ in range(iterations):
        loss, grads = loss_and_grads(P, X, y)
        losses.append(loss)
        for key in P:
            M[key] = rho * M[key] + lr * grads[key]
            P[key] = P[key] - M[key]
    return P, np.array(losses)


def _train_from_pieces(params, X, y, lr, rho, iterations):
    """Built from the learner's own relu_layer_backward and momentum_step."""
    backward, step = LAYER.reference, STEP.reference
    P = {k: v.copy() for k, v in params.items()}
    V = {k: np.zeros_like(v) for k, v in P.items()}
    losses = []
    n = len(y)
    for _ in range(iterations):
        z1 = X @ P["W1"] + P["b1"]
        h1 = np.maximum(z1, 0)
        z2 = h1 @ P["W2"] + P["b2"]
        h2 = np.maximum(z2, 0)
        logits = h2 @ P["W3"] + P["b3"]
        p = np.exp(logits - logits.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        losses.append(-np.mean(np.log(p[np.arange(n), y])))
        dlogits = p.copy()
        dlogits[np.arange(n), y] -= 1
        dlogits /= n
        grads = {"W3": h2.T @ dlogits, "b3": dlogits.sum(axis=0)}
        dh2 = dlogits @ P["W3"].T
        dh1, grads["W2"], grads["b2"] = backward(dh2, h1, P["W2"], z2)
        _, grads["W1"], grads["b1"] = backward(dh1, X, P["W1"], z1)
        for key in P:
            P[key], V[key] = step(P[key], V[key], grads[key], lr, rho)
    return P, losses


def _train_sigmoid_form(params, X, y, lr, rho, iterations):
    """Two classes: p1 = sigmoid(logit1 - logit0), the binary cross-entropy of it."""
    P = {k: v.copy() for k, v in params.items()}
    V = {k: np.zeros_like(v) for k, v in P.items()}
    losses = []
    for _ in range(iterations):
        zs, hs = forward(P, X)
        d = hs[-1][:, 1] - hs[-1][:, 0]
        losses.append(np.mean(np.logaddexp(0, -d) * y + np.logaddexp(0, d) * (1 - y)))
        p1 = 1 / (1 + np.exp(-d))
        g = (p1 - y) / len(y)
        dz = np.stack([-g, g], axis=1)
        grads = {}
        for k in (3, 2, 1):
            grads[f"W{k}"], grads[f"b{k}"] = hs[k - 1].T @ dz, dz.sum(axis=0)
            if k > 1:
                dz = (dz @ P[f"W{k}"].T) * (zs[k - 2] > 0)
        momentum_update(P, V, grads, lr, rho)
    return P, losses


def test_train_reference_passes_and_matches_lessonlib():
    from lessonlib.exercises._training import initial_params, params_of
    from lessonlib import MLP, SGD
    from lessonlib.data import make_rings
    assert TRAIN.grade(TRAIN.reference) is None
    X, y = make_rings()
    model = MLP(2, [20, 20], 2, activation="relu", init="normal", seed=0)
    history = model.fit(X, y, SGD(lr=0.1, momentum=0.9), epochs=30, batch_size=300, seed=0)
    params, losses = TRAIN.reference(initial_params((20, 20), "normal", 0), X, y, 0.1, 0.9, 30)
    np.testing.assert_allclose(losses, history.loss, rtol=1e-10)
    for key, value in params_of(model).items():
        np.testing.assert_allclose(params[key], value, rtol=1e-9, atol=1e-12)


def test_train_simulated_slips_start_from_lessonlib():
    """The checker's own loop (used to simulate the slips) is lessonlib's run when no slip is
    switched on, for both rules and with mini-batches."""
    from lessonlib.exercises._training import (cut, initial_params, lessonlib_run, simulate,
                                               small_params)
    from lessonlib import SGD, Adam
    from lessonlib.data import make_rings
    X, y = make_rings(n=30, seed=2)
    batches, starts = cut([np.arange(30), np.arange(30)[::-1]], 7)
    for params in (initial_params((5, 4), "normal", 1), small_params((4, 3), 3)):
        for rule, hyper, opt in (("momentum", dict(lr=0.05, rho=0.8), SGD(0.05, 0.8)),
                                 ("adam", dict(lr=0.01, beta1=0.8, beta2=0.99, eps=1e-8),
                                  Adam(0.01, 0.8, 0.99, 1e-8))):
            losses, P = simulate(params, X, y, batches, rule, hyper, epoch_starts=starts)
            exp_losses, exp_P = lessonlib_run(params, X, y, opt, batches)
            np.testing.assert_allclose(losses, exp_losses, rtol=1e-10)
            for key in P:
                np.testing.assert_allclose(P[key], exp_P[key], rtol=1e-9, atol=1e-12)


def test_train_stub_and_lesson_runs(capsys):
    def stub(params, X, y, lr, rho, iterations):
        raise NotImplementedError("Exercise 3c: write the training loop here")
    TRAIN.check(stub)
    runs = TRAIN.lesson_runs(stub)
    out = capsys.readouterr().out
    assert "not attempted yet" in out and "Only lessonlib's run is shown" in out
    assert len(runs) == 1 and runs[0][0].startswith("lessonlib")
    TRAIN.check(_train_layer_loop)
    runs = TRAIN.lesson_runs(_train_layer_loop)
    assert "correct!" in capsys.readouterr().out
    (_, lib, lib_losses), (label, mine, my_losses) = runs
    assert label == "your train_mlp" and len(my_losses) == len(lib_losses) == 1000
    np.testing.assert_allclose(my_losses[:200], lib_losses[:200], rtol=1e-6)


def test_train_wrong_results_are_named():
    assert "should return two values, params and losses" in TRAIN.grade(
        lambda *a: learner_train(*a)[0])
    assert "has no W3" in TRAIN.grade(
        lambda *a: ({k: v for k, v in learner_train(*a)[0].items() if k != "W3"}, [0.0] * a[-1]))
    msg = TRAIN.grade(lambda *a: learner_train(*a)[::-1])
    assert "(params, losses)" in msg
    msg = TRAIN.grade(lambda *a: (learner_train(*a)[0], learner_train(*a)[1][:-1]))
    assert "returned 5 losses; expected 6" in msg


def test_train_transposed_weights_name_the_shapes():
    def transposed(params, X, y, lr, rho, iterations):
        P = {k: (v.T if k == "W2" else v) for k, v in params.items()}
        return learner_train(P, X, y, lr, rho, iterations)
    msg = TRAIN.grade(transposed)
    assert "shapes that do not fit" in msg and "W2 (4, 3)" in msg


def test_train_generic_messages_name_the_part():
    msg = TRAIN.grade(_train_scaling_gradients({"W1": lambda n: 2.0}))
    assert "first update of W1 is not" in msg and "hidden layer 1" in msg
    assert "backward pass from layer 2 into layer 1" in msg

    def rho_squared(params, X, y, lr, rho, iterations):
        return learner_train(params, X, y, lr, rho ** 2, iterations)
    msg = TRAIN.grade(rho_squared)
    assert "the first update is right, but after 2 updates" in msg and "velocity" in msg


def _train_scaling_gradients(factors):
    """A right loop whose gradient of each key of ``factors`` is multiplied by factors[key](N)."""
    def train(params, X, y, lr, rho, iterations):
        P = {k: v.copy() for k, v in params.items()}
        V = {k: np.zeros_like(v) for k, v in P.items()}
        losses = []
        for _ in range(iterations):
            loss, grads = loss_and_grads(P, X, y)
            for key, factor in factors.items():
                grads[key] = grads[key] * factor(len(y))
            losses.append(loss)
            momentum_update(P, V, grads, lr, rho)
        return P, losses
    return train


def _train_divided_again(keys):
    """A right loop whose gradients of ``keys`` are divided by N once more."""
    return _train_scaling_gradients({key: lambda n: 1.0 / n for key in keys})


def _train_notes_log_eps(params, X, y, lr, rho, iterations):
    """The notes' loss, -mean(log(p + eps)) with eps = 1e-8, on right gradients."""
    P = {k: v.copy() for k, v in params.items()}
    V = {k: np.zeros_like(v) for k, v in P.items()}
    losses = []
    for _ in range(iterations):
        _, hs = forward(P, X)
        e = np.exp(hs[-1] - hs[-1].max(axis=1, keepdims=True))
        p = e / e.sum(axis=1, keepdims=True)
        losses.append(-np.mean(np.log(p[np.arange(len(y)), y] + 1e-8)))
        momentum_update(P, V, loss_and_grads(P, X, y)[1], lr, rho)
    return P, losses


FAIRNESS["train_mlp"] = dict(
    right=[("the reference", TRAIN.reference), ("float32 throughout", train_slip(f32=True)),
           ("a loop over any number of layers, the mean as sum / N", _train_layer_loop),
           ("in place in the dict it was given, the velocity without lr", _train_in_place),
           ("the notes' convention M = rho M + lr g, W -= M", _train_notes_convention),
           ("built from relu_layer_backward and momentum_step", _train_from_pieces),
           ("two classes as one sigmoid of the logit difference", _train_sigmoid_form)],
    slips=[("no ReLU mask in layer 2's backward", train_slip(mask=(True, False)),
            ["W2", "ignores the ReLU of hidden layer 2"]),
           ("no ReLU in layer 1's forward", train_slip(relu=(False, True)),
            "forward pass of hidden layer 1 has no ReLU"),
           ("sum instead of mean in the gradient", train_slip(grad_sum=True),
            ["gradient of W3", "12 times too large"]),
           ("sum instead of mean in loss and gradient", train_slip(loss_sum=True, grad_sum=True),
            "first loss is 12 times too large"),
           ("no bias in the output layer", train_slip(bias=(True, True, False)),
            "leaves out b3"),
           ("no momentum carried", train_slip(form="plain"), "plain gradient descent"),
           ("EMA momentum", train_slip(form="ema"), "average of the gradients"),
           ("Nesterov's momentum (PyTorch's nesterov=True)", train_slip(form="nesterov"),
            ["that is 1 + rho", "Nesterov", "the heavy ball of lesson 02"]),
           ("updates inside the backward pass", train_slip(inside=True), "already been updated"),
           ("no bias gradient", train_slip(db=False), "did not move"),
           ("the biases never updated", train_slip(skip_biases=True),
            ["b1, b2 and b3 did not move", "update skips them"]),
           ("the loss after each update", train_slip(loss_after=True),
            ["taken before its update", "losses[0] is the loss at the initial weights"]),
           ("losses shifted by one, losses[1:] + [losses[-1]]", train_slip(loss_shifted=True),
            ["taken before its update", "losses[0] is the loss at the initial weights"]),
           ("no rho in the velocity", train_slip(form="no_rho"), "leaves out rho"),
           ("returns the initial params", train_slip(return_initial=True), "initial ones"),
           ("lr fixed at 0.1", lambda P, X, y, lr, rho, it: learner_train(P, X, y, 0.1, rho, it),
            ["2 times as far", "the lr it is given"]),
           ("the notes' log(p + 1e-8)", _train_notes_log_eps, ["log(p + 1e-08)", "exactly"]),
           ("(p - onehot) / N / N: the 1/N twice", _train_divided_again(
               ("W1", "b1", "W2", "b2", "W3", "b3")),
            ["12 times too small", "you divided by N twice"]),
           ("dW1 = X.T @ dz1 / N", _train_divided_again(("W1",)),
            ["gradient of W1 is 12 times too small", "no second 1/N"]),
           ("the notes' 1/N in every dW, on top of dz's", _train_divided_again(("W1", "W2", "W3")),
            ["gradients of W3, W2 and W1 are 12 times too small", "no second 1/N"])])
