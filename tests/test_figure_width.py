"""Every figure a learner sees fits JupyterLab's output area on a 1280-px laptop screen with the
file browser open (STYLE.md 1b): JupyterLab shows a PNG at its pixel size and cuts it off."""
import base64
import json
import struct
from pathlib import Path
from unittest import mock

import matplotlib
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from lessonlib.plots import style  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def png_size(data):
    """(width, height) from a PNG's IHDR chunk."""
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("width_in", [4, 9, 12, 16])
def test_show_never_writes_a_png_wider_than_the_output_area(width_in):
    fig, ax = plt.subplots(figsize=(width_in, 3))
    ax.plot([0, 1], [0, 1])
    ax.set_ylabel("a label that widens the tight box")
    with mock.patch("IPython.display.display") as display:
        style.show(fig)
    width, _ = png_size(display.call_args[0][0].data)
    assert width <= style.MAX_FIGURE_PX
    if width_in >= 12:                  # a wide figure is shrunk to the limit, not far below it
        assert width >= style.MAX_FIGURE_PX - 10


@pytest.mark.parametrize("notebook", sorted(p.name for p in (ROOT / "lessons").glob("*.ipynb")))
def test_committed_figures_fit_the_output_area(notebook):
    cells = json.loads((ROOT / "lessons" / notebook).read_text())["cells"]
    too_wide = []
    for index, cell in enumerate(cells):
        for output in cell.get("outputs", []):
            png = output.get("data", {}).get("image/png")
            if png:
                width, _ = png_size(base64.b64decode(png))
                if width > style.MAX_FIGURE_PX:
                    too_wide.append((index, width))
    assert not too_wide, f"{notebook}: (cell, width px) wider than {style.MAX_FIGURE_PX}: {too_wide}"
