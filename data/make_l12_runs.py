"""Precompute the runs of lesson 12 (regularisation): data/l12_runs.npz.

The lesson's overfitting setting (lessonlib.recipes.l12_regularisation): 50 training digits,
300 validation and 1447 test digits (recipe.load_data(), data seed 0), six hidden layers of
100 ReLUs, He initial weights, plain SGD with learning rate 0.05, batches of 10, 300 epochs
(recipe.train_digits). Five seeds (seed = initial weights, batch order and dropout masks):
weight decay alone for each lambda in LAMBDAS (lambda = 0 is the unregularised run), dropout
alone for each ratio in DROPS, and both together (BOTH). Deterministic: single-threaded BLAS,
seeded everything; WORKERS processes share the runs (each run is the same in any process).
About 2 minutes on two idle cores (a run takes 3 to 5 s; all 50 took 3.4 minutes of CPU time).

    .venv/bin/python data/make_l12_runs.py            # writes data/l12_runs.npz

Arrays in the file (A lambdas, B ratios, S seeds, E epochs); every metric per epoch, in
inference mode: train_accuracy, val_accuracy, test_accuracy, val_loss, test_loss (cross-entropy)
and weight_norm (sqrt of the sum of squared weights):
  seeds (S,), epochs (), lambdas (A,), drops (B,), both_lambda (), both_drop ()
  decay_<metric> (A, S, E): weight decay lambdas[a], no dropout
  dropout_<metric> (B, S, E): dropout ratio drops[b], no weight decay
  both_<metric> (S, E): weight decay both_lambda and dropout both_drop
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from lessonlib.recipes import l12_regularisation as recipe  # noqa: E402

EPOCHS, SEEDS = recipe.EPOCHS, tuple(range(5))
LAMBDAS = (0.0, 0.003, 0.01, 0.03, 0.1)
DROPS = (0.0, 0.1, 0.2, 0.3, 0.5)
BOTH = (0.01, 0.2)
KEYS = recipe.KEYS
WORKERS = 2


def one_run(args):
    lam, p_drop, seed, epochs = args
    _, history, m = recipe.train_digits(lam, p_drop, epochs, seed)
    print(f"lambda {lam:g}, dropout {p_drop:g}, seed {seed}: train "
          f"{m['train_accuracy'][-1]:.3f}, test {m['test_accuracy'][-1]:.3f}, "
          f"{history.seconds:.1f} s", flush=True)
    return m


def main(path=os.path.join(os.path.dirname(os.path.abspath(__file__)), "l12_runs.npz")):
    settings = sorted({(lam, 0.0) for lam in LAMBDAS} | {(0.0, p) for p in DROPS} | {BOTH})
    everything = recipe.run_table(one_run, settings, SEEDS, EPOCHS, WORKERS, KEYS)

    def table(pairs):
        rows = [settings.index(pair) for pair in pairs]
        return {k: v[rows] for k, v in everything.items()}

    out = {}
    for name, pairs in (("decay", [(lam, 0.0) for lam in LAMBDAS]),
                        ("dropout", [(0.0, p) for p in DROPS])):
        out.update({f"{name}_{k}": v for k, v in table(pairs).items()})
    out.update({f"both_{k}": v[0] for k, v in table([BOTH]).items()})
    np.savez_compressed(path, seeds=np.array(SEEDS), epochs=np.array(EPOCHS),
                        lambdas=np.array(LAMBDAS), drops=np.array(DROPS),
                        both_lambda=np.array(BOTH[0]), both_drop=np.array(BOTH[1]), **out)
    print("wrote", path)


if __name__ == "__main__":
    main(*sys.argv[1:])
