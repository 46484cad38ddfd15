"""Fixtures: a JupyterLab server over a throwaway copy of the lessons, and Debian's chromium
driven by Playwright."""
import os
import shutil
from pathlib import Path

import pytest

from labpage import CHROMIUM_ARGS
from labserver import start_lab, stop

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts" / "browser"


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("lab")
    lessons = tmp / "lessons"
    shutil.copytree(ROOT / "lessons", lessons)
    shutil.copytree(ROOT / "data", tmp / "data")      # lessons read ../data/
    proc, base, token = start_lab(lessons, tmp)
    try:
        yield {"base": base, "token": token, "root": lessons}
    finally:
        stop(proc)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright
    if not Path(CHROMIUM).exists():
        message = (f"{CHROMIUM} not found: `make test` installs Debian's chromium when run as "
                   "root; otherwise `sudo apt-get install chromium`, or set CHROMIUM=/path")
        if os.environ.get("CI"):
            pytest.fail(message)        # CI must run the browser tests, never skip them
        pytest.skip(message)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="session")
def artifacts():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
