"""Lesson 04's exercises (the notes' exercise 3): Exercise 4a, the mini-batches of one epoch;
Exercise 4b, ``train_minibatch`` (the whole loop, built in ``_training``), at the end.

``minibatch_indices(n, batch_size, rng)`` draws a random order of the rows 0..n-1 with the given
Generator and cuts it, in order, into consecutive batches of ``batch_size`` (the last one may be
smaller). ``lessonlib.data.batch_indices`` does it with ``rng.permutation``; any other way of
drawing a permutation from ``rng`` is as right (``rng.choice(n, n, replace=False)``,
``rng.permuted``, ``rng.shuffle`` of an arange, an argsort of ``rng.random(n)``), so the checker
checks properties, not one stream of random numbers:

- every row exactly once (else: sampling with replacement, a new draw per batch, rows missing:
  rng.permutation(n - 1), a loop from 1 that skips perm[0]);
- consecutive batches of batch_size, the last one holding what is left (else: the last batch
  dropped, one batch too many or too few, balanced sizes from np.array_split or strided slices
  perm[k::n_batches], a 2-D array that drops the rest, slices perm[s:batch_size] or
  perm[s*batch_size:(s+1)*batch_size] with s already stepping by batch_size);
- drawn from the given generator: the same seed gives the same batches, two seeds or two epochs
  (two calls with one generator) give different orders, the rows are not 0..n-1 in order,
  the batches are not each sorted, not each a block of consecutive rows (shuffled inside, or
  the blocks in a shuffled order), and two epochs do not have the same sets of rows.
"""
import numpy as np

from ._kit import Exercise, describe_exception
from ._training import fixed_batches

__all__ = ["minibatch_indices"]


def reference_minibatch_indices(n, batch_size, rng):
    """One epoch's mini-batches: a list of index arrays that together hold 0..n-1 once each."""
    perm = rng.permutation(n)                      # one shuffle per epoch, no repeats
    return [perm[start:start + batch_size] for start in range(0, n, batch_size)]


# (n, batch_size, seed): a last batch smaller than the others, batches that divide n exactly,
# a batch larger than n, batches of one
_CASES = [(10, 3, 0), (100, 30, 1), (12, 4, 2), (7, 10, 3), (5, 1, 4)]
# Randomness is judged on a case where chance cannot fake it: 200 rows in batches of 16 (the
# last holds 8). A random order is sorted, or equal to another seed's, with probability < 1e-100.
_RANDOM_CASE = (200, 16)
_SEEDS = (11, 12)


def _sizes(n, batch_size):
    """The right batch sizes: batch_size, ..., batch_size, then what is left."""
    return [min(batch_size, n - start) for start in range(0, n, batch_size)]


def _call(fn, n, batch_size, rng, what):
    """(the learner's batches as a list of 1-D int arrays, None), or (None, a message)."""
    try:
        result = fn(n, batch_size, rng)
    except ValueError as exc:
        if "reshape" not in str(exc):
            raise
        return None, (f"{what} raised {describe_exception(exc)}. A reshape into "
                      f"rows of batch_size works only when batch_size divides n; here "
                      f"{n} = {n // batch_size} * {batch_size} + {n % batch_size}. Cut the "
                      f"permutation into slices perm[s:s + batch_size] instead: the last one "
                      f"is simply shorter")
    return _as_batches(result, n, batch_size, what)


def _as_batches(result, n, batch_size, what):
    """The learner's result as a list of 1-D int arrays, or a message."""
    if result is None:
        return None, f"{what} returned None: did you forget to `return` the list of batches?"
    if isinstance(result, dict):
        return None, (f"{what} returned a dict (keys {', '.join(map(str, list(result)[:4]))}); "
                      f"return a list of index arrays, one per batch")
    if isinstance(result, np.ndarray) and result.ndim == 1:
        return None, (f"{what} returned one flat array of {result.size} indices; return a list "
                      f"of index arrays, one per batch")
    if isinstance(result, np.ndarray) and result.ndim == 2 and result.size != n:
        left = n - result.size
        return None, (f"{what} returned a 2-D array of shape {result.shape} (a reshape into "
                      f"rows of batch_size?): it has room for {result.size} of the {n} rows, "
                      f"so the {left} left over {'is' if left == 1 else 'are'} never used, and "
                      f"rows of an array all have the same length. Return a list of slices "
                      f"perm[s:s + batch_size]: the last one may be shorter")
    try:
        batches = list(result)
    except TypeError:
        return None, (f"{what} should return a list of index arrays, one per batch; got a "
                      f"{type(result).__name__}")
    out = []
    for k, batch in enumerate(batches):
        try:
            arr = np.asarray(batch)
        except ValueError:
            return None, f"{what}: batch {k} is not an array of indices"
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


def _listing(items, limit=6):
    items = list(items)
    return f"{items[:limit]}"[:-1] + (", ...]" if len(items) > limit else "]")


def _repeats(fn, batches, what, counts, values):
    """A message for an index that appears more than once: sampling with replacement, or a new
    draw (without replacement) for every batch."""
    twice = values[counts > 1][0]
    inside = [str(k) for k, b in enumerate(batches) if twice in b]
    where = (f"in batch {inside[0]}" if len(inside) == 1
             else f"in batches {', '.join(inside[:-1])} and {inside[-1]}")
    found = f"{what}: index {twice} appears {counts[counts > 1][0]} times ({where})"
    # which of the two: on many large batches, sampling with replacement repeats an index
    # inside a batch as well, a new draw per batch never does
    n, size = _RANDOM_CASE
    big, _ = _call(fn, n, size, np.random.default_rng(_SEEDS[0]), what)
    within = any(len(np.unique(b)) < len(b) for b in batches + (big or []))
    if within:
        return (f"{found}: that is sampling with replacement (rng.integers, or rng.choice "
                f"without replace=False). In one epoch every row is used exactly once: draw one "
                f"permutation, perm = rng.permutation(n), and cut it into slices")
    return (f"{found}: no batch repeats an index, but the batches do: a new permutation (or a "
            f"new draw) for every batch. Draw one permutation per epoch, perm = "
            f"rng.permutation(n), and cut it into consecutive slices")


def _split_kind(batches, n, seed):
    """': these are strided slices ...' or ': np.array_split ...' when the batches are one of
    these cuts of the permutation rng.permutation gives, or have their sizes; else ''."""
    perm = np.random.default_rng(seed).permutation(n)
    k = len(batches)
    same = lambda cut: len(cut) == k and all(np.array_equal(a, b) for a, b in zip(cut, batches))
    if k and same([perm[j::k] for j in range(k)]):
        return (f": these are strided slices perm[j::{k}] (rows j, j + {k}, j + {2 * k}, ... "
                f"of the permutation). Take consecutive slices instead, perm[s:s + batch_size]")
    if k and same(np.array_split(perm, k)):
        return (f": np.array_split(perm, {k}) balances the sizes. Take consecutive slices "
                f"instead, perm[s:s + batch_size]")
    if k and [len(b) for b in batches] == [len(c) for c in np.array_split(perm, k)]:
        return (f": balanced sizes like these come from np.array_split(perm, {k}) or strided "
                f"slices perm[j::{k}]. Take consecutive slices instead, perm[s:s + batch_size]")
    return ""


def _drawn_order(flat, n, seed):
    """The permutation the learner's batches were cut from, when it is one of the usual draws
    from the case's generator (rng.permutation, rng.choice, rng.permuted, an argsort of
    rng.random) and the batches hold a run of it; else None."""
    draws = [lambda g: g.permutation(n), lambda g: g.choice(n, n, replace=False),
             lambda g: g.permuted(np.arange(n)), lambda g: np.argsort(g.random(n))]
    for draw in draws:
        perm = draw(np.random.default_rng(seed))
        where = np.flatnonzero(perm == flat[0]) if flat.size else []
        if len(where) and np.array_equal(perm[where[0]:where[0] + flat.size], flat):
            return perm
    return None


def _unused_rows(flat, n, seed, what):
    """A message naming which rows one epoch never uses (and why, when it can tell), else None."""
    missing = np.setdiff1d(np.arange(n), flat)
    if not missing.size:
        return None
    rows = f"{missing.size} of the {n} rows {'is' if missing.size == 1 else 'are'} never used"
    if np.array_equal(np.sort(flat), np.arange(n - missing.size)):
        last = (f"row {n - 1}, the last one" if missing.size == 1 else
                f"rows {n - missing.size} to {n - 1}, the last ones")
        return (f"{what}: {rows} ({last}): the rows are 0 to n - 1, so draw "
                f"rng.permutation(n), not rng.permutation(n - {missing.size})")
    perm = _drawn_order(flat, n, seed)
    if perm is not None and flat.size and perm[0] != flat[0]:
        skipped = int(np.flatnonzero(perm == flat[0])[0])
        first = ("the first row of the permutation, perm[0]," if skipped == 1 else
                 f"the first {skipped} rows of the permutation, perm[:{skipped}],")
        return (f"{what}: {rows}: {first} never {'goes' if skipped == 1 else 'go'} into a "
                f"batch. The start positions should begin at 0: range(0, n, batch_size)")
    return (f"{what}: {rows} (such as row {missing[0]}); one epoch must use every row once")


def _structure(fn, n, batch_size, seed):
    """None if the batches for (n, batch_size, seed) hold every row once, in consecutive
    batches of batch_size with a smaller last one; else what is wrong."""
    what = f"your minibatch_indices({n}, {batch_size}, rng)"
    batches, problem = _call(fn, n, batch_size, np.random.default_rng(seed), what)
    if problem:
        return problem
    expected_sizes = _sizes(n, batch_size)
    n_expected = len(expected_sizes)
    flat = np.concatenate(batches) if batches else np.array([], dtype=np.int64)
    # strangers and repeats first: they explain most wrong counts and sizes too
    if flat.size and (flat.min() < 0 or flat.max() >= n):
        bad = flat[(flat < 0) | (flat >= n)][0]
        from_one = " (numbering from 1?)" if flat.min() >= 1 and bad == n else ""
        return (f"{what}: index {bad} is out of range; the rows are numbered 0 to {n - 1}"
                f"{from_one}")
    values, counts = np.unique(flat, return_counts=True)
    if (counts > 1).any():
        return _repeats(fn, batches, what, counts, values)
    sizes = [len(b) for b in batches]
    empty = [k for k, b in enumerate(batches) if b.size == 0]
    if empty:
        found = f"{what}: batch {empty[0]} is empty"
        if len(batches) > n_expected:
            extra = len(batches) - n_expected
            return (f"{found}; you return {len(batches)} batches, expected {n_expected}: "
                    f"{'one batch' if extra == 1 else f'{extra} batches'} too many. The loop "
                    f"over start positions should stop before n: range(0, n, batch_size)")
        # slices perm[s:batch_size]: only the first one, from s = 0, holds rows
        if sizes == [min(batch_size, n)] + [0] * (len(batches) - 1):
            return (f"{found} (sizes {_listing(sizes)}): each slice should start at s and end "
                    f"at s + batch_size, perm[s:s + batch_size]; perm[s:batch_size] is empty "
                    f"once s reaches batch_size")
        # slices perm[s*batch_size:(s+1)*batch_size] with s in range(0, n, batch_size)
        strided = [len(range(n)[s * batch_size:(s + 1) * batch_size])
                   for s in range(0, n, batch_size)]
        if batch_size > 1 and sizes == strided:
            return (f"{found} (sizes {_listing(sizes)}): s already moves by batch_size in "
                    f"range(0, n, batch_size), so perm[s*batch_size:(s+1)*batch_size] jumps "
                    f"batch_size times too far. Slice perm[s:s + batch_size]")
        unused = _unused_rows(flat, n, seed, what)
        if unused:
            return f"{unused} (and batch {empty[0]} is empty)"
        return (f"{found}: every batch should hold batch_size rows, except the last, which "
                f"holds what is left")
    if len(batches) != n_expected:
        perm = _drawn_order(flat, n, seed) if flat.size < n else None
        if perm is not None and perm[0] != flat[0]:      # the first rows skipped, not the last
            return _unused_rows(flat, n, seed, what)
        if len(batches) == n_expected - 1 and sizes == expected_sizes[:-1]:
            # rows 0..k-1 in an order not drawn for n rows: rng.permutation(n - j), cut to its
            # length, not a dropped last batch (that leaves out a random row, not the top ones)
            if (np.array_equal(np.sort(flat), np.arange(flat.size))
                    and not np.array_equal(flat, np.arange(flat.size))      # shuffled
                    and _drawn_order(flat, n, seed) is None):
                return _unused_rows(flat, n, seed, what)
            left = expected_sizes[-1]
            return (f"{what}: you return {len(batches)} batches, expected {n_expected}: the "
                    f"last, smaller batch of {left} is missing, so {left} "
                    f"{'row is' if left == 1 else 'rows are'} never used. Keep it: the "
                    f"last batch may be smaller")
        direction = "one batch too few" if len(batches) == n_expected - 1 else (
            "one batch too many" if len(batches) == n_expected + 1 else "the wrong number")
        return (f"{what}: you return {len(batches)} batches (sizes {_listing(sizes)}), "
                f"expected {n_expected} (ceil({n}/{batch_size})): {direction}"
                f"{_split_kind(batches, n, seed)}")
    if flat.size != n:
        return _unused_rows(flat, n, seed, what)
    if sizes != expected_sizes:
        order = ""
        if sorted(sizes) == sorted(expected_sizes):
            # fixed blocks taken in a shuffled order, the short one among them: name the blocks
            fixed = fixed_batches([batches])
            if fixed:
                return f"{what}: {fixed}. {_SHUFFLE_ALL}"
            short = min(range(len(sizes)), key=lambda k: sizes[k])
            order = (f" (the right sizes, in another order: the batch of {sizes[short]} is "
                     f"batch {short + 1} of {len(sizes)}; cut from the start, so that the "
                     f"smaller batch comes last)")
        return (f"{what}: batch sizes {_listing(sizes)}, expected {_listing(expected_sizes)}: "
                f"every batch has batch_size rows except the last, which holds what is left"
                f"{order}{_split_kind(batches, n, seed)}")
    return None


def _randomness(fn):
    """None if the batches are a random order drawn from the given generator, else why not."""
    n, size = _RANDOM_CASE
    what = f"your minibatch_indices({n}, {size}, rng)"
    runs = []
    for seed in (_SEEDS[0], _SEEDS[0], _SEEDS[1]):
        batches, problem = _call(fn, n, size, np.random.default_rng(seed), what)
        if problem:
            return problem
        runs.append(batches)
    same = lambda a, b: len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b))
    first, again, other = runs
    flat = np.concatenate(first)
    if np.array_equal(flat, np.arange(n)):
        return (f"{what}: the batches are 0, 1, 2, ... in order: shuffle first, with "
                f"perm = rng.permutation(n), then cut perm into slices")
    fixed = fixed_batches([first])
    if fixed:
        return f"{what}: {fixed}. {_SHUFFLE_ALL}"
    if all((np.diff(b) > 0).all() for b in first):
        return (f"{what}: each batch holds its rows sorted (np.sort?); keep them in the "
                f"random order of the permutation, so that nothing about a batch depends on "
                f"the rows' numbering")
    if not same(first, again):
        return (f"{what}: two calls with generators made from the same seed gave different "
                f"batches: draw with the rng you are given (rng.permutation(n)), not "
                f"np.random, so that a seed reproduces a run")
    if same(first, other):
        return (f"{what}: generators made from two different seeds gave the same batches: "
                f"your function does not draw from the rng it is given (a fixed seed inside?). "
                f"Use rng.permutation(n)")
    rng = np.random.default_rng(_SEEDS[0])
    epochs = []
    for _ in range(2):
        batches, problem = _call(fn, n, size, rng, what)
        if problem:
            return problem
        epochs.append(batches)
    if same(*epochs):
        return (f"{what}: two calls with one generator, as in two epochs, gave the same "
                f"batches: draw from rng itself (not a copy of it), so that every epoch gets "
                f"a new order")
    fixed = fixed_batches(epochs)
    if fixed:
        return (f"{what}: two calls with one generator, as in two epochs: {fixed}. "
                f"{_SHUFFLE_ALL}")
    return None


_SHUFFLE_ALL = ("Shuffle all n rows first, perm = rng.permutation(n), then cut perm into "
                "consecutive slices perm[s:s + batch_size]")


def _grade(fn):
    for n, batch_size, seed in _CASES:
        problem = _structure(fn, n, batch_size, seed)
        if problem:
            return problem
    problem = _structure(fn, *_RANDOM_CASE, _SEEDS[0])
    return problem or _randomness(fn)


minibatch_indices = Exercise(
    "minibatch_indices", "Exercise 4a (the mini-batches of one epoch)", _grade,
    hints=["One epoch uses every row exactly once, in a random order. Shuffle once, then walk "
           "through the shuffled rows batch_size at a time.",
           "perm = rng.permutation(n) gives the shuffled rows. Batch k is the slice "
           "perm[k*batch_size:(k+1)*batch_size]; a slice past the end is simply shorter, so "
           "the last batch can be smaller. How many batches? ceil(n / batch_size).",
           "perm = rng.permutation(n); return [perm[s:s + batch_size] for s in "
           "range(0, n, batch_size)]"],
    reference=reference_minibatch_indices, answer_name="minibatch_indices")


# ---------------------------------------------------------------- exercise 4b: the whole loop
# The rings MLP trained with mini-batches by the learner's own loop (the notes' exercise 3 in
# full); its checker is built on the trainers' machinery in _training, shared with lessons 03, 05.
from ._training import train_minibatch  # noqa: E402

__all__ += ["train_minibatch"]
