"""LaTeX math -> Typst math, with the ``tex2typst`` library.

``tex2typst`` (the Python package of the maintained tex2typst converter) maps
LaTeX commands to Typst's math syntax table-driven and offline, so we do not
hand-roll a converter.  It runs in strict mode, so a command it does not know
is an error instead of a bare identifier that Typst would reject later; that
error is a file:line ``press.typst_math`` warning naming the construct, and
the formula is printed as its LaTeX source.
"""

from __future__ import annotations

from docutils import nodes
from tex2typst import tex2typst

from ..warnings_ import PressWarning, warn


def to_typst(latex: str, node: nodes.Node | None = None) -> str:
    """Typst math for a LaTeX math string (without the ``$`` delimiters)."""
    try:
        result = tex2typst(latex.strip(), non_strict=False)
    except Exception as exc:  # the converter raises plain errors
        reason = str(exc).splitlines()[0].removeprefix("Conversion failed: ")
        warn(PressWarning.TYPST_MATH, f"cannot convert LaTeX math {latex.strip()!r} to Typst: {reason}", location=node)
        return '"' + " ".join(latex.split()).replace("\\", "\\\\").replace('"', '\\"') + '"'
    return result
