"""Pages from authors the book's owner does not fully trust: no network, no page from outside
the book, and a budget per page.

**No network.** ``{csv-table}`` and ``{raw}`` with ``:url:`` would make the build send a
request (to any host, internal ones included) and publish the answer.  They are refused, a
``press.network`` error at the directive's ``file:line``, and produce nothing, unless
``conf.py`` sets ``press_allow_network = True`` (the owner's explicit choice; then the network
namespace test no longer holds for that book).

The same holds for ``sphinx.ext.intersphinx``: inventories that live on the network
(``intersphinx_mapping`` entries with a URL and no local ``objects.inv``) are not fetched; one
``press.network`` warning at ``conf.py`` names them (references into those projects then stay
unresolved). An entry that names a local inventory file is used as it is.

**No page from outside.** Every page's file is resolved (symbolic links followed, also those of
folders on the way); a page that lies outside the source folder and ``press_allowed_paths`` is a
``press.containment`` error at ``file:1`` and its text reaches no output (no HTML, no
``_sources`` copy, no search entry, no EPUB or PDF page): it is read as an empty page.

**A budget per page** (``conf.py`` can raise or lower each one); a page over budget is a
``press.limit`` error at the line where it went over, and is read as an empty page, so the
build stops with that one message instead of a crash report, a hang or unbounded memory:

``press_max_page_bytes`` (1,000,000)
    the size of the page's text; a 20 MB page is refused at once, before it is parsed.
``press_max_nesting`` (100)
    nested blocks (directive fences ``:::``/```` ``` ````, block quotes, list items) and
    nested inline emphasis (a run of ``*``/``_``); also the depth of the parsed page.
``press_max_table_rows`` (5,000)
    rows of one Markdown (pipe) table, or lines of one ``{list-table}``/``{csv-table}``.
``press_max_yaml_aliases`` (50)
    YAML aliases (``*name``) in the front matter (see :mod:`press.frontmatter`).

Measured on the bad-input base book (peak memory of the build): a page just under the size
budget builds the web book in 8.5 s / 0.16 GB and the PDF in 52 s / 0.6 GB; a 5,000-row table
17.5 s / 0.16 GB and 26.5 s / 0.43 GB; the refused inputs of issue 21 (20 MB, 100,000 rows,
2,000 nested fences, 5,000 nested ``*``, a YAML alias bomb) stop at once, under 0.2 GB.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.parsers.rst.directives.misc import Raw
from sphinx.application import Sphinx
from sphinx.directives.patches import CSVTable

from . import config as press_config
from . import envstore, state
from .containment import is_inside, roots
from .warnings_ import PressWarning, warn

_COLON_OPEN = re.compile(r"^\s*(?:>\s*)*(:{3,})\s*\{")
_COLON_CLOSE = re.compile(r"^\s*(?:>\s*)*(:{3,})\s*$")
_TICK_OPEN = re.compile(r"^\s*(?:>\s*)*(`{3,}|~{3,})\s*(\{)?")
_CONTAINER = re.compile(r"\s*(?:>|[*+-](?=\s)|\d{1,9}[.)](?=\s))")
_EMPHASIS_RUN = re.compile(r"[*_]{2,}")
_RULE = re.compile(r"^\s*([*_-]\s*)+$")
_TABLE_ROW = re.compile(r"^\s*(?:>\s*)*\|")
_TABLE_DIRECTIVE = re.compile(r"^\s*(?:`{3,}|:{3,})\s*\{(list-table|csv-table|table)\}")


def _refuse(app: Sphinx, docname: str, source: list[str], why: str) -> None:
    """Read the page as an empty one (its title only): nothing of it reaches any output."""
    title = docname.rsplit("/", 1)[-1].replace('"', "")
    source[0] = f'---\ntitle: "{title}"\n---\n\n[This page was left out: {why}.]\n'
    app.env.press_refused[docname] = why  # type: ignore[attr-defined]


def _closes(line: str, fence: str) -> bool:
    stripped = line.strip().lstrip("> ")
    return len(stripped) >= len(fence) and not stripped.strip(fence[0]) and stripped[0] == fence[0]


def scan(text: str, max_nesting: int, max_rows: int) -> tuple[int, str] | None:
    """``(line, problem)`` for the first place a page's text goes over a budget, or ``None``."""
    rows_over = f"a table of more than {max_rows:,} rows (press_max_table_rows)"
    fences: list[str] = []  # open directive fences (":::" or "```{"), innermost last
    code: str | None = None  # an open code fence: its contents are text
    rows, table_start = 0, 0
    table: list[int] | None = None  # [first line, lines, fence depth] of a table directive
    for i, line in enumerate(text.split("\n"), 1):
        if table is not None:
            table[1] += 1
            if table[1] > max_rows:
                return table[0], rows_over
        if code is not None:
            if _closes(line, code):
                code = None
            continue
        if (m := _COLON_OPEN.match(line)) is not None:
            fences.append(m.group(1))
            if table is None and _TABLE_DIRECTIVE.match(line):
                table = [i, 0, len(fences)]
        elif fences and fences[-1][0] == ":" and _COLON_CLOSE.match(line):
            fences.pop()
        elif (t := _TICK_OPEN.match(line)) is not None:
            if fences and fences[-1][0] == t.group(1)[0] and _closes(line, fences[-1]):
                fences.pop()
            elif t.group(2):
                fences.append(t.group(1))
                if table is None and _TABLE_DIRECTIVE.match(line):
                    table = [i, 0, len(fences)]
            else:
                code = t.group(1)
        if table is not None and len(fences) < table[2]:
            table = None
        depth = len(fences)
        pos = 0
        while (c := _CONTAINER.match(line, pos)) is not None and c.end() > pos:
            depth += 1
            pos = c.end()
        if depth > max_nesting:
            return i, f"blocks nested more than {max_nesting} deep (press_max_nesting)"
        if not _RULE.match(line):
            run = max((len(r) for r in _EMPHASIS_RUN.findall(line)), default=0)
            if run > max_nesting:
                return i, f"emphasis nested more than {max_nesting} deep (a run of {run} '*' or '_'; press_max_nesting)"
        if _TABLE_ROW.match(line):
            if rows == 0:
                table_start = i
            rows += 1
            if rows > max_rows:
                return table_start, rows_over
        else:
            rows = 0
    return None


def check_page(app: Sphinx, docname: str, source: list[str]) -> None:
    """Before any other handler sees the page: where its file lies, then its budget."""
    env = app.env
    path = Path(env.doc2path(docname))
    if not is_inside(path, roots(app)):
        warn(
            PressWarning.CONTAINMENT,
            f"page file resolves to {str(path.resolve())!r}, outside the book's source folder "
            "(a symbolic link?): move the page into source/ or add its folder to press_allowed_paths in conf.py",
            location=(docname, 1),
        )
        _refuse(app, docname, source, "its file lies outside the book")
        return
    budget = press_config.get(app.config)
    text = source[0]
    kind = app.config.source_suffix.get(path.suffix)
    if kind not in ("markdown", "restructuredtext"):
        return  # a notebook's JSON carries its outputs (images): myst-nb reads it, not a text parser
    size = len(text.encode("utf-8", errors="replace"))
    if size > budget.max_page_bytes:
        warn(
            PressWarning.LIMIT,
            f"page is {size:,} bytes, over the budget of {budget.max_page_bytes:,} (press_max_page_bytes): "
            "split it into several pages",
            location=(docname, 1),
        )
        _refuse(app, docname, source, "it is too large")
        return
    if kind != "markdown":
        return
    found = scan(text, budget.max_nesting, budget.max_table_rows)
    if found:
        line, what = found
        warn(PressWarning.LIMIT, f"page over budget: {what}; simplify or split the page", location=(docname, line))
        _refuse(app, docname, source, "it is over the build's budget")


def check_depth(app: Sphinx, doctree: nodes.document) -> None:
    """The parsed page's depth (what the writers recurse over) stays within the budget."""
    limit = 2 * press_config.get(app.config).max_nesting + 10  # a level is two elements (list + item), plus sections and inlines
    stack = [(doctree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            docname = app.env.docname
            line = node.line or (node.parent.line if node.parent is not None else None)
            warn(PressWarning.LIMIT, f"page over budget: elements nested more than {limit} deep (press_max_nesting)", location=(docname, line))
            app.env.press_refused[docname] = "it is over the build's budget"  # type: ignore[attr-defined]
            doctree.children = [c for c in doctree.children if isinstance(c, nodes.section)][:1]
            for section in doctree.children:
                section.children = [c for c in section.children if isinstance(c, nodes.title)]
            return
        if isinstance(node, nodes.Element):
            stack.extend((child, depth + 1) for child in node.children)


def _network_refused(directive: Any) -> bool:
    if "url" not in directive.options:
        return False
    env = directive.state.document.settings.env
    if press_config.get(env.config).allow_network:
        return False
    warn(
        PressWarning.NETWORK,
        f"{directive.name} :url: would fetch {directive.options['url']!r} during the build: "
        "the build makes no network request; save the file into the book and use :file: "
        "(or set press_allow_network = True in conf.py if you trust every author)",
        location=(env.docname, directive.lineno),
    )
    return True


class OfflineCSVTable(CSVTable):
    """``csv-table`` without ``:url:`` (see the module docstring)."""

    def run(self) -> list[nodes.Node]:
        return [] if _network_refused(self) else super().run()


class OfflineRaw(Raw):
    """``raw`` without ``:url:`` (see the module docstring)."""

    def run(self) -> list[nodes.Node]:
        return [] if _network_refused(self) else super().run()


def offline_inventories(app: Sphinx, config: Any) -> None:
    """Remote intersphinx inventories left unfetched (see the module docstring); runs after
    intersphinx has normalised the mapping to ``{key: (name, (uri, locations))}``."""
    mapping = getattr(config, "intersphinx_mapping", None)
    if not mapping or "sphinx.ext.intersphinx" not in app.extensions or press_config.get(config).allow_network:
        return
    remote = []
    for key, (name, (uri, locations)) in list(mapping.items()):
        local = tuple(loc for loc in locations if not _on_network(loc if loc is not None else uri))
        if len(local) != len(locations):
            remote.append(name)
        if local:
            mapping[key] = (name, (uri, local))
        else:
            del mapping[key]
    if not remote or not state.reports_config(app):
        return
    conf_py = Path(app.confdir) / "conf.py"
    line = None
    if conf_py.is_file():
        for number, text in enumerate(conf_py.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if text.lstrip().startswith("intersphinx_mapping"):
                line = number
                break
    names = ", ".join(repr(n) for n in remote)
    warn(
        PressWarning.NETWORK,
        f"intersphinx_mapping: the inventories of {names} are on the network and are not fetched (the build makes "
        "no network request; references into them stay unresolved): save each objects.inv into the project and "
        "name the file, e.g. {'python': ('https://docs.python.org/3', 'python-objects.inv')} "
        "(or set press_allow_network = True in conf.py)",
        location=f"{conf_py}:{line}" if line else str(conf_py),
    )


def _on_network(location: str) -> bool:
    return "://" in location and not location.startswith("file://")


def check_bib_syntax(app: Sphinx, config: Any) -> None:
    """A ``.bib`` syntax error is one ``press.bibtex`` error at ``references.bib:LINE``."""
    from pybtex.database.input.bibtex import Parser
    import pybtex.errors

    for name in list(getattr(config, "bibtex_bibfiles", None) or []):
        path = Path(app.srcdir) / name
        if not path.is_file():
            continue
        with pybtex.errors.capture() as errors:
            try:
                Parser(encoding=getattr(config, "bibtex_encoding", "utf-8-sig")).parse_file(str(path))
            except Exception as exc:  # pybtex raises more than its own errors on bad input
                errors.append(exc)
        for exc in errors[:1]:
            line = getattr(exc, "lineno", None)
            warn(
                PressWarning.BIBTEX,
                f"the bibliography cannot be read: {exc}; entries after this point may be missing",
                location=f"{path}:{line}" if line else str(path),
            )


def _bib_errors_kept(app: Sphinx) -> None:
    """sphinxcontrib-bibtex reads the files at ``builder-inited``: a syntax error (reported
    above, with its line) is collected instead of raised, so the rest of the file still loads."""
    import pybtex.errors

    ctx = pybtex.errors.capture()
    ctx.__enter__()
    app.builder.__dict__["press_bib_capture"] = ctx


def _bib_errors_done(app: Sphinx) -> None:
    ctx = app.builder.__dict__.pop("press_bib_capture", None)
    if ctx is not None:
        ctx.__exit__(None, None, None)


def no_source_copy(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """A refused page's file is not copied to ``_sources`` (it may lie outside the book)."""
    if pagename in getattr(app.env, "press_refused", {}):
        context["sourcename"] = ""


def setup(app: Sphinx) -> dict[str, Any]:
    """Budgets and the outside check first at ``source-read``; ``:url:`` directives replaced."""
    app.setup_extension("press.config")
    envstore.register(app, "press_refused")
    app.connect("source-read", check_page, priority=10)
    app.connect("doctree-read", check_depth, priority=100)
    app.connect("html-page-context", no_source_copy)
    app.connect("config-inited", check_bib_syntax, priority=300)
    app.connect("config-inited", offline_inventories, priority=850)  # after intersphinx's own (800)
    app.connect("builder-inited", _bib_errors_kept, priority=400)
    app.connect("builder-inited", _bib_errors_done, priority=600)
    app.add_directive("csv-table", OfflineCSVTable, override=True)
    app.add_directive("raw", OfflineRaw, override=True)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
