"""Untrusted content: raw HTML and SVG images.

One setting, ``press_raw_html`` in ``conf.py``, decides what happens to raw
HTML written in pages (Markdown HTML blocks and inline tags, ``{raw} html``):

``"sanitize"`` (the default)
    cleaned with ``nh3`` (the Ammonia sanitiser): no ``<script>``, no
    ``<iframe>``/``<object>``/``<form>``, no ``on…=`` event handlers, no
    ``javascript:`` URLs.  Every raw block from which something was removed is
    a ``press.raw_html`` warning at its ``file:line`` naming what went.
``"allow"``
    the book's owner trusts every author: raw HTML passes as written.
``"drop"``
    raw HTML is left out of the web book and the EPUB.

In the EPUB every raw fragment is also parsed with a real HTML parser (lxml)
and re-serialised as well-formed XHTML, so ``<img>``, ``<hr>``, ``<input>``
(MyST task lists) or ``&nbsp;`` never make an invalid page.  Inline tags that
MyST splits into pieces (``<b>``, text, ``</b>``) are joined first.

SVG images are checked at ``doctree-read``, before any builder copies them:
one with scripts, event handlers, ``<foreignObject>``, entity declarations or
external/``javascript:`` references is a ``press.svg`` error at the image's
``file:line`` and is left out of every format (unless ``press_raw_html =
"allow"``).  The PDF's handling of raw HTML text belongs to the Typst writer.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from pathlib import Path
from typing import Any

import nh3
from docutils import nodes
from lxml import etree
from lxml import html as lxml_html
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform

from . import config as press_config
from .warnings_ import PressWarning, warn

TAGS = set(nh3.ALLOWED_TAGS) | {"input", "label", "section", "main", "tfoot", "abbr", "big", "font"}
ATTRIBUTES: dict[str, set[str]] = {k: set(v) for k, v in nh3.ALLOWED_ATTRIBUTES.items()}
ATTRIBUTES["*"] = {"class", "id", "style", "role", "title", "lang", "dir", "align", "hidden", "width", "height"}
ATTRIBUTES["input"] = {"type", "checked", "disabled"}  # MyST task lists; no names, no form fields
ATTRIBUTES.setdefault("a", set()).update({"title", "target", "rel", "name"})
ATTRIBUTES.setdefault("img", set()).update({"loading", "srcset", "sizes"})
ATTRIBUTES.setdefault("abbr", set()).update({"title"})
ATTRIBUTES.setdefault("td", set()).update({"colspan", "rowspan"})
#: Inline SVG drawings (sphinx-design octicons, hand-drawn icons): shapes only, no scripts,
#: no links, no foreignObject.
SVG_TAGS = {"svg", "g", "path", "circle", "ellipse", "rect", "line", "polyline", "polygon", "text", "tspan", "title", "desc"}
SVG_ATTRIBUTES = {
    "viewBox", "width", "height", "x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "r", "rx", "ry", "d", "points",
    "fill", "fill-rule", "fill-opacity", "clip-rule", "stroke", "stroke-width", "stroke-linecap", "stroke-linejoin",
    "stroke-opacity", "opacity", "transform", "version", "xmlns", "aria-hidden", "role", "class", "focusable",
    "preserveAspectRatio", "text-anchor", "font-size", "font-family",
}
_SVG_CASE = {a.lower(): a for a in SVG_ATTRIBUTES if a != a.lower()}
TAGS |= SVG_TAGS
for _tag in SVG_TAGS:
    ATTRIBUTES[_tag] = set(SVG_ATTRIBUTES)
STYLE_PROPERTIES = {
    "color", "background-color", "text-align", "font-weight", "font-style", "font-size",
    "text-decoration", "width", "height", "max-width", "margin", "padding", "border",
    "display", "vertical-align", "white-space",
}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def clean(markup: str) -> str:
    """``markup`` through nh3 with the press allow-list."""
    return nh3.clean(
        markup,
        tags=TAGS,
        attributes=ATTRIBUTES,
        generic_attribute_prefixes={"aria-", "data-"},
        filter_style_properties=STYLE_PROPERTIES,
        link_rel=None,
        strip_comments=True,
    )


def _inventory(markup: str) -> tuple[Counter, set[tuple[str, str]]]:
    try:
        root = lxml_html.fragment_fromstring(markup, create_parent="div")
    except (etree.ParserError, ValueError):
        return Counter(), set()
    tags: Counter = Counter()
    attrs: set[tuple[str, str]] = set()
    for el in root.iterdescendants():
        if not isinstance(el.tag, str):
            continue
        tags[el.tag.lower()] += 1
        for name, value in el.attrib.items():
            attrs.add((el.tag.lower(), f"{name.lower()}={value.strip()[:40]!r}" if re.match(r"\s*(javascript|vbscript|data):", value or "", re.I) else name.lower()))
    return tags, attrs


def removed(markup: str, cleaned: str) -> list[str]:
    """What the sanitiser removed, as short human descriptions."""
    before_tags, before_attrs = _inventory(markup)
    after_tags, after_attrs = _inventory(cleaned)
    what = [f"<{t}>" for t in sorted((before_tags - after_tags).keys())]
    what += [f"{a} on <{t}>" for t, a in sorted(before_attrs - after_attrs) if t in after_tags or t not in before_tags - after_tags]
    return what


def to_xhtml(markup: str) -> str:
    """Parse HTML with a real parser and write it back as well-formed XHTML (no DOCTYPE, no entities)."""
    if not markup.strip():
        return markup
    try:
        parts = lxml_html.fragments_fromstring(markup)
    except (etree.ParserError, ValueError):
        return html.escape(markup, quote=False)
    out = []
    for part in parts:
        if isinstance(part, str):
            out.append(html.escape(part, quote=False))
            continue
        for el in part.iter():
            if not isinstance(el.tag, str):
                continue
            if el.tag.lower() in SVG_TAGS:  # the HTML parser lowercased SVG's camelCase attributes
                for name in [a for a in el.attrib if a in _SVG_CASE]:
                    el.set(_SVG_CASE[name], el.attrib.pop(name))
            elif el.tag.lower() not in VOID and el.text is None and len(el) == 0:
                el.text = ""  # <span></span>, not <span/>
        out.append(etree.tostring(part, method="xml", encoding="unicode", with_tail=True))
    # Inline SVG belongs to the SVG namespace in XHTML.
    return re.sub(r"<svg\b(?![^>]*\bxmlns=)", '<svg xmlns="http://www.w3.org/2000/svg"', "".join(out))


def _is_html(node: nodes.Node) -> bool:
    return isinstance(node, nodes.raw) and "html" in node.get("format", "").split()


def _join_inline(parent: nodes.Element) -> None:
    """Join runs of inline raw HTML and plain text (``<b>``, ``bold``, ``</b>``) into one raw node."""
    children = list(parent.children)
    run: list[nodes.Node] = []

    def flush() -> None:
        if sum(1 for n in run if _is_html(n)) >= 1 and len(run) >= 2:
            text = "".join(n.astext() if _is_html(n) else html.escape(n.astext(), quote=False) for n in run)
            first = next(n for n in run if _is_html(n))
            joined = nodes.raw(text, text, format="html")
            joined.source, joined.line = first.source, first.line
            parent.insert(parent.index(run[0]), joined)
            for n in run:
                parent.remove(n)
        run.clear()

    for child in children:
        if _is_html(child) or isinstance(child, nodes.Text):
            run.append(child)
        else:
            flush()
    flush()


def _join_all(document: nodes.document) -> None:
    parents = {id(n.parent): n.parent for n in document.findall(nodes.raw) if _is_html(n) and isinstance(n.parent, nodes.TextElement)}
    for parent in parents.values():
        _join_inline(parent)


class RawHtmlPolicy(SphinxPostTransform):
    """Apply ``press_raw_html`` to the raw HTML of each page (web book and EPUB)."""

    default_priority = 150  # before extensions add their own raw HTML (sphinx-design: 199)
    formats = ("html",)

    def run(self, **kwargs: Any) -> None:
        policy = press_config.get(self.config).raw_html
        if policy == "drop":
            for node in list(self.document.findall(nodes.raw)):
                if _is_html(node):
                    node.parent.remove(node)
            return
        _join_all(self.document)
        for node in list(self.document.findall(nodes.raw)):
            if not _is_html(node):
                continue
            if policy == "sanitize":
                text = node.astext()
                cleaned = clean(text)
                gone = removed(text, cleaned)
                if gone:
                    warn(
                        PressWarning.RAW_HTML,
                        f"raw HTML sanitised: removed {', '.join(gone)} "
                        "(scripts, event handlers and javascript: URLs never reach readers; "
                        "press_raw_html = \"allow\" in conf.py if every author is trusted)",
                        location=node,
                    )
                    _replace_text(node, cleaned)


class EpubRawXhtml(SphinxPostTransform):
    """EPUB pages are XML: re-serialise every raw HTML fragment as well-formed XHTML."""

    default_priority = 151  # right after RawHtmlPolicy
    builders = ("epub",)

    def run(self, **kwargs: Any) -> None:
        _join_all(self.document)
        for node in list(self.document.findall(nodes.raw)):
            if _is_html(node):
                _replace_text(node, to_xhtml(node.astext()))


def _replace_text(node: nodes.raw, text: str) -> None:
    if text == node.astext():
        return
    new = nodes.raw(text, text, format=node["format"])
    new.source, new.line = node.source, node.line
    node.replace_self(new)


# ---- SVG images -------------------------------------------------------------------------
SVG_NS = "http://www.w3.org/2000/svg"
_ACTIVE_ELEMENTS = {"script", "foreignobject", "iframe", "embed", "object", "handler", "listener"}
_URL = re.compile(r"^\s*([A-Za-z][A-Za-z0-9+.-]*):")


def svg_problems(data: bytes) -> list[str]:
    """What makes an SVG unsafe to publish (empty when it is fine)."""
    if b"<!ENTITY" in data or b"<!entity" in data:
        return ["an entity declaration (<!ENTITY>)"]
    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        return [f"not well-formed XML ({exc})"]
    found: list[str] = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            if isinstance(el, etree._ProcessingInstruction):
                found.append(f"a processing instruction <?{el.target}?>")
            continue
        local = etree.QName(el).localname.lower()
        if local in _ACTIVE_ELEMENTS:
            found.append(f"<{local}>")
        for name, value in el.attrib.items():
            attr = etree.QName(name).localname.lower()
            if attr.startswith("on"):
                found.append(f"{attr}= on <{local}>")
            elif attr in ("href", "src") or name.endswith("}href"):
                m = _URL.match(value)
                if m and m.group(1).lower() != "data" or value.strip().lower().startswith("data:text/html"):
                    found.append(f"{attr}={value.strip()[:40]!r} on <{local}>")
            elif attr == "style" and re.search(r"url\s*\(\s*['\"]?\s*[a-z]+:|@import|expression\s*\(", value, re.I):
                found.append(f"style with an external reference on <{local}>")
        if local == "style" and el.text and re.search(r"@import|url\s*\(\s*['\"]?\s*[a-z]+:", el.text, re.I):
            found.append("<style> with an external reference")
    return found


def check_svgs(app: Sphinx, doctree: nodes.document) -> None:
    """Reject SVG images with active content before any builder copies them."""
    if press_config.get(app.config).raw_html == "allow":
        return
    env = app.env
    for node in list(doctree.findall(nodes.image)):
        uri = node.get("uri", "")
        if not uri.lower().endswith(".svg") or _URL.match(uri):
            continue
        _rel, path = env.relfn2path(uri, env.docname)
        try:
            data = Path(path).read_bytes()
        except OSError:
            continue  # Sphinx reports missing images itself
        found = svg_problems(data)
        if not found:
            continue
        warn(
            PressWarning.SVG,
            f"SVG image {uri!r} has active content ({', '.join(dict.fromkeys(found))}) and is left out: "
            "remove it from the file (or export a plain SVG / PNG)",
            location=node,
        )
        target = node.parent if isinstance(node.parent, nodes.figure) else node
        text = f"[image {uri} left out: active content]"
        placeholder = nodes.inline(text, text) if isinstance(target.parent, nodes.TextElement) else nodes.paragraph(text, text)
        target.replace_self(placeholder)


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the raw-HTML post-transform and the SVG check."""
    app.add_post_transform(RawHtmlPolicy)
    app.add_post_transform(EpubRawXhtml)
    app.connect("doctree-read", check_svgs, priority=450)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
