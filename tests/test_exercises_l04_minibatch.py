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
        raise NotImplementedError("Exercise 3: write the mini-batches here")
    EX.check(stub)
    out = capsys.readouterr().out
    assert "not attempted yet" in out and "Traceback" not in out


@pytest.mark.parametrize("slip", ["with replacement", "choice per batch",
                                  "new permutation per batch"])
def test_repeats_are_sampling_with_replacement(slip):
    msg = EX.grade(lambda *a: _batches(*a, slip=slip))
    assert "sampling with replacement" in msg and "appears" in msg


def test_dropped_last_batch():
    msg = EX.grade(lambda *a: _batches(*a, slip="drop last"))
    assert "the last, smaller batch of 1 is missing" in msg and "expected 4" in msg


def test_off_by_one_batch_count():
    assert "is empty" in EX.grade(lambda *a: _batches(*a, slip="one too many"))
    msg = EX.grade(lambda *a: _batches(*a, slip="one too few"))
    assert "missing" in msg and "you return 3 batches, expected 4" in msg


def test_wrong_order():
    assert "0, 1, 2, ... in order" in EX.grade(lambda *a: _batches(*a, slip="no shuffle"))
    assert "sorted" in EX.grade(lambda *a: _batches(*a, slip="sorted"))
    msg = EX.grade(lambda *a: _batches(*a, slip="choice without replacement"))
    assert "not in the order of rng.permutation(10)" in msg
    assert "batch sizes [1, 3, 3, 3], expected [3, 3, 3, 1]" in EX.grade(
        lambda *a: _batches(*a, slip="reversed"))


def test_global_random_state_is_caught():
    np.random.seed(0)
    assert "the rng you are given" in EX.grade(lambda *a: _batches(*a, slip="global rng"))


def test_return_format_problems():
    assert "forget to `return`" in EX.grade(lambda n, bs, rng: None)
    assert "one flat array" in EX.grade(lambda n, bs, rng: rng.permutation(n))
    assert "single number" in EX.grade(lambda n, bs, rng: list(rng.permutation(n)))
    assert "whole numbers" in EX.grade(
        lambda n, bs, rng: [b + 0.5 for b in _batches(n, bs, rng)])
    assert EX.grade(lambda n, bs, rng: [b.astype(float) for b in _batches(n, bs, rng)]) is None
    assert "out of range" in EX.grade(lambda n, bs, rng: [b + 1 for b in _batches(n, bs, rng)])


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
    assert "def reference_minibatch_indices" in out


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
