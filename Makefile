# The README's commands are these targets; .ci/run calls `make test` too, so local runs and CI agree.
# Everything runs in a virtual environment of the project's own (.venv), installed from requirements.lock, so
# Debian's Python (externally managed) and a user's own Python both work; it is reinstalled only when the lock or
# pyproject.toml changes.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export PIP_DISABLE_PIP_VERSION_CHECK = 1

.PHONY: types check setup setup-python setup-browser setup-web setup-virtuoso setup-wrk setup-jena fuzz load bench serve test validate stats lint lock

setup: setup-python setup-web

setup-python: $(VENV)/.installed

$(VENV)/.installed: requirements.lock pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -r requirements.lock
	$(PY) -m pip install -q --no-deps -e .
	@touch $@

# Resolve pyproject.toml's ranges afresh (newest versions) in a throw-away venv and pin them in requirements.lock.
lock:
	rm -rf $(VENV)-lock && $(PYTHON) -m venv $(VENV)-lock
	$(VENV)-lock/bin/python -m pip install -q -e '.[test,bench]'
	{ sed -n '1,2p' requirements.lock; $(VENV)-lock/bin/python -m pip freeze --exclude-editable; } > requirements.lock.new
	mv requirements.lock.new requirements.lock && rm -rf $(VENV)-lock

# Debian's Chromium for the real-browser tests (never `playwright install`: it downloads and fails here).
setup-browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -q && DEBIAN_FRONTEND=noninteractive \
	  apt-get install -y -q --no-install-recommends chromium fonts-liberation; }

# Front-end libraries (YASGUI, Cytoscape.js) from npm, served locally: no CDN at run time.
setup-web: node_modules/.installed

node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

serve: setup
	benelux-graph validate --quiet
	benelux-graph serve

# Virtuoso Open Source from Debian, for the remote-store tests (the tests start and stop their own instance).
setup-virtuoso:
	@scripts/virtuoso.sh install

# wrk from Debian's packages: the benchmark's standard load generator, besides the project's own client.
setup-wrk:
	@command -v wrk >/dev/null 2>&1 || { apt-get update -q && DEBIAN_FRONTEND=noninteractive \
	  apt-get install -y -q --no-install-recommends wrk; }

# Apache Jena from Debian: the second SHACL engine of tests/test_shacl_engines.py.
setup-jena:
	@test -f /usr/share/java/jena-shacl.jar || { apt-get update -q && DEBIAN_FRONTEND=noninteractive \
	  apt-get install -y -q --no-install-recommends libapache-jena-java; }

test: setup setup-browser setup-virtuoso setup-jena
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory types
	$(PY) -m pytest -q

# The fast loop while working: lint, types, then the unit and API tests in two processes (pytest-xdist): every
# test but the browser, remote-store, reliability and performance ones and the second engines' cross-checks
# (Jena's SHACL, HermiT and owlrl over the whole data: minutes of CPU). `make test` runs them all.
CHECK_SKIPS = --ignore=tests/reliability --ignore=tests/perf --ignore=tests/test_shacl_engines.py \
	--ignore=tests/test_ontology_reasoners.py \
	--deselect tests/test_repository.py::test_the_ontology_and_data_are_consistent_under_owl_rl \
	--deselect tests/test_repository.py::test_the_reasoner_does_find_a_contradiction
# Without schemathesis' plugin (it imports hypothesis: 2 s of CPU in each of the three pytest processes; only
# tests/reliability use them), and with bytecode written even where PYTHONDONTWRITEBYTECODE is set (each process
# would compile the tests again, assertions rewritten: 2 s more in each worker, and src in every subprocess).
check: setup
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory types
	PYTHONDONTWRITEBYTECODE= $(PY) -m pytest -q -x -n 2 -p no:schemathesis -m 'not browser and not remote' $(CHECK_SKIPS)

validate:
	benelux-graph validate

# Long forms of the reliability tests, and the benchmark: by command, not part of `make test`.
fuzz:
	FUZZ_EXAMPLES=500 $(PY) -m pytest -q tests/reliability/test_fuzz_openapi.py tests/reliability/test_fuzz_inputs.py

load:
	$(PY) tests/reliability/test_load.py --seconds 60 --clients 64

bench: setup setup-virtuoso setup-wrk
	$(PY) bench/run.py

stats:
	benelux-graph stats

# The type checker over src/ (configured in pyproject.toml's [tool.mypy]): 0 errors.
types: setup-python
	$(PY) -m mypy

lint: setup-python
	$(PY) -m ruff check src tests bench scripts
	$(PY) -m ruff format --check src tests bench scripts
