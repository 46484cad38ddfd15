"""lessonlib.data: the files in data/ match their generators, the generators follow their
formulas, seeds reproduce, mini-batches cover an epoch, bad arguments are named."""
import os
import re
from pathlib import Path

import numpy as np
import pytest

from lessonlib import data

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
GENERATORS = {
    "rings": data.make_rings,
    "sin_logistic": data.make_sin_logistic,
    "circle": data.make_circle,
}


# ---------------------------------------------------------------- the files in data/

def test_every_csv_in_data_has_a_generator_and_back():
    on_disk = {p.name for p in DATA_DIR.glob("*.csv")}
    # precomputed lesson runs (lNN_*) are made by a data/make_lNN_*.py script of their own
    runs = {name for name in on_disk if re.match(r"l\d\d_", name)}
    assert on_disk - runs == set(data.DATASETS)
    readme = (DATA_DIR / "README.md").read_text()
    for name in runs | {p.name for p in DATA_DIR.glob("l[0-9][0-9]_*.npz")}:
        assert list(DATA_DIR.glob(f"make_{name[:3]}*.py")), f"no data/make_{name[:3]}*.py for {name}"
        assert name in readme, f"data/README.md says nothing of {name}"


@pytest.mark.parametrize("name", sorted(data.DATASETS))
def test_file_equals_generator_output(name):
    table, header = data.DATASETS[name]()
    reread, reread_header = data.read_csv(DATA_DIR / name)
    assert reread_header == header
    assert reread.dtype == np.float64 and reread.shape == table.shape
    assert np.array_equal(reread, table), f"data/{name} is stale: run python -m lessonlib write-data"


@pytest.mark.parametrize("name", sorted(data.DATASETS))
def test_readme_mentions_every_file(name):
    assert name in (DATA_DIR / "README.md").read_text(encoding="utf-8")


def test_xy_files_are_the_generator_calls():
    cases = {"rings.csv": data.make_rings(n=300, seed=0),
             "sin_logistic_b0.7_0.7.csv": data.make_sin_logistic(0.7, 0.7, 1000, 0.3, 0),
             "sin_logistic_b2_3.csv": data.make_sin_logistic(b1=2, b2=3),
             "circle.csv": data.make_circle(n=100, seed=0)}
    for name, (X, y) in cases.items():
        table, _ = data.read_csv(DATA_DIR / name)
        assert np.array_equal(table[:, :2], X) and np.array_equal(table[:, 2], y), name


def test_iris_files_match_load_iris():
    iris, _ = data.read_csv(DATA_DIR / "iris.csv")
    split, _ = data.read_csv(DATA_DIR / "iris_split.csv")
    rows = split[:, 0].astype(np.int64)
    train = rows[split[:, 1] == 1]
    test = rows[split[:, 1] == 0]
    X_tr, y_tr, X_te, y_te = data.load_iris(seed=0)
    assert np.array_equal(iris[train, :4], X_tr) and np.array_equal(iris[train, 4], y_tr)
    assert np.array_equal(iris[test, :4], X_te) and np.array_equal(iris[test, 4], y_te)


def test_write_data_round_trips(tmp_path):
    paths = data.write_data(tmp_path / "out")
    assert sorted(os.path.basename(p) for p in paths) == sorted(data.DATASETS)
    for name, make in data.DATASETS.items():
        table, header = make()
        reread, reread_header = data.read_csv(tmp_path / "out" / name)
        assert reread_header == header and np.array_equal(reread, table)


def test_csv_round_trip_is_bit_exact(tmp_path):
    rng = np.random.default_rng(5)
    table = np.column_stack([rng.standard_normal(50) * 10.0 ** rng.integers(-30, 30, 50),
                             rng.integers(0, 3, 50), rng.uniform(-1, 1, 50)])
    table[0, 0] = 1e20            # whole but too large for int formatting to matter
    table[1, 2] = -0.0
    data.write_csv(tmp_path / "t.csv", table, ["a", "b", "c"])
    reread, header = data.read_csv(tmp_path / "t.csv")
    assert header == ["a", "b", "c"]
    assert reread.tobytes() == table.tobytes()


def test_module_main_writes_the_files(tmp_path, capsys, monkeypatch):
    # What `python -m lessonlib write-data [folder]` runs, called in-process (a subprocess would
    # spend a second importing scikit-learn again).
    out = tmp_path / "data"
    data._main([str(out)])
    assert {p.name for p in out.glob("*.csv")} == set(data.DATASETS)
    assert len(capsys.readouterr().out.splitlines()) == len(data.DATASETS)
    monkeypatch.chdir(tmp_path / "data")
    data._main([])                           # default folder: ./data
    assert {p.name for p in (tmp_path / "data" / "data").glob("*.csv")} == set(data.DATASETS)
    assert "_main(argv[1:])" in Path(data.__file__).with_name("__main__.py").read_text()


# ---------------------------------------------------------------- shapes, dtypes, formulas

@pytest.mark.parametrize("make, n", [(data.make_rings, 300), (data.make_sin_logistic, 1000),
                                     (data.make_circle, 100)])
def test_default_shapes_dtypes_labels(make, n):
    X, y = make()
    assert X.shape == (n, 2) and X.dtype == np.float64
    assert y.shape == (n,) and y.dtype == np.int64
    assert set(np.unique(y)) == {0, 1}
    # Sane balance: neither class below a fifth of the points.
    assert 0.2 < y.mean() < 0.8


def test_rings_formula():
    X, y = data.make_rings(n=2000, seed=3)
    r2 = X[:, 0] ** 2 + X[:, 1] ** 2
    assert np.array_equal(y, ((r2 > 9) | ((r2 > 1) & (r2 < 4))).astype(np.int64))
    # x ~ N(0, 2^2): sample sd close to 2.
    assert abs(X.std() - 2.0) < 0.1


def test_sin_logistic_without_noise_is_the_sine_rule():
    for b1, b2 in [(0.7, 0.7), (2, 3)]:
        X, y = data.make_sin_logistic(b1, b2, n=500, noise=0, seed=1)
        expected = np.sin(b1 * X[:, 0] * X[:, 1] + b2 * X[:, 1]) > 0
        assert np.array_equal(y, expected.astype(np.int64))
        assert X.min() >= -3 and X.max() <= 3


def test_sin_logistic_noise_changes_labels_only():
    X0, y0 = data.make_sin_logistic(n=1000, noise=0, seed=2)
    X1, y1 = data.make_sin_logistic(n=1000, noise=0.3, seed=2)
    assert np.array_equal(X0, X1)
    assert not np.array_equal(y0, y1)          # some labels flipped
    assert (y0 == y1).mean() > 0.8             # but most agree


def test_sin_logistic_noise_is_a_standard_normal_draw():
    # The documented draw order: x1, x2, then n standard normals.
    n, seed, noise = 400, 7, 0.3
    rng = np.random.default_rng(seed)
    x1, x2 = rng.uniform(-3, 3, n), rng.uniform(-3, 3, n)
    eps = rng.standard_normal(n)
    X, y = data.make_sin_logistic(0.7, 0.7, n=n, noise=noise, seed=seed)
    assert np.array_equal(X, np.column_stack([x1, x2]))
    assert np.array_equal(y, (np.sin(0.7 * x1 * x2 + 0.7 * x2) + noise * eps > 0).astype(int))


def test_circle_formula_and_draw_order():
    n, seed = 300, 11
    rng = np.random.default_rng(seed)
    x1, x2, eps = rng.standard_normal(n), rng.standard_normal(n), rng.standard_normal(n)
    X, y = data.make_circle(n=n, seed=seed)
    assert np.array_equal(X, np.column_stack([x1, x2]))
    assert np.array_equal(y, (-1.5 + x1 ** 2 + x2 ** 2 + eps > 0).astype(np.int64))


def test_rings_draw_order():
    rng = np.random.default_rng(4)
    x1, x2 = rng.normal(0, 2, 50), rng.normal(0, 2, 50)
    X, _ = data.make_rings(n=50, seed=4)
    assert np.array_equal(X, np.column_stack([x1, x2]))


def test_small_n():
    for make in GENERATORS.values():
        X, y = make(n=1, seed=0)
        assert X.shape == (1, 2) and y.shape == (1,)


# ---------------------------------------------------------------- seeds

@pytest.mark.parametrize("kind", sorted(GENERATORS))
def test_same_seed_same_arrays_different_seed_different(kind):
    make = GENERATORS[kind]
    Xa, ya = make(seed=5)
    Xb, yb = make(seed=5)
    Xc, _ = make(seed=6)
    assert np.array_equal(Xa, Xb) and np.array_equal(ya, yb)
    assert not np.array_equal(Xa, Xc)


@pytest.mark.parametrize("kind", sorted(GENERATORS))
def test_generator_seed_is_used_and_advanced(kind):
    make = GENERATORS[kind]
    X_int, _ = make(seed=9)
    rng = np.random.default_rng(9)
    X_gen, _ = make(seed=rng)
    X_next, _ = make(seed=rng)             # the same Generator has moved on
    assert np.array_equal(X_int, X_gen)
    assert not np.array_equal(X_gen, X_next)


def test_seed_none_gives_fresh_draws():
    X1, _ = data.make_rings(seed=None)
    X2, _ = data.make_rings(seed=None)
    assert not np.array_equal(X1, X2)


def test_iris_seeds():
    a = data.load_iris(seed=0)
    b = data.load_iris(seed=0)
    c = data.load_iris(seed=1)
    assert all(np.array_equal(u, v) for u, v in zip(a, b))
    assert not np.array_equal(a[0], c[0])


def test_digits_split_seeds():
    a = data.load_digits_split(n_train=1000, seed=0)
    b = data.load_digits_split(n_train=1000, seed=0)
    c = data.load_digits_split(n_train=1000, seed=1)
    assert all(np.array_equal(u, v) for u, v in zip(a, b))
    assert not np.array_equal(a[1], c[1])


# ---------------------------------------------------------------- batch_indices

@pytest.mark.parametrize("n, batch_size", [(10, 3), (10, 5), (7, 10), (1, 1), (100, 32)])
def test_batch_indices_cover_one_epoch(n, batch_size):
    batches = list(data.batch_indices(n, batch_size, np.random.default_rng(0)))
    assert len(batches) == -(-n // batch_size)
    assert np.array_equal(np.sort(np.concatenate(batches)), np.arange(n))
    assert all(len(b) == batch_size for b in batches[:-1])
    last = n - batch_size * (len(batches) - 1)
    assert len(batches[-1]) == last
    assert all(b.dtype.kind == "i" for b in batches)


def test_batch_indices_last_batch_smaller():
    sizes = [len(b) for b in data.batch_indices(10, 4, np.random.default_rng(1))]
    assert sizes == [4, 4, 2]


def test_batch_indices_is_the_permutation_in_slices():
    batches = list(data.batch_indices(23, 5, np.random.default_rng(3)))
    perm = np.random.default_rng(3).permutation(23)
    assert np.array_equal(np.concatenate(batches), perm)


def test_batch_indices_new_order_each_epoch():
    rng = np.random.default_rng(0)
    e1 = np.concatenate(list(data.batch_indices(50, 8, rng)))
    e2 = np.concatenate(list(data.batch_indices(50, 8, rng)))
    assert not np.array_equal(e1, e2)
    assert np.array_equal(np.sort(e1), np.sort(e2))


# ---------------------------------------------------------------- real data

def test_load_iris_split():
    X_tr, y_tr, X_te, y_te = data.load_iris()
    assert X_tr.shape == (100, 4) and X_te.shape == (50, 4)
    assert y_tr.shape == (100,) and y_te.shape == (50,)
    assert X_tr.dtype == np.float64 and y_tr.dtype == np.int64 and y_te.dtype == np.int64
    assert set(np.unique(np.concatenate([y_tr, y_te]))) == {0, 1, 2}
    # Unscaled: petal length reaches 6.9 cm.
    assert max(X_tr[:, 2].max(), X_te[:, 2].max()) == pytest.approx(6.9)
    perm = np.random.default_rng(0).permutation(150)
    train, test = perm[:100], perm[100:]
    assert len(set(train) & set(test)) == 0
    assert set(train) | set(test) == set(range(150))
    iris, _ = data.read_csv(DATA_DIR / "iris.csv")
    assert np.array_equal(iris[train, :4], X_tr) and np.array_equal(iris[test, 4], y_te)
    # The rows of train and test together are exactly the 150 flowers.
    both = np.concatenate([X_tr, X_te])
    assert np.array_equal(both[np.lexsort(both.T[::-1])], iris[np.lexsort(iris[:, :4].T[::-1]), :4])


def test_load_digits():
    X, y = data.load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0
    assert set(np.unique(y)) == set(range(10))
    X_raw, y_raw = data.load_digits(scale=False)
    assert X_raw.max() == 16.0 and np.array_equal(X_raw / 16, X) and np.array_equal(y, y_raw)


def test_load_digits_split_and_overfit():
    X_tr, y_tr, X_te, y_te = data.load_digits_split(n_train=1000, seed=0)
    assert X_tr.shape == (1000, 64) and X_te.shape == (797, 64)
    assert y_tr.dtype == np.int64 and X_tr.max() <= 1.0
    X, y = data.load_digits()
    perm = np.random.default_rng(0).permutation(1797)
    assert np.array_equal(X_tr, X[perm[:1000]]) and np.array_equal(y_te, y[perm[1000:]])
    o = data.load_overfit_digits()
    assert o[0].shape == (300, 64) and o[2].shape == (1497, 64)
    assert all(np.array_equal(u, v) for u, v in zip(o, data.load_digits_split(300, seed=0)))
    assert set(np.unique(o[1])) == set(range(10))


# ---------------------------------------------------------------- bad arguments

@pytest.mark.parametrize("call, exc, name", [
    (lambda: data.make_rings(n=0), ValueError, "n"),
    (lambda: data.make_rings(n=-5), ValueError, "n"),
    (lambda: data.make_rings(n="a"), TypeError, "n"),
    (lambda: data.make_rings(n=10.0), TypeError, "n"),
    (lambda: data.make_rings(n=True), TypeError, "n"),
    (lambda: data.make_rings(seed="x"), TypeError, "seed"),
    (lambda: data.make_rings(seed=1.5), TypeError, "seed"),
    (lambda: data.make_circle(n=0), ValueError, "n"),
    (lambda: data.make_circle(n=None), TypeError, "n"),
    (lambda: data.make_sin_logistic(noise=-1), ValueError, "noise"),
    (lambda: data.make_sin_logistic(noise="0.3"), TypeError, "noise"),
    (lambda: data.make_sin_logistic(noise=float("nan")), ValueError, "noise"),
    (lambda: data.make_sin_logistic(b1="2"), TypeError, "b1"),
    (lambda: data.make_sin_logistic(b2=float("inf")), ValueError, "b2"),
    (lambda: data.make_sin_logistic(n=0), ValueError, "n"),
    (lambda: data.load_iris(seed="0"), TypeError, "seed"),
    (lambda: data.load_digits(scale="yes"), TypeError, "scale"),
    (lambda: data.load_digits_split(n_train=0), ValueError, "n_train"),
    (lambda: data.load_digits_split(n_train=1797), ValueError, "n_train"),
    (lambda: data.load_digits_split(n_train=2.5), TypeError, "n_train"),
    (lambda: data.load_overfit_digits(n_train=-1), ValueError, "n_train"),
    (lambda: data.batch_indices(0, 3, np.random.default_rng()), ValueError, "n"),
    (lambda: data.batch_indices(10, 0, np.random.default_rng()), ValueError, "batch_size"),
    (lambda: data.batch_indices(10, 2.0, np.random.default_rng()), TypeError, "batch_size"),
    (lambda: data.batch_indices(10, 2, "rng"), TypeError, "rng"),
    (lambda: data.batch_indices(10, 2, 0), TypeError, "rng"),
])
def test_bad_arguments_are_named(call, exc, name):
    # batch_indices checks its arguments when called, not on the first next().
    with pytest.raises(exc) as info:
        call()
    message = str(info.value)
    assert message.startswith(name + " ") or f" {name} " in message, message
    assert "got" in message
