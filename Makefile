# One tooling surface: the README's commands and CI call these targets.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: run chat test lint format bench messages check-catalog clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 or newer is needed")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)  ## Serve Telegram, or chat in the terminal when no token is set
	@$(VENV)/bin/aiguilleur run

chat: $(STAMP)  ## Talk with the bot in the terminal
	@$(VENV)/bin/aiguilleur chat

test: $(STAMP)  ## The whole test suite (pytest exits 5 when it collects nothing: that fails too)
	@PTB_TIMEDELTA=true $(PY) -m pytest

lint: $(STAMP)
	@$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

format: $(STAMP)
	@$(VENV)/bin/ruff check --fix . && $(VENV)/bin/ruff format .

messages: $(STAMP)  ## Re-extract user-facing strings into locales/*.po after changing them in the code
	@$(VENV)/bin/pybabel extract -F pyproject.toml -k _h -k _u --no-location --sort-output --omit-header -o locales/messages.pot bot
	@for lang in fr en; do test -f locales/$$lang/LC_MESSAGES/messages.po || \
		$(VENV)/bin/pybabel init -i locales/messages.pot -d locales -l $$lang --no-wrap; done
	@$(VENV)/bin/pybabel update -i locales/messages.pot -d locales --no-wrap --ignore-obsolete
	@$(PY) tools/fill_source_language.py locales/en/LC_MESSAGES/messages.po

check-catalog: $(STAMP)
	@$(VENV)/bin/aiguilleur catalog check catalog/quebec

bench: $(STAMP)
	@$(PY) -m bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
