"""No content stops the PDF (issue 19, item 4) and none runs as Typst code (issue 21):
symbols, emoji and CJK print from the fallback fonts; a character no font has is a
placeholder and a file:line ``press.glyph`` warning; control characters are removed with a
file:line ``press.control_char`` warning; raw Typst is refused unless ``press_raw_typst =
"allow"``, and a Typst package import never reaches the compiler."""

from __future__ import annotations

import re
from pathlib import Path

import pypdf
import pytest


def lines(built, subtype: str) -> list[str]:
    return [w for w in built.warnings.splitlines() if f"[press.{subtype}]" in w]


@pytest.fixture(scope="module")
def refused(build_root):
    return build_root("content-print", "typst")


@pytest.fixture(scope="module")
def allowed(build_root):
    return build_root("content-print", "typst", press_raw_typst="allow")


def pdf_text(built) -> str:
    pdf = next(Path(built.outdir).glob("*.pdf"))
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(pdf).pages)


def test_the_pdf_is_made(refused, allowed):
    for built in (refused, allowed):
        assert list(Path(built.outdir).glob("*.pdf")), built.warnings
        assert "typst_compile" not in built.warnings, built.warnings


def test_formulas_are_converted_as_their_page_is_read(refused):
    from press.typst.equations import CONVERTER, STORE

    stored = getattr(refused.app.env, STORE)
    assert set(stored) == {"glyphs"} and stored["glyphs"][0] == CONVERTER, stored
    assert any("max" in k for k in stored["glyphs"][1]), stored


def test_missing_glyph_is_a_placeholder_and_a_warning(refused):
    found = lines(refused, "glyph")
    assert len(found) == 1 and "glyphs.md:9:" in found[0] and "U+F0001" in found[0], refused.warnings
    text = pdf_text(refused)
    assert "U+F0001" in text  # the placeholder, where the character stood
    for shown in ("🦜", "中文", "☃", "✓"):  # from the fallback chain: no warning, printed
        assert shown in text


def test_control_characters_are_removed_with_a_warning(refused):
    found = lines(refused, "control_char")
    assert len(found) == 1 and "glyphs.md:11:" in found[0] and "U+001B" in found[0], refused.warnings
    assert "Coloured output: red." in pdf_text(refused)


def test_raw_typst_is_refused_by_default(refused):
    found = lines(refused, "raw_typst")
    assert len(found) == 2 and all("raw.md:" in w for w in found), refused.warnings
    assert "raw typst" not in pdf_text(refused)


def test_raw_typst_allowed_but_never_a_package(allowed):
    found = lines(allowed, "raw_typst")
    assert len(found) == 1 and "raw.md:7:" in found[0] and "package" in found[0], allowed.warnings
    assert "raw typst" in pdf_text(allowed)
    typ = next(p for p in Path(allowed.outdir).glob("*.typ") if not p.name.startswith("press-")).read_text(encoding="utf-8")
    assert "@preview" not in typ


def test_strikethrough_and_operators(refused):
    typ = next(p for p in Path(refused.outdir).glob("*.typ") if not p.name.startswith("press-")).read_text(encoding="utf-8")
    assert "#strike[struck]" in typ
    assert "[$max_x f(x) in RR$]" in typ


@pytest.fixture(scope="module")
def content_epub(build_root):
    return build_root("content-print", "epub")


def test_epub_math_macros_operators_and_control_characters(content_epub, tmp_path):
    import zipfile

    from test_epub import epubcheck_messages, format_messages

    epub = next(Path(content_epub.outdir).glob("*.epub"))
    with zipfile.ZipFile(epub) as z:
        page = z.read("glyphs.xhtml").decode()
    assert "<mo>max</mo>" in page and "<mi>ℝ</mi>" in page  # an operator; the book's \\R macro expanded
    assert "\x1b" not in page and "red" in page
    found = lines(content_epub, "control_char")
    assert len(found) == 1 and "glyphs" in found[0], content_epub.warnings
    bad = [m for m in epubcheck_messages(epub, tmp_path) if m["severity"] in ("FATAL", "ERROR")]
    assert bad == [], format_messages(bad)


def test_code_line_numbers_are_drawn(refused):
    text = pdf_text(refused)
    assert re.search(r"41\s*first_line = 1\s*42\s*second_line = 2", text), text


def test_a_fallback_font_that_is_not_installed_is_named(build_root):
    built = build_root("content-print", "typst", press_pdf_fallback_fonts=("No Such Font", "Noto Emoji"))
    found = lines(built, "config")
    assert len(found) == 1 and "'No Such Font'" in found[0], built.warnings
    assert "🦜" in pdf_text(built)  # still printed (Typst also searches every loaded font)


def test_web_math_expands_the_books_macros(build_root):
    """The web book's MathML expands ``mathjax3_config`` macros like the EPUB and the PDF;
    ``alttext`` keeps the author's LaTeX."""
    built = build_root("content-print", "html")
    page = (Path(built.outdir) / "glyphs.html").read_text(encoding="utf-8")
    assert "<mi>ℝ</mi>" in page and "<mo>max</mo>" in page, page
    assert 'alttext="\\max_x f(x) \\in \\R"' in page
    assert "<mi>\\R</mi>" not in page and "press.mathml" not in built.warnings, built.warnings


@pytest.fixture(scope="module")
def content_html(build_root):
    return build_root("content-print", "html")


def test_web_book_control_characters_removed_with_one_warning(content_html):
    """The web book gets the same clean text as the PDF and the EPUB: the ESC of the
    coloured paste is removed when the page is read, one file:line warning."""
    page = (Path(content_html.outdir) / "glyphs.html").read_text(encoding="utf-8")
    assert "\x1b" not in page and "Coloured output: red." in page
    found = lines(content_html, "control_char")
    assert len(found) == 1 and "glyphs.md:11:" in found[0] and "U+001B" in found[0], content_html.warnings
