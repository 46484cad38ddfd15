"""Lesson 10's exercise: the reference passes and agrees with lessonlib's Dense backward, the
typical slips get their own message, a stub is "not attempted yet", and nothing ever shows a
traceback."""
import numpy as np

import lessonlib
from lessonlib import exercises

STEP = exercises.dense_backward_step


def test_reference_passes():
    assert STEP.grade(STEP.reference) is None


def test_reference_is_one_step_of_lessonlibs_dense_backward(rng):
    """Running the reference from the top block down reproduces lessonlib's gradients of every
    hidden layer's weights, on the lesson's widths 3, 4, 5, 6, 7, 8."""
    widths = [3, 4, 5, 6, 7, 8]
    net = lessonlib.MLP(4, widths, 3, connection="dense", init=0.5, seed=1)
    X = rng.standard_normal((11, 4))
    y = rng.integers(0, 3, 11)
    _, lib_grads = net.loss_and_grads(X, y)
    trace = dict(net.forward_trace(X))
    logits = trace["fc7"]
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1
    d_r = (p / len(y)) @ net.params["fc7_weight"].T          # d loss / d (h_1 || ... || h_6)
    for i in range(len(widths), 1, -1):
        W, l = net.params[f"fc{i}_weight"], trace[f"fc{i}"]
        d_r, d_h = STEP.reference(d_r, l, W)
        d_l = d_h * (l > 0)
        np.testing.assert_allclose(trace[f"concat{i - 1}"].T @ d_l, lib_grads[f"fc{i}_weight"],
                                   rtol=1e-10, atol=1e-14)


def test_stub_is_not_attempted(capsys):
    def dense_block_backward(d_r, l, W):
        raise NotImplementedError("Exercise 10a: ...")
    STEP.check(dense_block_backward)
    out = capsys.readouterr().out
    assert "not attempted yet" in out and "Traceback" not in out


def test_shape_errors_are_one_line_with_the_shapes(capsys):
    def w_not_transposed(d_r, l, W):
        c = W.shape[0]
        return d_r[:, :c] + (d_r[:, c:] * (l > 0)) @ W, d_r[:, c:]
    STEP.check(w_not_transposed)
    out = capsys.readouterr().out
    assert "not W" in out and "(7, 5) (c, w)" in out and "Traceback" not in out

    def split_at_w(d_r, l, W):
        c, w = W.shape
        return d_r[:, :c] + (d_r[:, w:] * (l > 0)) @ W.T, d_r[:, w:]
    assert "splits d_r at column w = W.shape[1]" in STEP.grade(split_at_w)


def test_a_shape_error_no_slip_explains_stays_generic():
    """An (N, c) array meets the (N, w) mask, but the code also fails on the c = w block: the
    general message, naming where to look, not a guess."""
    def broken(d_r, l, W):
        c = W.shape[0]
        return d_r[:, :c] + (d_r[:, :c] * (l > 0)) @ W.T, d_r[:, :c] + 1.0
    msg = STEP.grade(broken)
    assert "two arrays of different shapes meet" in msg and "at column c = W.shape[0]" in msg


def test_wrong_returns():
    assert "should return two values, d_r_prev and d_h" in STEP.grade(
        lambda d_r, l, W: d_r[:, :W.shape[0]])
    assert "did you forget to `return d_r_prev, d_h`" in STEP.grade(lambda d_r, l, W: None)
    msg = STEP.grade(lambda d_r, l, W: (d_r[:, :W.shape[0]] + 1.0, d_r[:, W.shape[0]:]))
    assert "your d_r_prev" in msg and "wrong value at index (0, 0)" in msg


def test_hints_and_solution(capsys):
    STEP.hint()
    STEP.hint(2)
    STEP.hint(4)
    STEP.solution()
    out = capsys.readouterr().out
    assert "Hint 1 of 4" in out and "Hint 4 of 4" in out
    assert "r_prev has two readers" in out
    assert "def dense_block_backward(d_r, l, W)" in out


# ---------------------------------------------------------------- fairness table

def _float32(d_r, l, W):
    d_r, l, W = (a.astype(np.float32) for a in (d_r, l, W))
    c = W.shape[0]
    d_h = d_r[:, c:]
    return d_r[:, :c] + (d_h * (l > 0)) @ W.T, d_h


def _np_split(d_r, l, W):
    skip, d_h = np.split(d_r, [W.shape[0]], axis=1)
    return skip + np.where(l > 0, d_h, 0.0) @ W.T, d_h


def _negative_index(d_r, l, W):
    w = W.shape[1]
    d_h = d_r[:, -w:]
    d_l = d_h.copy()
    d_l[l <= 0] = 0.0
    return d_r[:, :-w] + np.dot(d_l, W.T), d_h


def _in_place(d_r, l, W):
    c = W.shape[0]
    d_r_prev = d_r[:, :c]                      # a view: the += changes the caller's d_r too
    d_r_prev += (d_r[:, c:] * (l > 0)) @ W.T
    return d_r_prev, d_r[:, c:]


def _loops(d_r, l, W):
    c, w = W.shape
    n = len(d_r)
    d_h = [[d_r[i][c + j] for j in range(w)] for i in range(n)]
    d_prev = [[d_r[i][k] + sum(d_h[i][j] * (l[i][j] > 0) * W[k][j] for j in range(w))
               for k in range(c)] for i in range(n)]
    return d_prev, d_h


def _hsplit_full_slice(d_r, l, W):
    d_r = d_r[0:, :]                           # all rows: not a cut along axis 0
    skip, d_h = np.hsplit(d_r, [W.shape[0]])
    return skip + (d_h * (l > 0).astype(float)) @ W.T, d_h


def _einsum_tuple_list(d_r, l, W):
    c = W.shape[0]
    d_h = d_r[:, c:]
    return [d_r[:, :c] + np.einsum("nj,kj->nk", d_h * (l > 0), W), d_h]


def _slip(kind):
    def dense_block_backward(d_r, l, W):
        c, w = W.shape
        d_h = d_r[:, :w] if kind == "reversed" else d_r[:, c:]
        if kind == "one column off":
            d_h = d_r[:, c - 1:c - 1 + w]
        d_l = d_h if kind == "no mask" else d_h * (l > 0)
        skip = d_r[:, w:] if kind == "reversed" else d_r[:, :c]
        if kind == "axis 0":
            return d_r[:c], d_r[c:]
        if kind == "axis 0, then the block":          # raises: (N - c, c + w) * (N, w)
            d_h = d_r[c:]
            return d_r[:c] + (d_h * (l > 0)) @ W.T, d_h
        if kind == "np.split along axis 0":           # raises too
            skip, d_h = np.split(d_r, [c])
            return skip + d_h @ W.T, d_h
        if kind == "no final transpose":              # raises: (N, c) + (c, N)
            return skip + W @ d_l.T, d_h
        if kind == "ReLU(l), not its derivative":
            return skip + (d_h * np.maximum(l, 0)) @ W.T, d_h
        if kind == "times l":
            return skip + (d_h * l) @ W.T, d_h
        if kind == "no skip":
            return d_l @ W.T, d_h
        if kind == "no way through":
            return skip, d_h
        if kind == "masked d_h":
            return skip + d_l @ W.T, d_l
        if kind == "swapped":
            return d_h, skip + d_l @ W.T
        if kind == "skip reversed":
            return d_r[:, w:] + d_l @ W.T, d_h
        if kind == "skip one column late":
            return d_r[:, 1:c + 1] + d_l @ W.T, d_h
        if kind == "mask l < 0":
            return skip + (d_h * (l < 0)) @ W.T, d_h
        if kind == "divided by N":
            return (skip + d_l @ W.T) / len(d_r), d_h / len(d_r)
        if kind == "through the block divided by N":
            return skip + d_l @ W.T / len(d_r), d_h
        if kind == "h one column late, raises":      # d_h has w - 1 columns: (N, w - 1) * (N, w)
            d_h = d_r[:, c + 1:c + 1 + w]
            return skip + (d_h * (l > 0)) @ W.T, d_h
        if kind == "both one column late, raises":
            d_h = d_r[:, c + 1:]
            return d_r[:, :c + 1] + (d_h * (l > 0)) @ W.T, d_h
        if kind == "skip one column too wide, raises":   # (N, c + 1) + (N, c)
            return d_r[:, :c + 1] + d_l @ W.T, d_h
        if kind == "split at w, raises":              # (N, c) * (N, w)
            d_h = d_r[:, w:]
            return d_r[:, :w] + (d_h * (l > 0)) @ W.T, d_h
        if kind == "c from l, raises":                # c = l.shape[1]: the split at w again
            c = l.shape[1]
            return d_r[:, :c] + (d_r[:, c:] * (l > 0)) @ W.T, d_r[:, c:]
        if kind == "reversed at c, raises":           # d_h = d_r[:, :c]: (N, c) * (N, w)
            d_h = d_r[:, :c]
            return d_r[:, c:] + (d_h * (l > 0)) @ W.T, d_h
        if kind == "added, raises":                   # d_h = d_r: (N, c + w) * (N, w)
            return d_r + (d_r * (l > 0)) @ W.T, d_r
        if kind == "mask after the product, raises":  # (N, c) * (N, w)
            return skip + (d_h @ W.T) * (l > 0), d_h
        if kind == "d_l zeroed in place":             # d_l is d_h: d_h comes back masked
            d_l = d_h
            d_l[l <= 0] = 0.0
            return skip + d_l @ W.T, d_h
        return skip + d_l @ W.T, d_h
    return dense_block_backward


FAIRNESS = {
    "dense_backward_step": dict(
        right=[("the reference", STEP.reference), ("float32 throughout", _float32),
               ("np.split and np.where", _np_split),
               ("negative indices, a masked copy, np.dot", _negative_index),
               ("in place on a view of d_r", _in_place), ("Python loops, lists", _loops),
               ("einsum, a list", _einsum_tuple_list),
               ("np.hsplit after d_r[0:, :]", _hsplit_full_slice)],
        slips=[("the split reversed (h first)", _slip("reversed"), "last w columns"),
               ("the split one column off", _slip("one column off"), "one column too early"),
               ("split along axis 0", _slip("axis 0"), ["rows", "axis 1"]),
               ("the skip's gradient left out", _slip("no skip"), "leaves out the skip"),
               ("the way through the block left out", _slip("no way through"),
                "only d_r[:, :c]"),
               ("the ReLU's mask left out", _slip("no mask"), "leaves out the ReLU's mask"),
               ("the mask applied to d_h", _slip("masked d_h"), "mask applied"),
               ("the two results swapped", _slip("swapped"), "swapped"),
               ("axis 0, the code raises", _slip("axis 0, then the block"),
                ["ValueError", "cuts d_r along its rows", "axis 1"]),
               ("np.split along axis 0, the code raises", _slip("np.split along axis 0"),
                ["cuts d_r along its rows", "d_r[:, :c] and d_r[:, c:]"]),
               ("W @ d_l.T: the final transpose missing", _slip("no final transpose"),
                ["your product has shape (c, N) = (7, 6)", "(d_h * (l > 0)) @ W.T"]),
               ("ReLU(l) in place of its derivative", _slip("ReLU(l), not its derivative"),
                ["ReLU(l) = np.maximum(l, 0)", "derivative"]),
               ("d_h * l, no ReLU at all", _slip("times l"), ["by l itself", "derivative"]),
               ("the skip's share alone from the last c columns", _slip("skip reversed"),
                "from the last c columns"),
               ("the skip's share one column late", _slip("skip one column late"),
                "one column too late"),
               ("the mask l < 0", _slip("mask l < 0"), "uses the mask l < 0"),
               ("both results divided by N", _slip("divided by N"), "divided by N"),
               ("only the way through the block divided by N",
                _slip("through the block divided by N"), "divides what comes back"),
               ("h's columns one late, the code raises", _slip("h one column late, raises"),
                ["starts one column late", "d_r[:, c:]"]),
               ("both splits one column late, the code raises",
                _slip("both one column late, raises"), "starts one column late"),
               ("the skip's share one column too wide, the code raises",
                _slip("skip one column too wide, raises"), ["c + 1 =", "d_r[:, :c]"]),
               ("the split at column w, the code raises", _slip("split at w, raises"),
                "splits d_r at column w = W.shape[1]"),
               ("c taken from l.shape[1], the code raises", _slip("c from l, raises"),
                "splits d_r at column w = W.shape[1]"),
               ("the split reversed at column c, the code raises",
                _slip("reversed at c, raises"), ["d_h is d_r[:, :c]", "reversed"]),
               ("added, not concatenated: d_h = d_r, the code raises", _slip("added, raises"),
                ["d_h = d_r whole", "not a sum"]),
               ("the mask after the product with W.T, the code raises",
                _slip("mask after the product, raises"),
                ["mask after the product", "before W.T"]),
               ("d_l zeroed in place (d_l is d_h)", _slip("d_l zeroed in place"),
                ["zeroed d_l in place", "take a copy"])]),
}
