"""The library's floors, each importing only those below it: the engine (NumPy), recipes (the
lessons' experiments), plots (matplotlib) and the explorers (lessonlib.widgets, ipywidgets).
A make script in data/ or a test that trains a lesson's network must not need a plotting or
widget stack, and a figure must not need ipywidgets."""
import ast
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import lessonlib.plots
import lessonlib.recipes

ROOT = Path(__file__).resolve().parents[1]
LIB = ROOT / "lessonlib"
ENGINE = ["lessonlib", "lessonlib.layers", "lessonlib.connections", "lessonlib.models",
          "lessonlib.optim", "lessonlib.data", "lessonlib.gradcheck"]
RECIPES = [f"lessonlib.recipes.{m.name}" for m in pkgutil.iter_modules(lessonlib.recipes.__path__)]
PLOTS = [f"lessonlib.plots.{m.name}" for m in pkgutil.iter_modules(lessonlib.plots.__path__)]
MAKE_SCRIPTS = sorted(str(p) for p in (ROOT / "data").glob("make_*.py"))
UI = ("matplotlib", "ipywidgets", "IPython")

# Imports each module (or loads each script, without running its main) in order, in a fresh
# interpreter, and reports which of the UI packages each one has loaded by then.
PROBE = """
import importlib, importlib.util, json, sys
seen = {}
for target in sys.argv[2:]:
    if target.endswith(".py"):
        spec = importlib.util.spec_from_file_location("script", target)
        spec.loader.exec_module(importlib.util.module_from_spec(spec))
    else:
        importlib.import_module(target)
    seen[target] = [m for m in json.loads(sys.argv[1]) if m in sys.modules]
print(json.dumps(seen))
"""


def _loaded(targets, watched=UI):
    out = subprocess.run([sys.executable, "-c", PROBE, json.dumps(watched), *targets],
                         check=True, capture_output=True, text=True, cwd=ROOT).stdout
    return json.loads(out)


def test_engine_recipes_and_make_scripts_load_no_plotting_or_widgets():
    assert len(RECIPES) >= 2 and len(MAKE_SCRIPTS) >= 8
    loaded = _loaded(ENGINE + RECIPES + MAKE_SCRIPTS)
    offenders = {target: mods for target, mods in loaded.items() if mods}
    assert not offenders, f"these load a UI package (the first one is the culprit): {offenders}"


def test_plots_load_no_widgets():
    loaded = _loaded(["lessonlib.plots", *PLOTS], watched=["ipywidgets"])
    assert not any(loaded.values()), loaded


def _imported_modules(path):
    """The lessonlib modules a file imports, as absolute names ('lessonlib.widgets.x')."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(part for part in (base, node.module or "") if part)
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return {n for n in names if n.startswith("lessonlib")}


@pytest.mark.parametrize("path", sorted(LIB.glob("*.py")) + sorted((LIB / "recipes").glob("*.py")),
                         ids=lambda p: str(p.relative_to(LIB)))
def test_engine_and_recipes_import_nothing_above_them(path):
    upward = ("lessonlib.widgets", "lessonlib.plots", "lessonlib.exercises")
    bad = sorted(n for n in _imported_modules(path) if n.startswith(upward))
    assert not bad, f"{path.name} imports {bad}"


@pytest.mark.parametrize("path", sorted((LIB / "exercises").glob("*.py")), ids=lambda p: p.name)
def test_exercises_use_the_engine_and_recipes_only(path):
    bad = sorted(n for n in _imported_modules(path)
                 if n.startswith(("lessonlib.widgets", "lessonlib.plots")))
    assert not bad, f"exercises/{path.name} imports {bad}"
