"""Lesson 13's exercises: a trained network's prediction recomputed by hand from its arrays
alone (the three exercises at the end of the notes' lesson on vanishing gradients):

- ``bn_inference``: 7 hidden layers of 10 with batch norm, which at inference normalises with
  the moving mean and variance kept in ``model.aux``;
- ``residual_inference``: 6 hidden layers of 3 with r_1 = h_1 and r_i = h_i + r_{i-1};
- ``dense_inference``: hidden widths 3, 4, ..., 8 with concat_i = [h_1, ..., h_i].

The learner writes ``my_predict(params, aux, x, trace=None)``: x (N, 4) -> probabilities (N, 3),
storing every layer's output in the dict ``trace`` under the names of ``MLP.forward_trace`` if
they like. The grader runs it on a network of the lesson's shape with its own seeded arrays
(every bias, gamma, beta and moving statistic far from its initial value, so that forgetting one
shows) and nine iris test flowers, on copies of the arrays. It judges the probabilities first: right
ones pass, whatever the trace holds (an entry stored and then changed in place is the learner's
own business). Only when they are wrong does it read the trace, in the network's order, to name
the first recorded layer that differs (and the slip, when it is a known one); with no trace it
names the slips it can recognise from the probabilities alone. A function that stops with a
shape error is told what the shapes say (x added to h_1, dense outputs added instead of
concatenated, or concatenated on axis 0, ...).

``side_by_side(fn, model, x)`` prints ``model.predict_proba(x)`` next to the learner's result.
"""
import functools
import inspect
import re

import numpy as np

from ..data import load_iris
from ..models import MLP
from ._kit import (Exercise, NotAttempted, as_numbers, changed_input, close, describe_exception,
                   fresh, learner_frames, pair)

__all__ = ["bn_inference", "residual_inference", "dense_inference"]

BN_EPS = 1e-3       # lessonlib's BatchNorm eps, as in the notes (eps = 1e-3)
PYTORCH_EPS = 1e-5  # torch.nn.BatchNorm1d's default, which a learner may copy


# ---------------------------------------------------------------- references (shown by .solution())

def reference_bn_predict(params, aux, x, trace=None):
    """Class probabilities (N, 3) of the batch-norm MLP for flowers x (N, 4), from its arrays."""
    trace = {} if trace is None else trace
    n_hidden = len(aux) // 2                # aux holds bn{i}_moving_mean and bn{i}_moving_var
    eps = 1e-3                              # the eps of lessonlib's BatchNorm
    h = x
    for i in range(1, n_hidden + 1):
        z = h @ params[f"fc{i}_weight"] + params[f"fc{i}_bias"]
        trace[f"fc{i}"] = z
        # inference: the moving statistics of training, not the statistics of this batch
        z_hat = (z - aux[f"bn{i}_moving_mean"]) / np.sqrt(aux[f"bn{i}_moving_var"] + eps)
        y = params[f"bn{i}_gamma"] * z_hat + params[f"bn{i}_beta"]
        trace[f"bn{i}"] = y
        h = np.maximum(y, 0.0)              # a new array: z and y stay as they are
        trace[f"relu{i}"] = h
    out = n_hidden + 1
    logits = h @ params[f"fc{out}_weight"] + params[f"fc{out}_bias"]
    trace[f"fc{out}"] = logits
    e = np.exp(logits - logits.max(axis=1, keepdims=True))     # minus each row's max: no overflow
    probs = e / e.sum(axis=1, keepdims=True)                   # each flower's row sums to 1
    trace["softmax"] = probs
    return probs


def reference_residual_predict(params, aux, x, trace=None):
    """Class probabilities (N, 3) of the residual MLP for flowers x (N, 4), from its arrays."""
    trace = {} if trace is None else trace
    n_hidden = len(params) // 2 - 1         # a weight and a bias per layer, fc1 .. the output
    r = x
    for i in range(1, n_hidden + 1):
        z = r @ params[f"fc{i}_weight"] + params[f"fc{i}_bias"]
        trace[f"fc{i}"] = z
        h = np.maximum(z, 0.0)
        trace[f"relu{i}"] = h
        if i == 1:
            r = h                           # no skip on layer 1: x has 4 columns, h_1 has 3
        else:
            r = h + r                       # r_i = h_i + r_{i-1}, the running sum
            trace[f"r{i}"] = r
    out = n_hidden + 1
    logits = r @ params[f"fc{out}_weight"] + params[f"fc{out}_bias"]
    trace[f"fc{out}"] = logits
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs = e / e.sum(axis=1, keepdims=True)
    trace["softmax"] = probs
    return probs


def reference_dense_predict(params, aux, x, trace=None):
    """Class probabilities (N, 3) of the dense MLP for flowers x (N, 4), from its arrays."""
    trace = {} if trace is None else trace
    n_hidden = len(params) // 2 - 1
    hs = []                                 # h_1, h_2, ... so far
    inp = x
    for i in range(1, n_hidden + 1):
        z = inp @ params[f"fc{i}_weight"] + params[f"fc{i}_bias"]
        trace[f"fc{i}"] = z
        h = np.maximum(z, 0.0)
        trace[f"relu{i}"] = h
        hs.append(h)
        inp = np.concatenate(hs, axis=1)    # [h_1, ..., h_i] side by side, the oldest first
        trace[f"concat{i}"] = inp
    out = n_hidden + 1
    logits = inp @ params[f"fc{out}_weight"] + params[f"fc{out}_bias"]
    trace[f"fc{out}"] = logits
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs = e / e.sum(axis=1, keepdims=True)
    trace["softmax"] = probs
    return probs


# ---------------------------------------------------------------- the networks the grader uses

ARCHITECTURES = {
    "bn": dict(hidden=[10] * 7, batch_norm=True),
    "residual": dict(hidden=[3] * 6, connection="residual"),
    "dense": dict(hidden=[3, 4, 5, 6, 7, 8], connection="dense"),
}
_NAME_PATTERNS = {
    "bn": "fc1, bn1, relu1, fc2, ..., relu7, fc8, softmax",
    "residual": "fc1, relu1, fc2, relu2, r2, fc3, ..., r6, fc7, softmax",
    "dense": "fc1, relu1, concat1, fc2, relu2, concat2, ..., concat6, fc7, softmax",
}
_GRADING_SEED = 13
_N_PER_CLASS = 3        # 9 flowers: 9 is no layer's width, so a wrong axis cannot broadcast quietly


@functools.lru_cache(maxsize=None)
def _grading_case(kind):
    """(model, x, expected): a network of the lesson's shape with seeded arrays, 9 iris test
    flowers (3 per class) and the model's forward_trace of them as {name: array}.

    The arrays are set layer by layer from the statistics of the 100 training flowers, so that
    every ReLU is active for some flowers and not for others, the moving statistics are near
    (but not equal to) the true ones and the output probabilities are far from 0 and 1: then
    every slip the grader knows changes the result."""
    arch = ARCHITECTURES[kind]
    model = MLP(4, arch["hidden"], 3, connection=arch.get("connection", "plain"),
                batch_norm=arch.get("batch_norm", False), seed=_GRADING_SEED)
    rng = np.random.default_rng([_GRADING_SEED, list(ARCHITECTURES).index(kind)])
    params, aux = model.params, model.aux           # views: writing them sets the model
    X_train, _, X_test, y_test = load_iris(seed=0)
    x = np.concatenate([X_test[y_test == c][:_N_PER_CLASS] for c in range(3)])
    n_hidden = len(arch["hidden"])
    inp, hs, r = X_train, [], None
    for i in range(1, n_hidden + 1):
        W, b = params[f"fc{i}_weight"], params[f"fc{i}_bias"]
        W[...] = rng.normal(0.0, 1.0 / np.sqrt(W.shape[0]), W.shape)
        z = inp @ W
        # a bias that puts each unit's threshold somewhere inside its range of inputs
        b[...] = -z.mean(axis=0) + 0.6 * z.std(axis=0) * rng.standard_normal(b.shape)
        z = z + b
        if kind == "bn":
            mean, var = z.mean(axis=0), z.var(axis=0)
            shift = 0.3 * np.sqrt(var) * rng.standard_normal(mean.shape)
            aux[f"bn{i}_moving_mean"][...] = mean + shift
            aux[f"bn{i}_moving_var"][...] = var * rng.uniform(0.5, 2.0, var.shape)
            params[f"bn{i}_gamma"][...] = rng.uniform(0.6, 1.6, mean.shape)
            params[f"bn{i}_beta"][...] = rng.normal(0.0, 0.4, mean.shape)
            z = model.blocks[i - 1].bn.forward(z, training=False)
        h = np.maximum(z, 0.0)
        if kind == "residual":
            r = h if i == 1 else h + r
            inp = r
        elif kind == "dense":
            hs.append(h)
            inp = np.concatenate(hs, axis=1)
        else:
            inp = h
    out = n_hidden + 1
    W, b = params[f"fc{out}_weight"], params[f"fc{out}_bias"]
    W[...] = rng.standard_normal(W.shape)
    W *= 1.5 / (inp @ W).std()               # logits of spread about 1.5
    b[...] = rng.normal(0.0, 0.5, b.shape)
    expected = {name: value.copy() for name, value in model.forward_trace(x)}
    return model, x, expected


# ---------------------------------------------------------------- layers with one slip switched on

def _fc(inp, W, b, slip=None):
    if slip == "no_bias":
        return inp @ W
    if slip == "minus_bias":
        return inp @ W - b
    if slip == "bias_in_product":
        return inp @ (W + b)
    if slip == "transposed":
        return inp @ W.T + b
    return inp @ W + b


def _bn(z, gamma, beta, mean, var, slip=None):
    if slip == "batch_stats":
        mean, var = z.mean(axis=0), z.var(axis=0)
    elif slip == "batch_stats_unbiased":
        mean, var = z.mean(axis=0), z.var(axis=0, ddof=1)
    if slip == "no_eps":
        z_hat = (z - mean) / np.sqrt(var)
    elif slip == "eps_pytorch":
        z_hat = (z - mean) / np.sqrt(var + PYTORCH_EPS)
    elif slip == "eps_outside":
        z_hat = (z - mean) / (np.sqrt(var) + BN_EPS)
    elif slip == "no_sqrt":
        z_hat = (z - mean) / (var + BN_EPS)
    elif slip == "plus_mean":
        z_hat = (z + mean) / np.sqrt(var + BN_EPS)
    else:
        z_hat = (z - mean) / np.sqrt(var + BN_EPS)
    if slip == "no_gamma":
        return z_hat + beta
    if slip == "no_beta":
        return gamma * z_hat
    if slip == "swapped":
        return beta * z_hat + gamma
    return gamma * z_hat + beta


def _softmax(logits, slip=None):
    with np.errstate(all="ignore"):
        if slip == "logits":
            return logits
        if slip == "unnormalised":
            return np.exp(logits)
        if slip == "unnormalised_shifted":
            return np.exp(logits - logits.max(axis=1, keepdims=True))
        if slip == "axis0":
            e = np.exp(logits - logits.max(axis=0))
            return e / e.sum(axis=0)
        if slip == "whole":
            e = np.exp(logits - logits.max())
            return e / e.sum()
        if slip == "column_max":
            e = np.exp(logits - logits.max(axis=0))
            return e / e.sum(axis=1, keepdims=True)
        if slip in ("log_probs", "column_sum", "whole_sum"):
            e = np.exp(logits - logits.max(axis=1, keepdims=True))
            if slip == "log_probs":
                return np.log(e / e.sum(axis=1, keepdims=True))
            return e / (e.sum(axis=0) if slip == "column_sum" else e.sum())
        if slip == "relu_logits":
            logits = np.maximum(logits, 0.0)
        if slip == "sigmoid":
            return 1.0 / (1.0 + np.exp(-logits))
        e = np.exp(logits - logits.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)


_BN_SLIPS = ("batch_stats", "batch_stats_unbiased", "no_eps", "eps_pytorch", "eps_outside",
             "no_sqrt", "plus_mean", "no_gamma", "no_beta", "swapped")
_SOFTMAX_SLIPS = ("logits", "unnormalised", "unnormalised_shifted", "axis0", "whole",
                  "column_max", "log_probs", "column_sum", "whole_sum", "relu_logits", "sigmoid")
# slips that can be made at every layer at once: the grader tries them on the probabilities
GLOBAL_SLIPS = {
    "bn": _BN_SLIPS + ("relu_first", "no_bias", "no_bias_hidden", "no_bias_output",
                       "transposed", "last_layer_left_out") + _SOFTMAX_SLIPS,
    "residual": ("no_skip", "skip_prev_h", "relu_of_sum", "x_cut", "no_bias", "no_bias_hidden",
                 "no_bias_output", "transposed", "last_layer_left_out", "output_reads_h",
                 "one_layer_too_far") + _SOFTMAX_SLIPS,
    "dense": ("reversed_concat", "no_bias", "no_bias_hidden", "no_bias_output") + _SOFTMAX_SLIPS,
}


def _n_hidden(params):
    return sum(1 for name in params if name.endswith("_weight")) - 1


def slipped_forward(kind, params, aux, x, slip=None):
    """{name: array} in forward_trace's order, with one slip made at every layer it can be
    (slip=None: the correct network, which tests compare with MLP.forward_trace)."""
    n_hidden = _n_hidden(params)
    trace = {}
    inp, hs, r, prev_h = x, [], None, None
    for i in range(1, n_hidden + 1):
        if slip == "last_layer_left_out" and i == n_hidden:     # range(1, n_hidden): one short
            break
        W = params[f"fc{i}_weight"]
        square = W.shape[0] == W.shape[1]
        z = _fc(inp, W, params[f"fc{i}_bias"],
                "no_bias" if slip in ("no_bias", "no_bias_hidden") else
                "transposed" if slip == "transposed" and square else None)
        trace[f"fc{i}"] = z
        if kind == "bn":
            if slip == "relu_first":            # fc, ReLU, then batch norm (and no ReLU after)
                z = np.maximum(z, 0.0)
            z = _bn(z, params[f"bn{i}_gamma"], params[f"bn{i}_beta"], aux[f"bn{i}_moving_mean"],
                    aux[f"bn{i}_moving_var"], slip if slip in _BN_SLIPS else None)
            trace[f"bn{i}"] = z
        if kind == "residual" and slip == "relu_of_sum" and i >= 2:
            h = np.maximum(z + r, 0.0)          # ReLU(fc_i + r_(i-1)): the skip inside the ReLU
        elif slip == "relu_first":
            h = z
        else:
            h = np.maximum(z, 0.0)
        trace[f"relu{i}"] = h
        if kind == "residual":
            if i == 1:
                r = h + x[:, :3] if slip == "x_cut" else h
            elif slip == "relu_of_sum":
                r = h
                trace[f"r{i}"] = r
            else:
                r = h if slip == "no_skip" else h + (prev_h if slip == "skip_prev_h" else r)
                trace[f"r{i}"] = r
            inp = r
        elif kind == "dense":
            hs.append(h)
            inp = np.concatenate(hs[::-1] if slip == "reversed_concat" else hs, axis=1)
            trace[f"concat{i}"] = inp
        else:
            inp = h
        prev_h = h
    out = n_hidden + 1
    if slip == "output_reads_h":                # the output reads h_last, not the sum r
        inp = prev_h
    if slip == "one_layer_too_far":             # range(1, n_hidden + 2): the output layer run
        W, b = params[f"fc{out}_weight"], params[f"fc{out}_bias"]       # as a block, then again
        inp = np.maximum(_fc(inp, W, b), 0.0) + inp
    logits = _fc(inp, params[f"fc{out}_weight"], params[f"fc{out}_bias"],
                 "no_bias" if slip in ("no_bias", "no_bias_output") else None)
    trace[f"fc{out}"] = logits
    trace["softmax"] = _softmax(logits, slip if slip in _SOFTMAX_SLIPS else None)
    return trace


def _split(name):
    """'bn3' -> ('bn', 3); 'softmax' -> ('softmax', None)."""
    m = re.fullmatch(r"([a-z]+)(\d+)", name)
    return (m.group(1), int(m.group(2))) if m else (name, None)


def _reversed_concat(expected, i):
    return np.concatenate([expected[f"relu{k}"] for k in range(i, 0, -1)], axis=1)


def _bn_after_relu(i, expected, params, aux):
    """Batch norm of ReLU(fc_i): the ReLU put before batch norm, at layer i."""
    return _bn(np.maximum(expected[f"fc{i}"], 0.0), params[f"bn{i}_gamma"],
               params[f"bn{i}_beta"], aux[f"bn{i}_moving_mean"], aux[f"bn{i}_moving_var"])


def _relu_of_sum(i, expected):
    """ReLU(fc_i + r_(i-1)) at layer i >= 2: the skip added before the ReLU, not after."""
    return np.maximum(expected[f"fc{i}"] + expected["relu1" if i == 2 else f"r{i - 1}"], 0.0)


def _local_variants(kind, name, expected, params, aux, x):
    """[(slip, array)]: layer ``name`` computed from the model's own (correct) inputs, with one
    slip each. The first layer a learner gets wrong is compared with these."""
    layer, i = _split(name)
    variants = []
    if layer == "fc":
        W, b = params[f"fc{i}_weight"], params[f"fc{i}_bias"]
        if i == 1:
            inp = x
        elif kind == "residual":
            inp = expected["relu1"] if i == 2 else expected[f"r{i - 1}"]
        elif kind == "dense":
            inp = expected[f"concat{i - 1}"]
        else:
            inp = expected[f"relu{i - 1}"]
        variants.append(("no_bias", _fc(inp, W, b, "no_bias")))
        variants.append(("minus_bias", _fc(inp, W, b, "minus_bias")))
        variants.append(("bias_in_product", _fc(inp, W, b, "bias_in_product")))
        if W.shape[0] == W.shape[1]:
            variants.append(("transposed", _fc(inp, W, b, "transposed")))
        if kind == "bn" and i >= 2:
            variants.append(("no_relu", _fc(expected[f"bn{i - 1}"], W, b)))
            variants.append(("relu_first", _fc(_bn_after_relu(i - 1, expected, params, aux),
                                               W, b)))
        if kind == "residual" and i >= 3:
            # at the output layer, relu_last alone with every sum right is the output reading h
            last = "output_reads_h" if i == _n_hidden(params) + 1 else "no_skip"
            variants.append((last, _fc(expected[f"relu{i - 1}"], W, b)))
            variants.append(("relu_of_sum", _fc(_relu_of_sum(i - 1, expected), W, b)))
        if kind == "residual" and i == 2:
            variants.append(("x_cut", _fc(expected["relu1"] + x[:, :3], W, b)))
        if kind == "dense" and i >= 3:
            variants.append(("reversed_concat", _fc(_reversed_concat(expected, i - 1), W, b)))
    elif layer == "bn":
        args = (expected[f"fc{i}"], params[f"bn{i}_gamma"], params[f"bn{i}_beta"],
                aux[f"bn{i}_moving_mean"], aux[f"bn{i}_moving_var"])
        variants += [(slip, _bn(*args, slip)) for slip in _BN_SLIPS]
        variants.append(("relu_first", _bn_after_relu(i, expected, params, aux)))
    elif layer == "relu":
        before = expected[f"bn{i}"] if kind == "bn" else expected[f"fc{i}"]
        variants.append(("no_relu", before))
        if kind == "bn":
            variants.append(("relu_of_fc", np.maximum(expected[f"fc{i}"], 0.0)))
        if kind == "residual" and i >= 2:
            variants.append(("relu_of_sum", _relu_of_sum(i, expected)))
        if kind == "residual" and i == 2:
            variants.append(("x_cut", slipped_forward(kind, params, aux, x, "x_cut")["relu2"]))
    elif layer == "r":
        variants.append(("no_skip", expected[f"relu{i}"]))
        variants.append(("relu_of_sum", _relu_of_sum(i, expected)))
        if i >= 3:
            variants.append(("skip_prev_h", expected[f"relu{i}"] + expected[f"relu{i - 1}"]))
        if i == 2:
            variants.append(("x_cut", slipped_forward(kind, params, aux, x, "x_cut")["r2"]))
    elif layer == "concat" and i >= 2:
        variants.append(("reversed_concat", _reversed_concat(expected, i)))
    elif layer == "softmax":
        logits = expected[f"fc{_n_hidden(params) + 1}"]
        variants += [(slip, _softmax(logits, slip)) for slip in _SOFTMAX_SLIPS]
    return variants


# ---------------------------------------------------------------- what to say

def _slip_message(slip, name, n_hidden, number=None):
    """One sentence on the slip, about layer ``name`` (or about the whole network: None, with
    ``number`` the layer the formulas name when it is known). It starts with a capital only
    when its first word is plain English, never a code name."""
    layer, i = _split(name) if name else (None, None)
    out = n_hidden + 1
    k = str(i) if i is not None else str(number) if number else "{i}"
    km1 = str(i - 1) if i is not None else "{i-1}"
    q = "f" if k == "{i}" else ""     # a key for every layer, written as the loop's f-string
    if slip in ("no_bias", "no_bias_hidden"):
        if name:
            return (f"It has no bias: fc{k} = input @ params['fc{k}_weight'] + "
                    f"params['fc{k}_bias']")
        return ("The biases are missing: every fc layer, hidden or output, adds its own, "
                "fc{i} = input @ params[f'fc{i}_weight'] + params[f'fc{i}_bias']")
    if slip == "minus_bias":
        return (f"It subtracts the bias (- b): add it, fc{k} = input @ params['fc{k}_weight'] + "
                f"params['fc{k}_bias']")
    if slip == "bias_in_product":
        return (f"It adds the bias to the weights inside the product, input @ (W + b): the bias "
                f"is added after the product, fc{k} = input @ params['fc{k}_weight'] + "
                f"params['fc{k}_bias']")
    if slip == "no_bias_output":
        return (f"The output layer's bias is missing: the logits are input @ "
                f"params['fc{out}_weight'] + params['fc{out}_bias']")
    if slip == "transposed" and not name:
        return ("The hidden layers' square weight matrices are used transposed (W.T). The "
                "weights are stored as (inputs, units), so fc{i} = input @ "
                "params[f'fc{i}_weight'] + params[f'fc{i}_bias'], with no .T (it only ran because "
                "those W are square)")
    if slip == "last_layer_left_out":
        return (f"Hidden layer {n_hidden}, the last, is left out: the loop must run over all "
                f"{n_hidden} hidden layers, for i in range(1, {n_hidden + 1}) (range stops "
                f"before its end), and then the output layer fc{out} reads layer {n_hidden}'s "
                f"result")
    if slip == "one_layer_too_far":
        return (f"Your loop runs one layer too far: it treats the output layer fc{out} as one "
                f"more residual block (relu(r{n_hidden} @ W + b) added to r{n_hidden}; its W is "
                f"square here, so nothing complains) and then applies fc{out} again. The loop "
                f"covers the {n_hidden} hidden layers, for i in range(1, {n_hidden + 1}); "
                f"fc{out} follows once, after the loop, with no ReLU")
    if slip == "output_reads_h":
        return (f"The output layer reads relu{n_hidden}, the last h alone: it should read the running "
                f"sum r{n_hidden} = relu{n_hidden} + r{n_hidden - 1}, which holds every hidden "
                f"output, fc{out} = r{n_hidden} @ params['fc{out}_weight'] + "
                f"params['fc{out}_bias']")
    if slip == "relu_logits":
        return (f"You apply a ReLU to the logits fc{out} before the softmax: the output layer "
                f"has no ReLU, the softmax reads fc{out} itself")
    if slip == "sigmoid":
        return (f"You apply a sigmoid to the logits, 1 / (1 + exp(-z)), one class at a time: "
                f"its rows do not sum to 1. The output is the softmax of fc{out} over each "
                f"flower's row, e / e.sum(axis=1, keepdims=True) with "
                f"e = np.exp(z - z.max(axis=1, keepdims=True))")
    if slip == "transposed":
        return (f"It uses params['fc{k}_weight'] transposed. The weights are stored as "
                f"(inputs, units), so fc{k} = input @ W + b, with no .T (it only ran because this "
                f"W is square)")
    if slip == "no_relu":
        if layer == "relu":
            return "It equals its input: apply the ReLU, np.maximum(..., 0)"
        return (f"It reads bn{km1} before its ReLU: the input of fc{k} is "
                f"relu{km1} = np.maximum(bn{km1}, 0)")
    if slip == "relu_of_fc":
        return (f"It is the ReLU of fc{k}: batch norm was skipped. relu{k} = "
                f"np.maximum(bn{k}, 0)")
    if slip in ("batch_stats", "batch_stats_unbiased"):
        where = "It" if name else "Batch norm"
        return (f"{where} normalises with the mean and variance of the flowers in x, the batch. "
                f"At inference batch norm uses the moving statistics kept from training, "
                f"aux[{q}'bn{k}_moving_mean'] and aux[{q}'bn{k}_moving_var'], so that a flower's "
                f"prediction does not depend on the other flowers it comes with")
    if slip == "no_eps":
        return (f"The eps is missing (or far too small, such as 1e-8): divide by "
                f"np.sqrt(aux[{q}'bn{k}_moving_var'] + eps) with eps = {BN_EPS:g}, the eps of "
                f"lessonlib's BatchNorm")
    if slip == "eps_pytorch":
        return (f"The eps is 1e-5, PyTorch's default: lessonlib's BatchNorm (like MxNet and the "
                f"notes) uses eps = {BN_EPS:g}, so divide by "
                f"np.sqrt(aux[{q}'bn{k}_moving_var'] + {BN_EPS:g})")
    if slip == "eps_outside":
        return ("The eps is outside the square root: divide by np.sqrt(moving_var + eps), not by "
                "np.sqrt(moving_var) + eps")
    if slip == "no_sqrt":
        return ("You divide by moving_var + eps, a variance, with no square root: divide by "
                "np.sqrt(moving_var + eps), a standard deviation")
    if slip == "plus_mean":
        what = "It adds the moving mean" if name else "The moving means are added"
        return (f"{what} (+ moving_mean): flip the sign and subtract it, bn{k} = gamma * "
                f"(fc{k} - aux[{q}'bn{k}_moving_mean']) / np.sqrt(aux[{q}'bn{k}_moving_var'] + "
                f"eps) + beta")
    if slip == "relu_first":
        if layer == "fc":
            return (f"It reads batch norm of ReLU(fc{km1}): the ReLU comes before batch norm. The "
                    f"order is fc, batch norm, then ReLU, so bn{km1} reads fc{km1} itself and "
                    f"fc{k} reads relu{km1} = np.maximum(bn{km1}, 0)")
        what = (f"It is batch norm of ReLU(fc{k}): the ReLU comes" if layer == "bn" else
                f"It is the ReLU of fc{k}, applied" if layer == "relu" else "The ReLU comes")
        return (f"{what} before batch norm. The order is fc, batch norm, then ReLU: bn{k} reads "
                f"fc{k} itself, and relu{k} = np.maximum(bn{k}, 0)")
    if slip == "no_gamma":
        what = "It has no gamma" if name else "The gammas are missing"
        return (f"{what}: bn{k} = params[{q}'bn{k}_gamma'] * z_hat + params[{q}'bn{k}_beta'] "
                f"(the notes fixed gamma at 1; this network learned its gammas)")
    if slip == "no_beta":
        what = "It has no beta" if name else "The betas are missing"
        return f"{what}: bn{k} = params[{q}'bn{k}_gamma'] * z_hat + params[{q}'bn{k}_beta']"
    if slip == "swapped":
        return ("The gammas and betas are swapped: gamma scales z_hat and beta shifts it, "
                "gamma * z_hat + beta")
    if slip == "no_skip":
        if layer == "r":
            prev = "relu1" if i == 2 else f"r{km1}"
            return (f"It is relu{k} alone: the skip connection is missing; "
                    f"r{k} = relu{k} + {prev}")
        if layer == "fc":
            return (f"It reads relu{km1} alone: the skip connection is missing. A residual "
                    f"layer reads the running sum r{km1} = relu{km1} + r{i - 2}"
                    + (" (r1 is relu1)" if i == 3 else ""))
        return ("The skip connections are missing: from layer 2 on, r_i = h_i + r_{i-1} "
                "(with r_1 = h_1), and each fc layer and the output read r, not h")
    if slip == "relu_of_sum":
        if layer == "fc":
            prev = "relu1" if i == 3 else f"r{i - 2}"
            what = f"It reads np.maximum(fc{km1} + {prev}, 0), ReLU(fc + r)"
        elif name:
            prev = "relu1" if i == 2 else f"r{km1}"
            what = f"It is np.maximum(fc{k} + {prev}, 0), ReLU(fc + r)"
        else:
            what = "You compute ReLU(fc_i + r_{i-1})"
        return (f"{what}: you added the skip before the ReLU, but the skip is added after the "
                f"ReLU: r_i = ReLU(fc_i) + r_{{i-1}} (h = np.maximum(z, 0), then r = h + r)")
    if slip == "x_cut":
        what = ("It reads relu1 + x[:, :3]" if layer == "fc" else
                "It follows from r1 = relu1 + x[:, :3]" if name else
                "You add x (its first 3 columns, x[:, :3]) to h1")
        return (f"{what}: layer 1 has no skip in this network (x has 4 columns, h1 has 3): "
                f"r1 = h1; do not add x")
    if slip == "skip_prev_h":
        where = f"It is relu{k} + relu{km1}" if name else "You add h_{i-1} to h_i"
        return (f"{where}: the skip carries the running sum, r_i = h_i + r_{{i-1}}, which holds "
                f"every earlier h, not just the last one")
    if slip == "reversed_concat":
        what = ("It has the right columns in the wrong order" if layer == "concat" else
                "It reads the concatenation in the wrong order" if layer == "fc" else
                "The concatenations are in the wrong order")
        return (f"{what}: you put the new h_i before the earlier outputs, "
                f"np.concatenate([h_i, concat_(i-1)], axis=1). The old parts come first and the "
                f"new h_i last, concat_i = np.concatenate([concat_(i-1), h_i], axis=1) = "
                f"[relu1, ..., relu_i]: that is the order of the rows of the next weight matrix")
    if slip == "logits":
        return (f"You return the logits fc{out}: finish with a softmax over each flower's row, "
                f"exp(z) / exp(z).sum(axis=1, keepdims=True)")
    if slip == "unnormalised":
        return ("You return exp(logits) without dividing by each row's sum: "
                "e / e.sum(axis=1, keepdims=True)")
    if slip == "unnormalised_shifted":
        return ("You return e = np.exp(z - z.max(axis=1, keepdims=True)) without dividing by "
                "each row's sum: its rows do not sum to 1. Return e / e.sum(axis=1, "
                "keepdims=True)")
    if slip == "axis0":
        return ("The softmax runs down the columns (axis=0, across flowers): each flower's row of "
                "3 probabilities must sum to 1, so take the max and the sum over axis=1 with "
                "keepdims=True")
    if slip == "whole":
        return ("The softmax is taken over the whole batch at once (a sum without an axis): "
                "normalise each flower's row on its own, e / e.sum(axis=1, keepdims=True)")
    if slip == "log_probs":
        return ("You return the log-probabilities (a log-softmax, each row's log of its "
                "probabilities): return the probabilities themselves, e / e.sum(axis=1, "
                "keepdims=True), which np.exp of yours gives")
    if slip == "column_sum":
        return ("You divide by each column's sum, e.sum(axis=0), a sum across flowers: each "
                "flower's row of 3 probabilities must sum to 1, so divide by e.sum(axis=1, "
                "keepdims=True)")
    if slip == "whole_sum":
        return ("You divide by the sum over the whole batch, e.sum() with no axis: divide each "
                "flower's row by its own sum, e.sum(axis=1, keepdims=True)")
    if slip == "column_max":
        return ("You subtract each column's maximum, logits.max(axis=0): only a constant per row "
                "leaves a row's softmax unchanged, so subtract logits.max(axis=1, keepdims=True)")
    raise KeyError(slip)


def _formula(kind, name, n_hidden):
    """What layer ``name`` computes, for the message when no known slip explains it."""
    layer, i = _split(name)
    if layer == "fc":
        if i == 1:
            inp = "x"
        elif kind == "residual":
            inp = "relu1" if i == 2 else f"r{i - 1}"
        elif kind == "dense":
            inp = f"concat{i - 1}"
        else:
            inp = f"relu{i - 1}"
        return f"fc{i} = {inp} @ params['fc{i}_weight'] + params['fc{i}_bias']"
    if layer == "bn":
        return (f"bn{i} = gamma * (fc{i} - moving_mean) / np.sqrt(moving_var + {BN_EPS:g}) + beta, "
                f"with params['bn{i}_gamma'], params['bn{i}_beta'], aux['bn{i}_moving_mean'] "
                f"and aux['bn{i}_moving_var']")
    if layer == "relu":
        return f"relu{i} = np.maximum({'bn' if kind == 'bn' else 'fc'}{i}, 0)"
    if layer == "r":
        return f"r{i} = relu{i} + {'relu1' if i == 2 else f'r{i - 1}'}"
    if layer == "concat":
        return (f"concat{i} = np.concatenate([{_relus(i)}], axis=1)" if i > 1
                else "concat1 = relu1")
    return f"softmax = the softmax of fc{n_hidden + 1} over each row"


def _relus(k):
    """The outputs concat_k puts side by side: 'relu1, relu2', ..., 'relu1, ..., relu5'."""
    return ", ".join(f"relu{j}" for j in range(1, k + 1)) if k <= 3 else f"relu1, ..., relu{k}"


def _difference(got, exp, unit="unit"):
    """'largest difference 0.12 at flower 3, unit 5: expected 0.53, got 0.41'."""
    diff = np.abs(got - exp)
    idx = np.unravel_index(int(np.argmax(diff)), diff.shape)
    where = f"flower {idx[0]}, {unit} {idx[1]}" if len(idx) == 2 else f"index {idx}"
    want, have = pair(exp[idx], got[idx])
    return f"largest difference {diff[idx]:.3g} at {where}: expected {want}, got {have}"


# ---------------------------------------------------------------- the grader

def _accepts_trace(fn):
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.name == "trace" or p.kind is p.VAR_KEYWORD for p in parameters)


def _sizes(text):
    """(rows of the weight matrix, columns of the input) from NumPy's matmul or dot error."""
    m = re.search(r"\(size (\d+) is different from (\d+)\)", text)
    if m:
        return int(m.group(1)), int(m.group(2))
    m = re.search(r"(\d+) \(dim 1\) != (\d+) \(dim 0\)", text)
    if m:
        return int(m.group(2)), int(m.group(1))
    return None


def _recorded_layer(params, trace):
    """(True, the fc layer after the last one recorded, or None) when the learner recorded
    fc layers, else (False, None): a shape error stops at the first layer not recorded."""
    n_layers = _n_hidden(params) + 1
    recorded = [j for j in range(1, n_layers + 1) if f"fc{j}" in trace]
    if not recorded:
        return False, None
    if recorded == list(range(1, len(recorded) + 1)) and len(recorded) < n_layers:
        return True, len(recorded) + 1
    return True, None


def _exception_message(kind, exc, params, n, trace=None):
    """A diagnosis of the shape errors the usual slips raise, or None."""
    trace = {} if trace is None else trace
    text = str(exc)
    base = f"your function raised {describe_exception(exc)}"
    hidden = ARCHITECTURES[kind]["hidden"]
    if kind == "residual" and "broadcast" in text and f"({n},3)" in text and f"({n},4)" in text:
        return (f"{base}. That is x (4 columns) added to h_1 (3 columns): this network has no "
                f"skip on layer 1, r_1 = relu1, and the sums start at layer 2, "
                f"r2 = relu2 + relu1. (The notes' formula r_1 = h_1 + x needs x and h_1 of the "
                f"same width)")
    if "broadcast" in text and re.search(rf"\({n},3\) \({n},\)", text):
        return (f"{base}. That is an array of shape ({n}, 3) combined with one of shape "
                f"({n},), as `z - z.max(axis=1)` or `e / e.sum(axis=1)` does: keep the reduced "
                f"axis, z - z.max(axis=1, keepdims=True) and e / e.sum(axis=1, keepdims=True), "
                f"so that each row is shifted by its own max and divided by its own sum")
    if "broadcast" in text:
        message = _bias_message(base, text, params, n)
        if message:
            return message
    pair_of_widths = re.search(rf"\({n},(\d+)\) \({n},(\d+)\)", text)
    if kind == "dense" and "broadcast" in text and pair_of_widths:
        return (f"{base}. Your code adds layers' outputs of different widths: a dense network "
                f"does not add, it concatenates, putting the columns side by side: "
                f"concat_i = np.concatenate([concat_(i-1), h_i], axis=1), the old parts first, "
                f"so the widths grow 3, 7, 12, 18, 25, 33")
    if kind == "dense" and "concatenation axis" in text:
        return (f"{base}. That is a concatenation on axis 0 (np.concatenate's default, or "
                f"np.vstack), which stacks the flowers of h_i below those of concat_(i-1), one "
                f"flower per row: the columns must go side by side, "
                f"np.concatenate([concat_(i-1), h_i], axis=1)")
    sizes = _sizes(text)
    if sizes is None and not ("matmul" in text or ("shapes" in text and "aligned" in text)):
        return None
    rows = {params[f"fc{i}_weight"].shape[0]: i for i in range(len(hidden) + 1, 0, -1)}
    rows_read, cols_given = sizes or (None, None)
    # the layer it stopped at: from the trace, or else from the shapes
    told, j = _recorded_layer(params, trace)
    if told:
        transposed = [j] if j and params[f"fc{j}_weight"].shape == (cols_given, rows_read) else []
    else:
        transposed = [k for k in range(1, len(hidden) + 2)
                      if params[f"fc{k}_weight"].shape == (cols_given, rows_read)]
        matches = [k for k in range(1, len(hidden) + 2)
                   if params[f"fc{k}_weight"].shape[0] == rows_read]
        j = matches[0] if len(matches) == 1 else None
    transposed = [k for k in transposed if cols_given != rows_read]
    if transposed:
        j = transposed[0]
        shape = params[f"fc{j}_weight"].shape
        source = "x" if j == 1 else "its input"
        as_before = ", as in 13a and 13b" if kind == "dense" else ""
        fix = (f"fc{j} = {source} @ params['fc{j}_weight'] + params['fc{j}_bias'], with no .T "
               f"and the same layer number in both keys")
        # a W with rows_read rows may be fc_j's transposed or another layer's (an index off by
        # one): the shapes cannot tell them apart unless the line that raised shows a .T
        others = [k for k in range(1, len(hidden) + 2)
                  if k != j and params[f"fc{k}_weight"].shape[0] == rows_read]
        frames = learner_frames(exc)
        line = (frames[-1].line or "") if frames else ""
        if others and not re.search(r"\.T\b|transpose", line):
            near = [k for k in others if abs(k - j) == 1] or others
            return (f"{base}. fc{j} must read the {shape[0]} columns of {source}, so its W has "
                    f"{shape[0]} rows; the W you used has {rows_read}. Did you use "
                    f"params['fc{j}_weight'] transposed, or another layer's weights, such as "
                    f"params['fc{near[0]}_weight'] (a layer number off by one)? W is (inputs, "
                    f"units), here {shape}, and is used as it is, input @ W + b{as_before}: {fix}")
        return (f"{base}. The shapes say you used params['fc{j}_weight'] transposed: W is "
                f"(inputs, units), here {shape}, and is used as it is, input @ W + b{as_before}: "
                f"{fix}")
    i = rows.get(rows_read) if kind == "dense" else None
    out = len(hidden) + 1
    if kind == "dense" and i == out and cols_given == sum(hidden[:-1]):
        return (f"{base}. fc{out} reads concat{out - 1}, {rows_read} columns, but got "
                f"{cols_given}, the width of concat{out - 2}. "
                f"{_slip_message('last_layer_left_out', None, len(hidden))}")
    n_out = params[f"fc{out}_weight"].shape[1]
    if kind == "dense" and i == out and cols_given == rows_read + n_out:
        return (f"{base}. fc{out} reads {rows_read} columns, but got {cols_given} = "
                f"{rows_read} + {n_out}: your loop runs one layer too far. It treats the output "
                f"layer fc{out} as one more hidden layer, puts its {n_out} outputs beside "
                f"concat{out - 1} and then applies fc{out} again. The loop covers the "
                f"{len(hidden)} hidden layers, for i in range(1, {out}); fc{out} follows once, "
                f"after the loop, with no ReLU")
    if kind == "dense" and i is not None and i >= 2 and cols_given == rows_read + 4:
        return (f"{base}. fc{i} reads {rows_read} columns, but you gave it {cols_given}: x "
                f"(4 columns) is not part of the concatenation, concat_i = [relu1, ..., relu_i]")
    if kind == "dense" and i is not None and i >= 3 and cols_given == hidden[i - 2]:
        return (f"{base}. fc{i} reads {rows_read} columns, but you gave it relu{i - 1} alone "
                f"({cols_given} columns): a dense layer reads all the earlier outputs side by "
                f"side, concat{i - 1} = np.concatenate([{_relus(i - 1)}], axis=1)")
    if kind == "residual" and cols_given is not None and cols_given > 3 and cols_given % 3 == 0:
        return (f"{base}. A layer got {cols_given} columns where it reads 3: did you concatenate? "
                f"A residual network adds, r_i = h_i + r_(i-1), so the width stays 3")
    if kind == "dense":
        where = ""
        j = i if i is not None else j       # the shapes over the trace: a loop may skip a layer
        if j is not None and j >= 2:
            where = (f" fc{j} reads concat{j - 1}, {params[f'fc{j}_weight'].shape[0]} columns"
                     + (f", but got {cols_given}" if cols_given else "") + ".")
        return (f"{base}.{where} Check what each layer reads: fc_i reads concat_(i-1), all the "
                f"earlier hidden outputs side by side (without x), so fc2 reads 3 columns, "
                f"fc3 7, fc4 12, fc5 18, fc6 25 and the output fc7 33; x (N, 4) is a batch of "
                f"flowers, one per row")
    if j is None:
        return (f"{base}. Check the shapes: x is (N, 4), one flower per row, and each "
                f"params['fc<i>_weight'] is (inputs, units), so a layer computes input @ W + b")
    shape = params[f"fc{j}_weight"].shape
    return (f"{base}. Check the shapes: x is (N, 4), one flower per row, and "
            f"params['fc{j}_weight'] is (inputs, units), here {shape}, so fc{j} = input @ W + b"
            + (f": its input must have {shape[0]} columns; yours has {cols_given}"
               if cols_given else ""))


def _key_message(exc, params, aux):
    """What a KeyError means when the key is in the other dict (gamma looked up in aux, the
    moving mean in params), else None."""
    key = exc.args[0] if len(exc.args) == 1 else None
    if not isinstance(key, str) or (key in params and key in aux):
        return None
    base = f"your function raised {describe_exception(exc)}"
    if key not in params and key not in aux:
        return _missing_key_message(base, key, params, aux)
    there, other = ("params", "aux") if key in params else ("aux", "params")
    holds = ("only the moving statistics, bn<i>_moving_mean and bn<i>_moving_var" if aux
             else "nothing for this network (it has no batch norm)")
    return (f"{base}. '{key}' is in {there}, not in {other}: params holds what training "
            f"learned (the weights and biases, and batch norm's gammas and betas), aux holds "
            f"{holds}, so use {there}['{key}']")


def _missing_key_message(base, key, params, aux):
    """What a KeyError for a key in neither dict means: a layer number out of range (fc0,
    bn8, ...), or a name the network does not use; None for a key that is not a string."""
    n_out = _n_hidden(params) + 1
    m = re.fullmatch(r"(fc|bn)(-?\d+)_(\w+)", key)
    if m:
        kind, number = m.group(1), int(m.group(2))
        n_bn = sum(k.endswith("_gamma") for k in params)
        last = n_out if kind == "fc" else n_bn
        if number < 1:
            return (f"{base}. The layers are numbered from 1: fc1, ..., fc{n_out}"
                    + (f" and bn1, ..., bn{n_bn}" if n_bn else "")
                    + f", so the hidden layers' loop is for i in range(1, {n_out})")
        if kind == "bn" and not n_bn:
            return (f"{base}. This network has no batch norm: params holds only the weights and "
                    f"biases fc1, ..., fc{n_out}, and aux is empty")
        if number > last and kind == "bn":
            return (f"{base}. This network has {n_bn} batch-norm layers, bn1, ..., bn{n_bn}; "
                    f"fc{n_out} is the output layer, with no batch norm after it: loop over the "
                    f"hidden layers, for i in range(1, {n_out}), and compute fc{n_out} and the "
                    f"softmax after the loop")
        if number > last:
            return (f"{base}. This network's layers are fc1, ..., fc{n_out}, and fc{n_out} is the "
                    f"output layer: loop over the hidden layers, for i in range(1, {n_out}), and "
                    f"compute fc{n_out} and the softmax after the loop")
    names = sorted({re.sub(r"^(fc|bn)\d+_", "", k) for k in list(params) + list(aux)})
    if not (re.match(r"(fc|bn)\d*_", key) or key.endswith(tuple(names))):
        return None                 # not a network array's name: a dict of the learner's own
    prefixes = "fc<i>_ or bn<i>_" if aux else "fc<i>_"
    where = "params or aux" if aux else "params (aux is empty here)"
    return (f"{base}. There is no '{key}' in {where}: the keys are {prefixes} followed by "
            f"one of {', '.join(names)}, e.g. params['fc1_weight']")


def _bias_message(base, text, params, n):
    """A broadcast error of a layer's (n, units) product with a vector of another length (a
    bias, gamma, beta or moving statistic of another layer), else None."""
    m = re.search(rf"\({n},(\d+)\) \((\d+),\)", text)
    if not m or m.group(1) == m.group(2):
        return None
    units, length = int(m.group(1)), int(m.group(2))
    owners = [k for k in range(1, _n_hidden(params) + 2)
              if params[f"fc{k}_bias"].shape == (length,)]
    if not owners:
        return None
    names = ", ".join(f"fc{k}" for k in owners)
    return (f"{base}. That is a layer's output, {units} columns, combined with a vector of "
            f"{length} entries: a bias (or gamma, beta, moving mean or variance) has one entry "
            f"per unit of its own layer, and {length} entries belong to {names}. Check the layer "
            f"numbers: fc_i = input @ params['fc<i>_weight'] + params['fc<i>_bias'], the same i "
            f"in every key of the layer")


def _returned_problem(got, n, trace):
    """What is wrong with the returned value's type or shape, else None (and the array)."""
    if isinstance(got, dict):
        keys = list(got)
        shown = ", ".join(map(str, keys[:4])) + (", ..." if len(keys) > 4 else "")
        if got is trace or "softmax" in got:
            what = ("the trace" if got is trace else "a dict") + f" (keys {shown})"
            return None, (f"your function returned {what}: return the probabilities "
                          f"themselves, an array of shape ({n}, 3), e.g. `return probs`; the "
                          f"trace is the dict you fill in, the checker reads it without it being "
                          f"returned")
        if any(str(k).endswith(("_weight", "_bias", "_gamma", "_beta", "_moving_mean",
                                "_moving_var")) for k in keys):
            return None, (f"your function returned a dict of the network's arrays (keys "
                          f"{shown}): return the class probabilities it computes, an array of "
                          f"shape ({n}, 3)")
        return None, (f"your function returned a dict (keys {shown}): return the probabilities "
                      f"themselves, an array of shape ({n}, 3)")
    if isinstance(got, tuple) and len(got) >= 2:
        shapes = [np.shape(g) if isinstance(g, np.ndarray) else None for g in got]
        if (n, 3) in shapes:
            return None, (f"your function returned {len(got)} values; return the probabilities "
                          f"alone, one array of shape ({n}, 3) (the trace needs no returning)")
    probs, problem = as_numbers("your function's result", got)
    if problem:
        if "is None" in problem:
            return None, ("your function returned None: did you forget to `return` the "
                          "probabilities?")
        return None, (f"your function should return an array of probabilities, shape ({n}, 3); "
                      f"got {type(got).__name__}")
    if probs.shape != (n, 3):
        if probs.shape == (3, n):
            return None, (f"your probabilities have shape {probs.shape}, transposed: return one "
                          f"row per flower, shape ({n}, 3), the shape of x @ W for the output "
                          f"layer")
        return None, (f"your function returned shape {probs.shape} for x of shape ({n}, 4): "
                      f"return one row of 3 class probabilities per flower, shape ({n}, 3)")
    return probs, None


def _non_finite_message(kind, trace, expected, n_hidden):
    """What made the probabilities nan or inf: the first recorded layer with such a value, or,
    with finite logits, np.exp's overflow in the softmax."""
    head = "your probabilities have a non-finite value (nan or inf)"
    out = f"fc{n_hidden + 1}"
    layers = {name: _learner_array(trace, name, expected[name].shape)
              for name in expected if name in trace}            # in the network's order
    layers = {name: value for name, value in layers.items() if value is not None}
    first = next((name for name, value in layers.items() if not np.isfinite(value).all()),
                 None)
    logits = layers.get(out)
    overflow = ("np.exp overflows for a logit above about 709: subtract each row's max from the "
                "logits before np.exp (it changes no probability)")
    if first in (None, "softmax") and logits is not None and np.isfinite(logits).all():
        parted = next((name for name, value in layers.items() if name not in ("softmax", out)
                       and not close(value, expected[name])), None)
        later = (f". Your trace parts from the model's before that, at {parted}: once the "
                 f"probabilities are finite, the checker will say more" if parted else "")
        return (f"{head}, and your logits {out} are finite, so the softmax made it: "
                f"{overflow}{later}")
    if first is None:
        recorded = ("every layer you recorded is finite" if trace else
                    "you recorded no layer in the `trace` dict")
        return (f"{head}, and {recorded}, so the checker cannot see where it was made. np.exp "
                f"overflows for a logit above about 709 (subtract each row's max from the logits "
                f"first), and np.sqrt of a negative number gives nan (a variance is never "
                f"negative). Store each layer's output in trace, trace['fc1'] = ..., and the "
                f"checker will name the first layer with one")
    layer, i = _split(first)
    where = f"{head}: the first layer in your trace with one is {first}"
    if layer == "bn":
        return (f"{where}. A nan there comes from np.sqrt of a negative number: the variance "
                f"under the square root must be aux['bn{i}_moving_var'], never negative (a moving "
                f"mean can be). It should be {_formula(kind, first, n_hidden)}")
    return (f"{where}. Look there for np.sqrt or np.log of a negative number, a division by zero "
            f"or an overflow: it should be {_formula(kind, first, n_hidden)}")


def _read_trace(kind, trace, expected):
    """The recorded layers in the network's order, [(name, array)], and notes on the entries
    that cannot be compared (not numbers of the layer's shape, or a name the network lacks)."""
    entries, notes = [], []
    for name in expected:
        if name not in trace:
            continue
        value, problem = as_numbers(f"trace['{name}']", trace[name], expected[name].shape)
        if problem is None and not np.isfinite(value).all():
            problem = f"trace['{name}'] has a non-finite value (nan or inf)"
        if problem:
            notes.append(problem + ", so it was not compared")
        else:
            entries.append((name, value))
    unknown = [k for k in trace if k not in expected and not (kind == "residual" and k == "r1")]
    if unknown:
        shown = ", ".join(repr(k) for k in unknown[:4]) + (", ..." if len(unknown) > 4 else "")
        notes.append(f"not compared: {shown}, as this network has no layer of that name; its "
                     f"names are {_NAME_PATTERNS[kind]}")
    return entries, notes[:2]


def _learner_array(trace, name, shape):
    """trace[name] as a float array of the given shape, or None when it is not that."""
    value, problem = as_numbers("", trace.get(name), shape)
    return None if problem else value


def _changed_after_storing(name, value, trace, expected):
    """True if a recorded entry that differs from the model's was changed in place after it
    was stored (as `h = z; h[h < 0] = 0` or `r += h` do to the z or h stored before).

    Either it holds a later layer's values, or it is the same array as a later entry and its
    values show the in-place step, or it is the same array as an entry of a later layer and
    holds that entry's values (`r = h` at layer 1, then `r += h`: relu1 ends as r6). Sharing
    within one layer alone proves nothing: after `h = ...; r = h`, h and r are one array,
    changed by nobody."""
    order = list(expected)
    later = order[order.index(name) + 1:]
    if any(expected[k].shape == value.shape and close(value, expected[k]) for k in later):
        return True
    stored = trace[name]
    if not isinstance(stored, np.ndarray):
        return False
    layer, i = _split(name)
    for k in later:
        other = trace.get(k)
        if not (isinstance(other, np.ndarray) and np.may_share_memory(stored, other)):
            continue
        if close(expected[k], expected[name]):          # concat1 is relu1 itself
            continue
        later_layer, j = _split(k)
        if j is not None and i is not None and j != i:
            # the same array as a later layer's entry, holding its values
            mine = _learner_array(trace, k, value.shape)
            if mine is not None and close(value, mine):
                return True
        if layer in ("fc", "bn") and later_layer == "relu":
            # clipped in place by the ReLU: no negative value left where the model has some
            if value.min() >= 0 and expected[name].min() < 0:
                return True
        elif layer == "fc" and later_layer == "bn":
            # normalised in place: nearer batch norm's output than the layer's own
            if np.abs(value - expected[k]).max() < np.abs(value - expected[name]).max():
                return True
        elif layer == "relu" and later_layer == "r" and i >= 2:
            # `r = h; r += r_prev`: taking r_prev away again leaves the ReLU of fc_i
            prev = "relu1" if i == 2 else f"r{i - 1}"
            r_prev = _learner_array(trace, prev, value.shape)
            fc = _learner_array(trace, f"fc{i}", value.shape)
            r_prev = expected[prev] if r_prev is None else r_prev
            fc = expected[f"fc{i}"] if fc is None else fc
            if close(value - r_prev, np.maximum(fc, 0.0)):
                return True
    return False


def _next_value(kind, name, value, expected, params):
    """Entry ``name`` computed from ``value``, the entry just before it in the network's order,
    with every other input the model's own."""
    layer, i = _split(name)
    if layer == "fc":
        return _fc(value, params[f"fc{i}_weight"], params[f"fc{i}_bias"])
    if layer == "bn":
        return _bn(value, params[f"bn{i}_gamma"], params[f"bn{i}_beta"],
                   params.aux[f"bn{i}_moving_mean"], params.aux[f"bn{i}_moving_var"])
    if layer == "relu":
        return np.maximum(value, 0.0)
    if layer == "r":
        return value + expected["relu1" if i == 2 else f"r{i - 1}"]
    if layer == "concat":
        return value if i == 1 else np.concatenate([expected[f"concat{i - 1}"], value], axis=1)
    return _softmax(value)


class _Arrays(dict):
    """params with the moving statistics beside them, for _next_value."""
    def __init__(self, params, aux):
        super().__init__(params)
        self.aux = aux


def _slip_before(kind, window, name, value, trace, expected, params, aux, x):
    """(stale entry, slip): a slip at one of the entries in ``window`` (stored before ``name``
    and changed in place afterwards, so not compared) that, carried through the layers after
    it, gives the learner's ``name``. The learner's array may itself have been changed in place
    by a later entry of the same layer (`h = z; r = h; r += r_prev` leaves r2 in relu2): then
    the slip is carried on to the last entry that shares its array."""
    order = list(expected)
    stored = trace[name]
    last = name
    for k in order[order.index(name) + 1:]:
        other = trace.get(k)
        if (isinstance(stored, np.ndarray) and isinstance(other, np.ndarray)
                and np.may_share_memory(stored, other)):
            mine = _learner_array(trace, k, value.shape)
            if mine is not None and close(value, mine):
                last = k
    arrays = _Arrays(params, aux)
    matches = []            # the nearest one wins: no eps and PyTorch's 1e-5 can both match
    for s in reversed(window):
        for slip, v in _local_variants(kind, s, expected, params, aux, x):
            for k in order[order.index(s) + 1:order.index(last) + 1]:
                v = _next_value(kind, k, v, expected, arrays)
            if v.shape == value.shape and close(value, v):
                matches.append((np.abs(value - v).max(), s, slip))
    return min(matches)[1:] if matches else None


def _listed(names):
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _stale_note(names):
    """The note on the entries changed after storing; it lists the three nearest the layer
    that is blamed (the last ones), as those are where the slip may hide."""
    listed = ("..., " if len(names) > 3 else "") + ", ".join(f"trace['{k}']" for k in names[-3:])
    return (f"{listed} {'was' if len(names) == 1 else 'were'} not compared: "
            f"{'it holds' if len(names) == 1 else 'they hold'} a later layer's values, as an "
            f"array does when it is changed in place after being stored, e.g. by "
            f"`h = z; h[h < 0] = 0` or `r += h`; write h = np.maximum(z, 0) and r = r + h, new "
            f"arrays, to see every layer")


_STUB_NAMES = {"bn": "my_bn_predict", "residual": "my_residual_predict",
               "dense": "my_dense_predict"}


def _reordered_parameters(kind, fn):
    """The message for a function whose first parameters are params, aux and x in another order
    (the checker passes them by position, in the stub's order), else None."""
    try:
        names = [p.name for p in inspect.signature(fn).parameters.values()
                 if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        return None
    first = names[:3]
    if sorted(first) != ["aux", "params", "x"] or first == ["params", "aux", "x"]:
        return None
    return (f"your function's parameters are ({', '.join(names)}), but the checker calls it as "
            f"the stub is written, {_STUB_NAMES[kind]}(params, aux, x, trace), passing them in "
            f"that order: keep the stub's first line as it is")


def _grade(kind, fn):
    reordered = _reordered_parameters(kind, fn)
    if reordered:
        return reordered
    model, x, expected = _grading_case(kind)        # computed once, never handed out
    params = {k: fresh(v) for k, v in model.params.items()}
    aux = {k: fresh(v) for k, v in model.aux.items()}
    x_in = fresh(x)
    trace = {}
    n, n_hidden = len(x), len(ARCHITECTURES[kind]["hidden"])
    try:
        if _accepts_trace(fn):
            got = fn(params, aux, x_in, trace=trace)
        else:
            got = fn(params, aux, x_in)
    except (NotImplementedError, NotAttempted):
        raise
    except ValueError as exc:
        message = _exception_message(kind, exc, model.params, n, trace)
        if message:
            return message
        raise
    except KeyError as exc:
        message = _key_message(exc, model.params, model.aux)
        if message:
            return message
        raise

    # 1. the answer: right probabilities pass, whatever the trace holds
    probs, problem = _returned_problem(got, n, trace)
    if problem:
        return problem
    final = expected["softmax"]
    if close(probs, final):
        names = [f"params['{k}']" for k in model.params] + [f"aux['{k}']" for k in model.aux]
        before = list(model.params.values()) + list(model.aux.values())
        problem = changed_input(list(zip(names, before)),
                                list(params.values()) + list(aux.values()))
        if problem:
            return (problem + ". model.params and model.aux hold the model's own arrays, so "
                              "this would change the trained network")
        return changed_input([("x", x)], [x_in])

    # 2. a wrong answer: where does it part from the model's?
    if not np.isfinite(probs).all():
        return _non_finite_message(kind, trace, expected, n_hidden)
    diff = _difference(probs, final, "class")
    slipped = {s: slipped_forward(kind, model.params, model.aux, x, s) for s in GLOBAL_SLIPS[kind]}
    candidates = _matching(probs, [(s, t["softmax"]) for s, t in slipped.items()])
    # probabilities of 0 and 1 (within the tolerance) match many slips alike, so a slip is
    # named from them only if the trace agrees, and with no trace only as a guess
    saturated = close(probs, np.eye(probs.shape[1])[np.argmax(probs, axis=1)])
    slip = candidates[0] if candidates else None
    explained = (f"your probabilities are what you get when "
                 f"{_lower(_slip_message(slip, None, n_hidden))}" if slip else "")
    if slip and saturated:
        explained = (f"your probabilities are 0 or 1 for every flower (within 1e-5), as they are "
                     f"when {_lower(_slip_message(slip, None, n_hidden))}; but other slips can "
                     f"drive this network's logits that far apart too, so that is only a guess")
    entries, notes = _read_trace(kind, trace, expected)
    names = list(expected)
    compared, stale, window, agreed = 0, [], [], []
    for name, value in entries:
        if close(value, expected[name]):
            compared += 1
            agreed.append((name, value))
            window = []             # stale entries since the last one that matches
            continue
        if _changed_after_storing(name, value, trace, expected):
            stale.append(name)
            window.append(name)
            continue
        if saturated:
            slip = _agreeing(candidates, slipped, agreed + [(name, value)])
        # the first recorded layer that differs: a slip made right there, or one the
        # probabilities show, or what the layer should compute
        note = "".join(f" ({k})" for k in ([_stale_note(stale)] if stale else []) + notes)
        unit = "class" if name in ("softmax", f"fc{n_hidden + 1}") else "unit"
        numbers = _difference(value, expected[name], unit)
        head = f"the first layer that differs from the model's is {name}"
        if window:
            head = (f"the first layer that could be compared and differs from the model's is "
                    f"{name}")
        if compared:
            head += (f" (the {compared} layers you recorded before it match)" if compared > 1
                     else " (the layer you recorded before it matches)")
        if window:
            one = len(window) == 1
            head += (f"; {_listed(window)}, stored just before it, {'was' if one else 'were'} "
                     f"changed in place after you stored {'it' if one else 'them'}, so "
                     f"{'it' if one else 'they'} could not be compared")
        local = _nearest(value, _local_variants(kind, name, expected, model.params, model.aux, x))
        if local == "relu_of_fc" and slip == "relu_first":
            local = slip                # the ReLU of fc, then batch norm: not batch norm skipped
        if local:
            return (f"{head}. {_slip_message(local, name, n_hidden)}. ({_capital(numbers)})"
                    f"{note}")
        if slip:
            number = _split(name)[1]
            number = number if number is not None and number <= n_hidden else None
            explained = (f"your probabilities are what you get when "
                         f"{_lower(_slip_message(slip, None, n_hidden, number))}")
            return f"{head}: {numbers}; {explained}{note}"
        if window:
            found = _slip_before(kind, window, name, value, trace, expected, model.params,
                                 model.aux, x)
            if found:
                where, what = found
                return (f"{head}. Your {name} is what follows when {where} has a slip, so the "
                        f"slip is in {where}. {_slip_message(what, where, n_hidden)}. "
                        f"({_capital(numbers)} in {name}){note}")
            places = window + [name]
            should = "; ".join(_formula(kind, k, n_hidden) for k in places)
            return (f"{head}. The slip is in {', '.join(places[:-1])} or {name}, and no slip the "
                    f"checker knows explains it. They should be {should}. Store new arrays "
                    f"(h = np.maximum(z, 0), r = r + h) and the checker will name the layer. "
                    f"({_capital(numbers)} in {name}){note}")
        before = [k for k in names[:names.index(name)] if k not in trace]
        unseen = ""
        if before:
            listed = ", ".join(before[-3:])
            unseen = (f" You did not record {'the layers' if len(before) > 1 else 'the layer'} "
                      f"before it ({'..., ' if len(before) > 3 else ''}{listed}), so the slip may "
                      f"be there: store them too.")
        own = (" Use the arrays your function is given: the checker passes a network of its "
               "own, not the lesson's trained model." if name == "fc1"
               and _ignores_given_arrays(fn, model, x, probs) else "")
        return (f"{head}. It should be {_formula(kind, name, n_hidden)}: compare yours with "
                f"model.forward_trace(x) on the lesson's model to see where they part."
                f"{own}{unseen} ({_capital(numbers)}){note}")
    note = "".join(f" ({k})" for k in ([_stale_note(stale)] if stale else []) + notes)
    if saturated and agreed:
        slip = _agreeing(candidates, slipped, agreed)
        explained = (f"your probabilities are what you get when "
                     f"{_lower(_slip_message(slip, None, n_hidden))}" if slip else "")
    if compared:
        message = (f"every layer you recorded matches ({compared} of them), but your "
                   f"probabilities differ from the model's ({diff})")
    else:
        message = f"your probabilities differ from the model's ({diff})"
    if slip:
        message += f". {_capital(explained)}."
    elif not compared:
        message += ", and no slip the checker knows explains them."
    else:
        message += "."
    if saturated and not slip:
        message += (" Your probabilities are 0 or 1 for every flower (within 1e-5): logits that "
                    "far apart hide which slip made them.")
    sums = probs.sum(axis=1)
    if not slip and not np.allclose(sums, 1.0, rtol=0, atol=1e-6):
        off = np.abs(sums - 1.0).max()
        digits = min(12, max(3, 1 - int(np.floor(np.log10(off))))) if np.isfinite(off) else 3
        message += (f" Your rows do not sum to 1 (their sums go from {sums.min():.{digits}f} to "
                    f"{sums.max():.{digits}f}, up to {off:.1e} away from 1): end with a softmax "
                    f"over each flower's row, e / e.sum(axis=1, keepdims=True).")
    elif not slip and not compared and _ignores_given_arrays(fn, model, x, probs):
        message += (" Use the arrays your function is given (params, aux, x): the checker passes "
                    "a network of its own, not the lesson's trained model.")
    if not trace:
        message += (" (You recorded no layer in the `trace` dict passed to your function, so "
                    "only the probabilities were compared: store each layer's output in it, "
                    "trace['fc1'] = ..., and the checker will name the first layer that "
                    "differs)")
    return message + note


def _ignores_given_arrays(fn, model, x, probs):
    """True when fn's result stays the same when every array it is given is changed: it
    computes with arrays of its own (the lesson's model, say), not with params and aux."""
    params = {k: v * 1.25 + 0.1 for k, v in model.params.items()}
    aux = {k: v * 1.25 + 0.1 for k, v in model.aux.items()}
    # the output layer's columns rotated: a function that uses them rotates its classes, even
    # when its logits are so far apart that the changes above leave 0 and 1 as they are
    # (unless the rows look the same rotated, as near-uniform ones do)
    rotate = np.roll(np.arange(model.n_out), 1)
    if not close(probs[:, rotate], probs):
        out = _n_hidden(model.params) + 1
        params[f"fc{out}_weight"] = params[f"fc{out}_weight"][:, rotate]
        params[f"fc{out}_bias"] = params[f"fc{out}_bias"][rotate]
    try:
        with np.errstate(all="ignore"):
            if _accepts_trace(fn):
                other = fn(params, aux, fresh(x), trace={})
            else:
                other = fn(params, aux, fresh(x))
        other = np.asarray(other, dtype=float)
    except Exception:                   # the learner's code: any failure means "not known"
        return False
    return other.shape == probs.shape and close(other, probs)


def _matching(got, variants):
    """The slips whose value got matches, the nearest first (no eps at all and PyTorch's 1e-5
    can both match one layer)."""
    matches = [(np.abs(got - value).max(), slip) for slip, value in variants
               if value.shape == got.shape and close(got, value)]
    return [slip for _, slip in sorted(matches)]


def _nearest(got, variants):
    """The slip whose value got matches; the nearest one when several do."""
    matches = _matching(got, variants)
    return matches[0] if matches else None


def _agreeing(candidates, slipped, entries):
    """The first of the candidate global slips whose own trace holds the learner's values at
    every recorded layer it has: saturated probabilities alone cannot tell them apart."""
    for slip in candidates:
        trace = slipped[slip]
        if all(name not in trace or close(value, trace[name]) for name, value in entries):
            return slip
    return None


def _lower(text):
    return text[0].lower() + text[1:]


def _capital(text):
    """Capitalise plain English at a sentence's start ('largest difference ...')."""
    return text[0].upper() + text[1:]


# ---------------------------------------------------------------- side by side, as the notes do

def side_by_side(fn, model, x, class_names=None):
    """Print model.predict_proba(x) next to fn(model.params, model.aux, x), class by class,
    for every flower (row) of x (N, n_in); a stub shows "not written yet"."""
    x = np.atleast_2d(np.asarray(x, dtype=np.float64))
    if class_names is None:
        class_names = (["setosa", "versicolor", "virginica"] if model.n_out == 3
                       else [f"class {k}" for k in range(model.n_out)])
    expected = model.predict_proba(x)
    label = getattr(fn, "__name__", "your function")
    params = {k: v.copy() for k, v in model.params.items()}
    aux = {k: v.copy() for k, v in model.aux.items()}
    mine, status, got = None, None, None
    try:
        with np.errstate(all="ignore"):
            got = fn(params, aux, x.copy())
            mine, _ = as_numbers("", got)
    except NotImplementedError:
        status = "not written yet"
    except Exception as exc:            # the learner's code: say what happened, no traceback
        status = f"raised {describe_exception(exc)}"
    if status is None and mine is None:
        status = (f"returned None, expected shape {expected.shape} (a `return` missing?)"
                  if got is None else f"returned a {type(got).__name__}, expected an array of "
                  f"shape {expected.shape}")
    elif status is None and mine.shape != expected.shape:
        status = f"returned shape {mine.shape}, expected {expected.shape}"

    def fmt(p):
        return f"{p:.8f}" if p >= 1e-4 else f"{p:.4e}"

    width = max(len(c) for c in class_names)
    print(f"{'':{width + 2}}  {'model.predict_proba':>19}  {label:>19}")
    for row in range(len(x)):
        if len(x) > 1:
            print(f"flower {row}")
        for k, name in enumerate(class_names):
            right = fmt(mine[row, k]) if status is None else (status if row == k == 0 else "")
            print(f"  {name:<{width}}  {fmt(expected[row, k]):>19}  {right:>19}".rstrip())
    if status is None:
        gap = np.abs(mine - expected).max()
        print("largest difference: 0, the same numbers to the last bit" if gap == 0 else
              f"largest difference: {gap:.1e}")


# ---------------------------------------------------------------- the three exercises

def _hint_trace(names):
    return (f" Store each layer's output as you go, trace['fc1'] = ..., under the names {names}: "
            f"the checker then names the first layer that goes wrong.")


bn_inference = Exercise(
    "bn_inference", "Exercise 13a (inference by hand: the batch-norm network)",
    functools.partial(_grade, "bn"),
    hints=["Walk through the network as it does, layer by layer: for i = 1 to 7, a fully "
           "connected layer (input @ weight + bias), batch norm with the *moving* statistics from "
           "aux (not the mean and variance of x), and a ReLU; then fc8 and a softmax over each "
           "flower's row." + _hint_trace(_NAME_PATTERNS["bn"]),
           "z = h @ params[f'fc{i}_weight'] + params[f'fc{i}_bias']; batch norm is "
           "params[f'bn{i}_gamma'] * (z - aux[f'bn{i}_moving_mean']) / "
           "np.sqrt(aux[f'bn{i}_moving_var'] + 1e-3) + params[f'bn{i}_beta']; the ReLU is "
           "np.maximum(y, 0). The softmax: e = np.exp(z - z.max(axis=1, keepdims=True)), then "
           "e / e.sum(axis=1, keepdims=True).",
           "h = x; then for i in range(1, 8): z = h @ params[f'fc{i}_weight'] + "
           "params[f'fc{i}_bias']; y = params[f'bn{i}_gamma'] * (z - aux[f'bn{i}_moving_mean']) "
           "/ np.sqrt(aux[f'bn{i}_moving_var'] + 1e-3) + params[f'bn{i}_beta']; "
           "h = np.maximum(y, 0) (storing trace[f'fc{i}'] = z, trace[f'bn{i}'] = y, "
           "trace[f'relu{i}'] = h). After the loop: z = h @ params['fc8_weight'] + "
           "params['fc8_bias'], e = np.exp(z - z.max(axis=1, keepdims=True)), "
           "return e / e.sum(axis=1, keepdims=True)."],
    reference=reference_bn_predict, answer_name="my_bn_predict")

residual_inference = Exercise(
    "residual_inference", "Exercise 13b (inference by hand: the residual network)",
    functools.partial(_grade, "residual"),
    hints=["The loop of exercise 13a without batch norm, plus a running sum r. Layer 1 has no "
           "skip (x has 4 columns, h_1 has 3): r_1 = h_1. From layer 2 on, r_i = h_i + r_{i-1}. "
           "Every fc layer, and the output fc7, reads r, not h." + _hint_trace(
               _NAME_PATTERNS["residual"]),
           "Keep one variable r, starting at r = x. Layer i: z = r @ params[f'fc{i}_weight'] + "
           "params[f'fc{i}_bias'] and h = np.maximum(z, 0); then r = h for i = 1, and r = h + r "
           "from i = 2 on (store that as trace[f'r{i}']). The output: r @ params['fc7_weight'] + "
           "params['fc7_bias'], then the softmax over each row.",
           "r = x; for i in range(1, 7): z = r @ params[f'fc{i}_weight'] + params[f'fc{i}_bias']; "
           "h = np.maximum(z, 0); r = h if i == 1 else h + r. Then z = r @ params['fc7_weight'] + "
           "params['fc7_bias']; e = np.exp(z - z.max(axis=1, keepdims=True)); "
           "return e / e.sum(axis=1, keepdims=True)."],
    reference=reference_residual_predict, answer_name="my_residual_predict")

dense_inference = Exercise(
    "dense_inference", "Exercise 13c (inference by hand: the dense network)",
    functools.partial(_grade, "dense"),
    hints=["Each layer reads all the hidden outputs before it, side by side: fc2 reads relu1, "
           "fc3 reads [relu1, relu2], ..., and the output fc7 reads [relu1, ..., relu6], "
           "3 + 4 + ... + 8 = 33 columns (x is not among them). The oldest layer's columns come "
           "first: that is the order of the rows of each weight matrix." + _hint_trace(
               _NAME_PATTERNS["dense"]),
           "Keep a list hs of the h's so far. Layer i: z = inp @ params[f'fc{i}_weight'] + "
           "params[f'fc{i}_bias'] (inp = x for i = 1), h = np.maximum(z, 0), hs.append(h), and "
           "inp = np.concatenate(hs, axis=1): axis=1 puts columns side by side (axis=0 would "
           "stack flowers). concat1 is relu1 itself.",
           "hs = []; inp = x; for i in range(1, 7): z = inp @ params[f'fc{i}_weight'] + "
           "params[f'fc{i}_bias']; hs.append(np.maximum(z, 0)); inp = np.concatenate(hs, axis=1)."
           " Then z = inp @ params['fc7_weight'] + params['fc7_bias']; "
           "e = np.exp(z - z.max(axis=1, keepdims=True)); "
           "return e / e.sum(axis=1, keepdims=True)."],
    reference=reference_dense_predict, answer_name="my_dense_predict")
