"""Two documentation trees nobody here wrote, built with press as their only publisher.

``test-corpus-sphinx-design`` (sphinx-design's own docs, MyST) and
``test-corpus-kitchen-sink`` (sphinx-book-theme's reStructuredText kitchen sink)
are copied unchanged (see their ORIGIN and LICENSE); only their ``conf.py`` is
adapted, as a user would, with a comment on each change.  Each is built once in
HTML and once in EPUB: no warning at all (so no press warning and no unknown
node), an EPUB EPUBCheck passes with no message, and every page's prose — lines
of plain text taken from the page sources, not from the build — in both outputs.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from lxml import etree

from test_epub import epubcheck_messages, format_messages

#: every test here builds a book (the slow tier: `make test`, not `make test-fast`)
pytestmark = pytest.mark.book

CORPORA = ["corpus-sphinx-design", "corpus-kitchen-sink"]

#: a source line of plain prose (no markup, quotes or dashes that typography would change)
PROSE = re.compile(r"^[A-Z][A-Za-z ,]{30,}[.:]?$")
FENCE = re.compile(r"^\s*(`{3,}|~{3,})")


def prose_lines(path: Path, limit: int = 4) -> list[str]:
    """Up to ``limit`` lines of plain prose from a page source, outside code and comments."""
    found: list[str] = []
    fence = None
    comment_indent: int | None = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        indent = len(raw) - len(raw.lstrip())
        m = FENCE.match(raw)
        if m:
            fence = None if fence and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) else (fence or m.group(1))
            continue
        if fence:
            continue
        if comment_indent is not None:
            if line and indent <= comment_indent:
                comment_indent = None
            else:
                continue
        if re.match(r"^\.\.(\s|$)(?!.*::)", line):  # an rST comment and its indented body
            comment_indent = indent
            continue
        if raw.startswith((" ", "\t")):
            continue  # directive bodies, literal blocks: their text may be code or options
        if PROSE.match(line) and line not in found:
            found.append(line)
        if len(found) >= limit:
            break
    return found


def words(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module", params=CORPORA)
def corpus(request, build_root):
    return build_root(request.param, "html"), build_root(request.param, "epub")


def test_builds_without_any_warning(corpus):
    for built in corpus:
        assert "[press." not in built.warnings, built.warnings
        assert "unknown node" not in built.warnings.lower(), built.warnings
        assert built.warnings == "", built.warnings


def test_epubcheck_no_message(corpus, tmp_path):
    _, epub = corpus
    (path,) = epub.outdir.glob("*.epub")
    messages = epubcheck_messages(path, tmp_path)
    assert messages == [], format_messages(messages)


def test_every_page_content_in_html_and_epub(corpus):
    html, epub = corpus
    (path,) = epub.outdir.glob("*.epub")
    checked = 0
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        for doc in sorted(html.env.found_docs):
            lines = prose_lines(Path(html.env.doc2path(doc)))
            assert (html.outdir / f"{doc}.html").is_file(), doc
            assert f"{doc}.xhtml" in names, doc
            html_text = words(BeautifulSoup((html.outdir / f"{doc}.html").read_text(encoding="utf-8"), "lxml").get_text(" "))
            epub_text = words(" ".join(etree.fromstring(z.read(f"{doc}.xhtml")).itertext()))
            for line in lines:
                assert words(line) in html_text, (doc, line)
                assert words(line) in epub_text, (doc, line)
                checked += 1
    assert checked >= len(html.env.found_docs)  # at least one line per page on average


def test_epub_has_no_remote_resource_and_no_form_control(corpus):
    _, epub = corpus
    (path,) = epub.outdir.glob("*.epub")
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if not name.endswith(".xhtml"):
                continue
            page = etree.fromstring(z.read(name))
            for el in page.iter("{http://www.w3.org/1999/xhtml}img"):
                assert not re.match(r"^(https?:)?//", el.get("src", "")), (name, el.get("src"))
            assert not list(page.iter("{http://www.w3.org/1999/xhtml}input")), name


@pytest.mark.parametrize("name", CORPORA)
def test_press_build_publishes_all_three_formats(name, tmp_path):
    """As a user runs it: ``press build`` (strict, nitpicky, one read, three formats) on a
    copy of the tree with its adapted ``conf.py``, and every output is there and whole."""
    import shutil

    from conftest import ROOTS, run_press

    src = tmp_path / "src"
    shutil.copytree(ROOTS / f"test-{name}", src)
    out = tmp_path / "out"
    proc = run_press("build", "--source", str(src), "--conf", str(src), "--out", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "WARNING" not in proc.stderr and "ERROR" not in proc.stderr, proc.stderr
    (pdf,) = (out / "pdf").glob("*.pdf")
    assert pdf.read_bytes().startswith(b"%PDF-") and len(pdf.read_bytes()) > 10_000
    (epub,) = (out / "epub").glob("*.epub")
    with zipfile.ZipFile(epub) as z:
        assert z.testzip() is None and any(n.endswith(".xhtml") for n in z.namelist())
    assert (out / "html" / "index.html").is_file() or any((out / "html").rglob("index.html"))
