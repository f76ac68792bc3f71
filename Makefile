# Set-up is part of every target: a fresh clone needs only Python 3.11, make and git.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := wsgi

.PHONY: run test lint translations clean system-packages

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found; set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

# Reinstall when the declared or pinned dependencies change.
$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

# Chromium and LibreOffice for the browser and workbook tests (apt-get, sudo when not root).
system-packages:
	@scripts/system-packages.sh

translations: $(STAMP)
	$(BIN)/pybabel compile -d survey_app/translations -D messages >/dev/null

## run: start the app on SQLite with the demo loaded (http://127.0.0.1:5000), and one queue worker
run: $(STAMP) translations
	$(BIN)/flask db upgrade
	$(BIN)/flask demo load
	$(BIN)/flask queue worker --workers 1 & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/flask run --host 127.0.0.1 --port 5000

## test: the whole test suite (SQLite; PostgreSQL too when TEST_DATABASE_URL is set)
test: $(STAMP) translations system-packages
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy --follow-imports=silent survey_app/questionnaire reports

clean:
	rm -rf $(VENV) instance .pytest_cache

## messages: refresh the translation catalogs after changing user-facing text
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -o survey_app/translations/messages.pot .
	$(BIN)/pybabel update -i survey_app/translations/messages.pot -d survey_app/translations -w 100
