"""Doctree nodes that cannot travel into an EPUB as they are, made portable.

Post-transforms of the ``epub`` builder only (the web book keeps the originals):

* :class:`RemoteImages` — an EPUB must be self-contained and the build never
  downloads anything, so an image whose URI is remote (``https://…``) becomes a
  link to it, labelled with its alternative text (or its address).  This is an
  info message, not a warning: the reader still reaches the image.  It runs
  before Sphinx's ``ImageDownloader``, which would otherwise fetch it.
* :class:`TaskListCheckboxes` — MyST renders a task-list item's box as a raw
  HTML ``<input type="checkbox">``; in the EPUB it becomes a ☑/☐ character
  ("ballot box with check" / "ballot box" to a screen reader), so the page
  has no form control.
"""

from __future__ import annotations

import re
from typing import Any

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

logger = logging.getLogger(__name__)

REMOTE = re.compile(r"^(https?|ftp):|^//", re.I)
#: the exact checkbox markup MyST-Parser emits for ``- [ ]`` / ``- [x]`` items
CHECKBOX = re.compile(r'^<input class="task-list-item-checkbox" (checked="checked" )?(disabled="disabled" )?type="checkbox">$')


class RemoteImages(SphinxPostTransform):
    """Remote images become links to the image (EPUB only)."""

    builders = ("epub",)
    default_priority = 90  # before sphinx.transforms.post_transforms.images.ImageDownloader (100)

    def run(self, **kwargs: Any) -> None:
        for image in list(self.document.findall(nodes.image)):
            uri = image.get("uri", "")
            if not REMOTE.match(uri):
                continue
            label = image.get("alt", "").strip() or uri
            logger.info(
                "remote image %s: the EPUB links to it (an EPUB cannot hold remote resources)",
                uri, location=image,
            )
            parent = image.parent
            if isinstance(parent, nodes.reference):  # already a link (``:target:``): its text only
                image.replace_self(nodes.inline(label, label, classes=["press-remote-image"]))
                if not isinstance(parent.parent, nodes.TextElement):
                    parent.replace_self(nodes.paragraph("", "", parent.deepcopy(), classes=["press-remote-image"]))
                continue
            else:
                replacement = nodes.reference(
                    label, label, refuri=uri if not uri.startswith("//") else f"https:{uri}",
                    classes=["press-remote-image"],
                )
            if isinstance(parent, nodes.TextElement):
                image.replace_self(replacement)
            else:  # a block image (or the image of a figure): a paragraph holding the link
                image.replace_self(nodes.paragraph("", "", replacement, classes=["press-remote-image"]))


class TaskListCheckboxes(SphinxPostTransform):
    """MyST task-list checkboxes as characters (EPUB only)."""

    builders = ("epub",)
    default_priority = 90

    def run(self, **kwargs: Any) -> None:
        for raw in list(self.document.findall(nodes.raw)):
            if "html" not in raw.get("format", "").split():
                continue
            m = CHECKBOX.match(raw.astext().strip())
            if not m:
                continue
            checked = bool(m.group(1))
            box = nodes.inline(
                "", "\u2611" if checked else "\u2610",
                classes=["task-list-item-checkbox", "checked" if checked else "unchecked"],
            )
            raw.replace_self([box, nodes.Text(" ")])
