"""A Content-Security-Policy in every page of the web book: the second wall.

The first wall is :mod:`press.sanitize` (nothing a page writes can add a script).  If
something ever slipped through, the browser itself refuses it: every page carries, as the
first element of its ``<head>``,

``<meta http-equiv="Content-Security-Policy" content="…">``

allowing scripts only from the book's own files (``'self'``) plus the few inline scripts and
``onclick`` handlers the theme writes, each by the SHA-256 hash of its exact text
(``'sha256-…'``; handlers with ``'unsafe-hashes'``).  Only inline code that matches one of the
theme's known forms (:data:`THEME_SCRIPTS`, :data:`THEME_HANDLERS`) is hashed, so an injected
``<script>`` or ``onerror=`` is never allowed, whatever the page says.  No plugins, frames,
``<base>`` or form posts to other sites; images, styles and fonts from the book (and
``data:`` images, which the theme uses).  The policy is written into every page of the output
that lacks it at ``build-finished`` (pages written by Sphinx's writer processes too; before the
zip and the service worker are made, which hash the pages).
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

from . import is_web

#: The theme's inline scripts, by form (pydata-sphinx-theme and Sphinx's layout).
THEME_SCRIPTS = (
    re.compile(r'\s*document\.documentElement\.dataset\.mode = localStorage\.getItem\("mode"\) \|\| "[a-z]*";\s*'
               r'document\.documentElement\.dataset\.theme = localStorage\.getItem\("theme"\) \|\| "[a-z]*";\s*'),
    re.compile(r"DOCUMENTATION_OPTIONS\.pagename = '[A-Za-z0-9_./ -]*';"),
    re.compile(r"DOCUMENTATION_OPTIONS\.search_as_you_type = (true|false);"),
    re.compile(r'\s*// Activate the search field on page load\s*let searchInput = document\.querySelector\("form\.bd-search input"\);\s*'
               r'if \(searchInput\) \{\s*searchInput\.focus\(\);\s*searchInput\.select\(\);\s*'
               r'console\.log\("\[PST\]: Set focus on search field\."\);\s*\}\s*'),
)
#: The theme's inline event handlers (print and full-screen buttons).
THEME_HANDLERS = frozenset({"window.print()", "toggleFullScreen()"})
INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S | re.I)
HANDLER = re.compile(r'\son[a-z]+="([^"]*)"')
CHARSET = re.compile(r'<meta charset="[^"]*"\s*/?>', re.I)
POLICY = (
    "default-src 'self'; script-src 'self'{hashes}; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self'; "
    "manifest-src 'self'; media-src 'self'; object-src 'none'; frame-src 'none'; "
    "base-uri 'none'; form-action 'self'"
)


def _sha(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def policy(page: str) -> str:
    """The policy for one page: its theme scripts and handlers hashed, nothing else."""
    hashes: list[str] = []
    for body in INLINE.findall(page):
        if any(form.fullmatch(body) for form in THEME_SCRIPTS):
            hashes.append(_sha(body))
    handlers = sorted({h for h in HANDLER.findall(page) if h in THEME_HANDLERS})
    if handlers:
        hashes.append("'unsafe-hashes'")
        hashes += [_sha(h) for h in handlers]
    return POLICY.format(hashes="".join(" " + h for h in dict.fromkeys(hashes)))


def with_policy(page: str) -> str:
    """``page`` with its policy as the first element of the head (replacing an older one)."""
    page = re.sub(r'\s*<meta http-equiv="Content-Security-Policy"[^>]*>', "", page, count=1)
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy(page)}" />'
    m = CHARSET.search(page)
    if m:
        return page[: m.end()] + "\n    " + meta + page[m.end():]
    return page.replace("<head>", "<head>\n    " + meta, 1)


def finish(app: Sphinx, exception: Exception | None) -> None:
    """Write the policy into every page of the output that lacks it (or has another one):
    the pages written in this build, by this process or by Sphinx's writer processes (``-j``)."""
    if exception is not None or not is_web(app.builder):
        return
    outdir = Path(app.outdir)
    for path in sorted(outdir.rglob("*.html")):
        if path.relative_to(outdir).parts[0].startswith("_"):
            continue  # _static (theme macros), _sources, _downloads, _images: not pages
        try:
            page = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        new = with_policy(page)
        if new != page:
            path.write_text(new, encoding="utf-8")


def _offer(app: Sphinx) -> None:
    """``builder.press_page_policy``: :func:`with_policy`, for a page written outside a build
    (``press serve``'s fast path, :mod:`press.preview`, which imports no format)."""
    if is_web(app.builder):
        app.builder.press_page_policy = with_policy  # type: ignore[attr-defined]


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("builder-inited", _offer)
    # after the pages and the handlers at the default priority (500), before the web book's
    # process waits for the PDF and the EPUB (press.formats.DOWNLOADS_PRIORITY - 50)
    app.connect("build-finished", finish, priority=540)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
