"""Precompute lesson 09's ten-seed table of 1000-layer residual nets (20 runs of 13 to 23
CPU seconds each, about 6 CPU minutes in all, in the stored ``cpu_seconds``; their wall times,
``seconds``, were 46 to 201 s on the shared machine that made the file). Timed again on
2026-12-04 on an otherwise quiet machine (load about 1 on 2 cores), one ``rezero_adam_1e-3``
run per seed 0-9 took 11.7 to 13.7 s (CPU = wall), with the stored test accuracies.

    .venv/bin/python data/make_l09_thousand.py                # from the repository root
    .venv/bin/python data/make_l09_thousand.py --notes-adam   # the same with the notes' Adam

Writes ``l09_thousand.npz`` (or, with ``--notes-adam``, ``l09_thousand_notes_adam.npz``) next to
this script. Every run is ``recipes.l09_residual.train_thousand(recipe, seed)``: 1000 hidden
layers of 10 ReLUs, weights uniform on [-0.01, 0.01], Adam lr 1e-3, batches of 20, 100 epochs on
the lessons' iris split (``load_iris(seed=0)``: 100 training flowers, 50 test flowers,
unscaled), seeds 0-9, for two recipes of ``recipes.l09_residual.THOUSAND``:

- ``adam_1e-3``: the engine's residual net r_i = h_i + r_{i-1} (the notes' net), lessonlib's
  textbook Adam (eps 1e-8);
- ``rezero_adam_1e-3``: r_i = r_{i-1} + alpha_i h_i with one learned scalar alpha_i per branch,
  every alpha_i = 0 at the start (ReZero / SkipInit), the same Adam;

and with ``--notes-adam`` the same two nets trained with the notes' own Adam
(``notes_adam_1e-3``, ``rezero_notes_adam_1e-3``): ``recipes.l06_vanishing.notes_adam(1e-3)``,
MXNet's efficient form, eps 3e-8 on our loss (the notes' loss is a third of ours) added to the
uncorrected sqrt(v), i.e. an effective eps of 3e-8 / sqrt(1 - 0.999^t). It differs from the
textbook Adam only where gradients are near that eps or below, yet that is enough to change
which seeds of a 1000-layer net learn. Made on 2026-12-04 (20 runs, a few minutes).
The ``labels`` of ``l09_thousand.npz`` were renamed on 2026-12-04 (the first was "the notes:
Adam lr 1e-3") to the recipe labels of today, without retraining; every other array is as the
script wrote it.

Arrays (r = recipe, s = seed, e = epoch, i = a hidden layer):

- ``recipes`` (keys), ``labels``, ``seeds``;
- ``loss[r, s, e]``: mean training cross-entropy of each epoch;
- ``train_accuracy[r, s, e]``, ``test_accuracy[r, s, e]``: after each epoch;
- ``dead_final[r, s]``: the share of the 10,000 hidden ReLUs that output 0 for all 100 training
  flowers after training; ``dead_epoch1[r, s]`` the same after the first epoch;
- ``r_last_init[r, s]``, ``r_last_final[r, s]``: mean |r_1000| over the training flowers,
  before and after training;
- ``alpha_final[s, i]``: the learned alpha_2 ... alpha_1000 of ``rezero_adam_1e-3`` (i = 0 is
  alpha_2);
- ``seconds[r, s]``: the fit's wall time and ``cpu_seconds[r, s]`` its CPU time on the machine
  that ran this script (shared with other jobs: not exact, not reproducible).

Why precomputed: a 1000-layer run takes 12 to 23 CPU seconds (quiet or shared machine), and
the outcome of a long Adam run depends on the last bits of the matrix products, which differ
between CPUs.
Deterministic otherwise: every run is seeded.
"""
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from lessonlib import single_thread  # noqa: E402
from lessonlib.data import load_iris  # noqa: E402
from lessonlib.recipes.l09_residual import (THOUSAND, dead_fraction, thousand_model,  # noqa: E402
                                            train_thousand)

RECIPES = ("adam_1e-3", "rezero_adam_1e-3")                  # -> l09_thousand.npz
NOTES_RECIPES = ("notes_adam_1e-3", "rezero_notes_adam_1e-3")   # --notes-adam
SEEDS = tuple(range(10))
EPOCHS = 100
DEPTH = 1000


def mean_abs_last(model, X):
    """Mean |r_L| over the rows of X (inference mode): what the output layer reads."""
    return float(np.abs(dict(model.forward_trace(X))[f"r{len(model.hidden)}"]).mean())


def run_recipe(recipe, data):
    """The arrays of one recipe over SEEDS, each with a leading seed axis."""
    X_train = data[0]
    ns = len(SEEDS)
    out = {name: np.full((ns, EPOCHS), np.nan) for name in
           ("loss", "train_accuracy", "test_accuracy")}
    for name in ("dead_final", "dead_epoch1", "r_last_init", "r_last_final", "seconds",
                 "cpu_seconds"):
        out[name] = np.full(ns, np.nan)
    out["alpha_final"] = np.full((ns, DEPTH - 1), np.nan)
    for s, seed in enumerate(SEEDS):
        model = thousand_model(recipe, seed, DEPTH)
        out["r_last_init"][s] = mean_abs_last(model, X_train)

        def after_epoch(epoch, _hist, s=s, model=model):
            if epoch == 0:
                out["dead_epoch1"][s] = dead_fraction(model, X_train)

        cpu = time.process_time()
        model, hist = train_thousand(recipe, seed, DEPTH, EPOCHS, data, callback=after_epoch,
                                     model=model)
        out["cpu_seconds"][s] = time.process_time() - cpu
        n = hist.epochs
        out["loss"][s, :n] = hist.loss
        out["train_accuracy"][s, :n] = hist.train_accuracy
        out["test_accuracy"][s, :n] = hist.val_accuracy
        out["seconds"][s] = hist.seconds
        if not hist.diverged:
            out["dead_final"][s] = dead_fraction(model, X_train)
            out["r_last_final"][s] = mean_abs_last(model, X_train)
        if hasattr(model, "alpha"):
            out["alpha_final"][s] = model.alpha
        print(f"{recipe}, seed {seed}: loss {hist.loss[-1]:.4f}, test accuracy "
              f"{hist.val_accuracy[-1]:.2f}, dead {out['dead_final'][s]:.0%}, "
              f"{hist.seconds:.1f} s ({out['cpu_seconds'][s]:.1f} s CPU)", flush=True)
    return out


def assemble(runs, recipes=None):
    """The file's arrays from run_recipe's output for every recipe of ``recipes`` (RECIPES if
    None), in order."""
    recipes = RECIPES if recipes is None else tuple(recipes)
    arrays = {name: np.array([run[name] for run in runs]) for name in runs[0]
              if name != "alpha_final"}
    rezero = [i for i, r in enumerate(recipes) if r.startswith("rezero_")]
    arrays["alpha_final"] = (runs[rezero[0]]["alpha_final"] if rezero
                             else np.zeros((len(SEEDS), 0)))
    arrays.update(recipes=np.array(recipes), labels=np.array([THOUSAND[r][0] for r in recipes]),
                  seeds=np.array(SEEDS))
    return arrays


def main(path=None, data=None, notes_adam=False):
    data = load_iris(seed=0) if data is None else data
    recipes = NOTES_RECIPES if notes_adam else RECIPES
    arrays = assemble([run_recipe(recipe, data) for recipe in recipes], recipes)
    name = "l09_thousand_notes_adam.npz" if notes_adam else "l09_thousand.npz"
    path = path or os.path.join(HERE, name)
    np.savez_compressed(path, **arrays)
    print("wrote", path)


if __name__ == "__main__":
    with single_thread():
        main(notes_adam="--notes-adam" in sys.argv[1:])
