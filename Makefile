# Field Guide Press — two commands: `make book` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PRESS  := $(BIN)/python -m press build
export PYTHONHASHSEED := 0
export SOURCE_DATE_EPOCH ?= 1795564800

.PHONY: book html epub pdf test serve bench clean lock venv check-prose

book: $(STAMP)  ## all three formats from one read of the book (one process, incremental)
	$(PRESS) pdf epub html $(if $(JOBS),-j $(JOBS))

html: $(STAMP)
	$(PRESS) html

epub: $(STAMP)
	$(PRESS) epub

pdf: $(STAMP)
	$(PRESS) pdf

test: $(STAMP)  ## the whole suite
	$(BIN)/python -m pytest -n 2 --dist loadfile

# Editorial checks against the fact sheet (outside the repository, so not part of `make test`):
# shared 12-word runs with facts.md and between pages, cited keys and bib entries vs the verified list.
SHARED ?= ../shared/references
check-prose: $(STAMP)  ## editor's checks; SHARED=dir holding facts.md and references.bib
	$(BIN)/python tests/editorial/check_prose.py --shared $(SHARED)

serve: $(STAMP)  ## live preview on http://127.0.0.1:8000 (strict build, PDF and EPUB kept current)
	$(BIN)/python -m press.serve

bench: $(STAMP)  ## speed and memory: our engine vs the stock stack (BENCH_ARGS="--pages 200")
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

clean:
	rm -rf _build

venv: $(STAMP)

# .venv from the committed lock; the repo itself goes on sys.path with a .pth file.
$(STAMP): requirements.lock pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -c "import os, site; open(os.path.join(site.getsitepackages()[0], 'field-guide-press.pth'), 'w').write(os.getcwd() + '\n')"
	touch $(STAMP)

# Re-resolve the pins from pyproject.toml (needs the registry; never run by the build).
lock:
	rm -rf /tmp/press-lock && $(PYTHON) -m venv /tmp/press-lock
	/tmp/press-lock/bin/pip install --quiet ".[test,dev]"
	( echo "# Pinned, resolved dependencies of field-guide-press (pip freeze of a clean .venv)."; \
	  echo "# Regenerate: make lock"; \
	  /tmp/press-lock/bin/pip freeze --exclude field-guide-press ) > requirements.lock
