"""Containment: every path an author writes must stay inside the project.

A page can name files: ``{include}``, ``{literalinclude}``, images and
``{figure}``, ``{csv-table}`` with ``:file:``, ``{raw}`` with ``:file:``,
``{download}``; ``conf.py`` names the bibliography files.  Each path is
resolved (``..`` and symbolic links followed) and must lie inside the source
folder or one of the folders listed in ``press_allowed_paths`` (relative to the
conf dir); otherwise it is a ``press.containment`` error at the page's
``file:line`` and the file's content is removed before it reaches any output:

* included text is blanked at ``include-read`` (before it is parsed);
* everything else is checked at ``doctree-read``, before Sphinx collects
  images and downloads: offending images, figures, literal blocks, tables and
  raw nodes are replaced by a short placeholder.
"""

from __future__ import annotations

import os
import sys
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.config import Config

from . import config as press_config
from . import state
from .warnings_ import PressWarning, warn

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def roots(app: Sphinx) -> list[Path]:
    """The folders paths may resolve into: the source folder and ``press_allowed_paths``."""
    confdir = Path(app.confdir)
    extra = [(confdir / p).resolve() for p in press_config.get(app.config).allowed_paths]
    from .notebooks import output_folder

    owned = output_folder(app)  # myst-nb's cell outputs, written by this build (press.notebooks)
    return [Path(app.srcdir).resolve(), *extra, *([owned] if owned else [])]


def is_inside(path: str | os.PathLike[str], allowed: list[Path]) -> bool:
    resolved = Path(path).resolve()
    return any(resolved == r or resolved.is_relative_to(r) for r in allowed)


def _message(written: str, resolved: Path, app: Sphinx) -> str:
    return (
        f"path {written!r} resolves to {str(resolved)!r}, outside the book's source folder: "
        "move the file into source/ or add its folder to press_allowed_paths in conf.py"
    )


def _line_naming(app: Sphinx, docname: str, needle: str) -> int | None:
    """The first line of the page that mentions ``needle`` (the path as written)."""
    try:
        lines = Path(app.env.doc2path(docname)).read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    for i, line in enumerate(lines):
        if needle and needle in line:
            return i + 1
    return None


def on_include_read(app: Sphinx, relative_path: Path, parent_docname: str, content: list[str]) -> None:
    """Blank an included file that lies outside the project before it is parsed."""
    resolved = (Path(app.srcdir) / relative_path).resolve()
    if is_inside(resolved, roots(app)):
        return
    docname = app.env.docname
    line = _line_naming(app, docname, Path(relative_path).name)
    # the path as the page writes it (Sphinx passes it relative to the source folder)
    written = os.path.relpath(Path(app.srcdir) / relative_path, Path(app.env.doc2path(docname)).parent)
    warn(PressWarning.CONTAINMENT, _message(written, resolved, app), location=(docname, line))
    state.of(app).contained.add((docname, str(resolved), line))
    content[0] = ""


def _placeholder(node: nodes.Element, what: str) -> nodes.Element:
    text = f"[{what} left out: its path leaves the book]"
    if isinstance(node.parent, nodes.TextElement):
        return nodes.inline(text, text, classes=["press-contained"])
    return nodes.paragraph(text, text, classes=["press-contained"])


def _resolve_uri(app: Sphinx, uri: str, docname: str) -> tuple[str, Path] | None:
    """``(written, resolved)`` for a local file URI, ``None`` for URLs and data."""
    if not uri or _SCHEME.match(uri) or uri.startswith(("//", "#")):
        return None
    uri = unquote(uri.split("?", 1)[0].split("#", 1)[0])
    if uri.endswith("*"):  # image candidates (foo.*): check the folder
        uri = uri.rsplit("/", 1)[0] if "/" in uri else "."
    _rel, abs_path = app.env.relfn2path(uri, docname)
    return uri, Path(abs_path).resolve()


def _imported_module_file(path: Path) -> bool:
    """Whether ``path`` is the file of a module this build has imported (autodoc)."""
    return any(
        getattr(module, "__file__", None) and Path(module.__file__).resolve() == path
        for module in list(sys.modules.values())
    )


def on_doctree_read(app: Sphinx, doctree: nodes.document) -> None:
    """Remove every node whose file lies outside the project, with one error each."""
    env = app.env
    docname = env.docname
    allowed = roots(app)
    contained = state.of(app).contained
    mine = {r for r in contained if r[0] == docname}
    contained.difference_update(mine)
    reported = {(path, line) for _d, path, line in mine}

    for node in list(doctree.findall(nodes.image)):
        found = _resolve_uri(app, node.get("uri", ""), docname)
        if found is None or is_inside(found[1], allowed):
            continue
        warn(PressWarning.CONTAINMENT, _message(found[0], found[1], app), location=node)
        target = node.parent if isinstance(node.parent, nodes.figure) else node
        if isinstance(target.parent, nodes.reference):
            target = target.parent
        target.replace_self(_placeholder(target, "image"))

    for node in list(doctree.findall(addnodes.download_reference)):
        found = _resolve_uri(app, node.get("reftarget", ""), docname)
        if found is None or is_inside(found[1], allowed):
            continue
        warn(PressWarning.CONTAINMENT, _message(found[0], found[1], app), location=node)
        node.replace_self(nodes.inline(node.astext(), node.astext()))

    # Every file docutils or Sphinx read for this page (include, literalinclude,
    # csv-table :file:, raw :file:, …).
    # docutils records paths relative to the working directory, Sphinx relative to srcdir.
    srcdir = Path(app.srcdir)
    deps: dict[str, Path] = {}
    record = getattr(doctree.settings, "record_dependencies", None)
    if record is not None:
        for d in record.list:
            deps[d] = Path(os.path.abspath(d)).resolve()
    for d in env.dependencies.get(docname, ()):
        deps.setdefault(os.fspath(d), (srcdir / d).resolve())
    for dep, resolved in sorted(deps.items()):
        if is_inside(resolved, allowed):
            continue
        hits = [
            n for n in doctree.findall(nodes.Element)
            if n.get("source") and not isinstance(n, nodes.document)
            and Path(n["source"]).resolve() == resolved
        ]
        if not hits and _imported_module_file(resolved):
            # autodoc records the source file of a module it imported: that is code conf.py
            # put on sys.path (trusted, like conf.py), not a path the page wrote.
            continue
        lines = sorted({n.line for n in hits if n.line})
        if not lines and not any(path == str(resolved) for path, _l in reported):
            lines = [_line_naming(app, docname, resolved.name)]
        for line in lines:  # one message per place the page names the file
            if (str(resolved), line) not in reported:
                warn(PressWarning.CONTAINMENT, _message(dep, resolved, app), location=(docname, line))
                reported.add((str(resolved), line))
        line = lines[0] if lines else None
        hit_ids = {id(n) for n in hits}
        for n in hits:
            parent, outermost = n.parent, True
            while parent is not None:
                if id(parent) in hit_ids:
                    outermost = False
                    break
                parent = parent.parent
            if outermost and n.parent is not None:
                n.replace_self(_placeholder(n, "file"))
        # Tables built from a file carry no source of their own: drop the ones the page names.
        # (the table nearest to the line naming the file).
        if not hits and line:
            tables = [t for t in doctree.findall(nodes.table) if t.line is not None and abs(t.line - line) <= 3]
            if tables:
                table = min(tables, key=lambda t: abs(t.line - line))
                table.replace_self(_placeholder(table, "table"))


def check_bibfiles(app: Sphinx, config: Config) -> None:
    """Bibliography files named in conf.py must stay inside the project too."""
    files = list(getattr(config, "bibtex_bibfiles", []) or [])
    if not files:
        return
    srcdir = Path(app.srcdir)
    confdir = Path(app.confdir)
    allowed = [srcdir.resolve(), *((confdir / p).resolve() for p in getattr(config, "press_allowed_paths", []) or [])]
    keep = []
    conf_lines = []
    conf_py = confdir / "conf.py"
    if conf_py.is_file():
        conf_lines = conf_py.read_text(encoding="utf-8", errors="replace").splitlines()
    for f in files:
        resolved = (srcdir / f).resolve()
        if is_inside(resolved, allowed):
            keep.append(f)
            continue
        line = next((i + 1 for i, l in enumerate(conf_lines) if "bibtex_bibfiles" in l or f in l), None)
        warn(
            PressWarning.CONTAINMENT,
            _message(f, resolved, app),
            location=f"{conf_py}:{line}" if line else str(conf_py),
        )
    if keep != files:
        config.bibtex_bibfiles = keep


def setup(app: Sphinx) -> dict[str, Any]:
    """Check included text at ``include-read``, every other path at ``doctree-read``."""
    app.connect("include-read", on_include_read)
    app.connect("doctree-read", on_doctree_read, priority=400)
    app.connect("config-inited", check_bibfiles, priority=200)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
