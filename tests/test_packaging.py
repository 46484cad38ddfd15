"""requirements.txt (pip) and environment.yml (conda) must list the same packages."""
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def parse(lines):
    reqs = {}
    for line in lines:
        line = line.split("#")[0].strip()
        if not line or line.startswith("-"):
            continue
        name, spec = re.match(r"([A-Za-z0-9_.\-]+)\s*(.*)", line).groups()
        reqs[name.lower().replace("_", "-")] = spec.replace(" ", "")
    return reqs


def test_pip_and_conda_files_agree():
    pip = parse((ROOT / "requirements.txt").read_text().splitlines())
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda_lines = [d for d in env["dependencies"] if isinstance(d, str)]
    conda = parse(conda_lines)
    conda.pop("python"), conda.pop("pip")
    assert pip == conda
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert pip_section == ["-e ."]
    assert "-e ." in (ROOT / "requirements.txt").read_text().splitlines()


def test_pyproject_runtime_dependencies_are_in_requirements():
    # a regex rather than tomllib, which Python 3.10 lacks
    block = re.search(r"^dependencies = \[(.*?)\]", (ROOT / "pyproject.toml").read_text(),
                      re.S | re.M).group(1)
    runtime = parse(re.findall(r'"([^"]+)"', block))
    pip = parse((ROOT / "requirements.txt").read_text().splitlines())
    assert runtime and runtime.items() <= pip.items()


def test_the_wheel_holds_every_library_file(tmp_path):
    """`pip install .` (not editable) must get the whole library: build the wheel as pip does
    and find every module of lessonlib/ in it."""
    import shutil
    import subprocess
    import sys
    import zipfile
    # built from a copy: setuptools leaves build/ behind, and a stale build/ hides missing files
    source = tmp_path / "source"
    shutil.copytree(ROOT / "lessonlib", source / "lessonlib",
                    ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet",
                    "--disable-pip-version-check", "-w", str(tmp_path), str(source)],
                   check=True, capture_output=True)
    wheel, = tmp_path.glob("lessonlib-*.whl")
    in_wheel = set(zipfile.ZipFile(wheel).namelist())
    library = {path.relative_to(ROOT).as_posix() for path in (ROOT / "lessonlib").rglob("*.py")}
    assert len(library) > 30
    assert library - in_wheel == set()
