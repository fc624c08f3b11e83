# The two commands: `make run` and `make test`. Every step is idempotent.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PORTAL := $(VENV)/bin/portal
PYBABEL := $(VENV)/bin/pybabel
PORT ?= 5000
LOCALES := es zh_Hans zh_Hant vi fil ko ar fr ht pt_BR ru uk fa ps ur hi pa so am
export PORTAL_SECURE_COOKIES ?= false

.PHONY: run test setup test-setup static translations db demo bench extract-messages update-messages add-language lint clean

run: setup db demo
	@echo "Serving on http://127.0.0.1:$(PORT)  (Ctrl-C stops it)"
	PORT=$(PORT) $(PORTAL) serve

test: test-setup
	$(VENV)/bin/ruff check portal tests bench docs
	$(VENV)/bin/pytest $(PYTEST_ARGS)

setup: $(VENV)/.installed static translations

$(VENV)/.installed: pyproject.toml
	test -d $(VENV) || python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e .
	touch $@

$(VENV)/.test-installed: $(VENV)/.installed pyproject.toml
	$(VENV)/bin/pip install --quiet -e '.[test]'
	touch $@

# Debian's chromium for the browser tests and Noto fonts for PDFs, when root on Debian.
system-packages:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && ! { command -v chromium >/dev/null && command -v wrk >/dev/null && fc-list | grep -q "Noto Sans CJK"; }; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-core fonts-noto-cjk wrk >/dev/null; \
	fi

test-setup: setup $(VENV)/.test-installed system-packages

# Front-end packages come from npm (package-lock.json); only their dist files are served.
static: node_modules/.package-lock.json
	mkdir -p static/vendor/uswds static/vendor/htmx
	cp -r node_modules/@uswds/uswds/dist/css node_modules/@uswds/uswds/dist/fonts node_modules/@uswds/uswds/dist/img static/vendor/uswds/
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx/

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

translations:
	$(PYBABEL) compile -d translations
	@for l in $(LOCALES); do test -f translations/$$l/LC_MESSAGES/messages.mo || { echo "catalog $$l did not compile"; exit 1; }; done

db: setup
	$(PORTAL) db upgrade

demo: db
	$(PORTAL) demo

# Maintainers: after changing texts, extract them and merge into every catalog.
extract-messages:
	$(PYBABEL) extract -F translations/babel.cfg -k _l -o translations/messages.pot --no-location --sort-output --project "portal" .
update-messages: extract-messages
	$(PYBABEL) update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete -w 76
# Translators: start a catalog for a new language, e.g. `make add-language CODE=de`.
add-language: extract-messages
	@test -n "$(CODE)" || { echo "usage: make add-language CODE=<Babel locale, e.g. de or pt_PT>"; exit 1; }
	$(PY) -c "from babel import Locale; Locale.parse('$(CODE)')"
	$(PYBABEL) init -i translations/messages.pot -d translations -l $(CODE) -w 76
	@echo "Now translate translations/$(CODE)/LC_MESSAGES/messages.po, then add $(CODE) to OFFERED_LOCALES (portal/i18n.py) and LOCALES (Makefile)."

# Each script prints its ratio last and fails below its target; all run, then any miss fails.
# BENCH_ARGS goes to each, e.g. BENCH_ARGS="--database-url postgresql+psycopg://user@host/db".
bench: test-setup
	@failed=0; \
	$(PY) bench/status_lookup.py $(BENCH_ARGS) || failed=1; \
	$(PY) bench/access_log.py $(BENCH_ARGS) || failed=1; \
	$(PY) bench/ingest.py $(BENCH_ARGS) || failed=1; \
	$(PY) bench/pdf.py $(BENCH_ARGS) || failed=1; \
	exit $$failed

lint:
	$(VENV)/bin/ruff check portal tests bench docs

clean:
	rm -rf $(VENV) node_modules static/vendor
