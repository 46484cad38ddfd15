"""Lesson 02 (momentum): every number and result its prose states, recomputed with lessonlib,
each tied to the sentence that states it (``assert_says``). The expected values are written
out here (from the notes, from arithmetic, or as the bound the sentence states), never taken
from the code under test. Runtime: a few seconds (the 20-seed sweep is 4000 small updates)."""
import functools

import numpy as np

from lessonlib.data import make_sin_logistic
from lessonlib.optim import SGD, descend
from lessonlib.recipes.l01_local_minima import QUARTIC_GLOBAL_MIN, QUARTIC_LOCAL_MAX
from lessonlib.recipes.l02_momentum import final_b_over_seeds, grid_for, ravine_grad
from lessonlib.recipes.l02_momentum import largest_root as lessonlib_largest_root
from lessonlib.recipes.toys import (quartic_grad, sin_logistic_descend, sin_logistic_grad,
                                   sin_logistic_loss, sin_logistic_proba, square_grad)

from _claims import assert_says

NB = "02_momentum.ipynb"
DATA_SEED = 2          # the notebook's DATA_SEED
EASY, HARD = (0.7, 0.7), (2.0, 3.0)


def largest_root(lr, rho):
    return np.abs(np.roots([1.0, -(1 - 2 * lr + rho), rho])).max()


@functools.lru_cache(maxsize=None)
def quartic_runs():
    return (descend(quartic_grad, 0.5, SGD(lr=0.1), 400),
            descend(quartic_grad, 0.5, SGD(lr=0.1, momentum=0.9), 400))


@functools.lru_cache(maxsize=None)
def seed_sweep():
    """Final b of the notes' run (lr 0.1, 100 updates from (0, 0)) on data seeds 0-19, and its
    distance to (0.7, 0.7), without and with momentum 0.9."""
    out = {}
    for rho in (0.0, 0.9):
        ends = final_b_over_seeds(EASY, range(20), momentum=rho)
        out[rho] = (ends, np.linalg.norm(ends - 0.7, axis=1))
    return out


# ---------------------------------------------------------------- the 1-D half

def test_a_steady_slope_makes_moves_of_one_over_one_minus_rho_plain_steps():
    assert_says(NB, r"On a steady slope the moves grow towards $1/(1-\rho)$ plain steps")
    path = descend(lambda x: 1.0, 0.0, SGD(lr=0.1, momentum=0.9), 200)
    moves = -np.diff(path) / 0.1                 # in plain steps (lr * slope = 0.1)
    assert moves[0] == 1.0 and np.all(np.diff(moves) > 0)
    assert f"{moves[49]:.2f}" == "9.95"          # (1 - 0.9^50) / 0.1 = 9.948
    assert abs(moves[-1] - 10.0) < 1e-8


def test_quartic_plain_gd_stays_at_0_momentum_rolls_over_the_hill():
    assert_says(NB, "Plain gradient descent creeps into the valley at 0 and stays")
    assert_says(NB, "it crosses the hilltop at -0.610, overshoots the global minimum to about "
                "-2.0 and swings around it")
    plain, heavy = quartic_runs()
    assert plain[1] == heavy[1]                  # "Both runs take the same first step"
    assert abs(plain[29]) < 1e-6 and abs(plain[-1]) < 1e-12
    assert f"{QUARTIC_LOCAL_MAX:.3f}" == "-0.610" and f"{QUARTIC_GLOBAL_MIN:.3f}" == "-1.640"
    first = heavy[:30]
    assert first.min() < QUARTIC_GLOBAL_MIN and f"{first.min():.1f}" == "-2.0"
    assert np.all(heavy[3:] < QUARTIC_LOCAL_MAX)  # over the hilltop after the third update


def test_momentum_on_the_quartic_still_moving_at_29_and_settled_by_200():
    assert_says(NB, "After the notes' 29 updates it is still moving (hence -1.602, not -1.640); "
                "by 200 it has settled.")
    # the printed lines above the sentence: 0.00399 from the minimum after 100 updates
    _, heavy = quartic_runs()
    assert f"{heavy[29]:.6f}" == "-1.602265"     # the notes' number
    assert abs(heavy[29] - QUARTIC_GLOBAL_MIN) > 0.03
    assert abs(heavy[100] - QUARTIC_GLOBAL_MIN) < 0.004
    assert abs(heavy[99] - QUARTIC_GLOBAL_MIN) > 0.001     # not settled at 100
    # settled: from update 200 on it stays within 1e-4 of the minimum
    assert np.abs(heavy[200:] - QUARTIC_GLOBAL_MIN).max() < 1e-4


def test_plain_gd_on_x_squared_with_lr_1_02_grows_4_percent_per_step():
    assert_says(NB, r"$1 - 2\cdot 1.02 = -1.04$ per step: every jump is 4% longer than the last")
    plain = descend(square_grad, 0.5, SGD(lr=1.02), 29)
    np.testing.assert_allclose(plain[1:] / plain[:-1], -1.04, rtol=1e-12)
    assert f"{largest_root(1.02, 0.0):.4f}" == "1.0400"


def test_momentum_on_x_squared_spirals_in_with_modulus_sqrt_rho():
    assert_says(NB, r"With $\rho = 0.9$ the roots are complex: a spiral shrinking by "
                r"$|r| = \sqrt{0.9}$ per step.")
    roots = np.roots([1.0, -(1 - 2 * 1.02 + 0.9), 0.9])
    assert np.all(np.abs(roots.imag) > 0.1)
    np.testing.assert_allclose(np.abs(roots), np.sqrt(0.9), rtol=1e-12)
    assert f"{np.sqrt(0.9):.4f}" == "0.9487" and round(1 - np.sqrt(0.9), 2) == 0.05
    heavy = descend(square_grad, 0.5, SGD(lr=1.02, momentum=0.9), 29)
    assert f"{heavy[-1]:.8f}" == "-0.03117517"   # the notes' number


def test_the_heavy_ball_on_x_squared_converges_for_lr_below_1_plus_rho():
    assert_says(NB, r"So on $x^2$ **plain gradient descent needs $\text{lr} < 1$, the heavy "
                r"ball only $\text{lr} < 1 + \rho$,")
    for rho in (0.0, 0.5, 0.9):
        assert largest_root(1 + rho - 0.01, rho) < 1 < largest_root(1 + rho + 0.01, rho)
        # and the runs themselves: converge just below, blow up just above
        below = descend(square_grad, 0.5, SGD(lr=1 + rho - 0.02, momentum=rho), 3000)
        above = descend(square_grad, 0.5, SGD(lr=1 + rho + 0.02, momentum=rho), 3000)
        assert abs(below[-1]) < 1e-6 and abs(above[-1]) > 1e6
    # complex roots have modulus sqrt(rho) whatever the learning rate
    for lr in (0.3, 1.0, 1.5):
        roots = np.roots([1.0, -(1 - 2 * lr + 0.9), 0.9])
        if np.abs(roots.imag).max() > 0:
            np.testing.assert_allclose(np.abs(roots), np.sqrt(0.9), rtol=1e-12)


# ---------------------------------------------------------------- the sin-logistic model

def test_the_model_is_never_very_sure_and_its_best_loss_is_far_from_0():
    assert_says(NB, r"As $\sin$ keeps the log-odds in $[-1, 1]$, even the best loss is far from 0.")
    X, y = make_sin_logistic(*EASY, seed=DATA_SEED)
    rng = np.random.default_rng(0)
    p = sin_logistic_proba(rng.uniform(-3, 3, size=2), X)
    assert p.max() <= 1 / (1 + np.exp(-1)) + 1e-15
    assert f"{1 / (1 + np.exp(-1)):.2f}" == "0.73"
    assert sin_logistic_loss(EASY, X, y) > 0.45


def test_on_the_shown_seed_plain_gd_is_stuck_and_momentum_reaches_the_true_b():
    assert_says(NB, "we use data seed 2, on which the notes' result shows")
    assert_says(NB, "Plain gradient descent stops there (last line): a local minimum")
    # the last line: 200 more updates barely move it, its gradient is about 1e-6
    assert_says(NB, "circles and settles at the loss of the true $b$")
    X, y = make_sin_logistic(*EASY, seed=DATA_SEED)
    plain, _ = sin_logistic_descend(X, y, SGD(lr=0.1), 300)
    heavy, heavy_losses = sin_logistic_descend(X, y, SGD(lr=0.1, momentum=0.9), 100)
    assert np.linalg.norm(plain[100] - 0.7) > 0.7                  # short of the true b
    assert np.linalg.norm(plain[300] - plain[100]) < 0.005         # barely moves
    assert 5e-7 < np.linalg.norm(sin_logistic_grad(plain[300], X, y)) < 2e-6
    assert np.linalg.norm(heavy[-1] - 0.7) < 0.02
    assert abs(heavy_losses[-1] - sin_logistic_loss(EASY, X, y)) < 5e-4
    # it overshoots the true b before settling
    assert (heavy[:, 0] > 0.8).any() or (heavy[:, 1] > 0.8).any()


def test_over_20_data_seeds_momentum_reaches_the_true_b_on_16_plain_gd_on_11():
    assert_says(NB, "Plain gradient descent never succeeds where momentum fails;")
    assert_says(NB, "on 4 seeds both stop short, on seed 0 in the dip (the line above)")
    assert_says(NB, "it reached the true $b$ on 16 of 20 data sets, plain gradient descent on 11.")
    sweep = seed_sweep()
    plain, heavy = sweep[0.0][1] < 0.1, sweep[0.9][1] < 0.1
    assert plain.sum() == 11 and heavy.sum() == 16
    assert not (plain & ~heavy).any()
    assert not heavy[0]
    assert heavy[DATA_SEED] and not plain[DATA_SEED]
    # every distance is far from the 0.1 line: no count hangs on the last bits of a run
    for _, dist in sweep.values():
        assert np.all((dist < 0.06) | (dist > 0.7))


def test_the_notes_contrast_shows_on_5_of_20_data_seeds():
    assert_says(NB, "we use data seed 2, on which the notes' result shows, and compare 20 seeds "
                "below.")
    # the count itself is printed by the sweep's cell ("momentum reaches the true b where plain
    # GD stops (the notes' result): 5 of 20 data seeds (1, 2, 3, 14, 19)"); the prose refers to it
    sweep = seed_sweep()
    plain, heavy = sweep[0.0][1] < 0.1, sweep[0.9][1] < 0.1
    assert list(np.flatnonzero(heavy & ~plain)) == [1, 2, 3, 14, 19]
    assert (heavy & plain).sum() == 11           # the other 11 momentum successes (printed)


def test_the_bound_and_the_sqrt_rho_floor_over_the_learning_rate():
    assert_says(NB, r"the heavy ball only $\text{lr} < 1 + \rho$, and no learning rate shrinks "
                r"the path faster than $\sqrt\rho$ per step:")
    lrs = np.arange(1, 300) / 100
    for rho, limit, floor in ((0.0, 1.0, 0.0), (0.5, 1.5, 0.5 ** 0.5), (0.9, 1.9, 0.9 ** 0.5)):
        r = np.array([largest_root(lr, rho) for lr in lrs])
        assert (r[lrs < limit - 0.005] < 1).all() and (r[lrs > limit + 0.005] > 1).all()
        assert abs(r.min() - floor) < 1e-9


def test_from_minus_3_with_lr_0_05_plain_gd_finds_the_global_minimum_momentum_can_leave_it():
    assert_says(NB, "on the quartic from -3 with lr 0.05, where plain GD reaches the global "
                "minimum, find a momentum that throws the path out.")
    plain = descend(quartic_grad, -3.0, SGD(lr=0.05), 200)
    assert abs(plain[-1] - QUARTIC_GLOBAL_MIN) < 1e-6
    thrown = descend(quartic_grad, -3.0, SGD(lr=0.05, momentum=0.4), 200)
    assert abs(thrown[-1]) < 1e-6                                  # in the valley at 0


def test_on_seed_0_both_runs_end_in_the_dip_where_lesson_04_starts():
    assert_says(NB, "on seed 0 in the dip (the line above), where lesson 04 starts")
    # the printed line: "seed 0: plain GD ends at b = (0.08, -0.12), momentum 0.9 at (0.08, -0.12)"
    sweep = seed_sweep()
    for rho in (0.0, 0.9):
        b = sweep[rho][0][0]
        assert f"({b[0]:.2f}, {b[1]:.2f})" == "(0.08, -0.12)"


def test_on_every_one_of_20_data_seeds_neither_run_reaches_2_3():
    """The printed sweep: "plain GD reaches (2, 3) on 0 of 20, momentum 0.9 reaches (2, 3) on 0
    of 20; every run ends 3.5 to 3.6 from (2, 3); all within 0.1 of the start: True". Every run
    ends in the dip by (0, 0), far from every line the print draws (0.1 from the start, 3.5 and
    3.6 at one decimal): no verdict hangs on the last bits of a run."""
    assert_says(NB, "It fails, as in the notes, on all 20 data seeds, and so does plain gradient "
                "descent.")
    assert_says(NB, r"On a flat surface far from the valley ($b = (2, 3)$) neither helps.")
    dists = []
    for seed in range(20):
        X, y = make_sin_logistic(*HARD, seed=seed)
        for rho in (0.0, 0.9):
            path, _ = sin_logistic_descend(X, y, SGD(lr=0.1, momentum=rho), 300)
            assert np.abs(path[-1]).max() < 0.097            # within 0.1 of (0, 0), with room
            dists.append(np.linalg.norm(path[-1] - np.array(HARD)))
    dists = np.array(dists)
    assert (dists > 3.5).all() and (dists < 3.65).all()   # never within 0.1 of (2, 3)
    assert f"{dists.min():.1f}" == "3.5" and f"{dists.max():.1f}" == "3.6"
    assert 3.51 < dists.min() and dists.max() < 3.64      # far from a rounding edge


def test_the_harder_data_momentum_fails_on_an_almost_flat_start():
    assert_says(NB, "The surface is mostly a plateau near log 2")
    assert_says(NB, "Near $(0, 0)$ the gradient is less than a tenth of the easy data's")
    assert_says(NB, "the path barely moves")
    X, y = make_sin_logistic(*HARD, seed=DATA_SEED)
    X_easy, y_easy = make_sin_logistic(*EASY, seed=DATA_SEED)
    path, losses = sin_logistic_descend(X, y, SGD(lr=0.1, momentum=0.9), 300)
    assert np.linalg.norm(path[-1] - np.array(HARD)) > 3
    assert np.abs(path).max() < 0.1
    assert abs(losses[-1] - np.log(2)) < 0.005
    assert sin_logistic_loss(HARD, X, y) < 0.5                   # the deep valley exists
    g_hard = np.linalg.norm(sin_logistic_grad(np.zeros(2), X, y))
    g_easy = np.linalg.norm(sin_logistic_grad(np.zeros(2), X_easy, y_easy))
    assert g_hard < 0.1 * g_easy



def test_the_hard_datas_surface_is_drawn_wider_than_the_notes_grid():
    assert_says(NB, "(drawn up to 3.5: the notes' grid stops at 2, short of the true $b$)")
    assert grid_for(HARD)[0] == -0.5 and grid_for(HARD)[-1] == 3.5
    assert grid_for(EASY)[-1] == 2.0                 # the notes' [-0.5, 2], for the easy data
    assert HARD[1] > 2.0                             # b2 = 3 lies outside the notes' grid


def test_your_two_answers_run_the_notes_exercise_1_beside_lessonlibs(capsys):
    """The cell after the lesson's runs: the learner's loop with the learner's gradient, lr 0.1
    from (0, 0), 100 updates, momentum 0 and 0.9, once both checks pass; lessonlib's alone
    (with a line saying so) until then, as stored."""
    assert_says(NB, "Exercises 2a and 2b write the gradient and the momentum loop; after the "
                "experiment, your two answers run together.")
    assert_says(NB, "your loop with your gradient, `momentum_descend(lambda b: grad(b, X, y), "
                "np.zeros(2), 0.1, rho, 100)` for momentum 0 and 0.9")
    assert_says(NB, "Until then it draws `lessonlib`'s alone.")
    from lessonlib import exercises

    def stub(*args):
        raise NotImplementedError

    X, y = make_sin_logistic(*EASY, seed=DATA_SEED)
    runs = exercises.heavy_ball.lesson_runs(stub, stub, X, y)
    assert capsys.readouterr().out.startswith("Only lessonlib's runs are drawn")
    assert [mine for *_, mine in runs] == [None, None]
    # with the two references, the paths are the heavy ball written out here (velocity form)
    runs = exercises.heavy_ball.lesson_runs(exercises.heavy_ball.reference,
                                            exercises.sin_logistic_gradient.reference, X, y)
    assert "Your paths lie on lessonlib's" in capsys.readouterr().out
    for (_, path, mine), rho in zip(runs, (0.0, 0.9)):
        x, v, expected = np.zeros(2), np.zeros(2), [np.zeros(2)]
        for _ in range(100):
            v = rho * v - 0.1 * sin_logistic_grad(x, X, y)
            x = x + v
            expected.append(x)
        np.testing.assert_allclose(mine, np.array(expected), rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(path, np.array(expected), rtol=1e-9, atol=1e-12)


def test_the_notes_count_the_start_so_their_runs_are_99_and_299_updates():
    """The notes' num.iteration (100, 300) counts the start (ans_b1 = rep(start, num.iteration),
    updates from i = 2): 99 and 299 updates. We run 100 and 300; one update more or less
    changes no verdict."""
    assert_says(NB, "for 100 iterations (their count includes the start: 99 updates; we run 100)")
    assert_says(NB, "300 iterations from $(0, 0)$ (299 updates; we run 300)")
    X, y = make_sin_logistic(*EASY, seed=DATA_SEED)
    plain, _ = sin_logistic_descend(X, y, SGD(lr=0.1), 100)
    heavy, _ = sin_logistic_descend(X, y, SGD(lr=0.1, momentum=0.9), 100)
    for t in (99, 100):
        assert np.linalg.norm(plain[t] - 0.7) > 0.7
        assert np.linalg.norm(heavy[t] - 0.7) < 0.06
    Xh, yh = make_sin_logistic(*HARD, seed=DATA_SEED)
    hard, _ = sin_logistic_descend(Xh, yh, SGD(lr=0.1, momentum=0.9), 300)
    assert np.abs(hard[299:]).max() < 0.1

# ---------------------------------------------------------------- the ravine

RAVINE_START = np.array([-9.0, 1.0])


def heavy_ball_2d(lr, rho, steps):
    """The heavy ball written out on (b1² + 25 b2²)/2, whose gradient is (b1, 25 b2)."""
    h = np.array([1.0, 25.0])
    path = [RAVINE_START.copy()]
    x_prev, x = RAVINE_START, RAVINE_START - lr * h * RAVINE_START
    path.append(x)
    for _ in range(steps - 1):
        x_prev, x = x, x - lr * h * x + rho * (x - x_prev)
        path.append(x)
    return np.array(path)


def test_the_ravine_plain_gd_zig_zags_across_and_creeps_along():
    assert_says(NB, r"From $(-9, 1)$ with lr 0.075, near plain gradient descent's limit "
                r"$2/25 = 0.08$:")
    assert_says(NB, r"Plain gradient descent bounces across the valley (factor $1 - 25\cdot 0.075 "
                r"= -0.875$) and creeps along it;")
    # the printed factors (0.875 across, 0.925 along) and distance after 30 updates (0.868)
    # plain gradient descent multiplies b1 by 1 - 0.075 and b2 by 1 - 25 * 0.075 each step
    t = np.arange(61)
    closed = np.stack([-9.0 * 0.925 ** t, (-0.875) ** t], axis=1)
    plain = descend(ravine_grad, RAVINE_START, SGD(lr=0.075), 60)
    np.testing.assert_allclose(plain, closed, rtol=1e-10, atol=1e-14)
    assert f"{np.linalg.norm(closed[30]):.3f}" == "0.868"
    assert np.all(np.sign(plain[1:, 1]) == -np.sign(plain[:-1, 1]))     # across: a zig-zag
    assert abs(lessonlib_largest_root(0.075, 0.0, 1.0) - 0.925) < 1e-12
    assert abs(lessonlib_largest_root(0.075, 0.0, 25.0) - 0.875) < 1e-12
    # the limit 2/25: just below it converges, just above it blows up
    below = descend(ravine_grad, RAVINE_START, SGD(lr=0.079), 3000)
    above = descend(ravine_grad, RAVINE_START, SGD(lr=0.081), 3000)
    assert np.linalg.norm(below[-1]) < 1e-6 and np.linalg.norm(above[-1]) > 1e6


def test_the_ravine_momentum_half_damps_the_zig_zag_and_is_far_closer():
    assert_says(NB, "momentum 0.5 cancels the alternating gradients across and adds up the steady "
                "ones along.")
    # the printed: 0.800 per step along, 0.019 from the minimum after 30 updates
    heavy = descend(ravine_grad, RAVINE_START, SGD(lr=0.075, momentum=0.5), 60)
    np.testing.assert_allclose(heavy, heavy_ball_2d(0.075, 0.5, 60), rtol=1e-9, atol=1e-14)
    assert f"{np.linalg.norm(heavy[30]):.3f}" == "0.019"
    # along: r² - (1 - 0.075 + 0.5) r + 0.5 = 0 has real roots, the larger 0.800 (quadratic formula)
    c = 1 - 0.075 + 0.5
    along = (c + np.sqrt(c * c - 4 * 0.5)) / 2
    assert f"{along:.3f}" == "0.800"
    assert abs(lessonlib_largest_root(0.075, 0.5, 1.0) - along) < 1e-9
    # across: complex roots, modulus sqrt(0.5)
    assert abs(lessonlib_largest_root(0.075, 0.5, 25.0) - np.sqrt(0.5)) < 1e-9
    # late in the run the distance shrinks by about 0.8 per step
    ratio = np.linalg.norm(heavy[60]) / np.linalg.norm(heavy[50])
    assert 0.75 ** 10 < ratio < 0.85 ** 10


def test_the_ravine_momentum_0_9_swings_past_and_ends_further_than_plain_gd():
    assert_says(NB, r"More is not better:** with 0.9 both factors are $\sqrt{0.9}$ and the path "
                r"swings past the minimum to $b_1 \approx 5$.")
    # the printed: |r| 0.949 both ways; after 60 updates further away than plain GD
    swing = descend(ravine_grad, RAVINE_START, SGD(lr=0.075, momentum=0.9), 60)
    np.testing.assert_allclose(swing, heavy_ball_2d(0.075, 0.9, 60), rtol=1e-9, atol=1e-14)
    for h in (1.0, 25.0):
        assert abs(lessonlib_largest_root(0.075, 0.9, h) - np.sqrt(0.9)) < 1e-9
    assert f"{np.sqrt(0.9):.3f}" == "0.949"
    assert round(swing[:31, 0].max()) == 5                      # within the 30 updates drawn
    plain_60 = np.hypot(9.0 * 0.925 ** 60, 0.875 ** 60)
    assert np.linalg.norm(swing[60]) > plain_60


def test_gohs_pair_puts_the_slowest_and_fastest_directions_on_the_double_root_edge():
    assert_says(NB, r"It puts curvatures 1 and $\kappa$ each on the edge between real and complex "
                r"roots, where both shrink by $\sqrt\rho$.")
    # the edges: lr = (1 - sqrt rho)^2 for curvature 1 and lr * kappa = (1 + sqrt rho)^2 for
    # kappa; dividing gives sqrt rho = (sqrt kappa - 1) / (sqrt kappa + 1), the ravine cell's
    # formula, and lr = (1 - sqrt rho)^2 = (2 / (1 + sqrt kappa))^2, the printed lr; the directions
    # between the two have complex roots of the same modulus, so none is slower
    for kappa in (25.0, 1000.0):
        s = np.sqrt(kappa)
        sqrt_rho = (s - 1) / (s + 1)
        lr = (2 / (1 + s)) ** 2
        assert abs(lr - (1 - sqrt_rho) ** 2) < 1e-15
        assert abs(lr * kappa - (1 + sqrt_rho) ** 2) < 1e-12
        rho = sqrt_rho ** 2
        for h in (1.0, kappa):                   # a double root: zero discriminant, |r| = sqrt(rho)
            c = 1 - lr * h + rho
            assert abs(c * c - 4 * rho) < 1e-9
            assert abs(abs(c / 2) - sqrt_rho) < 1e-9
        for h in np.linspace(1.0, kappa, 50)[1:-1]:   # between: complex roots of modulus sqrt(rho)
            roots = np.roots([1.0, -(1 - lr * h + rho), rho])
            assert np.abs(roots.imag).min() > 0
            np.testing.assert_allclose(np.abs(roots), sqrt_rho, rtol=1e-9)
    # kappa = 25 by hand: sqrt(rho) = 4/6 = 2/3, lr = (2/6)^2 = 1/9; 1/9 = (1/3)^2, 25/9 = (5/3)^2
    assert abs((1 - 2 / 3) ** 2 - 1 / 9) < 1e-15 and abs((1 + 2 / 3) ** 2 - 25 / 9) < 1e-14


def test_the_skim_note_and_the_bold_conclusions_it_points_to():
    assert_says(NB, "*On a first reading, skim the algebra: the conclusions are in bold.*")
    # the bold conclusions, checked below
    assert_says(NB, r"**plain gradient descent needs $\text{lr} < 1$, the heavy ball only "
                r"$\text{lr} < 1 + \rho$, and no learning rate shrinks the path faster than "
                r"$\sqrt\rho$ per step:**")
    assert_says(NB, "**momentum 0.5 cancels the alternating gradients across and adds up the "
                "steady ones along. More is not better:**")
    # up to 1 + rho, and 1 for plain GD (rho = 0): the runs just below and above
    for rho in (0.0, 0.9):
        below = descend(square_grad, 0.5, SGD(lr=1 + rho - 0.02, momentum=rho), 3000)
        above = descend(square_grad, 0.5, SGD(lr=1 + rho + 0.02, momentum=rho), 3000)
        assert abs(below[-1]) < 1e-6 and abs(above[-1]) > 1e6
    # never faster than sqrt(rho): the product of the two roots is rho
    for lr in np.linspace(0.01, 1.89, 60):
        assert largest_root(lr, 0.9) >= np.sqrt(0.9) - 1e-9
    # the ravine: momentum 0.5 shrinks faster along (0.800 < 0.925) and damps the zig-zag
    # across (sqrt(0.5) = 0.707 per step against plain GD's 0.875); 0.9 overshoots b1 = 0
    assert lessonlib_largest_root(0.075, 0.5, 1.0) < 0.81 < 0.925
    assert lessonlib_largest_root(0.075, 0.5, 25.0) < 0.71 < 0.875
    heavy = descend(ravine_grad, RAVINE_START, SGD(lr=0.075, momentum=0.5), 30)
    assert np.abs(heavy[20:, 1]).max() < 0.875 ** 20 / 10      # across: far below plain GD's
    assert abs(heavy[30, 0]) < 9 * 0.925 ** 30 / 10            # along: far closer
    swing = descend(ravine_grad, RAVINE_START, SGD(lr=0.075, momentum=0.9), 30)
    assert swing[:, 0].max() > 4


def test_nesterov_takes_the_gradient_at_the_look_ahead_point():
    assert_says(NB, r"the gradient is taken at the look-ahead point "
                r"$x_{t-1} + \rho\,v_{t-1}$, so it already pulls back when that point lies past "
                "the minimum.")
    # on x² from 0.5 (lr 0.3, rho 0.9), written out here: whenever x + rho v lies past 0 while
    # x has not crossed yet, the look-ahead gradient points back (sign opposite to x's)
    x, v, seen = 0.5, 0.0, 0
    for _ in range(50):
        ahead = x + 0.9 * v
        if np.sign(ahead) != np.sign(x) and ahead != 0:
            seen += 1
            assert np.sign(2 * ahead) == -np.sign(x)     # pulls back towards x's side
        v = 0.9 * v - 0.3 * 2 * ahead
        x = x + v
    assert seen > 0


def test_gohs_best_momentum_is_below_0_5_for_the_ravine_and_near_0_9_for_a_narrower_valley():
    assert_says(NB, "Goh's best pair (printed) has momentum below 0.5 here, near 0.9 for a much "
                "narrower valley.")
    # Goh: for curvatures 1 and kappa, lr = (2 / (1 + sqrt kappa))^2, rho = ((sqrt kappa - 1) /
    # (sqrt kappa + 1))^2; for kappa = 25 that is lr 1/9, rho 4/9, and both directions shrink
    # by 2/3 per step (r^2 -+ 4/3 r + 4/9 = (r -+ 2/3)^2).
    assert f"{4 / 9:.3f}" == "0.444" and f"{(30.6228 / 32.6228) ** 2:.3f}" == "0.881"
    for h in (1.0, 25.0):
        assert abs(lessonlib_largest_root(1 / 9, 4 / 9, h) - 2 / 3) < 1e-6
    # and no pair on a grid does better than 2/3 in the worse direction
    best = min(max(lessonlib_largest_root(lr, rho, h) for h in (1.0, 25.0))
               for lr in np.linspace(0.01, 0.15, 29) for rho in np.linspace(0.0, 0.95, 39))
    assert best > 2 / 3 - 1e-6
    # the printed runs: 0.5 at lr 0.075 shrinks by 0.800 along, Goh's pair by 0.667
    assert lessonlib_largest_root(0.075, 0.5, 1.0) > 0.79
