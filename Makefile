# The front door. `make demo` sets up and serves the demo; `make test` runs the tests.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1:8000
FONT_PACKAGE := fonts-ipaexfont

.PHONY: demo test install font migrate lint check-pg clean

$(VENV)/bin/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11+ is needed (set PYTHON=python3.x)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(VENV)/bin/python requirements.txt requirements-dev.txt
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements-dev.txt
	@touch $(STAMP)

install: $(STAMP)

## The Japanese TrueType font every issued PDF embeds (nothing is issued without one):
## found, or installed with apt-get when run as root, else a message saying how to install it
font: install
	@if ! $(PY) manage.py check_document_font >/dev/null 2>&1 \
	    && command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  echo "Installing the Japanese font for PDFs: apt-get install $(FONT_PACKAGE)"; \
	  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(FONT_PACKAGE) >/dev/null; \
	fi
	@$(PY) manage.py check_document_font

migrate: install
	$(PY) manage.py migrate --noinput

## Set up everything on SQLite, load demo data and users, serve on http://$(HOST)
demo: font migrate
	$(PY) manage.py load_demo
	$(PY) manage.py runserver $(HOST)

## Run the test suite (SQLite unless DATABASE_URL says otherwise)
test: install font
	$(VENV)/bin/pytest -n 2 --dist loadfile

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) var
