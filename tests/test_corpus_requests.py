"""A large reStructuredText documentation set nobody here wrote (issue 19, item 6): the
Requests documentation (``tests/roots/test-corpus-requests``, Apache-2.0, see its LICENSE,
NOTICE and ORIGIN), copied unchanged with the repository-root files its pages include, and
built as a user runs it: ``press build`` in the folder, which finds ``docs/conf.py`` (an
ordinary Sphinx ``conf.py`` that does not list press, alabaster theme, autodoc of the
installed requests, intersphinx, todo, viewcode).

Built once for the module (all three formats, about 25 s on a quiet machine) and every test
reads the same outputs.  ``--no-strict`` as for pbdl (``test_jupyterbook.py``): a strict
build also turns on ``nitpicky``, and the API page's signatures name private type aliases
(``_t.UriType`` …) no page documents — the book's own, like every message in
:data:`BOOK_OWN`; any other message fails the test.

Also here, one small Sphinx project for the press bugs this tree revealed (press missing
from ``extensions``, a theme other than the PyData ones, remote intersphinx inventories,
docutils' escape markers taken for control characters).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pypdf
import pytest
from bs4 import BeautifulSoup
from lxml import etree

from conftest import ROOTS, run_press
from test_corpus import prose_lines, words
from test_epub import epubcheck_messages, format_messages

pytestmark = pytest.mark.book

NAME = "corpus-requests"

#: Messages that are the book's own doing (or its use of the network), and why:
BOOK_OWN = {
    # conf.py says `language = None`; Sphinx wants a language code and falls back to English
    "config": re.compile(r"Invalid configuration value found: 'language = None'"),
    # conf.py's intersphinx_mapping names docs.python.org and urllib3.readthedocs.io: the build
    # makes no network request (press.untrusted), so those inventories are not fetched ...
    "press.network": re.compile(r"conf\.py:\d+: .*intersphinx_mapping: the inventories of 'python', 'urllib3' are on the network"),
    # ... and the one :ref: into Python's docs (`tut-files`, three times) stays unresolved
    "press.reference": re.compile(r"docs/user/(quickstart|advanced)\.rst:\d+: .*undefined label: 'tut-files'"),
    # requests' own docstring of Session.get (autodoc) has a field list without a blank line
    "docutils": re.compile(r"requests/sessions\.py:docstring of requests\.sessions\.Session\.get:\d+: .*Field list ends without a blank line"),
    # the changelog and the authors are included from the repository root (../../HISTORY.md,
    # ../../AUTHORS.rst), outside the source folder docs/: press includes nothing from outside
    # unless conf.py lists the folder in press_allowed_paths (press.containment)
    # (named as the page writes them, not relative to docs/)
    "press.containment": re.compile(r"docs/(community/updates\.rst:18: .*path '\.\./\.\./HISTORY\.md'|"
                                    r"dev/authors\.rst:4: .*path '\.\./\.\./AUTHORS\.rst') resolves to .*outside the book's source folder"),
}


class Built:
    def __init__(self, root: Path, log: str, returncode: int):
        self.root, self.log, self.returncode = root, log, returncode
        out = root / "_build"
        self.pdf, self.epub, self.html = out / "pdf" / "requests.pdf", out / "epub" / "requests.epub", out / "html"
        self.docs = root / "docs"


@pytest.fixture(scope="module")
def requests_docs(tmp_path_factory) -> Built:
    import shutil

    root = tmp_path_factory.mktemp(NAME) / NAME
    shutil.copytree(ROOTS / f"test-{NAME}", root)
    proc = run_press("build", "--no-strict", cwd=root, timeout=900)
    built = Built(root, proc.stdout + proc.stderr, proc.returncode)
    assert built.returncode == 0, built.log[-5000:]
    return built


def _kind(line: str) -> str:
    found = re.search(r"\[([\w.]+)\]$", line)
    return found.group(1) if found else "config"


def test_builds_with_only_the_books_own_warnings(requests_docs):
    messages = [line for line in requests_docs.log.splitlines() if re.search(r"(WARNING|ERROR):", line)]
    unexpected = [m for m in messages if not (BOOK_OWN.get(_kind(m)) and BOOK_OWN[_kind(m)].search(m))]
    assert unexpected == [], "\n".join(unexpected)
    assert {_kind(m) for m in messages} == set(BOOK_OWN), messages  # each reason still holds
    # conf.py is read by each format's application: its problem is reported once, not three times
    assert sum("[press.network]" in m for m in messages) == 1, messages
    for fmt in (requests_docs.pdf, requests_docs.epub, requests_docs.html / "index.html"):
        assert fmt.is_file(), fmt


def test_epubcheck_passes(requests_docs, tmp_path):
    messages = epubcheck_messages(requests_docs.epub, tmp_path)
    assert messages == [], format_messages(messages)


def _pages() -> list[str]:
    docs = ROOTS / f"test-{NAME}" / "docs"
    return sorted(str(p.relative_to(docs).with_suffix("")) for p in docs.rglob("*.rst") if "_" not in p.parts[0][:1])


def _web_tree(built: Built) -> list[str]:
    """The top level of the book as the web book's toctrees show it: the root page, then
    each entry of its toctrees (a page's further top-level sections are its siblings)."""
    soup = BeautifulSoup((built.html / "index.html").read_text(encoding="utf-8"), "lxml")
    title = soup.find("h1").get_text().replace("¶", "").strip()
    return [title] + [a.get_text(strip=True) for a in soup.select("div.toctree-wrapper li.toctree-l1 > a")]


def test_pdf_outline_and_epub_nav_follow_the_toctree(requests_docs):
    expected = _web_tree(requests_docs)
    assert len(expected) == 16 and expected[1] == "Installation of Requests" and expected[-1] == "Authors"
    assert expected.index("Articles & Talks") == expected.index("Integrations") + 1  # out-there.rst: two top sections
    top = [item.title for item in pypdf.PdfReader(requests_docs.pdf).outline if not isinstance(item, list)]
    assert top == expected + ["Index"], top
    with zipfile.ZipFile(requests_docs.epub) as z:
        nav = BeautifulSoup(z.read("nav.xhtml"), "lxml-xml")
    toc = nav.find("nav", attrs={"id": "toc"}).find("ol")
    epub_top = [li.find(["a", "span"]).get_text(strip=True) for li in toc.find_all("li", recursive=False)]
    assert epub_top[: len(expected)] == expected, epub_top
    # the root page's own sections stay in the opening chapter, in the PDF as in the EPUB
    reader = pypdf.PdfReader(requests_docs.pdf)
    root_sections = [item.title for item in reader.outline[1]]
    assert root_sections == ["Beloved Features", "The User Guide", "The Community Guide",
                             "The API Documentation / Guide", "The Contributor Guide"], root_sections


def test_every_page_content_in_all_three_formats(requests_docs):
    pdf_text = words(" ".join(page.extract_text() for page in pypdf.PdfReader(requests_docs.pdf).pages))
    pdf_text = pdf_text.replace("- ", "")  # words hyphenated at a line end
    checked = 0
    with zipfile.ZipFile(requests_docs.epub) as z:
        for doc in _pages():
            html_text = words(BeautifulSoup((requests_docs.html / f"{doc}.html").read_text(encoding="utf-8"), "lxml").get_text(" "))
            epub_text = words(" ".join(etree.fromstring(z.read(f"{doc}.xhtml")).itertext()))
            for line in prose_lines(requests_docs.docs / f"{doc}.rst"):
                assert words(line) in html_text, (doc, line)
                assert words(line) in epub_text, (doc, line)
                assert words(line).replace("- ", "") in pdf_text, (doc, line)
                checked += 1
    assert checked >= 20


def test_autodoc_admonitions_and_code_in_print(requests_docs):
    """The API page (autodoc of the installed requests), the warning and note boxes,
    ``versionadded``, literal blocks and the |version| substitution reach the PDF."""
    typ = (requests_docs.root / "_build" / "pdf" / "requests.typ").read_text(encoding="utf-8")
    import requests

    assert f"Release v{requests.__version__}" in typ.replace("\\", "")
    text = words(" ".join(page.extract_text() for page in pypdf.PdfReader(requests_docs.pdf).pages))
    for shown in ("requests.request(", "class requests.Session", "exception requests.RequestException",
                  "Warning", "Added in version 2.10.0", ">>> r = requests.get("):
        assert shown in text, shown


# ---- the press bugs this tree revealed, on a small project ---------------------------------

def test_plain_sphinx_project_without_press_in_extensions(tmp_path):
    """An ordinary Sphinx project: press is not in `extensions` (the `typst` builder was
    "not registered": a Sphinx crash report), the theme is alabaster (press's PyData option
    `navbar_persistent` was "unsupported"), intersphinx names a remote inventory (one
    press.network warning at conf.py, no request), and `v\\ 1` (docutils keeps a NUL
    escape marker in the text) is no control character."""
    (tmp_path / "conf.py").write_text(
        'project = "Plain"\nextensions = ["sphinx.ext.intersphinx"]\nhtml_theme = "alabaster"\n'
        'intersphinx_mapping = {"python": ("https://docs.python.org/3", None)}\n')
    (tmp_path / "index.rst").write_text("Plain\n=====\n\nRelease v\\ 1. A page.\n")
    proc = run_press("build", "html", "--no-strict", cwd=tmp_path, timeout=600)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0 and "Sphinx error" not in log and "Traceback" not in log, log
    messages = [line for line in log.splitlines() if re.search(r"(WARNING|ERROR):", line)]
    assert len(messages) == 1 and "conf.py:4:" in messages[0] and "[press.network]" in messages[0], log
    assert "Release v1. A page." in (tmp_path / "_build" / "html" / "index.html").read_text(encoding="utf-8")
