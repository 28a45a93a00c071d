# The two commands of the README: `make demo` and `make test` (each installs first).
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install demo test bench lint clean lexicon browser

install: $(STAMP)

# Re-installs only when pyproject.toml changes: a no-op when up to date.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

demo: install
	$(BIN)/atc-mine demo --out out

test: install browser
	$(BIN)/python -m pytest -q

# The HTML review page is tested in a real headless browser: Debian's chromium, installed where
# this can (root with apt-get). Never fails the build: without chromium that test says why it skips.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null 2>&1 \
	      || echo "make: could not install chromium; the browser test will be skipped"; \
	  else echo "make: chromium absent and apt-get unavailable (or not root); the browser test will be skipped"; fi; }

# Rebuild the compiled DRUG/GENE lexicon from the packaged vocabularies (see atc_mine/nlp/data/README.md).
lexicon: install
	$(BIN)/python -m atc_mine.nlp.lexicon_build

bench: install
	$(BIN)/python bench/run.py

lint: install
	$(BIN)/ruff check atc_mine tests bench
	$(BIN)/ruff format --check atc_mine tests bench

clean:
	rm -rf out build dist *.egg-info .pytest_cache .ruff_cache
