"""Helpers for the per-lesson claim tests (tests/test_claims_lNN.py).

A claim test recomputes a number or result that a lesson's prose states (with lessonlib, or from
the precomputed file the notebook loads) and checks it against the value written in the test; it
also checks that the prose still says it, so that the text and the test cannot drift apart
silently (change the sentence, and the test asks you to change the check too)."""
import functools
import json
import re
from pathlib import Path

import numpy as np

LESSONS = Path(__file__).resolve().parent.parent / "lessons"


@functools.lru_cache(maxsize=None)
def prose(notebook):
    """The markdown of ``lessons/<notebook>`` (e.g. "02_momentum.ipynb") as one string, with
    runs of white space made single spaces (a sentence may wrap anywhere in the cell source)."""
    cells = json.loads((LESSONS / notebook).read_text(encoding="utf-8"))["cells"]
    text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return re.sub(r"\s+", " ", text)


def assert_says(notebook, phrase):
    """Fail unless the notebook's prose contains ``phrase`` (white space normalised)."""
    wanted = re.sub(r"\s+", " ", phrase)
    assert wanted in prose(notebook), f"{notebook} no longer says {wanted!r}: update this claim test"


class NotesLoss:
    """The notes' loss, written from their formula (seed 001's m_log, without its 1e-8): the
    mean of -onehot * log(softmax) over all N x 3 entries; backward is its gradient, derived by
    hand: (p - onehot) / (3 N)."""

    def forward(self, logits, y):
        z = logits - logits.max(axis=1, keepdims=True)
        p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        self._cache = (p, np.eye(logits.shape[1])[y])
        return float(-np.mean(self._cache[1] * np.log(p)))

    def backward(self):
        p, onehot = self._cache
        return (p - onehot) / p.size
