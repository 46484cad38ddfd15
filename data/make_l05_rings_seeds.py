"""Precompute lesson 05's seed sweep of the Adam-against-SGD rings runs (about 2 min on one core).

    .venv/bin/python data/make_l05_rings_seeds.py        # from the repository root

Writes ``l05_rings_seeds.npz`` next to this script. Every run is
``lessonlib.recipes.l03_relu.fit_rings(optimizer, hidden, epochs=667, batch_size=20, seed=seed,
init="he")``, exactly as ``make_l05_rings.py`` (which stores seed 0 in full), for each network
of ``l05_adaptive.RINGS_DEPTHS`` (2 and 8 hidden layers of 20), each optimiser of
``l05_adaptive.RINGS_OPTIMIZERS`` (Adam lr 0.001; SGD lr 0.05, momentum 0.9) and the seeds
``l05_adaptive.RINGS_SEEDS`` (0-9: the seed draws the initial weights and the batch order).
Stored (``l05_adaptive.rings_seed_sweep``): ``labels`` (2,), ``hidden_layers`` (2,), ``seeds``
(10,), and per run (depth, optimiser, seed): ``accuracy`` on the 300 training points after the
last epoch, ``final_loss`` (the last epoch's mean loss), ``lowest_loss`` (the lowest epoch), and
``first_loss`` (the first 10 epochs, for tests/test_precomputed.py).

Why precomputed: 40 runs of 10,000 updates take minutes, and where a run with momentum ends
hangs on the last bits of its matrix products, which differ between CPUs.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from lessonlib import single_thread  # noqa: E402
from lessonlib.recipes import l05_adaptive  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def main(path=None, seeds=l05_adaptive.RINGS_SEEDS, epochs=l05_adaptive.RINGS_EPOCHS):
    sweep = l05_adaptive.rings_seed_sweep(seeds=seeds, epochs=epochs, progress=print)
    l05_adaptive.save_rings_seed_sweep(path or os.path.join(HERE, "l05_rings_seeds.npz"), sweep)


if __name__ == "__main__":
    with single_thread():
        main()
