"""Lesson 07 (weight initialisation): every number and result its prose states, recomputed with
lessonlib or read from the precomputed files the notebook loads (data/l07_init_runs.csv,
data/l07_digits_curves.npz, data/l07_deep_runs.npz), each tied to the sentence that states it
(``assert_says``)."""
import functools
from pathlib import Path

import numpy as np
import pytest

import lessonlib
from lessonlib.layers import init_weight
from lessonlib.recipes import l06_vanishing as recipe06
from lessonlib.recipes import l07_initialisation as recipe

from _claims import assert_says, prose

NB = "07_weight_initialisation.ipynb"
DATA = Path(__file__).resolve().parent.parent / "data"


def acts(init, activation):
    return recipe.layer_activations(init, activation, 5, seed=0)


def per_layer(init, activation, statistic):
    return [float(statistic(h)) for h in acts(init, activation)]


@functools.lru_cache(maxsize=None)
def runs():
    return recipe06.read_runs(DATA / "l07_init_runs.csv")


def digits(activation, init):
    return [r for r in runs() if r["experiment"] == "digits" and r["activation"] == activation
            and r["init"] == str(init)]


def test_lecun_is_not_glorot():
    """1/sqrt(n_in) is named LeCun's; Glorot & Bengio's Xavier is the fan average."""
    assert_says(NB, "its default (the uniform $[-0.01, 0.01]$ of lesson 06's notes)")
    W = init_weight(200, 200, rng=0)
    assert W.min() >= -0.01 and W.max() <= 0.01 and W.max() - W.min() > 0.0199
    assert_says(NB, "This lesson's notes start from `np.random.randn(...) * 0.01`, a normal with "
                "standard deviation 0.01: `init=0.01`")
    assert_says(NB, "$1/\\sqrt{n_\\text{in}}$ is **LeCun's** scale")
    assert_says(NB, "a standard deviation of $\\sqrt{2/(n_\\text{in} + n_\\text{out})}$")
    assert "Xavier (Glorot & Bengio, 2010)" not in prose(NB)
    W = init_weight(64, 50, "xavier", rng=0)
    assert abs(W.std() * 8 - 1) < 0.03                      # std 1/sqrt(64), not the average
    assert_says(NB, "for a $64 \\times 50$ layer they differ by a few per cent")
    assert 1.04 < np.sqrt(2 / 114) / (1 / 8) < 1.08
    assert_says(NB, "With 100 inputs, LeCun's is 0.1 times the standard normal draw and He's "
                "$\\sqrt{0.02} \\approx 0.141$ times")
    unit = init_weight(100, 100, "normal", rng=0)
    np.testing.assert_allclose(init_weight(100, 100, "xavier", rng=0), 0.1 * unit, rtol=1e-12)
    np.testing.assert_allclose(init_weight(100, 100, "he", rng=0), np.sqrt(0.02) * unit,
                               rtol=1e-12)


def test_symmetry_of_equal_weights():
    """All weights 0.1: the units of a hidden layer stay equal; all 0: only the output biases
    move; LeCun: the units differ and the net learns."""
    assert_says(NB, "(`lessonlib`, like most libraries, starts every bias at 0)")
    assert_says(NB, "With all weights 0.1, every array moves, but the 20 units of a hidden layer "
                "still have the same weights after 10 epochs and still get the same gradient")
    assert_says(NB, "the network stays near the loss of guessing among 10 digits")
    assert_says(NB, "no weight gets a gradient, and only the output biases move")
    X, y, Xt, yt = lessonlib.data.load_digits_split(n_train=1000, seed=0)
    out = {}
    for start in (0.1, 0.0, None):
        model = lessonlib.MLP(64, [20, 20], 10, activation="tanh", init="xavier", seed=0)
        assert not any(model.params[f"fc{k}_bias"].any() for k in (1, 2, 3))
        if start is not None:
            for name in model.weight_names:
                model.params[name][...] = start
        before = {name: W.copy() for name, W in model.params.items()}
        with lessonlib.single_thread():
            history = model.fit(X, y, lessonlib.SGD(lr=0.1), epochs=10, batch_size=50, seed=0)
            _, grads = model.loss_and_grads(X, y)
        spread = max(np.ptp(A, axis=1).max() for A in (model.params["fc1_weight"],
                                                          model.params["fc2_weight"],
                                                          grads["fc1_weight"]))
        moved = {n for n, W in model.params.items() if (W != before[n]).any()}
        out[start] = spread, moved, history.loss[-1], np.mean(model.predict(Xt) == yt)
    spread, moved, loss, accuracy = out[0.1]
    assert spread < 1e-12 and len(moved) == 6 and abs(loss - np.log(10)) < 0.02
    spread, moved, loss, accuracy = out[0.0]
    assert spread == 0 and moved == {"fc3_bias"} and abs(loss - np.log(10)) < 0.02
    spread, moved, loss, accuracy = out[None]
    assert spread > 0.5 and loss < 0.6 and accuracy > 0.85


def test_shrink_factors_per_relu_layer():
    """Lesson 06's setting: 77-fold; this lesson's stacks: 14-fold (std 0.01), 7-fold growth
    (std 1); and the measured stacks follow them."""
    assert_says(NB, "each ReLU layer multiplies the root mean square by $\\sqrt{n "
                "\\operatorname{Var}(w) / 2}$")
    assert round(1 / np.sqrt(10 * (0.01 / np.sqrt(3)) ** 2 / 2)) == 77
    assert_says(NB, "The last line repeats lesson 06's measurement (the gradients of its network "
                "with 1 and with 9 hidden layers): a 70-fold shrink per extra layer, close to the "
                "77-fold estimated")
    X, y, _, _ = lessonlib.data.load_iris(seed=0)
    mean_grad = []
    for depth in (1, 9):
        model = lessonlib.MLP(4, [10] * depth, 3, activation="relu", init="uniform", seed=0)
        _, grads = model.loss_and_grads(X, y)
        mean_grad.append(np.exp(np.mean([np.log(np.abs(grads[n]).mean())
                                         for n in model.weight_names])))
    assert round((mean_grad[0] / mean_grad[1]) ** (1 / 8)) == 70
    assert_says(NB, "std 1 multiplies the spread by about 7 per layer (to $1.3 \\times 10^4$ at "
                "layer 5) and std 0.01 divides it by about 14 (to $10^{-6}$)")
    assert round(np.sqrt(100 * 1.0 / 2)) == 7 and round(1 / np.sqrt(100 * 1e-4 / 2)) == 14
    big, small = per_layer(1.0, "relu", np.std), per_layer(0.01, "relu", np.std)
    assert f"{big[-1]:.2g}" == "1.3e+04" and 1e-6 < small[-1] < 2e-6
    assert 5.5 < (big[-1] / big[0]) ** 0.25 < 8.5
    assert 11 < (small[0] / small[-1]) ** 0.25 < 17


def test_sigmoid_rows():
    # layer 1's saturation is of the outputs, not of units at levels of their own: there each
    # unit still swings across the inputs (per-unit spread = pooled spread, 0.46)
    assert_says(NB, "so most outputs are near 0 or near 1: 77 % of layer 1's outputs")
    assert "most units sit near 0 or near 1" not in prose(NB)
    h1 = acts("normal", "sigmoid")[0]
    assert f"{recipe.per_unit_spread(h1):.2f}" == f"{h1.std():.2f}" == "0.46"
    assert_says(NB, "77 % of layer 1's outputs are below 0.05 or above 0.95, and about two thirds "
                "in every later layer")
    saturated = per_layer("normal", "sigmoid", lambda h: np.mean((h < 0.05) | (h > 0.95)))
    assert f"{saturated[0]:.2f}" == "0.77" and all(0.6 < s < 0.7 for s in saturated[1:])
    assert_says(NB, "from the second layer on, none is farther than 0.05 from it")
    assert max(per_layer(0.01, "sigmoid", lambda h: np.abs(h - 0.5).max())[1:]) < 0.05
    assert_says(NB, "standard deviation 0.11 to 0.13 from layer 2 on")
    assert all(0.105 <= s < 0.135 for s in per_layer("xavier", "sigmoid", np.std)[1:])
    assert_says(NB, "98 to 100 % of them from layer 2 on")
    inside = per_layer("xavier", "sigmoid", lambda h: np.mean((h > 0.2) & (h < 0.8)))
    assert all(0.975 <= s <= 1.0 for s in inside[1:])


def unit_spread(h):
    """Each unit's std across the 1000 inputs (axis 0), averaged over the units: written out
    here rather than taken from recipe.per_unit_spread, which is checked against it."""
    return np.mean([np.std(h[:, j]) for j in range(h.shape[1])])


def test_per_unit_spread():
    h = acts("xavier", "sigmoid")[2]
    assert abs(recipe.per_unit_spread(h) - unit_spread(h)) < 1e-12
    assert_says(NB, "The width of the bumps, the per-unit spread, **falls about fourfold per "
                "layer**, from 0.21 in layer 1 to 0.00063 in layer 5")
    lecun = per_layer("xavier", "sigmoid", unit_spread)
    assert f"{lecun[0]:.2g}" == "0.21" and f"{lecun[-1]:.2g}" == "0.00063"
    assert all(3.8 < a / b < 4.6 for a, b in zip(lecun, lecun[1:]))
    # the pooled spread stays at 0.11-0.13 because it is between units: the std of the unit means
    assert all(0.1 < np.std(h.mean(axis=0)) < 0.135 for h in acts("xavier", "sigmoid")[1:])
    assert_says(NB, "Each unit's own spread across the inputs falls about 40-fold per layer, to "
                "$10^{-8}$ in layer 5")
    small = per_layer(0.01, "sigmoid", unit_spread)
    assert all(36 < a / b < 44 for a, b in zip(small, small[1:])) and 5e-9 < small[-1] < 2e-8
    assert_says(NB, "$\\sqrt{100} \\cdot 0.01 \\cdot \\tfrac14 = \\tfrac1{40}$")
    assert_says(NB, "so the units have no levels of their own: the per-unit spread is the same")
    tanh = acts("xavier", "tanh")
    assert all(f"{unit_spread(h):.2g}" == f"{h.std():.2g}" for h in tanh)
    assert_says(NB, "the per-unit spread falls from 0.83 to 0.46, about 1.16-fold per layer, far "
                "less than the sigmoid's fourfold")
    he = per_layer("he", "relu", unit_spread)
    assert f"{he[0]:.2f}" == "0.83" and f"{he[-1]:.2f}" == "0.46"
    assert f"{(he[0] / he[-1]) ** 0.25:.2f}" == "1.16"


def last_hidden_spread(activation, init):
    X, _, _, _ = lessonlib.data.load_digits_split(n_train=1000, seed=0)
    model = lessonlib.MLP(64, [50] * 6, 10, activation=activation, init=init, seed=0)
    h = X
    for k in range(1, 7):                         # the six hidden layers by hand
        W = model.params[f"fc{k}_weight"]
        h = lessonlib.layers.ACTIVATIONS[activation]().forward(h @ W + model.params[f"fc{k}_bias"])
    return unit_spread(h)


def test_per_unit_spread_of_the_digits_nets():
    assert_says(NB, "at the sixth hidden layer the per-unit spread is 5e-05 with LeCun, 0.0003 "
                "with He and 0.07 with std 1")
    assert f"{last_hidden_spread('sigmoid', 'xavier'):.1g}" == "5e-05"
    assert f"{last_hidden_spread('sigmoid', 'he'):.1g}" == "0.0003"
    assert f"{last_hidden_spread('sigmoid', 'normal'):.1g}" == "0.07"
    assert_says(NB, "Std 1 mostly does (1.56 per layer)")
    g = start_gradients("sigmoid", "normal")
    assert f"{(g[-1] / g[0]) ** (1 / 6):.2f}" == "1.56"
    assert_says(NB, "For **sigmoid** the pooled histograms were wrong and the per-unit spread "
                "was right")
    assert_says(NB, "Of the sigmoid networks, std 1 loses the least on both ways")
    others = [last_hidden_spread("sigmoid", init) for init in (0.01, "xavier", "he")]
    assert last_hidden_spread("sigmoid", "normal") > 10 * max(others)
    factors = {init: (g[-1] / g[0]) ** (1 / 6) for init in ("normal", 0.01, "xavier", "he")
               for g in [start_gradients("sigmoid", init)]}
    assert min(factors, key=factors.get) == "normal"


def test_tanh_is_u_shaped_then_flat_then_a_bell():
    shares = [np.histogram(h, bins=5, range=(-1, 1))[0] / h.size for h in acts("xavier", "tanh")]
    assert_says(NB, "the histogram is **U-shaped**, highest at the two ends, with 14 % of the "
                "outputs beyond $\\pm 0.9$")
    assert f"{np.mean(np.abs(acts('xavier', 'tanh')[0]) > 0.9):.2f}" == "0.14"
    assert_says(NB, "(0.24 in each outer fifth of the range, 0.16 to 0.18 in each of the middle "
                "three)")
    assert [f"{s:.2f}" for s in shares[0]] == ["0.24", "0.17", "0.16", "0.18", "0.24"]
    assert_says(NB, "is nearly **flat** between $-0.6$ and $0.6$")
    assert shares[1][1:4].max() - shares[1][1:4].min() < 0.03
    assert_says(NB, "Only from layer 3 on is it a **bell**, narrower in every layer: standard "
                "deviation 0.63, 0.48, 0.41, 0.36, 0.32 from layer 1 to 5")
    for s in shares[2:]:
        assert s[2] > s[1] > s[0] and s[2] > s[3] > s[4]
    assert [f"{s:.2f}" for s in per_layer("xavier", "tanh", np.std)] == \
        ["0.63", "0.48", "0.41", "0.36", "0.32"]


def test_relu_rows():
    assert_says(NB, "each layer's spread is about $1/\\sqrt2$ of the one before (0.59, 0.41, "
                "0.29, 0.21, 0.13)")
    lecun = per_layer("xavier", "relu", np.std)
    assert [f"{s:.2f}" for s in lecun] == ["0.59", "0.41", "0.29", "0.21", "0.13"]
    assert_says(NB, "The same shape in all five layers, standard deviation 0.75 to 0.84")
    he = per_layer("he", "relu", np.std)
    assert f"{min(he):.2f}" == "0.75" and f"{max(he):.2f}" == "0.84"
    assert_says(NB, "$\\sqrt{1 - 1/\\pi} \\approx 0.83$")
    assert f"{np.sqrt(1 - 1 / np.pi):.2f}" == "0.83"


@functools.lru_cache(maxsize=None)
def start_gradients(activation, init):
    X, y, _, _ = lessonlib.data.load_digits_split(n_train=1000, seed=0)
    model = lessonlib.MLP(64, [50] * 6, 10, activation=activation, init=init, seed=0)
    with lessonlib.single_thread():
        _, grads = model.loss_and_grads(X, y)
    return np.array([np.abs(grads[name]).mean() for name in model.weight_names])


def test_gradients_at_the_start():
    assert_says(NB, "std 0.01 gives about $10^{-10}$ in every layer, std 1 hundreds")
    assert (np.abs(np.log10(start_gradients("relu", 0.01)) + 10) < 0.5).all()
    assert (start_gradients("relu", "normal") > 100).all()
    assert_says(NB, "give flat profiles (fc7's gradient at most 3 times fc1's), He's 11 to 20 "
                "times larger than LeCun's (the line under the table)")
    for init in ("xavier", "he"):
        g = start_gradients("relu", init)
        assert g[-1] / g[0] < 3
    ratio = start_gradients("relu", "he") / start_gradients("relu", "xavier")
    assert round(ratio.min()) == 11 and round(ratio.max()) == 20
    assert_says(NB, "std 0.01 gives about $10^{-9}$")
    assert (np.abs(np.log10(start_gradients("tanh", 0.01)) + 9) < 0.5).all()
    assert_says(NB, "by a factor of about 5 per layer with LeCun, 4 with He and 50 with std 0.01; "
                "with LeCun fc1's is $10^{-4}$ times fc7's")
    per_layer_factor = {init: (g[-1] / g[0]) ** (1 / 6) for init in ("xavier", "he", 0.01)
                        for g in [start_gradients("sigmoid", init)]}
    assert round(per_layer_factor["xavier"]) == 5 and round(per_layer_factor["he"]) == 4
    assert 45 < per_layer_factor[0.01] < 55
    g = start_gradients("sigmoid", "xavier")
    assert f"{g[-1] / g[0]:.1g}" == "1e+04"                  # as the notebook's table prints it


def test_training_table():
    assert_says(NB, "The grey dotted lines of std 0.01 lie on it in all three panels, and in the "
                "sigmoid panel the fifteen lines of std 0.01, LeCun and He lie on it")
    with np.load(DATA / "l07_digits_curves.npz") as f:
        loss, acts_, inits = f["loss"], list(f["activations"]), list(f["inits"])
    for activation in ("relu", "tanh", "sigmoid"):       # every epoch within 0.1 of ln 10
        assert np.abs(loss[acts_.index(activation), inits.index("0.01")] - np.log(10)).max() < 0.1
    for init in (0.01, "xavier", "he"):
        assert all(abs(r["final_loss"] - np.log(10)) < 0.02 for r in digits("sigmoid", init))
    assert_says(NB, "ReLU with std 1 diverged in its first epoch for every seed")
    assert all(r["diverged"] and r["epochs"] == 0 for r in digits("relu", "normal"))
    assert_says(NB, "std 0.01 never leaves the loss of guessing")
    for activation in ("relu", "tanh", "sigmoid"):
        assert all(r["loss_below_1_epoch"] is None for r in digits(activation, 0.01))
    assert_says(NB, "or stays stuck above the loss of guessing with saturated units (tanh, up to "
                "72 % of its hidden outputs beyond $\\pm 0.99$ at the start)")
    assert all(r["final_loss"] > np.log(10) for r in digits("tanh", "normal"))
    assert_says(NB, "He's loss falls below 1 in epoch 2 or 3, LeCun's in epoch 4 or 5")
    assert {r["loss_below_1_epoch"] for r in digits("relu", "he")} == {2, 3}
    assert {r["loss_below_1_epoch"] for r in digits("relu", "xavier")} == {4, 5}
    assert_says(NB, "LeCun, whose histograms looked best, does not learn in 20 epochs, while std "
                "1, whose histograms looked worst, does")
    assert all(r["loss_below_1_epoch"] is None for r in digits("sigmoid", "xavier"))
    assert all(r["loss_below_1_epoch"] for r in digits("sigmoid", "normal"))


def test_first_epochs_agree_with_the_stored_curve():
    """The notebook's live check: the ReLU/He digits run, 5 epochs, equals the stored curve."""
    assert_says(NB, "One of them, retrained here for its first 5 epochs, gives the same numbers")
    # the notebook checks a relative 1e-6: across BLAS kernels and under LESSONLIB_PERTURB=1e-12
    # the 5 epochs differed by at most 4e-11 (measured)
    X, y, _, _ = lessonlib.data.load_digits_split(n_train=1000, seed=0)
    with lessonlib.single_thread():
        model = lessonlib.MLP(64, [50] * 6, 10, activation="relu", init="he", seed=0)
        history = model.fit(X, y, lessonlib.SGD(lr=0.05, momentum=0.9), epochs=5, batch_size=50,
                            seed=0)
    with np.load(DATA / "l07_digits_curves.npz") as f:
        stored = f["loss"][list(f["activations"]).index("relu"), list(f["inits"]).index("he"), 0]
    np.testing.assert_allclose(history.loss, stored[:5], rtol=1e-9, atol=0)


def test_iris_with_lecun_and_he():
    assert_says(NB, "and half of the runs never got past guessing (the iris table near the end "
                "of this lesson repeats it)")
    assert_says(NB, "With LeCun or He weights, all ten runs get past guessing, half of them within "
                "about ten epochs (with the uniform weights: half never, the others after 66 to "
                "93 epochs), and the mean test accuracy goes from 0.46 to 0.95")
    iris = {init: [r for r in runs() if r["experiment"] == "iris" and r["init"] == init]
            for init in ("uniform", "xavier", "he")}
    first = {init: [r["loss_below_1_epoch"] for r in rows if r["loss_below_1_epoch"]]
             for init, rows in iris.items()}
    assert len(first["uniform"]) == 5 and (min(first["uniform"]), max(first["uniform"])) == (66, 93)
    for init in ("xavier", "he"):
        assert len(first[init]) == 10 and 9 <= np.median(first[init]) <= 11
        assert f"{np.mean([r['test_accuracy'] for r in iris[init]]):.2f}" == "0.95"
    assert f"{np.mean([r['test_accuracy'] for r in iris['uniform']]):.2f}" == "0.46"


def test_tanh_std_1_starts_saturated():
    """The 6 x 50 tanh digits net with std 1: the share of hidden outputs beyond +-0.99."""
    assert_says(NB, "With std 1, about half or more of the hidden outputs start saturated, beyond "
                "$\\pm 0.99$: 49 % in the first hidden layer, 68 to 72 % in the others")
    X, _, _, _ = lessonlib.data.load_digits_split(n_train=1000, seed=0)
    model = lessonlib.MLP(64, [50] * 6, 10, activation="tanh", init="normal", seed=0)
    with lessonlib.single_thread():
        hidden = [h for name, h in model.forward_trace(X) if name.startswith("tanh")]
    shares = [round(100 * float(np.mean(np.abs(h) > 0.99))) for h in hidden]
    assert shares[0] == 49 and min(shares[1:]) == 68 and max(shares[1:]) == 72


def test_all_zeros_is_more_stuck():
    assert_says(NB, "zeros is more stuck still (its loss is no higher, but fewer arrays move)")


def test_answers_relu_and_tanh_flat_points():
    """Answers 1 and 2, at the explorer's slider steps 10**-0.9, 10**-0.85, 10**-0.8."""
    def spreads(s, activation):
        hs = recipe.layer_activations(s, activation, 10, seed=0)
        return ([float(hs[k].std()) for k in (0, 4, 9)],
                [recipe.per_unit_spread(hs[k]) for k in (0, 4, 9)])
    assert_says(NB, "The pooled line is flattest at He's 0.141 (0.83 in layer 1, 0.66 in layer 10)")
    low, mid, high = (spreads(10 ** e, "relu") for e in (-0.9, -0.85, -0.8))
    assert [round(v, 2) for v in (mid[0][0], mid[0][2])] == [0.83, 0.66]
    assert low[0][2] < 0.5 * low[0][0] and high[0][2] > 1.5 * high[0][0]
    assert_says(NB, "The per-unit line falls at 0.141 (to 0.30) and is\n   flattest one step higher, at 0.158")
    assert round(mid[1][2], 2) == 0.30
    assert abs(np.log(high[1][2] / high[1][0])) < abs(np.log(mid[1][2] / mid[1][0]))
    assert_says(NB, "At LeCun's 0.1 the spread keeps falling (0.63, 0.32, 0.23 in layers 1, 5 "
                "and 10")
    assert [round(v, 2) for v in spreads(0.1, "tanh")[0]] == [0.63, 0.32, 0.23]
    assert_says(NB, "and still 0.26, 0.24, 0.23 in layers 8 to 10). At 0.112, one slider step "
                "above, it falls ever more slowly and is nearly flat by layer 8 (0.37, 0.36, 0.36 "
                "in layers 8 to 10); from 0.126, two steps above, it is flat from about layer 6 "
                "on, at a level that grows with the std")
    # the slider: FloatLogSlider with step 0.05 in log10, so 0.112 and 0.126 are steps 1 and 2
    assert [f"{10 ** (-1 + 0.05 * k):.3g}" for k in (1, 2)] == ["0.112", "0.126"]

    def tanh_layers(s):
        return [float(h.std()) for h in recipe.layer_activations(s, "tanh", 10, seed=0)]
    lecun, one_step = tanh_layers(0.1), tanh_layers(10 ** -0.95)
    assert [round(v, 2) for v in lecun[7:]] == [0.26, 0.24, 0.23]
    assert [round(v, 2) for v in one_step[7:]] == [0.37, 0.36, 0.36]
    assert lecun[9] < 0.92 * lecun[7] and one_step[9] > 0.95 * one_step[7]
    # an independent check on "levels off" at 0.112 but not at 0.1: the mean-field recursion
    # q <- E[tanh(g sqrt(q) z)^2], z ~ N(0, 1), g = sqrt(100) * std (Gauss-Hermite quadrature)
    z, w = np.polynomial.hermite_e.hermegauss(101)
    w = w / w.sum()

    def mean_field(g, layers):
        q = 1.0
        for _ in range(layers):
            q = float(np.sum(w * np.tanh(g * np.sqrt(q) * z) ** 2))
        return np.sqrt(q)
    assert mean_field(1.0, 200) < 0.06                       # at 0.1 it falls towards 0
    assert 0.3 < mean_field(10 * 10 ** -0.95, 200) < 0.36    # at 0.112 it stops near 0.33
    for e in (-0.9, -0.85, -0.7):
        pooled = tanh_layers(10 ** e)
        assert abs(pooled[9] / pooled[5] - 1) < 0.03           # flat from about layer 6 on


def test_answers_sigmoid_per_unit_and_relu_prediction():
    assert_says(NB, "With LeCun the per-unit spread keeps falling about fourfold per layer, to about\n"
                "   $5 \\times 10^{-7}$ in layer 10. With 0.398 it falls about 1.65-fold per layer, with "
                "std 1\n   about 1.2-fold")
    per_layer_fall = {}
    for init in ("xavier", 10 ** -0.4, "normal"):
        hs = recipe.layer_activations(init, "sigmoid", 10, seed=0)
        spread = [recipe.per_unit_spread(h) for h in hs]
        per_layer_fall[init] = (spread[0] / spread[-1]) ** (1 / 9)
        if init == "xavier":
            assert f"{spread[-1]:.0e}" == "5e-07"
            assert all(3.9 < a / b < 4.6 for a, b in zip(spread, spread[1:]))
    assert round(per_layer_fall[10 ** -0.4], 2) == 1.65 and round(per_layer_fall["normal"], 1) == 1.2
    assert_says(NB, "All four measured values\n   are the same 0.91 of the prediction")
    for init in ("normal", 0.01, "xavier", "he"):
        predicted = np.sqrt(1 - 1 / np.pi) * (100 * recipe.init_std(init) ** 2 / 2) ** 2.5
        measured = float(recipe.layer_activations(init, "relu", 5, seed=0)[-1].std())
        assert round(measured / predicted, 2) == 0.91


def test_answer_6_the_ratio_over_seeds():
    """Answer 6's "that one draw": He/ReLU, 5 layers, measured / predicted std over seeds 0-7
    (cell 33's last line)."""
    assert_says(NB, "The 9 % is mostly that one draw: with seeds 0 to 7 the ratio ranges\n"
                "   from 0.71 to 1.08 (mean 0.93")
    predicted = np.sqrt(1 - 1 / np.pi) * (100 * 0.02 / 2) ** 2.5
    ratios = [float(recipe.layer_activations("he", "relu", 5, seed)[-1].std()) / predicted
              for seed in range(8)]
    assert [round(r, 2) for r in ratios] == [0.91, 1.08, 1.05, 0.97, 0.71, 0.84, 0.96, 0.93]
    assert round(min(ratios), 2) == 0.71 and round(max(ratios), 2) == 1.08
    assert round(float(np.mean(ratios)), 2) == 0.93


def test_answer_4_histograms_of_std_04():
    """Answer 4: sigmoid, std 10**-0.4 (the slider's 0.398) against std 1, the explorer's stack:
    the share of outputs below 0.05 or above 0.95, layers 1 to 5."""
    assert_says(NB, "so the histograms pile up towards 0 and 1, less than with std 1: 46 % of "
                "layer 1's outputs are below 0.05 or above 0.95 (77 % with std 1), and about a "
                "fifth in layers 2 to 5 (about two thirds with std 1")
    def shares(init):
        return [float(np.mean((h < 0.05) | (h > 0.95))) for h in acts(init, "sigmoid")]
    quarter, one = shares(10 ** -0.4), shares("normal")
    assert round(quarter[0], 2) == 0.46 and round(one[0], 2) == 0.77
    assert all(0.15 < s < 0.25 for s in quarter[1:])
    assert all(0.6 < s < 0.7 for s in one[1:])
    # layer 1 by hand: a unit's input is N(0, 100 * 0.398^2 = 15.8); the sigmoid is below 0.05
    # or above 0.95 beyond |z| = ln 19, a share of erfc(ln 19 / sqrt(2 * 15.8))
    from math import erfc, log, sqrt
    assert abs(erfc(log(19) / sqrt(2 * 100 * 10 ** -0.8)) - quarter[0]) < 0.02


def test_answer_4_four_times_lecun_for_sigmoid():
    assert_says(NB, "the gradient falls about 1.9-fold per layer, against 4.9 with LeCun")
    X, y, _, _ = lessonlib.data.load_digits_split(n_train=1000, seed=0)
    per_layer = {}
    for mult in (1, 4):
        model = lessonlib.MLP(64, [50] * 6, 10, activation="sigmoid", init="xavier", seed=0)
        for name in model.weight_names:
            model.params[name] *= mult
        with lessonlib.single_thread():
            _, grads = model.loss_and_grads(X, y)
        g = [np.abs(grads[name]).mean() for name in model.weight_names]
        per_layer[mult] = (g[-1] / g[0]) ** (1 / 6)
    assert round(per_layer[1], 1) == 4.9 and round(per_layer[4], 1) == 1.9


def test_all_001_is_symmetric_without_saturating():
    """Cell 4: all 0.1 gives fc1 inputs of about 1.95 (tanh's slope there about 0.08); all 0.01
    about 0.2, and the units still stay equal at the loss of guessing."""
    assert_says(NB, "0.1 times the sum of the 64 pixels gives every fc1 unit an input of\n"
                "about 1.95 (the first line), where tanh is nearly flat (its slope $1 - \\tanh^2$ "
                "there is about 0.08, printed beside it)")
    assert_says(NB, "0.01 keeps every fc1 unit near 0.2, in tanh's linear middle")
    assert_says(NB, "the result is the same (equal units, the loss of guessing): the symmetry "
                "alone is enough")
    X, y, _, _ = lessonlib.data.load_digits_split(n_train=1000, seed=0)
    for value, z in ((0.1, 1.95), (0.01, 0.20)):
        model = lessonlib.MLP(64, [20, 20], 10, activation="tanh", init="xavier", seed=0)
        for name in model.weight_names:
            model.params[name][...] = value
        fc1_input = np.abs(X @ model.params["fc1_weight"]).mean()
        assert round(float(fc1_input), 2) == z
        if value == 0.1:
            assert round(1 - np.tanh(fc1_input) ** 2, 2) == 0.08
            continue
        with lessonlib.single_thread():
            history = model.fit(X, y, lessonlib.SGD(lr=0.1), epochs=10, batch_size=50, seed=0)
        assert np.ptp(model.params["fc1_weight"], axis=1).max() < 1e-12
        assert np.ptp(model.params["fc2_weight"], axis=1).max() < 1e-12
        assert abs(history.loss[-1] - np.log(10)) < 0.02


def test_relu_backward_half_and_the_notes_reading():
    assert_says(NB, "$f'$ is 0 or 1 and $\\mathbb E[f'^2] = \\tfrac12$: the way back loses the "
                "same half as the way\nforward, and He's factor 2 makes up for both")
    z = np.random.default_rng(0).standard_normal(200_000)
    assert abs(np.mean((z > 0) ** 2) - 0.5) < 0.01
    assert_says(NB, "The notes, after *Deep Learning from Scratch*, read these histograms the\n"
                "other way: std 1 gives vanishing gradients")
    assert_says(NB, "Training says the reverse for this network.")
    # the reverse: with LeCun no sigmoid run gets below loss 1 in 20 epochs, with std 1 all do
    assert len(digits("sigmoid", "xavier")) == len(digits("sigmoid", "normal")) == 5
    assert all(r["loss_below_1_epoch"] is None for r in digits("sigmoid", "xavier"))
    assert all(r["loss_below_1_epoch"] for r in digits("sigmoid", "normal"))


def test_answer_5_unscaled_iris_features():
    """Answer 5: iris's features have rms 4.0, not 1, and the first layer's outputs of lesson
    06's net with He weights start 4.7 times those for standardised features."""
    assert_says(NB, "start several times too large (the Q5 lines: the features' root mean square "
                "is 4.0, and with He weights the first layer's outputs are 4.7 times those for "
                "standardised features)")
    X, _, _, _ = lessonlib.data.load_iris(seed=0)
    assert f"{np.sqrt(np.mean(X ** 2)):.1f}" == "4.0"
    assert [f"{m:.2f}" for m in X.mean(axis=0)] == ["5.85", "3.07", "3.74", "1.18"]
    X_std = (X - X.mean(axis=0)) / X.std(axis=0)
    model = lessonlib.MLP(4, [10] * 7, 3, activation="relu", init="he", seed=0)
    W, b = model.params["fc1_weight"], model.params["fc1_bias"]
    rms = [np.sqrt(np.mean(np.maximum(inputs @ W + b, 0) ** 2)) for inputs in (X, X_std)]
    assert f"{rms[0] / rms[1]:.1f}" == "4.7" and rms[0] / rms[1] > 3


def test_single_units_under_the_pooled_histogram():
    """The unit_histograms figure (layer 4, units 1 to 8): sigmoid/LeCun units are needles at
    levels of their own; ReLU/He units spread widely, and some are 0 for most inputs."""
    assert_says(NB, "eight units, eight needles between about 0.3 and 0.75")
    h = acts("xavier", "sigmoid")[3][:, :8]
    assert h.std(axis=0).max() < 0.004                       # a needle: under one 0.01 bin
    assert 0.3 < h.mean(axis=0).min() < 0.35 and 0.7 < h.mean(axis=0).max() < 0.75
    assert_says(NB, "each unit spreads over a range of its own, and some are 0 for most inputs")
    h = acts("he", "relu")[3][:, :8]
    assert np.sum(h.std(axis=0) > 0.3) >= 5                  # most units: broad ridges
    zeros = (h == 0).mean(axis=0)
    assert np.sum(zeros > 0.5) >= 2 and zeros.min() < 0.2


def test_explorer_range_and_float64_floor():
    """The explorer's prose: the ReLU range widens only when a stack explodes; a per-unit
    spread below 1e-13 of the layer's root mean square is rounding (float64: about 16 digits)."""
    assert_says(NB, "With ReLU the histograms span 0 to 4; when a stack explodes, the range widens "
                "(10, 20, 50, ...; the axis label says so) until the largest layer fits")
    def stack(init, activation, depth=10):
        return recipe.layer_activations(init, activation, depth, seed=0)
    for init in ("he", "xavier", 0.01):
        assert recipe.relu_top(stack(init, "relu")) == 4.0
    top = recipe.relu_top(stack(1.0, "relu"))
    last = stack(1.0, "relu")[-1]
    assert top > 1e8 and np.mean(last > top) < 0.005          # the largest layer fits
    assert recipe.relu_top(stack(10 ** -0.8, "relu"), current=20.0) == 20.0     # kept
    assert_says(NB, "Float64 keeps about 16 digits, so a per-unit spread below about $10^{-13}$ of "
                "the layer's values is rounding, not signal")
    assert round(-np.log10(np.finfo(np.float64).eps)) == 16
    assert recipe.FLOAT64_FLOOR == 1e-13
    assert_says(NB, "hollow triangles mark the layers at that floor (sigmoid with std 0.01 and 10 "
                "layers)")
    hs = stack(0.01, "sigmoid")
    rms = [np.sqrt(np.mean(h ** 2)) for h in hs]
    spread = [unit_spread(h) for h in hs]
    # the spread falls 40-fold per layer (row 2) until layer 8; below the floor from layer 9
    below = [s < 1e-13 * r for s, r in zip(spread, rms)]
    assert below == [False] * 8 + [True] * 2
    # two ways of summing the same std (one column at a time here, all columns at once in
    # recipe.per_unit_spread) agree on layers 1 to 8; on 9 and 10 both give only rounding
    # (here 7e-15 and 3e-16 of the rms against 1.4e-14 and 1.3e-14: noise, not a value)
    fast = [recipe.per_unit_spread(h) for h in hs]
    assert all(abs(a / b - 1) < 1e-3 for a, b in zip(spread[:8], fast[:8]))
    assert all(f < 1e-13 * r for f, r in zip(fast[8:], rms[8:]))
    # tanh and ReLU scale exactly: their relative spread never nears the floor
    for activation in ("tanh", "relu"):
        assert all(unit_spread(h) > 0.1 * np.sqrt(np.mean(h ** 2))
                   for h in stack(0.001, activation))


@functools.lru_cache(maxsize=None)
def deep_runs():
    with np.load(DATA / "l07_deep_runs.npz") as f:
        return dict(f)


def test_thirty_layers_he_trains_lecun_does_not():
    """data/l07_deep_runs.npz: 30 hidden ReLU layers of 100, SGD lr 0.001 with momentum 0.9,
    batches of 50, 20 epochs, seeds 0-4: every LeCun run stays at ln 10, every He run learns."""
    assert_says(NB, "Here is a net of 30 hidden ReLU layers of 100 on the same digits: SGD with "
                "learning rate 0.001 and momentum 0.9, batches of 50, 20 epochs, five seeds per "
                "scale")
    assert_says(NB, "Every LeCun run stays at the loss of guessing (2.30; test accuracy 0.09, "
                "where chance is 0.1), while every He run learns (loss 0.17 to 0.30, test "
                "accuracy 0.84 to 0.91)")
    assert_says(NB, "Deeper, trained with SGD, it does not even start")
    assert_says(NB, "In the figure the five LeCun lines lie on the dashed ln 10 line")
    runs = deep_runs()
    assert list(runs["inits"]) == ["xavier", "he"] and runs["seeds"].tolist() == [0, 1, 2, 3, 4]
    assert runs["loss"].shape == (2, 5, 20) and runs["hidden"].tolist() == [100] * 30
    assert (float(runs["lr"]), float(runs["momentum"]), int(runs["batch"])) == (0.001, 0.9, 50)
    lecun, he = runs["loss"]
    assert np.isfinite(runs["loss"]).all()                    # no run diverged
    # LeCun: every epoch of every seed within 0.01 of ln 10 = 2.302585...
    assert np.abs(lecun - 2.302585).max() < 0.01
    assert [f"{x:.2f}" for x in lecun[:, -1]] == ["2.30"] * 5
    assert [f"{a:.2f}" for a in runs["test_accuracy"][0]] == ["0.09"] * 5
    # He: all 5 runs end far below ln 10, the lowest and highest as the prose says
    assert int(np.sum(he[:, -1] < 1.0)) == 5
    assert (f"{he[:, -1].min():.2f}", f"{he[:, -1].max():.2f}") == ("0.17", "0.30")
    acc = runs["test_accuracy"][1]
    assert int(np.sum(acc > 0.8)) == 5
    assert (f"{acc.min():.2f}", f"{acc.max():.2f}") == ("0.84", "0.91")


def test_thirty_layers_he_needs_the_small_step():
    """data/l07_deep_runs.npz, He's nets at the larger steps 0.05 and 0.01 (same seeds, same
    training): none learns at 0.05, all five learn unevenly at 0.01, all reach 0.84-0.91 at
    0.001."""
    assert_says(NB, "Here are He's five nets again at the six-layer runs' step 0.05 and at 0.01, "
                "stored in the same file by the same script")
    assert_says(NB, "At 0.05 no He net ends up learning: four end at the loss of guessing (2.29 "
                "to 2.31, "
                "test accuracy 0.09 or 0.10) and one diverges in its eighth epoch")
    assert_says(NB, "At 0.01 all five learn, slowly and unevenly (test accuracy 0.33 to 0.77); at "
                "0.001 all five reach 0.84 to 0.91")
    assert_says(NB, "here the 30-layer net trained well only with a step 50 times smaller than "
                "the six-layer one")
    assert_says(NB, "one diverges in its eighth epoch")         # printed as "diverged (8)"
    runs = deep_runs()
    assert runs["he_lrs"].tolist() == [0.05, 0.01] and float(runs["lr"]) * 50 == 0.05
    at_005, at_001 = runs["he_loss"]
    acc_005, acc_001 = runs["he_test_accuracy"]
    diverged = [k for k in range(5) if np.isnan(at_005[k]).any()]
    assert diverged == [2]
    # finite for its first 7 epochs, NaN from the eighth on
    assert np.isfinite(at_005[2, :7]).all() and np.isnan(at_005[2, 7:]).all()
    assert np.isnan(acc_005[2])
    kept = [k for k in range(5) if k not in diverged]
    assert [f"{at_005[k, -1]:.2f}" for k in kept] == ["2.29", "2.31", "2.30", "2.30"]
    assert abs(at_005[kept, -1] - np.log(10)).max() < 0.02           # the loss of guessing
    assert sorted(f"{acc_005[k]:.2f}" for k in kept) == ["0.09", "0.09", "0.09", "0.10"]
    # lr 0.01: every run finite and far below ln 10, accuracies 0.33 to 0.77
    assert np.isfinite(at_001).all() and (at_001[:, -1] < 1.5).all()
    assert (f"{acc_001.min():.2f}", f"{acc_001.max():.2f}") == ("0.33", "0.77")
    he = runs["test_accuracy"][1]
    assert (f"{he.min():.2f}", f"{he.max():.2f}") == ("0.84", "0.91")


def test_thirty_layers_halve_the_mean_square():
    """n Var(w) = 1 halves the mean square per ReLU layer: 2^-30 after 30 layers (about 1e-9);
    n Var(w) = 2 keeps it. Measured on the digits with a forward pass written here."""
    assert_says(NB, "with $n \\operatorname{Var}(w) = 1$ each ReLU layer halves the mean square "
                "of the signal (row 5 of the histograms), so after 30 layers it has shrunk by "
                "$2^{30} \\approx 10^9$, while He's factor 2 keeps it")
    assert_says(NB, "Before training, the 30th hidden layer of a LeCun net holds about "
                "$10^{-9}$ of the inputs' mean square, as the halving per layer predicts")
    assert_says(NB, "with He's factor 2 it holds about as much as the inputs")
    # by hand: 2^10 = 1024, so 2^30 = 1024^3 = 1,073,741,824, and 1 / 2^30 = 9.3e-10
    assert 2 ** 30 == 1024 ** 3 == 1_073_741_824
    assert (1 * 0.5) ** 30 == 1 / 1_073_741_824 and 9.3e-10 < 0.5 ** 30 < 9.4e-10
    assert (2 * 0.5) ** 30 == 1.0
    X, _, _, _ = lessonlib.data.load_digits_split(n_train=1000, seed=0)
    shares = {}
    for init, n_var_w in (("xavier", 1.0), ("he", 2.0)):
        shares[init] = []
        for seed in range(5):
            model = lessonlib.MLP(64, [100] * 30, 10, activation="relu", init=init, seed=seed)
            h = X
            for k in range(1, 31):                  # biases start at 0: h = max(0, h W)
                W = model.params[f"fc{k}_weight"]
                assert abs(W.std() * np.sqrt(W.shape[0]) / np.sqrt(n_var_w) - 1) < 0.1
                h = np.maximum(h @ W, 0.0)
            shares[init].append(np.mean(h ** 2) / np.mean(X ** 2))
    # about 1e-9 (2^-30 = 9.3e-10): within a factor 3 either way for every seed
    assert all(3e-10 < s < 3e-9 for s in shares["xavier"])
    assert all(0.3 < s < 3 for s in shares["he"])
    assert [f"{s:.1g}" for s in shares["xavier"]] == ["4e-10", "1e-09", "1e-09", "4e-10", "1e-09"]


def _fc1_gradient(weights, X, y):
    """d loss / d W1 of a ReLU net with zero biases (h_k = max(0, h_{k-1} W_k), logits h_30 W_31)
    under the mean softmax cross-entropy, written here by hand: delta_out = (p - onehot) / N,
    dW_k = h_{k-1}^T delta_k, delta_{k-1} = (delta_k W_k^T) * [h_{k-1} > 0]."""
    hs = [X]
    for W in weights[:-1]:
        hs.append(np.maximum(hs[-1] @ W, 0.0))
    logits = hs[-1] @ weights[-1]
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    delta = (p - np.eye(weights[-1].shape[1])[y]) / len(X)
    for k in range(len(weights) - 1, 0, -1):
        delta = (delta @ weights[k].T) * (hs[k] > 0)
    return hs[0].T @ delta


def test_thirty_layers_the_gradient_is_2_to_the_15_smaller():
    """The way back loses the same halves: He's / LeCun's mean |gradient| of fc1 at the start,
    with a backward pass written here (checked once against lessonlib's)."""
    assert_says(NB, "from the output down to fc1 the gradient passes 30 ReLU layers and 30 weight "
                "matrices, and with LeCun's scale each pair halves its mean square, so its size "
                "falls $2^{15} \\approx 3 \\cdot 10^4$-fold more than with He's")
    assert_says(NB, "the first weight matrix of a LeCun net gets a gradient some $10^4$ to $10^5$ "
                "times smaller than He's (4e+04 to 8e+04 over the five seeds)")
    assert_says(NB, "At six layers the same count gives $2^3 = 8$, and He's gradients were 11 to "
                "20 times LeCun's")
    # by hand: 30 masks halve the mean square, 30 matrices keep it (LeCun) or double it (He):
    # mean squares differ by 2^30, sizes by 2^15 = 32768; at 6 hidden layers 2^3 = 8
    assert 2 ** 15 == 32768 and f"{2.0 ** 15:.1g}" == "3e+04" and 2 ** (6 // 2) == 8
    X, y, _, _ = lessonlib.data.load_digits_split(n_train=1000, seed=0)
    ratios = []
    for seed in range(5):
        fc1 = {}
        for init in ("xavier", "he"):
            model = lessonlib.MLP(64, [100] * 30, 10, activation="relu", init=init, seed=seed)
            assert not any(model.params[f"fc{k}_bias"].any() for k in range(1, 32))
            weights = [model.params[f"fc{k}_weight"] for k in range(1, 32)]
            mine = _fc1_gradient(weights, X, y)
            if seed == 0:                        # the notebook's loss_and_grads agrees
                _, grads = model.loss_and_grads(X, y)
                assert np.allclose(grads["fc1_weight"], mine, rtol=1e-9, atol=1e-20)
            fc1[init] = np.abs(mine).mean()
        ratios.append(fc1["he"] / fc1["xavier"])
    assert all(1e4 < r < 1e5 for r in ratios)             # "some 10^4 to 10^5"
    assert [f"{r:.1g}" for r in ratios] == ["4e+04", "6e+04", "7e+04", "6e+04", "8e+04"]
    # each printed digit is at least 0.5 % away from a rounding boundary (robust on any CPU)
    assert all(abs(r / 10 ** np.floor(np.log10(r)) % 1 - 0.5) > 0.005 for r in ratios)


def test_thirty_layers_larger_sgd_steps_do_not_help():
    """LeCun, seed 0, SGD with momentum at lr 0.01, 0.05 and 0.1: the loss stays within 0.01 of
    ln 10 and the net predicts one class for every test image (70 of the 797 are that class)."""
    assert_says(NB, "steps 10, 50 and 100 times larger")
    assert_says(NB, "No: with every step the loss stays within 0.01 of ln 10 and the test "
                "accuracy at 0.09. A step 100 times larger does not make up for a gradient "
                "$10^4$ to $10^5$ times smaller")
    data = lessonlib.data.load_digits_split(n_train=1000, seed=0)
    assert [lr / 0.001 for lr in (0.01, 0.05, 0.1)] == pytest.approx([10, 50, 100])
    with lessonlib.single_thread():
        for lr in (0.01, 0.05, 0.1):
            model, history = recipe.train_deep("xavier", 0, lr=lr, data=data)
            assert history.epochs == 20 and not history.diverged
            assert np.abs(history.loss - 2.302585).max() < 0.01          # ln 10 = 2.302585...
            predicted = model.predict(data[2])
            assert len(set(predicted.tolist())) == 1                   # one class for all
            share = np.mean(data[3] == predicted[0])
            assert f"{share:.2f}" == "0.09" and round(share * 797) == 70
