"""Checking a whole training loop: the notes' exercises 2-4 (lessons 03, 04 and 05).

The learner trains the rings MLP with their own code: ``params`` is a dict of arrays
{"W1", "b1", "W2", "b2", "W3", "b3"} in lessonlib's orientation (W_k has shape (n_in, n_out), b_k
(n_out,)): two hidden ReLU layers, then the output layer, softmax and the mean cross-entropy.
The trainer returns ``(params, losses)``, the trained weights and one loss per update (the loss
of that update's batch, computed before the update).

A checker runs the learner's trainer from lessonlib's initial weights (made by lessonlib's MLP
with the lesson's seed; the learner gets fresh copies) and, when the result differs from
lessonlib's run, finds the first part that differs:

1. the forward pass: the first loss;
2. the gradient of each layer, output layer first: one update from zero state moves every
   array by a known function of its gradient (momentum: -lr * grad), so the first update tells
   the gradient the learner's code used;
3. the first update itself (momentum's or Adam's step);
4. the batching (lessons 04 and 05): which rows each update used. The learner gets X as a
   ``RowLog`` (an ndarray that notes every block of rows taken from it by indexing, slicing or
   ``take``) and a ``RecordingGenerator`` (a numpy Generator that notes every draw, of any
   method, and knows whether its state moved; both in ``_recording.py``). The batches the
   learner's code actually used are read from the rows it took from X (matched to X's rows by
   value, so a float32 copy of X works too); when those do not form one order of the rows per epoch (X turned into a plain
   array first, np.asarray(X)), the orders are read from the draws instead (a permutation, or
   the argsort of n random numbers). Any way of drawing an epoch's order from rng is therefore
   accepted: lessonlib's run is replayed with the learner's own orders;
5. the update across steps: the velocity, or Adam's m, n and t.

The one-update probe runs for a right run too: Adam's steps hardly change when every gradient
is scaled, so a gradient N times too large would otherwise pass. Every expected value comes from
the checker's own arrays. A first update that matches a right variant of the rule
(``ACCEPTED_FIRST_STEPS``: Adam's eps-hat order of the Adam paper) passes; an Adam step that
moves every weight against its right gradient, but not by Adam's amount, is named as the update,
not the gradient (``AdamCheck.scale_problem``). Slips are simulated by ``simulate`` (one switch
per slip) and named by the tables of ``TrainerCheck`` and its subclasses ``MomentumCheck``, ``AdamCheck`` and
``MiniBatchCheck``. Lesson 04's exercise, ``train_minibatch``, is defined here too (its module,
``l04_minibatch``, imports it); lessons 03 and 05 define theirs in their own modules.
"""
import numpy as np

from .._blas import single_thread
from ..data import make_rings
from ..models import MLP
from ..optim import SGD, Adam
from ..recipes.l03_relu import fit_rings
from ._kit import (Exercise, NotAttempted, as_numbers, close, compare, describe_exception,
                   fresh, pair, same_run, show, unpack_returned)
from ._recording import RecordingGenerator, RowLog, Trace, epochs_of, orders_from

KEYS = ("W1", "b1", "W2", "b2", "W3", "b3")
FROM_OUTPUT = ("W3", "b3", "W2", "b2", "W1", "b1")
N_LAYERS = 3


# ---------------------------------------------------------------- lessonlib's side

def params_of(model):
    """{"W1", "b1", ...}: copies of an MLP's weights under the exercise's names."""
    n_layers = len(model.hidden) + 1
    out = {}
    for k in range(1, n_layers + 1):
        out[f"W{k}"] = model.params[f"fc{k}_weight"].copy()
        out[f"b{k}"] = model.params[f"fc{k}_bias"].copy()
    return out


def initial_params(hidden=(20, 20), init="normal", seed=0):
    """lessonlib's initial weights of MLP(2, hidden, 2, activation="relu", init, seed)."""
    return params_of(MLP(2, list(hidden), 2, activation="relu", init=init, seed=seed))


def model_with(params):
    """A lessonlib MLP (ReLU) holding these weights: for predict_proba and the figures."""
    n_layers = len(params) // 2
    hidden = [np.shape(params[f"W{k}"])[1] for k in range(1, n_layers)]
    n_in, n_out = np.shape(params["W1"])[0], np.shape(params[f"W{n_layers}"])[1]
    model = MLP(n_in, hidden, n_out, activation="relu", init="normal", seed=0)
    views = model.params
    for k in range(1, n_layers + 1):
        views[f"fc{k}_weight"][...] = np.asarray(params[f"W{k}"], dtype=np.float64)
        views[f"fc{k}_bias"][...] = np.asarray(params[f"b{k}"], dtype=np.float64)
    return model


def lessonlib_run(params0, X, y, optimizer, batches):
    """lessonlib's MLP and optimiser on the given batches (a list of index arrays, one per
    update): (the loss of every batch before its update, the final params)."""
    model = model_with(params0)
    views = model.params
    optimizer.reset()
    losses = np.empty(len(batches))
    with np.errstate(all="ignore"):
        for i, idx in enumerate(batches):
            losses[i], grads = model.loss_and_grads(X[idx], y[idx])
            optimizer.step(views, grads)
    return losses, params_of(model)


def cut(orders, batch_size):
    """Consecutive batches of every epoch's order (the last one may be smaller):
    (batches, the index of each epoch's first batch)."""
    batches, starts = [], []
    for order in orders:
        starts.append(len(batches))
        batches += [order[s:s + batch_size] for s in range(0, len(order), batch_size)]
    return batches, starts


def fixed_batches(epochs):
    """Why these epochs' batches (lists of index arrays, every epoch using each row once) are
    fixed whatever rng draws, when one random order per epoch would almost never give it: every
    batch a block of consecutive rows, or every epoch the same sets of rows; else None."""
    epochs = [[np.asarray(b) for b in epoch if len(b)] for epoch in epochs]
    batches = [b for epoch in epochs for b in epoch]
    if len(epochs[0]) < 2 or max(len(b) for b in batches) < 2:
        return None             # one batch per epoch, or batches of one: nothing to tell
    if all(np.ptp(b) == len(b) - 1 for b in batches):
        inside = any((np.diff(b) < 0).any() for b in batches)
        moved = any((np.diff([b.min() for b in epoch]) < 0).any() for epoch in epochs)
        how = {(True, False): ", shuffled inside each block,",
               (False, True): ", the blocks taken in a shuffled order,",
               (True, True): ", shuffled inside each block and taken in a shuffled order,"}
        first = epochs[0][1] if len(epochs[0][1]) > 1 else epochs[0][0]
        return (f"every batch is a block of consecutive rows (such as rows {first.min()} to "
                f"{first.max()}){how.get((inside, moved), '')} so every epoch has the same "
                f"batches and a row only ever shares a batch with the same neighbours")
    sets = [sorted(tuple(np.sort(b).tolist()) for b in epoch) for epoch in epochs]
    if len(sets) > 1 and all(s == sets[0] for s in sets[1:]):
        return ("every epoch has the same batches (the same sets of rows, in another order), "
                "so a row only ever shares a batch with the same others")
    return None


# ---------------------------------------------------------------- the slips, simulated

def forward_backward(P, X, y, slip=frozenset(), divide_by=None, on_grad=None):
    """Loss and gradients of the rings MLP on one batch, with the slips named in ``slip``
    switched on. ``on_grad(key, grad)``, if given, is called as soon as a gradient is known
    (a loop that updates each layer inside the backward pass)."""
    hs, zs = [X], []
    for k in range(1, N_LAYERS + 1):
        W = P[f"W{k}"].T if f"W{k}T" in slip else P[f"W{k}"]
        z = hs[-1] @ W
        if f"no_bias{k}" not in slip:
            z = z + P[f"b{k}"]
        zs.append(z)
        if k < N_LAYERS:
            if "sigmoid_hidden" in slip:
                h = 1.0 / (1.0 + np.exp(-z))
            else:
                h = z if f"no_relu{k}" in slip else np.maximum(z, 0.0)
        else:
            h = np.maximum(z, 0.0) if "relu_out" in slip else z
        hs.append(h)
    logits = hs[-1]
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    n = len(y)
    rows = np.arange(n)
    labels = 1 - y if "flip_y" in slip else y
    N = divide_by if divide_by else n
    picked = log_p[rows, labels]
    for switch in slip:
        if switch.startswith(("log_eps=", "clip_eps=")):     # log(p + eps), log(max(p, eps))
            eps = float(switch.split("=")[1])
            p = np.exp(picked)
            picked = np.log(p + eps if switch.startswith("log") else np.maximum(p, eps))
    loss = -picked.sum() / (n if "loss_mean" in slip else N)   # loss_mean: only dz uses N
    if "sum_loss" in slip:
        loss *= N
    if "mean_classes" in slip:
        loss /= logits.shape[1]
    dz = np.exp(log_p)
    if "no_onehot" not in slip:
        dz[rows, labels] -= 1.0
    dz = dz * (1.0 if "sum_grad" in slip else 1.0 / N)
    grads = {}
    for k in range(N_LAYERS, 0, -1):
        W_before = P[f"W{k}"]
        grads[f"W{k}"] = (hs[k] if f"dW_out{k}" in slip else hs[k - 1]).T @ dz
        db = dz.sum(axis=0)
        if "db_zero" in slip:
            db = np.zeros_like(db)
        elif "db_mean" in slip:
            db = db / n
        grads[f"b{k}"] = db
        if on_grad is not None:
            on_grad(f"W{k}", grads[f"W{k}"])
            on_grad(f"b{k}", grads[f"b{k}"])
        if k > 1:
            W = P[f"W{k}"] if "updated_W" in slip else W_before
            dh = dz @ W.T
            j = k - 1                               # the hidden layer below
            if "mask_swap" in slip:
                j = 3 - j
            if f"no_mask{k - 1}" in slip:
                dz = dh
            elif "sigmoid_hidden" in slip:
                s = hs[j]
                dz = dh * s * (1 - s)
            else:
                dz = dh * (zs[j - 1] > 0)
    return loss, grads


def simulate(params0, X, y, batches, rule, hyper, slip=frozenset(), epoch_starts=(),
             batch_size=None, labels=None):
    """The rings MLP trained by the checker's own loop with the slips in ``slip``:
    (losses, final params). rule: "momentum" (hyper lr, rho) or "adam" (lr, beta1, beta2, eps).
    Slips of the update: "no_bias_update" (the biases never move); momentum "plain",
    "mom_sign", "old_v", "bias_plain", "ema", "swap_lr_rho", "reset_epoch", "no_rho"; Adam
    "no_correction", "no_correction_m", "no_correction_n", "eps_inside", "no_root", "t_epoch",
    "t_plus", "t_minus" (t one too small: 0 in the first update), "t_per_array", "t_fresh"
    (t = 1 in every update), "swap_betas", "m_fresh",
    "n_fresh", "n_square_all" (n adds ((1 - beta2)*g)**2), "swap_avg" (beta1 and beta2
    swapped in the averages only), "swap_corr" (in the bias corrections only), "m_sum" (m =
    beta1*m + g, lesson 02's momentum form), "sign", "eps_hat" (the Adam paper's efficient
    form: lr_t = lr * sqrt(1 - beta2**t) / (1 - beta1**t), W -= lr_t * m / (sqrt(n) + eps),
    i.e. eps / sqrt(1 - beta2**t) next to sqrt(n_hat)), "momentum_step" (lesson 04's momentum
    update with rho = beta1 in place of Adam's); of the batching: "divide_by_batch_size",
    "divide_by_n" (by the whole data's n = len(y), as a full-batch loop does; with "loss_mean":
    the loss is still the batch's mean); of the losses: "loss_after". labels: the y of every
    batch, if not y[idx] (a slip that pairs X[idx] with other labels)."""
    P = {k: np.array(v, dtype=np.float64) for k, v in params0.items()}
    state = {k: (np.zeros_like(v), np.zeros_like(v)) for k, v in P.items()}
    lr = hyper["lr"]
    t = 0
    starts = set(epoch_starts)
    losses = []
    with np.errstate(all="ignore"):
        for i, idx in enumerate(batches):
            if i in starts and i > 0:
                if "reset_epoch" in slip:
                    state = {k: (np.zeros_like(v), np.zeros_like(v)) for k, v in P.items()}
                if "t_epoch" in slip:
                    t = 0
            t = 1 if "t_fresh" in slip else t + 1
            counter = [t]

            def apply(key, grad):
                if "no_bias_update" in slip and key.startswith("b"):
                    return
                if rule == "momentum":
                    P[key] = P[key] + _momentum(state, key, grad, lr, hyper["rho"], slip)
                else:
                    if "t_per_array" in slip:
                        counter[0] += 1
                    P[key] = P[key] + _adam(state, key, grad, lr, hyper, counter[0], slip)

            if "t_per_array" in slip:
                counter[0] = (t - 1) * len(P)
            divide = (batch_size if "divide_by_batch_size" in slip
                      else len(y) if "divide_by_n" in slip else None)
            inside = "updated_W" in slip
            yb = y[idx] if labels is None else labels[i]
            loss, grads = forward_backward(P, X[idx], yb, slip, divide,
                                           on_grad=apply if inside else None)
            if not inside:
                for key in KEYS:
                    apply(key, grads[key])
            if "loss_after" in slip:
                loss = forward_backward(P, X[idx], yb, slip, divide)[0]
            losses.append(loss)
    return np.array(losses), P


def _momentum(state, key, grad, lr, rho, slip):
    v, _ = state[key]
    if "plain" in slip or ("bias_plain" in slip and key.startswith("b")):
        v_new = -lr * grad
    elif "ema" in slip:
        v_new = rho * v + (1 - rho) * grad          # kept as an average; the move is -lr * it
        state[key] = (v_new, None)
        return -lr * v_new
    elif "swap_lr_rho" in slip:
        v_new = lr * v - rho * grad
    elif "mom_sign" in slip:
        v_new = -rho * v - lr * grad
    elif "no_rho" in slip:
        v_new = v - lr * grad
    else:
        v_new = rho * v - lr * grad
    state[key] = (v_new, None)
    return v if "old_v" in slip else v_new


def _adam(state, key, grad, lr, hyper, t, slip):
    b1, b2, eps = hyper["beta1"], hyper["beta2"], hyper["eps"]
    if "swap_betas" in slip:
        b1, b2 = b2, b1
    if "default_betas" in slip:
        b1, b2 = 0.9, 0.999
    if "fixed_eps" in slip:
        eps = 1e-8
    if "t_plus" in slip:
        t += 1
    if "t_minus" in slip:
        t -= 1
    m, n = state[key]
    if "momentum_step" in slip:                     # v = rho*v - lr*grad, W = W + v
        v = b1 * m - lr * grad
        state[key] = (v, n)
        return v
    a1, a2 = (b2, b1) if "swap_avg" in slip else (b1, b2)         # the averages' betas
    c1, c2 = (b2, b1) if "swap_corr" in slip else (b1, b2)        # the corrections' betas
    m = (1.0 if "m_sum" in slip else 1 - a1) * grad + (0.0 if "m_fresh" in slip else a1 * m)
    share = (1 - a2) ** 2 if "n_square_all" in slip else 1 - a2     # ((1 - beta2)*g)**2
    n = share * grad * grad + (0.0 if "n_fresh" in slip else a2 * n)
    state[key] = (m, n)
    m_hat = m if "no_correction" in slip or "no_correction_m" in slip else m / (1 - c1 ** t)
    n_hat = n if "no_correction" in slip or "no_correction_n" in slip else n / (1 - c2 ** t)
    if "no_root" in slip:
        bottom = n_hat + eps
    elif "eps_inside" in slip:
        bottom = np.sqrt(n_hat + eps)
    elif "eps_hat" in slip:
        bottom = np.sqrt(n_hat) + eps / np.sqrt(1 - b2 ** t)
    else:
        bottom = np.sqrt(n_hat) + eps
    return (1.0 if "sign" in slip else -1.0) * lr * m_hat / bottom


# ---------------------------------------------------------------- reading what came back

def read_result(result, function, what, shapes):
    """(params as float64 arrays, losses as a float64 vector, None) or (None, None, message).
    The number of losses is left to the caller, which can name what it means."""
    returned, problem = unpack_returned(result, function, ("params", "losses"))
    if problem:
        return None, None, problem
    params, losses = returned
    if not isinstance(params, dict):
        if isinstance(losses, dict):
            return None, None, (f"{what} returned (losses, params); return them in the order "
                                f"(params, losses)")
        return None, None, (f"{what} should return the params as a dict of arrays (keys "
                            f"{', '.join(KEYS)}); got {type(params).__name__}")
    missing = [k for k in KEYS if k not in params]
    if missing:
        return None, None, (f"the params dict returned by {what} has no {', '.join(missing)}: "
                            f"return every weight and bias under the names it was given "
                            f"({', '.join(KEYS)})")
    out = {}
    for key in KEYS:
        arr, problem = as_numbers(f"params[{key!r}] returned by {what}", params[key], shapes[key])
        if problem:
            return None, None, problem
        out[key] = arr
    got, problem = as_numbers(f"the losses returned by {what}", losses)
    if problem:
        return None, None, problem
    got = got.ravel() if got.ndim == 2 and 1 in got.shape else got
    if got.ndim != 1:
        return None, None, (f"the losses returned by {what} should be one number per update; "
                            f"got an array of shape {got.shape}")
    return out, got, None


def params_problem(what, got, expected, keys=FROM_OUTPUT):
    """The first array (output layer first) of got that differs from expected, as a message."""
    for key in keys:
        problem = compare(f"{key} after {what}", got[key], expected[key])
        if problem:
            return key, problem
    return None, None


def _listed(numbers):
    """'4, 3 and 3'."""
    words = [str(k) for k in numbers]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _all_close(got, expected, **tol):
    return all(close(got[k], expected[k], **tol) for k in KEYS)


# A whole run is compared more loosely than one update: over tens of updates a float32 run drifts
# from lessonlib's by up to about 1e-4 (measured: 1.2e-4 after 56 updates on the rings with
# OpenBLAS's Sandybridge kernel, when a ReLU unit near its kink switches at another update),
# while every slip of the update or the batching is caught exactly on the first, small case (not
# a long run) and by the one-update probe.
RUN_TOLERANCE = dict(rtol=1e-2, scale_atol=1e-3)


def _layer(key):
    return int(key[1])


def _upper_first(text):
    return text[:1].upper() + text[1:]


def _layer_name(k):
    return "the output layer (layer 3)" if k == N_LAYERS else f"hidden layer {k}"


# ---------------------------------------------------------------- a case and the checker

class Case:
    """One setting the learner's trainer is run on."""

    def __init__(self, label, X, y, params, hyper, iterations=None, epochs=None,
                 batch_size=None, seed=0, long_run=False):
        self.label, self.X, self.y, self.params = label, X, y, params
        # the lesson's run: its whole result is compared with RUN_TOLERANCE (float32 drift)
        self.run_tolerance = RUN_TOLERANCE if long_run else {}
        self.hyper = dict(hyper)
        self.iterations, self.epochs, self.batch_size, self.seed = (iterations, epochs,
                                                                    batch_size, seed)

    @property
    def n(self):
        return len(self.y)

    @property
    def shapes(self):
        return {k: np.shape(v) for k, v in self.params.items()}


class TrainerCheck:
    """The grading of one trainer exercise: ``grade(fn)``. Subclasses say how the learner's
    function is called (``call``), which optimiser lessonlib uses (``optimizer``), how the
    first update relates to the gradient (``implied_gradient``) and which slips of the update
    to try (``FIRST_STEP_SLIPS``, ``UPDATE_SLIPS``)."""

    function = "train_mlp"
    rule = "momentum"
    minibatch = False
    FIRST_STEP_SLIPS = []       # [(slip switches, message)]: visible in the first update
    ACCEPTED_FIRST_STEPS = []   # [slip switches]: variants of the update that are right too
    UPDATE_SLIPS = []           # [(slip switches, message)]: visible from the second update on

    def __init__(self, cases):
        self.cases = cases

    # -- to be given by the lesson's checker
    def call(self, fn, case, hyper, steps, rng, X):
        """The learner's fn called on X (a fresh copy of the case's X, a RowLog for a
        mini-batch trainer) and fresh copies of the case's other arrays, with these settings
        (hyper) and steps; rng: a RecordingGenerator for a mini-batch trainer, else None."""
        raise NotImplementedError

    def optimizer(self, hyper):
        raise NotImplementedError

    def probe_hyper(self, case):
        """The settings of the one-update probe."""
        return case.hyper

    def probe_note(self):
        """Why the probe's settings differ from the case's."""
        return ""

    def implied_gradient(self, P0, P1, hyper):
        """The gradient a correct first update from zero state would have used."""
        return {k: (P0[k] - P1[k]) / hyper["lr"] for k in KEYS}

    def describe_step(self, hyper):
        return "one update from zero velocity moves each array by -lr * its gradient"

    def scale_problem(self, what, P0, P1, exp_P1, hyper):
        return None

    def not_finite_message(self, P0, P1, case, hyper):
        """The first loss is right, but P1, the params after the first update from P0 (the
        probe's settings hyper), hold nan or inf."""
        return ("the first loss is right, but after the first update the weights are not "
                "finite (nan or inf): look at the update, W = W + v with v = rho * v - lr * grad")

    # -- running
    def run(self, fn, case, hyper, steps):
        """Call the learner's trainer: (params, losses, a Trace of its rng and X (mini-batch
        trainers) or None, message or None)."""
        rng = RecordingGenerator(case.seed) if self.minibatch else None
        X = RowLog(case.X) if self.minibatch else fresh(case.X)
        try:
            with single_thread():
                result = self.call(fn, case, hyper, steps, rng, X)
        except ValueError as exc:
            if not any(w in str(exc) for w in ("matmul", "broadcast", "align")):
                raise
            shapes = ", ".join(f"{k} {case.shapes[k]}" for k in KEYS[::2])
            return None, None, None, (
                f"your {self.function} raised {describe_exception(exc)} on {case.label}: "
                f"shapes that do not fit. There X is {case.X.shape}, {shapes}: W_k has shape "
                f"(inputs, outputs), so z_k = h_(k-1) @ W_k + b_k and, going back, "
                f"dh_(k-1) = dz_k @ W_k.T and dW_k = h_(k-1).T @ dz_k")
        P, losses, problem = read_result(result, self.function, f"your {self.function}",
                                         case.shapes)
        return P, losses, (Trace(rng, X, case.X) if rng is not None else None), problem

    def n_updates(self, case, steps):
        if not self.minibatch:
            return steps["iterations"]
        return steps["epochs"] * -(-case.n // steps["batch_size"])

    def full_steps(self, case):
        if self.minibatch:
            return dict(epochs=case.epochs, batch_size=case.batch_size)
        return dict(iterations=case.iterations)

    def one_update(self, case):
        if self.minibatch:
            return dict(epochs=1, batch_size=case.n)
        return dict(iterations=1)

    def name(self, case, steps, hyper=None):
        """'your train_mlp on <the case>, <the steps>, <the settings>'."""
        if self.minibatch:
            if steps["batch_size"] >= case.n and steps["epochs"] == 1:
                how = f"one epoch in one batch of all {case.n} points"
            else:
                how = f"{steps['epochs']} epochs in batches of {steps['batch_size']}"
        else:
            k = steps["iterations"]
            how = "one iteration" if k == 1 else f"{k} iterations"
        hyper = case.hyper if hyper is None else hyper
        settings = ", ".join(f"{k} {v:g}" for k, v in hyper.items())
        return f"your {self.function} on {case.label}, {how}, {settings}"

    # -- grading
    def grade(self, fn):
        for case in self.cases:
            problem = self.grade_case(fn, case)
            if problem:
                return problem
        return None

    def grade_case(self, fn, case):
        steps = self.full_steps(case)
        where = self.name(case, steps)
        P, losses, trace, problem = self.run(fn, case, case.hyper, steps)
        if problem:
            return problem
        batches, starts, batching = self.batches_of(case, steps, trace, P)
        n_updates = self.n_updates(case, steps)
        if batches is not None:
            exp_losses, exp_P = lessonlib_run(case.params, case.X, case.y,
                                              self.optimizer(case.hyper), batches)
            if _all_close(P, exp_P, **case.run_tolerance):
                if len(losses) == len(exp_losses) and close(losses, exp_losses,
                                                            **case.run_tolerance):
                    # right; the one-update probe still runs, for a slip the run hides
                    # (Adam's step hardly changes when every gradient is scaled)
                    return self.first_update_problem(fn, case)
                return self.losses_problem(where, losses, exp_losses, case, batches, starts)
        if _all_close(P, case.params):
            return (f"{where}: the params returned are the initial ones: return the trained "
                    f"params (or train the dict you were given)")
        # something differs: find the first part that does
        problem = self.first_update_problem(fn, case)
        if problem:
            return problem
        if batching:
            return f"{where}: {batching}"
        if len(losses) != n_updates:
            return self.count_problem(where, losses, n_updates, case, steps)
        return self.update_problem(where, P, losses, exp_P, exp_losses, case, batches, starts)

    def batches_of(self, case, steps, trace, P=None):
        """(batches, epoch starts, None) or (None, None, what is wrong with the batching)."""
        n = case.n
        return [np.arange(n)] * steps["iterations"], list(range(steps["iterations"])), None

    # -- 1. and 2. and 3.: the first update
    def first_update_problem(self, fn, case):
        hyper = self.probe_hyper(case)
        steps = self.one_update(case)
        P0 = case.params
        what = self.name(case, steps, hyper)
        if hyper != case.hyper:
            what += f" ({self.probe_note()})"
        P1, losses, trace, problem = self.run(fn, case, hyper, steps)
        if problem:
            return problem
        order = seen = None
        if self.minibatch:
            seen = epochs_of(trace.batches, case.n, 1)
            orders, others = orders_from(trace.draws, case.n, case.X, case.y)
            if seen is not None:
                order = np.concatenate(seen[0])
            elif others:
                return f"{what}: {self.describe_other_draws(others, case.n)}"
            elif len(orders) == 1:
                order = orders[0]
            missed = self.rows_missed(trace.batches, case.n) if seen is None else None
            if missed:
                return f"{what}: {missed}"
        if len(losses) != 1:
            return (f"{what} returned {len(losses)} losses; one update gives one loss (the "
                    f"loss before the update)")
        batches = [np.arange(case.n)]
        exp_losses, exp_P1 = lessonlib_run(P0, case.X, case.y, self.optimizer(hyper), batches)
        loss_ok = close(losses, exp_losses)
        step_ok = _all_close(P1, exp_P1)
        if not step_ok and seen is not None and len(seen[0]) > 1 and _all_close(
                P1, lessonlib_run(P0, case.X, case.y, self.optimizer(hyper), seen[0])[1]):
            sizes = _listed([len(piece) for piece in seen[0]])
            return (f"{what}: your code updated the weights after each of the {len(seen[0])} "
                    f"pieces of rows it took from X ({sizes} rows), where one batch gives one "
                    f"update. Take the mean of the gradients over all the batch's rows, then "
                    f"update once")
        if loss_ok and not all(np.isfinite(P1[k]).all() for k in KEYS):
            return f"{what}: {self.not_finite_message(P0, P1, case, hyper)}"
        if loss_ok and step_ok:
            return None
        if loss_ok:
            for slip in self.ACCEPTED_FIRST_STEPS:      # a right variant, e.g. Adam's eps-hat
                _, P_ok = simulate(P0, case.X, case.y, batches, self.rule, hyper, slip)
                if _all_close(P1, P_ok):
                    return None
        if not loss_ok and not step_ok:
            if order is not None:
                unpaired = forward_backward(P0, case.X[order], case.y)[0]
                if close(losses[0], unpaired):
                    return (f"{what}: the first loss is that of the rows X[idx] in the order "
                            f"drawn from rng, each with the label of another point, y in its "
                            f"stored order: the pairs (x_i, y_i) no longer match. Use y[idx] "
                            f"with X[idx], the same idx for both")
            return self.forward_problem(what, losses[0], exp_losses[0], case)
        if not loss_ok:         # the weights moved right: the loss is only reported wrong
            return self.loss_value_problem(what, losses[0], exp_losses[0], case)
        return self.step_problem(what, P0, P1, exp_P1, hyper, case)

    @staticmethod
    def rows_missed(batches, n):
        """What is wrong when the rows a one-epoch run took from X leave some out (an
        off-by-one in the batching, such as range(1, n, batch_size) or order[s:s +
        batch_size - 1]), else None: said before any forward pass is blamed."""
        if not batches:
            return None
        taken = np.unique(np.concatenate([np.ravel(b) for b in batches]))
        if taken.size >= n:
            return None
        missing = np.setdiff1d(np.arange(n), taken)
        return (f"in one epoch your code took {taken.size} of the {n} rows from X ({missing.size} "
                f"never used, such as row {missing[0]}), so the loss and the update are those of "
                f"other rows: every row goes into one batch per epoch, idx = order[start:start + "
                f"batch_size] for start in range(0, n, batch_size), starting at 0, each slice "
                f"batch_size long")

    def forward_problem(self, what, got, expected, case):
        n = case.n
        slips = [({"no_relu1"}, "the forward pass of hidden layer 1 has no ReLU: h1 = "
                                "max(0, X @ W1 + b1)"),
                 ({"no_relu2"}, "the forward pass of hidden layer 2 has no ReLU: h2 = "
                                "max(0, h1 @ W2 + b2)"),
                 ({"relu_out"}, "the output layer has a ReLU: the logits are h2 @ W3 + b3 as "
                                "they are, only the hidden layers have ReLU"),
                 ({"sigmoid_hidden"}, "your hidden layers use the sigmoid; this network's "
                                      "hidden layers use ReLU, max(0, z)"),
                 ({"no_bias1"}, "the forward pass of hidden layer 1 leaves out b1: "
                                "z1 = X @ W1 + b1"),
                 ({"no_bias2"}, "the forward pass of hidden layer 2 leaves out b2: "
                                "z2 = h1 @ W2 + b2"),
                 ({"no_bias3"}, "the output layer leaves out b3: logits = h2 @ W3 + b3"),
                 ({"W2T"}, "the forward pass of hidden layer 2 uses W2 transposed: W2 has shape "
                           "(n_in, n_out), so z2 = h1 @ W2 + b2"),
                 ({"sum_loss"}, f"your first loss is {n} times too large (N = {n}): the loss "
                                f"is the mean of -log p[i, y_i] over the points, not the sum"),
                 ({"mean_classes"}, "your first loss is half of lessonlib's: averaging "
                                    "onehot * log(p) over all N x 2 entries divides by the 2 "
                                    "classes too; sum over the classes, average over the points"),
                 ({"flip_y"}, "your loss takes -log of the probability of the wrong class: "
                              "pick p[i, y_i], the probability of each point's own class")]
        for slip, message in slips:
            try:
                value = forward_backward(case.params, case.X, case.y, slip)[0]
            except ValueError:          # shapes that do not fit in this case
                continue
            if close(got, value):
                return f"{what}: {message}"
        want, have = show(expected), show(got)
        return (f"{what}: the first loss, before any update, is {have}; lessonlib's is {want}. "
                f"So the forward pass differs: check z_k = h_(k-1) @ W_k + b_k for k = 1, 2, 3 "
                f"(h_0 = X), the ReLU on the two hidden layers only, the softmax of the logits "
                f"and the mean of -log p[i, y_i]")

    def loss_value_problem(self, what, got, expected, case):
        n = case.n
        clipped = self.clipped_log_problem(np.array([got]), case, [np.arange(n)], [0])
        if clipped:
            return f"{what}: {clipped}"
        if close(got, expected * n):
            return (f"{what}: the weights moved right, but the loss you record is {n} times "
                    f"lessonlib's (N = {n}): record the mean over the points, not the sum")
        if close(got, expected / 2):
            return (f"{what}: the weights moved right, but the loss you record is half of "
                    f"lessonlib's: sum over the 2 classes, average over the points only")
        return (f"{what}: the weights moved right, but the loss you record is {show(got)}, "
                f"lessonlib's {show(expected)}: record the mean cross-entropy of the batch, "
                f"computed before the update")

    def step_problem(self, what, P0, P1, exp_P1, hyper, case):
        """The first update moved the weights wrong: the update rule, or a layer's gradient."""
        batches = [np.arange(case.n)]
        for slip, message in self.FIRST_STEP_SLIPS:
            _, P_slip = simulate(P0, case.X, case.y, batches, self.rule, hyper, slip)
            if _all_close(P1, P_slip):
                return f"{what}: {message}"
        key, problem = params_problem("the first update", P1, exp_P1)
        k = _layer(key)
        biases = [b for b in KEYS if b.startswith("b")]
        if all(close(P1[b], P0[b]) for b in biases) and \
                all(close(P1[w], exp_P1[w]) for w in KEYS if w.startswith("W")):
            return (f"{what}: every weight matrix moved right, so the backward pass is right, "
                    f"but the biases b1, b2 and b3 did not move at all: your update skips them. "
                    f"Update every array in params, for key in params, the biases too (and if "
                    f"it does include them, their gradients are zero: db = dz.sum(axis=0))")
        grad_slips = [
            ({"sum_grad"}, f"the gradient of {key} is {case.n} times too large (N = {case.n}): "
                           f"the loss is the mean over the points, so d loss/d logits = "
                           f"(p - onehot) / N"),
            ({"no_onehot"}, "the gradient of the output layer misses the one-hot: d loss/d "
                            "logits = (p - onehot) / N, p minus 1 at each point's class"),
            ({"db_zero"}, f"{key} did not move: its gradient is missing; d{key} = dz.sum(axis=0)"),
            ({"db_mean"}, f"the gradient of {key} is {case.n} times too small (N = {case.n}): "
                          f"d{key} = dz.sum(axis=0); dz already carries the 1/N of the mean"),
            ({"no_mask2"}, f"the gradient of {key} ignores the ReLU of hidden layer 2: on the "
                           f"way back through layer 2, dz2 = dh2 * (z2 > 0)"),
            ({"no_mask1"}, f"the gradient of {key} ignores the ReLU of hidden layer 1: on the "
                           f"way back through layer 1, dz1 = dh1 * (z1 > 0)"),
            ({"mask_swap"}, f"the gradient of {key} uses the other hidden layer's ReLU mask: "
                            f"layer k's gradient passes where its own z_k > 0"),
            ({"dW_out2"}, "the gradient of W2 uses layer 2's output h2; it is its input: "
                          "dW2 = h1.T @ dz2"),
            ({"updated_W"}, f"the gradient of {key} was carried back through a weight matrix "
                            f"that had already been updated: compute every layer's gradient "
                            f"first (with the weights of the forward pass), then update"),
            ({"sign"} if self.rule == "adam" else {"uphill"}, "the first update goes uphill: "
                                                               "move against the gradient"),
        ]
        for slip, message in grad_slips:
            if slip == {"uphill"}:
                P_slip = {k2: 2 * P0[k2] - exp_P1[k2] for k2 in KEYS}
            else:
                try:
                    _, P_slip = simulate(P0, case.X, case.y, batches, self.rule, hyper, slip)
                except ValueError:
                    continue
            if close(P1[key], P_slip[key]):
                return f"{what}: {message}"
        small = self.divided_again(P0, P1, exp_P1, hyper, case.n)
        if small == list(FROM_OUTPUT):
            return (f"{what}: the first loss is right, but every gradient your code used is "
                    f"{case.n} times too small (N = {case.n}): you divided by N twice. d loss/d "
                    f"logits = (p - onehot) / N already carries the 1/N of the mean loss; divide "
                    f"once, not again in dz, dW or db")
        if key in small:
            gradients = "gradient of" if len(small) == 1 else "gradients of"
            are = "is" if len(small) == 1 else "are"
            return (f"{what}: the first loss is right, but the {gradients} "
                    f"{_listed(small)} {are} {case.n} times too small (N = {case.n}): you "
                    f"divided by N there, but dz already carries the 1/N of the mean loss (d "
                    f"loss/d logits = (p - onehot) / N), so dW = h.T @ dz and db = "
                    f"dz.sum(axis=0), with no second 1/N")
        scale = self.scale_problem(what, P0, P1, exp_P1, hyper)
        if scale:
            return scale
        got_g = self.implied_gradient(P0, P1, hyper)[key]
        exp_g = self.implied_gradient(P0, exp_P1, hyper)[key]
        gap = compare(f"d loss/d {key}", got_g, exp_g) or problem
        if k == N_LAYERS:
            where = ("start at the output: dz3 = (p - onehot) / N, dW3 = h2.T @ dz3, db3 = "
                     "dz3.sum(axis=0)")
        else:
            where = (f"the arrays of the layers above it are right, so look at the backward "
                     f"pass from layer {k + 1} into layer {k}: dz{k} = (dz{k + 1} @ W{k + 1}.T) "
                     f"* (z{k} > 0), dW{k} = {'X' if k == 1 else f'h{k - 1}'}.T @ dz{k}, "
                     f"db{k} = dz{k}.sum(axis=0)")
        return (f"{what}: the first loss is right, but the first update of {key} is not. "
                f"{_upper_first(self.describe_step(hyper))}, so the gradient your code used for "
                f"{_layer_name(k)} differs ({gap}); {where}")

    def divided_again(self, P0, P1, exp_P1, hyper, n):
        """The arrays (output layer first) whose gradient, read from the first update, is the
        right one divided by n: a 1/N too many."""
        got = self.implied_gradient(P0, P1, hyper)
        right = self.implied_gradient(P0, exp_P1, hyper)
        return [k for k in FROM_OUTPUT if np.isfinite(got[k]).all() and np.abs(right[k]).max() > 0
                and close(got[k], right[k] / n) and not close(got[k], right[k])]

    # -- 4. and 5.
    def clipped_log_problem(self, losses, case, batches, starts):
        """A message when the losses are those of log(p + eps) or log(max(p, eps)), else None."""
        for eps in (1e-5, 1e-7, 1e-8, 1e-10, 1e-12, 1e-15, 1e-16):
            for form in ("log", "clip"):
                clipped, _ = simulate(case.params, case.X, case.y, batches, self.rule,
                                      case.hyper, {f"{form}_eps={eps!r}"}, starts,
                                      case.batch_size)
                if len(clipped) == len(losses) and close(losses, clipped):
                    written = (f"log(p + {eps:g})" if form == "log" else
                               f"log(max(p, {eps:g}))")
                    return (f"the weights are right, but your losses are the mean of {written} "
                            f"(the notes add such an eps): for the points the network gets "
                            f"badly wrong, p is far below {eps:g}, so their loss is cut off. "
                            f"Compute log p exactly, as log_p = z - max(z) - log(sum(exp(z - "
                            f"max(z)))) on the logits z")
        return None

    def losses_problem(self, where, losses, exp_losses, case, batches, starts):
        if len(losses) != len(exp_losses):
            return self.count_problem(where, losses, len(exp_losses), case, None)
        clipped = self.clipped_log_problem(losses, case, batches, starts)
        if clipped:
            return f"{where}: {clipped}"
        after, _ = simulate(case.params, case.X, case.y, batches, self.rule, case.hyper,
                            {"loss_after"}, starts, case.batch_size)
        if close(losses, after) or (len(losses) > 1 and close(losses[:-1], exp_losses[1:])):
            return (f"{where}: the params are right, but your losses come one update late: "
                    f"your losses[0], {show(losses[0])}, is the loss after the first update. "
                    f"Each loss is taken before its update, from the forward pass its gradient "
                    f"comes from, so losses[0] is the loss at the initial weights, "
                    f"{show(exp_losses[0])}")
        if close(losses, exp_losses * np.array([len(b) for b in batches])):
            return (f"{where}: the params are right, but the losses are sums over the batch: "
                    f"record the mean")
        if close(losses, exp_losses / 2):
            return (f"{where}: the params are right, but every loss you record is half of "
                    f"lessonlib's: you averaged over the 2 classes too (onehot * log(p) over all "
                    f"N x 2 entries). Sum over the classes, average over the points only")
        i = next(i for i in range(len(losses)) if not close(losses[i], exp_losses[i]))
        want, have = pair(exp_losses[i], losses[i])
        return (f"{where}: the params are right, but your losses[{i}] is {have}; lessonlib's is "
                f"{want}: record the mean cross-entropy of each batch, before its update")

    def count_problem(self, where, losses, n_updates, case, steps):
        return (f"{where} returned {len(losses)} losses; expected {n_updates}, one per update "
                f"(the loss before that update)")

    def describe_other_draws(self, others, n):
        return "it drew from rng something other than a permutation of the rows"

    def update_problem(self, where, P, losses, exp_P, exp_losses, case, batches, starts):
        """The first update is right, but the run is not: what carries over between steps."""
        for slip, message, *changed in self.UPDATE_SLIPS:
            hyper = {**case.hyper, **(changed[0] if changed else {})}
            if hyper == case.hyper and changed:
                continue
            got_losses, got_P = simulate(case.params, case.X, case.y, batches, self.rule,
                                         hyper, slip, starts, case.batch_size)
            if _all_close(P, got_P) and same_run(losses, got_losses):
                return f"{where}: {message}"
        shorter = lessonlib_run(case.params, case.X, case.y, self.optimizer(case.hyper),
                                batches[:-1])[1]
        if _all_close(P, shorter):
            return (f"{where}: the params returned are those before the last update: return "
                    f"them after it")
        bad = [i for i in range(len(losses)) if not close(losses[i], exp_losses[i])]
        if not bad:
            key, problem = params_problem("the last update", P, exp_P)
            return (f"{where}: every loss is right, but the params returned are not ({problem}): "
                    f"return the params after the last update")
        i = bad[0]
        want, have = show(exp_losses[i]), show(losses[i])
        return (f"{where}: the first update is right, but {self.position(i, starts)} the loss "
                f"is {have}, lessonlib's {want}. {self.carry_hint()}")

    def position(self, i, starts):
        """Where loss i of a run is: 'after 3 updates'."""
        return f"after {i} update{'s' if i > 1 else ''}"

    def carry_hint(self):
        return ("Check what carries over from one update to the next: one velocity per array, "
                "starting at 0, v = rho * v - lr * grad, then the array moves by v")


class TrainerExercise(Exercise):
    """An Exercise whose learner's function trains the rings MLP: ``lesson_runs(fn)`` trains
    it and lessonlib on the lesson's setting, for the figure beside the check."""

    def __init__(self, *args, lesson_run=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._lesson_run = lesson_run
        self._passed = None

    def check(self, fn):
        super().check(fn)
        self._passed = fn if self._last_problem is None else None

    def grade(self, fn):
        self._last_problem = "not graded"
        problem = super().grade(fn)
        self._last_problem = problem
        return problem

    def lesson_runs(self, fn=None):
        """[(label, model, losses)]: lessonlib's run of the lesson's setting, then the
        learner's if ``fn`` passes the check (trained with the same initial weights)."""
        lessonlib_label, learner_label, train = self._lesson_run
        passed = fn is not None and fn is self._passed
        if fn is not None and not passed:
            try:
                passed = self.grade(fn) is None
            except NotAttempted:
                passed = False
        runs = train(fn if passed else None)
        if not passed:
            print(f"Only lessonlib's run is shown: yours appears beside it once your "
                  f"{self.answer_name} passes exercises.{self.name}.check({self.answer_name}).")
        return [(lessonlib_label, *runs[0])] + ([(learner_label, *runs[1])] if passed else [])


# ---------------------------------------------------------------- the three kinds of trainer

class MomentumCheck(TrainerCheck):
    """Gradient descent with heavy-ball momentum on every array (lesson 03, full batch)."""

    rule = "momentum"
    FIRST_STEP_SLIPS = [
        ({"ema"}, "after one update from zero velocity every array moved (1 - rho) * lr * its "
                  "gradient, not lr * its gradient: you wrote momentum as an average of the "
                  "gradients, v = rho*v + (1 - rho)*grad, W = W - lr*v. That is a real variant "
                  "(the form Adam uses for m), but lessonlib's SGD and this exercise use the "
                  "heavy-ball form v = rho*v - lr*grad, W = W + v"),
        ({"swap_lr_rho"}, "lr and rho are swapped in your update: v = rho*v - lr*grad"),
        ({"old_v"}, "the weights did not move in the first update: they moved by the old "
                    "velocity (0 at first). Update v first, then W = W + v with the new v"),
    ]
    UPDATE_SLIPS = [
        ({"plain"}, "your run is plain gradient descent: the velocity is not carried from one "
                    "update to the next. Keep one velocity per array across the iterations "
                    "(start at 0): v = rho*v - lr*grad, then W = W + v"),
        ({"mom_sign"}, "the momentum term has the wrong sign: the velocity keeps the last "
                       "move's direction, v = rho*v - lr*grad"),
        ({"no_rho"}, "your velocity leaves out rho: v = v - lr*grad keeps all of the last "
                     "move; it keeps a share rho of it, v = rho*v - lr*grad"),
        ({"bias_plain"}, "your weights use momentum but your biases do not: lessonlib's SGD "
                         "keeps a velocity for every array, b1, b2, b3 included"),
        (set(), "your run uses rho = 0.9, not the rho it was given: use the function's "
                "argument rho", dict(rho=0.9)),
    ]

    def scale_problem(self, what, P0, P1, exp_P1, hyper):
        """Every array moved by the same multiple of its right step: the size of the step."""
        right = {k: exp_P1[k] - P0[k] for k in KEYS}
        got = {k: P1[k] - P0[k] for k in KEYS}
        big = max(KEYS, key=lambda k: np.abs(right[k]).max())
        i = np.unravel_index(np.argmax(np.abs(right[big])), right[big].shape)
        c = got[big][i] / right[big][i]
        if np.isfinite(c) and abs(c - 1) > 1e-3 and abs(c + 1) > 1e-3 \
                and all(close(got[k], c * right[k]) for k in KEYS):
            head = (f"{what}: the first loss and the direction of every gradient are right, but "
                    f"every array moved {show(c)} times as far as it should, -lr * grad with lr "
                    f"= {hyper['lr']:g}")
            if "rho" in hyper and abs(c - (1 + hyper["rho"])) < 1e-3:
                return (f"{head}, that is 1 + rho: the first step of Nesterov's momentum (its "
                        f"look-ahead, as PyTorch's nesterov=True computes it). This exercise is "
                        f"the heavy ball of lesson 02: v = rho*v - lr*grad, W = W + v, whose "
                        f"first step is -lr * grad")
            return f"{head}: does your update use the lr it is given?"
        return None

    def optimizer(self, hyper):
        return SGD(lr=hyper["lr"], momentum=hyper["rho"])


# Two slips give the same numbers (a right m divided by 1 - beta1 is the decaying sum): name both.
M_GROWS = ("m grows to 1/(1 - beta1) times the gradient. Two slips give these same numbers: "
           "m = beta1*m + g, lesson 02's momentum form (a decaying sum), with no bias correction "
           "of m; or a right m with t left out of its correction, m_hat = m / (1 - beta1). "
           "Check both: Adam's m is an average, m = beta1*m + (1 - beta1)*g, and m_hat = m / "
           "(1 - beta1**t)")
# t stuck at 1: the corrections stay m / (1 - beta1) and n / (1 - beta2), the decaying sums.
T_NEVER_CHANGES = (
    "t never changes: every update divides m by 1 - beta1 and n by 1 - beta2, the bias "
    "correction of the first update (or t is left out of the corrections, m / (1 - beta1)). t "
    "counts the updates, 1, 2, 3, ... across batches and epochs, in m_hat = m / (1 - beta1**t) "
    "and n_hat = n / (1 - beta2**t), so that the correction fades. Decaying sums with no bias "
    "correction, m = beta1*m + g and n = beta2*n + g**2, give these same numbers too")


class AdamCheck(TrainerCheck):
    """Adam with bias correction on every array (lesson 05)."""

    rule = "adam"
    FIRST_STEP_SLIPS = [
        ({"no_correction"}, "there is no bias correction: m and n start at 0, so in the first "
                            "updates they are too small. Divide them by 1 - beta1**t and "
                            "1 - beta2**t, with t = 1 in the first update"),
        ({"no_correction_n"}, "m is bias-corrected but n is not: divide n by 1 - beta2**t too"),
        ({"no_correction_m"}, "n is bias-corrected but m is not: divide m by 1 - beta1**t too"),
        ({"eps_inside"}, "you add eps inside the square root, sqrt(n_hat + eps), as the notes "
                         "do; lessonlib and the Adam paper add it outside, sqrt(n_hat) + eps. "
                         "With eps = 1e-8 the two hardly differ, but the checker also runs one "
                         "update with eps = 1, and there they do"),
        ({"no_root"}, "your step divides by n_hat + eps, without the square root: n_hat "
                      "averages squared gradients, so sqrt(n_hat) has the size of a gradient; "
                      "W = W - lr * m_hat / (sqrt(n_hat) + eps)"),
        ({"momentum_step"}, "the first loss and the gradients are right, but the update is not "
                            "Adam's: every array moved by -lr * grad, the first step of lesson "
                            "04's momentum update (v = rho*v - lr*grad, W = W + v) or of plain "
                            "gradient descent. Adam keeps m and n per array: m = beta1*m + "
                            "(1 - beta1)*g, n = beta2*n + (1 - beta2)*g**2, m_hat = m / (1 - "
                            "beta1**t), n_hat = n / (1 - beta2**t), W = W - lr * m_hat / "
                            "(sqrt(n_hat) + eps)"),
        ({"fixed_eps"}, "your first update looks like eps = 1e-8, not the eps it was given: use "
                        "the function's argument eps"),
        ({"t_plus"}, "the bias correction uses t one too large: in the first update t = 1, so "
                     "1 - beta1**t = 1 - beta1"),
        ({"t_per_array"}, "t goes up once per array, not once per update: count the updates "
                          "(one t for all six arrays), t = 1 in the first update"),
        ({"m_sum"}, "your first step is 1/(1 - beta1) times too long: you wrote m = beta1*m + g, "
                    "lesson 02's momentum form (a decaying sum). Adam's m is an average, m = "
                    "beta1*m + (1 - beta1)*g, so that m_hat = g in the first update"),
        ({"swap_avg"}, "beta1 and beta2 are swapped in the averages: m = beta1*m + (1 - beta1)*g "
                       "averages the gradients, n = beta2*n + (1 - beta2)*g**2 the squared "
                       "gradients (and m is corrected by 1 - beta1**t, n by 1 - beta2**t)"),
        ({"swap_corr"}, "the bias corrections are swapped: m_hat = m / (1 - beta1**t), n_hat = "
                        "n / (1 - beta2**t), each with the beta of its own average"),
    ]
    UPDATE_SLIPS = [
        ({"swap_betas"}, "beta1 and beta2 are swapped: beta1 averages the gradients into m, "
                         "beta2 the squared gradients into n"),
        ({"m_sum", "no_correction_m"}, M_GROWS),
        ({"default_betas"}, "your run uses beta1 = 0.9 and beta2 = 0.999, not the beta1 and "
                            "beta2 it was given: use the function's arguments"),
        ({"t_epoch"}, "t starts again at every epoch: t counts all the updates since the "
                      "start (1, 2, 3, ... across epochs), so the bias correction fades"),
        ({"t_per_array"}, "t goes up once per array, not once per update: count the updates "
                          "(one t for all six arrays)"),
        ({"m_fresh", "n_fresh", "t_fresh"}, "m, n and t start again at every batch (m = n = 0, "
                                            "t = 1), so every update is a first update: "
                                            "create them once, before the loops, and keep "
                                            "them from one update to the next"),
        ({"m_fresh", "n_fresh"}, "m and n start again from 0 at every batch: create them once, "
                                 "before the loops, and keep each array's m and n from one "
                                 "update to the next (m = beta1*m + (1 - beta1)*grad, n = "
                                 "beta2*n + (1 - beta2)*grad**2)"),
        ({"m_fresh"}, "m starts again from 0 at every update: keep each array's m from one "
                      "update to the next, m = beta1*m + (1 - beta1)*grad"),
        ({"n_fresh"}, "n starts again from 0 at every update: keep each array's n from one "
                      "update to the next, n = beta2*n + (1 - beta2)*grad**2"),
        ({"reset_epoch"}, "m and n start again from 0 at every epoch: keep them (and t) for "
                          "the whole run"),
        ({"no_correction"}, "there is no bias correction: divide m and n by 1 - beta1**t and "
                            "1 - beta2**t"),
        ({"t_fresh"}, T_NEVER_CHANGES),
    ]

    # The Adam paper's "efficient" order (Kingma and Ba, end of section 2; Keras and TensorFlow
    # use it): lr_t = lr * sqrt(1 - beta2**t) / (1 - beta1**t), W = W - lr_t * m / (sqrt(n) +
    # eps). That is eps / sqrt(1 - beta2**t) in place of eps next to sqrt(n_hat): with eps = 1e-8
    # its runs agree with lessonlib's within the checker's tolerance, so it is right too.
    ACCEPTED_FIRST_STEPS = [{"eps_hat"}]

    def optimizer(self, hyper):
        return Adam(lr=hyper["lr"], beta1=hyper["beta1"], beta2=hyper["beta2"], eps=hyper["eps"])

    def scale_problem(self, what, P0, P1, exp_P1, hyper):
        """Every array moved against its right gradient, and the larger the gradient the longer
        the step, but not by Adam's first step: the update differs, not the backward pass (or
        every gradient is off by one common factor, which only the step's size shows)."""
        right = self.implied_gradient(P0, exp_P1, hyper)
        g = np.concatenate([right[k].ravel() for k in KEYS])
        s = np.concatenate([(P0[k] - P1[k]).ravel() for k in KEYS])
        if not (np.isfinite(g).all() and np.isfinite(s).all()):
            return None
        big = np.abs(g) > 1e-9 * np.abs(g).max()
        if big.sum() < 3 or np.any(np.sign(s[big]) != np.sign(g[big])):
            return None
        steps = np.abs(s[big])[np.argsort(np.abs(g[big]), kind="stable")]
        if np.any(np.diff(steps) < -1e-9 * steps.max()):
            return None
        i = int(np.argmax(np.abs(g)))
        expected = hyper["lr"] * g[i] / (abs(g[i]) + hyper["eps"])
        return (f"{what}: the first loss is right, and every array moved against its right "
                f"gradient, the larger the gradient the longer the step, so your backward pass "
                f"looks right; but the steps are not Adam's first step (its largest move should be "
                f"{show(-expected)}, yours is {show(-s[i])}): the update differs. In the first "
                f"update (t = 1, m and n from 0) m_hat = g and n_hat = g**2, so each weight "
                f"moves by -lr * g / (|g| + eps); check m, n, the bias correction and the "
                f"division (or, if all that is right, a gradient off by one factor for every "
                f"array)")

    def probe_hyper(self, case):
        # with eps as large as the gradients the first step, lr * g / (|g| + eps), is a smooth
        # function of g that can be inverted: it tells the gradient the learner's code used
        return {**case.hyper, "lr": 0.1, "eps": 1.0}

    def probe_note(self):
        return ("a test run of one update with its own lr and a large eps, so that the step, "
                "lr * g / (|g| + eps), shows the gradient g")

    def implied_gradient(self, P0, P1, hyper):
        lr, eps = hyper["lr"], hyper["eps"]
        out = {}
        for k in KEYS:
            s = P0[k] - P1[k]                       # = lr * g / (|g| + eps) at t = 1
            with np.errstate(all="ignore"):
                out[k] = s * eps / (lr - np.abs(s))
        return out

    def describe_step(self, hyper):
        return (f"with eps = {hyper['eps']:g}, Adam's first update moves each array by "
                f"-lr * g / (|g| + eps), which tells the gradient g")

    def not_finite_message(self, P0, P1, case, hyper):
        """t = 0 only when a run with t = 0 in the first update gives nan or inf at the same
        places (everywhere); else where the non-finite numbers are: at the zero gradients (a
        0/0), at the negative ones (n went negative), or elsewhere."""
        head = "the first loss is right, but after the first update"
        batches = [np.arange(case.n)]
        bad = {k: ~np.isfinite(P1[k]) for k in KEYS}
        _, P_t0 = simulate(P0, case.X, case.y, batches, self.rule, hyper, {"t_minus"})
        if all(np.array_equal(bad[k], ~np.isfinite(P_t0[k])) for k in KEYS):
            return (f"{head} the weights are not finite (nan or inf). With t = 0, 1 - beta1**t "
                    f"= 0 and the bias correction divides by zero: t counts the updates from 1, "
                    f"so t = 1 in the first update")
        grads = forward_backward(P0, case.X, case.y)[1]
        scale = max(np.abs(grads[k]).max() for k in KEYS)
        zero = {k: np.abs(grads[k]) <= 1e-12 * scale for k in KEYS}
        clear = {k: np.abs(grads[k]) > 1e-9 * scale for k in KEYS}
        count = sum(int(bad[k].sum()) for k in KEYS)
        total = sum(bad[k].size for k in KEYS)
        some = f"{count} of the {total} weights and biases are not finite (nan or inf)"
        if all(not bad[k][~zero[k]].any() and bad[k][zero[k]].all() for k in KEYS):
            return (f"{head} {some}: exactly those whose gradient is 0 (units whose ReLU is off "
                    f"for every point). There m_hat = 0 and n_hat = 0, so a step that divides "
                    f"by sqrt(n_hat) alone is 0/0: add eps to sqrt(n_hat) before dividing, "
                    f"W = W - lr * m_hat / (np.sqrt(n_hat) + eps), brackets included")
        if any(bad[k][clear[k]].any() for k in KEYS) and \
                all(np.array_equal(bad[k][clear[k]], grads[k][clear[k]] < 0) for k in KEYS):
            return (f"{head} {some}: exactly those whose gradient is negative. There n went "
                    f"negative, and its square root is nan: n averages squared gradients, which "
                    f"are never negative, n = beta2*n + (1 - beta2)*g**2 (g or 2*g in place of "
                    f"g**2 gives this, and so do m and n that are one and the same array or "
                    f"dict, m = n = {{}}: each update then writes the other)")
        return (f"{head} {some}, and t = 0 is not the cause (with t = 0 every one would be "
                f"nan). Look for a square root of a negative number or a division by zero in "
                f"the update: n must stay >= 0, n = beta2*n + (1 - beta2)*g**2 (an average of "
                f"squared gradients), and the step divides by sqrt(n_hat) + eps, W = W - lr * "
                f"m_hat / (np.sqrt(n_hat) + eps)")

    def carry_hint(self):
        return ("Check what carries over from one update to the next: m and n of every array "
                "(starting at 0) and t, which counts the updates from 1")


class MiniBatchCheck(TrainerCheck):
    """Mini-batches (lessons 04 and 05): one new order of the rows per epoch, drawn from the
    rng the trainer is given, cut into consecutive batches (the last one may be smaller)."""

    minibatch = True
    extra_orders = 0        # set by batches_of for the run being graded (see there)
    DIVIDE_BY_BATCH_SIZE = ("the last batch of each epoch has fewer rows, and your code "
                            "divides by batch_size: the mean over a batch divides by the "
                            "batch's own size, len(idx), in the loss and in d loss/d logits = "
                            "(p - onehot) / len(idx)")
    DIVIDE_BY_N = ("your code divides by n = len(y), the size of the whole data set, as "
                   "lesson 03's full-batch loop did: in a mini-batch the mean is over the "
                   "batch's own rows, so divide by len(idx), in the loss and in d loss/d logits "
                   "= (p - onehot) / len(idx)")
    DIVIDE_BY_EITHER = ("the last batch of each epoch has fewer rows, and your code divides "
                        "by batch_size, or by n = len(y), the size of the whole data set, as "
                        "lesson 03's full-batch loop did (Adam's steps look the same with "
                        "either): the mean over a batch divides by the batch's own size, "
                        "len(idx), in the loss and in d loss/d logits = (p - onehot) / len(idx)")
    BATCH_SLIPS = [
        ({"divide_by_batch_size"}, DIVIDE_BY_BATCH_SIZE),
        ({"divide_by_batch_size", "loss_mean"}, DIVIDE_BY_BATCH_SIZE),
        ({"divide_by_n"}, DIVIDE_BY_N),
        ({"divide_by_n", "loss_mean"}, DIVIDE_BY_N),
        ({"reset_epoch"}, "the optimiser's state starts again at every epoch: keep it for the "
                          "whole run"),
    ]

    def batches_of(self, case, steps, trace, P=None):
        n, epochs, bs = case.n, steps["epochs"], steps["batch_size"]
        seen = epochs_of(trace.batches, n, epochs)
        orders, others = orders_from(trace.draws, n, case.X, case.y)
        # more orders drawn than epochs, while X's batches follow one per epoch: the labels
        # may have come from another draw (update_problem says so if nothing else fits)
        self.extra_orders = len(orders) - epochs if seen is not None else 0
        if seen is not None:
            # the batches the learner's code took from X: the truth, whatever it drew
            return self.seen_batches(seen, case, bs, trace, P)
        if others:
            return None, None, self.describe_other_draws(others, n)
        if len(orders) == epochs:
            batches, starts = cut(orders, bs)
            if P is not None and not self._replays(case, batches, P):
                # X and y reshuffled whole every epoch (X, y = X[perm], y[perm], or in place):
                # each epoch's order is then the last one taken through the new permutation
                composed = []
                for order in orders:
                    composed.append(order if not composed else composed[-1][order])
                batches_c, starts_c = cut(composed, bs)
                if self._replays(case, batches_c, P):
                    return batches_c, starts_c, None
            return batches, starts, None
        if not orders:
            stored, _ = cut([np.arange(n)] * epochs, bs)
            if not trace.advanced and P is not None and self._replays(case, stored, P):
                return None, None, self.STORED_ORDER
            if not trace.advanced:
                return None, None, self.NOTHING_DRAWN
            drawn = sorted({method for method, _ in trace.draws})
            return None, None, (f"it draws from rng ({', '.join(f'rng.{m}' for m in drawn)}), "
                                f"but the checker found no order of the {n} rows in what it "
                                f"drew, nor in the rows it took from X. Draw each epoch's "
                                f"order with order = rng.permutation(n) and take the batches as "
                                f"X[idx], y[idx] with idx = order[start:start + batch_size]")
        if len(orders) == 1:
            return None, None, (f"it drew one permutation for {epochs} epochs: every epoch went "
                                f"through the batches in the same order. Draw a new order at "
                                f"the start of every epoch")
        n_batches = -(-n // bs)
        if len(orders) >= epochs * n_batches:
            return None, None, (f"it drew a new permutation for every batch ({len(orders)} for "
                                f"{epochs} epochs of {n_batches} batches), so a row can come "
                                f"twice in an epoch and another not at all. Draw one "
                                f"permutation per epoch and cut it into consecutive batches")
        return None, None, (f"it drew {len(orders)} permutations for {epochs} epochs: draw "
                            f"exactly one per epoch, at its start")

    STORED_ORDER = ("its batches follow the stored order of the rows, the same in every epoch: "
                    "shuffle them, with a new order from rng at the start of every epoch, "
                    "order = rng.permutation(n)")
    NOTHING_DRAWN = ("it drew nothing from rng, the generator it is given. Draw each epoch's "
                     "order from it, order = rng.permutation(n): np.random.permutation or "
                     "np.random.shuffle use NumPy's own global generator, and a run must follow "
                     "the rng it is given")

    def _replays(self, case, batches, P):
        """True when lessonlib, trained on these batches, ends with the learner's params P."""
        return _all_close(P, lessonlib_run(case.params, case.X, case.y,
                                           self.optimizer(case.hyper), batches)[1])

    def seen_batches(self, seen, case, bs, trace, P=None):
        """(batches, epoch starts, None) or (None, None, message) from the batches the
        learner's code took from X, grouped into epochs (each uses every row once). Rows read
        in smaller pieces that add up to the batches (one point at a time, then one update per
        batch) count as those batches, unless the learner's weights are those of an update
        after every piece."""
        n, epochs = case.n, len(seen)
        sizes = [min(bs, n - start) for start in range(0, n, bs)]
        orders = [np.concatenate(epoch) for epoch in seen]
        pieces = [b for epoch in seen for b in epoch]
        for e, epoch in enumerate(seen):
            got = [len(idx) for idx in epoch]
            read_in_pieces = set(np.cumsum(sizes)) <= set(np.cumsum(got))
            if got != sizes and not (read_in_pieces
                                     and not (P is not None and self._replays(case, pieces, P))):
                return None, None, (
                    f"the batches of epoch {e + 1} hold {_listed(got)} rows; cut each epoch's "
                    f"order into consecutive batches of batch_size = {bs}, the last one holding "
                    f"what is left: {_listed(sizes)} rows, idx = order[start:start + "
                    f"batch_size] for start in range(0, n, batch_size) (np.array_split(order, "
                    f"k) makes the sizes even, and order[b::k] takes every k-th row: neither "
                    f"gives these batches)")
        if all(np.array_equal(order, np.arange(n)) for order in orders):
            return None, None, self.STORED_ORDER
        if not trace.advanced:
            return None, None, self.NOTHING_DRAWN
        if epochs > 1 and all(np.array_equal(order, orders[0]) for order in orders):
            return None, None, (f"every one of the {epochs} epochs went through the rows in the "
                                f"same order: draw a new order from rng at the start of every "
                                f"epoch")
        batches, starts = cut(orders, bs)
        fixed = fixed_batches([batches[a:b] for a, b in zip(starts, starts[1:] + [None])])
        if fixed:
            return None, None, (f"{fixed}. Shuffle all n rows at the start of every epoch, "
                                f"order = rng.permutation(n), then cut the order into "
                                f"consecutive batches, order[start:start + batch_size]")
        return batches, starts, None

    def describe_other_draws(self, others, n):
        method, value = others[0]
        if value.ndim == 2:
            return (f"rng.{method} was given X itself, so it shuffled the rows of X (and y, if "
                    f"shuffled the same way, with a different order): the pairs (x_i, y_i) no "
                    f"longer match. Draw an order of the row numbers, order = "
                    f"rng.permutation(n), and index both X and y with it")
        if method in ("integers", "choice") or (value.ndim == 1 and len(np.unique(value))
                                                 < len(value)):
            return (f"it drew row numbers with rng.{method} ({len(value)} of them) instead of "
                    f"an order of all {n} rows: a new draw for every batch (with replacement or "
                    f"without, as the notes do) repeats some rows and misses others within an "
                    f"epoch. In one epoch every row is used exactly once: one permutation of "
                    f"0..n-1 per epoch (rng.permutation(n)), cut into batches")
        return (f"it drew from rng.{method} something that is not an order of the {n} rows "
                f"(shape {value.shape}): draw each epoch's order with rng.permutation(n)")

    def count_problem(self, where, losses, n_updates, case, steps):
        n, bs = case.n, case.batch_size
        epochs = case.epochs
        full = n // bs
        if n % bs and len(losses) == epochs * full:
            return (f"{where} returned {len(losses)} losses for {epochs} epochs of {n} points "
                    f"in batches of {bs}; expected {n_updates}: the last batch of every epoch "
                    f"({n % bs} point{'s' * (n % bs != 1)}) is missing. Keep it, smaller than "
                    f"the others: range(0, n, batch_size) covers every row")
        if len(losses) == epochs:
            return (f"{where} returned one loss per epoch ({epochs}); return one per update, "
                    f"{n_updates} in all (the loss of each batch, before its update)")
        return (f"{where} returned {len(losses)} losses; expected {n_updates}, one per update: "
                f"{epochs} epochs of {-(-n // bs)} batches")

    def position(self, i, starts):
        epoch = max(e for e, start in enumerate(starts) if start <= i)
        return (f"at batch {i - starts[epoch] + 1} of epoch {epoch + 1} (after {i} "
                f"update{'s' if i > 1 else ''})")

    def update_problem(self, where, P, losses, exp_P, exp_losses, case, batches, starts):
        matched = []
        for slip, message in self.BATCH_SLIPS:
            got_losses, got_P = simulate(case.params, case.X, case.y, batches, self.rule,
                                         case.hyper, slip, starts, case.batch_size)
            if (message not in matched and _all_close(P, got_P)
                    and same_run(losses, got_losses)):
                matched.append(message)
        if set(matched) == {self.DIVIDE_BY_BATCH_SIZE, self.DIVIDE_BY_N}:
            return f"{where}: {self.DIVIDE_BY_EITHER}"     # Adam's steps cannot tell them apart
        if matched:
            return f"{where}: {matched[0]}"
        # the same orders, other batches or other labels
        n, bs = case.n, case.batch_size
        orders = [np.concatenate(batches[a:b]) for a, b in zip(starts, starts[1:] + [None])]
        split = [part for order in orders for part in np.array_split(order, -(-n // bs))]
        stored_y = [case.y[s:s + len(idx)] for a, b in zip(starts, starts[1:] + [None])
                    for s, idx in zip(np.cumsum([0] + [len(i) for i in batches[a:b]]),
                                      batches[a:b])]
        for other, labels, message in [
                (split, None, f"your batches have other sizes than {bs}, ..., {bs} and then "
                              f"what is left: np.array_split(order, k) makes them even. Cut "
                              f"consecutive batches, idx = order[start:start + batch_size] "
                              f"for start in range(0, n, batch_size)"),
                (batches, stored_y, "your batches take the rows X[idx] in the order drawn, but "
                                    "the labels y in the stored order: the pairs (x_i, y_i) no "
                                    "longer match. Use y[idx] with X[idx], the same idx for "
                                    "both")]:
            got_losses, got_P = simulate(case.params, case.X, case.y, other, self.rule,
                                         case.hyper, epoch_starts=starts, labels=labels)
            if _all_close(P, got_P) and same_run(losses, got_losses):
                return f"{where}: {message}"
        all_rows = lessonlib_run(case.params, case.X, case.y, self.optimizer(case.hyper),
                                 [np.arange(n)])[0][0]
        if not close(losses[0], exp_losses[0]) and close(losses[0], all_rows):
            return (f"{where}: the loss of the first batch is {show(losses[0])}, the loss of all "
                    f"{n} rows: your forward and backward pass read X and y whole at every "
                    f"update. Compute them on the batch, Xb, yb = X[idx], y[idx], and divide by "
                    f"its size, len(idx)")
        if not close(losses[0], exp_losses[0]):
            return (f"{where}: the loss of the first batch is {show(losses[0])}; lessonlib's, "
                    f"with the order your code drew from rng, is {show(exp_losses[0])}. Cut "
                    f"each epoch's order into consecutive batches, idx = order[start:start + "
                    f"batch_size] for start = 0, batch_size, 2 * batch_size, ..., and use "
                    f"X[idx] and y[idx]")
        if self.extra_orders > 0:
            return (f"{where}: your code drew {case.epochs + self.extra_orders} orders of the "
                    f"rows from rng for {case.epochs} epochs, and its batches of X follow one "
                    f"of them per epoch: if y's rows come from another draw (y shuffled on its "
                    f"own, or y[rng.permutation(n)...]), the pairs (x_i, y_i) no longer match. "
                    f"Draw one order per epoch and take X[idx] and y[idx] with the same idx")
        return super().update_problem(where, P, losses, exp_P, exp_losses, case, batches,
                                      starts)


# ---------------------------------------------------------------- the cases shared by the lessons

def small_params(hidden=(4, 3), seed=3):
    """lessonlib's initial weights (normal), with biases that are not 0, so that a forward pass
    that leaves a bias out shows in the first loss."""
    params = initial_params(hidden, "normal", seed)
    rng = np.random.default_rng(seed + 100)
    for k in range(1, N_LAYERS + 1):
        params[f"b{k}"] = rng.normal(0.0, 0.5, size=params[f"b{k}"].shape)
    return params


LESSON_SEED = 0             # the lessons' SEED


def rings_runs(fn, call, optimizer, init, epochs, batch_size=None):
    """The figure's two runs of the rings network (hidden 20 and 20) on the lesson's data:
    lessonlib's (``recipes.l03_relu.fit_rings``), then, if ``fn`` is given, the learner's
    trainer from the same initial weights, ``call(fn, params, X, y)``. [(model, loss per
    epoch)]: with mini-batches, the mean of each epoch's batch losses, weighted by their sizes,
    as in MLP.fit's history."""
    X, y = make_rings(n=300, seed=LESSON_SEED)
    model, history = fit_rings(optimizer, [20, 20], epochs=epochs, seed=LESSON_SEED,
                               batch_size=batch_size, X=X, y=y, activation="relu", init=init)
    runs = [(model, history.loss)]
    if fn is not None:
        params = initial_params((20, 20), init, LESSON_SEED)
        with single_thread():
            trained, losses = call(fn, params, X.copy(), y.copy())
        losses = np.asarray(losses, dtype=float).ravel()
        if batch_size:
            n = len(y)
            sizes = np.array([min(batch_size, n - s) for s in range(0, n, batch_size)])
            if len(losses) == epochs * len(sizes):
                losses = (losses.reshape(epochs, len(sizes)) * sizes).sum(axis=1) / n
        runs.append((model_with(trained), losses))
    return runs


# ---------------------------------------------------------------- lesson 04: mini-batches

def reference_train_minibatch(params, X, y, lr, rho, epochs, batch_size, rng):
    """Mini-batch gradient descent with momentum for the rings MLP (two hidden ReLU layers,
    softmax, mean cross-entropy): every epoch a new order of the rows from rng, cut into
    consecutive batches (the last one may be smaller), one update per batch.
    Returns (params, losses): the trained arrays and the loss of every batch before its update."""
    params = {key: np.array(value, dtype=float) for key, value in params.items()}
    velocity = {key: np.zeros_like(value) for key, value in params.items()}
    n = len(y)
    losses = []
    for _ in range(epochs):
        order = rng.permutation(n)                      # a new order every epoch
        for start in range(0, n, batch_size):
            idx = order[start:start + batch_size]       # the last batch may be smaller
            Xb, yb = X[idx], y[idx]
            m = len(idx)
            rows = np.arange(m)
            # forward
            z1 = Xb @ params["W1"] + params["b1"]
            h1 = np.maximum(z1, 0.0)
            z2 = h1 @ params["W2"] + params["b2"]
            h2 = np.maximum(z2, 0.0)
            logits = h2 @ params["W3"] + params["b3"]
            shifted = logits - logits.max(axis=1, keepdims=True)
            log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
            losses.append(-log_p[rows, yb].mean())
            # backward: the mean over this batch's m points
            dz3 = np.exp(log_p)
            dz3[rows, yb] -= 1.0
            dz3 /= m
            grads = {"W3": h2.T @ dz3, "b3": dz3.sum(axis=0)}
            dz2 = (dz3 @ params["W3"].T) * (z2 > 0)
            grads["W2"], grads["b2"] = h1.T @ dz2, dz2.sum(axis=0)
            dz1 = (dz2 @ params["W2"].T) * (z1 > 0)
            grads["W1"], grads["b1"] = Xb.T @ dz1, dz1.sum(axis=0)
            # momentum, one velocity per array, kept across batches and epochs
            for key in params:
                velocity[key] = rho * velocity[key] - lr * grads[key]
                params[key] = params[key] + velocity[key]
    return params, np.array(losses)


class _MiniBatchMomentum(MiniBatchCheck, MomentumCheck):
    function = "train_minibatch"

    def call(self, fn, case, hyper, steps, rng, X):
        return fn(fresh(case.params), X, fresh(case.y), hyper["lr"], hyper["rho"],
                  steps["epochs"], steps["batch_size"], rng)


MINIBATCH_LR, MINIBATCH_RHO, MINIBATCH_SIZE, MINIBATCH_EPOCHS = 0.05, 0.9, 20, 100


ONE_ROW_LAST_LABEL = "9 rings points in batches of 4 (hidden widths 4 and 3)"


def _minibatch_cases():
    X_small, y_small = make_rings(n=10, seed=4)
    X, y = make_rings(n=300, seed=LESSON_SEED)
    return [
        Case("10 rings points (hidden widths 4 and 3)", X_small, y_small,
             small_params((4, 3), 3), dict(lr=0.05, rho=0.8), epochs=3, batch_size=4, seed=5),
        Case("the rings (300 points, hidden widths 20 and 20)", X, y,
             initial_params((20, 20), "normal", LESSON_SEED),
             dict(lr=MINIBATCH_LR, rho=MINIBATCH_RHO), epochs=2, batch_size=MINIBATCH_SIZE,
             seed=LESSON_SEED, long_run=True),
        # a last batch of one row: range(0, n - 1, batch_size) drops it, and only here
        Case(ONE_ROW_LAST_LABEL, *make_rings(n=9, seed=5), small_params((4, 3), 3),
             dict(lr=0.05, rho=0.8), epochs=2, batch_size=4, seed=6),
    ]


def _minibatch_lesson_run(fn):
    """lessonlib's MLP.fit on the rings with batches of 20, and the learner's trainer."""
    def call(fn, params, X, y):
        return fn(params, X, y, MINIBATCH_LR, MINIBATCH_RHO, MINIBATCH_EPOCHS, MINIBATCH_SIZE,
                  np.random.default_rng(LESSON_SEED))
    return rings_runs(fn, call, SGD(lr=MINIBATCH_LR, momentum=MINIBATCH_RHO), "normal",
                      MINIBATCH_EPOCHS, MINIBATCH_SIZE)


_CHECKS = {}


def checker(key, make):
    """The checker ``key``, built on first use (its cases train lessonlib's MLP)."""
    if key not in _CHECKS:
        _CHECKS[key] = make()
    return _CHECKS[key]


def _grade_minibatch(fn):
    return checker("minibatch", lambda: _MiniBatchMomentum(_minibatch_cases())).grade(fn)


train_minibatch = TrainerExercise(
    "train_minibatch", "Exercise 4b (the training loop with mini-batches)", _grade_minibatch,
    hints=["Your train_mlp of lesson 03 is the inside of the loop; around it go two loops: "
           "for every epoch draw a new order, order = rng.permutation(n), then for every "
           "start in range(0, n, batch_size) take idx = order[start:start + batch_size] and do "
           "one forward, backward and update on X[idx], y[idx].",
           "The mean is over the batch's own points: N = len(idx), which is smaller for the "
           "last batch when batch_size does not divide n. Append one loss per batch. The "
           "velocities start at 0 once, before the first epoch, and are kept across batches "
           "and epochs.",
           "params = {k: np.array(v, dtype=float) for k, v in params.items()}; velocity = "
           "{k: np.zeros_like(v) for k, v in params.items()}; for _ in range(epochs): order = "
           "rng.permutation(len(y)); for start in range(0, len(y), batch_size): idx = "
           "order[start:start + batch_size]; then your lesson-03 iteration on X[idx], y[idx] "
           "(dividing by len(idx)). Return params, np.array(losses)."],
    reference=reference_train_minibatch,
    lesson_run=("lessonlib (MLP.fit, SGD)", "your train_minibatch", _minibatch_lesson_run))
