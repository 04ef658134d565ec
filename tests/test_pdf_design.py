"""The book a publisher would print (issue 14): the design read back from the outputs.

* reference lists in numeric label order in all three formats (the real book);
* editors' notes (``note``/``annote``) never printed, a date and a DOI printed once;
* page references in a publisher's style, "Verification (p. 28)";
* a real book page for every paper size: 60-80 characters per body line (median), no
  near-empty body page except part pages, roman front matter, numbered chapters;
* no web-only words or glyphs in print;
* the PDF declares PDF/UA-1 (XMP ``pdfuaid:part``, ``DisplayDocTitle``, tagged) and passes
  the ``pdfua`` package's checks.  ``pdfua`` 0.1 implements 16 of the 106 machine-checkable
  PDF/UA-1 rules (catalogue, metadata, language, tagging presence, alt text, fonts, …); it
  is not a conformance claim (veraPDF would be), so the test also asserts what Typst's own
  ``ua-1`` export enforced: it refuses to write a PDF that breaks its UA-1 checks.

The test-pdf root is built once per paper size (A4 is the build ``test_pdf.py`` uses too).
"""

from __future__ import annotations

import re
import statistics
import unicodedata
import zipfile

import pdfua
import pybtex.database
import pypdf
import pytest
from bs4 import BeautifulSoup
from conftest import REPO
from press.references import PressStyle
from press.typstmarkup import string

PAPERS = ("a4", "us-letter", "6x9")
PAPER_WIDTH_PT = {"a4": 595.28, "us-letter": 612.0, "6x9": 432.0}


def squash(text: str) -> str:
    return "".join(text.split())


def body_pages(reader: pypdf.PdfReader) -> list[tuple[str, list[str]]]:
    """(page label, text lines without the running head) of every arabic-numbered page (read
    once per reader: the readers are module fixtures, and pypdf's text extraction is slow)."""
    cached = getattr(reader, "_press_body_pages", None)
    if cached is None:
        cached = reader._press_body_pages = _body_pages(reader)
    return cached


def _body_pages(reader: pypdf.PdfReader) -> list[tuple[str, list[str]]]:
    out = []
    for label, page in zip(reader.page_labels, reader.pages):
        if not label.isdigit():
            continue
        lines = [l for l in (page.extract_text() or "").splitlines() if l.strip()]
        if lines and re.search(rf"(^{label}\s)|(\s{label}$)", lines[0]):
            lines = lines[1:]  # the running head ("12 Chapter title" / "Chapter title 13")
        elif lines and lines[-1].strip() == label:
            lines = lines[:-1]  # an opener's page number at the foot
        out.append((label, lines))
    return out


@pytest.fixture(scope="module", params=PAPERS)
def paper_pdf(request, build_root):
    overrides = {} if request.param == "a4" else {"press_pdf_paper": request.param}
    built = build_root("pdf", "typst", **overrides)
    path = built.outdir / "proof-book.pdf"
    assert path.is_file(), built.warnings
    return request.param, pypdf.PdfReader(str(path))


@pytest.fixture(scope="module")
def book_pdf(real_book) -> pypdf.PdfReader:
    return pypdf.PdfReader(str(real_book.pdf))


@pytest.fixture(scope="module")
def book_text(book_pdf) -> str:
    return "\n".join(p.extract_text() or "" for p in book_pdf.pages)


# -- reference lists ---------------------------------------------------------------------

def labels_in(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"^\s*\[(\d+)\]", text, re.M)]


def test_reference_lists_in_numeric_order_in_the_pdf(real_book):
    source = (real_book.out / "pdf" / "field-guide.typ").read_text(encoding="utf-8")
    lists = re.findall(r"#press-reflist\((.*?)\)\n\n", source, re.S)
    assert len(lists) >= 5
    orders = [[int(n) for n in re.findall(r"\[#press-xref\(<[^>]+>\)\[\\\[(\d+)\\\]\]", block)] for block in lists]
    assert any(len(o) >= 5 for o in orders)
    for order in orders:
        assert order == sorted(order), order


def _html_lists(html: str, parser: str = "lxml") -> list[list[int]]:
    soup = BeautifulSoup(html, parser)
    # (the EPUB's lists are divs of endnotes: press.epub.translator)
    return [[int(re.match(r"\[(\d+)\]", li.get_text(" ", strip=True)).group(1)) for li in ul.find_all(["li", "div"], recursive=False)]
            for ul in soup.select("ul.press-chapter-references, div.press-chapter-references")]


def test_reference_lists_in_numeric_order_on_the_web_and_in_the_epub(real_book):
    web = [o for page in real_book.html.rglob("*.html") for o in _html_lists(page.read_text(encoding="utf-8"))]
    with zipfile.ZipFile(real_book.epub) as z:
        epub = [o for name in z.namelist() if name.endswith(".xhtml")
                for o in _html_lists(z.read(name).decode("utf-8"), "xml")]
    for lists in (web, epub):
        assert any(len(o) >= 5 for o in lists)
        assert any(o != sorted(o, key=str) for o in lists)  # where text order would differ …
        for order in lists:
            assert order == sorted(order), order  # … the numbers are in order


# -- the bibliography style ---------------------------------------------------------------

def format_entry(bibtex: str) -> str:
    data = pybtex.database.parse_string(bibtex, "bibtex")
    style = PressStyle()
    entry = next(iter(style.format_entries(data.entries.values())))
    return entry.text.render_as("text")


def test_editors_fields_are_never_printed():
    text = format_entry("""@misc{k, author = {A. Writer}, title = {A Title With Capitals},
        howpublished = {Blog, 5 June 2025}, year = {2025}, month = jun, url = {https://example.org/a},
        note = {EDITORNOTE check before printing}, annote = {EDITORANNOTE see facts.md}}""")
    assert "EDITORNOTE" not in text and "EDITORANNOTE" not in text
    assert "A Title With Capitals" in text  # the .bib's capitals are kept
    assert text.count("2025") == 1, text  # the date in howpublished is not repeated
    assert text.count("https://example.org/a") == 1 and "URL:" not in text


def test_a_doi_is_printed_once_as_its_address():
    text = format_entry("""@article{d, author = {B. Author}, title = {Paper}, journal = {J}, year = {2024},
        doi = {10.1000/xyz}, url = {https://arxiv.org/abs/1}}""")
    assert text.count("10.1000/xyz") == 1 and "https://doi.org/10.1000/xyz" in text
    assert "arxiv.org" not in text  # the DOI is the lasting address


def test_no_editors_note_in_any_format(real_book, book_text):
    bib = pybtex.database.parse_file(str(REPO / "source" / "references.bib"))
    notes = [e.fields[f] for e in bib.entries.values() for f in ("note", "annote") if f in e.fields]
    bibliography = BeautifulSoup((real_book.html / "bibliography.html").read_text(encoding="utf-8"), "lxml")
    web = squash(bibliography.get_text(" "))
    with zipfile.ZipFile(real_book.epub) as z:
        epub = squash(" ".join(BeautifulSoup(z.read(n).decode(), "xml").get_text(" ")
                               for n in z.namelist() if n.endswith(".xhtml")))
    pdf = squash(book_text)
    for note in notes:
        probe = squash(note)[:40]
        for where, text in (("pdf", pdf), ("web", web), ("epub", epub)):
            assert probe not in text, (where, note)
    for phrase in ("facts.md", "checkarXivbeforeprinting"):
        assert phrase not in pdf and phrase not in web and phrase not in epub


# -- print idiom --------------------------------------------------------------------------

def test_page_references_in_a_publishers_style(book_text):
    flat = " ".join(book_text.split())
    assert len(re.findall(r"\(p\. \d+\)", flat)) >= 20
    assert not re.search(r"[A-Za-z], p\. \d+ [a-z]", flat)  # not "the Verification, p. 28 chapter"
    # nothing invisible (index marks, labels) leaves a space before punctuation
    assert not re.search(r"[\])] [.,;:](\s|$)", flat), re.search(r".{30}[\])] [.,;:](\s|$).{10}", flat)


def test_no_web_only_words_or_glyphs_in_print(book_text, paper_pdf):
    _, reader = paper_pdf
    for text in (book_text, "\n".join(p.extract_text() or "" for p in reader.pages)):
        assert "▾" not in text
        assert not re.search(r"\d{4}-\d{2}-\d{2}\s*\|", text)  # the web's "date | tag · tag" line
        for word in ("Ctrl+K", "Download PDF", "Copy to clipboard"):
            assert word not in text


def test_front_matter_in_roman_and_numbered_chapters(book_pdf, book_text):
    labels = book_pdf.page_labels
    assert labels[:4] == ["i", "ii", "iii", "iv"]  # cover, title, copyright, contents: all labelled
    first_body = labels.index("1")
    assert all(re.fullmatch(r"[ivxlc]+", l) for l in labels[:first_body])
    texts = [p.extract_text() or "" for p in book_pdf.pages[:first_body]]
    contents = next(t for t in texts if t.startswith("Contents"))
    assert re.search(r"^I\s+Guide", contents, re.M) and re.search(r"^1\s+The Adoption Curve", contents, re.M)
    assert re.search(r"CHAPTER 1\s*\n\s*The Adoption\s+Curve", book_text)
    assert "Figures and Tables" in book_text


# -- the page -----------------------------------------------------------------------------

def test_a_book_measure_on_every_paper_size(paper_pdf):
    paper, reader = paper_pdf
    assert abs(float(reader.pages[0].mediabox.width) - PAPER_WIDTH_PT[paper]) < 1
    # (prose lines: not the long listings of gamma.md, set in the mono face)
    lines = [l for _, page in body_pages(reader) for l in page if len(l) >= 30 and "compute(step=" not in l]
    assert len(lines) > 60
    assert 60 <= statistics.median(len(l) for l in lines) <= 80, (paper, statistics.median(len(l) for l in lines))


def _near_empty(reader, fewer_than: int) -> list[tuple[str, list[str]]]:
    # (a page left blank so that the next opens on a recto is empty, on purpose:
    # test_book_makeup.py checks it is a verso before an opener)
    return [(label, lines) for label, lines in body_pages(reader)
            if 0 < len(lines) < fewer_than and not (lines and re.fullmatch(r"PART [IVXLC]+", lines[0]))]


def test_no_near_empty_body_page(paper_pdf, book_pdf):
    """No body page of the real book under three lines; in the small test book no page under
    two (a chapter's last page may hold just its one-entry reference list, kept whole with its
    heading), and no reference list ever spills onto a page without its heading."""
    _, reader = paper_pdf
    assert _near_empty(book_pdf, 3) == []
    assert _near_empty(reader, 2) == []
    for r in (reader, book_pdf):
        for label, lines in body_pages(r):
            if lines and re.match(r"\[\d+\]", lines[0]):
                assert len(lines) >= 3, (label, lines)  # a list's tail is never a near-empty page


def test_part_openers_carry_no_reference_list(book_pdf):
    for label, lines in body_pages(book_pdf):
        if lines and re.fullmatch(r"PART [IVXLC]+", lines[0]):
            assert "References" not in lines, label


# -- accessibility ------------------------------------------------------------------------

def test_pdf_declares_pdf_ua_1(book_pdf, paper_pdf):
    for reader in (book_pdf, paper_pdf[1]):
        root = reader.trailer["/Root"]
        assert root["/ViewerPreferences"]["/DisplayDocTitle"] is True or root["/ViewerPreferences"]["/DisplayDocTitle"] == pypdf.generic.BooleanObject(True)
        assert root["/MarkInfo"]["/Marked"]
        assert "/StructTreeRoot" in root and "/Lang" in root
        xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
        assert re.search(r"pdfuaid:part>\s*1\s*<", xmp) or 'pdfuaid:part="1"' in xmp


def test_pdfua_checks_pass(real_book):
    report = pdfua.validate(str(real_book.pdf))
    problems = [(f.rule_id, f.message) for f in report.findings
                if f.severity.name in ("ERROR", "WARNING")]
    assert problems == []
    assert report.exit_code == 0
    # and unicode text in the tagged PDF reads back (the title is the document title)
    title = pypdf.PdfReader(str(real_book.pdf)).metadata.title
    assert unicodedata.normalize("NFC", title).startswith("The Field Guide")


# -- the cover ------------------------------------------------------------------------------

def test_one_cover_in_every_format(real_book, book_pdf):
    from press import cover

    meta = {"title": "The Field Guide to AI-Assisted Software Development",
            "subtitle": "Working with coding agents in 2026", "authors": "Field Guide Press", "lang": "en"}
    # the EPUB's cover image is the designed cover
    with zipfile.ZipFile(real_book.epub) as z:
        png = z.read("OEBPS/_images/press-cover.png") if "OEBPS/_images/press-cover.png" in z.namelist() else \
            next(z.read(n) for n in z.namelist() if n.endswith("press-cover.png"))
    assert png == cover.render("png", "cover", ppi=200, **meta)
    # the PDF opens with it: a full-page image that has alt text, before the title page
    first = book_pdf.pages[0]
    assert not (first.extract_text() or "").strip()
    assert not (book_pdf.pages[1].extract_text() or "").strip()  # the inside of the cover
    assert "The Field Guide" in (book_pdf.pages[2].extract_text() or "")  # the title page, a recto
    # the web book's social card is the same design, landscape, and every page points to it
    card = real_book.html / "_static" / "press-social-card.png"
    assert card.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(card.read_bytes()[16:20], "big") == 1200
    soup = BeautifulSoup((real_book.html / "index.html").read_text(encoding="utf-8"), "lxml")
    assert soup.find("meta", property="og:image")["content"].endswith("_static/press-social-card.png")
    assert soup.find("meta", attrs={"name": "twitter:card"})["content"] == "summary_large_image"


def test_index_terms_from_conf(book_text):
    index = book_text[[m.start() for m in re.finditer(r"^Index\s*\nA\n", book_text, re.M)][-1]:]
    for entry in ("Karpathy, Andrej", "METR", "DORA", "AGENTS.md", "CLAUDE.md", "Claude Code"):
        assert re.search(rf"^{re.escape(entry)},? \d", index, re.M), entry
    assert re.search(r"^\s*Claude Code, \d", index, re.M)  # a sub-entry under Anthropic
    assert re.search(r"\d+–\d+", index)  # page runs collapsed


def test_index_terms_setting_is_validated():
    from press.config import _check_type

    _check_type("index_terms", {"METR": [], "Karpathy, Andrej": ["Karpathy"]}, dict[str, list[str]])
    for bad in ({"METR": "METR"}, ["METR"], {"METR": [1]}):
        with pytest.raises(ValueError, match="press_index_terms"):
            _check_type("index_terms", bad, dict[str, list[str]])


# -- breaks: split listings, part pages ------------------------------------------------------

def listing_pages(reader: pypdf.PdfReader, marker: str) -> list[list[str]]:
    """The body lines of every page that holds lines of the listing whose lines start with
    ``marker``, from the page's top to the listing's last line there."""
    out = []
    for _, lines in body_pages(reader):
        hits = [i for i, l in enumerate(lines) if l.startswith(marker)]
        if hits:
            out.append(lines[:hits[-1] + 1])
    return out


def test_a_listing_split_across_pages_says_continued(paper_pdf):
    """The long listings of gamma.md (70 lines each, one page's worth or more on any paper) break,
    each continuation headed "continued" (no caption) or "Listing N (continued)"; the first part
    is not; every part holds at least three lines."""
    paper, reader = paper_pdf
    for marker, head in (("LONGCODE", r"continued"), ("LONGCAPTIONED", r"Listing \d+ \(continued\)")):
        pages = listing_pages(reader, marker)
        assert len(pages) >= 2, (paper, marker)
        assert sum(l.startswith(marker) for p in pages for l in p) == 70
        first = pages[0]
        assert not any(re.fullmatch(head, l.strip()) for l in first), (paper, first)
        for page in pages[1:]:
            top = page.index(next(l for l in page if l.startswith(marker)))
            assert top >= 1 and re.fullmatch(head, page[top - 1].strip()), (paper, page[:top + 1])
        for page in pages:
            assert sum(l.startswith(marker) for l in page) >= 3, (paper, page)
    assert not any(re.search(r"continued", l) for _, lines in body_pages(reader)
                   for l in lines if "LONG" not in l and "(continued)" not in l and l.strip() != "continued")


def compile_listings(tmp_path, body: str) -> list[str]:
    """``body`` set with the book template on small pages (300 x 300 pt) and exported as
    PDF/UA-1 (Typst refuses a PDF that breaks its UA-1 checks): each page's text."""
    import shutil
    from types import SimpleNamespace

    import typst

    from press.typst import builder as typst_builder

    shutil.copyfile(typst_builder.TEMPLATE, tmp_path / "press-book.typ")
    shutil.copyfile(typst_builder.TEMPLATE.with_name("elements.typ"), tmp_path / "press-elements.typ")
    (tmp_path / "main.typ").write_text(
        '#import "press-book.typ": *\n#set document(title: [Listings])\n#set text(lang: "en")\n'
        "#set page(width: 300pt, height: 300pt, margin: 20pt)\n"
        "#show raw.where(block: true): set text(size: 1.25em)\n" + body, encoding="utf-8")
    fonts = typst.Fonts(include_system_fonts=False, include_embedded_fonts=True, font_paths=typst_builder.TypstBuilder.font_paths(
        SimpleNamespace(confdir=str(tmp_path), press=SimpleNamespace(pdf_font_paths=[]))))
    pdf = typst.Compiler(root=str(tmp_path), font_paths=fonts, ignore_system_fonts=True).compile(
        input=str(tmp_path / "main.typ"), format="pdf", pdf_standards=["ua-1"])
    (tmp_path / "out.pdf").write_bytes(pdf)
    return [p.extract_text() or "" for p in pypdf.PdfReader(str(tmp_path / "out.pdf")).pages]


def test_a_listing_of_eight_lines_or_more_breaks_with_three_lines_a_side(tmp_path):
    """Issue 23: a listing kept whole left the page before it up to four lines short.  A listing
    of 8 lines or more (as set) may now break, as publishers break theirs: never with fewer than
    three lines on either page, never between a line and its wrapped continuation, headed
    "continued" where it continues, its caption kept with its first lines; a shorter one never
    breaks.  Each listing is set lower and lower on a page of its own, so it meets the page's
    foot at every line; the text reads back whole and in order (copy and paste, the tags:
    the PDF is exported as PDF/UA-1)."""
    words = " ".join(f"C{{k}}w{i}" for i in range(16))  # a line that wraps (three lines)
    long = "\n".join([f"C{{k}}L{i:02} = step({i})" for i in range(1, 4)] + [""]
                     + [f"C{{k}}L{i:02} = step({i})" for i in range(4, 6)] + [f"C{{k}}L06 = [{words}]"]
                     + [f"C{{k}}L{i:02} = step({i})" for i in range(7, 10)])  # 12 lines as set
    short = "\n".join(f"C{{k}}L{i:02} = step({i})" for i in range(1, 8))
    kinds = {"long": (long, 9, ""), "captioned": (long, 9, ', caption: [Cap{k}], number: "Listing {k}"'),
             "short": (short, 7, "")}
    for kind, (code, lines, extra) in kinds.items():
        cases = range(40)
        body = "".join(f"#pagebreak(weak: true)\n#v({100 + 4 * k}pt)\n"
                       f"#press-code({string(code.format(k=k))}, id: {k + 1}{extra.format(k=k)})\n" for k in cases)
        pages = compile_listings(tmp_path, body)
        text = "".join(pages)
        split = 0
        for k in cases:
            where = [(n, re.findall(rf"C{k}L(\d\d)", page)) for n, page in enumerate(pages)]
            where = [(n, found) for n, found in where if found]
            assert [f for _, found in where for f in found] == [f"{i:02}" for i in range(1, lines + 1)], (kind, k, where)
            if extra:
                assert [n for n, page in enumerate(pages) if re.search(rf"Cap{k}\b", page)] == [where[0][0]], (k, where)
            if len(where) == 1:
                continue
            split += 1
            assert kind != "short" and len(where) == 2, (kind, k, where)
            (first, top), (second, rest) = where
            assert second == first + 1 and len(top) >= 3 and len(rest) >= 3, (kind, k, where)
            head = f"Listing {k} (continued)" if extra else "continued"
            assert pages[second].lstrip().startswith(head), (k, pages[second][:80])
            wrapped = {n for n, page in enumerate(pages) if re.search(rf"C{k}w\d", page)}
            assert len(wrapped) == 1 and len(re.findall(rf"C{k}w\d+", text)) == 16, (k, wrapped)
        assert split >= (0 if kind == "short" else 5), (kind, split)
        assert kind != "short" or split == 0


def test_the_writer_names_every_listing_that_may_break():
    """A listing that may break (8 lines or more, or with lines long enough to wrap into more)
    is named (``id``), so its continuation says "continued"; a short one is not.  The names are
    numbered in their page: a listing added to one page renames none in another (whose piece
    of the PDF by pieces would be compiled again)."""
    from docutils import nodes
    from test_pdf_escaping import document_for, fake_builder

    from press.typst.translator import TypstTranslator

    doc = document_for([])
    for code in ("\n".join(f"line {i}" for i in range(8)) + "\n", "\n".join(f"line {i}" for i in range(7)),
                 "x = 1\n" + "y = " + "z" * 60):
        doc[0] += nodes.literal_block(code, code)
    visitor = TypstTranslator(doc, fake_builder())
    doc.walkabout(visitor)
    calls = re.findall(r"#press-code\(.*\)", visitor.astext())
    assert [re.findall(r", id: (.*)\)$", c) for c in calls] == [['"chap#1"'], [], ['"chap#2"']], calls


def test_a_part_page_keeps_its_cards(paper_pdf):
    """Part Two's four cards are too tall for its page at 6x9 (and, with its long introduction,
    nearly so elsewhere): the part page keeps every card title (as a short contents list if need
    be) and no card spills onto the next page."""
    paper, reader = paper_pdf
    pages = [(label, lines) for label, lines in body_pages(reader) if any("PARTCARD" in l for l in lines)]
    assert len(pages) == 1, (paper, [label for label, _ in pages])
    _, lines = pages[0]
    assert lines[0] == "PART II"
    text = " ".join(lines)
    assert all(f"PARTCARD{n} title" in text for n in range(1, 5)), (paper, text)


def test_licence_in_every_format(real_book, book_pdf):
    """``press_license`` (conf.py) on the PDF's copyright page, in the EPUB's dc:rights (after the
    copyright notice) and in the web book's footer."""
    import runpy

    conf = runpy.run_path(str(REPO / "conf.py"))
    licence = conf["press_license"]
    assert "MIT License" in licence and "MIT License" in (REPO / "LICENSE").read_text(encoding="utf-8")
    copyright_page = next(p.extract_text() for label, p in zip(book_pdf.page_labels, book_pdf.pages)
                          if "Typeset with Typst" in (p.extract_text() or ""))
    assert licence in " ".join(copyright_page.split())
    with zipfile.ZipFile(real_book.epub) as z:
        opf = next(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".opf"))
    rights = re.search(r"<dc:rights>(.*?)</dc:rights>", opf).group(1)
    assert rights == f"© {conf['copyright']}. {licence}"
    for page in ("index.html", "practices/verification.html"):
        soup = BeautifulSoup((real_book.html / page).read_text(encoding="utf-8"), "lxml")
        footer = soup.select_one(".press-license")
        assert footer is not None and footer.get_text(strip=True) == licence, page
