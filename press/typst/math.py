"""LaTeX math -> Typst math, with the ``tex2typst`` library.

``tex2typst`` (the Python package of the maintained tex2typst converter) maps
LaTeX commands to Typst's math syntax table-driven and offline, so we do not
hand-roll a converter.  It runs in strict mode, so a command it does not know
is an error instead of a bare identifier that Typst would reject later; that
error is a file:line ``press.typst_math`` warning naming the construct, and
the formula is printed as its LaTeX source.

Display math first goes through :func:`normalise`: the amsmath *top-level*
environments (``equation``, ``align``, ``alignat``, ``flalign``, ``eqnarray``,
``gather``, ``multline``, ``split``, their starred forms) become the body of one
Typst equation (rows ``\\``, alignment points ``&``), which ``tex2typst``
converts as an ``aligned`` block; ``\\label``, ``\\nonumber``/``\\notag`` are
dropped (Sphinx numbers and labels the block) and ``\\tag{..}`` becomes the
printed number.  Several equations separated by blank lines (Sphinx's ``math``
directive) become rows of one block.

A few commands ``tex2typst`` lacks are first spelled the way it knows (:func:`rewrite`):
``\\xrightarrow``/``\\xleftarrow``, ``\\intertext`` (a row of text), ``dcases``/``rcases``,
``\\textbf``/``\\textit``/``\\emph``/``\\textrm``/``\\mbox``, the ``[t]`` position of
``aligned``; ``\\boxed`` keeps its formula without the frame.
"""

from __future__ import annotations

import re
from typing import Any

from docutils import nodes
from tex2typst import tex2typst

from ..warnings_ import PressWarning, warn

_OUTER = re.compile(r"\A\\begin\{([a-zA-Z]+\*?)\}(.*)\\end\{\1\}\Z", re.S)
_ALIGNED = {"align", "flalign", "alignat", "xalignat", "xxalignat", "eqnarray", "split", "aligned", "alignedat"}
_ROWS = {"gather", "multline", "gathered", "multlined"}
_PLAIN = {"equation", "displaymath", "math", "subequations"}
_TAG = re.compile(r"\\tag\*?\{([^{}]*)\}")
_DROP = re.compile(r"\\label\{[^{}]*\}|\\nonumber\b|\\notag\b")


def _top_level(tex: str, char: str) -> bool:
    """Whether ``char`` (``&`` or ``\\\\``) occurs outside every environment and brace group."""
    depth = 0
    i = 0
    while i < len(tex):
        if tex.startswith("\\begin{", i):
            depth += 1
        elif tex.startswith("\\end{", i):
            depth -= 1
        elif tex[i] == "\\" and tex.startswith(char, i) and char == "\\\\" and depth == 0:
            return True
        elif tex[i] == "\\":
            i += 2
            continue
        elif tex[i] == "&" and char == "&" and depth == 0:
            return True
        i += 1
    return False


def normalise(latex: str) -> tuple[str, str]:
    """``(tex, tag)``: display LaTeX reduced to what one Typst equation can say."""
    tex = latex.strip()
    tag = ""
    found = _TAG.search(tex)
    if found:
        tag = found.group(1)
        tex = _TAG.sub("", tex)
    tex = _DROP.sub("", tex).strip()
    match = _OUTER.match(tex)
    if match:
        env, body = match.group(1).rstrip("*"), match.group(2)
        if env in ("alignat", "xalignat", "xxalignat", "alignedat"):
            body = re.sub(r"\A\s*\{\d+\}", "", body)
        if env == "eqnarray":  # a &=& b -> a &= b
            rows = re.split(r"\\\\", body)
            body = "\\\\".join(
                (p[0] + "&" + p[1] + "".join(p[2:])) if len(p := row.split("&")) >= 3 else row for row in rows
            )
        if env in _PLAIN:
            tex = body.strip()
        elif env in _ALIGNED or env in _ROWS:
            tex = "\\begin{aligned}" + body + "\\end{aligned}"
        elif env == "smallmatrix":
            tex = "\\begin{matrix}" + body + "\\end{matrix}"
    if not tex.startswith("\\begin{aligned}") and (_top_level(tex, "&") or _top_level(tex, "\\\\")):
        tex = "\\begin{aligned}" + tex + "\\end{aligned}"
    tex = re.sub(r"\\begin\{smallmatrix\}(.*?)\\end\{smallmatrix\}", r"\\begin{matrix}\1\\end{matrix}", tex, flags=re.S)
    return tex, tag


def _group(tex: str, start: int) -> int:
    """The index just after the brace group that opens at ``tex[start] == "{"``."""
    depth = 0
    for i in range(start, len(tex)):
        if tex[i] == "\\":
            continue
        if tex[i] == "{" and (i == 0 or tex[i - 1] != "\\"):
            depth += 1
        elif tex[i] == "}" and tex[i - 1] != "\\":
            depth -= 1
            if depth == 0:
                return i + 1
    return len(tex)


def _replace_command(tex: str, command: str, make: Any) -> str:
    """Replace ``\\command{arg}`` (balanced braces) by ``make(arg)``."""
    pattern = re.compile(re.escape(command) + r"\s*\{")
    while (found := pattern.search(tex)) is not None:
        end = _group(tex, found.end() - 1)
        tex = tex[: found.start()] + make(tex[found.end(): end - 1]) + tex[end:]
    return tex


#: amsmath/LaTeX commands ``tex2typst`` does not know, rewritten to ones it does.
_REWRITES: list[tuple[str, Any]] = [
    ("\\xrightarrow", lambda a: f"\\overset{{{a}}}{{\\longrightarrow}}"),
    ("\\xleftarrow", lambda a: f"\\overset{{{a}}}{{\\longleftarrow}}"),
    ("\\intertext", lambda a: f"\\text{{{a}}} \\\\"),
    ("\\textbf", lambda a: f"\\mathbf{{\\text{{{a}}}}}"),
    ("\\textit", lambda a: f"\\mathit{{\\text{{{a}}}}}"),
    ("\\emph", lambda a: f"\\mathit{{\\text{{{a}}}}}"),
    ("\\textrm", lambda a: f"\\text{{{a}}}"),
    ("\\mbox", lambda a: f"\\text{{{a}}}"),
    ("\\boxed", lambda a: a),  # the frame is not printed; the formula is
]


def rewrite(tex: str) -> str:
    """LaTeX that ``tex2typst`` can convert: a few amsmath commands spelled another way."""
    for command, make in _REWRITES:
        if command in tex:
            tex = _replace_command(tex, command, make)
    tex = re.sub(r"\\begin\{(aligned|gathered|alignedat|split|array)\}\[[tcb]\]", r"\\begin{\1}", tex)
    tex = re.sub(r"\\(begin|end)\{[dr]cases\*?\}", r"\\\1{cases}", tex)
    return tex


#: Typst's own math operators (upright, limits where LaTeX has them); ``tex2typst`` knows
#: only some of LaTeX's: the others are spelled ``\operatorname{..}`` and turned back here.
TYPST_OPERATORS = frozenset(
    "arccos arcsin arctan arg cos cosh cot coth csc csch ctg deg det dim exp gcd hom id im inf ker "
    "lcm lg lim liminf limsup ln log max min mod Pr sec sech sin sinc sinh sup tan tanh tg".split()
)
_OPERATOR = re.compile(r"\\(" + "|".join(sorted(TYPST_OPERATORS, key=len, reverse=True)) + r")(?![A-Za-z])")
_OP_CALL = re.compile(r'\bop\("(' + "|".join(sorted(TYPST_OPERATORS, key=len, reverse=True)) + r')"\)')
#: stands for a ``"`` of the LaTeX source while ``tex2typst`` converts it (see :func:`guard`)
_QUOTE = "\ue000"
_ESCAPES = set('\\"nrtu')


#: the only code ``tex2typst`` writes itself (a flag, ``#none``, an ``array``'s column
#: ``align: #center``, a space of a fixed length, a colour):
#: anything else after a ``#`` came from the author's text and is refused
_SAFE_CODE = re.compile(
    r'#(?:true|false|none)\b|(?<=align: )#(?:left|center|right)\b|#h\((?:-?math\.\w+\.amount|[-+]?\d+(?:\.\d+)?(?:em|pt|mm|cm|in|ex)?)\)'
    r'|#text\(fill: (?:[a-z]+|rgb\("#[0-9a-fA-F]{3,8}"\))\)\[\$'
)
#: ``\\limits``/``\\nolimits`` (Typst places limits itself), ``\\lVert``/``\\rVert`` (a norm),
#: a backslash before a line end (a space) or at the very end (nothing)
_SPELLINGS = [
    (re.compile(r"\\(?:no)?limits(?![A-Za-z])"), ""),
    (re.compile(r"\\[lr]Vert(?![A-Za-z])"), r"\\|"),
    (re.compile(r"(?<!\\)\\(?=\n)"), r"\\ "),
    (re.compile(r"(?<!\\)\\\s*\Z"), ""),
]
#: delimiter sizes (``\\big(``, ``\\Bigl[`` …), which ``tex2typst`` does not know: the
#: delimiter is kept and sized by Typst
_SIZES = re.compile(r"\\(?:big|Big|bigg|Bigg)[lrm]?(?![A-Za-z])\s*")


def operators(tex: str) -> str:
    """``\\max``, ``\\limsup``, ``\\Pr`` … as ``\\operatorname{..}`` (``tex2typst`` lacks most);
    ``\\big(`` and its kin as the plain delimiter."""
    tex = _SIZES.sub("", tex)
    for pattern, spelled in _SPELLINGS:
        tex = pattern.sub(spelled, tex)
    return _OPERATOR.sub(lambda m: "\\operatorname{" + m.group(1) + "}", tex)


class UnsafeMath(ValueError):
    """The converter's output would not stay Typst math (a string left open, code)."""


def guard(typ: str) -> str:
    """Typst math from ``tex2typst`` made safe: every string literal closed where it should be
    (a ``"`` of the LaTeX source, held as ``_QUOTE``, becomes an escaped quote inside a
    string and a quoted quote outside), a backslash in a string never escapes the closing
    quote, and no ``#`` outside strings except ``#true``/``#false``: nothing written inside
    ``\\text{..}`` or ``\\operatorname{..}`` can reach Typst as code."""
    out: list[str] = []
    in_string = False
    i = 0
    while i < len(typ):
        c = typ[i]
        if in_string:
            if c == "\\":
                nxt = typ[i + 1: i + 2]
                if nxt and nxt in _ESCAPES and nxt != "u":
                    out.append(c + nxt)
                    i += 2
                    continue
                out.append("\\\\")
            elif c == _QUOTE:
                out.append('\\"')
            elif c == '"':
                in_string = False
                out.append(c)
            else:
                out.append(c)
        elif c == '"':
            in_string = True
            out.append(c)
        elif c == _QUOTE:
            out.append('"\\""')
        elif c == "#" and not (i > 0 and typ[i - 1] == "\\"):
            word = _SAFE_CODE.match(typ, i)
            if not word:
                raise UnsafeMath("code (#) in converted math")
            out.append(word.group(0))
            i += len(word.group(0))
            continue
        else:
            out.append(c)
        i += 1
    if in_string:
        raise UnsafeMath("a string left open in converted math")
    return _OP_CALL.sub(lambda m: m.group(1), "".join(out))


_PAIRS = {"(": ")", "[": "]", "{": "}", "|": "|", "||": "||"}
#: an opening delimiter (``\\left(``) right before a matrix without its own (``array``)
_BARE_MAT = re.compile(r'(?<![\\\w.])(lr\()?(\|\||[(\[{|])\s*mat\(delim: #none, ')


def _close(typ: str, i: int) -> int:
    """The index after the ``)`` that closes the ``(`` at ``i - 1`` (strings skipped), or -1."""
    depth, in_string = 1, False
    while i < len(typ):
        c = typ[i]
        if in_string:
            if c == "\\":
                i += 1
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
        elif c == "\\":
            i += 1
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return -1


def delimited_arrays(typ: str) -> str:
    """``\\left( \\begin{array}..\\end{array} \\right)`` as one ``mat(delim: "(", ..)``:
    ``tex2typst`` writes the array as a matrix without delimiters between two loose ones,
    which Typst sizes differently from a matrix's own."""
    start = 0
    while m := _BARE_MAT.search(typ, start):
        end = _close(typ, m.end())
        opening = m.group(2)
        rest = typ[end:] if end > 0 else ""
        after = len(rest) - len(rest.lstrip())
        closing = _PAIRS[opening] + (")" if m.group(1) else "")
        if end < 0 or not rest[after:].startswith(closing) or rest[after:].startswith("||") and opening == "|":
            start = m.end()
            continue
        body = typ[m.end():end]
        delim = '"' + opening + '"' if opening != "||" else '"‖"'
        mat = f"mat(delim: {delim}, " + body
        typ = typ[: m.start()] + mat + rest[after + len(closing):]
        start = m.start() + len(mat)
    return typ


def _fallback(latex: str) -> str:
    """The LaTeX source itself, as a Typst string in the formula's place."""
    return '"' + " ".join(latex.split()).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _convert(latex: str, node: nodes.Node | None, known: dict[str, str] | None = None) -> str:
    tex = rewrite(latex.strip())
    if tex[:1] in ("_", "^"):  # a sub- or superscript with no base (`$_{x}$`): an empty one, `""`
        return '""' + _convert("{x}" + tex, node, known).removeprefix("x")
    try:
        source = _input(tex)
        raw = known.get(source) if known else None  # (converted as the page was read: converted)
        if raw is None:
            raw = tex2typst(source, non_strict=False)
        return delimited_arrays(guard(raw))
    except Exception as exc:  # the converter raises plain errors
        reason = str(exc).splitlines()[0].removeprefix("Conversion failed: ").replace(_QUOTE, '"')
        warn(PressWarning.TYPST_MATH, f"cannot convert LaTeX math {latex.strip()!r} to Typst: {reason}", location=node)
        return _fallback(latex)


def to_typst(latex: str, node: nodes.Node | None = None, known: dict[str, str] | None = None) -> str:
    """Typst math for a LaTeX math string (without the ``$`` delimiters); ``known``: the
    converter's answers for its inputs, found while the page was read (:func:`converted`)."""
    return _convert(latex, node, known)


def _display_parts(latex: str) -> list[tuple[str, str]]:
    parts = [p for p in re.split(r"\n\s*\n", latex.strip()) if p.strip()] or [""]
    return [normalise(part) for part in parts]


def display_to_typst(latex: str, node: nodes.Node | None = None,
                     known: dict[str, str] | None = None) -> tuple[str, str]:
    """``(typst, tag)`` for display math: amsmath environments, several equations, ``\\tag``."""
    out, tags = [], []
    for tex, tag in _display_parts(latex):
        out.append(_convert(tex, node, known))
        if tag:
            tags.append(tag)
    return " \\ ".join(out), ", ".join(tags)


def _input(tex: str) -> str:
    """The converter's input for rewritten LaTeX ``tex`` (:func:`_convert`, :func:`_source`)."""
    return operators(tex).replace('"', _QUOTE)


def _source(latex: str) -> str:
    """The converter's input for ``latex``, as :func:`_convert` makes it."""
    tex = rewrite(latex.strip())
    if tex[:1] in ("_", "^"):  # (as _convert: an empty base)
        return _source("{x}" + tex)
    return _input(tex)


def converted(formulas: list[tuple[str, bool]]) -> dict[str, str]:
    """The converter's answers for ``formulas`` (``(LaTeX, display)``, macros expanded), keyed
    by the converter's input: found as a page is read (in Sphinx's parallel readers when the
    book is read with the cores, and kept with the page until it changes), so the PDF's
    writer only looks them up (pbdl: 1.2 s of its 2.6 s).  A formula the converter refuses is
    left out: the writer converts it again and warns at its line."""
    found: dict[str, str] = {}
    for latex, display in formulas:
        for tex in ([t for t, _ in _display_parts(latex)] if display else [latex]):
            try:
                source = _source(tex)
                if source not in found:
                    found[source] = tex2typst(source, non_strict=False)
            except Exception:  # noqa: BLE001 - the writer converts it again, and warns
                continue
    return found
