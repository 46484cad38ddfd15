"""Lesson 12's Exercise 12b (one gradient step with weight decay): the reference passes and
matches lessonlib's weight decay with plain SGD, right answers written differently pass, the
usual slips get their own message, a stub is "not attempted yet"."""
import copy

import numpy as np
import pytest

import lessonlib
from lessonlib import exercises

EX = exercises.weight_decay_step


def _step(params, grads, weight_names, lr, lam, *, factor=1.0, sign=1.0, biases=False,
          after=False, lr_on_decay=True, in_place=False):
    """The reference with one slip switched on."""
    new = params if in_place else {}
    for name in params:
        W, g = params[name], grads[name]
        decayed = name in weight_names or biases
        if decayed and after:
            value = (1 - lr * lam) * (W - lr * g)
        elif decayed:
            decay = factor * lam * W
            value = W - lr * (g + sign * decay) if lr_on_decay else W - lr * g - decay
        else:
            value = W - lr * g
        if in_place:
            params[name] -= params[name] - value
        else:
            new[name] = value
    return new


def test_reference_passes():
    assert EX.grade(EX.reference) is None
    assert EX.grade(_step) is None


def test_reference_is_one_step_of_lessonlib_sgd_with_weight_decay():
    """The reference's step from lessonlib's plain gradients equals the step lessonlib's SGD
    takes from its gradients with weight_decay (loss_and_grads adds lam * W to the weights)."""
    X, y = np.random.default_rng(0).random((6, 5)), np.array([0, 1, 2, 0, 1, 2])
    model = lessonlib.MLP(5, [4], 3, activation="relu", init="he", seed=1)
    lr, lam = 0.3, 0.2
    before = {k: v.copy() for k, v in model.params.items()}
    _, plain = model.loss_and_grads(X, y)
    ours = EX.reference(before, {k: v.copy() for k, v in plain.items()}, model.weight_names,
                        lr, lam)
    _, decayed = model.loss_and_grads(X, y, weight_decay=lam)
    lessonlib.optim.SGD(lr=lr).step(model.params, decayed)
    assert set(ours) == set(model.params)
    for name in ours:
        np.testing.assert_allclose(ours[name], model.params[name], rtol=1e-12, atol=1e-15)
    assert any(not np.allclose(before[n], model.params[n] - (-lr * plain[n])) for n in
               model.weight_names)       # the decay made a difference


def test_stub_is_not_attempted(capsys):
    def decay_step(params, grads, weight_names, lr, lam):
        raise NotImplementedError("Exercise 12b: write the step here")
    EX.check(decay_step)
    out = capsys.readouterr().out
    assert "not attempted yet" in out and "Traceback" not in out


def test_solution_is_named_as_the_stub_and_passes(capsys):
    EX.solution()
    out = capsys.readouterr().out
    assert "def decay_step(params, grads, weight_names, lr, lam):" in out
    namespace = {}
    exec(out, namespace)
    assert EX.grade(namespace["decay_step"]) is None


def test_wrong_return_values():
    assert "did you forget to `return new`" in EX.grade(lambda *a: None)
    assert "should return a dict" in EX.grade(lambda p, g, w, lr, lam: list(p.values()))
    assert "has no fc1_bias, fc2_bias" in EX.grade(
        lambda p, g, w, lr, lam: {n: p[n] - lr * (g[n] + lam * p[n]) for n in w})


def test_in_place_returning_none_is_named():
    def in_place(params, grads, weight_names, lr, lam):
        _step(params, grads, weight_names, lr, lam, in_place=True)
    assert "changed params in place and returned None" in EX.grade(in_place)


def test_two_slips_at_once_are_both_named():
    msg = EX.grade(lambda *a: _step(*a, factor=2.0, biases=True))
    assert "2 * lam * W" in msg and "; and you decayed the biases too" in msg


def test_grads_changed_is_named():
    def adds_into_grads(params, grads, weight_names, lr, lam):
        for name in weight_names:
            grads[name] += lam * params[name]
        return {name: params[name] - lr * grads[name] for name in params}
    assert "changed grads" in EX.grade(adds_into_grads)


def test_other_wrong_values_get_a_comparison():
    msg = EX.grade(lambda *a: {k: 1.01 * v for k, v in _step(*a).items()})
    assert "your fc1_weight has the wrong value at index" in msg


# ---------------------------------------------------------------- fairness table

def _float32(params, grads, weight_names, lr, lam):
    new = {}
    for name, W in params.items():
        W, g = W.astype(np.float32), grads[name].astype(np.float32)
        if name in weight_names:
            g = g + np.float32(lam) * W
        new[name] = W - np.float32(lr) * g
    return new


def _lists_and_loops(params, grads, weight_names, lr, lam):
    new = {}
    for name in params:
        decay = lam if name in weight_names else 0.0
        flat_w, flat_g = params[name].ravel().tolist(), grads[name].ravel().tolist()
        values = [w - lr * (g + decay * w) for w, g in zip(flat_w, flat_g)]
        new[name] = np.array(values).reshape(params[name].shape).tolist()
    return new


def _in_place_on_a_copy(params, grads, weight_names, lr, lam):
    new = copy.deepcopy(params)
    for name in new:
        if name in weight_names:
            new[name] *= 1 - lr * lam
        new[name] -= lr * grads[name]
    return new


def _shrink_then_step(params, grads, weight_names, lr, lam):
    """The other form: (1 - lr * lam) * W - lr * dL/dW."""
    return {name: ((1 - lr * lam) * W if name in weight_names else W) - lr * grads[name]
            for name, W in params.items()}


def _by_suffix_and_l2_gradients(params, grads, weight_names, lr, lam):
    total = dict(grads)
    for name in weight_names:
        total[name] = grads[name] + lam * params[name]
    return {name: np.subtract(params[name], lr * total[name]) for name in params}


FAIRNESS = {
    "weight_decay_step": dict(
        right=[("the reference", EX.reference), ("float32 throughout", _float32),
               ("Python lists and loops", _lists_and_loops),
               ("in place on a deep copy", _in_place_on_a_copy),
               ("(1 - lr * lam) * W - lr * dL/dW", _shrink_then_step),
               ("the notebook's l2_gradients, then a step", _by_suffix_and_l2_gradients)],
        slips=[("lam not halved: 2 * lam * W", lambda *a: _step(*a, factor=2.0),
                "decay by 2 * lam * W"),
               ("halved twice: lam / 2 * W", lambda *a: _step(*a, factor=0.5),
                "you halved twice"),
               ("the decay's sign flipped", lambda *a: _step(*a, sign=-1.0), "wrong sign"),
               ("biases decayed too", lambda *a: _step(*a, biases=True),
                "you decayed the biases too"),
               ("decay after the step", lambda *a: _step(*a, after=True),
                "you shrink the weights after the gradient step"),
               ("the penalty in the gradient: lam * W^2",
                lambda p, g, w, lr, lam: {n: p[n] - lr * (g[n] + (lam * p[n] ** 2 if n in w
                                                                  else 0)) for n in p},
                "lam * W^2, the penalty itself"),
               ("the penalty in the gradient: lam / 2 * W^2",
                lambda p, g, w, lr, lam: {n: p[n] - lr * (g[n] + (lam / 2 * p[n] ** 2 if n in w
                                                                  else 0)) for n in p},
                "lam / 2 * W^2, the penalty itself"),
               ("decay not times lr", lambda *a: _step(*a, lr_on_decay=False),
                "not multiplied by the learning rate"),
               ("no decay at all", lambda *a: _step(*a, factor=0.0), "without weight decay"),
               ("params changed in place", lambda *a: _step(*a, in_place=True),
                "changed params['fc1_weight']"),
               ("biases left as they were",
                lambda p, g, w, lr, lam: {n: (p[n] - lr * (g[n] + lam * p[n]) if n in w
                                              else p[n]) for n in p},
                "the biases are not updated"),
               ("only decay, no loss gradient",
                lambda p, g, w, lr, lam: {n: (p[n] - lr * lam * p[n] if n in w
                                              else p[n] - lr * g[n]) for n in p},
                "the loss's own gradient dL/dW is missing"),
               ("uphill", lambda p, g, w, lr, lam: {n: p[n] + lr * (g[n] + (lam * p[n] if n in w
                                                                            else 0)) for n in p},
                ["the step goes uphill", "the biases' step goes uphill"])]),
}


@pytest.mark.parametrize("label, fn", FAIRNESS["weight_decay_step"]["right"])
def test_right_answers_pass(label, fn):
    assert EX.grade(fn) is None, label


@pytest.mark.parametrize("label, fn, words", FAIRNESS["weight_decay_step"]["slips"])
def test_slips_are_named(label, fn, words):
    msg = EX.grade(fn)
    assert msg is not None, label
    for part in [words] if isinstance(words, str) else words:
        assert part in msg, (label, msg)
