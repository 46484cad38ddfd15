"""Lesson 05's claims: every number or result its prose states, recomputed with lessonlib (or
read from the precomputed file the notebook loads) and compared with the value written here,
and the sentence that states it (``assert_says``), so that text and test change together."""
import time
from pathlib import Path

import numpy as np
import pytest
from _claims import assert_says

from lessonlib import SGD, Adagrad, Adam, RMSProp, descend
from lessonlib.data import make_rings, make_sin_logistic
from lessonlib.exercises import l05_adaptive as ex
from lessonlib.plots import l05_adaptive as figures
from lessonlib.recipes import l05_adaptive as recipe
from lessonlib.recipes.toys import sin_logistic_descend, sin_logistic_loss, square_grad

NB = "05_adaptive_learning_rates.ipynb"
DATA = Path(__file__).resolve().parent.parent / "data"


def says(*phrases):
    for phrase in phrases:
        assert_says(NB, phrase)


def _steps(path, lr):
    """Each update's length in units of lr."""
    return np.abs(np.diff(path)) / lr


# ---------------------------------------------------------------- Adagrad on x^2

def test_adagrad_gives_the_notes_number():
    says("for 29 updates:", "Next to $\\sqrt{n_t} \\ge 1$, $10^{-8}$ barely counts:\n"
         "the notes' form, run below, prints the same 0.01459057")
    path = descend(square_grad, 0.5, Adagrad(lr=0.1), 29)
    assert f"{path[-1]:.8f}" == "0.01459057"
    # the notes' delta under the root gives the same 8 digits
    x, n = 0.5, 0.0
    for _ in range(29):
        g = 2 * x
        n += g * g
        x -= 0.1 / np.sqrt(n + 1e-8) * g
    assert f"{x:.8f}" == "0.01459057"


def test_adagrad_is_slower_than_gradient_descent_on_x2():
    says("On $x^2$ Adagrad is *slower* than gradient descent at the same lr. Its first step is "
         "exactly lr long", "the rate falls to about half of lr")
    gd, _ = recipe.effective_rates(SGD(lr=0.1), square_grad, 0.5, 29)
    ada, rates = recipe.effective_rates(Adagrad(lr=0.1), square_grad, 0.5, 29)
    assert abs(gd[-1]) < abs(ada[-1]) / 10                  # 0.000774 against 0.0146
    assert _steps(ada, 0.1)[0] == pytest.approx(1.0, rel=1e-6)
    assert rates[0] == pytest.approx(0.1, rel=1e-6)
    assert 0.45 < rates[-1] / 0.1 < 0.55                    # 0.0525


# ---------------------------------------------------------------- the valley

@pytest.fixture(scope="module")
def problems():
    return recipe.make_problems(0)


def test_the_valley_and_gradient_descents_limit(problems):
    says("100 times steeper across ($b_2$) than along ($b_1$). Gradient descent must keep lr "
         "below $2/100$", "at lr 0.019, just under its limit, and at 0.021, just above:",
         "Across, each step flips the sign of $b_2$ and takes a tenth off it",
         "along, it takes only about 2 % off $b_1$, so after 100 steps the loss is still 0.17. "
         "Just above the limit, the steep direction blows up instead (the last line)",
         "gradient descent at lr 0.019 against Adagrad at lr 0.5 (the two lrs are not comparable: "
         "Adagrad's lr is the length of its first step, gradient descent's multiplies the "
         "gradient")
    valley = problems["valley"]
    assert valley.curvatures == (1.0, 100.0)
    _, below = valley.run(SGD(lr=0.019), 100)
    _, above = valley.run(SGD(lr=0.021), 100)
    assert below[-1] < below[0] and above[-1] > above[0]
    # by hand: gradient descent multiplies b1 by 1 - 0.019 and b2 by 1 - 1.9 each step
    assert (1 - 0.019, 1 - 100 * 0.019) == pytest.approx((0.981, -0.9))
    by_hand = ((-4 * 0.981 ** 100) ** 2 + 100 * 0.9 ** 200) / 2
    assert f"{by_hand:.2f}" == "0.17" and below[-1] == pytest.approx(by_hand, rel=1e-9)
    blown = ((-4 * 0.979 ** 100) ** 2 + 100 * 1.1 ** 200) / 2
    assert f"{blown:.2e}" == "9.50e+09" and above[-1] == pytest.approx(blown, rel=1e-9)
    # Adagrad's first step is lr along each coordinate: g / sqrt(g^2) = sign(g)
    ada_path, _ = valley.run(Adagrad(lr=0.5), 1)
    np.testing.assert_allclose(np.abs(ada_path[1] - ada_path[0]), [0.5, 0.5], rtol=1e-6)


def test_the_next_lesson_is_as_announced():
    """The last line announces lesson 06: iris networks of 3 and 7 hidden layers followed layer
    by layer, and handwritten digits."""
    from _claims import prose
    says("Next: **06 · vanishing gradients**: why the gradient that reaches a deep network's first "
         "layers can be tiny, followed layer by layer through training on iris (3 against 7 hidden "
         "layers) and on handwritten digits.")
    nxt = prose("06_vanishing_gradients.ipynb")
    assert "## Training: 3 hidden layers against 7" in nxt
    assert "## The same on handwritten digits" in nxt and "iris" in nxt
    assert "rings" not in nxt


def test_adagrad_on_the_aligned_and_turned_valley(problems):
    says("Adagrad takes the path it would take in a round bowl (the last line)",
         "Gradient descent does not notice (its dashed loss curve lies on the solid one), but "
         "Adagrad ends behind it")
    valley, turned = problems["valley"], problems["tilted"]
    _, gd_aligned = valley.run(SGD(lr=0.019), 100)
    _, gd_turned = turned.run(SGD(lr=0.019), 100)
    np.testing.assert_allclose(gd_turned, gd_aligned, rtol=1e-9)
    ada_path, ada_aligned = valley.run(Adagrad(lr=0.5), 100)
    _, ada_turned = turned.run(Adagrad(lr=0.5), 100)
    assert ada_aligned[-1] < gd_aligned[-1] / 100           # 2.6e-4 against 0.17
    assert ada_turned[-1] > gd_turned[-1] * 10              # 2.2 against 0.17
    bowl = recipe.Quadratic("a round bowl", curvatures=(1.0, 1.0))
    assert np.abs(bowl.run(Adagrad(lr=0.5), 100)[0] - ada_path).max() < 1e-8    # 5e-9


# ---------------------------------------------------------------- RMSProp from 5

@pytest.fixture(scope="module")
def from_five():
    ada = recipe.effective_rates(Adagrad(lr=0.1), square_grad, 5.0, 200)
    rms = recipe.effective_rates(RMSProp(lr=0.1, beta=0.9), square_grad, 5.0, 200)
    return ada, rms


def test_adagrad_from_five_stalls(from_five):
    # the prose says it crawls; the steps and 2.62 after 200 updates are printed by cell 11
    says("Adagrad's first gradient, 10, fills its sum at once; from then on it crawls.")
    (path, _), _ = from_five
    assert 2 * path[0] == 10.0
    steps = _steps(path, 0.1)
    assert steps[0] == pytest.approx(1.0) and np.all(steps[1:] < 1.0)
    assert np.all(np.diff(steps) < 0)
    assert f"{path[200]:.3g}" == "2.62"


def test_rmsprop_from_five(from_five):
    # the steps' return to about lr (1.08 in update 10) and x after 100 updates (2.37e-16) are
    # printed by cell 11; the prose says x "races to 0"
    says("RMSProp's first step is **3.16 times lr**", "is a tenth of $g_1^2$",
         "its effective rate *rises* (right), and $x$ races to 0")
    _, (path, rates) = from_five
    steps = _steps(path, 0.1)
    assert f"{steps[0]:.2f}" == "3.16"
    assert 0.9 < steps[9] < 1.2                              # 1.08 in update 10
    assert rates[99] > 10 * rates[9]
    assert abs(path[100]) < 1e-15                            # 2.4e-16


def test_rmsprop_hovers_at_lesson_01s_stability_limit(from_five):
    """path[t] is x after update t, rates[t - 1] the effective rate of update t."""
    says("on $x^2$ an update is $x \\leftarrow (1 - 2\\,\\text{rate})\\, x$: lesson 01's stability "
         "limit, rate $< 2/f'' = 1$", "The rate passes 1 in the update right after $|x|$ is "
         "smallest; from then on every update multiplies $|x|$ by $|1 - 2\\,\\text{rate}| > 1$, "
         "until the larger gradients pull the rate back",
         "The rate climbs past 1 (right), and **RMSProp ends up hovering at the stability "
         "limit**, hopping from side to side", "Late in the run the rate stays near 1, and $x$ "
         "hops from side to side")
    _, (path, rates) = from_five
    size = np.abs(path)
    closest, over = int(np.argmin(size)), int(np.argmax(rates > 1)) + 1
    assert (closest, over) == (111, 112) and f"{size[closest]:.1e}" == "1.7e-20"
    # the update itself: x_t = (1 - 2 rate_t) x_(t-1) on x^2 (RMSProp's step is rate * f'(x))
    assert np.allclose(path[1:], (1 - 2 * rates) * path[:-1], rtol=1e-12, atol=0)
    assert np.all(rates[over - 1:145] > 1) and np.all(size[over:146] > size[over - 1:145])
    peak = int(np.argmax(rates)) + 1
    assert peak == 144 and f"{rates[peak - 1]:.1f}" == "5.4" and f"{size[peak]:.2g}" == "0.016"
    assert f"{rates[160:].mean():.2f}" == "1.02"             # hovering at the limit
    sides = np.sign(path[peak + 5:])
    assert np.all(sides[1:] != sides[:-1])


# ---------------------------------------------------------------- Adam

def test_without_the_correction_the_steps_would_be_several_times_too_long():
    says("in between the steps would be several times too long")
    t = np.arange(1, 3001)
    ratio = (1 - 0.9 ** t) / np.sqrt(1 - 0.999 ** t)     # m_t / sqrt(n_t) for a gradient of 1
    assert 5 < ratio.max() < 8 and int(t[np.argmax(ratio)]) == 12      # 6.6 at t = 12


def test_adam_gives_the_notes_number_and_settles():
    says("The notes' 0.02099521", "Adam's first steps are about lr long, so it overshoots 0, "
         "swings back, and the swings shrink. Unlike RMSProp with $\\beta = 0.9$ it settles (the "
         "last line)", "RMSProp given the\nsame $\\beta = 0.999$ settles too, even faster",
         "a step of typically about 0.001 per parameter or less")
    path = descend(square_grad, 0.5, Adam(lr=0.1), 200)
    assert f"{path[30]:.8f}" == "0.02099521"
    assert np.all((_steps(path, 0.1)[:4] > 0.9) & (_steps(path, 0.1)[:4] <= 1.0 + 1e-9))
    low = int(np.argmin(path[:31]))
    assert path[low] < -0.2 and 0 < path[low:31].max() < -path[low]    # -0.205, then 0.104
    rms = descend(square_grad, 0.5, RMSProp(lr=0.1, beta=0.9), 200)
    assert abs(path[-1]) < 1e-4 and abs(rms[-1]) > 0.01                 # 1.1e-5 against 5.0e-2
    long_memory = descend(square_grad, 0.5, RMSProp(lr=0.1, beta=0.999), 200)
    assert abs(long_memory[-1]) < abs(path[-1]) / 1e6                   # 4.0e-136
    assert np.all(_steps(path, 0.1) <= 1.0 + 1e-9)                      # at most lr


def _adam_by_hand(grads, lr=1.0, beta1=0.9, beta2=0.999, eps=1e-8):
    """Adam written out from the paper's formulas (independent of lessonlib): the updates of
    one coordinate, or of a vector, for the gradients given in order (rows)."""
    m = n = 0.0
    moves = []
    for t, g in enumerate(grads, start=1):
        m = beta1 * m + (1 - beta1) * g
        n = beta2 * n + (1 - beta2) * g * g
        moves.append(-lr * (m / (1 - beta1 ** t)) / (np.sqrt(n / (1 - beta2 ** t)) + eps))
    return np.array(moves)


def test_adams_step_after_a_jump_and_its_ceiling():
    says("right after a sudden jump the step is about $\\text{lr}\\,(1-\\beta_1)/\\sqrt{1-\\beta_2} "
         "\\approx 3.16\\,\\text{lr}$ (once the corrections are close to 1)", "A gradient that keeps "
         "growing pushes it further, though never beyond about 7 × lr with these $\\beta$s")
    assert f"{0.1 / np.sqrt(0.001):.2f}" == "3.16"
    # 5000 zero gradients, then a jump to 1: the corrections are 1 within 0.7 %
    jump = _adam_by_hand(np.r_[np.zeros(5000), 1.0])[-1]
    assert 3.13 < abs(jump) < 3.17                                       # 3.158
    # the worst case: a gradient growing by beta2 / beta1 each step (Cauchy-Schwarz makes it
    # the largest m / sqrt(n)): 3.16 / sqrt(1 - beta1^2 / beta2) = 7.27
    ceiling = 0.1 / np.sqrt(0.001) / np.sqrt(1 - 0.81 / 0.999)
    assert 7.2 < ceiling < 7.3
    says("(the second line below)")             # the notebook prints it: 7.27 × lr
    assert f"{ceiling:.2f}" == "7.27"
    growing = np.r_[np.zeros(5000), (0.999 / 0.9) ** np.arange(300)]
    assert 7.2 < np.abs(_adam_by_hand(growing)).max() <= ceiling
    # no sequence beats it: random ones (signs, sizes over six decades, bursts) stay below
    rng = np.random.default_rng(0)
    for _ in range(20):
        g = rng.choice([-1, 1], 3000) * 10 ** rng.uniform(-3, 3, 3000) * (rng.random(3000) < 0.3)
        assert np.abs(_adam_by_hand(g)).max() < ceiling


def test_adams_moves_on_the_rings_network():
    """The cell after the bound prints Adam's moves on the rings MLP; redone here with Adam
    written by hand on the same gradients (recipe.mlp_as_vector) and compared."""
    from lessonlib import MLP
    says("So a weight usually moves far less than lr, and the rare long steps stay within a few "
         "lr, however large the gradient", "batches of 20, He initial weights")
    X, y = make_rings()
    shown = []
    for hidden in ([20, 20], [20] * 8):
        model = MLP(2, hidden, 2, init="he", seed=0)
        x, grad_fn, _ = recipe.mlp_as_vector(model, X, y, batch_size=20, seed=0)
        m, n = np.zeros_like(x), np.zeros_like(x)
        mean, largest = [], []
        for t in range(1, 3001):
            g = grad_fn(x.copy())
            m = 0.9 * m + 0.1 * g
            n = 0.999 * n + 0.001 * g * g
            move = 0.001 * (m / (1 - 0.9 ** t)) / (np.sqrt(n / (1 - 0.999 ** t)) + 1e-8)
            x = x - move
            mean.append(np.abs(move).mean() / 0.001)
            largest.append(np.abs(move).max() / 0.001)
        mean, largest = np.array(mean), np.array(largest)
        # the same as the recipe the notebook calls, to rounding
        r_mean, r_largest = recipe.adam_moves(hidden, X, y, updates=3000, lr=0.001, seed=0)
        np.testing.assert_allclose(r_largest, largest, rtol=1e-6)
        np.testing.assert_allclose(r_mean, mean, rtol=1e-6)
        shown.append(f"{mean.mean():.1f} {largest.max():.1f}")
        assert 0.11 < mean.mean() < 0.145                  # 0.133 and 0.142: "0.1"
        assert np.all(largest < 0.1 / np.sqrt(0.001) / np.sqrt(1 - 0.81 / 0.999))
    assert shown == ["0.1 3.5", "0.1 4.5"]


def test_adams_defaults():
    says("The Adam paper's usual settings are $\\beta_1 = 0.9$, $\\beta_2 = 0.999$, "
         "$\\epsilon = 10^{-8}$ and **lr 0.001**")
    adam = Adam()
    assert (adam.lr, adam.beta1, adam.beta2, adam.eps) == (0.001, 0.9, 0.999, 1e-8)


# ---------------------------------------------------------------- the sin-logistic problem

@pytest.fixture(scope="module")
def hard():
    return make_sin_logistic(2, 3, seed=0)


def test_full_batch_stays_on_the_plateau(hard):
    says("a plateau at about 0.69 with a narrow valley around the true $b$",
         "With all 1000 points per step, neither optimiser leaves the start")
    X, y = hard
    assert len(X) == 1000
    for make in (lambda: SGD(lr=0.1, momentum=0.9), lambda: Adam(lr=0.1)):
        path, losses = sin_logistic_descend(X, y, make(), 300)
        assert np.linalg.norm(path[-1]) < 0.1 and abs(losses[-1] - 0.69) < 0.005


def test_batches_of_30_seed_0(hard):
    says("where its loss stays near the loss at the true $b$ (right). Adam with the same lr "
         "wanders over a smaller patch and is still on the plateau after 1000 steps")
    X, y = hard
    best = sin_logistic_loss((2, 3), X, y)
    path, losses = sin_logistic_descend(X, y, SGD(lr=0.1, momentum=0.9), 1000, batch_size=30,
                                        seed=0)
    arrived = int(np.argmax(np.linalg.norm(path - (2, 3), axis=1) < 0.3))
    assert arrived == 519
    # after arriving: all losses below 0.55 (the plateau is at 0.69, the true b at 0.46), and
    # the path within 0.4 of (2, 3)
    assert best < 0.47 and losses[arrived:].max() < 0.55
    assert np.linalg.norm(path[arrived:] - (2, 3), axis=1).max() < 0.4
    adam, adam_losses = sin_logistic_descend(X, y, Adam(lr=0.1), 1000, batch_size=30, seed=0)
    assert np.all(np.linalg.norm(adam - (2, 3), axis=1) >= 0.3) and adam_losses[-1] > 0.69
    assert np.linalg.norm(adam, axis=1).max() < np.linalg.norm(path[:arrived], axis=1).max()


def test_arrivals_over_ten_batch_orders():
    # the counts (10, 3 and 9 of 10) are printed by cell 21; the prose draws the conclusion
    says("Adam at lr 0.3 finds the valley almost as often as SGD with momentum: at the same "
         "nominal lr it just moves less on this plateau")
    with np.load(DATA / "l05_runs.npz") as stored:
        found = (stored["arrival_step"] >= 0).sum(axis=1)
        labels = list(stored["arrival_labels"])
    assert labels == ["SGD + momentum, lr 0.1", "Adam, lr 0.1", "Adam, lr 0.3"]
    assert found.tolist() == [10, 3, 9]


def test_sgd_moves_about_twice_as_far(hard):
    says("the gradient of a batch is mostly noise", "Over the first 300 steps:",
         "to Adam, a step of usually at most about 0.1 per parameter, here typically a fifth of "
         "that (the median 0.22 × lr above)",
         "so its step is typically lr or less, shorter still when successive gradients disagree "
         "(here longer only in step 1: lr along each of the two parameters, $\\sqrt 2$ lr in all)")
    X, y = hard
    moves, ratios = [], []
    for make in (lambda: SGD(lr=0.1, momentum=0.9), lambda: Adam(lr=0.1)):
        path, _ = sin_logistic_descend(X, y, make(), 300, batch_size=30, seed=0)
        step = np.linalg.norm(np.diff(path, axis=0), axis=1)
        moves.append(step.mean())
        ratios.append(step / 0.1)
    assert 1.7 < moves[0] / moves[1] < 2.2                     # 0.0473 / 0.0244 = 1.9
    sgd, adam = ratios
    shown = [f"{np.median(r):.2f} {np.percentile(r, 99):.2f} {r.max():.2f}" for r in ratios]
    assert shown == ["0.46 1.14 1.24", "0.22 0.61 1.41"]
    assert np.sum(adam > 1) == 1 and adam[0] == adam.max()     # only the first step
    assert abs(adam[0] - np.sqrt(2)) < 1e-6 and np.sum(sgd > 1) == 10
    # "at most about 0.1 per parameter": no coordinate of Adam's 300 steps is longer than lr
    # (to 1e-6), and "typically a fifth": the median step norm is 0.2 lr to 0.25 lr
    path, _ = sin_logistic_descend(X, y, Adam(lr=0.1), 300, batch_size=30, seed=0)
    assert np.abs(np.diff(path, axis=0)).max() <= 0.1 * (1 + 1e-6)
    assert 0.2 <= np.median(adam) < 0.25


def test_explorer_floor():
    says("log scale for the valleys, floored at 1e-12")
    assert figures.QUADRATIC_LOSS_FLOOR == 1e-12


# ---------------------------------------------------------------- exercises

def test_exercise_settings_as_described():
    says("then on the rings (He initial weights, lr 0.001, batches of 20, 2 epochs)",
         "trains it on the rings for 200 epochs in batches of 20",
         "It uses lr 0.01: at the notes' 0.001 this network learns far more slowly")
    small, rings, one_row_last = ex._adam_cases()
    assert len(small.y) == 10 and len(rings.y) == 300
    assert len(one_row_last.y) % one_row_last.batch_size == 1     # a last batch of one row
    assert (ex.ADAM_LR, ex.ADAM_BATCH, ex.ADAM_INIT) == (0.001, 20, "he")
    assert (ex.FIGURE_LR, ex.FIGURE_EPOCHS) == (0.01, 200)


# ---------------------------------------------------------------- the rings

def test_rings_settings():
    says("for about the notes' 10,000 updates (667 epochs of 15 batches)",
         "Adam at lr 0.001 against SGD at lr 0.05 with momentum 0.9")
    assert recipe.RINGS_EPOCHS == 667 and -(-300 // recipe.RINGS_BATCH) == 15
    adam, sgd = (make() for make in recipe.RINGS_OPTIMIZERS.values())
    assert adam.lr == 0.001 and (sgd.lr, sgd.momentum) == (0.05, 0.9)


@pytest.fixture(scope="module")
def seed0():
    return {(len(hidden), label): recipe.load_rings_run(DATA / "l05_rings.npz", label, hidden)
            for hidden in recipe.RINGS_DEPTHS for label in recipe.RINGS_OPTIMIZERS}


ADAM, SGDM = list(recipe.RINGS_OPTIMIZERS)


def test_two_hidden_layers_seed_0(seed0):
    says("Adam at lr 0.001 is smooth and slow", "its loss jumps from epoch to epoch, gets down to "
         "about 0.1, then climbs back up, past 0.6, and ends well above its lowest",
         "Its climb peaks in epoch 173 (below)")
    sgd = seed0[2, SGDM][1].loss
    adam = seed0[2, ADAM][1].loss
    assert sgd[-1] > 3 * sgd.min() and 0.05 < sgd.min() < 0.15  # 0.459 against 0.096
    assert np.max(np.diff(adam)) < 0.02 and adam[-1] > 0.5      # no jumps, still at 0.53
    low = int(np.argmin(sgd))
    top = low + int(np.argmax(sgd[low:]))
    assert (low + 1, top + 1, len(sgd)) == (164, 173, 667)
    assert f"{sgd[low]:.2f} {sgd[top]:.2f}" == "0.10 1.02"     # the first and last printed
    assert np.all(np.diff(sgd[low + 3:top + 1]) > 0)            # climbs over the last epochs


def test_two_hidden_layers_dead_units(seed0):
    from lessonlib.models import never_positive
    # cell 39 prints the dead units of the stored runs (12 of 20 for SGD); the prose says
    says("At the end at least half of the ReLUs of SGD's second hidden layer are dead, here (the "
         "first two lines) and in every rerun (*A closer look*)",
         "its map is what the live units can draw")
    X, y = make_rings()
    (adam_model, _), (sgd_model, _) = seed0[2, ADAM], seed0[2, SGDM]
    assert never_positive(sgd_model, X).tolist() == [0, 12]
    assert never_positive(adam_model, X).tolist() == [0, 1]


def test_two_hidden_layers_sgd_reruns():
    """What the prose says holds in every rerun of the SGD run: the stored run's data nudged by a
    relative 1e-12 (three fixed patterns, as another CPU's rounding would), trained again.
    Measured over 12 such nudges each with the default, Sandybridge and Nehalem kernels and under
    LESSONLIB_PERTURB (48 runs), plus 4 more nudges: lowest 0.050 to 0.120, the peak after it
    0.68 to 2.41, the end 1.9 to 10.6 times the lowest, 11 to 19 of 20 units dead in hidden
    layer 2 (and 0 or 1 in layer 1)."""
    from lessonlib.models import never_positive
    from lessonlib.recipes.l03_relu import fit_rings
    says("That much held in all 12 reruns we made with the data nudged in the twelfth digit, as "
         "another CPU's rounding would nudge it (the lines below); when the climb comes, how "
         "high it goes and where the run ends did not",
         "are dead, here (the first two lines) and in every rerun (*A closer look*)",
         "all 12 reruns we made climbed too, though when and how high varied",
         "climbs back up past 0.6, ends well above its lowest and has at least half of hidden "
         "layer 2 dead",
         "Retrained on your machine, SGD's run will differ in its details from the stored one")
    says("not for speed: SGD with momentum amplifies the last bits of every matrix product, and "
         "those differ from one CPU and maths library to another")
    X0, y = make_rings()
    dead, peaks = [], []
    for k in (1, 2, 3):
        start = time.perf_counter()
        X = X0 * (1 + 1e-12 * np.random.default_rng(100 + k).uniform(-1, 1, X0.shape))
        model, history = fit_rings(recipe.RINGS_OPTIMIZERS[SGDM](), (20, 20),
                                   epochs=recipe.RINGS_EPOCHS, batch_size=recipe.RINGS_BATCH,
                                   seed=0, X=X, y=y, init="he")
        assert time.perf_counter() - start < 10                 # about 1 s on 2 cores
        loss = history.loss
        low = int(np.argmin(loss))
        assert 0.04 < loss[low] < 0.15                          # about 0.1
        assert loss[low:].max() > 0.6                           # climbs back up, past 0.6
        assert loss[-1] > 1.5 * loss[low]                       # ends well above its lowest
        layers = never_positive(model, X).tolist()
        assert layers[1] >= 10                                  # at least half of 20
        dead.append(layers[1])
        peaks.append(low + int(np.argmax(loss[low:])))
    assert dead != [12, 12, 12] and 172 not in peaks            # the details differ


def test_two_hidden_layers_stored_reruns():
    """data/l05_sgd_reruns.npz: the stored SGD run trained 12 times more on data nudged by a
    relative 1e-12; what the prose says held in every one, and what did not."""
    says("That much held in all 12 reruns we made with the data nudged in the twelfth digit")
    with np.load(DATA / "l05_sgd_reruns.npz") as f:
        runs = dict(f)
    assert runs["patterns"].tolist() == list(range(101, 113)) and float(runs["nudge"]) == 1e-12
    loss = runs["loss"]
    assert loss.shape == (12, 667) and np.isfinite(loss).all()
    lowest = loss.min(axis=1)
    assert ((0.04 < lowest) & (lowest < 0.15)).all()                    # about 0.1
    assert (f"{lowest.min():.2f}", f"{lowest.max():.2f}") == ("0.06", "0.12")
    low = loss.argmin(axis=1)
    assert (runs["lowest_epoch"] == low + 1).all()
    peak_epoch = np.array([k + row[k:].argmax() for k, row in zip(low, loss)]) + 1
    assert (runs["peak_epoch"] == peak_epoch).all()
    peak = loss[np.arange(12), peak_epoch - 1]
    assert (peak > 0.6).all()                                           # climbs back past 0.6
    ends = loss[:, -1] / lowest
    assert (ends > 3).all()                                             # ends well above
    assert (f"{ends.min():.1f}", f"{ends.max():.1f}") == ("3.5", "7.8")
    # at least half of hidden layer 2's 20 ReLUs dead in every run; none in layer 1
    assert (runs["dead"][:, 1] >= 10).all() and (runs["dead"][:, 0] == 0).all()
    assert (runs["dead"][:, 1].min(), runs["dead"][:, 1].max()) == (14, 19)
    # what did not hold: when the climb comes, how high it goes, where the run ends
    assert len(set(peak_epoch.tolist())) == 12 and peak.max() > 1.5 * peak.min()
    assert loss[:, -1].max() > 1.3 * loss[:, -1].min()


def test_eight_hidden_layers_seed_0(seed0):
    from lessonlib.data import make_rings
    # the last line of the cell prints 0.49 to 0.61 in epochs 101-300 and epoch 352; the prose
    # says "near 0.5 for hundreds of epochs" before it falls further
    says("With eight hidden layers Adam draws both rings, while the loss of SGD with momentum "
         "drops at first, then stays near 0.5 for hundreds of epochs (the last line) before it "
         "falls further.")
    X, y = make_rings()
    assert seed0[8, ADAM][0].score(X, y) > 0.95                 # 0.993
    sgd = seed0[8, SGDM][1].loss
    assert sgd[:100].min() < sgd[0] - 0.2                       # the first drop, from 0.81
    middle = sgd[100:300]                                       # epochs 101 to 300
    assert f"{middle.min():.2f} {middle.max():.2f}" == "0.49 0.61"
    assert int(np.argmax(sgd < 0.35)) + 1 == 352 and sgd.min() < 0.2   # 0.126 in epoch 551


@pytest.fixture(scope="module")
def sweep():
    return recipe.load_rings_seed_sweep(DATA / "l05_rings_seeds.npz")


def test_seed_sweep(sweep):
    says("with the seeds 0-9 for the initial weights and the batches (40 runs)",
         "With two hidden layers neither optimiser wins on every seed; with eight, SGD's best run "
         "is below Adam's worst, which bears out what the notes' pair of runs suggests")
    # the table prints both spreads (67 % to 99 %, 68 % to 99 %) and the 4 and 10 of 10
    accuracy = sweep["accuracy"]
    assert accuracy.shape == (2, 2, 10) and list(sweep["seeds"]) == list(range(10))
    assert list(sweep["hidden_layers"]) == [2, 8] and list(sweep["labels"]) == [ADAM, SGDM]
    two, eight = accuracy
    assert np.sum(two[0] > two[1]) == 4                          # 4 of 10
    assert np.ptp(two[0]) > 0.25 and np.ptp(two[1]) > 0.25      # 67-99 %, 68-99 %
    assert np.all(eight[0] > eight[1]) and eight[1].max() < eight[0].min()     # 87 % < 95 %


def test_adam_moves_every_layer_alike(seed0):
    says("In SGD's run the hidden layers' gradients are far smaller than those of the first and "
         "last\nweight matrices", "Adam moves every layer\nby about the same amount",
         "the\nsmallest gradients sit in fc6 to fc8, not near the input as usual")
    sgd = seed0[8, SGDM][1]
    grads = sgd.grad_mean_abs.mean(axis=0)
    assert np.all(grads[1:-1] < grads[0] / 5) and np.all(grads[1:-1] < grads[-1])
    adam_steps = seed0[8, ADAM][1].weight_change_mean_abs.mean(axis=0)
    sgd_steps = sgd.weight_change_mean_abs.mean(axis=0)
    assert adam_steps.max() / adam_steps.min() < 2 < 20 < sgd_steps.max() / sgd_steps.min()
    assert set(np.argsort(grads[1:-1])[:3] + 2) == {6, 7, 8}           # fc6, fc7, fc8
    assert np.all((0.05 < adam_steps / 0.001) & (adam_steps / 0.001 < 0.2))   # 0.085 to 0.14


def test_std1_start():
    says("a first-epoch loss in the thousands", "the weights blow up within the first epoch",
         "Adam survives, since its step does not grow with the gradient (a few lr at the very "
         "most), but it learns slowly")
    with np.load(DATA / "l05_runs.npz") as stored:
        assert list(stored["std1_labels"]) == [ADAM, SGDM]
        loss, diverged = stored["std1_loss"], stored["std1_diverged_epoch"]
        accuracy = stored["std1_accuracy"]
    assert 1e3 <= loss[0, 0] < 1e4                             # 4.04e3
    assert diverged.tolist() == [-1, 0]
    assert np.isfinite(loss[0]).all() and 0.6 < accuracy[0] < 0.8       # 0.733: slowly


# ---------------------------------------------------------------- Adam for the MLP (cell after 5a)

def _adam_float32(grad_fn, x0, lr, steps, beta1=0.9, beta2=0.999, eps=1e-8):
    f = np.float32
    x = np.array(x0, dtype=f)
    m, n = np.zeros_like(x), np.zeros_like(x)
    path = [x.copy()]
    for t in range(1, steps + 1):
        g = np.asarray(grad_fn(x), dtype=f)
        m = f(beta1) * m + f(1 - beta1) * g
        n = f(beta2) * n + f(1 - beta2) * g * g
        x = x - f(lr) * (m / f(1 - beta1 ** t)) / (np.sqrt(n / f(1 - beta2 ** t)) + f(eps))
        path.append(x.copy())
    return np.array(path)


def test_the_mlp_loop_agrees_with_fit():
    from lessonlib import MLP
    from lessonlib.data import make_rings
    says("A float64 loop agrees to $10^{-12}$; a float32 one only to about $10^{-6}$, so that "
         "line prints False although the loop is right")
    assert ex.adam_update.grade(_adam_float32) is None           # float32 passes the check
    X, y = make_rings()
    twin = MLP(2, [20, 20], 2, init="he", seed=0)
    twin.fit(X, y, Adam(lr=0.001), epochs=100, batch_size=20, seed=0)
    gaps = []
    for loop in (ex.adam_update.reference, _adam_float32):
        model = MLP(2, [20, 20], 2, init="he", seed=0)
        x0, grad_fn, load = recipe.mlp_as_vector(model, X, y, batch_size=20, seed=0)
        load(np.asarray(loop(grad_fn, x0, lr=0.001, steps=1500), dtype=np.float64)[-1])
        gaps.append(max(np.abs(model.params[k] - twin.params[k]).max() for k in model.params))
    assert gaps[0] < 1e-12 and 1e-7 < gaps[1] < 1e-5                # 6.7e-16, 2.5e-6


def test_the_papers_efficient_order_passes_5b():
    """The text says the check accepts the Adam paper's lr_t / eps-hat order (as Keras runs
    it); the checker's own table of right answers holds the same learner."""
    from test_exercises_l05_adaptive import adam_slip
    from test_exercises_l05_adaptive import slip
    says("The Adam paper's faster order",
         "passes too (here and in exercise 5b)")
    assert ex.train_adam.grade(adam_slip(eps_hat=True)) is None
    assert ex.adam_update.grade(slip(paper=True)) is None


def test_trainer_figure_runs_print_their_accuracy():
    """Cell 33 prints lessonlib's accuracy (and the learner's, the same once it passes)."""
    says("draws both runs, with their training accuracies")
    runs = ex.train_adam.lesson_runs(ex.train_adam.reference)
    X, y = make_rings()
    assert [f"{model.score(X, y):.3f}" for _, model, _ in runs] == ["0.977", "0.977"]
