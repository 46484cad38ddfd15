"""Lesson 10 (dense connections): every number and result its prose states, recomputed with
lessonlib (or, for the DenseNet paper's figures, the arithmetic on the figures it quotes), each
tied to the sentence that states it (``assert_says``)."""
import functools
from pathlib import Path

import numpy as np

import lessonlib
from lessonlib.models import never_positive
from lessonlib.recipes import l09_residual as recipe09
from lessonlib.recipes import l10_dense as recipe

from _claims import assert_says, prose

NB = "10_dense_connections.ipynb"
WIDTHS = [3, 4, 5, 6, 7, 8]
IRIS = lessonlib.data.load_iris(seed=0)
NOTES = "momentum_0.05/3"        # the notes' SGD step, lr 0.05 / 3 (their loss is ours / 3)


@functools.lru_cache(maxsize=None)
def run(connection, optimizer, seed, hidden=tuple(WIDTHS)):
    """The lesson's run: lesson 10's train_iris, 100 epochs (model, history)."""
    return recipe.train_iris(list(hidden), connection, optimizer, 100, seed, IRIS)


def accuracy(connection, optimizer, seed, hidden=tuple(WIDTHS)):
    return recipe09.final_test_accuracy(run(connection, optimizer, seed, hidden)[1])


def learned(connection, optimizer, seeds=range(8), hidden=tuple(WIDTHS)):
    return [seed for seed in seeds if accuracy(connection, optimizer, seed, hidden) >= 0.9]


def test_the_notes_loss_is_ours_divided_by_3():
    """Seed 001's m_log = -mean(label * log(softmax + eps)) averages over N x 3 entries: a third
    of lessonlib's cross-entropy (a mean over N), and so is its gradient. Written here from the
    notes' formula, with sums rather than the notebook's one-hot mean."""
    assert_says(NB, "**The notes' lr 0.05 is lr 0.05/3 in `lessonlib`.**")
    assert_says(NB, "As lesson 09 (section 5) showed, their loss (`m_log`) averages $-y \\log o$ "
                "over all $N \\times 3$ entries of the one-hot labels where ours averages over "
                "the $N$ flowers, so it is our loss divided by 3, and so is its gradient")
    assert_says(NB, "their lr 0.05 takes the steps of our lr $0.05/3 \\approx 0.0167$, and our lr "
                "0.05 takes steps three times the notes'")
    X, y = IRIS[0], IRIS[1]
    printed = []
    for init in ("uniform", 0.2):
        net = lessonlib.MLP(4, WIDTHS, 3, connection="dense", init=init, seed=0)
        ours, grads = net.loss_and_grads(X, y)
        prob = net.predict_proba(X)

        def notes(prob=prob):
            return -sum(np.log(prob[n, y[n]] + 1e-8) for n in range(len(y))) / (3 * len(y))
        assert abs(ours / notes() - 3) < 1e-6
        printed.append((round(ours, 4), round(notes(), 4)))

        def notes_of_params(net=net):
            p = net.predict_proba(X)
            return -np.log(p[np.arange(len(y)), y] + 1e-8).sum() / (3 * len(y))
        W = net.params["fc7_weight"]
        numerical = lessonlib.gradcheck.numerical_gradient(notes_of_params, W)
        assert lessonlib.rel_error(numerical, grads["fc7_weight"] / 3) < 1e-6
    assert printed == [(1.0986, 0.3662), (1.6032, 0.5344)]
    assert round(np.log(3) / 3, 4) == 0.3662
    # the update is linear in the gradient: the notes' SGD (lr 0.05, momentum 0.9) on g / 3
    # moves a parameter exactly as lessonlib's OPTIMIZERS[NOTES] does on g, step after step
    assert recipe.NOTES_LR == 0.05 / 3
    g = np.array([0.3, -1.2, 2.0])
    w_notes, v = np.zeros(3), np.zeros(3)
    param = {"w": np.zeros(3)}
    opt = recipe.OPTIMIZERS[NOTES][1]()
    for _ in range(3):
        v = 0.9 * v - 0.05 * (g / 3)                    # MxNet's sgd, momentum 0.9, wd 0
        w_notes = w_notes + v
        opt.step(param, {"w": g})
    np.testing.assert_allclose(param["w"], w_notes, rtol=1e-12)


def test_lesson_10_trains_lesson_09s_run():
    """recipe.train_iris with lesson 09's key is lesson 09's train_iris, the same history."""
    a = recipe.train_iris([3] * 6, "residual", "momentum_0.05", 20, 2, IRIS)[1]
    b = recipe09.train_iris([3] * 6, "residual", "momentum_0.05", 20, 2, IRIS)[1]
    np.testing.assert_array_equal(a.loss, b.loss)


def test_formula_is_the_order_lessonlib_concatenates_in():
    """r_i = r_{i-1} || h_i = h_1 || ... || h_i, without x: lessonlib's concat{i} is exactly the
    ReLU outputs of layers 1..i side by side, oldest first, and fc{i+1} reads it."""
    assert_says(NB, r"r_i = r_{i-1} \,\|\, h_i = h_1 \,\|\, h_2 \,\|\, \dots \,\|\, h_i")
    assert_says(NB, "The input $x$ itself is not carried along.")
    assert_says(NB, r"the order of the notes' code, $r_i = r_{i-1} \,\|\, h_i$, without $x$")
    net = lessonlib.MLP(4, WIDTHS, 3, connection="dense", init=0.5, seed=1)
    trace = dict(net.forward_trace(IRIS[0][:7]))
    for i in range(1, len(WIDTHS) + 1):
        expected = np.concatenate([trace[f"relu{j}"] for j in range(1, i + 1)], axis=1)
        np.testing.assert_array_equal(trace[f"concat{i}"], expected)
        if i < len(WIDTHS):
            np.testing.assert_allclose(
                trace[f"fc{i + 1}"],
                expected @ net.params[f"fc{i + 1}_weight"] + net.params[f"fc{i + 1}_bias"],
                rtol=1e-12, atol=1e-15)


def test_shapes_and_counts_of_the_notes_net():
    assert_says(NB, r"fc3 reads the $3 + 4 = 7$ columns of $h_1 \,\|\, h_2$; the output layer fc7 "
                r"reads all $3 + 4 + \dots + 8 = 33$")
    net = lessonlib.MLP(4, WIDTHS, 3, connection="dense")
    assert net.params["fc3_weight"].shape == (7, 5)
    assert net.params["fc7_weight"].shape == (33, 3)
    assert net.n_params == 592
    # the notes' variant with x carried along: 4 more rows in fc2 ... fc7
    assert net.n_params + 4 * sum(WIDTHS[1:] + [3]) == 724
    assert_says(NB, "(4 more input columns, so $4 w_i$ more weights, for every layer after the "
                "first and for the output layer)")


def test_growing_widths_learn_in_four_seven_and_five_of_eight_seeds():
    assert_says(NB, "**At the notes' step the dense net learns in 7 of the 8 seeds, the plain net "
                "of the same widths in none.** The plain net never learns, at either step: its "
                "loss stays at $\\ln 3$ in all eight seeds.")
    assert_says(NB, "At lr 0.05 the dense net learns in four of the eight")
    assert_says(NB, "Adam learns in five, with smooth but slower curves.")
    assert_says(NB, "So the step changes how often the dense net learns, not the comparison: at "
                "either step the dense net learns where the plain net of the same widths never "
                "does.")
    assert_says(NB, "At that step the notes' net with growing widths 3 to 8 learns iris in 7 of 8 "
                "seeds (4 of 8 at lr 0.05, 5 with Adam), where the plain net of the same widths "
                "learns in none.")
    assert learned("dense", "momentum_0.05") == [0, 1, 2, 4]
    assert learned("dense", NOTES) == [0, 1, 2, 3, 4, 6, 7]
    assert learned("dense", "adam_1e-3") == [0, 2, 3, 4, 7]
    for step in ("momentum_0.05", NOTES):
        assert learned("plain", step) == []
        assert all(abs(run("plain", step, s)[1].loss[-1] - np.log(3)) < 0.01 for s in range(8))
    others = [accuracy("dense", opt, s)
              for opt in ("momentum_0.05", "adam_1e-3") for s in range(8)]
    partial = sorted(a for a in others if 0.3 < a < 0.9)
    assert_says(NB, "At lr 0.05 and with Adam most other seeds get part of the way (0.62 to 0.84)")
    assert (partial[0], partial[-1]) == (0.62, 0.84) and len(partial) == 5


def test_the_notes_step_curves_are_smoother():
    """"its loss curves are noisy: with momentum, three times the notes' step is a big one":
    the epoch-to-epoch rises of the dense runs' loss, summed over the seeds that learn at both
    steps, are larger at lr 0.05 than at lr 0.05/3 (about twice)."""
    assert_says(NB, "its loss curves are noisy:\nwith momentum, three times the notes' step is a "
                "big one")

    def rises(step):
        return sum(np.clip(np.diff(np.log(run("dense", step, s)[1].loss)), 0, None).sum()
                   for s in (0, 1, 2, 4))
    assert rises("momentum_0.05") > 1.5 * rises(NOTES)     # measured: 30.9 against 15.4


def test_learned_means_test_accuracy_at_least_0_9():
    """The definition cell 15 gives is the one accuracy_line counts with."""
    assert_says(NB, "a run counts as\n*learned* when its test accuracy is at least 0.9")
    assert recipe09.accuracy_line("x", [0.9, 0.88, 1.0]).endswith("(learned: 2 of 3)")


def test_larger_weights_switch_on_more_relus():
    """Cell 23: the share of (flower, unit) pairs with l > 0 on the first 20 flowers, 0.40 with
    the tiny uniform weights and 0.60 with N(0, 0.2^2), at the lesson's seed 0."""
    assert_says(NB, "where more\nReLUs are active, printed as the share of (flower, unit) pairs "
                "with $l > 0$")
    shares = []
    for init in ("uniform", 0.2):
        net = lessonlib.MLP(4, WIDTHS, 3, connection="dense", init=init, seed=0)
        trace = dict(net.forward_trace(IRIS[0][:20]))
        shares.append(np.concatenate([(trace[f"fc{i}"] > 0).ravel()
                                      for i in range(1, len(WIDTHS) + 1)]).mean())
    assert [round(x, 2) for x in shares] == [0.40, 0.60]


def test_explorer_try_this_setting():
    """Section 7's "try this": 12 layers of 2, seed 1. At SGD lr 0.05 plain and residual end at
    ln 3 (test accuracy 0.30, one species for every flower) and the dense net learns (0.98); at
    the notes' step the residual net learns too (0.96) and only the plain net guesses."""
    assert_says(NB, "Try this: 12 hidden layers, growth 0, first width 2, seed 1, SGD lr 0.05")
    assert_says(NB, "the plain and the residual net both end at $\\ln 3$, guessing")
    assert_says(NB, "Then choose the notes' step, lr 0.05/3: the residual net learns as well, and "
                "only the plain net is left guessing.")
    assert_says(NB, "The cell below trains the\nsame three nets at both steps")
    widths = recipe.dense_widths(12, 0, 2)
    assert widths == [2] * 12
    expected = {"momentum_0.05": {"plain": 0.30, "residual": 0.30, "dense": 0.98},
                NOTES: {"plain": 0.30, "residual": 0.96, "dense": 0.96}}
    for step, accuracies in expected.items():
        for kind, acc in accuracies.items():
            hist = run(kind, step, 1, tuple(widths))[1]
            assert recipe09.final_test_accuracy(hist) == acc
            assert (abs(hist.loss[-1] - np.log(3)) < 0.01) == (acc == 0.30)


def test_the_explorer_offers_both_steps():
    """The explorer's optimiser menu has lr 0.05 and the notes' step (its labels say which)."""
    from lessonlib import widgets
    assert_says(NB, "With the explorer (its optimiser menu has both steps)")
    explorer = widgets.dense_explorer()
    options = dict((v, k) for k, v in explorer.controls["optimizer"].options)
    assert set(options) == {"momentum_0.05", NOTES, "adam_1e-3"}
    assert "3 × the notes' step" in options["momentum_0.05"]
    assert "the notes' step" in options[NOTES]
    assert recipe.OPTIMIZERS[NOTES][1]().lr == 0.05 / 3
    assert recipe.OPTIMIZERS["momentum_0.05"][1]().lr == 0.05


def test_the_notes_run_counts_48_of_50():
    """Cell 17 quotes the notes' one run of the dense net (seed 001's confusion table)."""
    assert_says(NB, "their confusion table counts 48 of the 50 test flowers right (0.96); at their\n"
                "step every seed here but seed 5 scores 0.96 or more")
    notes = np.array([[18, 0, 0], [0, 13, 0], [0, 2, 17]])     # seed 001, the dense net's table
    assert notes.sum() == 50 and np.trace(notes) == 48
    assert round(np.trace(notes) / notes.sum(), 2) == 0.96
    notes_step = [accuracy("dense", NOTES, s) for s in range(8)]
    assert [s for s in range(8) if notes_step[s] < 0.96] == [5]


def test_seed_5_starts_with_every_first_layer_relu_off():
    assert_says(NB, "Seed 5 fails with every optimiser")
    assert_says(NB, "before any training, all three ReLUs of its first layer are off for every "
                "flower")
    untrained = lessonlib.MLP(4, WIDTHS, 3, connection="dense", seed=5)
    assert never_positive(untrained, IRIS[0]).tolist()[0] == 3
    for opt in ("momentum_0.05", NOTES, "adam_1e-3"):
        assert accuracy("dense", opt, 5) == 0.30


def test_seed_5_only_the_output_bias_has_a_gradient():
    assert_says(NB, "The only gradient that is not 0 is that of the output layer's bias")
    assert_says(NB, "so the net can only learn to give all flowers the same answer")
    untrained = lessonlib.MLP(4, WIDTHS, 3, connection="dense", seed=5)
    _, grads = untrained.loss_and_grads(IRIS[0], IRIS[1])
    assert [name for name, g in grads.items() if np.any(g != 0)] == ["fc7_bias"]
    # hidden outputs all 0: the logits are the output bias for every flower, one prediction
    model, _ = run("dense", "momentum_0.05", 5)
    assert len(np.unique(model.predict(IRIS[2]))) == 1


def test_gradients_of_seed_0():
    assert_says(NB, "In the plain net the gradients of the five lowest weight matrices are below "
                "$10^{-12}$ from the first epoch on, at both steps. At lr 0.05 the last two die "
                "within a dozen epochs (from epochs 3 and 12).")
    first, _ = recipe.gradient_summary(run("plain", "momentum_0.05", 0)[1].grad_mean_abs)
    assert first == [1, 1, 1, 1, 1, 3, 12]
    assert_says(NB, "At the notes' step fc6 dies from epoch 3 and only the output layer fc7 keeps "
                "a gradient, but what fc7 reads, $h_6$, is then the same for every flower")
    model, history = run("plain", NOTES, 0)
    first, _ = recipe.gradient_summary(history.grad_mean_abs)
    assert first == [1, 1, 1, 1, 1, 3, None]
    assert history.grad_mean_abs[-1, 6] > 1e-9
    h6 = dict(model.forward_trace(IRIS[0]))["relu6"]
    assert np.all(h6 == h6[0]) and np.any(h6 != 0)
    assert len(np.unique(model.predict(IRIS[2]))) == 1
    assert_says(NB, "In the dense net none of the seven falls to 0 at either step")
    assert_says(NB, "the largest being the first layer's in every epoch")
    for step in ("momentum_0.05", NOTES):
        g = run("dense", step, 0)[1].grad_mean_abs
        first, smallest = recipe.gradient_summary(g)
        assert first == [None] * 7 and smallest.min() > 1e-6
        assert np.all(g.argmax(axis=1) == 0)


def test_below_means_below():
    """gradient_summary counts a mean |gradient| as dead only below the floor, as the notebook
    prints ("below 1e-12 from epoch"): a value of exactly 1e-12 is not below it."""
    g = np.array([[1.0, 1e-12, 0.0], [0.0, 1e-12, 0.0], [0.0, 1e-12, 0.0]])
    first, smallest = recipe.gradient_summary(g)
    assert first == [2, None, 1]
    assert smallest.tolist() == [0.0, 1e-12, 0.0]


def test_the_gradient_figure_note_leaves_fc7_visible():
    """Cell 18's plain panel: the note box ("5 of 7 weight matrices ...") covers no point of
    fc7's curve, the one curve of that panel that is not on the floor for long (it was drawn
    over it in the middle of the panel)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from lessonlib.plots import l10_dense as figures
    runs = [run("plain", "momentum_0.05", 0), run("dense", "momentum_0.05", 0)]
    fig = figures.gradient_figure(runs, ["plain", "dense"], suptitle="x", panel_width=4.0)
    fig.canvas.draw()
    ax = fig.axes[0]
    [note] = [t for t in ax.texts if "weight matrices" in t.get_text()]
    assert note.get_text().startswith("5 of 7 weight matrices: gradient below 1e-12")
    box = note.get_bbox_patch().get_window_extent()
    fc7 = ax.lines[6]
    x, y = fc7.get_data()
    ends = ax.transData.transform(np.column_stack([x, y]))       # pixels, on the log axis
    t = np.linspace(0, 1, 50)[:, None, None]
    points = (ends[:-1] + t * (ends[1:] - ends[:-1])).reshape(-1, 2)   # along every segment
    assert not any(box.contains(px, py) for px, py in points)
    # and the box is inside the panel
    assert ax.get_window_extent().contains(box.x0, box.y0)
    assert ax.get_window_extent().contains(box.x1, box.y1)
    plt.close(fig)


def test_the_first_layer_reads_the_largest_input():
    """Cell 19: fc1 reads the unscaled measurements, mean |x| 3.46 on the 100 training
    flowers; the later layers of the untrained dense net (seed 0) read ReLU outputs hundreds to
    thousands of times smaller (measured 7e-03 down to 7e-04: about 500 to 5,000 times)."""
    assert_says(NB, "fc1 reads the raw measurements, which `load_iris` leaves unscaled (mean $|x|$ "
                "3.46), while the later layers read ReLU outputs that start hundreds to thousands "
                "of times smaller")
    assert_says(NB, "the largest being the first layer's in every epoch. That is partly the data")
    X = IRIS[0]
    assert f"{np.mean(np.abs(X)):.2f}" == "3.46"
    net = lessonlib.MLP(4, WIDTHS, 3, connection="dense", seed=0)
    trace = dict(net.forward_trace(X))
    later = [np.abs(trace[f"concat{i}"]).mean() for i in range(1, 7)]
    assert all(v < 0.01 for v in later)
    assert [f"{v:.0e}" for v in later] == ["7e-03", "3e-03", "2e-03", "1e-03", "9e-04", "7e-04"]
    assert 100 < 3.46 / max(later) < 1000         # fc2's input: hundreds of times smaller
    assert 1000 < 3.46 / min(later) < 10000       # fc7's: thousands


def test_dense_backward_returns_nothing():
    """Cell 24: lessonlib's Dense.backward has no return value; every block's backward fills the
    gradient arrays the MLP holds (its loss_and_grads reads them), and the first block, which
    reads x, is called with input_grad=False, so its Linear returns no input gradient."""
    import inspect
    from lessonlib.connections import Dense
    from lessonlib.layers import Linear
    assert_says(NB, "Its backward pass, below, returns nothing: each block's `backward` writes its "
                "own weight and bias gradients into arrays the `MLP` keeps, and no gradient of $x$ "
                "is needed, so the first block is called with `input_grad=False`")
    source = inspect.getsource(Dense.backward)
    assert "return" not in source and "input_grad=i > 0" in source
    layer = Linear(4, 3, rng=0)
    layer.forward(np.ones((2, 4)))
    assert layer.backward(np.ones((2, 3)), input_grad=False) is None
    np.testing.assert_array_equal(layer.grads["W"], np.full((4, 3), 2.0))   # x^T dout, by hand
    net = lessonlib.MLP(4, WIDTHS, 3, connection="dense", init=0.2, seed=0)
    before = {k: g.copy() for k, g in net.loss_and_grads(IRIS[0][:10], IRIS[1][:10])[1].items()}
    _, grads = net.loss_and_grads(IRIS[0][10:20], IRIS[1][10:20])
    assert all(np.any(grads[k] != before[k]) for k in grads)   # refilled by the blocks


def test_implicit_deep_supervision_and_densenet_bc():
    """Huang et al. 2017, Section 5 ("Implicit Deep Supervision": a single classifier on top
    supervises all layers, as deeply-supervised nets do with a classifier per hidden layer) and
    Section 3 (DenseNet-B: a 1x1 convolution producing 4k feature maps before each 3x3 one;
    DenseNet-C: compression theta = 0.5 in the transition layers; both: DenseNet-BC). Quoted,
    not computed; cell 29 prints the BC gloss."""
    assert_says(NB, "The DenseNet paper calls this *implicit deep supervision*")
    assert_says(NB, "DenseNet-BC is the paper's leanest variant: B for a *bottleneck*, a 1 × 1 "
                "convolution that cuts the many channels each layer reads down to $4k$ before its "
                "3 × 3 convolution, and C for *compression*, transition layers between dense "
                "blocks")
    assert_says(NB, "that keep half the channels.")
    assert_says(NB, "(more on them below)")
    assert_says(NB, 'cut the concatenation into several "dense blocks", separated by "transition '
                'layers" that shrink the width again')


def test_parameter_counts():
    assert_says(NB, "plain and residual nets of the same widths have the same count (87 and 633)")
    assert_says(NB, "1,783 parameters against 633 at width 10")
    assert_says(NB, "if some layer needs 8 units, all of them have 8 (427 parameters for six "
                "layers)")
    count = {(c, w): lessonlib.MLP(4, [w] * 6, 3, connection=c).n_params
             for c in ("plain", "residual", "dense") for w in (3, 8, 10)}
    assert count["plain", 3] == count["residual", 3] == 87
    assert count["plain", 10] == count["residual", 10] == 633
    assert count["dense", 10] == 1783
    assert count["residual", 8] == 427


def test_growing_widths_overtake_width_10_at_16_layers():
    assert_says(NB, "from 16 layers on it has more parameters than the dense net of width 10")
    assert recipe.crossover_depth(range(1, 31), lambda d: recipe.dense_widths(d, 1, 3),
                                  lambda d: [10] * d) == 16
    for d in (15, 16):      # by hand: the growing net is below at 15, above at 16
        grow = lessonlib.MLP(4, list(range(3, 3 + d)), 3, connection="dense").n_params
        flat = lessonlib.MLP(4, [10] * d, 3, connection="dense").n_params
        assert (grow > flat) == (d == 16)


def test_densenet_paper_figures():
    """Huang et al. 2017: CIFAR-10, DenseNet-BC 0.8 M against a 1001-layer ResNet of 10.2 M
    (Figure 4, right); ImageNet, DenseNet-201 20 M against ResNet-101 'more than 40M' (Section
    4.4, Figure 3): about a twelfth and about half, not a third."""
    assert_says(NB, "about a twelfth of its parameters (0.08)")
    assert_says(NB, "on ImageNet the saving is smaller: about half (DenseNet-201 with 20 million "
                "parameters against a ResNet-101 with more than 40 million, 0.50 or less)")
    assert round(0.8 / 10.2, 2) == 0.08
    assert 20 / 40 == 0.5
    assert "third of a ResNet's parameters" not in prose(NB)


def test_on_iris_the_saving_depends_on_the_step():
    """Six hidden layers, seeds 0-7. At lr 0.05: residual of width 3 (87 parameters, lesson 09's
    stored runs) and dense of width 3 (222) learn in 4, dense of width 2 (119) in 2. At the notes'
    step: dense of width 2 in all 8; residual of widths 2, 3, 4, 5 (49, 87, 135, 193) in 4, 4, 6,
    7; dense of width 3 in 7. Parameter counts by hand: dense [2]*6 = 5*2 + 3*2 + 5*2 + 7*2 +
    9*2 + 11*2 + 13*3 = 119; residual [w]*6 = 5w + 5 (w+1) w + 3 (w+1) = 49, 87, 135, 193 for
    w = 2..5; dense [3]*6 = 15 + 12 + 21 + 30 + 39 + 48 + 57 = 222."""
    assert_says(NB, "Take the two nets of section 6's table with six hidden layers of 3 units, the "
                "residual one (87 parameters) and the dense one (222), and a dense net of six "
                "layers of 2 units (119 parameters)")
    assert_says(NB, "at the notes' step, also residual nets of six layers of 2, 4 and 5 units (49, "
                "135 and 193 parameters)")
    assert_says(NB, "At lr 0.05 the residual net is the cheaper one: with 87 parameters it learns "
                "in as many seeds, 4 of 8, as the dense net of the same widths does with 222, and "
                "the dense net of width 2, with 119, learns in only 2.")
    assert_says(NB, "At the notes' step it turns round, narrowly: the dense net of width 2 learns "
                "in all eight seeds, where the residual nets of six layers learn in 4 (width 2, 49 "
                "parameters, and width 3, 87), 6 (width 4, 135) and 7 (width 5, 193).")
    assert_says(NB, "So on iris the answer depends on the learning rate, and where the dense net "
                "saves parameters the saving is fragile: it beats the residual net of width 5 by "
                "one seed of the eight.")
    assert_says(NB, "On iris it is fragile and depends on the step: at the notes' step six dense "
                "layers of 2 units (119 parameters) learn in all 8 seeds, more often than residual "
                "nets of six layers with 49 to 193 parameters; at lr 0.05 the residual net of "
                "width 3 (87) is the cheaper one.")
    assert "saves no parameters" not in prose(NB)
    assert 5 * 2 + 3 * 2 + 5 * 2 + 7 * 2 + 9 * 2 + 11 * 2 + 13 * 3 == 119
    assert [5 * w + 5 * (w + 1) * w + 3 * (w + 1) for w in (2, 3, 4, 5)] == [49, 87, 135, 193]
    assert 15 + 12 + 21 + 30 + 39 + 48 + 57 == 222
    counts = {(c, w): lessonlib.MLP(4, [w] * 6, 3, connection=c).n_params
              for c, w in (("residual", 2), ("residual", 3), ("residual", 4), ("residual", 5),
                           ("dense", 2), ("dense", 3))}
    assert counts == {("residual", 2): 49, ("residual", 3): 87, ("residual", 4): 135,
                      ("residual", 5): 193, ("dense", 2): 119, ("dense", 3): 222}
    data = Path(__file__).resolve().parent.parent / "data" / "l09_six_layers.npz"
    with np.load(data) as stored:
        residual = stored["test_accuracy"][list(stored["connections"]).index("residual")][:8]
    assert int(np.sum(residual >= 0.9)) == 4
    assert len(learned("dense", "momentum_0.05", hidden=(3,) * 6)) == 4
    assert learned("dense", "momentum_0.05", hidden=(2,) * 6) == [2, 5]
    assert learned("dense", NOTES, hidden=(2,) * 6) == list(range(8))
    assert learned("residual", NOTES, hidden=(2,) * 6) == [2, 3, 5, 6]
    assert learned("residual", NOTES, hidden=(3,) * 6) == [1, 2, 3, 4]
    assert learned("residual", NOTES, hidden=(4,) * 6) == [0, 1, 2, 3, 4, 7]
    assert learned("residual", NOTES, hidden=(5,) * 6) == [0, 1, 2, 3, 4, 5, 6]
    assert learned("dense", NOTES, hidden=(3,) * 6) == [0, 1, 2, 3, 4, 6, 7]


def test_the_plain_net_at_the_notes_step_feeds_its_output_layer_one_h6():
    assert_says(NB, "but what fc7 reads, $h_6$, is then the same for every flower (the line on "
                "$h_6$ above)")
    model, _ = run("plain", NOTES, 0)
    h6 = dict(model.forward_trace(IRIS[0]))["relu6"]
    assert np.ptp(h6, axis=0).max() == 0


def test_question_1_compares_at_equal_depth():
    """Question 1 compares a dense net with the residual net the explorer trains at the same
    depth (with growth 0, as wide as the first width), no longer with the six-layer residual
    net's 87. Its answer's counts, by hand: dense [2, 2]: (4+1)*2 + (2+1)*2 + (2+2+1)*3 = 10 + 6
    + 15 = 31; residual [2, 2]: 10 + 6 + (2+1)*3 = 25."""
    assert_says(NB, "Then compare it with the residual net the explorer trains at the same depth "
                "(its bar and legend; with growth 0 it is as wide as the first width): does the "
                "dense net ever need fewer parameters than a residual net of the same depth that "
                "learns as often?")
    assert "the residual net's 87" not in prose(NB)
    for depth in (2, 6, 12):
        for first in (2, 3, 8):
            widths = recipe.dense_widths(depth, 0, first)
            counts = recipe.param_counts(widths)
            assert counts["residual"] == lessonlib.MLP(4, [first] * depth, 3,
                                                       connection="residual").n_params
            assert counts["dense"] > counts["residual"]     # equal widths: dense is dearer
    assert_says(NB, "two layers of 2 units: 31 against 25; six of 3: 222 against 87")
    assert recipe.param_counts([2, 2]) == {"plain": 25, "residual": 25, "dense": 31}
    assert 10 + 6 + 15 == 31 and 10 + 6 + 9 == 25
    assert_says(NB, "1. Section 6 found that at six layers the answer depends on the step. What "
                "happens at other depths?")
    assert "Section 6 found no such case" not in prose(NB)
    assert "find out how wide" not in prose(NB)


def test_answer_1_four_and_twelve_layers():
    """Answer 1's cell, at the notes' step: the dense net of width 2 against residual nets of
    widths 2, 3, ... until one learns in as many of seeds 0-7. Parameter counts by hand:
    dense [2]*4 = 5*2 + 3*2 + 5*2 + 7*2 + 9*3 = 67; dense [2]*12 = 5*2 + 2 * sum_{k=1..11}
    (2k + 1) + 25*3 = 371; residual [w]*d = 5w + (d - 1)(w + 1)w + 3(w + 1)."""
    assert_says(NB, "A dense net can only be the cheaper one where the residual net of the same "
                "depth must be wider to learn as often. The cell below looks for that residual net "
                "at four and twelve layers")
    assert_says(NB, "It uses the notes' step only: at lr 0.05 some residual runs end differently on "
                "another CPU")
    assert_says(NB, "At four layers the dense net of width 2, with 67 parameters, learns in all "
                "eight seeds, and a residual net needs width 5, 133 parameters, to do the same: "
                "the dense net saves half.")
    assert_says(NB, "At twelve layers the dense net of width 2 (371 parameters) learns in 6 of 8, "
                "and so does the residual net of width 5 (373): no saving.")
    assert_says(NB, "Seeds 0 to 4 alone tell another story there: the dense net learns in 4 of "
                "them and no residual net up to width 5 in more than 3")
    assert_says(NB, "at the notes' step the dense net of width 2 is the cheaper one at four and "
                "six layers but not at twelve, and at lr 0.05 (six layers) the residual net is")

    def residual_count(w, d):
        return 5 * w + (d - 1) * (w + 1) * w + 3 * (w + 1)
    assert 5 * 2 + 3 * 2 + 5 * 2 + 7 * 2 + 9 * 3 == 67
    assert 5 * 2 + 2 * sum(2 * k + 1 for k in range(1, 12)) + 25 * 3 == 371
    assert [residual_count(w, 4) for w in (2, 3, 4, 5)] == [37, 63, 95, 133]
    assert [residual_count(w, 12) for w in (2, 3, 4, 5)] == [85, 159, 255, 373]
    assert round(67 / 133, 2) == 0.50
    for d in (4, 12):
        assert lessonlib.MLP(4, [2] * d, 3, connection="dense").n_params == {4: 67, 12: 371}[d]
        for w in (2, 3, 4, 5):
            assert lessonlib.MLP(4, [w] * d, 3, connection="residual").n_params \
                == residual_count(w, d)
    expected = {        # (depth, connection, width): the seeds of 0-7 that learn
        (4, "dense", 2): [0, 1, 2, 3, 4, 5, 6, 7],
        (4, "residual", 2): [1, 2, 4, 5, 6],
        (4, "residual", 3): [0, 2, 3, 4, 6],
        (4, "residual", 4): [0, 2, 3, 4, 6, 7],
        (4, "residual", 5): [0, 1, 2, 3, 4, 5, 6, 7],
        (12, "dense", 2): [0, 1, 2, 4, 6, 7],
        (12, "residual", 2): [0, 1, 6, 7],
        (12, "residual", 3): [0, 3, 4, 6],
        (12, "residual", 4): [0, 3, 4, 6, 7],
        (12, "residual", 5): [0, 2, 3, 5, 6, 7],
    }
    for (d, c, w), seeds in expected.items():
        assert learned(c, NOTES, hidden=(w,) * d) == seeds, (d, c, w)
    # the search stops at width 5 at both depths: narrower residual nets learn less often
    for d in (4, 12):
        dense = len(expected[d, "dense", 2])
        assert [len(expected[d, "residual", w]) >= dense for w in (2, 3, 4, 5)] \
            == [False, False, False, True]
    assert sum(s < 5 for s in expected[12, "dense", 2]) == 4
    assert max(sum(s < 5 for s in expected[12, "residual", w]) for w in (2, 3, 4, 5)) == 3


def test_answers_2_to_5():
    """The Answers section, worked by hand."""
    # 2: with x carried along every reader of a concatenation has 4 more rows
    assert_says(NB, "(7, 4), (11, 5), (16, 6), (22, 7), (29, 8) and (37, 3) instead of (3, 4), "
                "..., (33, 3)")
    assert_says(NB, "That is the 724 parameters instead of 592")
    rows = [3 + 4, 3 + 4 + 4, 3 + 4 + 5 + 4, 3 + 4 + 5 + 6 + 4, 3 + 4 + 5 + 6 + 7 + 4, 33 + 4]
    assert rows == [7, 11, 16, 22, 29, 37]
    net = lessonlib.MLP(4, WIDTHS, 3, connection="dense")
    assert [net.params[f"fc{i}_weight"].shape[0] + 4 for i in range(2, 8)] == rows
    assert 15 + sum((r + 1) * w for r, w in zip(rows, WIDTHS[1:] + [3])) == 724
    # 3: the paths from h_1 to the output of a dense net with L hidden layers (h_i feeds every
    # h_j, j > i, and the output): one per subset of the layers 2..L visited, 2^(L-1)
    assert_says(NB, "so there are $4 = 2^{L-1}$ paths")

    def paths(i, L):
        return 1 + sum(paths(j, L) for j in range(i + 1, L + 1))
    assert paths(1, 3) == 4 and all(paths(1, L) == 2 ** (L - 1) for L in range(1, 9))
    # 4: (r || h) [I; I] = r + h
    assert_says(NB, r"$(r_{i-1} \,\|\, h_i) \begin{bmatrix} I \\ I \end{bmatrix} = r_{i-1} + "
                "h_i$")
    rng = np.random.default_rng(0)
    r, h = rng.normal(size=(5, 4)), rng.normal(size=(5, 4))
    stacked = np.vstack([np.eye(4), np.eye(4)])
    np.testing.assert_allclose(np.concatenate([r, h], axis=1) @ stacked, r + h, rtol=1e-15)
    # 5: 30 layers of 12, dense: (4+1)*12 + sum_{i=2}^{30} (12(i-1)+1)*12 + (360+1)*3;
    # residual 30 layers of 100: (4+1)*100 + 29 * (100+1)*100 + (100+1)*3
    assert_says(NB, "`dense_param_count([12] * 30)` = 64,131 parameters")
    assert_says(NB, r"$5 \cdot 100 + 29 \cdot 101 \cdot 100 + 101 \cdot 3 = 293{,}703$, more than "
                "four times as many")
    dense_by_hand = 60 + sum((12 * (i - 1) + 1) * 12 for i in range(2, 31)) + 361 * 3
    residual_by_hand = 5 * 100 + 29 * 101 * 100 + 101 * 3
    assert (dense_by_hand, residual_by_hand) == (64131, 293703)
    assert lessonlib.MLP(4, [12] * 30, 3, connection="dense").n_params == 64131
    assert lessonlib.MLP(4, [100] * 30, 3, connection="residual").n_params == 293703
    assert 4 < 293703 / 64131 < 5
