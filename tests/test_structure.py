"""Navigation from folders and weights, with no hand-written toctree."""

from __future__ import annotations

import zipfile

import pypdf
import pytest
from bs4 import BeautifulSoup

from press.frontmatter import PageMeta
from press.structure import compute_order

EXPECTED_ORDER = [
    "index",
    "beta/index", "beta/links", "beta/deep/index", "beta/deep/nested",
    "alpha/index", "alpha/zeta", "alpha/able", "alpha/baker", "alpha/unweighted",
    "bibliography",
]
TITLES = {
    "beta/index": "Beta Section", "beta/links": "Links Page", "beta/deep/index": "Deep Section",
    "beta/deep/nested": "Nested Page", "alpha/index": "Alpha Section", "alpha/zeta": "Zeta Page",
    "alpha/able": "Able Page", "alpha/baker": "Baker Page", "alpha/unweighted": "Aardvark Unweighted",
    "bibliography": "Bibliography",
}

BODIES = {
    "beta/index": "The beta section comes first", "beta/links": "Intro paragraph",
    "beta/deep/index": "A nested section.", "beta/deep/nested": "Nested content links back",
    "alpha/index": "The alpha section.", "alpha/zeta": "Zeta comes first", "alpha/able": "Able is second",
    "alpha/baker": "Baker ties with Able", "alpha/unweighted": "Pages without a weight",
    "bibliography": "A Study of Things",
}


def test_compute_order_table():
    docs = {
        "index": PageMeta("Home"),
        "b/index": PageMeta("B", weight=1),
        "a/index": PageMeta("A", weight=2),
        "a/z": PageMeta("Z", weight=1),
        "a/y": PageMeta("Y"),
        "a/x": PageMeta("X", weight=1),
        "a/sub/index": PageMeta("Sub", weight=0),
        "a/sub/p": PageMeta("P"),
        "orphan-folder/page": PageMeta("Loose"),
    }
    order = compute_order(docs)
    assert order["index"] == ["b/index", "a/index", "orphan-folder/page"]
    assert order["a/index"] == ["a/sub/index", "a/x", "a/z", "a/y"]
    assert order["a/sub/index"] == ["a/sub/p"]
    assert order["b/index"] == []


@pytest.fixture(scope="module")
def html(build_root):
    return build_root("book", "html")


def test_reading_order_html_next_links(html):
    """Following "next" from the front page visits every page in weight order."""
    seen, page = ["index"], "index"
    while True:
        soup = BeautifulSoup(html.read(f"{page}.html"), "lxml")
        nxt = soup.select_one("a.right-next")
        if nxt is None:
            break
        href = nxt["href"]
        from posixpath import dirname, join, normpath

        page = normpath(join(dirname(page), href)).removesuffix(".html")
        seen.append(page)
    assert seen == EXPECTED_ORDER


def test_sidebar_lists_sections_in_weight_order(html):
    soup = BeautifulSoup(html.read("index.html"), "lxml")
    nav = soup.select_one("nav.bd-docs-nav")
    texts = [a.get_text(strip=True) for a in nav.select("a.reference")]
    assert texts.index("Beta Section") < texts.index("Alpha Section") < texts.index("Bibliography")


def test_epub_spine_order(build_root):
    built = build_root("book", "epub")
    epub = next(built.outdir.glob("*.epub"))
    with zipfile.ZipFile(epub) as z:
        opf = z.read("content.opf").decode()
    soup = BeautifulSoup(opf, "xml")
    manifest = {i["id"]: i["href"] for i in soup.find_all("item")}
    spine = [manifest[r["idref"]].removesuffix(".xhtml") for r in soup.find("spine").find_all("itemref")]
    spine = [d for d in spine if d in EXPECTED_ORDER]
    assert spine == EXPECTED_ORDER


def test_pdf_order(build_root):
    built = build_root("book", "typst")
    reader = pypdf.PdfReader(next(built.outdir.glob("*.pdf")))
    text = "\n".join(p.extract_text() for p in reader.pages)
    body = text[text.index("Welcome to the test book"):]
    body = body[body.index("The second section."):]  # past the front page's cards
    # Each page's own sentence comes after the previous page's (str.index raises if not).
    position = 0
    for doc in EXPECTED_ORDER[1:]:
        position = body.index(BODIES[doc], position)
    # and the first occurrences are in order too, except the bibliography whose entry text
    # is repeated in each chapter's reference list.
    firsts = [body.index(BODIES[d]) for d in EXPECTED_ORDER[1:-1]]
    assert firsts == sorted(firsts)


@pytest.mark.book
def test_adding_a_page_places_it_without_a_toctree(tmp_path):
    """Incremental: a new page file appears in its place on the next build."""
    import shutil
    from io import StringIO

    from sphinx.testing.util import SphinxTestApp

    from conftest import ROOTS

    src = tmp_path / "src"
    shutil.copytree(ROOTS / "test-book", src)

    def build():
        app = SphinxTestApp("html", srcdir=src, status=StringIO(), warning=StringIO())
        app.build()
        app.cleanup()
        return app

    build()
    (src / "alpha" / "new.md").write_text("---\ntitle: Brand New\nweight: 0\n---\n\nNew page.\n")
    app = build()
    soup = BeautifulSoup((app.outdir / "alpha" / "index.html").read_text(), "lxml")
    nav = [a.get_text(strip=True) for a in soup.select("nav.bd-docs-nav a.reference")]
    assert nav.index("Brand New") < nav.index("Zeta Page")
