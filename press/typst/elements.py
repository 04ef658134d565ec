"""Typst renderings of the rest of docutils, Sphinx, MyST, sphinx-design and bibtex nodes.

:class:`ExtendedNodeVisitors` is a base of :class:`press.typst.translator.TypstTranslator`; it holds
the visitors for node kinds beyond a plain book (API descriptions, option lists, grammars,
version notes, raw HTML, remote images, task lists, ...) and the two safety nets every node
passes through (:meth:`ExtendedNodeVisitors.dispatch_visit`).  It works on the translator's
state (``add``, ``docname``, the label sets) but never imports the translator: the markup
helpers come from the neutral :mod:`press.typstmarkup`.

* a source marker (:mod:`press.typst.errors`) in front of each element that knows its line,
  so a Typst error is reported at the author's ``file:line``;
* every id of every element becomes a Typst label: an element whose visitor did not write its
  labels (or that was skipped) has them written at the next paragraph, so a link to it never
  points at a label that does not exist.

The print styling of these elements is ``elements.typ`` (``press-desc``, ``press-checkbox``,
``press-versionmodified``, ...), imported by ``book.typ``.
"""

from __future__ import annotations

import html.parser
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.util import logging

from ..typstmarkup import escape, label, string
from ..warnings_ import PressWarning, warn
from . import errors

logger = logging.getLogger(__name__)

#: HTML elements whose content cannot be shown in print (warned about when dropped).
HTML_DROPPED = {
    "img", "iframe", "video", "audio", "object", "embed", "svg", "canvas", "picture",
    "script", "style", "select", "textarea", "button", "map", "math",
}
#: Of those, the elements whose inner text is not reading text (it is left out with them).
HTML_OPAQUE = {"script", "style", "svg", "math", "select", "textarea", "video", "audio", "object", "map", "canvas"}

#: sphinx-design's avatar image classes -> printed width.
AVATAR_SIZES = {
    "sd-avatar-xs": "1.5em", "sd-avatar-sm": "2em", "sd-avatar-md": "3em",
    "sd-avatar-lg": "4em", "sd-avatar-xl": "5em", "sd-avatar-inherit": "1em",
}

VERSION_KINDS = {
    "versionadded": "added", "versionchanged": "changed",
    "deprecated": "deprecated", "versionremoved": "removed",
}


def mono(text: str) -> str:
    """Monospaced text (API signatures, grammar rules): an inline ``raw`` element."""
    text = text.rstrip("\n")
    if not text:
        return ""
    return f"#raw({string(text)})"


class _HTMLText(html.parser.HTMLParser):
    """Raw HTML -> Typst markup that keeps the text; notes what had to be dropped."""

    def __init__(self, escape: Any) -> None:
        super().__init__(convert_charrefs=True)
        self.escape = escape
        self.out: list[str] = []
        self.dropped: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "input" and (values.get("type") or "").lower() == "checkbox":
            checked = "true" if "checked" in values else "false"
            self.out.append(f"#press-checkbox(checked: {checked}) ")
        elif tag == "br":
            self.out.append("#linebreak()")
        elif tag == "hr":
            self.out.append("#press-transition()")
        elif tag in HTML_DROPPED:
            alt = values.get("alt") or values.get("title") or values.get("aria-label")
            self.dropped.append(f"<{tag}>" + (f" (its text {alt!r} is kept)" if alt else ""))
            if alt:
                self.out.append("\\[" + self.escape(alt) + "\\]")
            if tag in HTML_OPAQUE:
                self.skip += 1
        elif tag == "input":
            self.dropped.append(f"<input type={values.get('type') or 'text'!r}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in HTML_OPAQUE:
            self.skip = max(0, self.skip - 1)

    def handle_endtag(self, tag: str) -> None:
        if tag in HTML_OPAQUE:
            self.skip = max(0, self.skip - 1)

    def handle_data(self, data: str) -> None:
        if not self.skip and data:
            self.out.append(self.escape(data))


def raw_html(translator: Any, node: nodes.Element) -> str:
    """Raw HTML in the PDF: its text is kept; what cannot be printed is a file:line warning."""
    parser = _HTMLText(escape)
    parser.feed(node.astext())
    parser.close()
    if parser.dropped:
        warn(
            PressWarning.RAW,
            "raw HTML content cannot be printed and is left out of the PDF: " + ", ".join(parser.dropped),
            location=translator.location(node),
        )
    text = "".join(parser.out)
    if isinstance(node.parent, nodes.TextElement):
        return text
    return "\n" + text + "\n\n" if text.strip() else ""


def is_latex_break(node: nodes.Element) -> bool:
    """A MyST hard line break writes ``<br />`` for HTML and ``\\\\`` for LaTeX side by side."""
    return node.get("format") == "latex" and node.astext().strip() == "\\\\"


def remote_image(translator: Any, node: nodes.Element) -> str:
    """An image at a URL (nothing is downloaded at build time): a framed alt text and the URL."""
    uri = node["uri"]
    logger.info(
        f"remote image {uri} is printed as a framed link (no download at build time)",
        location=translator.location(node),
    )
    alt = node.get("alt", "")
    call = f"#press-remote-image({string(uri)}, alt: {string(alt)})"
    if isinstance(node.parent, (nodes.TextElement, nodes.reference, nodes.figure)):
        return call
    return "\n" + call + "\n\n"  # a block-level image: a paragraph of its own


class ExtendedNodeVisitors:
    """Visitors for the node kinds beyond a plain book, and the source-marker and label
    safety nets every node passes through; see the module docstring."""

    # -- every node: source markers and labels ----------------------------
    def dispatch_visit(self, node: nodes.Node) -> None:
        gap = getattr(self, "gap_before", None)
        if gap is not None:
            gap(node)
        if isinstance(node, nodes.Element) and getattr(self, "srcdir", None) is not None:
            where = errors.marker(node, self.srcdir)
            if where is not None and where != self.last_marker:
                self.last_marker = where
                self.marker = errors.comment(*where)  # written with the element's first output
        try:
            super().dispatch_visit(node)  # type: ignore[misc]
        except nodes.SkipNode:
            self._defer_labels(node, descendants=True)
            raise
        self._defer_labels(node, descendants=False)

    def _defer_labels(self, node: nodes.Node, descendants: bool) -> None:
        """Ids a visitor did not write: their labels go before the next paragraph."""
        if not isinstance(node, nodes.Element):
            return
        found = node.findall(nodes.Element) if descendants else [node]
        for element in found:
            for id_ in element.get("ids", ()):
                name = self.label_of(id_)
                if name in self.known_labels and name not in self.labels_emitted:
                    self.labels_emitted.add(name)
                    self.pending_labels.append(name)

    def label_of(self, id_: str) -> str:
        return label(self.docname, id_)

    def in_title(self, node: nodes.Node) -> bool:
        parent = node.parent
        while parent is not None:
            if isinstance(parent, (nodes.title, nodes.subtitle, nodes.rubric)):
                return True
            parent = parent.parent
        return False

    def depart_document(self, node: nodes.Element) -> None:
        if self.pending_labels:
            self.add("\n")
            self.flush_labels()

    # -- option lists (docutils) ------------------------------------------
    def visit_option_list(self, node: nodes.Element) -> None:
        self.emit_labels(node)
        self.add("\n#press-terms(")

    def depart_option_list(self, node: nodes.Element) -> None:
        self.add(")\n\n")

    def visit_option_list_item(self, node: nodes.Element) -> None:
        self.add("(")

    def depart_option_list_item(self, node: nodes.Element) -> None:
        self.add("), ")

    def visit_option_group(self, node: nodes.Element) -> None:
        self.add("[")

    def depart_option_group(self, node: nodes.Element) -> None:
        self.add("], ")

    def visit_option(self, node: nodes.Element) -> None:
        if node.parent is not None and node.parent.index(node) > 0:
            self.add(", ")

    def depart_option(self, node: nodes.Element) -> None:
        pass

    def visit_option_string(self, node: nodes.Element) -> None:
        self.add(mono(node.astext()))
        raise nodes.SkipNode

    def visit_option_argument(self, node: nodes.Element) -> None:
        text = "".join(child.astext() for child in node.children)  # astext() adds the delimiter
        self.add(mono(node.get("delimiter", " ")) + "#emph(" + mono(text).removeprefix("#") + ")")
        raise nodes.SkipNode

    def visit_description(self, node: nodes.Element) -> None:
        self.add("[")

    def depart_description(self, node: nodes.Element) -> None:
        self.close_block()
        self.add("]")

    # -- Sphinx: grammar, hlist, version notes, centered, acks, todo, manpage --
    def visit_productionlist(self, node: nodes.Element) -> None:
        self.emit_labels(node)
        rows = []
        for production in node.findall(addnodes.production):
            self.mono += 1
            labels = ""
            for element in production.findall(nodes.Element):  # the token's own label
                for id_ in element.get("ids", ()):
                    name = self.label_of(id_)
                    if name not in self.labels_emitted:
                        self.labels_emitted.add(name)
                        labels += f"#metadata(none) <{name}>"
            body = self.render(production.children)
            self.mono -= 1
            rows.append(f"[{labels}{body}]")
        self.add("\n#press-grammar(" + "".join(r + ", " for r in rows) + ")\n\n")
        raise nodes.SkipNode

    def visit_hlist(self, node: nodes.Element) -> None:
        self.emit_labels(node)
        cols = [self.render(col.children) for col in node.children if isinstance(col, addnodes.hlistcol)]
        self.add(f"\n#press-hlist(columns: {max(1, len(cols))}, " + "".join(f"[{c}], " for c in cols) + ")\n\n")
        raise nodes.SkipNode

    def visit_versionmodified(self, node: nodes.Element) -> None:
        self.emit_labels(node)
        kind = VERSION_KINDS.get(node.get("type", ""), "changed")
        self.add(f'\n#press-versionmodified("{kind}")[')

    def depart_versionmodified(self, node: nodes.Element) -> None:
        self.close_block()
        self.add("]\n\n")

    def visit_centered(self, node: nodes.Element) -> None:
        self.emit_labels(node)
        self.add("\n#align(center, strong[")

    def depart_centered(self, node: nodes.Element) -> None:
        self.add("])\n\n")

    def visit_acks(self, node: nodes.Element) -> None:
        self.emit_labels(node)

    def depart_acks(self, node: nodes.Element) -> None:
        pass

    def visit_todo_node(self, node: nodes.Element) -> None:
        self.emit_labels(node)
        title = node.next_node(nodes.title)
        head = self.render(title.children) if title is not None and title.parent is node else "Todo"
        self.add(f'\n#press-admonition("todo", title: [{head}])[')

    def depart_todo_node(self, node: nodes.Element) -> None:
        self.depart_admonition(node)

    def visit_manpage(self, node: nodes.Element) -> None:
        self.add("#emph[")

    def depart_manpage(self, node: nodes.Element) -> None:
        self.add("]")

    def visit_decoration(self, node: nodes.Element) -> None:
        raise nodes.SkipNode  # docutils' page header/footer: web furniture, not book content

    def visit_pending_xref_condition(self, node: nodes.Element) -> None:
        raise nodes.SkipNode

    # -- docutils bibliographic fields (when a transform leaves them) ----
    def visit_docinfo(self, node: nodes.Element) -> None:
        self.add("\n#press-fields(")

    def depart_docinfo(self, node: nodes.Element) -> None:
        self.add(")\n\n")

    def _bibliographic(self, node: nodes.Element) -> None:
        if isinstance(node.parent, nodes.authors):
            if node.parent.index(node) > 0:
                self.add(", ")
            return
        self.add(f"([{node.__class__.__name__.title()}], [")

    def _bibliographic_end(self, node: nodes.Element) -> None:
        if not isinstance(node.parent, nodes.authors):
            self.add("]), ")

    visit_author = visit_authors = visit_organization = visit_address = visit_contact = _bibliographic
    visit_version = visit_revision = visit_status = visit_date = visit_copyright = _bibliographic
    depart_author = depart_authors = depart_organization = depart_address = depart_contact = _bibliographic_end
    depart_version = depart_revision = depart_status = depart_date = depart_copyright = _bibliographic_end

    # -- nodes that carry nothing for print, or only their text -----------
    def _skip(self, node: nodes.Element) -> None:
        raise nodes.SkipNode

    # page header/footer (web furniture), transform placeholders, HTML-only and LaTeX-only pieces
    visit_header = visit_footer = visit_pending = _skip
    visit_viewcode_anchor = visit_raw_latex = visit_sd_tab_input = _skip

    def _text_only(self, node: nodes.Element) -> None:
        pass

    # their children are rendered as usual
    visit_acronym = depart_acronym = _text_only
    visit_substitution_reference = depart_substitution_reference = _text_only
    visit_production = depart_production = visit_hlistcol = depart_hlistcol = _text_only
    visit_bibliography = depart_bibliography = visit_todolist = depart_todolist = _text_only
    visit_ifconfig = depart_ifconfig = visit_dropdown_main = depart_dropdown_main = _text_only
    visit_translatable = depart_translatable = _text_only

    def visit_sd_tab_label(self, node: nodes.Element) -> None:
        self.add("#strong[")

    def depart_sd_tab_label(self, node: nodes.Element) -> None:
        self.add("] ")

    def visit_dropdown_title(self, node: nodes.Element) -> None:
        self.add("#strong[")

    def depart_dropdown_title(self, node: nodes.Element) -> None:
        self.add("]\n\n")

    def visit_graphviz(self, node: nodes.Element) -> None:
        """A Graphviz graph: no ``dot`` runs at build time; its source is printed as a listing."""
        self.emit_labels(node)
        caption = node.get("caption") or node.get("alt") or ""
        logger.info("a Graphviz graph is printed as its source", location=self.location(node))
        code = string(node.get("code", "").rstrip("\n"))
        head = f", caption: [{self.render([nodes.Text(caption)])}]" if caption else ""
        self.add(f"\n#press-code({code}, lang: \"dot\"{head})\n\n")
        raise nodes.SkipNode

    def visit_inheritance_diagram(self, node: nodes.Element) -> None:
        warn(
            PressWarning.TYPST_NODE,
            "an inheritance diagram needs Graphviz and is left out of the PDF",
            location=self.location(node),
        )
        raise nodes.SkipNode

    # -- API descriptions (all domains: py, c, cpp, js, rst, std) ---------
    def visit_desc(self, node: nodes.Element) -> None:
        self.emit_labels(node)
        signatures = []
        for sig in node.children:
            if not isinstance(sig, addnodes.desc_signature):
                continue
            labels = ""
            for id_ in sig.get("ids", ()):
                name = self.label_of(id_)
                if name not in self.labels_emitted:
                    self.labels_emitted.add(name)
                    labels += f"#metadata(none) <{name}>"
            self.mono += 1
            signatures.append(labels + self.render(sig.children))
            self.mono -= 1
        content = next((c for c in node.children if isinstance(c, addnodes.desc_content)), None)
        body = self.render(content.children) if content is not None else ""
        kind = node.get("objtype", "") or node.get("desctype", "")
        sigs = "".join(f"[{s}], " for s in signatures)
        self.add(f"\n#press-desc(kind: {string(kind)}, ({sigs}))[{body}]\n\n")
        raise nodes.SkipNode

    def visit_desc_signature_line(self, node: nodes.Element) -> None:
        self.emit_labels(node)

    def depart_desc_signature_line(self, node: nodes.Element) -> None:
        if node.next_node(descend=False, siblings=True) is not None:
            self.add("#linebreak()")

    def visit_desc_name(self, node: nodes.Element) -> None:
        self.add("#strong[")

    def depart_desc_name(self, node: nodes.Element) -> None:
        self.add("]")

    def visit_desc_annotation(self, node: nodes.Element) -> None:
        self.add("#emph[")

    def depart_desc_annotation(self, node: nodes.Element) -> None:
        self.add("]")

    def visit_desc_parameterlist(self, node: nodes.Element) -> None:
        self.add(mono("("))

    def depart_desc_parameterlist(self, node: nodes.Element) -> None:
        self.add(mono(")"))

    def visit_desc_type_parameter_list(self, node: nodes.Element) -> None:
        self.add(mono("["))

    def depart_desc_type_parameter_list(self, node: nodes.Element) -> None:
        self.add(mono("]"))

    def _param_sep(self, node: nodes.Element) -> None:
        parent = node.parent
        if parent is None:
            return
        index = parent.index(node)
        if index > 0:
            self.add(mono(", "))
        elif isinstance(parent, addnodes.desc_optional) and parent.parent is not None and parent.parent.index(parent) > 0:
            self.add(mono(", "))

    def visit_desc_parameter(self, node: nodes.Element) -> None:
        self._param_sep(node)
        self.add("#emph[")  # parameters in italics, as in the HTML

    def depart_desc_parameter(self, node: nodes.Element) -> None:
        self.add("]")

    visit_desc_type_parameter = visit_desc_parameter
    depart_desc_type_parameter = depart_desc_parameter

    def visit_desc_optional(self, node: nodes.Element) -> None:
        self.add(mono("["))

    def depart_desc_optional(self, node: nodes.Element) -> None:
        self.add(mono("]"))

    def visit_desc_returns(self, node: nodes.Element) -> None:
        self.add(mono(" → "))

    def depart_desc_returns(self, node: nodes.Element) -> None:
        pass

    def visit_desc_inline(self, node: nodes.Element) -> None:
        self.mono += 1

    def depart_desc_inline(self, node: nodes.Element) -> None:
        self.mono -= 1

    def _pass(self, node: nodes.Element) -> None:
        pass

    # signature pieces whose text is simply monospaced
    visit_desc_addname = depart_desc_addname = _pass
    visit_desc_type = depart_desc_type = _pass
    visit_desc_sig_element = depart_desc_sig_element = _pass
    visit_desc_sig_space = depart_desc_sig_space = _pass
    visit_desc_sig_name = depart_desc_sig_name = _pass
    visit_desc_sig_operator = depart_desc_sig_operator = _pass
    visit_desc_sig_punctuation = depart_desc_sig_punctuation = _pass
    visit_desc_sig_keyword = depart_desc_sig_keyword = _pass
    visit_desc_sig_keyword_type = depart_desc_sig_keyword_type = _pass
    visit_desc_sig_literal_number = depart_desc_sig_literal_number = _pass
    visit_desc_sig_literal_string = depart_desc_sig_literal_string = _pass
    visit_desc_sig_literal_char = depart_desc_sig_literal_char = _pass
    visit_desc_signature = depart_desc_signature = _pass  # written by visit_desc
    visit_desc_content = depart_desc_content = _pass



#: the earlier name of :class:`ExtendedNodeVisitors` (branches in flight may still use it)
ElementsMixin = ExtendedNodeVisitors
