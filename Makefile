# Two commands: `make demo` and `make test`. Everything else is here for them.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo demo-web test browser lint typecheck bench clean install

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/flare demo

demo-web: $(STAMP)
	$(BIN)/flare demo --web

test: $(STAMP) browser
	$(BIN)/python -m pytest -q -n 2

# Debian's chromium and its driver for the web demo's browser test, installed only when missing
# and only where apt-get runs as root (about 50 s); anywhere else that one test skips, saying why.
browser:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing chromium and chromium-driver (apt-get) for the browser test"; \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      --no-install-recommends chromium chromium-driver; } >/dev/null 2>&1 \
	      || echo "chromium could not be installed: the browser test will skip"; \
	  else \
	    echo "no chromium here: the browser test will skip (apt-get install chromium chromium-driver)"; \
	  fi; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/triage.py
	$(BIN)/python bench/intake.py
	$(BIN)/python bench/pipeline.py
	$(BIN)/python bench/eval_airline.py
	$(BIN)/python bench/flood.py

clean:
	rm -rf $(VENV) .flare .pytest_cache .mypy_cache .ruff_cache *.egg-info
