# The README's commands are these targets; .ci/run calls `make test` too, so local runs and CI agree.
PYTHON ?= python3
export PIP_DISABLE_PIP_VERSION_CHECK = 1

.PHONY: setup setup-python setup-browser setup-web setup-virtuoso fuzz load bench serve test validate stats bench lint

setup: setup-python setup-web

setup-python:
	$(PYTHON) -m pip install -q -e '.[test]'

# Debian's Chromium for the real-browser tests (never `playwright install`: it downloads and fails here).
setup-browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -q && DEBIAN_FRONTEND=noninteractive \
	  apt-get install -y -q --no-install-recommends chromium fonts-liberation; }

# Front-end libraries (YASGUI, Cytoscape.js) from npm, served locally: no CDN at run time.
setup-web:
	@if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; fi

serve: setup
	benelux-graph validate
	benelux-graph serve

# Virtuoso Open Source from Debian, for the remote-store tests (the tests start and stop their own instance).
setup-virtuoso:
	@scripts/virtuoso.sh install

test: setup setup-browser setup-virtuoso
	$(PYTHON) -m ruff check src tests bench
	$(PYTHON) -m pytest -q

validate:
	benelux-graph validate

# Long forms of the reliability tests, and the benchmark: by command, not part of `make test`.
fuzz:
	FUZZ_EXAMPLES=500 $(PYTHON) -m pytest -q tests/reliability/test_fuzz_openapi.py tests/reliability/test_fuzz_inputs.py

load:
	$(PYTHON) tests/reliability/test_load.py --seconds 60 --clients 64

bench: setup setup-virtuoso
	$(PYTHON) -m pip install -q -e '.[test,bench]'
	$(PYTHON) bench/run.py

stats:
	benelux-graph stats

lint:
	$(PYTHON) -m ruff check src tests
