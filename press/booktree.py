"""The book's shape, from the author's toctrees: parts, chapters and sections for print and EPUB.

One tree, read from the environment after every page is read, serves the PDF (heading
kinds and levels, part pages, contents, bookmarks) and the EPUB (navigation document,
``toc.ncx``, ``epub:type`` of each page):

* the root document opens the book;
* a ``:caption:`` of a toctree on the root page is a **part** (sphinx-external-toc turns the
  parts of a ``_toc.yml`` into such captioned toctrees); the entries of a captioned toctree
  are its **chapters**;
* the entries of an uncaptioned root toctree are **chapters** (front or back matter when
  the book also has parts);
* pages listed in a chapter's toctrees are **sections** nested below it, at any depth;
* numbers are Sphinx's own (``:numbered:``, ``env.toc_secnumbers``), so print and web agree;
  a book that asks for none gets none.

Our own convention (:mod:`press.structure`: folders with an ``index.md``, hidden toctrees
generated from ``weight``) keeps what the guide always printed: a top-level section folder
is a part and its pages are chapters, numbered in print.  Likewise
``latex_toplevel_sectioning = "part"`` makes the entries of an uncaptioned root toctree parts.

A page listed in two toctrees appears once, where it is first met in reading order; the
second listing is a ``press.structure`` warning at the toctree that repeats it.
File names never decide anything here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from docutils import nodes
from sphinx import addnodes

from .warnings_ import PressWarning, warn

PART, CHAPTER, SECTION, ROOT = "part", "chapter", "section", "root"


@dataclass
class Entry:
    """One part, chapter or nested page of the book."""

    kind: str  # PART, CHAPTER, SECTION or ROOT
    docname: str | None  # None: a part made from a toctree caption
    level: int  # heading level of its title in print (1 = part or top-level chapter)
    caption: str = ""  # the part's title when it comes from a toctree caption
    number: str | None = None  # Sphinx's section number ("3", "3.2"), when the author asked
    counted: bool = False  # a chapter numbered by the PDF's own counter (our folder convention)
    children: list[Entry] = field(default_factory=list)


@dataclass
class BookTree:
    root: Entry
    docs: dict[str, Entry]  # every page in the book -> its entry
    #: a page that opens a captioned part -> that part (the PDF writes the part page before it)
    parts_before: dict[str, Entry]
    order: list[str]  # the pages in reading order (root first)
    #: (page whose toctree repeats a page, the repeated page): what the book leaves out
    repeated: list[tuple[str, str]] = field(default_factory=list)

    @property
    def top(self) -> list[Entry]:
        return self.root.children


def _toctrees(env: Any, docname: str) -> list[tuple[str, list[str], bool]]:
    """``(caption, included pages, numbered)`` of each toctree of a page, in order."""
    found: list[tuple[str, list[str], bool]] = []
    toc = env.tocs.get(docname)
    if toc is not None:
        for tt in toc.findall(addnodes.toctree):
            found.append((tt.get("caption") or "", [str(f) for f in tt.get("includefiles", ())], bool(tt.get("numbered"))))
    listed = {f for _, files, _ in found for f in files}
    rest = [d for d in env.toctree_includes.get(docname, ()) if d not in listed]
    if rest:  # a toctree outside every section (a page without a title): no caption known
        found.append(("", rest, False))
    return found


def secnumber(env: Any, docname: str, anchor: str = "") -> str | None:
    """Sphinx's number of a page (``anchor=""``) or of a section of it (``"#id"``)."""
    numbers = getattr(env, "toc_secnumbers", {}).get(docname, {}).get(anchor)
    return ".".join(map(str, numbers)) if numbers else None


def book_tree(env: Any, config: Any, warn_duplicates: bool = False) -> BookTree:
    """The book's tree from the root page's toctrees (see the module docstring)."""
    root_doc = config.root_doc
    docs: dict[str, Entry] = {}
    order: list[str] = [root_doc]
    parts_before: dict[str, Entry] = {}
    seen: dict[str, str] = {root_doc: ""}  # page -> the page whose toctree listed it
    repeated: list[tuple[str, str]] = []
    folders = getattr(env, "press_order", None) or {}  # press.structure's generated toctrees
    known = env.all_docs if env.all_docs else env.found_docs

    def take(child: str, parent: str) -> bool:
        if child not in known:
            return False
        if child in seen:
            repeated.append((parent, child))
            if warn_duplicates:
                first = seen[child] or root_doc
                where = f"the toctree of {first!r}" if first != parent else "the same page's toctrees"
                warn(
                    PressWarning.STRUCTURE,
                    f"{child!r} is listed in more than one toctree (also in {where}); the book shows it once, "
                    "where it is first listed",
                    location=parent,
                )
            return False
        seen[child] = parent
        order.append(child)
        return True

    counted = bool(folders)  # our folder convention: the PDF counts the chapters in parts

    def page(doc: str, kind: str, level: int) -> Entry:
        number = secnumber(env, doc)
        entry = Entry(kind, doc, level, number=number, counted=counted and number is None)
        docs[doc] = entry
        below = CHAPTER if kind == PART else SECTION
        for _caption, files, _numbered in _toctrees(env, doc):
            for child in files:
                if take(child, doc):
                    entry.children.append(page(child, below, level + 1))
        return entry

    root = Entry(ROOT, root_doc, 1, counted=counted)
    docs[root_doc] = root
    trees = _toctrees(env, root_doc)
    captioned = any(caption for caption, _, _ in trees)
    parts_by_setting = not captioned and getattr(config, "latex_toplevel_sectioning", None) == "part"
    for caption, files, _numbered in trees:
        if caption:
            part = Entry(PART, None, 1, caption=caption)
            for child in files:
                if take(child, root_doc):
                    part.children.append(page(child, CHAPTER, 2))
            if part.children:
                parts_before[part.children[0].docname or ""] = part
                root.children.append(part)
            continue
        for child in files:
            if not take(child, root_doc):
                continue
            if parts_by_setting or (child in folders and child != root_doc and folders.get(child)):
                root.children.append(page(child, PART, 1))
            else:
                root.children.append(page(child, CHAPTER, 1))
    return BookTree(root, docs, parts_before, order, repeated)


def part_title(entry: Entry, env: Any) -> str:
    """The plain title of an entry (its caption, or its page's title)."""
    if entry.docname is None:
        return entry.caption
    title = env.titles.get(entry.docname)
    return title.astext() if isinstance(title, nodes.Node) else entry.docname


def _check(app: Any, env: Any) -> None:
    """After every read (``env-updated``, before the environment is saved): a page listed in
    two toctrees is one warning, and the repeated listing leaves the navigation's toctrees
    (``env.tocs``, which the web sidebar and Sphinx's parent/next links read), so the web
    book shows each page once too, where the PDF and the EPUB show it.  The saved
    environment keeps that: the warning comes again only when the repeating page is read
    again.  (The page's own text, a visible toctree, is left as written.)"""
    tree = book_tree(env, app.config, warn_duplicates=True)
    for parent, child in tree.repeated:
        toc = env.tocs.get(parent)
        if toc is None:
            continue
        for tt in toc.findall(addnodes.toctree):
            if child in tt.get("includefiles", ()):
                tt["includefiles"] = [f for f in tt["includefiles"] if f != child]
                tt["entries"] = [(t, r) for t, r in tt["entries"] if r != child]
                break
        includes = env.toctree_includes.get(parent)
        if includes and child in includes:
            includes.remove(child)


def setup(app: Any) -> dict[str, Any]:
    app.connect("env-updated", _check)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
