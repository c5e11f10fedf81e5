# Solidaire — two commands on a fresh machine: `make run` and `make test`.
VENV   := .venv
PYTHON := $(VENV)/bin/python
PORT        ?= 5000
STRIPE_PORT ?= 8420
export PORT STRIPE_PORT

.PHONY: run test test-sqlite test-postgres install sysdeps bench clean

run: install  ## migrate, load the Sceaux demo, start localstripe, the scheduler and the server
	@scripts/run-dev.sh

test: install  ## the whole suite on SQLite, then on a throw-away PostgreSQL cluster
	@scripts/with-postgres.sh scripts/test-all.sh

test-sqlite: install
	$(PYTHON) -m pytest $(PYTEST_ARGS)

test-postgres: install
	@scripts/with-postgres.sh sh -c 'TEST_DATABASE_URL=$$PG_URL $(PYTHON) -m pytest $(PYTEST_ARGS)'

bench: install  ## the benchmarks in bench/, each printing `ratio <goal> = <value> (target ...)`
	@for script in bench/*.py; do scripts/with-postgres.sh sh -c "BENCH_DATABASE_URL=\$$PG_URL $(PYTHON) $$script" || exit 1; done

install: sysdeps $(VENV)/.installed

sysdeps:
	@scripts/sysdeps.sh

# The first time this downloads and builds every package for a few minutes: pip says which one it is at.
$(VENV)/.installed: requirements.txt
	@test -x $(PYTHON) || { echo "== creating the virtual environment $(VENV)"; python3 -m venv $(VENV); }
	@echo "== installing the Python packages of requirements.txt into $(VENV) (a few minutes the first time)"
	$(PYTHON) -m pip install --upgrade pip
	$(PYTHON) -m pip install -r requirements.txt
	@echo "== Python packages installed"
	@touch $@

clean:
	rm -rf $(VENV) instance .pytest_cache
