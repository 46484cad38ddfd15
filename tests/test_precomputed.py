"""Runs kept in data/ are what their make scripts' code produces today: a run retrained here
starts exactly as the stored one (and, for the cheapest, ends the same)."""
import importlib.util
import json
import os
from pathlib import Path

import numpy as np
import pytest

from lessonlib._blas import single_thread
from lessonlib.data import load_iris, make_rings, read_csv
from lessonlib.widgets import adaptive
from lessonlib.widgets.vanishing import read_runs

DATA = Path(__file__).resolve().parents[1] / "data"
L05 = DATA / "l05_rings.npz"
RUNS = [(label, hidden) for hidden in adaptive.RINGS_DEPTHS for label in adaptive.RINGS_OPTIMIZERS]
MEASURE = bool(os.environ.get("PRECOMPUTED_MEASURE"))


def _record(name, stored, fresh):
    path = os.environ.get("PRECOMPUTED_SPREAD_REPORT")
    if path:
        test = os.environ.get("PYTEST_CURRENT_TEST", "?").split(" ")[0].split("::")[-1]
        conv = lambda a: np.asarray([np.nan if v is None else v for v in a] if isinstance(a, list) else a, dtype=float).tolist()
        with open(path, "a") as f:
            f.write(json.dumps({"test": test, "name": name, "stored": conv(stored),
                                "fresh": conv(fresh)}) + "\n")


def _close(name, stored, fresh, **tol):
    _record(name, stored, fresh)
    if not MEASURE:
        np.testing.assert_allclose(stored, fresh, err_msg=name, **tol)


def _same(name, stored, fresh):
    _record(name, stored, fresh)
    if not MEASURE:
        np.testing.assert_array_equal(stored, fresh, err_msg=name)


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
    _close("loss", stored.loss[:10], fresh.loss, rtol=1e-9)
    _close("grad_mean_abs", stored.grad_mean_abs[:10], fresh.grad_mean_abs, rtol=1e-9)
    _close("weight_change_mean_abs", stored.weight_change_mean_abs[:10], fresh.weight_change_mean_abs,
                               rtol=1e-9)


def test_l05_rings_cheapest_run_ends_as_stored():
    label, hidden = RUNS[0]                        # Adam, two hidden layers: about 2 s
    stored_model, stored = adaptive.load_rings_run(L05, label, hidden)
    model, fresh = _train(label, hidden, adaptive.RINGS_EPOCHS)
    _close("loss", stored.loss, fresh.loss, rtol=1e-6)
    for name, value in model.params.items():
        _close(name, stored_model.params[name], value, rtol=1e-6, atol=1e-12)
    X, y = make_rings()
    _same("score", stored_model.score(X, y), model.score(X, y))


# ---------------------------------------------------------------- lessons 06-13
# Each make script is imported as a module (its main() runs only as a script) and rerun on a cut
# of its settings: one seed, or a run's first epochs (a run's first k epochs are a k-epoch run
# with the same seed: fit draws its batch order epoch by epoch), or, for what a file only knows
# at the end of a run, the cheapest run in full. The settings themselves are the script's own.

def _script(name):
    spec = importlib.util.spec_from_file_location(f"make_{name}", DATA / f"make_{name}.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    return script


L06, L07, L08, L09, L11, L12, L13 = map(_script, ("l06_iris_seeds", "l07_init_runs", "l08_runs",
                                                   "l09_deep", "l11_runs", "l12_runs",
                                                   "l13_seeds"))
IRIS = load_iris(seed=0)                # the data of the iris scripts: 100 train / 50 test


@pytest.fixture
def cut_down(monkeypatch, tmp_path):
    """cut_down(script, **settings): the script's module-level settings replaced for one test
    (a misspelt or renamed setting fails), and its HERE, where it writes, a temporary folder, so
    that a test never writes into data/."""
    def cut(script, **settings):
        if hasattr(script, "HERE"):
            settings.setdefault("HERE", str(tmp_path))
        for name, value in settings.items():
            monkeypatch.setattr(script, name, value)
        return script
    return cut


def _npz(path):
    with np.load(path) as arrays:
        return dict(arrays)


def _csv_rows(path):
    """The rows of a CSV written by lessonlib.data.write_csv, as dicts of floats."""
    table, header = read_csv(path)
    return [dict(zip(header, row)) for row in table.tolist()]


def _assert_rows_match(fresh, stored, key, tolerance):
    """Every fresh row (a dict) equals the stored row with the same ``key`` columns: a column of
    ``tolerance`` within its rtol/atol (one unit of the digits the file prints), the others, and
    empty cells (None), exactly."""
    stored = {tuple(row[k] for k in key): row for row in stored}
    assert fresh
    for row in fresh:
        which = tuple(row[k] for k in key)
        old = stored[which]
        assert old.keys() == row.keys()
        for column, value in row.items():
            if column not in key:
                _record(f"{column} {which}", [old[column]], [value])
            if MEASURE:
                continue
            if column in tolerance and None not in (value, old[column]):
                np.testing.assert_allclose(old[column], value, **tolerance[column],
                                           err_msg=f"{column} of the run {which}")
            else:
                assert old[column] == value, f"{column} of the run {which}"


def test_l06_iris_seed_as_stored(cut_down, tmp_path):
    """Seed 3 rerun by the script: its 3-layer net learns, its 7-layer one stays stuck."""
    stored = read_runs(DATA / "l06_iris_seeds.csv")
    assert len(stored) == len(L06.DEPTHS) * len(L06.SEEDS)
    with single_thread():
        cut_down(L06, SEEDS=(3,)).main()
    fresh = read_runs(tmp_path / "l06_iris_seeds.csv")
    _assert_rows_match(fresh, stored, ("depth", "seed"),
                       {"final_loss": dict(atol=1e-6), "test_accuracy": dict(atol=1e-4),
                        "fc1_grad": dict(rtol=1e-6), "output_grad": dict(rtol=1e-6)})


def _l07_curves(path, activations, inits):
    """The curves of the given activations and inits (by name) in an l07_digits_curves.npz."""
    arrays = _npz(path)
    a = [list(arrays["activations"]).index(name) for name in activations]
    i = [list(arrays["inits"]).index(str(init)) for init in inits]
    return arrays["loss"][np.ix_(a, i)]


def test_l07_digits_curves_start_as_stored(cut_down, tmp_path):
    """Every digits network (activation x init), seed 0, its first 2 epochs."""
    d = L07.DIGITS
    stored = _l07_curves(DATA / "l07_digits_curves.npz", d["activations"], d["inits"])
    assert stored.shape == (len(d["activations"]), len(d["inits"]), len(d["seeds"]), d["epochs"])
    with single_thread():
        cut_down(L07, DIGITS={**d, "seeds": range(1), "epochs": 2},
                 IRIS={**L07.IRIS, "seeds": ()}).main()
    fresh = _l07_curves(tmp_path / "l07_digits_curves.npz", d["activations"], d["inits"])
    _close("loss", stored[:, :, :1, :2], fresh, rtol=1e-9)


def test_l07_cheapest_runs_end_as_stored(cut_down, tmp_path):
    """In full: seed 0 of the digits ReLU net from std-1 weights (it diverges at once) and from
    He weights, and of the iris net from He weights."""
    digits = dict(activations=("relu",), inits=("normal", "he"), seeds=range(1))
    with single_thread():
        cut_down(L07, DIGITS={**L07.DIGITS, **digits},
                 IRIS={**L07.IRIS, "inits": ("he",), "seeds": range(1)}).main()
    _assert_rows_match(read_runs(tmp_path / "l07_init_runs.csv"),
                       read_runs(DATA / "l07_init_runs.csv"),
                       ("experiment", "activation", "init", "seed"),
                       {"final_loss": dict(atol=1e-6), "test_accuracy": dict(atol=1e-4)})
    curves = [_l07_curves(path, digits["activations"], digits["inits"])
              for path in (DATA / "l07_digits_curves.npz", tmp_path / "l07_digits_curves.npz")]
    _close("curves", curves[0][:, :, :1], curves[1], rtol=1e-6)


@pytest.mark.parametrize("variant", L08.VARIANTS, ids=["plain", "batch_norm", "fix_gamma"])
def test_l08_seed_table_row_as_stored(variant):
    """Seed 0 of the 7-layer net, without batch norm, with it, and with gamma fixed (the
    25-layer nets take up to 6 s each)."""
    stored = _csv_rows(DATA / "l08_seeds.csv")
    assert len(stored) == 2 * len(L08.VARIANTS) * len(L08.SEEDS)         # depths 7 and 25
    with single_thread():
        model, hist = L08.train(7, 0, IRIS, **variant)
    fresh = dict(depth=7, **variant, seed=0, final_loss=hist.loss[-1],
                 train_accuracy=model.score(*IRIS[:2]), test_accuracy=model.score(*IRIS[2:]))
    _assert_rows_match([fresh], stored, ("depth", "batch_norm", "fix_gamma", "seed"),
                       {"final_loss": dict(atol=1e-6)})


def test_l08_scale_sweep_starts_as_stored(cut_down, tmp_path):
    """Every weight scale, with and without batch norm, seed 0, its first 5 epochs."""
    stored = _npz(DATA / "l08_scale_sweep.npz")
    assert stored["loss"].shape == (len(L08.SWEEP_STDS), 2, len(L08.SWEEP_SEEDS), L08.EPOCHS)
    with single_thread():
        cut_down(L08, EPOCHS=5, SWEEP_SEEDS=range(1)).scale_sweep(IRIS)
    fresh = _npz(tmp_path / "l08_scale_sweep.npz")
    np.testing.assert_array_equal(stored["stds"], fresh["stds"])
    _close("loss", stored["loss"][:, :, :1, :5], fresh["loss"], rtol=1e-9)


def test_l08_scale_sweep_cheapest_run_ends_as_stored():
    """In full: std 10 without batch norm, seed 0."""
    stored = _npz(DATA / "l08_scale_sweep.npz")
    with single_thread():
        model, hist = L08.train(7, 0, IRIS, batch_norm=False, init=L08.SWEEP_STDS[-1])
    _close("loss", stored["loss"][-1, 0, 0], hist.loss, rtol=1e-6)
    _same("test_accuracy", stored["test_accuracy"][-1, 0, 0], model.score(*IRIS[2:]))


L09_RUNS = [(depth, v) for depth, variants in L09.GROUPS.items() for v in range(len(variants))]


def _l09_run(cut_down, depth, v, epochs):
    """Seed 0 of variant v of the depth group, retrained for its first epochs by the script's
    run_group: {name: (stored, fresh)} of the run's arrays (those indexed [variant, seed])."""
    stored, prefix = _npz(DATA / "l09_deep.npz"), f"d{depth}_"
    assert stored[prefix + "loss"].shape == (len(L09.GROUPS[depth]), len(L09.SEEDS), L09.EPOCHS)
    with single_thread():
        fresh = cut_down(L09, GROUPS={depth: L09.GROUPS[depth][v:v + 1]}, SEEDS=(0,),
                         EPOCHS=epochs).run_group(depth, IRIS)
    assert stored[prefix + "variants"][v] == fresh[prefix + "variants"][0]
    return {name[len(prefix):]: (stored[name][v, 0], fresh[name][0, 0]) for name in fresh
            if fresh[name].ndim > 1 and name != prefix + "seconds"}


@pytest.mark.parametrize("depth, v", L09_RUNS,
                         ids=[f"d{depth}-{L09.GROUPS[depth][v][0]}" for depth, v in L09_RUNS])
def test_l09_deep_run_starts_as_stored(cut_down, depth, v):
    """Every run's first epoch, seed 0: its curves, and its layers before and after it."""
    run = _l09_run(cut_down, depth, v, epochs=1)
    for name in ("loss", "train_accuracy", "test_accuracy", "grad"):
        stored, fresh = run[name]
        _close(name, stored[:1], fresh, rtol=1e-9)
    for name in ("r_init", "dead_init", "r_epoch1", "dead_epoch1"):    # stored as float32
        _close(name, *run[name], rtol=1e-6)


def test_l09_deep_cheapest_run_ends_as_stored(cut_down):
    """In full: depth 100, SGD lr 0.05, seed 0 (its stored fit took about 1 s)."""
    for name, (stored, fresh) in _l09_run(cut_down, 100, 1, epochs=L09.EPOCHS).items():
        _close(name, stored, fresh, rtol=1e-6)


def test_l11_runs_start_as_stored(cut_down, tmp_path):
    """Every variant, seed 0, its first 10 epochs, and its dead units before training."""
    stored = _npz(DATA / "l11_runs.npz")
    assert stored["loss"].shape == (len(L11.VARIANTS), len(L11.SEEDS), L11.EPOCHS)
    with single_thread():
        cut_down(L11, SEEDS=(0,), EPOCHS=10).main(str(tmp_path / "l11_runs.npz"))
    fresh = _npz(tmp_path / "l11_runs.npz")
    np.testing.assert_array_equal(stored["names"], fresh["names"])
    # loss and gradients are stored as float32
    _close("loss", stored["loss"][:, :1, :10], fresh["loss"], rtol=1e-6)
    _close("grad_mean_abs_seed0", stored["grad_mean_abs_seed0"][:, :10],
                               fresh["grad_mean_abs_seed0"], rtol=1e-6)
    _same("never_positive_start", stored["never_positive_start"][:, :1],
                                  fresh["never_positive_start"])


def test_l11_cheapest_run_ends_as_stored(cut_down, tmp_path):
    """In full: SGD with momentum instead of Adam, seed 0."""
    v = 1                                           # L11.VARIANTS[1], the SGD run
    with single_thread():
        cut_down(L11, VARIANTS=L11.VARIANTS[v:v + 1], SEEDS=(0,)).main(str(tmp_path / "l11.npz"))
    stored, fresh = _npz(DATA / "l11_runs.npz"), _npz(tmp_path / "l11.npz")
    assert stored["names"][v] == fresh["names"][0]
    for name in ("loss", "test_accuracy", "train_accuracy", "never_positive_start",
                 "never_positive_end"):
        _close(name, stored[name][v, 0], fresh[name][0, 0], rtol=1e-6)
    _close("grad_mean_abs_seed0", stored["grad_mean_abs_seed0"][v], fresh["grad_mean_abs_seed0"][0],
                               rtol=1e-6)


def test_l12_runs_start_as_stored(cut_down, tmp_path):
    """Every configuration, seed 0, its first 5 epochs. (A whole run takes about 5 s, so the
    sweeps' end-of-run numbers are not retrained here.)"""
    stored = _npz(DATA / "l12_runs.npz")
    assert stored["test_accuracy"].shape == (len(L12.CONFIGS), len(L12.SEEDS), L12.EPOCHS)
    with single_thread():
        cut_down(L12, SEEDS=(0,), EPOCHS=5, LAMBDAS=(), DROPS=()).main(str(tmp_path / "l12.npz"))
    fresh = _npz(tmp_path / "l12.npz")
    for name in ("configs", "config_decay", "config_dropout"):
        np.testing.assert_array_equal(stored[name], fresh[name])
    for name in L12.KEYS:
        _close(name, stored[name][:, :1, :5], fresh[name], rtol=1e-9)


def test_l13_seed_as_stored(cut_down, tmp_path):
    """Seed 0 of the three networks, rerun by the script."""
    stored = _csv_rows(DATA / "l13_seeds.csv")
    assert len(stored) == len(L13.NETWORKS) * len(L13.SEEDS)
    with single_thread():
        cut_down(L13, SEEDS=range(1)).main()
    _assert_rows_match(_csv_rows(tmp_path / "l13_seeds.csv"), stored, ("network", "seed"),
                       {"final_loss": dict(atol=1e-6)})
