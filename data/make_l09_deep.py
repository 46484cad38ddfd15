"""Precompute lesson 09's deep residual runs (about 4 minutes on one quiet core).

    .venv/bin/python data/make_l09_deep.py        # from the repository root

Writes ``l09_deep.npz`` next to this script. Every run is the residual iris net of lesson 09:
``MLP(4, [10] * depth, 3, connection="residual", seed=seed)`` (ReLU, weights uniform on
[-0.01, 0.01]), trained on ``lessonlib.data.load_iris(seed=0)`` (100 training flowers, 50 test
flowers, unscaled) with batches of 20 for 100 epochs, ``fit(..., seed=seed)``, seeds 0, 1, 2.

Two groups of runs, each stored under its prefix (``d100_`` and ``d1000_``):

- depth 100: Adam lr 1e-3; SGD lr 0.05 momentum 0.9; SGD lr 0.005 momentum 0.9.
- depth 1000: Adam lr 1e-3; Adam lr 1e-4; Adam lr 1e-3 with batch norm in every hidden layer;
  SGD lr 0.005 momentum 0.9.

Arrays of a group (v = variant, s = seed, e = epoch, k = a recorded weight matrix, i = a hidden
layer), NaN after a divergence:

- ``variants`` (names), ``labels`` (for legends), ``seeds``, ``grad_layers`` (the k: the index
  of fc{k}_weight; the last one is the output layer);
- ``loss[v, s, e]``: mean training cross-entropy of each epoch;
- ``train_accuracy[v, s, e]``, ``test_accuracy[v, s, e]``: after each epoch;
- ``grad[v, s, e, k]``: mean |dL/dW| of fc{grad_layers[k]}_weight in each epoch;
- ``seconds[v, s]``: the fit's wall time on the machine that ran this script (not exact);
- ``r_init[v, s, i]``, ``r_epoch1[v, s, i]``, ``r_final[v, s, i]``: mean |r_i| over the training
  flowers (inference mode) before training, after epoch 1 and after epoch 100, where
  r_1 = relu1 and r_i = h_i + r_{i-1};
- ``dead_init``, ``dead_epoch1``, ``dead_final`` ``[v, s, i]``: the fraction of layer i's ReLUs
  that output 0 for all 100 training flowers (a unit whose gradient is 0 on every batch), at the
  same three moments.

Deterministic: every run is seeded; rerunning gives the same numbers (except ``seconds``) on the
same NumPy/BLAS.
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from lessonlib import MLP  # noqa: E402
from lessonlib import single_thread  # noqa: E402
from lessonlib.data import load_iris  # noqa: E402
from lessonlib.recipes.l09_residual import OPTIMIZERS  # noqa: E402

EPOCHS, BATCH, WIDTH = 100, 20, 10
SEEDS = (0, 1, 2)


def variant(name, optimizer, batch_norm=False):
    """(name, label, optimiser factory, batch norm) of one variant: ``name`` as the file stores
    it, ``optimizer`` a key of lesson 09's OPTIMIZERS, whose label the file stores too."""
    label, factory = OPTIMIZERS[optimizer]
    return name, label + (" + batch norm" if batch_norm else ""), factory, batch_norm


GROUPS = {
    100: [variant("adam_1e-3", "adam_1e-3"), variant("sgd_0.05", "momentum_0.05"),
          variant("sgd_0.005", "momentum_0.005")],
    1000: [variant("adam_1e-3", "adam_1e-3"), variant("adam_1e-4", "adam_1e-4"),
           variant("adam_1e-3_bn", "adam_1e-3", batch_norm=True),
           variant("sgd_0.005", "momentum_0.005")],
}
GRAD_LAYERS = {100: (1, 2, 10, 50, 100, 101), 1000: (1, 2, 10, 100, 500, 1000, 1001)}


def layer_stats(model, X):
    """(mean |r_i|, fraction of dead ReLUs) per hidden layer i, inference mode."""
    trace = dict(model.forward_trace(X))
    depth = len(model.hidden)
    r = [trace["relu1"]] + [trace[f"r{i}"] for i in range(2, depth + 1)]
    r_mean = np.array([np.abs(v).mean() for v in r])
    dead = np.array([(trace[f"relu{i}"].max(axis=0) <= 0).mean() for i in range(1, depth + 1)])
    return r_mean, dead


def run_group(depth, data):
    X_train, y_train, X_test, y_test = data
    variants = GROUPS[depth]
    nv, ns = len(variants), len(SEEDS)
    k = np.array(GRAD_LAYERS[depth])
    out = {name: np.full((nv, ns, EPOCHS), np.nan) for name in
           ("loss", "train_accuracy", "test_accuracy")}
    out["grad"] = np.full((nv, ns, EPOCHS, len(k)), np.nan)
    out["seconds"] = np.zeros((nv, ns))
    for moment in ("init", "epoch1", "final"):
        out[f"r_{moment}"] = np.full((nv, ns, depth), np.nan, dtype=np.float32)
        out[f"dead_{moment}"] = np.full((nv, ns, depth), np.nan, dtype=np.float32)
    for v, (name, label, make_opt, bn) in enumerate(variants):
        for s, seed in enumerate(SEEDS):
            model = MLP(4, [WIDTH] * depth, 3, connection="residual", batch_norm=bn, seed=seed)
            out["r_init"][v, s], out["dead_init"][v, s] = layer_stats(model, X_train)

            def after_epoch(epoch, _hist, v=v, s=s, model=model):
                if epoch == 0:
                    out["r_epoch1"][v, s], out["dead_epoch1"][v, s] = layer_stats(model, X_train)

            hist = model.fit(X_train, y_train, make_opt(), epochs=EPOCHS, batch_size=BATCH,
                             seed=seed, validation_data=(X_test, y_test), callback=after_epoch)
            n = hist.epochs
            out["loss"][v, s, :n] = hist.loss
            out["train_accuracy"][v, s, :n] = hist.train_accuracy
            out["test_accuracy"][v, s, :n] = hist.val_accuracy
            out["grad"][v, s, :n] = hist.grad_mean_abs[:, k - 1]
            out["seconds"][v, s] = hist.seconds
            if not hist.diverged:
                out["r_final"][v, s], out["dead_final"][v, s] = layer_stats(model, X_train)
            print(f"depth {depth}, {label}, seed {seed}: loss {hist.loss[-1]:.4f}, test accuracy "
                  f"{hist.val_accuracy[-1]:.2f}, {hist.seconds:.1f} s"
                  + (" (diverged)" if hist.diverged else ""), flush=True)
    out["variants"] = np.array([v[0] for v in variants])
    out["labels"] = np.array([v[1] for v in variants])
    out["seeds"] = np.array(SEEDS)
    out["grad_layers"] = k
    return {f"d{depth}_{name}": value for name, value in out.items()}


if __name__ == "__main__":
    data = load_iris(seed=0)
    arrays = {}
    with single_thread():
        for depth in GROUPS:
            arrays.update(run_group(depth, data))
    np.savez_compressed(os.path.join(HERE, "l09_deep.npz"), **arrays)
    print("wrote", os.path.join(HERE, "l09_deep.npz"))
