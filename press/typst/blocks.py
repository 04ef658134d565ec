"""Code listings, block quotes and admonitions: the block visitors of the Typst writer.

:class:`BlockVisitors` is a base of :class:`press.typst.translator.TypstTranslator`.  The
translator state it uses: ``add``, ``render``, ``emit_labels``, ``take_label``,
``extra_labels``, ``close_block``, ``fignumber``, ``printable`` (:mod:`press.typst.inline`),
``in_caption`` and ``code_ids`` (listings that may break across pages, numbered per page).

Admonitions have no visitor per kind: Sphinx's dispatch walks the node's classes
(``SphinxTranslator.dispatch_visit``), so ``note``, ``tip``, ``seealso``, ... end at
:meth:`BlockVisitors.visit_Admonition`, which reads the kind from :data:`ADMONITIONS`.
"""

from __future__ import annotations

from docutils import nodes
from sphinx import addnodes

from ..encoding import CONTROL
from ..typstmarkup import escape, string

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


def admonition_kind(node: nodes.Node) -> str | None:
    """The Typst admonition kind of a ``note``, ``tip``, ... node (or of a subclass of one)."""
    return next((ADMONITIONS[cls] for cls in type(node).__mro__ if cls in ADMONITIONS), None)


ADMONITION_TITLES = {
    "attention": "Attention", "caution": "Caution", "danger": "Danger", "error": "Error",
    "hint": "Hint", "important": "Important", "note": "Note", "tip": "Tip",
    "warning": "Warning", "seealso": "See also",
}

#: a listing of this many lines may break across pages (``press-code-breakable`` in book.typ)
BREAKABLE_LINES = 8
#: a code line longer than this may wrap at the smallest code size (0.75 em: about 58
#: characters of the measure), so a shorter listing may reach :data:`BREAKABLE_LINES` as set
WRAPS = 56

#: code languages whose escape sequences are colours (myst-nb's notebook outputs)
ANSI_LEXERS = {"myst-ansi", "ansi", "ipythontb"}


def _tall(node: nodes.Element) -> bool:
    """Whether a box may be taller than a page: it must then break across pages (a box kept
    whole would overprint the page foot and lose text)."""
    code = sum(n.astext().count("\n") + 1 for n in node.findall(nodes.literal_block))
    images = sum(1 for _ in node.findall(nodes.image))
    return len(node.astext()) > 2400 or code > 25 or images > 1 or (images and len(node.astext()) > 800)


class BlockVisitors:
    """Listings (``press-code``), quotes and admonitions (``press-admonition``)."""

    # -- code ------------------------------------------------------------
    def code_call(self, node: nodes.Element, caption: str = "", number: str = "") -> str:
        lang = node.get("language", "")
        if lang in ("default", "none", "text", "output", "console-output"):
            lang = ""
        code = node.astext()
        if lang in ANSI_LEXERS:  # coloured terminal output (myst-nb): the colours stay on screen
            code, lang = CONTROL.sub("", code), ""
        code = self.printable(code, node)
        if node.get("linenos"):
            code = code.rstrip("\n")  # a trailing newline would be an extra, empty numbered line
        args = [string(code)]
        if lang:
            args.append(f"lang: {string(lang)}")
        if node.get("linenos"):
            start = node.get("highlight_args", {}).get("linenostart", 1)
            args.append(f"linenos: true, start: {int(start)}")
        hl = node.get("highlight_args", {}).get("hl_lines") or []
        if hl:
            args.append("hl: (" + "".join(f"{int(n)}, " for n in hl) + ")")
        if caption:
            args.append(f"caption: [{caption}]")
        if number:
            args.append(f"number: {string(number)}")
        lines = code.rstrip("\n").split("\n")
        if len(lines) >= BREAKABLE_LINES or max(len(line) for line in lines) > WRAPS:
            # a listing that may break across pages: its name, so the continuation knows it
            # (the template decides from the lines as set, wrapped ones counted); numbered in
            # its page, so a listing added to one page renames none in the others (the PDF by
            # pieces recompiles only the piece whose source changed)
            n = self.code_ids[self.docname] = self.code_ids.get(self.docname, 0) + 1
            args.append(f"id: {string(f'{self.docname}#{n}')}")
        return "#press-code(" + ", ".join(args) + ")"

    def visit_literal_block(self, node: nodes.Element) -> None:
        self.emit_labels(node)
        self.add("\n" + self.code_call(node) + "\n\n")
        raise nodes.SkipNode

    visit_doctest_block = visit_literal_block

    def listing(self, node: nodes.Element) -> None:
        """A code block with a caption (Sphinx's ``literal-block-wrapper`` container)."""
        block = node.next_node(nodes.literal_block)
        caption = node.next_node(nodes.caption)
        self.in_caption += 1
        text = self.render(caption.children) if caption is not None else ""
        self.in_caption -= 1
        number = self.fignumber(node, "code-block")
        self.add("\n" + self.code_call(block, text, number) + self.take_label(node) + "\n\n")
        self.extra_labels(node)
        if block is not None:
            self.emit_labels(block)

    def visit_block_quote(self, node: nodes.Element) -> None:
        self.emit_labels(node)
        attribution = node.next_node(nodes.attribution)
        self.add("\n#quote(block: true")
        if attribution is not None:
            self.add(", attribution: [" + self.render(attribution.children) + "]")
        self.add(")[")

    def depart_block_quote(self, node: nodes.Element) -> None:
        self.close_block()
        self.add("]\n\n")

    def visit_attribution(self, node: nodes.Element) -> None:
        raise nodes.SkipNode

    # -- admonitions -----------------------------------------------------
    def _admonition(self, node: nodes.Element, kind: str) -> None:
        self.emit_labels(node)
        title = node.next_node(nodes.title) if isinstance(node, nodes.admonition) else None
        if title is not None and title.parent is node:
            head = self.render(title.children)
        else:
            head = escape(ADMONITION_TITLES.get(kind, kind.title()))
        self.add(f'\n#press-admonition("{kind}", title: [{head}]{", breakable: true" if _tall(node) else ""})[')

    def visit_admonition(self, node: nodes.Element) -> None:
        kind = "note"
        for cls in ADMONITIONS.values():
            if cls in node.get("classes", ()):
                kind = cls
        self._admonition(node, kind)

    def depart_admonition(self, node: nodes.Element) -> None:
        self.close_block()
        self.add("]\n\n")

    # Sphinx's dispatch walks the node's classes (``SphinxTranslator.dispatch_visit``): ``note``,
    # ``tip``, ``seealso``, ... have no visitor of their own and end at their base class.
    def visit_Admonition(self, node: nodes.Element) -> None:  # noqa: N802 (the docutils class name)
        kind = admonition_kind(node)
        if kind is None:  # another package's admonition-like node
            self.unknown_visit(node)
        else:
            self._admonition(node, kind)

    def depart_Admonition(self, node: nodes.Element) -> None:  # noqa: N802
        if admonition_kind(node) is None:
            self.unknown_departure(node)
        else:
            self.depart_admonition(node)
