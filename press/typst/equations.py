"""Inline and display math: the math visitors of the Typst writer.

:class:`MathVisitors` is a base of :class:`press.typst.translator.TypstTranslator`; the LaTeX
is converted by :mod:`press.typst.math`.  The translator state it uses: ``add``,
``take_label``, ``extra_labels``, ``location``, ``fignumbers`` (Sphinx's equation numbers),
``macros`` (the book's, from ``mathjax3_config``) and ``page_macros`` (a page's own
``\\newcommand``, by page).
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx

from .. import envstore, mathmacros
from ..typstmarkup import string

#: the environment's store of each page's formulas converted as it was read (:func:`read_math`)
STORE = "press_typst_math"


def _converter_version() -> str:
    import tex2typst

    return f"tex2typst {tex2typst.__version__}"


#: whose answers the store holds (a page read with another version is converted again)
CONVERTER = _converter_version()


def expanded(latex: str, macros: dict[str, mathmacros.Macro], own: dict[str, mathmacros.Macro]) -> str:
    """``latex`` with the book's ``macros`` and the page's ``own`` expanded; ``own`` gains the
    formula's ``\\newcommand`` definitions (they hold for the rest of the page)."""
    latex, defined = mathmacros.definitions(latex)
    own.update(defined)
    return mathmacros.expand(latex, {**macros, **own} if own else macros)


def read_math(app: Sphinx, doctree: nodes.document) -> None:
    """Convert a page's formulas as it is read, for the PDF's writer (``doctree-read``, the
    PDF's application only): with the cores when Sphinx reads with them, and once per
    change of the page, where the writer converted every formula of the book in one
    process at every build."""
    if app.builder.name != "typst":
        return
    from .math import converted

    macros, own = mathmacros.from_config(app.config), {}
    formulas = [(expanded(n.astext(), macros, own), isinstance(n, nodes.math_block))
                for n in doctree.findall(lambda n: isinstance(n, (nodes.math, nodes.math_block)))]
    if formulas:
        getattr(app.env, STORE)[app.env.docname] = (CONVERTER, converted(formulas))


def setup(app: Sphinx) -> None:
    envstore.register(app, STORE)
    app.connect("doctree-read", read_math)


class MathVisitors:
    """``press-math`` and ``press-equation`` calls."""

    # -- math (LaTeX is converted by press.typst.math) ------------------
    def math_source(self, latex: str) -> str:
        """LaTeX with the book's macros (``mathjax3_config``) and the page's own (a
        ``\\newcommand`` in an earlier formula of the same page, as MathJax reads them) expanded."""
        return expanded(latex, self.macros, self.page_macros.setdefault(self.docname, {}))

    def known_math(self) -> dict[str, str] | None:
        """The converter's answers found as this page was read (:func:`read_math`)."""
        found = self.math_read.get(self.docname)
        return found[1] if found and found[0] == CONVERTER else None

    def visit_math(self, node: nodes.Element) -> None:
        from .math import to_typst

        # The LaTeX source is the equation's alt text (PDF/UA-1 requires one).
        latex = self.math_source(node.astext())
        self.add(f"#press-math({string(node.astext())})[$" + to_typst(latex, self.location(node), self.known_math())
                 + "$]")
        raise nodes.SkipNode

    def visit_math_block(self, node: nodes.Element) -> None:
        from .math import display_to_typst

        number = ""
        if node.get("number") is not None and node.get("ids"):
            numbers = self.fignumbers.get(self.docname, {}).get("displaymath", {}).get(node["ids"][0])
            if self.config.math_numfig and self.config.numfig and numbers:
                eqno = ".".join(map(str, numbers))
                number = self.config.math_numsep.join(eqno.rsplit(".", 1))
            else:
                number = str(node["number"])
        body, tag = display_to_typst(self.math_source(node.astext()), self.location(node), self.known_math())
        fmt = self.config.math_eqref_format or "({number})"
        shown = fmt.format(number=number) if number else ""
        if tag:
            shown = f"({tag})"
        alt = string(node.astext().strip())
        self.add(f"\n#press-equation(number: {string(shown)}, alt: {alt})[$ {body} $]" + self.take_label(node) + "\n\n")
        self.extra_labels(node)
        raise nodes.SkipNode

    def visit_displaymath(self, node: nodes.Element) -> None:
        self.visit_math_block(node)
