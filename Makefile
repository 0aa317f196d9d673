# highfence: `make run` and `make test` do all set-up on a fresh machine.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
SCENARIO ?= configs/default.yaml

# First interpreter >= 3.12 that actually runs: PATH first, then pyenv's versions
# (pyenv shims for unselected versions exist on PATH but fail when called).
FIND_PYTHON = for p in python3.13 python3.12 python3 $$(ls -d $$HOME/.pyenv/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV); do \
	  if "$$p" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then echo "$$p"; break; fi; \
	done

.PHONY: run test venv install install-test system-deps bench lint notebooks clean

run: install
	$(VENV)/bin/highfence compare $(SCENARIO)

test: install-test
	$(PY) -m pytest -q

bench: install
	$(PY) benchmarks/bench_engine.py

# Re-run the notebooks and store them with their outputs (tables and plots), in a kernel
# on the venv's python started in notebooks/; nbclient and ipykernel come with the test extra.
notebooks: $(VENV)/.installed-test
	$(PY) notebooks/execute.py

lint: install-test
	$(VENV)/bin/ruff check game agents tests benchmarks

$(PY):
	@py="$$($(FIND_PYTHON))"; \
	if [ -z "$$py" ]; then \
	  echo "highfence needs Python >= 3.12 and none runs here." >&2; \
	  echo "Install one: 'apt-get install python3.12 python3.12-venv', or 'pyenv install 3.12', then run make again." >&2; \
	  exit 1; \
	fi; \
	echo "Creating $(VENV) with $$py ($$("$$py" --version))"; \
	"$$py" -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

venv: $(PY)

# Stamps make both targets quick when nothing changed.
$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install -q -e ".[dask,browser]"
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install -q -e ".[dask,browser,test]"
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test system-deps

# Browser tests drive Debian's chromium; Playwright's own browser download fails offline.
system-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "Browser tests need /usr/bin/chromium: run 'sudo apt-get install chromium'." >&2; exit 1; \
	  fi; \
	fi

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
