"""Lesson 12: weight decay (L2), dropout and early stopping against overfitting, on a few digits.
The lesson's setting, ``load_data`` (50 training, 300 validation and 1447 test digits),
``load_noisy_data`` (the same with 12 wrong training labels), ``load_more_data`` (more
training digits, a smaller common test set), ``train_digits`` (one run, with per-epoch
accuracies, losses and weight size), ``early_stop`` (the epoch where the validation
accuracy peaks, and the run's numbers there), and the two-moons setting: ``make_moons``,
``load_moons`` (40 training, 1000 test points), ``moons_best_boundary`` (the Bayes
classifier) and ``train_moons`` (one run, its final accuracies and decision map on
``MOONS_GRID``)."""
import numpy as np

from .._blas import single_thread
from ..data import load_overfit_digits
from ..models import MLP
from ..optim import SGD

# The lesson's setting, after Deep Learning from Scratch's overfitting net (ch. 6): six hidden
# layers of 100 ReLUs (seven weight layers), He initial weights, plain SGD. The 8x8 digits are
# easier than MNIST, so the training set is smaller (50 digits, not 300), and their 64 inputs
# in [0, 1] give smaller gradients than MNIST's 784, so the step is larger (0.05, not 0.01).
N_TRAIN, N_VAL = 50, 300
HIDDEN = (100,) * 6
LR, BATCH, EPOCHS = 0.05, 10, 300
KEYS = ("train_accuracy", "val_accuracy", "test_accuracy", "val_loss", "test_loss",
        "weight_norm")


def load_data(seed=0):
    """(X, y, X_val, y_val, X_test, y_test): ``N_TRAIN`` training digits
    (``load_overfit_digits(N_TRAIN, seed)``); of the others, the first ``N_VAL`` for
    validation (choosing when to stop) and the rest for testing."""
    X, y, X_rest, y_rest = load_overfit_digits(n_train=N_TRAIN, seed=seed)
    return (X, y, X_rest[:N_VAL], y_rest[:N_VAL], X_rest[N_VAL:], y_rest[N_VAL:])


N_WRONG, LABEL_SEED = 12, 12      # the wrong-label runs: 12 of the 50 training labels (24%)


def load_noisy_data(n_wrong=N_WRONG, label_seed=LABEL_SEED, seed=0):
    """(data, wrong): ``load_data(seed)`` with ``n_wrong`` training labels replaced by another
    class, chosen with ``np.random.default_rng(label_seed)``: which digits (without
    repetition), then for each a shift of 1 to 9 classes (so the new label is always wrong).
    The validation and test labels stay right. ``wrong``: the relabelled digits' indices."""
    X, y, X_val, y_val, X_test, y_test = load_data(seed)
    rng = np.random.default_rng(label_seed)
    wrong = rng.choice(len(y), n_wrong, replace=False)
    y = y.copy()
    y[wrong] = (y[wrong] + rng.integers(1, 10, n_wrong)) % 10
    return (X, y, X_val, y_val, X_test, y_test), wrong


MORE_DIGITS = 300     # the most training digits of the more-data runs


def load_more_data(n_train, seed=0):
    """The lesson's split with ``n_train`` (50 to ``MORE_DIGITS``) training digits: the 50 of
    ``load_data(seed)`` and the first ``n_train - 50`` of its test digits; the same 300
    validation digits; as test digits, the last 1447 - (MORE_DIGITS - 50) = 1197 of
    ``load_data``'s test digits, the same for every ``n_train`` (none of them is trained on)."""
    if not N_TRAIN <= n_train <= MORE_DIGITS:
        raise ValueError(f"n_train must be in [{N_TRAIN}, {MORE_DIGITS}]; got {n_train}")
    X, y, X_val, y_val, X_test, y_test = load_data(seed)
    extra, kept = n_train - N_TRAIN, MORE_DIGITS - N_TRAIN
    return (np.concatenate([X, X_test[:extra]]), np.concatenate([y, y_test[:extra]]),
            X_val, y_val, X_test[kept:], y_test[kept:])


def cross_entropy(proba, y):
    """Mean -log p(true class), with p floored at 1e-12 so a confident mistake stays finite."""
    picked = proba[np.arange(len(y)), y]
    return float(-np.mean(np.log(np.maximum(picked, 1e-12))))


CONFIDENCE_KEYS = ("test_right", "ce_right", "ce_wrong", "p_true", "p_max_wrong")


def confidence(proba, y):
    """How sure the network is on digits ``y`` (``proba``: its class probabilities): the
    fraction it gets right (test_right), the cross-entropy on those it gets right and on those
    it gets wrong (ce_right, ce_wrong; -log p of the true class, floored as in
    ``cross_entropy``), the mean probability of the true class (p_true) and the mean largest
    probability on the wrong ones (p_max_wrong: how sure it is of its mistakes)."""
    picked = np.maximum(proba[np.arange(len(y)), y], 1e-12)
    right = np.argmax(proba, axis=1) == y
    nll = -np.log(picked)
    return {"test_right": float(np.mean(right)), "ce_right": float(np.mean(nll[right])),
            "ce_wrong": float(np.mean(nll[~right])), "p_true": float(np.mean(picked)),
            "p_max_wrong": float(np.mean(np.max(proba[~right], axis=1)))}


def weight_norm(model):
    """sqrt(sum of squared weights) over the weight matrices (what weight decay penalises)."""
    return float(np.sqrt(sum(float(np.sum(model.params[name] ** 2))
                             for name in model.weight_names)))


def train_digits(weight_decay=0.0, dropout=0.0, epochs=EPOCHS, seed=0, hidden=HIDDEN, data=None,
                 lr=LR, test=True, callback=None, split=False):
    """Train the lesson's network on ``load_data()`` (or ``data``, the same 6-tuple).

    Every epoch, in inference mode (no dropout): accuracy on the training, validation and test
    digits, the validation and test cross-entropy and the weights' size. ``test=False`` skips
    the test digits (their entries are NaN), which the explorer does to stay quick.
    Returns (model, history, metrics), metrics a dict of per-epoch arrays named by ``KEYS``
    (and, with ``split=True``, by ``CONFIDENCE_KEYS``: ``confidence`` on the test digits).
    ``callback(epoch, history)`` after each epoch, as ``MLP.fit`` calls it."""
    X, y, X_val, y_val, X_test, y_test = load_data() if data is None else data
    model = MLP(X.shape[1], list(hidden), 10, activation="relu", init="he", dropout=dropout,
                seed=seed)
    metrics = {k: [] for k in KEYS + (CONFIDENCE_KEYS if split else ())}

    def record(epoch, history):
        metrics["train_accuracy"].append(float(np.mean(model.predict(X) == y)))
        for name, Xs, ys, on in (("val", X_val, y_val, True), ("test", X_test, y_test, test)):
            if on:
                proba = model.predict_proba(Xs)
                metrics[f"{name}_accuracy"].append(float(np.mean(np.argmax(proba, axis=1) == ys)))
                metrics[f"{name}_loss"].append(cross_entropy(proba, ys))
                if split and name == "test":
                    for k, v in confidence(proba, ys).items():
                        metrics[k].append(v)
            else:
                metrics[f"{name}_accuracy"].append(np.nan)
                metrics[f"{name}_loss"].append(np.nan)
        metrics["weight_norm"].append(weight_norm(model))
        if callback is not None:
            callback(epoch, history)

    with single_thread(), np.errstate(all="ignore"):
        history = model.fit(X, y, SGD(lr=lr), epochs=epochs, batch_size=BATCH, seed=seed,
                            weight_decay=weight_decay, callback=record)
    return model, history, {k: np.array(v) for k, v in metrics.items()}


def early_stop(metrics):
    """Early stopping, decided on the validation digits: the first epoch (counted from 1) with
    the highest validation accuracy, and the training and test accuracy after that epoch.
    ``metrics``: per-epoch arrays (the last axis is the epoch) with train_accuracy,
    val_accuracy, test_accuracy. Returns a dict of arrays shaped like one epoch's entry."""
    val = np.asarray(metrics["val_accuracy"])
    best = np.argmax(val, axis=-1)                      # the first maximum
    pick = lambda a: np.take_along_axis(np.asarray(a), best[..., None], axis=-1)[..., 0]  # noqa: E731
    return {"epoch": best + 1, "val_accuracy": pick(val),
            "train_accuracy": pick(metrics["train_accuracy"]),
            "test_accuracy": pick(metrics["test_accuracy"])}


def run_jobs(one_run, jobs, workers):
    """``one_run(job)`` for every job of a make script, in a Pool of ``workers`` processes when
    more than one (the runs are independent and seeded: the order of work changes nothing)
    -> {job: its result}."""
    if workers > 1:
        from multiprocessing import Pool
        with Pool(workers) as pool:
            results = pool.map(one_run, jobs, chunksize=1)
    else:
        results = [one_run(job) for job in jobs]
    return dict(zip(jobs, results))


def run_table(one_run, settings, seeds, epochs, workers, keys):
    """``one_run((*setting, seed, epochs))`` for every setting and seed (``run_jobs``) -> {key:
    array indexed [setting, seed, ...]} of each run's result[key]: the make scripts' tables."""
    jobs = [(*setting, seed, epochs) for setting in settings for seed in seeds]
    done = run_jobs(one_run, jobs, workers)
    return {k: np.array([[done[(*setting, seed, epochs)][k] for seed in seeds]
                         for setting in settings]) for k in keys}


# Two moons in 2-D: a setting small enough to draw the function the network learns. 40 noisy
# training points, a net of four hidden layers of 100 ReLUs (tens of thousands of weights), the
# digits' plain SGD (lr 0.05, batches of 10), 1500 epochs (6000 steps; the digits' 300 epochs
# are 1500 steps).
MOONS_TRAIN, MOONS_TEST, MOONS_NOISE = 40, 1000, 0.35
MOONS_HIDDEN, MOONS_EPOCHS = (100,) * 4, 1500
MOONS_DATA_SEED, MOONS_TEST_SEED = 0, 1
MOONS_GRID = (np.linspace(-2.0, 3.0, 61), np.linspace(-1.6, 2.1, 45))   # (x1, x2) of the map


def make_moons(n, noise=MOONS_NOISE, seed=0):
    """(X, y): ``n`` points of two interleaved half circles (class 0: the upper arc of the unit
    circle; class 1: the lower arc, shifted by (1, 0.5)), half of each in shuffled order, each
    at a uniform random angle in [0, pi], plus Gaussian noise of standard deviation ``noise``
    on both coordinates; ``np.random.default_rng(seed)``."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    rng.shuffle(y)
    t = rng.uniform(0.0, np.pi, n)
    upper = np.stack([np.cos(t), np.sin(t)], axis=1)
    lower = np.stack([1.0 - np.cos(t), 0.5 - np.sin(t)], axis=1)
    X = np.where(y[:, None] == 0, upper, lower) + noise * rng.standard_normal((n, 2))
    return X, y


def moons_best_boundary(X, noise=MOONS_NOISE, angles=1000):
    """The best possible (Bayes) classifier of ``make_moons``'s two equally likely classes:
    class 1 where the class-1 density at X is higher. Each class density is the Gaussian
    noise averaged over the uniform angle, here over ``angles`` evenly spaced midpoints of
    [0, pi]. Returns (predicted class, log density ratio) per point."""
    t = (np.arange(angles) + 0.5) * np.pi / angles
    arcs = (np.stack([np.cos(t), np.sin(t)], axis=1),
            np.stack([1.0 - np.cos(t), 0.5 - np.sin(t)], axis=1))
    logs = []
    for arc in arcs:
        e = -np.sum((X[:, None, :] - arc[None]) ** 2, axis=-1) / (2 * noise ** 2)
        top = e.max(axis=1)
        logs.append(top + np.log(np.mean(np.exp(e - top[:, None]), axis=1)))
    ratio = logs[1] - logs[0]
    return (ratio > 0).astype(int), ratio


def load_moons():
    """(X, y, X_test, y_test): ``MOONS_TRAIN`` training and ``MOONS_TEST`` test points, drawn
    from the same two moons with different seeds."""
    return (*make_moons(MOONS_TRAIN, seed=MOONS_DATA_SEED),
            *make_moons(MOONS_TEST, seed=MOONS_TEST_SEED))


def moons_grid():
    """The (len(x2) * len(x1), 2) points of ``MOONS_GRID``, x1 varying fastest."""
    g1, g2 = np.meshgrid(*MOONS_GRID)
    return np.stack([g1.ravel(), g2.ravel()], axis=1)


def train_moons(weight_decay=0.0, dropout=0.0, epochs=MOONS_EPOCHS, seed=0):
    """Train the moons network (``MOONS_HIDDEN``, He initial weights, SGD with the lesson's
    ``LR`` and ``BATCH``) on ``load_moons()``; ``seed``: initial weights, batch order and
    dropout masks. Returns (model, {"train_accuracy", "test_accuracy": floats after the last
    epoch, "grid_proba": p(class 1) on ``MOONS_GRID``, shaped (len(x2), len(x1))})."""
    X, y, X_test, y_test = load_moons()
    model = MLP(2, list(MOONS_HIDDEN), 2, activation="relu", init="he", dropout=dropout,
                seed=seed)
    with single_thread(), np.errstate(all="ignore"):
        model.fit(X, y, SGD(lr=LR), epochs=epochs, batch_size=BATCH, seed=seed,
                  weight_decay=weight_decay)
        grid = model.predict_proba(moons_grid())[:, 1]
        out = {"train_accuracy": float(np.mean(model.predict(X) == y)),
               "test_accuracy": float(np.mean(model.predict(X_test) == y_test)),
               "grid_proba": grid.reshape(len(MOONS_GRID[1]), len(MOONS_GRID[0]))}
    return model, out
