"""Lesson 05: adaptive learning rates. The step size an optimiser effectively applies
(``effective_rates``), the two-parameter problems the five optimisers of
``lessonlib.optim.OPTIMIZER_NAMES`` race on (``Quadratic``, ``SinLogistic``,
``make_problems``), a fast sin-logistic path (``sin_logistic_path``), the stored comparison
runs of lesson 03's rings net trained by mini-batches (``RINGS_*``, ``save_rings_runs``,
``load_rings_run``) and their sweep over seeds 0-9 (``rings_seed_sweep``,
``save_rings_seed_sweep``, ``load_rings_seed_sweep``), the two-layer SGD run again on nudged
data (``nudged_rings``, ``sgd_reruns``), an MLP's parameters as one vector
(``mlp_as_vector``), and how far Adam moves single weights of the rings MLP (``adam_moves``)."""
from functools import partial

import numpy as np

from ..data import batch_indices, make_rings, make_sin_logistic
from ..models import MLP, History, never_positive
from ..optim import Adagrad, Adam, RMSProp, descend, make_optimizer
from .l02_momentum import loss_surface
from .l03_relu import fit_rings
from .toys import sin_logistic_descend, sin_logistic_grad, sin_logistic_loss

BOUND = 1e3                 # iterates beyond this count as blown up (the maps show |b| < 5)


def effective_rates(optimizer, grad_fn, x0, steps):
    """Run a lessonlib optimiser on a one-parameter function and record, after every update, x_t
    and the learning rate it effectively applied to the gradient: lr / (sqrt(n_t) + eps) for
    Adagrad and RMSProp, lr / (sqrt(n_hat_t) + eps) for Adam (whose step also uses m, not g),
    lr for SGD. Returns (path (steps + 1,), rates (steps,))."""
    optimizer.reset()
    x = np.array([float(x0)])
    params = {"x": x}
    path, rates = [float(x0)], []
    for _ in range(steps):
        optimizer.step(params, {"x": np.asarray(grad_fn(x), dtype=np.float64)})
        path.append(float(x[0]))
        if isinstance(optimizer, Adam):
            n_hat = optimizer.moments("x")[1][0] / (1.0 - optimizer.beta2 ** optimizer.t)
        elif isinstance(optimizer, (Adagrad, RMSProp)):
            n_hat = optimizer.state["x"]["n"][0]
        else:
            rates.append(optimizer.lr)
            continue
        rates.append(optimizer.lr / (np.sqrt(n_hat) + optimizer.eps))
    return np.array(path), np.array(rates)


def _quadratic(curvatures, angle_deg):
    """A = R diag(curvatures) R^T, R a rotation by angle_deg: f(b) = b^T A b / 2, grad = A b."""
    a = np.deg2rad(angle_deg)
    R = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    return R @ np.diag(curvatures) @ R.T, R


def sin_logistic_path(X, y, optimizer, steps, batch_size=None, seed=0, b0=(0.0, 0.0)):
    """The path of ``sin_logistic_descend`` (the same batches, the same iterates) without the
    loss at every iterate: about twice as fast, for sweeps over many runs."""
    n = len(X)
    size = n if batch_size is None else min(int(batch_size), n)
    rng = np.random.default_rng(seed)
    stream = iter(())

    def grad(b):
        nonlocal stream
        idx = next(stream, None)
        if idx is None:                     # a new epoch: a new permutation
            stream = batch_indices(n, size, rng)
            idx = next(stream)
        return sin_logistic_grad(b, X[idx], y[idx])

    return descend(grad, b0, optimizer, steps)


# ---------------------------------------------------------------- two-parameter problems
# A problem has ``run(optimizer, steps)`` -> (path, losses), ``surface()`` -> (B1, B2, L), the
# loss over the b1, b2 grid of its map, and ``label``, ``start``, ``target`` (the minimum or the
# true b), ``best`` (the loss there), ``xlim``, ``ylim`` (its map) and ``log_loss`` (its losses
# span decades: drawn on log axes, ``lessonlib.plots.l05_adaptive``).

class Quadratic:
    """f(b) = b^T A b / 2: by default a valley whose walls are 100 times steeper across (b2)
    than along (b1), turned by angle_deg."""

    log_loss = True

    def __init__(self, label, curvatures=(1.0, 100.0), angle_deg=0.0, start=(-4.0, 1.0),
                 xlim=(-4.6, 1.6), ylim=(-3.1, 3.1)):
        self.label = label
        self.A, R = _quadratic(curvatures, angle_deg)
        self.start = tuple(R @ np.asarray(start))
        self.xlim, self.ylim = xlim, ylim
        self.target, self.best = (0.0, 0.0), 0.0
        self.curvatures, self.angle_deg = curvatures, angle_deg
        self.short = "turned" if angle_deg else "aligned"

    def grad(self, b):
        return self.A @ b

    def loss(self, path):
        path = np.asarray(path, dtype=np.float64)
        return 0.5 * np.einsum("ti,ij,tj->t", path, self.A, path)

    def run(self, optimizer, steps):
        path = descend(self.grad, self.start, optimizer, steps)
        with np.errstate(all="ignore"):
            return path, self.loss(path)

    def surface(self):
        b1 = np.linspace(*self.xlim, 121)
        b2 = np.linspace(*self.ylim, 121)
        B1, B2 = np.meshgrid(b1, b2)
        L = self.loss(np.column_stack([B1.ravel(), B2.ravel()])).reshape(B1.shape)
        return B1, B2, L


class SinLogistic:
    """The loss of logit(p) = sin(b1 x1 x2 + b2 x2) on the b = (2, 3) data, from b = (0, 0),
    with all the points (batch_size None) or a mini-batch per step."""

    log_loss = False

    def __init__(self, label, batch_size=None, seed=0, true_b=(2.0, 3.0)):
        self.label = label
        self.batch_size = batch_size
        self.seed = seed
        self.X, self.y = make_sin_logistic(*true_b, seed=seed)
        self.start = (0.0, 0.0)
        self.xlim = self.ylim = (-2.5, 3.5)
        self.target = true_b
        self.best = sin_logistic_loss(true_b, self.X, self.y)

    def run(self, optimizer, steps):
        return sin_logistic_descend(self.X, self.y, optimizer, steps, b0=self.start,
                                    batch_size=self.batch_size, seed=self.seed)

    def surface(self):
        grid = np.linspace(self.xlim[0], self.xlim[1], 97)
        B1, B2 = np.meshgrid(grid, grid)
        return B1, B2, loss_surface(self.X, self.y, grid, grid)


def make_problems(seed=0):
    """The explorer's four problems by key: the valley, the same valley turned by 45 degrees,
    and the b = (2, 3) sin-logistic loss with all the points or batches of 30 per step."""
    return {
        "valley": Quadratic("the valley f = (b1² + 100 b2²)/2"),
        "tilted": Quadratic("the same valley turned by 45°", angle_deg=45.0,
                            xlim=(-4.6, 1.6), ylim=(-4.1, 2.1)),
        "sin_full": SinLogistic("sin-logistic loss, b = (2, 3) data, all 1000 points per step",
                                seed=seed),
        "sin_batch": SinLogistic("sin-logistic loss, b = (2, 3) data, batches of 30",
                                 batch_size=30, seed=seed),
    }


# Lesson 05's rings comparison: 10,000 updates per run (667 epochs of 15 batches of 20),
# trained once by data/make_l05_rings.py with lesson 03's fit_rings (ReLU, He initial weights,
# seed 0) and loaded: SGD with momentum's course (where its loss spikes, how many units die)
# hangs on the last bits of the matrix products, which differ between CPUs.
RINGS_EPOCHS, RINGS_BATCH = 667, 20
RINGS_OPTIMIZERS = {"Adam, lr 0.001": partial(make_optimizer, "adam", 0.001),
                    "SGD, lr 0.05, momentum 0.9": partial(make_optimizer, "momentum", 0.05)}
RINGS_DEPTHS = ((20, 20), (20,) * 8)
_HISTORY_ARRAYS = ("loss", "grad_mean_abs", "weight_change_mean_abs")


def _rings_key(label, hidden):
    """'adam_lr_0_001__20x8': a file-name-safe prefix for one run."""
    slug = "".join(c if c.isalnum() else "_" for c in label.lower())
    return f"{slug}__{hidden[0]}x{len(hidden)}"


def save_rings_runs(path, runs, seed=0):
    """runs = {(label, hidden): (model, history)} as made by fit_rings(RINGS_OPTIMIZERS[label](),
    hidden, epochs=RINGS_EPOCHS, batch_size=RINGS_BATCH, seed=seed, init="he"): the histories
    and final weights, to an .npz."""
    arrays = {"seed": np.int64(seed)}
    for (label, hidden), (model, history) in runs.items():
        key = _rings_key(label, hidden)
        for name in _HISTORY_ARRAYS:
            arrays[f"{key}__{name}"] = getattr(history, name)
        arrays[f"{key}__diverged"] = np.bool_(history.diverged)
        for name, value in model.params.items():
            arrays[f"{key}__param__{name}"] = value
    np.savez_compressed(path, **arrays)


def load_rings_run(path, label, hidden):
    """(model, history) of one run saved by save_rings_runs: the trained MLP (ReLU, He init,
    the saved seed) with its final weights, and its per-epoch History."""
    with np.load(path) as data:
        key = _rings_key(label, hidden)
        model = MLP(2, list(hidden), 2, activation="relu", init="he", seed=int(data["seed"]))
        for name, value in model.params.items():
            value[...] = data[f"{key}__param__{name}"]
        history = History(model.weight_names, *(data[f"{key}__{name}"]
                                                for name in _HISTORY_ARRAYS),
                          diverged=bool(data[f"{key}__diverged"]))
    return model, history


# The same comparison over seeds 0-9 (initial weights and batch order), stored by
# data/make_l05_rings_seeds.py: final accuracies and losses only.
RINGS_SEEDS = tuple(range(10))
_SWEEP_FIRST_EPOCHS = 10


def rings_seed_sweep(seeds=RINGS_SEEDS, epochs=RINGS_EPOCHS, progress=None):
    """Train every network of RINGS_DEPTHS with every optimiser of RINGS_OPTIMIZERS and every
    seed (``fit_rings(..., seed=seed, init="he")`` as for the stored seed-0 runs). Returns a dict
    of arrays: labels, hidden_layers, seeds, and per (depth, optimiser, seed) accuracy,
    final_loss, lowest_loss and first_loss (the first epochs' losses)."""
    X, y = make_rings()
    shape = (len(RINGS_DEPTHS), len(RINGS_OPTIMIZERS), len(seeds))
    out = {"accuracy": np.zeros(shape), "final_loss": np.zeros(shape),
           "lowest_loss": np.zeros(shape),
           "first_loss": np.zeros(shape + (min(_SWEEP_FIRST_EPOCHS, epochs),))}
    for d, hidden in enumerate(RINGS_DEPTHS):
        for o, make in enumerate(RINGS_OPTIMIZERS.values()):
            for s, seed in enumerate(seeds):
                model, history = fit_rings(make(), hidden, epochs=epochs, batch_size=RINGS_BATCH,
                                           seed=seed, X=X, y=y, init="he")
                loss = history.loss
                out["accuracy"][d, o, s] = model.score(X, y)
                out["final_loss"][d, o, s] = loss[-1]
                out["lowest_loss"][d, o, s] = np.min(loss)
                out["first_loss"][d, o, s] = loss[:out["first_loss"].shape[-1]]
                if progress:
                    progress(f"{len(hidden)} hidden layers, {list(RINGS_OPTIMIZERS)[o]}, seed "
                             f"{seed}: accuracy {out['accuracy'][d, o, s]:.3f}")
    out["labels"] = np.array(list(RINGS_OPTIMIZERS))
    out["hidden_layers"] = np.array([len(h) for h in RINGS_DEPTHS])
    out["seeds"] = np.array(seeds)
    return out


def save_rings_seed_sweep(path, sweep):
    np.savez(path, **sweep)


def load_rings_seed_sweep(path):
    """The arrays stored by ``save_rings_seed_sweep`` (data/make_l05_rings_seeds.py) as a dict."""
    with np.load(path) as data:
        return {key: data[key] for key in data.files}


# The two-hidden-layer SGD run of seed 0 trained again on data nudged by a relative 1e-12, once
# per pattern (data/make_l05_sgd_reruns.py): what another CPU's rounding does to it, on purpose.
RERUN_NUDGE, RERUN_PATTERNS = 1e-12, tuple(range(101, 113))


def nudged_rings(pattern, size=RERUN_NUDGE):
    """``make_rings()`` with every coordinate times (1 + size * u), u uniform on [-1, 1] drawn
    from ``np.random.default_rng(pattern)``."""
    X, y = make_rings()
    return X * (1.0 + size * np.random.default_rng(pattern).uniform(-1.0, 1.0, X.shape)), y


def sgd_reruns(patterns=RERUN_PATTERNS, epochs=RINGS_EPOCHS, progress=None):
    """SGD with momentum's two-hidden-layer rings run of seed 0 (as stored in l05_rings.npz) on
    ``nudged_rings(pattern)`` for every pattern. Returns a dict of arrays, one row per pattern:
    patterns, loss (pattern, epoch), lowest_epoch and peak_epoch (1-based: the epoch of the
    lowest loss, and of the highest loss after it) and dead (never-positive ReLUs per hidden
    layer on the nudged data, (pattern, 2))."""
    hidden = RINGS_DEPTHS[0]
    label = next(label for label in RINGS_OPTIMIZERS if label.startswith("SGD"))
    loss = np.full((len(patterns), epochs), np.nan)
    dead = np.zeros((len(patterns), len(hidden)), dtype=int)
    for k, pattern in enumerate(patterns):
        X, y = nudged_rings(pattern)
        model, history = fit_rings(RINGS_OPTIMIZERS[label](), hidden, epochs=epochs,
                                   batch_size=RINGS_BATCH, seed=0, X=X, y=y, init="he")
        loss[k, :history.epochs] = history.loss
        dead[k] = never_positive(model, X)
        if progress:
            progress(f"pattern {pattern}: final loss {history.loss[-1]:.3f}, dead {dead[k]}")
    lowest = np.nanargmin(loss, axis=1)
    peak = np.array([low + np.nanargmax(row[low:]) for low, row in zip(lowest, loss)])
    return {"patterns": np.array(patterns), "nudge": np.array(RERUN_NUDGE), "loss": loss,
            "lowest_epoch": lowest + 1, "peak_epoch": peak + 1, "dead": dead}


def mlp_as_vector(model, X, y, batch_size, seed=0):
    """An MLP's parameters as one vector, for an optimiser loop written by hand.

    Returns (x0, grad_fn, load): x0 holds every array of ``model.params`` flattened, in that
    order; grad_fn(x) loads x into the model and returns the gradient of the loss on the next
    mini-batch, flattened the same way (the batches are those of
    ``model.fit(X, y, ..., batch_size=batch_size, seed=seed)``); load(x) writes x into the model.
    """
    params = model.params
    names = list(params)
    sizes = [params[name].size for name in names]
    cuts = np.cumsum(sizes)[:-1]

    def load(x):
        for name, part in zip(names, np.split(np.asarray(x, dtype=np.float64), cuts)):
            params[name][...] = part.reshape(params[name].shape)

    def batches():
        rng = np.random.default_rng(seed)
        while True:
            yield from batch_indices(len(X), batch_size, rng)

    stream = batches()

    def grad_fn(x):
        load(x)
        idx = next(stream)
        _, grads = model.loss_and_grads(X[idx], y[idx])
        return np.concatenate([grads[name].ravel() for name in names])

    x0 = np.concatenate([params[name].ravel() for name in names])
    return x0, grad_fn, load


def adam_moves(hidden, X, y, updates=3000, lr=0.001, batch_size=20, seed=0):
    """How far Adam (default betas) moves single weights of the rings MLP (ReLU, He initial
    weights of ``seed``, the mini-batches of ``MLP.fit(..., batch_size, seed=seed)``).

    Returns (mean, largest), each of shape (updates,), in units of lr: for every update, the
    mean |change| over all weights and biases, and the largest |change| of any one of them.
    """
    model = MLP(2, list(hidden), 2, init="he", seed=seed)
    x0, grad_fn, _ = mlp_as_vector(model, X, y, batch_size=batch_size, seed=seed)
    optimizer = Adam(lr=lr)
    optimizer.reset()
    x = x0.copy()
    params = {"x": x}
    mean, largest = np.empty(updates), np.empty(updates)
    for i in range(updates):
        before = x.copy()
        optimizer.step(params, {"x": grad_fn(x.copy())})
        move = np.abs(x - before)
        mean[i], largest[i] = move.mean() / lr, move.max() / lr
    return mean, largest
