"""Precompute lesson 12's runs with more training digits: data/l12_more.npz.

The lesson's unregularised network (lessonlib.recipes.l12_regularisation, as in
make_l12_runs.py: six hidden layers of 100 ReLUs, plain SGD, lr 0.05, batches of 10, 300
epochs) trained on 50, 100, 200 and 300 digits (recipe.load_more_data: the lesson's 50 plus
digits taken from its test set), measured on the same 300 validation digits and on the same
1197 test digits (none of them trained on). Five seeds per size (initial weights and batch
order). More digits make more steps per epoch, so the larger runs are longer. Deterministic:
single-threaded BLAS, seeded everything; WORKERS processes share the runs. About 3 minutes on
two cores.

    .venv/bin/python data/make_l12_more.py            # writes data/l12_more.npz

Arrays in the file (N sizes, S seeds, E epochs): seeds (S,), epochs (), sizes (N,);
<metric> (N, S, E) for train_accuracy, val_accuracy, test_accuracy, val_loss, test_loss,
weight_norm, every epoch in inference mode.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from lessonlib.recipes import l12_regularisation as recipe  # noqa: E402

EPOCHS, SEEDS = recipe.EPOCHS, tuple(range(5))
SIZES = (50, 100, 200, 300)
KEYS = recipe.KEYS
WORKERS = 2


def one_run(args):
    n_train, seed, epochs = args
    _, history, m = recipe.train_digits(0.0, 0.0, epochs, seed,
                                        data=recipe.load_more_data(n_train))
    print(f"{n_train} training digits, seed {seed}: train {m['train_accuracy'][-1]:.3f}, "
          f"test {m['test_accuracy'][-1]:.3f}, {history.seconds:.1f} s", flush=True)
    return m


def main(path=os.path.join(os.path.dirname(os.path.abspath(__file__)), "l12_more.npz")):
    jobs = [(n, seed, EPOCHS) for n in sorted(SIZES, reverse=True) for seed in SEEDS]
    done = {job[:2]: m for job, m in recipe.run_jobs(one_run, jobs, WORKERS).items()}
    out = {k: np.array([[done[(n, seed)][k] for seed in SEEDS] for n in SIZES]) for k in KEYS}
    np.savez_compressed(path, seeds=np.array(SEEDS), epochs=np.array(EPOCHS),
                        sizes=np.array(SIZES), **out)
    print("wrote", path)


if __name__ == "__main__":
    main(*sys.argv[1:])
