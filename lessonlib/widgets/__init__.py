"""Explorer builders, one small module per topic. Every public name of those modules (their
``__all__``) is a builder: callable with no arguments for the lesson's default explorer,
returning an ipywidgets widget. Notebooks call builders; they never wire sliders themselves.
The wiring they share (``Explorer``, ``slider``, ``dropdown``) is in ``_base``.
"""
from .._discover import export_public_modules

__all__ = export_public_modules(__name__, __path__, globals())
