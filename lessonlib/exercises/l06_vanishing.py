"""Lesson 06: backpropagation through a whole plain ReLU MLP, by hand."""
import numpy as np

from ..data import load_iris
from ..models import MLP
from ._base import Exercise, compare

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


def _variant(model, X, y, *, mask="now", scale=True, sign=1.0):
    """The reference with one typical slip switched on (for diagnosing a wrong answer):
    mask "none" forgets ReLU', mask "late" applies it only after dW_{k-1} was computed."""
    trace = dict(model.forward_trace(X))
    L = len(model.hidden)
    n = len(y)
    delta = trace["softmax"].copy()
    delta[np.arange(n), y] -= 1.0
    delta *= sign / n if scale else sign
    grads = []
    for k in range(L + 1, 0, -1):
        grads.append((X if k == 1 else trace[f"relu{k - 1}"]).T @ delta)
        if mask == "late" and k <= L:
            delta = delta * (trace[f"fc{k}"] > 0)
        if k > 1:
            delta = delta @ model.params[f"fc{k}_weight"].T
            if mask == "now":
                delta = delta * (trace[f"fc{k - 1}"] > 0)
    return grads[::-1]


SLIPS = [
    (dict(mask="none"), "only the output layer's gradient is right: going down, multiply "
     "delta_k W_k^T elementwise by the ReLU's derivative (trace['fc{{k-1}}'] > 0) before "
     "computing the next dW"),
    (dict(mask="late"), "the ReLU mask comes one step late: delta_{{k-1}} = (delta_k W_k^T) * "
     "ReLU'(z_{{k-1}}) must be masked *before* it is used for dW_{{k-1}}"),
    (dict(scale=False), "every gradient is n = {n} times too large: the loss is the *mean* over "
     "the batch, so delta_{{L+1}} = (P - Y) / n"),
    (dict(sign=-1.0), "every gradient has the opposite sign: delta_{{L+1}} is P - Y (the "
     "probabilities minus the one-hot labels), not Y - P"),
]


def _cases():
    X, y, _, _ = load_iris(seed=0)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    return [(MLP(4, [8, 8, 8], 3, activation="relu", init="he", seed=3), X[:20], y[:20]),
            (MLP(4, [7, 5], 3, activation="relu", init="he", seed=4), X[20:32], y[20:32])]


def _as_list(got):
    if isinstance(got, np.ndarray) and got.dtype != object:
        return None
    try:
        return list(got)
    except TypeError:
        return None


def _grade(fn):
    for case, (model, X, y) in enumerate(_cases()):
        expected = [g for g in reference_weight_gradients(model, X, y)]
        names = [f"dL/dW of fc{k + 1}" for k in range(len(expected))]
        got = fn(model, X.copy(), y.copy())
        if got is None:
            return "your function returned None: did you forget to `return` the list?"
        got = _as_list(got)
        if got is None:
            return (f"return a list of {len(expected)} arrays, [dW_1, ..., dW_{len(expected)}], "
                    "one per weight matrix, first layer first")
        if len(got) != len(expected):
            return (f"for a network with {len(expected) - 1} hidden layers return "
                    f"{len(expected)} gradients (fc1 ... fc{len(expected)}), got {len(got)}")
        problems = [compare(name, g, e) for name, g, e in zip(names, got, expected)]
        if not any(problems):
            continue
        if case == 0:
            if not any(compare(n, g, e) for n, g, e in zip(names, got[::-1], expected)):
                return "the gradients are right but in reverse order: put fc1's first"
            for kwargs, message in SLIPS:
                wrong = _variant(model, X, y, **kwargs)
                if all(
                        np.shape(g) == np.shape(w) and np.allclose(g, w, rtol=1e-6, atol=1e-12)
                        for g, w in zip(got, wrong)):
                    return message.format(n=len(y))
        top = max(k for k, p in enumerate(problems) if p)
        return (f"{problems[top]} (checked from the output down; the layers above it are "
                "right)" if top < len(expected) - 1 else problems[top])
    return None


backprop_by_hand = Exercise(
    "backprop_by_hand", "Backpropagation through the whole MLP", _grade,
    hints=["Start at the top: delta_{L+1} = (P - Y) / n, with P = trace['softmax'] and Y the "
           "one-hot labels (subtract 1 at [range(n), y]). Then walk k = L+1, L, ..., 1.",
           "In each step: dW_k = h_{k-1}^T @ delta_k, with h_0 = X and h_{k-1} = "
           "trace[f'relu{k-1}']; then, unless k == 1, delta_{k-1} = (delta_k @ W_k.T) * "
           "(trace[f'fc{k-1}'] > 0), with W_k = model.params[f'fc{k}_weight'].",
           "Collect the dW_k in a list while walking down and return it reversed "
           "(grads[::-1]), so that fc1's gradient comes first. The number of hidden layers is "
           "len(model.hidden)."],
    reference=reference_weight_gradients)
