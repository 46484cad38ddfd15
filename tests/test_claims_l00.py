"""Lesson 00 (start here): every number and result its prose states, recomputed with lessonlib,
each tied to the sentence that states it (``assert_says``). Expected values are written out
here, never taken from the code under test. Runtime: about a second (one 100-epoch iris fit)."""
import functools
import inspect

import numpy as np

import lessonlib
from lessonlib import widgets
from lessonlib.optim import SGD, descend
from lessonlib.recipes.toys import square_grad

from _claims import assert_says

NB = "00_start_here.ipynb"
SEED = 0


@functools.lru_cache(maxsize=None)
def iris_fit():
    X_train, y_train, X_test, y_test = lessonlib.data.load_iris(seed=SEED)
    model = lessonlib.MLP(4, [10, 10, 10], 3, activation="relu", init="he", seed=SEED)
    history = model.fit(X_train, y_train, lessonlib.Adam(lr=0.01), epochs=100, batch_size=20,
                        seed=SEED)
    return X_train, X_test, model, history, model.score(X_test, y_test)


def test_the_suggested_learning_rates_are_on_the_slider_grid():
    assert_says(NB, "Try a learning rate of 0.1, then 0.891, then 1.12 (all three are on the "
                "slider's grid)")
    lr = widgets.start_here_explorer().controls["lr"]
    grid = lr.base ** np.arange(lr.min, lr.max + lr.step / 2, lr.step)
    for shown in ("0.1", "0.891", "1.12"):
        assert any(f"{value:.3g}" == shown for value in grid), shown


def test_which_suggested_rates_converge_and_where_the_boundary_is():
    assert_says(NB, "Each step multiplies $x$ by $(1 - 2\\,\\text{lr})$")
    ends = {lr: descend(square_grad, 1.0, SGD(lr=lr), 20)[-1] for lr in (0.1, 10 ** -0.05, 10 ** 0.05)}
    assert abs(ends[0.1]) < 0.02 and abs(ends[10 ** -0.05]) < 0.01    # 0.8^20, 0.78^20
    assert abs(ends[10 ** 0.05]) > 10                                  # 1.24^20 = 74
    # typed values: 0.9 converges, 1.05 does not (|1 - 2 lr| = 0.8 and 1.1)
    assert abs(descend(square_grad, 1.0, SGD(lr=0.9), 20)[-1]) < 0.02
    assert abs(descend(square_grad, 1.0, SGD(lr=1.05), 20)[-1]) > 6


def test_iris_sizes_loss_and_accuracy():
    assert_says(NB, "100 of them for training and 50 held out for the test")
    X_train, X_test, _, history, accuracy = iris_fit()
    assert X_train.shape == (100, 4) and X_test.shape == (50, 4)
    assert f"{history.loss[0]:.3f}" == "0.787" and f"{history.loss[-1]:.3f}" == "0.071"
    assert f"{accuracy:.2f}" == "1.00"


def test_history_records_the_mean_abs_gradient_of_every_weight_matrix():
    assert_says(NB, "`history` also records, for every weight matrix, the mean absolute gradient "
                "in each epoch")
    _, _, model, history, _ = iris_fit()
    assert history.weight_names == ["fc1_weight", "fc2_weight", "fc3_weight", "fc4_weight"]
    assert history.grad_mean_abs.shape == (100, 4)
    assert np.all(history.grad_mean_abs > 0)
    assert sorted(model.params) == sorted(f"fc{i}_{kind}" for i in range(1, 5)
                                          for kind in ("weight", "bias"))


def test_the_relu_source_shows_a_mask_in_forward_and_backward():
    assert_says(NB, "`forward` keeps a mask of where the input was positive, and `backward` lets "
                "the gradient through only there")
    source = inspect.getsource(lessonlib.layers.ReLU)
    assert "def forward" in source and "def backward" in source and "x > 0.0" in source
    layer = lessonlib.layers.ReLU()
    x = np.array([-1.0, 2.0, 0.0, 3.0])
    assert layer.forward(x).tolist() == [0.0, 2.0, 0.0, 3.0]
    assert layer.backward(np.ones(4)).tolist() == [0.0, 1.0, 0.0, 1.0]
