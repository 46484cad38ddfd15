"""Precompute lesson 12's two-moons runs: data/l12_moons.npz.

A setting small enough to draw what the network learns (lessonlib.recipes.l12_regularisation,
``train_moons``): 40 noisy two-moons training points and 1000 test points (recipe.load_moons(),
noise 0.35), four hidden layers of 100 ReLUs, He initial weights, plain SGD with learning rate
0.05, batches of 10, 1500 epochs. Four settings (no regularisation, weight decay 0.01 and 0.03,
dropout 0.5), ten seeds each (seed = initial weights, batch order and dropout masks; the points
stay the same). Deterministic: single-threaded BLAS, seeded everything; WORKERS processes share
the runs. About a minute on two cores.

    .venv/bin/python data/make_l12_moons.py            # writes data/l12_moons.npz

Arrays in the file (M settings, S seeds, G2 x G1 grid):
  seeds (S,), epochs (), lambdas (M,), drops (M,): setting m is weight decay lambdas[m] and
  dropout drops[m]; grid_x1 (G1,), grid_x2 (G2,): recipe.MOONS_GRID
  train_accuracy, test_accuracy (M, S): after the last epoch, in inference mode
  grid_proba (M, S, G2, G1): the network's probability of class 1 on the grid (float16)
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from lessonlib.recipes import l12_regularisation as recipe  # noqa: E402

EPOCHS, SEEDS = recipe.MOONS_EPOCHS, tuple(range(10))
SETTINGS = ((0.0, 0.0), (0.01, 0.0), (0.03, 0.0), (0.0, 0.5))      # (lambda, dropout)
KEYS = ("train_accuracy", "test_accuracy", "grid_proba")
WORKERS = 2


def one_run(args):
    lam, p_drop, seed, epochs = args
    _, m = recipe.train_moons(lam, p_drop, epochs, seed)
    print(f"moons, lambda {lam:g}, dropout {p_drop:g}, seed {seed}: train "
          f"{m['train_accuracy']:.3f}, test {m['test_accuracy']:.3f}", flush=True)
    return m


def main(path=os.path.join(os.path.dirname(os.path.abspath(__file__)), "l12_moons.npz")):
    out = recipe.run_table(one_run, SETTINGS, SEEDS, EPOCHS, WORKERS, KEYS)
    out["grid_proba"] = out["grid_proba"].astype(np.float16)
    np.savez_compressed(path, seeds=np.array(SEEDS), epochs=np.array(EPOCHS),
                        lambdas=np.array([lam for lam, _ in SETTINGS]),
                        drops=np.array([p for _, p in SETTINGS]),
                        grid_x1=recipe.MOONS_GRID[0], grid_x2=recipe.MOONS_GRID[1], **out)
    print("wrote", path)


if __name__ == "__main__":
    main(*sys.argv[1:])
