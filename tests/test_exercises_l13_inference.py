"""Lesson 13's exercises: the references pass and agree with MLP.forward_trace, a stub is "not
attempted yet", right probabilities pass whatever the trace holds, and the typical slips (batch
statistics, no eps, PyTorch's eps, no gamma, no bias, a missing skip connection, x added to h_1,
dense outputs added or concatenated on axis 0 or in the wrong order, softmax over the wrong axis,
a dict returned, ...) are named, at the first recorded layer that differs or, with nothing
recorded, from the probabilities alone."""
import re

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
            change_params=False, transposed_output=False, extra_names=(), concat="new_last",
            sum_in_place=False, normalise_in_place=False, bias_as="added", dtype=np.float64):
    """my_predict written the way a learner would, with the slips switched on by keyword.
    record: which kinds of layer it stores in trace (() = none); concat: how the dense net
    joins its outputs ("new_last", "add", "axis0", "with_x"); sum_in_place: the residual sum
    as `r = h` then `r += ...` (changes the stored h); normalise_in_place: batch norm done in
    place on the stored fc output; bias_as: "added", or the slips "subtracted" (input @ W - b)
    and "in_product" (input @ (W + b))."""

    def my_predict(params, aux, x, trace=None):
        trace = {} if trace is None else trace

        def store(name, value):
            if name.rstrip("0123456789") in record or name == "softmax" and "softmax" in record:
                trace[name] = value

        params = {k: v.astype(dtype, copy=False) for k, v in params.items()}
        aux = {k: v.astype(dtype, copy=False) for k, v in aux.items()}
        x = x.astype(dtype, copy=False)
        n_hidden = sum(k.endswith("_weight") for k in params) - 1
        inp, r, hs = x, x, []
        for i in range(1, n_hidden + 1):
            W, b = params[f"fc{i}_weight"], params[f"fc{i}_bias"]
            if bias_as == "subtracted":
                z = inp @ W - b
            elif bias_as == "in_product":
                z = inp @ (W + b)
            else:
                z = inp @ W + (b if bias else 0.0)
            store(f"fc{i}", z)
            if kind == "bn":
                mean, var = aux[f"bn{i}_moving_mean"], aux[f"bn{i}_moving_var"]
                if batch_stats:
                    mean, var = z.mean(axis=0), z.var(axis=0)
                g = params[f"bn{i}_gamma"] if gamma else 1.0
                bt = params[f"bn{i}_beta"] if beta else 0.0
                if normalise_in_place:
                    z -= mean
                    z /= np.sqrt(var + eps)
                    z *= g
                    z += bt
                else:
                    z = (z - mean) / np.sqrt(var + eps) * g + bt
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
                elif sum_in_place and skip:
                    r_prev, r = r, h
                    r += r_prev                 # h, stored as relu{i}, changes too
                else:
                    r = h + r if skip else h
                if i > 1 or skip_x:
                    store(f"r{i}", r)
                inp = r
            elif kind == "dense":
                hs.append(h)
                if concat == "add":
                    inp = h if i == 1 else inp + h
                elif concat == "axis0":
                    inp = np.concatenate(hs)
                elif concat == "with_x":
                    inp = np.concatenate([x] + hs, axis=1)
                else:
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
        elif softmax == "shifted":
            e = np.exp(logits - logits.max(axis=1, keepdims=True))
            p = e / e.sum(axis=1, keepdims=True)
        elif softmax == "axis0":
            e = np.exp(logits)
            p = e / e.sum(axis=0)
        elif softmax == "whole":
            e = np.exp(logits)
            p = e / np.sum(e)
        elif softmax == "log":                  # a log-softmax, written the stable way
            shifted = logits - logits.max(axis=1, keepdims=True)
            p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        elif softmax == "row_max_column_sum":
            e = np.exp(logits - logits.max(axis=1, keepdims=True))
            p = e / e.sum(axis=0, keepdims=True)
        elif softmax == "row_max_whole_sum":
            e = np.exp(logits - logits.max(axis=1, keepdims=True))
            p = e / e.sum()
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
    from lessonlib.exercises._kit import close
    model, x, expected = inference._grading_case(kind)
    for slip in inference.GLOBAL_SLIPS[kind]:
        p = inference.slipped_forward(kind, model.params, model.aux, x, slip)["softmax"]
        assert not close(p, expected["softmax"]), slip
    for name in expected:
        for slip, v in inference._local_variants(kind, name, expected, model.params, model.aux, x):
            assert not close(v, expected[name]), (name, slip)


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
    assert "def my_bn_predict" in out and "aux[f\"bn{i}_moving_mean\"]" in out
    assert "def my_dense_predict" in out and "np.concatenate(hs, axis=1)" in out
    assert "def my_residual_predict" in out and "reference" not in out


# ---------------------------------------------------------------- batch norm

def test_batch_statistics_instead_of_moving_ones():
    msg = BN.grade(learner("bn", batch_stats=True))
    assert msg.startswith("the first layer that differs from the model's is bn1 (the layer you "
                          "recorded before it matches). It normalises with the mean and variance")
    assert "mean and variance of the flowers in x" in msg and "aux['bn1_moving_mean']" in msg
    msg = BN.grade(silent("bn", batch_stats=True))
    assert msg.startswith("your probabilities differ from the model's (largest difference")
    assert "Your probabilities are what you get when batch norm normalises with the mean" in msg
    assert "You recorded no layer in the `trace` dict passed to your function" in msg


def test_forgetting_eps():
    msg = BN.grade(learner("bn", eps=0.0))
    assert msg.startswith("the first layer that differs from the model's is bn1")
    assert "The eps is missing" in msg
    assert "eps = 0.001" in msg
    msg = BN.grade(silent("bn", eps=0.0))
    assert "Your probabilities are what you get when the eps is missing" in msg
    assert "aux[f'bn{i}_moving_var']" in msg          # as the loop writes it: it pastes


def test_pytorch_eps():
    msg = BN.grade(learner("bn", eps=1e-5))
    assert msg.startswith("the first layer that differs from the model's is bn1")
    assert "The eps is 1e-5, PyTorch's default" in msg
    assert "eps is 1e-5, PyTorch's default" in BN.grade(silent("bn", eps=1e-5))


def test_forgetting_gamma_or_beta():
    msg = BN.grade(learner("bn", gamma=False))
    assert msg.startswith("the first layer that differs from the model's is bn1")
    assert "It has no gamma" in msg
    assert "this network learned its gammas" in msg
    assert "Your probabilities are what you get when the gammas are missing" in BN.grade(
        silent("bn", gamma=False))
    assert "It has no beta" in BN.grade(learner("bn", beta=False))


def test_a_slip_before_the_first_recorded_layer_is_pointed_at():
    msg = BN.grade(learner("bn", bias=False, record=("relu",)))
    assert msg.startswith("the first layer that differs from the model's is relu1: largest "
                          "difference")
    assert "your probabilities are what you get when the biases are missing" in msg

    def scaled_fc1(params, aux, x, trace=None):
        params = dict(params, fc1_weight=1.1 * params["fc1_weight"])
        probs = BN.reference(params, aux, x, trace)
        for name in [k for k in trace if not k.startswith("relu")]:
            del trace[name]
        return probs
    msg = BN.grade(scaled_fc1)
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
    if kind == "bn":        # 0 and 1 for every flower, as with the biases subtracted: a guess
        assert ("Your probabilities are 0 or 1 for every flower (within 1e-5), as they are when "
                "the biases are missing") in msg and "so that is only a guess" in msg
    else:
        assert "Your probabilities are what you get when the biases are missing" in msg


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
    assert "Your probabilities are what you get when the skip connections are missing" in msg


def test_adding_x_to_h1():
    for fn in (learner("residual", skip_x=True), silent("residual", skip_x=True)):
        msg = RES.grade(fn)
        assert msg.startswith("your function raised ValueError")
        assert "no skip on layer 1" in msg and "x (4 columns) added to h_1 (3 columns)" in msg


def test_a_trace_entry_never_fails_right_probabilities():
    def wrong_r1(params, aux, x, trace=None):
        trace = {} if trace is None else trace
        probs = RES.reference(params, aux, x, trace)
        trace["r1"] = trace["relu1"] + 1.0
        trace["fc3"] = "not an array"
        return probs
    assert RES.grade(wrong_r1) is None

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
    assert "It has the right columns in the wrong order" in msg
    msg = DENSE.grade(learner("dense", newest_first=True, record=("fc",)))
    assert msg.startswith("the first layer that differs from the model's is fc3")
    assert "It reads the concatenation in the wrong order" in msg
    assert "you put the new h_i before the earlier outputs" in msg
    assert "The old parts come first and the new h_i last" in msg
    msg = DENSE.grade(silent("dense", newest_first=True))
    assert "Your probabilities are what you get when the concatenations are in the wrong" in msg


def test_dense_shape_errors_get_the_widths():
    def no_concat(params, aux, x, trace=None):
        h = x
        for i in range(1, 7):
            h = np.maximum(h @ params[f"fc{i}_weight"] + params[f"fc{i}_bias"], 0)
        return h @ params["fc7_weight"]
    msg = DENSE.grade(no_concat)
    assert msg.startswith("your function raised ValueError")
    assert "fc3 reads 7 columns, but you gave it relu2 alone (4 columns)" in msg
    assert "concat2 = np.concatenate([relu1, relu2], axis=1)" in msg


@pytest.mark.parametrize("record", [(), ("fc", "relu", "concat")])
def test_dense_outputs_added_or_stacked_or_with_x(record):
    msg = DENSE.grade(learner("dense", concat="add", record=record))
    assert "a dense network does not add, it concatenates" in msg
    msg = DENSE.grade(learner("dense", concat="axis0", record=record))
    assert "That is a concatenation on axis 0" in msg and "axis=1" in msg
    msg = DENSE.grade(learner("dense", concat="with_x", record=record))
    assert "x (4 columns) is not part of the concatenation" in msg


def test_residual_outputs_concatenated():
    def concatenating(params, aux, x, trace=None):
        r = x
        for i in range(1, 7):
            h = np.maximum(r @ params[f"fc{i}_weight"] + params[f"fc{i}_bias"], 0)
            r = h if i == 1 else np.concatenate([r, h], axis=1)
        return r @ params["fc7_weight"]
    assert "did you concatenate? A residual network adds" in RES.grade(concatenating)


# ---------------------------------------------------------------- softmax and the output

@pytest.mark.parametrize("kind", list(ALL))
def test_softmax_over_the_wrong_axis(kind):
    msg = ALL[kind].grade(learner(kind, softmax="axis0"))
    assert msg.startswith("the first layer that differs from the model's is softmax")
    assert "The softmax runs down the columns (axis=0, across flowers)" in msg
    msg = ALL[kind].grade(silent(kind, softmax="axis0"))
    assert "Your probabilities are what you get when the softmax runs down the columns" in msg
    msg = ALL[kind].grade(silent(kind, softmax="whole"))
    assert "softmax is taken over the whole batch at once" in msg


def test_returning_the_logits():
    msg = BN.grade(learner("bn", softmax="none", record=("fc", "bn", "relu")))
    assert msg.startswith("every layer you recorded matches (22 of them), but your probabilities")
    assert "Your probabilities are what you get when you return the logits fc8" in msg
    assert "you return the logits fc8" in BN.grade(silent("bn", softmax="none"))


def test_output_shape_slips():
    msg = BN.grade(learner("bn", transposed_output=True))
    assert "have shape (3, 9), transposed" in msg
    msg = BN.grade(lambda params, aux, x, trace=None: BN.reference(params, aux, x)[0])
    assert "returned shape (3,) for x of shape (9, 4)" in msg
    assert "did you forget to `return`" in BN.grade(lambda params, aux, x: None)


def test_returning_a_dict_or_a_tuple():
    def returns_trace(params, aux, x, trace=None):
        BN.reference(params, aux, x, trace)
        return trace
    msg = BN.grade(returns_trace)
    assert msg.startswith("your function returned the trace (keys fc1, bn1, relu1, fc2, ...)")
    assert "return the probabilities themselves, an array of shape (9, 3)" in msg
    msg = BN.grade(lambda params, aux, x: params)
    assert "returned a dict of the network's arrays (keys fc1_weight" in msg
    msg = BN.grade(lambda params, aux, x, trace=None: (BN.reference(params, aux, x, trace), trace))
    assert "returned 2 values; return the probabilities alone" in msg


# ---------------------------------------------------------------- NumPy habits

@pytest.mark.parametrize("kind", list(ALL))
def test_arrays_changed_after_storing_pass_when_the_answer_is_right(kind):
    assert ALL[kind].grade(learner(kind, r_port=True)) is None
    assert BN.grade(learner("bn", normalise_in_place=True)) is None
    assert RES.grade(learner("residual", sum_in_place=True)) is None


def test_arrays_changed_after_storing_are_not_blamed_for_another_slip():
    msg = BN.grade(learner("bn", r_port=True, eps=1e-5))
    assert "your probabilities are what you get when the eps is 1e-5" in msg
    assert "trace['bn1'] was not compared: it holds a later layer's values" in msg
    msg = RES.grade(learner("residual", sum_in_place=True, out_bias=False))
    assert msg.startswith("the first layer that differs from the model's is fc7")
    assert "It has no bias" in msg and "were not compared" in msg
    msg = BN.grade(learner("bn", normalise_in_place=True, softmax="axis0"))
    assert "The softmax runs down the columns" in msg


def test_an_unknown_slip_behind_in_place_work_names_every_place_it_can_be():
    msg = BN.grade(_bn_in_place(slip_at=3, slip="double_gamma"))
    assert msg.startswith("the first layer that could be compared and differs from the model's "
                          "is relu3")
    assert "The slip is in fc3, bn3 or relu3" in msg
    assert "relu3 = np.maximum(bn3, 0)" in msg and "fc3 = relu2 @ params['fc3_weight']" in msg


def test_aliased_trace_entries_are_compared_not_called_stale():
    msg = RES.grade(_residual_slipped("relu_of_sum"))
    assert "changed in place" not in msg and "not compared" not in msg
    # the same aliasing with the sum done in place is still told apart
    msg = RES.grade(learner("residual", sum_in_place=True, out_bias=False))
    assert "were not compared" in msg


def test_shape_error_names_the_layer():
    def wrong_input_at_fc3(params, aux, x, trace=None):
        trace = {} if trace is None else trace
        h = x
        for i in range(1, 8):
            z = h @ params[f"fc{i}_weight"] + params[f"fc{i}_bias"]
            trace[f"fc{i}"] = z
            h = np.maximum(z, 0) if i != 2 else x      # fc3 is given x
        return h
    msg = BN.grade(wrong_input_at_fc3)
    assert "params['fc3_weight'] is (inputs, units), here (10, 10), so fc3 = input @ W + b" in msg
    assert "fc{i} =" not in msg and "its input must have 10 columns; yours has 4" in msg


def test_changing_params_in_place_is_named():
    msg = BN.grade(learner("bn", change_params=True))
    assert msg.startswith("the result is right, but your function changed params['fc8_bias']")
    assert "would change the trained network" in msg


def test_unknown_trace_names_and_wrong_shapes():
    msg = RES.grade(learner("residual", skip=False, extra_names=("plus2", "h1")))
    assert "not compared: 'plus2', 'h1', as this network has no layer of that name" in msg
    assert "fc1, relu1, fc2, relu2, r2" in msg

    def one_row(params, aux, x, trace=None):
        probs = BN.reference(params, aux, x, trace)
        trace["bn2"] = trace["bn2"][0]
        return probs
    assert BN.grade(one_row) is None

    def one_row_and_no_eps(params, aux, x, trace=None):
        probs = learner("bn", eps=0.0)(params, aux, x, trace)
        trace["fc2"] = trace["fc2"][0]
        return probs
    msg = BN.grade(one_row_and_no_eps)
    assert "trace['fc2'] has the wrong shape: expected (9, 10), got (10,), so it was not " \
           "compared" in msg


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
    inference.side_by_side(lambda p, a, x: None, model, x[:1])
    out = capsys.readouterr().out
    assert "returned None, expected shape (1, 3)" in out and "shape None" not in out
    inference.side_by_side(lambda p, a, x: dict(p), model, x[:1])
    assert "returned a dict, expected an array of shape (1, 3)" in capsys.readouterr().out


def test_use_the_arrays_note_only_when_the_given_arrays_are_ignored():
    """The note "use the arrays your function is given" comes only for a function whose result
    does not change with them; a wrong answer computed from them gets no such note."""
    note = "Use the arrays your function is given"
    msg = RES.grade(_residual_weight_shifted)
    assert "no slip the checker knows explains them" in msg and note not in msg

    def fc1_plus_a_constant(params, aux, x, trace=None):
        trace = {} if trace is None else trace
        probs = BN.reference(params, aux, x, trace)
        trace["fc1"] = trace["fc1"] + 0.5
        return probs * 0.5 + 0.5 / 3
    msg = BN.grade(fc1_plus_a_constant)
    assert "the first layer that differs from the model's is fc1" in msg and note not in msg
    assert note in BN.grade(_other_networks_arrays)
    assert note in BN.grade(_no_trace(_other_networks_arrays))
    # probabilities of 0 and 1 stay so when the arrays change a little, but the output layer's
    # columns rotated rotate them: a function that uses its arrays is not told otherwise
    for kind, slip in [("residual", "subtracted"), ("bn", "in_product")]:
        for fn in (learner(kind, bias_as=slip), silent(kind, bias_as=slip)):
            msg = ALL[kind].grade(fn)
            assert note not in msg, msg


def test_no_message_starts_a_sentence_with_a_capitalised_code_name():
    code = re.compile(r"(^|[.:;] )(Trace|Params|Aux|Fc\d|Bn\d|Relu\d|R\d|Concat\d|Softmax|Np\.|"
                      r"My_\w+)")
    for name, table in FAIRNESS.items():
        for label, fn, _ in table["slips"]:
            message = getattr(exercises, name).grade(fn)
            assert not code.search(message), (label, message)
            assert not message.rstrip().endswith("?."), (label, message)


# ---------------------------------------------------------------- fairness tables

def _softmax_rows(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _bn_folded(params, aux, x, trace=None):
    """Batch norm folded into one scale and shift per unit; a softmax without the max."""
    h = x
    for i in range(1, 8):
        scale = params[f"bn{i}_gamma"] / np.sqrt(aux[f"bn{i}_moving_var"] + 1e-3)
        shift = params[f"bn{i}_beta"] - aux[f"bn{i}_moving_mean"] * scale
        h = np.maximum((h @ params[f"fc{i}_weight"] + params[f"fc{i}_bias"]) * scale + shift, 0)
    e = np.exp(h @ params["fc8_weight"] + params["fc8_bias"])
    return e / e.sum(axis=1, keepdims=True)


def _flower_by_flower(reference):
    def predict(params, aux, x, trace=None):
        rows = []
        for flower in x:                       # one flower at a time, a batch of one
            rows.append(reference(params, aux, flower[None, :])[0].tolist())
        return rows
    return predict


def _bn_trace_as_lists(params, aux, x, trace=None):
    trace = {} if trace is None else trace
    inner = {}
    probs = BN.reference(params, aux, x, inner)
    trace.update({k: v.tolist() for k, v in inner.items()})
    return probs


def _residual_sum_of_list(params, aux, x, trace=None):
    hs, r = [], x
    for i in range(1, 7):
        hs.append(np.maximum(r @ params[f"fc{i}_weight"] + params[f"fc{i}_bias"], 0))
        r = sum(hs)                            # r_i = h_1 + ... + h_i
    return _softmax_rows(r @ params["fc7_weight"] + params["fc7_bias"])


def _residual_with_r1(params, aux, x, trace=None):
    probs = RES.reference(params, aux, x, trace)
    trace["r1"] = trace["relu1"]
    return probs


def _residual_skip_prev_h(params, aux, x, trace=None):
    r, h_prev = x, None
    for i in range(1, 7):
        h = np.maximum(r @ params[f"fc{i}_weight"] + params[f"fc{i}_bias"], 0)
        r = h if i == 1 else h + h_prev         # the last h only, not the running sum
        h_prev = h
    return _softmax_rows(r @ params["fc7_weight"] + params["fc7_bias"])


def _residual_x_added(params, aux, x, trace=None):
    r = x
    for i in range(1, 7):
        r = np.maximum(r @ params[f"fc{i}_weight"] + params[f"fc{i}_bias"], 0) + r
    return _softmax_rows(r @ params["fc7_weight"] + params["fc7_bias"])


def _residual_concatenated(params, aux, x, trace=None):
    r = x
    for i in range(1, 7):
        h = np.maximum(r @ params[f"fc{i}_weight"] + params[f"fc{i}_bias"], 0)
        r = h if i == 1 else np.concatenate([r, h], axis=1)
    return _softmax_rows(r @ params["fc7_weight"] + params["fc7_bias"])


def _dense_hstack(params, aux, x, trace=None):
    trace = {} if trace is None else trace
    inp = x
    for i in range(1, 7):
        h = np.maximum(inp @ params[f"fc{i}_weight"] + params[f"fc{i}_bias"], 0)
        inp = h if i == 1 else np.hstack([inp, h])
        trace[f"concat{i}"] = inp
    return _softmax_rows(inp @ params["fc7_weight"] + params["fc7_bias"])


def _dense_preallocated(params, aux, x, trace=None):
    widths = [params[f"fc{i}_bias"].size for i in range(1, 7)]
    both = np.zeros((len(x), sum(widths)))      # all six outputs, filled left to right
    inp, start = x, 0
    for i, w in enumerate(widths, start=1):
        both[:, start:start + w] = np.maximum(inp @ params[f"fc{i}_weight"]
                                              + params[f"fc{i}_bias"], 0)
        start += w
        inp = both[:, :start]
    return _softmax_rows(inp @ params["fc7_weight"] + params["fc7_bias"])


def _dense_plain(params, aux, x, trace=None):
    h = x
    for i in range(1, 7):
        h = np.maximum(h @ params[f"fc{i}_weight"] + params[f"fc{i}_bias"], 0)
    return _softmax_rows(h @ params["fc7_weight"] + params["fc7_bias"])


def _no_trace(reference):
    return lambda params, aux, x: reference(params, aux, x)


def _unnormalised(reference):
    def predict(params, aux, x, trace=None):
        trace = {} if trace is None else trace
        reference(params, aux, x, trace)
        return np.exp(trace["fc7"])
    return predict


def _sum_without_keepdims(reference):
    def predict(params, aux, x, trace=None):
        trace = {} if trace is None else trace
        reference(params, aux, x, trace)
        e = np.exp(trace["fc7"])
        return e / e.sum(axis=1)
    return predict


def _max_without_keepdims(reference):
    def predict(params, aux, x, trace=None):
        trace = {} if trace is None else trace
        reference(params, aux, x, trace)
        z = trace["fc7"]
        e = np.exp(z - z.max(axis=1))
        return e / e.sum(axis=1, keepdims=True)
    return predict


def _returns_trace(reference):
    def predict(params, aux, x, trace=None):
        trace = {} if trace is None else trace
        reference(params, aux, x, trace)
        return trace
    return predict


def _bn_slipped(slip, record=True):
    """The batch-norm network with one slip of the checker's own table at every layer: fc,
    (ReLU,) batch norm, ReLU, each stored under its own name (record: which kinds; False:
    none)."""
    kinds = ("fc", "bn", "relu") if record is True else record or ()

    def predict(params, aux, x, trace=None):
        trace = {} if trace is None else trace
        h = x
        for i in range(1, 8):
            z = h @ params[f"fc{i}_weight"] + params[f"fc{i}_bias"]
            args = (params[f"bn{i}_gamma"], params[f"bn{i}_beta"], aux[f"bn{i}_moving_mean"],
                    aux[f"bn{i}_moving_var"])
            if slip == "relu_first":
                a = np.maximum(z, 0)
                y = inference._bn(a, *args)
                h = y                           # no ReLU after batch norm
            else:
                a = None
                y = inference._bn(z, *args, slip)
                h = np.maximum(y, 0)
            for name, value in ((f"fc{i}", z), (f"relu{i}", a if a is not None else h),
                                (f"bn{i}", y)):
                if name.rstrip("0123456789") in kinds:
                    trace[name] = value
        return _softmax_rows(h @ params["fc8_weight"] + params["fc8_bias"])
    return predict


def _residual_slipped(slip, record=True):
    """The residual network written with `h = np.maximum(z + r, 0); r = h` (slip
    "relu_of_sum": h and r are one array in the trace, changed by nobody) or
    `r = h + (x[:, :3] if i == 1 else r)` (slip "x_cut", the notes' formula)."""
    kinds = ("fc", "relu", "r") if record is True else record or ()

    def predict(params, aux, x, trace=None):
        trace = {} if trace is None else trace

        def store(name, value):
            if name.rstrip("0123456789") in kinds:
                trace[name] = value
        r = x
        for i in range(1, 7):
            z = r @ params[f"fc{i}_weight"] + params[f"fc{i}_bias"]
            store(f"fc{i}", z)
            if slip == "relu_of_sum":
                h = np.maximum(z + (r if i > 1 else 0), 0)
                r = h
            else:
                h = np.maximum(z, 0)
                r = h + (x[:, :3] if i == 1 else r)
            store(f"relu{i}", h)
            if i > 1:
                store(f"r{i}", r)
        return _softmax_rows(r @ params["fc7_weight"] + params["fc7_bias"])
    return predict


def _transposed_weights(reference):
    def predict(params, aux, x, trace=None):
        flipped = {k: v.T if k.endswith("_weight") else v for k, v in params.items()}
        return reference(flipped, aux, x, trace)
    return predict


def _one_layer_short(kind):
    """The loop one hidden layer short, range(1, n_hidden), then the output layer; no trace."""
    def predict(params, aux, x):
        n_hidden = sum(k.endswith("_weight") for k in params) - 1
        h = r = x
        for i in range(1, n_hidden):
            z = h @ params[f"fc{i}_weight"] + params[f"fc{i}_bias"]
            if kind == "bn":
                z = (params[f"bn{i}_gamma"] * (z - aux[f"bn{i}_moving_mean"])
                     / np.sqrt(aux[f"bn{i}_moving_var"] + 1e-3) + params[f"bn{i}_beta"])
            h = np.maximum(z, 0)
            if kind == "residual":
                r = h if i == 1 else h + r
                h = r
        return _softmax_rows(h @ params[f"fc{n_hidden + 1}_weight"]
                             + params[f"fc{n_hidden + 1}_bias"])
    return predict


def _bn_square_weights_transposed(params, aux, x):
    """h @ W.T in every layer whose W is square (fc2 ... fc7), after fc1's shape error; no trace."""
    h = x
    for i in range(1, 8):
        W = params[f"fc{i}_weight"]
        z = h @ (W.T if W.shape[0] == W.shape[1] else W) + params[f"fc{i}_bias"]
        z = (params[f"bn{i}_gamma"] * (z - aux[f"bn{i}_moving_mean"])
             / np.sqrt(aux[f"bn{i}_moving_var"] + 1e-3) + params[f"bn{i}_beta"])
        h = np.maximum(z, 0)
    return _softmax_rows(h @ params["fc8_weight"] + params["fc8_bias"])


def _residual_loop(record=False, blocks=6, output_reads="r"):
    """The residual network as a learner writes it, every layer stored in the trace (record) or
    no trace at all, with ``blocks`` layers in the loop (7: the output layer fc7, square here,
    run as a seventh block, then again after the loop) and the output reading ``output_reads``
    ("r", the running sum, or "h", the last h alone)."""
    def predict(params, aux, x, trace=None):
        trace = {} if trace is None or not record else trace
        r = x
        for i in range(1, blocks + 1):
            trace[f"fc{i}"] = r @ params[f"fc{i}_weight"] + params[f"fc{i}_bias"]
            h = trace[f"relu{i}"] = np.maximum(trace[f"fc{i}"], 0)
            r = h if i == 1 else h + r
            if i > 1:
                trace[f"r{i}"] = r
        trace["fc7"] = (h if output_reads == "h" else r) @ params["fc7_weight"] + params["fc7_bias"]
        return _softmax_rows(trace["fc7"])
    return predict


def _bn_dicts_mixed_up(gamma_in="params", moving_in="aux"):
    """The batch-norm network with gamma and beta looked up in `gamma_in`, the moving
    statistics in `moving_in` (one of them the wrong dict: a KeyError)."""
    def predict(params, aux, x, trace=None):
        where = {"params": params, "aux": aux}
        h = x
        for i in range(1, 8):
            z = h @ params[f"fc{i}_weight"] + params[f"fc{i}_bias"]
            z = ((z - where[moving_in][f"bn{i}_moving_mean"])
                 / np.sqrt(where[moving_in][f"bn{i}_moving_var"] + 1e-3)
                 * where[gamma_in][f"bn{i}_gamma"] + where[gamma_in][f"bn{i}_beta"])
            h = np.maximum(z, 0)
        return _softmax_rows(h @ params["fc8_weight"] + params["fc8_bias"])
    return predict


def _output_as(reference, out, finish):
    """The reference's logits fc{out}, finished by ``finish`` instead of the softmax; no trace."""
    def predict(params, aux, x):
        trace = {}
        reference(params, aux, x, trace)
        return finish(trace[f"fc{out}"])
    return predict


def _bn_in_place(slip_at=None, slip="eps_pytorch"):
    """Batch norm and ReLU done in place on the array stored as fc_i (each entry stored before
    the next step changes it), with one slip of the checker's table in layer ``slip_at`` only
    ("eps_pytorch", "no_beta", or "double_gamma", which the checker does not know)."""
    def predict(params, aux, x, trace=None):
        trace = {} if trace is None else trace
        h = x
        for i in range(1, 8):
            z = h @ params[f"fc{i}_weight"]
            z += params[f"fc{i}_bias"]
            trace[f"fc{i}"] = z
            here = i == slip_at
            z -= aux[f"bn{i}_moving_mean"]
            z /= np.sqrt(aux[f"bn{i}_moving_var"] + (1e-5 if here and slip == "eps_pytorch"
                                                     else 1e-3))
            z *= params[f"bn{i}_gamma"] * (2.0 if here and slip == "double_gamma" else 1.0)
            if not (here and slip == "no_beta"):
                z += params[f"bn{i}_beta"]
            trace[f"bn{i}"] = z
            np.maximum(z, 0, out=z)
            trace[f"relu{i}"] = h = z
        return _softmax_rows(h @ params["fc8_weight"] + params["fc8_bias"])
    return predict


def _residual_accumulated(transposed_at=None, clip_in_place=False):
    """The running sum kept in one array: `r = h` at layer 1, then `r += h` (so trace['relu1']
    and every trace['r_i'] end as r6), or, with clip_in_place, `z[z < 0] = 0; h = z; r = h;
    r += r_prev` (so trace['fc_i'] and trace['relu_i'] end as r_i); fc``transposed_at`` uses
    W.T."""
    def predict(params, aux, x, trace=None):
        trace = {} if trace is None else trace
        r = x
        for i in range(1, 7):
            W = params[f"fc{i}_weight"]
            z = r @ (W.T if i == transposed_at else W) + params[f"fc{i}_bias"]
            trace[f"fc{i}"] = z
            if clip_in_place:
                z[z < 0] = 0
                h = z
            else:
                h = np.maximum(z, 0)
            trace[f"relu{i}"] = h
            if i == 1:
                r = h
            elif clip_in_place:
                r_prev, r = r, h
                r += r_prev
            else:
                r += h
            if i > 1:
                trace[f"r{i}"] = r
        return _softmax_rows(r @ params["fc7_weight"] + params["fc7_bias"])
    return predict


def _layer_number_off(kind, weight=0, bias=0, first=1, last=None):
    """The reference loop with the weight's or the bias's layer number shifted by ``weight`` or
    ``bias``, or the loop run over range(first, last + 1) instead of the hidden layers."""
    def predict(params, aux, x, trace=None):
        trace = {} if trace is None else trace
        n_hidden = sum(k.endswith("_weight") for k in params) - 1
        end = n_hidden if last is None else last
        inp, r, hs = x, None, []
        for i in range(first, end + 1):
            z = inp @ params[f"fc{i + weight}_weight"] + params[f"fc{i + bias}_bias"]
            trace[f"fc{i}"] = z
            if kind == "bn":
                z = (params[f"bn{i}_gamma"] * (z - aux[f"bn{i}_moving_mean"])
                     / np.sqrt(aux[f"bn{i}_moving_var"] + 1e-3) + params[f"bn{i}_beta"])
            h = np.maximum(z, 0)
            if kind == "residual":
                r = h if r is None else h + r
                inp = r
            elif kind == "dense":
                hs.append(h)
                inp = np.concatenate(hs, axis=1)
            else:
                inp = h
        out = n_hidden + 1
        return _softmax_rows(inp @ params[f"fc{out}_weight"] + params[f"fc{out}_bias"])
    return predict


def _fc1_dot_t(params, aux, x, trace=None):
    """fc1 with a visible .T on the line that raises: the shapes and the line agree."""
    z = x @ params["fc1_weight"].T + params["fc1_bias"]
    return z


def _residual_weight_shifted(params, aux, x):
    """The given arrays with fc_(i+1)'s weight in hidden layers 2-5 (their shapes agree): a
    wrong answer computed from the given arrays, so no "use the arrays you are given" note."""
    r = np.maximum(x @ params["fc1_weight"] + params["fc1_bias"], 0)
    for i in range(2, 7):
        W = params[f"fc{i + 1}_weight"] if i < 6 else params["fc6_weight"]
        r = np.maximum(r @ W + params[f"fc{i}_bias"], 0) + r
    return _softmax_rows(r @ params["fc7_weight"] + params["fc7_bias"])


def _scaled_rows(reference, factor):
    """The right probabilities times ``factor``: rows that sum to ``factor``, not 1."""
    def predict(params, aux, x):
        return reference(params, aux, x) * factor
    return predict


def _other_networks_arrays(params, aux, x, trace=None):
    """The arrays of another network (the lesson's own model, say) instead of those passed."""
    other = lessonlib.MLP(4, [10] * 7, 3, batch_norm=True, fix_gamma=False, seed=0)
    return BN.reference(other.params, other.aux, x, trace)


def _bn_sqrt_of_the_mean(record=True):
    """np.sqrt(aux[f"bn{i}_moving_mean"] + eps), the moving mean (negative for some units) under
    the square root: nan from bn1 on."""
    def predict(params, aux, x, trace=None):
        trace = {} if trace is None or not record else trace
        h = x
        for i in range(1, 8):
            z = trace[f"fc{i}"] = h @ params[f"fc{i}_weight"] + params[f"fc{i}_bias"]
            y = trace[f"bn{i}"] = (params[f"bn{i}_gamma"] * (z - aux[f"bn{i}_moving_mean"])
                                   / np.sqrt(aux[f"bn{i}_moving_mean"] + 1e-3)
                                   + params[f"bn{i}_beta"])
            h = trace[f"relu{i}"] = np.maximum(y, 0)
        z = trace["fc8"] = h @ params["fc8_weight"] + params["fc8_bias"]
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    return predict


def _overflowing_softmax(params, aux, x, trace=None):
    """Right logits, stored; then np.exp of logits scaled far beyond 709, without the max."""
    trace = {} if trace is None else trace
    BN.reference(params, aux, x, trace)
    e = np.exp(1000 * trace["fc8"])
    return e / e.sum(axis=1, keepdims=True)


def _dense_loop(record=True, hidden_layers=6, normalise=True):
    """The dense network as a learner writes it, the loop over ``hidden_layers`` layers
    (5: one short, range(1, 6); 7: one too far, range(1, 8)), every layer stored (record) or
    none; normalise=False returns exp(z - max) without dividing by the row sums."""
    def predict(params, aux, x, trace=None):
        trace = {} if trace is None or not record else trace
        hs, inp = [], x
        for i in range(1, hidden_layers + 1):
            z = trace[f"fc{i}"] = inp @ params[f"fc{i}_weight"] + params[f"fc{i}_bias"]
            hs.append(np.maximum(z, 0))
            trace[f"relu{i}"] = hs[-1]
            inp = trace[f"concat{i}"] = np.concatenate(hs, axis=1)
        z = trace["fc7"] = inp @ params["fc7_weight"] + params["fc7_bias"]
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True) if normalise else e
    return predict


def _reordered(reference, trace=True):
    """The right computation with the parameters named in another order, (x, params, aux)."""
    if trace:
        return lambda x, params, aux, trace=None: reference(params, aux, x, trace)
    return lambda x, params, aux: reference(params, aux, x)


def _renamed(reference):
    """The right computation with parameters of other names, in the stub's order."""
    def predict(p, a, flowers, *, trace=None):
        return reference(p, a, flowers, trace)
    return predict


FAIRNESS = {
    "bn_inference": dict(
        right=[("the reference", BN.reference), ("a learner's loop", learner("bn")),
               ("float32 throughout", learner("bn", dtype=np.float32)),
               ("batch norm folded into a scale and a shift, no trace", _bn_folded),
               ("flower by flower, a list of lists", _flower_by_flower(BN.reference)),
               ("`h = z; h[h < 0] = 0`, stale trace entries", learner("bn", r_port=True)),
               ("trace['fc1'] = z, then z normalised in place",
                learner("bn", normalise_in_place=True)),
               ("batch norm and ReLU in place, every entry stored first", _bn_in_place()),
               ("trace entries as lists", _bn_trace_as_lists),
               ("parameters named p, a, flowers, trace keyword-only", _renamed(BN.reference)),
               ("no trace argument", _no_trace(BN.reference))],
        slips=[("batch statistics", learner("bn", batch_stats=True),
                "mean and variance of the flowers in x"),
               # in place, one layer's slip: blamed where it is, not on the right ReLU after it
               ("in place, eps 1e-5 in layer 3 only", _bn_in_place(slip_at=3),
                ["is relu3", "fc3 and bn3, stored just before it, were changed in place",
                 "so the slip is in bn3", "The eps is 1e-5, PyTorch's default",
                 "trace['fc3'], trace['bn3'] were not compared"]),
               ("in place, no beta in layer 4 only", _bn_in_place(slip_at=4, slip="no_beta"),
                ["so the slip is in bn4", "It has no beta: bn4 = "]),
               ("no eps", silent("bn", eps=0.0), "the eps is missing"),
               ("PyTorch's eps", learner("bn", eps=1e-5), "The eps is 1e-5, PyTorch's default"),
               ("no gamma", learner("bn", gamma=False), "It has no gamma"),
               ("no beta", silent("bn", beta=False), "the betas are missing"),
               ("no bias", learner("bn", bias=False), "It has no bias"),
               ("softmax down the columns", learner("bn", softmax="axis0"), "axis=0"),
               ("log-probabilities returned", learner("bn", softmax="log"),
                ["is softmax", "You return the log-probabilities"]),
               ("log-probabilities, nothing recorded", silent("bn", softmax="log"),
                "you return the log-probabilities"),
               ("row max, column sum", learner("bn", softmax="row_max_column_sum"),
                ["is softmax", "You divide by each column's sum, e.sum(axis=0)"]),
               ("row max, whole-batch sum", silent("bn", softmax="row_max_whole_sum"),
                "you divide by the sum over the whole batch"),
               ("logits returned", silent("bn", softmax="none"), "you return the logits fc8"),
               ("no square root", _bn_slipped("no_sqrt"), "with no square root"),
               ("no square root, nothing recorded", _bn_slipped("no_sqrt", record=False),
                "you divide by moving_var + eps, a variance, with no square root"),
               ("+ moving_mean", _bn_slipped("plus_mean"),
                ["It adds the moving mean (+ moving_mean)", "bn1 = gamma * (fc1 - "]),
               ("+ moving_mean, nothing recorded", _bn_slipped("plus_mean", record=False),
                "the moving means are added (+ moving_mean)"),
               ("ReLU before batch norm", _bn_slipped("relu_first"),
                ["is bn1", "It is batch norm of ReLU(fc1): the ReLU comes before batch norm"]),
               ("ReLU before batch norm, only relu recorded",
                _bn_slipped("relu_first", record=("relu",)),
                ["is relu1", "It is the ReLU of fc1, applied before batch norm"]),
               ("ReLU before batch norm, nothing recorded", _bn_slipped("relu_first", record=False),
                "the ReLU comes before batch norm"),
               # the shapes of fc1.T and fc2 agree: both readings are offered
               ("fc1's weight transposed", _transposed_weights(BN.reference),
                ["Did you use params['fc1_weight'] transposed, or another layer's weights, such "
                 "as params['fc2_weight'] (a layer number off by one)?",
                 "W is (inputs, units), here (4, 10)",
                 "fc1 = x @ params['fc1_weight'] + params['fc1_bias']"]),
               ("the weight's layer number off by one, fc{i+1}_weight",
                _layer_number_off("bn", weight=1),
                ["fc1 must read the 4 columns of x, so its W has 4 rows; the W you used has 10",
                 "or another layer's weights, such as params['fc2_weight'] (a layer number off "
                 "by one)"]),
               ("fc1's weight with a visible .T", _fc1_dot_t,
                "The shapes say you used params['fc1_weight'] transposed: W is (inputs, units)"),
               ("the loop from 0, range(0, 8)", _layer_number_off("bn", first=0),
                ["KeyError: 'fc0_weight'", "The layers are numbered from 1: fc1, ..., fc8 and "
                 "bn1, ..., bn7, so the hidden layers' loop is for i in range(1, 8)"]),
               ("the loop one layer too far, range(1, 9)", _layer_number_off("bn", last=8),
                ["KeyError: 'bn8_gamma'", "This network has 7 batch-norm layers, bn1, ..., bn7; "
                 "fc8 is the output layer, with no batch norm after it"]),
               ("the bias's layer number off by one, fc{i+1}_bias",
                _layer_number_off("bn", bias=1),
                ["shapes (9,10) (3,)", "a layer's output, 10 columns, combined with a vector of "
                 "3 entries", "3 entries belong to fc8", "Check the layer numbers"]),
               ("a misspelt key, 'fc1_weights'",
                lambda params, aux, x: params["fc1_weights"],
                ["There is no 'fc1_weights' in params or aux", "e.g. params['fc1_weight']"]),
               ("rows summing to 1.0002", _scaled_rows(BN.reference, 1.0002),
                "their sums go from 1.00020 to 1.00020, up to 2.0e-04 away from 1"),
               ("the trace returned", _returns_trace(BN.reference), "returned the trace"),
               ("transposed probabilities", learner("bn", transposed_output=True), "transposed"),
               ("params changed in place", learner("bn", change_params=True),
                "changed params['fc8_bias']"),
               ("one hidden layer short, range(1, 7), nothing recorded", _one_layer_short("bn"),
                ["hidden layer 7, the last, is left out", "for i in range(1, 8)"]),
               ("square weights transposed, nothing recorded", _bn_square_weights_transposed,
                "the hidden layers' square weight matrices are used transposed (W.T)"),
               ("a ReLU on the logits, nothing recorded",
                _output_as(BN.reference, 8, lambda z: _softmax_rows(np.maximum(z, 0))),
                "you apply a ReLU to the logits fc8 before the softmax"),
               ("a sigmoid output, nothing recorded",
                _output_as(BN.reference, 8, lambda z: 1 / (1 + np.exp(-z))),
                ["you apply a sigmoid to the logits", "its rows do not sum to 1"]),
               ("a tanh output, rows not summing to 1", _output_as(BN.reference, 8, np.tanh),
                "Your rows do not sum to 1 (their sums go from"),
               ("gamma looked up in aux", _bn_dicts_mixed_up(gamma_in="aux"),
                ["KeyError: 'bn1_gamma'", "'bn1_gamma' is in params, not in aux",
                 "aux holds only the moving statistics"]),
               ("the moving mean looked up in params", _bn_dicts_mixed_up(moving_in="params"),
                ["KeyError: 'bn1_moving_mean'", "'bn1_moving_mean' is in aux, not in params",
                 "params holds what training learned"]),
               ("another network's arrays", _other_networks_arrays,
                ["is fc1", "Use the arrays your function is given: the checker passes a "
                 "network of its own"]),
               ("another network's arrays, nothing recorded", _no_trace(_other_networks_arrays),
                "Use the arrays your function is given (params, aux, x)"),
               # probabilities of 0 and 1: named from the trace, a guess without one
               ("the bias subtracted, input @ W - b", learner("bn", bias_as="subtracted"),
                ["is fc1. It subtracts the bias (- b)"]),
               ("the bias subtracted, nothing recorded", silent("bn", bias_as="subtracted"),
                ["Your probabilities are 0 or 1 for every flower (within 1e-5), as they are "
                 "when the biases are missing", "so that is only a guess"]),
               ("the bias inside the product, input @ (W + b)",
                learner("bn", bias_as="in_product", softmax="shifted"),
                ["is fc1. It adds the bias to the weights inside the product"]),
               ("the bias inside the product, a softmax that overflows",
                learner("bn", bias_as="in_product"),
                ["your logits fc8 are finite, so the softmax made it",
                 "Your trace parts from the model's before that, at fc1"]),
               ("the moving mean under the square root (nan)", _bn_sqrt_of_the_mean(),
                ["the first layer in your trace with one is bn1",
                 "np.sqrt of a negative number", "must be aux['bn1_moving_var']"]),
               ("the moving mean under the square root, nothing recorded",
                _bn_sqrt_of_the_mean(record=False),
                ["the checker cannot see where it was made", "np.sqrt of a negative number"]),
               ("np.exp overflowing on finite logits", _overflowing_softmax,
                ["your logits fc8 are finite, so the softmax made it",
                 "subtract each row's max"]),
               ("eps = 1e-8, the notes' loss's", learner("bn", eps=1e-8),
                "The eps is missing (or far too small, such as 1e-8)"),
               ("parameters in another order, (x, params, aux, trace)", _reordered(BN.reference),
                ["your function's parameters are (x, params, aux, trace)",
                 "my_bn_predict(params, aux, x, trace), passing them in that order"])]),
    "residual_inference": dict(
        right=[("the reference", RES.reference), ("a learner's loop", learner("residual")),
               ("float32 throughout", learner("residual", dtype=np.float32)),
               ("r = h; r += r_prev, stale trace entries", learner("residual", sum_in_place=True)),
               ("r = h at layer 1, then r += h", _residual_accumulated()),
               ("z[z < 0] = 0; h = z; r = h; r += r_prev", _residual_accumulated(
                   clip_in_place=True)),
               ("r = sum(hs), no trace", _residual_sum_of_list),
               ("flower by flower, a list of lists", _flower_by_flower(RES.reference)),
               ("trace['r1'] recorded too", _residual_with_r1),
               ("parameters named p, a, flowers, trace keyword-only", _renamed(RES.reference)),
               ("no trace argument", _no_trace(RES.reference))],
        slips=[("no skip", learner("residual", skip=False), "the skip connection is missing"),
               # in place, one layer's slip: blamed where it is, not on the right relu1 or relu2
               ("r = h at layer 1, then r += h; fc3 transposed",
                _residual_accumulated(transposed_at=3),
                ["is fc3", "It uses params['fc3_weight'] transposed",
                 "trace['relu1'], trace['r2'] were not compared"]),
               ("r = h; r += r_prev in place; fc2 transposed",
                _residual_accumulated(transposed_at=2, clip_in_place=True),
                ["is relu2", "so the slip is in fc2", "It uses params['fc2_weight'] transposed"]),
               ("no skip, nothing recorded", silent("residual", skip=False),
                "the skip connections are missing"),
               ("h_i + h_(i-1)", _residual_skip_prev_h, "the skip carries the running sum"),
               ("x added to h_1", _residual_x_added, "x (4 columns) added to h_1 (3 columns)"),
               ("x @ params['fc2_weight'] at layer 1", _layer_number_off("residual", weight=1),
                ["fc1 must read the 4 columns of x, so its W has 4 rows; the W you used has 3",
                 "such as params['fc2_weight'] (a layer number off by one)"]),
               ("the loop two layers too far, range(1, 9)", _layer_number_off("residual", last=8),
                ["KeyError: 'fc8_weight'", "This network's layers are fc1, ..., fc7, and fc7 is "
                 "the output layer"]),
               ("the notes' formula, x[:, :3] added to h1", _residual_slipped("x_cut"),
                ["is fc2", "It reads relu1 + x[:, :3]", "layer 1 has no skip in this network "
                 "(x has 4 columns, h1 has 3): r1 = h1; do not add x"]),
               ("x[:, :3] added to h1, nothing recorded", _residual_slipped("x_cut", record=False),
                "layer 1 has no skip in this network (x has 4 columns, h1 has 3)"),
               ("ReLU(fc + r), r = h aliased in the trace", _residual_slipped("relu_of_sum"),
                ["is relu2 (the 3 layers you recorded before it match)",
                 "It is np.maximum(fc2 + relu1, 0), ReLU(fc + r)",
                 "the skip is added after the ReLU: r_i = ReLU(fc_i) + r_{i-1}"]),
               ("ReLU(fc + r), only r recorded", _residual_slipped("relu_of_sum", record=("r",)),
                ["is r2", "the skip is added after the ReLU"]),
               ("ReLU(fc + r), nothing recorded", _residual_slipped("relu_of_sum", record=False),
                "the skip is added after the ReLU: r_i = ReLU(fc_i) + r_{i-1}"),
               ("concatenated", _residual_concatenated, "did you concatenate?"),
               ("no output bias", silent("residual", out_bias=False),
                "the output layer's bias is missing"),
               ("softmax over the whole batch", learner("residual", softmax="whole"),
                "over the whole batch"),
               ("params returned", lambda params, aux, x: params,
                "a dict of the network's arrays"),
               ("e / e.sum(axis=1) without keepdims", _sum_without_keepdims(RES.reference),
                "e / e.sum(axis=1, keepdims=True)"),
               ("z - z.max(axis=1) without keepdims", _max_without_keepdims(RES.reference),
                ["as `z - z.max(axis=1)` or `e / e.sum(axis=1)` does",
                 "z - z.max(axis=1, keepdims=True)"]),
               ("one hidden layer short, range(1, 6), nothing recorded",
                _one_layer_short("residual"),
                ["hidden layer 6, the last, is left out", "for i in range(1, 7)"]),
               ("the output reads h6, every layer recorded", _residual_loop(True, output_reads="h"),
                ["is fc7 (the 17 layers you recorded before it match)",
                 "The output layer reads relu6, the last h alone: it should read the running "
                 "sum r6"]),
               ("the output reads h6, nothing recorded", _residual_loop(output_reads="h"),
                "the output layer reads relu6, the last h alone: it should read the running sum r6"),
               ("the loop one layer too far, nothing recorded", _residual_loop(blocks=7),
                ["your loop runs one layer too far", "for i in range(1, 7)"]),
               ("the loop one layer too far, every layer recorded",
                _residual_loop(True, blocks=7),
                ["is fc7 (the 17 layers you recorded before it match)",
                 "one more residual block", "not compared: 'relu7', 'r7'"]),
               ("a ReLU on the logits, nothing recorded",
                _output_as(RES.reference, 7, lambda z: _softmax_rows(np.maximum(z, 0))),
                "you apply a ReLU to the logits fc7"),
               ("the bias subtracted, input @ W - b", learner("residual", bias_as="subtracted"),
                "is fc1. It subtracts the bias (- b)"),
               ("the bias subtracted, nothing recorded", silent("residual", bias_as="subtracted"),
                ["no slip the checker knows explains them",
                 "Your probabilities are 0 or 1 for every flower (within 1e-5)"]),
               ("a misspelt key, params['fc_7_weight']",
                lambda params, aux, x: params["fc_7_weight"],
                ["There is no 'fc_7_weight' in params (aux is empty here): the keys are fc<i>_ "
                 "followed by one of bias, weight"]),
               ("parameters in another order, (x, params, aux, trace)",
                _reordered(RES.reference), "my_residual_predict(params, aux, x, trace)")]),
    "dense_inference": dict(
        right=[("the reference", DENSE.reference), ("a learner's loop", learner("dense")),
               ("float32 throughout", learner("dense", dtype=np.float32)),
               ("np.hstack([concat, h])", _dense_hstack),
               ("a preallocated array filled column by column", _dense_preallocated),
               ("flower by flower, a list of lists", _flower_by_flower(DENSE.reference)),
               ("`h = z; h[h < 0] = 0`, stale trace entries", learner("dense", r_port=True)),
               ("a learner's loop, every layer stored", _dense_loop()),
               ("parameters named p, a, flowers, trace keyword-only", _renamed(DENSE.reference)),
               ("no trace argument", _no_trace(DENSE.reference))],
        slips=[("newest first", learner("dense", newest_first=True),
                ["you put the new h_i before the earlier outputs",
                 "np.concatenate([concat_(i-1), h_i], axis=1)"]),
               ("newest first, nothing recorded", silent("dense", newest_first=True),
                "the concatenations are in the wrong order"),
               ("added instead of concatenated", learner("dense", concat="add"),
                "a dense network does not add, it concatenates"),
               ("concatenated on axis 0", learner("dense", concat="axis0"),
                "a concatenation on axis 0"),
               ("x in the concatenation", learner("dense", concat="with_x"),
                "x (4 columns) is not part of the concatenation"),
               ("only the last output", _dense_plain, "you gave it relu2 alone"),
               ("weights transposed", _transposed_weights(DENSE.reference),
                ["params['fc1_weight'] transposed, or another layer's weights",
                 "W is (inputs, units), here (4, 3)",
                 "input @ W + b, as in 13a and 13b", "fc1 = x @ params['fc1_weight']"]),
               ("no bias", silent("dense", bias=False), "the biases are missing"),
               ("the bias's layer number off by one, fc{i+1}_bias",
                _layer_number_off("dense", bias=1),
                ["a layer's output, 3 columns, combined with a vector of 4 entries",
                 "4 entries belong to fc2"]),
               ("the loop from 0, range(0, 7)", _layer_number_off("dense", first=0),
                "The layers are numbered from 1: fc1, ..., fc7, so the hidden layers' loop is "
                "for i in range(1, 7)"),
               ("exp(logits) returned", _unnormalised(DENSE.reference),
                "without dividing by each row's sum"),
               ("probabilities and trace returned", lambda params, aux, x, trace=None: (
                   DENSE.reference(params, aux, x, trace), trace), "returned 2 values"),
               ("a sigmoid output, nothing recorded",
                _output_as(DENSE.reference, 7, lambda z: 1 / (1 + np.exp(-z))),
                "you apply a sigmoid to the logits"),
               ("the bias subtracted, input @ W - b", learner("dense", bias_as="subtracted"),
                "is fc1. It subtracts the bias (- b)"),
               ("one hidden layer short, range(1, 6), every layer recorded",
                _dense_loop(hidden_layers=5),
                ["fc7 reads concat6, 33 columns, but got 25, the width of concat5",
                 "Hidden layer 6, the last, is left out", "for i in range(1, 7)"]),
               ("one hidden layer short, range(1, 6), nothing recorded",
                _dense_loop(record=False, hidden_layers=5),
                ["fc7 reads concat6, 33 columns, but got 25", "Hidden layer 6, the last"]),
               ("one layer too far, range(1, 8), every layer recorded",
                _dense_loop(hidden_layers=7),
                ["fc7 reads 33 columns, but got 36 = 33 + 3: your loop runs one layer too far",
                 "for i in range(1, 7)"]),
               ("one layer too far, range(1, 8), nothing recorded",
                _dense_loop(record=False, hidden_layers=7), "your loop runs one layer too far"),
               ("exp(z - max) returned, every layer recorded", _dense_loop(normalise=False),
                ["every layer you recorded matches (19 of them)", "you return e = np.exp(z - "
                 "z.max(axis=1, keepdims=True)) without dividing by each row's sum"]),
               ("exp(z - max) returned, nothing recorded",
                _dense_loop(record=False, normalise=False),
                "you return e = np.exp(z - z.max(axis=1, keepdims=True)) without dividing"),
               ("parameters in another order, (x, params, aux)",
                _reordered(DENSE.reference, trace=False),
                ["your function's parameters are (x, params, aux)",
                 "my_dense_predict(params, aux, x, trace)"])]),
}
