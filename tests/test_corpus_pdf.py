"""The PDF of two documentation trees nobody here wrote, built with ``extensions = ["press"]``.

``tests/roots/test-corpus-sphinx-design`` (sphinx-design's own docs, MyST) and
``tests/roots/test-corpus-kitchen-sink`` (sphinx-book-theme's reStructuredText kitchen sink:
every docutils and Sphinx element, autodoc of ``datetime`` included) are built with the
``typst`` builder.  The build must say nothing from press and nothing about unknown nodes,
the PDF must exist, and its text must carry every page of the book: the page's title and
its first plain paragraph, both read from the built doctrees (not written down here).
"""

from __future__ import annotations

import re
import unicodedata

import pypdf
import pytest
from docutils import nodes

CORPORA = ["corpus-sphinx-design", "corpus-kitchen-sink"]



def squash(text: str) -> str:
    """Text for comparison: compatibility forms (ligatures), no whitespace, no hyphens."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\s\-‐‑­]+", "", text)


def plain_paragraph(doctree: nodes.document) -> str | None:
    """The first paragraph of running text (only text, emphasis, strong) with 8+ words."""
    for para in doctree.findall(nodes.paragraph):
        if any(isinstance(a, (nodes.table, nodes.Admonition, nodes.footnote, nodes.citation, nodes.field_list,
                              nodes.definition_list, nodes.option_list, nodes.sidebar, nodes.topic, nodes.container,
                              nodes.figure, nodes.Sequential, nodes.block_quote))
               for a in _ancestors(para)):
            continue
        if all(isinstance(c, (nodes.Text, nodes.emphasis, nodes.strong)) for c in para.children):
            text = para.astext()
            if len(text.split()) >= 8:
                return text
    return None


def _ancestors(node: nodes.Node):
    parent = node.parent
    while parent is not None:
        yield parent
        parent = parent.parent


@pytest.fixture(scope="module", params=CORPORA)
def corpus(request, build_root):
    return build_root(request.param, "typst")


def press_warnings(built) -> list[str]:
    text = re.sub(r"\x1b\[[0-9;]*m", "", built.warnings)
    found = []
    for line in text.splitlines():
        kinds = set(re.findall(r"\[(press\.[a-z_]+)\]", line))
        if kinds:
            found.append(line)
    return found


def test_no_press_warnings(corpus):
    assert press_warnings(corpus) == []


def test_no_unknown_nodes(corpus):
    assert "cannot render a" not in corpus.warnings
    assert "unknown node" not in corpus.warnings.lower()


def test_pdf_has_every_page(corpus):
    pdfs = [p for p in corpus.outdir.glob("*.pdf")]
    assert len(pdfs) == 1, corpus.warnings
    reader = pypdf.PdfReader(str(pdfs[0]))
    text = squash("".join(page.extract_text() or "" for page in reader.pages))
    docnames = sorted(corpus.app.builder.docnames)
    assert len(docnames) >= 10
    missing, checked = [], 0
    for docname in docnames:
        title = corpus.env.titles[docname].astext()
        if title == "<no title>":
            # sphinx-design's changelog.md only includes ../CHANGELOG.md, which lies outside
            # the docs folder and so outside the corpus copy (docutils reports the include)
            assert not list(corpus.env.get_doctree(docname).findall(nodes.paragraph))
            continue
        if squash(title) not in text:
            missing.append(f"{docname}: title {title!r}")
        sentence = plain_paragraph(corpus.env.get_doctree(docname))
        if sentence is not None:
            checked += 1
            if squash(sentence) not in text:
                missing.append(f"{docname}: {sentence[:80]!r}")
    assert missing == []
    assert checked >= len(docnames) // 2  # most pages have running text to find


def test_api_descriptions_in_print(build_root):
    """The kitchen sink's API page (autodoc of datetime): one signature bar per described
    object, each carrying the object's label, so references land on it."""
    from sphinx import addnodes

    from press.typst.translator import label

    built = build_root("corpus-kitchen-sink", "typst")
    typ = next(p for p in built.outdir.glob("*.typ") if not p.name.startswith("press-")).read_text("utf-8")
    signatures = [
        (docname, sig) for docname in built.app.builder.docnames
        for sig in built.env.get_doctree(docname).findall(addnodes.desc_signature)
    ]
    assert len(signatures) >= 20
    assert typ.count("#press-desc(") == len({id(s.parent) for _, s in signatures})
    for docname, sig in signatures:
        for id_ in sig["ids"]:
            assert f"#metadata(none) <{label(docname, id_)}>" in typ
    for kind in ("#press-versionmodified(", "#press-grammar(", "#press-hlist(", "#press-terms(("):
        assert kind in typ



def test_a_blank_page_before_the_body_carries_no_running_head(corpus):
    # book.typ: a book compiled whole whose front matter ends on a recto (sphinx-design's
    # contents end on page v) gets a blank verso before arabic page 1, with no running head
    # and no folio (it once carried the body's head: its own page number and the rule)
    reader = pypdf.PdfReader(str(next(corpus.outdir.glob("*.pdf"))))
    first = reader.page_labels.index("1")
    before = (reader.pages[first - 1].extract_text() or "").strip()
    assert before == "" or not reader.page_labels[first - 1].isdigit(), (reader.page_labels[first - 1], before)
