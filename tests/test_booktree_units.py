"""press.booktree without a build: the book's shape from toctrees held in a small fake
environment (captions, nesting, numbers, repeated pages, our folder convention)."""

from __future__ import annotations

from types import SimpleNamespace

from docutils import nodes
from sphinx import addnodes

from press.booktree import book_tree


def toc(*trees: tuple[str, list[str]]) -> nodes.Element:
    bullets = nodes.bullet_list()
    for caption, files in trees:
        bullets += addnodes.toctree(caption=caption or None, includefiles=files, entries=[(None, f) for f in files])
    return bullets


def env(tocs: dict, numbers: dict | None = None, folders: dict | None = None):
    docs = set(tocs) | {f for t in tocs.values() for tt in t.findall(addnodes.toctree) for f in tt["includefiles"]}
    return SimpleNamespace(
        tocs=tocs, toctree_includes={}, all_docs=dict.fromkeys(docs), found_docs=docs,
        toc_secnumbers=numbers or {}, press_order=folders or {}, titles={},
    )


def config(**extra):
    return SimpleNamespace(**{"root_doc": "index", "latex_toplevel_sectioning": None, **extra})


def shape(tree) -> list:
    def walk(entry):
        name = entry.docname or f"[{entry.caption}]"
        item = (name, entry.kind, entry.level, entry.number)
        return (item, [walk(c) for c in entry.children]) if entry.children else item

    return [walk(e) for e in tree.top]


def test_captions_are_parts_and_entries_chapters():
    e = env({
        "index": toc(("", ["preface"]), ("Basics", ["a/index", "b"]), ("", ["appendix"])),
        "a/index": toc(("", ["a/deep/index"])),
        "a/deep/index": toc(),
    }, numbers={"a/index": {"": (1,)}, "a/deep/index": {"": (1, 1)}})
    tree = book_tree(e, config())
    assert shape(tree) == [
        ("preface", "chapter", 1, None),
        (("[Basics]", "part", 1, None), [
            (("a/index", "chapter", 2, "1"), [("a/deep/index", "section", 3, "1.1")]),
            ("b", "chapter", 2, None),
        ]),
        ("appendix", "chapter", 1, None),
    ]
    assert tree.parts_before["a/index"].caption == "Basics"
    assert tree.order == ["index", "preface", "a/index", "a/deep/index", "b", "appendix"]


def test_a_page_listed_twice_appears_once_where_first_listed():
    e = env({"index": toc(("One", ["x", "y"]), ("Two", ["z"])), "z": toc(("", ["x"]))})
    tree = book_tree(e, config())
    assert tree.order == ["index", "x", "y", "z"] and tree.repeated == [("z", "x")]
    assert tree.docs["z"].children == []


def test_toplevel_sectioning_part_and_our_folder_convention():
    e = env({"index": toc(("", ["a", "b"])), "a": toc(("", ["a1"]))})
    by_setting = book_tree(e, config(latex_toplevel_sectioning="part"))
    assert [(x.docname, x.kind) for x in by_setting.top] == [("a", "part"), ("b", "part")]
    assert by_setting.docs["a1"].kind == "chapter" and by_setting.docs["a1"].level == 2
    plain = book_tree(e, config())
    assert [(x.docname, x.kind) for x in plain.top] == [("a", "chapter"), ("b", "chapter")]
    assert plain.docs["a1"].kind == "section"
    # press.structure's folders: a section folder with pages is a part; chapters counted in print
    folders = book_tree(env({"index": toc(("", ["a", "b"])), "a": toc(("", ["a1"]))}, folders={"index": ["a", "b"], "a": ["a1"]}), config())
    assert [(x.docname, x.kind) for x in folders.top] == [("a", "part"), ("b", "chapter")]
    assert folders.docs["a1"].counted and folders.docs["a1"].kind == "chapter"


def _sof(docname: str, *children: nodes.Node) -> nodes.Element:
    sof = addnodes.start_of_file(docname=docname)
    sof += nodes.section("", nodes.title(text=docname), *children)
    return sof


def _order(tree: nodes.Element) -> list[str]:
    return [n["docname"] if isinstance(n, addnodes.start_of_file) else n.astext()
            for n in tree.findall(lambda n: isinstance(n, (addnodes.start_of_file, nodes.paragraph)))]


def test_root_page_content_stays_before_its_chapters():
    """A root page with a toctree under each of its sections (the requests docs' index):
    its later sections belong to the opening chapter, not inside the last chapter before
    them.  Below a chapter, Sphinx's inline order stays (sub-pages are sections there)."""
    from press.typst.builder import TypstBuilder

    tree = nodes.document(None, None)
    sub = _sof("guide/sub", nodes.paragraph(text="sub text"))
    guide = _sof("guide", nodes.compound("", sub), nodes.paragraph(text="guide after"))
    tree += nodes.section(
        "", nodes.title(text="Root"),
        nodes.section("", nodes.title(text="User Guide"), nodes.paragraph(text="user"), nodes.compound("", guide)),
        nodes.section("", nodes.title(text="Community"), nodes.paragraph(text="community"),
                      nodes.compound("", _sof("faq", nodes.paragraph(text="faq text")))),
    )
    TypstBuilder.own_content_first(tree)
    assert _order(tree) == ["user", "community", "guide", "guide/sub", "sub text", "guide after", "faq", "faq text"]


def _page_toc(*sections: tuple[str, str], inner: nodes.Node | None = None) -> nodes.Element:
    """A page's table of contents as Sphinx keeps it (env.tocs): one item per top section."""
    bullets = nodes.bullet_list()
    for text, anchor in sections:
        item = nodes.list_item("", addnodes.compact_paragraph("", "", nodes.reference(text, text, anchorname=anchor)))
        bullets += item
    if inner is not None:
        bullets[0] += nodes.bullet_list("", inner)
    return bullets


def test_epub_nav_lists_a_pages_further_top_sections_as_its_siblings():
    """requests' community/out-there.rst has two top-level sections ("Integrations",
    "Articles & Talks"): the web toctree and the PDF show both, so the EPUB nav does too."""
    from press.epub.builder import PressEpubBuilder

    tree_toc = addnodes.toctree(caption=None, includefiles=["two", "three"], entries=[(None, "two"), (None, "three")])
    e = env({"index": _page_toc(("Root", ""), inner=tree_toc),
             "two": _page_toc(("Integrations", ""), ("Articles & Talks", "#articles-talks")),
             "three": _page_toc(("Three", ""))})
    fake = SimpleNamespace(env=e, config=config(), out_suffix=".xhtml", fix_fragment=lambda prefix, anchor: anchor)
    fake.page_toc = lambda doc: PressEpubBuilder.page_toc(fake, doc)
    nav = PressEpubBuilder.nav_tree(fake)
    assert [(n.text, n.href) for n in nav] == [
        ("index", "index.xhtml"), ("two", "two.xhtml"), ("Articles & Talks", "two.xhtml#articles-talks"),
        ("three", "three.xhtml")]
