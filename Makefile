# Two entry points for a fresh machine: `make demo` and `make test`.
# Both install what transflow needs from Debian (gettext, Pango, fonts with
# Cyrillic) and from PyPI (into .venv) before doing anything else.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint preview system-deps venv clean bench bench-tools audit

# Needed: gettext (msgfmt, msgcat: the tests check every catalog with them; its
# libunistring is the reference the tests hold transflow's own line breaking to), Pango for WeasyPrint, the PT Serif and PT Sans
# fonts the bulletin is set in (fonts-paratype: Cyrillic with ў and і, and all four
# styles: regular, italic, bold, bold italic), DejaVu for the symbols PT lacks (▲ ● ▼),
# poppler-utils (pdftoppm) for `make preview`, Chromium and its driver for the tests that
# drive the website in a real browser, nginx for the test that runs the README's
# reverse-proxy snippet in front of the subscription service, Java for the Nu HTML
# Checker the tests judge every page by, SpamAssassin for the messages. Wanted: HarfBuzz's
# subsetter, which makes PDFs faster and smaller (WeasyPrint falls back to fontTools).
FONT_STYLES := Regular Italic Bold "Bold Italic"

system-deps:
	@missing=""; wanted=""; \
	command -v msgfmt >/dev/null 2>&1 || missing="$$missing gettext"; \
	command -v pdftoppm >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v chromedriver >/dev/null 2>&1 || missing="$$missing chromium-driver"; \
	command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing="$$missing nginx-light"; \
	command -v java >/dev/null 2>&1 || missing="$$missing default-jre-headless"; \
	command -v spamassassin >/dev/null 2>&1 || missing="$$missing spamassassin"; \
	fc-list 2>/dev/null | grep -q DejaVuSans || missing="$$missing fonts-dejavu-core"; \
	for style in $(FONT_STYLES); do \
	  for family in "PT Serif" "PT Sans"; do \
	    fc-list "$$family:style=$$style" 2>/dev/null | grep -q . || missing="$$missing fonts-paratype"; \
	  done; \
	done; \
	ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset || wanted="libharfbuzz-subset0"; \
	missing=$$(echo $$missing | tr ' ' '\n' | sort -u | xargs); \
	SUDO=""; [ "$$(id -u)" = 0 ] || SUDO="sudo"; \
	if [ -n "$$missing$$wanted" ]; then \
	  echo "Installing from Debian: $$missing $$wanted"; \
	  $$SUDO apt-get update -qq || true; \
	fi; \
	if [ -n "$$(echo $$missing)" ]; then \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi; \
	if [ -n "$$wanted" ]; then \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$wanted >/dev/null \
	    || echo "note: $$wanted not installed; PDFs are subset with fontTools instead"; \
	fi; \
	for style in $(FONT_STYLES); do \
	  for family in "PT Serif" "PT Sans"; do \
	    fc-list "$$family:style=$$style" | grep -q . \
	      || { echo "error: font $$family $$style is missing (fonts-paratype)"; exit 1; }; \
	  done; \
	done

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	# setuptools too: the wheel test builds transflow without build isolation (offline).
	$(BIN)/pip install -q --upgrade pip 'setuptools>=77'
	$(BIN)/pip install -q -e '.[test]'
	@touch $(STAMP)

venv: system-deps $(STAMP)

demo: venv
	$(BIN)/transflow update
	$(BIN)/transflow build
	@echo
	@echo "Bulletins written:"
	@find output -name '*.pdf' -not -path 'output/preview/*' | sort | sed 's/^/  /'
	@echo "The website: output/index.html (transflow serve, for its search)"

# The first two pages of each language built for the latest week, as PNG, to look at
# (a language below the threshold is named, with no pages).
preview: venv
	$(BIN)/transflow build --week
	@rm -rf output/png && mkdir -p output/png
	@for pdf in $$(ls output/*/*/*.pdf | grep -v '^output/preview/' | sort); do \
	  week=$$(echo $$pdf | cut -d/ -f2); lang=$$(echo $$pdf | cut -d/ -f3); \
	  [ "$$week" = "$$(ls sources | sort | tail -1)" ] || continue; \
	  pdftoppm -r 70 -png -f 1 -l 2 $$pdf output/png/$$week-$$lang; \
	done
	@echo "Pages written:"; ls output/png/*.png | sed 's/^/  /'
	@week=$$(ls sources | sort | tail -1); \
	for lang in $$($(BIN)/python -c "from pathlib import Path; from transflow.workspace.config import load_config; print(' '.join(load_config(Path('.')).languages))"); do \
	  ls output/png/$$week-$$lang-*.png >/dev/null 2>&1 || \
	    echo "  $$week $$lang: no pages (not built; the build said why above, transflow status shows how far it is)"; \
	done

# The benchmarks' anchors that the tests do not need: Debian's Hugo (bench/archive.py
# times it with Pagefind on the same pages). GNU gettext and WeasyPrint come with venv.
bench-tools: venv
	@command -v hugo >/dev/null || (apt-get update -qq && apt-get install -y -qq hugo)

# Every figure of the README's Performance section, as the README prints them.
bench: bench-tools
	cd bench && ../$(BIN)/python week_build.py
	cd bench && ../$(BIN)/python archive.py --growth 130,1040
	cd bench && ../$(BIN)/python send.py

# Lighthouse's accessibility, best-practices and SEO scores per page kind and language
# (npm's lighthouse, pinned to the last release that runs on Debian 12's Node 20, in
# .audit/; Debian's Chromium). The Nu HTML Checker and axe-core run in make test.
LIGHTHOUSE := .audit/node_modules/.bin/lighthouse
$(LIGHTHOUSE):
	command -v npm >/dev/null || (apt-get update -qq && apt-get install -y -qq npm)
	npm install --silent --prefix .audit -E lighthouse@12.2.3

audit: venv $(LIGHTHOUSE)
	$(BIN)/python scripts/audit.py $(LIGHTHOUSE)

lint: venv
	$(BIN)/ruff check src tests $(wildcard bench scripts)
	$(BIN)/mypy src

# On every CPU, the slowest tests named at the end (to keep the suite quick).
test: venv lint
	$(BIN)/pytest -q -n auto --durations=8

clean:
	rm -rf $(VENV) output .pytest_cache .ruff_cache .audit
