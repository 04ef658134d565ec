"""The PDF route (press.typst): every node renders, the book is designed, the PDF is sound.

``tests/roots/test-pdf`` is a small book that uses every construct the real book uses
(and more): MyST inline markup, lists, quotes, code with captions/line numbers/emphasised
lines, list/pipe/grid tables with spans, PNG/JPEG/SVG figures, every admonition kind,
footnotes, citations, glossary terms, index entries, numbered math, raw Typst/HTML,
sphinx-design cards/grids/tabs/dropdowns/badges/buttons, and one node type nobody
taught the Typst writer.  Each marker word in the pages (``ALPHAWORDS``,
``TABBODYONE`` …) is looked for in the PDF read back with pypdf.
"""

from __future__ import annotations

import re
import shutil
from io import StringIO
from pathlib import Path

import pypdf
import pypdfium2
import pytest
from sphinx.errors import ConfigError
from sphinx.testing.util import SphinxTestApp

from conftest import ROOTS


def squash(text: str) -> str:
    return "".join(text.split())


class PDF:
    def __init__(self, path: Path):
        self.path = path
        self.reader = pypdf.PdfReader(str(path))
        self.pages = [p.extract_text() or "" for p in self.reader.pages]
        self.squashed = [squash(t) for t in self.pages]
        self.all = squash("".join(self.pages))

    def page_of(self, marker: str, start: int = 0) -> int:
        """0-based index of the first page from ``start`` containing ``marker`` (whitespace ignored)."""
        needle = squash(marker)
        for i, text in enumerate(self.squashed):
            if i >= start and needle in text:
                return i
        raise AssertionError(f"{marker!r} not found in {self.path}")

    def label_of(self, index: int) -> str:
        return self.reader.page_labels[index]


@pytest.fixture(scope="module")
def built(build_root):
    return build_root("pdf", "typst")


@pytest.fixture(scope="module")
def pdf(built) -> PDF:
    path = built.outdir / "proof-book.pdf"
    assert path.is_file(), built.warnings
    return PDF(path)


def outline_tree(reader: pypdf.PdfReader, items=None) -> list:
    items = reader.outline if items is None else items
    out: list = []
    for item in items:
        if isinstance(item, list):
            out[-1][1].extend(outline_tree(reader, item))
        else:
            out.append((item.title, []))
    return out


def test_only_expected_warnings(built):
    lines = [l for l in built.warnings.splitlines() if "WARNING" in l]
    # The raw HTML block keeps its text (nothing dropped, no warning); the unknown node and
    # the unconvertible LaTeX are reported with file:line; nothing else.
    assert not any("[press.raw]" in l for l in lines), lines
    assert any(re.search(r"gamma\.md:\d+: WARNING: the Typst writer cannot render a 'mystery' node", l) for l in lines), lines
    assert any(re.search(r"gamma\.md:\d+: WARNING: cannot convert LaTeX math .*unknowncommandxyz.*"
                         r"Unknown token: \\unknowncommandxyz", l) for l in lines), lines
    others = [l for l in lines if "[press.raw]" not in l and "[press.typst_node]" not in l and "[press.typst_math]" not in l]
    assert others == [], others


def test_unknown_node_keeps_its_text(pdf):
    assert "MYSTERYTEXT" in pdf.all


def test_chapters_in_reading_order(built, pdf):
    order = ["FRONTWORDS", "ABOUTWORDS", "PREFACEWORDS", "PARTONEWORDS", "ALPHAWORDS", "BETAWORDS",
             "PARTTWOWORDS", "GAMMAWORDS", "GLOSSWIDGET"]
    pages = [pdf.page_of(m) for m in order]
    assert pages == sorted(pages)
    positions = [pdf.all.index(m) for m in order]
    assert positions == sorted(positions)


@pytest.mark.parametrize("marker", [
    "HELLOCODE", "TABLECELLA", "TABLECELLB", "SPANNEDCELL", "FIGCAPTIONPNG", "NOTEBODY", "WARNINGBODY",
    "CUSTOMADMON", "Acustomtitle", "RAWTYPSTpassthrough", "CARDONEtitle", "CARDONEbody", "CARDTWObody",
    "LONECARD", "TABLABELONE", "TABBODYONE", "TABLABELTWO", "TABBODYTWO", "DROPDOWNTITLE", "DROPDOWNBODY",
    "BADGEPRIMARY", "BADGELINE", "BUTTONTEXT", "FOOTNOTEONE", "FOOTNOTETWO", "nestedenumerated",
    "Aquotedpassageofwisdom", "SomeoneWise", "Definitionofterm", "GLOSSGADGET", "Acaptionedlisting",
    "Alisttablecaption", "APNGfigurecaption", "FieldnameFIELDBODY", "LINEONEofalineblock",
    "LINETWOofalineblock", "TOPICTITLETOPICBODY", "RUBRICTEXT", "MYSTERYTEXT",
])
def test_every_node_is_rendered(pdf, marker):
    assert squash(marker) in pdf.all


def test_raw_html_keeps_its_text(pdf):
    assert "RAWHTMLskipped" in pdf.all  # <b>RAWHTML skipped</b>: the text stays, the tag goes


def test_admonitions_are_titled_by_kind(pdf):
    for title, body in [("Note", "NOTEBODY"), ("Warning", "WARNINGBODY"), ("Tip", "Tiptext"),
                        ("Danger", "Dangertext"), ("Seealso", "Seealsotext")]:
        assert squash(title) + body in pdf.all, title


def test_numbers_match_the_html(build_root, pdf):
    html = build_root("pdf", "html")
    page = html.read("part-one/alpha.html")
    numbers = re.findall(r'<span class="caption-number">([^<]+?)\s*</span>', page)
    assert {"Fig. 1", "Fig. 2", "Fig. 3", "Table 1", "Listing 1"} <= set(numbers), numbers
    text = pdf.all
    for number in numbers:
        assert squash(number) in text, number
    # Captions carry the number: "Fig. 1 A PNG figure caption"
    assert squash("Fig. 1 A PNG figure caption") in text
    assert squash("Listing 1 A captioned listing") in text
    # numref text is the same number
    assert squash("See Listing 1 for the listing") in text
    assert squash("Table Table 1 and Table 2") in text or squash("Table 1 and Table 2") in text
    # math: the equation number and its {eq} reference
    assert squash("Equation (1) is numbered") in text
    at = pdf.page_of("Equation (1) is numbered")
    eq_pages = " ".join(pdf.pages[max(0, at - 1):at]) + pdf.pages[at].replace("Equation (1)", "", 1) + " ".join(pdf.pages[at + 1:at + 2])
    assert "(1)" in eq_pages  # the equation, on this page or the one before or after


def test_footnotes_are_page_footnotes(pdf):
    ref_page = pdf.page_of("ALPHAWORDS")
    assert pdf.page_of("FOOTNOTEONE") == ref_page
    text = pdf.pages[ref_page]
    # the footnote text comes after the body text of the page (bottom of the page)
    assert text.index("FOOTNOTEONE") > text.index("ALPHAWORDS")
    # external links show their URL in print
    assert "https://example.org/path" in text
    assert "example.net/fn" in squash(text)


def test_outline_matches_the_table_of_contents(built, pdf):
    env = built.env
    order = env.press_order
    root = built.app.config.root_doc

    def title(doc):
        return env.titles[doc].astext()

    def expected(doc):
        return [(title(kid), expected(kid) if kid in order else sections(kid)) for kid in order.get(doc, [])]

    def sections(doc):
        tree = env.get_doctree(doc)
        top = next(iter(tree.findall(lambda n: n.tagname == "section")))
        return [(s[0].astext(), []) for s in top.children if s.tagname == "section" and s[0].astext() != "References"]

    tree = outline_tree(pdf.reader)
    got = [(t, [(c, [g for g, _ in gs]) for c, gs in kids]) for t, kids in tree]
    want_top = [title(root)] + [t for t, _ in expected(root)] + ["Index"]
    assert [t for t, _ in got] == want_top
    got_map = dict(got)
    for doc in order[root]:
        if doc in order:  # a part: its chapters, each with its sections
            want = [(t, [s for s, _ in secs]) for t, secs in expected(doc)]
            have = [(c, [s for s in subs if s != "References"]) for c, subs in got_map[title(doc)]
                    if c != "References"]
            assert have == want
    # a part opener carries no works-cited list of its own in print (its citations link
    # to the bibliography): nothing spills onto a near-empty page before its first chapter
    assert [c for c, _ in got_map["Part Two"]] == ["Gamma Chapter"]


def test_contents_page_lists_chapters_with_page_numbers(pdf):
    toc = pdf.pages[pdf.page_of("Contents")]
    for chapter in ("Preface", "Alpha Chapter", "Beta Chapter", "Gamma Chapter", "Bibliography", "Index"):
        match = re.search(re.escape(chapter) + r"[ .]*?(\d+)\s*$", toc, re.M)
        assert match, chapter
        # the page number printed in the contents is the page label of the chapter's opener
        opener = pdf.page_of({"Alpha Chapter": "ALPHADESC", "Beta Chapter": "BETADESC",
                              "Gamma Chapter": "GAMMADESC", "Preface": "PREFACEWORDS",
                              "Bibliography": "LiterateProgramming", "Index": "aardvark"}[chapter]
                             ) if chapter != "Bibliography" else None
        if opener is not None:
            assert pdf.label_of(opener) == match.group(1), chapter


def test_internal_links_carry_and_land_on_their_page(pdf):
    index = pdf.page_of("PREFACEWORDS")
    text = squash(pdf.pages[index])
    match = re.search(r"thealphachapter\(p\.(\d+)\)", text)
    assert match, text
    target = pdf.page_of("ALPHAWORDS")
    assert pdf.label_of(target) == match.group(1)
    # the link annotation on the preface page points at that page
    page = pdf.reader.pages[index]
    dests = []
    for annot in page.get("/Annots") or []:
        annot = annot.get_object()
        if annot.get("/Subtype") != "/Link":
            continue
        action = annot.get("/A")
        dest = annot.get("/Dest") or (action.get_object().get("/D") if action else None)
        if dest is None:
            continue
        if isinstance(dest, (str, pypdf.generic.TextStringObject)) or hasattr(dest, "get_object") and not isinstance(dest.get_object(), list):
            dest = pdf.reader.named_destinations[str(dest)]
            dests.append(pdf.reader.get_destination_page_number(dest))
        else:
            dests.append(pdf.reader.get_page_number(dest[0].get_object()))
    assert target in dests, dests
    # a section link lands on the section's page
    match = re.search(r"itscodesection\(p\.(\d+)\)", text)
    assert match and pdf.label_of(pdf.page_of("Codeandlistings", start=target)) == match.group(1)


def test_running_heads_but_not_on_openers(pdf):
    opener = pdf.page_of("ALPHADESC")
    # the chapter label and the title itself, no head
    assert pdf.pages[opener].splitlines()[:2] == ["CHAPTER 1", "Alpha Chapter"]
    # the following pages are headed with the chapter title and the page number
    for i in (opener + 1, opener + 2):
        head = pdf.pages[i].splitlines()[0]
        assert head in (f"{pdf.label_of(i)} Alpha Chapter", f"Alpha Chapter {pdf.label_of(i)}"), head
    # part and chapter opening pages carry no running head
    for marker in ("PARTONEWORDS", "PARTTWOWORDS", "BETADESC", "GAMMADESC", "PREFACEWORDS"):
        first = pdf.pages[pdf.page_of(marker)].splitlines()[0]
        assert not re.search(r"\d", first) or re.fullmatch(r"CHAPTER \d+", first), first


def test_title_and_copyright_pages(built, pdf):
    cfg = built.app.config
    # page 1 is the designed cover (an image with alt text: press.cover), its blank inside,
    # then the title page on a recto and the copyright page on its back
    assert pdf.reader.page_labels[0] == "i"
    assert not pdf.pages[1].strip()
    first = squash(pdf.pages[2])
    assert squash(cfg.project) in first and squash("A test of every node") in first
    assert "AdaTester" in first and cfg.release in first
    assert "2026,AdaTester" in squash(pdf.pages[3])


def test_part_pages(pdf):
    for marker, part in (("PARTONEWORDS", "PARTI"), ("PARTTWOWORDS", "PARTII")):
        page = squash(pdf.pages[pdf.page_of(marker)])
        assert part in page.upper()


def test_metadata(built, pdf):
    meta = pdf.reader.metadata
    assert meta.title == "Proof Book"
    assert meta.author == "Ada Tester"
    keywords = meta.get("/Keywords", "")
    for tag in ("proof", "testing", "blocks", "tables", "design", "preface"):
        assert tag in keywords
    assert "every node" in (meta.subject or "")
    # the dates come from SOURCE_DATE_EPOCH (conftest sets a default)
    import datetime as _dt
    import os as _os

    stamp = _dt.datetime.fromtimestamp(int(_os.environ["SOURCE_DATE_EPOCH"]), _dt.timezone.utc)
    assert meta.get("/CreationDate", "").startswith(stamp.strftime("D:%Y%m%d%H%M%S"))
    root = pdf.reader.trailer["/Root"]
    assert str(root.get("/Lang")) == "en"
    # a tagged PDF: marked content with a structure tree
    assert root["/MarkInfo"]["/Marked"] is True or str(root["/MarkInfo"]["/Marked"]) == "True"
    assert "/StructTreeRoot" in root


def test_fonts_are_embedded(pdf):
    names = set()

    def collect(resources):
        fonts = (resources or {}).get("/Font") or {}
        for font in fonts.values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else font
            descriptor = target.get("/FontDescriptor")
            if descriptor is None:
                continue  # Type 3 glyphs carry their own drawing
            descriptor = descriptor.get_object()
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), font
            names.add(str(target.get("/BaseFont")))

    for page in pdf.reader.pages:
        collect(page.get("/Resources"))
    joined = " ".join(names)
    assert "SourceSansPro" in joined and "Libertinus" in joined and "DejaVuSansMono" in joined, names


def test_bibliography_and_index(pdf):
    bib = pdf.page_of("LiterateProgramming")
    text = squash(pdf.pages[bib])
    assert "[1]" in text and "[2]" in text
    # the index: a sorted, paged list of entries (glossary terms and {index} entries)
    index = len(pdf.pages) - 1
    last = pdf.pages[index]
    assert "Index" in last
    def pages_of(entry):
        match = re.search(entry + r",\s*([\d, ]+)", last)
        assert match, (entry, last)
        return [n.strip() for n in match.group(1).split(",") if n.strip()]

    # {index} entries and glossary terms point at their pages; a {term} reference adds its page
    assert pages_of("aardvark") == [pdf.label_of(pdf.page_of("ALPHAWORDS"))]
    assert pages_of("gadget") == [pdf.label_of(pdf.page_of("GLOSSGADGET"))]
    assert pages_of("widget") == [pdf.label_of(pdf.page_of("ALPHAWORDS")), pdf.label_of(pdf.page_of("GLOSSWIDGET"))]
    assert last.index("aardvark") < last.index("gadget") < last.index("widget") < last.index("zebra")
    assert "striped" in last


def _alt_texts(node, seen=None) -> list[str]:
    """Every /Alt in the PDF's structure tree (the objects sit in compressed object streams)."""
    seen = set() if seen is None else seen
    node = node.get_object()
    if isinstance(node, pypdf.generic.ArrayObject):
        return [alt for kid in node for alt in _alt_texts(kid, seen)]
    if not isinstance(node, pypdf.generic.DictionaryObject) or id(node) in seen:
        return []
    seen.add(id(node))
    found = [str(node["/Alt"])] if "/Alt" in node else []
    return found + (_alt_texts(node["/K"], seen) if "/K" in node else [])


def test_images_keep_their_alt_text(pdf):
    reader = pypdf.PdfReader(pdf.path)
    assert b"/ObjStm" in pdf.path.read_bytes()  # packed by press.typst.builder.compact
    alts = _alt_texts(reader.trailer["/Root"]["/StructTreeRoot"])
    assert any("PNGALT" in alt for alt in alts), alts


def test_nothing_overflows_into_the_margins(pdf, tmp_path):
    """Rasterise every page: no ink left of the left margin or right of the right margin
    (the long code line shrinks to fit, tables and URLs wrap)."""
    doc = pypdfium2.PdfDocument(pdf.path)
    assert len(doc) == len(pdf.pages)
    scale = 36 / 72
    lo, hi = int((62.4 - 4) * scale), int((595.3 - 62.4 + 4) * scale)
    for number, page in enumerate(doc, start=1):
        if number == 1 or not pdf.pages[number - 1].strip():
            continue  # page 1 is the full-bleed cover; a blank verso before a recto opener
        bitmap = page.render(scale=scale, grayscale=True)  # one byte per pixel, 0 = black
        width, height, stride = bitmap.width, bitmap.height, bitmap.stride
        pixels = bytes(bitmap.buffer)
        inked = False
        for y in range(height):
            row = pixels[y * stride:y * stride + width]
            assert min(row[:lo], default=255) > 200 and min(row[hi:], default=255) > 200, (number, y)
            inked = inked or min(row[lo:hi]) < 100
        assert inked, number  # the text area itself has ink: the check is not vacuous


def _fresh_build(tmp_path: Path, warnings: StringIO | None = None, **overrides) -> Path:
    src = tmp_path / "src"
    shutil.copytree(ROOTS / "test-pdf", src)
    app = SphinxTestApp("typst", srcdir=src, confoverrides=overrides or None, status=StringIO(),
                        warning=warnings if warnings is not None else StringIO())
    try:
        app.build()
    finally:
        app.cleanup()
    return Path(app.outdir) / "proof-book.pdf"


def test_rebuild_is_byte_identical(pdf, tmp_path):
    again = _fresh_build(tmp_path)
    assert again.read_bytes() == pdf.path.read_bytes()


@pytest.mark.book
def test_page_size_option(tmp_path):
    path = _fresh_build(tmp_path, press_pdf_paper="6x9")
    box = pypdf.PdfReader(str(path)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (432, 648)


@pytest.mark.book
def test_page_size_is_validated(tmp_path):
    with pytest.raises(ConfigError, match="press_pdf_paper"):
        _fresh_build(tmp_path, press_pdf_paper="a5")


@pytest.mark.book
def test_fonts_are_validated(tmp_path):
    warnings = StringIO()
    _fresh_build(tmp_path, warnings, press_pdf_sans_font="No Such Sans")
    assert re.search(r"press_pdf_sans_font = 'No Such Sans' is not among the bundled fonts.*\[press\.config\]",
                     warnings.getvalue())


def test_citation_labels_match_the_html(build_root, pdf):
    """Each bibliography entry has the label the web book gives it ([1] Knuth …)."""
    html = build_root("pdf", "html").read("bibliography.html")
    entries = re.findall(
        r'<span class="label"><span class="fn-bracket">\[</span>([^<]+)<span class="fn-bracket">\]</span></span>'
        r'.*?<p>(.*?)</p>', html, re.S)
    assert len(entries) == 3
    bib = squash(pdf.pages[pdf.page_of("LiterateProgramming", start=pdf.page_of("GLOSSWIDGET"))])
    for lab, body in entries:
        first_words = squash(re.sub(r"<[^>]+>", "", body))[:20]
        assert f"[{lab}]{first_words}" in bib, (lab, first_words, bib)


def test_png_and_jpeg_images_are_embedded(pdf):
    """PNG arrives as a Flate image, JPEG as a DCT image (passed through, not re-encoded);
    the SVG is drawn as vectors (its caption is checked with the other nodes)."""
    filters = set()

    def walk(resources, depth=0):
        for xobject in ((resources or {}).get("/XObject") or {}).values():
            xobject = xobject.get_object()
            if xobject.get("/Subtype") == "/Image":
                filters.add(str(xobject.get("/Filter")))
            elif xobject.get("/Subtype") == "/Form" and depth < 5:
                walk(xobject.get("/Resources"), depth + 1)

    for page in pdf.reader.pages:
        walk(page.get("/Resources"))
    assert {"/FlateDecode", "/DCTDecode"} <= filters, filters
    assert squash("Fig. 3 An SVG figure") in pdf.all


def test_packing_keeps_every_page_and_tag_and_shrinks_the_file(tmp_path):
    """press.typst.pack rewrites Typst's PDF with its objects in compressed object streams:
    the same pages pixel for pixel, the same text, outline and structure tree, fewer bytes,
    and the same bytes when packed twice."""
    import io

    import typst

    from press.typst.builder import Packing

    body = "\n\n".join(f"= Chapter {n}\n\n" + "Words in a tagged paragraph. " * 40 for n in range(1, 30))
    source = tmp_path / "book.typ"
    source.write_text('#set document(title: "Packed")\n#set text(lang: "en")\n' + body, encoding="utf-8")
    raw = typst.compile(str(source), format="pdf", pdf_standards=["ua-1"])
    packed = Packing(raw, tmp_path).result()
    assert Packing(raw, tmp_path).result() == packed
    assert b"/ObjStm" in packed and b"/ObjStm" not in raw
    assert len(packed) < 0.8 * len(raw), (len(packed), len(raw))
    assert not list(tmp_path.glob(".press-pdf-*"))  # its scratch folder is gone
    before, after = pypdf.PdfReader(io.BytesIO(raw)), pypdf.PdfReader(io.BytesIO(packed))
    assert len(after.pages) == len(before.pages) > 1
    assert [p.extract_text() for p in after.pages] == [p.extract_text() for p in before.pages]
    assert [o.title for o in after.outline] == [o.title for o in before.outline] == [f"Chapter {n}" for n in range(1, 30)]
    assert after.trailer["/Root"]["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in after.trailer["/Root"]
    a, b = pypdfium2.PdfDocument(raw), pypdfium2.PdfDocument(packed)
    for i in (0, len(a) - 1):
        assert a[i].render(scale=1).to_pil().tobytes() == b[i].render(scale=1).to_pil().tobytes()
