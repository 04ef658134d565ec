"""Shared fixtures: build a test root (or the real book) once, read it many times.

* ``build_root(name, builder)`` copies ``tests/roots/test-<name>/`` into a temp
  folder and builds it with :class:`sphinx.testing.util.SphinxTestApp`; results
  are cached per session, so module- or session-scoped fixtures call it freely.
* ``run_press(...)`` runs ``python -m press build`` in a subprocess (the CLI
  that ``make`` uses) and returns the completed process.
* ``real_book`` builds ``source/`` in all three formats once per session.

Two tiers.  A test that builds a book (through one of :data:`BOOK_FIXTURES`, directly or
through a fixture that uses one, or marked ``book`` by hand) is marked ``book``
automatically; ``make test-fast`` runs the rest (``-m "not book"``: unit and golden
tests).  An unmarked test that starts a book build anyway fails at once and says how to
mark it (:func:`_fast_tier_builds_no_book`), so the fast tier stays fast.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

import pytest
from sphinx.testing.util import SphinxTestApp

from press import templatecache

pytest_plugins = ("sphinx.testing.fixtures",)

REPO = Path(__file__).resolve().parents[1]
ROOTS = Path(__file__).resolve().parent / "roots"
os.environ.setdefault("SOURCE_DATE_EPOCH", "1795564800")


@dataclass
class Built:
    app: SphinxTestApp
    srcdir: Path
    outdir: Path
    warnings: str
    status: str

    @property
    def env(self):
        return self.app.env

    def read(self, relpath: str) -> str:
        return (self.outdir / relpath).read_text(encoding="utf-8")


_cache: dict[tuple, Built] = {}

#: Fixtures that build a book: a test that uses one (even through another fixture) is
#: marked ``book`` (the slow tier).  ``golden_book`` is the golden tests' own small book,
#: part of the fast tier.
BOOK_FIXTURES = frozenset({"build_root", "real_book", "new_book", "app", "make_app", "first", "book", "broken",
                           "broken_book", "good", "good_output"})
#: an unmarked test sees this variable set: :func:`run_press` then refuses to build
NO_BOOKS = "PRESS_TEST_NO_BOOKS"


#: The test files that take longest, longest first (measured with a JUnit report on a quiet
#: machine).  ``make test`` hands whole files to its workers in collection order
#: (``--dist loadfile --no-loadscope-reorder``), so these start first and the run does not end
#: with one worker on a long file while the others are idle; test_browser second, so one
#: worker builds the session's real book while the others run files that do not need it.
LONGEST_FIRST = ("test_engine", "test_browser", "test_bad_input", "test_jupyterbook", "test_book_makeup",
                 "test_epub", "test_untrusted", "test_corpus", "test_strict", "test_publish", "test_pdf_pieces")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if BOOK_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.book)
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.stem, len(rank)))  # stable: the rest keep their order


_REFUSED = ("this test builds a book but is not marked `book`: use a building fixture "
            f"({', '.join(sorted(BOOK_FIXTURES))}) or mark it `@pytest.mark.book` (tests/conftest.py)")


@pytest.fixture(autouse=True)
def _fast_tier_builds_no_book(request, monkeypatch):
    """Outside the ``book`` tier (and the golden book), a Sphinx build or ``press build``
    fails the test at once."""
    if request.node.get_closest_marker("book") or "golden_book" in request.fixturenames:
        return

    def refuse(*args, **kwargs):
        pytest.fail(_REFUSED, pytrace=False)

    from sphinx.application import Sphinx

    monkeypatch.setattr(Sphinx, "build", refuse)
    monkeypatch.setenv(NO_BOOKS, "1")


def copy_root(name: str, dest: Path) -> Path:
    src = dest / f"test-{name}"
    shutil.copytree(ROOTS / f"test-{name}", src)
    return src


@dataclass
class CompiledTemplates:
    """The theme's compiled Jinja templates (``press.templatecache``'s folder), kept by this
    test process and put in each new in-process build's doctree folder: two hundred small
    builds then compile the theme's templates once, not each (Jinja recompiles any template
    whose source changed, so a stale copy is only slower, never different)."""

    home: Path | None = None  # set per session (pytest's temporary folder)
    folder: Path | None = None

    def lend(self, doctreedir: Path) -> None:
        if self.folder is not None and self.folder.is_dir():
            shutil.copytree(self.folder, doctreedir / templatecache.FOLDER, dirs_exist_ok=True)

    def keep(self, doctreedir: Path) -> None:
        if self.folder is None and self.home is not None and (doctreedir / templatecache.FOLDER).is_dir():
            self.folder = self.home / "jinja-templates"
            shutil.copytree(doctreedir / templatecache.FOLDER, self.folder)


_templates = CompiledTemplates()


@pytest.fixture(scope="session", autouse=True)
def _compiled_templates_home(tmp_path_factory):
    _templates.home = tmp_path_factory.getbasetemp()


def build_in_process(builder: str, srcdir: Path, **confoverrides) -> Built:
    """Build ``srcdir`` once with :class:`SphinxTestApp`; the app, outdir and captured logs."""
    status, warning = StringIO(), StringIO()
    doctreedir = srcdir / "_build" / "doctrees"  # SphinxTestApp's
    _templates.lend(doctreedir)
    app = SphinxTestApp(builder, srcdir=srcdir, confoverrides=confoverrides or None, status=status, warning=warning)
    try:
        app.build()
    finally:
        app.cleanup()
    _templates.keep(Path(app.doctreedir))
    return Built(app, srcdir, Path(app.outdir), warning.getvalue(), status.getvalue())


@pytest.fixture(scope="session")
def build_root(tmp_path_factory):
    """``build_root(name, builder="html", **confoverrides) -> Built`` (cached per session)."""

    def _build(name: str, builder: str = "html", **confoverrides) -> Built:
        key = (name, builder, tuple(sorted(confoverrides.items())))
        if key not in _cache:
            base = tmp_path_factory.mktemp(f"{name}-{builder}")
            _cache[key] = build_in_process(builder, copy_root(name, base), **confoverrides)
        return _cache[key]

    return _build


def _builds(args: tuple[str, ...]) -> bool:
    """Whether ``press <args>`` builds a book (not a ``--help`` or a usage error)."""
    from press.formats import ORDER

    if args[:1] not in (("build",), ("serve",)) or {"-h", "--help"} & set(args):
        return False
    formats = [a for a in args[1:] if not a.startswith("-")]
    return args[0] == "serve" or all(f in ORDER for f in formats[:1])


def run_press(*args: str, cwd: Path = REPO, timeout: int = 600) -> subprocess.CompletedProcess:
    """Run ``python -m press <args>`` like ``make`` does."""
    if os.environ.get(NO_BOOKS) and _builds(args):
        pytest.fail(_REFUSED, pytrace=False)
    env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "press", *args], cwd=cwd, env=env,
        capture_output=True, text=True, timeout=timeout,
    )


@contextmanager
def shared_once(tmp_path_factory, name: str):
    """A folder shared by every xdist worker of this run, held under an exclusive lock:
    ``with shared_once(f, "real-book") as (folder, done):`` — build into ``folder`` and
    write ``done`` (a JSON file) unless it exists.  A session-scoped build that several
    test files use is then made once per run, not once per worker."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent
    folder = base / f"shared-{name}"
    with open(base / f"shared-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            folder.mkdir(exist_ok=True)
            yield folder, folder / ".done.json"
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@dataclass
class Book:
    out: Path
    log: str

    @property
    def html(self) -> Path:
        return self.out / "html"

    @property
    def epub(self) -> Path:
        return self.out / "epub" / "field-guide.epub"

    @property
    def pdf(self) -> Path:
        return self.out / "pdf" / "field-guide.pdf"


@pytest.fixture(scope="session")
def real_book(tmp_path_factory) -> Book:
    """The real ``source/`` built strictly in all three formats, once per run (shared by
    the xdist workers)."""
    with shared_once(tmp_path_factory, "real-book") as (out, done):
        if done.exists():
            return Book(out, json.loads(done.read_text())["log"])
        proc = run_press("build", "pdf", "epub", "html", "--out", str(out))
        log = proc.stdout + proc.stderr
        assert proc.returncode == 0, log
        done.write_text(json.dumps({"log": log}))
        return Book(out, log)


def chromium_launch_options(playwright) -> dict:
    """How to start Chromium for the browser tests: the system's chromium (Debian's, which
    ``.ci/run`` installs), else Playwright's own build; neither is a failure that says how
    to get one (never a skip)."""
    system = shutil.which("chromium") or shutil.which("chromium-browser")
    if system:
        return {"executable_path": system}
    own = Path(playwright.chromium.executable_path)
    if own.exists():
        return {}
    pytest.fail(
        "no Chromium for the browser tests. Install one of: Debian's `apt-get install chromium` "
        "(what .ci/run does), or Playwright's own build: `.venv/bin/python -m playwright install chromium`",
        pytrace=False,
    )


@dataclass
class NewBook:
    root: Path  # the folder `press new` made
    log: str

    @property
    def html(self) -> Path:
        return self.root / "_build" / "html"


@pytest.fixture(scope="session")
def new_book(tmp_path_factory) -> NewBook:
    """``press new`` + ``press build`` (all three formats, strict) in a temp folder, once."""
    base = tmp_path_factory.mktemp("new-book")
    made = run_press("new", str(base / "my-book"), "--title", "My Book", cwd=base)
    assert made.returncode == 0, made.stdout + made.stderr
    built = run_press("build", cwd=base / "my-book")
    assert built.returncode == 0, built.stdout + built.stderr
    return NewBook(base / "my-book", made.stdout + built.stdout + built.stderr)
