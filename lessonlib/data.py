"""The course's data sets: seeded, offline, pure NumPy (plus the data sets bundled inside
scikit-learn, which need no network).

Every loader returns X as float64 (N, d) and y as int64 (N,). The synthetic generators draw
their random numbers in a fixed, documented order, so one seed gives the same arrays bit for
bit. ``python -m lessonlib write-data [folder]`` writes the CSV copies kept in ``data/``.
"""
import os

import numpy as np

from ._checks import as_rng, check_int, check_real
from ._perturb import perturbed

N_DIGITS = 1797      # rows of scikit-learn's bundled 8x8 digits
N_IRIS = 150
N_IRIS_TRAIN = 100


# ---------------------------------------------------------------- mini-batches

def batch_indices(n, batch_size, rng):
    """Index arrays of one epoch: perm = rng.permutation(n), then perm[s:s + batch_size] for
    s = 0, batch_size, 2 * batch_size, ...; the last batch may be smaller."""
    n = check_int("n", n, low=1)
    batch_size = check_int("batch_size", batch_size, low=1)
    if not isinstance(rng, np.random.Generator):
        # The caller's Generator must be advanced, epoch after epoch; a seed would restart it.
        raise TypeError(f"rng must be a numpy Generator (np.random.default_rng(seed)); "
                        f"got {rng!r} ({type(rng).__name__})")
    # Arguments are checked now; the permutation is drawn on the first next(), as a plain
    # generator function would.
    return _epoch_batches(n, batch_size, rng)


def _epoch_batches(n, batch_size, rng):
    perm = rng.permutation(n)
    for start in range(0, n, batch_size):
        yield perm[start:start + batch_size]


# ---------------------------------------------------------------- helpers

def _xy(x1, x2, y):
    """Two feature columns and a boolean label -> X float64 (N, 2), y int64 (N,)."""
    return perturbed(np.column_stack([x1, x2]).astype(np.float64)), np.asarray(y).astype(np.int64)


def _check_n(n):
    # Only the impossible sizes are refused; a tiny n is legal, if not very useful.
    return check_int("n", n, low=1)


# ---------------------------------------------------------------- synthetic 2-D sets

def make_rings(n=300, seed=0):
    """X (n, 2), y (n,): x1, x2 ~ N(0, 2^2); r2 = x1^2 + x2^2; y = 1 if r2 > 9 or 1 < r2 < 4.

    Draw order: n values of x1, then n values of x2."""
    n = _check_n(n)
    rng = as_rng(seed)
    x1 = rng.normal(0.0, 2.0, size=n)
    x2 = rng.normal(0.0, 2.0, size=n)
    r2 = x1 ** 2 + x2 ** 2
    # An outer ring and an inner ring of class 1 around a class-0 core and a class-0 gap:
    # no single closed boundary separates them.
    return _xy(x1, x2, (r2 > 9) | ((r2 > 1) & (r2 < 4)))


def make_sin_logistic(b1=0.7, b2=0.7, n=1000, noise=0.3, seed=0):
    """X (n, 2), y (n,): x1, x2 ~ U[-3, 3]; y = 1 if sin(b1 x1 x2 + b2 x2) + noise * N(0, 1) > 0.

    Draw order: x1, then x2, then the n standard normals (drawn even when noise = 0, so the
    noise level changes y only, never X). b = (2, 3) gives the lecture's "harder" data."""
    b1 = check_real("b1", b1)
    b2 = check_real("b2", b2)
    n = _check_n(n)
    noise = check_real("noise", noise, low=0.0)
    rng = as_rng(seed)
    x1 = rng.uniform(-3.0, 3.0, size=n)
    x2 = rng.uniform(-3.0, 3.0, size=n)
    eps = rng.standard_normal(size=n)
    return _xy(x1, x2, np.sin(b1 * x1 * x2 + b2 * x2) + noise * eps > 0)


def make_circle(n=100, seed=0):
    """X (n, 2), y (n,): x1, x2 ~ N(0, 1); y = 1 if -1.5 + x1^2 + x2^2 + N(0, 1) > 0.

    The course's "exercise 3" data. Draw order: x1, then x2, then the n standard normals."""
    n = _check_n(n)
    rng = as_rng(seed)
    x1 = rng.standard_normal(size=n)
    x2 = rng.standard_normal(size=n)
    eps = rng.standard_normal(size=n)
    return _xy(x1, x2, -1.5 + x1 ** 2 + x2 ** 2 + eps > 0)


# ---------------------------------------------------------------- bundled real data

def _iris_raw():
    """Fisher's iris as bundled with scikit-learn: X float64 (150, 4), y int64 (150,)."""
    from sklearn import datasets     # imported here: only the real-data loaders need it
    bunch = datasets.load_iris()
    return bunch.data.astype(np.float64), bunch.target.astype(np.int64)


def _iris_perm(seed):
    """The split permutation of load_iris: perm[:100] train rows, perm[100:] test rows."""
    return as_rng(seed).permutation(N_IRIS)


def load_iris(seed=0):
    """X_train (100, 4), y_train (100,), X_test (50, 4), y_test (50,): iris, features unscaled
    (as the lecture notes use them), labels 0 setosa, 1 versicolor, 2 virginica.

    perm = as_rng(seed).permutation(150); train = perm[:100], test = perm[100:]."""
    perm = _iris_perm(seed)
    X, y = _iris_raw()
    train, test = perm[:N_IRIS_TRAIN], perm[N_IRIS_TRAIN:]
    return perturbed(X[train]), y[train], perturbed(X[test]), y[test]


def load_digits(scale=True):
    """X (1797, 64), y (1797,): scikit-learn's 8x8 handwritten digits, pixel counts 0..16,
    divided by 16 into [0, 1] when scale is True; labels 0..9."""
    if not isinstance(scale, (bool, np.bool_)):
        raise TypeError(f"scale must be True or False; got {scale!r} ({type(scale).__name__})")
    from sklearn import datasets
    bunch = datasets.load_digits()
    X = bunch.data.astype(np.float64)
    if scale:
        X = X / 16.0     # each pixel counts 0..16 set bits of a 4x4 block
    return perturbed(X), bunch.target.astype(np.int64)


def load_digits_split(n_train=1000, seed=0):
    """X_train (n_train, 64), y_train, X_test (1797 - n_train, 64), y_test: scaled digits,
    perm = as_rng(seed).permutation(1797); train = perm[:n_train], test = perm[n_train:]."""
    n_train = check_int("n_train", n_train, low=1)
    if n_train >= N_DIGITS:
        raise ValueError(f"n_train must be < {N_DIGITS} so that the test set is not empty; "
                         f"got {n_train}")
    perm = as_rng(seed).permutation(N_DIGITS)
    X, y = load_digits(scale=True)
    train, test = perm[:n_train], perm[n_train:]
    return X[train], y[train], X[test], y[test]


def load_overfit_digits(n_train=300, seed=0):
    """X_train (n_train, 64), y_train, X_test (1797 - n_train, 64), y_test: few training digits
    and all the others as test, so an unregularised network overfits (regularisation lesson)."""
    return load_digits_split(n_train=n_train, seed=seed)


# ---------------------------------------------------------------- CSV copies in data/

XY_HEADER = ["x1", "x2", "y"]
IRIS_HEADER = ["sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm",
               "species"]
IRIS_SPLIT_HEADER = ["row", "train"]


def _xy_table(X, y):
    return np.column_stack([X, y]).astype(np.float64), list(XY_HEADER)


def _iris_table():
    """(150, 5): the four features and the label (0 setosa, 1 versicolor, 2 virginica)."""
    X, y = _iris_raw()
    return np.column_stack([X, y]).astype(np.float64), list(IRIS_HEADER)


def _iris_split_table():
    """(150, 2): row index into iris.csv in load_iris(seed=0) order, and 1 = train, 0 = test."""
    perm = _iris_perm(0)
    train = (np.arange(N_IRIS) < N_IRIS_TRAIN).astype(np.float64)
    return np.column_stack([perm, train]).astype(np.float64), list(IRIS_SPLIT_HEADER)


# file name in data/ -> zero-argument function returning (table (rows, cols) float64, header)
DATASETS = {
    "rings.csv": lambda: _xy_table(*make_rings()),
    "sin_logistic_b0.7_0.7.csv": lambda: _xy_table(*make_sin_logistic()),
    "sin_logistic_b2_3.csv": lambda: _xy_table(*make_sin_logistic(b1=2, b2=3)),
    "circle.csv": lambda: _xy_table(*make_circle()),
    "iris.csv": _iris_table,
    "iris_split.csv": _iris_split_table,
}


def _format_number(v):
    """The shortest text that rereads as exactly v (Python's repr); whole numbers without
    ".0", so labels and indices read as 0, 1, 2 and iris as 5.1 rather than 5.0999999999999996."""
    v = float(v)
    if v.is_integer() and abs(v) < 2 ** 53 and not (v == 0 and np.signbit(v)):
        return str(int(v))
    return repr(v)


def write_csv(path, table, header):
    """Header row, then one comma-separated line per row of the 2-D table, every float64
    written so that it rereads bit for bit."""
    table = np.asarray(table, dtype=np.float64)
    lines = [",".join(header)]
    lines += [",".join(_format_number(v) for v in row) for row in table]
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(lines) + "\n")


def read_csv(path):
    """(table float64 (rows, cols), header list) of a file written by write_csv."""
    with open(path, encoding="utf-8") as f:
        header = f.readline().strip().split(",")
    table = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.float64, ndmin=2)
    return table, header


def write_data(folder="data"):
    """Write every table of DATASETS as folder/<name>; returns the paths written."""
    os.makedirs(folder, exist_ok=True)
    paths = []
    for name, make in DATASETS.items():
        path = os.path.join(folder, name)
        write_csv(path, *make())
        paths.append(path)
    return paths


def _main(argv):
    folder = argv[0] if argv else "data"
    for path in write_data(folder):
        print(path)


