"""Explorer builders, one small module per topic. Every public name of those modules (their
``__all__``) is a builder: callable with no arguments for the lesson's default explorer,
returning an ipywidgets widget. Notebooks call builders; they never wire sliders themselves.
"""
from .._discover import export_public_modules
from ._base import Explorer, diverged_banner, dropdown, log_slider, mark_diverged, new_figure, slider

__all__ = export_public_modules(__name__, __path__, globals())
