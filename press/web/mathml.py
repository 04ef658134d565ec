"""Math as MathML, converted at build time (:mod:`press.mathml`, shared with the EPUB).

The web book must work offline and send no request outside itself, so it
cannot load MathJax from a CDN.  This HTML math renderer (``press_mathml``,
the default ``html_math_renderer`` set by :mod:`press.web`) writes MathML
that browsers render natively; the LaTeX source stays in ``alttext``.
"""

from __future__ import annotations

import html
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.locale import _
from sphinx.util.math import get_node_equation_number

from .. import mathmacros, memo
from ..warnings_ import PressWarning, warn

NAME = "press_mathml"


def _macros(self: Any) -> dict[str, mathmacros.Macro]:
    """The book's ``mathjax3_config`` macros, read once per translator."""
    if "press_macros" not in self.__dict__:
        self.press_macros = mathmacros.from_config(self.config)
    return self.press_macros


def to_mathml(latex: str, display: str, node: nodes.Node, macros: dict[str, mathmacros.Macro] | None = None,
              builder: Any = None) -> str:
    """MathML for one formula (the book's macros expanded); on failure a warning and the escaped LaTeX."""
    try:
        return memo.mathml(builder, latex, display == "block", macros)  # (shared with the EPUB's process)
    except ValueError as exc:
        warn(PressWarning.MATHML, f"cannot convert math to MathML ({exc}): {latex.strip()!r}", location=node)
        return f'<code class="press-math-error">{html.escape(latex)}</code>'


def visit_math(self: Any, node: nodes.math) -> None:
    self.body.append(self.starttag(node, "span", "", CLASS="math press-math"))
    self.body.append(to_mathml(node.astext(), "inline", node, _macros(self), self.builder))
    self.body.append("</span>")
    raise nodes.SkipNode


def visit_displaymath(self: Any, node: nodes.math_block) -> None:
    self.body.append(self.starttag(node, "div", CLASS="math press-math press-math-block"))
    if node["number"]:
        number = get_node_equation_number(self, node)
        self.body.append(f'<span class="eqno">({number})')
        self.add_permalink_ref(node, _("Link to this equation"))
        self.body.append("</span>")
    if node.get("no-wrap", node.get("nowrap", False)):
        parts = [node.astext()]
    else:
        parts = [p for p in node.astext().split("\n\n") if p.strip()]
    for part in parts:
        self.body.append(to_mathml(part, "block", node, _macros(self), self.builder))
    self.body.append("</div>\n")
    raise nodes.SkipNode


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the ``press_mathml`` HTML math renderer."""
    app.add_html_math_renderer(NAME, (visit_math, None), (visit_displaymath, None))
    return {"parallel_read_safe": True, "parallel_write_safe": True}
