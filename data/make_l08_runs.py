"""Precompute lesson 08's multi-seed training runs and its 25-layer run (about a minute on one
core).

    .venv/bin/python data/make_l08_runs.py                # from the repository root: all three
    .venv/bin/python data/make_l08_runs.py deep25         # only l08_deep25.npz (about 4 s)
    .venv/bin/python data/make_l08_runs.py seeds sweep    # only the other two
    OPENBLAS_CORETYPE=Nehalem .venv/bin/python data/make_l08_runs.py kernels
                                                          # l08_kernels.csv's rows of a kernel

Writes, next to this script:

- ``l08_seeds.csv``: the iris net of lessons 06 and 08 (``recipes.l06_vanishing.fit_iris``:
  width 10, ReLU, weights uniform on [-0.01, 0.01], Adam lr 0.001, batch 20, 100 epochs,
  ``load_iris(seed=0)``) with 7 and 25 hidden layers, without batch norm, with batch norm, and
  with batch norm and gamma fixed at 1, for seeds 0-9 (the model's seed and the mini-batch
  seed). Columns: depth, batch_norm (0/1), fix_gamma (0/1), seed, final_loss (training loss of
  epoch 100), train_accuracy, test_accuracy; read it with ``lessonlib.data.read_csv``.
  The 7-layer rows hold on every CPU (measured: the same test accuracies, and final losses
  within 1e-12, relative, with OpenBLAS's Sandybridge, Nehalem and Prescott kernels against
  Haswell; within 2e-9 with LESSONLIB_PERTURB=1e-12). The 25-layer rows with batch norm are
  chaotic, like ``l08_deep25.npz`` below: their test accuracies depend on the CPU (without
  batch norm every kernel gives 0.30 for every seed); ``l08_kernels.csv`` holds them for other
  kernels.
- ``l08_kernels.csv`` (only with the ``kernels`` part, run once per kernel): the 25-layer rows
  of ``l08_seeds.csv`` with batch norm (gamma learned, and fixed at 1), seeds 0-9, rerun with
  other OpenBLAS kernels and with the inputs nudged. Columns: cpu (the index into
  ``recipes.l08_batchnorm.OTHER_CPUS``: 0 Sandybridge, 1 Nehalem, 2 Prescott, 3 perturbed),
  fix_gamma (0/1), seed, test_accuracy; read it with ``recipes.l08_batchnorm.load_other_cpu_runs``.
  Made on an x86-64 machine whose default OpenBLAS kernel is SkylakeX (OpenBLAS 0.3.31, NumPy's
  wheel), by these four commands, each about 15 s (the last one replays the stored Haswell
  kernel with the data and initial weights nudged by a relative 1e-12, ``lessonlib/_perturb.py``):

      OPENBLAS_CORETYPE=Sandybridge .venv/bin/python data/make_l08_runs.py kernels
      OPENBLAS_CORETYPE=Nehalem .venv/bin/python data/make_l08_runs.py kernels
      OPENBLAS_CORETYPE=Prescott .venv/bin/python data/make_l08_runs.py kernels
      OPENBLAS_CORETYPE=Haswell LESSONLIB_PERTURB=1e-12 .venv/bin/python data/make_l08_runs.py kernels

  They gave the same rows as an earlier measurement on the machine that made ``l08_seeds.csv``
  (whose default kernel is Haswell). From 0.28 to 0.96, and in every row at least 8 of the 10
  seeds below 0.9: lesson 08, section 6, prints them; tests/test_claims_l08.py checks the file
  against the rows written out by hand.
- ``l08_scale_sweep.npz``: the 7-hidden-layer net with weights drawn from N(0, std^2) for std in
  ``stds``, with and without batch norm, seeds 0-4: the loss of every epoch
  (``loss[std, bn, seed, epoch]``, NaN after a divergence) and the test accuracy.
- ``l08_deep25.npz``: section 6's run, the same iris net with 25 hidden layers and batch norm,
  seed 0 (``recipe.train_iris(25, batch_norm=True)``): its per-epoch ``History`` (loss,
  grad_mean_abs, weight_change_mean_abs, weight_names) and the species it predicts for the 50
  test flowers (moving averages, as ``model.predict``); read it with
  ``recipes.l08_batchnorm.load_deep25_run``. It is stored because its late epochs are chaotic:
  the first 50 or so epochs are the same on every CPU (measured: loss within 2e-6, gradients
  within 7e-4, relative), later ones depend on the last bits that a CPU's BLAS kernel rounds.
  OpenBLAS's Haswell kernel puts a loss spike of 1.99 in epoch 78 and ends at test accuracy
  0.62; Sandybridge and LESSONLIB_PERTURB=1e-12 stay below 0.72 after epoch 30 and end at 0.62;
  Nehalem stays below 0.78 but ends predicting virginica for every flower (0.32). The lowest
  loss after epoch 30 is 0.50-0.51 with all four. The stored file was made with OpenBLAS's
  Haswell kernel (the default of the machine that made it).

Every run uses lessonlib's Adam (eps 1e-8). Lesson 08 reruns the 7-layer rows live with the
lecture notes' Adam on our loss (``recipes.l06_vanishing.notes_adam``: eps 3e-8, as their loss
is ours divided by 3, in MXNet's efficient form; lesson 06), in about 4 s: those hold on every
CPU (measured: the same test accuracies, final losses within 1e-12 with OpenBLAS's Sandybridge
and Nehalem kernels, within 3e-10 with LESSONLIB_PERTURB=1e-12), so they are not stored. So does
the 42-epoch quiet phase of the 25-layer net with the notes' Adam that the lesson prints
(the same per-epoch gradients to two digits up to epoch 55 with all four).

Deterministic: every run is seeded; rerunning gives the same numbers on the same NumPy/BLAS.
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from lessonlib.data import load_iris, read_csv, write_csv  # noqa: E402
from lessonlib.optim import make_optimizer  # noqa: E402
from lessonlib.recipes.l06_vanishing import fit_iris  # noqa: E402
from lessonlib.recipes.l08_batchnorm import OTHER_CPUS, save_deep25_run  # noqa: E402

EPOCHS, LR, WIDTH = 100, 1e-3, 10
SEEDS = range(10)
VARIANTS = [dict(batch_norm=False, fix_gamma=False), dict(batch_norm=True, fix_gamma=False),
            dict(batch_norm=True, fix_gamma=True)]
SWEEP_STDS = (0.001, 0.01, 0.1, 1.0, 10.0)
SWEEP_SEEDS = range(5)
DEEP25_DEPTH, DEEP25_SEED = 25, 0


def train(depth, seed, data, **kw):
    """One run of the table or the sweep: (model, history); ``kw`` go to MLP."""
    return fit_iris(make_optimizer("adam", LR), [WIDTH] * depth, epochs=EPOCHS, seed=seed,
                    data=data, **kw)


def seed_table(data):
    rows = []
    for depth in (7, 25):
        for kw in VARIANTS:
            for seed in SEEDS:
                model, hist = train(depth, seed, data, **kw)
                rows.append([depth, kw["batch_norm"], kw["fix_gamma"], seed,
                             round(float(hist.loss[-1]), 6), model.score(data[0], data[1]),
                             model.score(data[2], data[3])])
                print(*rows[-1], flush=True)
    write_csv(os.path.join(HERE, "l08_seeds.csv"), rows,
              ["depth", "batch_norm", "fix_gamma", "seed", "final_loss", "train_accuracy",
               "test_accuracy"])


def scale_sweep(data):
    loss = np.full((len(SWEEP_STDS), 2, len(SWEEP_SEEDS), EPOCHS), np.nan)
    accuracy = np.full((len(SWEEP_STDS), 2, len(SWEEP_SEEDS)), np.nan)
    for i, std in enumerate(SWEEP_STDS):
        for j, bn in enumerate((False, True)):
            for k, seed in enumerate(SWEEP_SEEDS):
                model, hist = train(7, seed, data, batch_norm=bn, init=std)
                loss[i, j, k, :hist.epochs] = hist.loss
                if not hist.diverged:
                    accuracy[i, j, k] = model.score(data[2], data[3])
                print(std, bn, seed, hist.loss[-1] if hist.epochs else "diverged", flush=True)
    np.savez(os.path.join(HERE, "l08_scale_sweep.npz"), stds=np.array(SWEEP_STDS),
             batch_norm=np.array([False, True]), seeds=np.array(list(SWEEP_SEEDS)),
             loss=loss, test_accuracy=accuracy)


def deep25(data):
    """Section 6's 25-layer run with batch norm: its history and test predictions."""
    model, hist = train(DEEP25_DEPTH, DEEP25_SEED, data, batch_norm=True)
    save_deep25_run(os.path.join(HERE, "l08_deep25.npz"), hist, model.predict(data[2]),
                    depth=DEEP25_DEPTH, seed=DEEP25_SEED, epochs=EPOCHS, lr=LR)
    print("deep25: final loss", hist.loss[-1], "test accuracy", model.score(data[2], data[3]),
          flush=True)


def other_cpus(data):
    """The 25-layer rows of the seed table with batch norm (gamma learned, and fixed at 1) on
    the BLAS kernel that OPENBLAS_CORETYPE selects, or on the stored file's Haswell kernel with
    LESSONLIB_PERTURB=1e-12: replaces that kernel's rows of l08_kernels.csv."""
    kernel = os.environ.get("OPENBLAS_CORETYPE", "")
    name = "perturbed" if os.environ.get("LESSONLIB_PERTURB", "").strip() else kernel
    if name not in OTHER_CPUS or (name == "perturbed" and kernel != "Haswell"):
        sys.exit("run this part with OPENBLAS_CORETYPE set to one of "
                 f"{', '.join(OTHER_CPUS[:-1])}, or with OPENBLAS_CORETYPE=Haswell and "
                 "LESSONLIB_PERTURB=1e-12")
    path = os.path.join(HERE, "l08_kernels.csv")
    header = ["cpu", "fix_gamma", "seed", "test_accuracy"]
    code = OTHER_CPUS.index(name)
    rows = []
    if os.path.exists(path):
        table, _ = read_csv(path)
        rows = [list(row) for row in table if row[0] != code]
    for kw in VARIANTS[1:]:
        for seed in SEEDS:
            model, _ = train(25, seed, data, **kw)
            rows.append([code, kw["fix_gamma"], seed, model.score(data[2], data[3])])
            print(name, *rows[-1][1:], flush=True)
    write_csv(path, sorted(rows), header)


PARTS = {"seeds": seed_table, "sweep": scale_sweep, "deep25": deep25, "kernels": other_cpus}
DEFAULT_PARTS = ["seeds", "sweep", "deep25"]

if __name__ == "__main__":
    asked = sys.argv[1:] or DEFAULT_PARTS
    unknown = [name for name in asked if name not in PARTS]
    if unknown:
        sys.exit(f"unknown part(s) {', '.join(unknown)}; choose from {', '.join(PARTS)}")
    data = load_iris(seed=0)
    for name in asked:
        PARTS[name](data)
