"""Site-absolute links resolve as internal cross-references in HTML, EPUB and PDF."""

from __future__ import annotations

import re
import zipfile

import pypdf
import pytest
from bs4 import BeautifulSoup

from myst_parser.slugs import github_slugify  # the book's myst_heading_slug_func ("github")

SLUGS = [
    ("Tests first", "tests-first"),
    ("What's New in v2.0?", "whats-new-in-v20"),
    ("AGENTS.md and Context Files", "agentsmd-and-context-files"),
    ("Ünïcode Héading", "ünïcode-héading"),
    ("snake_case & more", "snake_case--more"),
    ("Step 1: plan -- then act", "step-1-plan----then-act"),
]


@pytest.mark.parametrize(("heading", "slug"), SLUGS)
def test_github_slug(heading, slug):
    """The anchors site links name are MyST's GitHub slugs (press.MYST_DEFAULTS)."""
    assert github_slugify(heading) == slug


# (link text in beta/links.md, expected target relative to beta/links.html)
HTML_LINKS = [
    ("the zeta page", "../alpha/zeta.html"),
    ("zeta details", "../alpha/zeta.html#zeta-details"),
    ("alpha section", "../alpha/index.html"),
    ("alpha index", "../alpha/index.html"),
    ("deep page", "deep/nested.html#whats-new-in-v2"),
    ("Baker Page", "../alpha/baker.html"),  # empty link text takes the page title
]


@pytest.fixture(scope="module")
def html(build_root):
    return build_root("book", "html")


@pytest.mark.parametrize(("text", "href"), HTML_LINKS)
def test_html_site_links(html, text, href):
    soup = BeautifulSoup(html.read("beta/links.html"), "lxml")
    link = soup.find("a", string=text) or soup.find(lambda t: t.name == "a" and t.get_text() == text)
    assert link is not None, text
    assert link["href"] == href
    assert "internal" in link["class"]
    path, _, anchor = href.partition("#")
    target = BeautifulSoup((html.outdir / "beta" / path).resolve().read_text(), "lxml")
    if anchor:
        assert target.find(id=anchor) is not None


def test_html_external_link_stays_external(html):
    soup = BeautifulSoup(html.read("beta/links.html"), "lxml")
    link = soup.find("a", string="example")
    assert link["href"] == "https://example.com/page"
    assert "external" in link["class"]


def test_heading_slug_ids_exist(html):
    soup = BeautifulSoup(html.read("beta/links.html"), "lxml")
    assert soup.find(id="whats-new-in-v20") is not None  # GitHub slug, published anchor
    assert soup.find(id="site-links") is not None


def test_epub_site_links(build_root):
    built = build_root("book", "epub")
    with zipfile.ZipFile(next(built.outdir.glob("*.epub"))) as z:
        names = set(z.namelist())
        page = BeautifulSoup(z.read("beta/links.xhtml"), "xml")
        for text, href in HTML_LINKS:
            link = page.find(lambda t: t.name == "a" and t.get_text() == text)
            expected = href.replace(".html", ".xhtml")
            assert link["href"] == expected
            path, _, anchor = expected.partition("#")
            target_name = re.sub(r"[^/]+/\.\./", "", f"beta/{path}")
            assert target_name in names
            if anchor:
                assert BeautifulSoup(z.read(target_name), "xml").find(id=anchor) is not None


def test_pdf_site_links(build_root):
    built = build_root("book", "typst")
    reader = pypdf.PdfReader(next(built.outdir.glob("*.pdf")))
    texts = [p.extract_text() for p in reader.pages]
    page_of = lambda needle: next(i for i, t in enumerate(texts) if needle in t)  # noqa: E731
    links_page = page_of("Site links")
    targets = []
    for annot in reader.pages[links_page].get("/Annots", []):
        a = annot.get_object()
        if "/Dest" in a:
            targets.append(reader.get_page_number(a["/Dest"][0].get_object()))
        elif "/A" in a and "/URI" in a["/A"]:
            targets.append(a["/A"]["/URI"])
    assert page_of("Zeta comes first") in targets  # /alpha/zeta.html and #zeta-details
    assert page_of("The alpha section.") in targets  # /alpha/ and /alpha/index.html
    assert page_of("Nested content links back") in targets  # /beta/deep/nested.html#...
    assert page_of("Baker ties with Able") in targets
    assert "https://example.com/page" in targets


@pytest.fixture(scope="module")
def broken(tmp_path_factory):
    """A copy of the book with a link to a missing page and to a missing heading."""
    import shutil
    from io import StringIO

    from sphinx.testing.util import SphinxTestApp

    from conftest import ROOTS

    src = tmp_path_factory.mktemp("broken") / "src"
    shutil.copytree(ROOTS / "test-book", src)
    page = src / "alpha" / "able.md"
    page.write_text(page.read_text() + "\n[gone](/alpha/missing.html) and [no heading](/alpha/zeta.html#nope)\n")
    warning = StringIO()
    app = SphinxTestApp("html", srcdir=src, status=StringIO(), warning=warning)
    app.build()
    app.cleanup()
    return warning.getvalue()


def test_missing_page_warns_with_file_and_line(broken):
    assert re.search(r"alpha/able\.md:8: WARNING: site link '/alpha/missing\.html': no page .*\[press\.sitelink_page\]", broken)


def test_missing_anchor_warns_with_file_and_line(broken):
    assert re.search(r"alpha/able\.md:8: WARNING: site link '/alpha/zeta\.html#nope': .*#nope \[press\.sitelink_anchor\]", broken)
    assert "myst.xref_missing" not in broken  # one message per problem, ours
