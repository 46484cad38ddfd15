"""Lesson 09's exercise: the backward pass of one residual block, where the skip path's
gradient appears.

- ``residual_block_backward``: ``fn(g, r_prev, W, l)`` returns ``(g_prev, dW, db)`` for the block
  l = r_prev @ W + b, h = ReLU(l), r = h + r_prev, from g = d loss / d r. The input's gradient is
  g itself (the skip, an identity) plus the branch's delta @ W.T.

The grader calls the learner's function on small batches (N differs from the width D, so a
product in the wrong order shows as a shape; W is square, as every residual block's, and not
symmetric, so a missing transpose shows as a value), one of them with a unit whose ReLU is off
for the whole batch. A wrong g_prev is split into its skip part and its branch part, so that
each slip (and two at once) is named.
"""
import numpy as np

from ._kit import (Exercise, changed_input, close, compare, describe_exception, learner_frames,
                   named_slip, shape_problem, unpack_returned)

__all__ = ["residual_block_backward"]


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
                "mask r_prev": (g * (r_prev > 0)) @ W.T, "minus": -(delta @ W.T)}
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
                (value / n, over_n), (value * n, times_n)]
    value = delta.sum(axis=0)
    return [(g.sum(axis=0), "your db ignores ReLU's derivative: db is delta = g * (l > 0) "
                            "summed over the batch"),
            ((g * (l < 0)).sum(axis=0), "your db uses an inverted ReLU mask: delta = g * (l > 0)"),
            ((g * (r_prev > 0)).sum(axis=0), "your db's ReLU mask is r_prev > 0: the mask comes "
                                             "from l, the block's pre-activation, not from "
                                             "r_prev: delta = g * (l > 0)"),
            (value / n, over_n.replace("you divided by N", "you averaged over the batch "
                                                           "(np.mean); sum instead")),
            (value * n, times_n)]


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
        try:
            result = fn(*args)
        except ValueError as exc:
            if learner_frames(exc) and ("matmul" in str(exc) or "shapes" in str(exc)):
                return (f"your function raised {describe_exception(exc)}: a matrix product whose "
                        f"shapes do not fit. Here g, r_prev and l are (N, D) = ({n}, {d}) and W "
                        f"is ({d}, {d}): dW = r_prev.T @ delta is (D, D), the branch's gradient "
                        f"delta @ W.T is (N, D)")
            raise
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
