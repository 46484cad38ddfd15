"""Lesson 04: mini-batch SGD on the two-parameter sin-logistic model. Whether a path reached the
true b (``reached``), the mini-batch gradients at one b (``batch_gradients``) and their
predicted spread (``batch_noise_formula``), where many seeds' runs end, all at once
(``final_points``, ``final_losses``), their b and loss after every epoch (``epoch_runs``: the
same work for every batch size), the lowest pass out of a dip (``lowest_pass``) and the dips
of many data draws (``dips_over_data_seeds``), a moving average (``smooth``); the
1-D picture of a sharp and a flat minimum (``sharp_flat_loss``) and how much a trained net's
loss rises when its weights are nudged (``nudged_loss``, ``set_flat_params``), and a net stopped
at a chosen training loss (``fit_to_loss``)."""
import heapq

import numpy as np

from ..data import batch_indices, make_sin_logistic
from ..optim import SGD
from .l02_momentum import final_b_over_seeds, loss_surface
from .toys import sin_logistic_grad, sin_logistic_loss


def reached(path, true_b, radius=0.2):
    """True if a path ends within ``radius`` of the true b."""
    return bool(np.linalg.norm(np.asarray(path)[-1] - np.asarray(true_b)) < radius)


def batch_gradients(X, y, b, batch_size, epochs, seed=0):
    """Every full mini-batch gradient at a fixed b over ``epochs`` epochs: (n_batches, 2). The
    short batch that ends an epoch when ``batch_size`` does not divide n is left out, so that
    every gradient is one of exactly ``batch_size`` rows."""
    rng = np.random.default_rng(seed)
    b = np.asarray(b, dtype=np.float64)
    return np.array([sin_logistic_grad(b, X[idx], y[idx])
                     for _ in range(epochs) for idx in batch_indices(len(X), batch_size, rng)
                     if len(idx) == batch_size])


def batch_noise_formula(X, y, b, batch_size):
    """The typical distance (root mean square) of a batch gradient from the full gradient that
    sampling theory predicts for a batch of ``batch_size`` distinct rows out of n:
    sqrt(sigma^2 / B * (n - B) / (n - 1)), sigma^2 the mean squared distance of the per-row
    gradients from their mean."""
    b = np.asarray(b, dtype=np.float64)
    n = len(X)
    per_row = np.array([sin_logistic_grad(b, X[i:i + 1], y[i:i + 1]) for i in range(n)])
    sigma2 = np.mean(np.sum((per_row - per_row.mean(axis=0)) ** 2, axis=1))
    return float(np.sqrt(sigma2 / batch_size * (n - batch_size) / (n - 1)))


def _seed_runs(X, y, batch_size, seeds, lr, momentum, steps, b0, lr_decay=None):
    """The runs of ``final_points``: yields the (len(seeds), 2) array of b's after every update
    (one array, updated in place). lr_decay = tau: update t (from 0) uses lr / (1 + t / tau)."""
    n = len(X)
    rngs = [np.random.default_rng(s) for s in seeds]
    B = np.tile(np.asarray(b0, dtype=np.float64), (len(seeds), 1))
    optimizer = SGD(lr=lr, momentum=momentum)
    optimizer.reset()
    epochs = [iter(()) for _ in seeds]
    for t in range(steps):
        if lr_decay:
            optimizer.lr = lr / (1.0 + t / lr_decay)
        idx = []
        for k, rng in enumerate(rngs):
            batch = next(epochs[k], None)
            if batch is None:
                epochs[k] = batch_indices(n, batch_size, rng)
                batch = next(epochs[k])
            idx.append(batch)
        idx = np.array(idx)                                     # (S, m)
        x1, x2 = X[idx, 0], X[idx, 1]
        with np.errstate(all="ignore"):
            # the operations of sin_logistic_grad, in its order, one row per seed
            inner = B[:, :1] * x1 * x2 + B[:, 1:] * x2
            p = 0.5 * (1.0 + np.tanh(0.5 * np.sin(inner)))
            common = (p - y[idx]) * np.cos(inner)
            grads = np.column_stack([np.mean(common * x1 * x2, axis=1),
                                     np.mean(common * x2, axis=1)])
            optimizer.step({"b": B}, {"b": grads})
        yield B


def final_points(X, y, batch_size, seeds, lr=0.1, momentum=0.9, steps=300, b0=(0.0, 0.0),
                 lr_decay=None):
    """Where ``sin_logistic_descend(X, y, SGD(lr, momentum), steps, b0, batch_size, seed)`` ends,
    for every seed at once -> (final b (len(seeds), 2), final loss on all the data). With
    lr_decay = tau the learning rate decays: update t (counted from 0) uses lr / (1 + t / tau).

    The same updates on the same batches, arranged as one array of b's (one row per seed): all
    seeds cut their epochs at the same steps, so their batches stack. Thirty runs cost about as
    much as one, and no loss is computed along the way."""
    n = len(X)
    batch_size = min(int(batch_size), n)
    if batch_size == n and len(seeds) > 1:
        # every seed takes the same full-batch steps (up to the order of a sum): run one
        finals, losses = final_points(X, y, n, seeds[:1], lr, momentum, steps, b0, lr_decay)
        return np.repeat(finals, len(seeds), axis=0), np.repeat(losses, len(seeds))
    B = np.tile(np.asarray(b0, dtype=np.float64), (len(seeds), 1))
    for B in _seed_runs(X, y, batch_size, seeds, lr, momentum, steps, b0, lr_decay):
        pass
    with np.errstate(all="ignore"):
        losses = np.array([sin_logistic_loss(b, X, y) for b in B])
    return B, losses


def epoch_runs(X, y, batch_size, seeds, epochs, lr=0.1, momentum=0.9, b0=(0.0, 0.0)):
    """The runs of ``final_points`` measured by the work done: every seed's b and its loss on all
    the data at the start and after every epoch (one pass over the data, ceil(n / batch_size)
    updates) -> (b (len(seeds), epochs + 1, 2), loss (len(seeds), epochs + 1))."""
    n = len(X)
    batch_size = min(int(batch_size), n)
    if batch_size == n and len(seeds) > 1:
        b, loss = epoch_runs(X, y, n, seeds[:1], epochs, lr, momentum, b0)
        return np.repeat(b, len(seeds), axis=0), np.repeat(loss, len(seeds), axis=0)
    per_epoch = -(-n // batch_size)
    kept = [np.tile(np.asarray(b0, dtype=np.float64), (len(seeds), 1))]
    runs = _seed_runs(X, y, batch_size, seeds, lr, momentum, epochs * per_epoch, b0)
    for i, B in enumerate(runs, start=1):
        if i % per_epoch == 0:
            kept.append(B.copy())
    b = np.stack(kept, axis=1)
    with np.errstate(all="ignore"):
        loss = np.array([[sin_logistic_loss(point, X, y) for point in row] for row in b])
    return b, loss


def final_losses(X, y, batch_sizes, seeds, lr=0.1, momentum=0.9, steps=300, b0=(0.0, 0.0)):
    """{batch_size: (final losses (len(seeds),), final b (len(seeds), 2))}, by final_points."""
    out = {}
    for bs in batch_sizes:
        finals, losses = final_points(X, y, bs, seeds, lr, momentum, steps, b0)
        out[bs] = (losses, finals)
    return out


def lowest_pass(X, y, dip, goal, step=0.02, margin=0.3, newton_steps=20):
    """The lowest pass out of a dip towards ``goal``: of all the ways from ``dip`` to ``goal``
    over the loss surface, the one whose highest point is lowest, and that highest point (a
    saddle point of the loss) -> (b of the pass (2,), its loss). How far the loss must climb to
    leave the dip is then the pass's loss minus the dip's.

    First on a grid of ``step`` covering both points (``margin`` beyond them): Dijkstra's search
    with "the highest loss so far" as the cost of a way. Then Newton's method on the gradient,
    from the highest grid point of that way, finds the saddle point itself (the Hessian from
    central differences of the gradient)."""
    dip, goal = np.asarray(dip, dtype=np.float64), np.asarray(goal, dtype=np.float64)
    lo = np.minimum(dip, goal) - margin
    axes = [np.arange(lo[k], max(dip[k], goal[k]) + margin + step / 2, step) for k in (0, 1)]
    L = loss_surface(X, y, axes[0], axes[1])            # L[j, i]: the loss at (b1_i, b2_j)

    def cell(b):
        return tuple(int(round((b[k] - lo[k]) / step)) for k in (1, 0))

    start, end = cell(dip), cell(goal)
    highest = np.full(L.shape, np.inf)
    highest[start] = L[start]
    came_from = {}
    heap = [(L[start], start)]
    while heap:
        level, here = heapq.heappop(heap)
        if here == end:
            break
        if level > highest[here]:
            continue
        j, i = here
        for there in ((j + 1, i), (j - 1, i), (j, i + 1), (j, i - 1)):
            if 0 <= there[0] < L.shape[0] and 0 <= there[1] < L.shape[1]:
                through = max(level, L[there])
                if through < highest[there]:
                    highest[there] = through
                    came_from[there] = here
                    heapq.heappush(heap, (through, there))
    way = [end]
    while way[-1] != start:
        way.append(came_from[way[-1]])
    j, i = max(way, key=lambda c: L[c])
    b = np.array([axes[0][i], axes[1][j]])
    h = 1e-6
    for _ in range(newton_steps):
        H = np.column_stack([(sin_logistic_grad(b + e, X, y) - sin_logistic_grad(b - e, X, y))
                             / (2 * h) for e in np.eye(2) * h])
        b = b - np.linalg.solve(0.5 * (H + H.T), sin_logistic_grad(b, X, y))
    return b, float(sin_logistic_loss(b, X, y))


def dips_over_data_seeds(data_seeds, seeds, true_b=(0.7, 0.7), lr=0.1, steps=300,
                         batch_size=30, radius=0.2):
    """The notes' claim over many data draws. For every data seed s (make_sin_logistic(*true_b,
    seed=s)), full-batch gradient descent from (0, 0) with and without momentum 0.9 (lr, steps);
    on the draws where it stops without momentum more than ``radius`` from the true b (a dip),
    the dip, its lowest pass (``lowest_pass``) and how many of ``seeds`` (batch orders) reach
    the true b with batches of ``batch_size``, without and with momentum 0.9. Returns
    (a list of dicts, one per stalling draw: data_seed, dip, dip_loss, pass_b, pass_loss,
    batch_plain, full_momentum (True/False), batch_momentum; the data seeds on which full-batch
    momentum 0.9 reaches the true b)."""
    true_b = np.asarray(true_b, dtype=np.float64)
    plain = final_b_over_seeds(true_b, data_seeds, momentum=0.0, lr=lr, steps=steps)
    heavy = final_b_over_seeds(true_b, data_seeds, momentum=0.9, lr=lr, steps=steps)
    heavy_reached = [s for s, b in zip(data_seeds, heavy) if np.linalg.norm(b - true_b) < radius]
    rows = []
    for s, dip, end in zip(data_seeds, plain, heavy):
        if np.linalg.norm(dip - true_b) < radius:
            continue
        X, y = make_sin_logistic(*true_b, seed=s)
        pass_b, pass_loss = lowest_pass(X, y, dip, true_b)
        hits = {}
        for rho in (0.0, 0.9):
            finals, _ = final_points(X, y, batch_size, seeds, lr=lr, momentum=rho, steps=steps)
            hits[rho] = int(np.sum(np.linalg.norm(finals - true_b, axis=1) < radius))
        rows.append(dict(data_seed=s, dip=dip, dip_loss=float(sin_logistic_loss(dip, X, y)),
                         pass_b=pass_b, pass_loss=pass_loss, batch_plain=hits[0.0],
                         full_momentum=bool(np.linalg.norm(end - true_b) < radius),
                         batch_momentum=hits[0.9]))
    return rows, heavy_reached


def smooth(values, window):
    """Moving average over the last ``window`` values (fewer at the start)."""
    values = np.asarray(values, dtype=np.float64)
    c = np.concatenate([[0.0], np.cumsum(values)])
    i = np.arange(1, len(values) + 1)
    k = np.minimum(i, window)
    return (c[i] - c[i - k]) / k


# ---------------------------------------------------------------- sharp and flat minima

SHARP_MIN, SHARP_WIDTH = -1.5, 0.15      # a narrow well ...
FLAT_MIN, FLAT_WIDTH = 1.5, 0.8          # ... and a wide one, both with loss 0 at the bottom


def sharp_flat_loss(w, shift=0.0):
    """A 1-D loss with two minima of the same depth (loss 0): a sharp one at SHARP_MIN and a
    flat one at FLAT_MIN, each well a Gaussian dip of its width. ``shift`` moves the whole curve
    to the right: a stand-in for the loss on test data, which is the training loss slightly
    displaced. (1 - dip_sharp) * (1 - dip_flat) is exactly 0 at both bottoms."""
    w = np.asarray(w, dtype=np.float64) - shift
    dip_sharp = np.exp(-0.5 * ((w - SHARP_MIN) / SHARP_WIDTH) ** 2)
    dip_flat = np.exp(-0.5 * ((w - FLAT_MIN) / FLAT_WIDTH) ** 2)
    return (1.0 - dip_sharp) * (1.0 - dip_flat)


def set_flat_params(model, flat):
    """Copy one flat vector (the arrays of ``model.params`` in order, raveled) into the model."""
    flat = np.asarray(flat, dtype=np.float64)
    start = 0
    for w in model.params.values():
        w[...] = flat[start:start + w.size].reshape(w.shape)
        start += w.size
    if start != flat.size:
        raise ValueError(f"flat has {flat.size} values; the model has {start} parameters")


def nudged_loss(model, X, y, size=0.05, repeats=30, seed=0):
    """How flat is the minimum a trained model sits in? Its training loss, and the mean loss
    over ``repeats`` copies of its weights with every weight w moved to w * (1 + size * z),
    z ~ N(0, 1) drawn anew each time (a simple form of Keskar et al.'s sharpness). The model is
    left as it was. Returns (loss, mean nudged loss)."""
    rng = np.random.default_rng(seed)
    params = model.params
    kept = {name: w.copy() for name, w in params.items()}
    base, _ = model.loss_and_grads(X, y)
    nudged = []
    try:
        for _ in range(repeats):
            for name, w in params.items():
                w[...] = kept[name] * (1.0 + size * rng.standard_normal(w.shape))
            nudged.append(model.loss_and_grads(X, y)[0])
    finally:
        for name, w in params.items():
            w[...] = kept[name]
    return base, float(np.mean(nudged))


def fit_to_loss(model, X, y, optimizer, target, max_epochs, batch_size, seed=0):
    """Train like ``model.fit(X, y, optimizer, max_epochs, batch_size, seed=seed)``, but keep the
    weights of the first epoch after which the loss on all of X is at most ``target``: a
    network stopped at a chosen training loss, to compare two runs at the same fit. The model is
    left with those weights. Returns that epoch (counted from 1), or None if the loss never got
    that low (the model then keeps its final weights)."""
    found = {}

    def check(epoch, history):
        if not found and model.loss_and_grads(X, y)[0] <= target:
            found["epoch"] = epoch + 1
            found["weights"] = {name: w.copy() for name, w in model.params.items()}

    model.fit(X, y, optimizer, max_epochs, batch_size, seed=seed, callback=check)
    if not found:
        return None
    for name, w in model.params.items():
        w[...] = found["weights"][name]
    return found["epoch"]
