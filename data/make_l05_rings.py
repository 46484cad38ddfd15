"""Precompute lesson 05's Adam-against-SGD runs on the rings data (about 16 s on one core).

    .venv/bin/python data/make_l05_rings.py        # from the repository root

Writes ``l05_rings.npz`` next to this script. Every run is
``lessonlib.recipes.l03_relu.fit_rings(optimizer, hidden, epochs=667, batch_size=20, seed=0,
init="he")``: an MLP with ReLU hidden layers, He initial weights, on ``make_rings()`` (300
points), batches of 20, 667 epochs (10,000 updates), for each optimiser of
``l05_adaptive.RINGS_OPTIMIZERS`` (Adam lr 0.001; SGD lr 0.05, momentum 0.9) and each network
of ``l05_adaptive.RINGS_DEPTHS`` (2 and 8 hidden layers of 20). Stored per run
(``l05_adaptive.save_rings_runs``): the History's loss, grad_mean_abs and
weight_change_mean_abs per epoch, its diverged flag, and the final weights.
Read a run with ``l05_adaptive.load_rings_run(path, label, hidden)``.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from lessonlib import single_thread  # noqa: E402
from lessonlib.data import make_rings  # noqa: E402
from lessonlib.recipes import l05_adaptive  # noqa: E402
from lessonlib.recipes.l03_relu import fit_rings  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 0


def main():
    X, y = make_rings()
    runs = {}
    for hidden in l05_adaptive.RINGS_DEPTHS:
        for label, make in l05_adaptive.RINGS_OPTIMIZERS.items():
            runs[label, hidden] = fit_rings(make(), hidden, epochs=l05_adaptive.RINGS_EPOCHS,
                                            batch_size=l05_adaptive.RINGS_BATCH, seed=SEED,
                                            X=X, y=y, init="he")
            print(f"{len(hidden)} hidden layers, {label}: final loss "
                  f"{runs[label, hidden][1].loss[-1]:.4f}", flush=True)
    l05_adaptive.save_rings_runs(os.path.join(HERE, "l05_rings.npz"), runs, seed=SEED)


if __name__ == "__main__":
    with single_thread():
        main()
