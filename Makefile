# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
# The demo TSA listens next to the portal, so two `make run PORT=…` do not collide.
TSA_PORT ?= $(shell expr $(PORT) + 318)

.PHONY: run test bench messages lint audit clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po $(STAMP)
	DEBUG=1 $(BIN)/python manage.py compilemessages --ignore=.venv -l $* >/dev/null

MO_FILES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))

# Embedded portal: SQLite, eager Celery, files and demo PKI under var/, mail on the console,
# documents timestamped by a demo TSA that lives as long as the server.
run: export DEBUG = 1
run: export SIGNING_TSA_URL = http://127.0.0.1:$(TSA_PORT)/
# Links in e-mails and on signed documents: this server, unless SITE_URL says otherwise.
run: export SITE_URL ?= http://127.0.0.1:$(PORT)
# A demo paying account (a valid CBU of no real account), so the demo exports pain.001.
run: export PAYABLES_DEBTOR_CBU ?= 0110599500000000012342
run: $(STAMP) $(MO_FILES)
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py catalog sync
	$(BIN)/python manage.py setup_demo
	$(BIN)/python manage.py setup_supplier_demo
	$(BIN)/python manage.py setup_notices_demo
	$(BIN)/python manage.py setup_appointments_demo
	$(BIN)/python manage.py setup_contact_demo
	$(BIN)/python manage.py setup_indicators_demo
	$(BIN)/python manage.py setup_rates_demo
	$(BIN)/python manage.py setup_signing
	@echo "The portal: $(SITE_URL) (links in e-mails and on signed documents point there)"
	$(BIN)/python manage.py demo_tsa --port $(TSA_PORT) & tsa=$$!; trap 'kill $$tsa' EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# The whole suite. Uses PostgreSQL, Redis (real Celery worker) and a local S3 server when
# available; REQUIRE_SERVICES=1 turns a missing service into a failure.
test: $(STAMP) $(MO_FILES)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Fills a dedicated PostgreSQL database and measures pages; writes docs/performance.md figures.
bench: $(STAMP) $(MO_FILES)
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)
	$(BIN)/python -m benchmarks.filing_load
	$(BIN)/python -m benchmarks.matching
	$(BIN)/python -m benchmarks.signing
	$(BIN)/python -m benchmarks.appointments
	$(BIN)/python -m benchmarks.contact
	$(BIN)/python -m benchmarks.indicators
	$(BIN)/python -m benchmarks.payments

messages: $(STAMP)
	DEBUG=1 $(BIN)/python manage.py makemessages --ignore=.venv --ignore=var -l es -l en -l it

lint: $(STAMP)
	$(BIN)/python -m ruff check .
	$(BIN)/python -m ruff format --check .

# Known vulnerabilities of every pinned dependency (constraints.txt), from the OSV database.
# --strict: a package that could not be checked fails the audit too. `.ci/audit` runs this
# when the database answers and says loudly that it skipped it when it does not.
OSV_URL ?= https://api.osv.dev/v1/query
audit: $(STAMP)
	$(BIN)/pip-audit --requirement constraints.txt --no-deps --disable-pip --strict \
		--vulnerability-service osv --osv-url $(OSV_URL) --progress-spinner off

clean:
	rm -rf $(VENV) staticfiles
