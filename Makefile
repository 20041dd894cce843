# di-eval: run `make` to see the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATA ?= data/sample
OUT ?= outputs

.PHONY: help install git-filter test test-browser browser-tools test-fast test-reliability snapshots lab check sample reports reports-en lint format benchmark clean

help: ## show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  make %-14s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,bench,lab]"
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	@touch $(STAMP)

install: $(STAMP) git-filter ## create .venv and install the package with its test, benchmark and lab extras

# Notebooks are committed without outputs whatever is saved: git passes them through nbstripout
# (.gitattributes names the filter; this sets it up in this clone's .git/config). Cell ids and
# the notebook metadata JupyterLab writes are kept, so a notebook that was only run stays unchanged.
NBSTRIPOUT = $(abspath $(BIN))/nbstripout --keep-id
git-filter:
	@if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
	  git config filter.nbstripout.clean '$(NBSTRIPOUT)' && \
	  git config filter.nbstripout.smudge cat && \
	  git config filter.nbstripout.required true && \
	  git config diff.ipynb.textconv '$(NBSTRIPOUT) -t'; \
	fi

test: $(STAMP) ## run the whole test suite (browser tests where Chromium is present)
	$(BIN)/python -m pytest -n 2 --dist loadgroup

# What the browser checks need from outside Python: Debian packages, then axe-core and vnu-jar from npm.
BROWSER_APT := chromium default-jre-headless poppler-utils fonts-dejavu-core npm

node_modules/.package-lock.json: package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund

browser-tools:
	@missing=""; for tool in chromium java pdfimages npm; do command -v $$tool >/dev/null || missing=1; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(BROWSER_APT); \
	  else echo "make test-browser needs: sudo apt-get install $(BROWSER_APT)"; exit 1; fi; \
	fi

test-browser: $(STAMP) browser-tools node_modules/.package-lock.json ## the reports in Chromium: axe-core, Nu Html Checker, print, screenshots (installs the tools)
	$(BIN)/python -m pytest -m browser

test-fast: $(STAMP) ## run the tests that start no kernel and no browser
	$(BIN)/python -m pytest -m "not kernel and not browser and not soffice"

test-reliability: $(STAMP) ## run the attack suite: bad input, kills, full disks, concurrency (tests/reliability)
	$(BIN)/python -m pytest -n 2 --dist loadgroup tests/reliability

snapshots: $(STAMP) ## rewrite tests/snapshots/ from the reports as they render now (after a change meant to show)
	$(BIN)/python -m pytest -q -p no:randomly -n 0 tests/test_snapshots.py --snapshot-update
	@git status --short -- tests/snapshots 2>/dev/null || true

# As root (a container) Jupyter refuses to start without --allow-root; with no display there is
# no browser to open, so the URL with its token is printed instead. LAB_ARGS adds options
# (e.g. LAB_ARGS="--ip=0.0.0.0 --port=8888" to reach a container's JupyterLab from its host).
# After a save, git's record of a notebook that only gained outputs is refreshed (see refresh_git).
LAB_HOOK = --FileContentsManager.post_save_hook=di_eval.report.notebook.refresh_git
lab: $(STAMP) git-filter ## open JupyterLab on the project (root and no display handled)
	$(BIN)/jupyter lab --notebook-dir=. $(LAB_HOOK) \
	  $$([ "$$(id -u)" = 0 ] && echo --allow-root) \
	  $$([ "$$(uname)" = Linux ] && [ -z "$$DISPLAY$$WAYLAND_DISPLAY" ] && echo --no-browser) $(LAB_ARGS)

check: $(STAMP) ## validate the shipped sample dataset
	$(BIN)/di-eval check --data $(DATA)

reports: $(STAMP) ## the main job: every report, the region report and the index into outputs/reports
	$(BIN)/di-eval run --data $(DATA) --out $(OUT)/reports

reports-en: $(STAMP) ## the same reports in English, into outputs/reports-en
	$(BIN)/di-eval run --data $(DATA) --out $(OUT)/reports-en --lang en

benchmark: $(STAMP) ## the performance benchmarks (figures go in the README)
	$(BIN)/python benchmarks/batch.py
	$(BIN)/python benchmarks/indicators.py

sample: $(STAMP) ## regenerate the synthetic sample in data/sample
	$(BIN)/di-eval sample --out data/sample

lint: $(STAMP) ## ruff over code and notebooks
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP) ## format code and notebooks with ruff
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean: ## remove generated outputs (keeps .venv)
	find $(OUT) -mindepth 1 ! -name .gitkeep -exec rm -rf {} +
