"""Typst markup helpers shared by every module that writes or reads Typst names.

A neutral module (no Sphinx, no format package): the ``typst`` builder and its visitors
(:mod:`press.typst.translator`, :mod:`press.typst.elements`, :mod:`press.pagemeta`) escape
text and write string literals with it, and the EPUB's page list (:mod:`press.epub.pages`)
finds the PDF's page map entries by the same label names.

* :func:`escape` — text as Typst markup (specials escaped, whitespace runs as one space);
* :func:`string` — a Typst string literal (code, URLs, anything verbatim);
* :func:`label` — the Typst label of a document or of an id in it (``<d.doc:id>``);
* :data:`END_ID` — the id of the label that closes each document's own content.
"""

from __future__ import annotations

import re

# Markup specials, plus ";" and "(": text may follow an embedded call (``#emph[x]``),
# where a bare ";" would end the expression (and vanish) and "(" would call its result.
_SPECIAL = re.compile(r"([\\#*_`$<>@=\-+/\[\]~'\".:;(])")

#: the id of the label that closes each document's own content (``<d.doc:press-end>``)
END_ID = "press-end"


def escape(text: str) -> str:
    """Escape text for Typst markup; whitespace runs become one space, a no-break space
    stays one (``~``: a citation tied to the word before it, press.references)."""
    text = _SPECIAL.sub(r"\\\1", text)
    return re.sub(r"[^\S\u00a0]+", " ", text).replace("\u00a0", "~")


def string(text: str) -> str:
    """A Typst string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "").replace("\t", "    ") + '"'


def label(docname: str, id_: str = "") -> str:
    """The Typst label name of a document (``id_=""``) or of an id in it."""
    name = "d." + docname.replace("/", ".")
    if id_:
        name += ":" + id_
    # only what a Typst label may hold (XID_Continue, "_", "-", ".", ":"): "m²" and "½" are not
    return "".join(c if c in ".:-_" or ("a" + c).isidentifier() else "_" for c in name)
