"""Runs kept in data/ are what their make scripts' code produces today: a run retrained here
starts exactly as the stored one (and, for the cheapest, ends the same)."""
from pathlib import Path

import numpy as np
import pytest

from lessonlib._blas import single_thread
from lessonlib.data import make_rings
from lessonlib.widgets import adaptive

DATA = Path(__file__).resolve().parents[1] / "data"
L05 = DATA / "l05_rings.npz"
RUNS = [(label, hidden) for hidden in adaptive.RINGS_DEPTHS for label in adaptive.RINGS_OPTIMIZERS]


def _train(label, hidden, epochs):
    X, y = make_rings()
    with single_thread():
        return adaptive.train_rings(adaptive.RINGS_OPTIMIZERS[label](), hidden, epochs,
                                    init="he", seed=0, X=X, y=y)


@pytest.mark.parametrize("label, hidden", RUNS)
def test_l05_rings_run_starts_as_stored(label, hidden):
    model, stored = adaptive.load_rings_run(L05, label, hidden)
    assert stored.loss.shape == (adaptive.RINGS_EPOCHS,)
    _, fresh = _train(label, hidden, 10)
    np.testing.assert_allclose(stored.loss[:10], fresh.loss, rtol=1e-9)
    np.testing.assert_allclose(stored.grad_mean_abs[:10], fresh.grad_mean_abs, rtol=1e-9)
    np.testing.assert_allclose(stored.weight_change_mean_abs[:10], fresh.weight_change_mean_abs,
                               rtol=1e-9)


def test_l05_rings_cheapest_run_ends_as_stored():
    label, hidden = RUNS[0]                        # Adam, two hidden layers: about 2 s
    stored_model, stored = adaptive.load_rings_run(L05, label, hidden)
    model, fresh = _train(label, hidden, adaptive.RINGS_EPOCHS)
    np.testing.assert_allclose(stored.loss, fresh.loss, rtol=1e-6)
    for name, value in model.params.items():
        np.testing.assert_allclose(stored_model.params[name], value, rtol=1e-6, atol=1e-12)
    X, y = make_rings()
    assert stored_model.score(X, y) == model.score(X, y)
