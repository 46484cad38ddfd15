"""Lesson 13's exercises: the references pass and agree with MLP.forward_trace, a stub is "not
attempted yet", and the typical slips (batch statistics, no eps, no gamma, no bias, a missing
skip connection, x added to h_1, concatenation in the wrong order, softmax over the wrong axis,
...) are named, at the first recorded layer that differs or, with nothing recorded, from the
probabilities alone."""
import numpy as np
import pytest

import lessonlib
from lessonlib import exercises
from lessonlib.exercises import l13_inference as inference

BN = exercises.bn_inference
RES = exercises.residual_inference
DENSE = exercises.dense_inference
ALL = {"bn": BN, "residual": RES, "dense": DENSE}


# ---------------------------------------------------------------- a learner's function

def learner(kind, *, batch_stats=False, eps=1e-3, gamma=True, beta=True, bias=True,
            out_bias=True, skip=True, skip_x=False, newest_first=False, softmax="rows",
            record=("fc", "bn", "relu", "r", "concat", "softmax"), r_port=False,
            change_params=False, transposed_output=False, extra_names=()):
    """my_predict written the way a learner would, with the slips switched on by keyword.
    record: which kinds of layer it stores in trace (() = none)."""

    def my_predict(params, aux, x, trace=None):
        trace = {} if trace is None else trace

        def store(name, value):
            if name.rstrip("0123456789") in record or name == "softmax" and "softmax" in record:
                trace[name] = value

        n_hidden = sum(k.endswith("_weight") for k in params) - 1
        inp, r, hs = x, x, []
        for i in range(1, n_hidden + 1):
            W, b = params[f"fc{i}_weight"], params[f"fc{i}_bias"]
            z = inp @ W + (b if bias else 0.0)
            store(f"fc{i}", z)
            if kind == "bn":
                mean, var = aux[f"bn{i}_moving_mean"], aux[f"bn{i}_moving_var"]
                if batch_stats:
                    mean, var = z.mean(axis=0), z.var(axis=0)
                z = (z - mean) / np.sqrt(var + eps)
                z = (z * (params[f"bn{i}_gamma"] if gamma else 1.0)
                     + (params[f"bn{i}_beta"] if beta else 0.0))
                store(f"bn{i}", z)
            if r_port:                      # the notes' R code ported line by line
                h = z
                h[h < 0] = 0
            else:
                h = np.maximum(z, 0)
            store(f"relu{i}", h)
            if kind == "residual":
                if i == 1 and not skip_x:
                    r = h
                else:
                    r = h + r if skip else h
                if i > 1 or skip_x:
                    store(f"r{i}", r)
                inp = r
            elif kind == "dense":
                hs.append(h)
                inp = np.concatenate(hs[::-1] if newest_first else hs, axis=1)
                store(f"concat{i}", inp)
            else:
                inp = h
        out = n_hidden + 1
        if change_params:
            params[f"fc{out}_bias"] += 0.0 * params[f"fc{out}_bias"] + 1.0
            params[f"fc{out}_bias"] -= 1.0
        logits = inp @ params[f"fc{out}_weight"] + (params[f"fc{out}_bias"] if out_bias else 0.0)
        store(f"fc{out}", logits)
        if softmax == "rows":
            e = np.exp(logits)
            p = e / e.sum(axis=1, keepdims=True)
        elif softmax == "axis0":
            e = np.exp(logits)
            p = e / e.sum(axis=0)
        elif softmax == "whole":
            e = np.exp(logits)
            p = e / np.sum(e)
        else:
            p = logits
        store("softmax", p)
        for name in extra_names:
            trace[name] = p
        return p.T if transposed_output else p

    return my_predict


def silent(kind, **slips):
    return learner(kind, record=(), **slips)


# ---------------------------------------------------------------- references

@pytest.mark.parametrize("kind", list(ALL))
def test_references_and_learner_versions_pass(kind):
    ex = ALL[kind]
    assert ex.grade(ex.reference) is None
    assert ex.grade(learner(kind)) is None
    assert ex.grade(silent(kind)) is None


@pytest.mark.parametrize("kind", list(ALL))
def test_reference_matches_forward_trace_of_a_trained_model(kind):
    arch = inference.ARCHITECTURES[kind]
    X, y, X_test, _ = lessonlib.data.load_iris(seed=0)
    model = lessonlib.MLP(4, arch["hidden"], 3, connection=arch.get("connection", "plain"),
                          batch_norm=arch.get("batch_norm", False), seed=1)
    model.fit(X, y, lessonlib.Adam(lr=0.01), epochs=3, batch_size=20, seed=1)
    trace = {}
    probs = ALL[kind].reference(model.params, model.aux, X_test, trace=trace)
    expected = model.forward_trace(X_test)
    assert list(trace) == [name for name, _ in expected]
    for name, value in expected:
        np.testing.assert_allclose(trace[name], value, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(probs, model.predict_proba(X_test), rtol=1e-12)
    np.testing.assert_allclose(inference.slipped_forward(kind, model.params, model.aux,
                                                         X_test)["softmax"], probs, rtol=1e-12)


@pytest.mark.parametrize("kind", list(ALL))
def test_every_known_slip_changes_the_result(kind):
    model, x, expected = inference._grading_case(kind)
    for slip in inference.GLOBAL_SLIPS[kind]:
        p = inference.slipped_forward(kind, model.params, model.aux, x, slip)["softmax"]
        assert np.abs(p - expected["softmax"]).max() > 1e-4, slip
    for name in expected:
        for slip, v in inference._local_variants(kind, name, expected, model.params, model.aux, x):
            assert v.shape != expected[name].shape or not np.allclose(v, expected[name],
                                                                      rtol=1e-4), (name, slip)


@pytest.mark.parametrize("kind", list(ALL))
def test_stub_is_not_attempted(kind, capsys):
    def stub(params, aux, x, trace=None):
        trace = {} if trace is None else trace
        raise NotImplementedError("Exercise 13: write it here")
    ALL[kind].check(stub)
    out = capsys.readouterr().out
    assert "not attempted yet" in out and "Traceback" not in out


def test_check_hints_and_solution(capsys):
    for ex in ALL.values():
        ex.check(ex.reference)
        assert len(ex.hints) == 3
        ex.hint(3)
        ex.solution()
    out = capsys.readouterr().out
    assert out.count("correct! Well done.") == 3 and "Hint 3 of 3" in out
    assert "def reference_bn_predict" in out and "aux[f\"bn{i}_moving_mean\"]" in out
    assert "def reference_dense_predict" in out and "np.concatenate(hs, axis=1)" in out


# ---------------------------------------------------------------- batch norm

def test_batch_statistics_instead_of_moving_ones():
    msg = BN.grade(learner("bn", batch_stats=True))
    assert msg.startswith("the first layer that differs from the model's is bn1 (the layer you "
                          "recorded before it matches). It normalises with the mean and variance")
    assert "mean and variance of the flowers in x" in msg and "aux['bn1_moving_mean']" in msg
    msg = BN.grade(silent("bn", batch_stats=True))
    assert msg.startswith("your probabilities differ from the model's (largest difference")
    assert "They are what you get when batch norm normalises with the mean and variance" in msg
    assert "You recorded no layer in `trace`, so only the probabilities were compared" in msg


def test_forgetting_eps():
    msg = BN.grade(learner("bn", eps=0.0))
    assert msg.startswith("the first layer that differs from the model's is bn1")
    assert "The eps is missing" in msg
    assert "eps = 0.001" in msg
    msg = BN.grade(silent("bn", eps=0.0))
    assert "They are what you get when the eps is missing" in msg
    assert "aux['bn{i}_moving_var']" in msg


def test_forgetting_gamma_or_beta():
    msg = BN.grade(learner("bn", gamma=False))
    assert msg.startswith("the first layer that differs from the model's is bn1")
    assert "Gamma is missing" in msg
    assert "this network learned its gammas" in msg
    assert "They are what you get when gamma is missing" in BN.grade(silent("bn", gamma=False))
    assert "Beta is missing" in BN.grade(learner("bn", beta=False))


def test_a_slip_before_the_first_recorded_layer_is_pointed_at():
    msg = BN.grade(learner("bn", bias=False, record=("relu",)))
    assert msg.startswith("the first layer that differs from the model's is relu1. It should be "
                          "relu1 = np.maximum(bn1, 0)")
    assert "You did not record the layers before it (fc1, bn1), so the slip may be there" in msg


def test_only_bn_recorded_still_finds_batch_norm_slips():
    msg = BN.grade(learner("bn", eps=0.0, record=("bn",)))
    assert msg.startswith("the first layer that differs from the model's is bn1")
    assert "The eps is missing" in msg


# ---------------------------------------------------------------- biases (all three networks)

@pytest.mark.parametrize("kind", list(ALL))
def test_forgetting_the_bias(kind):
    msg = ALL[kind].grade(learner(kind, bias=False))
    assert msg.startswith("the first layer that differs from the model's is fc1. It has no bias: "
                          "fc1 = input @ params['fc1_weight'] + params['fc1_bias']. (Largest")
    assert "It has no bias: fc1 = input @ params['fc1_weight'] + params['fc1_bias']" in msg
    msg = ALL[kind].grade(silent(kind, bias=False))
    assert "They are what you get when the biases are missing" in msg


@pytest.mark.parametrize("kind, out", [("bn", 8), ("residual", 7), ("dense", 7)])
def test_forgetting_only_the_output_bias(kind, out):
    msg = ALL[kind].grade(learner(kind, out_bias=False))
    assert msg.startswith(f"the first layer that differs from the model's is fc{out}")
    assert "It has no bias" in msg
    msg = ALL[kind].grade(silent(kind, out_bias=False))
    assert "when the output layer's bias is missing" in msg


# ---------------------------------------------------------------- residual

def test_missing_skip_connection():
    msg = RES.grade(learner("residual", skip=False))
    assert msg.startswith("the first layer that differs from the model's is r2")
    assert "It is relu2 alone: the skip connection is missing; r2 = relu2 + relu1" in msg
    msg = RES.grade(learner("residual", skip=False, record=("fc", "relu")))
    assert msg.startswith("the first layer that differs from the model's is fc3")
    assert "It reads relu2 alone: the skip connection is missing" in msg
    msg = RES.grade(silent("residual", skip=False))
    assert "They are what you get when the skip connections are missing" in msg


def test_adding_x_to_h1():
    for fn in (learner("residual", skip_x=True), silent("residual", skip_x=True)):
        msg = RES.grade(fn)
        assert msg.startswith("your function raised ValueError")
        assert "no skip on layer 1" in msg and "x (4 columns) added to h_1 (3 columns)" in msg


def test_a_wrong_r1_is_named():
    def wrong_r1(params, aux, x, trace=None):
        trace = {} if trace is None else trace
        probs = RES.reference(params, aux, x, trace)
        trace["r1"] = trace["relu1"] + 1.0
        return probs
    assert "trace['r1'] is not relu1: this network has no skip on layer 1" in RES.grade(wrong_r1)

    def right_r1(params, aux, x, trace=None):
        trace = {} if trace is None else trace
        probs = RES.reference(params, aux, x, trace)
        trace["r1"] = trace["relu1"]
        return probs
    assert RES.grade(right_r1) is None


# ---------------------------------------------------------------- dense

def test_concatenation_in_the_wrong_order():
    msg = DENSE.grade(learner("dense", newest_first=True))
    assert msg.startswith("the first layer that differs from the model's is concat2")
    assert "It has the right columns in the wrong order: the oldest layer comes first" in msg
    msg = DENSE.grade(learner("dense", newest_first=True, record=("fc",)))
    assert msg.startswith("the first layer that differs from the model's is fc3")
    assert "It reads the concatenation in the wrong order" in msg
    msg = DENSE.grade(silent("dense", newest_first=True))
    assert "They are what you get when the concatenations are in the wrong order" in msg


def test_dense_shape_errors_get_the_widths():
    def no_concat(params, aux, x, trace=None):
        h = x
        for i in range(1, 7):
            h = np.maximum(h @ params[f"fc{i}_weight"] + params[f"fc{i}_bias"], 0)
        return h @ params["fc7_weight"]
    msg = DENSE.grade(no_concat)
    assert msg.startswith("your function raised ValueError") and "fc3 7" in msg


# ---------------------------------------------------------------- softmax and the output

@pytest.mark.parametrize("kind", list(ALL))
def test_softmax_over_the_wrong_axis(kind):
    msg = ALL[kind].grade(learner(kind, softmax="axis0"))
    assert msg.startswith("the first layer that differs from the model's is softmax")
    assert "The softmax runs down the columns (axis=0, across flowers)" in msg
    msg = ALL[kind].grade(silent(kind, softmax="axis0"))
    assert "They are what you get when the softmax runs down the columns" in msg
    msg = ALL[kind].grade(silent(kind, softmax="whole"))
    assert "softmax is taken over the whole batch at once" in msg


def test_returning_the_logits():
    msg = BN.grade(learner("bn", softmax="none", record=("fc", "bn", "relu")))
    assert msg.startswith("every layer you recorded matches (22 of them), but your probabilities")
    assert "They are what you get when you returned the logits fc8" in msg
    assert "you returned the logits fc8" in BN.grade(silent("bn", softmax="none"))


def test_output_shape_slips():
    msg = BN.grade(learner("bn", transposed_output=True))
    assert "have shape (3, 9), transposed" in msg
    msg = BN.grade(lambda params, aux, x, trace=None: BN.reference(params, aux, x)[0])
    assert "returned shape (3,) for x of shape (9, 4)" in msg
    assert "did you forget to `return`" in BN.grade(lambda params, aux, x: None)


# ---------------------------------------------------------------- NumPy habits

def test_r_code_ported_line_by_line_changes_a_stored_array():
    msg = BN.grade(learner("bn", r_port=True))
    assert msg.startswith("the first layer that differs from the model's is bn1")
    assert "Your trace['bn1'] holds max(bn1, 0): the array was changed after you stored it" in msg
    msg = RES.grade(learner("residual", r_port=True))
    assert "trace['fc1'] holds max(fc1, 0)" in msg
    assert RES.grade(learner("residual", r_port=True, record=("relu", "r"))) is None


def test_changing_params_in_place_is_named():
    msg = BN.grade(learner("bn", change_params=True))
    assert msg.startswith("the probabilities are right, but your function changed "
                          "params['fc8_bias']")


def test_unknown_trace_names_and_wrong_shapes():
    msg = RES.grade(learner("residual", skip=False, extra_names=("plus2", "h1")))
    assert "Not compared: 'plus2', 'h1', as this network has no layer of that name" in msg
    assert "fc1, relu1, fc2, relu2, r2" in msg

    def one_row(params, aux, x, trace=None):
        probs = BN.reference(params, aux, x, trace)
        trace["bn2"] = trace["bn2"][0]
        return probs
    msg = BN.grade(one_row)
    assert msg.startswith("trace['bn2'] has shape (10,); expected (9, 10), one row per flower")


def test_function_without_trace_argument_is_graded_on_its_output(capsys):
    def no_trace(params, aux, x):
        return RES.reference(params, aux, x)
    assert RES.grade(no_trace) is None
    RES.check(lambda params, aux, x: 1 / 0)
    out = capsys.readouterr().out
    assert "ZeroDivisionError" in out and "Traceback" not in out


# ---------------------------------------------------------------- side by side

def test_side_by_side(capsys):
    model, x, _ = inference._grading_case("bn")

    def stub(params, aux, x, trace=None):
        raise NotImplementedError
    inference.side_by_side(stub, model, x[:1])
    out = capsys.readouterr().out
    assert "model.predict_proba" in out and "not written yet" in out and "setosa" in out
    inference.side_by_side(BN.reference, model, x[:2])
    out = capsys.readouterr().out
    assert "flower 1" in out and "largest difference: " in out
    inference.side_by_side(lambda p, a, x: 1 / 0, model, x[:1])
    assert "raised ZeroDivisionError" in capsys.readouterr().out
