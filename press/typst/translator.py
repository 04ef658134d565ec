"""Docutils/Sphinx doctree -> Typst markup.

Text is escaped for Typst markup (:func:`escape`); code and anything else
verbatim goes through Typst string literals (:func:`string`).  Every Sphinx
document of the assembled book is wrapped in a ``start_of_file`` node; the
translator keeps the current document so every id becomes a unique Typst label
``<doc.name:id>`` (:func:`label`).

Nodes without a ``visit_`` method are reported with file:line
(``press.typst_node``) and their children are still rendered: nothing is
silently dropped.
"""

from __future__ import annotations

import re
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.util.docutils import SphinxTranslator

from ..warnings_ import PressWarning, warn

_SPECIAL = re.compile(r"([\\#*_`$<>@=\-+/\[\]~'\".:])")
_LABEL_BAD = re.compile(r"[^\w.:-]", re.UNICODE)


def escape(text: str) -> str:
    """Escape text for Typst markup; whitespace runs become one space."""
    text = _SPECIAL.sub(r"\\\1", text)
    return re.sub(r"\s+", " ", text)


def string(text: str) -> str:
    """A Typst string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "").replace("\t", "    ") + '"'


def label(docname: str, id_: str = "") -> str:
    """The Typst label name of a document (``id_=""``) or of an id in it."""
    name = "d." + docname.replace("/", ".")
    if id_:
        name += ":" + id_
    return _LABEL_BAD.sub("_", name)


ADMONITIONS = {
    nodes.attention: "attention",
    nodes.caution: "caution",
    nodes.danger: "danger",
    nodes.error: "error",
    nodes.hint: "hint",
    nodes.important: "important",
    nodes.note: "note",
    nodes.tip: "tip",
    nodes.warning: "warning",
    addnodes.seealso: "seealso",
}


class TypstTranslator(SphinxTranslator):
    """Write one assembled doctree as the body of a Typst document."""

    def __init__(self, document: nodes.document, builder: Any) -> None:
        super().__init__(document, builder)
        self.body: list[str] = []
        self.context: list[Any] = []
        self.docstack: list[str] = [document.get("docname", builder.config.root_doc)]
        self.section_level = 0
        self.levelstack: list[int] = []
        self.list_stack: list[str] = []
        self.pending_doc_label = label(self.docstack[0])
        self.in_table = 0
        self.labels_emitted: set[str] = set()
        self.known_labels: set[str] = set(getattr(builder, "known_labels", ()))

    # -- helpers ---------------------------------------------------------
    @property
    def docname(self) -> str:
        return self.docstack[-1]

    @property
    def doc_depth(self) -> int:
        return len(self.docstack) - 1

    def add(self, text: str) -> None:
        self.body.append(text)

    def astext(self) -> str:
        return "".join(self.body)

    def emit_labels(self, node: nodes.Element) -> None:
        for id_ in node.get("ids", ()):
            name = label(self.docname, id_)
            if name in self.labels_emitted:
                continue
            self.labels_emitted.add(name)
            self.add(f"#metadata(none) <{name}>")

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

    def unknown_visit(self, node: nodes.Node) -> None:
        warn(
            PressWarning.TYPST_NODE,
            f"the Typst writer cannot render a {node.__class__.__name__!r} node yet; its content is kept as plain text",
            location=node,
        )

    def unknown_departure(self, node: nodes.Node) -> None:
        pass

    # -- structure -------------------------------------------------------
    def visit_document(self, node: nodes.document) -> None:
        pass

    def depart_document(self, node: nodes.document) -> None:
        pass

    def visit_start_of_file(self, node: nodes.Element) -> None:
        self.docstack.append(node["docname"])
        self.levelstack.append(self.section_level)
        self.section_level = 0
        self.pending_doc_label = label(node["docname"])

    def depart_start_of_file(self, node: nodes.Element) -> None:
        self.docstack.pop()
        self.section_level = self.levelstack.pop()

    def visit_section(self, node: nodes.section) -> None:
        self.section_level += 1
        # Labels go after the heading: headings may start a new page.
        if not isinstance(node.next_node(), nodes.title):
            self.emit_labels(node)

    def emit_heading_labels(self, section: nodes.Element) -> None:
        if self.pending_doc_label:
            if self.pending_doc_label not in self.labels_emitted:
                self.labels_emitted.add(self.pending_doc_label)
                self.add(f"#metadata(none) <{self.pending_doc_label}>")
            self.pending_doc_label = ""
        self.emit_labels(section)

    def depart_section(self, node: nodes.section) -> None:
        self.section_level -= 1

    def heading_level(self) -> int:
        return self.doc_depth + self.section_level - 1

    def visit_title(self, node: nodes.title) -> None:
        parent = node.parent
        if isinstance(parent, nodes.section):
            level = self.heading_level()
            if level < 1:
                # The root document's title is the book title (title page).
                self.emit_heading_labels(parent)
                raise nodes.SkipNode
            kind = "chapter" if self.section_level == 1 else "section"
            self.add(f'\n#press-heading(level: {level}, kind: "{kind}", doc: "{label(self.docname)}")[')
            self.context.append("]\n")
        elif isinstance(parent, (nodes.Admonition, nodes.topic, nodes.sidebar)):
            self.add("#strong[")
            self.context.append("] \\\n")
        elif isinstance(parent, nodes.table):
            raise nodes.SkipNode  # the caption is written by visit_table
        else:
            self.add("#strong[")
            self.context.append("]\n\n")

    def depart_title(self, node: nodes.title) -> None:
        self.add(self.context.pop())
        if isinstance(node.parent, nodes.section):
            self.emit_heading_labels(node.parent)
            self.add("\n\n")

    def visit_subtitle(self, node: nodes.Element) -> None:
        self.add("#emph[")

    def depart_subtitle(self, node: nodes.Element) -> None:
        self.add("]\n\n")

    def visit_rubric(self, node: nodes.Element) -> None:
        self.add("\n#press-rubric[")

    def depart_rubric(self, node: nodes.Element) -> None:
        self.add("]\n\n")

    def visit_transition(self, node: nodes.Element) -> None:
        self.add("\n#press-transition()\n\n")
        raise nodes.SkipNode

    def visit_compound(self, node: nodes.Element) -> None:
        pass

    def depart_compound(self, node: nodes.Element) -> None:
        pass

    def visit_container(self, node: nodes.Element) -> None:
        self.emit_labels(node)

    def depart_container(self, node: nodes.Element) -> None:
        pass

    def visit_topic(self, node: nodes.Element) -> None:
        self.add("\n#press-box[")

    def depart_topic(self, node: nodes.Element) -> None:
        self.add("]\n\n")

    visit_sidebar = visit_topic
    depart_sidebar = depart_topic

    # -- paragraphs and inline -----------------------------------------
    def visit_paragraph(self, node: nodes.paragraph) -> None:
        self.emit_labels(node)

    def depart_paragraph(self, node: nodes.paragraph) -> None:
        if self.in_table:
            if node.next_node(descend=False, siblings=True) is not None:
                self.add(" #parbreak() ")
        else:
            self.add("\n\n")

    def visit_Text(self, node: nodes.Text) -> None:
        self.add(escape(node.astext()))

    def depart_Text(self, node: nodes.Text) -> None:
        pass

    def visit_emphasis(self, node: nodes.Element) -> None:
        self.add("#emph[")

    def depart_emphasis(self, node: nodes.Element) -> None:
        self.add("]")

    def visit_strong(self, node: nodes.Element) -> None:
        self.add("#strong[")

    def depart_strong(self, node: nodes.Element) -> None:
        self.add("]")

    def visit_literal(self, node: nodes.Element) -> None:
        self.add(f"#raw({string(node.astext())})")
        raise nodes.SkipNode

    def visit_subscript(self, node: nodes.Element) -> None:
        self.add("#sub[")

    def depart_subscript(self, node: nodes.Element) -> None:
        self.add("]")

    def visit_superscript(self, node: nodes.Element) -> None:
        self.add("#super[")

    def depart_superscript(self, node: nodes.Element) -> None:
        self.add("]")

    def visit_inline(self, node: nodes.Element) -> None:
        self.emit_labels(node)

    def depart_inline(self, node: nodes.Element) -> None:
        pass

    def visit_abbreviation(self, node: nodes.Element) -> None:
        pass

    def depart_abbreviation(self, node: nodes.Element) -> None:
        pass

    def visit_problematic(self, node: nodes.Element) -> None:
        self.add("#text(fill: red)[")

    def depart_problematic(self, node: nodes.Element) -> None:
        self.add("]")

    def visit_PassthroughTextElement(self, node: nodes.Element) -> None:
        pass  # sphinx-design's wrapper around inline text

    def depart_PassthroughTextElement(self, node: nodes.Element) -> None:
        pass

    def visit_generated(self, node: nodes.Element) -> None:
        pass

    def depart_generated(self, node: nodes.Element) -> None:
        pass

    def visit_title_reference(self, node: nodes.Element) -> None:
        self.add("#emph[")

    def depart_title_reference(self, node: nodes.Element) -> None:
        self.add("]")

    def visit_reference(self, node: nodes.reference) -> None:
        target = self.link_target(node)
        if target is not None:
            if target not in self.known_labels:
                # A target outside the book (e.g. a web-only page): keep the text.
                self.context.append("")
                return
            self.add(f"#press-xref(<{target}>)[")
            self.context.append("]")
            return
        uri = node.get("refuri", "")
        if not uri:
            self.context.append("")
            return
        self.add(f"#press-link({string(uri)})[")
        self.context.append("]")

    def depart_reference(self, node: nodes.reference) -> None:
        self.add(self.context.pop())

    def visit_target(self, node: nodes.Element) -> None:
        self.emit_labels(node)
        raise nodes.SkipNode

    def visit_pending_xref(self, node: nodes.Element) -> None:
        pass  # unresolved (already warned by Sphinx): keep the text

    def depart_pending_xref(self, node: nodes.Element) -> None:
        pass

    def visit_number_reference(self, node: nodes.Element) -> None:
        self.visit_reference(node)  # type: ignore[arg-type]

    def depart_number_reference(self, node: nodes.Element) -> None:
        self.depart_reference(node)  # type: ignore[arg-type]

    # -- lists -----------------------------------------------------------
    def visit_bullet_list(self, node: nodes.Element) -> None:
        self.add("\n#list(")
        self.list_stack.append("list")

    def depart_bullet_list(self, node: nodes.Element) -> None:
        self.list_stack.pop()
        self.add(")\n\n")

    def visit_enumerated_list(self, node: nodes.Element) -> None:
        style = {
            "arabic": "1.",
            "loweralpha": "a.",
            "upperalpha": "A.",
            "lowerroman": "i.",
            "upperroman": "I.",
        }.get(node.get("enumtype", "arabic"), "1.")
        start = node.get("start", 1)
        self.add(f'\n#enum(start: {start}, numbering: "{style}", ')
        self.list_stack.append("enum")

    def depart_enumerated_list(self, node: nodes.Element) -> None:
        self.list_stack.pop()
        self.add(")\n\n")

    def visit_list_item(self, node: nodes.Element) -> None:
        self.add("[")

    def depart_list_item(self, node: nodes.Element) -> None:
        while self.body and self.body[-1] == "\n\n":
            self.body.pop()
        self.add("], ")

    def visit_definition_list(self, node: nodes.Element) -> None:
        self.add("\n#press-terms(")

    def depart_definition_list(self, node: nodes.Element) -> None:
        self.add(")\n\n")

    def visit_definition_list_item(self, node: nodes.Element) -> None:
        self.add("(")

    def depart_definition_list_item(self, node: nodes.Element) -> None:
        self.add("), ")

    def visit_term(self, node: nodes.Element) -> None:
        self.add("[")
        self.emit_labels(node)

    def depart_term(self, node: nodes.Element) -> None:
        self.add("], ")

    def visit_classifier(self, node: nodes.Element) -> None:
        self.add(" : #emph[")

    def depart_classifier(self, node: nodes.Element) -> None:
        self.add("]")

    def visit_definition(self, node: nodes.Element) -> None:
        self.add("[")

    def depart_definition(self, node: nodes.Element) -> None:
        self.add("]")

    def visit_glossary(self, node: nodes.Element) -> None:
        pass

    def depart_glossary(self, node: nodes.Element) -> None:
        pass

    def visit_field_list(self, node: nodes.Element) -> None:
        self.add("\n#press-fields(")

    def depart_field_list(self, node: nodes.Element) -> None:
        self.add(")\n\n")

    def visit_field(self, node: nodes.Element) -> None:
        self.add("(")

    def depart_field(self, node: nodes.Element) -> None:
        self.add("), ")

    def visit_field_name(self, node: nodes.Element) -> None:
        self.add("[")

    def depart_field_name(self, node: nodes.Element) -> None:
        self.add("], ")

    def visit_field_body(self, node: nodes.Element) -> None:
        self.add("[")

    def depart_field_body(self, node: nodes.Element) -> None:
        self.add("]")

    def visit_line_block(self, node: nodes.Element) -> None:
        self.add("\n")

    def depart_line_block(self, node: nodes.Element) -> None:
        self.add("\n\n")

    def visit_line(self, node: nodes.Element) -> None:
        pass

    def depart_line(self, node: nodes.Element) -> None:
        self.add(" \\\n")

    # -- blocks ----------------------------------------------------------
    def visit_literal_block(self, node: nodes.Element) -> None:
        lang = node.get("language", "")
        if lang in ("default", "none", "text"):
            lang = ""
        args = [f"block: true", f"lang: {string(lang)}" if lang else "", string(node.astext())]
        self.emit_labels(node)
        self.add("\n#press-code(raw(" + ", ".join(a for a in args if a) + "))\n\n")
        raise nodes.SkipNode

    visit_doctest_block = visit_literal_block

    def visit_block_quote(self, node: nodes.Element) -> None:
        attribution = node.next_node(nodes.attribution)
        self.add("\n#quote(block: true")
        if attribution is not None:
            self.add(", attribution: [" + escape(attribution.astext()) + "]")
        self.add(")[")

    def depart_block_quote(self, node: nodes.Element) -> None:
        self.add("]\n\n")

    def visit_attribution(self, node: nodes.Element) -> None:
        raise nodes.SkipNode

    def _admonition(self, node: nodes.Element, kind: str) -> None:
        self.emit_labels(node)
        self.add(f'\n#press-admonition("{kind}")[')

    def visit_admonition(self, node: nodes.Element) -> None:
        kind = "note"
        for cls in ADMONITIONS.values():
            if cls in node.get("classes", ()):
                kind = cls
        self._admonition(node, kind)

    def depart_admonition(self, node: nodes.Element) -> None:
        self.add("]\n\n")

    def visit_highlightlang(self, node: nodes.Element) -> None:
        raise nodes.SkipNode

    def visit_comment(self, node: nodes.Element) -> None:
        raise nodes.SkipNode

    def visit_substitution_definition(self, node: nodes.Element) -> None:
        raise nodes.SkipNode

    def visit_meta(self, node: nodes.Element) -> None:
        raise nodes.SkipNode

    def visit_index(self, node: nodes.Element) -> None:
        raise nodes.SkipNode

    def visit_toctree(self, node: nodes.Element) -> None:
        raise nodes.SkipNode

    def visit_raw(self, node: nodes.Element) -> None:
        formats = node.get("format", "").split()
        if "typst" in formats:
            self.add(node.astext())
        else:
            warn(PressWarning.RAW, f"raw {node.get('format')!r} content is skipped in the PDF", location=node)
        raise nodes.SkipNode

    def visit_only(self, node: nodes.Element) -> None:
        pass

    def depart_only(self, node: nodes.Element) -> None:
        pass

    # -- figures and images ---------------------------------------------
    def visit_image(self, node: nodes.Element) -> None:
        uri = node["uri"]
        path = self.builder.images.get(uri)
        if path is None:
            warn(PressWarning.TYPST_NODE, f"image {uri!r} was not copied for the PDF", location=node)
            raise nodes.SkipNode
        alt = node.get("alt", "")
        width = node.get("width", "")
        args = [string(f"{self.builder.imagedir}/{path}")]
        if alt:
            args.append(f"alt: {string(alt)}")
        if isinstance(width, str) and width.endswith("%"):
            args.append(f"width: {width}")
        elif not isinstance(node.parent, nodes.figure):
            args.append("width: 100%")
        self.add("#press-image(" + ", ".join(args) + ")")
        raise nodes.SkipNode

    def visit_figure(self, node: nodes.Element) -> None:
        self.add("\n#figure([")
        for child in node.children:
            if not isinstance(child, (nodes.caption, nodes.legend)):
                child.walkabout(self)
        self.add("]")
        caption = node.next_node(nodes.caption)
        if caption is not None:
            self.add(", caption: [")
            for child in caption.children:
                child.walkabout(self)
            self.add("]")
        self.add(")")
        self.add_figure_label(node)
        legend = node.next_node(nodes.legend)
        if legend is not None:
            for child in legend.children:
                child.walkabout(self)
        raise nodes.SkipNode

    def add_figure_label(self, node: nodes.Element) -> None:
        ids = node.get("ids", [])
        if ids:
            name = label(self.docname, ids[0])
            self.labels_emitted.add(name)
            self.add(f" <{name}>")
            for extra in ids[1:]:
                self.emit_labels(nodes.inline(ids=[extra]))
        self.add("\n\n")

    def visit_caption(self, node: nodes.Element) -> None:
        self.add("#emph[")  # a caption outside a figure (e.g. a code block)

    def depart_caption(self, node: nodes.Element) -> None:
        self.add("]\n\n")

    # -- tables ----------------------------------------------------------
    def visit_table(self, node: nodes.Element) -> None:
        title = node.next_node(nodes.title)
        self.add("\n#figure(kind: table")
        if title is not None:
            self.add(", caption: [")
            for child in title.children:
                child.walkabout(self)
            self.add("]")
        self.add(")[")
        for child in node.children:
            if not isinstance(child, nodes.title):
                child.walkabout(self)
        self.add("]")
        self.add_figure_label(node)
        raise nodes.SkipNode

    def visit_tgroup(self, node: nodes.Element) -> None:
        colspecs = [c for c in node.children if isinstance(c, nodes.colspec)]
        widths = [int(c.get("colwidth", 1)) or 1 for c in colspecs]
        total = sum(widths) or 1
        cols = ", ".join(f"{w / total:.4f}fr" for w in widths) or "1fr"
        self.add(f"#press-table(columns: ({cols},), ")

    def depart_tgroup(self, node: nodes.Element) -> None:
        self.add(")")

    def visit_colspec(self, node: nodes.Element) -> None:
        raise nodes.SkipNode

    def visit_thead(self, node: nodes.Element) -> None:
        self.add("table.header(")

    def depart_thead(self, node: nodes.Element) -> None:
        self.add("), ")

    def visit_tbody(self, node: nodes.Element) -> None:
        pass

    def depart_tbody(self, node: nodes.Element) -> None:
        pass

    def visit_row(self, node: nodes.Element) -> None:
        pass

    def depart_row(self, node: nodes.Element) -> None:
        pass

    def visit_entry(self, node: nodes.Element) -> None:
        spans = []
        if node.get("morecols"):
            spans.append(f"colspan: {node['morecols'] + 1}")
        if node.get("morerows"):
            spans.append(f"rowspan: {node['morerows'] + 1}")
        self.in_table += 1
        self.add(f"table.cell({', '.join(spans)})[" if spans else "[")

    def depart_entry(self, node: nodes.Element) -> None:
        self.in_table -= 1
        self.add("], ")

    # -- notes -----------------------------------------------------------
    def visit_footnote_reference(self, node: nodes.Element) -> None:
        footnote = self.document.ids.get(node.get("refid", ""))
        if footnote is None:
            raise nodes.SkipNode
        self.add("#footnote[")
        saved = self.in_table
        self.in_table = 1  # paragraphs inside stay inline
        for child in footnote.children:
            if not isinstance(child, nodes.label):
                child.walkabout(self)
        self.in_table = saved
        self.add("]")
        raise nodes.SkipNode

    def visit_footnote(self, node: nodes.Element) -> None:
        raise nodes.SkipNode  # rendered at its reference

    def visit_citation(self, node: nodes.Element) -> None:
        self.emit_labels(node)
        lab = node.next_node(nodes.label)
        self.add("\n#press-citation[" + escape(lab.astext() if lab else "") + "][")

    def depart_citation(self, node: nodes.Element) -> None:
        while self.body and self.body[-1] == "\n\n":
            self.body.pop()
        self.add("]\n")

    def visit_label(self, node: nodes.Element) -> None:
        raise nodes.SkipNode

    def visit_citation_reference(self, node: nodes.Element) -> None:
        self.visit_reference(node)  # type: ignore[arg-type]

    def depart_citation_reference(self, node: nodes.Element) -> None:
        self.depart_reference(node)  # type: ignore[arg-type]

    # -- math (LaTeX is converted by press.typst.math) ------------------
    def visit_math(self, node: nodes.Element) -> None:
        from .math import to_typst

        self.add("$" + to_typst(node.astext(), node) + "$")
        raise nodes.SkipNode

    def visit_math_block(self, node: nodes.Element) -> None:
        from .math import to_typst

        self.emit_labels(node)
        self.add("\n$ " + to_typst(node.astext(), node) + " $\n\n")
        raise nodes.SkipNode

    def visit_displaymath(self, node: nodes.Element) -> None:
        self.visit_math_block(node)


def visit_page_meta(self: TypstTranslator, node: nodes.Element) -> None:
    """Chapter opener data: description and date under the title."""
    args = [f"description: {string(node['description'])}", f"date: {string(node['date'])}"]
    self.add("#press-pagemeta(" + ", ".join(args) + ")\n\n")
    raise nodes.SkipNode


def _make_admonition_visitor(kind: str) -> Any:
    def visit(self: TypstTranslator, node: nodes.Element) -> None:
        self._admonition(node, kind)

    return visit


for _cls, _kind in ADMONITIONS.items():
    setattr(TypstTranslator, f"visit_{_cls.__name__}", _make_admonition_visitor(_kind))
    setattr(TypstTranslator, f"depart_{_cls.__name__}", TypstTranslator.depart_admonition)
