"""The EPUB: read the built file back as a zip and check what e-readers get.

Roots: ``test-epub`` (every structure: parts, footnotes, math, figures,
tables, citations, tab sets, dropdowns, cards, site links, glossary) and
``test-epub-warnings`` (problems that must be reported with file:line).
The real book from ``source/`` is checked with EPUBCheck and rebuilt to
prove the file is byte-identical.
"""

from __future__ import annotations

import atexit
import json
import posixpath
import re
import shutil
import struct
import subprocess
import time
import uuid
import zipfile
from io import StringIO
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from lxml import etree
from sphinx.testing.util import SphinxTestApp

from conftest import ROOTS, run_press
from epubcheck_service import EpubCheck


NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "m": "http://www.w3.org/1998/Math/MathML",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


class Epub:
    """An EPUB file opened for reading: zip entries, OPF, spine pages."""

    def __init__(self, path: Path):
        self.path = path
        self.zip = zipfile.ZipFile(path)
        self.names = self.zip.namelist()
        container = etree.fromstring(self.zip.read("META-INF/container.xml"))
        self.opf_path = container.find(".//{*}rootfile").get("full-path")
        self.opf = etree.fromstring(self.zip.read(self.opf_path))
        self.items = {i.get("id"): i for i in self.opf.findall(".//opf:manifest/opf:item", NS)}
        self.spine = [self.items[r.get("idref")].get("href") for r in self.opf.findall(".//opf:spine/opf:itemref", NS)]
        self._pages: dict[str, etree._Element] = {}

    def meta(self, prop: str) -> list[str]:
        return [m.text for m in self.opf.findall(f".//opf:metadata/opf:meta[@property='{prop}']", NS)]

    def dc(self, name: str) -> list[etree._Element]:
        return self.opf.findall(f".//opf:metadata/dc:{name}", NS)

    def item(self, prop: str) -> etree._Element:
        (found,) = [i for i in self.items.values() if prop in (i.get("properties") or "").split()]
        return found

    def page(self, href: str) -> etree._Element:
        if href not in self._pages:
            self._pages[href] = etree.fromstring(self.zip.read(href))
        return self._pages[href]

    def pages(self) -> list[str]:
        return [h for h in self.spine if h.endswith(".xhtml")]

    def ids(self, href: str) -> set[str]:
        return {e.get("id") for e in self.page(href).iter() if isinstance(e.tag, str) and e.get("id")}

    def text(self, href: str) -> str:
        return " ".join("".join(self.page(href).itertext()).split())


#: one EPUBCheck JVM for this test process (tests/epubcheck_service.py)
EPUBCHECK = EpubCheck()
atexit.register(EPUBCHECK.close)


def epubcheck_messages(path: Path, tmp: Path) -> list[dict]:
    """Every message EPUBCheck 5 reports (usage messages included)."""
    report = tmp / f"{path.stem}-epubcheck.json"
    code, output = EPUBCHECK.run([str(path), "--json", str(report), "-u"])
    assert report.exists(), output
    data = json.loads(report.read_text(encoding="utf-8"))
    messages = data["messages"]
    if code != 0:
        assert messages, output
    return messages


def format_messages(messages: list[dict]) -> str:
    return "\n".join(
        f"{m['severity']} {m['ID']} {m['message']} @ "
        + ", ".join(f"{loc.get('path')}:{loc.get('line')}" for loc in m.get("locations", []))
        for m in messages
    )


def build_copy(name: str, dest: Path) -> Path:
    """Build a root with the epub builder in a fresh folder; return the .epub."""
    src = dest / f"test-{name}"
    shutil.copytree(ROOTS / f"test-{name}", src)
    app = SphinxTestApp("epub", srcdir=src, status=StringIO(), warning=StringIO())
    try:
        app.build()
    finally:
        app.cleanup()
    (found,) = Path(app.outdir).glob("*.epub")
    return found


@pytest.fixture(scope="module")
def book(build_root):
    return build_root("epub", "epub")


@pytest.fixture(scope="module")
def epub(book) -> Epub:
    (path,) = Path(book.outdir).glob("*.epub")
    return Epub(path)


@pytest.fixture(scope="module")
def warned(build_root):
    return build_root("epub-warnings", "epub")


# ---- the build ---------------------------------------------------------------------------

def test_build_has_no_warnings(book):
    assert "WARNING" not in book.warnings and "ERROR" not in book.warnings, book.warnings


def test_zip_layout(epub):
    first = epub.zip.infolist()[0]
    assert first.filename == "mimetype"
    assert first.compress_type == zipfile.ZIP_STORED
    assert first.extra == b""
    assert epub.zip.read("mimetype") == b"application/epub+zip"
    assert epub.names[1:3] == ["META-INF/container.xml", epub.opf_path]
    assert len(set(epub.names)) == len(epub.names)
    epoch = int(__import__("os").environ["SOURCE_DATE_EPOCH"])
    assert {i.date_time for i in epub.zip.infolist()} == {time.gmtime(epoch)[:6]}


# ---- metadata ------------------------------------------------------------------------------

def test_opf_metadata(epub, book):
    titles = {t.get("id"): t.text for t in epub.dc("title")}
    assert titles == {"title": "EPUB Test Book", "subtitle": "A small book for the EPUB tests"}
    refines = {m.get("refines"): m.text for m in epub.opf.findall(".//opf:meta[@property='title-type']", NS)}
    assert refines == {"#title": "main", "#subtitle": "subtitle"}
    assert [c.text for c in epub.dc("creator")] == ["Ada Tester", "Bob Checker"]
    assert [c.text for c in epub.dc("language")] == ["en"]
    assert [c.text for c in epub.dc("description")] == ["A small book that exercises every EPUB structure."]
    tags = set()
    for md in Path(book.srcdir).rglob("*.md"):
        m = re.search(r"^tags: \[(.*)\]$", md.read_text(encoding="utf-8"), re.M)
        if m:
            tags |= {t.strip() for t in m.group(1).split(",")}
    assert sorted(tags) == [s.text for s in epub.dc("subject")]
    (rights,) = epub.dc("rights")
    assert rights.text and "Ada Tester" in rights.text
    assert [d.text for d in epub.dc("date")] == ["2026-01-15"]


def test_identifier_is_stable_urn_uuid(epub):
    unique = epub.opf.get("unique-identifier")
    (ident,) = [i for i in epub.dc("identifier") if i.get("id") == unique]
    assert ident.text == f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'https://epub-test.example.org/')}"
    ncx = etree.fromstring(epub.zip.read("toc.ncx"))
    assert ncx.find(".//ncx:meta[@name='dtb:uid']", NS).get("content") == ident.text


def test_modified_comes_from_source_date_epoch(epub):
    epoch = int(__import__("os").environ["SOURCE_DATE_EPOCH"])
    assert epub.meta("dcterms:modified") == [time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))]


def test_cover_is_generated_png(epub):
    cover = epub.item("cover-image")
    data = epub.zip.read(cover.get("href"))
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1200, 1800)  # press.cover: 6 x 9 in at 200 ppi
    legacy = epub.opf.find(".//opf:meta[@name='cover']", NS)
    assert legacy.get("content") == cover.get("id")
    page = epub.page(epub.spine[0])
    (img,) = page.findall(".//x:img", NS)
    assert img.get("src") == cover.get("href") and "EPUB Test Book" in img.get("alt")
    assert not list((ROOTS / "test-epub").rglob("*.png"))  # nothing committed by hand


def test_accessibility_metadata(epub):
    assert epub.meta("schema:accessMode") == ["textual", "visual"]
    assert "textual" in epub.meta("schema:accessModeSufficient")
    features = epub.meta("schema:accessibilityFeature")
    for f in ("structuralNavigation", "tableOfContents", "alternativeText", "MathML"):
        assert f in features
    assert epub.meta("schema:accessibilityHazard") == ["none"]
    (summary,) = epub.meta("schema:accessibilitySummary")
    assert "alternative text" in summary
    assert epub.meta("dcterms:conformsTo") == ["EPUB Accessibility 1.1 - WCAG 2.1 Level AA"]


def test_only_our_stylesheet_no_scripts_no_remote_resources(epub):
    css = [i.get("href") for i in epub.items.values() if i.get("media-type") == "text/css"]
    assert css == ["_static/press-epub.css"]
    assert not [n for n in epub.names if n.endswith(".js")]
    for href in epub.pages():
        page = epub.page(href)
        assert not page.findall(".//x:script", NS), href
        for el in page.iter():
            if not isinstance(el.tag, str) or el.tag == f"{{{NS['x']}}}a":
                continue
            for attr in ("src", "href", "data"):
                value = el.get(attr) or ""
                assert not re.match(r"(https?:)?//", value), f"{href}: remote {value}"
        links = [l.get("href") for l in page.findall(".//x:link", NS)]
        assert [posixpath.normpath(posixpath.join(posixpath.dirname(href), l)) for l in links] == ["_static/press-epub.css"]


def test_every_page_has_a_language(epub):
    for href in [*epub.pages(), epub.item("nav").get("href")]:
        root = epub.page(href)
        assert root.get("lang") == "en" and root.get(XML_LANG) == "en", href


# ---- navigation ------------------------------------------------------------------------------

def nav_tree(ol) -> list:
    out = []
    for li in ol.findall("x:li", NS):
        a = li.find("x:a", NS)
        sub = li.find("x:ol", NS)
        out.append((" ".join("".join(a.itertext()).split()), a.get("href"), nav_tree(sub) if sub is not None else []))
    return out


def test_nav_has_full_hierarchy(epub):
    nav = epub.page(epub.item("nav").get("href"))
    toc = nav.find(".//x:nav[@epub:type='toc']", NS)
    tree = nav_tree(toc.find("x:ol", NS))
    assert [t for t, _, _ in tree] == ["EPUB Test Book", "Preface", "Part One", "Glossary", "Bibliography", "Index"]
    part = tree[2]
    assert part[1] == "part-one/index.xhtml"
    assert [t for t, _, _ in part[2]] == ["Chapter A: Structures", "Chapter B: Links"]
    chapter_a = part[2][0]
    assert [t for t, _, _ in chapter_a[2]] == ["First heading", "Second heading"]
    assert [t for t, _, _ in chapter_a[2][0][2]] == ["A nested heading"]
    assert chapter_a[2][1][1] == "part-one/chapter-a.xhtml#second-heading"
    # every nav link lands on a spine page and an existing id
    def walk(items):
        for _, href, kids in items:
            yield href
            yield from walk(kids)
    for href in walk(tree):
        path, _, frag = href.partition("#")
        assert path in epub.spine, href
        assert not frag or frag in epub.ids(path), href


def test_nav_landmarks(epub):
    nav = epub.page(epub.item("nav").get("href"))
    marks = nav.find(".//x:nav[@epub:type='landmarks']", NS)
    found = {a.get(EPUB_TYPE): a.get("href") for a in marks.findall(".//x:a", NS)}
    assert set(found) >= {"cover", "toc", "bodymatter", "glossary", "bibliography"}
    assert found["glossary"] == "glossary.xhtml" and found["bibliography"] == "bibliography.xhtml"
    for href in found.values():
        assert href.partition("#")[0] in epub.spine


def test_parts_and_chapters_are_typed(epub):
    def top_type(href):
        section = epub.page(href).find(".//x:body/x:section", NS)
        return section.get(EPUB_TYPE), section.get("role")
    assert top_type("part-one/index.xhtml") == ("part", "doc-part")
    assert top_type("part-one/chapter-a.xhtml") == ("chapter", "doc-chapter")
    assert top_type("glossary.xhtml") == ("glossary", "doc-glossary")
    assert top_type("bibliography.xhtml") == ("bibliography", "doc-bibliography")
    assert top_type("preface.xhtml") == ("preface", "doc-preface")


# ---- content --------------------------------------------------------------------------------

def test_math_is_mathml(epub):
    page = epub.page("part-one/chapter-a.xhtml")
    maths = page.findall(".//m:math", NS)
    assert len(maths) == 3  # inline E = mc^2, the numbered equation, the aligned block
    assert {m.get("display") for m in maths} == {"inline", "block"}
    assert all(m.get("alttext") for m in maths)
    assert page.find(".//m:mtable", NS) is not None  # aligned -> a table of rows
    assert "\\frac" not in epub.text("part-one/chapter-a.xhtml").replace(maths[-1].get("alttext"), "")
    props = epub.items["x-part-one-chapter-a.xhtml"].get("properties").split()
    assert "mathml" in props
    assert "mathml" not in (epub.items["x-part-one-chapter-b.xhtml"].get("properties") or "")
    # the numbered equation keeps its number and the {eq} reference reaches it
    eq = page.find(".//x:div[@id='equation-eq-energy']", NS)
    assert eq is not None and "(1)" in "".join(eq.itertext())
    refs = [a for a in page.findall(".//x:a", NS) if a.get("href") == "#equation-eq-energy"]
    assert refs and "1" in "".join(refs[0].itertext())


def test_footnotes_are_asides_with_noterefs(epub):
    page = epub.page("part-one/chapter-a.xhtml")
    refs = [a for a in page.findall(".//x:a[@epub:type='noteref']", NS) if "footnote-reference" in a.get("class", "")]
    assert len(refs) == 2
    for ref in refs:
        assert ref.get(EPUB_TYPE) == "noteref" and ref.get("role") == "doc-noteref"
        target = ref.get("href").lstrip("#")
        (aside,) = page.findall(f".//x:aside[@id='{target}']", NS)
        assert aside.get(EPUB_TYPE) == "footnote" and aside.get("role") == "doc-footnote"
        back = [a.get("href") for a in aside.findall(".//x:a", NS) if a.get("role") == "doc-backlink"]
        assert back == ["#" + ref.get("id")]
    assert "The first footnote." in "".join(page.find(".//x:aside", NS).itertext())


def test_every_link_target_exists(epub):
    checked = 0
    for href in [*epub.pages(), epub.item("nav").get("href")]:
        for a in epub.page(href).findall(".//x:a", NS):
            url = a.get("href")
            if url is None or urlsplit(url).scheme:
                continue
            parts = urlsplit(url)
            target = posixpath.normpath(posixpath.join(posixpath.dirname(href), unquote(parts.path))) if parts.path else href
            assert target in epub.spine, f"{href}: {url}"
            if parts.fragment:
                assert unquote(parts.fragment) in epub.ids(target), f"{href}: {url}"
            checked += 1
    assert checked > 20


def test_site_links_and_anchors_work_inside_the_book(epub):
    index = [a.get("href") for a in epub.page("index.xhtml").findall(".//x:a", NS)]
    assert "part-one/chapter-a.xhtml#second-heading" in index
    assert "part-one/index.xhtml" in index
    chapter_b = [a.get("href") for a in epub.page("part-one/chapter-b.xhtml").findall(".//x:a", NS)]
    assert "chapter-a.xhtml#first-heading" in chapter_b and "../glossary.xhtml" in chapter_b


def test_external_links_are_marked(epub):
    externals = [a for a in epub.page("index.xhtml").findall(".//x:a", NS) if (a.get("href") or "").startswith("https:")]
    assert externals and all(a.get("rel") == "external" and "external" in a.get("class").split() for a in externals)
    internals = [a for a in epub.page("index.xhtml").findall(".//x:a", NS) if a.get("href", "").endswith(".xhtml")]
    assert internals and not any(a.get("rel") for a in internals)
    css = epub.zip.read("_static/press-epub.css").decode()
    assert 'a[rel~="external"]::after' in css


def test_design_components_are_static(epub):
    page = epub.page("part-one/chapter-a.xhtml")
    for tag in ("input", "label", "details", "script"):
        assert not page.findall(f".//x:{tag}", NS), tag
    tabs = page.findall(".//x:div[@class='press-tabs sd-tab-set']/x:section", NS)
    # tab and dropdown titles are headings one level below their section (the print idiom)
    labels = ["".join(s.find("x:h3", NS).itertext()) for s in tabs]
    assert labels == ["First tab", "Second tab"]
    for s in tabs:
        assert s.get("aria-labelledby") == s.find("x:h3", NS).get("id")
    assert "Content of the second tab." in epub.text("part-one/chapter-a.xhtml")
    drop = page.find(".//x:div[@class='press-dropdown']", NS)
    (title,) = [e for e in drop if e.tag.endswith("}h3") or e.tag.endswith("}h2")]
    assert "A dropdown title" in "".join(title.itertext()) and "\u25be" not in "".join(drop.itertext())
    assert "Dropdown body text that must be visible." in "".join(drop.itertext())
    # octicons are inline SVG in the SVG namespace, declared in the manifest
    icons = epub.page("part-one/chapter-b.xhtml").findall(".//{http://www.w3.org/2000/svg}svg")
    assert icons and "svg" in epub.items["x-part-one-chapter-b.xhtml"].get("properties").split()
    # the card's link moved onto its title: it has text and a real target
    card_title = epub.page("index.xhtml").find(".//x:div[@class='sd-card-title sd-font-weight-bold docutils']", NS)
    link = card_title.find(".//x:a", NS)
    assert link.get("href") == "part-one/index.xhtml" and "".join(link.itertext()) == "Part One"


def heading_problems(book: Epub) -> list[str]:
    """Pages whose headings skip a level or that do not have exactly one h1."""
    problems = []
    for href in [*book.pages(), book.item("nav").get("href")]:
        levels = [int(e.tag[-1]) for e in book.page(href).iter() if isinstance(e.tag, str) and re.fullmatch(r"\{[^}]*\}h[1-6]", e.tag)]
        if href == book.spine[0] and not levels:
            continue  # the cover page is one image
        if levels.count(1) != 1 or levels[0] != 1:
            problems.append(f"{href}: h1 count {levels.count(1)}")
        problems += [f"{href}: h{a} -> h{b}" for a, b in zip(levels, levels[1:]) if b > a + 1]
    return problems


def test_headings_in_order(epub):
    assert heading_problems(epub) == []


def test_every_image_has_alt_text(epub):
    images = [(h, img) for h in epub.pages() for img in epub.page(h).findall(".//x:img", NS)]
    assert len(images) >= 2
    for href, img in images:
        assert (img.get("alt") or "").strip(), href


def test_citations_and_bibliography(epub):
    page = epub.page("part-one/chapter-a.xhtml")
    cites = page.findall(".//x:span[@class='bibtex-citation']/x:a", NS)
    assert cites
    # citations are note references to the chapter's References (endnotes): a pop-up in
    # reading systems, with a back link to the text
    for a in cites:
        assert a.get(EPUB_TYPE) == "noteref" and a.get("role") == "doc-noteref", etree.tostring(a)
        (note,) = page.findall(f".//x:div[@id='{a.get('href').lstrip('#')}']", NS)
        # (a div with its matching role: Ace's epub-type-has-matching-role; not an li, where
        # no role but listitem is allowed; not an aside, which Apple Books hides from the text)
        assert note.get(EPUB_TYPE) == "footnote" and note.get("role") == "doc-footnote"
        assert note.getparent().getparent().get(EPUB_TYPE) == "endnotes"
        assert note.getparent().getparent().get("role") == "doc-endnotes"
        assert re.search(r"(Smith|Brown).*20(23|24)", "".join(note.itertext()))
        (back,) = [b for b in note.findall(".//x:a", NS) if b.get("role") == "doc-backlink"]
        assert back.get("href") == "#" + a.get("id")  # each source is cited once here
        # the entry still leads to the full bibliography
        assert any(b.get("href", "").startswith("../bibliography.xhtml#") for b in note.findall(".//x:a", NS))
    bib = epub.page("bibliography.xhtml")
    entries = bib.findall(".//x:div[@class='citation']", NS)
    assert len(entries) == 2
    assert all(e.get("role") == "listitem" for e in entries)
    assert b"doc-biblioentry" not in epub.zip.read("bibliography.xhtml")


def caption_numbers(root: etree._Element) -> list[str]:
    """``Fig. 1``, ``Table 2`` ... in document order."""
    return [
        " ".join("".join(s.itertext()).split())
        for s in root.iter()
        if isinstance(s.tag, str) and "caption-number" in (s.get("class") or "").split()
    ]


def test_numbering_matches_html(build_root, epub):
    html = build_root("epub", "html")
    html_page = etree.parse(str(Path(html.outdir) / "part-one" / "chapter-a.html"), etree.HTMLParser()).getroot()
    epub_numbers = caption_numbers(epub.page("part-one/chapter-a.xhtml"))
    assert epub_numbers == caption_numbers(html_page) == ["Fig. 1", "Table 1"]


# ---- reproducibility and validity -----------------------------------------------------------------

def test_rebuild_is_byte_identical(epub, tmp_path):
    again = build_copy("epub", tmp_path)
    assert again.read_bytes() == epub.path.read_bytes()


def test_epubcheck_test_root(epub, tmp_path):
    messages = epubcheck_messages(epub.path, tmp_path)
    assert messages == [], format_messages(messages)


def test_warnings_root_reports_file_and_line(warned, tmp_path):
    text = warned.warnings
    assert re.search(r"index\.md:7: WARNING: image 'img/diagram\.svg' has no alternative text.*\[press\.image_alt\]", text), text
    assert re.search(r"index\.md:1\d: WARNING: image 'img/diagram\.svg' has no alternative text.*\[press\.image_alt\]", text), text
    assert re.search(r"index\.md:\d+: WARNING: cannot convert math to MathML.*\[press\.epub_math\]", text), text
    (path,) = Path(warned.outdir).glob("*.epub")
    messages = epubcheck_messages(path, tmp_path)
    assert messages == [], format_messages(messages)
    # the metadata stays true: no claim of alt text, MathML or conformance
    book = Epub(path)
    assert "alternativeText" not in book.meta("schema:accessibilityFeature")
    assert book.meta("schema:accessModeSufficient") == ["textual,visual"]
    assert book.meta("dcterms:conformsTo") == []
    (summary,) = book.meta("schema:accessibilitySummary")
    assert "lack alternative text" in summary and "only as LaTeX source" in summary


def page_list(book: Epub) -> list[tuple[str, str, str]]:
    """The nav's page list as (printed number, page, id); checks each target is a pagebreak marker."""
    nav = book.page(book.item("nav").get("href"))
    (pl,) = nav.findall(".//x:nav[@epub:type='page-list']", NS)
    assert pl.get("role") == "doc-pagelist" and pl.get("hidden") is not None
    out = []
    for a in pl.findall(".//x:a", NS):
        href, _, id_ = a.get("href").partition("#")
        (marker,) = book.page(href).xpath(f"//*[@id='{id_}']")
        assert marker.tag == f"{{{NS['x']}}}span" and marker.get(EPUB_TYPE) == "pagebreak", href
        assert marker.get("role") == "doc-pagebreak" and marker.get("aria-label") == a.text
        assert not len(marker) and not (marker.text or "").strip()  # empty: nothing shows
        out.append((a.text, href, id_))
    return out


def assert_page_list_in_reading_order(book: Epub) -> list[tuple[str, str, str]]:
    entries = page_list(book)
    spine = book.pages()
    places = []
    for _text, href, id_ in entries:
        ids_in_order = [e.get("id") for e in book.page(href).iter() if isinstance(e.tag, str) and e.get("id")]
        places.append((spine.index(href), ids_in_order.index(id_)))
    assert places == sorted(places)  # reading order
    numbers = [int(t) for t, _, _ in entries if t.isdigit()]
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)  # and page order
    markers = sum(len(book.page(h).xpath("//*[@role='doc-pagebreak']")) for h in spine)
    assert markers == len(entries)  # every marker is listed
    return entries


def test_real_book_epubcheck_and_rebuild(real_book, tmp_path):
    messages = epubcheck_messages(real_book.epub, tmp_path)
    assert messages == [], format_messages(messages)
    # an EPUB built alone, next to the state of the full build (the PDF's page map): the same bytes
    shutil.copytree(real_book.out / ".press", tmp_path / "again" / ".press", ignore=shutil.ignore_patterns("lock"))
    proc = run_press("build", "epub", "--out", str(tmp_path / "again"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (tmp_path / "again" / "epub" / "field-guide.epub").read_bytes() == real_book.epub.read_bytes()
    book = Epub(real_book.epub)
    assert not [h for h in book.pages() if book.page(h).findall(".//x:script", NS)]
    assert book.meta("dcterms:conformsTo") and book.item("cover-image") is not None
    assert heading_problems(book) == []
    # figure and table numbers are the web book's, page by page
    compared = 0
    for href in book.pages():
        html_file = real_book.html / href.replace(".xhtml", ".html")
        if not html_file.exists():
            continue
        html_numbers = caption_numbers(etree.parse(str(html_file), etree.HTMLParser()).getroot())
        assert caption_numbers(book.page(href)) == html_numbers, href
        compared += len(html_numbers)
    assert compared >= 8


def test_mathml_conversion_and_its_failures():
    from press.epub.translator import mathml

    aligned = etree.fromstring(mathml(r"\begin{aligned} a &= b \\ c &= d \end{aligned}", display=True))
    assert aligned.tag == f"{{{NS['m']}}}math" and aligned.get("display") == "block"
    assert len(aligned.findall(".//m:mtr", NS)) == 2
    assert aligned.get("alttext").startswith(r"\begin{aligned}")
    inline = etree.fromstring(mathml(r"x^2", display=False))
    assert inline.get("display") == "inline" and inline.find(".//m:msup", NS) is not None
    for bad in (r"\frac{1}{", r"\nosuchcommand{x}"):
        with pytest.raises(ValueError):
            mathml(bad, display=False)


def test_pages_are_read_back_for_problems(tmp_path):
    from press.epub.builder import PressEpubBuilder

    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "page.xhtml").write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml" lang="en">'
        '<head><title>t</title><script>alert(1)</script></head><body>'
        '<p id="here"><img src="https://cdn.example.org/x.png" alt="remote"/><img src="../img/local.svg" alt="local"/>'
        '<math xmlns="http://www.w3.org/1998/Math/MathML"><mi>x</mi></math>'
        '<a href="other.xhtml#there">x</a><a href="#here">y</a><a href="https://example.org/">z</a></p></body></html>',
        encoding="utf-8",
    )
    (tmp_path / "broken.xhtml").write_text("<html><body><p>unclosed</body></html>", encoding="utf-8")
    found = PressEpubBuilder.inspect(None, tmp_path, "a/page.xhtml")
    assert found["ids"] == {"here"}
    assert found["links"] == [("a/other.xhtml", "there"), ("a/page.xhtml", "here")]
    assert found["resources"] == ["img/local.svg"]
    assert found["properties"] == {"mathml"}
    problems = " | ".join(found["problems"])
    assert "no lang/xml:lang" in problems and "<script>" in problems and "remote resource" in problems
    assert "not well-formed" in PressEpubBuilder.inspect(None, tmp_path, "broken.xhtml")["problems"][0]


# ---- reading on a phone: tables, code, tags, metadata (issue 14) ----------------------------

def test_tables_sit_in_a_scrolling_box(epub):
    page = epub.page("part-one/chapter-a.xhtml")
    tables = page.findall(".//x:table", NS)
    assert tables
    for table in tables:
        assert table.getparent().tag == f"{{{NS['x']}}}div" and table.getparent().get("class") == "press-table"
    css = epub.zip.read("_static/press-epub.css").decode()
    assert re.search(r"div\.press-table \{[^}]*overflow-x: auto", css)
    assert re.search(r"th, td \{[^}]*overflow-wrap: break-word", css)


def test_code_lines_hang_under_their_own_indentation(epub):
    page = epub.page("part-one/chapter-a.xhtml")
    (pre,) = page.findall(".//x:div[@class='highlight-python notranslate']//x:pre", NS)
    lines = pre.findall("x:span[@class='press-line']", NS)
    assert ["".join(line.itertext()) for line in lines] == ['def hello():\n', '    return "world"\n']
    assert [line.get("style") for line in lines] == [
        "padding-left:2ch;text-indent:-2ch", "padding-left:6ch;text-indent:-6ch",
    ]
    css = epub.zip.read("_static/press-epub.css").decode()
    assert "pre span.press-line { display: block; }" in css and "white-space: pre-wrap" in css


def test_chapter_openers_as_in_print(epub):
    """An opener shows "Chapter N" over its title and "Revised <date>" under the standfirst, as
    the print edition does; the web's "date | tags" line is not in the book (issue 23)."""
    css = epub.zip.read("_static/press-epub.css").decode()
    assert 'content: "#"' not in css
    page = epub.page("part-one/chapter-a.xhtml")
    assert page.findall(".//x:li[@class='press-tag']", NS) == [] and page.find(".//x:ul[@class='press-tags']", NS) is None
    (h1,) = page.findall(".//x:h1", NS)
    label = h1.find("x:span[@class='press-number']", NS)
    assert re.fullmatch(r"Chapter \d+", "".join(label.itertext())), etree.tostring(h1)
    revised = page.find(".//x:p[@class='press-revised']", NS)
    assert revised is not None and re.fullmatch(r"Revised \d{1,2} [A-Z][a-z]+ \d{4}", "".join(revised.itertext()))
    assert not re.search(r"\d{4}-\d{2}-\d{2}", "".join(page.find(".//x:body", NS).itertext()))


def test_creators_are_filed_by_surname_and_the_site_is_an_identifier(epub):
    creators = {c.get("id"): c.text for c in epub.dc("creator")}
    file_as = {m.get("refines"): m.text for m in epub.opf.findall(".//opf:meta[@property='file-as']", NS)}
    assert file_as == {f"#{i}": v for i, v in zip(creators, ["Tester, Ada", "Checker, Bob"])}
    ids = [i.text for i in epub.dc("identifier")]
    assert ids[0].startswith("urn:uuid:") and ids[1:] == ["https://epub-test.example.org/"]
    assert epub.opf.get("unique-identifier") == epub.dc("identifier")[0].get("id")


def test_file_as_keeps_organisations_whole():
    from press.epub.package import file_as

    assert file_as("Field Guide Press") == "Field Guide Press"
    assert file_as("Acme Widgets", ["Acme Widgets"]) == "Acme Widgets"
    assert file_as("Ada Tester") == "Tester, Ada"
    assert file_as("Guido van Rossum") == "van Rossum, Guido"
    assert file_as("Martin Luther King Jr.") == "King, Martin Luther, Jr."
    assert file_as("Plato") == "Plato"
    assert file_as("Tester, Ada") == "Tester, Ada"


def test_real_book_files_the_press_as_an_organisation(real_book):
    book = Epub(real_book.epub)
    (creator,) = book.dc("creator")
    file_as = {m.get("refines"): m.text for m in book.opf.findall(".//opf:meta[@property='file-as']", NS)}
    assert file_as == {"#" + creator.get("id"): creator.text} and creator.text == "Field Guide Press"
    # every chapter citation is a note reference that reaches an endnote on the same page
    count = 0
    for href in book.pages():
        page = book.page(href)
        for a in page.findall(".//x:span[@class='bibtex-citation']/x:a", NS):
            count += 1
            assert a.get(EPUB_TYPE) == "noteref", (href, etree.tostring(a))
            assert page.findall(f".//x:div[@id='{a.get('href').lstrip('#')}'][@role='doc-footnote']", NS), (href, a.get("href"))
    assert count > 50


def test_index_lists_glossary_terms_and_their_chapters(epub):
    href = "genindex.xhtml"
    assert href in epub.pages()
    page = epub.page(href)
    (section,) = page.findall(".//x:section[@role='doc-index']", NS)
    assert section.get(EPUB_TYPE) == "index"
    entries = {"".join(li.text or "").strip(): [a.get("href") for a in li.findall("x:a", NS)] for li in page.findall(".//x:ul[@class='press-index']/x:li", NS)}
    assert "agent" in entries
    # the definition first, then the chapter that uses the term
    assert entries["agent"][0] == "glossary.xhtml#term-agent"
    assert "part-one/chapter-a.xhtml" in entries["agent"][1:]
    nav = epub.page(epub.item("nav").get("href"))
    assert [a.get("href") for a in nav.findall(".//x:nav[@id='landmarks']//x:a", NS) if a.get(EPUB_TYPE) == "index"] == [href]
    assert href in [a.get("href") for a in nav.findall(".//x:nav[@id='toc']//x:a", NS)]


def test_epub_problems_name_the_authors_line(build_root):
    """A link that only the EPUB's read-back finds broken is reported at the page's line."""
    built = build_root("epub-lines", "epub")
    text = re.sub(r"\x1b\[[0-9;]*m", "", built.warnings)
    lines = [w for w in text.splitlines() if "[press.epub]" in w]
    assert lines, text
    assert all(re.search(r"index\.md:7: ", w) for w in lines), lines


def test_real_book_has_the_print_page_numbers(real_book):
    """Page-break markers where the PDF's pages begin, a page list, and the metadata for both."""
    import pypdf

    book = Epub(real_book.epub)
    entries = assert_page_list_in_reading_order(book)
    reader = pypdf.PdfReader(str(real_book.pdf))
    labels = reader.page_labels
    body = [label for label in labels if label.isdigit()]
    listed = [t for t, _, _ in entries]
    # every numbered page of the text is listed (and the printed index's first page)
    assert len(listed) >= 0.9 * len(body) and set(listed) <= set(labels)
    assert listed[0] == "1" and listed[0] in body
    # a chapter's opener page: its marker sits right before the chapter's heading
    first_chapter = next(h for h in book.pages() if "/" in h)
    marker = book.page(first_chapter).xpath("//*[@role='doc-pagebreak']")[0]
    following = marker.getnext()
    assert following is not None and following.tag in {f"{{{NS['x']}}}h{n}" for n in range(1, 3)}, first_chapter
    page_no = labels.index(marker.get("aria-label"))
    # (its first words: "Part I" is set in capitals in print)
    assert following.xpath("string()").split()[0].lower() in reader.pages[page_no].extract_text().lower()
    # the printed index's first page is listed too, at the top of the EPUB's index page
    index_marks = [t for t, href, _ in entries if href == "genindex.xhtml"]
    assert len(index_marks) == 1 and index_marks[0] in labels, entries[-3:]
    assert reader.pages[labels.index(index_marks[0])].extract_text().lstrip().startswith("Index")
    (source,) = book.dc("source")
    assert "PDF" in source.text and "field-guide.pdf" in source.text
    assert book.opf.xpath("//opf:meta[@property='source-of']", namespaces=NS)[0].text == "pagination"
    features = book.meta("schema:accessibilityFeature")
    assert "pageBreakMarkers" in features and "pageNavigation" in features


def test_without_a_pdf_there_is_no_page_list(epub):
    """The test root is built as an EPUB alone: no page map, so no markers, no page list, no claim."""
    nav = epub.page(epub.item("nav").get("href"))
    assert not nav.findall(".//x:nav[@epub:type='page-list']", NS)
    assert not any(epub.page(h).xpath("//*[@role='doc-pagebreak']") for h in epub.pages())
    assert not epub.dc("source") and "pageBreakMarkers" not in epub.meta("schema:accessibilityFeature")


def test_page_numbers_roman_and_next():
    from press.epub.pages import next_label, page_labels

    assert next_label("9", 3) == "12" and next_label("ix", 2) == "xi" and next_label("IV", 1) == "V"
    assert next_label("A-1", 1) is None
    assert page_labels({"pages": {"3": "iii", "5": "v", "7": "1", "9": "3"}}) == {
        3: "iii", 4: "iv", 5: "v", 6: "vi", 7: "1", 8: "2", 9: "3"}


def test_real_book_index_has_the_print_index_names_and_tools(real_book):
    """The EPUB index lists the press_index_terms entries (names, tools, sub-entries) as the PDF
    index does, each linked to a mention in the text, beside the glossary terms."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("book_conf", Path(__file__).resolve().parents[1] / "conf.py")
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    book = Epub(real_book.epub)
    index = book.page("genindex.xhtml")
    (section,) = index.findall(".//x:section[@epub:type='index']", NS)
    items = {}
    for li in section.iter(f"{{{NS['x']}}}li"):
        items[(li.text or "").strip()] = li
    assert len(conf.press_index_terms) >= 5
    for entry in conf.press_index_terms:
        name, _, sub = (p.strip() for p in entry.partition(";"))
        assert name in items, name
        li = items[sub] if sub else items[name]
        hrefs = [a.get("href") for a in li.findall("x:a", NS)]
        assert hrefs, entry
        assert any("#press-ix-" in h for h in hrefs), entry  # a mention in the text
        for href in hrefs:
            page, _, id_ = href.partition("#")
            assert page in book.pages() and (not id_ or id_ in book.ids(page)), href
    assert any(h.startswith("glossary") for h in (a.get("href") for a in section.iter(f"{{{NS['x']}}}a")))


def test_page_markers_are_placed_the_same_on_a_page_that_has_them(tmp_path):
    """An EPUB page not rewritten by Sphinx still carries the last build's markers: they are
    removed exactly (the line break before a heading included) and placed again, so the
    page is the same bytes as one written fresh (an EPUB built alone == the one of make book)."""
    from press.epub import pages

    path = tmp_path / "p.xhtml"
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml" '
        'xmlns:epub="http://www.idpf.org/2007/ops" lang="en"><head><title>t</title></head><body>\n'
        '<section id="s">\n<h1>Title</h1>\n<p>Some words, then more words.</p>\n<h2>Next</h2>\n<p>End.</p>\n'
        "</section>\n</body></html>",
        encoding="utf-8",
    )

    def place() -> bytes:
        page = pages.read_page(path, "p.xhtml", "p")
        at = page.length - 10
        pages._insert(page, [(0, "1", "page-1"), (at, "2", "page-2")])
        page.tree.write(str(path), encoding="utf-8", xml_declaration=True)
        return path.read_bytes()

    first = place()
    assert first.count(b"doc-pagebreak") == 2
    assert place() == first  # and again: nothing piles up
    assert place() == first
