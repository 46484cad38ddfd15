"""What the browser tests and the explorer benchmark (bench/bench_explorers.py) share about a
JupyterLab page in chromium: the launch flags, when the kernel is idle and every cell has run,
when an explorer's figure is laid out, and which errors the page shows."""
import time

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
ACTIVE_PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"
# A 1280-px laptop screen with JupyterLab's file browser open beside the notebook: the narrowest
# layout the figures are made for (at most 820 px wide, lessonlib/plots/style.py).
VIEWPORT = {"width": 1280, "height": 800}

STATUS_IDLE_JS = """() => [...document.querySelectorAll('.jp-StatusBar-Widget')]
    .some(e => /ipykernel\\) \\| Idle/.test(e.textContent))"""
# A cell whose code is folded (metadata jupyter.source_hidden, a solution kept out of sight)
# shows a placeholder whose prompt never gets a number, though the cell runs: it is left out.
ALL_RUN_JS = """() => {
    const prompts = [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) '
                                                  + '.jp-CodeCell .jp-InputPrompt')]
        .filter(p => !p.closest('.jp-InputPlaceholder'));
    return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]:/.test(p.textContent));
}"""
# never return commands.execute's promise: it may never settle (NOTEBOOK-TESTING.md)
RUN_ALL_JS = """() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); return true; }"""

CANVAS_SIZE_JS = """e => {
    const c = e.querySelector('.jupyter-matplotlib-figure canvas');
    if (!c) return 0;
    const r = c.getBoundingClientRect();
    return r.width * r.height;
}"""


def open_file_browser(page):
    """Open the file browser in the left side bar, as a learner has it, if it is not open."""
    if not page.evaluate("() => { const f = document.querySelector('.jp-FileBrowser');"
                         " return !!f && f.getBoundingClientRect().width > 0; }"):
        page.evaluate("() => { window.jupyterapp.commands.execute('filebrowser:activate');"
                      " return true; }")


def wait_for_laid_out_canvas(explorer, timeout=30.0):
    """True once the figure's canvas has a size on the page. Under load, a figure drawn while
    its output was not laid out yet can stay at size 0 until the page's next resize (seen once
    in five full runs, never when the lesson runs alone); one resize event half-way through
    the wait lays it out as a learner's next window change would."""
    deadline = time.monotonic() + timeout
    nudged = False
    while time.monotonic() < deadline:
        if explorer.evaluate(CANVAS_SIZE_JS) > 0:
            return True
        if not nudged and time.monotonic() > deadline - timeout / 2:
            explorer.page.evaluate("() => window.dispatchEvent(new Event('resize'))")
            nudged = True
        time.sleep(0.4)
    return False


def page_problems(page):
    """Error outputs, tracebacks and widgets that failed to render, as shown in the page."""
    return page.evaluate("""() => {
        const found = [];
        const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
        if (!panel) return ['no notebook panel'];
        for (const out of panel.querySelectorAll('.jp-OutputArea-output')) {
            const mime = out.getAttribute('data-mime-type') || '';
            const text = out.textContent || '';
            if (mime.includes('stderr')) found.push('stderr output: ' + text.slice(0, 300));
            if (/Traceback|Error displaying widget|Error rendering/.test(text))
                found.push('error shown: ' + text.slice(0, 300));
        }
        for (const w of panel.querySelectorAll('.jupyter-widgets-view, .jp-OutputArea-output'))
            if (/Loading widget\\.\\.\\./.test(w.textContent || '') && !w.querySelector('.widget-box'))
                found.push('widget never rendered: ' + (w.textContent || '').slice(0, 100));
        return found;
    }""")
