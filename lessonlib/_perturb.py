"""The cross-CPU check: every input of the course nudged by a tiny relative amount.

Two CPUs (or two BLAS kernels: AVX-512, AVX2, ARM) round the last bits of a matrix product
differently, and a long run with momentum amplifies those bits until two machines print
different numbers. With LESSONLIB_PERTURB=1e-12 in the environment, the data sets, the initial
weights and the starting points of `descend` are multiplied by (1 + 1e-12 u), u a fixed pattern
in [-1, 1]: a change far larger than any kernel's rounding, and far smaller than anything a
lesson means to show. A stored output that still reads the same holds on any CPU
(`make cpu-check` reruns every notebook and precomputed-run test this way). Unset, nothing
changes: the arrays are returned as they came.
"""
import os

import numpy as np

ENV_VAR = "LESSONLIB_PERTURB"


def relative_size():
    """The relative nudge asked for in the environment; 0.0 when unset."""
    text = os.environ.get(ENV_VAR, "").strip()
    if not text:
        return 0.0
    try:
        size = float(text)
    except ValueError:
        raise ValueError(f"{ENV_VAR} must be a small number such as 1e-12; got {text!r}") from None
    if not 0.0 <= size < 1e-6:
        raise ValueError(f"{ENV_VAR} must be in [0, 1e-6) (a nudge, not noise); got {text!r}")
    return size


def perturbed(a):
    """``a`` times (1 + size * u) elementwise when the check is on (a new array), else ``a``."""
    size = relative_size()
    if size == 0.0:
        return a
    a = np.asarray(a, dtype=np.float64)
    # A pattern of its own generator: the caller's random stream is left exactly as it was.
    pattern = np.random.default_rng(a.size).uniform(-1.0, 1.0, size=a.shape)
    return a * (1.0 + size * pattern)
