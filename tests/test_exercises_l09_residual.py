"""Lesson 09's exercises: the references pass and reproduce lessonlib's residual backward pass
(9a) and the recipe's scaled one (9b, ``recipe.ScaledResidualMLP``), the usual slips get their own
message, a stub is "not attempted yet", and nothing ever shows a traceback."""
import numpy as np

import lessonlib
from lessonlib import exercises

BLOCK = exercises.residual_block_backward
REF = BLOCK.reference
SCALED = exercises.scaled_block_backward
SREF = SCALED.reference


def test_reference_passes():
    assert BLOCK.grade(REF) is None


def _trace_and_top_gradient(model, X, y):
    """The forward trace of a three-hidden-layer net and d loss / d r_3, from the softmax down
    through the output layer fc4 (mean cross-entropy)."""
    trace = dict(model.forward_trace(X))
    dlogits = trace["softmax"].copy()
    dlogits[np.arange(len(y)), y] -= 1.0
    dlogits /= len(y)
    return trace, dlogits @ model.params["fc4_weight"].T


def test_reference_block_by_block_gives_lessonlib_gradients():
    X, y, _, _ = lessonlib.data.load_iris(seed=0)
    X, y = X[:20], y[:20]
    model = lessonlib.MLP(4, [3, 3, 3], 3, connection="residual", seed=1)
    _, expected = model.loss_and_grads(X, y)
    p = model.params
    trace, g = _trace_and_top_gradient(model, X, y)         # g_3 = d loss / d r_3
    for i in (3, 2):
        r_prev = trace["relu1"] if i == 2 else trace[f"r{i - 1}"]
        g, dW, db = REF(g, r_prev, p[f"fc{i}_weight"], trace[f"fc{i}"])
        np.testing.assert_allclose(dW, expected[f"fc{i}_weight"], rtol=1e-10, atol=1e-15)
        np.testing.assert_allclose(db, expected[f"fc{i}_bias"], rtol=1e-10, atol=1e-15)
    # g is now g_1 = d loss / d r_1 = d loss / d h_1: layer 1 (no skip) gives the last gradient
    delta1 = g * (trace["fc1"] > 0)
    np.testing.assert_allclose(X.T @ delta1, expected["fc1_weight"], rtol=1e-10, atol=1e-15)


def test_stub_is_not_attempted(capsys):
    def stub(g, r_prev, W, l):
        raise NotImplementedError("Exercise 9a: write the backward pass of one residual block")
    BLOCK.check(stub)
    out = capsys.readouterr().out
    assert "not attempted yet" in out and "Traceback" not in out


def test_crash_and_none_are_one_line(capsys):
    BLOCK.check(lambda g, r_prev, W, l: g[:, 9])
    out = capsys.readouterr().out
    assert "IndexError" in out and "Traceback" not in out
    assert "did you forget to `return g_prev, dW, db`" in BLOCK.grade(lambda *a: None)


def test_order_and_count_of_the_returned_values():
    def swapped(g, r_prev, W, l):
        g_prev, dW, db = REF(g, r_prev, W, l)
        return dW, g_prev, db
    assert "in the order g_prev, dW, db" in BLOCK.grade(swapped)
    assert "should return three values" in BLOCK.grade(lambda *a: REF(*a)[:2])


def test_the_dead_unit_case_is_reached_and_named():
    # a function right except on a unit that is off for the whole batch: the second case
    def breaks_on_dead_unit(g, r_prev, W, l):
        g_prev, dW, db = REF(g, r_prev, W, l)
        if len(g) == 5:                     # the second case, N = 5
            g_prev = g_prev.copy()
            g_prev[:, 1] *= 2.0
        return g_prev, dW, db
    message = BLOCK.grade(breaks_on_dead_unit)
    assert "unit 1 off for the whole batch" in message and "index (0, 1)" in message


def test_hints_and_solution_print(capsys):
    BLOCK.hint()
    BLOCK.hint(3)
    BLOCK.solution()
    out = capsys.readouterr().out
    assert "Hint 1 of 3" in out and "Hint 3 of 3" in out
    assert "def residual_block_backward(g, r_prev, W, l)" in out


# ---------------------------------------------------------------- fairness table

def _variant(mask="right", skip="g", transpose=True, branch=True, db_sum=True, over_n=False,
             dW_T=False):
    """The reference with one slip (or two) switched on."""
    def fn(g, r_prev, W, l):
        keep = {"right": l > 0, "none": np.ones(l.shape, bool), "inverted": l < 0}[mask]
        delta = g * keep
        dW = delta.T @ r_prev if dW_T else r_prev.T @ delta
        db = delta.sum(axis=0) if db_sum else delta
        through_skip = {"g": g, "none": np.zeros_like(g), "masked": g * (l > 0)}[skip]
        through_layer = delta @ (W.T if transpose else W) if branch else 0.0
        if over_n:
            dW, db = dW / len(g), db / len(g)
        return through_skip + through_layer, dW, db
    return fn


def _float32(g, r_prev, W, l):
    g, r_prev, W, l = (np.asarray(a, dtype=np.float32) for a in (g, r_prev, W, l))
    delta = g * (l > 0).astype(np.float32)
    return g + delta @ W.T, r_prev.T @ delta, delta.sum(axis=0)


def _loops(g, r_prev, W, l):
    n, d = len(g), len(W)
    delta = [[g[i][j] if l[i][j] > 0 else 0.0 for j in range(d)] for i in range(n)]
    g_prev = [[g[i][j] + sum(delta[i][k] * W[j][k] for k in range(d)) for j in range(d)]
              for i in range(n)]
    dW = [[sum(r_prev[i][j] * delta[i][k] for i in range(n)) for k in range(d)]
          for j in range(d)]
    db = [sum(delta[i][k] for i in range(n)) for k in range(d)]
    return g_prev, dW, db


def _in_place_on_own_arrays(g, r_prev, W, l):
    delta = g.copy()
    delta[l <= 0] = 0.0                     # its own copy: g stays as it was
    g_prev = delta @ W.T
    g_prev += g                             # the skip, added in place to its own array
    return g_prev, r_prev.T @ delta, delta.sum(axis=0)


def _other_algebra(g, r_prev, W, l):
    delta = np.where(l > 0, g, 0.0)
    return ((W @ delta.T).T + g, (delta.T @ r_prev).T, np.ones(len(g)) @ delta)


def _einsum(g, r_prev, W, l):
    delta = g * (l > 0)
    return (g + np.einsum("nk,jk->nj", delta, W), np.einsum("nj,nk->jk", r_prev, delta),
            np.einsum("nk->k", delta))


def _lessonlib_layers(g, r_prev, W, l):
    d = len(W)
    linear, relu = lessonlib.layers.Linear(d, d), lessonlib.layers.ReLU()
    linear.params["W"][:] = W
    linear.forward(r_prev)                  # keeps r_prev for its backward
    relu.forward(l)                         # keeps the mask l > 0
    through_layer = linear.backward(relu.backward(g))
    return g + through_layer, linear.grads["W"].copy(), linear.grads["b"].copy()


def _changes_g(g, r_prev, W, l):
    delta = g * (l > 0)
    g += delta @ W.T                        # the caller's g, changed
    return g, r_prev.T @ delta, delta.sum(axis=0)


def _mask_from_r_prev(g, r_prev, W, l):
    delta = g * (r_prev > 0)                # the block's input, not its pre-activation l
    return g + delta @ W.T, r_prev.T @ delta, delta.sum(axis=0)


def _dW_from_output(g, r_prev, W, l):
    h = np.maximum(l, 0.0)
    delta = g * (l > 0)
    return g + delta @ W.T, h.T @ delta, delta.sum(axis=0)


def _branch_subtracted(g, r_prev, W, l):
    delta = g * (l > 0)
    return g - delta @ W.T, r_prev.T @ delta, delta.sum(axis=0)


def _all_of_g_prev_masked(g, r_prev, W, l):
    delta = g * (l > 0)
    return (g + delta @ W.T) * (l > 0), r_prev.T @ delta, delta.sum(axis=0)


def _skip_twice(g, r_prev, W, l):
    delta = g * (l > 0)
    return 2 * g + delta @ W.T, r_prev.T @ delta, delta.sum(axis=0)


def _r_prev_for_g(g, r_prev, W, l):
    delta = g * (l > 0)
    return r_prev + delta @ W.T, r_prev.T @ delta, delta.sum(axis=0)


def _db_and_dW_swapped(g, r_prev, W, l):
    delta = g * (l > 0)
    return g + delta @ W.T, delta.sum(axis=0), r_prev.T @ delta


def _wrong_order_product(g, r_prev, W, l):
    delta = g * (l > 0)
    return g + delta @ W.T, r_prev @ delta, delta.sum(axis=0)      # (N, D) @ (N, D): an error


def _relu_output_for_mask(g, r_prev, W, l):
    delta = g * np.maximum(l, 0.0)          # ReLU's output, not its derivative
    return g + delta @ W.T, r_prev.T @ delta, delta.sum(axis=0)


def _weights_first(g, r_prev, W, l):
    g_prev, dW, db = REF(g, r_prev, W, l)
    return dW, db, g_prev


# ---------------------------------------------------------------- 9b's variants

def _scaled(no_alpha="", skip="g", alpha_power=1, dalpha="right", mask="right", transpose=True):
    """9b's reference with one slip switched on."""
    def fn(g, r_prev, W, l, alpha):
        h = np.maximum(l, 0.0)
        keep = (l > 0) if mask == "right" else np.ones(l.shape, bool)
        a_branch = 1.0 if no_alpha == "all" else alpha ** alpha_power
        a_weights = 1.0 if no_alpha in ("all", "weights") else alpha ** alpha_power
        delta = a_branch * g * keep
        d_w = a_weights * g * keep
        through_skip = {"g": g, "none": np.zeros_like(g), "alpha": alpha * g,
                        "masked": g * (l > 0), "all masked": g}[skip]
        g_prev = through_skip + delta @ (W.T if transpose else W)
        if skip == "all masked":
            g_prev = g_prev * (l > 0)
        da = {"right": np.sum(g * h), "l": np.sum(g * l), "mask": np.sum(g * (l > 0)),
              "r_prev": np.sum(g * r_prev), "alpha": alpha * np.sum(g * h),
              "axis0": (g * h).sum(axis=0), "none": g * h, "mean": np.mean(g * h),
              "over_n": np.sum(g * h) / len(g), "g": np.sum(g), "outer": g.T @ h}[dalpha]
        return g_prev, r_prev.T @ d_w, d_w.sum(axis=0), da
    return fn


def _s_float32(g, r_prev, W, l, alpha):
    g, r_prev, W, l = (np.asarray(a, dtype=np.float32) for a in (g, r_prev, W, l))
    alpha = np.float32(alpha)
    delta = alpha * g * (l > 0)
    return g + delta @ W.T, r_prev.T @ delta, delta.sum(axis=0), (g * np.maximum(l, 0)).sum()


def _s_loops(g, r_prev, W, l, alpha):
    n, d = len(g), len(W)
    dalpha = sum(g[i][k] * max(l[i][k], 0.0) for i in range(n) for k in range(d))
    delta = [[alpha * g[i][k] if l[i][k] > 0 else 0.0 for k in range(d)] for i in range(n)]
    g_prev = [[g[i][j] + sum(delta[i][k] * W[j][k] for k in range(d)) for j in range(d)]
              for i in range(n)]
    dW = [[sum(r_prev[i][j] * delta[i][k] for i in range(n)) for k in range(d)]
          for j in range(d)]
    db = [sum(delta[i][k] for i in range(n)) for k in range(d)]
    return g_prev, dW, db, dalpha


def _s_from_9a(g, r_prev, W, l, alpha):
    g_branch, dW, db = REF(alpha * g, r_prev, W, l)     # 9a: alpha g + its branch's part
    return g + (g_branch - alpha * g), dW, db, float(np.sum(g * (l > 0) * l))


def _s_other_algebra(g, r_prev, W, l, alpha):
    delta = np.where(l > 0, g, 0.0) * alpha
    return (g + np.einsum("nk,jk->nj", delta, W), np.einsum("nj,nk->jk", r_prev, delta),
            np.ones(len(g)) @ delta, np.vdot(g, np.clip(l, 0, None)))


def _s_in_place(g, r_prev, W, l, alpha):
    delta = g.copy()
    delta[l <= 0] = 0.0
    dalpha = np.sum(delta * l)              # g * h, written with its own copy
    delta *= alpha
    g_prev = delta @ W.T
    g_prev += g
    return g_prev, r_prev.T @ delta, delta.sum(axis=0), dalpha


def _s_dalpha_array(g, r_prev, W, l, alpha):
    g_prev, dW, db, dalpha = SREF(g, r_prev, W, l, alpha)
    return g_prev, dW, db, np.array([dalpha])


def _s_layers(g, r_prev, W, l, alpha):
    d = len(W)
    linear, relu = lessonlib.layers.Linear(d, d), lessonlib.layers.ReLU()
    linear.params["W"][:] = W
    linear.forward(r_prev)
    h = relu.forward(l)
    through_layer = linear.backward(relu.backward(alpha * g))
    return (g + through_layer, linear.grads["W"].copy(), linear.grads["b"].copy(),
            float((g * h).sum()))


def _s_changes_g(g, r_prev, W, l, alpha):
    dalpha = np.sum(g * np.maximum(l, 0.0))
    delta = alpha * g * (l > 0)
    g += delta @ W.T
    return g, r_prev.T @ delta, delta.sum(axis=0), dalpha


def test_scaled_reference_passes_and_block_by_block_gives_the_recipe_gradients():
    """9b's reference, applied block after block, gives recipe.ScaledResidualMLP's gradients,
    the branch scalars' too (alpha_2, alpha_3 set to 0.4 and -0.7)."""
    from lessonlib.recipes import l09_residual as recipe
    assert SCALED.grade(SREF) is None
    X, y, _, _ = lessonlib.data.load_iris(seed=0)
    X, y = X[:20], y[:20]
    model = recipe.ScaledResidualMLP(4, [3, 3, 3], 3, alpha=0.0, init=0.3, seed=1)
    model.alpha[:] = [0.4, -0.7]
    _, expected = model.loss_and_grads(X, y)
    p = model.params
    trace, g = _trace_and_top_gradient(model, X, y)
    for i in (3, 2):
        r_prev = trace["relu1"] if i == 2 else trace[f"r{i - 1}"]
        g, dW, db, dalpha = SREF(g, r_prev, p[f"fc{i}_weight"], trace[f"fc{i}"],
                                 model.alpha[i - 2])
        np.testing.assert_allclose(dW, expected[f"fc{i}_weight"], rtol=1e-10, atol=1e-15)
        np.testing.assert_allclose(db, expected[f"fc{i}_bias"], rtol=1e-10, atol=1e-15)
        np.testing.assert_allclose(dalpha, expected["branch_alpha"][i - 2], rtol=1e-10)
    delta1 = g * (trace["fc1"] > 0)
    np.testing.assert_allclose(X.T @ delta1, expected["fc1_weight"], rtol=1e-10, atol=1e-15)


def test_scaled_stub_and_the_alpha_zero_case(capsys):
    def stub(g, r_prev, W, l, alpha):
        raise NotImplementedError("Exercise 9b: write the backward pass of a scaled block")
    SCALED.check(stub)
    assert "not attempted yet" in capsys.readouterr().out

    def breaks_at_alpha_zero(g, r_prev, W, l, alpha):
        g_prev, dW, db, dalpha = SREF(g, r_prev, W, l, alpha)
        return g_prev, dW, db, (dalpha if alpha != 0 else 0.0)
    message = SCALED.grade(breaks_at_alpha_zero)
    assert "alpha = 0, every branch off" in message and "dalpha" in message


FAIRNESS = {
    "residual_block_backward": dict(
        right=[("the reference", REF), ("float32 throughout", _float32),
               ("Python loops and lists", _loops),
               ("in-place work on its own copies", _in_place_on_own_arrays),
               ("(W @ delta.T).T, (delta.T @ r_prev).T, ones @ delta", _other_algebra),
               ("einsum", _einsum), ("lessonlib's Linear and ReLU", _lessonlib_layers)],
        slips=[("the skip path forgotten", _variant(skip="none"),
                ["skip path's gradient is missing", "g_prev = g + delta @ W.T"]),
               ("the branch forgotten", _variant(branch=False), "branch's gradient is missing"),
               ("the ReLU mask missing", _variant(mask="none"), "ignores ReLU's derivative"),
               ("the ReLU mask inverted", _variant(mask="inverted"), "mask is inverted"),
               ("delta @ W instead of delta @ W.T", _variant(transpose=False),
                ["delta @ W;", "delta @ W.T", "square"]),
               ("db not summed over the batch", _variant(db_sum=False),
                ["one row per example", "sum delta over the batch"]),
               ("dW and db divided by N again", _variant(over_n=True),
                ["7 times too small", "1/N is in it"]),
               ("the skip's gradient masked by the ReLU", _variant(skip="masked"),
                ["skip path's gradient went through the ReLU mask", "unchanged"]),
               ("dW transposed", _variant(dW_T=True), "your dW is transposed"),
               ("skip forgotten and W not transposed", _variant(skip="none", transpose=False),
                ["two slips", "skip path's gradient is missing", "delta @ W.T"]),
               ("g changed in place", _changes_g, ["changed g", "skip path"]),
               ("r_prev @ delta: a shape error", _wrong_order_product,
                ["ValueError", "shapes do not fit", "r_prev.T @ delta"]),
               ("the ReLU mask taken from r_prev", _mask_from_r_prev,
                ["mask comes from l, the block's pre-activation, not from r_prev"]),
               ("dW from the output, h.T @ delta", _dW_from_output,
                ["dW uses the layer's input r_prev, not its output h"]),
               ("the branch subtracted, g - delta @ W.T", _branch_subtracted,
                ["wrong sign", "adds the gradients of the two routes"]),
               ("all of g_prev masked, (g + delta @ W.T) * (l > 0)", _all_of_g_prev_masked,
                ["the skip path bypasses the ReLU: only the branch's gradient is masked"]),
               ("the skip counted twice, 2 g + delta @ W.T", _skip_twice,
                ["counted twice", "passes g down once"]),
               ("r_prev in place of g, r_prev + delta @ W.T", _r_prev_for_g,
                ["skip path's part is r_prev", "not a value of the forward pass"]),
               ("dW and db returned in swapped order", _db_and_dW_swapped,
                ["shape of db", "in the order g_prev, dW, db"]),
               ("delta = g * relu(l): ReLU's output for its derivative", _relu_output_for_mask,
                ["ReLU's output h = max(0, l), not by its derivative", "delta = g * (l > 0)"]),
               ("returned as (dW, db, g_prev)", _weights_first,
                ["in the order dW, db, g_prev", "return them in the order g_prev, dW, db"])]),
    "scaled_block_backward": dict(
        right=[("the reference", SREF), ("float32 throughout", lambda *a: _s_float32(*a)),
               ("Python loops and lists", lambda *a: _s_loops(*a)),
               ("9a's step fed alpha * g, plus the skip", lambda *a: _s_from_9a(*a)),
               ("np.vdot, np.where and einsum", lambda *a: _s_other_algebra(*a)),
               ("in-place work on its own copies", lambda *a: _s_in_place(*a)),
               ("dalpha as a one-element array", lambda *a: _s_dalpha_array(*a)),
               ("lessonlib's Linear and ReLU", lambda *a: _s_layers(*a))],
        slips=[("alpha left out everywhere", _scaled(no_alpha="all"),
                ["your g_prev leaves out alpha", "delta = alpha * g * (l > 0)"]),
               ("alpha left out of dW and db only", _scaled(no_alpha="weights"),
                ["your dW leaves out alpha"]),
               ("alpha on the skip too", _scaled(skip="alpha"),
                ["scales the skip by alpha too", "unchanged"]),
               ("alpha twice in the branch", _scaled(alpha_power=2), ["alpha twice"]),
               ("the skip forgotten", _scaled(skip="none"), ["skip path's gradient is missing"]),
               ("the skip's gradient masked by the ReLU, g * (l > 0) + delta @ W.T",
                _scaled(skip="masked"),
                ["skip path's gradient went through the ReLU mask", "unchanged"]),
               ("all of g_prev masked, (g + delta @ W.T) * (l > 0)", _scaled(skip="all masked"),
                ["your g_prev is masked as a whole",
                 "the skip path bypasses the ReLU: only the branch's gradient is masked",
                 "delta = alpha * g * (l > 0)"]),
               ("dalpha from l", _scaled(dalpha="l"), ["uses l, the pre-activation"]),
               ("dalpha from ReLU's derivative", _scaled(dalpha="mask"),
                ["ReLU's derivative (l > 0) in place of its output h"]),
               ("dalpha from r_prev", _scaled(dalpha="r_prev"), ["uses r_prev"]),
               ("dalpha multiplied by alpha", _scaled(dalpha="alpha"),
                ["multiplied by alpha", "np.sum(g * h)"]),
               ("dalpha summed over the batch only", _scaled(dalpha="axis0"),
                ["shape (3,)", "over the batch only", "every example and every unit"]),
               ("dalpha not summed", _scaled(dalpha="none"), ["shape (7, 3)", "did not sum it"]),
               ("dalpha averaged", _scaled(dalpha="mean"), ["an average (np.mean)"]),
               ("dalpha = g.T @ h, a (D, D) matrix", _scaled(dalpha="outer"),
                ["shape (3, 3), like g.T @ h", "one number"]),
               ("dalpha divided by N", _scaled(dalpha="over_n"), ["7 times too small"]),
               ("dalpha without h", _scaled(dalpha="g"), ["sum of g alone"]),
               ("the ReLU mask left out", _scaled(mask="none"),
                ["ignores ReLU's derivative", "delta = alpha * g * (l > 0)"]),
               ("delta @ W", _scaled(transpose=False), ["delta @ W;", "delta @ W.T"]),
               ("dalpha forgotten (three values)", lambda g, r, W, l, a: SREF(g, r, W, l, a)[:3],
                ["should return four values", "g_prev, dW, db and dalpha"]),
               ("dalpha returned first", lambda *a: (SREF(*a)[3],) + SREF(*a)[:3],
                ["in the order dalpha, g_prev, dW, db"]),
               ("g changed in place", lambda *a: _s_changes_g(*a), ["changed g"])]),
}
