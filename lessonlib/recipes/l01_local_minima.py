"""Lesson 01: local minima. The stationary points of the quartic f(x) = x^4 + 3x^3 + 2x^2, the
bound beyond which a 1-D path has blown up (``BLOWN_UP``, for ``toys.blew_up``) and a few words
on where it ended (``outcome``); lesson 02's 1-D runs use them too. The lesson's tables: the
stationary points with f and f'' (``stationary_points``, ``QUARTIC_BEND``), the sweep over the
learning rate (``lr_outcomes``) and the multi-start fits of two convex models
(``convex_multistart``)."""
import numpy as np

from .toys import blew_up

# f'(x) = x (4x^2 + 9x + 4) = 0 at x = 0 and x = (-9 -+ sqrt(17)) / 8.
QUARTIC_GLOBAL_MIN = (-9.0 - np.sqrt(17.0)) / 8.0       # -1.6404
QUARTIC_LOCAL_MAX = (-9.0 + np.sqrt(17.0)) / 8.0        # -0.6096, the watershed
QUARTIC_LOCAL_MIN = 0.0

# Iterates farther than this from the origin count as blown up (the plots show |x| < 3.3).
BLOWN_UP = 10.0


def outcome(path, marks, tol=0.02):
    """A few words on where a 1-D path ended: which minimum, swinging (wider, narrower, or
    steadily around a minimum: the sweep's "keeps swinging"), still moving, or blew up."""
    path = np.asarray(path, dtype=np.float64)
    if blew_up(path, BLOWN_UP):
        return "blew up"
    x = path[-1]
    moving = len(path) > 1 and abs(path[-1] - path[-2]) > 1e-3
    for name, where, _ in marks:
        if "min" in name and abs(x - where) < tol and not moving:
            return f"settled in the {name}"
    steps = np.diff(path)
    recent = steps[-10:]
    flips = int(np.sum(recent[1:] * recent[:-1] < 0))
    if moving and len(steps) >= 3 and flips >= max(2, 2 * (len(recent) - 1) // 3):
        # back and forth. Wider: every swing of the last few beats the one two steps before,
        # and the last is the widest yet; smaller: every one shrinks. A 0.1 % band, so a
        # steady cycle does not flip words on rounding. A steady cycle and an irregular
        # (chaotic) one both swing without settling.
        size = np.abs(steps[-6:])
        ratios = size[2:] / size[:-2]
        if (ratios > 1.001).all() and size[-1] > 1.001 * np.abs(steps[:-1]).max():
            return "swinging wider"
        if (ratios < 0.999).all():
            return "swinging, each swing a little smaller"
        centre = (path[-1] + path[-2]) / 2
        minima = [(abs(centre - where), name) for name, where, _ in marks if "min" in name]
        return f"swinging around the {min(minima)[1]}, not settling" if minima else \
            "swinging, not settling"
    return "still moving"


# ---------------------------------------------------------------- the lesson's tables

def quartic_second(x):
    """f''(x) = 12x^2 + 18x + 4, the curvature of the quartic."""
    x = np.asarray(x, dtype=np.float64)
    return 12 * x ** 2 + 18 * x + 4


# f''(x) = 0 at x = (-18 -+ sqrt(132)) / 24: between them the quartic bends downwards.
QUARTIC_BEND = ((-18.0 - np.sqrt(132.0)) / 24.0, (-18.0 + np.sqrt(132.0)) / 24.0)


def stationary_points():
    """The quartic's three stationary points, left to right: [(name, x, f(x), f''(x))]."""
    from .toys import quartic
    points = [("global minimum", QUARTIC_GLOBAL_MIN), ("hilltop (local maximum)", QUARTIC_LOCAL_MAX),
              ("local minimum", QUARTIC_LOCAL_MIN)]
    return [(name, x, float(quartic(x)), float(quartic_second(x))) for name, x in points]


def last_iterates_by_lr(start, lrs, steps, tail=20):
    """Plain gradient descent on the quartic from ``start``, one run per learning rate (all at
    once, elementwise): the last ``tail`` iterates of each run, shape (tail, len(lrs)); nan once
    a run has gone beyond BLOWN_UP."""
    from .toys import quartic_grad
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


def convex_multistart(n_starts=5, steps=3000, seed=0):
    """Linear and logistic regression fitted by plain gradient descent from ``n_starts`` random
    starting weights (N(0, 3^2)) on 100 seeded points with two features and a bias. Also linear
    regression with the first feature given twice (x1, x1, x2: a flat valley of best weights).
    Returns {model: [(start weights, final weights, final loss)]}."""
    rng = np.random.default_rng(seed)
    n = 100
    x1, x2, noise = rng.normal(size=(3, n))
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
