"""Lesson 12's exercises: inverted dropout (12a) and a gradient step with weight decay (12b).

- ``dropout_layer``: ``fn(x, dout, p_drop, u, training)`` returns ``(out, dx)``: in training,
  keep a unit where u < 1 - p_drop and scale the kept ones by 1 / (1 - p_drop); backward, the
  same mask and scale; at inference, nothing at all.
- ``weight_decay_step``: ``fn(params, grads, weight_names, lr, lam)`` returns a new dict of
  parameters after one plain gradient step on loss + lam / 2 * sum W^2 (biases not decayed);
  the weights' and the biases' slips are named separately, so two slips are both named.

The forward pass is read back as a mask (which of four ways of comparing u with p_drop) times a
scale (which of four factors), so that a message names both parts of a slip. The notes'
non-inverted dropout (no scale in training, times 1 - p_drop at inference) is named as such.
A mask that does not match u is read further: a ReLU folded in (out is 0 where x < 0), a mask
from part of u (one number, row or column, broadcast), random numbers of the learner's own
(another out on a second call), or else some other mask.
"""
import inspect

import numpy as np

from ..gradcheck import numerical_gradient
from ._kit import (Exercise, changed_input, close, close_elements, compare, fresh,
                   gradient_problem, shape_problem, unpack_returned)

__all__ = ["dropout_layer", "weight_decay_step"]


def reference_dropout(x, dout, p_drop, u, training=True):
    """Inverted dropout. u: uniform random numbers in [0, 1), shaped like x.
    Returns (out, dx): the layer's output and the gradient with respect to x."""
    if not training:
        return x, dout                      # inference: the layer does nothing
    keep = 1.0 - p_drop
    mask = (u < keep) / keep                # 0 for a dropped unit, 1 / keep for a kept one
    return x * mask, dout * mask


# (shape, p_drop, training, seed): shapes differ so a transposed answer shows; p_drop = 0.2
# comes first: at 0.5, p_drop and 1 - p_drop cannot tell two slips apart
_CASES = [((3, 7), 0.2, True, 1), ((5, 4), 0.5, True, 0), ((6, 3), 0.75, True, 2),
          ((4, 5), 0.0, True, 3), ((5, 4), 0.5, False, 4), ((3, 7), 0.2, False, 1)]


def _case(shape, seed):
    rng = np.random.default_rng(seed)
    return rng.standard_normal(shape), rng.standard_normal(shape), rng.random(shape)


def _masks(u, p_drop):
    """(which units a mask keeps, what is wrong with it or None): the right one first."""
    keep = 1.0 - p_drop
    return [
        (u < keep, None),
        (u < p_drop, "you keep units where u < p_drop, that is with probability p_drop; p_drop "
                     "is the probability of dropping a unit: keep where u < 1 - p_drop"),
        (u >= p_drop, "you keep units where u > p_drop (the notes' mask): that drops the right "
                      "fraction, but the checker (like lessonlib.layers.Dropout) keeps a unit "
                      "where u < 1 - p_drop; use that mask"),
        (u >= keep, "your mask is inverted: keep where u < 1 - p_drop, drop the rest"),
    ]


def _scales(p_drop):
    """(the factor on the kept units, what is wrong with it or None): the right one first."""
    keep = 1.0 - p_drop
    return [
        (1.0 / keep, None),
        (1.0, "the kept values are not scaled: divide them by the keep probability 1 - p_drop "
              "(inverted dropout), so that the expected output in training equals the output "
              "at inference"),
        (1.0 / p_drop if p_drop else None,
         "the kept values are divided by p_drop; divide by the keep probability, 1 - p_drop"),
        (keep, "the kept values are multiplied by 1 - p_drop; divide by it instead"),
    ]


_NON_INVERTED = ("you wrote the notes' non-inverted dropout: out = x * mask in training and "
                 "x * (1 - p_drop) at inference. This exercise (like lessonlib.layers.Dropout) "
                 "uses inverted dropout: divide the kept values by 1 - p_drop in training, and "
                 "at inference return x unchanged")


def _read_forward(out, x, u, p_drop):
    """(mask problem, scale problem) when out is x times one of the masks times one of the
    scales (either may be None: that part is right), else None."""
    for kept, mask_problem in _masks(u, p_drop):
        for factor, scale_problem in _scales(p_drop):
            if factor is not None and close(out, x * kept * factor):
                return mask_problem, scale_problem
    return None


def _other_mask(out, x, p_drop):
    """True if out is x times some 0/1 mask (some units dropped, some kept) times one of the
    scales: a mask drawn from other random numbers than the u given."""
    out = np.asarray(out, dtype=np.float64)
    for factor, _ in _scales(p_drop):
        if factor is None:
            continue
        kept = close_elements(out, x * factor) & (out != 0)
        if (kept | (out == 0)).all() and kept.any() and not kept.all():
            return True
    return False


def _draws_its_own(fn, out, x, dout, p_drop, u):
    """True if calling fn again with the same arguments gives another out: random numbers of
    its own, not the u given."""
    for _ in range(3):
        again = unpack_returned(fn(fresh(x), fresh(dout), p_drop, fresh(u), True),
                                "your function", ("out", "dx"))[0]
        if again is not None and not close(again[0], out):
            return True
    return False


def _parts_of_u(u):
    """One number, each row and each column of u, broadcast to u's shape: the masks a learner
    builds from part of u (u[0, 0], u[0], u[:, :1], ...)."""
    rows, cols = u.shape
    parts = ([u[:1, :1]] + [u[i:i + 1, :] for i in range(rows)]
             + [u[:, j:j + 1] for j in range(cols)])
    return [np.broadcast_to(part, u.shape) for part in parts]


_RELU = ("your out is 0 wherever x < 0, as after a ReLU: dropout is no activation. It keeps a "
         "unit's value whatever its sign (out = x * mask); the ReLU is a layer of its own")


def _both(first, read):
    """first, then the mask and scale problems of a _read_forward result, in one sentence."""
    return "; and ".join(p for p in (first,) + tuple(read) if p)


def _forward_problem(fn, out, x, dout, u, p_drop, where):
    """What is wrong with a training forward pass out, in words."""
    read = _read_forward(out, x, u, p_drop)
    if read is None:
        if close(out, x):
            return f"out equals x: in training the dropped units must be set to 0 {where}"
        # first, as a mask of its own can match a mask from part of u by chance (all kept)
        if _draws_its_own(fn, out, x, dout, p_drop, u):
            return (f"your out drops other units than u says: use the u you are given (keep "
                    f"where u < 1 - p_drop) rather than drawing your own random numbers "
                    f"(np.random...), so that the forward and backward passes, and the "
                    f"checker, agree on the mask {where}")
        if (x < 0).any():
            relu = _read_forward(out, np.maximum(x, 0.0), u, p_drop)
            if relu is not None:
                return f"{_both(_RELU, relu)} {where}"
        for part in _parts_of_u(u):
            from_part = _read_forward(out, x, part, p_drop)
            if from_part is not None:
                first = ("your mask is built from part of u (one number, one row or one column "
                         "of it, broadcast over x), so units are kept or dropped together, in "
                         "whole rows or columns or all at once: compare the whole u with "
                         "1 - p_drop, one random number per unit (mask = u < 1 - p_drop)")
                return f"{_both(first, from_part)} {where}"
        if _other_mask(out, x, p_drop):
            return (f"your out drops other units than u says (a mask from other numbers than "
                    f"u, or from part of u): keep each unit where its own number in u is below "
                    f"1 - p_drop, mask = u < 1 - p_drop, so that the forward and backward "
                    f"passes, and the checker, agree on the mask {where}")
        return compare(f"your out {where}", out, x * (u < 1.0 - p_drop) / (1.0 - p_drop))
    mask_problem, scale_problem = read
    if close(out, x * (u < p_drop) / p_drop) and p_drop != 0.5:
        return (f"you keep each unit with probability p_drop and divide by p_drop: p_drop is "
                f"the probability of dropping a unit, so keep where u < 1 - p_drop and divide "
                f"by 1 - p_drop {where}")
    if scale_problem is not None and scale_problem.startswith("the kept values are not"):
        # no scale in training: the notes' form, if inference multiplies by 1 - p_drop
        at_inference = unpack_returned(fn(fresh(x), fresh(dout), p_drop, fresh(u), False),
                                       "your function", ("out", "dx"))[0]
        if at_inference is not None and close(at_inference[0], x * (1.0 - p_drop)):
            scale_problem = _NON_INVERTED
    if scale_problem == _NON_INVERTED:      # the bigger picture first
        words = _NON_INVERTED + (f". Also, {mask_problem}" if mask_problem else "")
    else:
        words = "; and ".join(p for p in (mask_problem, scale_problem) if p)
    return f"{words} {where}"


def _takes_five(fn):
    """None if fn can be called as fn(x, dout, p_drop, u, training), else what is wrong."""
    try:
        inspect.signature(fn).bind(None, None, None, None, None)
    except TypeError:
        return ("your function should take five arguments, (x, dout, p_drop, u, training): "
                "training=False means inference, where dropout does nothing. Add the training "
                "argument, e.g. def dropout_layer(x, dout, p_drop, u, training=True)")
    except ValueError:                      # no signature to read (a builtin): just call it
        pass
    return None


def _grade(fn):
    problem = _takes_five(fn)
    if problem:
        return problem
    for shape, p_drop, training, seed in _CASES:
        x, dout, u = _case(shape, seed)
        # the expected values from the checker's own arrays, before the learner's code runs
        expected_out, expected_dx = reference_dropout(x, dout, p_drop, u, training)
        keep = 1.0 - p_drop
        kept = u < keep
        args = [fresh(x), fresh(dout), p_drop, fresh(u), training]
        result = fn(*args)
        where = f"(p_drop = {p_drop:g}, training={training}, x of shape {shape})"
        pair, problem = unpack_returned(result, "your function", ("out", "dx"))
        if problem:
            return problem
        out, dx = pair
        if not training and dx is None and out is not None:
            return (f"your dx at inference is None; at inference dx is dout itself: the layer "
                    f"passes the gradient through unchanged (return x, dout) {where}")
        if (close(out, expected_dx) and close(dx, expected_out)
                and not close(out, expected_out)):
            return (f"your out and dx are swapped: return out (from x) first, then dx (from "
                    f"dout): return x * mask, dout * mask {where}")
        for name, got in (("out", out), ("dx", dx)):
            problem = shape_problem(f"your {name} {where}", got, shape)
            if problem:
                return problem
        if not training:
            if close(out, np.maximum(x, 0.0)) and (x < 0).any():
                return f"at inference (training=False) {_RELU} {where}"
            if close(out, x * keep) and p_drop > 0:
                return (f"at inference (training=False) you multiply x by 1 - p_drop: that "
                        f"step belongs to the notes' non-inverted dropout, which does not scale "
                        f"in training. With inverted dropout the scaling was done in training: "
                        f"return x and dout unchanged {where}")
            if not (close(out, x) and close(dx, dout)):
                return (f"at inference (training=False) dropout must do nothing: return x and "
                        f"dout unchanged. With inverted dropout the scaling was already done "
                        f"in training {where}")
        elif not close(out, expected_out):
            return _forward_problem(fn, out, x, dout, u, p_drop, where)
        elif not close(dx, expected_dx):
            if close(dx, dout) and p_drop > 0:
                return (f"dx equals dout: the backward pass must apply the same mask as the "
                        f"forward pass, so dropped units pass no gradient {where}")
            if close(dx, dout * kept):
                return (f"dx is masked but not scaled: out = x * mask / (1 - p_drop), so dx = "
                        f"dout * mask / (1 - p_drop) {where}")
            if close(dx, x * kept / keep):
                return (f"dx is x times the mask: the gradient passes dout back, dx = dout * "
                        f"mask / (1 - p_drop) {where}")
            # the forward pass is linear in x for a fixed u: its numerical gradient is exact
            xs = x.copy()

            def f():
                return float(np.sum(reference_dropout(xs, dout, p_drop, u)[0] * dout))

            problem = gradient_problem(f"your dx {where}", dx, numerical_gradient(f, xs))
            return problem or compare(f"your dx {where}", dx, expected_dx)
        problem = changed_input([("x", x), ("dout", dout)], args[:2])
        if problem:
            return problem
    return None


dropout_layer = Exercise(
    "dropout_layer", "Exercise 12a (inverted dropout, forward and backward)", _grade,
    hints=["In training, build a mask from u: a unit is kept where u < 1 - p_drop. The output "
           "is x times the mask, with the kept values scaled up so that their expected value "
           "does not change. Backward, the gradient takes the same path back.",
           "mask = (u < 1 - p_drop) / (1 - p_drop): 0 for a dropped unit, 1 / (1 - p_drop) for "
           "a kept one. out = x * mask. Since out is x times a constant, dx = dout * mask. "
           "With training=False, return x and dout as they are.",
           "if not training: return x, dout; keep = 1 - p_drop; mask = (u < keep) / keep; "
           "return x * mask, dout * mask"],
    reference=reference_dropout, answer_name="dropout_layer")


# ---------------------------------------------------------------- Exercise 12b: weight decay

def reference_decay_step(params, grads, weight_names, lr, lam):
    """One step of plain gradient descent on loss + lam / 2 * sum of squared weights.
    params, grads: dicts name -> array (grads: the plain loss's gradients); weight_names: the
    weight matrices (decayed); the other parameters (biases) take a plain step.
    Returns a new dict of parameters."""
    new = {}
    for name in params:
        grad = grads[name]
        if name in weight_names:
            grad = grad + lam * params[name]        # the penalty's gradient: lam * W
        new[name] = params[name] - lr * grad
    return new


# (shapes of fc1 and fc2's weights, lr, lam, seed): lr * lam large in the first case, so that
# decaying after the step (a difference of lr^2 lam dL/dW) stands out; lam = 0 is a plain step
_DECAY_CASES = [((3, 4, 2), 0.4, 0.25, 0), ((5, 3, 4), 0.1, 0.03, 1), ((4, 6, 3), 1.0, 0.0, 2),
                ((2, 5, 3), 0.05, 1.0, 3)]
_DECAY_NAMES = ("fc1_weight", "fc1_bias", "fc2_weight", "fc2_bias")


def _decay_case(shape, seed):
    """(params, grads, weight_names) of a two-layer network with the given sizes."""
    n_in, n_hidden, n_out = shape
    rng = np.random.default_rng(seed)
    shapes = {"fc1_weight": (n_in, n_hidden), "fc1_bias": (n_hidden,),
              "fc2_weight": (n_hidden, n_out), "fc2_bias": (n_out,)}
    params = {name: rng.standard_normal(shapes[name]) for name in _DECAY_NAMES}
    grads = {name: rng.standard_normal(shapes[name]) for name in _DECAY_NAMES}
    return params, grads, ["fc1_weight", "fc2_weight"]


def _weight_slips(W, g, lr, lam):
    """(what a usual slip makes of one weight matrix, what is wrong)."""
    return [
        (W - lr * (g + 2 * lam * W),
         "the weights decay by 2 * lam * W: the penalty is lam / 2 * sum W^2, whose derivative "
         "is lam * W (the 1/2 is there to cancel the 2 of the square)"),
        (W - lr * (g + 0.5 * lam * W),
         "the weights decay by lam / 2 * W: the 1/2 of the penalty lam / 2 * sum W^2 is "
         "already cancelled by the 2 of the square, so its derivative is lam * W (you halved "
         "twice)"),
        (W - lr * (g + lam * W ** 2),
         "the weights' gradient has lam * W^2, the penalty itself: the gradient of the penalty "
         "lam / 2 * sum W^2 is its derivative, lam * W"),
        (W - lr * (g + 0.5 * lam * W ** 2),
         "the weights' gradient has lam / 2 * W^2, the penalty itself: the gradient of the "
         "penalty is its derivative, lam * W"),
        (W - lr * (g - lam * W),
         "the decay term has the wrong sign: W - lr * (dL/dW - lam * W) makes the weights grow; "
         "the penalty's gradient is + lam * W, so W - lr * (dL/dW + lam * W)"),
        ((1 - lr * lam) * (W - lr * g),
         "you shrink the weights after the gradient step, (1 - lr * lam) * (W - lr * dL/dW): "
         "the decay belongs in the same step, W - lr * (dL/dW + lam * W), which shrinks the old "
         "W, not the updated one"),
        (W - lr * g - lam * W,
         "the decay term lam * W is not multiplied by the learning rate: W - lr * (dL/dW + "
         "lam * W)"),
        (W - lr * g,
         "the weights take a plain gradient step, without weight decay: add lam * W to their "
         "gradient"),
        (W - lr * lam * W,
         "the weights only decay: the loss's own gradient dL/dW is missing from the step"),
        (W - lr * lam * W - g,
         "the loss's gradient dL/dW is not multiplied by the learning rate"),
        (W + lr * (g + lam * W),
         "the step goes uphill: subtract lr * (dL/dW + lam * W) from W, do not add it"),
    ]


_BIASES_DECAYED = ("you decayed the biases too: only the weight matrices (the names in "
                   "weight_names) are penalised; a bias takes the plain step b - lr * dL/db")


def _bias_slips(b, g, lr, lam):
    """(what a usual slip makes of one bias vector, what is wrong): decayed as the weights are,
    by any of the weights' decay terms, or not stepped."""
    decayed = [b - lr * (g + factor * lam * b) for factor in (1.0, 2.0, 0.5, -1.0)]
    decayed += [(1 - lr * lam) * (b - lr * g), b - lr * g - lam * b, b - lr * lam * b]
    return [(value, _BIASES_DECAYED) for value in decayed] + [
        (b, "the biases are not updated: they take the plain gradient step b - lr * dL/db (no "
            "decay, but a step all the same)"),
        (b + lr * g, "the biases' step goes uphill: b - lr * dL/db"),
    ]


def _same_params(before, after):
    """True if a dict of arrays still holds the values it held before."""
    return all(np.array_equal(before[name], after[name]) for name in before)


def _grade_decay(fn):
    for shape, lr, lam, seed in _DECAY_CASES:
        params, grads, weight_names = _decay_case(shape, seed)
        expected = reference_decay_step(params, grads, weight_names, lr, lam)
        args = [fresh(params), fresh(grads), list(weight_names), lr, lam]
        got = fn(*args)
        where = f"(lr = {lr:g}, lam = {lam:g}, layers of {shape[0]}, {shape[1]}, {shape[2]})"
        if got is None:
            if not _same_params(params, args[0]):
                return ("your function changed params in place and returned None: return a new "
                        "dict of parameters (`return new`), and leave params as it was")
            return "your function returned None: did you forget to `return new` (a dict)?"
        if not isinstance(got, dict):
            return (f"your function should return a dict name -> array, like params; got "
                    f"{'a ' + type(got).__name__}")
        missing = [name for name in params if name not in got]
        if missing:
            return (f"the dict you return has no {', '.join(missing)}: return every parameter, "
                    f"the biases too")
        problems = []
        weights = [n for n in _DECAY_NAMES if n in weight_names]
        biases = [n for n in _DECAY_NAMES if n not in weight_names]
        for group, slips in ((weights, _weight_slips), (biases, _bias_slips)):
            if all(close(got[n], expected[n]) for n in group):
                continue
            messages = [[m for v, m in slips(params[n], grads[n], lr, lam) if close(got[n], v)]
                        for n in group]
            common = [m for m in messages[0] if all(m in ms for ms in messages[1:])]
            if common:
                problems.append(common[0])
            else:
                name = next(n for n in group if not close(got[n], expected[n]))
                problems.append(compare(f"your {name}", got[name], expected[name]))
        if problems:
            return "; and ".join(problems) + f" {where}"
        problem = changed_input([(f"params['{n}']", params[n]) for n in _DECAY_NAMES],
                                [args[0][n] for n in _DECAY_NAMES])
        if problem:
            return problem.replace("the array passed in", "an array of the dict passed in")
        if not _same_params(grads, args[1]):
            return "the result is right, but your function changed grads, the dict passed in"
    return None


weight_decay_step = Exercise(
    "weight_decay_step", "Exercise 12b (one gradient step with weight decay)", _grade_decay,
    hints=["The loss being minimised is L + lam / 2 * sum W^2 over the weight matrices. Its "
           "gradient with respect to a weight matrix W is the loss's gradient plus the "
           "penalty's; a bias is not in the penalty. Then one plain step: parameter minus lr "
           "times its gradient.",
           "The penalty's gradient is lam * W (the 1/2 cancels the 2 of the square). For a "
           "name in weight_names: W - lr * (grads[name] + lam * W); for the others (biases): "
           "b - lr * grads[name]. Build a new dict; do not change params.",
           "new = {}; for name in params: g = grads[name]; if name in weight_names: g = g + lam "
           "* params[name]; new[name] = params[name] - lr * g; return new"],
    reference=reference_decay_step, answer_name="decay_step")
