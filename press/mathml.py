"""LaTeX to MathML, once for every format that shows MathML (the web book and the EPUB).

One converter (``latex2mathml``) with one set of fixes, used by
:mod:`press.web.mathml` and :mod:`press.epub.translator`:

* ``align``/``eqnarray``/``gather`` become ``split`` (what latex2mathml lays out), and display
  math with ``\\\\`` or ``&`` outside an environment is wrapped in one;
* the result is built as an element tree (:func:`latex2mathml.converter.convert_to_element`)
  and serialised here, escaped: latex2mathml's own string output copies ``\\text{…}`` and
  ``\\mathrm{…}`` verbatim, so ``$\\text{<svg onload=…>}$`` made live markup;
* only MathML elements survive, with presentation attributes: no ``on…`` handler, and a
  ``href`` (``\\href``) or ``style`` (``\\style``) only when :mod:`press.sanitize` allows it;
* an unknown command (``\\foo`` left as an identifier) or a stray ``&`` is an error, not a
  silent ``\\foo`` in the reader's text (as the EPUB did before); a sized delimiter
  (``\\big\\vert``) that latex2mathml leaves as its name becomes its character;
* the LaTeX source, whitespace collapsed, is the ``alttext``.

A formula that cannot be converted raises :class:`ValueError`; each format reports it with its
own warning type and shows the LaTeX as code instead.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET

from latex2mathml.converter import convert_to_element

from . import mathmacros
from .sanitize import clean_style, safe_url

MATHML_NS = "http://www.w3.org/1998/Math/MathML"
_ALIGN_ENV = re.compile(r"\\(begin|end)\{(aligned|align\*?|eqnarray\*?|gather\*?|gathered)\}")
#: latex2mathml leaves unknown commands and stray alignment marks as text.
_UNCONVERTED = re.compile(r"^(\\[A-Za-z]+|&)$")
#: Delimiters latex2mathml leaves as their names after ``\big`` and friends.
_DELIMITERS = {
    "\\vert": "|", "\\lvert": "|", "\\rvert": "|", "\\Vert": "\u2016", "\\lVert": "\u2016", "\\rVert": "\u2016",
    "\\langle": "\u27e8", "\\rangle": "\u27e9", "\\lbrace": "{", "\\rbrace": "}", "\\lfloor": "\u230a",
    "\\rfloor": "\u230b", "\\lceil": "\u2308", "\\rceil": "\u2309", "\\backslash": "\\",
}
#: MathML (Core and the presentation elements latex2mathml writes).
ELEMENTS = frozenset({
    "math", "mi", "mn", "mo", "ms", "mtext", "mspace", "mrow", "mfrac", "msqrt", "mroot", "mstyle",
    "merror", "mpadded", "mphantom", "menclose", "msub", "msup", "msubsup", "munder", "mover",
    "munderover", "mmultiscripts", "mprescripts", "none", "mtable", "mtr", "mtd", "mlabeledtr",
    "maligngroup", "malignmark", "semantics", "annotation", "mfenced", "mglyph", "mlongdiv",
    "mstack", "msgroup", "msline", "mscarries", "mscarry", "msrow", "maction",
})
ATTRIBUTES = frozenset({
    "xmlns", "display", "mathvariant", "mathcolor", "mathbackground", "mathsize", "displaystyle",
    "scriptlevel", "fence", "separator", "stretchy", "symmetric", "largeop", "movablelimits",
    "accent", "accentunder", "lspace", "rspace", "minsize", "maxsize", "form", "linethickness",
    "columnalign", "rowalign", "columnspacing", "rowspacing", "columnlines", "rowlines", "frame",
    "framespacing", "equalrows", "equalcolumns", "align", "width", "height", "depth", "voffset",
    "notation", "open", "close", "separators", "rowspan", "columnspan", "class", "alttext",
    "href", "style", "encoding", "bevelled", "numalign", "denomalign", "linebreak", "border-color",
})


def _tree(latex: str, display: bool) -> ET.Element:
    tex = _ALIGN_ENV.sub(lambda m: f"\\{m.group(1)}{{split}}", latex.strip())
    if display and ("\\\\" in tex or "&" in tex) and "\\begin" not in tex:
        tex = f"\\begin{{split}}{tex}\\end{{split}}"
    try:
        return convert_to_element(tex, display="block" if display else "inline")
    except Exception as exc:  # latex2mathml raises many exception types
        raise ValueError(f"{type(exc).__name__}: {exc}".rstrip(": ")) from exc


def _clean(el: ET.Element) -> None:
    """Decode latex2mathml's pre-escaped text, keep only MathML and safe attributes."""
    for child in list(el):
        tag = child.tag.rsplit("}", 1)[-1] if isinstance(child.tag, str) else ""
        if tag not in ELEMENTS:
            el.remove(child)
            continue
        _clean(child)
    if el.text:
        # latex2mathml writes characters as references (``&#x0003C;``) into the text and
        # its ``convert`` unescapes the whole string: decode here, ElementTree escapes.
        el.text = html.unescape(el.text)
        tag = el.tag.rsplit("}", 1)[-1]
        if tag == "mo" and el.text in _DELIMITERS:  # after \big…, latex2mathml keeps the name
            el.text = _DELIMITERS[el.text]
        elif tag == "mi" and _UNCONVERTED.match(el.text):
            raise ValueError(f"unsupported LaTeX {el.text!r}")
    if el.tail:
        el.tail = html.unescape(el.tail)
    for name in list(el.attrib):
        value = html.unescape(el.attrib[name])
        if name not in ATTRIBUTES or name.startswith("on"):
            del el.attrib[name]
        elif name == "href" and not safe_url(value):
            del el.attrib[name]
        elif name == "style":
            value, _gone = clean_style(value)
            if value:
                el.set(name, value)
            else:
                del el.attrib[name]
        else:
            el.set(name, value)


def macros_prepass(latex: str, macros: dict[str, mathmacros.Macro] | None) -> str:
    """The book's LaTeX macros (``mathjax3_config``) expanded by :func:`press.mathmacros.prepare`."""
    return mathmacros.prepare(latex, macros or {})


def convert(latex: str, display: bool, macros: dict[str, mathmacros.Macro] | None = None) -> str:
    """MathML for one LaTeX formula (escaped, allow-listed); ``ValueError`` when it cannot be converted.
    ``macros`` (:func:`press.mathmacros.from_config`) are expanded first; ``alttext`` keeps the author's LaTeX."""
    return from_prepared(macros_prepass(latex, macros), display, latex)


def from_prepared(prepared: str, display: bool, latex: str) -> str:
    """:func:`convert` of LaTeX whose macros are already expanded (``prepared``, from
    :func:`macros_prepass`); ``latex``, the author's, is the alternative text."""
    root = _tree(prepared, display)
    _clean(root)
    root.set("alttext", " ".join(latex.split()))
    text = ET.tostring(root, encoding="unicode", short_empty_elements=True)
    # ElementTree writes the MathML namespace as the default xmlns already; keep the output compact.
    return text.replace(" />", "/>")
