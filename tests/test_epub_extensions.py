"""Common extensions' HTML made valid EPUB (issue 19): myst-nb hidden cells (``<summary><p>``),
sphinx-proof's repeated ids, sphinx-inline-tabs' ``checked="True"``, sphinx-togglebutton, a
block substitution inside a table cell, and a book with launch buttons and thebe turned on
(the web themes' page handlers are not run for the EPUB).  EPUBCheck reports nothing."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from press.epub.xhtml import repair


@pytest.fixture(scope="module")
def ext_epub(build_root):
    return build_root("epub-extensions", "epub")


def test_builds_without_warnings(ext_epub):
    assert ext_epub.warnings.strip() == "", ext_epub.warnings


def test_epubcheck_clean(ext_epub, tmp_path):
    from test_epub import epubcheck_messages, format_messages

    epub = next(Path(ext_epub.outdir).glob("*.epub"))
    bad = [m for m in epubcheck_messages(epub, tmp_path) if m["severity"] in ("FATAL", "ERROR", "WARNING")]
    assert bad == [], format_messages(bad)


def test_content_is_kept(ext_epub):
    epub = next(Path(ext_epub.outdir).glob("*.epub"))
    with zipfile.ZipFile(epub) as z:
        proofs = z.read("proofs.xhtml").decode()
        tabs = z.read("tabs.xhtml").decode()
        notebook = z.read("notebook.xhtml").decode()
    assert "Pythagoras" in proofs and "Draw squares on each side" in proofs and "and another one" in proofs
    assert 'checked="checked"' in tabs and ">echo<" in tabs and "Hidden until asked" in tabs
    assert ">print<" in notebook and "<script" not in notebook + tabs + proofs


@pytest.mark.parametrize(
    "body, expected",
    [
        ('<details><summary><p class="x">Show</p></summary><p>body</p></details>',
         '<details><summary><span class="x">Show</span></summary><p>body</p></details>'),
        ('<input checked="True" type="radio"/><input disabled="False"/>', '<input checked="checked" type="radio"/><input/>'),
        ('<div id="a"></div><div id="a"></div><div id="a-2"></div>', '<div id="a"></div><div id="a-3"></div><div id="a-2"></div>'),
        ('<p>x</p><script src="thebe.js"></script><script>run()</script>', "<p>x</p>"),
    ],
)
def test_repair(body, expected):
    assert repair(body) == expected
