"""Untrusted content: the output-safety layer for everything bound for HTML/XHTML.

One setting, ``press_raw_html`` in ``conf.py``, decides what happens to raw
HTML written in pages (Markdown HTML blocks and inline tags, ``{raw} html``)
and in titles:

``"sanitize"`` (the default)
    re-written token by token with allow-lists of elements, attributes, URL
    schemes (:data:`URL_SCHEMES`, checked after entity decoding with whitespace
    and control characters removed) and CSS properties (:data:`STYLE_PROPERTIES`);
    a fragment that is a whole then also passes through ``nh3`` (Ammonia).  The
    result is always what is published.  Every raw block from which something was
    removed is a ``press.raw_html`` warning at its ``file:line`` naming what went.
``"allow"``
    the book's owner trusts every author: raw HTML passes as written (the web
    book's Content-Security-Policy still runs no inline script, :mod:`press.web.csp`).
``"drop"``
    raw HTML is left out of the web book and the EPUB.

Also here: titles (raw HTML in a title is cleaned when the page is read, before
Sphinx copies it into every page's navigation; the theme's print header is
escaped), links (a ``javascript:``/``data:`` … link from Markdown, a role or a
``.bib`` field is kept as text, ``press.unsafe_url``), and active files (SVG
images, by any path syntax, and downloads that could run script).  Math goes
through :mod:`press.mathml`, which uses the same URL and CSS rules.

In the EPUB every raw fragment is also parsed with a real HTML parser (lxml)
and re-serialised as well-formed XHTML, so ``<img>``, ``<hr>``, ``<input>``
(MyST task lists) or ``&nbsp;`` never make an invalid page.  Inline tags that
MyST splits into pieces (``<b>``, text, ``</b>``) are joined first.

SVG images are checked at ``doctree-read``, before any builder copies them:
one with scripts, event handlers, ``<foreignObject>``, entity declarations,
external/``javascript:`` references or script URLs in any attribute is a
``press.svg`` error at the image's ``file:line`` and is left out of every
format (unless ``press_raw_html = "allow"``).  The PDF's handling of raw HTML
text belongs to the Typst writer.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import nh3
from docutils import nodes
from sphinx import addnodes
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


#: URL schemes a link or image may use (checked after entity decoding and with every
#: whitespace and control character removed, as browsers do); no scheme = a relative URL.
URL_SCHEMES = frozenset({"http", "https", "mailto", "ftp", "ftps", "tel"})
#: Attributes whose value is a URL (any element, HTML or SVG).
URL_ATTRIBUTES = frozenset({
    "href", "src", "cite", "action", "formaction", "poster", "background", "longdesc",
    "usemap", "xlink:href", "data", "codebase", "manifest", "icon", "profile", "ping",
})
#: Elements left out with everything inside them (nh3's ``clean_content_tags`` and more).
DROP_WITH_CONTENT = frozenset({"script", "style", "template", "noscript", "textarea", "title", "xmp", "noembed", "noframes", "iframe", "object", "math"})
_CONTROL = re.compile(r"[\x00-\x20\x7f-\x9f\u00a0\u1680\u2000-\u200f\u2028\u2029\u202f\u205f\u3000\ufeff]+")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_IMAGE_DATA = re.compile(r"^data:image/(png|gif|jpe?g|webp|avif);", re.I)
#: CSS values never allowed (anything that loads, runs, escapes or hides a trick).
_CSS_BAD = re.compile(r"url\s*\(|image\s*\(|expression|javascript|vbscript|@import|behavior|binding|[\\\"'<>]|/\*", re.I)


def url_scheme(value: str) -> str | None:
    """The scheme of ``value`` as a browser reads it (entities decoded, whitespace and control
    characters removed), lower-cased; ``None`` for a relative URL."""
    text = _CONTROL.sub("", html.unescape(html.unescape(value)))
    m = _SCHEME.match(text)
    return m.group(1).lower() if m else None


def safe_url(value: str, image: bool = False) -> bool:
    """Whether ``value`` may be a link (or, with ``image``, an image source) in the outputs:
    a relative URL or one of :data:`URL_SCHEMES` (images also ``data:image/…``)."""
    scheme = url_scheme(value)
    if scheme is None or scheme in URL_SCHEMES:
        return True
    return image and scheme == "data" and bool(_IMAGE_DATA.match(_CONTROL.sub("", html.unescape(value))))


def clean_style(value: str) -> tuple[str, list[str]]:
    """``value`` (a ``style`` attribute) with only :data:`STYLE_PROPERTIES`, and what went."""
    keep, gone = [], []
    for decl in html.unescape(value).split(";"):
        if not decl.strip():
            continue
        prop, sep, val = decl.partition(":")
        prop, val = prop.strip().lower(), val.strip()
        if not sep or prop not in STYLE_PROPERTIES or not val or _CSS_BAD.search(val) or (
            prop in ("margin", "padding") and "-" in val
        ):
            gone.append(prop or decl.strip())
            continue
        keep.append(f"{prop}:{val}")
    return ";".join(keep), gone


def _allowed_attribute(tag: str, name: str) -> bool:
    return name in ATTRIBUTES.get(tag, ()) or name in ATTRIBUTES["*"] or name.startswith(("aria-", "data-"))


class _Sanitiser(HTMLParser):
    """Re-write one HTML fragment token by token with only what the allow-lists permit.

    Works on fragments that open or close an element another fragment closes or opens (a
    ``<details>`` block with Markdown inside is three pieces), which a tree sanitiser would
    "repair".  Every attribute value is decoded, checked and written back quoted and
    escaped, every text escaped, so the output means the same to every HTML parser."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.removed: list[str] = []
        self.skip: str | None = None
        self.stack: list[str] = []
        self.unmatched = False

    def _gone(self, what: str) -> None:
        if what not in self.removed:
            self.removed.append(what)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, closed=False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, closed=True)

    def _start(self, tag: str, attrs: list[tuple[str, str | None]], closed: bool) -> None:
        if self.skip:
            return
        if tag in DROP_WITH_CONTENT:
            self._gone(f"<{tag}>")
            if not closed and tag not in VOID:
                self.skip = tag
            return
        if tag not in TAGS:
            self._gone(f"<{tag}>")
            return
        kept = []
        for name, value in attrs:
            if tag in SVG_TAGS:  # the HTML parser lowercased SVG's camelCase attributes
                name = _SVG_CASE.get(name, name)
            if not _allowed_attribute(tag, name):
                self._gone(f"{name} on <{tag}>" if not name.startswith("on") else f"{name}= on <{tag}>")
                continue
            if value is None:
                kept.append(name)
                continue
            if name in URL_ATTRIBUTES and not safe_url(value, image=tag == "img" and name == "src"):
                self._gone(f"{name}={value.strip()[:40]!r} on <{tag}>")
                continue
            if name == "srcset" and not all(safe_url(c.split()[0], image=True) for c in value.split(",") if c.strip()):
                self._gone(f"srcset on <{tag}>")
                continue
            if name == "style":
                value, gone = clean_style(value)
                if gone:
                    self._gone(f"style {', '.join(gone)} on <{tag}>")
                if not value:
                    continue
            kept.append(f'{name}="{html.escape(value, quote=True)}"')
        attr = "".join(" " + a for a in kept)
        if tag in VOID:
            self.out.append(f"<{tag}{attr}>")
        elif closed and tag in SVG_TAGS:
            self.out.append(f"<{tag}{attr}></{tag}>")
        else:
            self.out.append(f"<{tag}{attr}>")
            if closed:
                self.out.append(f"</{tag}>")
            else:
                self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.skip:
            if tag == self.skip:
                self.skip = None
            return
        if tag in TAGS and tag not in VOID:
            if tag in self.stack:
                while self.stack and self.stack.pop() != tag:
                    pass
            else:
                self.unmatched = True
            self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.out.append(html.escape(data, quote=False))

    # comments, declarations, CDATA and processing instructions are left out (silently)
    def handle_comment(self, data: str) -> None: pass
    def handle_decl(self, decl: str) -> None: pass
    def unknown_decl(self, data: str) -> None: pass
    def handle_pi(self, data: str) -> None: pass


def sanitise(markup: str) -> tuple[str, list[str]]:
    """``(clean markup, what was removed)``: ``markup`` through the press allow-list.

    Every fragment is re-written token by token (:class:`_Sanitiser`); a fragment that is a
    whole (every element it opens it closes) then also passes through nh3 (Ammonia), and
    nh3's result is what is published."""
    parser = _Sanitiser()
    parser.feed(markup)
    parser.close()
    out = "".join(parser.out)
    if not parser.stack and not parser.unmatched and not parser.skip:
        out = nh3_clean(out)
    return out, parser.removed


def nh3_clean(markup: str) -> str:
    """``markup`` through nh3 with the press allow-list."""
    return nh3.clean(
        markup,
        tags=TAGS,
        attributes=ATTRIBUTES,
        generic_attribute_prefixes={"aria-", "data-"},
        filter_style_properties=STYLE_PROPERTIES,
        url_schemes=set(URL_SCHEMES) | {"data"},  # data: only on images: checked before
        link_rel=None,
        strip_comments=True,
    )


def clean(markup: str) -> str:
    """``markup`` through the press allow-list (see :func:`sanitise`)."""
    return sanitise(markup)[0]


def removed(markup: str, cleaned: str | None = None) -> list[str]:
    """What the sanitiser removes from ``markup``, as short human descriptions."""
    return sanitise(markup)[1]


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
                cleaned, gone = sanitise(text)
                _replace_text(node, cleaned)  # always: what is published is what was checked
                if gone:
                    warn(
                        PressWarning.RAW_HTML,
                        f"raw HTML sanitised: removed {', '.join(gone)} "
                        "(scripts, event handlers and javascript: URLs never reach readers; "
                        "press_raw_html = \"allow\" in conf.py if every author is trusted)",
                        location=node,
                    )


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


# ---- SVG images and downloadable files -----------------------------------------------------
SVG_NS = "http://www.w3.org/2000/svg"
_ACTIVE_ELEMENTS = {"script", "foreignobject", "iframe", "embed", "object", "handler", "listener"}
#: SVG animation elements: animating a link, an event handler or a style can make one active.
_ANIMATION = {"set", "animate", "animatemotion", "animatetransform", "animatecolor"}
_URL = re.compile(r"^\s*([A-Za-z][A-Za-z0-9+.-]*):")
#: File suffixes a browser (or static host) treats as a document that may run script.
_SCRIPT_SCHEMES = frozenset({"javascript", "vbscript", "livescript", "data", "jar", "ms-its", "mhtml"})
ACTIVE_SUFFIXES = frozenset({".html", ".htm", ".xhtml", ".xht", ".shtml", ".svg", ".svgz", ".xml", ".xsl", ".xslt", ".mht", ".mhtml"})


def _bad_value(value: str) -> bool:
    """Whether an attribute value names a scheme that is not allowed (each ``;`` part: ``values``)."""
    return any(
        url_scheme(part) in _SCRIPT_SCHEMES and not safe_url(part, image=True)
        for part in value.split(";") if part.strip()
    )


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
        if local in _ANIMATION:
            target = (el.get("attributeName") or "").strip().lower()
            if target.endswith("href") or target.startswith("on") or target in ("style", "src", "class"):
                found.append(f"<{local} attributeName={target!r}>")
        for name, value in el.attrib.items():
            attr = etree.QName(name).localname.lower()
            if attr.startswith("on"):
                found.append(f"{attr}= on <{local}>")
            elif attr in ("href", "src") or name.endswith("}href"):
                m = _URL.match(value)
                if m and m.group(1).lower() != "data" or value.strip().lower().startswith("data:text/html") or not safe_url(value, image=True):
                    found.append(f"{attr}={value.strip()[:40]!r} on <{local}>")
            elif attr == "style" and re.search(r"url\s*\(\s*['\"]?\s*[a-z]+:|@import|expression\s*\(", value, re.I):
                found.append(f"style with an external reference on <{local}>")
            elif _bad_value(value):  # to=, values=, from=, by= … of an animation, or anything else
                found.append(f"{attr}={value.strip()[:40]!r} on <{local}>")
        if local == "style" and el.text and re.search(r"@import|url\s*\(\s*['\"]?\s*[a-z]+:", el.text, re.I):
            found.append("<style> with an external reference")
    return found


class _Actives(HTMLParser):
    """What in an HTML page could run: scripts, frames, handlers, script URLs, refreshes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "iframe", "frame", "object", "embed", "applet", "base", "portal"):
            self.found.append(f"<{tag}>")
        if tag == "meta" and any(n == "http-equiv" and (v or "").lower() == "refresh" for n, v in attrs):
            self.found.append("<meta http-equiv=refresh>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{name}= on <{tag}>")
            elif value and (name in URL_ATTRIBUTES or name in ("to", "values", "from", "by")) and _bad_value(value):
                self.found.append(f"{name}={value.strip()[:40]!r} on <{tag}>")

    handle_startendtag = handle_starttag


def _looks_like_markup(data: bytes) -> bool:
    return data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<"


def file_problems(path: Path, data: bytes) -> list[str]:
    """What in a file (an image, a download) could run script when a reader opens it from the
    book's own address: an SVG or XML file is checked as SVG, an HTML page for scripts."""
    suffix = path.suffix.lower()
    if suffix == ".svgz":
        return ["a compressed SVG (.svgz) cannot be checked: publish a plain .svg"]
    if suffix in (".svg", ".xml", ".xsl", ".xslt") or (suffix not in ACTIVE_SUFFIXES and data.lstrip()[:5].lower() in (b"<?xml", b"<svg ", b"<svg>")):
        return svg_problems(data)
    if suffix in ACTIVE_SUFFIXES or _looks_like_markup(data):
        parser = _Actives()
        parser.feed(data.decode("utf-8", errors="replace"))
        parser.close()
        return parser.found
    return []


def _image_files(env: Any, uri: str) -> list[Path]:
    """Every local file an image URI can stand for (``pic.*`` candidates too)."""
    _rel, path = env.relfn2path(uri, env.docname)
    if "*" in uri or "?" in uri:
        return sorted(p for p in Path(path).parent.glob(Path(path).name) if p.is_file())
    return [Path(path)]


def check_svgs(app: Sphinx, doctree: nodes.document) -> None:
    """Reject images (any path syntax) and downloads with active content before any builder copies them."""
    if press_config.get(app.config).raw_html == "allow":
        return
    env = app.env
    for node in list(doctree.findall(nodes.image)):
        uri = node.get("uri", "")
        if not uri or _URL.match(uri) or uri.startswith("//"):
            continue
        found: list[str] = []
        for path in _image_files(env, uri):
            try:
                with path.open("rb") as f:
                    head = f.read(64)
                    if not (path.suffix.lower() in (".svg", ".svgz") or _looks_like_markup(head)):
                        continue  # a bitmap: nothing in it can run
                    data = head + f.read()
            except OSError:
                continue  # Sphinx reports missing images itself
            found += file_problems(path, data)
        if not found:
            continue
        warn(
            PressWarning.SVG,
            f"SVG image {uri!r} has active content ({', '.join(dict.fromkeys(found))}) and is left out: "
            "remove it from the file (or export a plain SVG / PNG)",
            location=node,
        )
        target = node.parent if isinstance(node.parent, nodes.figure) else node
        if isinstance(target.parent, nodes.reference):
            target = target.parent
        text = f"[image {uri} left out: active content]"
        placeholder = nodes.inline(text, text) if isinstance(target.parent, nodes.TextElement) else nodes.paragraph(text, text)
        target.replace_self(placeholder)
    for node in list(doctree.findall(addnodes.download_reference)):
        target = node.get("reftarget", "")
        if not target or _URL.match(target) or target.startswith("//"):
            continue
        _rel, path = env.relfn2path(target.split("#", 1)[0].split("?", 1)[0], env.docname)
        try:
            data = Path(path).read_bytes()
        except OSError:
            continue
        found = file_problems(Path(path), data)
        if not found:
            continue
        warn(
            PressWarning.ACTIVE_FILE,
            f"download {target!r} could run script in a reader's browser ({', '.join(dict.fromkeys(found))}) "
            "and is left out: offer it zipped, as plain text, or without the active parts",
            location=node,
        )
        node.replace_self(nodes.inline(node.astext(), node.astext()))


# ---- titles: what every page's navigation, header and <title> show ------------------------
def clean_titles(app: Sphinx, doctree: nodes.document) -> None:
    """Raw HTML in a title goes into the sidebar, the print header and the EPUB navigation of
    every page: apply ``press_raw_html`` to it when the page is read, before Sphinx copies it."""
    policy = press_config.get(app.config).raw_html
    if policy == "allow":
        return
    for title in list(doctree.findall(nodes.title)):
        raws = [n for n in title.findall(nodes.raw) if _is_html(n)]
        if not raws:
            continue
        if policy == "drop":
            for n in raws:
                n.parent.remove(n)
            continue
        _join_inline(title)
        for n in [n for n in title.findall(nodes.raw) if _is_html(n)]:
            cleaned, gone = sanitise(n.astext())
            if gone:
                warn(
                    PressWarning.RAW_HTML,
                    f"raw HTML in a title sanitised: removed {', '.join(gone)} "
                    "(a title is shown on every page; press_raw_html = \"allow\" in conf.py if every author is trusted)",
                    location=n if n.line else title,
                )
            _replace_text(n, cleaned)


def escape_theme_titles(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """sphinx-book-theme puts the page's and the book's title *text* into its print header and
    sidebar unescaped (``title.astext()``: the LaTeX of a formula, a title's ``<``): escape it."""
    for key, doc in (("pagetitle", pagename), ("root_title", context.get("root_doc") or app.config.root_doc)):
        if key in context and doc in app.env.titles:
            context[key] = html.escape(app.env.titles[doc].astext(), quote=False)


class MetaPolicy(SphinxPostTransform):
    """``<meta>`` tags a page asks for (MyST ``html_meta``): no ``http-equiv`` (a refresh would
    send every reader elsewhere; a policy would replace the book's), and a URL in ``content``
    only under the link rules.  Each one left out is a ``press.raw_html`` error at the line of
    the page that names it."""

    default_priority = 150
    formats = ("html",)

    def run(self, **kwargs: Any) -> None:
        if press_config.get(self.config).raw_html == "allow":
            return
        for node in list(self.document.findall(nodes.meta)):
            equiv = node.get("http-equiv")
            content = str(node.get("content", ""))
            bad = f"http-equiv={equiv!r}" if equiv else ""
            if not bad and url_scheme(content) and not safe_url(content, image=True):
                bad = f"content={content.strip()[:40]!r}"
            if not bad:
                continue
            line = None
            try:
                text = Path(self.env.doc2path(self.env.docname)).read_text(encoding="utf-8-sig").splitlines()
                needle = str(equiv) if equiv else content.strip()[:20]
                line = next((i + 1 for i, t in enumerate(text) if needle and needle in t), None)
            except (OSError, UnicodeDecodeError):
                pass
            warn(PressWarning.RAW_HTML, f"<meta {bad}> left out: a page may not redirect readers or set the book's policies", location=(self.env.docname, line))
            node.parent.remove(node)


# ---- links: only allowed URL schemes, wherever the link came from (Markdown, .bib, roles) ----
def _bib_location(config: Any, srcdir: Any, url: str) -> str | None:
    for name in getattr(config, "bibtex_bibfiles", None) or []:
        path = Path(srcdir) / name
        try:
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
        for i, line in enumerate(lines):
            if url in line:
                return f"{path}:{i + 1}"
    return None


class UnsafeLinks(SphinxPostTransform):
    """A link whose URL has a scheme that is not allowed (``javascript:``, ``vbscript:``,
    ``data:``…) is kept as text, in every format, with one ``press.unsafe_url`` error at the
    place it was written (the ``.bib`` line for a bibliography field)."""

    default_priority = 900  # after the bibliography and the chapter reference lists are filled

    def run(self, **kwargs: Any) -> None:
        if press_config.get(self.config).raw_html == "allow":
            return
        reported: set = self.env.__dict__.setdefault("_press_unsafe_urls", set())
        for node in list(self.document.findall(nodes.reference)):
            uri = node.get("refuri")
            if not uri or safe_url(uri):
                continue
            # a bibliography field is reported where it was written, once (not on every citing page)
            location: Any = _bib_location(self.config, self.env.srcdir, uri) if not node.line else None
            if location is None:
                line_node = node
                while line_node is not None and not line_node.line:
                    line_node = line_node.parent
                location = (self.env.docname, line_node.line if line_node is not None else None)
            key = (str(location), uri)
            if key not in reported:
                reported.add(key)
                warn(PressWarning.UNSAFE_URL, f"link to {uri.strip()[:60]!r} left out: only {', '.join(sorted(URL_SCHEMES))} or relative links reach readers", location=location)
            text = nodes.inline("", "", *node.children, classes=["press-unlinked"])
            node.replace_self(text)


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the raw-HTML post-transform and the SVG check."""
    app.add_post_transform(RawHtmlPolicy)
    app.add_post_transform(EpubRawXhtml)
    app.add_post_transform(UnsafeLinks)
    app.add_post_transform(MetaPolicy)
    app.connect("doctree-read", check_svgs, priority=450)
    app.connect("doctree-read", clean_titles, priority=300)
    app.connect("html-page-context", escape_theme_titles, priority=600)  # after the theme's (500)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
