# The two commands of the README: `make run` and `make test`. Both set up
# everything a fresh machine with Python 3.11+ lacks, then do their job.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
FLASK  := $(BIN)/flask --app wsgi
PYTEST_ARGS ?=

.PHONY: run test setup translations messages lint bench clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

setup: $(STAMP) translations

translations: $(STAMP)
	$(BIN)/pybabel --quiet compile -d contest/translations

run: setup
	$(FLASK) db upgrade
	$(FLASK) demo
	$(FLASK) run --host 127.0.0.1 --port 5000

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Re-extract strings after changing them, then translate the new ones in
# contest/translations/vi/LC_MESSAGES/messages.po.
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output --project qng-contest -o contest/translations/messages.pot .
	$(BIN)/pybabel update -i contest/translations/messages.pot -d contest/translations --ignore-obsolete --no-fuzzy-matching

# The migration check runs on a throw-away database upgraded first, so it
# works on a fresh clone and never touches instance/.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	tmp=$$(mktemp -d) && export DATABASE_URL="sqlite:///$$tmp/check.db" && \
	  $(FLASK) db upgrade && $(FLASK) db check; status=$$?; rm -rf "$$tmp"; exit $$status

bench: setup
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) instance .pytest_cache
