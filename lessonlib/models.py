"""The MLP the course trains: plain, residual or dense connections, optional batch norm and
dropout, trained by mini-batches with any optimiser of ``lessonlib.optim``."""
import math
import time
from dataclasses import dataclass, field
from typing import Optional

import numpy as np
from scipy.linalg.blas import dasum

from ._checks import (as_rng, check_choice, check_features, check_fraction, check_int,
                      check_labels, check_real)
from .connections import CONNECTIONS
from .data import batch_indices
from .layers import ACTIVATIONS, BatchNorm, Dropout, LeakyReLU, Linear, SoftmaxCrossEntropy, softmax
from .optim import Optimizer


@dataclass(eq=False)
class History:
    """What one call of ``MLP.fit`` recorded, one row per completed epoch.

    loss: mean training cross-entropy of the epoch's batches (without the L2 penalty).
    grad_mean_abs: (epochs, n_weights) mean |dL/dW| of each weight matrix, averaged over batches.
    weight_change_mean_abs: (epochs, n_weights) mean |W_after - W_before| per batch, averaged.
    batch_*: the same per batch, when fit(record_batches=True).
    train_accuracy / val_accuracy: per epoch, when fit(validation_data=...) is given.
    diverged: the loss or the weights stopped being finite; training stopped at that epoch.
    """
    weight_names: list
    loss: np.ndarray
    grad_mean_abs: np.ndarray
    weight_change_mean_abs: np.ndarray
    diverged: bool = False
    diverged_epoch: Optional[int] = None
    batch_loss: Optional[np.ndarray] = None
    batch_grad_mean_abs: Optional[np.ndarray] = None
    batch_weight_change_mean_abs: Optional[np.ndarray] = None
    train_accuracy: Optional[np.ndarray] = None
    val_accuracy: Optional[np.ndarray] = None
    seconds: float = field(default=0.0, compare=False)

    @property
    def epochs(self):
        return len(self.loss)


def never_positive(model, X):
    """Per hidden layer, how many units have an input <= 0 for every row of X (read from
    ``model.forward_trace(X)``). For ReLU these units output 0 for every example and get no
    gradient at all: they are dead, and stay dead unless an earlier layer changes their input.
    For LeakyReLU they still pass ``slope`` times the gradient and can come back."""
    names = {f"{model.activation}{b.index}" for b in model.blocks}
    return np.array([int((h.max(axis=0) <= 0).sum()) for name, h in model.forward_trace(X)
                     if name in names])


class HiddenBlock:
    """fc -> (batch norm) -> activation -> (dropout): one hidden layer of the MLP."""

    def __init__(self, index, n_in, width, activation, batch_norm, fix_gamma, dropout, init,
                 slope, rng_init, rng_drop):
        self.index = index
        self.activation = activation
        self.fc = Linear(n_in, width, init=init, rng=rng_init)
        self.bn = BatchNorm(width, fix_gamma=fix_gamma) if batch_norm else None
        act_cls = ACTIVATIONS[activation]
        self.act = act_cls(slope) if act_cls is LeakyReLU else act_cls()
        self.drop = Dropout(dropout, rng=rng_drop) if dropout > 0 else None
        named = [(f"fc{index}", self.fc), (f"bn{index}", self.bn),
                 (f"{activation}{index}", self.act), (f"dropout{index}", self.drop)]
        self.named_layers = [(name, layer) for name, layer in named if layer is not None]
        # built once: a 1000-layer net walks these lists 1000 times per batch
        self._after_fc_reversed = [layer for _, layer in reversed(self.named_layers[1:])]

    def forward(self, x, training, trace=None):
        for name, layer in self.named_layers:
            x = layer.forward(x, training)
            if trace is not None:
                trace.append((name, x))
        return x

    def backward(self, dout, input_grad=True):
        for layer in self._after_fc_reversed:
            dout = layer.backward(dout)
        return self.fc.backward(dout, input_grad=input_grad)


class MLP:
    """A multilayer perceptron for classification with softmax cross-entropy.

    Parameters
    ----------
    n_in, hidden, n_out : input features, hidden widths (a list, one per hidden layer), classes.
    activation : "relu", "sigmoid", "tanh" or "leaky_relu" (slope ``slope``, default 0.25).
    connection : "plain"; "residual" (r_1 = h_1, r_i = h_i + r_{i-1}, the output reads r_L;
        all hidden widths equal); "dense" (layer i >= 2 reads concat(h_1, ..., h_{i-1}),
        the output reads concat(h_1, ..., h_L)).
    batch_norm : fc -> batch norm -> activation in every hidden layer (eps 1e-3, moving
        averages 0.9 * old + 0.1 * batch); fix_gamma=True keeps gamma at 1 as MxNet does.
    dropout : p_drop of an inverted dropout after every hidden activation (training only).
    init : "uniform" U(-0.01, 0.01), "normal" (std 1), "xavier", "he", or a float std.
    seed : None, an int or a Generator; fixes the initial weights and the dropout masks.

    ``params`` names arrays as the seeds' MxNet models do: fc1_weight (n_in, width), fc1_bias,
    bn1_gamma, bn1_beta, ..., fc{L+1}_weight for the output; ``aux`` holds bn{i}_moving_mean
    and bn{i}_moving_var. They are views into the model: editing them edits the model.
    """

    def __init__(self, n_in, hidden, n_out, *, activation="relu", connection="plain",
                 batch_norm=False, dropout=0.0, init="uniform", seed=0, fix_gamma=False,
                 slope=0.25):
        self.n_in = check_int("n_in", n_in, low=1)
        self.n_out = check_int("n_out", n_out, low=2)
        self.hidden = self._check_hidden(hidden)
        self.activation = check_choice("activation", activation, tuple(ACTIVATIONS))
        self.connection = check_choice("connection", connection, tuple(CONNECTIONS))
        self.wiring = CONNECTIONS[self.connection](self.hidden)     # its forward and backward
        self.batch_norm = bool(batch_norm)
        self.fix_gamma = bool(fix_gamma)
        self.dropout = check_fraction("dropout", dropout)
        self.init = init
        rng = as_rng(seed)
        n_layers = len(self.hidden)
        rngs = rng.spawn(2 * n_layers + 1)      # one child per layer: init and dropout independent
        self.blocks = []
        for i, width in enumerate(self.hidden):
            self.blocks.append(HiddenBlock(
                i + 1, self.wiring.input_width(i, self.n_in), width, self.activation,
                self.batch_norm, self.fix_gamma, self.dropout, init, slope, rngs[2 * i],
                rngs[2 * i + 1]))
        self.out = Linear(self.wiring.output_width(), self.n_out, init=init, rng=rngs[-1])
        self._loss = SoftmaxCrossEntropy()
        self._pack_parameters()

    # ----- construction -------------------------------------------------------------------
    @staticmethod
    def _check_hidden(hidden):
        if isinstance(hidden, (int, np.integer)) and not isinstance(hidden, bool):
            hidden = [hidden]
        try:
            widths = list(hidden)
        except TypeError:
            raise TypeError(f"hidden must be a list of hidden-layer widths such as [10, 10]; "
                            f"got {hidden!r}") from None
        if not widths:
            raise ValueError("hidden must list at least one hidden-layer width, such as [10]; "
                             "got an empty list")
        return tuple(check_int(f"hidden[{i}]", w, low=1) for i, w in enumerate(widths))

    def _named_arrays(self):
        """(name, layer, key) for every trainable array; weight matrices first."""
        fcs = [(b.index, b.fc) for b in self.blocks] + [(len(self.blocks) + 1, self.out)]
        weights = [(f"fc{i}_weight", fc, "W") for i, fc in fcs]
        rest = [(f"fc{i}_bias", fc, "b") for i, fc in fcs]
        for b in self.blocks:
            if b.bn is not None:
                rest += [(f"bn{b.index}_gamma", b.bn, "gamma"), (f"bn{b.index}_beta", b.bn, "beta")]
        return weights, rest

    def _pack_parameters(self):
        # All parameters live in one flat array (and all gradients in another), the layers
        # holding views: an optimiser step is then a few vectorised operations, however deep.
        weights, rest = self._named_arrays()
        named = weights + rest
        sizes = [layer.params[key].size for _, layer, key in named]
        self._flat = np.empty(sum(sizes))
        self._flat_grad = np.zeros(sum(sizes))
        self._views, self._grad_views = {}, {}
        start = 0
        for (name, layer, key), size in zip(named, sizes):
            shape = layer.params[key].shape
            self._flat[start:start + size] = layer.params[key].ravel()
            layer.params[key] = self._flat[start:start + size].reshape(shape)
            layer.grads[key] = self._flat_grad[start:start + size].reshape(shape)
            self._views[name] = layer.params[key]
            self._grad_views[name] = layer.grads[key]
            start += size
        self.weight_names = [name for name, _, _ in weights]
        weight_sizes = np.array(sizes[:len(weights)])
        self._n_weight_elems = int(weight_sizes.sum())
        self._weight_offsets = np.concatenate([[0], np.cumsum(weight_sizes)[:-1]])
        self._weight_sizes = weight_sizes
        self._weight_slices = [slice(a, a + k) for a, k in zip(self._weight_offsets, weight_sizes)]
        self._flat_views = {}       # id(flat array) -> its weight slices, for _weight_mean_abs
        self._stats_buffer = np.empty(self._n_weight_elems)

    # ----- public views ---------------------------------------------------------------------
    @property
    def params(self):
        """{name: array} of every trainable array (views: editing them edits the model)."""
        return dict(self._views)

    @property
    def aux(self):
        """{bn{i}_moving_mean, bn{i}_moving_var: array}: the batch-norm inference statistics."""
        aux = {}
        for b in self.blocks:
            if b.bn is not None:
                aux[f"bn{b.index}_moving_mean"] = b.bn.aux["moving_mean"]
                aux[f"bn{b.index}_moving_var"] = b.bn.aux["moving_var"]
        return aux

    @property
    def n_params(self):
        return self._flat.size

    def __repr__(self):
        extras = "".join([", batch_norm=True" if self.batch_norm else "",
                          f", dropout={self.dropout:g}" if self.dropout else ""])
        return (f"MLP({self.n_in}, {list(self.hidden)}, {self.n_out}, activation="
                f"{self.activation!r}, connection={self.connection!r}{extras}, "
                f"init={self.init!r}) with {self.n_params} parameters")

    # ----- forward and backward -------------------------------------------------------------
    def _forward(self, X, training, trace=None):
        """Logits (N, n_out). With ``trace`` (a list), append every named intermediate."""
        logits = self.out.forward(self.wiring.forward(self.blocks, X, training, trace), training)
        if trace is not None:
            trace.append((f"fc{len(self.blocks) + 1}", logits))
        return logits

    def _backward(self, dlogits):
        """Fill every layer's grads from d loss / d logits."""
        self.wiring.backward(self.blocks, self.out.backward(dlogits))

    def _forward_backward(self, X, y, weight_decay):
        """Training-mode forward and backward; gradients land in the flat buffer.
        Returns (cross-entropy, L2 penalty weight_decay / 2 * sum W^2)."""
        logits = self._forward(X, training=True)
        loss = self._loss.forward(logits, y)
        self._backward(self._loss.backward())
        penalty = 0.0
        if weight_decay:
            w = self._flat[:self._n_weight_elems]
            self._flat_grad[:self._n_weight_elems] += weight_decay * w     # d/dW of the penalty
            penalty = 0.5 * weight_decay * float(w @ w)
        return loss, penalty

    # ----- public API -------------------------------------------------------------------------
    def _check_X(self, X, name="X"):
        return check_features(X, self.n_in, name=name, owner=f"this MLP (n_in={self.n_in})")

    def forward_trace(self, X):
        """Inference-mode intermediates [(name, array), ...] from fc1 to the softmax, in order:
        fc{i}, bn{i}, relu{i} (or the activation's name), r{i} (residual sums) or concat{i}."""
        X = self._check_X(X)
        trace = []
        with np.errstate(all="ignore"):
            logits = self._forward(X, training=False, trace=trace)
            trace.append(("softmax", softmax(logits)))
        return trace

    def predict_proba(self, X):
        """Class probabilities (N, n_out), inference mode (moving batch-norm statistics)."""
        X = self._check_X(X)
        with np.errstate(all="ignore"):
            return softmax(self._forward(X, training=False))

    def predict(self, X):
        """Most probable class per row (N,)."""
        return np.argmax(self.predict_proba(X), axis=1)

    def score(self, X, y):
        """Accuracy on (X, y)."""
        X = self._check_X(X)
        y = check_labels(y, len(X), self.n_out)
        return float(np.mean(self.predict(X) == y))

    def loss_and_grads(self, X, y, weight_decay=0.0):
        """Training-mode forward and backward on one batch -> (loss, grads keyed like params).

        The loss is the mean softmax cross-entropy plus weight_decay / 2 * sum of squared
        weights (weight matrices only). Batch norm's moving statistics are updated, as in training.
        """
        X = self._check_X(X)
        y = check_labels(y, len(X), self.n_out)
        weight_decay = check_real("weight_decay", weight_decay, low=0.0)
        with np.errstate(all="ignore"):
            loss, penalty = self._forward_backward(X, y, weight_decay)
        return loss + penalty, {name: g.copy() for name, g in self._grad_views.items()}

    def _weight_mean_abs(self, flat, buf):
        """Mean |value| of each weight matrix's slice of a flat array (gradients or changes)."""
        if len(self._weight_slices) <= 32:
            # BLAS asum: one pass, no temporary; per call it costs ~1 us, so only for few matrices
            views = self._flat_views.get(id(flat))
            if views is None or views[0].base is not flat:
                views = self._flat_views[id(flat)] = [flat[s] for s in self._weight_slices]
            return np.array([dasum(v) for v in views]) / self._weight_sizes
        np.abs(flat[:self._n_weight_elems], out=buf)
        return np.add.reduceat(buf, self._weight_offsets) / self._weight_sizes

    def fit(self, X, y, optimizer, epochs, batch_size, seed=0, weight_decay=0.0, *,
            validation_data=None, record_batches=False, callback=None):
        """Train with mini-batches drawn without replacement (one permutation per epoch).

        Returns a ``History``. The optimiser is reset first. A run whose loss or weights stop
        being finite stops at that epoch with ``history.diverged = True``; it never raises for it.
        ``callback(epoch, history)``, if given, is called after every epoch (for progress bars).
        """
        X = self._check_X(X)
        if len(X) == 0:
            raise ValueError("X must have at least one row; got 0")
        y = check_labels(y, len(X), self.n_out)
        if not isinstance(optimizer, Optimizer):
            raise TypeError("optimizer must be a lessonlib.optim optimiser such as "
                            f"Adam(lr=0.001); got {optimizer!r}")
        epochs = check_int("epochs", epochs, low=0)
        batch_size = min(check_int("batch_size", batch_size, low=1), len(X))
        weight_decay = check_real("weight_decay", weight_decay, low=0.0)
        if validation_data is not None:
            try:
                X_val, y_val = validation_data
            except (TypeError, ValueError):
                raise TypeError("validation_data must be a pair (X_val, y_val)") from None
            X_val = self._check_X(X_val, name="X_val")
            y_val = check_labels(y_val, len(X_val), self.n_out, name="y_val")
        rng = as_rng(seed)
        optimizer.reset()

        n = len(X)
        n_batches = -(-n // batch_size)
        n_w = len(self.weight_names)
        hist = History(self.weight_names, np.zeros(epochs), np.zeros((epochs, n_w)),
                       np.zeros((epochs, n_w)))
        if record_batches:
            hist.batch_loss = np.zeros(epochs * n_batches)
            hist.batch_grad_mean_abs = np.zeros((epochs * n_batches, n_w))
            hist.batch_weight_change_mean_abs = np.zeros((epochs * n_batches, n_w))
        if validation_data is not None:
            hist.train_accuracy, hist.val_accuracy = np.zeros(epochs), np.zeros(epochs)
        start_time = time.perf_counter()
        done = 0
        with np.errstate(all="ignore"):     # divergence is detected and reported, not warned
            for epoch in range(epochs):
                if not self._train_epoch(X, y, optimizer, batch_size, weight_decay, rng, hist,
                                         epoch, n_batches):
                    hist.diverged, hist.diverged_epoch = True, epoch
                    break
                if validation_data is not None:
                    hist.train_accuracy[epoch] = np.mean(self.predict(X) == y)
                    hist.val_accuracy[epoch] = np.mean(self.predict(X_val) == y_val)
                done = epoch + 1
                if callback is not None:
                    callback(epoch, hist)
        hist.seconds = time.perf_counter() - start_time
        if done < epochs:
            self._trim(hist, done, n_batches)
        return hist

    def _train_epoch(self, X, y, optimizer, batch_size, weight_decay, rng, hist, epoch,
                     n_batches):
        """One pass over the data; fills row ``epoch`` of hist. False if the loss or the
        weights stopped being finite."""
        params, grads = {"all": self._flat}, {"all": self._flat_grad}
        buf = self._stats_buffer
        n_w = len(self.weight_names)
        loss_sum, grad_sum, change_sum = 0.0, np.zeros(n_w), np.zeros(n_w)
        for b, idx in enumerate(batch_indices(len(X), batch_size, rng)):
            loss, penalty = self._forward_backward(X[idx], y[idx], weight_decay)
            if not math.isfinite(loss + penalty):
                return False
            grad_stats = self._weight_mean_abs(self._flat_grad, buf)
            delta = optimizer.step(params, grads)["all"]
            change_stats = self._weight_mean_abs(delta, buf)
            loss_sum += loss * len(idx)
            grad_sum += grad_stats
            change_sum += change_stats
            if hist.batch_loss is not None:
                row = epoch * n_batches + b
                hist.batch_loss[row] = loss
                hist.batch_grad_mean_abs[row] = grad_stats
                hist.batch_weight_change_mean_abs[row] = change_stats
        if not np.isfinite(self._flat).all():
            return False
        hist.loss[epoch] = loss_sum / len(X)
        hist.grad_mean_abs[epoch] = grad_sum / n_batches
        hist.weight_change_mean_abs[epoch] = change_sum / n_batches
        return True

    @staticmethod
    def _trim(hist, epochs, n_batches):
        for name in ("loss", "grad_mean_abs", "weight_change_mean_abs", "train_accuracy",
                     "val_accuracy"):
            if getattr(hist, name) is not None:
                setattr(hist, name, getattr(hist, name)[:epochs])
        for name in ("batch_loss", "batch_grad_mean_abs", "batch_weight_change_mean_abs"):
            if getattr(hist, name) is not None:
                setattr(hist, name, getattr(hist, name)[:epochs * n_batches])
