"""The real book's PDF (built once per session by the ``real_book`` fixture), read back with pypdf."""

from __future__ import annotations

import re

import pypdf
import pytest

from press.frontmatter import parse
from test_content import SOURCE


def squash(text: str) -> str:
    return "".join(text.split()).replace("\u2019", "'")


@pytest.fixture(scope="module")
def reader(real_book) -> pypdf.PdfReader:
    return pypdf.PdfReader(real_book.pdf)


@pytest.fixture(scope="module")
def pages(reader) -> list[str]:
    return [squash(p.extract_text() or "") for p in reader.pages]


def meta(doc: str):
    return parse((SOURCE / f"{doc}.md").read_text(encoding="utf-8")).meta


def sections() -> list[str]:
    """Section folders in book order (by the index pages' weight)."""
    folders = [p.parent.name for p in SOURCE.glob("*/index.md")]
    return sorted(folders, key=lambda f: (meta(f"{f}/index").weight or 0, f))


def test_outline_has_a_part_per_section_with_its_chapters(reader):
    top = [item for item in reader.outline if not isinstance(item, list)]
    titles = [squash(t.title) for t in top]
    for folder in sections():
        part = squash(meta(f"{folder}/index").title)
        assert part in titles, part
    # parts in weight order
    positions = [titles.index(squash(meta(f"{f}/index").title)) for f in sections()]
    assert positions == sorted(positions)
    assert titles[-1] == "Index" and "Bibliography" in titles and "Glossary" in titles


def test_every_chapter_opens_with_its_description(pages):
    for md in sorted(SOURCE.glob("*/*.md")):
        if md.name == "index.md":
            continue
        m = meta(f"{md.parent.name}/{md.stem}")
        title, desc = squash(m.title), squash(m.description)
        opener = [i for i, text in enumerate(pages) if re.sub(r"^CHAPTER\d+", "", text).startswith(title) and desc[:40] in text]
        assert opener, m.title


def test_part_pages(pages):
    for number, folder in enumerate(sections(), start=1):
        title = squash(meta(f"{folder}/index").title)
        assert any(re.match(r"PART[IVX]+" + re.escape(title), text, re.I) for text in pages), title


def test_contents_with_page_numbers(reader, pages):
    contents = reader.pages[next(i for i, t in enumerate(pages) if t.startswith("Contents"))].extract_text()
    assert re.search(r"Verification[ .]+\d+", contents)
    assert re.search(r"Bibliography[ .]+\d+", contents)


def test_internal_links_carry_page_numbers(pages):
    # The front page links to the chapters "the way the guide was published": in print,
    # each such link says on which page its target is.
    joined = "".join(pages)
    assert re.search(r"TheAdoptionCurve\(p\.\d+\)", joined)


def test_metadata_and_fonts(reader):
    info = reader.metadata
    assert info.title.startswith("The Field Guide")
    keywords = info.get("/Keywords", "")
    tags = set()
    for md in SOURCE.rglob("*.md"):
        if any(part.startswith("_") for part in md.relative_to(SOURCE).parts):
            continue  # source/_code: the sample project the chapters include, not pages
        tags.update(parse(md.read_text(encoding="utf-8")).meta.tags)
    assert tags and all(t in keywords for t in tags)
    fonts = set()
    for page in reader.pages[:10]:
        for font in ((page.get("/Resources") or {}).get("/Font") or {}).values():
            fonts.add(str(font.get_object().get("/BaseFont")))
    assert any("SourceSansPro" in f for f in fonts) and any("Libertinus" in f for f in fonts)


def test_bibliography_and_index_at_the_end(pages):
    bib = next(i for i, t in enumerate(pages) if t.startswith("Bibliography"))
    index = next(i for i, t in enumerate(pages) if t.startswith("Index"))
    assert bib < index
    assert re.search(r"\[\d+\]", pages[bib])
    # glossary terms are indexed with their page numbers
    assert re.search(r"agent,\d+", pages[index])
