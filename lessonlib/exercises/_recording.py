"""What a learner's mini-batch trainer did with its rng and its X, read without asking them.

``RecordingGenerator`` is ``np.random.default_rng(seed)`` that notes every draw; ``RowLog`` is X
noting every block of rows taken from it. From these, ``Trace`` gives the batches the trainer
used (``RowLog.batches``) and the draws, ``orders_from`` the epoch orders among the draws, and
``epochs_of`` the batches grouped into epochs. The trainer checker (``_training.py``) replays
lessonlib on the learner's own orders, so any valid way of shuffling passes.
"""
import numpy as np


# ---------------------------------------------------------------- a generator that keeps notes

class RecordingGenerator(np.random.Generator):
    """np.random.default_rng(seed) that writes down what it draws: ``draws`` is a list of
    (method, result) for every drawing method (permutation, choice, integers, random,
    uniform, standard_normal, ...; for shuffle the array after shuffling; a method that calls
    another one, as permutation calls shuffle, is noted once), and ``advanced`` tells whether
    the state of its bit generator moved at all. Everything else works as in any Generator."""

    def __init__(self, seed):
        super().__init__(np.random.PCG64(seed))
        self.draws = []
        self._depth = 0
        self._start = self.bit_generator.state

    @property
    def advanced(self):
        """True once anything was drawn, by whatever method."""
        return self.bit_generator.state != self._start

    def _call(self, method, *args, **kwargs):
        self._depth += 1
        try:
            value = getattr(super(), method)(*args, **kwargs)
        finally:
            self._depth -= 1
        if self._depth == 0:
            noted = args[0] if method == "shuffle" else value
            try:
                self.draws.append((method, np.array(noted, copy=True)))
            except (TypeError, ValueError):
                pass
        return value


def _recorded(method):
    def draw(self, *args, **kwargs):
        return self._call(method, *args, **kwargs)
    draw.__name__ = method
    draw.__doc__ = getattr(np.random.Generator, method).__doc__
    return draw


for _method in dir(np.random.Generator):
    if not _method.startswith("_") and _method not in ("bit_generator", "spawn") \
            and callable(getattr(np.random.Generator, _method)):
        setattr(RecordingGenerator, _method, _recorded(_method))


def orders_from(draws, n, X=None, y=None):
    """(the epoch orders found among the draws, the other draws as (method, value)). An order
    is a permutation of 0..n-1, the argsort of n random numbers (rng.random(n), rng.uniform(
    size=n), rng.standard_normal(n), ..., or n single draws in a row: sorted(range(n),
    key=lambda _: rng.random())), or, with X given, the rows of an array that holds X
    and more columns (np.column_stack([X, y]) shuffled whole), or, with X and y given, X shuffled
    whole and then y in the same order (the generator's state restored in between): then the
    order of X's rows from the start."""
    orders, others, paired = [], [], set()
    scalars = []                # one random number per row, drawn one at a time (a sort key)
    for k, (method, value) in enumerate(draws):
        value = np.asarray(value)
        if k in paired:
            continue
        if value.ndim == 0 and value.dtype.kind == "f":
            scalars.append((method, float(value)))
            if len(scalars) == n:
                orders.append(np.argsort([v for _, v in scalars], kind="stable"))
                scalars = []
            continue
        others += [(m, np.asarray(v)) for m, v in scalars]
        scalars = []
        if X is not None and y is not None and value.shape == X.shape and value.ndim == 2 \
                and value.dtype.kind == "f" and k + 1 < len(draws):
            rows = rows_of(X, value)
            following = np.asarray(draws[k + 1][1])
            if rows is not None and np.array_equal(np.sort(rows), np.arange(n)) \
                    and following.shape == np.shape(y) \
                    and np.array_equal(following, np.asarray(y)[rows]):
                orders.append(rows)         # X, then y, shuffled in the same order
                paired.add(k + 1)
                continue
        if value.size == n and value.dtype.kind == "f" and max(value.shape, default=0) == n:
            orders.append(np.argsort(value.ravel(), kind="stable"))
        elif value.ndim == 1 and len(value) == n and np.issubdtype(value.dtype, np.integer) \
                and np.array_equal(np.sort(value), np.arange(n)):
            orders.append(value.astype(np.int64))
        elif X is not None and value.ndim == 2 and value.shape[0] == n \
                and value.shape[1] > X.shape[1] and value.dtype.kind == "f":
            rows = rows_of(X, value[:, :X.shape[1]])
            if rows is not None and np.array_equal(np.sort(rows), np.arange(n)):
                orders.append(rows)
            else:
                others.append((method, value))
        else:
            others.append((method, value))
    others += [(m, np.asarray(v)) for m, v in scalars]
    return orders, others


# ---------------------------------------------------------------- an X that keeps notes

class RowLog(np.ndarray):
    """X as the learner's trainer gets it: an ndarray that notes every block of rows (2-D, X's
    number of columns) taken from it, or from an array taken from it, by indexing, slicing or
    ``take``. Arithmetic on it gives plain arrays, so nothing else changes. The notes are in
    ``log``, shared by every array taken from X: "blocks" (copies, in the order taken) and
    "parents" (the numbers of the blocks that rows were taken from: not batches themselves)."""

    def __new__(cls, X):
        obj = np.array(X, dtype=np.float64, copy=True).view(cls)
        obj._log = {"columns": obj.shape[1], "blocks": [], "parents": set()}
        obj._block = None
        return obj

    def __array_finalize__(self, obj):
        self._log = getattr(obj, "_log", None)
        self._block = None

    def _note(self, result):
        log = self._log
        if isinstance(result, RowLog) and log is not None and result.ndim == 2 \
                and result.shape[1] == log["columns"] and len(result):
            if self._block is not None:
                log["parents"].add(self._block)
            result._block = len(log["blocks"])
            log["blocks"].append(np.array(result.view(np.ndarray), dtype=np.float64))
        return result

    def __getitem__(self, key):
        return self._note(super().__getitem__(key))

    def take(self, *args, **kwargs):
        return self._note(super().take(*args, **kwargs))

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        plain = lambda a: a.view(np.ndarray) if isinstance(a, RowLog) else a
        if "out" in kwargs:
            kwargs["out"] = tuple(plain(a) for a in kwargs["out"])
        return getattr(ufunc, method)(*(plain(a) for a in inputs), **kwargs)

    def batches(self, X):
        """The batches the learner's code took from X, in order, as index arrays into X: the
        blocks no other block was taken from (X[order] then X_perm[s:e]: the slices), a block
        taken twice in a row noted once; None if a block's rows are not rows of X."""
        log = self._log
        out = []
        for k, block in enumerate(log["blocks"]):
            if k in log["parents"]:
                continue
            rows = rows_of(X, block)
            if rows is None:
                return None
            if not (out and np.array_equal(out[-1], rows)):
                out.append(rows)
        return out


def rows_of(X, block):
    """The index in X of every row of block (matched to float32 precision), or None if one is
    not a row of X."""
    X = np.asarray(X, dtype=np.float64)
    block = np.asarray(block, dtype=np.float64)
    if block.ndim != 2 or block.shape[1] != X.shape[1] or not np.isfinite(block).all():
        return None
    gap = np.abs(block[:, None, :] - X[None, :, :]).max(axis=2)       # (rows, n)
    rows = gap.argmin(axis=1)
    if (gap[np.arange(len(rows)), rows] > 1e-5 * (1.0 + np.abs(X).max())).any():
        return None
    return rows


def epochs_of(batches, n, epochs):
    """The batches grouped into epochs, [[idx, ...], ...], when they are ``epochs`` runs of
    batches that each use every row exactly once; else None."""
    if not batches:
        return None
    out, current, count = [], [], 0
    for idx in batches:
        current.append(idx)
        count += len(idx)
        if count > n:
            return None
        if count == n:
            if not np.array_equal(np.sort(np.concatenate(current)), np.arange(n)):
                return None
            out.append(current)
            current, count = [], 0
    return out if not current and len(out) == epochs else None


class Trace:
    """What a mini-batch trainer did with its rng and its X."""

    def __init__(self, rng, X_given, X):
        self.draws = rng.draws
        self.advanced = rng.advanced
        self.batches = X_given.batches(X)
