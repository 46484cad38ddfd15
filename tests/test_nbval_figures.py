"""The figure check added to nbval (tests/nbval_figures.py): a figure drawn again from the same
numbers passes, one whose curve took another course or whose size changed fails, with a message
that says so."""
import base64
import io

import matplotlib
import numpy as np

from nbval_figures import figure_problems

matplotlib.use("Agg")


def _png_output(ys, width=6.0):
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(width, 3))
    ax.plot(ys)
    ax.set_ylim(-1.5, 1.5)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80)
    plt.close(fig)
    return {"output_type": "display_data",
            "data": {"image/png": base64.b64encode(buf.getvalue()).decode(), "text/plain": ""}}


def test_the_same_figure_passes_and_a_changed_run_fails():
    t = np.linspace(0, 6, 200)
    stored = [_png_output(np.sin(t))]
    assert figure_problems([_png_output(np.sin(t))], stored) == []
    assert figure_problems([_png_output(np.sin(t) + 1e-9)], stored) == []     # rounding
    late_change = np.where(t > 4, np.sin(t) - 0.6, np.sin(t))                # another course
    problems = figure_problems([_png_output(late_change)], stored)
    assert len(problems) == 1 and "of its pixels differ visibly" in problems[0]


def test_a_new_size_or_a_missing_figure_fails():
    t = np.linspace(0, 6, 200)
    stored = [_png_output(np.sin(t))]
    assert "px, stored" in figure_problems([_png_output(np.sin(t), width=6.5)], stored)[0]
    assert figure_problems([], stored) == ["the cell drew 0 figures; the notebook stores 1"]
