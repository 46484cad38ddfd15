"""The course's exercises, one small module per lesson. Each public name (a module's
``__all__``) is an ``Exercise``: ``exercises.<name>.check(your_function)``, ``.hint()``,
``.hint(2)``, ``.solution()``. The grading kit they are built on is ``_kit``.
"""
from .._discover import export_public_modules

__all__ = export_public_modules(__name__, __path__, globals())
