"""The course's exercises, one small module per lesson. Each public name (a module's
``__all__``) is an ``Exercise``: ``exercises.<name>.check(your_function)``, ``.hint()``,
``.hint(2)``, ``.solution()``.
"""
import importlib as _importlib
import pkgutil as _pkgutil

from ._base import Exercise, NotAttempted, compare, gradient_problem

__all__ = []
for _info in sorted(_pkgutil.iter_modules(__path__), key=lambda m: m.name):
    if not _info.name.startswith("_"):
        _module = _importlib.import_module(f"{__name__}.{_info.name}")
        for _name in _module.__all__:
            globals()[_name] = getattr(_module, _name)
            __all__.append(_name)
