"""Precompute the runs of lesson 12 (regularisation): data/l12_runs.npz.

The lesson's overfitting setting: 300 training digits (lessonlib.data.load_overfit_digits(),
the other 1497 as test), three hidden layers of 128 ReLUs, He initial weights, SGD with
momentum 0.9 and learning rate 0.05, batches of 30, 150 epochs
(lessonlib.recipes.l12_regularisation.train_digits). Five seeds (seed = initial weights, batch
order and dropout masks). Deterministic: single-threaded BLAS, seeded everything.
About 5 minutes on one core.

    .venv/bin/python data/make_l12_runs.py            # writes data/l12_runs.npz

Arrays in the file (C configurations, S seeds, E epochs):
  configs (C,) str, config_decay (C,), config_dropout (C,), seeds (S,), epochs ()
  train_accuracy, test_accuracy, test_loss, weight_norm (C, S, E): per epoch, in inference
      mode, on the 300 training and all 1497 test digits (weight_norm = sqrt(sum W^2))
  sweep_lambdas (A,), sweep_decay_train, sweep_decay_test, sweep_decay_loss (A, S): after the
      last epoch, weight decay lambda only
  sweep_drops (B,), sweep_dropout_train, sweep_dropout_test, sweep_dropout_loss (B, S): after
      the last epoch, dropout ratio only
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from lessonlib.data import load_overfit_digits  # noqa: E402
from lessonlib.recipes.l12_regularisation import train_digits  # noqa: E402

EPOCHS, SEEDS = 150, tuple(range(5))
CONFIGS = [("none", 0.0, 0.0), ("weight decay", 1e-3, 0.0), ("dropout", 0.0, 0.2),
           ("both", 1e-3, 0.2)]
LAMBDAS = (0.0, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2)
DROPS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6)
KEYS = ("train_accuracy", "test_accuracy", "test_loss", "weight_norm")


def main(path=os.path.join(os.path.dirname(os.path.abspath(__file__)), "l12_runs.npz")):
    data = load_overfit_digits()
    out = {k: np.full((len(CONFIGS), len(SEEDS), EPOCHS), np.nan) for k in KEYS}
    finals = {}                                 # (lambda, p_drop, seed) -> final metrics

    def run(lam, p_drop, seed):
        if (lam, p_drop, seed) not in finals:
            _, history, m = train_digits(lam, p_drop, EPOCHS, seed, data=data)
            finals[(lam, p_drop, seed)] = m
            print(f"lambda {lam:g}, dropout {p_drop:g}, seed {seed}: train "
                  f"{m['train_accuracy'][-1]:.3f}, test {m['test_accuracy'][-1]:.3f}, test loss "
                  f"{m['test_loss'][-1]:.3f}, {history.seconds:.1f} s", flush=True)
        return finals[(lam, p_drop, seed)]

    for c, (_, lam, p_drop) in enumerate(CONFIGS):
        for s, seed in enumerate(SEEDS):
            m = run(lam, p_drop, seed)
            for k in KEYS:
                out[k][c, s, :len(m[k])] = m[k]
    sweep = {}
    for name, values, as_args in (("decay", LAMBDAS, lambda v: (v, 0.0)),
                                  ("dropout", DROPS, lambda v: (0.0, v))):
        for key, metric in (("train", "train_accuracy"), ("test", "test_accuracy"),
                            ("loss", "test_loss")):
            sweep[f"sweep_{name}_{key}"] = np.array(
                [[run(*as_args(v), seed)[metric][-1] for seed in SEEDS] for v in values])
    np.savez_compressed(path, configs=np.array([c[0] for c in CONFIGS]),
                        config_decay=np.array([c[1] for c in CONFIGS]),
                        config_dropout=np.array([c[2] for c in CONFIGS]),
                        seeds=np.array(SEEDS), epochs=np.array(EPOCHS),
                        sweep_lambdas=np.array(LAMBDAS), sweep_drops=np.array(DROPS),
                        **out, **sweep)
    print("wrote", path)


if __name__ == "__main__":
    main(*sys.argv[1:])
