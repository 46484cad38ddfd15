"""Precompute lesson 12's runs with wrong training labels: data/l12_noisy.npz.

The lesson's setting (lessonlib.recipes.l12_regularisation, as in make_l12_runs.py: 50 training
digits, six hidden layers of 100 ReLUs, plain SGD, lr 0.05, batches of 10, 300 epochs), but 12
of the 50 training labels replaced by another class (recipe.load_noisy_data(): label generator
seed 12); the validation and test labels stay right. Four settings (no regularisation, weight
decay 0.01, dropout 0.2, both), five seeds each (seed = initial weights, batch order and
dropout masks). Deterministic: single-threaded BLAS, seeded everything; WORKERS processes share
the runs. 3 to 6 minutes on two cores (6 when they are shared).

    .venv/bin/python data/make_l12_noisy.py            # writes data/l12_noisy.npz

Arrays in the file (M settings, S seeds, E epochs); every metric per epoch, in inference mode,
the training accuracy measured against the (partly wrong) labels the network trained on:
  seeds (S,), epochs (), lambdas (M,), drops (M,): setting m is weight decay lambdas[m] and
  dropout drops[m]; wrong (12,): the relabelled training digits; y_train (50,): the labels used
  <metric> (M, S, E) for train_accuracy, val_accuracy, test_accuracy, val_loss, test_loss,
  weight_norm
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from lessonlib.recipes import l12_regularisation as recipe  # noqa: E402

EPOCHS, SEEDS = recipe.EPOCHS, tuple(range(5))
SETTINGS = ((0.0, 0.0), (0.01, 0.0), (0.0, 0.2), (0.01, 0.2))      # (lambda, dropout)
KEYS = recipe.KEYS
WORKERS = 2


def one_run(args):
    lam, p_drop, seed, epochs = args
    data, _ = recipe.load_noisy_data()
    _, history, m = recipe.train_digits(lam, p_drop, epochs, seed, data=data)
    print(f"wrong labels, lambda {lam:g}, dropout {p_drop:g}, seed {seed}: train "
          f"{m['train_accuracy'][-1]:.3f}, test {m['test_accuracy'][-1]:.3f}, "
          f"{history.seconds:.1f} s", flush=True)
    return m


def main(path=os.path.join(os.path.dirname(os.path.abspath(__file__)), "l12_noisy.npz")):
    out = recipe.run_table(one_run, SETTINGS, SEEDS, EPOCHS, WORKERS, KEYS)
    (_, y_train, *_), wrong = recipe.load_noisy_data()
    np.savez_compressed(path, seeds=np.array(SEEDS), epochs=np.array(EPOCHS),
                        lambdas=np.array([lam for lam, _ in SETTINGS]),
                        drops=np.array([p for _, p in SETTINGS]), wrong=wrong,
                        y_train=y_train, **out)
    print("wrote", path)


if __name__ == "__main__":
    main(*sys.argv[1:])
