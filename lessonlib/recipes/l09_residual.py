"""Lesson 09: residual connections (r_i = h_i + r_{i-1}). Training the lesson's iris net
(``train_iris``, ``seed_runs``), its test accuracy (``final_test_accuracy``, ``accuracy_line``),
the gradients of a fresh net, the share of dead ReLUs, and an explorer run's epoch budget.
Lesson 10 trains its dense nets with the same ``train_iris``.

The 1000-layer recipes (``THOUSAND``, ``train_thousand``): Adam lr 1e-3 (lessonlib's textbook
Adam, and the notes' own, MXNet's efficient form), each on the plain residual net and on the same
net with a learned scalar per residual branch that starts at 0 (``ScaledResidualMLP``, as in
ReZero, Bachlechner et al. 2020, and SkipInit, De & Smith 2020).

The notebook's tables, each one call that returns the text to print: ``step_tables`` (stored
runs at our SGD step and the notes'), ``frozen_seeds_report``, ``first_layer_report`` and
``frozen_deep_report`` (dead layers and frozen gradients), ``deep_table`` and
``notes_step_line`` (the 100- and 1000-layer runs), ``first_epochs_report`` (a few live epochs),
``profile_lines``, ``prediction_report`` and ``shrunk_by_one_step`` (fresh 1000-layer nets),
``ten_seed_report`` and ``notes_adam_report`` (the ten-seed table, with our Adam and the
notes')."""
from functools import partial

import numpy as np

from .._blas import single_thread
from .._checks import check_real
from ..connections import Residual
from ..data import load_iris
from ..models import MLP, never_positive
from ..optim import Adam, make_optimizer
from .l06_vanishing import IRIS_BATCH, fit_iris, notes_adam

# The notes' loss, MxNet's mean of -onehot * log(softmax) over all N x 3 entries, is a third of
# lessonlib's mean cross-entropy over N examples, and so is its gradient: the notes' SGD step
# "learning.rate = 0.05" is lessonlib's lr 0.05 / 3. Adam divides the scale out (up to its eps).
NOTES_LOSS_SCALE = 3
OPTIMIZERS = {      # key: (label, factory)
    "momentum_0.05": ("SGD lr 0.05, momentum 0.9", partial(make_optimizer, "momentum", 0.05)),
    "momentum_0.05/3": ("SGD lr 0.05/3 (the notes' step), momentum 0.9",
                        partial(make_optimizer, "momentum", 0.05 / NOTES_LOSS_SCALE)),
    "momentum_0.005": ("SGD lr 0.005, momentum 0.9", partial(make_optimizer, "momentum", 0.005)),
    "adam_1e-3": ("Adam lr 1e-3", partial(make_optimizer, "adam", 1e-3)),
    "adam_1e-4": ("Adam lr 1e-4", partial(make_optimizer, "adam", 1e-4)),
}
LAYER_EPOCH_BUDGET = 40_000     # depth x epochs of one explorer run: 1000 layers get 40 epochs


LEARNED_SCALE = "residual_alpha"    # train_iris's connection for ScaledResidualMLP, alpha_i = 0


def train_iris(hidden, connection="residual", optimizer="momentum_0.05", epochs=100, seed=0,
               data=None, batch_norm=False, callback=None):
    """Lesson 06's ``fit_iris`` with lesson 09's choices: the ``connection``, an optimiser by
    its key in OPTIMIZERS, and the test accuracy after every epoch (the 50 test flowers are the
    validation data). ``connection=LEARNED_SCALE`` ("residual_alpha") trains the lesson's
    1000-layer recipe net instead, ``ScaledResidualMLP`` with every alpha_i = 0 at the start
    and learned (with width 10 and "adam_1e-3" it is ``train_thousand("rezero_adam_1e-3")``).
    Returns (model, history)."""
    if connection == LEARNED_SCALE:
        X_train, y_train, X_test, y_test = load_iris(seed=0) if data is None else data
        model = ScaledResidualMLP(4, hidden, 3, alpha=0.0, seed=seed, batch_norm=batch_norm)
        with single_thread():
            history = model.fit(X_train, y_train, OPTIMIZERS[optimizer][1](), epochs=epochs,
                                batch_size=IRIS_BATCH, seed=seed,
                                validation_data=(X_test, y_test), callback=callback)
        return model, history
    return fit_iris(OPTIMIZERS[optimizer][1](), hidden, epochs=epochs, seed=seed, data=data,
                    validate=True, callback=callback, connection=connection,
                    batch_norm=batch_norm)


def seed_runs(hidden, connection, seeds, optimizer="momentum_0.05", epochs=100, data=None):
    """train_iris for every seed -> list of (model, history)."""
    return [train_iris(hidden, connection, optimizer, epochs, seed, data) for seed in seeds]


def connection_seed_table(hidden, connections, seeds, epochs=100, optimizer="momentum_0.05",
                          dead=False):
    """seed_runs for each connection -> the arrays a make script stores: connections, seeds,
    loss (connection, seed, epoch), test_accuracy (connection, seed) and grad_mean_abs
    (connection, seed, epoch, weight matrix); with ``dead``, also dead_final (connection,
    seed), the share of hidden ReLUs that output 0 for all 100 training flowers at the end."""
    runs = {c: seed_runs(hidden, c, seeds, optimizer=optimizer, epochs=epochs)
            for c in connections}
    table = {"connections": np.array(connections), "seeds": np.array(seeds),
             "loss": np.array([[h.loss for _, h in runs[c]] for c in connections]),
             "test_accuracy": np.array([[final_test_accuracy(h) for _, h in runs[c]]
                                        for c in connections]),
             "grad_mean_abs": np.array([[h.grad_mean_abs for _, h in runs[c]]
                                        for c in connections])}
    if dead:
        X_train = load_iris(seed=0)[0]
        table["dead_final"] = np.array([[dead_fraction(m, X_train) for m, _ in runs[c]]
                                        for c in connections])
    return table


def final_test_accuracy(history):
    """Accuracy on the 50 test flowers after the last epoch (nan if the run diverged)."""
    if history.diverged or history.val_accuracy is None or not len(history.val_accuracy):
        return float("nan")
    return float(history.val_accuracy[-1])


# A run learns when it ends at this test accuracy or more (the lesson says so once, at the top
# of its tables; every table counts with it)
LEARNED_ACCURACY = 0.9


def learned(acc):
    """Which runs of the test accuracies ``acc`` learned (a boolean array)."""
    return np.asarray(acc) >= LEARNED_ACCURACY


def learned_count(acc):
    """'(learned: k of n)' for the test accuracies ``acc``."""
    return f"(learned: {int(np.sum(learned(acc)))} of {len(acc)})"


def accuracy_line(label, runs):
    """'label: 1.00 0.94 ... (learned: k of n)' (see ``learned``).
    ``runs``: a list of (model, history), or the final test accuracies themselves."""
    acc = np.array([final_test_accuracy(run[1]) if isinstance(run, tuple) else run
                    for run in runs], dtype=np.float64)
    return f"{label}: " + " ".join(f"{a:.2f}" for a in acc) + f"   {learned_count(acc)}"


def initial_gradients(hidden, connection, seed, X, y):
    """Mean |dL/dW| of every weight matrix (fc1 first) of a fresh net, before any training."""
    model = MLP(X.shape[1], list(hidden), 3, connection=connection, seed=seed)
    _, grads = model.loss_and_grads(X, y)
    return np.array([np.abs(grads[name]).mean() for name in model.weight_names])


def dead_fraction(model, X):
    """Fraction of the hidden ReLUs that output 0 for every row of X (their gradient is 0)."""
    return float(never_positive(model, X).sum() / sum(model.hidden))


def epochs_for(depth, epochs):
    """The epochs an explorer run gets: at most LAYER_EPOCH_BUDGET / depth (40 at 1000 layers),
    so that one click stays within a few seconds."""
    return int(min(epochs, max(1, LAYER_EPOCH_BUDGET // depth)))


# ---------------------------------------------------------------- a scalar on every branch
class BranchScales:
    """alpha_2 ... alpha_L of a ScaledResidual net: one trainable scalar per residual branch,
    held like a layer's parameters (``params["alpha"]``, ``grads["alpha"]``, both (L - 1,))."""

    def __init__(self, n, value):
        self.params = {"alpha": np.full(n, float(value))}
        self.grads = {"alpha": np.zeros(n)}


class ScaledResidual(Residual):
    """r_1 = h_1, r_i = r_{i-1} + alpha_i h_i (i >= 2): the residual wiring with a scalar on
    every branch. Backward: g_{i-1} = g_i + (the branch's backward of alpha_i g_i), and
    d loss / d alpha_i = sum over the batch and units of g_i * h_i."""

    name = "scaled residual"

    def __init__(self, hidden, scales):
        super().__init__(hidden)
        self.scales = scales
        self._h = []
        self._alpha_of, self._alphas = None, []

    def _alpha_views(self):
        # One 0-d view per alpha_i: it follows the optimiser's in-place updates, and NumPy
        # multiplies an array by a 0-d array faster than by a Python or NumPy scalar.
        alpha = self.scales.params["alpha"]
        if self._alpha_of is not alpha:
            self._alpha_of, self._alphas = alpha, [alpha[k, ...] for k in range(alpha.size)]
        return self._alphas

    def _branches(self, blocks):
        """Per block (from the second), its (fc, activation) when it has nothing else (no batch
        norm, no dropout), else None: such a block is called directly, sparing a loop per layer
        and per batch in a 1000-layer net."""
        if getattr(self, "_branches_of", None) is not blocks:
            self._branches_of = blocks
            self._branch_list = [(b.fc, b.act) if [layer for _, layer in b.named_layers]
                                 == [b.fc, b.act] else None for b in blocks]
        return self._branch_list

    def forward(self, blocks, X, training, trace=None):
        alphas = self._alpha_views()
        branches = self._branches(blocks)
        hs = self._h = [None] * len(blocks)
        r = blocks[0].forward(X, training, trace)               # r_1 = h_1
        for i in range(1, len(blocks)):
            branch = branches[i] if trace is None else None
            if branch:
                h = branch[1].forward(branch[0].forward(r, training), training)
            else:
                h = blocks[i].forward(r, training, trace)
            hs[i] = h                                           # d loss / d alpha_i needs h_i
            h = alphas[i - 1] * h
            h += r                                              # r_i = r_{i-1} + alpha_i h_i
            if trace is not None:
                trace.append((f"r{blocks[i].index}", h))
            r = h
        return r

    def backward(self, blocks, d):
        alphas = self._alpha_views()
        branches = self._branches(blocks)
        dalpha = self.scales.grads["alpha"]
        hs = self._h
        for i in range(len(blocks) - 1, 0, -1):
            dalpha[i - 1] = np.vdot(d, hs[i])                   # sum of g_i * h_i
            branch = branches[i]
            s = alphas[i - 1] * d
            d = d + (branch[0].backward(branch[1].backward(s)) if branch
                     else blocks[i].backward(s))
        blocks[0].backward(d, input_grad=False)


class ScaledResidualMLP(MLP):
    """``MLP(..., connection="residual")`` whose branches are scaled: r_i = r_{i-1} + alpha_i h_i.

    ``alpha``: the scalars' start (0: every branch off, the ReZero / SkipInit start);
    ``learn_alpha``: train them with the other parameters (``params["branch_alpha"]``), or keep
    them fixed. Other keywords go to ``MLP``. The engine's own residual net is alpha_i = 1, fixed."""

    def __init__(self, n_in, hidden, n_out, *, alpha=0.0, learn_alpha=True, **mlp_kw):
        if "connection" in mlp_kw:
            raise TypeError("ScaledResidualMLP is always residual; leave out connection=")
        n_branches = max(len(list(hidden)) - 1, 0) if not np.isscalar(hidden) else 0
        self.scales = BranchScales(n_branches, check_real("alpha", alpha))
        self.learn_alpha = bool(learn_alpha)
        super().__init__(n_in, hidden, n_out, connection="residual", **mlp_kw)
        self.wiring = ScaledResidual(self.hidden, self.scales)

    def _named_arrays(self):
        weights, rest = super()._named_arrays()
        if self.learn_alpha:
            rest = rest + [("branch_alpha", self.scales, "alpha")]
        return weights, rest

    @property
    def alpha(self):
        """The branch scalars alpha_2 ... alpha_L (a view: editing it edits the model)."""
        return self.scales.params["alpha"]

    def __repr__(self):
        start = "learned" if self.learn_alpha else "fixed"
        return super().__repr__().replace("connection='residual'",
                                          f"connection='residual', alpha {start}")


THOUSAND_DEPTH, THOUSAND_WIDTH, THOUSAND_EPOCHS = 1000, 10, 100


THOUSAND = {    # key: (label, model factory(hidden, seed), optimiser factory)
    "adam_1e-3": ("plain residual; Adam lr 1e-3",
                  partial(MLP, 4, n_out=3, connection="residual"), partial(Adam, 1e-3)),
    "rezero_adam_1e-3": ("alpha_i = 0 at the start, learned; Adam lr 1e-3",
                         partial(ScaledResidualMLP, 4, n_out=3, alpha=0.0),
                         partial(Adam, 1e-3)),
    # the same two nets with the notes' Adam (lesson 06's notes_adam: MXNet's efficient form,
    # eps 3e-8 on our loss added to the uncorrected sqrt(v)); stored in l09_thousand_notes_adam.npz
    "notes_adam_1e-3": ("plain residual; the notes' Adam lr 1e-3",
                        partial(MLP, 4, n_out=3, connection="residual"),
                        partial(notes_adam, 1e-3)),
    "rezero_notes_adam_1e-3": ("alpha_i = 0 at the start, learned; the notes' Adam lr 1e-3",
                               partial(ScaledResidualMLP, 4, n_out=3, alpha=0.0),
                               partial(notes_adam, 1e-3)),
}


def thousand_model(recipe, seed, depth=THOUSAND_DEPTH, width=THOUSAND_WIDTH):
    """The fresh net of a THOUSAND recipe: ``depth`` hidden layers of ``width`` ReLUs, weights
    uniform on [-0.01, 0.01], seeded."""
    return THOUSAND[recipe][1](hidden=[width] * depth, seed=seed)


def train_thousand(recipe, seed, depth=THOUSAND_DEPTH, epochs=THOUSAND_EPOCHS, data=None,
                   callback=None, model=None):
    """Train the net of a THOUSAND recipe on the 100 training flowers (batches of 20, drawn with
    ``seed``; BLAS on one thread), recording the test accuracy after every epoch, as
    ``fit_iris`` does. ``model``: the fresh ``thousand_model(recipe, seed, depth)``, if the
    caller has built it already. Returns (model, history)."""
    X_train, y_train, X_test, y_test = load_iris(seed=0) if data is None else data
    model = thousand_model(recipe, seed, depth) if model is None else model
    with single_thread():
        history = model.fit(X_train, y_train, THOUSAND[recipe][2](), epochs=epochs,
                            batch_size=IRIS_BATCH, seed=seed,
                            validation_data=(X_test, y_test), callback=callback)
    return model, history


# ---------------------------------------------------------------- the notebook's tables
# Each returns the text a notebook cell prints: the lesson's diagnostics and the formatting of
# its stored runs, so that the notebook shows one call per table.

def _seeds(seeds):
    """'seeds 0-9' for three or more consecutive seeds, else 'seeds 0, 2'."""
    seeds = [int(s) for s in seeds]
    if len(seeds) > 2 and seeds == list(range(seeds[0], seeds[-1] + 1)):
        return f"seeds {seeds[0]}-{seeds[-1]}"
    return "seeds " + ", ".join(str(s) for s in seeds)


def _spread(values, fmt):
    """'lowest to highest' of ``values``, each formatted with ``fmt``."""
    return f"{format(values.min(), fmt)} to {format(values.max(), fmt)}"


def step_tables(ours, notes, prefix):
    """Test accuracy of the stored plain and residual runs at our SGD lr 0.05 (``ours``: the
    loaded l09_six_layers.npz or l09_25_layers.npz) and at the notes' step, lr 0.05/3
    (``notes``: the loaded l09_notes_step.npz, its group ``prefix``, "six" or "d25")."""
    lines = []
    for title, connections, accuracy in (
            (OPTIMIZERS["momentum_0.05"][0] + " (three times the notes' step)",
             ours["connections"], ours["test_accuracy"]),
            (OPTIMIZERS["momentum_0.05/3"][0], notes[f"{prefix}_connections"],
             notes[f"{prefix}_test_accuracy"])):
        lines.append(f"{title}, test accuracy:")
        lines += [accuracy_line(f"{c:>8}, {_seeds(range(len(acc)))}", acc)
                  for c, acc in zip(connections, accuracy)]
    return "\n".join(lines)


def frozen_seeds_report(hidden, seeds, X, y):
    """Why the plain net of ``hidden`` does not start: over ``seeds``, how many fresh nets have
    every weight gradient exactly 0, whether those are the nets with a hidden layer whose ReLUs
    are all off for every row of X, and which parameters still get a gradient there."""
    nets = {s: MLP(X.shape[1], list(hidden), 3, seed=s) for s in seeds}
    largest = {s: initial_gradients(hidden, "plain", s, X, y).max() for s in seeds}
    frozen = [s for s in seeds if largest[s] == 0]
    dead_layer = [s for s in seeds if (never_positive(nets[s], X) == np.array(hidden)).any()]
    moving = sorted({name for s in frozen for name, g in nets[s].loss_and_grads(X, y)[1].items()
                     if g.any()})
    others = [largest[s] for s in seeds if s not in frozen]
    words = _seeds(seeds)
    return "\n".join([
        f"plain, {words}: every gradient exactly 0 in {len(frozen)} seeds"
        + (f"; the largest in the others: {max(others):.0e}" if others else ""),
        f"plain, {words}: a layer with all {hidden[0]} ReLUs off for every flower in "
        f"{len(dead_layer)} seeds, the same seeds as the zero gradients: {dead_layer == frozen}",
        f"plain, those {len(frozen)} seeds: the parameters with a nonzero gradient: {moving}"])


def first_layer_report(hidden, seeds, X):
    """The first layer of the residual nets of ``seeds`` (it has no skip): how many of its
    ReLUs are off for every row of X; and, for the first seed, that the one-hidden-layer plain
    net of the same seed draws the same first layer, with the same dead units."""
    width = hidden[0]
    lines = []
    for s in seeds:
        off = never_positive(MLP(X.shape[1], list(hidden), 3, connection="residual", seed=s), X)
        lines.append(f"residual, seed {s}, before training: first-layer ReLUs off for every "
                     f"flower: {off[0]} of {width}")
    one = MLP(X.shape[1], [width], 3, seed=seeds[0])
    deep = MLP(X.shape[1], list(hidden), 3, connection="residual", seed=seeds[0])
    same = all(np.array_equal(one.params[k], deep.params[k]) for k in ("fc1_weight", "fc1_bias"))
    lines.append(f"1-layer control, seed {seeds[0]}: the same first layer as the residual net's: "
                 f"{same}; its ReLUs off for every flower: {never_positive(one, X)[0]} of "
                 f"{width}")
    return "\n".join(lines)


def frozen_deep_report(stored, hidden, X, y, seed):
    """The stored runs of ``hidden`` (``stored``: the loaded l09_25_layers.npz): the last
    epoch's loss of every residual run that did not learn; the plain net's gradients before
    training (fresh) and in epochs 2 to the last (stored), and which of its parameters have a
    nonzero gradient after the first and the last epoch (trained again here: the run barely
    moves, so it ends the same on every CPU)."""
    connections = list(stored["connections"])
    L = len(hidden)
    res = connections.index("residual")
    lines = [f"residual, seed {s}: mean loss of the last epoch {stored['loss'][res, s, -1]:.4f};"
             f"  ln 3 = {np.log(3):.4f}"
             for s in np.flatnonzero(stored["test_accuracy"][res] < LEARNED_ACCURACY)]
    g = initial_gradients(hidden, "plain", seed, X, y)
    lines.append(f"plain, seed {seed}, before training: mean |dL/dW| between {g.min():.0e} and "
                 f"{g.max():.0e}")
    g = stored["grad_mean_abs"][connections.index("plain"), seed, 1:]     # from epoch 2 on
    epochs = stored["loss"].shape[-1]
    lines.append(f"plain, seed {seed}, epochs 2-{epochs}: the {L} hidden layers' weight "
                 f"gradients all exactly 0: {bool((g[:, :L] == 0).all())}; the output layer's "
                 f"between {g[:, L].min():.0e} and {g[:, L].max():.0e}")
    for n in (1, epochs):
        model, _ = train_iris(hidden, "plain", seed=seed, epochs=n)
        _, grads = model.loss_and_grads(X, y)
        trace = dict(model.forward_trace(X))
        moving = sorted(name for name, v in grads.items() if v.any())
        lines.append(f"  after epoch {n:3d}: nonzero gradients {moving}; layer {L - 1} outputs 0 "
                     f"for every flower: {not trace[f'relu{L - 1}'].any()}")
    return "\n".join(lines)


def deep_table(deep, depth, notes=None):
    """The stored runs of ``data/l09_deep.npz`` (``deep``, loaded) at ``depth`` hidden layers:
    per setting the test accuracy of every seed after 100 epochs and the share of dead ReLUs
    at the end (at 1000 layers after the first epoch too, and the time batch norm costs);
    with ``notes`` (the loaded l09_notes_step.npz), the runs at the notes' SGD step too."""
    p = f"d{depth}_"
    labels = [str(label) for label in deep[p + "labels"]]
    rows = [(label, deep[p + "test_accuracy"][v, :, -1], deep[p + "dead_epoch1"][v].mean(axis=1),
             deep[p + "dead_final"][v].mean(axis=1)) for v, label in enumerate(labels)]
    if notes is not None:
        rows.append(("SGD lr 0.05/3 (the notes')", notes[p + "test_accuracy"][0], None,
                     notes[p + "dead_final"][0]))
    width = max(len(row[0]) for row in rows)
    seeds = _seeds(deep[p + "seeds"])
    start = " ".join(f"{d:.0%}" for d in deep[p + "dead_init"][0].mean(axis=1))
    dead_words = "after epoch 1 -> at the end" if depth >= 1000 else "at the end"
    lines = [f"{depth} hidden layers of 10, 100 epochs (dead ReLUs before training: {start})",
             " " * (width + 2) + f"{'test accuracy, ' + seeds:<34} dead ReLUs {dead_words}"]
    for label, acc, dead1, dead in rows:
        if depth >= 1000:
            dead_text = ",  ".join(f"{a:.0%} -> {b:.0%}" for a, b in zip(dead1, dead))
        else:
            dead_text = " ".join(f"{d:.1%}" for d in dead)
        lines.append(f"{label:>{width}}: " + " ".join(f"{a:.2f}" for a in acc)
                     + f" {learned_count(acc)}   {dead_text}")
    if "adam_1e-3_bn" in list(deep[p + "variants"]):
        v = list(deep[p + "variants"]).index("adam_1e-3_bn")
        ratio = deep[p + "seconds"][v] / deep[p + "seconds"][0]
        lines.append(f"time per run with batch norm / without (Adam lr 1e-3, each seed): "
                     f"{_spread(ratio, '.1f')}")
    return "\n".join(lines)


def notes_step_line(notes, depth):
    """The stored runs at the notes' SGD step (``notes``: the loaded l09_notes_step.npz) at
    ``depth`` layers: test accuracy, last epoch's loss and dead ReLUs at the end, per seed."""
    p = f"d{depth}_"
    acc, dead = notes[p + "test_accuracy"][0], notes[p + "dead_final"][0]
    return ("the notes' step, 100 epochs (stored): test accuracy "
            + " ".join(f"{a:.2f}" for a in acc)
            + f" {learned_count(acc)}; loss of the last epoch "
            + " ".join(f"{v:.2f}" for v in notes[p + "loss"][0, :, -1])
            + "; dead ReLUs at the end " + " ".join(f"{d:.1%}" for d in dead))


def first_epochs_report(hidden, optimizer, seeds, epochs=2):
    """``epochs`` epochs of the residual net ``hidden`` with the optimiser key ``optimizer``,
    for each seed: the mean loss of each epoch, or, for a run whose numbers overflow, the epoch
    where it stops (a first-epoch loss above 1e10 is given as a bound: its size hangs on the
    last bits of every product)."""
    lines = [f"{len(hidden)} hidden layers of {hidden[0]}, {OPTIMIZERS[optimizer][0]}, "
             f"{epochs} epochs:"]
    which = "epochs 1 and 2" if epochs == 2 else f"epochs 1 to {epochs}"
    for s in seeds:
        _, h = train_iris(hidden, "residual", optimizer, epochs=epochs, seed=s)
        if h.diverged:
            first = "above 1e10" if h.loss[0] > 1e10 else f"{h.loss[0]:.1f}"
            lines.append(f"  seed {s}: mean loss of epoch 1 {first}; in epoch "
                         f"{h.diverged_epoch + 1} the numbers overflow (the run stops)")
        else:
            lines.append(f"  seed {s}: mean loss of {which}: "
                         + ", ".join(f"{v:.1f}" for v in h.loss))
    return "\n".join(lines)


def profile_lines(profiles):
    """``profiles``: {depth: (mean |r_i|, mean |g_i|) for i = 1..depth} of fresh residual nets:
    per depth the growth of r from the first layer to the last and of g from the last to the
    first, and the range of |g_i|; then r's average growth per layer in the deepest net."""
    lines = [f"{depth:4d} layers: |r_L| / |r_1| = {r[-1] / r[0]:7.1f},  |g_1| / |g_L| = "
             f"{g[0] / g[-1]:6.1f},  mean |g_i| from {g.min():.1e} to {g.max():.1e}"
             for depth, (r, g) in profiles.items()]
    depth = max(profiles)
    r = profiles[depth][0]
    lines.append(f"{depth} layers: |r_i| grows by {(r[-1] / r[0]) ** (1 / (depth - 1)) - 1:.2%} "
                 f"per layer on average")
    return "\n".join(lines)


def prediction_report(model, X, y):
    """What a net predicts for X: how many rows it gives each class, against the true counts,
    the mean probability of the right class, the largest probability, and its loss."""
    p = model.predict_proba(X)
    loss = model.loss_and_grads(X, y)[0]
    return (f"its predictions: species {np.bincount(p.argmax(axis=1), minlength=3).tolist()} "
            f"(counts of flowers), true {np.bincount(y, minlength=3).tolist()};  mean "
            f"probability of the right species {p[np.arange(len(y)), y].mean():.2f}, largest "
            f"probability {p.max():.2f};  loss {loss:.4f}, ln 3 = {np.log(3):.4f}")


def branch_means(model, X):
    """Mean h_i over the rows of X for every residual branch i = 2 .. L."""
    trace = dict(model.forward_trace(X))
    return np.array([trace[f"relu{i}"].mean() for i in range(2, len(model.hidden) + 1)])


def shrunk_by_one_step(model, optimizer, X, y, seed, batch_size=IRIS_BATCH):
    """The share of branches whose mean h_i over X is smaller after one step of ``optimizer``
    on the first batch of a ``seed`` permutation of X (the batch ``first_steps`` starts with).
    Updates ``model``."""
    before = branch_means(model, X)
    batch = np.random.default_rng(seed).permutation(len(X))[:batch_size]
    _, grads = model.loss_and_grads(X[batch], y[batch])
    optimizer.step(model.params, grads)
    return float(np.mean(branch_means(model, X) < before))


TEN_SEED_NAMES = ("plain residual", "alpha_i = 0, learned")   # the two nets of l09_thousand*.npz


def ten_seed_report(thousand):
    """``data/l09_thousand.npz`` (``thousand``, loaded): the plain residual net and the
    learned-alpha recipe, Adam lr 1e-3, seeds 0-9: test accuracy, the first epoch's mean loss,
    the dead ReLUs after the first epoch and at the end, the CPU seconds per run, and the
    learned alpha_i."""
    width = max(len(n) for n in TEN_SEED_NAMES)
    seeds = _seeds(thousand["seeds"])
    lines = [f"1000 hidden layers of 10, Adam lr 1e-3, 100 epochs, {seeds}: test accuracy"]
    lines += [accuracy_line(f"{n:>{width}}", thousand["test_accuracy"][r, :, -1])
              for r, n in enumerate(TEN_SEED_NAMES)]
    lines.append("mean loss of the first epoch:")
    lines += [f"{n:>{width}}: " + " ".join(f"{v:.2f}" for v in thousand["loss"][r, :, 0])
              for r, n in enumerate(TEN_SEED_NAMES)]
    lines.append("dead ReLUs, lowest to highest over the seeds; CPU seconds per run (a timing: "
                 "it varies):")
    lines += [f"{n:>{width}}: after epoch 1 {_spread(thousand['dead_epoch1'][r], '.0%')}, at "
              f"the end {_spread(thousand['dead_final'][r], '.0%')};  "
              f"{_spread(thousand['cpu_seconds'][r], '.0f')} s"
              for r, n in enumerate(TEN_SEED_NAMES)]
    alpha = thousand["alpha_final"]
    lines.append(f"learned alpha_i after 100 epochs, all seeds: {_spread(alpha, '.2f')}, mean "
                 f"|alpha_i| {np.abs(alpha).mean():.3f}, negative: {np.mean(alpha < 0):.0%}, "
                 f"|alpha_i| below 0.01: {np.mean(np.abs(alpha) < 0.01):.1%}")
    return "\n".join(lines)


def notes_adam_report(thousand, notes_adam):
    """The ten-seed nets trained with our Adam (``thousand``, the loaded l09_thousand.npz) and
    with the notes' Adam (``notes_adam``, the loaded l09_thousand_notes_adam.npz): test
    accuracy, the seeds of the plain residual net that learn with one Adam only, and its first
    epoch's mean loss and dead ReLUs."""
    tables = (("our Adam", thousand), ("notes' Adam", notes_adam))
    rows = [(f"{n}, {who}", table, r) for who, table in tables
            for r, n in enumerate(TEN_SEED_NAMES)]
    width = max(len(row[0]) for row in rows)
    lines = [f"1000 hidden layers of 10, lr 1e-3, 100 epochs, {_seeds(thousand['seeds'])}: "
             "test accuracy"]
    lines += [accuracy_line(f"{label:>{width}}", table["test_accuracy"][r, :, -1])
              for label, table, r in rows]
    ours, theirs = (learned(table["test_accuracy"][0, :, -1]) for _, table in tables)
    lines.append(f"plain residual, seeds that learn with our Adam only: "
                 f"{np.flatnonzero(ours & ~theirs).tolist()}; with the notes' Adam only: "
                 f"{np.flatnonzero(theirs & ~ours).tolist()}")
    lines.append("plain residual, mean loss of the first epoch; dead ReLUs after epoch 1 and at "
                 "the end:")
    lines += [f"{who:>12}: " + " ".join(f"{v:.2f}" for v in table["loss"][0, :, 0])
              + f";  {_spread(table['dead_epoch1'][0], '.0%')}, "
              f"{_spread(table['dead_final'][0], '.0%')}" for who, table in tables]
    return "\n".join(lines)
