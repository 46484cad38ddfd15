"""The lessons' experiments: toy problems, training runs, diagnostics and the storage of
precomputed runs. One module per lesson (``l05_adaptive``), plus ``toys`` for the problems that
several lessons share.

This floor imports NumPy and the engine (layers, models, optim, data, gradcheck) only: never
matplotlib or ipywidgets, so a make script in data/ or a test can train a lesson's network
without loading a plotting or widget stack (``tests/test_floors.py`` checks it). Figures live
in ``lessonlib.plots``, sliders in ``lessonlib.widgets``; both import from here.
"""
