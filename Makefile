# The two commands of the README: `make demo` and `make test` (each installs first).
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install demo test bench lint clean lexicon

install: $(STAMP)

# Re-installs only when pyproject.toml changes: a no-op when up to date.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

demo: install
	$(BIN)/atc-mine demo --out out

test: install
	$(BIN)/python -m pytest -q

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
