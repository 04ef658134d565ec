"""Pages that are not UTF-8: one clear ``file:line`` error instead of Sphinx's crash.

Sphinx decodes every source file strictly; a page saved in Latin-1 or
Windows-1252 (an ``é`` byte) stops the whole build with "Encoding error!" and a
crash report.  At ``env-before-read-docs`` this module decodes each page about
to be read; one that is not UTF-8 is reported at the line of its first bad byte
with the likely encoding (``charset-normalizer``) and the ``iconv`` command that
converts it, and is kept from Sphinx's reader (the build fails with that one
message; a page read by an earlier build keeps its last good doctree).  A UTF-8 byte-order mark and CRLF line ends are fine.
"""

from __future__ import annotations

import codecs
import os
import re
import shlex
from pathlib import Path
from typing import Any

from charset_normalizer import from_bytes
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.transforms import SphinxTransform

from .warnings_ import PressWarning, warn

_LATIN = ("Basic Latin", "Latin", "General Punctuation", "Control character")
#: charset-normalizer names → the names ``iconv`` knows.
_ICONV = {"latin_1": "latin1", "cp1252": "cp1252", "iso8859_15": "iso-8859-15", "utf_16": "utf-16", "mac_roman": "macintosh"}


#: control characters removed from a page's text (tab, newline and carriage return are
#: whitespace); an ANSI escape sequence (coloured terminal output) goes whole
CONTROL = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: the same in a docutils text node, which marks backslash-escapes with NUL (``\ `` is
#: ``\x00 ``; ``astext()`` drops them): those NULs are no author's characters
TEXT_CONTROL = re.compile(CONTROL.pattern.replace(r"[\x00-", r"[\x01-"))
#: lexers that turn colour codes into colours (the PDF strips them itself)
ANSI_LEXERS = frozenset({"myst-ansi", "ansi", "ipythontb"})


def strip_controls(text: str, pattern: re.Pattern[str] = CONTROL) -> tuple[str, list[str]]:
    """``(text without control characters, the characters removed as U+XXXX names)``."""
    found: list[str] = []

    def drop(m: re.Match[str]) -> str:
        name = f"U+{ord(m.group(0)[0]):04X}"
        if name not in found:
            found.append(name)
        return ""

    return pattern.sub(drop, text), found


class ControlCharacters(SphinxTransform):
    """Control characters removed from the text of a page as it is read, one
    ``press.control_char`` warning per paragraph, title or block at its ``file:line``."""

    default_priority = 880  # after the parsers' own transforms, before the doctree is stored

    def apply(self, **kwargs: Any) -> None:
        touched: dict[int, tuple[nodes.Element, list[str]]] = {}
        for text in list(self.document.findall(nodes.Text)):
            if not TEXT_CONTROL.search(text):
                continue
            parent = text.parent
            if parent is None or self._coloured(parent):
                continue
            clean, found = strip_controls(str(text), TEXT_CONTROL)
            parent.replace(text, nodes.Text(clean))
            element = self._located(parent)
            names = touched.setdefault(id(element), (element, []))[1]
            names.extend(n for n in found if n not in names)
        for element, names in touched.values():
            warn(PressWarning.CONTROL_CHAR, f"control character(s) {', '.join(names)} removed from the text",
                 location=element)

    @staticmethod
    def _coloured(node: nodes.Node) -> bool:
        while node is not None:
            if isinstance(node, nodes.raw) or (
                    isinstance(node, nodes.literal_block) and node.get("language") in ANSI_LEXERS):
                return True
            node = node.parent
        return False

    @staticmethod
    def _located(node: nodes.Element) -> nodes.Element:
        """The nearest element that knows its source line (the warning's location)."""
        current: Any = node
        while current is not None and current.line is None:
            current = current.parent
        return current if current is not None else node


def likely_encoding(data: bytes) -> str:
    """The most likely encoding of ``data`` as an ``iconv`` name.

    A byte-order mark decides UTF-16/32.  Otherwise charset-normalizer ranks the
    candidates; short Western text fits many code pages equally well, so when any
    of the best-ranked ones reads it as Latin text the answer is Windows-1252
    (if it uses that code page's 0x80-0x9F punctuation) or Latin-1.
    """
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    matches = list(from_bytes(data))
    western = "cp1252" if any(0x80 <= b <= 0x9F for b in data) else "latin1"
    if not matches:
        return western
    low = min(m.chaos for m in matches)
    best = [m for m in matches if m.chaos == low]
    if any(all(a.startswith(_LATIN) for a in m.alphabets) for m in best) or best[0].encoding.startswith("utf_8"):
        return western
    name = best[0].encoding
    return _ICONV.get(name, name.replace("_", "-"))


def problem(path: Path, encoding: str = "utf-8-sig") -> tuple[int, str] | None:
    """``(line, message)`` when the file does not decode, else ``None``."""
    data = path.read_bytes()
    try:
        data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        bad = data[exc.start : exc.end]
        enc = likely_encoding(data)
        try:
            shown = os.path.relpath(path)
        except ValueError:
            shown = str(path)
        quoted = shlex.quote(shown)
        message = (
            f"the page is not UTF-8 (byte {bad.hex(' ')!s} cannot be decoded; it looks like {enc}); "
            f"convert it with: iconv -f {enc} -t utf-8 {quoted} > {quoted}.utf8 && mv {quoted}.utf8 {quoted}"
        )
        return line, message
    return None


def check_pages(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """Report undecodable pages and keep them from Sphinx's reader."""
    for docname in list(docnames):
        path = Path(env.doc2path(docname))
        try:
            found = problem(path, app.config.source_encoding)
        except OSError:
            continue
        if found is None:
            continue
        line, message = found
        warn(PressWarning.ENCODING, message, location=(docname, line))
        docnames.remove(docname)
        if docname not in env.all_docs:
            # Never read: no doctree to write, so the page is left out of this build.
            # (A page read before keeps its last good doctree; the error fails the build.)
            env.found_docs.discard(docname)


def setup(app: Sphinx) -> dict[str, Any]:
    """Check the encoding of the pages before Sphinx (and press.structure) reads them."""
    app.connect("env-before-read-docs", check_pages, priority=400)
    app.add_transform(ControlCharacters)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
