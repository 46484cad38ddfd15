"""The MLP: gradients, architecture, determinism, validation and divergence."""
import itertools
import warnings

import numpy as np
import pytest

from lessonlib import MLP, SGD, Adam
from lessonlib.gradcheck import check_model

TOL = 1e-7
ACTIVATIONS = ["relu", "sigmoid", "tanh", "leaky_relu"]
CONNECTIONS = ["plain", "residual", "dense"]


def small_problem(seed=0, n=8, n_in=4, n_out=3):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, n_in)), rng.integers(0, n_out, size=n)


@pytest.mark.parametrize("connection, activation, batch_norm",
                         list(itertools.product(CONNECTIONS, ACTIVATIONS, [False, True])))
def test_every_configuration_passes_a_gradient_check(connection, activation, batch_norm):
    X, y = small_problem()
    model = MLP(4, [5, 5, 5], 3, activation=activation, connection=connection,
                batch_norm=batch_norm, init=0.7, seed=1)
    for p in model.params.values():          # non-zero biases and betas, gamma away from 1
        p += np.random.default_rng(2).uniform(-0.3, 0.3, size=p.shape)
    errors = check_model(model, X, y)
    assert max(errors.values()) < TOL, errors


@pytest.mark.parametrize("connection", CONNECTIONS)
def test_dropout_gradient_with_a_fixed_mask(connection):
    X, y = small_problem()
    model = MLP(4, [6, 6], 3, connection=connection, dropout=0.3, init=0.7, seed=3)
    generators = [b.drop.rng for b in model.blocks]
    states = [g.bit_generator.state for g in generators]

    def replay_masks():
        for g, s in zip(generators, states):
            g.bit_generator.state = s

    errors = check_model(model, X, y, reset=replay_masks)
    assert max(errors.values()) < TOL, errors


@pytest.mark.parametrize("connection", CONNECTIONS)
def test_connection_backward_leaves_its_incoming_gradient_alone(connection):
    """The wiring's backward reads the gradient arriving from the output layer and does not write
    into it (lesson 10 prints Dense.backward, which once added into it in place)."""
    X, y = small_problem()
    hidden = [5, 5, 5] if connection == "residual" else [5, 6, 7]    # residual: equal widths
    model = MLP(4, hidden, 3, connection=connection, init=0.7, seed=5)
    model.loss_and_grads(X, y)                                   # fills every block's cache
    d = np.random.default_rng(6).standard_normal((len(X), model.out.n_in))
    before = d.copy()
    model.wiring.backward(model.blocks, d)
    np.testing.assert_array_equal(d, before)


def test_weight_decay_gradient_and_penalty():
    X, y = small_problem()
    model = MLP(4, [5, 5], 3, init=0.7, seed=4)
    errors = check_model(model, X, y, weight_decay=0.3)
    assert max(errors.values()) < TOL, errors
    plain_loss, plain_grads = model.loss_and_grads(X, y)
    loss, grads = model.loss_and_grads(X, y, weight_decay=0.3)
    weights = [v for k, v in model.params.items() if k.endswith("_weight")]
    assert np.isclose(loss, plain_loss + 0.15 * sum((w ** 2).sum() for w in weights))
    for name, p in model.params.items():
        extra = 0.3 * p if name.endswith("_weight") else 0.0    # biases are not decayed
        assert np.allclose(grads[name], plain_grads[name] + extra)


# ----- the architecture, recomputed from model.params alone ----------------------------------
def act(name, z):
    return {"relu": np.maximum(z, 0), "tanh": np.tanh(z), "sigmoid": 1 / (1 + np.exp(-z)),
            "leaky_relu": np.where(z > 0, z, 0.25 * z)}[name]


def reference_proba(model, X):
    """An independent NumPy forward pass in inference mode, read off params and aux."""
    P, A = model.params, model.aux
    L = len(model.hidden)

    def hidden(i, inp):
        z = inp @ P[f"fc{i}_weight"] + P[f"fc{i}_bias"]
        if model.batch_norm:
            gamma = 1.0 if model.fix_gamma else P[f"bn{i}_gamma"]
            z = (z - A[f"bn{i}_moving_mean"]) / np.sqrt(A[f"bn{i}_moving_var"] + 1e-3) * gamma \
                + P[f"bn{i}_beta"]
        return act(model.activation, z)

    hs = []
    inp = X
    for i in range(1, L + 1):
        if model.connection == "dense" and i > 1:
            inp = np.concatenate(hs, axis=1)          # h_1, ..., h_{i-1}, in that order
        h = hidden(i, inp)
        hs.append(h)
        if model.connection == "residual":
            inp = h if i == 1 else h + inp            # r_1 = h_1, r_i = h_i + r_{i-1}
        else:
            inp = h
    if model.connection == "dense":
        inp = np.concatenate(hs, axis=1)
    logits = inp @ P[f"fc{L + 1}_weight"] + P[f"fc{L + 1}_bias"]
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("connection, activation, batch_norm",
                         list(itertools.product(CONNECTIONS, ACTIVATIONS, [False, True])))
def test_predict_proba_matches_the_formulas(connection, activation, batch_norm):
    X, y = small_problem(n=40)
    model = MLP(4, [3, 3, 3, 3], 3, activation=activation, connection=connection,
                batch_norm=batch_norm, init="he", seed=5)
    model.fit(X, y, Adam(lr=0.01), epochs=3, batch_size=10)     # moving stats move off 0/1
    assert np.allclose(model.predict_proba(X), reference_proba(model, X), rtol=1e-10, atol=1e-12)


def test_fix_gamma_keeps_gamma_at_one_through_training():
    X, y = small_problem(n=40)
    model = MLP(4, [5, 5], 3, batch_norm=True, fix_gamma=True, init="he")
    model.fit(X, y, Adam(lr=0.05), epochs=5, batch_size=10)
    assert all(np.array_equal(model.params[f"bn{i}_gamma"], np.ones(5)) for i in (1, 2))
    assert not np.array_equal(model.params["bn1_beta"], np.zeros(5))
    assert np.allclose(model.predict_proba(X), reference_proba(model, X))


def test_parameter_names_and_shapes():
    model = MLP(4, [10, 7], 3, batch_norm=True)
    shapes = {k: v.shape for k, v in model.params.items()}
    assert shapes == {"fc1_weight": (4, 10), "fc1_bias": (10,), "fc2_weight": (10, 7),
                      "fc2_bias": (7,), "fc3_weight": (7, 3), "fc3_bias": (3,),
                      "bn1_gamma": (10,), "bn1_beta": (10,), "bn2_gamma": (7,), "bn2_beta": (7,)}
    assert set(model.aux) == {"bn1_moving_mean", "bn1_moving_var", "bn2_moving_mean",
                              "bn2_moving_var"}
    dense = MLP(4, [3, 4, 5], 3, connection="dense")
    assert [dense.params[f"fc{i}_weight"].shape for i in (1, 2, 3, 4)] == \
        [(4, 3), (3, 4), (7, 5), (12, 3)]
    assert all(not v.any() for k, v in dense.params.items() if k.endswith("_bias"))


def test_params_are_live_views():
    X, _ = small_problem()
    model = MLP(4, [5], 3, init="he")
    before = model.predict_proba(X)
    model.params["fc2_bias"][:] = [0.0, 0.0, 50.0]
    assert not np.allclose(model.predict_proba(X), before)
    assert np.all(model.predict(X) == 2)


def test_forward_matches_scikit_learn():
    """scikit-learn's MLPClassifier, given our weights, is an independent oracle."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
    X, y = small_problem(n=30)
    for ours, theirs in [("relu", "relu"), ("tanh", "tanh"), ("sigmoid", "logistic")]:
        model = MLP(4, [6, 5], 3, activation=ours, init="normal", seed=6)
        for p in model.params.values():
            p += 0.1
        clf = MLPClassifier(hidden_layer_sizes=(6, 5), activation=theirs, max_iter=1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(X, y)
        clf.coefs_ = [model.params[f"fc{i}_weight"].copy() for i in (1, 2, 3)]
        clf.intercepts_ = [model.params[f"fc{i}_bias"].copy() for i in (1, 2, 3)]
        assert np.allclose(model.predict_proba(X), clf.predict_proba(X), rtol=1e-12, atol=1e-14)


# ----- training -------------------------------------------------------------------------------
def test_same_seed_same_result_bit_for_bit():
    X, y = small_problem(n=60)

    def run(seed):
        model = MLP(4, [8, 8], 3, batch_norm=True, dropout=0.2, seed=seed)
        hist = model.fit(X, y, Adam(lr=0.01), epochs=5, batch_size=16, seed=seed)
        return model, hist

    (m1, h1), (m2, h2), (m3, _) = run(0), run(0), run(1)
    assert all(np.array_equal(getattr(h1, f), getattr(h2, f))
               for f in ("loss", "grad_mean_abs", "weight_change_mean_abs"))
    assert all(np.array_equal(m1.params[k], m2.params[k]) for k in m1.params)
    assert all(np.array_equal(m1.aux[k], m2.aux[k]) for k in m1.aux)
    assert not np.array_equal(m1.params["fc1_weight"], m3.params["fc1_weight"])


def test_history_records_per_epoch_and_per_batch():
    X, y = small_problem(n=50)
    model = MLP(4, [6, 6, 6], 3, init="he")
    hist = model.fit(X, y, SGD(lr=0.1, momentum=0.9), epochs=4, batch_size=20,
                     record_batches=True, validation_data=(X[:10], y[:10]))
    assert hist.weight_names == ["fc1_weight", "fc2_weight", "fc3_weight", "fc4_weight"]
    assert hist.loss.shape == (4,) and hist.grad_mean_abs.shape == (4, 4)
    assert hist.weight_change_mean_abs.shape == (4, 4)
    assert hist.batch_grad_mean_abs.shape == (12, 4)          # 3 batches per epoch: 20, 20, 10
    assert np.allclose(hist.grad_mean_abs, hist.batch_grad_mean_abs.reshape(4, 3, 4).mean(axis=1))
    assert hist.train_accuracy.shape == hist.val_accuracy.shape == (4,)
    assert not hist.diverged


def test_history_statistics_are_what_they_claim():
    """One full batch, one SGD step: mean |grad| and mean |change| = lr * mean |grad|."""
    X, y = small_problem(n=12)
    model = MLP(4, [5], 3, init="he", seed=7)
    probe = MLP(4, [5], 3, init="he", seed=7)
    loss, grads = probe.loss_and_grads(X, y)
    before = {k: v.copy() for k, v in model.params.items()}
    hist = model.fit(X, y, SGD(lr=0.5), epochs=1, batch_size=12)
    assert np.isclose(hist.loss[0], loss)
    for j, name in enumerate(hist.weight_names):
        assert np.isclose(hist.grad_mean_abs[0, j], np.abs(grads[name]).mean())
        assert np.isclose(hist.weight_change_mean_abs[0, j],
                          np.abs(model.params[name] - before[name]).mean())


def test_a_shallow_net_learns_and_loss_falls():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    model = MLP(2, [16, 16], 2, init="he")
    hist = model.fit(X, y, Adam(lr=0.01), epochs=60, batch_size=20)
    assert hist.loss[-1] < 0.5 * hist.loss[0]
    assert model.score(X, y) > 0.9


@pytest.mark.parametrize("make, optimizer, scale", [
    # weights overflow after one step
    (lambda: MLP(4, [10, 10, 10], 3, init="normal"), SGD(lr=1e300), 1.0),
    # the loss explodes past float64 within two epochs
    (lambda: MLP(4, [10, 10, 10], 3, activation="leaky_relu", init="normal"),
     SGD(lr=10.0, momentum=0.9), 100.0),
    # the forward pass itself overflows: 300 residual layers with std-1 weights
    (lambda: MLP(4, [10] * 300, 3, connection="residual", init="normal"), SGD(lr=0.01), 1.0),
], ids=["huge_lr", "momentum_blowup", "deep_residual_forward"])
def test_divergence_is_an_outcome_not_an_error(make, optimizer, scale):
    X, y = small_problem(n=40)
    model = make()
    with warnings.catch_warnings():
        warnings.simplefilter("error")               # no RuntimeWarning may escape
        hist = model.fit(X * scale, y, optimizer, epochs=50, batch_size=10)
        proba = model.predict_proba(X)
        path = model.forward_trace(X)
    assert hist.diverged and hist.diverged_epoch < 50
    assert len(hist.loss) == hist.diverged_epoch == hist.grad_mean_abs.shape[0]
    assert np.isfinite(hist.loss).all()
    assert proba.shape == (40, 3) and path[-1][0] == "softmax"


def test_zero_epochs_is_a_no_op():
    X, y = small_problem()
    model = MLP(4, [3], 3)
    before = model.params["fc1_weight"].copy()
    hist = model.fit(X, y, Adam(), epochs=0, batch_size=4)
    assert hist.epochs == 0 and not hist.diverged
    assert np.array_equal(model.params["fc1_weight"], before)


# ----- bad input ------------------------------------------------------------------------------
X_OK, Y_OK = small_problem()


@pytest.mark.parametrize("make, error, match", [
    (lambda: MLP(4, [5], 3, activation="gelu"), ValueError,
     r"unknown activation 'gelu'; valid values are 'relu', 'sigmoid', 'tanh', 'leaky_relu'"),
    (lambda: MLP(4, [5], 3, connection="skip"), ValueError,
     r"unknown connection 'skip'; valid values are 'plain', 'residual', 'dense'"),
    (lambda: MLP(4, [5], 3, init="glorot"), ValueError,
     r"unknown init 'glorot'; valid values are 'uniform', 'normal', 'xavier', 'he'"),
    (lambda: MLP(4, [5, 6], 3, connection="residual"), ValueError,
     r"all hidden widths must be equal; got hidden=\[5, 6\]"),
    (lambda: MLP(4, [], 3), ValueError, r"hidden must list at least one .* got an empty list"),
    (lambda: MLP(4, [5], 3, dropout=1.0), ValueError, r"dropout must be in \[0, 1\); got 1.0"),
    (lambda: MLP(4, [5], 3, dropout=-0.1), ValueError, r"dropout must be in \[0, 1\)"),
    (lambda: MLP(4, [5, 0], 3), ValueError, r"hidden\[1\] must be >= 1; got 0"),
    (lambda: MLP(4, "ten", 3), TypeError, r"hidden\[0\] must be an integer; got 't'"),
])
def test_bad_constructor_arguments(make, error, match):
    with pytest.raises(error, match=match):
        make()


@pytest.mark.parametrize("call, error, match", [
    (lambda m: m.fit(np.full((8, 4), np.nan), Y_OK, Adam(), 1, 4), ValueError,
     r"X must be finite; got nan at row 0, column 0"),
    (lambda m: m.predict(np.where(np.eye(8, 4) > 0, np.inf, X_OK)), ValueError,
     r"X must be finite; got inf at row 0, column 0"),
    (lambda m: m.fit(X_OK[:, :3], Y_OK, Adam(), 1, 4), ValueError,
     r"expects 4 features, but X has shape \(8, 3\); expected \(N, 4\)"),
    (lambda m: m.fit(X_OK, Y_OK[:5], Adam(), 1, 4), ValueError,
     r"same length; got 8 rows in X and 5 labels in y"),
    (lambda m: m.fit(X_OK, np.full(8, 3), Adam(), 1, 4), ValueError,
     r"y must hold labels in 0..2 \(n_out=3\); got 3"),
    (lambda m: m.fit(X_OK, np.full(8, -1), Adam(), 1, 4), ValueError, r"got -1"),
    (lambda m: m.fit(X_OK, Y_OK, Adam(), 1, 0), ValueError, r"batch_size must be >= 1; got 0"),
    (lambda m: m.fit(X_OK, Y_OK, Adam(), -1, 4), ValueError, r"epochs must be >= 0; got -1"),
    (lambda m: m.fit(X_OK, Y_OK, Adam(), 1.5, 4), TypeError, r"epochs must be an integer; got 1.5"),
    (lambda m: m.fit(X_OK, Y_OK, "adam", 1, 4), TypeError, r"optimizer must be"),
    (lambda m: m.fit(X_OK, Y_OK, Adam(), 1, 4, weight_decay=-1), ValueError,
     r"weight_decay must be in \[0, inf\]; got -1.0"),
    (lambda m: m.fit(np.array([["a"] * 4] * 8), Y_OK, Adam(), 1, 4), TypeError,
     r"X must hold numbers; got an array of dtype <U1"),
    (lambda m: m.predict([[1, 2, 3, "x"]]), TypeError, r"X must hold numbers"),
    (lambda m: m.predict(np.ones(4)), ValueError, r"X must be 2-D with shape \(N, 4\); got shape \(4,\)"),
])
def test_bad_input_is_named(call, error, match):
    with pytest.raises(error, match=match):
        call(MLP(4, [5], 3))
