"""Lesson 07's exercises:

- ``weight_init``: ``draw_weights(n_in, n_out, scheme, rng)`` draws an (n_in, n_out) weight
  matrix from a normal distribution with mean 0 and the scheme's standard deviation, as
  ``lessonlib.layers.init_weight`` does: "lecun" 1/sqrt(n_in) (init_weight's "xavier", the name
  Deep Learning from Scratch and the notes use), "he" sqrt(2/n_in). Any draw
  from the given generator is right (rng.normal(0, std, size), std * rng.standard_normal(size),
  float32, a transposed draw, ...), so the checker checks properties: the shape; the mean, the
  standard deviation and the kurtosis (3 for a normal, 1.8 for a uniform) of large draws,
  with tolerances a right answer meets by a wide margin (8 to 28 standard errors); and that
  the draw comes from the rng (the same seed gives the same matrix, two seeds or two calls
  with one generator give different ones).
- ``activation_scale``: ``predicted_rms(rms0, k, n, weight_std, activation)``, the root mean
  square of the activations after k layers of n units: each layer multiplies the mean square
  by n * weight_std**2, and a ReLU halves it, so
  rms_k = rms0 * (n * weight_std**2 * (1/2 for ReLU))**(k / 2).
"""
import numpy as np

from ._kit import Exercise, as_numbers, close, compare, named_slip, pair

__all__ = ["weight_init", "activation_scale"]


# ---------------------------------------------------------------- exercise 7a: the initialiser

def reference_draw_weights(n_in, n_out, scheme, rng):
    """An (n_in, n_out) weight matrix drawn from rng: normal, mean 0, standard deviation
    1/sqrt(n_in) for "lecun" and sqrt(2/n_in) for "he" (n_in: the inputs of each unit)."""
    std = {"lecun": 1.0 / np.sqrt(n_in), "he": np.sqrt(2.0 / n_in)}[scheme]
    return rng.normal(0.0, std, size=(n_in, n_out))


def _std(scheme, n_in):
    return {"lecun": 1.0 / np.sqrt(n_in), "he": np.sqrt(2.0 / n_in)}[scheme]


_SMALL = (3, 5, "he")                 # the shape first, on a small matrix: (3, 5) is not (5, 3)
# Large draws (at least 90,000 numbers) for the statistics; n_in and n_out differ by a factor
# of at least 1.3, so fan_out in place of fan_in changes the std by 15 % or more.
_LARGE = [(400, 300, "he"), (300, 500, "lecun"), (800, 200, "lecun"), (150, 600, "he")]
_SEEDS = (7, 8)

# With N >= 90,000 numbers the standard error of the sample std is std / sqrt(2N) < 0.24 % and
# that of the mean std / sqrt(N) < 0.34 %; the kurtosis of a normal sample has standard error
# sqrt(24 / N) < 0.017. A right answer is inside these bounds for every seed; the slips below
# are far outside.
_STD_RTOL = 0.03
_MEAN_TOL = 0.03                     # as a share of the std
_MIN_KURTOSIS = 2.6                  # normal 3, uniform 1.8


def _call(fn, n_in, n_out, scheme, seed, what):
    """(the learner's matrix as a float array, None) or (None, a message)."""
    got = fn(n_in, n_out, scheme, np.random.default_rng(seed))
    arr, problem = as_numbers(what, got)
    if problem:
        return None, problem
    if arr.shape == (n_out, n_in) and n_in != n_out:
        return None, (f"{what} has shape {arr.shape}, which is (n_out, n_in): transposed. In "
                      f"lessonlib a layer computes x @ W with x of shape (N, n_in), so W has "
                      f"shape (n_in, n_out) = ({n_in}, {n_out})")
    if arr.shape != (n_in, n_out):
        return None, (f"{what} has the wrong shape: expected (n_in, n_out) = ({n_in}, "
                      f"{n_out}), got {arr.shape}")
    if not np.isfinite(arr).all():
        return None, f"{what} has a non-finite value"
    return arr, None


def _std_slips(scheme, n_in, n_out, uniform):
    """The std that a usual slip draws with: [(std, message)]; uniform: the draw's kurtosis is
    that of a uniform distribution."""
    right = _std(scheme, n_in)
    other = "he" if scheme == "lecun" else "lecun"
    name = {"lecun": "1/sqrt(n_in)", "he": "sqrt(2/n_in)"}[scheme]
    numerator = {"lecun": 1.0, "he": 2.0}[scheme]
    return [
        (np.sqrt(numerator / n_out),
         f"the std is computed from n_out: a unit sums over its n_in inputs, so Var(z) = n_in "
         f"Var(w) E[x^2]; \"{scheme}\" is {name}, with n_in (fan-in)"),
        (np.sqrt(2.0 / (n_in + n_out)),
         f"the std is sqrt(2/(n_in + n_out)), Glorot and Bengio's Xavier, which averages "
         f"fan-in and fan-out. \"{scheme}\" is {name}, with n_in only"),
        (numerator / n_in,
         f"the std is {'1/n_in' if scheme == 'lecun' else '2/n_in'}: that is the variance. "
         f"rng.normal(loc, scale, size) takes the standard deviation, its square root, {name}"),
        (_std(other, n_in),
         f"the std is that of \"{other}\": \"{scheme}\" is {name}"),
        (right / np.sqrt(3.0),
         f"the values are uniform on [-{name}, {name}] (their kurtosis is 1.8), whose std is "
         f"only {name} / sqrt(3). Draw from a normal distribution with std {name}: "
         f"rng.normal(0, std, size)" if uniform else
         f"the std is {name} / sqrt(3); it should be {name}"),
        (1.0, f"the std is 1: multiply the standard normal draw by the std of \"{scheme}\", "
              f"{name}"),
    ]


def _grade_weights(fn):
    n_in, n_out, scheme = _SMALL
    what = f"your draw_weights({n_in}, {n_out}, \"{scheme}\", rng)"
    _, problem = _call(fn, n_in, n_out, scheme, _SEEDS[0], what)
    if problem:
        return problem
    for n_in, n_out, scheme in _LARGE:
        what = f"your draw_weights({n_in}, {n_out}, \"{scheme}\", rng)"
        W, problem = _call(fn, n_in, n_out, scheme, _SEEDS[0], what)
        problem = (problem or _symmetry_problem(W, what)
                   or _statistics_problem(W, n_in, n_out, scheme, what))
        if problem:
            return problem
    return _from_the_rng(fn)


def _symmetry_problem(W, what):
    """The lesson's symmetry slip: one column (one unit's weights) repeated for every unit."""
    if W.std() > 0 and np.array_equal(W, np.broadcast_to(W[:, :1], W.shape)):
        return (f"{what}: all {W.shape[1]} columns are the same, so every unit gets the same "
                f"weights: the units compute the same output, receive the same gradient and "
                f"stay equal however long the network trains (the symmetry of \"Why random at "
                f"all?\"). Draw every entry on its own: rng.normal(0, std, size=(n_in, n_out))")
    return None


def _statistics_problem(W, n_in, n_out, scheme, what):
    """None if the values of W look like a normal sample with mean 0 and the scheme's std,
    else what is wrong."""
    std = _std(scheme, n_in)
    mean, sample_std = W.mean(), W.std()
    if sample_std == 0:
        return f"{what}: every weight is {mean:.6g}; draw them at random from rng"
    kurtosis = float(np.mean(((W - mean) / sample_std) ** 4))
    slips = _std_slips(scheme, n_in, n_out, uniform=kurtosis < _MIN_KURTOSIS)
    if abs(mean) > _MEAN_TOL * max(std, sample_std):
        if np.all(W >= 0):
            # rng.random (scaled or not) is uniform on [0, 1); abs of a normal draw is not
            if kurtosis >= _MIN_KURTOSIS:
                why = "did you take abs?"
            elif W.max() < 1:
                why = "rng.random is uniform on [0, 1)"
            else:
                why = f"they look uniform on [0, {W.max():.3g}]"
            return (f"{what}: every weight is >= 0 ({why}), mean {mean:.4g}: the weights must "
                    f"have mean 0, both signs equally likely; draw from a normal, "
                    f"rng.normal(0, std, size)")
        if abs(mean - std) < _STD_RTOL * std:
            return (f"{what}: the weights have mean {mean:.4g}, the std of \"{scheme}\": "
                    f"rng.normal(loc, scale, size) takes the mean first, so write "
                    f"rng.normal(0, std, size) (or rng.normal(scale=std, size=...))")
        return (f"{what}: the weights have mean {mean:.4g}; they should have mean 0 "
                f"(their std is {sample_std:.4g})")
    if abs(sample_std / std - 1) > _STD_RTOL:
        for slip_std, message in slips:
            if abs(sample_std / slip_std - 1) <= _STD_RTOL:
                return f"{what}: {message} (expected about {std:.4g}, got {sample_std:.4g})"
        return (f"{what}: the weights have std {sample_std:.4g}; \"{scheme}\" with n_in = "
                f"{n_in} should give about {std:.4g}")
    if kurtosis < _MIN_KURTOSIS:
        return (f"{what}: the std is right, but the weights are not normal (their "
                f"kurtosis is {kurtosis:.2f}; a normal's is 3, a uniform's 1.8). A uniform "
                f"with the right std is a real variant (Keras' he_uniform), but this "
                f"exercise, like lessonlib, draws from a normal: rng.normal(0, std, size)")
    return None


def _from_the_rng(fn):
    """None if the matrix is drawn from the rng it is given, else why not."""
    n_in, n_out, scheme = _LARGE[0]
    what = f"your draw_weights({n_in}, {n_out}, \"{scheme}\", rng)"
    runs = []
    for seed in (_SEEDS[0], _SEEDS[0], _SEEDS[1]):
        W, problem = _call(fn, n_in, n_out, scheme, seed, what)
        if problem:
            return problem
        runs.append(W)
    first, again, other = runs
    if not np.array_equal(first, again):
        return (f"{what}: two generators made from the same seed gave different matrices: "
                f"draw with the rng you are given (rng.normal or rng.standard_normal), not "
                f"np.random, so that a seed reproduces the network")
    if np.array_equal(first, other):
        return (f"{what}: generators made from two different seeds gave the same matrix: your "
                f"function does not draw from the rng it is given (a fixed seed inside?)")
    rng = np.random.default_rng(_SEEDS[0])
    one, two = fn(n_in, n_out, scheme, rng), fn(n_in, n_out, scheme, rng)
    if np.array_equal(np.asarray(one), np.asarray(two)):
        return (f"{what}: two calls with one generator, as for two layers, gave the same "
                f"matrix: draw from rng itself (not a copy of it), so that each layer gets "
                f"its own weights")
    return None


weight_init = Exercise(
    "weight_init", "Exercise 7a (drawing the initial weights)", _grade_weights,
    hints=["A weight matrix of shape (n_in, n_out), every entry drawn independently from a "
           "normal distribution with mean 0. Only the standard deviation depends on the "
           "scheme, and it depends on n_in, the number of inputs each unit sums over.",
           "LeCun's std is 1/sqrt(n_in), He's sqrt(2/n_in) (the table under \"An "
           "initialisation is a scale\"). The generator draws with rng.normal(loc, scale, "
           "size): loc is the mean, scale the standard deviation.",
           "std = np.sqrt(2.0 / n_in) if scheme == \"he\" else 1.0 / np.sqrt(n_in); "
           "return rng.normal(0.0, std, size=(n_in, n_out))"],
    reference=reference_draw_weights, answer_name="draw_weights")


# ---------------------------------------------------------------- exercise 7b: the prediction

def reference_predicted_rms(rms0, k, n, weight_std, activation):
    """The root mean square of the activations after k layers h = f(h_prev @ W) of n inputs
    each (weights: mean 0, std weight_std; no biases), from inputs of root mean square rms0."""
    gain = n * weight_std ** 2          # one layer multiplies the mean square by n Var(w) ...
    if activation == "relu":
        gain = gain / 2                 # ... and a ReLU zeroes half of it
    return rms0 * gain ** (k / 2)       # the root of the mean square after k layers


# (rms0, k, n, weight_std, activation). The first ones have n * weight_std**2 far from 1 and 2,
# so that every slip changes the value; then the lesson's five-layer stacks of 100 units
# (LeCun 0.1, He sqrt(0.02), std 1 and 0.01) and no layer at all.
_SCALE_CASES = [
    (0.8, 6, 200, 0.12, "relu"),
    (2.0, 4, 64, 0.1, "linear"),
    (1.0, 3, 50, 0.25, "relu"),
    (3.0, 10, 30, 0.2, "linear"),
    (1.0, 1, 100, 0.1, "relu"),
    (1.0, 5, 100, 0.1, "relu"),
    (1.0, 5, 100, np.sqrt(0.02), "relu"),
    (1.0, 5, 100, 1.0, "relu"),
    (1.0, 5, 100, 0.01, "relu"),
    (1.5, 0, 100, 0.3, "relu"),
]


def _scale_slips(rms0, k, n, w, activation):
    """What the usual slips compute: [(value, message)]."""
    relu = activation == "relu"
    half = 0.5 if relu else 1.0
    gain = n * w ** 2 * half
    rms = rms0 * gain ** (k / 2)
    slips = []
    if relu and k > 0:
        # h = ReLU(z), z normal with mean 0: E[h] = rms sqrt(1/pi), so Var(h) = rms^2 (1 - 1/pi)
        slips.append((rms * np.sqrt(1 - 1 / np.pi),
                      "your prediction is the standard deviation of the ReLU outputs, "
                      "sqrt(1 - 1/pi) times their root mean square: a ReLU's outputs are "
                      "never negative, so their mean is not 0 and the standard deviation is "
                      "smaller than sqrt(E[h^2]). Return the root mean square itself"))
    if k % 2 == 1:
        slips.append((rms0 * gain ** (k // 2),
                      f"your prediction uses k // 2, integer division: it floors an odd k "
                      f"({k} // 2 = {k // 2}), so the factor is applied one layer too few. "
                      f"Use k / 2"))
    if relu:
        slips += [
            (rms0 * (n * w ** 2 * 2) ** (k / 2),
             "your prediction doubles the mean square in each ReLU layer (ReLU x2): He's 2, in "
             "sqrt(2 / n), is the cure, a weight variance twice as large to make up for the "
             "ReLU; the ReLU itself sets the negative half of its inputs to 0 and keeps half "
             "of the mean square, so each ReLU layer multiplies it by n * weight_std**2 / 2"),
            (rms0 * (n * w ** 2) ** (k / 2),
             "your prediction leaves out the ReLU's 1/2: a ReLU sets the negative half of its "
             "inputs to 0, so each ReLU layer multiplies the mean square by n * weight_std**2 "
             "/ 2"),
            (rms0 * (n * w ** 2) ** ((k - 1) / 2) * np.sqrt(n * w ** 2) / np.sqrt(2),
             "your prediction halves the mean square once, not in every layer: each ReLU "
             "layer multiplies it by n * weight_std**2 / 2"),
            (rms0 * (np.sqrt(n) * w / 2) ** k,
             "your prediction halves the root mean square in each ReLU layer; the ReLU halves "
             "the mean square, so the root mean square shrinks by sqrt(2)"),
            (rms0 * np.sqrt(n * w ** 2) * gain ** ((k - 1) / 2) if k >= 1 else None,
             f"your prediction halves the mean square in {k - 1} of the {k} ReLU layers, not "
             f"in all {k}: either it is the root mean square of z_{k} = h_{k - 1} @ W_{k}, "
             f"before the last ReLU (the activations h_{k} = ReLU(z_{k}) have half its mean "
             f"square), or it skips one layer's 1/2, for example the first's (each of the "
             f"{k} layers is a ReLU layer, the first one too)"),
        ]
    else:
        slips += [
            (rms0 * (n * w ** 2 / 2) ** (k / 2),
             "your prediction halves the mean square of a linear layer: only a ReLU zeroes "
             "half of its inputs; a linear layer multiplies the mean square by "
             "n * weight_std**2"),
        ]
    slips += [
        (rms0 * gain ** ((k - 1) / 2), "your prediction counts one layer too few: after k "
                                       "layers the factor has been applied k times"),
        (rms0 * gain ** ((k + 1) / 2), "your prediction counts one layer too many: after k "
                                       "layers the factor has been applied k times"),
        (rms0 ** 2 * gain ** k, "you returned the mean square; the root mean square is its "
                                "square root"),
        (rms0 * gain ** k, "your prediction multiplies the root mean square by the factor of "
                           "the mean square, n * weight_std**2" + (" / 2" if relu else "") +
                           "; the root mean square gets its square root per layer"),
        (rms0 * (n * w * half) ** (k / 2),
         "your prediction uses weight_std where the variance belongs: Var(w) = weight_std**2"),
        (gain ** (k / 2), "your prediction leaves out rms0: every layer scales what it "
                          "receives, so the result is rms0 times the factor"),
        (rms0 * gain ** k / 2 if k > 0 else None,
         "your prediction computes factor ** k / 2 (factor: what one layer multiplies the "
         "mean square by): ** binds tighter than /, so the exponent is k and the result is "
         "halved; write factor ** (k / 2)"),
    ]
    return slips


def _grade_scale(fn):
    for rms0, k, n, w, activation in _SCALE_CASES:
        what = (f"predicted_rms({rms0:g}, {k}, {n}, {w:.6g}, \"{activation}\")")
        expected = reference_predicted_rms(rms0, k, n, w, activation)
        slips = _scale_slips(rms0, k, n, w, activation)
        got = fn(rms0, k, n, w, activation)
        got_arr, problem = as_numbers(f"your {what}", got)
        if problem:
            return problem
        if got_arr.shape != ():
            return (f"your {what} has the wrong shape: expected (), got {got_arr.shape}; "
                    f"return one number, the last layer's")
        if close(got_arr, expected):
            continue
        message = named_slip(got_arr, slips)
        if message:
            want, have = pair(expected, got_arr)
            return f"your {what} is {have}, expected {want}: {message}"
        return compare(f"your {what}", got_arr, expected)
    return None


activation_scale = Exercise(
    "activation_scale", "Exercise 7b (the scale after k layers)", _grade_scale,
    hints=["Follow the mean square E[h^2] from layer to layer, as in the derivation: a layer "
           "with n inputs multiplies it by n * Var(w), and a ReLU keeps half of it. Take the "
           "square root at the end.",
           "One layer: E[h_k^2] = n * weight_std**2 * E[h_(k-1)^2], times 1/2 for ReLU. After "
           "k layers that factor has been applied k times, so E[h_k^2] = rms0**2 * factor**k.",
           "factor = n * weight_std**2 / (2 if activation == \"relu\" else 1); "
           "return rms0 * factor ** (k / 2)"],
    reference=reference_predicted_rms, answer_name="predicted_rms")
