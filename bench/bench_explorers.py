"""Explorer latency in the browser: from a control's move to the figure's new pixels.

Opens every lesson in JupyterLab in Debian's chromium (1280x800, file browser open), runs all
cells, and moves every control of every explorer (`.lessonlib-explorer`) several times. For each
move it records, inside the page with `performance.now()`:

    press     just before the event is dispatched to the control in the page (a synthetic
              `keydown` ArrowRight/ArrowLeft on a slider's focused `.noUi-handle`, a `change` on a
              dropdown's <select> after setting its value, `click()` on a checkbox or button);
    first     the first animation frame at which the figure's canvas pixels differ;
    last      the last change of the burst: the canvas then held steady for `--quiet` seconds
              with the kernel idle. This is the latency reported (the figure a learner sees
              settled); `first` is reported beside it.

and, in the kernel (wrapped from outside after the notebook ran; lessonlib is not changed), the
time the Python callback took (the comm message handler of the moved control, which runs its
observers: the explorer's update and `draw_idle`), and the time of matplotlib's render of the
figure (Agg draw + PNG diff sent to the browser).

A floor is measured in the same run, at the start and at the end: a minimal notebook written
into the throwaway folder, `%matplotlib widget`, one line in a figure of lessonlib's default
size (9 x 3.6 in at 100 dpi: 900 x 360 px; the explorers' canvases are at most 820 px wide), and
an IntSlider whose observer calls `line.set_ydata(...)` and `fig.canvas.draw_idle()`.

Explorers with a Run button (training) are reported apart: whether a moved control updates the
figure by itself or waits for the button, then the Run click's latency and the kernel's run time.

It is a benchmark: it prints numbers and PASS/MISS against issue 14's goal and never fails a
build. Run it with the course venv (JupyterLab, ipympl, playwright):

    .venv/bin/python bench/bench_explorers.py                       # all lessons
    .venv/bin/python bench/bench_explorers.py --lessons 01,02 --moves 8 --json /tmp/lat.json
"""
import argparse
import hashlib
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))
# the browser tests' server and page helpers, reused
from labpage import (ACTIVE_PANEL, ALL_RUN_JS, CHROMIUM_ARGS, RUN_ALL_JS,  # noqa: E402
                     STATUS_IDLE_JS, VIEWPORT, open_file_browser, page_problems,
                     wait_for_laid_out_canvas)
from labserver import start_lab, stop  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
GOAL_MEDIAN = 0.12      # issue 14: analytic explorers, slider to settled pixels, seconds
GOAL_P90 = 0.20
RUN_BUDGET_S = 180      # all cells of a notebook have run by then
FLOOR_NOTEBOOK = "zz_bench_floor.ipynb"

# ----- the floor notebook ------------------------------------------------------------------------
FLOOR_SOURCE = [
    "%matplotlib widget\n"
    "import ipywidgets as widgets\n"
    "import matplotlib.pyplot as plt\n"
    "import numpy as np",
    # the same canvas options as lessonlib's new_figure, and the same default size (9 x 3.6 in
    # at 100 dpi), so that the floor's PNG and DOM are an explorer's
    "x = np.linspace(0, 2 * np.pi, 200)\n"
    "with plt.ioff():\n"
    "    fig, ax = plt.subplots(figsize=(9, 3.6), dpi=100)\n"
    "for attr in ('header_visible', 'footer_visible', 'toolbar_visible', 'resizable'):\n"
    "    setattr(fig.canvas, attr, False)\n"
    "line, = ax.plot(x, np.sin(x))\n"
    "ax.set_ylim(-1.1, 1.1)\n"
    "slider = widgets.IntSlider(value=5, min=0, max=20, description='phase')\n"
    "\n"
    "def on_change(change):\n"
    "    line.set_ydata(np.sin(x + 0.3 * change['new']))\n"
    "    fig.canvas.draw_idle()\n"
    "\n"
    "slider.observe(on_change, names='value')\n"
    "box = widgets.VBox([slider, fig.canvas])\n"
    "box.add_class('lessonlib-explorer')\n"
    "box",
]


def write_floor_notebook(folder):
    cells = [{"cell_type": "code", "execution_count": None, "id": f"floor{i}", "metadata": {},
              "outputs": [], "source": src} for i, src in enumerate(FLOOR_SOURCE)]
    nb = {"cells": cells, "metadata": {"kernelspec": {"display_name": "Python 3",
                                                      "language": "python", "name": "python3"}},
          "nbformat": 4, "nbformat_minor": 5}
    (folder / FLOOR_NOTEBOOK).write_text(json.dumps(nb, indent=1))


# ----- kernel-side instrumentation (executed in the notebook's kernel after it ran) --------------
# Wraps, in this kernel only: each live widget's comm message callback (the handler of a moved
# control runs its observers synchronously: the explorer's update and draw_idle), matplotlib's
# webagg canvas draw (Agg render + PNG diff + send), and lessonlib's Explorer.refresh when it
# exists. Idempotent: run again before each explorer to catch widgets created since.
KERNEL_INSTALL = r'''
def __lessonlib_bench_install():
    import sys, time, types
    pc = time.perf_counter
    m = sys.modules.get("_lessonlib_bench")
    if m is None:
        m = types.ModuleType("_lessonlib_bench")
        m.log = []
        sys.modules["_lessonlib_bench"] = m
    log = m.log
    try:
        from matplotlib.backends import backend_webagg_core as wc
        C = wc.FigureCanvasWebAggCore
        if not getattr(C.draw, "_bench", False):
            orig_draw = C.draw
            def draw(self, *a, **k):
                t0 = pc()
                try:
                    return orig_draw(self, *a, **k)
                finally:
                    log.append(("render", id(self.figure), t0, pc() - t0))
            draw._bench = True
            C.draw = draw
    except ImportError:
        pass
    base = sys.modules.get("lessonlib.widgets._base")
    E = getattr(base, "Explorer", None)
    if E is not None and callable(getattr(E, "refresh", None)) \
            and not getattr(E.refresh, "_bench", False):
        orig_refresh = E.refresh
        def refresh(self, *a, **k):
            t0 = pc()
            try:
                return orig_refresh(self, *a, **k)
            finally:
                err = getattr(self, "error", None)
                log.append(("refresh", id(getattr(self, "fig", None)), t0, pc() - t0,
                            None if err is None else f"{type(err).__name__}: {err}"))
        refresh._bench = True
        E.refresh = refresh
    import ipywidgets
    instances = getattr(ipywidgets.widgets.widget, "_instances", None)
    if instances is None:
        instances = ipywidgets.Widget.widgets
    wrapped = 0
    for w in list(instances.values()):
        comm = getattr(w, "comm", None)
        cb = getattr(comm, "_msg_callback", None)
        if cb is None or getattr(cb, "_bench", False):
            continue
        def on_msg(msg, _cb=cb, _name=type(w).__name__):
            t0 = pc()
            try:
                return _cb(msg)
            finally:
                data = (msg.get("content") or {}).get("data") or {}
                kind = data.get("method")
                if kind == "custom":
                    c = data.get("content") or {}
                    kind = "custom:" + str(c.get("event") or c.get("type") or "")
                log.append(("msg", _name, kind, t0, pc() - t0))
        on_msg._bench = True
        comm.on_msg(on_msg)
        wrapped += 1
    return wrapped
print(__lessonlib_bench_install())
'''
KERNEL_DUMP = r'''
import json as __j, sys as __s
__m = __s.modules.get("_lessonlib_bench")
print(__j.dumps(__m.log if __m else None))
if __m: __m.log.clear()
'''

EXECUTE_JS = """async ([code, timeoutMs]) => {
    const app = window.jupyterapp;
    let panel = app.shell.currentWidget;
    if (!panel || !panel.sessionContext)
        panel = [...app.shell.widgets('main')].find(w => w.sessionContext);
    const kernel = panel.sessionContext.session.kernel;
    const future = kernel.requestExecute({code, silent: false, store_history: false});
    let out = '', err = null;
    future.onIOPub = msg => {
        const t = msg.header.msg_type;
        if (t === 'stream') out += msg.content.text;
        else if (t === 'error') err = msg.content.ename + ': ' + msg.content.evalue;
    };
    const timeout = new Promise(r => setTimeout(() => r('timeout'), timeoutMs));
    const done = await Promise.race([future.done.then(() => 'done'), timeout]);
    return {out, err, done};
}"""

SHUTDOWN_JS = """async () => {
    const app = window.jupyterapp;
    const panel = [...app.shell.widgets('main')].find(w => w.sessionContext);
    if (!panel) return false;
    await Promise.race([panel.sessionContext.shutdown(), new Promise(r => setTimeout(r, 10000))]);
    return true;
}"""

# ----- in-page measurement ---------------------------------------------------------------------
# Installed once per page. Hooks the 2D context's drawing calls so that a canvas being watched
# is hashed only on frames after something drew into it (plus every 15th frame as a fallback),
# which keeps the measurement itself cheap; the change time is the animation frame at which the
# new pixels were first seen (performance.now() in the requestAnimationFrame callback).
PAGE_JS = r"""() => {
    if (window.__bench) return true;
    const B = window.__bench = {};
    const proto = CanvasRenderingContext2D.prototype;
    for (const name of ['drawImage', 'putImageData', 'clearRect', 'fillRect']) {
        const orig = proto[name];
        proto[name] = function (...args) {
            const r = orig.apply(this, args);
            const c = this.canvas;
            if (c && c.__benchWatch) c.__benchDirty = performance.now();
            return r;
        };
    }
    B.hash = c => {
        if (!c.width || !c.height) return 'empty';
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        const u = new Uint32Array(d.buffer, d.byteOffset, d.byteLength >> 2);
        let h = 0x811c9dc5 | 0;
        for (let i = 0; i < u.length; i++) h = Math.imul(h ^ u[i], 0x01000193);
        return (h >>> 0).toString(16) + ':' + c.width + 'x' + c.height;
    };
    B.idle = () => [...document.querySelectorAll('.jp-StatusBar-Widget')]
        .some(e => /ipykernel\) \| Idle/.test(e.textContent));
    B.canvas = root => root.querySelector('.jupyter-matplotlib-figure canvas');
    B.controls = root => [...root.querySelectorAll(
        '.widget-slider, .widget-dropdown, .widget-checkbox, .widget-toggle-button, ' +
        '.widget-toggle-buttons, .widget-radio-box, button.widget-button')];
    B.describe = el => {
        const label = (el.querySelector(':scope > .widget-label') || {}).textContent || '';
        const cls = el.classList;
        if (cls.contains('widget-slider')) {
            const h = el.querySelector('.noUi-handle');
            return {kind: 'slider', label, now: +h.getAttribute('aria-valuenow'),
                    min: +h.getAttribute('aria-valuemin'), max: +h.getAttribute('aria-valuemax'),
                    text: (el.querySelector('.widget-readout') || {}).textContent || '',
                    disabled: h.hasAttribute('disabled')};
        }
        if (cls.contains('widget-dropdown')) {
            const s = el.querySelector('select');
            return {kind: 'dropdown', label, value: s.value, text: s.selectedOptions[0]
                    ? s.selectedOptions[0].textContent : '',
                    options: [...s.options].map(o => o.value), disabled: s.disabled};
        }
        if (cls.contains('widget-checkbox')) {
            const i = el.querySelector('input[type=checkbox]');
            const span = el.querySelector('.widget-label-basic span');
            return {kind: 'checkbox', label: (span && span.textContent) || label,
                    value: i.checked, text: String(i.checked), disabled: i.disabled};
        }
        if (cls.contains('widget-button')) {
            const text = el.textContent.trim() || el.title || '';
            return {kind: /^run$/i.test(text) ? 'run' : 'button', label: text, text,
                    disabled: el.disabled};
        }
        return {kind: 'other', label, text: el.textContent.slice(0, 40)};
    };
    B.info = root => {
        const title = root.querySelector(':scope > .widget-html .widget-html-content');
        const status = root.querySelectorAll('.widget-hbox .widget-html-content');
        const c = B.canvas(root);
        return {title: title ? title.textContent.trim() : '',
                status: status.length ? status[status.length - 1].textContent.trim() : '',
                canvas: c ? [c.width, c.height] : null,
                controls: B.controls(root).map(B.describe)};
    };
    // One move and its burst of canvas changes; resolves when the canvas has held steady for
    // a.quiet ms with the kernel idle (or nothing changed for a.noChange ms), or at a.timeout.
    B.measure = (root, a) => new Promise(resolve => {
        const canvas = B.canvas(root);
        const el = a.kind === 'none' ? root : B.controls(root)[a.index];
        if (!canvas || !el) return resolve({error: canvas ? 'no such control' : 'no canvas'});
        const before = a.kind === 'none' ? {} : B.describe(el);
        let act;
        if (a.kind === 'none') {            // no action: wait for the figure to hold steady
            act = () => null;
        } else if (a.kind === 'slider') {
            const h = el.querySelector('.noUi-handle');
            h.focus({preventScroll: true});
            act = () => h.dispatchEvent(new KeyboardEvent('keydown',
                {key: a.key, code: a.key, bubbles: true, cancelable: true}));
        } else if (a.kind === 'dropdown') {
            const s = el.querySelector('select');
            s.value = a.value;
            act = () => s.dispatchEvent(new Event('change', {bubbles: true}));
        } else if (a.kind === 'checkbox') {
            const i = el.querySelector('input[type=checkbox]');
            act = () => i.click();
        } else {
            act = () => el.click();
        }
        canvas.__benchWatch = true;
        let last = B.hash(canvas);
        const h0 = last;
        let seen = canvas.__benchDirty || 0;
        const changes = [];
        let frame = 0;
        const t0 = performance.now();
        act();
        const after = a.kind === 'none' ? {} : B.describe(el);
        const finish = reason => {
            canvas.__benchWatch = false;
            resolve({reason, before, after, changes, n_changes: changes.length,
                     first: changes.length ? changes[0].t / 1000 : null,
                     last: changes.length ? changes[changes.length - 1].t / 1000 : null,
                     same_as_before: last === h0,
                     elapsed: (performance.now() - t0) / 1000});
        };
        const tick = () => {
            frame += 1;
            const now = performance.now();
            const dirty = canvas.__benchDirty || 0;
            if (dirty > seen || frame % 15 === 0) {
                const polled = !(dirty > seen);
                seen = dirty;
                const h = B.hash(canvas);
                if (h !== last) {
                    changes.push({t: now - t0, draw: dirty > t0 ? dirty - t0 : null,
                                  via: polled ? 'poll' : 'hook'});
                    last = h;
                }
            }
            const since = now - (changes.length ? t0 + changes[changes.length - 1].t : t0);
            const elapsed = now - t0;
            if (elapsed > a.timeout) return finish('timeout');
            if (since >= a.quiet && elapsed >= a.quiet
                    && (changes.length || elapsed >= a.noChange) && B.idle())
                return finish(changes.length ? 'settled' : 'no change');
            requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
    });
}"""


# ----- helpers --------------------------------------------------------------------------------
def quantile(values, q):
    """Linear-interpolation quantile (numpy's default), None for no values."""
    v = sorted(values)
    if not v:
        return None
    pos = (len(v) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (pos - lo)


def median(values):
    return statistics.median(values) if values else None


def fmt(x, digits=3):
    return "-" if x is None else f"{x:.{digits}f}"


def load_average():
    try:
        return os.getloadavg()
    except OSError:
        return (float("nan"),) * 3


def kernel_exec(page, code, timeout_s=60):
    r = page.evaluate(EXECUTE_JS, [code, int(timeout_s * 1000)])
    if r["err"] or r["done"] != "done":
        raise RuntimeError(f"kernel snippet failed: {r['err'] or r['done']}")
    return r["out"]


def kernel_log(page):
    """The kernel's entries since the last call (and clears them)."""
    out = kernel_exec(page, KERNEL_DUMP)
    return json.loads(out.strip().splitlines()[-1]) or []


def summarise_kernel(entries):
    """One move's kernel entries: callback = the controls' comm handlers (observers included),
    render = matplotlib's draws, refresh = Explorer.refresh (None when it did not run)."""
    callback = sum(e[4] for e in entries if e[0] == "msg" and e[1] != "Canvas")
    render = sum(e[3] for e in entries if e[0] == "render")
    refreshes = [e for e in entries if e[0] == "refresh"]
    t_first = min((e[3] if e[0] == "msg" else e[2]) for e in entries) if entries else 0.0
    timeline = [[e[0], e[1] if e[0] == "msg" else None, e[2] if e[0] == "msg" else None,
                 round((e[3] if e[0] == "msg" else e[2]) - t_first, 4),
                 round(e[4] if e[0] == "msg" else e[3], 4)] for e in entries]
    return {"timeline": timeline,     # [what, widget, message, start, duration] in s
            "callback": callback if any(e[0] == "msg" and e[1] != "Canvas" for e in entries)
            else None,
            "render": render if any(e[0] == "render" for e in entries) else None,
            "n_render": sum(1 for e in entries if e[0] == "render"),
            "refresh": sum(e[3] for e in refreshes) if refreshes else None,
            "n_refresh": len(refreshes),
            "errors": [e[4] for e in refreshes if e[4]]}


def open_notebook(browser, lab, notebook):
    """A new page with the notebook open and all its cells run; returns (page, js_errors)."""
    page = browser.new_page(viewport=VIEWPORT)
    js_errors = []
    page.on("pageerror", lambda exc: js_errors.append(str(exc)))
    page.goto(f"{lab['base']}/lab/tree/{notebook}?reset&token={lab['token']}",
              wait_until="domcontentloaded")
    page.wait_for_function(STATUS_IDLE_JS, timeout=90_000)
    page.wait_for_function("() => !!window.jupyterapp", timeout=30_000)
    open_file_browser(page)           # the learner's layout: the file browser beside the notebook
    page.evaluate(RUN_ALL_JS)
    page.wait_for_function(ALL_RUN_JS, timeout=RUN_BUDGET_S * 1000, polling=500)
    page.wait_for_function(STATUS_IDLE_JS, timeout=RUN_BUDGET_S * 1000, polling=500)
    time.sleep(1.0)                       # widgets render just after the kernel goes idle
    page.evaluate(PAGE_JS)
    return page, js_errors


# ----- moving the controls -----------------------------------------------------------------------
class Mover:
    def __init__(self, page, explorer, args):
        self.page, self.explorer, self.args = page, explorer, args

    def describe(self, index):
        return self.explorer.evaluate("(root, i) => window.__bench.describe("
                                      "window.__bench.controls(root)[i])", index)

    def measure(self, index, kind, training, **action):
        a = {"index": index, "kind": kind, "quiet": self.args.quiet * 1000,
             "noChange": self.args.no_change * 1000,
             "timeout": (self.args.run_timeout if training else self.args.timeout) * 1000,
             **action}
        # the notebook scrolled back by a cell's output? keep the explorer's figure in view
        self.explorer.scroll_into_view_if_needed()
        result = self.explorer.evaluate("(root, a) => window.__bench.measure(root, a)", a)
        result["kernel"] = summarise_kernel(kernel_log(self.page))
        return result

    def plan(self, info, moves, index):
        """The actions of ``moves`` measured moves of one control, chosen as it goes: a slider
        goes up to moves/2 steps one way and comes back (turning at its ends), a dropdown
        cycles through its other options, a checkbox toggles."""
        kind = info["kind"]
        if kind == "slider":
            half = max(1, moves // 2)
            offset, direction = 0, (-1 if info["now"] >= info["max"] else 1)
            for _ in range(moves):
                now = self.describe(index)
                if offset >= half or now["now"] >= now["max"]:
                    direction = -1
                elif offset <= -half or now["now"] <= now["min"]:
                    direction = 1
                yield {"key": "ArrowRight" if direction > 0 else "ArrowLeft"}
                offset += direction
        elif kind == "dropdown":
            options = info["options"]
            start = options.index(info["value"])
            for k in range(moves):
                yield {"value": options[(start + 1 + k) % len(options)]}
        else:                                   # checkbox, button: a click each move
            for _ in range(moves):
                yield {}

    def restore(self, index, info):
        """Put the control back where it was (moves not measured)."""
        for _ in range(40):
            now = self.describe(index)
            if info["kind"] == "slider" and \
                    abs(now["now"] - info["now"]) > 1e-6 * max(1e-9, info["max"] - info["min"]):
                key = "ArrowLeft" if now["now"] > info["now"] else "ArrowRight"
                self.measure(index, "slider", True, key=key)
            elif info["kind"] == "dropdown" and now["value"] != info["value"]:
                self.measure(index, "dropdown", True, value=info["value"])
            elif info["kind"] == "checkbox" and now["value"] != info["value"]:
                self.measure(index, "checkbox", True)
            else:
                return

    def control(self, index, info, moves, training):
        results = []
        for action in self.plan(info, moves, index):
            r = self.measure(index, info["kind"], training, **action)
            results.append(r)
            if training and r["n_changes"] == 0 and not r["kernel"]["n_refresh"]:
                break                           # waits for the Run button: once is enough
        self.restore(index, info)
        return results


def measure_explorer(page, explorer, index, args, moves, training_moves):
    explorer.scroll_into_view_if_needed()
    laid_out = wait_for_laid_out_canvas(explorer)
    kernel_exec(page, KERNEL_INSTALL)
    # scrolled into view, a figure may redraw (ipympl resizes it): let that finish first
    explorer.evaluate("(root, a) => window.__bench.measure(root, a)",
                      {"kind": "none", "index": -1, "quiet": args.quiet * 1000,
                       "noChange": args.quiet * 1000, "timeout": args.timeout * 1000})
    kernel_log(page)                            # drop anything logged before this explorer
    info = explorer.evaluate("root => window.__bench.info(root)")
    record = {"index": index, "title": info["title"], "canvas": info["canvas"],
              "laid_out": laid_out, "controls": [], "runs": []}
    controls = info["controls"]
    if not laid_out:
        # Seen once in a loaded full run (lesson 02's second explorer, as in the browser tests):
        # the canvas stays 0 x 0. A learner would move a control: so does the bench, unmeasured.
        first = next((i for i, c in enumerate(controls) if c["kind"] in ("slider", "dropdown",
                                                                          "checkbox")), None)
        if first is not None:
            Mover(page, explorer, args).control(first, controls[first], 1, True)
            laid_out = wait_for_laid_out_canvas(explorer, timeout=10.0)
        record["problem"] = ("figure stayed empty (0 x 0) after the notebook ran"
                             + ("; it appeared once a control moved" if laid_out else
                                ", and after a control moved"))
        record["laid_out"] = laid_out
        if not laid_out:
            return record
        info = explorer.evaluate("root => window.__bench.info(root)")
        record["canvas"] = info["canvas"]
    training = any(c["kind"] == "run" for c in controls)
    record["training"] = training
    mover = Mover(page, explorer, args)
    for i, c in enumerate(controls):
        if c["kind"] in ("run", "button", "other") or c.get("disabled"):
            continue
        n = training_moves if training else moves
        results = mover.control(i, c, n, training)
        record["controls"].append({"index": i, "kind": c["kind"], "label": c["label"].strip(),
                                   "start": c["text"], "moves": results})
    run_index = next((i for i, c in enumerate(controls) if c["kind"] == "run"), None)
    if run_index is not None and args.run_clicks:
        # Run twice with the same settings draws the same pixels: before each click, one step
        # of the seed slider (else the first slider, else the first dropdown), back at the end.
        movable = [(i, c) for i, c in enumerate(controls)
                   if c["kind"] in ("slider", "dropdown") and not c.get("disabled")]
        nudge = next((ic for ic in movable if ic[1]["kind"] == "slider"
                      and "seed" in ic[1]["label"].lower()), None) \
            or next((ic for ic in movable if ic[1]["kind"] == "slider"), None) \
            or (movable[0] if movable else None)
        actions = mover.plan(nudge[1], args.run_clicks, nudge[0]) if nudge else None
        for k in range(args.run_clicks):
            if nudge is not None:
                pre = mover.measure(nudge[0], nudge[1]["kind"], True, **next(actions))
                if pre["n_changes"]:             # the explorer ran by itself: no click
                    record["runs"].append({**pre, "auto": True, "control": nudge[1]["label"]})
                    continue
            record["runs"].append({**mover.measure(run_index, "run", True), "auto": False,
                                   "control": nudge[1]["label"] if nudge else None})
        if nudge is not None:
            mover.restore(nudge[0], nudge[1])
    record["status"] = explorer.evaluate("root => window.__bench.info(root)")["status"]
    return record


def bench_notebook(browser, lab, notebook, args, moves, training_moves):
    t_start = time.monotonic()
    out = {"notebook": notebook, "explorers": [], "problems": []}
    page = None
    try:
        page, js_errors = open_notebook(browser, lab, notebook)
        out["run_all_s"] = time.monotonic() - t_start
        out["problems"] += page_problems(page)
        kernel_exec(page, KERNEL_INSTALL)
        explorers = page.locator(f"{ACTIVE_PANEL} .lessonlib-explorer")
        for i in range(explorers.count()):
            rec = measure_explorer(page, explorers.nth(i), i, args, moves, training_moves)
            out["explorers"].append(rec)
            print(f"  {notebook} explorer {i}: {rec.get('title') or '(untitled)'} measured "
                  f"({time.monotonic() - t_start:.0f} s)", file=sys.stderr, flush=True)
        out["problems"] += page_problems(page)
        out["js_errors"] = js_errors
    except Exception as exc:                     # one lesson's failure is reported, not fatal
        out["problems"].append(f"benchmark error: {type(exc).__name__}: {exc}")
        if page is not None and args.keep:
            shot = Path(args.workdir) / f"{notebook}.error.png"
            try:
                page.screenshot(path=str(shot), full_page=True)
                out["problems"].append(f"screenshot: {shot}")
            except Exception:
                pass
    finally:
        if page is not None:
            try:
                page.evaluate(SHUTDOWN_JS)       # free the kernel's memory for the next lesson
            except Exception:
                pass
            page.close()
    out["wall_s"] = time.monotonic() - t_start
    return out


# ----- report -----------------------------------------------------------------------------------
def moved(r):
    """A move whose control took a new value (a slider at its end does not)."""
    return r.get("before", {}).get("text") != r.get("after", {}).get("text") or \
        r.get("before", {}).get("now") != r.get("after", {}).get("now")


def control_stats(moves):
    lat = [r["last"] for r in moves if r.get("last") is not None]
    first = [r["first"] for r in moves if r.get("first") is not None]
    cb = [r["kernel"]["callback"] for r in moves if r["kernel"]["callback"] is not None]
    render = [r["kernel"]["render"] for r in moves if r["kernel"]["render"] is not None]
    refresh = [r["kernel"]["refresh"] for r in moves if r["kernel"]["refresh"] is not None]
    return {"n": len(moves), "n_updated": len(lat), "median": median(lat),
            "p90": quantile(lat, 0.9), "max": max(lat) if lat else None,
            "first_median": median(first), "callback_median": median(cb),
            "render_median": median(render), "refresh_median": median(refresh),
            "no_change": sum(1 for r in moves if r.get("n_changes") == 0),
            "timeouts": sum(1 for r in moves if r.get("reason") == "timeout"),
            "not_moved": sum(1 for r in moves if not moved(r)),
            "errors": sorted({e for r in moves for e in r["kernel"]["errors"]})}


def short(text, n):
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[:n - 1] + "…"


def report(results, floors, args, wall_s, loads):
    floor_lat = [r["last"] for f in floors for c in f.get("controls", [])
                 for r in c["moves"] if r.get("last") is not None]
    floor_med = median(floor_lat)
    head = (f"{'lesson':<27} {'#':>1} {'explorer':<30} {'control':<22} {'n':>2} "
            f"{'median':>6} {'p90':>6} {'first':>6} {'kernel':>6} {'render':>6} {'/floor':>6}")
    print()
    print("Explorer latency: control move to settled canvas pixels, seconds (chromium, "
          f"{VIEWPORT['width']}x{VIEWPORT['height']}, JupyterLab, ipympl)")
    print("  median/p90: to the last canvas change of the burst; first: to the first change;")
    print("  kernel: the moved control's Python callback (observers: update + draw_idle), "
          "median; render: matplotlib's draw (Agg + PNG), median")
    print(head)
    print("-" * len(head))
    analytic_lat, analytic_controls, training_rows, problems = [], [], [], []
    for res in results:
        lesson = res["notebook"].removesuffix(".ipynb")
        for p in res["problems"] + [f"JavaScript error: {e}" for e in res.get("js_errors", [])]:
            problems.append(f"{lesson}: {p}")
        for ex in res["explorers"]:
            name = ex["title"] or (ex["controls"][0]["label"] if ex["controls"] else "")
            if ex.get("problem"):
                problems.append(f"{lesson} explorer {ex['index']}: {ex['problem']}")
            if ex.get("training"):
                training_rows.append((lesson, ex, name))
                continue
            for c in ex["controls"]:
                s = control_stats(c["moves"])
                analytic_lat += [r["last"] for r in c["moves"] if r.get("last") is not None]
                analytic_controls.append(s)
                ratio = s["median"] / floor_med if s["median"] and floor_med else None
                print(f"{short(lesson, 27):<27} {ex['index']:>1} {short(name, 30):<30} "
                      f"{short(c['label'] or c['kind'], 22):<22} {s['n']:>2} "
                      f"{fmt(s['median']):>6} {fmt(s['p90']):>6} {fmt(s['first_median']):>6} "
                      f"{fmt(s['callback_median']):>6} {fmt(s['render_median']):>6} "
                      f"{fmt(ratio, 1):>6}")
                if s["no_change"] or s["errors"]:
                    problems.append(
                        f"{lesson} explorer {ex['index']} '{c['label']}': "
                        f"{s['no_change']} of {s['n']} moves left the figure unchanged"
                        f"{' (control at its end)' if s['not_moved'] else ''}"
                        + (f"; update errors: {s['errors']}" if s["errors"] else ""))
    print("-" * len(head))
    for k, f in enumerate(floors):
        for c in f.get("controls", []):
            s = control_stats(c["moves"])
            when = "" if len(floors) == 1 else (" (start)" if k == 0 else " (end)")
            print(f"{'floor' + when:<27} - "
                  f"{'one line, IntSlider, set_ydata':<30} {c['label']:<22} {s['n']:>2} "
                  f"{fmt(s['median']):>6} {fmt(s['p90']):>6} {fmt(s['first_median']):>6} "
                  f"{fmt(s['callback_median']):>6} {fmt(s['render_median']):>6}")
    for f in floors:
        if f.get("problem"):
            problems.append(f"floor: {f['problem']}")
    if len(floors) > 1:
        print(f"floor, both pooled: median {fmt(floor_med)} s, "
              f"p90 {fmt(quantile(floor_lat, 0.9))} s ({len(floor_lat)} moves)")

    if training_rows:
        print()
        print("Training explorers (a Run button): does a moved control update the figure by "
              "itself? Run: click to settled pixels; kernel run: Explorer.refresh")
        th = (f"{'lesson':<27} {'#':>1} {'explorer':<30} {'moved controls':<40} {'run lat':>7} "
              f"{'kernel run':>10}  status after the run")
        print(th)
        print("-" * len(th))
        for lesson, ex, name in training_rows:
            alone = [c for c in ex["controls"] if any(r.get("n_changes") for r in c["moves"])]
            parts = [f"{len(alone)} of {len(ex['controls'])} update alone"]
            if alone:
                lat_alone = [r["last"] for c in alone for r in c["moves"]
                             if r.get("last") is not None]
                parts.append(f"(median {fmt(median(lat_alone), 2)} s)")
            for c in ex["controls"]:
                s = control_stats(c["moves"])
                if s["errors"]:
                    problems.append(f"{lesson} explorer {ex['index']} '{c['label']}': "
                                    f"update errors {s['errors']}")
            runs = [r for r in ex.get("runs", []) if not r.get("auto")]
            lat = median([r["last"] for r in runs if r.get("last") is not None])
            krun = median([r["kernel"]["refresh"] for r in runs
                           if r["kernel"]["refresh"] is not None])
            for r in runs:
                if r.get("n_changes") == 0:
                    problems.append(f"{lesson} explorer {ex['index']}: Run left the figure "
                                    f"unchanged ({r.get('reason')})")
                problems += [f"{lesson} explorer {ex['index']} Run: {e}"
                             for e in r["kernel"]["errors"]]
            print(f"{short(lesson, 27):<27} {ex['index']:>1} {short(name, 30):<30} "
                  f"{short(' '.join(parts), 40):<40} {fmt(lat):>7} {fmt(krun):>10}  "
                  f"{short(ex.get('status', ''), 60)}")

    print()
    med, p90 = median(analytic_lat), quantile(analytic_lat, 0.9)
    ok = med is not None and med <= GOAL_MEDIAN and p90 <= GOAL_P90
    passing = sum(1 for s in analytic_controls
                  if s["median"] is not None and s["median"] <= GOAL_MEDIAN
                  and s["p90"] <= GOAL_P90)
    if not analytic_lat:
        print("Analytic explorers: none measured")
    else:
        print(f"Analytic explorers (no Run button), all moves pooled: median {fmt(med)} s, "
              f"p90 {fmt(p90)} s, worst {fmt(max(analytic_lat))} s over {len(analytic_lat)} "
              f"moves of {len(analytic_controls)} controls; goal median <= {GOAL_MEDIAN} s, "
              f"p90 <= {GOAL_P90} s: {'PASS' if ok else 'MISS'}; {passing} of "
              f"{len(analytic_controls)} controls meet it alone; median / floor "
              f"{fmt(med / floor_med if floor_med else None, 1)}")
    print()
    print("Problems (tracebacks, figures that never updated):" if problems else
          "Problems: none (no traceback shown, every move changed its figure)")
    for p in problems:
        print(f"  - {p}")
    print()
    print(f"Benchmark wall time {wall_s:.0f} s "
          + " ".join(f"({r['notebook'][:2]} {r['wall_s']:.0f} s)" for r in results))
    print("Load average (1/5/15 min) at start {:.2f} {:.2f} {:.2f}, at end {:.2f} {:.2f} {:.2f} "
          "on {} cores".format(*loads[0], *loads[1], os.cpu_count()))
    return {"analytic_median": med, "analytic_p90": p90, "floor_median": floor_med,
            "goal_met": ok}


# ----- main ------------------------------------------------------------------------------------
def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lessons", default="",
                    help="comma-separated lesson prefixes, e.g. 01,02 (default: all)")
    ap.add_argument("--moves", type=int, default=8, help="measured moves per control (8)")
    ap.add_argument("--training-moves", type=int, default=2,
                    help="moves per control of a training explorer (2)")
    ap.add_argument("--run-clicks", type=int, default=2,
                    help="Run clicks per training explorer (2)")
    ap.add_argument("--floor-moves", type=int, default=16,
                    help="moves of the floor's slider, at the start and again at the end (16)")
    ap.add_argument("--quiet", type=float, default=0.6,
                    help="seconds the canvas must hold steady to end a burst (0.6)")
    ap.add_argument("--no-change", type=float, default=2.5,
                    help="seconds without any canvas change before a move counts as "
                         "'no change' (2.5)")
    ap.add_argument("--timeout", type=float, default=30.0, help="per move, analytic (30 s)")
    ap.add_argument("--run-timeout", type=float, default=180.0,
                    help="per move or Run click of a training explorer (180 s)")
    ap.add_argument("--floor-only", action="store_true", help="measure the floor alone")
    ap.add_argument("--json", help="save every raw timing to this file")
    ap.add_argument("--keep", action="store_true", help="keep the throwaway folder")
    args = ap.parse_args()

    from playwright.sync_api import sync_playwright
    if not Path(CHROMIUM).exists():
        sys.exit(f"{CHROMIUM} not found: `make chromium` (as root) or "
                 "`sudo apt-get install chromium`, or set CHROMIUM=/path")
    notebooks = sorted(p.name for p in (ROOT / "lessons").glob("*.ipynb"))
    if args.floor_only:
        notebooks = []
    elif args.lessons:
        wanted = [w.strip() for w in args.lessons.split(",") if w.strip()]
        notebooks = [n for n in notebooks if any(n.startswith(w) for w in wanted)]
        if not notebooks:
            sys.exit(f"no lesson matches --lessons {args.lessons}")

    loads = [load_average()]
    t0 = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="bench-explorers-"))
    args.workdir = str(tmp)
    lessons = tmp / "lessons"
    shutil.copytree(ROOT / "lessons", lessons)
    shutil.copytree(ROOT / "data", tmp / "data")          # lessons read ../data/
    write_floor_notebook(lessons)
    print(f"bench_explorers: {len(notebooks)} lessons, {args.moves} moves per control, "
          f"load average {loads[0][0]:.2f} {loads[0][1]:.2f} {loads[0][2]:.2f}, "
          f"work folder {tmp}", file=sys.stderr, flush=True)
    proc, base, token = start_lab(lessons, tmp, token="bench-explorers")
    lab = {"base": base, "token": token}
    results, floors = [], []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                def measure_floor():
                    if args.floor_moves > 0:
                        f = bench_notebook(browser, lab, FLOOR_NOTEBOOK, args,
                                           args.floor_moves, 0)
                        floors.append(f["explorers"][0] if f["explorers"] else
                                      {"problem": f["problems"], "controls": []})
                measure_floor()
                for nb in notebooks:
                    results.append(bench_notebook(browser, lab, nb, args, args.moves,
                                                  args.training_moves))
                measure_floor()
            finally:
                browser.close()
    finally:
        stop(proc)
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    loads.append(load_average())
    wall = time.monotonic() - t0
    summary = report(results, floors, args, wall, loads)
    if args.json:
        Path(args.json).write_text(json.dumps(
            {"args": {k: v for k, v in vars(args).items()}, "viewport": VIEWPORT,
             "load_average": loads, "wall_s": wall, "summary": summary, "floors": floors,
             "lessons": results,
             "lessonlib_source": hashlib.sha1(b"".join(
                 p.read_bytes() for p in sorted((ROOT / "lessonlib").rglob("*.py")))
             ).hexdigest()}, indent=1, default=str))
        print(f"Raw timings: {args.json}")


if __name__ == "__main__":
    main()
