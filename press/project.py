"""Where the book is: the source and configuration folders ``press`` builds.

Without ``--source``/``--conf`` the command looks, in the current folder, for:

1. ``source/`` (the layout ``press new`` writes; conf.py beside it or inside it, as
   ``sphinx-quickstart --sep`` writes);
2. ``conf.py`` beside the pages (Sphinx's own layout);
3. ``_config.yml`` / ``_toc.yml`` without ``conf.py``: a Jupyter Book 1 book
   (:mod:`press.jupyterbook` writes its ``conf.py`` into the build's state folder);
4. the same three inside ``docs/``, ``doc/`` or ``book/`` (``docs/source/`` too).

``--source`` alone uses the source folder's own conf.py, else its Jupyter Book
configuration, else the conf.py of the current folder.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

from . import jupyterbook

#: Folders a project keeps its documentation in, tried in this order.
DOC_FOLDERS = ("docs", "doc", "book")
STATE = ".press"


class NoProject(Exception):
    """No book found: the message says where press looked and what to do."""


@dataclass
class Project:
    source: Path
    conf: Path
    kind: str  # "sphinx" or "jupyter-book"


def _in(folder: Path) -> tuple[Path, Path | None, str] | None:
    """(source, conf folder or None for Jupyter Book, kind) of a book kept in ``folder``."""
    src = folder / "source"
    if src.is_dir() and ((folder / "conf.py").is_file() or (src / "conf.py").is_file()):
        return src, folder if (folder / "conf.py").is_file() else src, "sphinx"
    if (folder / "conf.py").is_file():
        return folder, folder, "sphinx"
    if jupyterbook.is_jupyter_book(folder):
        return folder, None, "jupyter-book"
    return None


def _jupyter_book(source: Path, out: Path) -> Project:
    missing = [m for m in ("myst_nb", "sphinx_external_toc") if importlib.util.find_spec(m) is None]
    if missing:
        raise NoProject(
            f"{source} is a Jupyter Book ({jupyterbook.CONFIG_FILE}, no conf.py); building it needs "
            f"{', '.join(missing)}: pip install 'field-guide-press[jupyter]'")
    conf = jupyterbook.write_conf(source, out.resolve() / STATE / "jupyterbook", out=out.resolve())
    return Project(source, conf, "jupyter-book")


def locate(source: Path | None, conf: Path | None, out: Path, cwd: Path | None = None) -> Project:
    """The project to build (see the module docstring); :class:`NoProject` when none."""
    cwd = cwd or Path.cwd()
    if source is not None:
        source = source if source.is_absolute() else cwd / source
        if not source.is_dir():
            raise NoProject(f"source folder {source} does not exist")
        if conf is not None:
            return Project(source, conf if conf.is_absolute() else cwd / conf, "sphinx")
        if (source / "conf.py").is_file():
            return Project(source, source, "sphinx")
        if jupyterbook.is_jupyter_book(source):
            return _jupyter_book(source, out)
        if (cwd / "conf.py").is_file():
            return Project(source, cwd, "sphinx")
        raise NoProject(f"no conf.py in {cwd} or {source}, and no {jupyterbook.CONFIG_FILE}: "
                        "give its folder with --conf")
    if conf is not None:
        conf = conf if conf.is_absolute() else cwd / conf
    for folder in (cwd, *(cwd / d for d in DOC_FOLDERS), *(cwd / d / "source" for d in DOC_FOLDERS)):
        found = _in(folder) if folder.is_dir() else None
        if found is None:
            continue
        src, conf_dir, kind = found
        if kind == "jupyter-book" and conf is None:
            return _jupyter_book(src, out)
        return Project(src, conf or conf_dir or src, "sphinx")
    raise NoProject(
        f"no book in {cwd}: press looks for source/ with conf.py, conf.py beside the pages, "
        f"or a Jupyter Book ({jupyterbook.CONFIG_FILE} + {jupyterbook.TOC_FILE}), here and in "
        f"{', '.join(d + '/' for d in DOC_FOLDERS)}. Start one with `press new DIR`, or name the "
        "folders with --source and --conf")


def describe(project: Project) -> str:
    """What ``press config`` prints: the generated ``conf.py`` of a Jupyter Book, or the
    folders and the plain values of a Sphinx project's ``conf.py``."""
    head = f"# source: {project.source}\n# conf:   {project.conf / 'conf.py'}\n"
    if project.kind == "jupyter-book":
        return head + (project.conf / "conf.py").read_text(encoding="utf-8")
    import pprint
    import types

    from sphinx.config import Config
    from sphinx.util.tags import Tags

    from .adapters import conf_names, conf_value

    config = Config.read(project.conf, overrides={}, tags=Tags())
    lines = [head]
    for key in sorted(conf_names(config)):
        value = conf_value(config, key)
        if key.startswith("_") or key == "tags" or isinstance(value, (types.ModuleType, types.FunctionType, type)):
            continue
        lines.append(f"{key} = {pprint.pformat(value, width=100, sort_dicts=False)}\n")
    return "".join(lines)
