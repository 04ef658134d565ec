"""One full strict build of the real ``source/`` in all three formats, read back."""

from __future__ import annotations

import zipfile

import pypdf
from bs4 import BeautifulSoup

from test_content import CHAPTERS, SOURCE
from press.frontmatter import parse


def plain(text: str) -> str:
    return text.replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"')


def titles():
    return {doc: parse((SOURCE / f"{doc}.md").read_text()).meta.title for doc in CHAPTERS}


def test_strict_build_is_clean(real_book):
    assert "WARNING" not in real_book.log
    assert "ERROR" not in real_book.log


def test_html_has_every_chapter(real_book):
    for doc, title in titles().items():
        soup = BeautifulSoup((real_book.html / f"{doc}.html").read_text(), "lxml")
        assert plain(soup.select_one("article h1").get_text(strip=True).rstrip("#")) == title


def test_epub_has_every_chapter(real_book):
    with zipfile.ZipFile(real_book.epub) as z:
        names = set(z.namelist())
        for doc, title in titles().items():
            assert f"{doc}.xhtml" in names or f"EPUB/{doc}.xhtml" in names or any(n.endswith(f"{doc}.xhtml") for n in names)


def test_pdf_has_every_chapter_in_order(real_book):
    reader = pypdf.PdfReader(real_book.pdf)
    outline_titles = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                outline_titles.append(plain(item.title))

    walk(reader.outline)
    positions = [outline_titles.index(t) for t in titles().values()]
    assert positions == sorted(positions)
    assert len(reader.pages) > 50
