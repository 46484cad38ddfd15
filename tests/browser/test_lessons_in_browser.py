"""Every lesson as a learner meets it: opened in JupyterLab in chromium, all cells run, no error
in the page, and every explorer's figure answers its first slider.

Run one notebook:  make browser-test ARGS="-k 01_local_minima"
Screenshots of each explorer before and after land in test-artifacts/browser/.
"""
import hashlib
import time
from pathlib import Path

import pytest

from labpage import (ACTIVE_PANEL, ALL_RUN_JS, RUN_ALL_JS, STATUS_IDLE_JS, VIEWPORT,
                     open_file_browser, page_problems, wait_for_laid_out_canvas)

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted(p.name for p in (ROOT / "lessons").glob("*.ipynb"))
RUN_BUDGET_S = 120          # a notebook's cells must all have run by then (30 s on the CLI)


def canvas_hash(explorer):
    data = explorer.locator(".jupyter-matplotlib-figure canvas").first.evaluate(
        "c => c.toDataURL()")
    return hashlib.sha1(data.encode()).hexdigest()


def canvas_overflow(explorer):
    """How many pixels of the figure's canvas stick out to the right of the notebook's output
    area (where JupyterLab cuts them off): at most 0 when the learner sees the whole figure."""
    return explorer.evaluate("""e => {
        const canvas = e.querySelector('.jupyter-matplotlib-figure canvas');
        const area = e.closest('.jp-OutputArea-output') || e;
        return canvas.getBoundingClientRect().right - area.getBoundingClientRect().right;
    }""")


def wait_for_new_stable_figure(explorer, before, timeout=30.0):
    """The canvas differs from ``before`` and holds steady across two polls 400 ms apart."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        now = canvas_hash(explorer)
        if now != before and now == last:
            return now
        last = now
        time.sleep(0.4)
    return None


def wait_for_settled_figure(explorer, quiet=1.5, timeout=30.0):
    """The kernel is idle and the canvas has not changed for ``quiet`` seconds: every run a
    burst of key presses started has drawn its last frame. Returns the settled hash."""
    explorer.page.wait_for_function(STATUS_IDLE_JS, timeout=timeout * 1000, polling=200)
    deadline = time.monotonic() + timeout
    last, since = canvas_hash(explorer), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.25)
        now = canvas_hash(explorer)
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return now
    return None


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_lesson_runs_and_explorers_respond(notebook, lab, browser, artifacts):
    shots = artifacts / notebook.removesuffix(".ipynb")
    shots.mkdir(parents=True, exist_ok=True)
    # a 1280-px laptop screen with the file browser open: the narrowest the figures must fit
    page = browser.new_page(viewport=VIEWPORT)
    js_errors = []
    page.on("pageerror", lambda exc: js_errors.append(str(exc)))
    try:
        # ?reset: a fresh workspace, not the previous test's notebooks as hidden tabs
        page.goto(f"{lab['base']}/lab/tree/{notebook}?reset&token={lab['token']}",
                  wait_until="domcontentloaded")
        # The toolbar says idle before the kernel exists; the status bar's kernel name is
        # only shown once it does. Run All sent earlier clears outputs and runs nothing.
        page.wait_for_function(STATUS_IDLE_JS, timeout=90_000)
        page.wait_for_function("() => !!window.jupyterapp", timeout=30_000)
        open_file_browser(page)
        page.evaluate(RUN_ALL_JS)
        try:
            page.wait_for_function(ALL_RUN_JS, timeout=RUN_BUDGET_S * 1000, polling=500)
            page.wait_for_function(STATUS_IDLE_JS, timeout=RUN_BUDGET_S * 1000, polling=500)
        except Exception:
            page.screenshot(path=str(shots / "timeout.png"), full_page=True)
            pytest.fail(f"{notebook}: cells still running after {RUN_BUDGET_S} s")
        time.sleep(1.0)                      # widgets render just after the kernel goes idle
        problems = page_problems(page)
        assert not problems, f"{notebook}: {problems}"

        explorers = page.locator(f"{ACTIVE_PANEL} .lessonlib-explorer")
        for i in range(explorers.count()):
            explorer = explorers.nth(i)
            explorer.scroll_into_view_if_needed()
            laid_out = wait_for_laid_out_canvas(explorer)
            explorer.screenshot(path=str(shots / f"explorer{i}_before.png"))
            assert laid_out, f"{notebook}: explorer {i}'s figure never appeared on the page"
            cut = canvas_overflow(explorer)
            assert cut <= 1, f"{notebook}: explorer {i}'s figure is cut off by {cut:.0f} px"
            before = canvas_hash(explorer)
            moved = move_first_control(explorer)
            assert moved, f"{notebook}: explorer {i} has no slider or dropdown to move"
            run = explorer.locator("button", has_text="Run")
            if run.count() and notebook.startswith("09_"):
                # a cheap setting (6 layers, 6 units) trains by itself, without the button
                after = wait_for_new_stable_figure(explorer, before)
                assert after is not None, f"{notebook}: a cheap move did not run by itself"
                assert_expensive_setting_waits(explorer)
            elif run.count():
                run.first.click()
            after = wait_for_new_stable_figure(explorer, before)
            explorer.screenshot(path=str(shots / f"explorer{i}_after.png"))
            assert after is not None, f"{notebook}: explorer {i}'s figure did not change"
        assert not page_problems(page), f"{notebook}: {page_problems(page)}"
        assert not js_errors, f"{notebook}: JavaScript errors: {js_errors}"
    finally:
        page.close()


def assert_expensive_setting_waits(explorer):
    """Lesson 09 at 1000 layers: the figure waits for Run and the status line says why."""
    select = explorer.locator(".widget-dropdown select").first
    # the cheap runs started by the slider may still be drawing: hash only once they are done
    before = wait_for_settled_figure(explorer)
    assert before is not None, "the cheap runs' figure never settled"
    select.select_option(label="1000")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and "press Run" not in explorer.inner_text():
        time.sleep(0.3)
    assert "press Run" in explorer.inner_text(), "1000 layers: no 'press Run' in the status"
    assert "This setting takes about" in explorer.inner_text()
    time.sleep(1.0)
    assert canvas_hash(explorer) == before, "1000 layers trained without the Run button"
    select.select_option(label="6")


def move_first_control(explorer):
    """Press ArrowRight three times on the first slider's handle (one step per press); with
    no slider, pick the dropdown's next option."""
    handle = explorer.locator(".widget-slider .noUi-handle")
    if handle.count():
        handle.first.focus()
        for _ in range(3):
            handle.first.press("ArrowRight")
        return True
    select = explorer.locator(".widget-dropdown select")
    if select.count():
        options = select.first.locator("option").all_text_contents()
        current = select.first.input_value()
        values = select.first.evaluate("s => [...s.options].map(o => o.value)")
        nxt = next(v for v in values if v != current) if len(values) > 1 else None
        if nxt is not None:
            select.first.select_option(nxt)
            return bool(options)
    return False
