"""Site-absolute links: ``/section/page.html#heading-slug`` as real cross-references.

The guide was first published on the web and its pages link to each other by
URL path.  This module

* records every id of every page (``env.press_anchors``); heading anchors are
  MyST's own (``myst_heading_anchors`` with the ``github`` slug function, set
  by :mod:`press`), so ``page.md#slug``, ``/page.html#slug`` and ``{ref}``
  reach the same id in every format;
* resolves links whose target starts with ``/`` — ``/a/b.html``,
  ``/a/b.html#slug``, ``/a/``, ``/a/index.html``, ``/a/b``, ``/`` (the root
  page) — to internal
  references before MyST's resolver sees them, for any builder;
* warns (``press.sitelink_page`` / ``press.sitelink_anchor``) with file:line
  when the page or the heading does not exist.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform

from . import adapters
from . import envstore
from .suggest import did_you_mean
from .warnings_ import PressWarning, warn


class HeadingSlugs(SphinxTransform):
    """Record all ids of the page (MyST's heading slugs among them) for link checks."""

    default_priority = 800  # after MyST's AddSlugIds (700)

    def apply(self, **kwargs: Any) -> None:
        ids: dict[str, str] = {}
        for node in self.document.findall(nodes.Element):
            for i in node.get("ids", ()):
                ids.setdefault(i, i)
        self.env.press_anchors[self.env.docname] = ids  # type: ignore[attr-defined]


def target_docname(path: str, env: BuildEnvironment) -> str | None:
    """The docname a site path names, or ``None`` if no such page exists."""
    path = unquote(path).lstrip("/")
    candidates: list[str]
    if path in ("", "index.html", "index"):
        candidates = [env.config.root_doc, "index"]
    elif path.endswith("/"):
        candidates = [f"{path}index"]
    elif path.endswith(".html"):
        candidates = [path[: -len(".html")]]
    elif path.endswith(".md"):
        candidates = [path[: -len(".md")]]
    else:
        candidates = [path, f"{path}/index"]
    for c in candidates:
        if c in env.all_docs or c in env.found_docs:
            return c
    return None


def is_site_link(target: str) -> bool:
    return target.startswith("/") and not target.startswith("//")


class SiteLinkResolver(SphinxPostTransform):
    """Turn ``pending_xref`` to ``/path.html#slug`` into internal references."""

    default_priority = 5  # before MyST's resolver (9) and Sphinx's (10)

    def run(self, **kwargs: Any) -> None:
        for node in list(self.document.findall(addnodes.pending_xref)):
            target = node.get("reftarget", "")
            if node.get("reftype") != "myst" or not is_site_link(target):
                continue
            self.resolve(node, target)

    def resolve(self, node: addnodes.pending_xref, target: str) -> None:
        path, _, fragment = target.partition("#")
        fromdoc = node.get("refdoc", self.env.docname)
        todoc = target_docname(path, self.env)
        content = node.children[0].deepcopy() if node.children else nodes.inline()
        if todoc is None:
            pages = [f"/{d}.html" for d in self.env.found_docs]
            warn(PressWarning.SITELINK_PAGE, f"site link {target!r}: no page at {path!r}{did_you_mean(path, pages)}", location=node)
            node.replace_self(content)
            return
        anchor = ""
        if fragment:
            anchors = self.env.press_anchors.get(todoc, {})  # type: ignore[attr-defined]
            anchor = anchors.get(unquote(fragment), "")
            if not anchor:
                warn(
                    PressWarning.SITELINK_ANCHOR,
                    f"site link {target!r}: page {todoc!r} has no heading with anchor #{fragment}"
                    f"{did_you_mean(unquote(fragment), anchors)}",
                    location=node,
                )
                node.replace_self(content)
                return
        if not content.astext():
            title = self.env.titles.get(todoc)
            content = nodes.inline("", title.astext() if title else todoc)
        ref = nodes.reference("", "", internal=True)
        uri = adapters.builder_of(self.env).get_relative_uri(fromdoc, todoc)
        ref["refuri"] = uri + (f"#{anchor}" if anchor else "")
        ref["press_target"] = (todoc, anchor)
        ref["classes"].extend(["press-sitelink"])
        if isinstance(content, nodes.inline):
            content["classes"] = [c for c in content["classes"] if c not in ("xref", "myst")]
        ref += content
        node.replace_self(ref)


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the heading-slug transform and the site-link post-transform."""
    envstore.register(app, "press_anchors")
    app.add_transform(HeadingSlugs)
    app.add_post_transform(SiteLinkResolver)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
