"""Lesson 01: local minima. The stationary points of the quartic f(x) = x^4 + 3x^3 + 2x^2, the
bound beyond which a 1-D path has blown up (``BLOWN_UP``, for ``toys.blew_up``) and a few words
on where it ended (``outcome``); lesson 02's 1-D runs use them too."""
import numpy as np

from .toys import blew_up

# f'(x) = x (4x^2 + 9x + 4) = 0 at x = 0 and x = (-9 -+ sqrt(17)) / 8.
QUARTIC_GLOBAL_MIN = (-9.0 - np.sqrt(17.0)) / 8.0       # -1.6404
QUARTIC_LOCAL_MAX = (-9.0 + np.sqrt(17.0)) / 8.0        # -0.6096, the watershed
QUARTIC_LOCAL_MIN = 0.0

# Iterates farther than this from the origin count as blown up (the plots show |x| < 3.3).
BLOWN_UP = 10.0


def outcome(path, marks, tol=0.02):
    """A few words on where a 1-D path ended: which minimum, still moving, or blew up."""
    path = np.asarray(path, dtype=np.float64)
    if blew_up(path, BLOWN_UP):
        return "blew up"
    x = path[-1]
    moving = len(path) > 1 and abs(path[-1] - path[-2]) > 1e-3
    for name, where, _ in marks:
        if "min" in name and abs(x - where) < tol and not moving:
            return f"settled in the {name}"
    steps = np.abs(np.diff(path))
    if len(steps) >= 3 and steps[-1] >= steps[:-1].max():      # every swing wider than before
        return "swinging wider"
    return "still moving"
