"""Lesson 06's exercise: the reference passes and matches lessonlib's backward pass, the typical
slips get their own message, a stub is "not attempted yet", and nothing shows a traceback."""
import numpy as np

from lessonlib import MLP, exercises
from lessonlib.data import load_iris
from lessonlib.exercises.l06_vanishing import _variant

EX = exercises.backprop_by_hand


def _slip(**kwargs):
    return lambda model, X, y: _variant(model, X, y, **kwargs)


def test_reference_passes():
    assert EX.grade(EX.reference) is None
    assert EX.grade(_slip()) is None


def test_reference_matches_lessonlib_on_the_lesson_network():
    X, y, _, _ = load_iris(seed=0)
    for init in ("uniform", "he"):
        model = MLP(4, [10] * 7, 3, activation="relu", init=init, seed=0)
        _, grads = model.loss_and_grads(X, y)
        ours = EX.reference(model, X, y)
        assert len(ours) == 8
        for k, g in enumerate(ours, start=1):
            np.testing.assert_allclose(g, grads[f"fc{k}_weight"], rtol=1e-10, atol=1e-300)


def _via_h(model, X, y):
    """The ReLU mask read from h_{k-1} > 0 instead of z_{k-1} > 0: the same."""
    trace = dict(model.forward_trace(X))
    L, n = len(model.hidden), len(y)
    delta = trace["softmax"] - np.eye(3)[y]
    delta = delta / n
    out = [None] * (L + 1)
    for k in range(L + 1, 0, -1):
        h = X if k == 1 else trace[f"relu{k - 1}"]
        out[k - 1] = h.T @ delta
        if k > 1:
            delta = np.where(h > 0, delta @ model.params[f"fc{k}_weight"].T, 0.0)
    return tuple(out)


def test_mask_on_h_also_passes():
    assert EX.grade(_via_h) is None


def test_stub_is_not_attempted(capsys):
    def stub(model, X, y):
        raise NotImplementedError("Exercise 6a: backpropagate through the MLP by hand")
    EX.check(stub)
    out = capsys.readouterr().out
    assert "not attempted yet" in out and "Traceback" not in out


def test_missing_relu_derivative():
    assert "multiply delta_k W_k^T elementwise by the ReLU's derivative" in EX.grade(
        _slip(mask="none"))


def test_mask_one_step_late():
    assert "the ReLU mask comes one step late" in EX.grade(_slip(mask="late"))


def test_missing_division_by_n():
    assert "every gradient is n = 20 times too large" in EX.grade(_slip(scale=False))


def test_flipped_sign():
    assert "opposite sign: delta_{L+1} is P - Y" in EX.grade(_slip(sign=-1.0))


def test_reverse_order():
    msg = EX.grade(lambda m, X, y: EX.reference(m, X, y)[::-1])
    assert "in reverse order" in msg


def test_wrong_count_and_none_and_array():
    assert "return 4 gradients (fc1 ... fc4), got 3" in EX.grade(
        lambda m, X, y: EX.reference(m, X, y)[1:])
    assert "did you forget to `return`" in EX.grade(lambda m, X, y: None)
    assert "return a list of 4 arrays" in EX.grade(lambda m, X, y: np.zeros(3))


def test_hard_coded_depth_fails_on_the_second_network():
    def three_hidden(model, X, y):
        grads = EX.reference(model, X, y)
        return grads if len(grads) == 4 else grads + [np.zeros((1, 1))]
    assert "return 3 gradients" in EX.grade(three_hidden)


def test_one_wrong_layer_is_named():
    def bad_fc2(model, X, y):
        grads = EX.reference(model, X, y)
        grads[1] = grads[1] + 1.0
        return grads
    msg = EX.grade(bad_fc2)
    assert msg.startswith("your dloss/dW_2 (of fc2_weight) has the wrong value")
    assert "layers above it are right" in msg


def _backprop(model, X, y, *, product=lambda delta, W: delta @ W.T,
              weight_grad=lambda h, delta: h.T @ delta, mask_layer=-1):
    """The backward pass with its two products and its mask as parameters, for the slips."""
    trace = dict(model.forward_trace(X))
    L, n = len(model.hidden), len(y)
    delta = (trace["softmax"] - np.eye(3)[y]) / n
    grads = []
    for k in range(L + 1, 0, -1):
        grads.append(weight_grad(X if k == 1 else trace[f"relu{k - 1}"], delta))
        if k > 1:
            W = model.params[f"fc{k}_weight"]
            delta = product(delta, W) * (trace[f"fc{k + mask_layer}"] > 0)
    return grads[::-1]


def _learner_slip(kind):
    """A learner's backward pass with one slip, written out (not built from _variant)."""
    def weight_gradients(model, X, y):
        trace = dict(model.forward_trace(X))
        L, n = len(model.hidden), len(y)
        top = trace[f"fc{L + 1}"] if kind == "logits" else trace["softmax"]
        onehot = np.eye(3)[y]
        delta = (top - onehot) / (onehot.size if kind == "n x 3 entries" else n)
        grads = []
        for k in range(L + 1, 0, -1):
            h = X if k == 1 else trace[f"relu{k - 1}"]
            grads.append(h.T @ delta / n if kind == "1/n twice" else h.T @ delta)
            if k > 1:
                W = model.params[f"fc{k}_weight"]
                if kind == "relu(z)":
                    delta = (delta @ W.T) * np.maximum(trace[f"fc{k - 1}"], 0)
                elif kind == "mask of layer k":
                    delta = (delta @ W.T) * (trace[f"fc{k}"] > 0)
                else:
                    delta = (delta @ W.T) * (trace[f"fc{k - 1}"] > 0)
        return grads[::-1]
    return weight_gradients


def test_relu_of_z_instead_of_the_mask_is_named():
    msg = EX.grade(_learner_slip("relu(z)"))
    assert "multiplied by ReLU(z_{k-1})" in msg and "the 0/1 mask" in msg


def test_logits_instead_of_softmax_is_named():
    msg = EX.grade(_learner_slip("logits"))
    assert "starts from the logits z_{L+1} = trace['fc4']" in msg
    assert "P = trace['softmax']" in msg


def test_one_over_n_twice_is_named():
    msg = EX.grade(_learner_slip("1/n twice"))
    assert "every gradient is n = 20 times too small" in msg and "applied twice" in msg


def test_the_mask_of_layer_k_is_named():
    msg = EX.grade(_learner_slip("mask of layer k"))
    assert "The ReLU mask belongs to the layer below" in msg


def test_delta_at_W_without_the_transpose_is_named(capsys):
    no_transpose = lambda m, X, y: _backprop(m, X, y, product=lambda delta, W: delta @ W)
    EX.check(no_transpose)
    out = capsys.readouterr().out
    assert "delta_k @ W_k does not fit, delta_k being (20, 3) and W_k (8, 3) (layer fc4)" in out
    assert "delta_{k-1} = (delta_k @ W_k.T)" in out and "Traceback" not in out
    assert "line " in out and "of your code" in out
    with_dot = lambda m, X, y: _backprop(m, X, y, product=np.dot)
    assert "delta_k @ W_k does not fit" in EX.grade(with_dot)


def test_h_at_delta_and_a_mask_of_the_wrong_layer_are_named():
    msg = EX.grade(lambda m, X, y: _backprop(m, X, y, weight_grad=lambda h, d: h @ d))
    assert "h_{k-1} @ delta_k does not fit" in msg and "dW_k = h_{k-1}.T @ delta_k" in msg
    msg = EX.grade(lambda m, X, y: _backprop(m, X, y, mask_layer=0))
    assert "The ReLU mask belongs to the layer below" in msg


def test_other_value_errors_are_reported_as_they_are():
    def broken(model, X, y):
        raise ValueError("something else")
    assert EX.grade(broken).startswith("your function raised ValueError: something else")


def test_a_dict_is_named():
    def as_dict(model, X, y):
        return {f"fc{k}_weight": g for k, g in enumerate(EX.reference(model, X, y), start=1)}
    msg = EX.grade(as_dict)
    assert msg.startswith("your function returned a dict (keys fc1_weight, fc2_weight, fc3_")
    assert "return a list of the 4 arrays [dW_1, ..., dW_4], first layer first" in msg


def test_the_library_backward_pass_is_refused():
    for shortcut in (lambda m, X, y: m.loss_and_grads(X, y)[1],
                     lambda m, X, y: [m.loss_and_grads(X, y)[1][f"fc{k}_weight"]
                                      for k in range(1, len(m.hidden) + 2)],
                     lambda m, X, y: m._forward_backward(X, y, 0.0)):
        msg = EX.grade(shortcut)
        assert msg.startswith("your function called model.")
        assert "the exercise is to write that pass by hand" in msg


def test_transposed_gradients_and_bias_gradients_are_named():
    msg = EX.grade(lambda m, X, y: [g.T for g in EX.reference(m, X, y)])
    assert "has shape (8, 4), the transpose of W's (4, 8)" in msg
    msg = EX.grade(lambda m, X, y: EX.reference(m, X, y) + [np.zeros(8)] * 4)
    assert "got 8: the biases' gradients are not asked for" in msg


def test_expected_values_do_not_depend_on_what_the_learner_changes():
    def vandal(model, X, y):
        grads = EX.reference(model, X, y)
        for name in model.params:                   # an update step, on its own copy
            model.params[name] -= 0.5
        X *= 10.0
        y[:] = 0
        return grads
    assert EX.grade(vandal) is None
    assert EX.grade(EX.reference) is None


def test_solution_is_named_like_the_stub():
    assert EX.answer_name == "weight_gradients"
    assert EX.solution_code().startswith("import numpy as np\n\n\ndef weight_gradients(")


# ---------------------------------------------------------------- fairness table

def _f32(model, X, y):
    trace = {name: a.astype(np.float32) for name, a in model.forward_trace(X)}
    L, n = len(model.hidden), len(y)
    delta = (trace["softmax"] - np.eye(3, dtype=np.float32)[y]) / np.float32(n)
    grads = []
    for k in range(L + 1, 0, -1):
        h = X.astype(np.float32) if k == 1 else trace[f"relu{k - 1}"]
        grads.append(h.T @ delta)
        if k > 1:
            W = model.params[f"fc{k}_weight"].astype(np.float32)
            delta = (delta @ W.T) * (trace[f"fc{k - 1}"] > 0)
    return grads[::-1]


def _loops(model, X, y):
    """Per-example Python loops for dW, as a list built front to back."""
    trace = dict(model.forward_trace(X))
    L, n = len(model.hidden), len(y)
    deltas = {L + 1: trace["softmax"] - np.eye(3)[y]}
    for k in range(L + 1, 1, -1):
        W = model.params[f"fc{k}_weight"]
        deltas[k - 1] = np.array([[sum(d[j] * W[i, j] for j in range(len(d))) * (z[i] > 0)
                                   for i in range(W.shape[0])]
                                  for d, z in zip(deltas[k].tolist(), trace[f"fc{k - 1}"])])
    grads = []
    for k in range(1, L + 2):
        h = X if k == 1 else trace[f"relu{k - 1}"]
        grads.append(sum(np.outer(h[i], deltas[k][i]) for i in range(n)) / n)
    return grads


def _in_place(model, X, y):
    """Works in place on the trace's arrays (its own) and divides by n at the end."""
    trace = dict(model.forward_trace(X))
    L, n = len(model.hidden), len(y)
    delta = trace["softmax"]
    delta[np.arange(n), y] -= 1                  # changes the trace's own array: harmless
    grads = []
    for k in range(L + 1, 0, -1):
        h = X if k == 1 else trace[f"relu{k - 1}"]
        grads.insert(0, h.T @ delta / n)
        if k > 1:
            delta = delta @ model.params[f"fc{k}_weight"].T
            delta[trace[f"fc{k - 1}"] <= 0] = 0.0
    return grads


def _einsum_tuple(model, X, y):
    trace = dict(model.forward_trace(X))
    L, n = len(model.hidden), len(y)
    delta = np.einsum("ij->ij", trace["softmax"]) - (np.arange(3) == y[:, None])
    out = []
    for k in range(L + 1, 0, -1):
        h = X if k == 1 else trace[f"relu{k - 1}"]
        out.append(np.einsum("ni,nj->ij", h, delta) / n)
        if k > 1:
            delta = np.einsum("nj,ij->ni", delta, model.params[f"fc{k}_weight"])
            delta = delta * np.heaviside(trace[f"fc{k - 1}"], 0.0)
    return tuple(reversed(out))


FAIRNESS = {
    "backprop_by_hand": dict(
        right=[("the reference", EX.reference), ("float32 throughout", _f32),
               ("Python loops over the examples", _loops),
               ("in-place work on the trace, /n at the end", _in_place),
               ("einsum, heaviside, a tuple", _einsum_tuple),
               ("the mask taken from h_{k-1} > 0", _via_h)],
        slips=[("no ReLU'", _slip(mask="none"), "by the ReLU's derivative"),
               ("ReLU' one step late", _slip(mask="late"), "one step late"),
               ("no 1/n", _slip(scale=False), "n = 20 times too large"),
               ("the notes' mean over n x 3 entries", _slip(scale="entries"),
                ["3 times too small", "the n x 3 entries of the one-hot table", "(P - Y) / n"]),
               ("the notes' mean over n x 3 entries, written by a learner",
                _learner_slip("n x 3 entries"), ["3 times too small", "lecture notes' loss"]),
               ("Y - P", _slip(sign=-1.0), "not Y - P"),
               ("Y not subtracted", _slip(onehot=False), "subtract the one-hot labels"),
               ("reversed list", lambda m, X, y: EX.reference(m, X, y)[::-1], "reverse order"),
               ("delta @ W", lambda m, X, y: _backprop(m, X, y, product=lambda d, W: d @ W),
                "delta_{k-1} = (delta_k @ W_k.T)"),
               ("a dict", lambda m, X, y: dict(enumerate(EX.reference(m, X, y))),
                ["returned a dict", "return a list"]),
               ("lessonlib's backward pass, as a list",
                lambda m, X, y: [m.loss_and_grads(X, y)[1][f"fc{k}_weight"]
                                 for k in range(1, len(m.hidden) + 2)],
                "write that pass by hand"),
               ("dW transposed", lambda m, X, y: [g.T for g in EX.reference(m, X, y)],
                "the transpose of W's"),
               ("the mask of layer k, not k-1", _learner_slip("mask of layer k"),
                "The ReLU mask belongs to the layer below"),
               ("relu(z) instead of the 0/1 mask", _learner_slip("relu(z)"),
                ["multiplied by ReLU(z_{k-1})", "the 0/1 mask"]),
               ("the logits instead of softmax", _learner_slip("logits"),
                ["starts from the logits", "P = trace['softmax']"]),
               ("the 1/n applied twice", _learner_slip("1/n twice"),
                ["n = 20 times too small", "applied twice"])]),
}


def _walk_slip(kind):
    """Walks that reach a layer the network does not have: KeyError, read back."""
    def weight_gradients(model, X, y):
        trace = dict(model.forward_trace(X))
        L = 3 if kind == "L = 3" else len(model.hidden)
        n = len(y)
        delta = trace["softmax"].copy()
        delta[np.arange(n), y] -= 1
        delta /= n
        grads = []
        for k in range(L + 1, -1 if kind == "to k = 0" else 0, -1):
            h = X if k == 1 and kind != "relu0" else trace[f"relu{k - 1}"]
            grads.append(h.T @ delta)
            if k > 1 or kind == "fc0":
                delta = (delta @ model.params[f"fc{k}_weight"].T) * (trace[f"fc{k - 1}"] > 0)
        return grads[::-1]
    return weight_gradients


FAIRNESS["backprop_by_hand"]["slips"] += [
    ("the depth written in, L = 3", _walk_slip("L = 3"),
     ["KeyError: 'relu3'", "use the network's own depth, L = len(model.hidden)",
      "this case has a different depth"]),
    ("the walk does not stop at k == 1", _walk_slip("fc0"), ["no layer fc0", "stop at k == 1"]),
    ("h_0 read from the trace", _walk_slip("relu0"), ["there is no relu0", "use X"]),
    ("the loop runs on to k = 0, range(L + 1, -1, -1)", _walk_slip("to k = 0"),
     ["KeyError: 'relu-1'", "goes on past k == 1", "stop at k == 1",
      "for k in range(L + 1, 0, -1)"]),
]


def test_an_unrelated_key_error_is_reported_as_it_is():
    msg = EX.grade(lambda model, X, y: dict(model.forward_trace(X))["relu_out"])
    assert "KeyError: 'relu_out'" in msg and "depth" not in msg
