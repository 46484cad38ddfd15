"""Lesson 09's exercises: the backward pass of one residual block, where the skip path's
gradient appears, and of section 7's block with a learned scalar on its branch.

- ``residual_block_backward``: ``fn(g, r_prev, W, l)`` returns ``(g_prev, dW, db)`` for the block
  l = r_prev @ W + b, h = ReLU(l), r = h + r_prev, from g = d loss / d r. The input's gradient is
  g itself (the skip, an identity) plus the branch's delta @ W.T.
- ``scaled_block_backward``: ``fn(g, r_prev, W, l, alpha)`` returns ``(g_prev, dW, db, dalpha)``
  for r = r_prev + alpha * h (ReZero / SkipInit): the branch's gradients carry the factor alpha,
  the skip's does not, and d loss / d alpha = sum of g * h over the batch and the units.

The grader calls the learner's function on small batches (N differs from the width D, so a
product in the wrong order shows as a shape; W is square, as every residual block's, and not
symmetric, so a missing transpose shows as a value), one of them with a unit whose ReLU is off
for the whole batch. A wrong g_prev is split into its skip part and its branch part, so that
each slip (and two at once) is named.
"""
import numpy as np

from ._kit import (Exercise, changed_input, close, compare, describe_exception, learner_frames,
                   named_slip, shape_problem, unpack_returned)

__all__ = ["residual_block_backward", "scaled_block_backward"]


def reference_residual_block_backward(g, r_prev, W, l):
    """Backward through l = r_prev @ W + b, h = ReLU(l), r = h + r_prev.

    g = d loss / d r (N, D) -> (g_prev (N, D), dW (D, D), db (D,))."""
    delta = g * (l > 0)             # (N, D) through the ReLU: delta_i = g_i * 1[l_i > 0]
    dW = r_prev.T @ delta           # (D, D)
    db = delta.sum(axis=0)          # (D,): b is added to every row
    g_prev = g + delta @ W.T        # (N, D): through the skip + through the layer
    return g_prev, dW, db


# (N, D, seed, a unit off for the whole batch): N differs from D, so that a product in the
# wrong order is a shape error, not a silent wrong value
_CASES = [(7, 3, 0, False), (5, 4, 1, True), (20, 3, 2, False)]


def _case(n, d, seed, dead_unit):
    """g, r_prev, W, l = r_prev @ W + b: r_prev >= 0 like a sum of ReLU outputs (some zeros), W
    not symmetric, no l within 0.05 of the kink, both signs in l; with dead_unit, one column of
    l negative for every example (its ReLU passes nothing, the skip still does)."""
    rng = np.random.default_rng(seed)
    g = 0.1 * rng.standard_normal((n, d))
    W = rng.standard_normal((d, d))
    b = 0.5 * rng.standard_normal(d)
    if dead_unit:
        b[1] = -50.0
    while True:
        r_prev = np.abs(rng.standard_normal((n, d))) * (rng.random((n, d)) > 0.2)
        l = r_prev @ W + b
        live = l[:, 0]
        if np.abs(l).min() >= 0.05 and (live > 0).any() and (live < 0).any() and \
                (l > 0).any() and (l < 0).sum() >= n:
            return g, r_prev, W, l


# ---------------------------------------------------------------- the slips

_RELU_OUTPUT = ("you multiplied g by ReLU's output h = max(0, l), not by its derivative: "
                "the derivative is 1 where l > 0 and 0 elsewhere, so delta = g * (l > 0)")
_SKIP = {
    "missing": "the skip path's gradient is missing: r_(i-1) also reaches r_i directly "
               "(r_i = h_i + r_(i-1)), and that identity passes g down unchanged, so add g "
               "itself: g_prev = g + delta @ W.T. That added g is what keeps the gradient alive "
               "in a deep net",
    "masked": "the skip path's gradient went through the ReLU mask: the skip adds r_(i-1) to r_i "
              "directly, not through the ReLU, so it passes g unchanged (g_prev = g + "
              "delta @ W.T, with g, not g * (l > 0))",
    "twice": "the skip path's gradient is counted twice (2 g): the skip adds r_(i-1) to r_i "
             "once, so it passes g down once, g_prev = g + delta @ W.T; the branch's part is "
             "delta @ W.T, without another g",
    "r_prev": "the skip path's part is r_prev, the block's input in the forward pass: "
              "backward, the skip passes down the gradient g, not a value of the forward pass, "
              "so g_prev = g + delta @ W.T",
}
_BRANCH = {
    "missing": "the branch's gradient is missing: r_(i-1) also reaches the loss through the "
               "layer, l_i = r_(i-1) W + b, which adds delta @ W.T (with delta = g * (l > 0))",
    "no mask": "the branch ignores ReLU's derivative: first set the gradient to 0 where l <= 0, "
               "delta = g * (l > 0), then carry it back through the weights",
    "inverted": "the ReLU mask is inverted: the gradient passes where l > 0, not where l < 0",
    "W": "the branch uses delta @ W; going back through l = r_prev @ W + b takes the transpose, "
         "delta @ W.T (a residual block's W is square, so the shapes cannot warn you)",
    "W, no mask": "the branch uses g @ W: it needs ReLU's mask, delta = g * (l > 0), and the "
                  "transpose of W, delta @ W.T",
    "mask r_prev": "the branch's ReLU mask is r_prev > 0: the mask comes from l, the block's "
                   "pre-activation, not from r_prev (the ReLU acts on l): delta = g * (l > 0)",
    "minus": "the branch's gradient has the wrong sign: the chain rule adds the gradients of "
             "the two routes, g_prev = g + delta @ W.T, not g - delta @ W.T",
    "relu output": _RELU_OUTPUT,
}
_ALL_MASKED = ("your g_prev is masked as a whole, (g + delta @ W.T) * (l > 0), but the skip "
               "path bypasses the ReLU: only the branch's gradient is masked, "
               "delta = g * (l > 0), and g passes the skip unchanged, g_prev = g + delta @ W.T")


def _parts(g, r_prev, W, l):
    """The skip's and the branch's possible contributions to g_prev: name -> value."""
    delta = g * (l > 0)
    skips = {"right": g, "missing": np.zeros_like(g), "masked": delta, "twice": 2 * g,
             "r_prev": r_prev}
    branches = {"right": delta @ W.T, "missing": np.zeros_like(g), "no mask": g @ W.T,
                "inverted": (g * (l < 0)) @ W.T, "W": delta @ W, "W, no mask": g @ W,
                "mask r_prev": (g * (r_prev > 0)) @ W.T, "minus": -(delta @ W.T),
                "relu output": (g * np.maximum(l, 0.0)) @ W.T}
    return skips, branches


def _g_prev_slip(got, g, r_prev, W, l):
    """A message naming the slip(s) in g_prev = skip + branch, or None."""
    skips, branches = _parts(g, r_prev, W, l)
    if close(got, (g + branches["right"]) * (l > 0)):
        return _ALL_MASKED
    for skip_name, skip in skips.items():
        for branch_name, branch in branches.items():
            if (skip_name, branch_name) == ("right", "right") or not close(got, skip + branch):
                continue
            if skip_name == "missing" and branch_name == "missing":
                return ("your g_prev is all zeros: it needs the skip's g plus the branch's "
                        "delta @ W.T, g_prev = g + delta @ W.T")
            slips = [m for m in (_SKIP.get(skip_name), _BRANCH.get(branch_name)) if m]
            if len(slips) == 1:
                return f"in your g_prev, {slips[0]}"
            return f"your g_prev has two slips. First, {slips[0]}. Second, {slips[1]}"
    return None


def _weight_slips(name, n, g, r_prev, W, l):
    """[(value, message)] for dW or db."""
    over_n = (f"your {name} is {n} times too small (N = {n}): you divided by N. g already is "
              f"the gradient of the mean loss, so the 1/N is in it; do not divide again")
    times_n = (f"your {name} is {n} times too large (N = {n}): g already carries the 1/N of the "
               f"mean loss; do not multiply by N")
    delta = g * (l > 0)
    if name == "dW":
        value = r_prev.T @ delta
        h = np.maximum(l, 0.0)
        return [(r_prev.T @ g, "your dW ignores ReLU's derivative: use delta = g * (l > 0), "
                               "dW = r_prev.T @ delta"),
                (h.T @ delta, "your dW is h.T @ delta: dW uses the layer's input r_prev, not "
                              "its output h (W multiplies r_prev in l = r_prev @ W + b), so "
                              "dW = r_prev.T @ delta"),
                (h.T @ g, "your dW is h.T @ g: dW uses the layer's input r_prev, not its "
                          "output h, and delta = g * (l > 0): dW = r_prev.T @ delta"),
                (r_prev.T @ (g * (r_prev > 0)), "your dW's ReLU mask is r_prev > 0: the mask "
                                                "comes from l, the block's pre-activation, not "
                                                "from r_prev: delta = g * (l > 0)"),
                (r_prev.T @ (g * (l < 0)), "your dW uses an inverted ReLU mask: delta = g * "
                                           "(l > 0), the gradient passes where l > 0"),
                (value.T, "your dW is transposed: dW[j, k] belongs to W[j, k], which links input "
                          "j to unit k, so dW = r_prev.T @ delta"),
                (r_prev.T @ (g * h), f"in your dW, {_RELU_OUTPUT}"),
                (value / n, over_n), (value * n, times_n)]
    value = delta.sum(axis=0)
    return [(g.sum(axis=0), "your db ignores ReLU's derivative: db is delta = g * (l > 0) "
                            "summed over the batch"),
            ((g * (l < 0)).sum(axis=0), "your db uses an inverted ReLU mask: delta = g * (l > 0)"),
            ((g * np.maximum(l, 0.0)).sum(axis=0), f"in your db, {_RELU_OUTPUT}"),
            ((g * (r_prev > 0)).sum(axis=0), "your db's ReLU mask is r_prev > 0: the mask comes "
                                             "from l, the block's pre-activation, not from "
                                             "r_prev: delta = g * (l > 0)"),
            (value / n, over_n.replace("you divided by N", "you averaged over the batch "
                                                           "(np.mean); sum instead")),
            (value * n, times_n)]


def _call(fn, args, n, d):
    """(what fn(*args) returned, None), or (None, a message) when it raised NumPy's error for a
    matrix product whose shapes do not fit."""
    try:
        return fn(*args), None
    except ValueError as exc:
        if learner_frames(exc) and ("matmul" in str(exc) or "shapes" in str(exc)):
            return None, (f"your function raised {describe_exception(exc)}: a matrix product "
                          f"whose shapes do not fit. Here g, r_prev and l are (N, D) = ({n}, "
                          f"{d}) and W is ({d}, {d}): dW = r_prev.T @ delta is (D, D), the "
                          f"branch's gradient delta @ W.T is (N, D)")
        raise


def _order_by_shape(shapes, name_of_shape):
    """'dW, db, g_prev' when the returned shapes are the wanted ones in another order, else None
    (needs every wanted shape to differ, as (N, D), (D, D), (D,) do when N != D)."""
    if len(name_of_shape) != len(shapes) or sorted(map(str, shapes)) != sorted(
            map(str, name_of_shape)):
        return None
    order = [name_of_shape[s] for s in shapes]
    return None if order == list(name_of_shape.values()) else ", ".join(order)


def _shape_slip(triple, n, d, where):
    """A message when a returned array has the wrong shape, naming the likely reason."""
    names = ("g_prev", "dW", "db")
    wanted = ((n, d), (d, d), (d,))
    shapes = [np.shape(x) if x is not None else None for x in triple]
    if shapes[0] == (d, d) and shapes[1] == (n, d):
        return "return the three gradients in the order g_prev, dW, db"
    if shapes[1] == (d,) and shapes[2] == (d, d):
        return ("your dW has the shape of db and your db the shape of dW: return the three "
                "gradients in the order g_prev, dW, db")
    order = _order_by_shape(shapes, dict(zip(wanted, names)))
    if order:
        return (f"your function returned the gradients in the order {order}, judging by their "
                f"shapes: return them in the order {', '.join(names)}")
    for name, got, shape in zip(names, triple, wanted):
        problem = shape_problem(f"your {name} {where}", got, shape)
        if problem is None or got is None:
            if problem:
                return problem
            continue
        have = np.shape(got)
        if name == "db" and have == (n, d):
            return (f"your db has shape {have}, one row per example: b is added to every row, "
                    f"so sum delta over the batch (axis=0), giving ({d},)")
        if name == "db" and have == (1, d):
            return f"your db has shape {have}; it should be ({d},) like b: sum without keepdims"
        if name == "db" and have == (n,):
            return (f"your db has shape {have}: you summed over the units (axis=1); sum over "
                    f"the batch (axis=0), giving ({d},)")
        if name == "db" and have == ():
            return (f"your db is a single number: sum over the batch axis only (axis=0), "
                    f"giving ({d},)")
        if name == "dW" and have == (n, n):
            return (f"your dW has shape {have}: the product is in the wrong order; dW has W's "
                    f"shape ({d}, {d}): dW = r_prev.T @ delta")
        if name == "g_prev" and have in ((d,), (1, d)):
            return (f"your g_prev has shape {have}: r_prev has one gradient per example and "
                    f"unit, shape ({n}, {d}); do not sum over the batch")
        return f"{problem}; it should have the shape of {('r_prev', 'W', 'b')[names.index(name)]}"
    return None


def _grade(fn):
    for n, d, seed, dead_unit in _CASES:
        g, r_prev, W, l = _case(n, d, seed, dead_unit)
        expected = reference_residual_block_backward(g, r_prev, W, l)   # before the call
        where = f"(N = {n} examples, width D = {d}" + \
            (", unit 1 off for the whole batch)" if dead_unit else ")")
        args = [g.copy(), r_prev.copy(), W.copy(), l.copy()]
        result, problem = _call(fn, args, n, d)
        if problem:
            return problem
        triple, problem = unpack_returned(result, "residual_block_backward",
                                          ("g_prev", "dW", "db"))
        if problem:
            return problem
        problem = _shape_slip(triple, n, d, where)
        if problem:
            return problem
        got = [np.asarray(x, dtype=np.float64) for x in triple]
        # g_prev first: it is what this exercise is about
        if not close(got[0], expected[0]):
            message = _g_prev_slip(got[0], g, r_prev, W, l)
            if message is None:
                for factor, words in ((1 / n, f"{n} times too small (N = {n}): you divided by "
                                       f"N; g already carries the 1/N of the mean loss"),
                                      (float(n), f"{n} times too large (N = {n})")):
                    if close(got[0], factor * expected[0]):
                        message = f"your g_prev is {words}"
            return message or compare(f"your g_prev {where}", got[0], expected[0])
        for k, name in ((1, "dW"), (2, "db")):
            if close(got[k], expected[k]):
                continue
            slips = [(v if not close(v, expected[k]) else None, m)
                     for v, m in _weight_slips(name, n, g, r_prev, W, l)]
            message = named_slip(got[k], slips)
            return message or compare(f"your {name} {where}", got[k], expected[k])
        problem = changed_input([("g", g), ("r_prev", r_prev), ("W", W), ("l", l)], args)
        if problem:
            if not np.array_equal(args[0], g):
                return (problem + ". In a network the same g also flows down the skip path, "
                        "so a backward pass must leave it alone: g_prev = g + delta @ W.T, "
                        "not g += ...")
            return problem
    return None


residual_block_backward = Exercise(
    "residual_block_backward", "Exercise 9a (backward through a residual block)", _grade,
    hints=["Two routes lead from r_(i-1) to the loss: through the layer (l = r_(i-1) W + b, then "
           "the ReLU, then the sum) and straight through the skip (the sum r_i = h_i + r_(i-1)). "
           "Work out the layer's route as in lesson 03, then add the skip's: the chain rule "
           "adds the gradients of the two routes.",
           "Through the ReLU: delta = g * (l > 0). The weights: dW = r_prev.T @ delta, and db "
           "is delta summed over the batch. The skip is an identity, so its gradient is g "
           "itself: g_prev = (the layer's route, delta @ W.T) + g. No division by N: g already "
           "carries the 1/N of the mean loss.",
           "delta = g * (l > 0); dW = r_prev.T @ delta; db = delta.sum(axis=0); "
           "g_prev = g + delta @ W.T; return g_prev, dW, db"],
    reference=reference_residual_block_backward)


# ---------------------------------------------------------------- 9b: a scalar on the branch

def reference_scaled_block_backward(g, r_prev, W, l, alpha):
    """Backward through l = r_prev @ W + b, h = ReLU(l), r = r_prev + alpha * h.

    g = d loss / d r (N, D) -> (g_prev (N, D), dW (D, D), db (D,), dalpha (a number))."""
    h = np.maximum(l, 0.0)
    dalpha = np.sum(g * h)              # alpha multiplies every h[n, k]: one sum over all of them
    delta = alpha * g * (l > 0)         # (N, D) back through the scalar, then the ReLU
    dW = r_prev.T @ delta               # (D, D)
    db = delta.sum(axis=0)              # (D,)
    g_prev = g + delta @ W.T            # (N, D): the skip passes g unscaled
    return g_prev, dW, db, dalpha


# (N, D, seed, alpha, a unit off for the whole batch): alpha = 0, the recipe's start, comes last,
# so that a slip that only shows with alpha != 0 is named by an earlier case
_SCALED_CASES = [(7, 3, 0, 0.3, False), (5, 4, 1, -0.5, True), (20, 3, 2, 0.0, False)]

_NO_ALPHA = ("leaves out alpha: the branch reaches r only through alpha * h, so every gradient "
             "of the branch carries the factor alpha: delta = alpha * g * (l > 0)")
_ALPHA_TWICE = ("has alpha twice (alpha ** 2): alpha enters once, in delta = alpha * g * "
                "(l > 0); do not multiply by it again")


def _scaled_g_prev_slip(got, g, r_prev, W, l, alpha):
    mask = l > 0
    branch = (g * mask) @ W.T               # the branch's gradient for alpha = 1
    delta = alpha * g * mask
    with_alpha = "delta = alpha * g * (l > 0)"
    return named_slip(got, [
        (g + branch if alpha != 1 else None, f"your g_prev {_NO_ALPHA}, then g_prev = g + "
                                             "delta @ W.T"),
        # 9a's two masking slips, with alpha in delta
        ((g + delta @ W.T) * mask, _ALL_MASKED.replace("delta = g * (l > 0)", with_alpha)),
        (g * mask + delta @ W.T, "in your g_prev, " + _SKIP["masked"]),
        (alpha * g + alpha * branch, "your g_prev scales the skip by alpha too: the skip adds "
                                     "r_(i-1) itself, unscaled, so it passes g down unchanged: "
                                     "g_prev = g + delta @ W.T, with only delta carrying alpha"),
        (alpha * g + branch, "your g_prev has alpha on the skip and not on the branch: the "
                             "other way round, g_prev = g + delta @ W.T with "
                             "delta = alpha * g * (l > 0)"),
        (g + alpha ** 2 * branch, f"your g_prev {_ALPHA_TWICE}"),
        (delta @ W.T, "in your g_prev, " + _SKIP["missing"].replace(
            "(r_i = h_i + r_(i-1))", "(r_i = r_(i-1) + alpha h_i)")),
        (g + alpha * g @ W.T, "in your g_prev, " + _BRANCH["no mask"].replace(
            "delta = g * (l > 0)", "delta = alpha * g * (l > 0)")),
        (g + delta @ W, "in your g_prev, " + _BRANCH["W"]),
        (g + (alpha * g * np.maximum(l, 0.0)) @ W.T, "in your g_prev, " + _RELU_OUTPUT.replace(
            "delta = g * (l > 0)", "delta = alpha * g * (l > 0)")),
        (g - delta @ W.T, "in your g_prev, " + _BRANCH["minus"]),
    ])


def _dalpha_slip(got, g, r_prev, l, alpha, n, d):
    """A message for a wrong dalpha, or None."""
    h = np.maximum(l, 0.0)
    shape = np.shape(got)
    sums = {(d,): "you summed over the batch only", (n,): "you summed over the units only",
            (n, d): "you did not sum it"}
    if shape == (d, d):
        return (f"your dalpha has shape {shape}, like g.T @ h: that pairs every unit of g with "
                f"every unit of h, but alpha multiplies each h[n, k] by itself, so its gradient "
                f"pairs g[n, k] with h[n, k] only: dalpha = np.sum(g * h), one number")
    if shape in sums:
        return (f"your dalpha has shape {shape}: {sums[shape]}. alpha is one number "
                f"that multiplies h for every example and every unit, so its gradient sums "
                f"g * h over both: dalpha = np.sum(g * h)")
    right = np.sum(g * h)
    return named_slip(got, [
        (np.sum(g * l), "your dalpha uses l, the pre-activation: alpha multiplies the ReLU's "
                        "output, r = r_prev + alpha * h, so dalpha = np.sum(g * h) with "
                        "h = max(0, l)"),
        (np.sum(g * (l > 0)), "your dalpha uses ReLU's derivative (l > 0) in place of its "
                              "output h: alpha multiplies h = max(0, l), so dalpha = "
                              "np.sum(g * h)"),
        (np.sum(g * r_prev), "your dalpha uses r_prev: alpha multiplies the branch's output h, "
                             "not the block's input, so dalpha = np.sum(g * h)"),
        (np.sum(g), "your dalpha is the sum of g alone: d(alpha * h)/d alpha = h, so each g "
                    "is weighted by its h: dalpha = np.sum(g * h)"),
        (alpha * right if alpha not in (0, 1) else None,
         "your dalpha is multiplied by alpha: d(alpha * h)/d alpha = h, without alpha, so "
         "dalpha = np.sum(g * h) (alpha belongs in the branch's gradients, not in its own)"),
        (right / n, f"your dalpha is {n} times too small (N = {n}): you divided by N (or "
                    f"averaged over the batch); g already carries the 1/N of the mean loss"),
        (right / (n * d), "your dalpha is an average (np.mean): it is a sum over the batch and "
                          "the units, dalpha = np.sum(g * h)"),
        (-right, "your dalpha has the wrong sign: dalpha = np.sum(g * h)"),
    ])


def _scaled_weight_slips(name, n, g, r_prev, W, l, alpha):
    """[(value, message)] for dW or db of the scaled block: alpha left out or doubled first, then
    9a's slips with alpha * g in place of g."""
    mask = l > 0
    unscaled = r_prev.T @ (g * mask) if name == "dW" else (g * mask).sum(axis=0)
    scaled = [(v, m.replace("delta = g * (l > 0)", "delta = alpha * g * (l > 0)"))
              for v, m in _weight_slips(name, n, alpha * g, r_prev, W, l)]
    return ([(unscaled if alpha not in (0, 1) else None, f"your {name} {_NO_ALPHA}"),
             (alpha ** 2 * unscaled if alpha not in (0, 1) else None,
              f"your {name} {_ALPHA_TWICE}")]
            + scaled)


def _grade_scaled(fn):
    names = ("g_prev", "dW", "db", "dalpha")
    for n, d, seed, alpha, dead_unit in _SCALED_CASES:
        g, r_prev, W, l = _case(n, d, seed, dead_unit)
        expected = reference_scaled_block_backward(g, r_prev, W, l, alpha)   # before the call
        where = (f"(alpha = {alpha:g}{', every branch off: the recipe start' if alpha == 0 else ''}"
                 f", N = {n} examples, width D = {d}"
                 + (", unit 1 off for the whole batch)" if dead_unit else ")"))
        args = [g.copy(), r_prev.copy(), W.copy(), l.copy()]
        result, problem = _call(fn, args + [alpha], n, d)
        if problem:
            return problem
        values, problem = unpack_returned(result, "scaled_block_backward", names)
        if problem:
            return problem
        if values[3] is not None and np.size(values[3]) == 1 and np.ndim(values[3]) > 0:
            values = values[:3] + (np.ravel(values[3])[0],)      # [x] or [[x]]: one number
        shapes = [np.shape(x) if x is not None else None for x in values]
        order = _order_by_shape(shapes, {(n, d): "g_prev", (d, d): "dW", (d,): "db",
                                         (): "dalpha"})
        if order:
            return (f"your function returned the gradients in the order {order}, judging by "
                    f"their shapes: return them in the order {', '.join(names)}")
        problem = _shape_slip(values[:3], n, d, where)
        if problem:
            return problem
        got = [np.asarray(x, dtype=np.float64) for x in values[:3]] + [values[3]]
        if not close(got[0], expected[0]):
            return (_scaled_g_prev_slip(got[0], g, r_prev, W, l, alpha)
                    or compare(f"your g_prev {where}", got[0], expected[0]))
        if got[3] is None or not close(got[3], expected[3]):
            if got[3] is None:
                return "your dalpha is None: did you forget to compute it?"
            return (_dalpha_slip(got[3], g, r_prev, l, alpha, n, d)
                    or compare(f"your dalpha {where}", got[3], expected[3]))
        for k, name in ((1, "dW"), (2, "db")):
            if close(got[k], expected[k]):
                continue
            slips = [(v if v is not None and not close(v, expected[k]) else None, m)
                     for v, m in _scaled_weight_slips(name, n, g, r_prev, W, l, alpha)]
            message = named_slip(got[k], slips)
            return message or compare(f"your {name} {where}", got[k], expected[k])
        problem = changed_input([("g", g), ("r_prev", r_prev), ("W", W), ("l", l)], args)
        if problem:
            return problem
    return None


scaled_block_backward = Exercise(
    "scaled_block_backward", "Exercise 9b (backward through a branch with a learned scalar)",
    _grade_scaled,
    hints=["Start from exercise 9a. The skip still adds r_(i-1) itself, so it still passes g "
           "down unchanged. The branch now reaches r through alpha * h: going back, the "
           "gradient reaching h is alpha * g. For alpha itself: it multiplies every h[n, k], "
           "for every example n and unit k, so each of those products sends its own share back "
           "to alpha, and the shares add up.",
           "delta = alpha * g * (l > 0); then dW, db and g_prev = g + delta @ W.T exactly as in "
           "9a. d(alpha * h[n, k]) / d alpha = h[n, k], so dalpha is g[n, k] * h[n, k] summed "
           "over every n and k, with h = max(0, l). No division by N: g already carries the 1/N.",
           "h = np.maximum(l, 0); dalpha = np.sum(g * h); delta = alpha * g * (l > 0); "
           "dW = r_prev.T @ delta; db = delta.sum(axis=0); g_prev = g + delta @ W.T; "
           "return g_prev, dW, db, dalpha"],
    reference=reference_scaled_block_backward)
