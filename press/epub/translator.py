"""XHTML for the EPUB: Sphinx's HTML5 translator with EPUB semantics.

* the page's top section carries ``epub:type`` and its DPUB-ARIA role
  (``part``, ``chapter``, ``preface``, ``glossary``, ``bibliography``);
* footnotes are ``<aside epub:type="footnote" role="doc-footnote">`` reached
  by ``<a epub:type="noteref">`` links, with back-links to the reference;
* bibliography entries are list items (the deprecated ``doc-biblioentry``
  role is not used);
* math is MathML converted at build time by :mod:`press.mathml` (as in the web book; no MathJax);
* external links get ``rel="external"`` (the stylesheet marks them); a link
  whose target is not in the EPUB (a relative link to a file that is no page,
  e.g. ``tabs.html?x=y`` written for the web) is kept as text, and an ``.html``
  link to a page becomes its ``.xhtml``; hrefs are percent-encoded where a URL
  may not hold a character (spaces …);
* display math inside a paragraph (``$$…$$`` mid-text) is a ``<span>`` (a
  ``<div>`` may not sit inside ``<p>``);
* an image without alternative text is a ``press.image_alt`` warning.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import quote, urlsplit

from docutils import nodes
from sphinx.util import logging
from sphinx.util.math import get_node_equation_number
from sphinx.writers.html5 import HTML5Translator

from .. import mathmacros, memo
from .. import mathml as press_mathml
from ..warnings_ import PressWarning, warn

logger = logging.getLogger(__name__)

EXTERNAL = re.compile(r"^(https?|ftp|mailto):", re.I)
#: ASCII characters a URL may not hold as they are
_URL_UNSAFE = re.compile(r'[\x00-\x20"<>\\^`{|}\x7f]')


def url_escape(url: str) -> str:
    """``url`` with the ASCII characters a URL may not hold percent-encoded (spaces …)."""
    return _URL_UNSAFE.sub(lambda m: quote(m.group(0), safe=""), url)


def mathml(latex: str, display: bool) -> str:
    """MathML for one LaTeX formula; raises ``ValueError`` when it cannot be converted."""
    return press_mathml.convert(latex, display)


#: attributes of the links made by press.epub.notes
NOTE_LINKS = {
    "noteref": 'epub:type="noteref" role="doc-noteref"',
    "backlink": 'role="doc-backlink" aria-label="Back to the text"',
}
_PRE = re.compile(r"(<pre[^>]*>)(.*?)(</pre>)", re.S)
_LEAD_TAGS = re.compile(r"^(?:<span[^>]*>(?:</span>)?)*")


def _indent(line: str) -> int:
    """Leading spaces of one highlighted line (markup skipped; tabs count as 4)."""
    text = re.sub(r"<[^>]+>", "", line)
    stripped = text.lstrip(" \t")
    if not stripped:
        return 0
    return len(text[: len(text) - len(stripped)].expandtabs(4))


def hanging_lines(markup: str) -> str:
    """Each line of a highlighted ``<pre>`` as a ``<span class="press-line">`` block whose
    wrapped continuation hangs two characters inside the line's own indentation.

    Pygments closes its spans at every line end, so lines can be wrapped one by one."""

    def lines(m: re.Match[str]) -> str:
        body = m.group(2)
        parts = body.split("\n")
        if parts and parts[-1] == "":
            parts.pop()
        out = []
        for part in parts:
            hang = _indent(part) + 2
            out.append(f'<span class="press-line" style="padding-left:{hang}ch;text-indent:-{hang}ch">{part}\n</span>')
        return m.group(1) + "".join(out) + m.group(3)

    return _PRE.sub(lines, markup, count=1)


class PressEpubTranslator(HTML5Translator):
    """HTML5 translator with the EPUB semantics listed in the module docstring."""

    # ---- top section: epub:type and role -------------------------------------------
    def visit_section(self, node: nodes.section) -> None:
        if node.get("press_note") == "endnotes":  # press.epub.notes
            self.section_level += 1
            self.body.append(self.starttag(node, "section", role="doc-endnotes", **{"epub:type": "endnotes"}))
            return
        kind = ""
        if self.section_level == 0:
            kind = getattr(self.builder, "press_kinds", {}).get(self.builder.current_docname, "")
        if kind:
            self.section_level += 1
            self.body.append(self.starttag(node, "section", **{"epub:type": kind, "role": f"doc-{kind}"}))
        else:
            super().visit_section(node)

    # ---- chapter and part numbers, as in print ("Chapter 3", "Part II") -----------------
    def visit_title(self, node: nodes.title) -> None:
        super().visit_title(node)
        if isinstance(node.parent, nodes.section) and self.section_level == 1:
            label = _number_label(self.builder, self.builder.current_docname)
            if label:
                self.body.append(f'<span class="press-number">{label}</span> ')

    # ---- footnotes -------------------------------------------------------------------
    def visit_footnote(self, node: nodes.footnote) -> None:
        if not isinstance(node.previous_sibling(), nodes.footnote):
            self.body.append('<div class="footnote-list">\n')
        self.body.append(
            self.starttag(node, "aside", classes=["footnote"], role="doc-footnote", **{"epub:type": "footnote"})
        )

    def depart_footnote(self, node: nodes.footnote) -> None:
        self.body.append("</aside>\n")
        if not isinstance(node.next_node(descend=False, siblings=True), nodes.footnote):
            self.body.append("</div>\n")

    def visit_footnote_reference(self, node: nodes.footnote_reference) -> None:
        self.body.append(
            self.starttag(
                node, "a", "", classes=["footnote-reference"], role="doc-noteref",
                href="#" + node["refid"], **{"epub:type": "noteref"},
            )
        )
        self.body.append("<sup>")

    def depart_footnote_reference(self, node: nodes.footnote_reference) -> None:
        self.body.append("</sup></a>")

    # ---- citations (bibliography entries) -----------------------------------------------
    def visit_citation(self, node: nodes.citation) -> None:
        if not isinstance(node.previous_sibling(), nodes.citation):
            self.body.append('<div role="list" class="citation-list">\n')
        self.body.append(self.starttag(node, "div", classes=[node.tagname], role="listitem"))

    # ---- links --------------------------------------------------------------------------
    def _epub_href(self, refuri: str) -> str | None:
        """The href for ``refuri`` in the EPUB, or ``None`` when it reaches nothing in it."""
        try:
            parts = urlsplit(refuri)
        except ValueError:
            return None
        if parts.scheme or parts.netloc or not parts.path:
            return url_escape(refuri)
        base = posixpath.dirname(self.builder.current_docname)
        path = posixpath.normpath(posixpath.join(base, parts.path))
        for suffix in (self.builder.out_suffix, ".html", ".md", ".rst", ""):
            if suffix and not path.endswith(suffix):
                continue
            doc = path[: -len(suffix)] if suffix else path
            if doc in self.builder.env.all_docs:
                rel = self.builder.get_relative_uri(self.builder.current_docname, doc)
                return url_escape(rel + (f"#{parts.fragment}" if parts.fragment else ""))
        if path.startswith(("_images/", "_downloads/", "_static/")):
            return url_escape(refuri)
        return None

    def _page_ids(self) -> set[str]:
        """Every id on this page (post-transforms add nodes without registering their ids)."""
        ids = self.__dict__.get("_press_page_ids")
        if ids is None:
            ids = {i for n in self.document.findall(nodes.Element) for i in n.get("ids", ())}
            self.__dict__["_press_page_ids"] = ids
        return ids

    def visit_reference(self, node: nodes.reference) -> None:
        refuri = node.get("refuri")
        stack = self.__dict__.setdefault("_press_unlinked", [])
        if refuri is None and node.get("refid") not in self._page_ids():
            # an unresolved reference whose "id" is the link as written: no valid href for it
            logger.info("link %r reaches nothing in the EPUB: kept as text there", node.get("refid"), location=self.location(node))
            stack.append(True)
            self.body.append(self.starttag(node, "span", "", CLASS="press-unlinked"))
            return
        if node.get("internal") or refuri is None:
            pass  # Sphinx's own resolved reference (or a refid): already a page of the EPUB
        elif not EXTERNAL.match(refuri) and not refuri.startswith("#"):
            href = self._epub_href(refuri)
            if href is None and isinstance(node.parent, nodes.TextElement):
                logger.info(
                    "link %r reaches no page of the EPUB: kept as text there", refuri,
                    location=self.location(node),
                )
                stack.append(True)
                self.body.append(self.starttag(node, "span", "", CLASS="press-unlinked"))
                return
            if href is not None:
                node["refuri"] = href
        else:
            node["refuri"] = url_escape(refuri)
        stack.append(False)
        super().visit_reference(node)
        if EXTERNAL.match(node.get("refuri", "")) and not node.get("internal"):
            for i in range(len(self.body) - 1, -1, -1):
                if self.body[i].startswith("<a "):
                    self.body[i] = '<a rel="external" ' + self.body[i][3:]
                    break
        note = NOTE_LINKS.get(node.get("press_note", ""))
        if note:  # press.epub.notes: citation → endnote pop-up, and the way back
            for i in range(len(self.body) - 1, -1, -1):
                if self.body[i].startswith("<a "):
                    self.body[i] = f"<a {note} " + self.body[i][3:]
                    break

    # ---- chapter references as endnotes (press.epub.notes) -----------------------------
    # Each entry is a <div epub:type="footnote" role="doc-footnote"> (Ace: the epub:type has its
    # matching role; "endnote" and doc-endnote are deprecated; an ARIA role other than listitem
    # is not allowed on an <li>, and Apple Books hides <aside> notes from the text), so the list
    # is a <div> too: no bullets before "[n]".
    def visit_bullet_list(self, node: nodes.bullet_list) -> None:
        if _endnotes(node):
            self.body.append(self.starttag(node, "div", classes=["press-endnote-list"]))
        else:
            super().visit_bullet_list(node)

    def depart_bullet_list(self, node: nodes.bullet_list) -> None:
        if _endnotes(node):
            self.body.append("</div>\n")
        else:
            super().depart_bullet_list(node)

    def visit_list_item(self, node: nodes.list_item) -> None:
        if node.get("press_note") == "endnote":
            self.body.append(self.starttag(node, "div", "", classes=["press-endnote"], role="doc-footnote",
                                           **{"epub:type": "footnote"}))
        elif _endnotes(node.parent):  # an entry with no link to cite: a plain entry of the list
            self.body.append(self.starttag(node, "div", "", classes=["press-endnote"]))
        else:
            super().visit_list_item(node)

    def depart_list_item(self, node: nodes.list_item) -> None:
        if node.get("press_note") == "endnote" or _endnotes(node.parent):
            self.body.append("</div>\n")
        else:
            super().depart_list_item(node)

    # ---- tables: a scrolling box where the reader allows it (narrow screens) -------------
    # A table of three columns or more with a header row restacks on a narrow screen (CSS,
    # below 35 em): one block per row, each cell under its column's name, written here as
    # data-label, so no column is ever cut off.
    def visit_table(self, node: nodes.table) -> None:
        cols = max((int(g.get("cols", 0)) for g in node.findall(nodes.tgroup)), default=0)
        wide = " press-table-wide" if cols >= 5 else ""
        labels = _header_labels(node)
        stack = " press-table-stack" if cols >= 3 and labels else ""
        self.press_table_labels = [*getattr(self, "press_table_labels", []), labels]
        self.body.append(f'<div class="press-table{wide}{stack}">\n')
        super().visit_table(node)

    def depart_table(self, node: nodes.table) -> None:
        super().depart_table(node)
        self.press_table_labels = self.press_table_labels[:-1]
        self.body.append("</div>\n")

    def visit_entry(self, node: nodes.entry) -> None:
        column = getattr(node.parent, "column", 0)
        super().visit_entry(node)
        labels = (getattr(self, "press_table_labels", None) or [[]])[-1]
        if isinstance(node.parent.parent, nodes.tbody) and column < len(labels) and labels[column]:
            tag = self.body[-1]
            for name in ("<td", "<th"):
                if tag.startswith(name):
                    self.body[-1] = f'{name} data-label="{self.attval(labels[column])}"' + tag[len(name):]
                    break

    # ---- code: one block per line, wrapped lines hang under their own indentation -------
    def visit_literal_block(self, node: nodes.literal_block) -> None:
        start = len(self.body)
        try:
            super().visit_literal_block(node)
        except nodes.SkipNode:
            if not node.get("linenos"):
                self.body[start:] = [hanging_lines("".join(self.body[start:]))]
            raise

    def depart_reference(self, node: nodes.reference) -> None:
        stack = self.__dict__.setdefault("_press_unlinked", [])
        if stack and stack.pop():
            self.body.append("</span>")
            return
        super().depart_reference(node)

    # ---- images -------------------------------------------------------------------------
    def location(self, node: nodes.Node) -> tuple[str, int | None]:
        """``(docname, line)`` of a node, taking the line from the nearest ancestor that has one."""
        current: nodes.Node | None = node
        while current is not None and not current.line:
            current = current.parent
        return (self.builder.current_docname, current.line if current is not None else None)

    def visit_image(self, node: nodes.image) -> None:
        if not node.get("alt", "").strip():
            warn(
                PressWarning.IMAGE_ALT,
                f"image {node.get('uri', '')!r} has no alternative text (add :alt: or ![text](...))",
                location=self.location(node),
            )
            caption = None
            if isinstance(node.parent, nodes.figure):
                caption = next(iter(node.parent.findall(nodes.caption)), None)
            node["alt"] = caption.astext() if caption is not None else ""
            node["classes"].append("press-missing-alt")  # the package metadata must not claim alt text
        super().visit_image(node)

    # ---- math ---------------------------------------------------------------------------
    def _mathml(self, node: nodes.Element, latex: str, display: bool) -> str:
        if "press_macros" not in self.__dict__:
            self.press_macros = mathmacros.from_config(self.config)  # mathjax3_config's tex.macros
        try:
            return memo.mathml(self.builder, mathmacros.prepare(latex, self.press_macros), display)
        except ValueError as exc:
            warn(PressWarning.EPUB_MATH, f"cannot convert math to MathML: {exc}: {latex.strip()!r}", location=self.location(node))
            return f'<code class="math-fallback">{self.encode(latex.strip())}</code>'

    def visit_math(self, node: nodes.math, math_env: str = "") -> None:
        self.body.append(self.starttag(node, "span", "", CLASS="math"))
        self.body.append(self._mathml(node, node.astext(), display=False))
        self.body.append("</span>")
        raise nodes.SkipNode

    def visit_math_block(self, node: nodes.math_block, math_env: str = "") -> None:
        # ``$$…$$`` in the middle of a paragraph is a math_block inside the paragraph
        inline = isinstance(node.parent, nodes.TextElement)
        tag = "span" if inline else "div"
        self.body.append(self.starttag(node, tag, "" if inline else "\n", CLASS="math math-display" if inline else "math"))
        if node.get("number"):
            number = get_node_equation_number(self, node)
            self.body.append(f'<span class="eqno">({number})</span>')
        parts = [p for p in re.split(r"\n\s*\n", node.astext()) if p.strip()] or [""]
        for part in parts:
            self.body.append(self._mathml(node, part, display=True))
        self.body.append(f"</{tag}>" if inline else "</div>\n")
        raise nodes.SkipNode


def _endnotes(node: nodes.Element) -> bool:
    """A list holding chapter endnotes (press.epub.notes)."""
    return isinstance(node, nodes.bullet_list) and any(
        isinstance(c, nodes.list_item) and c.get("press_note") == "endnote" for c in node.children)


def _header_labels(table: nodes.table) -> list[str]:
    """The text of each column's header cell (the last header row; spanned columns repeat it)."""
    rows = [r for thead in table.findall(nodes.thead) for r in thead.findall(nodes.row)]
    if not rows:
        return []
    labels: list[str] = []
    for entry in rows[-1].findall(nodes.entry):
        text = " ".join(entry.astext().split())
        labels.extend([text] * (1 + int(entry.get("morecols", 0))))
    return labels


def _number_label(builder: object, docname: str) -> str:
    """"Part II" or "Chapter 3" for a part or a chapter, numbered as in print (chapters run on
    across parts), else ""."""
    kinds: dict[str, str] = getattr(builder, "press_kinds", {})
    kind = kinds.get(docname, "")
    if kind not in ("part", "chapter"):
        return ""
    n = 0
    for doc in getattr(builder, "press_order", []):
        if kinds.get(doc) == kind:
            n += 1
        if doc == docname:
            break
    if kind == "chapter":
        return f"Chapter {n}"
    return "Part " + _roman(n)


def _roman(n: int) -> str:
    out = ""
    for value, numeral in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                           (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out += numeral
            n -= value
    return out
