"""Lesson 08: batch normalisation. ``train_iris`` trains the explorer's iris net, with or
without batch norm; ``forward_by_hand`` redoes a plain ReLU MLP's forward pass from its
parameters, with batch or moving statistics (lesson 08 uses it without showing it: writing it
is lesson 13's exercise); ``layer_scales`` measures the spread of every hidden layer's ReLU
outputs, ``factor_per_layer`` how fast it shrinks, ``preactivation_variances`` the variance
that batch norm divides by; ``first_epoch_below`` reads a stored loss curve;
``save_deep25_run`` / ``load_deep25_run`` store and read section 6's 25-layer run
(data/l08_deep25.npz, made by data/make_l08_runs.py); ``OTHER_CPUS`` names the other BLAS
kernels (and the nudged inputs) of data/l08_kernels.csv, which ``load_other_cpu_runs`` reads."""
import numpy as np

from ..data import read_csv
from ..layers import softmax
from ..models import History
from ..optim import make_optimizer
from .l06_vanishing import fit_iris


def train_iris(depth=7, batch_norm=True, init="uniform", seed=0, epochs=100, data=None,
               callback=None, fix_gamma=False, optimizer=None):
    """The explorer's run: lesson 06's ``fit_iris`` with ``depth`` hidden layers of 10 ReLUs,
    batch norm on or off (``fix_gamma``: gamma fixed at 1, as in MxNet's default), Adam lr
    0.001. ``init``: "uniform" (U(-0.01, 0.01), the weights of the lesson's sections 4 and 6,
    which this then reproduces) or a float std s for N(0, s²) (the sweep of section 7).
    ``optimizer``: a function of no arguments that returns a fresh optimiser, used in place of
    Adam(lr 0.001); ``optimizer=notes_adam`` (from ``recipes.l06_vanishing``) takes the lecture
    notes' steps on our loss (lesson 06).
    Returns (model, history)."""
    init = "uniform" if init == "uniform" else float(init)
    opt = optimizer() if optimizer is not None else make_optimizer("adam", 1e-3)
    return fit_iris(opt, [10] * depth, epochs=epochs, seed=seed, data=data, callback=callback,
                    batch_norm=batch_norm, fix_gamma=fix_gamma, init=init)


def forward_by_hand(model, X, statistics="moving", eps=1e-3):
    """The inference of a plain ReLU ``MLP`` redone from its parameters, as in lesson 13.

    statistics="moving": batch norm uses bn{i}_moving_mean / _var (what ``predict`` does);
    "batch": it uses the mean and (biased) variance of the rows of X, as in training.
    Returns [(name, array), ...]: fc{i}, bn{i}, relu{i}, ..., the output fc, softmax.
    Nothing in the model changes (training-mode forward passes would move the moving averages).
    """
    if model.connection != "plain" or model.activation != "relu":
        raise ValueError("forward_by_hand redoes plain ReLU MLPs only; got connection="
                         f"{model.connection!r}, activation={model.activation!r}")
    if statistics not in ("moving", "batch"):
        raise ValueError(f"statistics must be 'moving' or 'batch'; got {statistics!r}")
    p, aux = model.params, model.aux
    trace, h = [], np.asarray(X, dtype=np.float64)
    n_hidden = len(model.hidden)
    for i in range(1, n_hidden + 1):
        z = h @ p[f"fc{i}_weight"] + p[f"fc{i}_bias"]
        trace.append((f"fc{i}", z))
        if model.batch_norm:
            if statistics == "batch":
                mean, var = z.mean(axis=0), z.var(axis=0)
            else:
                mean, var = aux[f"bn{i}_moving_mean"], aux[f"bn{i}_moving_var"]
            gamma = 1.0 if model.fix_gamma else p[f"bn{i}_gamma"]
            z = gamma * (z - mean) / np.sqrt(var + eps) + p[f"bn{i}_beta"]
            trace.append((f"bn{i}", z))
        h = np.maximum(z, 0.0)
        trace.append((f"relu{i}", h))
    logits = h @ p[f"fc{n_hidden + 1}_weight"] + p[f"fc{n_hidden + 1}_bias"]
    trace.append((f"fc{n_hidden + 1}", logits))
    trace.append(("softmax", softmax(logits)))
    return trace


def layer_scales(model, X, eps=1e-3):
    """Mean over units of the std (over the rows of X) of every hidden layer's ReLU output,
    with batch norm on the batch's own statistics (as in training). Shape (n_hidden,)."""
    trace = dict(forward_by_hand(model, X, statistics="batch", eps=eps))
    return np.array([trace[f"relu{i}"].std(axis=0).mean()
                     for i in range(1, len(model.hidden) + 1)])


def factor_per_layer(scales):
    """The average factor by which the spread shrinks from one layer to the next: the geometric
    mean of scales[i] / scales[i + 1], i.e. (first / last) ** (1 / (n - 1))."""
    scales = np.asarray(scales, dtype=np.float64)
    return float((scales[0] / scales[-1]) ** (1.0 / (len(scales) - 1)))


def preactivation_variances(model, X, eps=1e-3):
    """Mean over units of the variance (over the rows of X, divided by N as batch norm does)
    of every hidden layer's pre-activation fc{i}: what batch norm divides by, plus eps.
    Batch norm on the batch's own statistics (as in training). Shape (n_hidden,)."""
    trace = dict(forward_by_hand(model, X, statistics="batch", eps=eps))
    return np.array([trace[f"fc{i}"].var(axis=0).mean() for i in range(1, len(model.hidden) + 1)])


def first_epoch_below(losses, level=1.0):
    """The first epoch (counted from 1) whose loss is below ``level``, or None (never; NaN, a
    diverged epoch, counts as not below)."""
    below = np.flatnonzero(np.asarray(losses, dtype=np.float64) < level)
    return int(below[0]) + 1 if below.size else None


_DEEP25_ARRAYS = ("loss", "grad_mean_abs", "weight_change_mean_abs")


def save_deep25_run(path, history, test_predictions, **settings):
    """Section 6's run to an .npz: the per-epoch ``History`` arrays, the weight names, the
    species predicted for the test flowers, and ``settings`` (depth, seed, ...) as numbers."""
    arrays = {name: getattr(history, name) for name in _DEEP25_ARRAYS}
    arrays["weight_names"] = np.array(history.weight_names)
    arrays["test_predictions"] = np.asarray(test_predictions, dtype=np.int64)
    arrays.update({name: np.asarray(value) for name, value in settings.items()})
    np.savez(path, **arrays)


def load_deep25_run(path):
    """(history, test_predictions) of the run stored by ``save_deep25_run``: a ``History``
    (loss, grad_mean_abs, weight_change_mean_abs per epoch) and the predicted species of the
    test flowers of ``load_iris(seed=0)``."""
    with np.load(path) as data:
        history = History([str(name) for name in data["weight_names"]],
                          *(data[name] for name in _DEEP25_ARRAYS))
        return history, data["test_predictions"]


# The rows of data/l08_kernels.csv: the 25-layer runs of the seed table redone with other
# OpenBLAS kernels, and with LESSONLIB_PERTURB=1e-12 (see data/make_l08_runs.py); its column
# ``cpu`` is the index into this tuple.
OTHER_CPUS = ("Sandybridge", "Nehalem", "Prescott", "perturbed")


def load_other_cpu_runs(path):
    """{fix_gamma (0, 1): {name in OTHER_CPUS: test accuracies of seeds 0-9}} from
    data/l08_kernels.csv (columns cpu, fix_gamma, seed, test_accuracy)."""
    table, header = read_csv(path)
    col = {name: k for k, name in enumerate(header)}
    runs = {}
    for fix in (0, 1):
        runs[fix] = {}
        for k, name in enumerate(OTHER_CPUS):
            rows = table[(table[:, col["cpu"]] == k) & (table[:, col["fix_gamma"]] == fix)]
            runs[fix][name] = rows[np.argsort(rows[:, col["seed"]]), col["test_accuracy"]]
    return runs
