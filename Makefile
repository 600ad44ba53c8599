# Two entry points for a fresh machine: `make demo` and `make test`.
# Both install what transflow needs from Debian (gettext, Pango, fonts with
# Cyrillic) and from PyPI (into .venv) before doing anything else.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint system-deps venv clean

# Needed: gettext (msgfmt, msgcat; it brings libunistring, whose line breaker transflow
# calls to wrap PO files as msgcat does), Pango for WeasyPrint, DejaVu fonts (Cyrillic with
# ў and і). Wanted: HarfBuzz's subsetter, which makes PDFs faster and smaller
# (WeasyPrint falls back to fontTools without it).
system-deps:
	@missing=""; wanted=""; \
	command -v msgfmt >/dev/null 2>&1 || missing="$$missing gettext"; \
	fc-list 2>/dev/null | grep -q DejaVuSerif || missing="$$missing fonts-dejavu-core"; \
	ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset || wanted="libharfbuzz-subset0"; \
	SUDO=""; [ "$$(id -u)" = 0 ] || SUDO="sudo"; \
	if [ -n "$$missing$$wanted" ]; then \
	  echo "Installing from Debian:$$missing $$wanted"; \
	  $$SUDO apt-get update -qq || true; \
	fi; \
	if [ -n "$$missing" ]; then \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi; \
	if [ -n "$$wanted" ]; then \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$wanted >/dev/null \
	    || echo "note: $$wanted not installed; PDFs are subset with fontTools instead"; \
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
	$(BIN)/mypy src

test: venv lint
	$(BIN)/pytest -q

clean:
	rm -rf $(VENV) output .pytest_cache .ruff_cache
