# Publicity Desk — `make run` and `make test` are all the set-up a fresh machine needs.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
MO := locale/zh_Hans/LC_MESSAGES/django.mo

.PHONY: run test chaos lint format bench messages makemessages migrate demo clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

$(MO): locale/zh_Hans/LC_MESSAGES/django.po $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -D django -d locale -l zh_Hans

messages: $(MO)

# Extract strings after changing templates or code; then translate the new entries in the .po.
makemessages: $(VENV)/.installed
	DEBUG=true $(BIN)/python manage.py makemessages -l zh_Hans --no-obsolete --ignore=.venv --ignore=var --ignore=tests --add-location=file

var/.dirs:
	mkdir -p var/celery/queue var/media
	touch $@

migrate: $(VENV)/.installed $(MO) var/.dirs
	DEBUG=true $(BIN)/python manage.py migrate --noinput

demo: migrate
	DEBUG=true $(BIN)/python manage.py seed_demo

run: demo
	@echo
	@echo "  Publicity Desk: http://127.0.0.1:$(PORT)/"
	@echo "  Demo sign-ins (password: publicity-demo):"
	@echo "    officer, officer2  liaison officers    leader, leader2  leaders in charge"
	@echo "    director           office director     leadership       leadership group"
	@echo "    admin              administrator"
	@echo "  Ctrl-C stops the web server, the worker, beat and the demo webhook receiver."
	@echo
	@$(BIN)/python -m publicity.ports $(PORT)
	DEBUG=true PORT=$(PORT) $(BIN)/honcho start -f Procfile.dev -p $(PORT)

# axe-core for the browser tests only (tests/e2e/test_accessibility.py), pinned by its lock file.
AXE := tests/e2e/node/node_modules/axe-core/axe.min.js
$(AXE): tests/e2e/node/package-lock.json
	npm ci --prefix tests/e2e/node --no-audit --no-fund --silent
	touch $@

# Two processes (pytest-xdist): tests/conftest.py keeps the ones that share WordPress or the broker in one.
TEST_PROCESSES ?= 2
test: $(VENV)/.installed $(MO) var/.dirs $(AXE)
	$(BIN)/pytest -n $(TEST_PROCESSES) --dist loadgroup

# Real processes and real faults (README: "Chaos suite"); not part of `make test`.
chaos: $(VENV)/.installed $(MO) var/.dirs
	$(BIN)/python -m chaos

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(VENV)/.installed $(MO) var/.dirs
	DEBUG=true $(BIN)/python -m bench

clean:
	rm -rf $(VENV) var $(MO)
