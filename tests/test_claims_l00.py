"""Lesson 00 (start here): every number and result its prose states, recomputed with lessonlib,
each tied to the sentence that states it (``assert_says``). Expected values are written out
here, never taken from the code under test. Runtime: about a second (one 100-epoch iris fit)."""
import functools
import inspect
import json
import re

import numpy as np

import lessonlib
from lessonlib import exercises, widgets
from lessonlib.optim import SGD, descend
from lessonlib.recipes.toys import square_grad
from lessonlib.widgets import l00_start

from _claims import LESSONS, assert_says, prose

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


def test_which_suggested_rates_converge():
    assert_says(NB, "Each step multiplies $x$ by $(1 - 2\\,\\text{lr})$")
    ends = {lr: descend(square_grad, 1.0, SGD(lr=lr), 20)[-1]
            for lr in (0.1, 10 ** -0.05, 10 ** 0.05)}
    assert abs(ends[0.1]) < 0.02 and abs(ends[10 ** -0.05]) < 0.01    # 0.8^20, 0.78^20
    assert abs(ends[10 ** 0.05]) > 10                                  # 1.24^20 = 79


def test_a_typed_value_moves_to_the_nearest_grid_point():
    # ipywidgets' FloatLogSlider snaps a typed value to its grid in the browser (seen in
    # JupyterLab with ipywidgets 8.1.9: typing 0.9 leaves lr = 0.8912509 in the kernel); the
    # grid is in the exponent, min + k * step
    assert_says(NB, "The slider moves to the nearest point of its grid, so 0.9 becomes 0.891; "
                "type 1 to try lr = 1 itself")
    lr = widgets.start_here_explorer().controls["lr"]

    def snapped(typed):
        k = round((np.log10(typed) - lr.min) / lr.step)
        return lr.base ** (lr.min + k * lr.step)

    assert f"{snapped(0.9):.3g}" == "0.891"
    assert abs(snapped(1.0) - 1.0) < 1e-12          # 1 is a grid point: 10^0


def _path(lr, steps=20):
    return descend(square_grad, 1.0, SGD(lr=lr), steps)


def test_the_answer_convergence_exactly_for_lr_between_0_and_1():
    assert_says(NB, "converges when $|1 - 2\\,\\text{lr}| < 1$, that is for "
                "$0 < \\text{lr} < 1$")
    for lr in (0.05, 0.3, 0.7, 0.98):
        assert abs(_path(lr, 400)[-1]) < 1e-3, lr
    for lr in (1.02, 1.3):
        assert abs(_path(lr, 400)[-1]) > 1e3, lr


def test_the_answer_five_regimes():
    assert_says(NB, "below 0.5 the factor is positive: $x$ shrinks towards 0 from one side")
    for lr in (0.1, 0.3, 0.45):
        path = _path(lr)
        assert np.all(path > 0) and np.all(np.diff(path) < 0), lr
    assert_says(NB, "at 0.5 the factor is 0: one step lands on the minimum (the slider's 0.501 "
                "lands within 0.003 of it)")
    assert _path(0.5, 1)[-1] == 0.0
    assert abs(_path(10 ** -0.3, 1)[-1]) < 0.003 and f"{10 ** -0.3:.3g}" == "0.501"
    assert_says(NB, "between 0.5 and 1 the factor is negative: $x$ jumps across 0 at every "
                "step, a zig-zag that still converges")
    for lr in (0.6, 10 ** -0.05, 0.95):
        path = _path(lr, 200)
        assert np.all(np.sign(path[1:]) == -np.sign(path[:-1])), lr
        assert np.all(np.diff(np.abs(path)) < 0) and abs(path[-1]) < 1e-3, lr
    assert_says(NB, "at exactly 1 the factor is $-1$: $x$ bounces between 1 and $-1$ for ever. "
                "After an even number of steps it is back at the start, so the title says 1 "
                "and no banner appears")
    assert _path(1.0).tolist() == [1.0, -1.0] * 10 + [1.0]
    explorer = widgets.start_here_explorer()
    explorer.controls["lr"].value = 1.0
    title, banner = explorer.fig.axes[0].title.get_text(), explorer.fig.axes[0].texts[0]
    assert title.endswith("x after 20 steps = 1") and not banner.get_visible()
    explorer.controls["lr"].value = 10 ** 0.05
    assert banner.get_visible()
    # the banner follows the factor, not the picture: at lr 1.023 (factor -1.047) the path is
    # still on the plot after 20 steps (1.047^20 = 2.5 > 2 only just), yet it diverges
    explorer.controls["lr"].value = 10 ** 0.01
    assert banner.get_visible() and banner.get_text() == "Diverging: |1 − 2 lr| = 1.05 > 1"
    assert explorer.fig.axes[0].title.get_text().startswith("lr = 1.02, factor 1 − 2 lr = -1.05")
    explorer.controls["lr"].value = 10 ** -0.01                  # 0.977: factor -0.955
    assert not banner.get_visible()
    assert_says(NB, "above 1 every bounce is larger than the one before: the run diverges")
    for lr in (1.01, 10 ** 0.05, 1.9):
        path = _path(lr)
        assert np.all(np.diff(np.abs(path)) > 0), lr
    assert_says(NB, "by $1 - \\text{lr} \\cdot f''$ (here $f'' = 2$)")
    h = 1e-3        # f'' of x^2 by a central difference of the gradient
    assert abs((square_grad(h) - square_grad(-h)) / (2 * h) - 2.0) < 1e-9


def test_lesson_01_derives_the_step_factor():
    assert_says(NB, "Lesson 01 carries this to any function: near a minimum, each step "
                "multiplies the distance to it by $1 - \\text{lr} \\cdot f''$")
    # the lesson leaves lesson 01's exercise (the largest stable lr, 2 / f'') to lesson 01
    assert "2 / f''" not in prose(NB)
    assert "so every step multiplies the distance to $x^*$ by the same factor" in prose(
        "01_local_minima.ipynb")


def _code_cells(notebook):
    cells = json.loads((LESSONS / notebook).read_text(encoding="utf-8"))["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]


LESSON_FILES = sorted(path.name for path in LESSONS.glob("[0-9][0-9]_*.ipynb"))


def test_which_lessons_have_explorers_and_how_they_start():
    assert_says(NB, "Every lesson but the last (13) has at least one **explorer**")
    assert_says(NB, "The first code cell of every lesson with sliders (00 to 12) looks like the "
                "one below")
    assert_says(NB, "Most lessons also fix the random seed there, `SEED = 0`")
    assert len(LESSON_FILES) == 14 and LESSON_FILES[-1].startswith("13_")
    builders = "|".join(widgets.__all__)
    with_explorer = [name[:2] for name in LESSON_FILES
                     if any(re.search(rf"\bwidgets\.({builders})\(", code)
                            for code in _code_cells(name))]
    assert with_explorer == [f"{i:02d}" for i in range(13)]
    first = {name[:2]: _code_cells(name)[0] for name in LESSON_FILES}
    for number in with_explorer:
        assert first[number].startswith("%matplotlib widget\n"), number
        assert "import lessonlib" in first[number], number
    seeded = [n for n, code in first.items() if re.search(r"^SEED = 0$", code, flags=re.M)]
    assert len(seeded) > len(first) / 2, seeded      # "most": 13 of 14, all but 02


def test_iris_sizes_loss_and_accuracy():
    assert_says(NB, "100 of them for training and 50 held out for the test")
    X_train, X_test, _, history, accuracy = iris_fit()
    assert X_train.shape == (100, 4) and X_test.shape == (50, 4)
    assert f"{history.loss[0]:.3f}" == "0.787" and f"{history.loss[-1]:.3f}" == "0.071"
    assert f"{accuracy:.2f}" == "1.00"


def test_the_printed_loss_is_the_mean_over_the_epochs_batches():
    # the notebook prints "mean training loss in epoch 1": the mean of the 5 batches' losses,
    # each taken before that batch's update, not the loss after the epoch
    X_train, y_train, _, _ = lessonlib.data.load_iris(seed=SEED)
    model = lessonlib.MLP(4, [10, 10, 10], 3, activation="relu", init="he", seed=SEED)
    history = model.fit(X_train, y_train, lessonlib.Adam(lr=0.01), epochs=1, batch_size=20,
                        seed=SEED, record_batches=True)
    assert f"{history.loss[0]:.3f}" == "0.787"
    assert len(history.batch_loss) == 5
    assert abs(history.loss[0] - history.batch_loss.mean()) < 1e-12
    after, _ = model.loss_and_grads(X_train, y_train)
    assert after < history.loss[0] - 0.05       # the net is better after the epoch


def test_history_records_the_mean_abs_gradient_of_every_weight_matrix():
    assert_says(NB, "`history` also records, for every weight matrix, the mean absolute gradient "
                "in each epoch")
    _, _, model, history, _ = iris_fit()
    assert history.weight_names == ["fc1_weight", "fc2_weight", "fc3_weight", "fc4_weight"]
    assert history.grad_mean_abs.shape == (100, 4)
    assert np.all(history.grad_mean_abs > 0)
    assert_says(NB, "With three hidden layers the four matrices' gradients in epoch 1 are within "
                "a factor of about 7 of each other")
    first = history.grad_mean_abs[0]
    assert 6.5 < first.max() / first.min() < 7.5
    assert sorted(model.params) == sorted(f"fc{i}_{kind}" for i in range(1, 5)
                                          for kind in ("weight", "bias"))


def test_the_engines_building_blocks_are_short_and_mlp_is_longer():
    assert_says(NB, "The building blocks of the engine, the modules `layers`, `connections`, "
                "`optim`, `data` and `gradcheck`, are short classes and functions written to be "
                "read")
    assert_says(NB, "`models.MLP`, which ties them into a network, is longer")
    engine = [lessonlib.layers, lessonlib.connections, lessonlib.optim, lessonlib.data,
              lessonlib.gradcheck]
    sizes = {f"{module.__name__}.{name}": len(inspect.getsource(obj).splitlines())
             for module in engine for name, obj in vars(module).items()
             if (inspect.isclass(obj) or inspect.isfunction(obj))
             and obj.__module__ == module.__name__}
    assert len(sizes) > 30
    # "short": one screen each (the longest, Adam with its two forms, 52 lines)
    assert max(sizes.values()) <= 60, max(sizes.items(), key=lambda kv: kv[1])
    assert len(inspect.getsource(lessonlib.models.MLP).splitlines()) > 150


def test_the_tables_connections_recipes_and_circle():
    assert_says(NB, "| `connections` | how the hidden blocks are wired: `Plain`, `Residual`, "
                "`Dense`, each with its forward and backward |")
    for name in ("Plain", "Residual", "Dense"):
        cls = getattr(lessonlib.connections, name)
        assert callable(getattr(cls, "forward")) and callable(getattr(cls, "backward"))
    assert_says(NB, "the circle of lesson 04")
    assert any("lessonlib.data.make_circle(" in code for code in _code_cells(
        "04_minibatch_sgd.ipynb"))
    assert_says(NB, "`toys`: the small functions, such as the $x^2$ of the explorer above")
    assert "from ..recipes.toys import square" in inspect.getsource(l00_start)


def test_a_wrong_answer_gets_a_diagnosis():
    assert_says(NB, "Here is what the check says to a frequent slip, `^` written for a power")

    def f_with_a_slip(x):
        return x ^ 4 + 3 * x ^ 3 + 2 * x ^ 2

    message = exercises.warm_up.grade(f_with_a_slip)
    assert message.startswith("your function uses ^ for a power")


def test_the_relu_source_shows_a_mask_in_forward_and_backward():
    assert_says(NB, "`forward` keeps a mask of where the input was positive, and `backward` lets "
                "the gradient through only there")
    source = inspect.getsource(lessonlib.layers.ReLU)
    assert "def forward" in source and "def backward" in source and "x > 0.0" in source
    layer = lessonlib.layers.ReLU()
    x = np.array([-1.0, 2.0, 0.0, 3.0])
    assert layer.forward(x).tolist() == [0.0, 2.0, 0.0, 3.0]
    assert layer.backward(np.ones(4)).tolist() == [0.0, 1.0, 0.0, 1.0]


def test_he_weights_keep_seven_layers_gradients_close_and_lesson_06_starts_tiny():
    assert_says(NB, "with He's initial weights even seven hidden layers keep them within a "
                "factor of about 10 (the line \"He weights\"). With the lecture notes' tiny "
                "weights, uniform on $[-0.01, 0.01]$, the same seven layers spread them over "
                "billions (the last line)")
    X_train, y_train, _, _ = lessonlib.data.load_iris(seed=SEED)
    deeper = lessonlib.MLP(4, [10] * 7, 3, activation="relu", init="he", seed=SEED)
    first = deeper.fit(X_train, y_train, lessonlib.Adam(lr=0.01), epochs=1, batch_size=20,
                       seed=SEED).grad_mean_abs[0]
    assert 9 < first.max() / first.min() < 11
    tiny = lessonlib.MLP(4, [10] * 7, 3, activation="relu", seed=SEED)    # uniform +-0.01
    assert np.abs(tiny.params["fc1_weight"]).max() <= 0.01
    g = tiny.fit(X_train, y_train, lessonlib.Adam(lr=0.001), epochs=1, batch_size=20,
                 seed=SEED).grad_mean_abs[0]
    assert g[-1] / g[0] > 1e6                   # fc1's gradient orders of magnitude below
    # the notebook's line: the same fit as He's (Adam lr 0.01): largest / smallest in the
    # billions (5e+09 printed)
    tiny = lessonlib.MLP(4, [10] * 7, 3, activation="relu", init="uniform", seed=SEED)
    g = tiny.fit(X_train, y_train, lessonlib.Adam(lr=0.01), epochs=1, batch_size=20,
                 seed=SEED).grad_mean_abs[0]
    assert 1e9 <= g.max() / g.min() < 1e10


def test_every_backward_pass_is_checked_against_a_numerical_gradient():
    from lessonlib.gradcheck import check_model
    assert_says(NB, "Every backward pass of `lessonlib` is checked against a numerical gradient")
    X_train, y_train, _, _ = lessonlib.data.load_iris(seed=SEED)
    model = iris_fit()[2]
    errors = check_model(model, X_train, y_train)
    assert len(errors) == 8 and max(errors.values()) < 1e-6


def test_the_next_lesson_is_a_link():
    assert_says(NB, "Next: [**01 · local minima**](01_local_minima.ipynb).")
    assert (LESSONS / "01_local_minima.ipynb").exists()
