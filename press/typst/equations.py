"""Inline and display math: the math visitors of the Typst writer.

:class:`MathVisitors` is a base of :class:`press.typst.translator.TypstTranslator`; the LaTeX
is converted by :mod:`press.typst.math`.  The translator state it uses: ``add``,
``take_label``, ``extra_labels``, ``location``, ``fignumbers`` (Sphinx's equation numbers),
``macros`` (the book's, from ``mathjax3_config``) and ``page_macros`` (a page's own
``\\newcommand``, by page).
"""

from __future__ import annotations

from docutils import nodes

from .. import mathmacros
from ..typstmarkup import string


class MathVisitors:
    """``press-math`` and ``press-equation`` calls."""

    # -- math (LaTeX is converted by press.typst.math) ------------------
    def math_source(self, latex: str) -> str:
        """LaTeX with the book's macros (``mathjax3_config``) and the page's own (a
        ``\\newcommand`` in an earlier formula of the same page, as MathJax reads them) expanded."""
        latex, defined = mathmacros.definitions(latex)
        if defined:
            self.page_macros.setdefault(self.docname, {}).update(defined)
        own = self.page_macros.get(self.docname)
        return mathmacros.expand(latex, {**self.macros, **own} if own else self.macros)

    def visit_math(self, node: nodes.Element) -> None:
        from .math import to_typst

        # The LaTeX source is the equation's alt text (PDF/UA-1 requires one).
        latex = self.math_source(node.astext())
        self.add(f"#press-math({string(node.astext())})[$" + to_typst(latex, self.location(node)) + "$]")
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
        body, tag = display_to_typst(self.math_source(node.astext()), self.location(node))
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
