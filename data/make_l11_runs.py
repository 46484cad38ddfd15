"""Precompute the runs of lesson 11 (LeakyReLU and the summary): data/l11_runs.npz.

Lesson 06's failing network (iris 100 train / 50 test, unscaled; 7 hidden layers of 10 ReLUs;
weights U(-0.01, 0.01); softmax cross-entropy; Adam lr 1e-3; batch 20; 300 epochs), then the
same network with one change at a time, one or two for each family of fixes (inputs
standardised to mean 0 and std 1 with the training set's numbers is one of them). The baseline already
uses the fixes of two families, cross-entropy and Adam: their rows take them away (trained on
the squared error of the softmax output; SGD with momentum 0.9 and lr 0.05, three times the
notes' step, as their loss is our cross-entropy divided by 3: the notebook runs their step,
lr 0.05 / 3, live). Ten seeds each (seed = initial weights and batch order). Deterministic:
single-threaded BLAS, seeded everything. About 3 minutes.

    .venv/bin/python data/make_l11_runs.py               # writes data/l11_runs.npz
    .venv/bin/python data/make_l11_runs.py --notes-adam   # writes data/l11_notes_adam.npz

``--notes-adam``: the Adam rows only (every variant but SGD), with the notes' Adam on our loss,
``recipes.l06_vanishing.notes_adam()`` = ``Adam(lr=0.001, eps=3e-8, efficient=True)``, in place
of lessonlib's Adam (eps 1e-8), the same arrays (names and families of those rows). The notes'
loss is our cross-entropy divided by 3, and so is its gradient, so their eps 1e-8 acts as 3e-8 on
ours; and their Adam is MXNet's mx.opt.adam, which adds eps to the square root of the moment
before the bias correction (the Adam paper's efficient form): an eps of 3e-8 / sqrt(1 - 0.999^t)
on ours in update t (lesson 06, "Aside: the notes' Adam"). The two Adams differ only where
gradients are near or below eps, in the stuck deep nets. (For the squared-error row it is the
same optimiser on our squared error.) About 20 s.

Arrays in the file (V variants, S seeds, E epochs, L = 7 hidden layers):
  names (V,) str, families (V,) str, seeds (S,), epochs ()
  loss (V, S, E)            training cross-entropy per epoch (NaN after a divergence), float32
                            (also for the squared-error run, which is trained on another loss)
  test_accuracy (V, S)      on the 50 held-out flowers
  train_accuracy (V, S)
  grad_mean_abs_seed0 (V, E, L + 1): seed 0's mean |dL/dW| of every weight matrix per epoch
      (history.grad_mean_abs; NaN after a divergence), float32
  never_positive_start (V, S, L), never_positive_end (V, S, L): per hidden layer, the units
      whose input is <= 0 for all 100 training flowers, before and after training
      (dead units, for ReLU; -1 where not meaningful: batch norm, residual, dense)
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from lessonlib.data import load_iris  # noqa: E402
from lessonlib.models import never_positive  # noqa: E402
from lessonlib.recipes.l11_leaky import standardized, train_iris  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DEPTH, EPOCHS, SEEDS = 7, 300, tuple(range(10))

# (name, family, keywords for train_iris): the baseline, then one change at a time
VARIANTS = [
    ("baseline: ReLU, Adam", "baseline", {}),
    ("squared error, not cross-entropy", "loss", dict(loss="squared_error")),
    ("SGD + momentum instead of Adam", "optimiser", dict(optimizer="momentum", lr=0.05)),
    ("LeakyReLU (slope 0.25)", "activation", dict(activation="leaky_relu")),
    ("He initial weights", "normalisation", dict(init="he")),
    ("standardised inputs", "normalisation", dict(standardize=True)),
    ("batch normalisation", "normalisation", dict(batch_norm=True)),
    ("residual connections", "architecture", dict(connection="residual")),
    ("dense connections", "architecture", dict(connection="dense")),
]


def main(path=os.path.join(HERE, "l11_runs.npz"), notes=False):
    """All the variants with lessonlib's Adam (eps 1e-8), or, with ``notes=True``, the Adam rows
    with the notes' Adam (``notes_adam()``)."""
    variants = VARIANTS if not notes else [
        (name, family, dict(kw, notes=True)) for name, family, kw in VARIANTS
        if kw.get("optimizer", "adam") == "adam"]
    data = load_iris(seed=0)
    X, y, X_test, y_test = data
    V, S = len(variants), len(SEEDS)
    loss = np.full((V, S, EPOCHS), np.nan)
    test_acc, train_acc = np.zeros((V, S)), np.zeros((V, S))
    grads0 = np.full((V, EPOCHS, DEPTH + 1), np.nan)
    np_start = np.full((V, S, DEPTH), -1, dtype=np.int64)
    np_end = np.full((V, S, DEPTH), -1, dtype=np.int64)
    for v, (name, family, kw) in enumerate(variants):
        kw = dict(kw)
        activation = kw.pop("activation", "relu")
        plain = not kw.get("batch_norm") and kw.get("connection", "plain") == "plain"
        # the inputs the model sees (standardised for that row)
        Xv, _, Xv_test, _ = standardized(data) if kw.get("standardize") else data
        for s, seed in enumerate(SEEDS):
            if plain:           # the same initial weights as the run below, untrained
                untrained, _ = train_iris(activation, DEPTH, 10, 0, seed, data=data, **kw)
                np_start[v, s] = never_positive(untrained, Xv)
            model, history = train_iris(activation, DEPTH, 10, EPOCHS, seed, data=data, **kw)
            loss[v, s, :history.epochs] = history.loss
            if seed == 0:
                grads0[v, :history.epochs] = history.grad_mean_abs
            test_acc[v, s] = model.score(Xv_test, y_test)
            train_acc[v, s] = model.score(Xv, y)
            if plain:
                np_end[v, s] = never_positive(model, Xv)
            print(f"{name:32s} seed {seed}: loss {history.loss[-1]:.4f}, test "
                  f"{test_acc[v, s]:.2f}, {history.seconds:.1f} s", flush=True)
    np.savez_compressed(path, names=np.array([v[0] for v in variants]),
                        families=np.array([v[1] for v in variants]), seeds=np.array(SEEDS),
                        epochs=np.array(EPOCHS), loss=loss.astype(np.float32),
                        test_accuracy=test_acc, train_accuracy=train_acc,
                        grad_mean_abs_seed0=grads0.astype(np.float32),
                        never_positive_start=np_start,
                        never_positive_end=np_end)
    print("wrote", path)


if __name__ == "__main__":
    if sys.argv[1:] == ["--notes-adam"]:
        main(os.path.join(HERE, "l11_notes_adam.npz"), notes=True)
    else:
        main(*sys.argv[1:])
