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

from lessonlib.optim import Optimizer

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


class MXNetAdam(Optimizer):
    """R MXNet's mx.opt.adam (MXNet <= 1.1, the notes' framework), written from its source and
    independent of lessonlib's Adam: mean <- b1 mean + (1 - b1) g; variance <- b2 variance +
    (1 - b2) g^2; lr_t <- lr sqrt(1 - b2^t) / (1 - b1^t); weight <- weight - lr_t mean /
    (sqrt(variance) + eps)."""

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        super().__init__(lr)

    def _init_state(self, param):
        return {"mean": np.zeros_like(param), "variance": np.zeros_like(param)}

    def _update(self, delta, grad, state):
        b1, b2 = self.beta1, self.beta2
        state["mean"] = b1 * state["mean"] + (1 - b1) * grad
        state["variance"] = b2 * state["variance"] + (1 - b2) * grad * grad
        lr_t = self.lr * np.sqrt(1 - b2 ** self.t) / (1 - b1 ** self.t)
        delta[...] = -lr_t * state["mean"] / (np.sqrt(state["variance"]) + self.eps)
