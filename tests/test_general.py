"""press on projects that are not ours: plain reStructuredText, MyST written for MyST, one part alone.

Roots:

* ``test-general-rst`` — ``extensions = ["press"]`` and nothing else: no
  bibliography, no front matter, its own toctree;
* ``test-general-myst`` — MyST pages as MyST documents them: a header with
  ``myst:`` substitutions and ``html_meta``, an ``orphan: true`` page, a
  labelled ``# H1`` (``(label)=`` and ``{#id}``), nested code fences, links in
  every form (``page.md#slug``, ``/page.html#slug``, ``{ref}``, ``/``), a task
  list, ``$$…$$`` inside a paragraph, a remote image;
* the rST root again with ``press.epub``, ``press.web`` or ``press.typst`` as
  the only extension.
"""

from __future__ import annotations

import zipfile

import pytest
from bs4 import BeautifulSoup
from lxml import etree

from test_epub import epubcheck_messages, format_messages

XHTML = "{http://www.w3.org/1999/xhtml}"


@pytest.fixture(scope="module")
def rst_html(build_root):
    return build_root("general-rst", "html")


@pytest.fixture(scope="module")
def myst_html(build_root):
    return build_root("general-myst", "html")


@pytest.fixture(scope="module")
def myst_epub(build_root):
    built = build_root("general-myst", "epub")
    (path,) = built.outdir.glob("*.epub")
    return built, zipfile.ZipFile(path), path


def soup(built, page: str) -> BeautifulSoup:
    return BeautifulSoup(built.read(page), "lxml")


def xhtml(z: zipfile.ZipFile, name: str) -> etree._Element:
    return etree.fromstring(z.read(name))


# ---- plain reStructuredText, no bibliography ------------------------------------------------
def test_rst_project_builds_without_warnings(rst_html):
    assert rst_html.warnings == ""


def test_rst_project_keeps_its_titles_and_toctree(rst_html):
    page = soup(rst_html, "usage.html")
    assert page.select_one("article h1").get_text(strip=True).rstrip("#") == "Using the Project"
    index = soup(rst_html, "index.html")
    assert index.select_one(".toctree-wrapper a[href='usage.html']") is not None  # its own, visible toctree
    assert index.find("a", href="usage.html#usage-label") is not None or index.find("a", href="usage.html") is not None
    assert "bibtex_bibfiles" in rst_html.app.config and rst_html.app.config.bibtex_bibfiles == []


# ---- MyST written for MyST -------------------------------------------------------------------
def test_myst_project_builds_without_warnings(myst_html, myst_epub):
    assert myst_html.warnings == ""
    assert myst_epub[0].warnings == ""


def test_titles_come_from_first_heading_when_no_title_key(myst_html):
    assert myst_html.env.titles["index"].astext() == "MyST Home"
    assert myst_html.env.titles["other"].astext() == "Other Page"
    assert myst_html.env.titles["orphaned"].astext() == "Orphan Page"
    assert myst_html.env.titles["labelled"].astext() == "Labelled Page"


def test_myst_header_keys_pass_through(myst_html):
    text = soup(myst_html, "other.html").select_one("article").get_text(" ")
    assert "LOCALSUB" in text and "GLOBALSUB" in text
    assert soup(myst_html, "other.html").find("meta", attrs={"name": "keywords"})["content"] == "myst, press"
    assert myst_html.env.metadata["orphaned"].get("orphan") is not None


@pytest.mark.parametrize(("page", "label"), [("labelled", "labelled-page"), ("attrs", "attrs-page")])
def test_labelled_title_heading_keeps_its_label(myst_html, page, label):
    assert myst_html.env.get_domain("std").labels[label][0] == page
    doc = soup(myst_html, f"{page}.html")
    (h1,) = doc.select("article h1")
    assert label in (h1.parent.get("id"), *h1.parent.get("ids", [])) or doc.find(id=label) is h1.parent
    link = soup(myst_html, "index.html").find("a", href=f"{page}.html#{label}")
    assert link is not None and link.get_text(strip=True) == h1.get_text(strip=True).rstrip("#")


def test_labelled_page_keeps_its_description(myst_html):
    assert soup(myst_html, "labelled.html").select_one(".press-description").get_text() == (
        "A page whose title heading carries a label."
    )


def test_comment_in_nested_fence_is_not_a_heading(myst_html):
    doc = soup(myst_html, "fences.html")
    assert [h.get_text(strip=True).rstrip("#") for h in doc.select("article h1, article h2")] == ["Fences Page"]
    assert "# this is a comment inside a nested fence" in doc.select_one("article pre").get_text()


@pytest.mark.parametrize("text", ["to the anchor", "site anchor"])
def test_md_and_site_links_reach_the_myst_anchor(myst_html, myst_epub, text):
    link = soup(myst_html, "index.html").find("a", string=text)
    assert link["href"] == "other.html#the-anchor-heading"
    assert soup(myst_html, "other.html").find(id="the-anchor-heading") is not None
    _, z, _ = myst_epub
    links = [a for a in xhtml(z, "index.xhtml").iter(f"{XHTML}a") if "".join(a.itertext()) == text]
    assert [a.get("href") for a in links] == ["other.xhtml#the-anchor-heading"]


def test_link_to_root_reaches_the_root_page(myst_html, myst_epub):
    assert soup(myst_html, "other.html").find("a", string="the home page")["href"] == "index.html"
    _, z, _ = myst_epub
    hrefs = [a.get("href") for a in xhtml(z, "other.xhtml").iter(f"{XHTML}a") if "".join(a.itertext()) == "the home page"]
    assert hrefs == ["index.xhtml"]


def test_epub_is_valid(myst_epub, tmp_path):
    messages = epubcheck_messages(myst_epub[2], tmp_path)
    assert messages == [], format_messages(messages)


def test_epub_task_list_math_remote_image_and_web_link(myst_epub):
    _, z, _ = myst_epub
    page = xhtml(z, "index.xhtml")
    assert not list(page.iter(f"{XHTML}input"))
    boxes = [s.text for s in page.iter(f"{XHTML}span") if "task-list-item-checkbox" in (s.get("class") or "")]
    assert boxes == ["\u2611", "\u2610"]
    display = [s for s in page.iter(f"{XHTML}span") if "math-display" in (s.get("class") or "").split()]
    assert len(display) == 1 and display[0].getparent().tag == f"{XHTML}p"
    assert display[0][0].get("display") == "block"
    assert not [i for i in page.iter(f"{XHTML}img") if i.get("src", "").startswith("http")]
    remote = [a for a in page.iter(f"{XHTML}a") if a.get("href") == "https://example.com/logo.png"]
    assert ["".join(a.itertext()) for a in remote] == ["Remote logo"]
    query = [a for a in page.iter(f"{XHTML}a") if "".join(a.itertext()) == "with a query"]
    assert [a.get("href") for a in query] == ["other.xhtml#the-anchor-heading"]


def test_web_book_keeps_task_boxes_and_remote_image(myst_html):
    doc = soup(myst_html, "index.html")
    assert len(doc.select("input.task-list-item-checkbox")) == 2
    assert doc.find("img", src="https://example.com/logo.png") is not None


def test_orphan_page_in_epub_is_reachable(myst_epub):
    _, z, _ = myst_epub
    opf = etree.fromstring(z.read("content.opf"))
    refs = {r.get("idref"): r.get("linear") for r in opf.iter("{http://www.idpf.org/2007/opf}itemref")}
    items = {i.get("id"): i.get("href") for i in opf.iter("{http://www.idpf.org/2007/opf}item")}
    (orphan,) = [k for k, v in items.items() if v == "orphaned.xhtml"]
    assert refs[orphan] in (None, "yes")  # nothing links to it: it closes the reading order


# ---- one part alone ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("extension", "builder", "output"),
    [("press.epub", "epub", "plain-project.epub"), ("press.web", "html", "usage.html"), ("press.typst", "typst", "plain-project.pdf")],
)
def test_one_part_alone(build_root, extension, builder, output):
    built = build_root("general-rst", builder, extensions=extension)
    assert built.app.config.extensions == [extension]
    assert (built.outdir / output).is_file()
    assert "[press." not in built.warnings, built.warnings
