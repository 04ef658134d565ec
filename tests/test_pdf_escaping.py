"""Property test: arbitrary text goes through the Typst writer and comes back from the PDF.

Each example is a batch of strings.  Every string is placed, between unique marker
words, in a heading, a paragraph, a code block, a table cell, the text of an external
link, a figure caption and a footnote — as docutils nodes walked by the real
:class:`press.typst.translator.TypstTranslator` — and the batch is compiled once with
the book template.  The compile must report no error and no warning, and every
placement must read back unchanged (whitespace aside) from the PDF text.
"""

from __future__ import annotations

import shutil
import unicodedata
from pathlib import Path
from types import SimpleNamespace

import pypdf
import typst
from docutils import nodes
from docutils.frontend import get_default_settings
from docutils.parsers.rst import Parser
from docutils.utils import new_document
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sphinx import addnodes

from press.typst import builder as typst_builder
from press.typst.translator import TypstTranslator
from press.typstmarkup import string

# Scripts the bundled fonts cover (Latin, Greek, Cyrillic, punctuation and symbols);
# no combining marks, controls, format characters or right-to-left text, whose reading
# order or normalisation in a PDF text layer is not the writer's business.
RANGES = [(0x20, 0x7E), (0xA1, 0xAC), (0xAE, 0x17F), (0x391, 0x3A9), (0x3B1, 0x3C9),
          (0x410, 0x44F), (0x2013, 0x2014), (0x2018, 0x201E), (0x2020, 0x2022), (0x2026, 0x2026),
          (0x2030, 0x2030), (0x20AC, 0x20AC), (0x2122, 0x2122), (0x2190, 0x2193)]
ALPHABET = "".join(chr(c) for lo, hi in RANGES for c in range(lo, hi + 1) if unicodedata.category(chr(c)) != "Cn")

PLACES = ("heading", "para", "code", "cell", "link", "caption", "footnote")
TYPST_SPECIALS = "#*_`$<>@=-+/[]~'\".:\\ // /* */ = - + 1. / x: @r <l> $x$ #let \\u{41} ``` --- ... -- ~ 'q'"


def squash(text: str) -> str:
    return "".join(text.split())


def marker(i: int, place: str, end: bool) -> str:
    return f"{'E' if end else 'S'}{i}{place.upper()}{'E' if end else 'S'}"


def document_for(strings: list[str]) -> nodes.document:
    doc = new_document("<hypothesis>", get_default_settings(Parser))
    doc["docname"] = "index"
    chapter = addnodes.start_of_file(docname="chap")
    doc += chapter
    for i, s in enumerate(strings):
        def wrap(place: str, node_cls=nodes.paragraph, **kw):
            return node_cls("", "", nodes.Text(marker(i, place, False)), nodes.Text(s),
                            nodes.Text(marker(i, place, True)), **kw)

        section = nodes.section(ids=[f"s{i}"])
        section += wrap("heading", nodes.title)
        section += wrap("para")
        section += nodes.literal_block("", marker(i, "code", False) + s + marker(i, "code", True))
        table = nodes.table()
        group = nodes.tgroup(cols=1)
        group += nodes.colspec(colwidth=1)
        body = nodes.tbody()
        body += nodes.row("", nodes.entry("", wrap("cell")))
        group += body
        table += group
        section += table
        link = nodes.reference("", "", nodes.Text(marker(i, "link", False)), nodes.Text(s),
                               nodes.Text(marker(i, "link", True)), refuri="https://example.org/x")
        section += nodes.paragraph("", "", link)
        figure = nodes.figure(ids=[f"f{i}"])
        figure += wrap("caption", nodes.caption)
        section += figure
        footnote = nodes.footnote(ids=[f"fn{i}"])
        footnote += nodes.label("", str(i + 1))
        footnote += wrap("footnote")
        section += nodes.paragraph("", "", nodes.Text("Noted"), nodes.footnote_reference("", str(i + 1), refid=f"fn{i}"))
        section += footnote
        chapter += section
    return doc


def fake_builder() -> SimpleNamespace:
    config = SimpleNamespace(root_doc="index", numfig_format={}, math_numfig=True, numfig=True,
                             math_numsep=".", math_eqref_format=None)
    return SimpleNamespace(config=config, env=SimpleNamespace(toc_fignumbers={}, domains=None), images={}, imagedir="",
                           known_labels=set())


def compile_doc(doc, builder, workdir: Path) -> tuple[str, list]:
    """Translate ``doc`` with the real writer and compile it with the book template: the PDF's text."""
    visitor = TypstTranslator(doc, builder)
    doc.walkabout(visitor)
    shutil.copyfile(typst_builder.TEMPLATE, workdir / "press-book.typ")
    shutil.copyfile(typst_builder.TEMPLATE.with_name("elements.typ"), workdir / "press-elements.typ")
    source = ('#import "press-book.typ": *\n#show: book.with(title: "Escaping")\n'
              "#set text(hyphenate: false)\n" + visitor.astext())
    (workdir / "main.typ").write_text(source, encoding="utf-8")
    fonts_dir = typst_builder.TypstBuilder.font_paths(SimpleNamespace(confdir=str(workdir), press=SimpleNamespace(pdf_font_paths=[])))
    fonts = typst.Fonts(include_system_fonts=False, include_embedded_fonts=True, font_paths=fonts_dir)
    compiler = typst.Compiler(root=str(workdir), font_paths=fonts, ignore_system_fonts=True)
    pdf, warnings = compiler.compile_with_warnings(input=str(workdir / "main.typ"), format="pdf")
    (workdir / "out.pdf").write_bytes(pdf)
    text = "".join(p.extract_text() or "" for p in pypdf.PdfReader(str(workdir / "out.pdf")).pages)
    return text, list(warnings or [])


def compile_batch(strings: list[str], workdir: Path) -> tuple[str, list]:
    text, warnings = compile_doc(document_for(strings), fake_builder(), workdir)
    return squash(text), warnings


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(alphabet=ALPHABET, min_size=1, max_size=40).filter(lambda s: s.strip()),
                min_size=1, max_size=6))
@example([TYPST_SPECIALS, "a]b[c", "x*y*z_w_", "`code`", "\\", "\\\\n", "#{1+1}", "@x <y>"])
def test_any_text_reads_back_from_the_pdf(tmp_path_factory, strings):
    workdir = tmp_path_factory.mktemp("escape")
    text, warnings = compile_batch(strings, workdir)
    assert warnings == [], [w.message for w in warnings]
    for i, s in enumerate(strings):
        for place in PLACES:
            expected = marker(i, place, False) + squash(s) + marker(i, place, True)
            assert expected in text, (place, s)


# -- text right after an inline construct -------------------------------------------------
# Typst reads ``#func(...)[...]`` as an embedded expression that a following ";" ends
# (and swallows) and a following "(" or "[" would extend; the writer must escape the text
# that follows every inline construct it writes as a call.

def inline_constructs(i: int) -> dict[str, nodes.Node]:
    """One instance of every inline construct the writer renders as a Typst call."""
    idx = addnodes.index(entries=[("single", f"Term{i}", f"ix{i}", "", None)])
    return {
        "emph": nodes.emphasis("", "w"),
        "strong": nodes.strong("", "w"),
        "literal": nodes.literal("", "w"),
        "litstrong": addnodes.literal_strong("", "w"),
        "litemph": addnodes.literal_emphasis("", "w"),
        "sub": nodes.subscript("", "w"),
        "super": nodes.superscript("", "w"),
        "titleref": nodes.title_reference("", "w"),
        "abbr": nodes.abbreviation("", "w", explanation="x"),
        "inline": nodes.inline("", "w", ids=[f"in{i}"]),
        "url": nodes.reference("", "w", refuri="https://example.org/y"),
        "xref": nodes.reference("", "w", refid="target", classes=["std-ref"]),
        "math": nodes.math("", "x+1"),
        "index": idx,
        "fnref": nodes.footnote_reference("", str(i + 1), refid=f"fn{i}"),
    }


INLINE = tuple(inline_constructs(0))


def after_document(strings: list[str]) -> nodes.document:
    doc = new_document("<hypothesis>", get_default_settings(Parser))
    doc["docname"] = "index"
    chapter = addnodes.start_of_file(docname="chap")
    doc += chapter
    target = nodes.section(ids=["target"])
    target += nodes.title("", "Target")
    chapter += target
    for i, s in enumerate(strings):
        section = nodes.section(ids=[f"s{i}"])
        section += nodes.title("", f"Section {i}")
        for name, construct in inline_constructs(i).items():
            section += nodes.paragraph("", "", nodes.Text(marker(i, name, False) + " "), construct,
                                       nodes.Text(s + marker(i, name, True)))
        footnote = nodes.footnote(ids=[f"fn{i}"])
        footnote += nodes.label("", str(i + 1))
        footnote += nodes.paragraph("", "note")
        section += footnote
        chapter += section
    return doc


LEADS = ";([]).:,!?*_#@$<>=-+/\\~'\"`{}"


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(LEADS), st.text(alphabet=ALPHABET, max_size=20)).map("".join),
                min_size=1, max_size=6))
@example([";", "; writing the check", "(p. 3)", "[x]", ".method", ";(", ", and", ":;", "\\;", ";¯", "(²"])
def test_text_right_after_every_inline_construct_survives(tmp_path_factory, strings):
    workdir = tmp_path_factory.mktemp("after")
    doc = after_document(strings)
    builder = fake_builder()
    builder.known_labels = {"d.chap:target"}
    raw, warnings = compile_doc(doc, builder, workdir)
    assert not warnings, [w.message for w in warnings]
    # (compared after NFKC: a PDF text layer gives "2" for a superscript "²")
    nfkc = lambda t: unicodedata.normalize("NFKC", t)  # noqa: E731
    text = squash(nfkc(raw))
    for i, s in enumerate(strings):
        s = nfkc(s)
        for name in INLINE:
            start = text.find(marker(i, name, False))
            assert start >= 0, (name, s)
            end = text.find(marker(i, name, True), start)
            assert end > start, (name, s)
            assert text[:end].endswith(squash(s)), (name, s, text[start:end + 12])


def test_a_code_line_too_long_for_the_page_wraps_between_words(tmp_path):
    """A code line wider than the page at the smallest code size wraps, and at a space where
    one leaves the line at least half full: no word is cut in two (it was cut at the measure,
    "Use o" / "nly when asked"); a word longer than the measure is still cut."""
    shutil.copyfile(typst_builder.TEMPLATE, tmp_path / "press-book.typ")
    shutil.copyfile(typst_builder.TEMPLATE.with_name("elements.typ"), tmp_path / "press-elements.typ")
    words = ("description: Prepare a release of the billing service. Use only when asked to release, "
             "and never push the tag yourself; the release manager does that after the checks pass, "
             "which takes a while on a busy day and longer before holidays.")
    long_word = "x" * 150
    code = "name: release\n" + words + "\n" + long_word + "\n"
    source = ('#import "press-book.typ": *\n#show: book.with(title: "Code")\n'
              f"#press-code({string(code)}, lang: \"yaml\")\n")
    (tmp_path / "main.typ").write_text(source, encoding="utf-8")
    fonts = typst.Fonts(include_system_fonts=False, include_embedded_fonts=True, font_paths=typst_builder.TypstBuilder.font_paths(
        SimpleNamespace(confdir=str(tmp_path), press=SimpleNamespace(pdf_font_paths=[]))))
    pdf = typst.Compiler(root=str(tmp_path), font_paths=fonts, ignore_system_fonts=True).compile(
        input=str(tmp_path / "main.typ"), format="pdf")
    (tmp_path / "out.pdf").write_bytes(pdf)
    lines = [ln.strip() for p in pypdf.PdfReader(str(tmp_path / "out.pdf")).pages
             for ln in (p.extract_text() or "").splitlines() if ln.strip()]
    wrapped = [ln for ln in lines if "release" in ln or "checks" in ln or "manager" in ln]
    assert len(wrapped) >= 3, lines  # the long line did wrap
    tokens = {t for ln in lines for t in ln.split()}
    for word in words.split():
        assert word in tokens, (word, lines)
    assert sum(ln.count("x") for ln in lines if set(ln) <= {"x"}) == 150  # cut at the measure, all there
