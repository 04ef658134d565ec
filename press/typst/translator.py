"""Docutils/Sphinx doctree -> Typst markup.

Text is escaped for Typst markup (:func:`escape`); code and anything else
verbatim goes through Typst string literals (:func:`string`).  Every Sphinx
document of the assembled book is wrapped in a ``start_of_file`` node; the
translator keeps the current document so every id becomes a unique Typst label
``<doc.name:id>`` (:func:`label`).

The translator writes calls to the ``press-*`` functions of ``book.typ``; the
template owns every design decision (fonts, page furniture, colours).

Book structure, from the author's toctrees (:mod:`press.booktree`), never file names:

* the root document is the opening chapter (its title is also the book title);
* a root toctree's ``:caption:`` is a **part** (heading level 1), written before its first
  chapter; so is a top-level section folder of our own folder convention;
* a top-level entry is a **chapter** (level 1, or 2 inside a part), numbered when the
  author asked (``:numbered:``, Sphinx's numbers);
* pages below a chapter, and sections inside a document, nest below it.

Numbers of figures, tables, listings and equations are Sphinx's own
(``env.toc_fignumbers`` formatted with ``numfig_format``), so the PDF says
"Fig. 3" exactly where the HTML does.

Nodes without a ``visit_`` method are reported with file:line
(``press.typst_node``) and their children are still rendered: nothing is
silently dropped.

The visitors are grouped by concern in the translator's bases: :mod:`press.typst.inline`
(text and references), :mod:`press.typst.lists`, :mod:`press.typst.blocks` (listings, quotes,
admonitions), :mod:`press.typst.tables` (with a :class:`~press.typst.tables.Table` state object
per open table) and :mod:`press.typst.equations` (math); each module names the translator
state it uses.

The visitors for node kinds beyond a plain book (API descriptions, option lists,
grammars, version notes, raw HTML, remote images, ...) are in
:mod:`press.typst.elements`, whose :class:`~press.typst.elements.ExtendedNodeVisitors` also writes a source marker before each
element (so :mod:`press.typst.errors` reports Typst errors at the author's file:line)
and gives every id a label even when its visitor did not write one.
"""

from __future__ import annotations

import re
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.util.docutils import SphinxTranslator

from .. import mathmacros
from ..warnings_ import PressWarning, warn
from . import elements
from . import errors
from .blocks import BlockVisitors, admonition_kind
from .elements import ExtendedNodeVisitors
from .equations import STORE, MathVisitors
from .inline import InlineVisitors
from .lists import ListVisitors
from .tables import Table, TableVisitors

# Typst markup escaping and label names live in a neutral module (the EPUB's page list and
# press.pagemeta use them too); re-exported here for the builder and older callers.
from ..typstmarkup import END_ID, escape, label, string  # noqa: E402,F401

#: a Typst package specification (``"@preview/name:1.0.0"``) anywhere in raw Typst
_PACKAGE = re.compile(r"[\"']\s*@[A-Za-z0-9_-]+/")


def _design(node: nodes.Node) -> str | None:
    return node.get("design_component") if isinstance(node, nodes.Element) else None


class TypstTranslator(ExtendedNodeVisitors, InlineVisitors, ListVisitors, BlockVisitors, TableVisitors, MathVisitors,
                      SphinxTranslator):
    """Write one assembled doctree as the body of a Typst document.

    The visitors are grouped by concern in the bases (inline, lists, blocks and admonitions,
    tables, math); this class holds the shared state (set here, in ``__init__``), the helpers
    every visitor uses, the book structure, sphinx-design, figures and notes.
    """

    def __init__(self, document: nodes.document, builder: Any) -> None:
        super().__init__(document, builder)
        self.body: list[str] = []
        self.context: list[Any] = []
        self.root = builder.config.root_doc
        self.docstack: list[str] = [document.get("docname", self.root)]
        self.section_level = 0
        self.card_fn = "press-card"  # the Typst function a card is written as (see design_grid)
        self.code_ids: dict[str, int] = {}  # listings that may break across pages, numbered per page (see code_call)
        self.levelstack: list[int] = []
        self.tables: list[Table] = []  # the tables being written (press.typst.tables)
        self.in_footnote = 0
        self.in_citation = 0
        self.in_caption = 0
        self.opener: nodes.Element | None = None  # the section of the latest part or chapter title
        self.labels_emitted: set[str] = set()
        self.pending_labels: list[str] = []
        self.known_labels: set[str] = set(getattr(builder, "known_labels", ()))
        self.footnotes: dict[tuple[str, str], nodes.Element] = {}
        self.terms: dict[str, str] = {}  # glossary term label -> term text (for the index)
        self.footnotes_done: set[tuple[str, str]] = set()
        self.fignumbers = getattr(builder.env, "toc_fignumbers", {})
        self.mono = 0  # inside an API signature or grammar: text is monospaced
        self.last_marker: tuple[str, int] | None = None
        self.marker = ""
        self.ended: set[str] = set()  # documents whose end label is written (see end_document)
        self.srcdir = str(getattr(builder, "srcdir", ""))
        self.book_tree = getattr(builder, "book_tree", None)  # press.booktree: parts, chapters
        self.macros = mathmacros.from_config(builder.config)  # mathjax3_config's tex.macros
        self.page_macros: dict[str, dict[str, mathmacros.Macro]] = {}  # \newcommand in a page's math
        self.math_read: dict[str, Any] = getattr(builder.env, STORE, {})  # formulas converted as read (read_math)
        self.missing_glyphs: set[str] = set(getattr(builder, "missing_glyphs", ()))  # press.typst.glyphs
        self.glyphs_warned: set[tuple[str, str]] = set()
        self.gaps = 0  # the gaps between a section's blocks, numbered (see gap_before)
        self._index_footnotes(document)

    # -- helpers ---------------------------------------------------------
    def _index_footnotes(self, tree: nodes.Node) -> None:
        current = [self.docstack[0]]

        def walk(node: nodes.Node) -> None:
            if isinstance(node, addnodes.start_of_file):
                current.append(node["docname"])
            if isinstance(node, nodes.footnote):
                for id_ in node.get("ids", ()):
                    self.footnotes[(current[-1], id_)] = node
            if isinstance(node, nodes.term):
                text = "".join(t.astext() for t in node.findall(nodes.Text) if not isinstance(t.parent, addnodes.index))
                for id_ in node.get("ids", ()):
                    self.terms[label(current[-1], id_)] = text
            if isinstance(node, nodes.Element):
                for child in node.children:
                    walk(child)
            if isinstance(node, addnodes.start_of_file):
                current.pop()

        walk(tree)

    @property
    def docname(self) -> str:
        return self.docstack[-1]

    @property
    def doc_depth(self) -> int:
        return len(self.docstack) - 1

    def close_block(self) -> None:
        """Drop the blank lines a block's last paragraph left before its closing bracket."""
        while self.body and self.body[-1] == "\n\n":
            self.body.pop()

    def add(self, text: str) -> None:
        if self.marker:
            self.body.append(self.marker)  # the source marker of the element now being written
            self.marker = ""
        self.body.append(text)

    def gap_before(self, node: nodes.Node) -> None:
        """A numbered mark (``#press-gap(n)``) in the gap before a block of a section's own
        flow (or a tab's), where the PDF's make-up may add a little space to end facing pages level
        (:mod:`press.typst.level`); none after a heading, a rubric or a lead-in line, which
        stay with what follows them.  A gap above a heading may stretch half as far again; a gap
        inside a box, between two works cited or two entries of the bibliography, half as far."""
        parent = node.parent
        if (isinstance(node, nodes.list_item) and node.previous_sibling() is not None
                and "press-chapter-references" in parent.get("classes", ())):
            self.gaps += 1  # (an entry of a chapter's works cited: an argument of press-reflist)
            self.body.append(f"[#press-gap({self.gaps}, weight: 0.5)], ")
            return
        # (a tab is a plain block of the flow: its blocks' gaps and the gaps between tabs stretch)
        flow = isinstance(parent, nodes.section) or _design(parent) in ("tab-content", "tab-set")
        inner = (isinstance(parent, nodes.Admonition) and admonition_kind(parent) is not None
                 or isinstance(node, nodes.citation))
        if not (flow or inner) or not isinstance(node, (nodes.Body, nodes.section)):
            return
        if isinstance(node, (nodes.Invisible, nodes.target, nodes.title)):
            return
        before = node.previous_sibling()
        while isinstance(before, (nodes.Invisible, nodes.target)):
            before = before.previous_sibling()
        if (before is None or isinstance(before, (nodes.title, nodes.rubric))
                or (isinstance(before, nodes.paragraph) and self.leads_in(before))):
            return
        self.gaps += 1
        weight = (", weight: 1.5" if isinstance(node, nodes.section) or _design(node) == "tab-item"
                  else ", weight: 0.5" if inner else "")
        self.body.append(f"\n#press-gap({self.gaps}{weight})\n\n")

    def astext(self) -> str:
        return "".join(self.body)

    def location(self, node: nodes.Node) -> Any:
        """A file:line location for a node, from the nearest ancestor that has one."""
        current: Any = node
        while current is not None:
            if getattr(current, "line", None) and getattr(current, "source", None):
                return current
            current = current.parent
        return (self.docname, None)

    def render(self, children: list[nodes.Node]) -> str:
        """Render nodes into a string (without adding them to the body)."""
        saved, self.body = self.body, []
        for child in children:
            child.walkabout(self)
        out, self.body = "".join(self.body), saved
        out = out.strip()
        lead = errors.MARKER.match(out)
        if lead:  # a source marker first: the content after it is stripped as before
            out = lead.group(0) + out[lead.end():].strip()
        return out

    def emit_labels(self, node: nodes.Element) -> None:
        for id_ in node.get("ids", ()):
            name = label(self.docname, id_)
            if name in self.labels_emitted:
                continue
            self.labels_emitted.add(name)
            self.add(f"#metadata(none) <{name}>")

    def take_label(self, node: nodes.Element) -> str:
        """`` <label>`` for the first id of a node (attached to the element just written)."""
        ids = node.get("ids", [])
        out = ""
        if ids:
            name = label(self.docname, ids[0])
            if name not in self.labels_emitted:
                self.labels_emitted.add(name)
                out = f" <{name}>"
        return out

    def extra_labels(self, node: nodes.Element) -> None:
        for extra in node.get("ids", [])[1:]:
            self.emit_labels(nodes.inline(ids=[extra]))

    def link_target(self, node: nodes.Element) -> str | None:
        """The Typst label a reference points to, or ``None`` when external."""
        if "refid" in node:
            return label(self.docname, node["refid"])
        uri = node.get("refuri", "")
        if uri.startswith("%"):
            doc, _, anchor = uri[1:].partition("#")
            return label(doc, anchor)
        if uri.startswith("#"):
            return label(self.docname, uri[1:])
        return None

    def fignumber(self, node: nodes.Element, figtype: str) -> str:
        """Sphinx's number of a figure/table/listing, formatted like the HTML (``Fig. 3``)."""
        ids = node.get("ids", [])
        if not ids:
            return ""
        numbers = self.fignumbers.get(self.docname, {}).get(figtype, {}).get(ids[0])
        if not numbers:
            return ""
        fmt = self.config.numfig_format.get(figtype, "%s")
        return fmt % ".".join(map(str, numbers))

    def unknown_visit(self, node: nodes.Node) -> None:
        warn(
            PressWarning.TYPST_NODE,
            f"the Typst writer cannot render a {node.__class__.__name__!r} node yet; its content is kept as plain text",
            location=self.location(node),
        )

    def unknown_departure(self, node: nodes.Node) -> None:
        pass

    # -- structure -------------------------------------------------------
    def visit_document(self, node: nodes.document) -> None:
        root = label(self.docstack[0])
        linked = any(self.link_target(ref) == root for ref in node.findall(nodes.reference))
        if linked and root in self.known_labels and root not in self.labels_emitted:
            self.labels_emitted.add(root)
            self.pending_labels.append(root)  # a link to the root document (e.g. to `/`)

    def depart_document(self, node: nodes.document) -> None:
        ExtendedNodeVisitors.depart_document(self, node)  # labels no visitor wrote

    def end_document(self) -> None:
        """Where the current document's own content ends (before the chapters its toctree
        pulled in): its labels still pending, then ``<d.doc:press-end>``.  One label per
        document (the last one needs none: the book ends there), read back with the others
        for the EPUB's page list (press.pagemap)."""
        doc = self.docname
        if doc in self.ended:
            return
        self.ended.add(doc)
        if self.pending_labels:
            self.add("\n")
            self.flush_labels()
        self.add(f"\n#metadata(none) <{label(doc, END_ID)}>\n\n")

    def visit_start_of_file(self, node: nodes.Element) -> None:
        self.end_document()
        part = self.book_tree.parts_before.get(node["docname"]) if self.book_tree else None
        if part is not None:  # a toctree caption: the part page before its first chapter
            self.flush_labels()
            self.add(f'\n#press-heading(level: 1, kind: "part")[{escape(part.caption)}]\n\n')
        self.docstack.append(node["docname"])
        self.levelstack.append(self.section_level)
        self.section_level = 0
        # Written after the document's title, so the label sits on the opener page.
        self.pending_labels.append(label(node["docname"]))

    def depart_start_of_file(self, node: nodes.Element) -> None:
        self.end_document()
        self.docstack.pop()
        self.section_level = self.levelstack.pop()

    def visit_section(self, node: nodes.section) -> None:
        self.section_level += 1
        # A heading may move to the next page (page break, sticky): label it after the heading.
        for id_ in node.get("ids", ()):
            name = label(self.docname, id_)
            if name not in self.labels_emitted:
                self.labels_emitted.add(name)
                self.pending_labels.append(name)

    def depart_section(self, node: nodes.section) -> None:
        self.section_level -= 1

    def book_entry(self) -> Any:
        """The current document's place in the book (:mod:`press.booktree`), if known."""
        return self.book_tree.docs.get(self.docname) if self.book_tree is not None else None

    def heading_level(self) -> int:
        if self.doc_depth == 0:
            return self.section_level  # the root document is the opening chapter
        entry = self.book_entry()
        if entry is not None:
            return entry.level + self.section_level - 1
        return self.doc_depth + self.section_level - 1

    def heading_kind(self) -> str:
        if self.section_level != 1:
            return "section"
        entry = self.book_entry()
        if entry is not None and self.doc_depth >= 1:
            return {"part": "part", "section": "section"}.get(entry.kind, "chapter")
        return "chapter"

    def heading_number(self, node: nodes.Element) -> str:
        """The ``number:`` argument of a heading: Sphinx's number when the author asked for
        one (``:numbered:``), ``none`` when not; nothing for our folder convention, whose
        chapters in parts the PDF counts itself."""
        entry = self.book_entry()
        if entry is None or entry.counted:
            return ""
        from ..booktree import secnumber

        if self.section_level == 1:
            number = entry.number
        else:
            ids = node.get("ids", ())
            number = secnumber(self.builder.env, self.docname, "#" + ids[0]) if ids else None
        return f", number: {string(number)}" if number else ", number: none"

    def visit_title(self, node: nodes.title) -> None:
        parent = node.parent
        if isinstance(parent, nodes.section):
            level = max(1, self.heading_level())
            kind = self.heading_kind()
            number = self.heading_number(parent)
            if kind in ("chapter", "part"):
                self.opener = parent
            self.add(f'\n#press-heading(level: {level}, kind: "{kind}"{number})[')
            self.context.append("]\n\n")
        elif isinstance(parent, (nodes.Admonition, nodes.topic, nodes.sidebar)):
            raise nodes.SkipNode  # written by the box itself
        elif isinstance(parent, nodes.table):
            raise nodes.SkipNode  # the caption is written by visit_table
        else:
            self.add("#strong[")
            self.context.append("]\n\n")

    def depart_title(self, node: nodes.title) -> None:
        self.add(self.context.pop())
        if isinstance(node.parent, nodes.section):
            self.flush_labels()

    def flush_labels(self) -> None:
        for name in self.pending_labels:
            self.add(f"#metadata(none) <{name}>")
        if self.pending_labels:
            self.add("\n")
        self.pending_labels = []

    def visit_subtitle(self, node: nodes.Element) -> None:
        self.add("#emph[")

    def depart_subtitle(self, node: nodes.Element) -> None:
        self.add("]\n\n")

    def visit_rubric(self, node: nodes.Element) -> None:
        self.emit_labels(node)
        self.add("\n#press-rubric[")

    def depart_rubric(self, node: nodes.Element) -> None:
        self.add("]\n\n")

    def visit_transition(self, node: nodes.Element) -> None:
        following = node.parent.children[node.parent.index(node) + 1:] if node.parent is not None else []
        if following and all(isinstance(n, nodes.footnote) for n in following):
            raise nodes.SkipNode  # MyST's rule above the footnotes: in print they sit at the page foot
        self.add("\n#press-transition()\n\n")
        raise nodes.SkipNode

    def visit_compound(self, node: nodes.Element) -> None:
        self.emit_labels(node)

    def depart_compound(self, node: nodes.Element) -> None:
        pass

    def visit_topic(self, node: nodes.Element) -> None:
        self.emit_labels(node)
        title = node.next_node(nodes.title)
        head = self.render(title.children) if title is not None else ""
        self.add(f"\n#press-box(title: [{head}])[")

    def depart_topic(self, node: nodes.Element) -> None:
        self.add("]\n\n")

    visit_sidebar = visit_topic
    depart_sidebar = depart_topic

    # -- sphinx-design ---------------------------------------------------
    def visit_container(self, node: nodes.Element) -> None:
        self.emit_labels(node)
        kind = _design(node)
        if "literal-block-wrapper" in node.get("classes", ()):
            self.listing(node)
            raise nodes.SkipNode
        handler = {
            "grid-container": self.design_grid,
            "card": self.design_card,
            "tab-set": self.design_tabs,
            "tab-item": self.design_tab,
            "dropdown": self.design_dropdown,
        }.get(kind or "")
        if handler is not None:
            handler(node)
            raise nodes.SkipNode
        self.context.append("")

    def depart_container(self, node: nodes.Element) -> None:
        self.add(self.context.pop())

    def grid_columns(self, node: nodes.Element) -> int:
        row = next((c for c in node.findall(nodes.container) if _design(c) == "grid-row"), None)
        classes = row.get("classes", ()) if row is not None else ()
        found = {}
        for cls in classes:
            m = re.fullmatch(r"sd-row-cols-(?:(xs|sm|md|lg)-)?(\d+)", cls)
            if m:
                found[m.group(1) or "default"] = int(m.group(2))
        cols = found.get("md") or found.get("sm") or found.get("default") or 1
        return max(1, min(cols, 3))

    def design_grid(self, node: nodes.Element) -> None:
        items = [c for c in node.findall(nodes.container) if _design(c) == "grid-item-card" or _design(c) == "grid-item"]
        cells = []
        opener = self.heading_kind() == "part" and self.card_fn == "press-card"  # a part page's own cards
        for item in items:
            if item.parent is not None and _design(item.parent) == "grid-item":
                continue
            outer = item.parent
            while outer is not None and _design(outer) != "grid-container":
                outer = outer.parent
            if outer is not node:
                continue  # an item of a nested grid: written by that grid
            if opener:
                # On a part page each cell is a function of the card style, so the page can
                # set its cards as a short contents list when they would not fit (book.typ).
                self.card_fn, outer_fn = "card", self.card_fn
                cells.append("card => [" + self.render(item.children) + "]")
                self.card_fn = outer_fn
            else:
                cells.append("[" + self.render(item.children) + "]")
        columns = self.grid_columns(node)
        if opener:
            self.add(f"\n#press-opener-grid(columns: {columns}, " + ", ".join(cells) + ")\n\n")
        else:
            self.add(f"\n#press-grid(columns: {columns}, " + ", ".join(cells) + ")\n\n")

    def design_card(self, node: nodes.Element) -> None:
        title_node = next((c for c in node.findall(nodes.container) if _design(c) == "card-title"), None)
        link = next(
            (r for r in node.findall(nodes.reference) if "sd-stretched-link" in r.get("classes", ())), None
        )
        for found in (title_node, link):
            if found is not None and found.parent is not None:
                found.parent.remove(found)  # written as the card's title and page reference
        parts: list[nodes.Node] = []
        for child in node.children:
            if isinstance(child, nodes.container) and _design(child) in ("card-header", "card-body", "card-footer"):
                parts.extend(child.children)
            else:
                parts.append(child)
        args = []
        if title_node is not None:
            args.append(f"title: [{self.render(title_node.children)}]")
        if link is not None:
            target = self.link_target(link)
            if target is not None and target in self.known_labels:
                args.append(f"target: <{target}>")
            elif link.get("refuri") and target is None:
                args.append(f"url: {string(link['refuri'])}")
        self.add(f"\n#{self.card_fn}(" + ", ".join(args) + ")[" + self.render(parts) + "]\n\n")

    def design_tabs(self, node: nodes.Element) -> None:
        self.add("\n#press-tabs[" + self.render(node.children) + "]\n\n")

    def design_tab(self, node: nodes.Element) -> None:
        title = node.next_node(nodes.rubric)
        head = self.render(title.children) if title is not None else ""
        body = [c for c in node.children if c is not title]
        self.add(f"#press-tab([{head}])[" + self.render(body) + "]\n")

    def design_dropdown(self, node: nodes.Element) -> None:
        title = node.children[0] if node.children and isinstance(node.children[0], nodes.rubric) else None
        head = self.render(title.children) if title is not None else ""
        body = [c for c in node.children if c is not title]
        self.add(f"\n#press-dropdown([{head}])[" + self.render(body) + "]\n\n")

    def visit_sd_badge(self, node: nodes.Element) -> None:
        self.add("#press-badge[")

    def depart_sd_badge(self, node: nodes.Element) -> None:
        self.add("]")

    def visit_sd_line_break(self, node: nodes.Element) -> None:
        self.add(" \\\n")
        raise nodes.SkipNode

    def visit_sd_icon(self, node: nodes.Element) -> None:
        raise nodes.SkipNode  # a web icon; its label (if any) is text beside it

    visit_fontawesome = visit_sd_icon

    # -- skipped or metadata-only nodes ---------------------------------
    def visit_highlightlang(self, node: nodes.Element) -> None:
        raise nodes.SkipNode

    def visit_comment(self, node: nodes.Element) -> None:
        raise nodes.SkipNode

    def visit_substitution_definition(self, node: nodes.Element) -> None:
        raise nodes.SkipNode

    def visit_meta(self, node: nodes.Element) -> None:
        raise nodes.SkipNode

    def visit_toctree(self, node: nodes.Element) -> None:
        raise nodes.SkipNode

    def visit_tabular_col_spec(self, node: nodes.Element) -> None:
        raise nodes.SkipNode

    def visit_index(self, node: nodes.Element) -> None:
        """Index entries: metadata that ``press-index()`` collects with page numbers."""
        for entry in node.get("entries", ()):
            kind, value, main = entry[0], entry[1], entry[3]
            parts = [p.strip() for p in value.split(";") if p.strip()]
            if kind == "pair" and len(parts) == 2:
                keys = [parts, parts[::-1]]
            elif kind == "triple" and len(parts) == 3:
                a, b, c = parts
                keys = [[a, f"{b} {c}"], [b, f"{c}, {a}"], [c, f"{a} {b}"]]
            elif kind in ("see", "seealso") and len(parts) == 2:
                word = "see" if kind == "see" else "see also"
                keys = [[parts[0], f"{word} {parts[1]}"]]
            else:
                keys = [parts[:2]]
            for key in keys:
                if not key:
                    continue
                sub = key[1] if len(key) > 1 else ""
                self.add(
                    f"#press-idx({string(self.printable(key[0], node))}, sub: {string(self.printable(sub, node))}"
                    f"{', main: true' if main == 'main' else ''})"
                )
        raise nodes.SkipNode

    def visit_raw(self, node: nodes.Element) -> None:
        formats = node.get("format", "").split()
        if "typst" in formats:
            self.raw_typst(node)
        elif "html" in formats and self.strike(node):
            pass  # MyST's ~~strikethrough~~: <s> … </s> around the struck text
        elif "html" in formats:
            self.add(elements.raw_html(self, node))
        elif elements.is_latex_break(node):
            pass  # the LaTeX half of a MyST hard line break; its HTML half printed the break
        else:
            warn(PressWarning.RAW, f"raw {node.get('format')!r} content is skipped in the PDF", location=self.location(node))
        raise nodes.SkipNode

    def strike(self, node: nodes.Element) -> bool:
        """An inline ``<s>``/``<del>`` raw HTML node with its closing sibling (MyST's
        ``strikethrough``): ``#strike[`` … ``]``.  Whether the node was one of the pair."""
        tag = node.astext().strip().lower()
        if node.get("press_strike_close"):
            self.add("]")
            return True
        if tag not in ("<s>", "<del>", "<strike>") or node.parent is None:
            return False
        closing = "</" + tag[1:]
        for sibling in node.parent.children[node.parent.index(node) + 1:]:
            if isinstance(sibling, nodes.raw) and sibling.astext().strip().lower() == closing:
                sibling["press_strike_close"] = True
                self.add("#strike[")
                return True
            if isinstance(sibling, nodes.raw) and sibling.astext().strip().lower() == tag:
                break  # another one opens first: not a pair
        return False

    def raw_typst(self, node: nodes.Element) -> None:
        """Raw Typst runs as code in the PDF: only under ``press_raw_typst = "allow"``, and
        never a package import (``@preview``: no network, no code from outside the book)."""
        from .. import config as press_config

        policy = press_config.get(self.config).raw_typst
        where = self.location(node)
        if policy == "drop":
            pass  # left out, as the book asked
        elif policy != "allow":
            warn(PressWarning.RAW_TYPST, "raw Typst content would run as code in the PDF; it is left out. "
                 "Set press_raw_typst = 'allow' in conf.py if every author of this book is trusted "
                 "(or 'drop' to leave such content out silently)", location=where)
        elif _PACKAGE.search(node.astext()):
            warn(PressWarning.RAW_TYPST, "raw Typst content imports a Typst package ('@...'); packages are never "
                 "fetched (no network): the content is left out", location=where)
        else:
            self.add("\n" + node.astext() + "\n\n")

    def visit_only(self, node: nodes.Element) -> None:
        pass

    def depart_only(self, node: nodes.Element) -> None:
        pass

    # -- figures and images ---------------------------------------------
    def image_call(self, node: nodes.Element) -> str | None:
        uri = node["uri"]
        if "://" in uri:
            return elements.remote_image(self, node)
        path = self.builder.images.get(uri)
        if path is None:
            warn(PressWarning.TYPST_NODE, f"image {uri!r} was not copied for the PDF", location=self.location(node))
            return None
        alt = node.get("alt", "")
        width = node.get("width", "")
        imagedir = self.builder.imagedir
        args = [string(f"/{imagedir}/{path}" if imagedir else f"/{path}")]
        if alt:
            args.append(f"alt: {string(alt)}")
        if isinstance(width, str) and re.fullmatch(r"\d+(\.\d+)?%", width):  # never verbatim code
            args.append(f"width: {width}")
        elif isinstance(width, str) and re.fullmatch(r"\d+(\.\d+)?(px)?", width or "x"):
            args.append(f"width: {float(width.removesuffix('px')) * 0.75:.1f}pt")
        elif isinstance(width, str) and re.fullmatch(r"\d+(\.\d+)?(pt|mm|cm|in|em)", width or "x"):
            args.append(f"width: {width}")
        avatar = elements.AVATAR_SIZES.keys() & set(node.get("classes", ()))
        if avatar and not width:  # sphinx-design's avatar classes: a small picture
            args.append(f"width: {elements.AVATAR_SIZES[avatar.pop()]}")
        return "#press-image(" + ", ".join(args) + ")"

    def visit_image(self, node: nodes.Element) -> None:
        call = self.image_call(node)
        if call is not None:
            self.emit_labels(node)
            self.add(call)
        raise nodes.SkipNode

    def visit_figure(self, node: nodes.Element) -> None:
        content = self.render([c for c in node.children if not isinstance(c, (nodes.caption, nodes.legend))])
        caption = node.next_node(nodes.caption)
        self.in_caption += 1
        text = self.render(caption.children) if caption is not None else ""
        self.in_caption -= 1
        number = self.fignumber(node, "figure")
        bottom = ", placement: bottom" if self.near_opener(node) else ""
        self.add(f"\n#press-figure([{content}], caption: [{text}], number: {string(number)}{bottom})")
        self.add(self.take_label(node) + "\n\n")
        self.extra_labels(node)
        legend = node.next_node(nodes.legend)
        if legend is not None:
            for child in legend.children:
                child.walkabout(self)
        raise nodes.SkipNode


    #: A float within this many lines of a chapter's (or part's) title floats to the bottom:
    #: on the opener page it could otherwise go to the top, above the title (issue 23). The
    #: rule is decided here, from the text before the float, never from where Typst put it
    #: (a rule on the landed page fed back into the layout and did not converge).
    OPENER_LINES = 24

    def near_opener(self, node: nodes.Element) -> bool:
        """Whether a float sits in the first lines of the current chapter or part: counted as
        lines of about 60 characters per paragraph, three per heading, ten per figure or
        table (an over-estimate of the space before it errs towards ``bottom``)."""
        if self.opener is None:
            return False
        lines = 0
        for n in self.opener.findall(nodes.Element):
            if n is node:
                return True
            if n is self.opener or isinstance(n, (nodes.section, nodes.Inline)):
                continue
            if isinstance(n, nodes.title):
                lines += 0 if n.parent is self.opener else 3
            elif isinstance(n, (nodes.figure, nodes.table, nodes.image)):
                lines += 10
            elif isinstance(n, nodes.literal_block):
                lines += n.astext().count("\n") + 2
            elif isinstance(n, (nodes.paragraph, nodes.rubric, nodes.term)):
                lines += -(-len(n.astext()) // 60) + 1
            if lines > self.OPENER_LINES:
                return False
        return False
    def visit_caption(self, node: nodes.Element) -> None:
        self.add("#emph[")  # a caption outside a figure

    def depart_caption(self, node: nodes.Element) -> None:
        self.add("]\n\n")

    def visit_legend(self, node: nodes.Element) -> None:
        pass

    def depart_legend(self, node: nodes.Element) -> None:
        pass

    # -- notes -----------------------------------------------------------
    def visit_footnote_reference(self, node: nodes.Element) -> None:
        key = (self.docname, node.get("refid", ""))
        footnote = self.footnotes.get(key)
        if footnote is None:
            self.add("#super[" + escape(node.astext()) + "]")
            raise nodes.SkipNode
        name = label(self.docname, "fn-" + key[1])
        if key in self.footnotes_done:
            self.add(f"#footnote(<{name}>)")
            raise nodes.SkipNode
        self.footnotes_done.add(key)
        self.in_footnote += 1
        text = self.render([c for c in footnote.children if not isinstance(c, nodes.label)])
        self.in_footnote -= 1
        self.add(f"#footnote[{text}]<{name}>")
        raise nodes.SkipNode

    def visit_footnote(self, node: nodes.Element) -> None:
        raise nodes.SkipNode  # rendered at its reference

    def visit_citation(self, node: nodes.Element) -> None:
        self.emit_labels(node)
        lab = node.next_node(nodes.label)
        self.in_citation += 1
        self.add("\n#press-citation[" + escape(lab.astext() if lab else "") + "][")

    def depart_citation(self, node: nodes.Element) -> None:
        self.in_citation -= 1
        self.close_block()
        self.add("]\n")

    def visit_label(self, node: nodes.Element) -> None:
        raise nodes.SkipNode

    def visit_citation_reference(self, node: nodes.Element) -> None:
        self.visit_reference(node)  # type: ignore[arg-type]

    def depart_citation_reference(self, node: nodes.Element) -> None:
        self.depart_reference(node)  # type: ignore[arg-type]
