"""Paragraphs, text and inline markup, references: the inline visitors of the Typst writer.

:class:`InlineVisitors` is a base of :class:`press.typst.translator.TypstTranslator`.  The
translator state it uses, all set by the translator's ``__init__``: ``add``, ``emit_labels``,
``flush_labels``, ``location``, ``link_target``, ``context`` (what a departure closes),
``pending_labels``, ``mono`` (inside an API signature: monospaced), ``in_footnote``,
``in_caption``, ``in_table`` (:class:`press.typst.tables.TableVisitors`), ``missing_glyphs``
and ``glyphs_warned`` (:mod:`press.typst.glyphs`: characters no font has, warned once per page).
"""

from __future__ import annotations

import re
import unicodedata

from docutils import nodes
from sphinx import addnodes

from ..encoding import CONTROL, strip_controls
from ..typstmarkup import escape, string
from ..warnings_ import PressWarning, warn
from . import elements

#: Reference classes whose links get ", p. N" in print (page and section links).
PAGE_REF_CLASSES = {"press-sitelink", "std-doc", "std-ref", "doc"}


def _has_class(node: nodes.Element, names: set[str]) -> bool:
    classes = set(node.get("classes", ()))
    for child in node.findall(nodes.Element):
        classes.update(child.get("classes", ()))
    return bool(classes & names)


class InlineVisitors:
    """Paragraphs, text (control characters and missing glyphs), emphasis, literals, references."""

    # -- paragraphs and inline -----------------------------------------
    def inline_context(self) -> bool:
        return bool(self.in_table or self.in_footnote or self.in_caption)

    @staticmethod
    def leads_in(node: nodes.paragraph) -> bool:
        """A paragraph that ends with a colon and introduces a code block ("File app/x.py:") or a
        list ("A routine a team could adopt:"): kept on the page of what it introduces, never
        left alone at a page's foot.  (Not a list item's text before its sub-list: a tight
        list's spacing stays its own.)"""
        after = node.next_node(descend=False, siblings=True)
        if isinstance(after, nodes.container) and "literal-block-wrapper" in after.get("classes", ()):
            after = after.next_node(nodes.literal_block)
        lists = (nodes.bullet_list, nodes.enumerated_list)
        return (isinstance(after, nodes.literal_block)
                or isinstance(after, lists) and not isinstance(node.parent, nodes.list_item)) \
            and node.astext().rstrip().endswith(":")

    def visit_paragraph(self, node: nodes.paragraph) -> None:
        if self.pending_labels:
            self.flush_labels()
        self.emit_labels(node)
        if not self.inline_context() and self.leads_in(node):
            self.add("#press-lead-in[")

    def depart_paragraph(self, node: nodes.paragraph) -> None:
        if self.inline_context():
            if node.next_node(descend=False, siblings=True) is not None:
                self.add(" #parbreak() ")
        else:
            if self.leads_in(node):
                self.add("]")
            self.add("\n\n")

    def clean(self, text: str, node: nodes.Node) -> str:
        """Text without control characters (a ``press.control_char`` warning at the author's
        file:line: an ESC of coloured terminal output would stop the PDF)."""
        if not CONTROL.search(text):
            return text
        text, found = strip_controls(text)
        warn(PressWarning.CONTROL_CHAR, f"control character(s) {', '.join(found)} removed from the text of the PDF",
             location=self.location(node))
        return text

    def glyph_check(self, text: str, node: nodes.Node) -> list[str]:
        """The characters of ``text`` no font can print, each warned once per page."""
        lost = [c for c in dict.fromkeys(text) if c in self.missing_glyphs] if self.missing_glyphs else []
        for c in lost:
            if (self.docname, c) not in self.glyphs_warned:
                self.glyphs_warned.add((self.docname, c))
                name = unicodedata.name(c, "")
                warn(PressWarning.GLYPH, f"no font of the PDF has U+{ord(c):04X}{' ' + name if name else ''} ({c!r}): a placeholder is printed "
                     "(add a font with the character: press_pdf_font_paths, press_pdf_fallback_fonts)",
                     location=self.location(node))
        return lost

    def printable(self, text: str, node: nodes.Node) -> str:
        """Text for a Typst string (code, descriptions): no control characters; a character
        no font has shown as ``[U+XXXX]``."""
        text = self.clean(text, node)
        for c in self.glyph_check(text, node):
            text = text.replace(c, f"[U+{ord(c):04X}]")
        return text

    def visit_Text(self, node: nodes.Text) -> None:
        text = self.clean(node.astext(), node)
        if self.mono:
            self.add(elements.mono(self.printable(text, node)))
            return
        lost = self.glyph_check(text, node)
        if not lost:
            self.add(escape(text))
            return
        for piece in re.split("(" + "|".join(re.escape(c) for c in lost) + ")", text):
            if piece in lost:
                self.add(f'#press-missing-glyph("{ord(piece):04X}")')
            elif piece:
                self.add(escape(piece))

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
        if any(isinstance(c, nodes.Element) for c in node.children):
            self.mono += 1  # {samp}`print {value}`: code with an emphasised part
            self.add(self.render(node.children))
            self.mono -= 1
            raise nodes.SkipNode
        self.add(f"#raw({string(self.printable(node.astext(), node))})")
        raise nodes.SkipNode

    def visit_literal_strong(self, node: nodes.Element) -> None:
        self.add(f"#strong(raw({string(self.printable(node.astext(), node))}))")
        raise nodes.SkipNode

    def visit_literal_emphasis(self, node: nodes.Element) -> None:
        self.add(f"#emph(raw({string(self.printable(node.astext(), node))}))")
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
        if "versionmodified" in node.get("classes", ()):
            self.add("#strong[")  # "Added in version 2.0:"

    def depart_inline(self, node: nodes.Element) -> None:
        if "versionmodified" in node.get("classes", ()):
            self.add("]")

    def visit_abbreviation(self, node: nodes.Element) -> None:
        pass

    def depart_abbreviation(self, node: nodes.Element) -> None:
        if node.get("explanation") and not self.mono:  # not inside an API signature
            self.add(" (" + escape(node["explanation"]) + ")")

    def visit_problematic(self, node: nodes.Element) -> None:
        self.add("#text(fill: red)[")

    def depart_problematic(self, node: nodes.Element) -> None:
        self.add("]")

    def visit_system_message(self, node: nodes.Element) -> None:
        raise nodes.SkipNode  # already reported by docutils

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
        if node.get("ids") and not self.in_title(node):
            self.emit_labels(node)  # an {#id} attribute on a link
        target = self.link_target(node)
        if target is not None:
            if target not in self.known_labels:
                # A target outside the book (e.g. a web-only page): keep the text.
                self.context.append("")
                return
            page = (
                not self.in_citation
                and not isinstance(node.parent, (nodes.title, addnodes.number_reference))
                and _has_class(node, PAGE_REF_CLASSES)
            )
            if target in self.terms and not self.in_caption:
                # a {term} reference: the index lists where the term is used
                self.add(f"#press-idx({string(self.terms[target])})")
            self.add(f"#press-xref(<{target}>{', pageref: true' if page else ''})[")
            self.context.append("]")
            return
        uri = node.get("refuri", "")
        if not uri:
            self.context.append("")
            return
        if "sd-btn" in node.get("classes", ()):
            self.add(f"#press-button({string(uri)})[")
            self.context.append("]")
            return
        # In print the URL must be visible: a footnote, or inline where footnotes cannot go.
        shown = "inline" if (self.in_footnote or self.in_citation or self.in_caption) else "footnote"
        if node.astext().strip() in (uri, uri.removeprefix("mailto:")):
            shown = "none"
        self.add(f'#press-link({string(uri)}, mode: "{shown}")[')
        self.context.append("]")

    def depart_reference(self, node: nodes.reference) -> None:
        self.add(self.context.pop())

    def visit_target(self, node: nodes.Element) -> None:
        self.emit_labels(node)
        if not node.children:
            raise nodes.SkipNode

    def depart_target(self, node: nodes.Element) -> None:
        pass

    def visit_pending_xref(self, node: nodes.Element) -> None:
        pass  # unresolved (already warned by Sphinx): keep the text

    def depart_pending_xref(self, node: nodes.Element) -> None:
        pass

    def visit_number_reference(self, node: nodes.Element) -> None:
        self.visit_reference(node)  # type: ignore[arg-type]

    def depart_number_reference(self, node: nodes.Element) -> None:
        self.depart_reference(node)  # type: ignore[arg-type]

    def visit_download_reference(self, node: nodes.Element) -> None:
        pass

    def depart_download_reference(self, node: nodes.Element) -> None:
        pass
