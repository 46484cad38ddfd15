"""Lesson 07: how the scale of the initial weights shapes every layer's activations.
``init_std`` (the standard deviation of each named initialisation), ``layer_activations`` (the
seed-004 experiment: 1000 random inputs through a stack of 100-unit layers), ``per_unit_spread``
(how much each unit's output varies from input to input), ``float64_floor`` (below it a
per-unit spread is rounding, not signal), ``value_range``, ``relu_top`` (the explorer's ReLU
range, widened to fit an explosion) and ``_histogram`` (the histogram of one layer's activations
that the figures draw). The deep digits runs (``DEEP``, ``train_deep``, ``deep_runs``): 30
hidden ReLU layers of 100 from LeCun's and from He's scale, where He's factor 2 decides whether
the network trains at all."""
import functools

import numpy as np

from .._blas import single_thread
from .._checks import as_rng
from ..data import load_digits_split
from ..layers import ACTIVATIONS, init_weight
from ..models import MLP
from ..optim import make_optimizer

WIDTH = 100                 # units per layer, and input features
N_INPUTS = 1000
MAX_DEPTH = 10
BINS = 30
# float64 holds about 16 digits, and a layer adds rounding errors of about 1e-14 of its values
# (100 products summed, then the activation): a unit whose outputs differ by less than
# FLOAT64_FLOOR times the layer's root mean square differs by rounding, not by its input (sigmoid
# with std 0.001 or 0.01: the per-unit spread stops at about 1.4e-14 times it, 7e-15, deep down)
FLOAT64_FLOOR = 1e-13
RELU_TOP = 4.0              # the ReLU histograms' usual range is 0 to 4


def init_std(init, n_in=WIDTH):
    """The standard deviation of ``layers.init_weight(n_in, n_out, init)``: "normal" 1,
    "xavier" 1/sqrt(n_in) (LeCun's scale; Glorot & Bengio's Xavier is sqrt(2/(n_in + n_out))),
    "he" sqrt(2/n_in), "uniform" 0.01/sqrt(3), a float itself."""
    if isinstance(init, str):
        stds = {"normal": 1.0, "xavier": 1.0 / np.sqrt(n_in), "he": np.sqrt(2.0 / n_in),
                "uniform": 0.01 / np.sqrt(3.0)}
        if init not in stds:
            raise ValueError(f"unknown init {init!r}; valid values are {', '.join(stds)} or a "
                             "float (the std of a normal)")
        return float(stds[init])
    return float(init)


def value_range(activation):
    """The x-range of the histograms: sigmoid (0, 1), tanh (-1, 1), ReLU (0, 4)."""
    return {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}.get(activation, (0.0, 4.0))


@functools.lru_cache(maxsize=4)
def _inputs_and_unit_weights(seed, depth):
    """1000 x 100 standard-normal inputs and ``depth`` 100 x 100 weight matrices of std 1.
    An initialisation only scales them: init_weight(n, n, init, rng) draws
    rng.normal(0, std) = std * (the same draw with std 1)."""
    rng = as_rng(seed)
    x_rng, *w_rngs = rng.spawn(depth + 1)
    X = x_rng.standard_normal((N_INPUTS, WIDTH))
    Z = [init_weight(WIDTH, WIDTH, "normal", rng=r) for r in w_rngs]
    return X, Z


def layer_activations(init, activation, depth=5, seed=0):
    """The seed-004 experiment: 1000 standard-normal inputs (100 features) through ``depth``
    layers of 100 units, h_k = f(h_{k-1} W_k), no biases, W_k drawn with ``init``
    ("normal", "xavier", "he", or a float std). Returns [h_1, ..., h_depth]."""
    X, Z = _inputs_and_unit_weights(seed, MAX_DEPTH)
    if depth > MAX_DEPTH:
        raise ValueError(f"depth must be at most {MAX_DEPTH}; got {depth}")
    std = init_std(init)
    act = ACTIVATIONS[activation]()
    h, out = X, []
    with np.errstate(over="ignore"), single_thread():
        for W in Z[:depth]:
            h = act.forward(h @ (std * W))
            out.append(h)
    return out


def per_unit_spread(h):
    """The mean over units of each unit's standard deviation across the inputs: h is
    (inputs, units). Unlike ``h.std()``, the spread of all values pooled, it leaves out how the
    units differ from each other (each unit's own constant offset) and keeps only what changes
    with the input."""
    return float(np.asarray(h).std(axis=0).mean())


def float64_floor(h):
    """The smallest per-unit spread of h that float64 resolves: FLOAT64_FLOOR times h's root
    mean square. Below it, what is left of a unit's spread is rounding."""
    return FLOAT64_FLOOR * float(np.sqrt(np.mean(np.square(h))))


def relu_top(hs, current=None):
    """The upper edge of the ReLU histograms: RELU_TOP (4), or, when 3.5 times some layer's root
    mean square is more than that (a stack that explodes), the next of 10, 20, 50, 100, 200, ...
    above it (about 99 % of a layer's positive values lie below 3.5 times its root mean square).
    ``current`` (the edge in use) is kept while it still covers that and is at most 5 times
    larger, so that a slider's small moves keep the axis."""
    needed = 3.5 * max(float(np.sqrt(np.mean(np.square(h)))) for h in hs)
    if current is not None and needed <= current and (current == RELU_TOP
                                                      or current <= 5 * needed):
        return float(current)
    if not needed > RELU_TOP:
        return RELU_TOP
    power = 10.0 ** np.floor(np.log10(needed))
    return float(next(m * power for m in (1, 2, 5, 10) if m * power >= needed))


def _histogram(h, activation, top=None):
    """(share of all values per bin, edges, share beyond the range, share exactly 0).
    For ReLU the exact zeros (about half of all outputs) are left out of the bins. ``top``
    replaces the range's upper edge (the explorer's ReLU range, ``relu_top``). The same
    counts as np.histogram(values, BINS, range), about ten times faster."""
    lo, hi = value_range(activation)
    if top is not None:
        hi = top
    values = h.ravel()
    inside = (values >= lo) & (values <= hi)
    zeros = 0.0
    if activation == "relu":
        is_zero = values == 0.0
        zeros = float(np.mean(is_zero))
        inside &= ~is_zero
    idx = ((values[inside] - lo) * (BINS / (hi - lo))).astype(np.intp)
    np.minimum(idx, BINS - 1, out=idx)               # the right edge belongs to the last bin
    counts = np.bincount(idx, minlength=BINS)
    outside = 1.0 - idx.size / values.size - zeros
    return counts / values.size, np.linspace(lo, hi, BINS + 1), max(outside, 0.0), zeros


# The deep runs of data/make_l07_deep_runs.py: the digits of the lesson (1000 training, 797 test
# images), 30 hidden ReLU layers of 100, SGD lr 0.001 with momentum 0.9, batches of 50, 20 epochs.
# At 6 layers LeCun's 1/sqrt(n) trains about as well as He's sqrt(2/n); at 30, with SGD, it does
# not start. lr 0.001 is the step at which the He nets train well at this depth; the make script
# also stores the He nets at the larger steps ``he_larger_lrs`` (the 6-layer runs' 0.05 and 0.01).
DEEP = dict(hidden=(100,) * 30, inits=("xavier", "he"), lr=0.001, momentum=0.9, batch=50,
            epochs=20, seeds=tuple(range(5)), he_larger_lrs=(0.05, 0.01))


def train_deep(init, seed, epochs=DEEP["epochs"], data=None, lr=DEEP["lr"]):
    """(model, history): ``MLP(64, [100] * 30, 10, activation="relu", init=init, seed=seed)``
    fitted on ``load_digits_split(n_train=1000, seed=0)`` (or ``data``, the same four arrays) by
    SGD (``lr``, by default DEEP's 0.001, momentum 0.9), batches of 50 in the order drawn from
    ``seed``."""
    X, y, _, _ = load_digits_split(n_train=1000, seed=0) if data is None else data
    model = MLP(X.shape[1], list(DEEP["hidden"]), 10, activation="relu", init=init, seed=seed)
    history = model.fit(X, y, make_optimizer("momentum", lr, momentum=DEEP["momentum"]),
                        epochs=epochs, batch_size=DEEP["batch"], seed=seed)
    return model, history


def deep_runs(inits=DEEP["inits"], seeds=DEEP["seeds"], epochs=DEEP["epochs"], progress=None,
              lr=DEEP["lr"]):
    """``train_deep`` at step ``lr`` for every init and seed -> the arrays
    data/l07_deep_runs.npz stores: inits (as text), seeds, loss (init, seed, epoch; NaN after a
    divergence), test_accuracy (init, seed; NaN for a diverged run), and the settings (hidden,
    lr, momentum, batch, epochs). ``progress(init, seed, model, history)``, if given, is called
    after every run."""
    data = load_digits_split(n_train=1000, seed=0)
    loss = np.full((len(inits), len(seeds), epochs), np.nan)
    accuracy = np.full((len(inits), len(seeds)), np.nan)
    with single_thread():
        for i, init in enumerate(inits):
            for k, seed in enumerate(seeds):
                model, history = train_deep(init, seed, epochs, data, lr)
                loss[i, k, :history.epochs] = history.loss
                if not history.diverged:
                    accuracy[i, k] = model.score(*data[2:])
                if progress is not None:
                    progress(init, seed, model, history)
    return {"inits": np.array([str(init) for init in inits]), "seeds": np.array(seeds),
            "loss": loss, "test_accuracy": accuracy, "hidden": np.array(DEEP["hidden"]),
            "lr": np.array(lr), "momentum": np.array(DEEP["momentum"]),
            "batch": np.array(DEEP["batch"]), "epochs": np.array(epochs)}
