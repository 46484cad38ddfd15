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

.PHONY: lab test install clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "The course needs Python 3.10 or newer; $(PYTHON) is " + sys.version.split()[0] + ". Try: make PYTHON=python3.11 ...")'
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.txt pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check -q -r requirements.txt
	@touch $@

install: $(STAMP)

lab: install
	$(BIN)/jupyter lab --ServerApp.root_dir=lessons --port $(PORT) --ServerApp.port_retries=0 $(ROOT_FLAG)

test: install
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts
