# Two entry points for a fresh machine: `make demo` and `make test`.
# Both install what transflow needs from Debian (gettext, Pango, fonts with
# Cyrillic) and from PyPI (into .venv) before doing anything else.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
APT_PACKAGES := gettext fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils

.PHONY: demo test lint system-deps venv clean

system-deps:
	@missing=""; \
	command -v msgfmt >/dev/null 2>&1 || missing="$$missing gettext"; \
	command -v pdftoppm >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	fc-list 2>/dev/null | grep -q DejaVuSerif || missing="$$missing fonts-dejavu-core"; \
	ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset || missing="$$missing libharfbuzz-subset0"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing from Debian:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO="sudo"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(APT_PACKAGES) >/dev/null; \
	fi

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	@touch $(STAMP)

venv: system-deps $(STAMP)

demo: venv
	$(BIN)/transflow update
	$(BIN)/transflow build
	@echo
	@echo "Bulletins written:"
	@find output -name 'index.html' -o -name '*.pdf' | sort | sed 's/^/  /'

lint: venv
	$(BIN)/ruff check src tests $(wildcard bench)

test: venv lint
	$(BIN)/pytest -q

clean:
	rm -rf $(VENV) output .pytest_cache .ruff_cache
