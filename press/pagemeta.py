"""Show a page's front matter (description, date, tags) under its title.

A :class:`page_meta` node goes right after the page title in every format:
HTML/EPUB render it as a lead paragraph and a byline; the Typst writer uses it
for the chapter opener.  In HTML the description is also the page's
``<meta name="description">``.
"""

from __future__ import annotations

import datetime
import html
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform

from . import config as press_config
from . import frontmatter
from .typstmarkup import string


class page_meta(nodes.General, nodes.Element):
    """Front matter shown under the title: ``description``, ``date``, ``tags``."""


class InsertPageMeta(SphinxTransform):
    default_priority = 810

    def apply(self, **kwargs: Any) -> None:
        meta = frontmatter.page(self.env, self.env.docname)
        if meta is None or not (meta.description or meta.date or meta.tags):
            return
        section = next(iter(self.document.findall(nodes.section)), None)
        if section is None or not isinstance(section[0], nodes.title):
            return
        node = page_meta(description=meta.description, date=meta.date, tags=list(meta.tags))
        node.source, node.line = section[0].source, section[0].line
        section.insert(1, node)


def visit_html(self: Any, node: page_meta) -> None:
    parts = ['<div class="press-pagemeta">']
    if node["description"]:
        parts.append(f'<p class="press-description">{html.escape(node["description"])}</p>')
    if self.builder.name == "epub":
        # a book's chapter opener, as in print: the standfirst and "Revised 20 November 2026"
        # (the date and tag line is the web's navigation furniture)
        if node["date"]:
            parts.append(f'<p class="press-revised">Revised <time datetime="{html.escape(node["date"], quote=True)}">'
                         f'{html.escape(long_date(node["date"]))}</time></p>')
        parts.append("</div>")
        self.body.append("".join(parts))
        raise nodes.SkipNode
    byline = []
    if node["date"]:
        byline.append(f'<time class="press-date" datetime="{node["date"]}">{node["date"]}</time>')
    if node["tags"]:
        # web builds link each tag to its tag page (press.web.tags gives the builder the
        # link function at builder-inited); the EPUB keeps plain text
        tag_href = getattr(self.builder, "press_tag_href", None)

        def tag(t: str) -> str:
            href = tag_href(t) if tag_href is not None else None
            text = html.escape(t)
            return f'<a class="press-tag-link" href="{html.escape(href, quote=True)}">{text}</a>' if href else text

        tags = "".join(f'<li class="press-tag">{tag(t)}</li>' for t in node["tags"])
        byline.append(f'<ul class="press-tags" aria-label="Tags">{tags}</ul>')
    if byline:
        parts.append(f'<div class="press-byline">{"".join(byline)}</div>')
    parts.append("</div>")
    self.body.append("".join(parts))
    raise nodes.SkipNode


def long_date(date: str) -> str:
    """``2026-11-20`` as ``20 November 2026`` (print's and the EPUB's opener date); other text as is."""
    try:
        d = datetime.date.fromisoformat(date)
    except ValueError:
        return date
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")


def visit_typst(self: Any, node: page_meta) -> None:
    """Chapter opener data in the PDF: description and date under the title (and the tags)."""
    description = node["description"]
    printable = getattr(self, "printable", None)  # the Typst translator's glyph fallback, where it has one
    if printable is not None:
        description = printable(description, node)
    args = [f"description: {string(description)}", f"date: {string(node['date'])}"]
    tags = node.get("tags") or []
    if tags:
        args.append("tags: (" + "".join(f"{string(t)}, " for t in tags) + ")")
    self.add("#press-pagemeta(" + ", ".join(args) + ")\n\n")
    raise nodes.SkipNode


def visit_text(self: Any, node: page_meta) -> None:
    raise nodes.SkipNode


def add_meta_description(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    meta = frontmatter.page(app.env, pagename)
    if meta is None:
        return
    context["press_page"] = frontmatter.as_dict(meta)
    if meta.description and 'name="description"' not in context.get("metatags", ""):
        context["metatags"] = context.get("metatags", "") + (
            f'\n    <meta name="description" content="{html.escape(meta.description, quote=True)}" />'
        )


def add_license_footer(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """The web book's footer carries ``press_license`` under the copyright line (the
    sphinx-book-theme's ``extra_footer`` slot, unless conf.py fills it itself); the PDF prints
    it on the copyright page and the EPUB in ``dc:rights``."""
    if app.builder.name != "html":
        return
    license = press_config.get(app.config).license
    if license and not context.get("theme_extra_footer"):
        context["theme_extra_footer"] = f'<p class="press-license">{html.escape(license)}</p>'


def setup(app: Sphinx) -> dict[str, Any]:
    """Register :class:`page_meta` (html/epub/typst/text visitors), its transform and the meta tag."""
    app.add_node(
        page_meta,
        html=(visit_html, None),
        text=(visit_text, None),
        latex=(visit_text, None),
        man=(visit_text, None),
        texinfo=(visit_text, None),
        typst=(visit_typst, None),
    )
    app.add_transform(InsertPageMeta)
    app.connect("html-page-context", add_meta_description)
    app.connect("html-page-context", add_license_footer)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
