"""Lesson 06: backpropagation through a whole plain ReLU MLP, by hand.

``backprop_by_hand``: ``weight_gradients(model, X, y)`` returns [dloss/dW_1, ..., dloss/dW_{L+1}]
of the mean cross-entropy, first layer first. The checker runs it on two networks of different
depths and widths (every width, and the number of rows, differ, so a shape says which matrix is
wrong) and names the slips: ReLU' forgotten or applied one step late, ReLU(z) for its 0/1
derivative, the mean's 1/n missing or applied twice, a mean over the n x 3 entries (the
notes' loss, a third of ours), Y - P for P - Y, the logits for softmax, the one-hot labels not subtracted, the list reversed, a depth written in or
a walk past k == 1 (the KeyError, read back), lessonlib's own backward pass called (refused), the biases' gradients added to the list, a dict
returned, dW transposed, ``delta @ W`` without the transpose and ``h @ delta`` without it
(NumPy's matmul error, read back), a ReLU mask of the wrong layer (NumPy's broadcast error,
read back).
"""
import re

import numpy as np

from ..data import load_iris
from ..models import MLP
from ._kit import Exercise, close, compare, fresh, learner_frames

__all__ = ["backprop_by_hand"]


def reference_weight_gradients(model, X, y):
    """[dL/dW_1, ..., dL/dW_{L+1}] of a plain ReLU MLP's mean cross-entropy on (X, y)."""
    trace = dict(model.forward_trace(X))        # z_k is trace["fc{k}"], h_k is trace["relu{k}"]
    L = len(model.hidden)
    n = len(y)
    delta = trace["softmax"].copy()             # dL/dz_{L+1} = (P - Y) / n
    delta[np.arange(n), y] -= 1.0
    delta /= n
    grads = []
    for k in range(L + 1, 0, -1):               # from the output layer down to fc1
        h_below = X if k == 1 else trace[f"relu{k - 1}"]
        grads.append(h_below.T @ delta)         # dW_k = h_{k-1}^T delta_k
        if k > 1:                               # delta_{k-1} = (delta_k W_k^T) * ReLU'(z_{k-1})
            delta = (delta @ model.params[f"fc{k}_weight"].T) * (trace[f"fc{k - 1}"] > 0)
    return grads[::-1]                          # first layer first


def _variant(model, X, y, *, mask="now", scale=True, sign=1.0, onehot=True, start="softmax"):
    """The reference with one typical slip switched on (for diagnosing a wrong answer):
    mask "none" forgets ReLU', mask "late" applies it only after dW_{k-1} was computed, mask
    "relu" multiplies by ReLU(z_{k-1}) = h_{k-1} instead of its 0/1 derivative; scale "twice"
    divides by n twice (delta_{L+1} and every dW), scale "entries" by the n x C entries of the
    one-hot table (the lecture notes' mean, a loss C times smaller); onehot False forgets to subtract Y from P;
    start "logits" starts from z_{L+1} instead of P = softmax(z_{L+1})."""
    trace = dict(model.forward_trace(X))
    L = len(model.hidden)
    n = len(y)
    delta = (trace["softmax"] if start == "softmax" else trace[f"fc{L + 1}"]).copy()
    if onehot:
        delta[np.arange(n), y] -= 1.0
    C = delta.shape[1]
    delta *= sign / (n * C) if scale == "entries" else sign / n if scale else sign
    grads = []
    for k in range(L + 1, 0, -1):
        dW = (X if k == 1 else trace[f"relu{k - 1}"]).T @ delta
        grads.append(dW / n if scale == "twice" else dW)
        if mask == "late" and k <= L:
            delta = delta * (trace[f"fc{k}"] > 0)
        if k > 1:
            delta = delta @ model.params[f"fc{k}_weight"].T
            if mask == "now":
                delta = delta * (trace[f"fc{k - 1}"] > 0)
            elif mask == "relu":
                delta = delta * np.maximum(trace[f"fc{k - 1}"], 0.0)
    return grads[::-1]


SLIPS = [
    (dict(mask="none"), "only the output layer's gradient is right: going down, multiply "
     "delta_k W_k^T elementwise by the ReLU's derivative (trace[f'fc{{k-1}}'] > 0) before "
     "computing the next dW"),
    (dict(mask="late"), "the ReLU mask comes one step late: delta_{{k-1}} = (delta_k W_k^T) * "
     "ReLU'(z_{{k-1}}) must be masked *before* it is used for dW_{{k-1}}"),
    (dict(mask="relu"), "going down you multiplied by ReLU(z_{{k-1}}) (the activation h_{{k-1}}) "
     "instead of ReLU's derivative: the factor is the 0/1 mask (trace[f'fc{{k-1}}'] > 0), "
     "1 where the unit is active and 0 elsewhere, not the unit's output"),
    (dict(scale=False), "every gradient is n = {n} times too large: the loss is the *mean* over "
     "the batch, so delta_{{L+1}} = (P - Y) / n"),
    (dict(scale="twice"), "every gradient is n = {n} times too small: the mean's 1/n is applied "
     "twice. Divide once, in delta_{{L+1}} = (P - Y) / n; it then reaches every dW_k = "
     "h_{{k-1}}.T @ delta_k through delta, so do not divide dW_k by n again"),
    (dict(scale="entries"), "every gradient is {C} times too small: you divided by the n x {C} "
     "entries of the one-hot table, as the lecture notes' loss does (a mean over all entries, "
     "our loss / {C}). The loss here is the mean over the n examples: delta_{{L+1}} = (P - Y) / n"),
    (dict(start="logits"), "delta_{{L+1}} starts from the logits z_{{L+1}} = trace['fc{L1}']: "
     "start from the probabilities, delta_{{L+1}} = (P - Y) / n with P = trace['softmax'] "
     "(the softmax of the logits; the gradient of the cross-entropy with respect to the "
     "logits is P - Y)"),
    (dict(sign=-1.0), "every gradient has the opposite sign: delta_{{L+1}} is P - Y (the "
     "probabilities minus the one-hot labels), not Y - P"),
    (dict(onehot=False), "delta_{{L+1}} must be (P - Y) / n: subtract the one-hot labels Y from "
     "the probabilities P = trace['softmax'] (subtract 1 at [np.arange(n), y])"),
]


def _cases():
    """Two networks and their data. In each, the number of rows and the layer widths differ,
    except for the square hidden-to-hidden matrices of the first."""
    X, y, _, _ = load_iris(seed=0)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    return [(MLP(4, [8, 8, 8], 3, activation="relu", init="he", seed=3), X[:20], y[:20]),
            (MLP(4, [7, 5], 3, activation="relu", init="he", seed=4), X[20:32], y[20:32])]


def _widths(model):
    return [model.params[f"fc{k}_weight"].shape for k in range(1, len(model.hidden) + 2)]


def _shape_error(exc, model, n):
    """A message for a matrix product or an elementwise product whose shapes do not fit, when
    the shapes say which slip it is; else None."""
    text = str(exc)
    widths = _widths(model)
    frames = learner_frames(exc)
    where = (f" (line {frames[-1].lineno} of your code: `{(frames[-1].line or '').strip()}`)"
             if frames else "")
    found = f"your function raised a ValueError{where}"
    shapes = (f" Here delta_k is (n, n_out), W_k = model.params[f'fc{{k}}_weight'] is "
              f"(n_in, n_out) and h_{{k-1}} is (n, n_in), with n = {n}: delta_{{k-1}} = "
              f"(delta_k @ W_k.T) * ReLU'(z_{{k-1}}) and dW_k = h_{{k-1}}.T @ delta_k")
    inner = re.search(r"size (\d+) is different from (\d+)", text)           # a @ b
    aligned = re.search(r"\(([\d, ]+)\) and \(([\d, ]+)\) not aligned", text)  # np.dot(a, b)
    if inner or aligned:
        if inner:
            right_rows, left_cols = int(inner.group(1)), int(inner.group(2))
        else:
            left = [int(v) for v in aligned.group(1).split(",") if v.strip()]
            right = [int(v) for v in aligned.group(2).split(",") if v.strip()]
            left_cols, right_rows = left[-1], right[0]
        # the learner walks down from the output: the first product to fail is the top-most
        for k, (n_in, n_out) in reversed(list(enumerate(widths, start=1))):
            if (right_rows, left_cols) == (n_in, n_out):
                return (f"{found}: delta_k @ W_k does not fit, delta_k being ({n}, {n_out}) and "
                        f"W_k {n_in, n_out} (layer fc{k}). Going down a layer, multiply by the "
                        f"transpose: delta_{{k-1}} = (delta_k @ W_k.T) * ReLU'(z_{{k-1}})")
            if (right_rows, left_cols) == (n, n_in):
                return (f"{found}: h_{{k-1}} @ delta_k does not fit, both having {n} rows "
                        f"(h_{{k-1}} is ({n}, n_in), delta_k ({n}, n_out)). Transpose h: "
                        f"dW_k = h_{{k-1}}.T @ delta_k, of W_k's shape (n_in, n_out)")
        return f"{found}: a matrix product's shapes do not fit ({text}).{shapes}"
    broadcast = re.search(r"shapes \(([\d, ]+)\) \(([\d, ]+)\)", text)
    if "broadcast" in text and broadcast:
        a, b = ([int(v) for v in g.split(",") if v.strip()] for g in broadcast.groups())
        if len(a) == len(b) == 2 and a[0] == b[0] == n:
            pairs = {(n_in, n_out) for n_in, n_out in widths}
            if (a[1], b[1]) in pairs or (b[1], a[1]) in pairs:
                return (f"{found}: an elementwise product of arrays of widths {a[1]} and "
                        f"{b[1]}, two adjacent layers. The ReLU mask belongs to the layer "
                        f"below: delta_{{k-1}} = (delta_k @ W_k.T) * (trace[f'fc{{k-1}}'] > 0), "
                        f"all three of shape (n, n_out of layer k-1)")
    return None


def _key_error(exc, model):
    """A message for a KeyError on a layer the network does not have (a depth written in, a
    walk that does not stop at k == 1), else None."""
    key = exc.args[0] if exc.args else None
    found = re.fullmatch(r"(fc|relu)(-?\d+)(_weight|_bias)?", key) if isinstance(key, str) else None
    if not found:
        return None
    kind, k, L = found.group(1), int(found.group(2)), len(model.hidden)
    frames = learner_frames(exc)
    where = (f" (line {frames[-1].lineno} of your code: `{(frames[-1].line or '').strip()}`)"
             if frames else "")
    raised = f"your function raised KeyError: {key!r}{where}"
    if k < 0:                   # a loop such as range(L + 1, -1, -1) reached k = 0
        return (f"{raised}: your loop goes on past k == 1, to k = 0 or below, where the layer "
                f"numbers turn negative: stop at k == 1, for k in range(L + 1, 0, -1). dW_1 = "
                f"X.T @ delta_1 (h_0 is X) is the last gradient")
    if k == 0 and kind == "relu":
        return (f"{raised}: there is no relu0, h_0 is X itself: for k == 1 use X, dW_1 = "
                f"X.T @ delta_1")
    if k == 0:
        return (f"{raised}: there is no layer fc0: stop at k == 1. dW_1 = X.T @ delta_1 is the "
                f"last gradient and needs no delta_0: compute the next delta only while k > 1")
    if (kind == "relu" and k > L) or (kind == "fc" and k > L + 1):
        return (f"{raised}: this network has {L} hidden layers (this case has a different "
                f"depth from the first): use the network's own depth, L = len(model.hidden), "
                f"not a number written in")
    return None


def _as_list(got, expected, L):
    """(the learner's gradients as a list, None), or (None, a message)."""
    count = len(expected)
    if got is None:
        return None, "your function returned None: did you forget to `return` the list?"
    if isinstance(got, dict):
        keys = list(got)
        listed = ", ".join(map(str, keys[:4])) + (", ..." if len(keys) > 4 else "")
        how = ""
        if all(f"fc{k}_weight" in got for k in range(1, count + 1)):
            how = (f", e.g. [grads[f'fc{{k}}_weight'] for k in range(1, {count + 1})] for "
                   f"this network (len(model.hidden) + 2 in general)")
        return None, (f"your function returned a dict (keys {listed}); return a list of the "
                      f"{count} arrays [dW_1, ..., dW_{count}], first layer first{how}")
    if isinstance(got, np.ndarray) and got.dtype != object:
        return None, (f"your function returned one array of shape {got.shape}; return a list "
                      f"of {count} arrays, [dW_1, ..., dW_{count}], one per weight matrix, first "
                      f"layer first")
    try:
        got = list(got)
    except TypeError:
        return None, (f"your function returned a {type(got).__name__}; return a list of "
                      f"{count} arrays, [dW_1, ..., dW_{count}], one per weight matrix, first "
                      f"layer first")
    if len(got) == 2 * count:
        return None, (f"for a network with {L} hidden layers return the {count} weight "
                      f"gradients (fc1 ... fc{count}), got {len(got)}: the biases' gradients "
                      f"are not asked for")
    if len(got) != count:
        return None, (f"for a network with {L} hidden layers return {count} gradients "
                      f"(fc1 ... fc{count}), got {len(got)}; len(model.hidden) gives the number "
                      f"of hidden layers")
    return got, None


class _Shortcut(Exception):
    """Raised by the library's backward pass on the learner's copy of the network."""


def _refuse(name):
    def refused(*args, **kwargs):
        raise _Shortcut(name)
    return refused


def _without_backward(model):
    """A copy of ``model`` whose forward pass works but whose own backward pass refuses to run:
    the exercise is to write that backward pass."""
    model = fresh(model)
    for name in ("loss_and_grads", "_forward_backward", "_backward"):
        setattr(model, name, _refuse(name))
    return model


def _grade(fn):
    for model, X, y in _cases():
        # every expected value from the checker's own network and data, before the learner runs
        expected = reference_weight_gradients(model, X, y)
        slips = [(_variant(model, X, y, **kwargs),
                  message.format(n=len(y), L1=len(model.hidden) + 1,
                                 C=model.params[f"fc{len(model.hidden) + 1}_weight"].shape[1]))
                 for kwargs, message in SLIPS]
        L = len(model.hidden)
        try:
            got = fn(_without_backward(model), fresh(X), fresh(y))
        except _Shortcut as exc:
            return (f"your function called model.{exc.args[0]}(), lessonlib's own backward "
                    f"pass: the exercise is to write that pass by hand, from "
                    f"model.forward_trace(X) and model.params")
        except ValueError as exc:
            message = _shape_error(exc, model, len(y))
            if message is None:
                raise
            return message
        except KeyError as exc:
            message = _key_error(exc, model) if learner_frames(exc) else None
            if message is None:
                raise
            return message
        got, problem = _as_list(got, expected, L)
        if problem:
            return problem
        if all(close(g, e) for g, e in zip(got[::-1], expected)):
            return "the gradients are right but in reverse order: put fc1's first"
        names = [f"your dloss/dW_{k} (of fc{k}_weight)" for k in range(1, len(expected) + 1)]
        for name, g, e in zip(names, got, expected):
            try:
                shape = np.shape(np.asarray(g, dtype=np.float64))
            except (TypeError, ValueError):
                continue                                   # compare names it below
            if shape == e.shape[::-1] and shape != e.shape:
                return (f"{name} has shape {shape}, the transpose of W's {e.shape}: "
                        f"dW_k = h_{{k-1}}.T @ delta_k, with h_0 = X")
        problems = [compare(name, g, e) for name, g, e in zip(names, got, expected)]
        if not any(problems):
            continue
        if all(p is None or "wrong value" in p or "opposite sign" in p for p in problems):
            for value, words in slips:
                if all(close(g, w) for g, w in zip(got, value)):
                    return words
        top = max(k for k, p in enumerate(problems) if p)
        return (f"{problems[top]} (checked from the output down; the layers above it are "
                "right)" if top < len(expected) - 1 else problems[top])
    return None


backprop_by_hand = Exercise(
    "backprop_by_hand", "Exercise 6a (backpropagation through the whole MLP)", _grade,
    hints=["Start at the top: delta_{L+1} = (P - Y) / n, with P = trace['softmax'] and Y the "
           "one-hot labels (subtract 1 at [range(n), y]). Then walk k = L+1, L, ..., 1.",
           "In each step: dW_k = h_{k-1}^T @ delta_k, with h_0 = X and h_{k-1} = "
           "trace[f'relu{k-1}']; then, unless k == 1, delta_{k-1} = (delta_k @ W_k.T) * "
           "(trace[f'fc{k-1}'] > 0), with W_k = model.params[f'fc{k}_weight'].",
           "Collect the dW_k in a list while walking down and return it reversed "
           "(grads[::-1]), so that fc1's gradient comes first. The number of hidden layers is "
           "len(model.hidden)."],
    reference=reference_weight_gradients, answer_name="weight_gradients")
