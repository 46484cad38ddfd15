"""Validation shared by the public API: every message names the argument, what was expected
and what arrived."""
import numbers

import numpy as np


def as_rng(seed=None):
    """None, an int or a Generator -> a Generator (a Generator is passed through, not copied)."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)):
        raise TypeError(f"seed must be None, an int or a numpy Generator; got {seed!r}")
    return np.random.default_rng(seed)


def check_real(name, value, *, low=None, high=None, low_open=False, high_open=False):
    """A real number in the given interval, returned as a float."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number; got {value!r} ({type(value).__name__})")
    value = float(value)
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if not np.isfinite(value) or too_low or too_high:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        lo = "-inf" if low is None else f"{low:g}"
        hi = "inf" if high is None else f"{high:g}"
        raise ValueError(f"{name} must be in {left}{lo}, {hi}{right}; got {value!r}")
    return value


def check_lr(value, name="lr"):
    return check_real(name, value, low=0.0, low_open=True)


def check_fraction(name, value):
    """A number in [0, 1): momentum, betas, dropout probability."""
    return check_real(name, value, low=0.0, high=1.0, high_open=True)


def check_int(name, value, *, low=None):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer; got {value!r} ({type(value).__name__})")
    value = int(value)
    if low is not None and value < low:
        raise ValueError(f"{name} must be >= {low}; got {value}")
    return value


def check_choice(name, value, choices):
    if not isinstance(value, str) or value not in choices:
        valid = ", ".join(repr(c) for c in choices)
        raise ValueError(f"unknown {name} {value!r}; valid values are {valid}")
    return value


def check_features(X, n_features, name="X", owner="the model"):
    """X as a finite float64 array of shape (N, n_features)."""
    arr = np.asarray(X)
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise TypeError(f"{name} must hold numbers; got an array of dtype {arr.dtype}"
                        " (convert text columns to numbers first)")
    if arr.ndim == 1 and n_features == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise ValueError(f"{name} must be 2-D with shape (N, {n_features}); got shape {arr.shape}")
    if arr.shape[1] != n_features:
        raise ValueError(f"{owner} expects {n_features} features, but {name} has shape {arr.shape}; "
                         f"expected (N, {n_features})")
    arr = np.asarray(arr, dtype=np.float64)
    if not np.isfinite(arr).all():
        bad = np.argwhere(~np.isfinite(arr))[0]
        raise ValueError(f"{name} must be finite; got {arr[tuple(bad)]} at row {bad[0]}, "
                         f"column {bad[1]} (drop or impute missing values first)")
    return arr


def check_labels(y, n_samples, n_classes, name="y"):
    """y as an int64 vector of length n_samples with values in 0..n_classes-1."""
    arr = np.asarray(y)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D vector of class labels; got shape {arr.shape}")
    if len(arr) != n_samples:
        raise ValueError(f"X and {name} must have the same length; got {n_samples} rows in X "
                         f"and {len(arr)} labels in {name}")
    if arr.dtype == bool:
        arr = arr.astype(np.int64)
    if not np.issubdtype(arr.dtype, np.number):
        raise TypeError(f"{name} must hold integer class labels; got dtype {arr.dtype}")
    if not np.issubdtype(arr.dtype, np.integer):
        if not (np.isfinite(arr).all() and np.all(arr == np.round(arr))):
            raise ValueError(f"{name} must hold integer class labels 0..{n_classes - 1}; "
                             f"got non-integer values such as {arr[arr != np.round(arr)][:1]}")
    arr = arr.astype(np.int64)
    if len(arr) and (arr.min() < 0 or arr.max() >= n_classes):
        bad = arr[(arr < 0) | (arr >= n_classes)][0]
        raise ValueError(f"{name} must hold labels in 0..{n_classes - 1} (n_out={n_classes}); "
                         f"got {bad}")
    return arr
