"""Precompute how sure lesson 12's networks are on the test digits: data/l12_confidence.npz.

Why does the unregularised network's test loss rise after epoch 20 while its test accuracy
stays flat? The runs of make_l12_runs.py (the lesson's setting: 50 training digits, six hidden
layers of 100 ReLUs, plain SGD, lr 0.05, batches of 10, 300 epochs) retrained in its four
settings (no regularisation, weight decay 0.01, dropout 0.2, both) and five seeds, measuring every epoch,
in inference mode, on the 1447 test digits (recipe.confidence): the fraction right, the
cross-entropy on the digits it gets right and on those it gets wrong, the mean probability of
the true class and the mean largest probability on the wrong digits; and the test loss, which
is the same as l12_runs.npz's. Deterministic: single-threaded BLAS, seeded
everything; WORKERS processes share the runs. About 1-2 minutes on two cores.

    .venv/bin/python data/make_l12_confidence.py      # writes data/l12_confidence.npz

Arrays in the file (M settings, S seeds, E epochs): seeds (S,), epochs (), lambdas (M,),
drops (M,); test_loss (M, S, E) and <key> (M, S, E) for each key of recipe.CONFIDENCE_KEYS.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from lessonlib.recipes import l12_regularisation as recipe  # noqa: E402

EPOCHS, SEEDS = recipe.EPOCHS, tuple(range(5))
SETTINGS = ((0.0, 0.0), (0.01, 0.0), (0.0, 0.2), (0.01, 0.2))   # (lambda, dropout)
KEYS = ("test_loss",) + recipe.CONFIDENCE_KEYS
WORKERS = 2


def one_run(args):
    lam, p_drop, seed, epochs = args
    _, history, m = recipe.train_digits(lam, p_drop, epochs, seed, split=True)
    print(f"lambda {lam:g}, dropout {p_drop:g}, seed {seed}: test loss {m['test_loss'][-1]:.3f}, "
          f"{history.seconds:.1f} s", flush=True)
    return {k: m[k] for k in KEYS}


def main(path=os.path.join(os.path.dirname(os.path.abspath(__file__)), "l12_confidence.npz")):
    out = recipe.run_table(one_run, SETTINGS, SEEDS, EPOCHS, WORKERS, KEYS)
    np.savez_compressed(path, seeds=np.array(SEEDS), epochs=np.array(EPOCHS),
                        lambdas=np.array([s[0] for s in SETTINGS]),
                        drops=np.array([s[1] for s in SETTINGS]), **out)
    print("wrote", path)


if __name__ == "__main__":
    main(*sys.argv[1:])
