# Two commands on a fresh machine (Python 3.10+):
#   make lab   - create .venv if needed, install, open lessons/ in JupyterLab on port 8888
#   make test  - create .venv if needed, install, run the whole test suite
# Both are idempotent: the install step reruns only when requirements.txt or pyproject.toml change.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 8888
# JupyterLab refuses to run as root without this flag (containers, CI).
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: lab test install clean bench browser-test chromium cpu-check

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "The course needs Python 3.10 or newer; $(PYTHON) is " + sys.version.split()[0] + ". Try: make PYTHON=python3.11 ...")'
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.txt pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check -q -r requirements.txt
	@touch $@

install: $(STAMP)

lab: install
	$(BIN)/jupyter lab --ServerApp.root_dir=lessons --port $(PORT) --ServerApp.port_retries=0 $(ROOT_FLAG)

test: install chromium
	$(BIN)/python -m pytest $(ARGS)
	@echo "Screenshots of every explorer in the browser tests: test-artifacts/browser/"
	$(if $(ARGS),,@$(MAKE) --no-print-directory cpu-check)

# The same stored outputs on every CPU: every notebook and every precomputed-run test again, with
# the data, initial weights and starting points nudged by a relative 1e-12 (lessonlib/_perturb.py),
# far more than any BLAS kernel's rounding. An output that changes here would differ on another
# machine. (Part of `make test` when ARGS is empty; one notebook: ARGS=lessons/03_relu.ipynb.)
cpu-check: install
	LESSONLIB_PERTURB=1e-12 $(BIN)/python -m pytest -p no:cacheprovider \
		$(or $(ARGS),lessons tests/test_precomputed.py)

# The browser tests need Debian's chromium (never a browser download); installed when missing
# and we are root (CI, containers). Elsewhere the tests say how to install it.
chromium:
	@test -x /usr/bin/chromium || [ "$$(id -u)" != 0 ] || \
		(apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

# Only the browser tests; one lesson with ARGS="-k 01_local_minima".
browser-test: install chromium
	$(BIN)/python -m pytest tests/browser $(ARGS)
	@echo "Screenshots: test-artifacts/browser/"

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts

# Speed against scikit-learn and PyTorch (bench/README.md); PyTorch lives only in this venv.
BENCH_VENV := bench/.venv-bench
$(BENCH_VENV)/.installed: bench/requirements.txt pyproject.toml
	test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install -q -r bench/requirements.txt -e .
	@touch $@

# `make bench` also measures the explorers' latency in chromium (bench/bench_explorers.py, in
# the course venv; its options in EXPLORER_ARGS). Alone: make bench-explorers ARGS="--lessons 01"
bench: $(BENCH_VENV)/.installed install chromium
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $(BENCH_VENV)/bin/python bench/bench_speed.py $(ARGS)
	$(BIN)/python bench/bench_explorers.py $(EXPLORER_ARGS)

bench-explorers: install chromium
	$(BIN)/python bench/bench_explorers.py $(ARGS)
