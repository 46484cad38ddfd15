"""Lesson 07's exercises: the references pass, any right draw from the given generator passes
for every seed, the typical slips get their own message, a stub is "not attempted yet", and
nothing ever shows a traceback."""
import math

import numpy as np
import pytest

from lessonlib import exercises
from lessonlib.exercises import l07_initialisation as l07
from lessonlib.layers import init_weight
from lessonlib.recipes import l07_initialisation as recipe

INIT = exercises.weight_init
SCALE = exercises.activation_scale


def _std(scheme, n_in):
    return {"lecun": 1 / np.sqrt(n_in), "he": np.sqrt(2 / n_in)}[scheme]


# ---------------------------------------------------------------- exercise 7a

def test_init_reference_passes_and_matches_lessonlib():
    assert INIT.grade(INIT.reference) is None
    for scheme, init in (("lecun", "xavier"), ("he", "he")):    # lessonlib calls LeCun's "xavier"
        np.testing.assert_array_equal(
            INIT.reference(30, 20, scheme, np.random.default_rng(3)),
            init_weight(30, 20, init, rng=np.random.default_rng(3)))


@pytest.mark.parametrize("draw", ["normal", "standard_normal", "float32"])
def test_init_statistics_pass_for_every_seed(draw):
    """The tolerances hold for any right draw: 25 seeds of each large case, by three ways of
    drawing, all pass with room to spare (the checker itself uses one seed)."""
    worst = {"mean": 0.0, "std": 0.0, "kurtosis": 9.0}
    for seed in range(25):
        rng = np.random.default_rng(1000 + seed)
        for n_in, n_out, scheme in l07._LARGE:
            std = _std(scheme, n_in)
            if draw == "normal":
                W = rng.normal(0, std, (n_in, n_out))
            elif draw == "standard_normal":
                W = std * rng.standard_normal((n_in, n_out))
            else:
                W = np.float32(std) * rng.standard_normal((n_in, n_out), dtype=np.float32)
            assert l07._statistics_problem(W.astype(float), n_in, n_out, scheme, "W") is None
            worst["mean"] = max(worst["mean"], abs(W.mean()) / std)
            worst["std"] = max(worst["std"], abs(W.std() / std - 1))
            worst["kurtosis"] = min(worst["kurtosis"], np.mean(((W - W.mean()) / W.std()) ** 4))
    assert worst["mean"] < l07._MEAN_TOL / 2
    assert worst["std"] < l07._STD_RTOL / 3
    assert worst["kurtosis"] > l07._MIN_KURTOSIS + 0.2


def test_init_stub_is_not_attempted(capsys):
    def draw_weights(n_in, n_out, scheme, rng):
        raise NotImplementedError("Exercise 7a: ...")
    INIT.check(draw_weights)
    out = capsys.readouterr().out
    assert "not attempted yet" in out and "Traceback" not in out


def test_init_other_wrong_answers():
    assert "forget to `return`" in INIT.grade(lambda n_in, n_out, scheme, rng: None)
    assert "wrong shape: expected (n_in, n_out) = (3, 5), got (15,)" in INIT.grade(
        lambda n_in, n_out, scheme, rng: rng.normal(0, _std(scheme, n_in), n_in * n_out))
    msg = INIT.grade(lambda n_in, n_out, scheme, rng: rng.normal(0, 0.5, (n_in, n_out)))
    assert "should give about 0.07071" in msg and "std 0.4991" in msg
    assert "every weight is 0" in INIT.grade(lambda n_in, n_out, scheme, rng:
                                             np.zeros((n_in, n_out)))
    assert "mean" in INIT.grade(lambda n_in, n_out, scheme, rng:
                                rng.normal(0.02, _std(scheme, n_in), (n_in, n_out)))


def test_abs_of_a_normal_draw_is_not_blamed_on_rng_random():
    msg = INIT.grade(lambda n_in, n_out, scheme, rng:
                     np.abs(rng.normal(0, _std(scheme, n_in), (n_in, n_out))))
    assert "did you take abs?" in msg and "rng.random" not in msg


def test_init_crash_is_one_line(capsys):
    INIT.check(lambda n_in, n_out, scheme, rng: rng.normal(0, {"lecun": 1}[scheme], (n_in, n_out)))
    out = capsys.readouterr().out
    assert "KeyError" in out and "Traceback" not in out


# ---------------------------------------------------------------- exercise 7b

def test_scale_reference_passes_and_predicts_the_lessons_stacks():
    assert SCALE.grade(SCALE.reference) is None
    # the lesson's 5-layer ReLU stacks of 100 units: the predicted root mean square against
    # the measured one, within the spread of one draw of 5 random matrices (measured: 2-25 %)
    for init, tolerance in (("xavier", 0.3), ("he", 0.3), (1.0, 0.5)):
        h = recipe.layer_activations(init, "relu", 5, seed=0)[-1]
        measured = np.sqrt(np.mean(h ** 2))
        predicted = SCALE.reference(1.0, 5, 100, recipe.init_std(init), "relu")
        assert abs(np.log(measured / predicted)) < tolerance


def test_scale_stub_is_not_attempted(capsys):
    def predicted_rms(rms0, k, n, weight_std, activation):
        raise NotImplementedError("Exercise 7b: ...")
    SCALE.check(predicted_rms)
    assert "not attempted yet" in capsys.readouterr().out


def test_scale_other_wrong_answers():
    assert "forget to `return`" in SCALE.grade(lambda *a: None)
    assert "expected 2.38879, got 1" in SCALE.grade(lambda *a: 1.0)
    assert "wrong shape" in SCALE.grade(lambda r, k, n, w, a: [r, k])
    assert "one number, the last layer's" in SCALE.grade(lambda r, k, n, w, a: [r, k])


def test_hints_and_solutions(capsys):
    for ex in (INIT, SCALE):
        ex.hint()
        ex.hint(3)
        ex.solution()
    out = capsys.readouterr().out
    assert "Hint 1 of 3" in out and "Hint 3 of 3" in out
    assert "def draw_weights(n_in, n_out, scheme, rng)" in out
    assert "def predicted_rms(rms0, k, n, weight_std, activation)" in out


# ---------------------------------------------------------------- fairness tables

def _init_standard_normal(n_in, n_out, scheme, rng):
    std = np.sqrt(2 / n_in) if scheme == "he" else 1 / np.sqrt(n_in)
    return std * rng.standard_normal((n_in, n_out))


def _init_float32(n_in, n_out, scheme, rng):
    gain = np.float32(2 if scheme == "he" else 1)
    return np.sqrt(gain / np.float32(n_in)) * rng.standard_normal((n_in, n_out),
                                                                  dtype=np.float32)


def _init_transposed_draw(n_in, n_out, scheme, rng):
    std = math.sqrt({"lecun": 1, "he": 2}[scheme] / n_in)
    return rng.normal(scale=std, size=(n_out, n_in)).T


def _init_flat_then_reshape(n_in, n_out, scheme, rng):
    var = (2.0 if scheme == "he" else 1.0) / n_in
    return rng.normal(0, var ** 0.5, n_in * n_out).reshape(n_in, n_out)


def _init_lists(n_in, n_out, scheme, rng):
    std = _std(scheme, n_in)
    z = rng.standard_normal(n_in * n_out).tolist()
    return [[std * z[i * n_out + j] for j in range(n_out)] for i in range(n_in)]


def _init_in_place(n_in, n_out, scheme, rng):
    W = rng.standard_normal((n_in, n_out))
    W *= _std(scheme, n_in)
    return W


def _init_slip(kind):
    def draw_weights(n_in, n_out, scheme, rng):
        numerator = 2.0 if scheme == "he" else 1.0
        size = (n_in, n_out)
        if kind == "fan_out":
            return rng.normal(0, np.sqrt(numerator / n_out), size)
        if kind == "variance":
            return rng.normal(0, numerator / n_in, size)
        if kind == "uniform":
            a = np.sqrt(numerator / n_in)
            return rng.uniform(-a, a, size)
        if kind == "np.random":
            return np.sqrt(numerator / n_in) * np.random.standard_normal(size)
        if kind == "transposed":
            return rng.normal(0, np.sqrt(numerator / n_in), (n_out, n_in))
        if kind == "fan average":
            return rng.normal(0, np.sqrt(2 / (n_in + n_out)), size)
        if kind == "mean first":
            return rng.normal(np.sqrt(numerator / n_in), size=size)
        if kind == "fixed seed":
            return np.random.default_rng(0).normal(0, np.sqrt(numerator / n_in), size)
        if kind == "right std, uniform":
            a = np.sqrt(3 * numerator / n_in)
            return rng.uniform(-a, a, size)
        if kind == "abs":
            return np.abs(rng.normal(0, np.sqrt(numerator / n_in), size))
        if kind == "rng.random":
            return np.sqrt(numerator / n_in) * rng.random(size)
        if kind == "one column":
            return rng.normal(0, np.sqrt(numerator / n_in), (n_in, 1)) * np.ones((1, n_out))
    return draw_weights


def _scale_loop(rms0, k, n, weight_std, activation):
    mean_square = rms0 ** 2
    for _ in range(k):
        mean_square *= n * weight_std ** 2
        if activation == "relu":
            mean_square /= 2
    return math.sqrt(mean_square)


def _scale_float32(rms0, k, n, weight_std, activation):
    per_layer = np.float32(np.sqrt(n)) * np.float32(weight_std)
    if activation == "relu":
        per_layer /= np.float32(np.sqrt(2))
    return np.float32(rms0) * per_layer ** np.float32(k)


def _scale_logs(rms0, k, n, weight_std, activation):
    log_gain = np.log(n) + 2 * np.log(weight_std) - (np.log(2) if activation == "relu" else 0)
    return np.exp(np.log(rms0) + k / 2 * log_gain)


def _scale_product(rms0, k, n, weight_std, activation):
    factors = [math.sqrt(n) * weight_std * (math.sqrt(0.5) if activation == "relu" else 1)] * k
    return rms0 * np.prod(factors)          # np.prod([]) is 1.0: k = 0 works


def _scale_array(rms0, k, n, weight_std, activation):
    half = {"relu": 0.5, "linear": 1.0}[activation]
    return np.array(rms0 * np.sqrt((n * weight_std ** 2 * half) ** k))     # a 0-d array


def _scale_first_half_skipped(rms0, k, n, weight_std, activation):
    mean_square = rms0 ** 2
    for layer in range(k):           # a loop whose ReLU test misses the first layer
        mean_square *= n * weight_std ** 2 * (0.5 if activation == "relu" and layer > 0 else 1)
    return math.sqrt(mean_square)


def _scale_slip(kind):
    def predicted_rms(rms0, k, n, weight_std, activation):
        half = 0.5 if activation == "relu" else 1.0
        gain = n * weight_std ** 2 * half
        return {"no 1/2": rms0 * (n * weight_std ** 2) ** (k / 2),
                "relu x2": rms0 * (n * weight_std ** 2 / half) ** (k / 2),   # x2, not x1/2
                "mean square": rms0 ** 2 * gain ** k,
                "k - 1": rms0 * gain ** ((k - 1) / 2),
                "k + 1": rms0 * gain ** ((k + 1) / 2),
                "halves the rms": rms0 * (np.sqrt(n) * weight_std * half) ** k,
                "std as variance": rms0 * (n * weight_std * half) ** (k / 2),
                "no root per layer": rms0 * gain ** k,
                "always 1/2": rms0 * (n * weight_std ** 2 / 2) ** (k / 2),
                "k // 2": rms0 * gain ** (k // 2),
                "before the last ReLU": rms0 * math.sqrt(n * weight_std ** 2)
                * gain ** ((k - 1) / 2),
                "first 1/2 skipped": _scale_first_half_skipped(rms0, k, n, weight_std,
                                                               activation),
                "** k / 2": rms0 * gain ** k / 2,
                "the std": (rms0 * gain ** (k / 2) * math.sqrt(1 - 1 / math.pi)
                            if activation == "relu" and k > 0 else rms0 * gain ** (k / 2)),
                "every layer": [rms0 * gain ** (j / 2) for j in range(k + 1)]}[kind]
    return predicted_rms


FAIRNESS = {
    "weight_init": dict(
        right=[("the reference", INIT.reference),
               ("lessonlib's init_weight (its key for LeCun is \"xavier\")",
                lambda n_in, n_out, scheme, rng: init_weight(
                    n_in, n_out, {"lecun": "xavier"}.get(scheme, scheme), rng=rng)),
               ("std * rng.standard_normal", _init_standard_normal),
               ("float32 draws", _init_float32),
               ("an (n_out, n_in) draw, transposed", _init_transposed_draw),
               ("a flat draw, reshaped", _init_flat_then_reshape),
               ("a list of lists", _init_lists), ("scaled in place", _init_in_place)],
        slips=[("fan_out instead of fan_in", _init_slip("fan_out"), ["n_out", "fan-in"]),
               ("the variance as the std", _init_slip("variance"), "that is the variance"),
               ("uniform with the std as its limit", _init_slip("uniform"),
                ["uniform on", "sqrt(3)"]),
               ("np.random instead of rng", _init_slip("np.random"), "not np.random"),
               ("transposed shape", _init_slip("transposed"), "transposed"),
               ("Glorot's fan average", _init_slip("fan average"), "averages fan-in"),
               ("rng.normal(std, size=...)", _init_slip("mean first"), "takes the mean first"),
               ("a fixed seed inside", _init_slip("fixed seed"), "fixed seed"),
               ("uniform with the right std", _init_slip("right std, uniform"), "not normal"),
               ("np.abs of a normal draw", _init_slip("abs"),
                ["every weight is >= 0", "did you take abs?"]),
               ("rng.random, scaled", _init_slip("rng.random"),
                ["every weight is >= 0", "rng.random is uniform on [0, 1)"]),
               ("one column repeated for every unit", _init_slip("one column"),
                ["columns are the same", "stay equal", "Why random at all?"])]),
    "activation_scale": dict(
        right=[("the reference", SCALE.reference), ("a loop over the layers", _scale_loop),
               ("float32, sqrt per layer", _scale_float32), ("in logs", _scale_logs),
               ("np.prod of per-layer factors", _scale_product),
               ("a 0-d array, sqrt at the end", _scale_array)],
        slips=[("ReLU's 1/2 left out", _scale_slip("no 1/2"), "leaves out the ReLU's 1/2"),
               ("ReLU x2: He's 2 as the ReLU's factor", _scale_slip("relu x2"),
                ["ReLU x2", "He's 2", "is the cure", "keeps half"]),
               ("the mean square returned", _scale_slip("mean square"), "mean square"),
               ("k - 1 layers", _scale_slip("k - 1"), "one layer too few"),
               ("k + 1 layers", _scale_slip("k + 1"), "one layer too many"),
               ("the rms halved", _scale_slip("halves the rms"),
                "halves the root mean square"),
               ("weight_std as the variance", _scale_slip("std as variance"),
                "Var(w) = weight_std**2"),
               ("the variance factor on the rms", _scale_slip("no root per layer"),
                ["mean square", "root"]),
               ("1/2 for a linear layer too", _scale_slip("always 1/2"),
                "halves the mean square of a linear layer"),
               ("the rms of z_k, before the last ReLU", _scale_slip("before the last ReLU"),
                ["before the last ReLU", "in 5 of the 6 ReLU layers"]),
               ("the first layer's 1/2 skipped", _scale_slip("first 1/2 skipped"),
                ["skips one layer's 1/2", "the first one too"]),
               ("k // 2: integer division", _scale_slip("k // 2"),
                ["integer division", "3 // 2 = 1", "k / 2"]),
               ("factor ** k / 2: precedence", _scale_slip("** k / 2"),
                "** binds tighter than /"),
               ("the std of the ReLU outputs, not the rms", _scale_slip("the std"),
                ["standard deviation", "root mean square", "is 1.97229, expected 2.38879"]),
               ("every layer's rms, a list", _scale_slip("every layer"),
                ["expected (), got (7,)", "return one number, the last layer's"])]),
}
