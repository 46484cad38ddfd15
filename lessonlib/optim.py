"""Optimisers: one update rule each, the same objects for a 1-parameter demo and a network.

``step(params, grads)`` updates every array of ``params`` in place from the array of ``grads``
with the same key, keeping per-parameter state under that key, and returns the changes it applied
(``{name: delta}``; the arrays are reused by the next step). ``reset()`` forgets the state;
``descend`` and ``MLP.fit`` call it, so every run starts afresh. ``make_optimizer`` builds one
by name, for the lessons' tables and explorers.
"""
import numbers

import numpy as np
from scipy.linalg.blas import daxpy

from ._checks import check_fraction, check_int, check_lr, check_real
from ._perturb import perturbed


def add_scaled(y, x, a=1.0):
    """y += a * x, in place. For flat float64 arrays (a network's parameters) BLAS axpy does it
    in one pass, about twice as fast as NumPy's in-place add; anything else goes through NumPy."""
    if (y.ndim == 1 and y.dtype == np.float64 == x.dtype and y.flags.c_contiguous
            and x.flags.c_contiguous and y.shape == x.shape):
        daxpy(x, y, a=a)        # writes into y itself: it is contiguous float64
    else:
        y += a * x


class Optimizer:
    def __init__(self, lr):
        self.lr = check_lr(lr)
        self.reset()

    def reset(self):
        self.t = 0                  # number of steps taken
        self.state = {}             # name -> dict of arrays the rule carries between steps
        self._delta = {}            # name -> buffer for the change applied at the last step

    def step(self, params, grads):
        self.t += 1
        for name, param in params.items():
            if name not in self.state:
                self.state[name] = self._init_state(param)
                self._delta[name] = np.empty_like(param)
            delta = self._delta[name]
            self._update(delta, grads[name], self.state[name])
            add_scaled(param, delta)
        return self._delta

    def _init_state(self, param):
        return {}

    def _update(self, delta, grad, state):
        """Write the change for this step into ``delta``."""
        raise NotImplementedError

    def __repr__(self):
        fields = ", ".join(f"{k}={v}" if isinstance(v, bool) else f"{k}={v:g}"
                           for k, v in self._hyper().items())
        return f"{type(self).__name__}({fields})"

    def _hyper(self):
        return {"lr": self.lr}


class SGD(Optimizer):
    """Gradient descent with heavy-ball momentum:
    v_t = momentum * v_{t-1} - lr * g_t,  x_t = x_{t-1} + v_t  (v_0 = 0),
    which is x_t = x_{t-1} - lr * g_t + momentum * (x_{t-1} - x_{t-2})."""

    def __init__(self, lr, momentum=0.0):
        self.momentum = check_fraction("momentum", momentum)
        super().__init__(lr)

    def _init_state(self, param):
        return {"v": np.zeros_like(param)} if self.momentum else {}

    def _update(self, delta, grad, state):
        np.multiply(grad, -self.lr, out=delta)
        if self.momentum:
            v = state["v"]
            v *= self.momentum
            v += delta
            delta[...] = v

    def _hyper(self):
        return {"lr": self.lr, "momentum": self.momentum}


class Adagrad(Optimizer):
    """n_t = n_{t-1} + g_t^2,  x_t = x_{t-1} - lr * g_t / (sqrt(n_t) + eps)."""

    def __init__(self, lr, eps=1e-8):
        self.eps = check_real("eps", eps, low=0.0, low_open=True)
        super().__init__(lr)

    def _init_state(self, param):
        return {"n": np.zeros_like(param)}

    def _update(self, delta, grad, state):
        n = state["n"]
        n += grad * grad
        np.sqrt(n, out=delta)
        delta += self.eps
        np.divide(grad, delta, out=delta)
        delta *= -self.lr

    def _hyper(self):
        return {"lr": self.lr, "eps": self.eps}


class RMSProp(Optimizer):
    """Adagrad with a decaying average instead of a sum (the Adadelta / RMSProp idea):
    n_t = beta * n_{t-1} + (1 - beta) * g_t^2,  x_t = x_{t-1} - lr * g_t / (sqrt(n_t) + eps)."""

    def __init__(self, lr, beta=0.9, eps=1e-8):
        self.beta = check_fraction("beta", beta)
        self.eps = check_real("eps", eps, low=0.0, low_open=True)
        super().__init__(lr)

    def _init_state(self, param):
        return {"n": np.zeros_like(param)}

    def _update(self, delta, grad, state):
        n = state["n"]
        n *= self.beta
        n += (1.0 - self.beta) * grad * grad
        np.sqrt(n, out=delta)
        delta += self.eps
        np.divide(grad, delta, out=delta)
        delta *= -self.lr

    def _hyper(self):
        return {"lr": self.lr, "beta": self.beta, "eps": self.eps}


class Adam(Optimizer):
    """Momentum on the gradient plus RMSProp's scaling, with bias correction:
    m_t = b1 m + (1 - b1) g,  n_t = b2 n + (1 - b2) g^2,
    m_hat = m_t / (1 - b1^t),  n_hat = n_t / (1 - b2^t),
    x_t = x_{t-1} - lr * m_hat / (sqrt(n_hat) + eps).

    efficient=True: the Adam paper's "efficient" order (Kingma and Ba, end of section 2), which
    TensorFlow 1, Keras and MXNet (the lecture notes' framework) use: lr_t = lr sqrt(1 - b2^t) /
    (1 - b1^t), x_t = x_{t-1} - lr_t * m_t / (sqrt(n_t) + eps). It is the rule above with
    eps / sqrt(1 - b2^t) in place of eps: a larger eps in the first steps (31.6 times at t = 1),
    which only matters for gradients near eps or below."""

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, efficient=False):
        self.beta1 = check_fraction("beta1", beta1)
        self.beta2 = check_fraction("beta2", beta2)
        self.eps = check_real("eps", eps, low=0.0, low_open=True)
        if not isinstance(efficient, (bool, np.bool_)):
            raise TypeError(f"efficient must be True or False, got {type(efficient).__name__} "
                            f"{efficient!r}")
        self.efficient = bool(efficient)
        super().__init__(lr)

    def _init_state(self, param):
        # p = m / (1 - b1) and q = n / (1 - b2): the decaying sums of g and g^2. Keeping the sums
        # saves two passes over the parameters per step; the factors join the scalars below.
        return {"p": np.zeros_like(param), "q": np.zeros_like(param),
                "tmp": np.empty_like(param)}

    def moments(self, name):
        """(m, n) of parameter ``name`` after the last step, as in the formulas above."""
        state = self.state[name]
        return (1.0 - self.beta1) * state["p"], (1.0 - self.beta2) * state["q"]

    def _update(self, delta, grad, state):
        b1, b2 = self.beta1, self.beta2
        p, q, tmp = state["p"], state["q"], state["tmp"]   # tmp: no allocation per step
        p *= b1
        add_scaled(p, grad)                                # p_t = b1 p + g
        q *= b2
        add_scaled(q, np.multiply(grad, grad, out=tmp))    # q_t = b2 q + g^2
        # m_hat / (sqrt(n_hat) + eps) with m_hat = (1 - b1) p / (1 - b1^t) and
        # sqrt(n_hat) = sqrt(q) * k, k = sqrt((1 - b2) / (1 - b2^t)): divide through by k.
        k = np.sqrt((1.0 - b2) / (1.0 - b2 ** self.t))
        eps = self.eps / np.sqrt(1.0 - b2 ** self.t) if self.efficient else self.eps
        np.sqrt(q, out=delta)
        delta += eps / k
        np.divide(p, delta, out=delta)
        delta *= -self.lr * (1.0 - b1) / ((1.0 - b1 ** self.t) * k)

    def _hyper(self):
        hyper = {"lr": self.lr, "beta1": self.beta1, "beta2": self.beta2, "eps": self.eps}
        return {**hyper, "efficient": True} if self.efficient else hyper


# The optimisers by name, as the lessons list them. "sgd" is plain gradient descent; "momentum" is
# the same class with heavy-ball momentum: one name per update rule, so a name means the same
# optimiser in every lesson.
OPTIMIZER_NAMES = ("sgd", "momentum", "adagrad", "rmsprop", "adam")


def make_optimizer(name, lr, **hyper):
    """A fresh optimiser called ``name`` (one of OPTIMIZER_NAMES) with learning rate ``lr``.
    ``hyper``: the class's other keywords (``momentum`` for "momentum", 0.9 unless given;
    ``beta`` for "rmsprop"; ``beta1``, ``beta2`` for "adam"; ``eps``)."""
    if name == "momentum":
        return SGD(lr, **{"momentum": 0.9, **hyper})
    if name == "sgd" and "momentum" in hyper:
        raise ValueError('"sgd" is plain gradient descent; for momentum use the name "momentum"')
    classes = {"sgd": SGD, "adagrad": Adagrad, "rmsprop": RMSProp, "adam": Adam}
    if name not in classes:
        raise ValueError(f"unknown optimiser {name!r}; valid names are "
                         f"{', '.join(OPTIMIZER_NAMES)}")
    return classes[name](lr, **hyper)


def descend(grad_fn, x0, optimizer, steps):
    """Iterate ``optimizer`` on the gradient ``grad_fn`` from ``x0`` for ``steps`` updates.

    Returns the path: x0 first, then every iterate; shape (steps + 1,) for a scalar x0,
    (steps + 1, d) for a vector. A diverging run is returned as it is (values may become
    inf or nan) without warnings.
    """
    if not callable(grad_fn):
        raise TypeError(f"grad_fn must be a function of x returning the gradient; got {grad_fn!r}")
    if not isinstance(optimizer, Optimizer):
        raise TypeError("optimizer must be a lessonlib.optim optimiser such as SGD(lr=0.1); "
                        f"got {optimizer!r}")
    steps = check_int("steps", steps, low=0)
    if isinstance(x0, bool) or not (isinstance(x0, numbers.Real) or np.ndim(x0) == 1):
        raise TypeError(f"x0 must be a number or a 1-D sequence of numbers; got {x0!r}")
    x = np.array(x0, dtype=np.float64)
    if not np.isfinite(x).all():
        raise ValueError(f"x0 must be finite; got {x0!r}")
    x = np.array(perturbed(x))
    optimizer.reset()
    path = np.empty((steps + 1,) + x.shape)
    path[0] = x
    params = {"x": x}
    with np.errstate(all="ignore"):
        for i in range(1, steps + 1):
            grad = np.asarray(grad_fn(x.copy() if x.ndim else float(x)), dtype=np.float64)
            if grad.shape != x.shape:
                raise ValueError(f"grad_fn returned shape {grad.shape}; expected {x.shape}, "
                                 "the shape of x0")
            optimizer.step(params, {"x": grad})
            path[i] = x
    return path
