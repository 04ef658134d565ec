"""sphinx-design components as static XHTML for the EPUB (no JavaScript, no inputs).

Runs as a post-transform of the ``epub`` builder only, after references are
resolved and before sphinx-design's own HTML transforms (priority 199/200):

* a **tab set** becomes a ``<div class="press-tabs">`` of sequential
  ``<section class="press-tab">`` blocks, each labelled by its tab's title
  (``aria-labelledby``) — every tab is readable, in order;
* a **dropdown** becomes an always-open box with its title on top;
* tab and dropdown titles are headings one level below their section's
  (no arrows, no "click to open": the print idiom);
* a **card** keeps its box; its invisible "stretched" link moves onto the
  card title, so the link has text and can be followed;
* **icons** (octicons, material icons: inline SVG) get the SVG namespace and lose a
  ``version`` attribute SVG does not define, so they are valid XHTML.
"""

from __future__ import annotations

import re
from typing import Any

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform


class epub_block(nodes.Element, nodes.General):  # noqa: N801
    """A static block: ``tag`` (``div``/``section``) with ``attrs`` (extra XHTML attributes)."""


class epub_label(nodes.TextElement, nodes.General):  # noqa: N801
    """The visible label of a static block (a tab's or a dropdown's title)."""


def _component(node: nodes.Node, name: str) -> bool:
    return isinstance(node, nodes.Element) and node.get("design_component") == name


def visit_block(self: Any, node: epub_block) -> None:
    self.body.append(self.starttag(node, node.get("tag", "div"), **node.get("attrs", {})))


def depart_block(self: Any, node: epub_block) -> None:
    self.body.append(f"</{node.get('tag', 'div')}>\n")


def visit_label(self: Any, node: epub_label) -> None:
    """A tab's or dropdown's title is a heading one level below the enclosing section's."""
    node["press_tag"] = f"h{min(max(self.section_level, 1) + 1, 6)}"
    self.body.append(self.starttag(node, node["press_tag"], ""))


def depart_label(self: Any, node: epub_label) -> None:
    self.body.append(f"</{node.get('press_tag', 'p')}>\n")


_SVG_NO_NS = re.compile(r"<svg(?![^>]*\bxmlns=)")


#: a ``version`` on ``<svg>`` other than SVG's own (material icons carry their package version)
_SVG_BAD_VERSION = re.compile(r'(<svg\b[^>]*?)\s+version="(?!1\.[012]")[^"]*"')


def svg_namespace(markup: str) -> str:
    """Inline ``<svg>`` markup with the SVG namespace (HTML omits it; XHTML needs it) and
    without a ``version`` attribute SVG does not define."""
    markup = _SVG_BAD_VERSION.sub(r"\1", markup)
    return _SVG_NO_NS.sub('<svg xmlns="http://www.w3.org/2000/svg"', markup)


class StaticDesign(SphinxPostTransform):
    """Rewrite sphinx-design components into static blocks for the EPUB."""

    default_priority = 150
    builders = ("epub",)

    def run(self, **kwargs: Any) -> None:
        self.serial = 0
        # one walk over the page finds every kind (the rewrites below move nodes, never copy them)
        found: dict[str, list[nodes.Element]] = {"tab-set": [], "dropdown": [], "card": [], "raw": [], "icon": []}
        for node in self.document.findall(nodes.Element):
            kind = node.get("design_component")
            if kind in found:
                found[kind].append(node)
            elif isinstance(node, nodes.raw):
                found["raw"].append(node)
            elif node.tagname == "sd_icon":
                found["icon"].append(node)
        for node in found["tab-set"]:
            self.tab_set(node)
        for node in found["dropdown"]:
            self.dropdown(node)
        for node in found["card"]:
            self.card(node)
        for raw in found["raw"]:
            if "html" in raw.get("format", "").split() and "<svg" in raw.astext():
                raw.children = [nodes.Text(svg_namespace(raw.astext()))]
        for icon in found["icon"]:
            if "svg" in icon:
                icon["svg"] = svg_namespace(icon["svg"])

    def new_id(self, kind: str) -> str:
        self.serial += 1
        return f"press-{kind}-{self.serial}"

    def label(self, title: nodes.Element, classes: list[str], kind: str) -> epub_label:
        ids = list(title.get("ids", ())) or [self.new_id(kind)]
        label = epub_label("", "", *title.children, ids=ids, classes=classes)
        label.source, label.line = title.source, title.line
        return label

    def tab_set(self, tab_set: nodes.Element) -> None:
        block = epub_block(tag="div", classes=["press-tabs"], ids=list(tab_set.get("ids", ())))
        block.source, block.line = tab_set.source, tab_set.line
        for item in tab_set.children:
            if not _component(item, "tab-item") or len(item.children) != 2:
                block += item  # hyperlink targets etc. stay in place
                continue
            title, content = item.children
            label = self.label(title, ["press-tab-label"], "tab")
            section = epub_block(
                tag="section",
                classes=["press-tab"],
                ids=list(item.get("ids", ())),
                attrs={"aria-labelledby": label["ids"][0]},
            )
            section.source, section.line = item.source, item.line
            section += label
            section.extend(content.children)
            block += section
        tab_set.replace_self(block)

    def dropdown(self, drop: nodes.Element) -> None:
        block = epub_block(tag="div", classes=["press-dropdown"], ids=list(drop.get("ids", ())))
        block.source, block.line = drop.source, drop.line
        children = list(drop.children)
        if drop.get("has_title") and children and isinstance(children[0], nodes.rubric):
            label = self.label(children.pop(0), ["press-dropdown-title"], "dropdown")
            block["attrs"] = {"role": "group", "aria-labelledby": label["ids"][0]}
            block += label
        block.extend(children)
        drop.replace_self(block)

    def card(self, card: nodes.Element) -> None:
        links = [r for r in card.findall(nodes.reference) if "sd-stretched-link" in r["classes"]]
        if not links:
            return
        link = links[0]
        title = next(
            (t for t in card.findall(nodes.Element) if "sd-card-title" in t.get("classes", ())),
            None,
        )
        if title is None:
            link["classes"] = [c for c in link["classes"] if c not in ("sd-stretched-link", "sd-hide-link-text")]
            return
        new = nodes.reference("", "", *title.children, classes=["reference"])
        for key in ("refuri", "refid", "internal", "reftitle"):
            if key in link:
                new[key] = link[key]
        new["classes"].append("internal" if link.get("internal") or "refid" in link else "external")
        title.children = []
        title += nodes.inline("", "", new)  # a reference must sit in a text element
        holder = link.parent
        holder.remove(link)
        if holder is not card and not holder.children:
            holder.parent.remove(holder)
