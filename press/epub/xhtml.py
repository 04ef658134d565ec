"""Repairs that make other extensions' HTML valid EPUB XHTML, whatever extension wrote it.

Sphinx extensions write HTML for browsers, which forgive what EPUBCheck does not.  Each
repair is generic (by HTML rule, not by extension), applied to a page's body before it is
written (:meth:`press.epub.builder.PressEpubBuilder.get_doc_context`):

* a ``<p>`` inside ``<summary>`` (myst-nb's hidden cells, sphinx-togglebutton): phrasing
  content only, so it becomes a ``<span>``;
* boolean attributes written as Python's ``True``/``False`` (sphinx-inline-tabs'
  ``checked="True"``): ``checked="checked"``, or left out when false;
* the same ``id`` twice in a page (sphinx-proof's ``proof-content``): the later ones get
  ``-2``, ``-3`` …;
* ``<script>`` elements (thebe, launch buttons, interactive outputs): an EPUB of this press
  has no scripts; they are web-only and left out;
* control characters, which XML forbids (an ESC of coloured terminal output): removed
  (:func:`controls` tells the builder, which warns).
"""

from __future__ import annotations

import re

_SUMMARY = re.compile(r"(<summary\b[^>]*>)(.*?)(</summary>)", re.S)
_P_OPEN = re.compile(r"<p(\s[^>]*)?>")
_BOOLEAN = re.compile(
    r'\s(checked|disabled|selected|readonly|required|multiple|open|hidden|async|defer|autofocus|novalidate|reversed|ismap|default)'
    r'="(True|true|False|false)"'
)
_ID = re.compile(r'(\sid=")([^"]+)(")')
#: characters XML 1.0 forbids (tab, newline and carriage return are allowed), with the ANSI
#: escape sequence an ESC starts
_CONTROL = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>|<script\b[^>]*/>", re.S | re.I)


def _summary(m: re.Match[str]) -> str:
    inner = _P_OPEN.sub(lambda p: "<span" + (p.group(1) or "") + ">", m.group(2)).replace("</p>", "</span>")
    return m.group(1) + inner + m.group(3)


def _boolean(m: re.Match[str]) -> str:
    name, value = m.group(1), m.group(2)
    return f' {name}="{name}"' if value.lower() == "true" else ""


def controls(body: str) -> bool:
    """Whether the body holds characters XML forbids."""
    return bool(_CONTROL.search(body))


def repair(body: str) -> str:
    """The body with the repairs of the module docstring applied."""
    body = _CONTROL.sub("", body)
    if "<summary" in body:
        body = _SUMMARY.sub(_summary, body)
    if '="True"' in body or '="False"' in body or '="true"' in body or '="false"' in body:
        body = _BOOLEAN.sub(_boolean, body)
    if "<script" in body or "<SCRIPT" in body:
        body = _SCRIPT.sub("", body)
    seen: dict[str, int] = {}
    taken = set(m.group(2) for m in _ID.finditer(body))

    def unique(m: re.Match[str]) -> str:
        name = m.group(2)
        count = seen.get(name, 0) + 1
        seen[name] = count
        if count == 1:
            return m.group(0)
        new = f"{name}-{count}"
        while new in taken:
            count += 1
            new = f"{name}-{count}"
        taken.add(new)
        return m.group(1) + new + m.group(3)

    return _ID.sub(unique, body)
