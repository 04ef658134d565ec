"""MathJax macros from ``mathjax3_config``, expanded in LaTeX before any converter sees it.

A book that defines ``mathjax3_config = {"tex": {"macros": {...}}}`` writes ``\\R`` or
``\\vec{x}`` in its formulas; MathJax expands them in the browser, but the PDF (Typst) and
MathML (web book, EPUB) are made at build time, so the same macros are expanded here first,
by :func:`expand`, a plain LaTeX-to-LaTeX pre-pass that every math converter calls.

MathJax's forms are understood: ``"name": "body"``, ``"name": ["body #1 #2", 2]`` and
``"name": ["body", 2, "default of #1"]`` (an optional first argument in ``[..]``).
Expansion repeats (macros may use macros) up to a fixed depth, so a macro defined in terms
of itself stops instead of looping.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

#: how many rounds of expansion at most (a recursive macro stops here)
MAX_ROUNDS = 20


@dataclass(frozen=True)
class Macro:
    body: str
    nargs: int = 0
    default: str | None = None  # an optional first argument's default


def from_config(config: Any) -> dict[str, Macro]:
    """The macros of ``mathjax3_config["tex"]["macros"]`` (also ``mathjax_config``'s
    ``TeX.Macros``, MathJax 2's spelling); ``{}`` when there are none or they are malformed."""
    found: dict[str, Any] = {}
    v3 = getattr(config, "mathjax3_config", None)
    if isinstance(v3, dict) and isinstance(v3.get("tex"), dict):
        found.update(v3["tex"].get("macros") or {})
    v2 = getattr(config, "mathjax_config", None)
    if isinstance(v2, dict) and isinstance(v2.get("TeX"), dict):
        for name, value in (v2["TeX"].get("Macros") or {}).items():
            found.setdefault(name, value)
    return parse(found)


def parse(raw: dict[str, Any]) -> dict[str, Macro]:
    """MathJax's macro table as :class:`Macro` values (entries of another shape are skipped)."""
    macros: dict[str, Macro] = {}
    for name, value in raw.items():
        if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z]+|.", name):
            continue
        if isinstance(value, str):
            macros[name] = Macro(value)
        elif isinstance(value, (list, tuple)) and value and isinstance(value[0], str):
            nargs = int(value[1]) if len(value) > 1 and isinstance(value[1], int) else 0
            default = value[2] if len(value) > 2 and isinstance(value[2], str) else None
            macros[name] = Macro(value[0], max(0, min(nargs, 9)), default)
    return macros


def _group(tex: str, i: int, open_: str = "{", close: str = "}") -> int:
    """The index after the balanced group opening at ``tex[i]`` (``-1`` if unbalanced)."""
    depth = 0
    j = i
    while j < len(tex):
        c = tex[j]
        if c == "\\":
            j += 2
            continue
        if c == open_:
            depth += 1
        elif c == close:
            depth -= 1
            if depth == 0:
                return j + 1
        j += 1
    return -1


def _argument(tex: str, i: int) -> tuple[str, int] | None:
    """One macro argument at ``tex[i:]`` (spaces skipped): a brace group, a control
    sequence or one character; ``(text, end)``."""
    while i < len(tex) and tex[i] in " \t\n":
        i += 1
    if i >= len(tex):
        return None
    if tex[i] == "{":
        end = _group(tex, i)
        return (tex[i + 1: end - 1], end) if end > 0 else None
    if tex[i] == "\\":
        m = re.compile(r"\\([A-Za-z]+|.)").match(tex, i)
        return (m.group(0), m.end()) if m else None
    return tex[i], i + 1


def _once(tex: str, macros: dict[str, Macro], pattern: re.Pattern[str]) -> tuple[str, bool]:
    out: list[str] = []
    pos = 0
    changed = False
    for m in pattern.finditer(tex):
        if m.start() < pos:
            continue
        back = len(tex[: m.start()]) - len(tex[: m.start()].rstrip("\\"))
        if back % 2:  # "\\R": a line break, then the letter R
            continue
        macro = macros.get(m.group(1))
        if macro is None:
            continue
        end = m.end()
        args: list[str] = []
        if macro.default is not None:
            j = end
            while j < len(tex) and tex[j] == " ":
                j += 1
            if j < len(tex) and tex[j] == "[":
                close = _group(tex, j, "[", "]")
                if close > 0:
                    args.append(tex[j + 1: close - 1])
                    end = close
            if not args:
                args.append(macro.default)
        ok = True
        while len(args) < macro.nargs:
            found = _argument(tex, end)
            if found is None:
                ok = False
                break
            args.append(found[0])
            end = found[1]
        if not ok:
            continue
        body = re.sub(r"#([1-9])", lambda a: args[int(a.group(1)) - 1] if int(a.group(1)) <= len(args) else "", macro.body)
        out.append(tex[pos: m.start()])
        # a macro that ends in a letter command stays apart from the letters that follow
        follow = tex[end: end + 1]
        out.append(body + (" " if re.search(r"\\[A-Za-z]+$", body) and follow.isalpha() else ""))
        pos = end
        changed = True
    out.append(tex[pos:])
    return "".join(out), changed


def expand(tex: str, macros: dict[str, Macro]) -> str:
    """``tex`` with every macro of ``macros`` expanded (repeatedly, at most :data:`MAX_ROUNDS`)."""
    if not macros or "\\" not in tex:
        return tex
    names = sorted(macros, key=len, reverse=True)
    pattern = re.compile(r"\\(" + "|".join(re.escape(n) for n in names) + r")(?![A-Za-z])")
    for _ in range(MAX_ROUNDS):
        tex, changed = _once(tex, macros, pattern)
        if not changed:
            break
    return tex


#: operators a MathML converter (latex2mathml) may not know: spelled ``\operatorname{..}``
_MATHML_OPERATORS = re.compile(r"\\(arg|lcm|sgn|tr|Tr|rank|diag|span|argmax|argmin)(?![A-Za-z])")


def prepare(tex: str, macros: dict[str, Macro]) -> str:
    """The pre-pass before a MathML converter: the book's macros expanded, and operators the
    converter does not know (``\\arg``) spelled ``\\operatorname{..}`` so they print upright,
    never as raw LaTeX."""
    return _MATHML_OPERATORS.sub(lambda m: "\\operatorname{" + m.group(1) + "}", expand(tex, macros))


_NEWCOMMAND = re.compile(r"\\(?:re)?newcommand\*?\s*\{?\s*\\([A-Za-z]+)\s*\}?\s*(?:\[(\d)\])?\s*(?:\[([^\]]*)\])?\s*\{")


def definitions(tex: str) -> tuple[str, dict[str, Macro]]:
    """``(tex without its definitions, the macros it defines)``: ``\\newcommand`` and
    ``\\renewcommand`` inside a formula, as MathJax allows (they hold for the rest of the page)."""
    found: dict[str, Macro] = {}
    out: list[str] = []
    pos = 0
    for m in _NEWCOMMAND.finditer(tex):
        if m.start() < pos:
            continue
        end = _group(tex, m.end() - 1)
        if end < 0:
            break
        found[m.group(1)] = Macro(tex[m.end(): end - 1], int(m.group(2) or 0), m.group(3))
        out.append(tex[pos: m.start()])
        pos = end
    out.append(tex[pos:])
    return "".join(out), found
