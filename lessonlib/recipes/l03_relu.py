"""Lesson 03: ReLU against sigmoid in a small MLP on the rings data. The sigmoid curve, the
mean |dL/dW| per layer at the initial weights (``layer_gradients``), the rings trainer
(``fit_rings``; lesson 05 trains the same net by mini-batches), the lesson's full-batch run with
momentum (``train_rings``), the test of the deep ReLU net's loss spikes (``continue_plain``),
the count of dead ReLUs (``dead_units``), where a stalled run's ReLUs are off (``relus_off``,
``last_layer_off``; ``stored_relu_model`` loads a stored run's weights, ``stored_deep_runs``
the stored six-layer runs), the notes' sigmoid
output against our softmax (``softmax_as_in_the_notes``), the two factors of the output layer's
gradient (``output_layer_terms``), how the error reaches the first layer (``first_layer_terms``),
the table of the stored weight-scale runs (``weight_scale_table``) and the steepest curvature at
the spike (``top_curvature``, and along the run ``curvatures_along_run``)."""
import numpy as np

from ..data import make_rings
from ..gradcheck import rel_error
from ..layers import Sigmoid
from ..models import MLP, never_positive
from ..optim import SGD
from .._blas import single_thread


def sigmoid(z):
    return Sigmoid().forward(np.asarray(z, dtype=np.float64))


def layer_gradients(X, y, activations, hidden, init="xavier", seed=0):
    """{activation: mean |dL/dW| of every weight matrix (fc1 first)} at the initial weights.
    One seed for all: the weight matrices are the same, only the activation differs."""
    out = {}
    for act in activations:
        model = MLP(X.shape[1], hidden, int(y.max()) + 1, activation=act, init=init, seed=seed)
        _, grads = model.loss_and_grads(X, y)
        out[act] = np.array([np.abs(grads[name]).mean() for name in model.weight_names])
    return out


def fit_rings(optimizer, hidden, *, epochs, seed, batch_size=None, X=None, y=None,
              callback=None, **mlp_kw):
    """Train ``MLP(2, hidden, 2, seed=seed, **mlp_kw)`` with a fresh lessonlib ``optimizer`` on
    the rings data (``make_rings()`` unless X, y are given), BLAS on one thread: mini-batches of
    ``batch_size`` in an order drawn with ``seed``, or all the points per update (None, one
    update per epoch). The one rings trainer of lessons 03 and 05. Returns (model, history)."""
    if X is None:
        X, y = make_rings()
    model = MLP(2, hidden, 2, seed=seed, **mlp_kw)
    with single_thread():
        history = model.fit(X, y, optimizer, epochs=epochs,
                            batch_size=len(X) if batch_size is None else batch_size, seed=seed,
                            callback=callback)
    return model, history


def train_rings(activation="relu", hidden=(20, 20), lr=0.1, momentum=0.9, iterations=2000,
                init="normal", seed=0, X=None, y=None, callback=None):
    """Lesson 03's run: ``fit_rings`` by full-batch gradient descent with momentum (one
    iteration = one epoch). Returns (model, history); history.loss has one value per iteration."""
    return fit_rings(SGD(lr=lr, momentum=momentum), hidden, epochs=iterations, seed=seed, X=X,
                     y=y, callback=callback, activation=activation, init=init)


def continue_plain(X, y, lrs, hidden=(20,) * 6, at=170, then=100, seed=0):
    """Is a loss spike momentum overshooting? Lesson 03's deep ReLU run (``train_rings("relu",
    hidden, 0.1, 0.9, init="xavier", seed=seed)``) stopped after ``at`` iterations, then
    continued from those same weights for ``then`` iterations by plain gradient descent (no
    velocity, no momentum) at every lr of ``lrs``. Returns {lr: loss per iteration (then,)}."""
    model = MLP(2, list(hidden), 2, activation="relu", init="xavier", seed=seed)
    out = {}
    with single_thread():
        # the same call as train_rings, so these are the weights of its iteration ``at``
        model.fit(X, y, SGD(lr=0.1, momentum=0.9), epochs=at, batch_size=len(X), seed=seed)
        stopped = {name: w.copy() for name, w in model.params.items()}
        for lr in lrs:
            for name, w in model.params.items():
                w[...] = stopped[name]
            out[lr] = model.fit(X, y, SGD(lr=lr), epochs=then, batch_size=len(X),
                                seed=seed).loss
    return out


def dead_units(model, X):
    """Hidden ReLU units that output 0 for every row of X (their gradient is 0 everywhere)."""
    if model.activation != "relu":
        return 0
    return int(never_positive(model, X).sum())


def last_layer_off(model, points):
    """True for every point where each unit of the last hidden layer outputs 0 (ReLU): there
    the network's output is its output bias alone, the same for all such points."""
    name = f"{model.activation}{model.blocks[-1].index}"
    h = dict(model.forward_trace(points))[name]
    return (h <= 0).all(axis=1)


def relus_off(model, X, y):
    """Where a trained ReLU network's units are off: (dead units per hidden layer, the number of
    misclassified points of X, how many units of the last hidden layer are on for at least one
    of those points). A unit is dead if it outputs 0 for every point of X."""
    wrong = model.predict(X) != y
    name = f"{model.activation}{model.blocks[-1].index}"
    h = dict(model.forward_trace(X[wrong]))[name]
    return never_positive(model, X), int(wrong.sum()), int((h > 0).any(axis=0).sum())


def softmax_as_in_the_notes(model, X, y):
    """Our two-class softmax output against the notes' single sigmoid output, at ``model``'s
    weights: the relative errors of (p(class 1) against S(z1 - z0); column 1 of p - onehot
    against the notes' o - y and column 0 against y - o; the output layer's gradient, weights
    and bias, against the notes' (1/n) [1, h]^T dz with the bias folded into W as its first
    row, as their cbind(1, h) does)."""
    trace = dict(model.forward_trace(X))
    z = trace[f"fc{len(model.blocks) + 1}"]
    h = trace[f"{model.activation}{model.blocks[-1].index}"]
    p = trace["softmax"]
    o = sigmoid(z[:, 1] - z[:, 0])                      # the notes' output, o = S(l2)
    error = p - np.eye(2)[y]
    n = len(X)
    folded = np.column_stack([np.ones(n), h]).T @ error / n    # rows: the bias, then W
    grads = model.loss_and_grads(X, y)[1]
    ours = np.vstack([grads[model.weight_names[-1].replace("weight", "bias")],
                      grads[model.weight_names[-1]]])
    return (rel_error(p[:, 1], o),
            max(rel_error(error[:, 1], o - y), rel_error(error[:, 0], y - o)),
            rel_error(ours, folded))


DEEP_HIDDEN = [20] * 6      # the lesson's deep networks: six hidden layers of 20


class StoredRun:
    """A stored run's loss per iteration, where a figure wants a history (``.loss``)."""

    def __init__(self, loss):
        self.loss = np.asarray(loss)


def stored_deep_runs(stored):
    """{activation: (model with the stored final weights, StoredRun)} of the six-layer runs
    (Xavier, lr 0.1, momentum 0.9, seed 0) stored by ``data/make_l03_deep_runs.py``
    (``stored``: the loaded npz), and the ReLU run without momentum as "relu_no_momentum"
    (no model: None)."""
    out = {}
    for act in stored["activations"]:
        act = str(act)
        model = MLP(2, DEEP_HIDDEN, 2, activation=act, init="xavier", seed=0)
        for name, w in model.params.items():
            w[...] = stored[f"{act}_{name}"]
        out[act] = (model, StoredRun(stored[f"{act}_loss"]))
    out["relu_no_momentum"] = (None, StoredRun(stored["relu_no_momentum_loss"]))
    return out


def stored_relu_model(stored, seed):
    """The ReLU network of seed ``seed`` after its 2,500 iterations, with the final weights
    stored by ``data/make_l03_rings_seeds.py`` (``stored``: the loaded npz, keys
    ``relu_<name>``)."""
    model = MLP(2, [20, 20], 2, activation="relu", init="normal", seed=int(seed))
    for name, w in model.params.items():
        w[...] = stored[f"relu_{name}"][seed]
    return model


def output_layer_terms(X, y, activation, hidden=(20, 20), init="normal", seed=0):
    """The two factors of the output layer's gradient dL/dW = h^T (p - onehot) / n at the
    initial weights of ``MLP(2, hidden, 2, activation, init, seed)``: (mean |h| of the last
    hidden layer, mean |p - onehot|). No activation slope enters this gradient."""
    model = MLP(X.shape[1], list(hidden), int(y.max()) + 1, activation=activation, init=init,
                seed=seed)
    trace = model.forward_trace(X)
    h, p = trace[-3][1], trace[-1][1]
    return float(np.abs(h).mean()), float(np.abs(p - np.eye(p.shape[1])[y]).mean())


def first_layer_terms(X, y, activation, hidden=(20, 20), init="normal", seed=0):
    """How the error reaches the first layer's gradient dL/dW1 = X^T dz1 at the initial weights
    of ``MLP(2, hidden, 2, activation, init, seed)``, written out from the forward trace:
    (the mean slope of every hidden layer, first layer first: the share of z_k > 0 for ReLU,
    the mean of S'(z_k) for sigmoid; mean |dz1|, the error at the first layer's inputs z1;
    how much of the terms' size the sum over the points keeps, sum |sum_i x_i dz1_i| /
    sum_i |x_i dz1_i| over every entry of dW1: 1 if the terms all agree in sign, small if they
    cancel; the size of the inputs where the error sits, mean |x_i dz1_i| / mean |dz1|: the
    mean |x| of the points, each weighted by the size of its error; dW1 itself, for a check
    against the model's gradient). The mean |dW1| is exactly n * kept * x size * mean |dz1|."""
    if activation not in ("relu", "sigmoid"):
        raise ValueError(f"first_layer_terms knows relu and sigmoid; got {activation!r}")
    model = MLP(X.shape[1], list(hidden), int(y.max()) + 1, activation=activation, init=init,
                seed=seed)
    trace = dict(model.forward_trace(X))
    n_hidden = len(hidden)
    slopes = []
    for k in range(1, n_hidden + 1):
        z = trace[f"fc{k}"]
        if activation == "relu":
            slopes.append((z > 0).astype(float))
        else:
            s = sigmoid(z)
            slopes.append(s * (1 - s))
    dz = (trace["softmax"] - np.eye(trace["softmax"].shape[1])[y]) / len(X)
    for k in range(n_hidden, 0, -1):            # back through fc(k + 1), then layer k's slope
        dz = (dz @ model.params[f"fc{k + 1}_weight"].T) * slopes[k - 1]
    terms = X[:, :, None] * dz[:, None, :]     # (n, n_in, units): x_i dz1_i, point by point
    dW1 = terms.sum(axis=0)
    kept = float(np.abs(dW1).sum() / np.abs(terms).sum())
    x_size = float(np.abs(terms).mean() / np.abs(dz).mean())
    return [float(s.mean()) for s in slopes], float(np.abs(dz).mean()), kept, x_size, dW1


# the settings of data/make_l03_weight_scale.py's runs, as the lesson's table names them
WEIGHT_SCALE_TITLES = {"sigmoid2_xavier": "sigmoid, 2 hidden layers, Xavier, lr 0.1",
                       "sigmoid4_xavier_lr0.1": "sigmoid, 4 hidden layers, Xavier, lr 0.1",
                       "sigmoid4_xavier_lr1": "sigmoid, 4 hidden layers, Xavier, lr 1",
                       "sigmoid6_xavier": "sigmoid, 6 hidden layers, Xavier, lr 0.1",
                       "sigmoid6_normal": "sigmoid, 6 hidden layers, std 1, lr 0.1",
                       "relu6_normal": "ReLU, 6 hidden layers, std 1, lr 0.1"}


def weight_scale_table(stored, titles=WEIGHT_SCALE_TITLES):
    """The lines of lesson 03's table of the runs stored by ``data/make_l03_weight_scale.py``
    (``stored``: the loaded npz as a dict), one column per seed: for every setting the loss
    after 1,000 and 6,000 iterations, the first iteration below 0.1 and the accuracy; for ReLU
    also the loss at iteration 0, the highest loss and the dead units. A run that overflowed
    shows "-" (no loss after 1,000) and a line saying when, as the explorer would."""
    seeds = stored["seeds"]
    lines = [f"{'seed':>20}" + "".join(f"{seed:>8d}" for seed in seeds)]
    for name, title in titles.items():
        run = {key: stored[f"{name}_{key}"] for key in
               ("start", "after", "first_below", "accuracy", "highest", "dead", "diverged")}
        done = run["diverged"] < 0
        rows = [("loss after 1000", [f"{v:.4f}" for v in run["after"][:, 0]]),
                ("loss after 6000", [f"{v:.4f}" for v in run["after"][:, 2]]),
                ("first below 0.1", [f"{i}" if i >= 0 else "never" for i in run["first_below"]]),
                ("accuracy", [f"{a:.0%}" for a in run["accuracy"]])]
        always = ()           # the rows that a run which overflowed still has
        if name.startswith("relu"):
            rows += [("loss at iteration 0", [f"{v:,.0f}" for v in run["start"][:, 0]]),
                     ("highest loss", [f"{v:.0e}" for v in run["highest"]]),
                     ("dead ReLUs (of 120)", [f"{d}" for d in run["dead"]])]
            always = ("loss at iteration 0", "highest loss")
        lines.append(title)
        for label, values in rows:
            values = [v if ok or label in always else "-" for v, ok in zip(values, done)]
            lines.append(f"{label:>20}" + "".join(f"{v:>8}" for v in values))
        for seed, at in zip(seeds, run["diverged"]):
            if at >= 0:
                lines.append(f"{'':>20}seed {seed}: {at - 1} finite losses, then an overflow "
                             f"(the explorer: \"Diverged at iteration {at}\")")
    return lines


def _top_eigenvalue(model, X, y, seed, steps, eps):
    """Power iteration on Hessian-vector products at the model's current weights, each a
    central difference of two gradients, (g(w + eps v) - g(w - eps v)) / (2 eps). The weights
    are put back exactly as they were."""
    w0 = {name: w.copy() for name, w in model.params.items()}

    def grads_at(v, sign):
        for name, w in model.params.items():
            w[...] = w0[name] + sign * eps * v[name]
        return model.loss_and_grads(X, y)[1]

    rng = np.random.default_rng(seed)
    v = {name: rng.normal(size=w.shape) for name, w in w0.items()}
    for _ in range(steps):
        norm = np.sqrt(sum(np.sum(a ** 2) for a in v.values()))
        v = {name: a / norm for name, a in v.items()}
        plus, minus = grads_at(v, 1), grads_at(v, -1)
        hv = {name: (plus[name] - minus[name]) / (2 * eps) for name in v}
        top = sum(np.sum(hv[name] * v[name]) for name in v)
        v = hv
    for name, w in model.params.items():
        w[...] = w0[name]
    return float(top)


def curvatures_along_run(X, y, ats, hidden=(20,) * 6, seed=0, steps=30, eps=1e-5):
    """{at: largest eigenvalue of the loss's Hessian after ``at`` iterations} along lesson 03's
    deep ReLU run (``train_rings("relu", hidden, 0.1, 0.9, init="xavier", seed=seed)``), in one
    run: the curvature along the steepest direction, by power iteration on Hessian-vector
    products. Plain gradient descent at lr is stable there only while this value is below
    2 / lr; the heavy ball with momentum rho only while it is below 2 (1 + rho) / lr (lesson 02)."""
    ats = sorted(int(a) for a in ats)
    model = MLP(2, list(hidden), 2, activation="relu", init="xavier", seed=seed)
    out = {}

    def measure(epoch, history):
        if epoch + 1 in ats:        # after epoch + 1 updates, as fit(epochs=at) would stop
            out[epoch + 1] = _top_eigenvalue(model, X, y, seed, steps, eps)

    with single_thread():
        model.fit(X, y, SGD(lr=0.1, momentum=0.9), epochs=ats[-1], batch_size=len(X), seed=seed,
                  callback=measure)
    return out


def top_curvature(X, y, hidden=(20,) * 6, at=170, seed=0, steps=30, eps=1e-5):
    """Largest eigenvalue of the loss's Hessian at the weights of lesson 03's deep ReLU run
    (``train_rings("relu", hidden, 0.1, 0.9, init="xavier", seed=seed)``) after ``at``
    iterations (see ``curvatures_along_run``). The curvature along the steepest direction:
    plain gradient descent is stable there only for lr < 2 / this value."""
    model = MLP(2, list(hidden), 2, activation="relu", init="xavier", seed=seed)
    with single_thread():
        model.fit(X, y, SGD(lr=0.1, momentum=0.9), epochs=at, batch_size=len(X), seed=seed)
        return _top_eigenvalue(model, X, y, seed, steps, eps)
