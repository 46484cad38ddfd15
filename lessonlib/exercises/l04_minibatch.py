"""Lesson 04's exercise (the notes' exercise 3): the mini-batches of one epoch.

``minibatch_indices(n, batch_size, rng)`` draws one permutation of 0..n-1 with the given
Generator and cuts it, in order, into consecutive batches of ``batch_size`` (the last one may be
smaller). That is ``lessonlib.data.batch_indices``; the checker compares with it and names the
usual slips: sampling with replacement, a dropped last batch, one batch too many, an order that
is not the permutation's.
"""
import numpy as np

from ..data import batch_indices
from ._base import Exercise

__all__ = ["minibatch_indices"]


def reference_minibatch_indices(n, batch_size, rng):
    """One epoch's mini-batches: a list of index arrays that together hold 0..n-1 once each."""
    perm = rng.permutation(n)                      # one shuffle per epoch, no repeats
    return [perm[start:start + batch_size] for start in range(0, n, batch_size)]


# (n, batch_size, seed): a last batch smaller than the others, batches that divide n exactly,
# a batch larger than n, batches of one
_CASES = [(10, 3, 0), (100, 30, 1), (12, 4, 2), (7, 10, 3), (5, 1, 4)]


def _as_batches(result, what):
    """The learner's result as a list of 1-D int arrays, or a message."""
    if result is None:
        return None, f"{what} returned None: did you forget to `return` the list of batches?"
    if isinstance(result, np.ndarray) and result.ndim == 1:
        return None, (f"{what} returned one flat array of {result.size} indices; return a list "
                      f"of index arrays, one per batch")
    try:
        batches = list(result)
    except TypeError:
        return None, (f"{what} should return a list of index arrays, one per batch; got a "
                      f"{type(result).__name__}")
    out = []
    for k, batch in enumerate(batches):
        arr = np.asarray(batch)
        if arr.ndim == 0:
            return None, (f"{what}: batch {k} is a single number ({arr!r}); return a list of "
                          f"index arrays, one per batch, not a flat list of indices")
        if arr.ndim != 1:
            return None, f"{what}: batch {k} has shape {arr.shape}; each batch should be 1-D"
        if arr.size and not np.issubdtype(arr.dtype, np.integer):
            if np.issubdtype(arr.dtype, np.floating) and np.all(arr == np.round(arr)):
                arr = arr.astype(np.int64)
            else:
                return None, (f"{what}: batch {k} holds {arr.dtype} values such as "
                              f"{arr.ravel()[0]!r}; indices must be whole numbers")
        out.append(arr.astype(np.int64))
    return out, None


def _grade(fn):
    for n, batch_size, seed in _CASES:
        what = f"your minibatch_indices({n}, {batch_size}, rng)"
        batches, problem = _as_batches(fn(n, batch_size, np.random.default_rng(seed)), what)
        if problem:
            return problem
        expected = list(batch_indices(n, batch_size, np.random.default_rng(seed)))
        n_expected = len(expected)
        flat = np.concatenate(batches) if batches else np.array([], dtype=np.int64)
        # repeats and strangers first: they explain most wrong counts and sizes too
        if flat.size and (flat.min() < 0 or flat.max() >= n):
            bad = flat[(flat < 0) | (flat >= n)][0]
            return (f"{what}: index {bad} is out of range; the rows are numbered 0 to {n - 1}")
        values, counts = np.unique(flat, return_counts=True)
        if (counts > 1).any():
            twice = values[counts > 1][0]
            inside = [str(k) for k, b in enumerate(batches) if twice in b]
            where = (f"in batch {inside[0]}" if len(inside) == 1
                     else f"in batches {', '.join(inside[:-1])} and {inside[-1]}")
            return (f"{what}: index {twice} appears {counts[counts > 1][0]} times ({where}): "
                    f"that is sampling with replacement (or a new draw per batch). In one "
                    f"epoch every row is used exactly once: draw one rng.permutation(n) and "
                    f"cut it into slices")
        empty = [k for k, b in enumerate(batches) if b.size == 0]
        if empty:
            return (f"{what}: batch {empty[0]} is empty; you return {len(batches)} batches, "
                    f"expected {n_expected}. The loop over start positions should stop before "
                    f"n: range(0, n, batch_size)")
        if len(batches) != n_expected:
            sizes = [len(b) for b in batches]
            if len(batches) == n_expected - 1 and flat.size == n - len(expected[-1]):
                left = len(expected[-1])
                return (f"{what}: you return {len(batches)} batches, expected {n_expected}: the "
                        f"last, smaller batch of {left} is missing, so {left} "
                        f"{'row is' if left == 1 else 'rows are'} never used. Keep it: the "
                        f"last batch may be smaller")
            direction = "one batch too few" if len(batches) == n_expected - 1 else (
                "one batch too many" if len(batches) == n_expected + 1 else "the wrong number")
            return (f"{what}: you return {len(batches)} batches (sizes {sizes[:6]}"
                    f"{'...' if len(sizes) > 6 else ''}), expected {n_expected} "
                    f"(ceil({n}/{batch_size})): {direction}")
        if flat.size != n:
            missing = np.setdiff1d(np.arange(n), flat)
            return (f"{what}: {missing.size} of the {n} rows are missing (such as {missing[0]}); "
                    f"one epoch must use every row once")
        sizes = [len(b) for b in batches]
        expected_sizes = [len(b) for b in expected]
        if sizes != expected_sizes:
            return (f"{what}: batch sizes {sizes}, expected {expected_sizes}: every batch has "
                    f"batch_size rows except the last, which holds what is left")
        if all(np.array_equal(b, e) for b, e in zip(batches, expected)):
            continue
        # a valid split of 0..n-1, but not the permutation's order
        again, _ = _as_batches(fn(n, batch_size, np.random.default_rng(seed)), what)
        if again is not None and not all(np.array_equal(a, b) for a, b in zip(again, batches)):
            return (f"{what}: two calls with the same rng seed gave different batches: draw "
                    f"with the rng you are given (rng.permutation(n)), not np.random")
        if np.array_equal(flat, np.arange(n)):
            return (f"{what}: the batches are 0, 1, 2, ... in order: shuffle first, with "
                    f"perm = rng.permutation(n), then cut perm into slices")
        if all(np.array_equal(np.sort(e), b) for b, e in zip(batches, expected)):
            return (f"{what}: each batch holds the right rows but sorted; keep them in the "
                    f"order of the permutation")
        return (f"{what}: every row appears once, but not in the order of "
                f"rng.permutation({n}) cut into consecutive slices (batch 0 should be "
                f"{expected[0].tolist()[:8]}{'...' if len(expected[0]) > 8 else ''}, got "
                f"{batches[0].tolist()[:8]}{'...' if len(batches[0]) > 8 else ''}). Draw "
                f"exactly one rng.permutation(n) per call (rng.choice or a shuffle of "
                f"another array gives another order) and slice it from the start")
    return None


minibatch_indices = Exercise(
    "minibatch_indices", "Exercise 3 (the mini-batches of one epoch)", _grade,
    hints=["One epoch uses every row exactly once, in a random order. Shuffle once, then walk "
           "through the shuffled rows batch_size at a time.",
           "perm = rng.permutation(n) gives the shuffled rows. Batch k is the slice "
           "perm[k*batch_size:(k+1)*batch_size]; a slice past the end is simply shorter, so "
           "the last batch can be smaller. How many batches? ceil(n / batch_size).",
           "perm = rng.permutation(n); return [perm[s:s + batch_size] for s in "
           "range(0, n, batch_size)]"],
    reference=reference_minibatch_indices)
