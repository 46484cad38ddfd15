"""Lesson 12 (regularisation): every number and result its prose states, read from the
precomputed file the notebook loads (data/l12_runs.npz, whose rerun tests/test_precomputed.py
checks) or recomputed with lessonlib, each tied to the sentence that states it
(``assert_says``). The early-stopping epochs are found here with plain NumPy and compared with
``recipe.early_stop``."""
from pathlib import Path

import numpy as np

import lessonlib
from lessonlib.recipes import l12_regularisation as recipe

from _claims import assert_says

NB = "12_regularisation.ipynb"
RUNS = np.load(Path(__file__).resolve().parent.parent / "data" / "l12_runs.npz")
LAMBDAS, DROPS = list(RUNS["lambdas"]), list(RUNS["drops"])


def setting(kind, row=None):
    return {k: RUNS[f"{kind}_{k}"] if row is None else RUNS[f"{kind}_{k}"][row]
            for k in recipe.KEYS}


NONE = setting("decay", LAMBDAS.index(0.0))
DECAY = setting("decay", LAMBDAS.index(0.01))
DROPOUT = setting("dropout", DROPS.index(0.2))
BOTH = setting("both")
METHODS = {"none": NONE, "weight decay": DECAY, "dropout": DROPOUT, "both": BOTH}


def end(m, key="test_accuracy"):
    return m[key][:, -1]


def pct(x):
    return round(100 * float(x), 1)


def first_full(train):
    """(first epoch with 100% training accuracy, counted from 1; epochs below 100% after it)."""
    first = int(np.flatnonzero(train == 1.0)[0])
    return first + 1, int(np.sum(train[first:] < 1.0))


def stop_epochs(m):
    """The first epoch (from 1) of the highest validation accuracy, per seed."""
    return [int(np.flatnonzero(v == v.max())[0]) + 1 for v in m["val_accuracy"]]


def test_setting_and_data():
    assert (float(RUNS["both_lambda"]), float(RUNS["both_drop"])) == (0.01, 0.2)
    assert (recipe.N_TRAIN, recipe.HIDDEN, recipe.LR, recipe.BATCH, int(RUNS["epochs"])) \
        == (50, (100,) * 6, 0.05, 10, 300)
    X, y, Xv, yv, Xt, yt = recipe.load_data(seed=0)
    assert (len(X), len(Xv), len(Xt)) == (50, 300, 1447)
    assert_says(NB, "**50 training digits**")
    assert_says(NB, "The step is 0.05, a value chosen for these digits, not the book's 0.01")
    assert_says(NB, "300 for **validation** (used only to decide when to stop) and 1,447 for **testing**")
    assert sorted(np.bincount(y, minlength=10))[:2] == [1, 4]
    assert_says(NB, "one digit class has a single training example")
    model = lessonlib.MLP(64, list(recipe.HIDDEN), 10, seed=0)
    assert 10_000 < model.n_params < 100_000            # "tens of thousands of weights"
    assert_says(NB, "A network with tens of thousands of weights")


def test_seed0_unregularised_overfits_hard():
    s = 0
    assert first_full(NONE["train_accuracy"][s]) == (12, 0)
    assert_says(NB, "from epoch 12 on it classifies every one of its 50 training digits correctly, "
                    "and never drops below 100% again")
    assert pct(end(NONE)[s]) == 76.5
    assert_says(NB, "on the test digits it stays near 76%, a gap of over 20 points")
    assert pct(end(NONE, "train_accuracy")[s] - end(NONE)[s]) == 23.5


def test_seed0_regularisers_raise_test_accuracy_not_lower_training():
    s = 0
    assert all(end(m, "train_accuracy")[s] == 1.0 for m in METHODS.values())
    assert_says(NB, "every run still gets all 50 training digits right")
    gains = [round(pct(end(m)[s]) - pct(end(NONE)[s]), 1) for m in (DECAY, DROPOUT, BOTH)]
    assert gains == [3.3, 3.5, 3.9]
    assert_says(NB, "raise the test accuracy by three to four points on this seed")
    assert_says(NB, "One seed is not enough to tell a three-to-four-point gain from luck")
    assert first_full(DROPOUT["train_accuracy"][s]) == (51, 21)
    assert_says(NB, "(100% only from epoch 51)")
    assert_says(NB, "still dips below 100% in 21 later epochs")


def test_seed0_loss_and_weights():
    s = 0
    assert int(np.argmin(NONE["test_loss"][s])) + 1 == 20
    assert_says(NB, "Without regularisation the test loss is lowest around epoch 20 and then rises")
    assert NONE["test_loss"][s, -1] > NONE["test_loss"][s].min() + 0.1
    w0, w1 = DECAY["weight_norm"][s, 0], DECAY["weight_norm"][s, -1]
    assert (round(w0), round(w1)) == (35, 18) and 0.45 < w1 / w0 < 0.55
    assert_says(NB, "Weight decay halves the weights (from 35 to 18)")
    assert int(np.argmin(DECAY["test_loss"][s])) + 1 == 260
    assert_says(NB, "keeps the test loss falling almost to the end (lowest at epoch 260)")
    ratio = DECAY["test_loss"][s, -1] / NONE["test_loss"][s, -1]
    assert 0.6 < ratio < 0.73
    assert (round(DECAY["test_loss"][s, -1], 3), round(NONE["test_loss"][s, -1], 3)) == (0.633, 0.923)
    assert_says(NB, "ends about a third below the unregularised network's final test loss (0.633 against 0.923)")
    assert DROPOUT["weight_norm"][s, -1] >= NONE["weight_norm"][s, -1]
    assert DROPOUT["test_loss"][s, -1] == max(m["test_loss"][s, -1] for m in METHODS.values())
    assert_says(NB, "Dropout leaves the weights as large as without it and its test loss ends the highest")


def test_five_seeds():
    assert pct(end(NONE).mean()) == 77.6
    assert pct((end(NONE, "train_accuracy") - end(NONE)).mean()) == 22.4
    assert_says(NB, "the unregularised network ends at 77.6% on the test digits, 22.4 points below")
    better = {name: int(np.sum(end(m) > end(NONE))) for name, m in METHODS.items() if m is not NONE}
    assert better == {"weight decay": 5, "dropout": 3, "both": 4}
    assert round(pct(end(DECAY).mean()) - pct(end(NONE).mean()), 1) == 1.8
    assert_says(NB, "Weight decay gains 1.8 points (better in all five seeds)")
    assert pct(end(BOTH).mean()) == pct(end(DECAY).mean()) == 79.4
    assert_says(NB, "both together gain as much, in four of five seeds")
    assert round(pct(end(DROPOUT).mean()) - pct(end(NONE).mean()), 1) == 0.9
    assert_says(NB, "dropout alone gains 0.9 points and is better in only three of five")
    gaps = [pct((end(m, "train_accuracy") - end(m)).mean()) for m in METHODS.values()]
    assert gaps == [22.4, 20.6, 21.5, 20.6]
    assert_says(NB, "The gap closes by one or two points out of 22")
    assert 0.6 < end(DECAY, "test_loss").mean() / end(NONE, "test_loss").mean() < 0.73
    assert_says(NB, "cuts the test loss by about a third")


def test_early_stopping():
    for m in METHODS.values():
        got = recipe.early_stop(m)
        assert list(got["epoch"]) == stop_epochs(m)
    assert stop_epochs(NONE) == [42, 18, 23, 216, 27]
    assert_says(NB, "peaks within the first 42 epochs in four of the five seeds")
    at_stop = [NONE["test_accuracy"][i, e - 1] for i, e in enumerate(stop_epochs(NONE))]
    assert (pct(np.mean(at_stop)), pct(end(NONE).mean())) == (77.0, 77.6)
    assert_says(NB, "(77.0% against 77.6% on average)")
    assert int(np.argmin(NONE["val_loss"][0])) + 1 == 22
    assert_says(NB, "the validation loss on the right rises from epoch 22")
    regularised = [e for m in (DECAY, DROPOUT, BOTH) for e in stop_epochs(m)]
    assert (min(regularised), max(regularised)) == (85, 268)
    assert_says(NB, "the validation accuracy peaks late (epochs 85 to 268)")
    gains = []
    for m in (DECAY, DROPOUT, BOTH):
        stopped = np.mean([m["test_accuracy"][i, e - 1] for i, e in enumerate(stop_epochs(m))])
        gains.append(round(pct(stopped) - pct(end(m).mean()), 1))
    assert (min(gains), max(gains)) == (0.3, 1.7)
    assert_says(NB, "stopping there gives 0.3 to 1.7 points more than the end")


def patience_stop(val, patience=30):
    """(last epoch run, best epoch so far), both from 1, for a patience rule on val."""
    for e in range(patience, len(val)):
        best = int(np.argmax(val[:e + 1]))          # first maximum so far
        if e - best >= patience:
            return e + 1, best + 1
    return len(val), int(np.argmax(val)) + 1


def test_early_stopping_with_patience():
    got = [patience_stop(v) for v in NONE["val_accuracy"]]
    assert [g[0] for g in got] == [72, 48, 53, 47, 57] and max(g[0] for g in got) == 72
    assert [g[1] for g in got] == [42, 18, 23, 17, 27]
    kept = np.mean([NONE["test_accuracy"][i, b - 1] for i, (_, b) in enumerate(got)])
    assert (pct(kept), pct(end(NONE).mean())) == (76.9, 77.6)
    assert_says(NB, "stopping once the validation accuracy has not risen for 30 epochs ends the "
                    "five runs by epoch 72 of 300, at 76.9% test accuracy")
    assert_says(NB, "with a patience of 30 epochs, it ends the training by epoch 72 of 300 at "
                    "little cost in accuracy (76.9% against 77.6%)")


def test_sweeps():
    test = RUNS["decay_test_accuracy"][:, :, -1].mean(axis=1)
    loss = RUNS["decay_test_loss"][:, :, -1].mean(axis=1)
    assert LAMBDAS[int(np.argmax(test))] == LAMBDAS[int(np.argmin(loss))] == 0.01
    assert_says(NB, "Weight decay has a sweet spot near $\\lambda = 0.01$, where the test accuracy "
                    "and the test loss are both best")
    k = LAMBDAS.index(0.1)
    assert (round(100 * RUNS["decay_train_accuracy"][k, :, -1].mean()),
            round(100 * test[k])) == (90, 64)
    assert_says(NB, "(90% training, 64% test at the end)")
    drop_test = RUNS["dropout_test_accuracy"][:, :, -1].mean(axis=1)
    assert all(drop_test[DROPS.index(p)] > drop_test[0] for p in (0.1, 0.2, 0.3))
    assert_says(NB, "Dropout helps a little from $p = 0.1$ to $0.3$")
    j = DROPS.index(0.5)
    assert round(100 * RUNS["dropout_train_accuracy"][j, :, -1].mean()) == 43
    assert_says(NB, "no longer learns in 300 epochs (43% training)")


def test_book_pull():
    """lr * lambda * steps, the book's run (Deep Learning from Scratch, ch06/overfit_weight_decay.py:
    SGD lr 0.01, 300 images in batches of 100, 201 epochs) against ours at lambda = 0.1."""
    X, *_ = recipe.load_data(seed=0)
    steps = int(RUNS["epochs"]) * (len(X) // recipe.BATCH)
    assert steps == 1500
    book, ours = 0.01 * 0.1 * 3 * 201, recipe.LR * 0.1 * steps
    assert (round(book, 2), round(ours, 1), round(ours / book, 1)) == (0.6, 7.5, 12.4)
    assert_says(NB, "about 600 steps of learning rate 0.01 (300 images in batches of 100, 201 epochs); "
                    "we take 1,500 steps of 0.05")
    assert_says(NB, "our weights are pulled 12.4 times as hard as the book's")
    assert round(book / (recipe.LR * steps), 3) == 0.008
    assert_says(NB, "book's $\\lambda = 0.1$ is our $\\lambda = 0.008$, next to our sweet spot")
    assert all(RUNS["decay_train_accuracy"][LAMBDAS.index(lam), :, -1].min() == 1.0
               for lam in LAMBDAS if lam <= 0.03)
    assert_says(NB, "ours ends at 100% for every $\\lambda$ up to 0.03 (at 0.03 after collapsing and "
                    "recovering), and at $\\lambda = 0.1$ it swings rather than staying a little below 100%")


def late_train(lam):
    """Training accuracy in epochs 51-300 of the stored weight-decay runs at lam, (seeds, 250)."""
    return RUNS["decay_train_accuracy"][LAMBDAS.index(lam), :, 50:]


def test_strong_decay_is_unstable():
    """The sweep's epoch-300 reading hides collapses: the late epochs, per seed."""
    for lam in (0.0, 0.003, 0.01):
        assert np.all(late_train(lam) == 1.0)
    assert_says(NB, "Up to $\\lambda = 0.01$ no seed drops below 100% after epoch 50")
    late = late_train(0.03)
    assert [round(100 * a) for a in late.min(axis=1)] == [18, 46, 60, 50, 26]
    assert np.sum(late < 0.9, axis=1).tolist() == [6, 1, 3, 1, 3]
    assert np.all(RUNS["decay_train_accuracy"][LAMBDAS.index(0.03), :, -1] == 1.0)
    assert_says(NB, "Already at $\\lambda = 0.03$, where every seed ends at 100%, every seed collapses "
                    "at least once after epoch 50, to between 18% and 60% training accuracy, and climbs back")
    late = late_train(0.1)
    assert [round(100 * a) for a in late.min(axis=1)] == [36, 58, 52, 66, 38]
    below = np.sum(late < 0.9, axis=1).tolist()
    assert below == [84, 101, 63, 109, 51] and late.shape[1] == 250
    assert (round(100 * late[:, -100:].min()), round(100 * late[:, -100:].max())) == (54, 98)
    assert_says(NB, "after epoch 50 each seed spends 51 to 109 of its 250 epochs below 90%, and over "
                    "the last 100 epochs the training accuracy swings between 54% and 98%")
    assert_says(NB, "So at this step size strong decay makes training unstable as well as underfit, and "
                    "the sweet spot is the strongest decay that still trains steadily")
    # with wrong labels, lambda = 0.01 already collapses (its clean runs do not: above)
    assert np.all(W_DECAY["train_accuracy"][:, 50:].min(axis=1) < 0.6)
    assert_says(NB, "the collapses of the wrong-label runs above, where $\\lambda = 0.01$ was enough to cause them")
    assert_says(NB, "at our step size weight decay can make plain SGD unstable, and with wrong labels a "
                    "weaker decay does")
    assert round(100 * RUNS["decay_train_accuracy"][LAMBDAS.index(0.1), :, -1].mean()) == 90
    assert_says(NB, "Stronger decay, at our step size, makes training unstable as well as underfit: from "
                    "$\\lambda = 0.03$ on (with wrong labels already at 0.01) runs collapse now and then, "
                    "at worst to a network that answers one class for every digit, and at $\\lambda = 0.1$ "
                    "the training accuracy swings between 54% and 98% and ends at 90%")


def test_wrong_label_collapses_are_one_class():
    """A network answering class c for every digit is right on exactly the digits labelled c:
    at the two deepest collapses the stored accuracies on all three sets are those counts."""
    _, _, _, y_val, _, y_test = recipe.load_data(seed=0)
    sets = (NOISY["y_train"], y_val, y_test)
    late = W_DECAY["train_accuracy"][:, 50:]
    deep = [(int(s), int(e) + 51) for s, e in zip(*np.nonzero(late < 0.2))]
    assert deep == [(0, 199), (3, 297)]
    for (seed, epoch), label, counts in (((0, 199), 6, (9, 24, 150)), ((3, 297), 0, (7, 22, 151))):
        assert tuple(int(np.sum(y == label)) for y in sets) == counts
        for key, y, n in zip(("train_accuracy", "val_accuracy", "test_accuracy"), sets, counts):
            assert abs(W_DECAY[key][seed, epoch - 1] - n / len(y)) < 1e-12
    assert_says(NB, "at seed 0's epoch 199 and seed 3's epoch 297 it gets right exactly as many "
                    "training, validation and test digits as carry one label (9, 24 and 150 with label 6; "
                    "7, 22 and 151 with label 0), which is what a network that answers that class for "
                    "every digit scores")


def test_what_to_notice():
    assert first_full(NONE["train_accuracy"][0])[0] == 12
    assert_says(NB, "50 training digits, all right from epoch 12 on (seed 0), against about 77% of the test digits")
    assert_says(NB, "the network grows surer of every test digit, and the ones it gets wrong become "
                    "confidently wrong and cost more and more")
    assert_says(NB, "At $\\lambda = 0.01$ it halves the weights, ends with a test loss about a third "
                    "lower and adds about two points of test accuracy, in five seeds of five")
    assert_says(NB, "Here it adds about a point of test accuracy, not in every seed")
    assert_says(NB, "No remedy closes the 22-point gap")
    assert 0.6 < end(DECAY, "test_loss").mean() / end(NONE, "test_loss").mean() < 0.73
    assert round(pct(end(DROPOUT).mean()) - pct(end(NONE).mean())) == 1 and \
        np.any(end(DROPOUT) < end(NONE))


# ---------------------------------------------------------------- wrong labels (l12_noisy.npz)

NOISY = np.load(Path(__file__).resolve().parent.parent / "data" / "l12_noisy.npz")
SETTINGS = [(float(a), float(b)) for a, b in zip(NOISY["lambdas"], NOISY["drops"])]
W_NONE, W_DECAY, W_DROPOUT, W_BOTH = ({k: NOISY[k][SETTINGS.index(s)] for k in recipe.KEYS}
                                      for s in ((0.0, 0.0), (0.01, 0.0), (0.0, 0.2), (0.01, 0.2)))


def stopped_test(m):
    return np.array([m["test_accuracy"][i, e - 1] for i, e in enumerate(stop_epochs(m))])


def test_wrong_labels_setting():
    _, y, *_ = recipe.load_data(seed=0)
    given = NOISY["y_train"]
    assert int(np.sum(given != y)) == 12 == len(NOISY["wrong"]) and len(y) == 50
    assert set(np.flatnonzero(given != y)) == set(NOISY["wrong"])
    assert_says(NB, "So we give 12 of the 50 training digits (24%) a wrong label")
    assert_says(NB, "so that every one of them is wrong. The validation and test labels stay right")


def test_wrong_labels_memorised_and_costly():
    assert np.all(W_NONE["train_accuracy"][:, -1] == 1.0)
    assert_says(NB, "Without regularisation the network still gets 100% of the labels it\nwas given, "
                    "the 12 wrong ones included, in every seed")
    assert (pct(end(W_NONE).mean()), pct(end(NONE).mean())) == (58.4, 77.6)
    assert round(pct(end(NONE).mean()) - pct(end(W_NONE).mean())) == 19
    assert_says(NB, "ends at 58.4% on the test digits,\n19 points below the same network on right labels (77.6%)")
    mean = W_NONE["test_accuracy"].mean(axis=0)
    assert (int(np.argmax(mean)) + 1, pct(mean.max())) == (28, 60.0)
    assert mean[-1] < mean.max() - 0.01
    assert_says(NB, "highest early (60.0% at epoch 28) and then falls a little as the wrong labels are learnt")


def test_wrong_labels_remedies():
    assert (min(stop_epochs(W_NONE)), max(stop_epochs(W_NONE))) == (12, 39)
    assert pct(stopped_test(W_NONE).mean()) == 61.2
    assert round(pct(stopped_test(W_NONE).mean()) - pct(end(W_NONE).mean()), 1) == 2.8
    assert_says(NB, "stopped where the validation accuracy peaks (epochs\n  12 to 39), the plain network keeps 61.2%, 2.8 points more than at the end")
    ends = [patience_stop(v)[0] for v in W_NONE["val_accuracy"]]
    assert max(ends) == 69
    assert_says(NB, "the patience rule\n  ends every run by epoch 69")
    assert (pct(end(W_DROPOUT).mean()), pct(stopped_test(W_DROPOUT).mean())) == (60.1, 65.3)
    assert np.all(stopped_test(W_DROPOUT) > stopped_test(W_NONE))
    assert round(pct(stopped_test(W_DROPOUT).mean()) - pct(stopped_test(W_NONE).mean()), 1) == 4.1
    assert round(pct(stopped_test(W_DROPOUT).mean()) - pct(end(W_NONE).mean()), 1) == 6.9
    assert_says(NB, "**Dropout** ends at 60.1%, and stopped early at 65.3%: 4.1 points above early stopping alone,\n  in all five seeds, and 6.9 above the plain network's end")
    assert pct(stopped_test(W_BOTH).mean()) == 65.0
    assert_says(NB, "as well (65.0%)")
    assert pct(end(W_DECAY).mean()) == 56.6 and end(W_DECAY).mean() < end(W_NONE).mean()
    assert_says(NB, "does not help at the end of the run (56.6%, lower than\n  none)")
    late = W_DECAY["train_accuracy"][:, 50:]
    assert (round(100 * late.min(axis=1).min()), round(100 * late.min(axis=1).max())) == (14, 56)
    assert np.all(np.sum(late < 0.9, axis=1) >= 5)
    assert np.all(W_NONE["train_accuracy"][:, 50:] > 0.9)        # the plain runs do not collapse
    assert_says(NB, "every seed collapses now and then after epoch 50\n  (its training accuracy down to 14-56%")
    seed3 = W_DECAY["train_accuracy"][3]
    assert int(np.argmin(seed3[-10:])) + len(seed3) - 10 + 1 == 297 and seed3[295] == 1.0
    assert round(100 * seed3[-1]) == 84
    assert_says(NB, "seed 3\n  collapses at epoch 297 and is back only to 84% at the end")
    assert pct(stopped_test(W_DECAY).mean()) == 62.7
    assert_says(NB, "Stopped early it keeps 62.7%")
    recovered = [round(pct(stopped_test(m).mean()) - pct(end(W_NONE).mean()), 1)
                 for m in (W_DECAY, W_DROPOUT, W_BOTH)]
    assert recovered == [4.3, 6.9, 6.6]
    assert round(pct(stopped_test(W_NONE).mean()) - pct(end(W_NONE).mean()), 1) == 2.8
    assert round(pct(end(NONE).mean()) - pct(end(W_NONE).mean())) == 19
    assert all(end(m).mean() < end(NONE).mean() - 0.1 for m in (W_DECAY, W_DROPOUT, W_BOTH))
    assert_says(NB, "early stopping alone recovers 2.8 of the 19 points the wrong labels cost, and a "
                    "regulariser stopped early 4.3 to 6.9 (weight decay, both, dropout)")
    assert_says(NB, "to 58.4% on the test digits. Then early stopping gains 2.8 points, and dropout "
                    "with early\n  stopping 6.9 (65.3%, better than early stopping alone in five seeds of five); weight decay\n"
                    "  alone does not help at the end of the run")


# ---------------------------------------------------------------- more digits (l12_more.npz)

MORE = np.load(Path(__file__).resolve().parent.parent / "data" / "l12_more.npz")


def test_more_digits_setting():
    assert list(MORE["sizes"]) == [50, 100, 200, 300]
    X, y, Xv, yv, Xt, yt = recipe.load_more_data(300)
    X50, y50, Xv50, yv50, Xt50, yt50 = recipe.load_data()
    assert len(Xt) == 1197 and np.array_equal(Xt, Xt50[250:]) and np.array_equal(Xv, Xv50)
    assert np.array_equal(X[:50], X50) and np.array_equal(X[50:], Xt50[:250])
    assert_says(NB, "All sizes are measured on the same 1,197 test digits, the ones none of\nthem trains on")
    # the 50-digit runs are the lesson's unregularised runs: same training, other test digits
    for key in ("train_accuracy", "val_accuracy", "val_loss", "weight_norm"):
        assert np.array_equal(MORE[key][0], NONE[key]), key
    assert_says(NB, "50-digit runs are the runs above")


def test_more_digits_close_the_gap():
    train, test = MORE["train_accuracy"][:, :, -1], MORE["test_accuracy"][:, :, -1]
    assert np.all(train == 1.0)
    assert_says(NB, "The network still gets every training digit right at every size")
    gaps = [pct((train[k] - test[k]).mean()) for k in range(4)]
    assert gaps == [22.0, 16.3, 8.6, 5.0]
    means = [pct(test[k].mean()) for k in range(4)]
    assert means == [78.0, 83.7, 91.4, 95.0]
    assert_says(NB, "the gap shrinks from 22.0\npoints with 50 digits to 5.0 with 300, and the test accuracy rises from 78.0% to 95.0%")
    assert pct(end(NONE).mean()) == 77.6
    assert_says(NB, "they score 78.0% here, not 77.6%, only because these 1,197\ntest digits are a part of the 1,447")
    # the gain the notebook prints: the difference of the unrounded means (5.63), not of the
    # rounded ones (83.7 - 78.0 = 5.7); here from the per-seed accuracies, summed by hand
    gain = 100 * (sum(float(a) for a in test[1]) - sum(float(a) for a in test[0])) / 5
    assert round(gain, 1) == 5.6 and round(means[1] - means[0], 1) == 5.7
    best_regulariser = max(pct(end(m).mean()) - pct(end(NONE).mean()) for m in (DECAY, DROPOUT, BOTH))
    assert round(best_regulariser, 1) == 1.8 and round(pct(end(DECAY).mean()) - pct(end(NONE).mean()), 1) == 1.8
    assert_says(NB, "Going from 50 to 100 digits alone gains 5.6 points (the last printed\nline above), more than any regulariser gained on 50 digits (weight decay, 1.8)")
    assert_says(NB, "Regularisation matters most when\nmore labelled data cannot be had")
    assert_says(NB, "the same network on 300\n  digits ends 5.0 points below its 100% training accuracy, at 95.0% on the test digits")


CONF = np.load(Path(__file__).resolve().parent.parent / "data" / "l12_confidence.npz")
CONF_ROWS = {(float(a), float(b)): i for i, (a, b) in enumerate(zip(CONF["lambdas"], CONF["drops"]))}


def split_at(setting, seed=0):
    """{key: (value at the lowest-test-loss epoch, value at the end)}, epoch (counted from 1)."""
    i = CONF_ROWS[setting]
    best = int(np.argmin(CONF["test_loss"][i, seed]))
    return {k: (float(CONF[k][i, seed, best]), float(CONF[k][i, seed, -1]))
            for k in ("test_loss",) + recipe.CONFIDENCE_KEYS}, best + 1


def test_confidence_split_by_hand():
    """recipe.confidence against a hand computation on three digits."""
    proba = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6], [0.5, 0.4, 0.1]])
    got = recipe.confidence(proba, np.array([0, 1, 0]))      # right, wrong, right
    assert abs(got["test_right"] - 2 / 3) < 1e-12
    assert abs(got["ce_right"] - (-np.log(0.7) - np.log(0.5)) / 2) < 1e-12
    assert abs(got["ce_wrong"] + np.log(0.3)) < 1e-12
    assert abs(got["p_true"] - (0.7 + 0.3 + 0.5) / 3) < 1e-12
    assert abs(got["p_max_wrong"] - 0.6) < 1e-12


def test_confidence_file_is_the_lessons_runs():
    for (lam, p), m in (((0.0, 0.0), NONE), ((0.01, 0.0), DECAY), ((0.0, 0.2), DROPOUT),
                        ((0.01, 0.2), BOTH)):
        i = CONF_ROWS[(lam, p)]
        assert np.array_equal(CONF["test_loss"][i], m["test_loss"])
        assert np.array_equal(CONF["test_right"][i], m["test_accuracy"])
        # the test loss is the right digits' and the wrong digits' cross-entropy, weighted
        r = CONF["test_right"][i]
        np.testing.assert_allclose(r * CONF["ce_right"][i] + (1 - r) * CONF["ce_wrong"][i],
                                   CONF["test_loss"][i], rtol=1e-12)
    assert_says(NB, "`data/make_l12_confidence.py` retrained them (the same runs: the same test loss "
                    "to the last bit)")


def test_right_class_probability_rises_while_the_loss_rises():
    v, best = split_at((0.0, 0.0))
    assert best == 20
    assert round(v["test_loss"][0], 3) == 0.784 and round(v["test_loss"][1], 3) == 0.923
    assert [round(x, 3) for x in v["p_true"]] == [0.680, 0.745]
    assert_says(NB, "on average it *rises*, from 0.680 at epoch 20 to 0.745 at the end")
    assert [round(x, 3) for x in v["ce_right"]] == [0.182, 0.074]
    assert_says(NB, "The digits it gets right cost less and less (cross-entropy 0.182 → 0.074)")
    assert [round(x, 3) for x in v["p_max_wrong"]] == [0.595, 0.729]
    assert [round(x, 2) for x in v["ce_wrong"]] == [2.64, 3.69]
    assert_says(NB, "the probability it gives its wrong answer grows from 0.595 to 0.729 on average, "
                    "and their cross-entropy from 2.64 to 3.69")
    assert 0.2 < 1 - v["test_right"][1] < 0.3
    assert_says(NB, "including on the quarter of the test digits it gets wrong")
    # every seed: the mean p of the true class and the mistakes' cost both rise
    for seed in range(5):
        w, _ = split_at((0.0, 0.0), seed)
        assert w["test_loss"][1] > w["test_loss"][0]
        assert w["p_true"][1] > w["p_true"][0] and w["ce_wrong"][1] > w["ce_wrong"][0]
        assert w["p_max_wrong"][1] > w["p_max_wrong"][0]
    assert_says(NB, "so the test loss rises although the mean probability of the right class rises "
                    "too (in all five seeds)")


def test_dropout_confidently_wrong_decay_not():
    d, _ = split_at((0.0, 0.2))
    n, _ = split_at((0.0, 0.0))
    assert (pct(d["test_right"][1]), pct(n["test_right"][1])) == (80.0, 76.5)
    assert_says(NB, "it gets more test digits right than the unregularised network (80.0% against 76.5%)")
    ends = {k: split_at(k)[0] for k in CONF_ROWS}
    assert round(d["p_max_wrong"][1], 3) == 0.857
    assert d["p_max_wrong"][1] == max(e["p_max_wrong"][1] for e in ends.values())
    assert round(d["ce_wrong"][1], 2) == 6.23
    assert d["test_loss"][1] == max(e["test_loss"][1] for e in ends.values())
    assert_says(NB, "by the end it is even surer of its mistakes (0.857), their cross-entropy is 6.23, "
                    "and that is why its test loss ends the highest")
    w, best = split_at((0.01, 0.0))
    assert best == 260 and [round(x, 2) for x in w["ce_wrong"]] == [2.34, 2.46]
    assert_says(NB, "Weight decay keeps the cost of the mistakes nearly flat (2.34 → 2.46)")


def test_book_epochs():
    assert_says(NB, "batches of 100, 201 epochs;")
    assert_says(NB, "(300 images in batches of 100, 201 epochs)")


def test_notes_dropout_over_decay_reversed_on_clean_labels():
    assert int(np.sum(end(DECAY) > end(NONE))) == 5 and int(np.sum(end(DROPOUT) > end(NONE))) == 3
    assert end(DECAY).mean() > end(DROPOUT).mean()
    assert end(W_DROPOUT).mean() > end(W_DECAY).mean()
    assert stopped_test(W_DROPOUT).mean() > stopped_test(W_DECAY).mean()
    assert_says(NB, "on these clean digits it is the other way round (weight decay better in all five "
                    "seeds, dropout in three), and only with wrong labels, below, does dropout come first")


MOONS = np.load(Path(__file__).resolve().parent.parent / "data" / "l12_moons.npz")
MOON_ROWS = [(float(a), float(b)) for a, b in zip(MOONS["lambdas"], MOONS["drops"])]


def moon(lam, p):
    """(training, test) accuracy per seed of one stored two-moons setting."""
    m = MOON_ROWS.index((lam, p))
    return MOONS["train_accuracy"][m], MOONS["test_accuracy"][m]


def test_moons_setting():
    X, y, Xt, yt = recipe.load_moons()
    assert (len(X), len(Xt), X.shape[1]) == (40, 1000, 2)
    assert np.bincount(y).tolist() == [20, 20] and np.bincount(yt).tolist() == [500, 500]
    assert (recipe.MOONS_HIDDEN, int(MOONS["epochs"]), len(MOONS["seeds"])) == ((100,) * 4, 1500, 10)
    assert (recipe.LR, recipe.BATCH, recipe.MOONS_NOISE) == (0.05, 10, 0.35)
    assert sorted(MOON_ROWS) == [(0.0, 0.0), (0.0, 0.5), (0.01, 0.0), (0.03, 0.0)]
    assert_says(NB, "40 points of two interleaved half moons, noisy enough that the classes overlap")
    assert_says(NB, "1,000 test points from the same moons, a network of four hidden layers of 100 "
                    "ReLUs, the same plain SGD (learning rate 0.05, batches of 10) for 1,500 epochs")
    assert_says(NB, "ten seeds each")


def test_moons_overlap():
    """The classes overlap: some training points lie nearer the other class's points."""
    X, y, _, _ = recipe.load_moons()
    d = np.linalg.norm(X[:, None] - X[None], axis=-1)
    np.fill_diagonal(d, np.inf)
    assert np.sum(y[np.argmin(d, axis=1)] != y) >= 3
    assert_says(NB, "The two classes overlap, so no boundary gets them all right")


def test_moons_unregularised_overfits():
    train, test = moon(0.0, 0.0)
    assert np.all(train == 1.0)
    assert pct(test.mean()) == 82.4 and round(100 * float((train - test).mean()), 1) == 17.6
    assert_says(NB, "Without it the network gets all 40 training points right in every seed and 82.4% "
                    "of the test points: a gap of 17.6 points")


def test_moons_gap_closes():
    train0, test0 = moon(0.0, 0.0)
    gaps = {k: round(100 * float((tr - te).mean()), 1)
            for k, (tr, te) in ((k, moon(*k)) for k in MOON_ROWS)}
    assert gaps == {(0.0, 0.0): 17.6, (0.01, 0.0): 10.9, (0.03, 0.0): 7.6, (0.0, 0.5): 11.2}
    train, _ = moon(0.03, 0.0)
    assert pct(train.mean()) == 92.0
    assert_says(NB, "gives up a few training points (92.0% on average)")
    assert_says(NB, "the gap falls to 7.6 points")
    assert_says(NB, "bring it to about 11")
    tests = []
    for k in [(0.01, 0.0), (0.03, 0.0), (0.0, 0.5)]:
        tr, te = moon(*k)
        assert np.all(te > test0) and np.all(tr - te < train0 - test0)
        tests.append(te.mean())
    # 10 seeds x 1000 test points: the means are exact multiples of 0.01 %
    gains = sorted(round(100 * (t - test0.mean()), 2) for t in tests)
    assert gains == [1.37, 1.86, 1.93]
    assert (pct(min(tests)), pct(max(tests))) == (83.8, 84.4)
    assert_says(NB, "In all ten seeds every regulariser raises the test accuracy and narrows the gap, "
                    "but the test accuracy rises by only 1.37 to 1.93 points (to 83.8%\nto 84.4%)")
    assert_says(NB, "from 17.6 points without regularisation to 7.6 with weight decay ($\\lambda$ = 0.03) "
                    "and 11.2 with dropout ($p$ = 0.5), in all ten seeds")
    assert_says(NB, "the test accuracy gains 1.37 to 1.93 of the\n  6.65 points that the best possible "
                    "boundary would add")


def bayes_by_hand(X, noise=0.35, n=4001):
    """The Bayes classifier of the moons, written independently of the recipe: each class
    density at X by the trapezoid rule over the angle in [0, pi]; class 1 where it is higher."""
    t = np.linspace(0.0, np.pi, n)
    dens = []
    for cx, cy in ((np.cos(t), np.sin(t)), (1.0 - np.cos(t), 0.5 - np.sin(t))):
        g = np.exp(-((X[:, :1] - cx) ** 2 + (X[:, 1:] - cy) ** 2) / (2 * noise ** 2))
        dens.append(np.sum((g[:, 1:] + g[:, :-1]) / 2, axis=1))
    return (dens[1] > dens[0]).astype(int)


def test_moons_best_boundary():
    X, y, Xt, yt = recipe.load_moons()
    for P in (X, Xt):
        assert np.array_equal(recipe.moons_best_boundary(P)[0], bayes_by_hand(P))
        assert np.abs(recipe.moons_best_boundary(P)[1]).min() > 1e-3   # no point on the boundary
    right, right_test = int(np.sum(bayes_by_hand(X) == y)), int(np.sum(bayes_by_hand(Xt) == yt))
    assert (right, right_test) == (33, 891)
    # on many fresh points it does about as well as on the test points, and better than any net
    big, yb = recipe.make_moons(20000, seed=123)
    best = np.mean(bayes_by_hand(big) == yb)
    assert 0.88 < best < 0.90 and best > MOONS["test_accuracy"].max()
    _, test0 = moon(0.0, 0.0)
    assert round(100 * (right_test / 1000 - test0.mean()), 2) == 6.65
    trains = [pct(moon(*k)[0].mean()) for k in [(0.01, 0.0), (0.03, 0.0), (0.0, 0.5)]]
    assert (min(trains), max(trains)) == (92.0, 95.2) and min(trains) > 100 * right / 40
    assert 1.93 / 6.65 < 1 / 3
    assert_says(NB, "gets 33 of these 40 training points right (82.5%) and 89.1% of the test points")
    assert_says(NB, "get 92.0% to 95.2% of the training points right, more than the best boundary")
    assert_says(NB, "Of the 6.65 points of test accuracy between the unregularised network\nand the best "
                    "boundary, regularisation recovers at most 1.93, under a third")
    assert_says(NB, "(92.0% to 95.2% of the moons' training points)")


def test_moons_figure_seed0():
    """The figure's titles (seed 0) and the stored maps agree with the accuracies: the map's
    class at the training points, read off the nearest grid point, matches most of them."""
    X, y, _, _ = recipe.load_moons()
    g1, g2 = MOONS["grid_x1"], MOONS["grid_x2"]
    i1 = np.abs(X[:, 0, None] - g1).argmin(axis=1)
    i2 = np.abs(X[:, 1, None] - g2).argmin(axis=1)
    for k, train in (((0.0, 0.0), 1.0), ((0.03, 0.0), 0.925), ((0.0, 0.5), 0.95)):
        m = MOON_ROWS.index(k)
        assert MOONS["train_accuracy"][m, 0] == train
        on_grid = np.mean((MOONS["grid_proba"][m, 0][i2, i1] > 0.5) == y)
        assert abs(on_grid - train) <= 0.1

