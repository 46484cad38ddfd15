"""Explorer builders, one small module per topic. Every public name of those modules (their
``__all__``) is a builder: callable with no arguments for the lesson's default explorer,
returning an ipywidgets widget. Notebooks call builders; they never wire sliders themselves.
"""
import importlib as _importlib
import pkgutil as _pkgutil

from ._base import Explorer, diverged_banner, dropdown, log_slider, mark_diverged, new_figure, slider

__all__ = []
for _info in sorted(_pkgutil.iter_modules(__path__), key=lambda m: m.name):
    if not _info.name.startswith("_"):
        _module = _importlib.import_module(f"{__name__}.{_info.name}")
        for _name in _module.__all__:
            globals()[_name] = getattr(_module, _name)
            __all__.append(_name)
