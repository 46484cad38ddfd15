"""Lesson 01: local minima. The stationary points of the quartic f(x) = x^4 + 3x^3 + 2x^2, the
bound beyond which a 1-D path has blown up (``BLOWN_UP``, for ``toys.blew_up``) and a few words
on where it ended (``outcome``); lesson 02's 1-D runs use them too. The lesson's tables: the
stationary points with f and f'' (``stationary_points``, ``QUARTIC_BEND``), the sweep over the
learning rate (``lr_outcomes``), the multi-start fits of two convex models
(``convex_multistart``) and a small network's loss between its weights and their unit-swapped
twin (``unit_swap_losses``), and gradient descent near the saddle of x^2 - y^2 (``saddle_paths``,
``slope_length``)."""
import numpy as np

from ..optim import SGD, descend
from .toys import blew_up, quartic, quartic_grad

# f'(x) = x (4x^2 + 9x + 4) = 0 at x = 0 and x = (-9 -+ sqrt(17)) / 8.
QUARTIC_GLOBAL_MIN = (-9.0 - np.sqrt(17.0)) / 8.0       # -1.6404
QUARTIC_LOCAL_MAX = (-9.0 + np.sqrt(17.0)) / 8.0        # -0.6096, the watershed
QUARTIC_LOCAL_MIN = 0.0

# Iterates farther than this from the origin count as blown up (the plots show |x| < 3.3).
BLOWN_UP = 10.0


def outcome(path, marks, tol=0.02, ahead=None):
    """A few words on where a 1-D path ended: settled in which minimum, swinging or still
    moving (and heading for which minimum, or swinging wider, or keeping on swinging around a
    minimum: the words of lesson 01's sweep), or blew up.

    ``ahead`` is the same run continued (its later iterates, a few hundred): a run that has not
    settled is then judged by where it is heading, not by its last few steps alone (a spiral
    of momentum or an irregular, chaotic swing can look like anything over three steps)."""
    path = np.asarray(path, dtype=np.float64)
    if blew_up(path, BLOWN_UP):
        return "blew up"
    x = path[-1]
    moving = len(path) > 1 and abs(path[-1] - path[-2]) > 1e-3
    minima = [(name, where) for name, where, _ in marks if "min" in name]
    for name, where in minima:
        if abs(x - where) < tol and not moving:
            return f"settled in the {name}"
    steps = np.diff(path)
    recent = steps[-10:]
    swinging = len(steps) >= 3 and np.sum(recent[1:] * recent[:-1] < 0) >= \
        max(2, 2 * (len(recent) - 1) // 3)
    now = "swinging" if swinging else "still moving"
    if ahead is None:
        return now

    def nearest(x):
        return min((abs(x - where), name) for name, where in minima)[1] if minima else None

    ahead = np.asarray(ahead, dtype=np.float64)
    if blew_up(ahead, BLOWN_UP):
        return "swinging wider, blows up later" if swinging else "still moving, blows up later"
    end = ahead[-1]
    if abs(ahead[-1] - ahead[-2]) < 1e-6 and minima and abs(end - dict(minima)[nearest(end)]) < tol:
        return f"{now}, nearing the {nearest(end)}"
    # not settled even later: do the swings grow, shrink slowly, or keep their size? (the
    # spread of the last 50 iterates against the 50 before; a 10 % band, as a chaotic swing's
    # spread wanders a little)
    last, before = np.ptp(ahead[-50:]), np.ptp(ahead[-100:-50])
    later = np.diff(ahead[-50:])
    swings_later = np.sum(later[1:] * later[:-1] < 0) >= len(later) // 3
    if not swings_later:       # a slow, steady approach (tiny lr) is no swing, whatever its pace
        return f"{now}, slowly nearing the {nearest(end)}"
    if last > 1.1 * before:
        return "swinging wider"
    if last < 0.9 * before:
        return f"{now}, slowly nearing the {nearest(end)}"
    return f"keeps swinging around the {nearest(np.mean(ahead[-50:]))}"


# How far a run is followed beyond the steps shown, to say where it is heading (``outcome``).
AHEAD = 500


# ---------------------------------------------------------------- the lesson's tables

def quartic_second(x):
    """f''(x) = 12x^2 + 18x + 4, the curvature of the quartic."""
    x = np.asarray(x, dtype=np.float64)
    return 12 * x ** 2 + 18 * x + 4


# f''(x) = 0 at x = (-18 -+ sqrt(132)) / 24: between them the quartic bends downwards.
QUARTIC_BEND = ((-18.0 - np.sqrt(132.0)) / 24.0, (-18.0 + np.sqrt(132.0)) / 24.0)


def stationary_points():
    """The quartic's three stationary points, left to right: [(name, x, f(x), f''(x))]."""
    points = [("global minimum", QUARTIC_GLOBAL_MIN), ("hilltop (local maximum)", QUARTIC_LOCAL_MAX),
              ("local minimum", QUARTIC_LOCAL_MIN)]
    return [(name, x, float(quartic(x)), float(quartic_second(x))) for name, x in points]


def last_iterates_by_lr(start, lrs, steps, tail=20):
    """Plain gradient descent on the quartic from ``start``, one run per learning rate (all at
    once, elementwise): the last ``tail`` iterates of each run, shape (tail, len(lrs)); nan once
    a run has gone beyond BLOWN_UP."""
    lrs = np.asarray(lrs, dtype=np.float64)
    x = np.full(lrs.shape, float(start))
    last = []
    with np.errstate(all="ignore"):
        for t in range(steps):
            x = x - lrs * quartic_grad(x)
            x[~(np.abs(x) <= BLOWN_UP)] = np.nan
            if t >= steps - tail:
                last.append(x)
    return np.array(last)


def lr_outcomes(start, lrs, steps, tol=0.01):
    """Where gradient descent from ``start`` is after ``steps`` updates, per learning rate, as
    ranges of neighbouring rates with the same verdict: [(lr_low, lr_high, verdict)]. Judged
    on the last 20 iterates: all within ``tol`` of a minimum, it "ends at" that minimum; all on
    one side of the hilltop but not that close, it "keeps swinging around" the minimum there;
    on both sides, it "jumps between the valleys"; beyond BLOWN_UP (or nan), it "blows up"."""
    lrs = np.asarray(lrs, dtype=np.float64)
    last = last_iterates_by_lr(start, lrs, steps)
    verdicts = []
    for xs in last.T:
        if not np.isfinite(xs).all():
            verdicts.append("blows up")
        elif (xs < QUARTIC_LOCAL_MAX).all():
            verdicts.append("ends at the global minimum -1.640"
                            if np.abs(xs - QUARTIC_GLOBAL_MIN).max() < tol
                            else "keeps swinging around the global minimum -1.640")
        elif (xs > QUARTIC_LOCAL_MAX).all():
            verdicts.append("ends at the local minimum 0"
                            if np.abs(xs - QUARTIC_LOCAL_MIN).max() < tol
                            else "keeps swinging around the local minimum 0")
        else:
            verdicts.append("jumps between the valleys")
    ranges = []
    for lr, verdict in zip(lrs, verdicts):
        if ranges and ranges[-1][2] == verdict:
            ranges[-1][1] = lr
        else:
            ranges.append([lr, lr, verdict])
    return [tuple(r) for r in ranges]


def _points(rng, n=100):
    """The 100 seeded points of ``convex_multistart``: two features and the noise."""
    return rng.normal(size=(3, n))


def convex_multistart(n_starts=5, steps=3000, seed=0):
    """Linear and logistic regression fitted by plain gradient descent from ``n_starts`` random
    starting weights (N(0, 3^2)) on 100 seeded points with two features and a bias. Also linear
    regression with the first feature given twice (x1, x1, x2: a flat valley of best weights).
    Returns {model: [(start weights, final weights, final loss)]}."""
    rng = np.random.default_rng(seed)
    x1, x2, noise = _points(rng)
    n = len(x1)
    A = np.column_stack([np.ones(n), x1, x2])
    y_class = (x1 - 2 * x2 + noise > 0).astype(np.float64)      # overlapping classes
    y_value = 1 + 2 * x1 - x2 + 0.5 * noise

    def logistic(w, A):
        z = A @ w
        return float(np.mean(np.logaddexp(0.0, z) - y_class * z)), \
            A.T @ (0.5 * (1 + np.tanh(0.5 * z)) - y_class) / n

    def linear(w, A):
        r = A @ w - y_value
        return float(np.mean(r ** 2) / 2), A.T @ r / n

    problems = {"logistic regression": (logistic, A, 1.0),
                "linear regression": (linear, A, 0.3),
                "linear regression, x1 given twice": (linear, np.column_stack([A[:, :2], A[:, 1:]]),
                                                      0.2)}
    out = {}
    for name, (loss_grad, features, lr) in problems.items():
        starts = rng.normal(0.0, 3.0, size=(n_starts, features.shape[1]))
        runs = []
        for w0 in starts:
            w = w0.copy()
            for _ in range(steps):
                w = w - lr * loss_grad(w, features)[1]
            runs.append((w0, w, loss_grad(w, features)[0]))
        out[name] = runs
    return out


def unit_swap_losses(hidden=3, steps=2000, lr=0.5, seed=0, ts=(0.0, 0.25, 0.5, 0.75, 1.0)):
    """Is a network's loss convex? The classes of ``convex_multistart`` (same seed, same 100
    points), fitted by a network with one hidden layer of ``hidden`` tanh units and a sigmoid
    output (mean log-loss, plain full-batch gradient descent from N(0, 1) weights). Swapping
    hidden units 1 and 2, with their weights in and out, gives another weight vector that
    computes the same function. Returns the mean log-loss at the points (1 - t) w + t w_swapped
    of the straight line between the two, one per t in ``ts``: a convex loss could be no
    higher anywhere on it than at its two (equal) ends."""
    rng = np.random.default_rng(seed)
    x1, x2, noise = _points(rng)
    X = np.column_stack([x1, x2])
    y = (x1 - 2 * x2 + noise > 0).astype(np.float64)
    init = np.random.default_rng(seed + 1)
    W1, b1, w2 = init.normal(size=(hidden, 2)), init.normal(size=hidden), init.normal(size=hidden)
    b2 = 0.0

    def loss_grad(W1, b1, w2, b2):
        h = np.tanh(X @ W1.T + b1)
        z = h @ w2 + b2
        d = (0.5 * (1 + np.tanh(0.5 * z)) - y) / len(y)        # sigmoid(z) - y, per point
        dh = np.outer(d, w2) * (1 - h ** 2)
        loss = float(np.mean(np.logaddexp(0.0, z) - y * z))
        return loss, (dh.T @ X, dh.sum(0), h.T @ d, d.sum())

    for _ in range(steps):
        g = loss_grad(W1, b1, w2, b2)[1]
        W1, b1, w2, b2 = W1 - lr * g[0], b1 - lr * g[1], w2 - lr * g[2], b2 - lr * g[3]
    swap = np.arange(hidden)
    swap[[0, 1]] = [1, 0]
    twin = (W1[swap], b1[swap], w2[swap], b2)
    return [loss_grad(*[(1 - t) * a + t * b for a, b in zip((W1, b1, w2, b2), twin)])[0]
            for t in ts]


# ---------------------------------------------------------------- a saddle point

def saddle(x, y):
    """g(x, y) = x^2 - y^2: a valley along x, a hilltop along y. Its one stationary point,
    (0, 0), is a saddle."""
    return np.asarray(x, dtype=np.float64) ** 2 - np.asarray(y, dtype=np.float64) ** 2


def saddle_grad(p):
    """The slope of g at p = (x, y): (2x, -2y)."""
    p = np.asarray(p, dtype=np.float64)
    return np.array([2 * p[0], -2 * p[1]])


def saddle_paths(starts=((1.0, 0.0), (1.0, 1e-6)), lr=0.1, steps=100):
    """Plain gradient descent on the saddle g from each start: one path of shape (steps + 1, 2)
    per start. Each step multiplies x by 1 - 2 lr and y by 1 + 2 lr."""
    return [descend(saddle_grad, np.array(start, dtype=np.float64), SGD(lr=lr), steps)
            for start in starts]


def slope_length(path):
    """The length of the slope |grad g| = 2 sqrt(x^2 + y^2) at each iterate of a saddle path."""
    path = np.asarray(path, dtype=np.float64)
    return 2 * np.hypot(path[:, 0], path[:, 1])
