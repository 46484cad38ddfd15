"""Every layer's backward against central differences, in float64."""
import numpy as np
import pytest

from lessonlib import layers
from lessonlib.gradcheck import check_layer, numerical_gradient, rel_error

TOL = 1e-7


def away_from_zero(rng, shape):
    """Inputs at least 0.1 from the kink of ReLU-like layers, so differences never cross it."""
    x = rng.standard_normal(shape)
    return x + np.where(x >= 0, 0.1, -0.1)


@pytest.mark.parametrize("make", [
    lambda rng: layers.Linear(5, 4, init="normal", rng=rng),
    lambda rng: layers.ReLU(),
    lambda rng: layers.LeakyReLU(),
    lambda rng: layers.LeakyReLU(slope=0.1),
    lambda rng: layers.Sigmoid(),
    lambda rng: layers.Tanh(),
    lambda rng: layers.BatchNorm(5),
    lambda rng: layers.BatchNorm(5, fix_gamma=True),
], ids=["linear", "relu", "leaky_relu", "leaky_relu_0.1", "sigmoid", "tanh", "batchnorm",
        "batchnorm_fix_gamma"])
def test_backward_matches_numerical_gradient(make, rng):
    layer = make(rng)
    if isinstance(layer, layers.BatchNorm):     # non-trivial gamma and beta
        layer.params["gamma"][:] = rng.uniform(0.5, 1.5, 5)
        layer.params["beta"][:] = rng.standard_normal(5)
    errors = check_layer(layer, away_from_zero(rng, (6, 5)))
    assert max(errors.values()) < TOL, errors


def test_dropout_backward_with_a_fixed_mask(rng):
    drop = layers.Dropout(p_drop=0.4, rng=1)
    state = drop.rng.bit_generator.state

    def replay_mask():
        drop.rng.bit_generator.state = state

    errors = check_layer(drop, rng.standard_normal((8, 5)), reset=replay_mask)
    assert errors["x"] < TOL


def test_dropout_is_inverted_and_training_only(rng):
    x = np.ones((2000, 50))
    drop = layers.Dropout(p_drop=0.3, rng=0)
    out = drop.forward(x, training=True)
    assert set(np.unique(out)) == {0.0, 1 / 0.7}
    assert abs((out == 0).mean() - 0.3) < 0.01
    assert abs(out.mean() - 1.0) < 0.01            # expectation preserved
    assert np.array_equal(drop.forward(x, training=False), x)


def test_leaky_relu_default_slope_and_values():
    leaky = layers.LeakyReLU()
    assert leaky.slope == 0.25
    out = leaky.forward(np.array([[-2.0, 0.0, 3.0]]))
    assert np.array_equal(out, [[-0.5, 0.0, 3.0]])
    assert np.array_equal(leaky.backward(np.ones((1, 3))), [[0.25, 0.25, 1.0]])


def test_sigmoid_is_stable_for_large_inputs():
    out = layers.Sigmoid().forward(np.array([[-1000.0, 0.0, 1000.0]]))
    assert np.array_equal(out, [[0.0, 0.5, 1.0]])


def test_batchnorm_statistics_and_modes(rng):
    bn = layers.BatchNorm(3)
    assert bn.eps == 1e-3
    x = rng.normal(5.0, 2.0, size=(50, 3))
    out = bn.forward(x, training=True)
    assert np.allclose(out.mean(axis=0), 0.0, atol=1e-12)
    assert np.allclose(out.var(axis=0), x.var(axis=0) / (x.var(axis=0) + 1e-3))
    # moving averages: 0.9 * old + 0.1 * batch, starting from mean 0 and variance 1
    assert np.allclose(bn.aux["moving_mean"], 0.1 * x.mean(axis=0))
    assert np.allclose(bn.aux["moving_var"], 0.9 + 0.1 * x.var(axis=0))
    # inference uses the moving statistics, not the batch's
    expected = (x - bn.aux["moving_mean"]) / np.sqrt(bn.aux["moving_var"] + 1e-3)
    assert np.allclose(bn.forward(x, training=False), expected)


def test_batchnorm_fix_gamma_ignores_gamma_and_gives_it_no_gradient(rng):
    bn = layers.BatchNorm(4, fix_gamma=True)
    bn.params["gamma"][:] = 3.0
    x = rng.standard_normal((10, 4))
    out = bn.forward(x, training=True)
    assert np.allclose(out.std(axis=0), np.sqrt(x.var(axis=0) / (x.var(axis=0) + 1e-3)))
    bn.backward(rng.standard_normal((10, 4)))
    assert np.array_equal(bn.grads["gamma"], np.zeros(4))


def test_softmax_cross_entropy_gradient(rng):
    loss = layers.SoftmaxCrossEntropy()
    logits = rng.standard_normal((7, 4))
    y = rng.integers(0, 4, size=7)
    loss.forward(logits, y)
    analytic = loss.backward()
    numeric = numerical_gradient(lambda: loss.forward(logits, y), logits)
    assert rel_error(analytic, numeric) < TOL


def test_softmax_cross_entropy_value_and_stability():
    loss = layers.SoftmaxCrossEntropy()
    assert np.isclose(loss.forward(np.zeros((2, 4)), np.array([0, 3])), np.log(4))
    assert np.isfinite(loss.forward(np.array([[1000.0, -1000.0]]), np.array([1])))


@pytest.mark.parametrize("layer", [layers.ReLU(), layers.Sigmoid(), layers.BatchNorm(3),
                                   layers.Linear(3, 2)])
def test_backward_before_forward_says_so(layer):
    with pytest.raises(RuntimeError, match="before forward"):
        layer.backward(np.ones((2, 3)))


@pytest.mark.parametrize("init, std", [("normal", 1.0), ("xavier", 1 / np.sqrt(400)),
                                       ("he", np.sqrt(2 / 400)), (0.05, 0.05)])
def test_normal_inits_have_the_right_std(init, std):
    W = layers.init_weight(400, 300, init, rng=0)
    assert abs(W.std() / std - 1) < 0.01 and abs(W.mean()) < 0.01 * std


def test_uniform_init_is_the_seeds_default():
    W = layers.init_weight(400, 300, rng=0)
    assert W.min() >= -0.01 and W.max() <= 0.01 and W.max() > 0.0099


def test_unknown_init_names_the_valid_ones():
    with pytest.raises(ValueError, match=r"unknown init 'glorot'.*'uniform', 'normal', 'xavier', 'he'"):
        layers.init_weight(3, 3, "glorot")


def test_dropout_rejects_bad_probability():
    with pytest.raises(ValueError, match=r"p_drop must be in \[0, 1\); got 1.0"):
        layers.Dropout(1.0)
