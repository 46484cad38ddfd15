"""A pytest plugin (``-p nbval_figures`` in pyproject.toml): nbval compares every text output of a
notebook but skips its PNG figures, so a figure of a chaotic run could differ on the learner's CPU
unnoticed. Here every stored figure must also come back: the new PNG has the stored one's size, and
at most ``MOST_CHANGED_PIXELS`` of its pixels differ visibly (by more than ``VISIBLE`` in a colour
channel, of 255). Antialiasing and rounding move no pixel that far; a curve or a decision map
that took another course does (1 to 4 % of the pixels in the cases that motivated this check).
Under ``make cpu-check`` (inputs nudged by 1e-12) this is the figures' own CPU check.
"""
import base64
import io

import numpy as np
from nbval.plugin import IPyNbCell

VISIBLE = 40
MOST_CHANGED_PIXELS = 0.001


def _pixels(encoded):
    from PIL import Image
    data = base64.b64decode(encoded if isinstance(encoded, str) else "".join(encoded))
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), dtype=np.int16)


def _pngs(outputs):
    return [out["data"]["image/png"] for out in outputs
            if "image/png" in out.get("data", {})]


def figure_problems(test, ref):
    """What differs between the figures of two lists of outputs (a new run, the stored one)."""
    new, stored = _pngs(test), _pngs(ref)
    if len(new) != len(stored):
        return [f"the cell drew {len(new)} figures; the notebook stores {len(stored)}"]
    problems = []
    for k, (a, b) in enumerate(zip(new, stored), start=1):
        a, b = _pixels(a), _pixels(b)
        if a.shape != b.shape:
            problems.append(f"figure {k}: {a.shape[1]} x {a.shape[0]} px, stored "
                            f"{b.shape[1]} x {b.shape[0]} px")
            continue
        changed = float((np.abs(a - b).max(axis=2) > VISIBLE).mean())
        if changed > MOST_CHANGED_PIXELS:
            problems.append(f"figure {k}: {changed:.2%} of its pixels differ visibly from the "
                            f"stored figure (at most {MOST_CHANGED_PIXELS:.1%} may): does it "
                            f"show a run whose outcome depends on rounding? Load it from data/")
    return problems


_compare_text = IPyNbCell.compare_outputs


def _compare_text_and_figures(self, test, ref, skip_compare=None):
    same = _compare_text(self, test, ref, skip_compare)
    problems = figure_problems(test, ref)
    if problems:
        self.comparison_traceback = list(getattr(self, "comparison_traceback", None) or [])
        self.comparison_traceback += problems
    return same and not problems


IPyNbCell.compare_outputs = _compare_text_and_figures
