# Deelbaar: `make demo` and `make test` are all a fresh machine needs (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ADDR ?= 127.0.0.1:8000
LOAD_SECONDS ?= 300
# Parallel test processes for `make test`: 3 on a 2-core machine, since many tests wait on the
# database, git or a subprocess rather than the CPU (see README, "Running the tests").
TEST_WORKERS ?= 3
PARALLEL_TESTS := not browser and not production and not serial

.PHONY: install demo test test-fast lint format bench load vendor messages browser-deps lock clean

install: $(STAMP)

# Reinstall whenever the dependencies or their pinned versions change.
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

demo: install
	$(BIN)/deelbaar demo --addr $(ADDR)

# The browser tests drive Debian's Chromium; install it when missing (needs root, as in CI).
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "Chromium is missing: run 'sudo apt-get install chromium' (needed by tests/browser)." >&2; exit 1; fi; }

# Two pytest runs, and the result is both's: first every test that can share the machine, in
# TEST_WORKERS parallel processes (pytest-xdist; each has its own test database, data folder
# and Redis key prefix, see tests/conftest.py), then the ones that cannot, one after another:
# the browser tests, tests/production (real server and worker processes on Celery's default
# queue) and any marked `serial`. TEST_WORKERS=0 runs the first part in this process too.
test: install browser-deps
	@status=0; \
	$(BIN)/pytest -n $(TEST_WORKERS) $(if $(filter-out 0,$(TEST_WORKERS)),--dist loadscope) \
	  -m "$(PARALLEL_TESTS)" $(PYTEST_ARGS) || status=$$?; \
	$(BIN)/pytest -m "not ($(PARALLEL_TESTS))" $(PYTEST_ARGS) || status=$$?; \
	exit $$status

test-fast: install
	$(BIN)/pytest -m "not browser" $(PYTEST_ARGS)

# ruff (style, imports, complexity), migrations in step with the models, and mypy: strict on
# every app's services, selectors and rules, the defaults elsewhere (pyproject.toml [tool.mypy]).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check platform sprints solutions integrations tests
	env -u DATABASE_URL DJANGO_SETTINGS_MODULE=deelbaar.settings PYTHONPATH=.:platform \
	  $(BIN)/python -m django makemigrations --check --dry-run
	env -u DATABASE_URL PYTHONPATH=.:platform $(BIN)/mypy
# The apps' layers (.importlinter, docs/architecture.md): no app imports one above it.
	PYTHONPATH=.:platform $(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format platform sprints solutions integrations tests

# The HTTP bench comes last: it needs PostgreSQL (DATABASE_URL) and says so when it is missing.
bench: install
	@for script in $(filter-out tests/bench/bench_http.py,$(sort $(wildcard tests/bench/bench_*.py))) \
	  tests/bench/bench_http.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

# Locust against two uvicorn processes and a worker on PostgreSQL and Redis (DATABASE_URL and
# REDIS_URL; it makes and drops a database of its own beside DATABASE_URL's). LOAD_MAX_P95
# (ms) turns the printed p95 into a budget; any failed request fails it. See tests/load/.
load: install
	$(BIN)/python tests/load/run.py --seconds $(LOAD_SECONDS) $(if $(LOAD_MAX_P95),--max-p95 $(LOAD_MAX_P95))

# Refresh the vendored CSS and JavaScript (needs npm; the app itself never does).
vendor:
	bash scripts/vendor.sh

# Extract every translatable string into the one Dutch catalogue (English is the source
# language), then compile it; commit both files.
messages: install
	$(BIN)/deelbaar makemessages -l nl --no-obsolete --ignore=.venv --ignore=node_modules \
	  --ignore=tests --ignore=var --ignore='*/static/*' --ignore=scripts
	$(BIN)/deelbaar compilemessages -l nl --ignore=.venv --ignore=node_modules

# Re-pin exact versions after changing pyproject.toml's dependencies.
lock:
	rm -rf .lockvenv && $(PYTHON) -m venv .lockvenv
	.lockvenv/bin/pip install --quiet -e '.[test]'
	.lockvenv/bin/pip freeze --exclude-editable | grep -v '^deelbaar' > constraints.txt
	rm -rf .lockvenv

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache
