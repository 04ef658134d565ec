"""The author's structure in print and EPUB (issue 19, item 3): parts from toctree captions,
chapters from top-level entries, pages below them nested, numbers only where the author
asked (``:numbered:``), never anything from file names; a page listed twice appears once,
with a warning.  Two small roots: MyST (``test-structure-myst``) and reST
(``test-structure-rst``), each built with the ``typst`` and the ``epub`` builder."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pypdf
import pytest
from bs4 import BeautifulSoup

from press.booktree import book_tree

_HEADING = re.compile(r'^#press-heading\(level: (\d+), kind: "(\w+)"(?:, number: ("[^"]*"|none))?\)\[(.*)\]$', re.M)


def headings(built) -> list[tuple[int, str, str | None, str]]:
    typ = next(p for p in Path(built.outdir).glob("*.typ") if not p.name.startswith("press-")).read_text(encoding="utf-8")
    # number: "auto" when the writer gave none (the PDF's own counter), None for `none`
    return [
        (int(lv), kind, "auto" if not num else None if num == "none" else num.strip('"'), title.replace("\\", ""))
        for lv, kind, num, title in _HEADING.findall(typ)
    ]


def outline(built) -> list:
    pdf = next(Path(built.outdir).glob("*.pdf"))
    reader = pypdf.PdfReader(pdf)

    def walk(items):
        out = []
        for item in items:
            if isinstance(item, list):
                out[-1] = (out[-1], walk(item))
            else:
                out.append(item.title)
        return out

    return walk(reader.outline)


def nav(built) -> BeautifulSoup:
    epub = next(Path(built.outdir).glob("*.epub"))
    with zipfile.ZipFile(epub) as z:
        return BeautifulSoup(z.read("nav.xhtml"), "xml"), BeautifulSoup(z.read("toc.ncx"), "xml")


def top_entries(soup) -> list[tuple[str, list[str]]]:
    toc = soup.find("nav", attrs={"id": "toc"})
    out = []
    for li in toc.find("ol").find_all("li", recursive=False):
        head = li.find(["a", "span"], recursive=False)
        sub = li.find("ol", recursive=False)
        kids = [c.find(["a", "span"], recursive=False).get_text() for c in sub.find_all("li", recursive=False)] if sub else []
        out.append((head.name + ":" + head.get_text(), kids))
    return out


@pytest.fixture(scope="module")
def myst_pdf(build_root):
    return build_root("structure-myst", "typst")


@pytest.fixture(scope="module")
def myst_epub(build_root):
    return build_root("structure-myst", "epub")


@pytest.fixture(scope="module")
def rst_pdf(build_root):
    return build_root("structure-rst", "typst")


@pytest.fixture(scope="module")
def rst_epub(build_root):
    return build_root("structure-rst", "epub")


def test_myst_book_builds_without_warnings(myst_pdf, myst_epub):
    assert myst_pdf.warnings == "" and myst_epub.warnings == "", myst_pdf.warnings + myst_epub.warnings


def test_pdf_headings_follow_the_toctrees(myst_pdf):
    assert headings(myst_pdf) == [
        (1, "chapter", None, "Structure Book"),  # the root page opens the book
        (1, "chapter", None, "Preface"),  # an uncaptioned root entry: front matter, not numbered
        (1, "part", "auto", "Getting Started"),  # a :caption: is a part
        (2, "chapter", "1", "The Guide"),  # guide/index.md: a chapter (not a part), numbered as asked
        (3, "section", "1.1", "Going Deeper"),  # guide/deep/index.md: a page below a chapter is a section
        (4, "section", "1.1.1", "Deeper Still"),
        (3, "section", "1.2", "Guide Section"),
        (2, "chapter", "2", "Installing"),
        (1, "part", "auto", "Reference"),
        (2, "chapter", None, "Reference Index"),  # no :numbered: on this part: no numbers
        (3, "section", None, "API"),
        (1, "chapter", None, "Appendix"),  # back matter after the parts
    ]


def test_pdf_outline_is_the_same_tree(myst_pdf):
    assert outline(myst_pdf) == [
        "Structure Book",
        "Preface",
        # the author's chapter numbers are in the bookmarks too (the heading's numbering)
        ("Getting Started", [("1 The Guide", [("1.1 Going Deeper", ["1.1.1 Deeper Still"]), "1.2 Guide Section"]), "2 Installing"]),
        ("Reference", [("Reference Index", ["API"])]),
        "Appendix",
    ]


def test_epub_nav_and_ncx_are_the_same_tree(myst_epub):
    soup, ncx = nav(myst_epub)
    assert top_entries(soup) == [
        ("a:Structure Book", []),
        ("a:Preface", []),
        ("span:Getting Started", ["1 The Guide", "2 Installing"]),  # a part without a page: a heading; numbered
        ("span:Reference", ["Reference Index"]),
        ("a:Appendix", []),
    ]
    top = [p.find("text").get_text() for p in ncx.find("navMap").find_all("navPoint", recursive=False)]
    assert top == ["Structure Book", "Preface", "Getting Started", "Reference", "Appendix"]
    # a part's navPoint points at its first chapter, with the same playOrder
    points = {p.find("text").get_text(): p for p in ncx.find_all("navPoint")}
    assert points["Getting Started"].find("content")["src"] == points["1 The Guide"].find("content")["src"]
    assert points["Getting Started"]["playOrder"] == points["1 The Guide"]["playOrder"]


def test_epub_page_kinds_come_from_the_tree(myst_epub):
    epub = next(Path(myst_epub.outdir).glob("*.epub"))
    with zipfile.ZipFile(epub) as z:
        guide = z.read("guide/index.xhtml").decode()
        preface = z.read("preface.xhtml").decode()
    assert 'epub:type="chapter"' in guide and 'epub:type="part"' not in guide
    assert 'epub:type="preface"' in preface


def test_epubcheck_clean(myst_epub, rst_epub, tmp_path):
    from test_epub import epubcheck_messages, format_messages

    for built in (myst_epub, rst_epub):
        epub = next(Path(built.outdir).glob("*.epub"))
        bad = [m for m in epubcheck_messages(epub, tmp_path) if m["severity"] in ("FATAL", "ERROR", "WARNING")]
        assert bad == [], format_messages(bad)


def test_rst_parts_from_captions_and_a_page_listed_twice(rst_pdf, rst_epub):
    assert headings(rst_pdf) == [
        (1, "chapter", None, "RST Structure"),
        (1, "part", "auto", "First Part"),
        (2, "chapter", None, "Part One Overview"),  # part1/index.rst: a chapter, not a part
        (2, "chapter", None, "Chapter One"),
        (3, "section", None, "A Sub Page"),
        (1, "part", "auto", "Second Part"),
        (2, "chapter", None, "Part Two Overview"),  # its toctree repeats part1/one: shown once only
    ]
    soup, _ = nav(rst_epub)
    assert [t for t in soup.find("nav", attrs={"id": "toc"}).stripped_strings].count("Chapter One") == 1
    for built in (rst_pdf, rst_epub):
        found = [w for w in built.warnings.splitlines() if "[press.structure]" in w]
        assert len(found) == 1 and "'part1/one' is listed in more than one toctree" in found[0], built.warnings
        assert "part2/index" in found[0]  # at the page whose toctree repeats it


def test_book_tree_of_our_folder_convention(build_root):
    """Our own convention (press.structure's generated toctrees): top-level section folders
    are parts and their pages chapters counted by the PDF (no number from Sphinx)."""
    built = build_root("book", "typst")
    tree = book_tree(built.env, built.app.config)
    kinds = {e.docname: (e.kind, e.level, e.counted) for e in tree.docs.values()}
    parts = [d for d, (k, _, _) in kinds.items() if k == "part"]
    assert parts and all(d.endswith("/index") for d in parts)
    for part in parts:
        for child in tree.docs[part].children:
            assert (child.kind, child.level, child.counted) == ("chapter", 2, True)


def test_web_sidebar_shows_the_same_tree(build_root):
    built = build_root("structure-rst", "html")
    soup = BeautifulSoup((built.outdir / "index.html").read_text(encoding="utf-8"), "html.parser")
    nav = soup.select_one("nav.bd-links") or soup
    captions = [c.get_text(strip=True) for c in nav.select("p.caption")]
    assert captions == ["First Part", "Second Part"]
    links = [a.get_text(strip=True) for a in nav.select("a.reference.internal")]
    assert links.count("Chapter One") == 1, links  # listed twice, shown once (under the first part)
    assert "[press.structure]" in built.warnings


@pytest.mark.parametrize("builder", ["html", "epub", "typst"])
def test_one_page_without_toctree(build_root, builder):
    built = build_root("one-page", builder)
    assert built.warnings == "", built.warnings
    out = {"html": "index.html", "epub": "one-page.epub", "typst": "one-page.pdf"}[builder]
    assert (built.outdir / out).is_file()
    if builder == "html":
        assert "The whole book is this page." in built.read("index.html")


@pytest.mark.book
def test_press_build_warns_once_and_every_format_shows_the_page_once(tmp_path):
    """``press build`` (one read, three writes): the repeated listing is one warning, not
    one per format; with it suppressed the strict build succeeds and the web sidebar (built
    from the saved environment), the EPUB and the PDF each show the page once."""
    import shutil

    from conftest import ROOTS, run_press

    src = tmp_path / "book"
    shutil.copytree(ROOTS / "test-structure-rst", src)
    failed = run_press("build", "--source", str(src), "--out", str(tmp_path / "out1"), cwd=src)
    log = failed.stdout + failed.stderr
    assert failed.returncode != 0 and log.count("[press.structure]") == 1, log
    with (src / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write('suppress_warnings = ["press.structure"]\n')
    built = run_press("build", "--source", str(src), "--out", str(tmp_path / "out"), cwd=src)
    assert built.returncode == 0, built.stdout + built.stderr
    soup = BeautifulSoup((tmp_path / "out" / "html" / "index.html").read_text(encoding="utf-8"), "html.parser")
    links = [a.get_text(strip=True) for a in soup.select("nav.bd-links a.reference.internal")]
    assert links.count("Chapter One") == 1, links
    reader = pypdf.PdfReader(next((tmp_path / "out" / "pdf").glob("*.pdf")))
    assert sum(1 for page in reader.pages if "Chapter One" in (page.extract_text() or "").split("\n")[:3]) == 1
