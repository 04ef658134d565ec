"""Golden files for the Typst writer: MyST-Parser's fixture files, through pytest-param-files.

Each ``tests/fixtures/typst/*.md`` holds cases in the ``dot`` format of pytest-param-files::

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

``pytest tests/test_typst_golden.py --regen-file-failure`` rewrites the expectation of each
case whose output changed (pytest-param-files' option), and still reports what changed: each
such case fails with its diff and ``REGENERATED FILE``; the next run passes.  Each failure
rewrites only its own case (the file is read again first), so the order of the tests does
not matter.
"""

from __future__ import annotations

import re
import shutil
from io import StringIO
from pathlib import Path

import pytest
from pytest_param_files import ParamTestData
from pytest_param_files.main import create_parameters
from sphinx.testing.util import SphinxTestApp

from press.typst.errors import strip_markers

FIXTURES = Path(__file__).parent / "fixtures" / "typst"
FILES = sorted(FIXTURES.glob("*.md"))
#: every case of every file (pytest-param-files' own reader), for the one golden book
CASES: list[ParamTestData] = [case for f in FILES for case in create_parameters(f)[1]]


def source(case: ParamTestData) -> str:
    """The case's MyST input (the reader keeps the line end before the closing ``.``)."""
    return case.content[:-1] if case.content.endswith("\n") else case.content


def page(case: ParamTestData) -> str:
    return f"---\ntitle: {case.title}\n---\n\n{source(case)}\n"


@pytest.fixture(scope="module")
def golden_book(tmp_path_factory):
    src = tmp_path_factory.mktemp("typst-golden") / "src"
    shutil.copytree(FIXTURES / "assets", src)
    (src / "index.md").write_text("---\ntitle: Golden\n---\n\nThe golden cases.\n", encoding="utf-8")
    for case in CASES:
        (src / f"{case.title}.md").write_text(page(case), encoding="utf-8")
    status, warning = StringIO(), StringIO()
    app = SphinxTestApp("typst", srcdir=src, status=status, warning=warning)
    try:
        app.build()
    finally:
        app.cleanup()
    return app, warning.getvalue(), chapters(app)


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
    names = [c.title for c in CASES]
    assert len(names) == len(set(names)), "case names must be unique"
    assert len(CASES) >= 80
    assert all(c.description for c in CASES), "every case has '[name] description'"


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


def _golden_test(path: Path):
    @pytest.mark.param_file(path, fmt="dot")
    def test(golden_book, file_params: ParamTestData) -> None:
        _, _, book = golden_book
        file_params.assert_expected(book[file_params.title], rstrip=True)

    test.__doc__ = f"The Typst of each case of {path.name} (``--regen-file-failure`` rewrites it)."
    return test


# one test per fixture file (``test_golden_code[5-code-fence]``): the param_file marker
# parametrizes ``file_params`` from one file
for _file in FILES:
    globals()[f"test_golden_{_file.stem}"] = _golden_test(_file)


def test_every_case_has_an_expectation():
    assert all(c.expected.strip() for c in CASES), "every case has an expected output"


def test_regeneration_reports_what_changed(tmp_path):
    """``--regen-file-failure`` rewrites the changed case, keeps the others, and fails with the diff."""
    fixture = tmp_path / "cases.md"
    fixture.write_text("[one] a case\n.\nsource\n.\nold\n.\n\n[two] another\n.\nx\n.\nsame\n.\n", encoding="utf-8")
    one, two = create_parameters(fixture, regen_on_failure=True)[1]
    two.assert_expected("same", rstrip=True)  # unchanged: passes, the file stays
    with pytest.raises(AssertionError) as failure:
        one.assert_expected("new", rstrip=True)
    assert "-old" in str(failure.value) and "+new" in str(failure.value), failure.value
    assert f"REGENERATED FILE: {fixture}" in str(failure.value)
    assert fixture.read_text(encoding="utf-8") == "[one] a case\n.\nsource\n.\nnew\n.\n\n[two] another\n.\nx\n.\nsame\n.\n"
    again = create_parameters(fixture)[1]
    assert [c.expected for c in again] == ["new\n", "same\n"]
