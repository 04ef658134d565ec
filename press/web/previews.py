"""Citation and cross-reference previews in the web book (hover or keyboard focus).

At the end of a web build this module reads every page back, collects the
targets of the internal links in the pages' main text (citations, sections,
figures, tables, glossary terms) and writes ``_static/press-previews-data.js``:
``window.PRESS_PREVIEWS = {"page.html#id": {"t": title, "x": text}}`` (a link to
a whole page is keyed by the page: its title and first paragraph).
A ``<script>`` (not a ``fetch``) so it loads from ``file://`` as from a server,
and only the targets that some link really points at are stored.
``press-web.js`` shows the entry in a small popup next to the link on hover
and on focus (Escape closes it), like Quarto's reference previews.
"""

from __future__ import annotations

import copy
import json
import posixpath
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from lxml import html as lxml_html
from sphinx.application import Sphinx

from ..stamps import Stamp
from . import is_web

DATA = "press-previews-data.js"
#: In the doctree folder (staged and published with the pages): each page's link targets
#: and each target's preview, so an incremental build reads only the pages it rewrote.
CACHE = "press-previews.json"
MAX_CHARS = 420


def _text(el: Any) -> str:
    for junk in el.xpath('.//*[contains(concat(" ", normalize-space(@class), " "), " headerlink ")]'):
        junk.drop_tree()
    return " ".join(el.text_content().split())


def _clip(text: str) -> str:
    if len(text) <= MAX_CHARS:
        return text
    cut = text[:MAX_CHARS].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "\u2026"


def _classes(el: Any) -> set[str]:
    return set((el.get("class") or "").split())


def preview(target: Any) -> dict[str, str] | None:
    """Title and text for one link target, or ``None`` when there is nothing to show."""
    import copy

    el = copy.deepcopy(target)
    tag, cls = el.tag, _classes(el)
    if "citation" in cls:  # bibliography entry: its text is the preview
        label = el.find('.//span[@class="label"]')
        title = _text(label) if label is not None else ""
        if label is not None:
            label.drop_tree()
        return {"t": title, "x": _clip(_text(el))}
    if tag == "li":  # chapter reference list entry
        return {"t": "", "x": _clip(_text(el))}
    if tag == "section":
        heading = next((c for c in el if c.tag in ("h1", "h2", "h3", "h4", "h5", "h6")), None)
        paras = [p for p in el.iter("p") if not ({"press-description", "caption-text"} & _classes(p))]
        para = next((p for p in paras if _text(copy.deepcopy(p))), None)
        if heading is None:
            return None
        return {"t": _text(heading), "x": _clip(_text(para)) if para is not None else ""}
    if tag in ("figure", "table") or "figure" in cls:
        cap = next(iter(el.xpath(".//figcaption|.//caption")), None)
        return {"t": _text(cap), "x": ""} if cap is not None else None
    if tag == "dt":  # glossary term: the term and its definition
        dd = target.getnext()
        return {"t": _text(el), "x": _clip(_text(copy.deepcopy(dd))) if dd is not None and dd.tag == "dd" else ""}
    if "literal-block-wrapper" in cls:
        cap = next(iter(el.xpath('.//*[contains(@class, "code-block-caption")]')), None)
        return {"t": _text(cap), "x": ""} if cap is not None else None
    return None


def collect(outdir: Path, pages: list[str], cache: dict | None = None, since: int = 0) -> tuple[dict[str, dict[str, str]], dict]:
    """The preview of every target of an internal link in the main text of ``pages``,
    and the cache for the next build.  With the ``cache`` of an earlier build written at
    ``since`` (ns), only pages written after it are read again (the engine keeps the
    modification times of the pages it did not rewrite)."""
    cache = cache if cache and isinstance(cache.get("links"), dict) and isinstance(cache.get("items"), dict) else {"links": {}, "items": {}}
    trees: dict[str, Any] = {}
    ids: dict[str, dict[str, Any]] = {}  # page -> id -> its first element (one walk per page, not one per link)
    fresh_memo: dict[str, bool] = {}

    def fresh(rel: str) -> bool:
        if rel not in fresh_memo:
            path = outdir / rel
            try:
                fresh_memo[rel] = since == 0 or path.stat().st_mtime_ns >= since
            except OSError:
                fresh_memo[rel] = True
        return fresh_memo[rel]

    def tree(rel: str) -> Any:
        """The page's ``<main>``, kept alone: links are read and previews found only there, and
        a whole page (its sidebar lists every page of the book) held for each of a 2,000-page
        book's pages took 6 GB."""
        if rel not in trees:
            path = outdir / rel
            main = None
            if path.is_file():
                found = lxml_html.fromstring(path.read_bytes()).find(".//main")
                main = copy.deepcopy(found) if found is not None else None  # (the rest of the page is freed)
            trees[rel] = main
        return trees[rel]

    def by_id(rel: str, doc: Any, frag: str) -> list[Any]:
        """``//*[@id=$id]``'s first match (document order), from an index of the page's ids."""
        if rel not in ids:
            index: dict[str, Any] = {}
            for el in doc.iter():
                key = el.get("id")
                if key is not None:
                    index.setdefault(key, el)
            ids[rel] = index
        found = ids[rel].get(frag)
        return [] if found is None else [found]

    links: dict[str, list[list[str]]] = {}
    for rel in pages:
        if not fresh(rel) and rel in cache["links"]:
            links[rel] = cache["links"][rel]
            continue
        found: set[tuple[str, str]] = set()
        doc = tree(rel)
        if doc is not None:
            for a in doc.xpath('//main//a[contains(concat(" ", normalize-space(@class), " "), " internal ")][@href]'):
                parts = urlsplit(a.get("href"))
                if parts.scheme or parts.netloc or not (parts.fragment or parts.path):
                    continue
                target = posixpath.normpath(posixpath.join(posixpath.dirname(rel), unquote(parts.path))) if parts.path else rel
                found.add((target, unquote(parts.fragment)))
        links[rel] = [list(pair) for pair in sorted(found)]
    wanted = sorted({(t, f) for rel in pages for t, f in links[rel]})
    items: dict[str, dict[str, str] | None] = {}
    for rel, frag in wanted:
        key = f"{rel}#{frag}" if frag else rel
        if not fresh(rel) and key in cache["items"]:
            items[key] = cache["items"][key]
            continue
        items[key] = None
        doc = tree(rel)
        if doc is None:
            continue
        if frag:
            found_el = by_id(rel, doc, frag)
        else:  # a link to a whole page: its title and first paragraph
            found_el = doc.xpath("//main//article//section[1]")
        if not found_el:
            continue
        el = found_el[0]
        if el.tag == "span" and el.getparent() is not None and not (el.text or "").strip() and not len(el):
            el = el.getparent()  # an empty anchor (e.g. a label) before its section
        item = preview(el)
        if item and (item["t"] or item["x"]):
            items[key] = item
    data = {k: v for k, v in items.items() if v}
    return data, {"links": links, "items": items}


def write_data(app: Sphinx, exception: Exception | None) -> None:
    """At ``build-finished``: the preview data of the web book (pages not rewritten since
    the last good build are not read again: see :func:`collect`)."""
    if exception is not None or not is_web(app.builder):
        return
    outdir = Path(app.outdir)
    pages = [app.builder.get_target_uri(doc) for doc in sorted(app.env.found_docs)]
    stamp = Stamp(app.doctreedir, CACHE)
    cache = stamp.data()
    since = stamp.mtime_ns() if cache is not None else 0
    data, cache = collect(outdir, [p for p in pages if (outdir / p).is_file()], cache, since)
    payload = json.dumps(data, ensure_ascii=True, sort_keys=True, separators=(",", ":"))
    static = outdir / "_static"
    static.mkdir(exist_ok=True)
    (static / DATA).write_text(
        "// Link previews (press.web.previews); generated, do not edit.\n"
        f"window.PRESS_PREVIEWS = {payload};\n",
        encoding="utf-8",
    )
    stamp.write_data(cache)


def add_script(app: Sphinx) -> None:
    if is_web(app.builder):
        app.add_js_file(DATA, loading_method="defer")


def setup(app: Sphinx) -> dict[str, Any]:
    """Load the data on every web page; write it at the end of web builds."""
    app.connect("builder-inited", add_script)
    app.connect("build-finished", write_data)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
