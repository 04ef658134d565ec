"""Tag pages, generated from the front matter ``tags`` of every page.

``tags/index.html`` lists every tag with its page count; ``tags/<slug>.html``
lists the pages of one tag, in reading order, with their descriptions.  They
are made by ``html-collect-pages`` for the web builders only: they are not
documents, so they never enter the toctree, the PDF or the EPUB.  The sidebar
links the tag index (``sbt-sidebar-nav.html``) and the tags under each title
link their tag pages (:func:`tag_href`, used by :mod:`press.pagemeta`).
"""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.builders import Builder
from sphinx.environment import BuildEnvironment

from .. import frontmatter
from ..config import slugify
from ..structure import folder_of, index_of
from ..stamps import Stamp
from ..warnings_ import PressWarning, warn
from . import downloads_of, is_web

FOLDER = "tags"
INDEX = f"{FOLDER}/index"
TITLE = "Tags"
#: In the doctree folder (staged and published with the pages): what the tag pages showed.
STAMP = "press-tags.sha256"


def tag_pagename(tag: str) -> str:
    """The page name (URL without ``.html``) of one tag's page."""
    return f"{FOLDER}/{slugify(tag)}"


def reading_order(env: BuildEnvironment) -> list[str]:
    """Every document in book order (the structure's toctrees, depth first)."""
    order = getattr(env, "press_order", {})
    root = env.config.root_doc
    seen: list[str] = []

    def walk(doc: str) -> None:
        if doc in seen:
            return
        seen.append(doc)
        for child in order.get(doc, ()):
            walk(child)

    walk(root)
    seen += sorted(d for d in env.found_docs if d not in seen)
    return seen


def collect(env: BuildEnvironment) -> dict[str, list[str]]:
    """``{tag: [docname, ...]}`` in reading order, tags sorted case-insensitively."""
    tags: dict[str, list[str]] = {}
    for doc in reading_order(env):
        meta = frontmatter.page(env, doc)
        for tag in meta.tags if meta else ():
            if doc not in tags.setdefault(tag, []):
                tags[tag].append(doc)
    return dict(sorted(tags.items(), key=lambda kv: (kv[0].casefold(), kv[0])))


def tags_of(builder: Builder) -> dict[str, list[str]]:
    """The tags this build makes pages for (``{}`` for EPUB and other builders).

    Computed once per build, when the first page is written; a tag slug that
    clashes with another tag, the index or a document is reported then.
    """
    if not is_web(builder):
        return {}
    if getattr(builder, "press_tags", None) is None:
        builder.press_tags = _checked(builder.env)  # type: ignore[attr-defined]
    return builder.press_tags  # type: ignore[attr-defined]


def enabled(app: Sphinx) -> bool:
    """Whether this build makes tag pages (a web builder and at least one tag)."""
    return bool(tags_of(app.builder))


def tag_href(builder: Builder, tag: str) -> str | None:
    """Relative link from the page being written to ``tag``'s page, or ``None``
    when this build has no tag pages (EPUB, or a web build without tags)."""
    if tag not in tags_of(builder):
        return None
    return builder.get_relative_uri(builder.current_docname, tag_pagename(tag))


def _checked(env: BuildEnvironment) -> dict[str, list[str]]:
    tags = collect(env)
    clashes = sorted(d for d in env.found_docs if d == FOLDER or d.startswith(f"{FOLDER}/"))
    for doc in clashes:
        warn(PressWarning.WEB, f"the document {doc!r} is in '{FOLDER}/', where the web book puts its generated tag pages; "
             "tag pages are not generated", location=(doc, 1))
    if clashes:
        return {}
    slugs: dict[str, str] = {}
    kept: dict[str, list[str]] = {}
    for tag, docs in tags.items():
        slug = slugify(tag)
        if slug == "index":
            warn(PressWarning.WEB, f"tag {tag!r} would overwrite the tag index page {INDEX}.html: rename the tag", location=(docs[0], 1))
        elif slug in slugs:
            warn(PressWarning.WEB, f"tags {slugs[slug]!r} and {tag!r} share the page {FOLDER}/{slug}.html: use one spelling", location=(docs[0], 1))
        else:
            slugs[slug] = tag
            kept[tag] = docs
    return kept


def _section_title(env: BuildEnvironment, doc: str) -> str:
    """Title of the section a page belongs to (``""`` for top-level pages)."""
    folder = folder_of(folder_of(doc)) if doc.endswith("/index") else folder_of(doc)
    parent = index_of(folder)
    meta = frontmatter.page(env, parent)
    return meta.title if meta and parent not in (doc, env.config.root_doc) else ""


def _title(env: BuildEnvironment, doc: str) -> str:
    meta = frontmatter.page(env, doc)
    if meta:
        return meta.title
    return env.titles[doc].astext() if doc in env.titles else doc


def _pages(count: int) -> str:
    return f"{count} page" + ("" if count == 1 else "s")


def index_body(app: Sphinx, tags: dict[str, list[str]]) -> str:
    uri = app.builder.get_relative_uri
    items = "".join(
        f'<li><a class="press-tag-link" href="{html.escape(uri(INDEX, tag_pagename(tag)))}">{html.escape(tag)}</a> '
        f'<span class="press-tag-count">{_pages(len(docs))}</span></li>'
        for tag, docs in tags.items()
    )
    return (
        f'<section id="tags">\n<h1>{TITLE}</h1>\n'
        f'<p class="press-tag-lead">The {len(tags)} tags used in this book, with the number of pages that carry each.</p>\n'
        f'<ul class="press-tag-index">{items}</ul>\n</section>\n'
    )


def tag_body(app: Sphinx, tag: str, docs: list[str]) -> str:
    env, name = app.env, tag_pagename(tag)
    uri = app.builder.get_relative_uri
    items = []
    for doc in docs:
        meta = frontmatter.page(env, doc)
        section = _section_title(env, doc)
        description = f'<p class="press-tag-page-description">{html.escape(meta.description)}</p>' if meta and meta.description else ""
        where = f' <span class="press-tag-page-section">in {html.escape(section)}</span>' if section else ""
        items.append(
            f'<li class="press-tag-page"><a class="press-tag-page-link" href="{html.escape(uri(name, doc))}">'
            f"{html.escape(_title(env, doc))}</a>{where}{description}</li>"
        )
    return (
        f'<section id="tag-{html.escape(slugify(tag))}">\n<h1>Tag: {html.escape(tag)}</h1>\n'
        f'<p class="press-tag-lead">{_pages(len(docs))} tagged “{html.escape(tag)}”. '
        f'<a href="{html.escape(uri(name, INDEX))}">All tags</a></p>\n'
        f'<ul class="press-tag-pages">{"".join(items)}</ul>\n</section>\n'
    )


def pagenames(builder: Builder) -> list[str]:
    """The tag pages this build has (written now or kept from the last build)."""
    tags = tags_of(builder)
    return [INDEX, *(tag_pagename(t) for t in tags)] if tags else []


def _signature(app: Sphinx, pages: list[tuple[str, dict[str, Any], str]]) -> str:
    """Everything a tag page shows: its own content, and the chrome of every page (the
    navigation's order and titles, the downloads, the configuration, the templates)."""
    env, builder = app.env, app.builder
    info = getattr(builder, "build_info", None)
    templates = getattr(builder, "templates", None)
    state = {
        "pages": pages,
        "nav": [(d, env.titles[d].astext() if d in env.titles else "") for d in reading_order(env)],
        "numbers": {d: repr(n) for d, n in sorted(env.toc_secnumbers.items())},
        "downloads": [d.name for d in downloads_of(app)],
        "build": [getattr(info, "config_hash", ""), getattr(info, "tags_hash", "")],
        "templates": templates.newest_template_mtime() if templates else 0,
    }
    return hashlib.sha256(json.dumps(state, sort_keys=True, default=str).encode()).hexdigest()


def collect_pages(app: Sphinx) -> Iterator[tuple[str, dict[str, Any], str]]:
    """``html-collect-pages``: the tag index and one page per tag; none when the last
    good build wrote the same ones (:func:`_signature`) and they are all still there."""
    if not enabled(app):
        return
    tags = tags_of(app.builder)
    pages = [(INDEX, {
        "title": TITLE,
        "body": index_body(app, tags),
        "press_description": f"All {len(tags)} tags of {app.config.project}, with their page counts.",
    }, "page.html")]
    for tag, docs in tags.items():
        pages.append((tag_pagename(tag), {
            "title": f"Tag: {tag}",
            "body": tag_body(app, tag, docs),
            "press_description": f"{_pages(len(docs))} of {app.config.project} tagged “{tag}”.",
        }, "page.html"))
    signature = _signature(app, pages)
    outdir = Path(app.outdir)
    same = Stamp(app.doctreedir, STAMP).text() == signature and all(
        (outdir / app.builder.get_target_uri(name)).is_file() for name, _, _ in pages
    )
    app.builder.press_tags_signature = signature  # type: ignore[attr-defined]
    if not same:
        yield from pages


def _save_signature(app: Sphinx, exception: Exception | None) -> None:
    signature = getattr(app.builder, "press_tags_signature", None)
    if exception is None and signature:
        Stamp(app.doctreedir, STAMP).write(signature)


def page_context(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """The sidebar's link to the tag index (``press_tags_href``) on every web page."""
    if enabled(app):
        context["press_tags_href"] = context["pathto"](INDEX)
        context["press_tags_current"] = pagename == FOLDER or pagename.startswith(f"{FOLDER}/")


def _give_links(app: Sphinx) -> None:
    """The page-meta visitor (:mod:`press.pagemeta`) links tags through the builder's
    ``press_tag_href`` (web builders only), so it never imports the web book's code."""
    if is_web(app.builder):
        builder = app.builder
        builder.press_tag_href = lambda tag: tag_href(builder, tag)  # type: ignore[attr-defined]


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the tag pages (web builders only) and their sidebar link."""
    app.connect("builder-inited", _give_links)
    app.connect("html-collect-pages", collect_pages)
    app.connect("build-finished", _save_signature)
    app.connect("html-page-context", page_context)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
