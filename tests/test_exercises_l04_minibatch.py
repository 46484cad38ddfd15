"""Lesson 04's exercise: the reference passes, the typical slips get their own message, a stub
is "not attempted yet", and nothing ever shows a traceback."""
import numpy as np
import pytest

from lessonlib import exercises
from lessonlib.data import batch_indices

EX = exercises.minibatch_indices


def _batches(n, batch_size, rng, *, slip=None):
    if slip == "with replacement":
        return [rng.integers(0, n, size=min(batch_size, n - s)) for s in range(0, n, batch_size)]
    if slip == "choice per batch":
        return [rng.choice(n, size=min(batch_size, n - s)) for s in range(0, n, batch_size)]
    if slip == "new permutation per batch":
        return [rng.permutation(n)[:min(batch_size, n - s)] for s in range(0, n, batch_size)]
    if slip == "choice without replacement per batch":
        return [rng.choice(n, size=min(batch_size, n - s), replace=False)
                for s in range(0, n, batch_size)]
    if slip == "no shuffle":
        perm = np.arange(n)
    elif slip == "global rng":
        perm = np.random.permutation(n)
    elif slip == "choice without replacement":
        perm = rng.choice(n, size=n, replace=False)
    else:
        perm = rng.permutation(n)
    if slip == "drop last":
        return [perm[k * batch_size:(k + 1) * batch_size] for k in range(n // batch_size)]
    if slip == "one too many":
        return [perm[k * batch_size:(k + 1) * batch_size] for k in range(n // batch_size + 1)]
    if slip == "one too few":
        return [perm[s:s + batch_size] for s in range(0, n, batch_size)][:-1] + []
    if slip == "sorted":
        return [np.sort(perm[s:s + batch_size]) for s in range(0, n, batch_size)]
    if slip == "reversed":
        return [perm[s:s + batch_size] for s in range(0, n, batch_size)][::-1]
    n_batches = -(-n // batch_size)
    if slip == "strided":
        return [perm[k::n_batches] for k in range(n_batches)]
    if slip == "array_split":
        return np.array_split(perm, n_batches)
    if slip == "2-D reshape":
        return perm[:n // batch_size * batch_size].reshape(-1, batch_size)
    if slip == "reshape":
        return perm.reshape(-1, batch_size)
    return [perm[s:s + batch_size] for s in range(0, n, batch_size)]


def test_reference_passes_and_matches_lessonlib():
    assert EX.grade(EX.reference) is None
    assert EX.grade(_batches) is None
    assert EX.grade(lambda n, bs, rng: batch_indices(n, bs, rng)) is None     # a generator
    for n, bs in [(10, 3), (12, 4), (7, 10)]:
        got = EX.reference(n, bs, np.random.default_rng(5))
        want = list(batch_indices(n, bs, np.random.default_rng(5)))
        assert len(got) == len(want) and all(np.array_equal(a, b) for a, b in zip(got, want))


def test_shuffle_of_arange_also_passes():
    def shuffled(n, batch_size, rng):
        perm = np.arange(n)
        rng.shuffle(perm)
        return [perm[s:s + batch_size].tolist() for s in range(0, n, batch_size)]
    assert EX.grade(shuffled) is None


def test_stub_is_not_attempted(capsys):
    def stub(n, batch_size, rng):
        raise NotImplementedError("Exercise 4a: write the mini-batches here")
    EX.check(stub)
    out = capsys.readouterr().out
    assert "not attempted yet" in out and "Traceback" not in out


@pytest.mark.parametrize("slip", ["with replacement", "choice per batch"])
def test_repeats_are_sampling_with_replacement(slip):
    msg = EX.grade(lambda *a: _batches(*a, slip=slip))
    assert "sampling with replacement" in msg and "appears" in msg


@pytest.mark.parametrize("slip", ["new permutation per batch",
                                  "choice without replacement per batch"])
def test_repeats_across_batches_are_a_new_draw_per_batch(slip):
    msg = EX.grade(lambda *a: _batches(*a, slip=slip))
    assert "a new permutation (or a new draw) for every batch" in msg and "appears" in msg
    assert "with replacement" not in msg


def test_dropped_last_batch():
    msg = EX.grade(lambda *a: _batches(*a, slip="drop last"))
    assert "the last, smaller batch of 1 is missing" in msg and "expected 4" in msg


def test_off_by_one_batch_count():
    assert "is empty" in EX.grade(lambda *a: _batches(*a, slip="one too many"))
    msg = EX.grade(lambda *a: _batches(*a, slip="one too few"))
    assert "missing" in msg and "you return 3 batches, expected 4" in msg


def test_wrong_order():
    assert "0, 1, 2, ... in order" in EX.grade(lambda *a: _batches(*a, slip="no shuffle"))
    assert "each batch holds its rows sorted" in EX.grade(lambda *a: _batches(*a, slip="sorted"))
    msg = EX.grade(lambda *a: _batches(*a, slip="reversed"))
    assert "batch sizes [1, 3, 3, 3], expected [3, 3, 3, 1]" in msg
    assert "the smaller batch comes last" in msg


def test_any_permutation_drawn_from_rng_passes():
    """Properties, not one stream: every valid permutation drawn from the given rng passes."""
    assert EX.grade(lambda *a: _batches(*a, slip="choice without replacement")) is None

    def permuted(n, batch_size, rng):
        perm = rng.permuted(np.arange(n))
        return [perm[s:s + batch_size] for s in range(0, n, batch_size)]
    assert EX.grade(permuted) is None


def test_balanced_sizes_are_named():
    msg = EX.grade(lambda *a: _batches(*a, slip="strided"))
    assert "batch sizes [3, 3, 2, 2], expected [3, 3, 3, 1]" in msg
    assert "strided slices perm[j::4]" in msg
    assert "np.array_split(perm, 4) balances the sizes" in EX.grade(
        lambda *a: _batches(*a, slip="array_split"))

    def strided_choice(n, batch_size, rng):      # another draw: named by its sizes
        perm = rng.choice(n, n, replace=False)
        k = -(-n // batch_size)
        return [perm[j::k] for j in range(k)]
    assert "np.array_split(perm, 4) or strided slices perm[j::4]" in EX.grade(strided_choice)


def test_a_reshape_is_named():
    msg = EX.grade(lambda *a: _batches(*a, slip="2-D reshape"))
    assert "a 2-D array of shape (3, 3)" in msg and "the 1 left over is never used" in msg
    msg = EX.grade(lambda *a: _batches(*a, slip="reshape"))
    assert "raised ValueError: cannot reshape" in msg
    assert "works only when batch_size divides n; here 10 = 3 * 3 + 1" in msg


def test_a_2d_array_is_fine_when_batch_size_divides_n():
    from lessonlib.exercises.l04_minibatch import _structure
    reshaped = lambda n, bs, rng: rng.permutation(n).reshape(-1, bs)
    assert _structure(reshaped, 12, 4, 2) is None


def test_the_rng_must_be_the_source():
    fixed = lambda n, bs, rng: EX.reference(n, bs, np.random.default_rng(0))
    assert "two different seeds gave the same batches" in EX.grade(fixed)
    import copy
    copied = lambda n, bs, rng: EX.reference(n, bs, copy.deepcopy(rng))
    assert "two calls with one generator, as in two epochs" in EX.grade(copied)


def test_global_random_state_is_caught():
    np.random.seed(0)
    assert "the rng you are given" in EX.grade(lambda *a: _batches(*a, slip="global rng"))


def test_return_format_problems():
    assert "forget to `return`" in EX.grade(lambda n, bs, rng: None)
    assert "returned a dict" in EX.grade(lambda n, bs, rng: dict(enumerate(_batches(n, bs, rng))))
    assert "one flat array" in EX.grade(lambda n, bs, rng: rng.permutation(n))
    assert "single number" in EX.grade(lambda n, bs, rng: list(rng.permutation(n)))
    assert "whole numbers" in EX.grade(
        lambda n, bs, rng: [b + 0.5 for b in _batches(n, bs, rng)])
    assert EX.grade(lambda n, bs, rng: [b.astype(float) for b in _batches(n, bs, rng)]) is None
    msg = EX.grade(lambda n, bs, rng: [b + 1 for b in _batches(n, bs, rng)])
    assert "out of range" in msg and "(numbering from 1?)" in msg
    assert "numbering from 1" not in EX.grade(
        lambda n, bs, rng: [b + 2 for b in _batches(n, bs, rng)])


def test_learner_crash_is_one_line(capsys):
    EX.check(lambda n, bs, rng: rng.permutation(n)[n + 5])
    out = capsys.readouterr().out
    assert "IndexError" in out and "Traceback" not in out


def test_solution_and_hints_print(capsys):
    EX.hint()
    EX.hint(3)
    EX.solution()
    out = capsys.readouterr().out
    assert "Hint 1 of 3" in out and "Hint 3 of 3" in out
    assert "def minibatch_indices(n, batch_size, rng)" in out


def test_final_points_follows_sin_logistic_descend_seed_by_seed():
    """The lesson's side-by-side runs (recipes.l04_minibatch.final_points) are the runs of
    sin_logistic_descend, bit for bit, so the counts it prints are those of the real thing."""
    from lessonlib.data import make_sin_logistic
    from lessonlib.recipes.toys import sin_logistic_descend
    from lessonlib.optim import SGD
    from lessonlib.recipes.l04_minibatch import final_points
    X, y = make_sin_logistic(2, 3, n=200)
    seeds = [0, 3, 7]
    for bs, rho in [(1, 0.9), (30, 0.0), (64, 0.9), (200, 0.5)]:
        finals, losses = final_points(X, y, bs, seeds, lr=0.1, momentum=rho, steps=40)
        for k, s in enumerate(seeds):
            path, ref = sin_logistic_descend(X, y, SGD(lr=0.1, momentum=rho), 40, (0, 0), bs,
                                             seed=s)
            np.testing.assert_allclose(finals[k], path[-1], rtol=0, atol=1e-12)
            np.testing.assert_allclose(losses[k], ref[-1], rtol=0, atol=1e-12)


# ---------------------------------------------------------------- fairness table

def _cut(perm, batch_size):
    return [perm[s:s + batch_size] for s in range(0, len(perm), batch_size)]


def _shuffle_arange(n, batch_size, rng):
    rows = np.arange(n)
    rng.shuffle(rows)                       # in place, on its own array
    return _cut(rows, batch_size)


def _argsort_lists(n, batch_size, rng):
    return [b.tolist() for b in _cut(np.argsort(rng.random(n)), batch_size)]


def _python_loop(n, batch_size, rng):
    batches, current = [], []
    for row in rng.permutation(n).tolist():
        current.append(row)
        if len(current) == batch_size:
            batches.append(current)
            current = []
    return batches + ([current] if current else [])


def _split_at(n, batch_size, rng):
    return np.split(rng.choice(n, n, replace=False), range(batch_size, n, batch_size))


def _float_tuple(n, batch_size, rng):
    return tuple(b.astype(np.float32) for b in _cut(rng.permuted(np.arange(n)), batch_size))


FAIRNESS = {
    "minibatch_indices": dict(
        right=[("the reference", EX.reference),
               ("lessonlib's batch_indices, a generator", batch_indices),
               ("rng.choice(n, n, replace=False), np.split", _split_at),
               ("rng.permuted(np.arange(n)), a tuple of float32 arrays", _float_tuple),
               ("idx = np.arange(n); rng.shuffle(idx)", _shuffle_arange),
               ("argsort of rng.random(n), lists", _argsort_lists),
               ("a Python loop filling lists", _python_loop)],
        slips=[("with replacement", lambda *a: _batches(*a, slip="with replacement"),
                "sampling with replacement"),
               ("a new permutation per batch",
                lambda *a: _batches(*a, slip="new permutation per batch"),
                "a new permutation (or a new draw) for every batch"),
               ("last batch dropped", lambda *a: _batches(*a, slip="drop last"),
                "the last, smaller batch of 1 is missing"),
               ("one batch too many", lambda *a: _batches(*a, slip="one too many"),
                ["is empty", "one batch too many"]),
               ("np.random instead of rng", lambda *a: _batches(*a, slip="global rng"),
                ["the rng you are given", "not np.random"]),
               ("no shuffle", lambda *a: _batches(*a, slip="no shuffle"), "0, 1, 2, ... in order"),
               ("each batch sorted", lambda *a: _batches(*a, slip="sorted"),
                "each batch holds its rows sorted"),
               ("strided slices perm[k::n_batches]", lambda *a: _batches(*a, slip="strided"),
                "strided slices"),
               ("a 2-D array that drops the rest", lambda *a: _batches(*a, slip="2-D reshape"),
                ["2-D array", "never used"])]),
}


def _cut_slip(kind):
    """The slips of a fresh reader's cut: each gave "batch k is empty; ... one batch too many"
    with the right number of batches."""
    def minibatch_indices(n, batch_size, rng):
        perm = rng.permutation(n - 1 if kind.startswith("n - 1") else n)
        starts = range(1 if kind == "start 1" else 0, n - 1 if kind == "n - 1 twice" else n,
                       batch_size)
        if kind == "s:bs":
            return [perm[s:batch_size] for s in starts]
        if kind == "s*bs":
            return [perm[s * batch_size:(s + 1) * batch_size] for s in starts]
        return [perm[s:s + batch_size] for s in starts]
    return minibatch_indices


FAIRNESS["minibatch_indices"]["slips"] += [
    ("rng.permutation(n - 1)", _cut_slip("n - 1"),
     ["row 9, the last one", "rng.permutation(n), not rng.permutation(n - 1)"]),
    ("rng.permutation(n - 1) cut with range(0, n - 1, batch_size)", _cut_slip("n - 1 twice"),
     ["row 9, the last one", "rng.permutation(n), not rng.permutation(n - 1)"]),
    ("perm[s:batch_size], s + forgotten", _cut_slip("s:bs"),
     "each slice should start at s and end at s + batch_size"),
    ("perm[s*bs:(s+1)*bs] with s stepping by bs", _cut_slip("s*bs"),
     "s already moves by batch_size"),
    ("range(1, n, batch_size)", _cut_slip("start 1"),
     ["the first row of the permutation, perm[0]", "range(0, n, batch_size)"]),
]


def _fixed_blocks(how):
    """Fixed blocks of consecutive rows 0..bs-1, bs..2bs-1, ...: shuffled inside each block, or
    (all but the last, smaller one) taken in a shuffled order: every epoch the same batches."""
    def minibatch_indices(n, batch_size, rng):
        starts = range(0, n, batch_size)
        if how == "inside":
            return [rng.permutation(np.arange(s, min(s + batch_size, n))) for s in starts]
        if how == "all blocks":     # the short last block shuffled in with the others
            blocks = [np.arange(s, min(s + batch_size, n)) for s in starts]
            return [blocks[k] for k in rng.permutation(len(blocks))]
        full = [s for s in starts if s + batch_size <= n]
        return ([np.arange(full[k], full[k] + batch_size) for k in rng.permutation(len(full))]
                + ([np.arange(len(full) * batch_size, n)] if n % batch_size else []))
    return minibatch_indices


def _short_first(n, batch_size, rng):
    """The right rows, the batches cut from the end: the smaller batch comes first."""
    perm = rng.permutation(n)
    ends = range(n, 0, -batch_size)
    return [perm[max(e - batch_size, 0):e] for e in ends][::-1]


FAIRNESS["minibatch_indices"]["slips"] += [
    ("fixed blocks of consecutive rows, shuffled inside", _fixed_blocks("inside"),
     ["block of consecutive rows", "shuffled inside each block", "same batches",
      "Shuffle all n rows first"]),
    ("fixed blocks of consecutive rows, in a shuffled order", _fixed_blocks("order"),
     ["block of consecutive rows", "the blocks taken in a shuffled order", "same batches",
      "Shuffle all n rows first"]),
    ("fixed blocks in a shuffled order, the short block shuffled in too",
     _fixed_blocks("all blocks"),
     ["block of consecutive rows", "the blocks taken in a shuffled order", "same batches",
      "Shuffle all n rows first"]),
    ("the smaller batch first", _short_first,
     ["the right sizes, in another order", "is batch 1 of", "smaller batch comes last"]),
    ("rows numbered from 1", lambda n, bs, rng: [b + 1 for b in EX.reference(n, bs, rng)],
     ["out of range", "(numbering from 1?)"]),
]


def test_fixed_blocks_are_not_called_sorted():
    assert "sorted" not in EX.grade(_fixed_blocks("order"))


def test_the_same_sets_every_epoch_are_named():
    def fixed_partition(n, batch_size, rng):
        """One partition for good (a fixed seed), its batches in a new order from rng."""
        batches = EX.reference(n, batch_size, np.random.default_rng(0))
        return [batches[k] for k in rng.permutation(len(batches))]
    # its sizes are out of order on the small cases; on the large one the last batch is
    # kept last, so that only the sets give it away
    def last_kept(n, batch_size, rng):
        batches = EX.reference(n, batch_size, np.random.default_rng(0))
        head = [batches[k] for k in rng.permutation(len(batches) - 1)]
        return [rng.permutation(b) for b in head] + [batches[-1]]
    assert EX.grade(fixed_partition) is not None
    msg = EX.grade(last_kept)
    assert "every epoch has the same batches (the same sets of rows" in msg


def test_fixed_batches_ignores_what_cannot_tell():
    from lessonlib.exercises._training import fixed_batches
    assert fixed_batches([[np.arange(5)]]) is None                      # one batch
    assert fixed_batches([[np.array([k]) for k in range(5)]] * 2) is None  # batches of one
    rng = np.random.default_rng(0)
    assert fixed_batches([EX.reference(200, 16, rng) for _ in range(3)]) is None


@pytest.mark.parametrize("kind", ["n - 1", "s:bs", "s*bs"])
def test_too_many_only_when_there_are_too_many(kind):
    msg = EX.grade(_cut_slip(kind))
    assert "too many" not in msg and "is empty" in msg


def test_skipped_first_row_is_not_called_the_last_batch():
    msg = EX.grade(_cut_slip("start 1"))
    assert "last, smaller batch" not in msg

    def skip_first_choice(n, batch_size, rng):       # another draw: found as well
        perm = rng.choice(n, n, replace=False)
        return [perm[s:s + batch_size] for s in range(1, n, batch_size)]
    assert "perm[0]" in EX.grade(skip_first_choice)


def test_short_permutation_is_not_called_the_last_batch():
    """rng.permutation(n - 1) cut over its own length gives the right number of batches but
    one; on the first case (10, 3) the message names the short permutation, not a dropped last
    batch (a fresh reader's slip). A truly dropped last batch keeps its own message."""
    msg = EX.grade(_cut_slip("n - 1 twice"))
    assert msg.startswith("your minibatch_indices(10, 3, rng)"), msg
    assert "rng.permutation(n), not rng.permutation(n - 1)" in msg
    assert "last, smaller batch" not in msg
    assert "the last, smaller batch of 1 is missing" in EX.grade(
        lambda *a: _batches(*a, slip="drop last"))
