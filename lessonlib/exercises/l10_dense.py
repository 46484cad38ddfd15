"""Lesson 10's exercise 10a: one dense block's backward pass.

``dense_block_backward(d_r, l, W)``: block i reads r_prev = h_1 || ... || h_(i-1) and writes
r = r_prev || h with h = ReLU(l), l = r_prev @ W + b: lessonlib's column order, the old columns
first and the new block's h last. Given d_r = d loss / d r (complete: every reader of r sits
above the block), return

- d_h = the last w columns of d_r (w = W.shape[1], the block's width), and
- d_r_prev = the first c columns of d_r (r_prev reaches the loss directly, inside r) plus what
  comes back through the block, (d_h * (l > 0)) @ W.T (c = W.shape[0]).

The checker uses shapes where N, c and w all differ, so a split at the wrong column or along
the wrong axis shows in a shape, and names the usual slips: the split reversed (h first), the
split one column off, the split along the rows (axis 0; recognised by a second call that
watches how d_r is indexed, also when the learner's code raises), the gradient along the skip
(the first c columns) or through the block left out, the ReLU's mask left out, applied to d_h,
or replaced by ReLU(l) itself, W where W.T belongs, the product transposed (W @ d_l.T, shape
(c, N)), the two results swapped; the skip's share alone taken from the last c columns or
one column late, the mask l < 0, a division by N (of both results, or only of the way through
the block); a split one column late that raises (h's columns one late, or r_prev's share one
column too wide: told by the shapes in the error); d_r added, not split (d_h = d_r: an
(N, c + w) array meets the mask); and the three slips that all make an (N, c) array meet the
(N, w) mask, told apart by one more call on a block with c = w: the split at column w, the
split reversed at column c (d_h = d_r[:, :c]), and the mask applied after the product with
W.T.
"""
import re

import numpy as np

from ._kit import (Exercise, compare, describe_exception, fresh, learner_frames, named_slip,
                   unpack_returned)

__all__ = ["dense_backward_step"]


def reference_dense_block_backward(d_r, l, W):
    """Backward through r = r_prev || h, h = ReLU(l), l = r_prev @ W + b.
    d_r (N, c + w) -> d_r_prev (N, c), d_h (N, w), with c, w = W.shape."""
    c, w = W.shape
    d_h = d_r[:, c:]                          # h's columns come last: (N, w)
    d_l = d_h * (l > 0)                       # the ReLU passes the gradient where it was on
    d_r_prev = d_r[:, :c] + d_l @ W.T         # r_prev's own columns + the way through the block
    return d_r_prev, d_h


# (N, c, w, seed): N, c and w all differ, and c + w differs from N, so that every axis is
# told apart by its length; the lesson's block 3 of widths 3, 4, 5, ... reads c = 3 + 4 = 7
# columns and adds w = 5.
_CASES = [(6, 7, 5, 0), (9, 4, 2, 1), (5, 3, 8, 2)]


def _case(n, c, w, seed):
    """d_r, l and W with some l on either side of 0 in every column."""
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((c, w))
    d_r = rng.standard_normal((n, c + w))
    while True:
        l = rng.standard_normal((n, w))
        if ((l > 0).any(axis=0) & (l < 0).any(axis=0)).all() and np.abs(l).min() > 1e-3:
            return d_r, l, W


def _slips(d_r, l, W):
    """What the usual slips compute: ([(d_r_prev, message)], [(d_h, message)])."""
    c, w = W.shape
    mask = l > 0
    d_h = d_r[:, c:]
    through = (d_h * mask) @ W.T
    skip = d_r[:, :c]
    h_first = d_r[:, :w]
    prev_slips = [
        ((d_h * mask) @ W.T, "your d_r_prev leaves out the skip: r_prev is also part of r "
                             "(its first c columns), so d_r[:, :c] must be added to what comes "
                             "back through the block"),
        (skip, "your d_r_prev is only d_r[:, :c], the skip's share: r_prev is also the input "
               "of the block, so add what comes back through it, (d_h * (l > 0)) @ W.T"),
        (skip - through, "your d_r_prev subtracts what comes back through the block: the "
                         "two shares of r_prev's gradient add up, d_r[:, :c] + d_l @ W.T"),
        (skip + d_h @ W.T, "your d_r_prev leaves out the ReLU's mask: the gradient goes back "
                           "through h = ReLU(l) only where l > 0, (d_h * (l > 0)) @ W.T"),
        (skip + (d_h * np.maximum(l, 0)) @ W.T,
         "your d_r_prev multiplies d_h by ReLU(l) = np.maximum(l, 0), the ReLU's output; the "
         "chain rule needs its derivative, 1 where l > 0 and 0 elsewhere: "
         "(d_h * (l > 0)) @ W.T"),
        (skip + (d_h * l) @ W.T,
         "your d_r_prev multiplies d_h by l itself; the chain rule needs the ReLU's "
         "derivative, 1 where l > 0 and 0 elsewhere: (d_h * (l > 0)) @ W.T"),
        (d_r[:, w:] + (h_first * mask) @ W.T,
         "your split is reversed: lessonlib keeps the old columns first, r = r_prev || h, so "
         "r_prev has the first c = W.shape[0] columns and h the last w = W.shape[1]"),
        (d_r[:, w:] + through,
         "your d_r_prev takes the skip's share from the last c columns of d_r: lessonlib keeps "
         "the old columns first, r = r_prev || h, so r_prev's share is the first "
         "c = W.shape[0] columns, d_r[:, :c]"),
        (d_r[:, 1:c + 1] + through,
         "your d_r_prev takes the skip's share one column too late: r_prev's c columns are "
         "the first ones, d_r[:, :c]"),
        (skip + (d_h * (l < 0)) @ W.T,
         "your d_r_prev uses the mask l < 0: the ReLU passes the gradient back where it was "
         "on, l > 0: (d_h * (l > 0)) @ W.T"),
        ((skip + through) / len(d_r),
         "your d_r_prev is divided by N: d_r is already the gradient of the loss (the mean's "
         "1/N is in it), so nothing is divided here"),
        (skip + through / len(d_r),
         "your d_r_prev divides what comes back through the block by N: d_r is already the "
         "gradient of the mean loss (its 1/N is in it), so d_l @ W.T needs no second 1/N"),
    ]
    h_slips = [
        (h_first,
         "your d_h is the first w columns of d_r: lessonlib keeps the old columns first, "
         "r = r_prev || h, so h's gradient is in the last w columns, d_r[:, c:]"),
        (d_h * mask, "your d_h has the ReLU's mask applied: d_h is the gradient of h itself; "
                     "the mask (l > 0) belongs to d_l, on the way back through the block (if "
                     "you zeroed d_l in place, d_l is d_h itself, a view: take a copy, "
                     "d_l = d_h * (l > 0))"),
        (d_r[:, c - 1:c - 1 + w], "your d_h starts one column too early: h's w columns start "
                                  "at column c = W.shape[0], d_r[:, c:]"),
        (d_h / len(d_r), "your d_h is divided by N: d_r is already the gradient of the loss "
                         "(the mean's 1/N is in it), so d_h is just its last w columns, "
                         "d_r[:, c:]"),
    ]
    return prev_slips, h_slips


class _RowWatch(np.ndarray):
    """d_r for a second call that notes whether the learner's code cuts it along its rows:
    ``record`` is shared by every view, and a slice of the rows of an array of d_r's shape
    (d_r[c:], d_r[:c, :], np.split(d_r, [c]), np.vsplit) sets record["rows cut"]."""

    def __array_finalize__(self, obj):
        self.record = getattr(obj, "record", None)

    def __getitem__(self, key):
        record = self.record
        if record is not None and self.shape == record["shape"]:
            rows = key[0] if isinstance(key, tuple) and key else key
            if isinstance(rows, slice) and rows.indices(self.shape[0]) != (0, self.shape[0], 1):
                record["rows cut"] = True
        return super().__getitem__(key)


def _cuts_rows(fn, d_r, l, W):
    """True if fn, called once more, slices d_r along axis 0 (only for an answer already
    found wrong, or code that raised)."""
    watched = fresh(d_r).view(_RowWatch)
    watched.record = {"shape": d_r.shape, "rows cut": False}
    try:
        fn(watched, fresh(l), fresh(W))
    except Exception:               # it may raise again: the record is what counts
        pass
    return watched.record["rows cut"]


def _rows_message(n):
    return (f"your function cuts d_r along its rows (axis 0, as d_r[c:], d_r[:c] or "
            f"np.split(d_r, [c]) do), but d_r has one row per example, N = {n}. Split along "
            f"the columns (axis 1): d_r[:, :c] and d_r[:, c:]")


def _shape_slip(name, got, d_r, W):
    """A message for a result of the wrong shape that a usual slip gives, else None."""
    n = d_r.shape[0]
    c, w = W.shape
    shape = np.shape(got)
    want = {"d_h": w, "d_r_prev": c}[name]
    if name == "d_r_prev" and shape == (c, n):
        return (f"your d_r_prev has shape (c, N) = {shape}, the transpose of (N, c): "
                f"W @ d_l.T is (d_l @ W.T).T. Write (d_h * (l > 0)) @ W.T, shape (N, c)")
    if len(shape) == 2 and shape[0] != n:
        return (f"your {name} has shape {shape}: {shape[0]} rows, but d_r has one row per "
                f"example, N = {n}; expected (N, {want}) = ({n}, {want})")
    if len(shape) == 2 and shape[1] != want:
        label = "w = W.shape[1]" if name == "d_h" else "c = W.shape[0]"
        where = "d_r[:, c:], the last w" if name == "d_h" else "d_r[:, :c], the first c"
        return (f"your {name} has {shape[1]} columns, expected {label} = {want}: it is "
                f"{where} columns of d_r (d_r has c + w = {c + w}). The split is at column "
                f"c = {c}")
    return None


def _shapes_in(text):
    """The array shapes a NumPy error message names, e.g. '(6,7) (7,6)' -> [(6, 7), (7, 6)]."""
    return [tuple(int(d) for d in m.split(",") if d.strip())
            for m in re.findall(r"\((\d+(?:,\s*\d+)*),?\)", text)]


_EQUAL_CASE = (6, 4, 4, 3)     # c = w: the one block where the split's column cannot go wrong


def _equal_width_slip(fn):
    """Which of three slips that make an (N, c) array meet the (N, w) mask fn makes, from a
    call on a block with c = w (where all three run): a message, or None."""
    d_r, l, W = _case(*_EQUAL_CASE)
    c, w = W.shape
    try:
        got_prev, got_h = fn(fresh(d_r), fresh(l), fresh(W))
        got_prev, got_h = np.asarray(got_prev, float), np.asarray(got_h, float)
    except Exception:
        return None
    expected_prev, expected_h = reference_dense_block_backward(d_r, l, W)
    if got_prev.shape != expected_prev.shape or got_h.shape != expected_h.shape:
        return None
    mask = l > 0
    if np.allclose(got_prev, expected_prev) and np.allclose(got_h, expected_h):
        return ("your code splits d_r at column w = W.shape[1], the block's width: r_prev has "
                "c = W.shape[0] columns, so the split is at column c, d_r[:, :c] and "
                "d_r[:, c:] (on a block with c = w, where the two columns coincide, your code passes)")
    if np.allclose(got_h, d_r[:, :w]) or np.allclose(got_h, d_r[:, :c]):
        return ("your d_h is d_r[:, :c], r_prev's columns: the split is reversed. lessonlib "
                "keeps the old columns first, r = r_prev || h, so d_h = d_r[:, c:] (the last w "
                "columns) and r_prev's own share is d_r[:, :c]")
    if np.allclose(got_h, expected_h) and np.allclose(
            got_prev, d_r[:, :c] + (expected_h @ W.T) * mask):
        return ("you apply the ReLU's mask after the product with W.T: (d_h @ W.T) * (l > 0) "
                "multiplies an (N, c) array by the (N, w) mask. The mask belongs to d_h, "
                "before W.T: (d_h * (l > 0)) @ W.T")
    return None


def _mismatch(exc, d_r, l, W, fn=None):
    """A message for a matrix product or a sum whose shapes do not fit, else None."""
    if not isinstance(exc, ValueError) or not any(
            k in str(exc) for k in ("matmul", "align", "broadcast")):
        return None
    n = d_r.shape[0]
    c, w = W.shape
    shapes = _shapes_in(str(exc))
    if (c, n) in shapes and (n, c) in shapes:
        advice = (f"your product has shape (c, N) = ({c}, {n}), the transpose of what it is "
                  f"added to, (N, c): W @ d_l.T is (d_l @ W.T).T. Write "
                  f"(d_h * (l > 0)) @ W.T")
    elif "broadcast" in str(exc) and (n, w - 1) in shapes and (n, w) in shapes:
        advice = (f"your d_h has w - 1 = {w - 1} columns where l has w = {w}: it starts one "
                  f"column late. Columns are counted from 0, so h's w columns start at column "
                  f"c = W.shape[0] = {c}: d_h = d_r[:, c:], not d_r[:, c + 1:]")
    elif "broadcast" in str(exc) and (n, c + 1) in shapes and (n, c) in shapes:
        advice = (f"your skip's share has c + 1 = {c + 1} columns where what comes back through "
                  f"the block has c = {c}: r_prev's columns are d_r[:, :c], columns 0 to "
                  f"c - 1, not d_r[:, :c + 1]")
    elif "broadcast" in str(exc) and (n, c + w) in shapes and (n, w) in shapes:
        advice = (f"an array of d_r's shape (N, c + w) = ({n}, {c + w}) meets the mask (N, w): "
                  f"did you add, as in a residual net, taking d_h = d_r whole? A "
                  f"concatenation is not a sum: each part gets only its own columns, "
                  f"d_h = d_r[:, c:] and d_r[:, :c] for r_prev")
    elif ("broadcast" in str(exc) and (n, c) in shapes and (n, w) in shapes
          and fn is not None and (slip := _equal_width_slip(fn))):
        advice = slip
    elif "matmul" in str(exc) or "align" in str(exc):
        advice = ("a matrix product does not fit: d_l = d_h * (l > 0) has shape (N, w) and "
                  "goes back through W.T, shape (w, c), not W")
    else:
        advice = ("two arrays of different shapes meet: d_h = d_r[:, c:] has l's shape "
                  "(N, w), and d_r[:, :c] has the shape (N, c) of what comes back through the "
                  "block. Check where you split d_r (at column c = W.shape[0]) and that the "
                  "mask multiplies d_h before the product with W.T")
    return (f"your function raised {describe_exception(exc)}. Here d_r is {d_r.shape} "
            f"(N, c + w), l {l.shape} (N, w) and W {W.shape} (c, w): {advice}")


def _grade(fn):
    for n, c, w, seed in _CASES:
        d_r, l, W = _case(n, c, w, seed)
        what = f"for d_r of shape {d_r.shape} and W of shape {W.shape}"
        # every expected value from the checker's own arrays, before the learner's code runs
        expected_prev, expected_h = reference_dense_block_backward(d_r, l, W)
        prev_slips, h_slips = _slips(d_r, l, W)
        try:
            result = fn(fresh(d_r), fresh(l), fresh(W))
        except NotImplementedError:
            raise
        except Exception as exc:
            if not learner_frames(exc):
                raise
            if _cuts_rows(fn, d_r, l, W):
                return (f"{what}, your function raised {describe_exception(exc)}. The cause: "
                        f"{_rows_message(n)}")
            message = _mismatch(exc, d_r, l, W, fn)
            if message is None:
                raise
            return f"{what}, {message}"
        values, problem = unpack_returned(result, "your dense_block_backward",
                                          ["d_r_prev", "d_h"])
        if problem:
            return problem
        got_prev, got_h = values
        if np.shape(got_prev) == (n, w) and np.shape(got_h) == (n, c):
            return (f"{what}, your two results are swapped: return d_r_prev (N, c) first, "
                    f"then d_h (N, w)")
        # the split first: d_h is d_r's last columns, nothing more
        for name, got, expected, slips in (("d_h", got_h, expected_h, h_slips),
                                           ("d_r_prev", got_prev, expected_prev, prev_slips)):
            problem = _shape_slip(name, got, d_r, W)
            if problem:
                if _cuts_rows(fn, d_r, l, W):
                    return f"{what}, {_rows_message(n)}"
                return f"{what}, {problem}"
            problem = compare(f"your {name} {what}", got, expected)
            if problem is None:
                continue
            if "wrong value" in problem or "opposite sign" in problem:
                message = named_slip(got, slips)
                if message:
                    return f"{what}, {message}"
            return problem
    return None


dense_backward_step = Exercise(
    "dense_backward_step", "Exercise 10a (one dense block's backward pass)", _grade,
    hints=["r = r_prev || h only places two arrays side by side, so its backward pass only "
           "cuts d_r into the same two column blocks: r_prev's c columns first, h's w columns "
           "last (c, w = W.shape). r_prev is also the block's input: its gradient has a "
           "second part, coming back through the block.",
           "r_prev has two readers: the concatenation, which hands it its own columns of d_r "
           "unchanged, and the block, whose share comes back through the ReLU (a mask) and "
           "then through W (W.T on the way back). d_r_prev is the sum of the two shares.",
           "d_h = d_r[:, c:]. Back through the block: d_l = d_h * (l > 0) (ReLU), then "
           "d_l @ W.T, shape (N, c). r_prev's gradient is the sum of its two shares: "
           "d_r[:, :c] + d_l @ W.T.",
           "c = W.shape[0]; d_h = d_r[:, c:]; d_r_prev = d_r[:, :c] + (d_h * (l > 0)) @ W.T; "
           "return d_r_prev, d_h"],
    reference=reference_dense_block_backward, answer_name="dense_block_backward")
