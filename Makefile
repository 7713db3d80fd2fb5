# aduan's one runner. `make demo` and `make test` are the README's two commands.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: demo test install lint lock bench clean help browser web

help:
	@echo "make demo   - set up, load reference data, run the ingestion flow once, show the queue"
	@echo "make test   - set up (with test tools) and run ruff, mypy and the whole test suite"
	@echo "make lint   - ruff and mypy only"
	@echo "make lock   - regenerate constraints.txt from a fresh resolve"
	@echo "make bench  - run the benchmarks in bench/"
	@echo "make web    - serve the triage web app on http://127.0.0.1:8000/"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "aduan needs Python 3.11+")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/aduan db init
	$(BIN)/aduan ingest
	$(BIN)/aduan queue list --limit 5
	@echo
	@echo "Antrean triase ada di basis data var/aduan.db. Lihat semuanya dengan:"
	@echo "  $(BIN)/aduan queue list        (atau --json)"
	@echo "  $(BIN)/aduan sources list"
	@echo "Aplikasi web triase: $(BIN)/aduan user add admin --role admin, lalu make web"

web: install
	$(BIN)/aduan web

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# PostgreSQL tests run when a server answers on 127.0.0.1:5432 (or ADUAN_TEST_DATABASE_URL
# is set); under CI=true a missing server is an error, not a skip.
# Browser tests drive Debian's chromium (Playwright's own browser download does not work
# here); installed with apt when missing.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "installing Debian chromium for the browser tests"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

test: install lint browser
	@if [ -z "$$ADUAN_TEST_DATABASE_URL" ] && $(BIN)/python -c 'import socket; socket.create_connection(("127.0.0.1", 5432), 1)' 2>/dev/null; then \
		export ADUAN_TEST_DATABASE_URL='$(PG_URL)'; \
	elif [ -z "$$ADUAN_TEST_DATABASE_URL" ] && [ -n "$$CI" ]; then \
		echo "CI: no PostgreSQL on 127.0.0.1:5432 and no ADUAN_TEST_DATABASE_URL" >&2; exit 1; \
	fi; \
	$(BIN)/python -m pytest

lock:
	rm -rf /tmp/aduan-lock && $(PYTHON) -m venv /tmp/aduan-lock
	/tmp/aduan-lock/bin/python -m pip install --quiet --upgrade pip
	/tmp/aduan-lock/bin/python -m pip install --quiet -e '.[dev]'
	/tmp/aduan-lock/bin/python -m pip freeze --exclude-editable | grep -v '^-e' > constraints.txt

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache *.egg-info
