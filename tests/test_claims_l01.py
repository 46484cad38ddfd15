"""Lesson 01 (local minima): every number and result its prose states, recomputed with
lessonlib (or with NumPy directly), each tied to the sentence that states it (``assert_says``).
Expected values are written out here (from the notes, from arithmetic, or as the bound the
sentence states), never taken from the code under test. Runtime: a few seconds."""
import numpy as np

from lessonlib.optim import SGD, descend
from lessonlib.recipes.l01_local_minima import (AHEAD, QUARTIC_BEND, convex_multistart,
                                                lr_outcomes, outcome, saddle, saddle_paths,
                                                slope_length, stationary_points,
                                                unit_swap_losses)
from lessonlib.exercises.l01_local_minima import reference_largest_stable_lr
from lessonlib.recipes.toys import quartic, quartic_grad, square_grad

from _claims import assert_says, prose

NB = "01_local_minima.ipynb"


def second(x):
    return 12 * x ** 2 + 18 * x + 4


def test_the_stationary_points_their_heights_and_curvatures():
    assert_says(NB, "$x = -1.640$, $f = -0.620$: the **global minimum**")
    assert_says(NB, "$x = -0.610$, $f = 0.202$: a **local maximum**")
    assert_says(NB, "$x = 0$, $f = 0$: a **local minimum**")
    roots = np.sort(np.roots([4.0, 9.0, 4.0, 0.0]).real)      # f'(x) = 4x^3 + 9x^2 + 4x
    assert [f"{r:.3f}" for r in roots] == ["-1.640", "-0.610", "0.000"]
    assert [f"{quartic(r):.3f}" for r in roots] == ["-0.620", "0.202", "0.000"]
    assert [f"{second(r):.3f}" for r in roots] == ["6.763", "-2.513", "4.000"]
    table = stationary_points()
    assert [name for name, *_ in table] == ["global minimum", "hilltop (local maximum)",
                                           "local minimum"]
    np.testing.assert_allclose([row[1:] for row in table],
                               [(r, quartic(r), second(r)) for r in roots], rtol=0, atol=1e-12)


def test_the_band_where_the_quartic_bends_downwards():
    assert_says(NB, "is negative between $x = -1.229$ and $x = -0.271$")
    low, high = np.sort(np.roots([12.0, 18.0, 4.0]))
    assert (f"{low:.3f}", f"{high:.3f}") == ("-1.229", "-0.271")
    np.testing.assert_allclose(QUARTIC_BEND, (low, high), rtol=0, atol=1e-12)
    assert second((low + high) / 2) < 0 < second(low - 0.01) and second(high + 0.01) > 0


def test_the_seed_numbers_after_29_updates():
    assert_says(NB, "Started at 0.5, gradient descent ends at 0.000275395")
    assert_says(NB, "Started at -3, it ends at -1.640338, the global minimum")
    assert f"{descend(quartic_grad, 0.5, SGD(lr=0.05), 29)[-1]:.9f}" == "0.000275395"
    assert f"{descend(quartic_grad, -3.0, SGD(lr=0.05), 29)[-1]:.6f}" == "-1.640338"


def test_the_paths_agree_to_12_digits():
    assert_says(NB, "it is the loop above")
    for x0 in (0.5, -3.0):
        path = descend(quartic_grad, x0, SGD(lr=0.05), 29)
        ours = [x0]
        for _ in range(29):
            x = ours[-1]
            ours.append(x - 0.05 * (4 * x ** 3 + 9 * x ** 2 + 4 * x))
        np.testing.assert_allclose(path, ours, rtol=1e-12, atol=0)


def test_the_first_step_from_minus_3():
    assert_says(NB, "the slope there is -39, so the step is $0.05 \\times 39 = 1.95$) and lands "
                "at -1.05")
    assert quartic_grad(-3.0) == -39.0
    assert f"{descend(quartic_grad, -3.0, SGD(lr=0.05), 1)[1]:.2f}" == "-1.05"


def test_convex_models_end_at_the_same_loss_from_every_start():
    assert_says(NB, "Every start ends at the same loss. With two distinct features it also ends "
                "at the same weights")
    assert_says(NB, "different weights, the same loss")
    runs = convex_multistart(n_starts=5, steps=3000, seed=0)
    assert list(runs) == ["logistic regression", "linear regression",
                          "linear regression, x1 given twice"]
    for name, model_runs in runs.items():
        starts = np.array([s for s, _, _ in model_runs])
        weights = np.array([w for _, w, _ in model_runs])
        losses = np.array([loss for _, _, loss in model_runs])
        assert np.ptp(starts, axis=0).min() > 1.0                 # the starts differ
        assert np.ptp(losses) < 1e-9, name                       # the same loss
        if "twice" in name:
            assert np.ptp(weights[:, 1]) > 1.0                   # different weights ...
            assert np.ptp(weights[:, 1] + weights[:, 2]) < 1e-6  # ... same sum for x1
        else:
            assert np.ptp(weights, axis=0).max() < 1e-6, name
    # the linear fit is the least-squares solution, found independently
    rng = np.random.default_rng(0)
    x1, x2, noise = rng.normal(size=(3, 100))
    A = np.column_stack([np.ones(100), x1, x2])
    best = np.linalg.lstsq(A, 1 + 2 * x1 - x2 + 0.5 * noise, rcond=None)[0]
    np.testing.assert_allclose(runs["linear regression"][0][1], best, atol=1e-8)


def test_the_start_sweep_and_the_hilltop_watershed():
    assert_says(NB, "starts left of the hilltop at -0.610 end at the global minimum, starts to its "
                "right end at the local one")
    starts = np.linspace(-3.0, 1.5, 451)
    x = starts.copy()
    for _ in range(100):
        x = x - 0.05 * quartic_grad(x)
    left = starts[np.abs(x + 1.6404) < 1e-3]
    right = starts[np.abs(x) < 1e-3]
    assert (left.size, right.size) == (240, 211)
    assert left.max() < -0.6096 < right.min()
    y = starts.copy()
    for _ in range(100):
        y = y - 0.05 * square_grad(y)
    assert np.abs(y).max() < 1e-4


def test_the_factor_per_step_near_0():
    assert_says(NB, "with lr 0.1, near the local minimum at 0 the factor should be $1 - 0.4 = 0.6$")
    path = descend(quartic_grad, 0.01, SGD(lr=0.1), 6)
    ratios = path[1:] / path[:-1]
    assert np.all(np.diff(ratios) >= 0) and abs(ratios[-1] - 0.6) < 0.002


def test_the_learning_rate_sweep_from_0_5():
    assert_says(NB, "Learning rates from 0.235 to 0.29 land in the global minimum")
    assert_says(NB, "within 100 updates the sweep counts it as still swinging around -1.640")
    assert_says(NB, "Further on, a few rates just below 0.5 fall back to 0, slightly larger ones keep "
                "swinging around 0, and from 0.54 on the steps grow until they blow up")
    lrs = np.round(np.arange(0.01, 1.0001, 0.005), 3)
    assert lrs.size == 199
    got = [(f"{lo:.3f}", f"{hi:.3f}", verdict) for lo, hi, verdict in lr_outcomes(0.5, lrs, 100)]
    assert got == [("0.010", "0.230", "ends at the local minimum 0"),
                   ("0.235", "0.290", "ends at the global minimum -1.640"),
                   ("0.295", "0.480", "keeps swinging around the global minimum -1.640"),
                   ("0.485", "0.495", "ends at the local minimum 0"),
                   ("0.500", "0.535", "keeps swinging around the local minimum 0"),
                   ("0.540", "1.000", "blows up")]
    # spot checks with descend itself
    assert abs(descend(quartic_grad, 0.5, SGD(lr=0.25), 100)[-1] + 1.6404) < 1e-3
    assert np.abs(descend(quartic_grad, 0.5, SGD(lr=0.35), 100)[-20:] + 1.6404).max() > 0.01
    assert abs(descend(quartic_grad, 0.5, SGD(lr=0.49), 100)[-1]) < 0.01
    with np.errstate(all="ignore"):
        assert not np.all(np.abs(descend(quartic_grad, 0.5, SGD(lr=0.54), 100)) < 10)


def test_the_first_step_from_0_5_crosses_the_hilltop_from_lr_0_2336():
    assert_says(NB, "The first step moves by lr × 4.75; from lr 0.2336 on it lands just over the "
                "hilltop (at lr 0.235 on -0.61625, at 0.29 on -0.87750)")
    assert quartic_grad(0.5) == 4.75                 # 4/8 + 9/4 + 2
    hilltop = (-9 + np.sqrt(17)) / 8
    assert f"{(0.5 - hilltop) / 4.75:.4f}" == "0.2336"
    firsts = {lr: descend(quartic_grad, 0.5, SGD(lr=lr), 1)[1] for lr in (0.23, 0.235, 0.29)}
    np.testing.assert_allclose([firsts[0.235], firsts[0.29]], [-0.61625, -0.8775], atol=1e-12)
    assert firsts[0.23] > hilltop > firsts[0.235]    # 0.23 stays right of it, 0.235 crosses
    # the window's edges in the sweep are exactly these rates
    got = lr_outcomes(0.5, np.array([0.23, 0.235, 0.29, 0.295]), 100)
    assert [(f"{lo:.3f}", f"{hi:.3f}") for lo, hi, _ in got] == [
        ("0.230", "0.230"), ("0.235", "0.290"), ("0.295", "0.295")]


def test_the_window_closes_at_the_limit_of_the_global_valley():
    assert_says(NB, "2 / 6.763 = 0.2957. At 0.29 the factor is -0.961 and the path settles within "
                "100 updates")
    assert_says(NB, "0.295 sits just under the limit (factor -0.995): it does settle, but slowly")
    assert_says(NB, "At 0.30 (factor -1.029) the swing stops shrinking: $|x - x^*|$ is the same "
                "after 100 updates and after 3000")
    x_star = (-9 - np.sqrt(17)) / 8
    c = second(x_star)
    assert f"{2 / c:.4f}" == "0.2957"
    assert f"{reference_largest_stable_lr(quartic_grad, second, x_star):.4f}" == "0.2957"
    assert [f"{1 - lr * c:.3f}" for lr in (0.29, 0.295, 0.30)] == ["-0.961", "-0.995", "-1.029"]
    dist = {lr: np.abs(descend(quartic_grad, 0.5, SGD(lr=lr), 3000)[[100, 3000]] - x_star)
            for lr in (0.29, 0.295, 0.30)}
    assert dist[0.29][0] < 0.01 and dist[0.29][1] < 1e-10          # settled within 100
    assert dist[0.295][0] > 0.01 and dist[0.295][1] < 1e-6         # settles, but slowly
    assert 0.05 < dist[0.30][0] < 0.06 and abs(dist[0.30][0] - dist[0.30][1]) < 1e-3


def test_the_suggested_rates_of_question_3():
    """0.49 / 0.29 shrink between 50 and 100 steps; 0.52 / 0.30 keep the same swing; 0.501
    from 0.1 still shrinks towards its tiny steady swing."""
    assert_says(NB, "Start near each minimum (0.1, then -1.5)")
    assert_says(NB, "0.49 and 0.52, then 0.29 and 0.30. Does $|x - x^*|$ shrink between 50 and "
                    "100 steps, or keep its swing?")
    assert_says(NB, "at 0.501, $|x|$ still shrinks between 50 and 100 steps")
    x_star = (-9 - np.sqrt(17)) / 8
    for x0, centre, below, above in ((0.1, 0.0, 0.49, 0.52), (-1.5, x_star, 0.29, 0.30)):
        d_below = np.abs(descend(quartic_grad, x0, SGD(lr=below), 100)[[50, 100]] - centre)
        d_above = np.abs(descend(quartic_grad, x0, SGD(lr=above), 100)[[50, 100]] - centre)
        assert d_below[1] < 0.2 * d_below[0]
        assert abs(d_above[1] - d_above[0]) < 0.02 * d_above[0] and d_above[0] > 0.04
    d = np.abs(descend(quartic_grad, 0.1, SGD(lr=0.501), 100)[[50, 100]])
    assert d[1] < 0.9 * d[0]


def test_the_explorers_verdict_for_question_3():
    """The explorer follows a run 500 steps further; for question 3's suggested rates its
    verdict names the right minimum and tells settling (below the limit) from a steady swing
    (above), 0.501 included. Word-independent: only which verdicts agree is checked."""
    assert_says(NB, "A run that has not settled is followed 500 steps further")
    assert_says(NB, "Trust the verdict, which looks 500 steps further (at 0.501, $|x|$ still "
                    "shrinks between 50 and 100 steps)")
    assert AHEAD == 500
    marks = [("global min", (-9 - np.sqrt(17)) / 8, "--"), ("local min", 0.0, "--"),
             ("hilltop", (-9 + np.sqrt(17)) / 8, ":")]

    def verdict(x0, lr):
        run = descend(quartic_grad, x0, SGD(lr=lr), 100 + AHEAD)
        return outcome(run[:101], marks, ahead=run[101:])
    for x0, name, below, above in ((0.1, "local min", 0.49, 0.52),
                                   (-1.5, "global min", 0.29, 0.30)):
        v_below, v_above = verdict(x0, below), verdict(x0, above)
        assert name in v_below and name in v_above and v_below != v_above
        assert "blow" not in v_above
    assert verdict(0.1, 0.501) == verdict(0.1, 0.52)           # a steady swing, not settling
    assert verdict(-1.5, 0.295) not in (verdict(-1.5, 0.29), verdict(-1.5, 0.30))


def test_a_networks_loss_rises_between_a_weight_vector_and_its_unit_swapped_twin():
    """Swapping two hidden units leaves the loss unchanged (both ends equal, to rounding); the
    midpoint is more than twice as high: against convexity's f((a+b)/2) <= (f(a)+f(b))/2."""
    assert_says(NB, "The two ends have the same loss, 0.242; halfway it is 0.538, more than "
                    "twice as high")
    assert_says(NB, "of three tanh units and a sigmoid output, fitted by gradient descent "
                    "(2000 steps)")
    losses = unit_swap_losses(hidden=3, steps=2000, seed=0)
    assert abs(losses[0] - losses[-1]) < 1e-12 and abs(losses[1] - losses[3]) < 1e-12
    assert (f"{losses[0]:.3f}", f"{losses[2]:.3f}") == ("0.242", "0.538")
    assert losses[2] > 2 * losses[0] and losses[0] < losses[1] < losses[2]


def test_question_4_on_the_sliders_grid():
    """From 0.5 at lr 0.486 (a point of the slider), after 7 steps the path is in the left
    valley (beyond the hilltop), after 29 back in the right one, near 0."""
    assert_says(NB, "then lr 0.486, with 7 and with 29")
    path = descend(quartic_grad, 0.5, SGD(lr=0.486), 29)
    hilltop = (-9 + np.sqrt(17)) / 8
    assert path[7] < hilltop and abs(path[7] - (-1.8746)) < 1e-4
    assert path[29] > hilltop and abs(path[29] - (-0.0193)) < 1e-4


def test_every_rate_the_lesson_names_is_a_point_of_the_slider():
    """Typed into the box, a rate between the slider's points moves to the nearest one: the
    rates the lesson asks for are all points (steps of 0.001 from 0.001), and the explorer
    opens at 0.05 with the notes' 0.000275."""
    import matplotlib
    matplotlib.use("Agg")
    from lessonlib import widgets
    assert_says(NB, "The start point, the learning rate (in steps of 0.001)")
    lr = widgets.local_minima_explorer().controls["lr"]
    for rate in (0.05, 0.49, 0.52, 0.29, 0.30, 0.501, 0.486, 0.1, 0.4):
        k = (rate - lr.min) / lr.step
        assert abs(k - round(k)) < 1e-9 and lr.min <= rate <= lr.max, rate
    explorer = widgets.local_minima_explorer()
    assert explorer.controls["lr"].value == 0.05
    assert "0.000275" in explorer.fig.axes[1].get_title()


def test_at_the_limit_the_factor_is_minus_1_and_x_squared_swings_forever():
    assert_says(NB, "itself the factor is -1: on $x^2$ the steps swing back and forth forever")
    path = descend(square_grad, 0.3, SGD(lr=2 / 2.0), 50)      # x^2: f'' = 2, limit 1
    assert np.allclose(np.abs(path), 0.3) and np.all(path[1:] * path[:-1] < 0)


def test_the_introduction_points_to_lesson_02_for_a_worse_minimum():
    """Cell 0 claims only what this notebook shows (a network's loss is not convex) and sends
    the reader to lesson 02 for gradient descent stuck in a worse minimum."""
    assert_says(NB, "A neural network's loss is different: it is not convex (a small network "
                    "shows it below), so it can have several valleys")
    assert_says(NB, "lesson 02 shows it happen, on a small non-linear model with two parameters "
                    "(the sin-logistic model)")
    assert "while neural networks do" not in prose(NB)
    assert_says("02_momentum.ipynb", "$$\\log\\frac{p}{1-p} = \\sin(b_1 x_1 x_2 + b_2 x_2)")
    assert_says("02_momentum.ipynb", "Plain gradient descent stops there")
    assert_says("02_momentum.ipynb", "a local minimum, with a decision map without the data's "
                "stripes")


def test_both_convex_losses_curve_upwards_in_every_direction():
    """The gloss of "positive semi-definite": the matrices of second derivatives of half the
    MSE and of the log-loss have no negative eigenvalue (to rounding), on the lesson's data."""
    assert_says(NB, "the many-dimensional version of $f'' \\ge 0$: in every direction through "
                    "weight space the loss curves upwards or runs straight")
    rng = np.random.default_rng(0)
    x1, x2, _ = rng.normal(size=(3, 100))
    X = np.column_stack([np.ones(100), x1, x2])
    for w in (np.zeros(3), np.array([3.0, -2.0, 1.0])):
        p = 1 / (1 + np.exp(-X @ w))
        for hessian in (X.T @ X / 100, X.T @ (X * (p * (1 - p))[:, None]) / 100):
            assert np.linalg.eigvalsh(hessian).min() > -1e-12


def test_the_saddle_x2_minus_y2():
    """x_t = 0.8^t and y_t = 1e-6 1.2^t (a step multiplies x by 1 - 2 lr, y by 1 + 2 lr); y
    passes 1 when t > log(1e6) / log(1.2) = 75.8; the slope 2 sqrt(x^2 + y^2) is below 0.01 from
    0.8^t < 0.005 (t >= 24) while 1.2^t < 5000 (t <= 46)."""
    assert_says(NB, "multiplies $x$ by $1 - 0.2 = 0.8$ and $y$ by $1 + 0.2 = 1.2$")
    assert_says(NB, "From $(1, 0)$ the path never feels the downward direction: $y$ stays "
                    "exactly 0, and gradient descent stops on the saddle")
    assert_says(NB, "it needs 76 steps to pass 1. On the way the path crawls: its slope is below "
                    "0.01 from step 24 to step 46")
    assert_says(NB, "from $(1, 10^{-6})$ with lr 0.1, $y$ needs 76 steps to pass 1")
    t = np.arange(101)
    x, y = 0.8 ** t, 1e-6 * 1.2 ** t
    assert int(np.ceil(np.log(1e6) / np.log(1.2))) == 76
    assert f"{x[-1]:.1e}" == "2.0e-10" and f"{y[-1]:.1f}" == "82.8"
    slope = 2 * np.hypot(x, y)
    flat = np.flatnonzero(slope < 0.01)
    assert (flat[0], flat[-1], flat.size) == (24, 46, 23)
    assert slope[23] > 0.011 and slope[47] > 0.0105 and slope[24] < 0.0095 and slope[46] < 0.009
    on_axis, off_axis = saddle_paths([(1.0, 0.0), (1.0, 1e-6)], lr=0.1, steps=100)
    np.testing.assert_allclose(on_axis, np.column_stack([x, 0 * t]), rtol=1e-12, atol=0)
    np.testing.assert_allclose(off_axis, np.column_stack([x, y]), rtol=1e-12, atol=0)
    np.testing.assert_allclose(slope_length(off_axis), slope, rtol=1e-12)
    assert saddle(1.0, 2.0) == -3.0


def test_why_rates_just_below_0_5_fall_back_to_0():
    """Above the global valley's limit the swing around -1.640 widens with the rate; from
    0.485 it reaches back over the hilltop, and in the right valley every rate below
    2 / f''(0) = 0.5 settles. Plain loops, not descend."""
    assert_says(NB, "the swing around -1.640 widens as the rate grows (from -1.69 to -1.58 at "
                    "0.30, from -1.83 to -1.17 at 0.40) until, from 0.485 on, it reaches back "
                    "over the hilltop (at 0.495 on update 9) into the right-hand valley, where "
                    "every rate below 2 / f''(0) = 0.5 settles")
    assert 2 / second(0.0) == 0.5
    hilltop = (-9 + np.sqrt(17)) / 8

    def run(lr, steps=100):
        xs = [0.5]
        for _ in range(steps):
            x = xs[-1]
            xs.append(x - lr * (4 * x ** 3 + 9 * x ** 2 + 4 * x))
        return np.array(xs)
    spans = {lr: (f"{run(lr)[50:].min():.2f}", f"{run(lr)[50:].max():.2f}")
             for lr in (0.30, 0.35, 0.40)}
    assert spans == {0.30: ("-1.69", "-1.58"), 0.35: ("-1.77", "-1.39"),
                     0.40: ("-1.83", "-1.17")}
    assert (run(0.48)[1:] < hilltop).all()
    path = run(0.495)
    assert (path[1:9] < hilltop).all() and (path[9:] > hilltop).all()
    assert f"{abs(path[100]):.4f}" == "0.0044"
    # in the right valley a rate below 0.5 settles: from just right of the hilltop too
    for lr in (0.485, 0.49, 0.495):
        x = -0.55
        for _ in range(2000):
            x = x - lr * (4 * x ** 3 + 9 * x ** 2 + 4 * x)
        assert abs(x) < 1e-6
