"""Lesson 04's claims, recomputed: every number its prose states, checked against the value
written here, and the sentence that states it (``assert_says``). The many-seed tables and the
circle runs are read from data/l04_runs.npz, which the notebook loads."""
from pathlib import Path

import numpy as np
import pytest

from _claims import assert_says
from lessonlib import MLP
from lessonlib.data import batch_indices, make_circle, make_sin_logistic
from lessonlib.optim import SGD
from lessonlib.recipes import l04_minibatch as recipe
from lessonlib.recipes.toys import sin_logistic_descend, sin_logistic_grad, sin_logistic_loss

NB = "04_minibatch_sgd.ipynb"
DATA = Path(__file__).resolve().parent.parent / "data"
SEEDS = list(range(30))


@pytest.fixture(scope="module")
def easy():
    return make_sin_logistic(0.7, 0.7, n=1000, noise=0.3, seed=0)


@pytest.fixture(scope="module")
def hard():
    return make_sin_logistic(2.0, 3.0, n=1000, noise=0.3, seed=0)


@pytest.fixture(scope="module")
def stored():
    with np.load(DATA / "l04_runs.npz") as f:
        return dict(f)


def hits(finals, true_b):
    return int(np.sum(np.linalg.norm(finals - np.asarray(true_b), axis=1) < 0.2))


def test_updates_per_epoch():
    sizes = [len(b) for b in batch_indices(1000, 30, np.random.default_rng(0))]
    assert len(sizes) == 34 and sizes.count(30) == 33 and sizes[-1] == 10
    assert_says(NB, "one epoch is 34 updates (33 batches of 30 and one of 10)")


def test_the_dip_and_the_noise(easy):
    X, y = easy
    path, _ = sin_logistic_descend(X, y, SGD(lr=0.1), 300)
    dip = path[-1]
    assert np.round(dip, 2).tolist() == [0.08, -0.12]
    assert_says(NB, "On our data the dip is at about $(0.08, -0.12)$")
    full = sin_logistic_grad(dip, X, y)
    spread = {}
    for bs in (5, 30, 300):
        grads = recipe.batch_gradients(X, y, dip, bs, -(-100 // (len(X) // bs)), seed=0)
        assert len(grads) == {5: 200, 30: 132, 300: 102}[bs]
        spread[bs] = np.sqrt(np.mean(np.sum((grads - full) ** 2, axis=1)))
    assert round(spread[5] / spread[30], 2) == 2.31 and round(np.sqrt(6), 2) == 2.45
    assert round(spread[30] / spread[300], 2) == 3.52 and round(np.sqrt(10), 2) == 3.16
    assert_says(NB, "six times more points (5 to 30), 2.31 times less noise ($\\sqrt 6 \\approx "
                    "2.45$); ten times more (30 to 300), 3.52 times less ($\\sqrt{10} \\approx "
                    "3.16$)")
    assert_says(NB, "at least 100\nbatches each")
    # the sampling formula, against per-row gradients computed here (not by the recipe)
    per_row = np.array([sin_logistic_grad(dip, X[i:i + 1], y[i:i + 1]) for i in range(len(X))])
    sigma2 = np.sum(per_row.var(axis=0))
    for bs, measured in spread.items():
        formula = np.sqrt(sigma2 / bs * (len(X) - bs) / (len(X) - 1))
        assert abs(recipe.batch_noise_formula(X, y, dip, bs) - formula) < 1e-12
        assert abs(measured / formula - 1) < 0.1          # the prediction is close
    assert_says(NB, "$\\sqrt{\\sigma^2 / B \\cdot (N - B) / (N - 1)}$")


def test_final_loss_strips(easy, stored):
    X, y = easy
    counts = {int(bs): hits(b, (0.7, 0.7)) for bs, b in zip(stored["batch_sizes"], stored["final_b"])}
    assert counts == {1: 0, 5: 2, 10: 15, 30: 29, 100: 16, 1000: 0}
    assert_says(NB, "**Batch 100:** 16 of 30 runs leave the dip")
    assert_says(NB, "**Batch 30:** 29 of 30 runs reach the valley")
    assert_says(NB, "**Batch 10:** 15 of 30")
    assert_says(NB, "Batch 5 reaches the valley on 2 seeds of 30")
    assert round(sin_logistic_loss((0.7, 0.7), X, y), 3) == 0.470
    assert_says(NB, "the dashed line, loss 0.470")
    losses = dict(zip(stored["batch_sizes"].tolist(), stored["final_loss"]))
    dip_loss = 0.6823
    assert round(float(losses[1000][0]), 4) == dip_loss
    assert np.median(losses[5]) > dip_loss and losses[1].min() > dip_loss
    assert_says(NB, "most runs, and every run with batch 1, end at a loss *worse* than the dip")
    b1 = dict(zip(stored["batch_sizes"].tolist(), stored["final_b"]))[1]
    far = np.linalg.norm(b1 - np.array([0.0752, -0.1215]), axis=1)
    assert round(b1[:, 0].min()) == -48 and round(b1[:, 0].max()) == 33
    assert round(far.min(), 1) == 3.6
    assert_says(NB, "the batch-1 runs end between $b_1 = -48$ and $b_1 = 33$,\n  none closer than "
                    "3.6 to the dip")
    assert (round(losses[1].min(), 2), round(losses[1].max(), 2)) == (0.72, 0.77)
    assert_says(NB, "far outside the region the plots of lesson 02 show, at\n  final losses of "
                    "0.72 to 0.77")


def test_final_points_runs_the_seeds_of_sin_logistic_descend(easy):
    X, y = easy
    finals, losses = recipe.final_points(X, y, 30, [0, 7], lr=0.1, momentum=0.9, steps=300)
    for i, seed in enumerate((0, 7)):
        path, path_losses = sin_logistic_descend(X, y, SGD(lr=0.1, momentum=0.9), 300, (0, 0),
                                                 30, seed=seed)
        np.testing.assert_allclose(finals[i], path[-1], rtol=1e-9, atol=1e-12)
    assert_says(NB, "the same updates on the same batches as\n`sin_logistic_descend` with each "
                    "seed, in one pass instead of thirty")


def _near(b, true_b=(0.7, 0.7)):
    """Seeds within 0.2 of the true b, per epoch: b is (seeds, epochs + 1, 2)."""
    return np.sum(np.linalg.norm(b - np.asarray(true_b), axis=-1) < 0.2, axis=0)


def test_the_same_work_per_epoch(easy, stored):
    """The equal-work runs: stored ones read as the notebook reads them; the steady batch sizes
    (30, 100, full batch) retrained here from the recipe for a few epochs."""
    X, y = easy
    sizes = stored["batch_sizes"].tolist()
    assert stored["epoch_starts"].tolist() == [[1.2, 1.2], [0.0, 0.0]]
    assert stored["epoch_loss"].shape == (2, 6, 30, 31)
    assert_says(NB, "one\nepoch is one full-batch update, 10 updates with batches of 100, 34 with "
                "batches of 30, 1000\nwith batches of 1")
    assert [-(-1000 // bs) for bs in (1000, 100, 30, 1)] == [1, 10, 34, 1000]
    assert_says(NB, "given 30 epochs each")
    assert_says(NB, "but it is cheap, so we can take many more\nsteps for the same work")
    for s, start in enumerate(stored["epoch_starts"]):
        for bs in (30, 100, 1000):
            i = sizes.index(bs)
            b, loss = recipe.epoch_runs(X, y, bs, SEEDS, 3, b0=start)
            np.testing.assert_allclose(stored["epoch_loss"][s, i, :, :4], loss, rtol=1e-9)
    near = {(s, bs): _near(stored["epoch_b"][s, i]) for s in (0, 1)
            for i, bs in enumerate(sizes)}
    first = {key: int(np.flatnonzero(v >= 25)[0]) if (v >= 25).any() else None
             for key, v in near.items()}
    assert_says(NB, "Full-batch gradient descent needs 11 epochs of work before its path is "
                "within 0.2 of\nthe true $b$; batches of 100 and of 30 get 25 or more of their "
                "30 seeds there after 2 epochs,\nand batch 30 has 24 of 30 there after a single "
                "epoch")
    assert (first[0, 1000], first[0, 100], first[0, 30], near[0, 30][1]) == (11, 2, 2, 24)
    assert near[0, 1000][10] == 0 and near[0, 1000][11] == 30
    assert_says(NB, "With batches of 10 the noise throws runs out of\nthe valley again (12 of 30 "
                "there after 30 epochs), and with batches of 5 and 1 the median loss\nends "
                "*above* the loss at the start")
    assert near[0, 10][30] == 12 and near[0, 10].max() >= 19
    for bs in (1, 5):
        loss = stored["epoch_loss"][0, sizes.index(bs)]
        assert np.median(loss[:, -1]) > loss[0, 0]                  # 0.75 against 0.656
    assert_says(NB, "Full batch sits in it for all 30 epochs; batch 100\ntakes 30 epochs to get "
                "16 of its 30 seeds out")
    assert_says(NB, "batch 30 gets 27 of 30 to the true $b$ within 3 epochs")
    assert near[1, 1000].max() == 0 and near[1, 100][30] == 16 and near[1, 30][3] == 27
    assert f"{stored['epoch_loss'][1, sizes.index(1000), 0, -1]:.4f}" == "0.6823"
    assert_says(NB, "batches of 30 and 100\ndo best from inside the valley, and only batches of "
                "30 do well from $(0, 0)$")
    medians = {key: np.median(stored["epoch_loss"][key[0], sizes.index(key[1])][:, 10:], axis=0)
               for key in near}
    best_inside = sorted(sizes, key=lambda bs: medians[0, bs].mean())[:2]
    assert sorted(best_inside) == [30, 100]
    assert [bs for bs in sizes if near[1, bs][3:].min() >= 25] == [30]
    assert_says(NB, "from\n  $(1.2, 1.2)$ batches of 30 and 100 reach the true $b$ in 2 epochs, "
                "full-batch gradient\n  descent in 11")


@pytest.fixture(scope="module")
def lesson02():
    return make_sin_logistic(0.7, 0.7, n=1000, noise=0.3, seed=2)


def test_lesson_02_is_quoted_right(lesson02):
    """Lesson 02's headline data (its DATA_SEED 2): plain GD stops near (0.155, -0.084),
    momentum 0.9 rolls through to the true b; over data seeds 0-19 momentum reaches the true b
    on 16 and fails on 0, 4, 6 and 15 (lesson 02's cell 25 shows the same seeds)."""
    X, y = lesson02
    plain, _ = sin_logistic_descend(X, y, SGD(lr=0.1), 300)
    assert np.round(plain[-1], 3).tolist() == [0.155, -0.084]
    assert np.linalg.norm(sin_logistic_grad(plain[-1], X, y)) < 2e-6
    heavy, _ = sin_logistic_descend(X, y, SGD(lr=0.1, momentum=0.9), 300)
    assert np.linalg.norm(heavy[-1] - 0.7) < 0.05
    assert_says(NB, "Lesson 02's figures use its data seed 2: there plain gradient descent from "
                    "$b = (0, 0)$ with lr 0.1 stops in a shallow dip near $(0.155, -0.084)$, and "
                    "momentum 0.9 rolls through the dip to the true $b$, as it did on 16 of "
                    "lesson 02's 20 data seeds. This lesson uses data seed 0 (`SEED`), one of "
                    "the 4 draws on which momentum stops in the dip too")
    failed = []
    for s in range(20):
        Xs, ys = make_sin_logistic(0.7, 0.7, n=1000, noise=0.3, seed=s)
        end = sin_logistic_descend(Xs, ys, SGD(lr=0.1, momentum=0.9), 300)[0][-1]
        if np.linalg.norm(end - 0.7) >= 0.2:
            failed.append(s)
    assert failed == [0, 4, 6, 15]
    assert_says(NB, "On this data draw momentum alone does not get out. Lesson 02 found the same "
                    "on its data seed 0; on its headline data, seed 2, momentum does roll through "
                    "the dip.")
    assert_says(NB, "In lesson 02 (on its data seed 2), full-batch momentum 0.9 and 300 "
                    "iterations from $(0, 0)$ could not find $b = (2, 3)$")


def test_leaving_the_dip(easy, lesson02):
    X, y = easy
    finals = {(bs, rho): recipe.final_points(X, y, bs, SEEDS, lr=0.1, momentum=rho,
                                             steps=300)[0]
              for bs, rho in ((30, 0.0), (5, 0.0), (30, 0.9))}
    found = {key: hits(points, (0.7, 0.7)) for key, points in finals.items()}
    assert found == {(30, 0.0): 0, (5, 0.0): 30, (30, 0.9): 29}
    assert_says(NB, "the same batch of 30 jitters around the bottom of the dip and stays, on all "
                    "30 orders")
    dip = sin_logistic_descend(X, y, SGD(lr=0.1), 300)[0][-1]
    from_dip = np.linalg.norm(finals[(30, 0.0)] - dip, axis=1)
    assert round(from_dip.max(), 2) == 0.09
    assert_says(NB, "(each ends within 0.09 of the dip, a line under the figure)")
    assert_says(NB, "With momentum 0.9 added, 29 orders of 30 get out (bottom right)")
    assert_says(NB, "it gets out on all 30 orders even without momentum")
    fast = recipe.final_points(X, y, 5, SEEDS, lr=1.0, momentum=0.0, steps=300)[0]
    assert hits(fast, (0.7, 0.7)) == 0
    assert_says(NB, "steady slope it makes them $1/(1 - 0.9) = 10$ times longer")
    assert_says(NB, "batch 5 without momentum at lr 1.0, and that run reaches the true $b$ on 0 "
                    "seeds of 30")
    # lesson 02's data: the notes' result, every order, checked run by run with the engine's
    # own sin_logistic_descend (not the side-by-side final_points)
    X2, y2 = lesson02
    ends = np.array([sin_logistic_descend(X2, y2, SGD(lr=0.1), 300, (0, 0), 30, seed=s)[0][-1]
                     for s in SEEDS])
    assert hits(ends, (0.7, 0.7)) == 30
    # every run ends far from the 0.2 line: the count holds on every CPU
    assert np.abs(np.linalg.norm(ends - 0.7, axis=1) - 0.2).min() > 0.1
    full = sin_logistic_descend(X2, y2, SGD(lr=0.1), 300)[0][-1]
    assert np.linalg.norm(full - 0.7) > 0.9
    assert_says(NB, "Top row, lesson 02's data: full-batch gradient descent stops in the dip near "
                    "$(0.155, -0.084)$, and a batch of 30 without momentum reaches the true $b$ on "
                    "all 30 batch orders. That is the notes' result, with no momentum at all")


# the table over data seeds 0-19, counted by a fresh reader's script and ours before the lesson
# showed it (and run by run with sin_logistic_descend for three seeds below): data seed ->
# (orders of 30 reaching the true b with batch 30 and momentum 0, with momentum 0.9, whether
# full-batch momentum 0.9 reaches it)
STALLING = {0: (0, 29, False), 4: (0, 30, False), 15: (12, 28, False), 6: (29, 30, False),
            14: (28, 30, True), 2: (30, 28, True), 19: (30, 27, True)}
# the climb from the dip to its lowest pass (pass loss - dip loss), measured before by a separate
# script (a 0.01 grid, then Newton on the gradient) and bracketed by the flood fill below
CLIMB = {0: 0.0127, 4: 0.0063, 15: 0.0018, 6: 0.0008, 14: 0.0007, 2: 0.0002, 19: 0.0002}


@pytest.fixture(scope="module")
def dip_table():
    return recipe.dips_over_data_seeds(range(20), SEEDS)


def test_the_dips_over_data_seeds(dip_table):
    rows, reaches = dip_table
    got = {r["data_seed"]: (r["batch_plain"], r["batch_momentum"], r["full_momentum"])
           for r in rows}
    assert got == STALLING
    assert reaches == [s for s in range(20) if s not in (0, 4, 6, 15)]
    assert {r["data_seed"]: round(r["pass_loss"] - r["dip_loss"], 4) for r in rows} == CLIMB
    # the counts hold on every CPU: every run of the table ends at least 4e-4 from the 0.2 line
    # (measured 4.2e-4, seed 4 with momentum), while the 1e-10 nudge moves a final b by < 1e-9
    for s in STALLING:
        X, y = make_sin_logistic(0.7, 0.7, n=1000, noise=0.3, seed=s)
        for rho in (0.0, 0.9):
            finals = recipe.final_points(X, y, 30, SEEDS, lr=0.1, momentum=rho, steps=300)[0]
            assert np.abs(np.linalg.norm(finals - 0.7, axis=1) - 0.2).min() > 4e-4, (s, rho)
    for s, rho, expected in ((0, 0.0, 0), (15, 0.0, 12), (4, 0.9, 30)):     # run by run
        X, y = make_sin_logistic(0.7, 0.7, n=1000, noise=0.3, seed=s)
        ends = np.array([sin_logistic_descend(X, y, SGD(lr=0.1, momentum=rho), 300, (0, 0), 30,
                                              seed=order)[0][-1] for order in SEEDS])
        assert hits(ends, (0.7, 0.7)) == expected, (s, rho)
    assert_says(NB, "Full-batch gradient descent stops short on 7 of the 20 draws (lesson 02 "
                    "counted 9 after its 100 updates: on data seeds 1 and 3 it is only slow, and "
                    "gets there within these 300). On 5 of them a "
                    "batch of 30 without momentum gets out: on 4 of them on 28 to 30 orders of 30, "
                    "on data seed 15 on 12. On two draws, data seeds 4 and 0 (ours), it gets out on "
                    "none.")
    for s in (1, 3):        # lesson 02's count: within 0.1 after 100 updates; here 0.2 after 300
        X, y = make_sin_logistic(0.7, 0.7, n=1000, noise=0.3, seed=s)
        path = sin_logistic_descend(X, y, SGD(lr=0.1), 300)[0]
        assert np.linalg.norm(path[100] - (0.7, 0.7)) > 0.5 > 0.05 > np.linalg.norm(
            path[300] - (0.7, 0.7)), s
    assert_says(NB, "the loss rises by only 0.0002 to 0.0018 to the lowest pass. Out of seed 4's "
                    "dip it rises 0.0063, out of ours 0.0127, the highest climb of the seven.")
    assert_says(NB, "a batch of 30 with momentum 0.9 gets out on 29 and 30 orders of 30. (It "
                    "reaches the true $b$ on 27 to 30 orders on every one of the 7 draws, also on "
                    "seeds 6 and 15, where momentum alone does not.)")
    assert_says(NB, "Over 20 data draws it gets out on 5 of the 7 whose dip stops full-batch "
                    "gradient descent")


@pytest.mark.parametrize("data_seed", [0, 4, 2])
def test_the_lowest_pass_is_a_saddle_and_the_lowest_way_out(dip_table, data_seed):
    """Independent of recipe.lowest_pass: the pass is a saddle point (zero gradient, one
    negative curvature), and a flood fill of the loss on a fine grid joins the dip to the true
    b below the pass's loss + d, but not below its loss - d."""
    from scipy import ndimage
    row = next(r for r in dip_table[0] if r["data_seed"] == data_seed)
    X, y = make_sin_logistic(0.7, 0.7, n=1000, noise=0.3, seed=data_seed)
    b = row["pass_b"]
    assert np.linalg.norm(sin_logistic_grad(b, X, y)) < 1e-9
    h = 1e-5
    H = np.array([[(sin_logistic_loss(b + h * (e + f), X, y) - sin_logistic_loss(b + h * (e - f), X, y)
                    - sin_logistic_loss(b - h * (e - f), X, y) + sin_logistic_loss(b - h * (e + f), X, y))
                   / (4 * h * h) for f in np.eye(2)] for e in np.eye(2)])
    low, high = np.linalg.eigvalsh(H)
    assert low < 0 < high
    g = np.arange(-0.25, 0.95, 0.004)
    L = np.empty((len(g), len(g)))          # L[j, i]: the loss at (g[i], g[j]), written out
    for j, b2 in enumerate(g):
        inner = g[:, None] * (X[:, 0] * X[:, 1]) + b2 * X[:, 1]
        p = 1 / (1 + np.exp(-np.sin(inner)))
        L[j] = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p), axis=1)
    at = lambda point: (np.abs(g - point[1]).argmin(), np.abs(g - point[0]).argmin())
    climb = row["pass_loss"] - row["dip_loss"]
    for level, joined in ((row["pass_loss"] + climb / 3, True),
                          (row["pass_loss"] - climb / 3, False)):
        regions, _ = ndimage.label(L < level)
        assert (regions[at(row["dip"])] == regions[at((0.7, 0.7))] != 0) == joined, level


def test_the_harder_data(hard, stored):
    X, y = hard
    finals, _ = recipe.final_points(X, y, 30, SEEDS, lr=0.1, momentum=0.9, steps=300)
    ok = np.linalg.norm(finals - (2.0, 3.0), axis=1) < 0.2
    assert ok.sum() == 19 and not ok[0] and ok[1]
    assert_says(NB, "With 300 updates, 19 of the 30 batch orders carry the path")
    assert_says(NB, "Our seed 0 is one of the 11 that do not make it")
    _, losses = sin_logistic_descend(X, y, SGD(lr=0.1, momentum=0.9), 300, (0, 0), 30, seed=1)
    assert round(losses[-1], 4) == 0.4644
    assert round(sin_logistic_loss((2.0, 3.0), X, y), 4) == 0.4624
    assert_says(NB, "(seed 1: 0.4644, against 0.4624 at the true $b$)")
    # the 1000-update runs: stored (a few end on either side of the 0.2 line depending on the
    # last bits: 25 to 27 under nudges of 1e-11 and 1e-10); a rerun here lands within 2 of it
    assert int(stored["hard_steps"]) == 1000
    assert hits(stored["hard_final_b"], (2.0, 3.0)) == 26
    finals, _ = recipe.final_points(X, y, 30, SEEDS, lr=0.1, momentum=0.9, steps=1000)
    assert abs(hits(finals, (2.0, 3.0)) - 26) <= 2
    path, _ = sin_logistic_descend(X, y, SGD(lr=0.1, momentum=0.9), 1000, (0, 0), 30, seed=0)
    assert np.flatnonzero(np.linalg.norm(path - (2.0, 3.0), axis=1) < 0.2)[0] == 520
    assert_says(NB, "With 1,000 updates instead of 300, 26 of the 30 seeds get there; seed 0 "
                    "first comes within 0.2 of (2, 3) at update 520")
    full_path, _ = sin_logistic_descend(X, y, SGD(lr=0.1, momentum=0.9), 300)
    assert np.linalg.norm(full_path[-1]) < 0.1           # stays at the start
    assert_says(NB, "Full-batch gradient descent, with the same momentum, stays at the start")


def test_sharp_and_flat_minima():
    assert (recipe.SHARP_WIDTH, recipe.FLAT_WIDTH) == (0.15, 0.8)
    assert_says(NB, "one narrow (a Gaussian dip of standard deviation 0.15) and one wide (standard "
                    "deviation 0.8), and a test loss that is the same curve shifted by 0.25")
    assert recipe.sharp_flat_loss(recipe.SHARP_MIN) == 0 == recipe.sharp_flat_loss(recipe.FLAT_MIN)
    w = np.linspace(-3, 4, 7001)
    assert recipe.sharp_flat_loss(w).min() >= 0        # both minima are the lowest points
    sharp = recipe.sharp_flat_loss(recipe.SHARP_MIN, 0.25)
    flat = recipe.sharp_flat_loss(recipe.FLAT_MIN, 0.25)
    # by hand: 1 - exp(-0.5 (0.25 / 0.15)^2) = 0.7505 (the flat well adds a factor 1 - 2e-4)
    # and 1 - exp(-0.5 (0.25 / 0.8)^2) = 0.0477 (times 1 - 0 from the far sharp well)
    assert abs(sharp - (1 - np.exp(-0.5 * (0.25 / 0.15) ** 2))) < 1e-3
    assert abs(flat - (1 - np.exp(-0.5 * (0.25 / 0.8) ** 2))) < 1e-3
    assert (round(sharp, 3), round(flat, 3), round(sharp / flat, 1)) == (0.750, 0.048, 15.7)
    assert_says(NB, "the same small shift costs 0.750 at the sharp minimum and 0.048 at the flat "
                    "one, 15.7 times more")


def test_circle_accuracies(stored):
    X_new, y_new = make_circle(n=1000, seed=1)
    r2 = X_new[:, 0] ** 2 + X_new[:, 1] ** 2
    assert round(np.mean((r2 > 1.5) == y_new), 2) == 0.82
    assert_says(NB, "the circle itself, gets only about 82% of new points right")
    acc = dict(zip(stored["circle_batch_sizes"].tolist(), stored["circle_accuracy"]))
    assert (round(acc[100][:, 0].mean(), 2), round(acc[20][:, 0].mean(), 2)) == (0.98, 0.93)
    assert_says(NB, "98% training accuracy on average against 93% for batch 20")
    assert (round(acc[20][:, 1].mean(), 3), round(acc[100][:, 1].mean(), 3)) == (0.735, 0.711)
    assert np.sum(acc[20][:, 1] > acc[100][:, 1]) == 4
    assert_says(NB, "73.5% for batch 20 against 71.1% for full batch, on average over 5 seeds, "
                    "and batch 20 is ahead on 4 of the 5 seeds")


def _nudges(flats, X, y, X_new, y_new):
    """(loss, nudge rise, new-point accuracy) of each flat weight vector, as the notebook does."""
    net = MLP(2, [30], 2, activation="relu", init="normal", seed=0)
    rows = []
    for flat in flats:
        recipe.set_flat_params(net, flat)
        loss, nudged = recipe.nudged_loss(net, X, y, size=0.05, repeats=30, seed=0)
        rows.append((loss, nudged - loss, net.score(X_new, y_new)))
    return np.array(rows)


@pytest.fixture(scope="module")
def circle_table(stored):
    """(seed, (batch 20, full batch stopped at its loss, full batch 5000 epochs), quantity)."""
    with np.load(DATA / "l04_matched.npz") as f:
        matched = dict(f)
    sizes = stored["circle_batch_sizes"].tolist()
    args = make_circle(n=100, seed=0) + make_circle(n=1000, seed=1)
    runs = [stored["circle_params"][sizes.index(20)], matched["matched_params"],
            stored["circle_params"][sizes.index(100)]]
    return np.stack([_nudges(flats, *args) for flats in runs], axis=1), matched


def test_at_5000_updates_the_full_batch_minima_are_sharper(circle_table):
    table, _ = circle_table
    small, full = table[:, 0], table[:, 2]
    assert (round(full[:, 1].min(), 2), round(full[:, 1].max(), 2)) == (0.36, 0.90)
    assert (round(small[:, 1].min(), 2), round(small[:, 1].max(), 2)) == (0.09, 0.22)
    assert np.all(full[:, 1] > small[:, 1])                     # seed by seed
    assert_says(NB, "At 5,000 updates the full-batch net sits in the sharper minimum on every "
                    "seed: the nudge raises\nits loss by 0.36 to 0.90, the batch-20 net's by 0.09 "
                    "to 0.22")
    assert (round(full[:, 0].min(), 2), round(full[:, 0].max(), 2)) == (0.04, 0.11)
    assert (round(small[:, 0].min(), 2), round(small[:, 0].max(), 2)) == (0.11, 0.32)
    assert np.all(full[:, 0] < small[:, 0])
    assert_says(NB, "(training loss 0.04 to 0.11 against 0.11 to 0.32)")


def test_at_the_same_training_loss_the_difference_is_gone(circle_table):
    table, matched = circle_table
    small, stopped, late = table[:, 0], table[:, 1], table[:, 2]
    # stopped at the batch-20 net's loss: at most that, and within 0.001 of it
    assert np.all(stopped[:, 0] <= small[:, 0]) and np.all(small[:, 0] - stopped[:, 0] < 1e-3)
    np.testing.assert_allclose(matched["target_loss"], small[:, 0], rtol=1e-9)
    assert matched["matched_epoch"].tolist() == [1305, 1051, 2288, 204, 1699]
    assert_says(NB, "The full-batch nets, stopped after 204 to\n2,288 epochs")
    assert np.sum(stopped[:, 1] > small[:, 1]) == 2
    assert (round(stopped[:, 1].mean(), 2), round(small[:, 1].mean(), 2)) == (0.14, 0.15)
    assert_says(NB, "are sharper than their batch-20 twins on 2 seeds of 5 and flatter on 3 (mean "
                    "rise\n0.14 against 0.15)")
    assert (round(stopped[:, 2].mean(), 3), round(small[:, 2].mean(), 3)) == (0.748, 0.735)
    assert np.sum(stopped[:, 2] > small[:, 2]) == 4
    assert_says(NB, "on new points they do at least as well: 74.8% against 73.5% on\naverage, "
                    "ahead on 4 of the 5 seeds")
    assert np.all(late[:, 1] > stopped[:, 1]) and np.sum(late[:, 2] < stopped[:, 2]) == 4
    assert_says(NB, "the same full-batch nets get\nsharper on every seed and worse on new points "
                    "on 4 of 5")
    assert_says(NB, "batch 20 is ahead on new\n  points after 5,000 updates (73.5% against 71.1%)")
    assert_says(NB, "full-batch nets stopped at the same training loss are about as flat and do\n"
                    "  at least as well on new points (74.8%)")


def test_the_nudge_ignores_rescaling_a_relu_layer(stored):
    """Dinh et al.'s rescaling (layer 1 times a, layer 2 divided by a) changes neither the
    function nor our relative nudge."""
    X, y = make_circle(n=100, seed=0)
    net = MLP(2, [30], 2, activation="relu", init="normal", seed=0)
    recipe.set_flat_params(net, stored["circle_params"][0, 0])
    before = recipe.nudged_loss(net, X, y, size=0.05, repeats=30, seed=0)
    p = net.params
    p["fc1_weight"] *= 8.0
    p["fc1_bias"] *= 8.0
    p["fc2_weight"] /= 8.0
    after = recipe.nudged_loss(net, X, y, size=0.05, repeats=30, seed=0)
    np.testing.assert_allclose(after, before, rtol=1e-9)
    assert_says(NB, "Our nudge moves each weight in proportion to its own size, so that "
                    "particular rescaling does\nnot change it")


def test_learning_rate_decay(easy, stored):
    X, y = easy
    dip = sin_logistic_descend(X, y, SGD(lr=0.1), 300)[0][-1]
    table = {}
    for bs in (10, 5):
        for tau in (None, 100, 10):
            if tau is None:     # the constant rate: the stored runs the notebook loads
                finals = stored["final_b"][stored["batch_sizes"].tolist().index(bs)]
            else:
                finals = recipe.final_points(X, y, bs, SEEDS, lr=0.1, momentum=0.9, steps=300,
                                             lr_decay=tau)[0]
            table[bs, tau] = (hits(finals, (0.7, 0.7)),
                              int(np.sum(np.linalg.norm(finals - dip, axis=1) < 0.2)))
    assert table == {(10, None): (15, 0), (10, 100): (28, 0), (10, 10): (21, 9),
                     (5, None): (2, 0), (5, 100): (18, 0), (5, 10): (22, 6)}
    assert_says(NB, "learning rate $0.1 / (1 + t/\\tau)$: it is halved at $t = \\tau$")
    assert_says(NB, "batch 10 goes from 15 to 28 seeds of 30, and\nbatch 5 from 2 to 18")
    assert_says(NB, "batch 10 reaches the true $b$ on only 21 seeds, and 9 runs are still in the "
                    "dip at the end")
    assert_says(NB, "(22 against 18), though 6 of its runs stay in the dip")
    assert_says(NB, "batch 10 reaches the true\n  $b$ on 28 seeds of 30 instead of 15, batch 5 on "
                    "18 instead of 2")


def test_decay_leaves_the_default_runs_alone(easy):
    X, y = easy
    plain = recipe.final_points(X, y, 10, [0, 1], steps=50)
    assert all(np.array_equal(a, b) for a, b in
               zip(plain, recipe.final_points(X, y, 10, [0, 1], steps=50, lr_decay=None)))
    decayed = recipe.final_points(X, y, 10, [0, 1], steps=50, lr_decay=10)[0]
    assert not np.allclose(decayed, plain[0])


# the two dips of "Leaving the dip" close up, written from the table above (dips and passes to 3
# decimals, the climbs of CLIMB): data seed -> (dip, pass)
CLOSE_UP = {2: ((0.155, -0.084), (0.192, -0.030)), 0: ((0.075, -0.121), (0.219, 0.057))}


@pytest.mark.parametrize("data_seed", [2, 0])
def test_the_dips_close_up(dip_table, data_seed):
    from lessonlib.plots import l02_momentum as l02_plots
    from lessonlib.plots import l04_minibatch as l04_plots
    row = next(r for r in dip_table[0] if r["data_seed"] == data_seed)
    dip, pass_b = CLOSE_UP[data_seed]
    assert np.abs(row["dip"] - dip).max() < 6e-4 and np.abs(row["pass_b"] - pass_b).max() < 6e-4
    # the contours of the 2x2 figure are 0.025 apart, the close-up's 0.0025
    assert np.allclose(np.diff(l02_plots.LOSS_LEVELS), 0.025)
    assert np.allclose(np.diff(l04_plots.ZOOM_LEVELS), 0.0025)
    # no contour of the 2x2 figure lies between the dip's loss and the pass's: no closed contour
    # round either dip there, while the close-up has one (seed 0) or none (seed 2, 0.0002 deep)
    between = lambda levels: np.sum((levels > row["dip_loss"]) & (levels < row["pass_loss"]))
    assert between(l02_plots.LOSS_LEVELS) == 0
    assert between(l04_plots.ZOOM_LEVELS) == {0: 5, 2: 0}[data_seed]
    # the climb in contour steps: 0.0127 / 0.025 = 0.508; seed 2's 0.0002 is 0.000248 measured,
    # 0.0099 of a step (between 0.0002 / 0.025 = 0.008 and 0.00025 / 0.025 = 0.01)
    assert round((row["pass_loss"] - row["dip_loss"]) / 0.025, 2) == {0: 0.51, 2: 0.01}[data_seed]
    # the pass's distance from the dip, from the hand-written points: 0.066 and 0.229
    assert round(float(np.hypot(*np.subtract(pass_b, dip))), 2) == {2: 0.07, 0: 0.23}[data_seed]
    # batch order 0, batch 30, momentum 0: through the pass on seed 2, never near it on seed 0
    X, y = make_sin_logistic(0.7, 0.7, n=1000, noise=0.3, seed=data_seed)
    path = sin_logistic_descend(X, y, SGD(lr=0.1), 300, (0, 0), 30, seed=0)[0]
    closest = np.linalg.norm(path - row["pass_b"], axis=1).min()
    assert round(closest, 2) == {2: 0.01, 0: 0.11}[data_seed]
    assert_says(NB, "the contours are 0.025 of loss apart, and both dips are shallower than one "
                    "such step. Here they are close up, with contours ten times closer (0.0025 "
                    "apart)")
    assert_says(NB, "On lesson 02's data (left) the dip is a hollow 0.0002 deep, a hundredth of a "
                    "contour step above; its rim is a small loop, and the pass lies 0.07 from the "
                    "dip. The path of the batch of 30 runs through the pass (within 0.01 of it)")
    assert_says(NB, "On ours (right) the loss climbs 0.0127 from the dip to the pass, about half a "
                    "contour step above (0.51)")
    assert_says(NB, "The pass lies 0.23 from the dip, and in 300 updates the same batch of 30 "
                    "comes no closer to it than 0.11")
