"""Every character prints: the PDF's font fallback chain and the characters no font has.

Fonts: the ``typst`` wheel embeds Libertinus Serif, New Computer Modern (and its Math) and
DejaVu Sans Mono; Source Sans Pro comes from its PyPI package; the fallback chain
(``press_pdf_fallback_fonts``) from pinned PyPI font packages: ``manimgx-fonts`` (Noto Sans,
Noto Sans Symbols, Noto Emoji and Noto Sans for many scripts, SIL OFL 1.1) and
``noto-cjk-sans-otc`` (Noto Sans CJK, SIL OFL 1.1).  Typst takes each character from the
first family of the chain that has it.

A character that no font has cannot be printed: a tagged PDF (PDF/UA-1) refuses to be made
at all.  So before the book is written, :func:`missing` asks the same Typst compiler, with
the same fonts, about every distinct character of the book's text (one tiny probe document;
Typst names the first character it cannot set, which is then left out of the next probe):
the translator prints those as a visible placeholder (``U+1F99C``) with a ``press.glyph``
warning at the author's file:line.
"""

from __future__ import annotations

import importlib.util
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any


#: PyPI packages whose folder holds fonts of the fallback chain (when installed)
FONT_PACKAGES = ("manimgx_fonts", "noto_cjk_sans_otc")
#: probes at most (each names one missing character): the rest are then taken as printable
MAX_PROBES = 64
_CANNOT = re.compile(r'the text `"(.*?)"` could not be displayed', re.S)


def package_font_dirs() -> list[str]:
    """The folders of the installed font packages of the fallback chain."""
    dirs = []
    for name in FONT_PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.origin:
            dirs.append(str(Path(spec.origin).parent))
    return dirs


def _probe_source(chars: list[str], font: str) -> str:
    body = " ".join(chars)
    return (
        '#set document(title: "glyphs")\n#set text(lang: "en", font: ' + font + ")\n"
        "#set page(width: 20cm, height: auto)\n"
        '#raw("' + body.replace("\\", "\\\\").replace('"', '\\"') + '")\n\n'
        "#\"" + body.replace("\\", "\\\\").replace('"', '\\"') + '"\n'
    )


def missing(compiler: Any, outdir: Path, chars: Iterable[str], font: str) -> set[str]:
    """The characters of ``chars`` that no font of ``compiler`` can print (see the module
    docstring); ``font`` is the Typst value of the text font (a string or an array)."""
    import typst

    todo = sorted({c for c in chars if ord(c) > 0x7E and not c.isspace() and unicodedata.category(c) not in ("Cc", "Mn", "Me", "Cs")})
    lost: set[str] = set()
    if not todo:
        return lost
    probe = Path(outdir, ".press-glyphs.typ")
    try:
        for _ in range(MAX_PROBES):
            probe.write_text(_probe_source(todo, font), encoding="utf-8")
            try:
                compiler.compile_with_warnings(input=str(probe), format="pdf", pdf_standards=["ua-1"])
                break
            except typst.TypstError as exc:
                m = _CANNOT.search(str(getattr(exc, "message", "") or exc))
                text = re.sub(r"\\u\{([0-9a-fA-F]+)\}", lambda u: chr(int(u.group(1), 16)), m.group(1)) if m else ""
                bad = [c for c in text if c in todo]
                if not bad:
                    break  # another problem: the real compile will report it
                lost.update(bad)
                todo = [c for c in todo if c not in bad]
                if not todo:
                    break
    finally:
        probe.unlink(missing_ok=True)
    return lost
