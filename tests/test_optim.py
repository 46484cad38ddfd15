"""The optimisers against the lecture notes' printed numbers and hand-worked steps."""
import numpy as np
import pytest

from lessonlib.optim import OPTIMIZER_NAMES, SGD, Adagrad, Adam, RMSProp, descend, make_optimizer


def f_prime(x):
    """Derivative of f(x) = x^4 + 3x^3 + 2x^2, the notes' non-convex function."""
    return 4 * x + 9 * x ** 2 + 4 * x ** 3


def square_prime(x):
    return 2 * x


# (gradient, start, optimiser, updates, the value the notes print)
SEED_NUMBERS = [
    (f_prime, 0.5, SGD(lr=0.05), 29, 0.000275395),
    (f_prime, -3.0, SGD(lr=0.05), 29, -1.640338),
    (f_prime, 0.5, SGD(lr=0.1, momentum=0.9), 29, -1.602265),
    (square_prime, 0.5, SGD(lr=1.02, momentum=0.9), 29, -0.03117517),
    (square_prime, 0.5, Adagrad(lr=0.1), 29, 0.01459057),
    (square_prime, 0.5, Adam(lr=0.1), 30, 0.02099521),
]


@pytest.mark.parametrize("grad, x0, opt, steps, printed", SEED_NUMBERS,
                         ids=["gd_local", "gd_global", "momentum_escapes", "momentum_tames_lr",
                              "adagrad", "adam"])
def test_descend_reproduces_the_notes(grad, x0, opt, steps, printed):
    path = descend(grad, x0, opt, steps)
    assert path.shape == (steps + 1,)
    assert path[0] == x0
    digits = len(f"{printed:.7g}".lstrip("-0.").replace(".", ""))   # significant digits printed
    assert float(f"{path[-1]:.{digits}g}") == printed


def test_heavy_ball_matches_the_notes_update_rule():
    # x_t = x_{t-1} - lr f'(x_{t-1}) + rho (x_{t-1} - x_{t-2}), first step plain GD
    lr, rho = 0.1, 0.9
    xs = [0.5, 0.5 - lr * f_prime(0.5)]
    for _ in range(10):
        xs.append(xs[-1] - lr * f_prime(xs[-1]) + rho * (xs[-1] - xs[-2]))
    assert np.allclose(descend(f_prime, 0.5, SGD(lr, rho), 11), xs, rtol=1e-14, atol=0)


def test_plain_gd_diverges_without_momentum_and_without_warnings():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = descend(square_prime, 0.5, SGD(lr=1.02), 29)
        blown_up = descend(square_prime, 0.5, SGD(lr=3.0), 1000)
    assert abs(path[-1]) > 0.5          # grows: |1 - 2 * 1.02| > 1
    assert not np.isfinite(blown_up[-1])   # overflowed to inf/nan, silently


def test_one_adam_step_by_hand():
    # t = 1: m_hat = g, n_hat = g^2, so the step is lr * g / (|g| + eps) ~ lr * sign(g)
    params = {"w": np.array([1.0, -2.0])}
    Adam(lr=0.1).step(params, {"w": np.array([0.5, -4.0])})
    assert np.allclose(params["w"], [1.0 - 0.1 * 0.5 / (0.5 + 1e-8), -2.0 + 0.1 * 4 / (4 + 1e-8)])


def test_one_rmsprop_step_by_hand():
    params = {"w": np.array([1.0])}
    RMSProp(lr=0.01, beta=0.9).step(params, {"w": np.array([2.0])})
    assert np.allclose(params["w"], 1.0 - 0.01 * 2.0 / (np.sqrt(0.1 * 4.0) + 1e-8))


def test_step_returns_the_change_it_applied():
    params = {"w": np.array([1.0, 2.0])}
    before = params["w"].copy()
    delta = SGD(lr=0.5).step(params, {"w": np.array([1.0, -1.0])})["w"]
    assert np.array_equal(params["w"] - before, delta)


def test_descend_on_two_parameters_and_restarts_the_optimiser():
    opt = Adam(lr=0.1)
    grad = lambda b: np.array([2 * b[0], 4 * b[1]])
    first = descend(grad, [1.0, -1.0], opt, 50)
    second = descend(grad, [1.0, -1.0], opt, 50)
    assert first.shape == (51, 2)
    assert np.array_equal(first, second)
    assert np.abs(first[-1]).max() < np.abs(first[0]).max()


@pytest.mark.parametrize("make, match", [
    (lambda: SGD(lr=0), r"lr must be in \(0, inf\]; got 0.0"),
    (lambda: SGD(lr=-1), r"lr must be in \(0, inf\]; got -1.0"),
    (lambda: SGD(lr=0.1, momentum=1.0), r"momentum must be in \[0, 1\); got 1.0"),
    (lambda: SGD(lr=0.1, momentum=-0.1), r"momentum must be in \[0, 1\)"),
    (lambda: Adam(beta1=1.0), r"beta1 must be in \[0, 1\); got 1.0"),
    (lambda: Adam(beta2=1.5), r"beta2 must be in \[0, 1\); got 1.5"),
    (lambda: RMSProp(lr=0.1, beta=1.0), r"beta must be in \[0, 1\)"),
    (lambda: Adagrad(lr=float("nan")), r"lr must be in"),
])
def test_bad_hyperparameters_raise_value_error(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_make_optimizer_names_one_update_rule_each():
    made = {name: make_optimizer(name, 0.1) for name in OPTIMIZER_NAMES}
    assert repr(made["sgd"]) == "SGD(lr=0.1, momentum=0)"
    assert repr(made["momentum"]) == "SGD(lr=0.1, momentum=0.9)"        # the notes' momentum
    assert repr(made["adagrad"]) == repr(Adagrad(lr=0.1))
    assert repr(made["rmsprop"]) == repr(RMSProp(lr=0.1))
    assert repr(made["adam"]) == repr(Adam(lr=0.1))
    assert make_optimizer("momentum", 0.1, momentum=0.5).momentum == 0.5
    adam = make_optimizer("adam", 0.01, beta1=0.8, beta2=0.99)
    assert (adam.lr, adam.beta1, adam.beta2) == (0.01, 0.8, 0.99)
    assert make_optimizer("rmsprop", 0.01, beta=0.5).beta == 0.5


def test_make_optimizer_rejects_unknown_names_and_momentum_for_sgd():
    with pytest.raises(ValueError, match="unknown optimiser 'nesterov'; valid names are sgd, "
                                         "momentum, adagrad, rmsprop, adam"):
        make_optimizer("nesterov", 0.1)
    with pytest.raises(ValueError, match='"sgd" is plain gradient descent; for momentum use'):
        make_optimizer("sgd", 0.1, momentum=0.9)


def test_bad_types_raise_type_error():
    with pytest.raises(TypeError, match="lr must be a real number; got '0.1'"):
        SGD(lr="0.1")
    with pytest.raises(TypeError, match="optimizer must be"):
        descend(square_prime, 0.5, "adam", 3)
    with pytest.raises(TypeError, match="grad_fn must be"):
        descend(0.5, 0.5, SGD(0.1), 3)
    with pytest.raises(ValueError, match="steps must be >= 0; got -1"):
        descend(square_prime, 0.5, SGD(0.1), -1)


def test_add_scaled_updates_in_place_on_both_paths():
    from lessonlib.optim import add_scaled
    flat = np.arange(6.0)                   # BLAS path
    view = flat[1:4]
    add_scaled(view, np.ones(3), a=2.0)
    assert np.array_equal(flat, [0, 3, 4, 5, 4, 5])
    strided = np.arange(6.0)[::2]           # NumPy path
    add_scaled(strided, np.ones(3))
    assert np.array_equal(strided, [1, 3, 5])
    scalar = np.array(1.5)                  # 0-d, as descend uses
    add_scaled(scalar, np.array(0.5))
    assert scalar == 2.0


def test_adam_efficient_form_is_the_papers_lr_t_and_mxnets_update():
    """Kingma and Ba's efficient order, as MXNet's R mx.opt.adam writes it: lr_t = lr *
    sqrt(1 - b2^t) / (1 - b1^t), w -= lr_t * mean / (sqrt(variance) + eps), on the raw moments."""
    rng = np.random.default_rng(3)
    grads = [rng.standard_normal(5) * scale for scale in (1.0, 1e-3, 1e-9, 1e-12, 1.0, 1e-10)]
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    w, mean, variance = np.ones(5), np.zeros(5), np.zeros(5)
    opt = Adam(lr, b1, b2, eps, efficient=True)
    params = {"w": np.ones(5)}
    for t, g in enumerate(grads, start=1):
        mean = b1 * mean + (1 - b1) * g
        variance = b2 * variance + (1 - b2) * g * g
        lr_t = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        w = w - lr_t * mean / (np.sqrt(variance) + eps)
        opt.step(params, {"w": g})
        np.testing.assert_allclose(params["w"], w, rtol=1e-13, atol=1e-15)
    # where gradients are far below eps the step is about lr * g / eps, and the efficient form's
    # eps / sqrt(1 - b2^t) makes the first step sqrt(1 - b2) = 1/31.6 of the textbook's
    tiny = {"efficient": {"w": np.zeros(5)}, "textbook": {"w": np.zeros(5)}}
    Adam(lr, b1, b2, eps, efficient=True).step(tiny["efficient"], {"w": np.full(5, 1e-14)})
    Adam(lr, b1, b2, eps).step(tiny["textbook"], {"w": np.full(5, 1e-14)})
    np.testing.assert_allclose(tiny["efficient"]["w"] / tiny["textbook"]["w"],
                               np.sqrt(1 - b2), rtol=1e-5)
    textbook = Adam(lr, b1, b2, eps)
    assert "efficient=True" in repr(opt) and "efficient" not in repr(textbook)
    with pytest.raises(TypeError, match="efficient must be True or False"):
        Adam(efficient="yes")
