"""The gradient checker itself: it must catch wrong gradients, small ones included."""
import numpy as np
import pytest

from lessonlib.gradcheck import ZERO_GRADIENT_ATOL, numerical_gradient, rel_error


def test_equal_arrays_have_zero_error_and_opposite_ones_error_one():
    a = np.array([1.0, -2.0, 3.0])
    assert rel_error(a, a) == 0.0
    assert rel_error(a, -a) == pytest.approx(1.0)


def test_a_small_but_wrong_gradient_is_not_hidden_by_the_zero_floor():
    true = np.full(4, 1e-8)                       # small, but well above rounding noise
    assert rel_error(1.5 * true, true, atol=ZERO_GRADIENT_ATOL) == pytest.approx(0.2)


def test_two_gradients_at_rounding_level_count_as_equal():
    exact_zero = np.zeros(3)
    noise = np.array([3e-12, -1e-11, 2e-12])      # central differences of a constant
    assert rel_error(exact_zero, noise) == pytest.approx(1.0)
    assert rel_error(exact_zero, noise, atol=ZERO_GRADIENT_ATOL) == 0.0


def test_shapes_must_match():
    with pytest.raises(ValueError, match="one shape"):
        rel_error(np.zeros(3), np.zeros((3, 1)))


def test_numerical_gradient_of_a_quadratic_and_x_restored():
    x = np.array([0.5, -1.5, 2.0])
    before = x.copy()
    grad = numerical_gradient(lambda: float(np.sum(x ** 3)), x)
    np.testing.assert_allclose(grad, 3 * before ** 2, rtol=1e-8)
    assert np.array_equal(x, before)
