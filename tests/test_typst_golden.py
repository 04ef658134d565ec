"""Golden files for the Typst writer, in the style of MyST-Parser's fixture files.

Each ``tests/fixtures/typst/*.md`` holds cases::

    [name] description
    .
    MyST input
    .
    expected Typst
    .

All cases become pages of one small book (``tests/fixtures/typst/assets/`` holds its
``conf.py``, an image, a code file and a bibliography), built once with the ``typst`` builder
(the real translator): so the whole book, every case included, must compile to a PDF.  The
book's ``.typ`` is then cut into its chapters, one per case, and each chapter's Typst (without
its title heading, its own labels and the source markers) is compared with the expectation.

``PRESS_REGEN_GOLDEN=1`` rewrites the expectations from the current writer, in the module
fixture (whatever the order of the tests), and still reports what changed: each case whose
expectation was rewritten fails with its diff, so the run shows it; the next run passes.
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

import pytest
from sphinx.testing.util import SphinxTestApp

from press.typst.errors import strip_markers

FIXTURES = Path(__file__).parent / "fixtures" / "typst"
REGEN = os.environ.get("PRESS_REGEN_GOLDEN") == "1"
_HEAD = re.compile(r"\[(?P<name>[a-z0-9-]+)\] (?P<description>.+)")


@dataclass
class Case:
    file: Path
    line: int  # 1-based line of the "[name] description" line
    name: str
    description: str
    source: str
    expected: str


def parse_fixtures(path: Path) -> list[Case]:
    """The cases of one fixture file (blank lines between cases are ignored)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    cases, i = [], 0
    while i < len(lines):
        match = _HEAD.fullmatch(lines[i])
        if not match:
            assert not lines[i].strip(), f"{path}:{i + 1}: expected '[name] description', got {lines[i]!r}"
            i += 1
            continue
        start = i
        assert lines[i + 1] == ".", f"{path}:{i + 2}: expected '.'"
        parts, j = [], i + 2
        for _ in range(2):
            block = []
            while lines[j] != ".":
                block.append(lines[j])
                j += 1
            parts.append("\n".join(block))
            j += 1
        cases.append(Case(path, start + 1, match["name"], match["description"], parts[0], parts[1]))
        i = j
    return cases


def write_fixtures(path: Path, cases: list[Case]) -> None:
    out = []
    for case in cases:
        out += [f"[{case.name}] {case.description}", ".", case.source, ".", case.expected, ".", ""]
    path.write_text("\n".join(out), encoding="utf-8")


FILES = sorted(FIXTURES.glob("*.md"))
CASES = [case for f in FILES for case in parse_fixtures(f)]


def page(case: Case) -> str:
    return f"---\ntitle: {case.name}\n---\n\n{case.source}\n"


@pytest.fixture(scope="module")
def golden_book(tmp_path_factory):
    src = tmp_path_factory.mktemp("typst-golden") / "src"
    shutil.copytree(FIXTURES / "assets", src)
    (src / "index.md").write_text("---\ntitle: Golden\n---\n\nThe golden cases.\n", encoding="utf-8")
    for case in CASES:
        (src / f"{case.name}.md").write_text(page(case), encoding="utf-8")
    status, warning = StringIO(), StringIO()
    app = SphinxTestApp("typst", srcdir=src, status=status, warning=warning)
    try:
        app.build()
    finally:
        app.cleanup()
    book = chapters(app)
    if REGEN:
        regenerate(book)
    return app, warning.getvalue(), book


#: with PRESS_REGEN_GOLDEN=1: case name -> the expectation it had before (only changed cases)
REGENERATED: dict[str, str] = {}


def regenerate(book: dict[str, str]) -> None:
    """Rewrite every fixture file from the writer's output; remember what changed."""
    for case in CASES:
        got = book.get(case.name, "")
        if got != case.expected.strip():
            REGENERATED[case.name] = case.expected
            case.expected = got
    for f in FILES:
        write_fixtures(f, [c for c in CASES if c.file == f])


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_CHAPTER = re.compile(r'^#press-heading\(level: 1, kind: "chapter"\)\[(.*)\]$', re.M)


def chapters(app) -> dict[str, str]:
    """The book's Typst (source markers removed) cut into its chapters: title -> body."""
    typ = next(p for p in Path(app.outdir).glob("*.typ") if not p.name.startswith("press-")).read_text(encoding="utf-8")
    parts = _CHAPTER.split(strip_markers(typ))
    out = {}
    for title, body in zip(parts[1::2], parts[2::2]):
        body = re.sub(r"\A\s*(#metadata\(none\) <[^>]+>)+(\n|\Z)", "", body)  # the page's own labels
        body = _UUID.sub("<uuid>", body)  # MyST's amsmath names unlabelled equations with uuid4
        body = body.split("\n#press-index-chapter()")[0]  # the book's end: the index, if any
        out[title.replace("\\-", "-")] = body.strip()
    return out


def test_fixture_files_parse():
    names = [c.name for c in CASES]
    assert len(names) == len(set(names)), "case names must be unique"
    assert len(CASES) >= 80


def test_golden_book_compiles(golden_book):
    app, warnings, _ = golden_book
    pdfs = list(Path(app.outdir).glob("*.pdf"))
    assert len(pdfs) == 1 and pdfs[0].stat().st_size > 10_000, warnings
    text = re.sub(r"\x1b\[[0-9;]*m", "", warnings)
    lines = [w for w in text.splitlines() if "WARNING" in w or "ERROR" in w or "CRITICAL" in w]
    # The expected warnings: raw HTML with nothing printable (html-dropped) at its file:line,
    # and MyST's own note that strikethrough is an HTML-only syntax.
    dropped = [w for w in lines if "[press.raw]" in w]
    assert len(dropped) == 1 and "html-dropped.md:5:" in dropped[0], lines
    struck = [w for w in lines if "[myst.strikethrough]" in w]
    assert len(struck) == 1 and "strikethrough.md:5:" in struck[0], lines
    others = [w for w in lines if w not in dropped + struck]
    assert others == [], "\n".join(others)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden(golden_book, case):
    _, _, book = golden_book
    got = book[case.name]
    if case.name in REGENERATED:
        diff = "\n".join(difflib.unified_diff(REGENERATED[case.name].strip().splitlines(), got.splitlines(),
                                               "before", "now", lineterm=""))
        pytest.fail(f"{case.file.name}:{case.line} [{case.name}] regenerated; the expectation changed:\n{diff}")
    assert got == case.expected.strip(), f"{case.file.name}:{case.line} [{case.name}] {case.description}"


def test_every_case_has_an_expectation():
    assert all(c.expected.strip() for c in CASES), "every case has an expected output"


def test_regeneration_reports_what_changed(tmp_path, monkeypatch):
    """The regeneration rewrites the file and remembers the old expectation (a unit test)."""
    fixture = tmp_path / "cases.md"
    fixture.write_text("[one] a case\n.\nsource\n.\nold\n.\n", encoding="utf-8")
    cases = parse_fixtures(fixture)
    monkeypatch.setitem(globals(), "CASES", cases)
    monkeypatch.setitem(globals(), "FILES", [fixture])
    monkeypatch.setitem(globals(), "REGENERATED", {})
    regenerate({"one": "new"})
    assert REGENERATED == {"one": "old"}
    assert parse_fixtures(fixture)[0].expected == "new"
