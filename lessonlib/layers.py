"""Layers with forward/backward, in the style of cs231n's layers.

Every layer has ``forward(x, training=False)`` and ``backward(dout)``. Trainable arrays live in
``params`` and their gradients in ``grads`` under the same keys. ``forward`` keeps what
``backward`` needs in ``_cache``; ``backward`` returns a new array and never modifies ``dout``.
"""
import numpy as np

from ._checks import as_rng, check_fraction, check_int, check_real
from ._perturb import perturbed


class Layer:
    """Base class: no parameters, a cache that backward needs."""

    def __init__(self):
        self.params = {}
        self.grads = {}
        self._cache = None

    def forward(self, x, training=False):
        raise NotImplementedError

    def backward(self, dout):
        raise NotImplementedError

    def _take_cache(self):
        if self._cache is None:
            raise RuntimeError(f"{type(self).__name__}.backward was called before forward(x, "
                               "training=True); run forward on a batch first")
        return self._cache

    def __repr__(self):
        return f"{type(self).__name__}()"


def init_weight(n_in, n_out, init="uniform", rng=None):
    """A (n_in, n_out) weight matrix.

    init: "uniform" U(-0.01, 0.01) (the seeds' default), "normal" (std 1),
    "xavier" (std 1/sqrt(n_in)), "he" (std sqrt(2/n_in)), or a float: normal with that std.
    """
    rng = as_rng(rng)
    if isinstance(init, str):
        if init == "uniform":
            return perturbed(rng.uniform(-0.01, 0.01, size=(n_in, n_out)))
        std = {"normal": 1.0, "xavier": 1.0 / np.sqrt(n_in), "he": np.sqrt(2.0 / n_in)}.get(init)
        if std is None:
            raise ValueError(f"unknown init {init!r}; valid values are 'uniform', 'normal', "
                             "'xavier', 'he' or a float (the std of a normal)")
    else:
        std = check_real("init", init, low=0.0, low_open=True)
    return perturbed(rng.normal(0.0, std, size=(n_in, n_out)))


class Linear(Layer):
    """x @ W + b. Shape: (N, n_in) -> (N, n_out). W has shape (n_in, n_out), b (n_out,)."""

    def __init__(self, n_in, n_out, init="uniform", rng=None):
        super().__init__()
        self.n_in = check_int("n_in", n_in, low=1)
        self.n_out = check_int("n_out", n_out, low=1)
        self.params = {"W": init_weight(self.n_in, self.n_out, init, rng),
                       "b": np.zeros(self.n_out)}
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}

    def forward(self, x, training=False):
        self._cache = x
        out = x @ self.params["W"]
        out += self.params["b"]             # in place: one allocation fewer per layer
        return out

    def backward(self, dout, input_grad=True):
        """dout (N, n_out) -> dx (N, n_in); fills grads. input_grad=False skips dx (first layer)."""
        x = self._take_cache()
        np.matmul(x.T, dout, out=self.grads["W"])          # (n_in, n_out)
        np.add.reduce(dout, axis=0, out=self.grads["b"])    # = dout.sum(axis=0), no wrapper
        return dout @ self.params["W"].T if input_grad else None

    def __repr__(self):
        return f"Linear({self.n_in}, {self.n_out})"


class ReLU(Layer):
    """max(0, x) elementwise. Shape: any -> same."""

    def forward(self, x, training=False):
        self._cache = x > 0.0               # the derivative: 1 where x > 0, else 0
        return np.maximum(x, 0.0)

    def backward(self, dout):
        return dout * self._take_cache()


class LeakyReLU(Layer):
    """x if x > 0 else slope * x. Shape: any -> same."""

    def __init__(self, slope=0.25):
        super().__init__()
        self.slope = check_real("slope", slope, low=0.0, high=1.0)

    def forward(self, x, training=False):
        self._cache = x > 0.0
        return np.where(self._cache, x, self.slope * x)

    def backward(self, dout):
        positive = self._take_cache()
        return np.where(positive, dout, self.slope * dout)

    def __repr__(self):
        return f"LeakyReLU(slope={self.slope:g})"


class Sigmoid(Layer):
    """1 / (1 + exp(-x)); derivative s (1 - s) <= 0.25. Shape: any -> same."""

    def forward(self, x, training=False):
        # The tanh form never overflows, unlike 1 / (1 + exp(-x)) for x << 0.
        out = 0.5 * (1.0 + np.tanh(0.5 * x))
        self._cache = out
        return out

    def backward(self, dout):
        s = self._take_cache()
        return dout * s * (1.0 - s)


class Tanh(Layer):
    """tanh(x); derivative 1 - tanh(x)^2. Shape: any -> same."""

    def forward(self, x, training=False):
        out = np.tanh(x)
        self._cache = out
        return out

    def backward(self, dout):
        t = self._take_cache()
        return dout * (1.0 - t * t)


class BatchNorm(Layer):
    """Batch normalisation over the batch axis. Shape: (N, D) -> (N, D).

    Training: x_hat = (x - mean_B) / sqrt(var_B + eps), y = gamma * x_hat + beta, and the moving
    statistics become momentum * old + (1 - momentum) * batch. Inference uses the moving ones.
    fix_gamma=True keeps gamma at 1 with no gradient, as MxNet's BatchNorm(fix_gamma=TRUE) does.
    """

    def __init__(self, dim, eps=1e-3, momentum=0.9, fix_gamma=False):
        super().__init__()
        self.dim = check_int("dim", dim, low=1)
        self.eps = check_real("eps", eps, low=0.0, low_open=True)
        self.momentum = check_fraction("momentum", momentum)
        self.fix_gamma = bool(fix_gamma)
        self.params = {"gamma": np.ones(self.dim), "beta": np.zeros(self.dim)}
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self.aux = {"moving_mean": np.zeros(self.dim), "moving_var": np.ones(self.dim)}

    def forward(self, x, training=False):
        gamma = 1.0 if self.fix_gamma else self.params["gamma"]
        if not training:
            x_hat = (x - self.aux["moving_mean"]) / np.sqrt(self.aux["moving_var"] + self.eps)
            return gamma * x_hat + self.params["beta"]
        mean = x.mean(axis=0)
        var = x.var(axis=0)                                  # biased: divides by N
        inv_std = 1.0 / np.sqrt(var + self.eps)
        x_hat = (x - mean) * inv_std
        m = self.momentum
        self.aux["moving_mean"] *= m
        self.aux["moving_mean"] += (1.0 - m) * mean
        self.aux["moving_var"] *= m
        self.aux["moving_var"] += (1.0 - m) * var
        self._cache = (x_hat, inv_std)
        return gamma * x_hat + self.params["beta"]

    def backward(self, dout):
        x_hat, inv_std = self._take_cache()
        np.sum(dout, axis=0, out=self.grads["beta"])
        if self.fix_gamma:
            self.grads["gamma"][...] = 0.0
            dx_hat = dout
        else:
            np.sum(dout * x_hat, axis=0, out=self.grads["gamma"])
            dx_hat = dout * self.params["gamma"]
        # The three paths from x to the loss (direct, through the mean, through the variance)
        # collapse into one line; lesson 08 derives it step by step.
        return inv_std * (dx_hat - dx_hat.mean(axis=0) - x_hat * (dx_hat * x_hat).mean(axis=0))

    def __repr__(self):
        return f"BatchNorm({self.dim}, eps={self.eps:g}, fix_gamma={self.fix_gamma})"


class Dropout(Layer):
    """Inverted dropout: in training, zero each unit with probability p_drop and scale the
    survivors by 1 / (1 - p_drop), so inference needs no change. Shape: any -> same."""

    def __init__(self, p_drop=0.5, rng=None):
        super().__init__()
        self.p_drop = check_fraction("p_drop", p_drop)
        self.rng = as_rng(rng)

    def forward(self, x, training=False):
        if not training or self.p_drop == 0.0:
            self._cache = None
            return x
        keep = 1.0 - self.p_drop
        mask = (self.rng.random(x.shape) < keep) / keep
        self._cache = mask
        return x * mask

    def backward(self, dout):
        if self._cache is None:     # p_drop == 0 or inference: identity
            return dout.copy()
        return dout * self._cache

    def __repr__(self):
        return f"Dropout(p_drop={self.p_drop:g})"


class SoftmaxCrossEntropy:
    """Mean softmax cross-entropy of logits (N, K) against integer labels (N,)."""

    def __init__(self):
        self._cache = None

    def forward(self, logits, y):
        # Subtracting the row max keeps exp from overflowing; the softmax is unchanged.
        z = logits - logits.max(axis=1, keepdims=True)
        n = len(y)
        rows = np.arange(n)
        picked = z[rows, y]                                 # the true class's shifted logit
        np.exp(z, out=z)
        sum_exp = z.sum(axis=1)
        # mean of log(sum exp) - picked, as one dot product with 1/n instead of two sums
        loss = float((np.log(sum_exp) - picked) @ np.full(n, 1.0 / n))
        z /= sum_exp[:, None]                               # now the softmax probabilities
        self._cache = (z, rows, y)
        return loss

    def backward(self):
        """d loss / d logits = (softmax - onehot) / N."""
        if self._cache is None:
            raise RuntimeError("SoftmaxCrossEntropy.backward was called before forward")
        probs, rows, y = self._cache
        dlogits = probs * (1.0 / len(y))
        dlogits[rows, y] -= 1.0 / len(y)
        return dlogits


def softmax(logits):
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


ACTIVATIONS = {"relu": ReLU, "sigmoid": Sigmoid, "tanh": Tanh, "leaky_relu": LeakyReLU}
