"""Lesson 09: residual connections (r_i = h_i + r_{i-1}). Training the lesson's iris net
(``train_iris``, ``seed_runs``), its test accuracy (``final_test_accuracy``, ``accuracy_line``),
the gradients of a fresh net, the share of dead ReLUs, and an explorer run's epoch budget.
Lesson 10 trains its dense nets with the same ``train_iris``.

The 1000-layer recipes (``THOUSAND``, ``train_thousand``): Adam lr 1e-3 (lessonlib's textbook
Adam, and the notes' own, MXNet's efficient form), each on the plain residual net and on the same
net with a learned scalar per residual branch that starts at 0 (``ScaledResidualMLP``, as in
ReZero, Bachlechner et al. 2020, and SkipInit, De & Smith 2020)."""
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


def accuracy_line(label, runs):
    """'label: 1.00 0.94 ... (learned: k of n)' where learned means test accuracy >= 0.9.
    ``runs``: a list of (model, history), or the final test accuracies themselves."""
    acc = np.array([final_test_accuracy(run[1]) if isinstance(run, tuple) else run
                    for run in runs], dtype=np.float64)
    learned = int(np.sum(acc >= 0.9))
    return (f"{label}: " + " ".join(f"{a:.2f}" for a in acc)
            + f"   (learned: {learned} of {len(acc)})")


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
