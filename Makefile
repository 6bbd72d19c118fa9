# One entry point for people and CI. `make run` and `make test` are the README's two commands.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# ESLint for the static/ scripts: its package.json, lockfile and config (.ci/js/).
JS := .ci/js
JS_STAMP := $(JS)/node_modules/.installed

.PHONY: install run test bench lint format messages worker

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,grouping]'
	touch $(STAMP)

install: $(STAMP)

$(JS_STAMP): $(JS)/package-lock.json
	npm ci --prefix $(JS) --no-audit --no-fund
	touch $(JS_STAMP)

# The site, one Celery worker and beat (events_site/Procfile); Ctrl-C stops all three.
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	DEBUG=1 PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho -f events_site/Procfile -d . start -p 8000

test: install
	$(BIN)/pytest

# Each prints its ratios against a floor measured in the same run; see tests/bench/README.md.
BENCHES := bench_feed bench_registration bench_outbox bench_workshops bench_booklet bench_embedded \
	bench_grouping bench_documents bench_scale

# bench_scale's documents row is bench_documents, which the list runs already.
bench: install
	@status=0; for b in $(BENCHES); do \
	  BENCH_SCALE_DOCUMENTS=0 $(BIN)/python -m tests.bench.$$b || status=1; done; exit $$status

lint: install $(JS_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(JS)/node_modules/.bin/eslint --config $(JS)/eslint.config.js '*/static/**/*.js'

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Extract every translatable string, then compile; the catalogs must stay complete.
messages: install
	$(BIN)/python manage.py makemessages --locale fr --locale nl --locale en --no-obsolete \
		--ignore '.venv/*' --ignore 'tests/*' --ignore 'var/*'
	$(BIN)/python manage.py compilemessages --ignore '.venv/*'

worker: install
	$(BIN)/celery -A events_site worker --beat --loglevel info
