"""The sidebar navigation rendered once per build, not once per page.

pydata-sphinx-theme's ``generate_toctree_html`` resolves the whole toctree and
reworks it with BeautifulSoup for every page, although the tree is the same on
every page except for which entry is current (and the relative links).  On a
200-page book that is most of the web build's time.  ``press_sidebar_nav`` (the
template ``sbt-sidebar-nav.html`` calls it with the theme's arguments) asks the
theme once per build, turns that result into a page-independent form (links from
the site root, no "current" marks), and then, for each page, only rewrites the
links relative to the page and marks the current entry and its ancestors the way
Sphinx and the theme do (``current``/``active`` classes, ``href="#"``, the open
``<details>`` of current entries).  The markup is byte for byte the theme's
(``tests/test_web.py`` compares them).  Anything this does not model (section
captions, ``show_nav_level`` above 1, …) falls back to the theme's function.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import Any

from sphinx.application import Sphinx
from sphinx.util.osutil import relative_uri

from . import is_web
from .a11y import label_toggles

TOKENS = re.compile(r"<[^>]*>|[^<]+")
LINK = re.compile(r'^<a class="([^"]*)" href="([^"]*)"')
CLASS = re.compile(r'^<(li|ul) class="([^"]*)"')
LEVEL = re.compile(r"^toctree-l\d+$")

#: When False every page asks the theme (tests compare the two).
ENABLED = True


@dataclass
class Entry:
    token: int  # index of the <a> token
    href: str  # from the site root
    rest: str  # the <a> token after its href attribute
    lis: list[int] = field(default_factory=list)  # enclosing <li> tokens, outermost first
    uls: list[int] = field(default_factory=list)  # enclosing <ul> tokens


@dataclass
class Nav:
    tokens: list[str]
    entries: list[Entry]
    details_of: dict[int, int]  # <li> token -> its direct <details> child token


def _external(href: str) -> bool:
    return href.startswith("#") or ":" in href.split("/", 1)[0]


def neutral(html: str, page_uri: str) -> Nav | None:
    """The page-independent form of one page's navigation, or None if unsupported."""
    if "toctree-l0" in html:
        return None
    tokens = TOKENS.findall(html)
    base = posixpath.dirname(page_uri)
    entries: list[Entry] = []
    details_of: dict[int, int] = {}
    stack: list[tuple[str, int]] = []
    for i, tok in enumerate(tokens):
        if not tok.startswith("<"):
            continue
        if tok.startswith("</"):
            name = tok[2:-1].strip()
            while stack:
                if stack.pop()[0] == name:
                    break
            continue
        name = re.match(r"<([a-zA-Z0-9]+)", tok)
        if not name:
            continue
        tag = name.group(1)
        if tag in ("li", "ul"):
            m = CLASS.match(tok)
            if m:
                classes = [c for c in m.group(2).split() if c not in ("current", "active")]
                if tag == "li" and not (classes and LEVEL.match(classes[0])):
                    return None
                attr = f' class="{" ".join(classes)}"' if classes else ""
                tok = f"<{tag}{attr}" + tok[m.end():]
            elif tok not in ("<ul>", "<li>"):
                return None
            tokens[i] = tok
            stack.append((tag, i))
        elif tag == "details":
            if stack and stack[-1][0] == "li":
                details_of[stack[-1][1]] = i
            tokens[i] = "<details>" if tok in ("<details>", '<details open="open">') else tok
            if tokens[i] != "<details>":
                return None
            stack.append((tag, i))
        elif tag == "a":
            m = LINK.match(tok)
            if not m:
                return None
            classes, href = m.group(1).split(), m.group(2)
            if "current" in classes:
                classes.remove("current")
                if href == "#":
                    href = page_uri
            elif not _external(href):
                href = posixpath.normpath(posixpath.join(base, href)) if base else posixpath.normpath(href)
            if " ".join(classes) != "reference internal" and not _external(href):
                return None
            entries.append(Entry(i, href, tok[m.end():], [j for t, j in stack if t == "li"],
                                 [j for t, j in stack if t == "ul"]))
            tokens[i] = f'<a class="{" ".join(classes)}" href="{href}"' + tok[m.end():]
            stack.append((tag, i))
        elif not tok.endswith("/>") and tag not in ("br", "img", "input", "hr", "meta", "link"):
            stack.append((tag, i))
    return Nav(tokens, entries, details_of)


def _add_class(token: str, tag: str) -> str:
    """``current`` (+ ``active`` for ``li``) in the place Sphinx and the theme put it."""
    m = CLASS.match(token)
    if tag == "li":
        classes = m.group(2).split()
        classes[1:1] = ["current", "active"]
        return f'<li class="{" ".join(classes)}"' + token[m.end():]
    if m:
        return f'<ul class="current {m.group(2)}"' + token[m.end():]
    return '<ul class="current">' if token == "<ul>" else token


def render(nav: Nav, page_uri: str) -> str:
    tokens = list(nav.tokens)
    current_lis: set[int] = set()
    current_uls: set[int] = set()
    for e in nav.entries:
        if _external(e.href):
            continue
        if e.href == page_uri:
            tokens[e.token] = '<a class="current reference internal" href="#"' + e.rest
            current_lis.update(e.lis)
            current_uls.update(e.uls)
        else:
            tokens[e.token] = f'<a class="reference internal" href="{relative_uri(page_uri, e.href)}"' + e.rest
    for i in current_lis:
        tokens[i] = _add_class(tokens[i], "li")
        if i in nav.details_of:
            tokens[nav.details_of[i]] = '<details open="open">'
    for i in current_uls:
        tokens[i] = _add_class(tokens[i], "ul")
    return "".join(tokens)


def page_context(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """``press_sidebar_nav(**kwargs)``: the theme's sidebar navigation, computed once.

    Connected before the theme's own handlers (which add ``generate_toctree_html`` and then
    render every sidebar template once to drop empty ones): the function looks the theme's
    up when it is called, so that check costs nothing either."""
    if not is_web(app.builder):
        return
    toctree = context.get("toctree")
    if callable(toctree):  # a book with no toctree at all (one page): Sphinx gives None, the theme needs text
        context["toctree"] = lambda **kwargs: toctree(**kwargs) or ""
    cache: dict = app.builder.__dict__.setdefault("press_nav_cache", {})
    page_uri = app.builder.get_target_uri(pagename)
    root = app.config.root_doc

    def press_sidebar_nav(**kwargs: Any) -> str:
        theirs = context["generate_toctree_html"]
        # Pages whose links are not plain relative ones (the 404 page's absolute links): the theme.
        plain = context["pathto"](root) == relative_uri(page_uri, app.builder.get_target_uri(root))
        if not ENABLED or not plain:
            return str(label_toggles(theirs(**kwargs)))
        key = tuple(sorted(kwargs.items()))
        if key not in cache:
            cache[key] = neutral(str(label_toggles(theirs(**kwargs))), page_uri)
        nav = cache[key]
        return render(nav, page_uri) if nav is not None else str(label_toggles(theirs(**kwargs)))

    context["press_sidebar_nav"] = press_sidebar_nav


def setup(app: Sphinx) -> dict[str, Any]:
    """Before the theme's handlers (500); see :func:`page_context`."""
    app.connect("html-page-context", page_context, priority=450)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
