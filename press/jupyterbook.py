"""Jupyter Book 1 projects as their authors keep them: ``_config.yml`` + ``_toc.yml``.

``press build`` in a folder with ``_config.yml`` (and ``_toc.yml``) and no ``conf.py``
builds the book.  :func:`sphinx_config` maps every documented key of a Jupyter Book 1
``_config.yml`` (its ``default_config.yml`` and ``config_schema.json``) to a Sphinx
configuration the way ``jupyter_book/config.py`` did, with press in the place of the
``jupyter_book`` extension and a few deliberate differences (see :data:`IGNORED` and the
README, "Coming from Jupyter Book"):

* notebooks are **not executed** unless ``execute.execute_notebooks`` asks for it
  (Jupyter Book's default was ``auto``); the PDF is made by Typst, not LaTeX, so the
  ``latex`` keys other than ``latex_documents.targetname`` (the file name) do nothing;
* nothing that makes a reader's browser talk to a third party is switched on by a default
  (analytics, hypothes.is / utterances comments); ``launch_buttons`` and thebe stay in the
  web book;
* ``_toc.yml`` is read by sphinx-external-toc (every format it knows).

:func:`write_conf` writes the result as a plain ``conf.py`` (literal values, like
``jupyter-book config sphinx``) into the build's state folder, so the build itself is an
ordinary Sphinx build; ``press config`` prints it.  Keys the mapping does not know are
``press.jupyterbook_config`` warnings at ``_config.yml:line`` with a "did you mean",
emitted by this module's extension at ``config-inited`` (so they fail a strict build, and
``suppress_warnings`` can silence them), as are ``sphinx.config`` keys that no loaded
extension declares.
"""

from __future__ import annotations

import copy
import pprint
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging

CONFIG_FILE = "_config.yml"
TOC_FILE = "_toc.yml"

logger = logging.getLogger(__name__)

#: Every key Jupyter Book 1 documents (``default_config.yml``, ``config_schema.json`` and the
#: keys ``config.py`` reads besides).  ``None``: a leaf; a dict: its known sub-keys; ``...``:
#: any sub-key (passed through).
KNOWN: dict[str, Any] = {
    "title": None, "author": None, "copyright": None, "logo": None, "project": None,
    "exclude_patterns": None, "only_build_toc_files": None,
    "bibtex_bibfiles": None, "bibtex_reference_style": None,
    "execute": {
        "execute_notebooks": None, "cache": None, "exclude_patterns": None, "timeout": None,
        "run_in_temp": None, "allow_errors": None, "stderr_output": None, "eval_regex": None,
        "raise_on_error": None, "show_tb": None,
    },
    "parse": {
        "myst_enable_extensions": None, "myst_url_schemes": None, "myst_dmath_double_inline": None,
        "myst_substitutions": None, "myst_extended_syntax": None,
    },
    "html": {
        "favicon": None, "use_edit_page_button": None, "use_repository_button": None,
        "use_issues_button": None, "use_multitoc_numbering": None, "extra_footer": None,
        "home_page_in_navbar": None, "baseurl": None, "announcement": None,
        "analytics": {"google_analytics_id": None, "plausible_analytics_domain": None,
                      "plausible_analytics_url": None},
        "comments": {"hypothesis": ..., "utterances": ...},
        "google_analytics_id": None, "navbar_footer_text": None, "extra_navbar": None,
    },
    "latex": {"latex_engine": None, "use_jupyterbook_latex": None, "latex_documents": ...},
    "launch_buttons": {
        "notebook_interface": None, "binderhub_url": None, "jupyterhub_url": None, "thebe": None,
        "colab_url": None, "deepnote_url": None,
    },
    "repository": {"url": None, "path_to_book": None, "branch": None},
    "sphinx": {"extra_extensions": None, "local_extensions": ..., "recursive_update": None, "config": ...},
}

#: Keys that are read but change nothing in press, and why (an info line when set).
IGNORED: dict[str, str] = {
    "latex.latex_engine": "the PDF is typeset by Typst, not LaTeX",
    "latex.use_jupyterbook_latex": "the PDF is typeset by Typst, not LaTeX",
    "html.use_multitoc_numbering": "press numbers chapters across parts itself",
    "html.analytics": "the web book sends no request to third parties",
    "html.google_analytics_id": "the web book sends no request to third parties",
    "html.comments": "hypothes.is and utterances load third-party scripts; the web book makes no such request",
    "html.navbar_footer_text": "removed from sphinx-book-theme; use html.extra_footer",
    "html.extra_navbar": "removed from sphinx-book-theme; use html.extra_footer",
}

#: The extensions of a Jupyter Book 1 build, with ``press`` in the place of ``jupyter_book``.
#: Left out: ``sphinx_comments`` (third-party scripts), ``sphinx_jupyterbook_latex`` (LaTeX),
#: ``sphinx_multitoc_numbering`` (press numbers chapters); ``sphinx_thebe`` only with
#: ``launch_buttons.thebe``.
EXTENSIONS = [
    "sphinx_togglebutton", "sphinx_copybutton", "myst_nb", "press", "press.jupyterbook",
    "sphinx_external_toc", "sphinx.ext.intersphinx", "sphinx_design", "sphinx_book_theme",
]
DEFAULT_MYST_EXTENSIONS = ["colon_fence", "dollarmath", "linkify", "substitution", "tasklist"]
DEFAULT_EXCLUDES = ["**.ipynb_checkpoints", ".DS_Store", "Thumbs.db", "_build"]
#: ``execute`` key -> myst-nb setting (as Jupyter Book 1).
EXECUTE = {
    "allow_errors": "nb_execution_allow_errors", "raise_on_error": "nb_execution_raise_on_error",
    "eval_regex": "nb_eval_name_regex", "show_tb": "nb_execution_show_tb",
    "run_in_temp": "nb_execution_in_temp", "stderr_output": "nb_output_stderr",
    "timeout": "nb_execution_timeout", "cache": "nb_execution_cache_path",
    "execute_notebooks": "nb_execution_mode", "exclude_patterns": "nb_execution_excludepatterns",
}
#: Settings whose value is a path relative to the book's folder: made absolute, because the
#: generated ``conf.py`` lives in the build's state folder.
PATHS_FROM_BOOK = ("html_logo", "html_favicon", "nb_execution_cache_path")
PATH_LISTS_FROM_BOOK = ("html_static_path", "templates_path", "html_extra_path", "locale_dirs", "bibtex_bibfiles")


@dataclass
class Problem:
    """One key of ``_config.yml`` the mapping does not know (or will not use)."""

    key: str
    line: int | None
    message: str
    ignored: bool = False  # known, read, deliberately without effect (info, not a warning)


@dataclass
class Mapping:
    """The Sphinx configuration of a Jupyter Book, and what was not mapped."""

    config: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)
    sys_path: list[str] = field(default_factory=list)


def is_jupyter_book(folder: Path) -> bool:
    """A Jupyter Book 1 project: ``_config.yml`` or ``_toc.yml`` and no ``conf.py``."""
    return not (folder / "conf.py").is_file() and ((folder / CONFIG_FILE).is_file() or (folder / TOC_FILE).is_file())


def _lines(text: str) -> dict[str, int]:
    """``"a.b.c" -> line`` (1-based) for every mapping key of a YAML document."""
    found: dict[str, int] = {}
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return found

    def walk(node: Any, prefix: str) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                name = f"{prefix}{key.value}"
                found.setdefault(name, key.start_mark.line + 1)
                walk(value, name + ".")
    walk(root, "")
    return found


def _unknown(data: dict[str, Any], known: dict[str, Any], lines: dict[str, int], prefix: str = "") -> list[Problem]:
    from .suggest import did_you_mean

    problems = []
    for key, value in data.items():
        name = f"{prefix}{key}"
        if prefix == "parse." and isinstance(key, str) and key.startswith("myst_"):
            continue  # every MyST-Parser setting passes through
        if key not in known:
            hint = did_you_mean(str(key), [str(k) for k in known])
            where = f"under {prefix[:-1]!r}" if prefix else "at the top level"
            problems.append(Problem(name, lines.get(name), f"unknown Jupyter Book setting {name!r} {where} "
                                    f"of {CONFIG_FILE}: it is not used{hint}"))
            continue
        sub = known[key]
        if isinstance(sub, dict) and isinstance(value, dict):
            problems += _unknown(value, sub, lines, name + ".")
    return problems


def _absolute(book: Path, value: Any) -> Any:
    if isinstance(value, str) and value and "://" not in value and not value.startswith("data:"):
        return str((book / value).resolve())
    return value


def _recursive_update(config: dict[str, Any], update: dict[str, Any]) -> None:
    """Jupyter Book's ``_recursive_update``: nested dicts are merged, everything else replaced."""
    for key, value in update.items():
        if isinstance(config.get(key), dict) and isinstance(value, dict):
            _recursive_update(config[key], value)
        else:
            config[key] = value


def sphinx_config(book: Path, toc: Path | None = None, out: Path | None = None) -> Mapping:
    """The Sphinx configuration of the Jupyter Book in ``book`` (see the module docstring);
    ``out``: the build's output folder, left out of the pages when it is inside the book."""
    book = book.resolve()
    path = book / CONFIG_FILE
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    data = yaml.safe_load(text) if text.strip() else {}
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping of settings, got {type(data).__name__}")
    lines = _lines(text)
    problems = _unknown(data, KNOWN, lines)
    for key, why in IGNORED.items():
        head, _, tail = key.partition(".")
        value = data.get(head, {}).get(tail) if tail and isinstance(data.get(head), dict) else None
        if value not in (None, "", False, {}, []) and not (isinstance(value, dict) and not any(value.values())):
            problems.append(Problem(key, lines.get(key), f"{CONFIG_FILE}: {key} is ignored: {why}", ignored=True))

    title = data.get("title") or "My Jupyter Book"
    conf: dict[str, Any] = {
        "project": data.get("project") or title,
        "html_title": title,
        "author": data.get("author") or "",
        "copyright": str(data.get("copyright") or ""),
        "extensions": list(EXTENSIONS),
        "pygments_style": "sphinx",
        "html_theme": "sphinx_book_theme",
        "html_sourcelink_suffix": "",
        "numfig": True,
        "suppress_warnings": ["myst.domains"],
        "exclude_patterns": sorted(set(DEFAULT_EXCLUDES) | set(data.get("exclude_patterns") or [])),
        "external_toc_path": str((toc or book / TOC_FILE).resolve()),
        "external_toc_exclude_missing": bool(data.get("only_build_toc_files", False)),
        "jupyterbook_config": str(path),
        # press: notebooks are read with their stored outputs unless the book asks
        "nb_execution_mode": "off",
    }
    if data.get("logo"):
        conf["html_logo"] = data["logo"]
    theme: dict[str, Any] = {"search_bar_text": "Search this book..."}
    conf["html_theme_options"] = theme

    launch = data.get("launch_buttons") or {}
    if launch:
        theme["launch_buttons"] = dict(launch)
        if launch.get("thebe"):
            conf["extensions"].append("sphinx_thebe")
            conf["use_thebe"] = True
    repo = data.get("repository") or {}
    for theme_key, key in (("path_to_docs", "path_to_book"), ("repository_url", "url"), ("repository_branch", "branch")):
        if key in repo:
            theme[theme_key] = repo[key]

    html = data.get("html") or {}
    if html.get("favicon"):
        conf["html_favicon"] = html["favicon"]
    if html.get("baseurl"):
        conf["html_baseurl"] = html["baseurl"]
        conf["press_site_url"] = html["baseurl"]
    for theme_key, key in (("extra_footer", "extra_footer"), ("home_page_in_toc", "home_page_in_navbar"),
                           ("announcement", "announcement")):
        if key in html and html[key] not in (None, ""):
            theme[theme_key] = html[key]
    buttons = {b: html[b] for b in ("use_repository_button", "use_edit_page_button", "use_issues_button") if b in html}
    if any(buttons.values()) and not repo.get("url"):
        problems.append(Problem("html", lines.get("html"), f"{CONFIG_FILE}: the repository buttons need "
                                "repository.url; they are left out"))
    elif buttons:
        theme.update(buttons)

    parse = data.get("parse") or {}
    extensions = list(parse.get("myst_enable_extensions") or DEFAULT_MYST_EXTENSIONS) \
        if "myst_enable_extensions" in parse else list(DEFAULT_MYST_EXTENSIONS)
    if parse.get("myst_extended_syntax") is True:
        extensions += [e for e in ("colon_fence", "dollarmath", "amsmath", "deflist", "html_image") if e not in extensions]
    conf["myst_enable_extensions"] = extensions
    conf["myst_url_schemes"] = parse.get("myst_url_schemes", ["mailto", "http", "https"])
    for key, value in parse.items():
        if isinstance(key, str) and key.startswith("myst_") and key not in (
                "myst_enable_extensions", "myst_url_schemes", "myst_extended_syntax"):
            conf[key] = value

    execute = data.get("execute") or {}
    for key, setting in EXECUTE.items():
        if key in execute and execute[key] not in (None, ""):
            conf[setting] = execute[key]
    if conf.get("nb_execution_mode") is False:  # YAML reads ``off`` as False
        conf["nb_execution_mode"] = "off"

    latex = data.get("latex") or {}
    target = (latex.get("latex_documents") or {}).get("targetname")
    if target:
        conf["press_slug"] = Path(str(target)).stem

    if data.get("bibtex_bibfiles"):
        files = data["bibtex_bibfiles"]
        conf["bibtex_bibfiles"] = [files] if isinstance(files, str) else list(files)
    if data.get("bibtex_reference_style"):
        conf["bibtex_reference_style"] = data["bibtex_reference_style"]

    if (book / "_static").is_dir():
        conf["html_static_path"] = ["_static"]
        static = book / "_static"
        css = sorted(p.relative_to(static).as_posix() for p in static.rglob("*.css"))
        js = sorted(p.relative_to(static).as_posix() for p in static.rglob("*.js"))
        if css:
            conf["html_css_files"] = css
        if js:
            conf["html_js_files"] = js

    sphinx = data.get("sphinx") or {}
    sys_path = []
    extra = sphinx.get("extra_extensions") or []
    for ext in [extra] if isinstance(extra, str) else extra:
        if ext not in conf["extensions"]:
            conf["extensions"].append(ext)
    for ext, where in (sphinx.get("local_extensions") or {}).items():
        if ext not in conf["extensions"]:
            conf["extensions"].append(ext)
        sys_path.append(str((book / str(where)).resolve()))
    overrides = sphinx.get("config") or {}
    if sphinx.get("recursive_update") is True:
        _recursive_update(conf, copy.deepcopy(overrides))
    else:
        conf.update(copy.deepcopy(overrides))
    if "mathjax_config" in overrides and "mathjax3_config" not in overrides:
        conf["mathjax3_config"] = conf.pop("mathjax_config")
    for key in PATHS_FROM_BOOK:
        if key in conf:
            conf[key] = _absolute(book, conf[key])
    for key in PATH_LISTS_FROM_BOOK:
        if key in conf and isinstance(conf[key], (list, tuple)):
            conf[key] = [_absolute(book, p) for p in conf[key]]
    conf["jupyterbook_sphinx_config"] = sorted(overrides)
    if out is not None and out.resolve().is_relative_to(book) and out.resolve() != book:
        inside = out.resolve().relative_to(book).as_posix()
        if inside not in conf["exclude_patterns"]:  # e.g. --out build: never read as pages
            conf["exclude_patterns"] = [*conf["exclude_patterns"], inside]
    return Mapping(conf, problems, sys_path)


HEADER = """\
# The Sphinx configuration of a Jupyter Book, generated by press from
#   {config}
# Edit _config.yml, not this file (it is written again on every build).
# To leave Jupyter Book's format: copy this file beside your pages as conf.py.
"""


FRESH = """
# Read _config.yml again whenever Sphinx loads this file (press serve: an edit to it counts).
import press.jupyterbook as _jupyterbook
globals().update(_jupyterbook.sphinx_config(_jupyterbook.Path({book!r}), out={out}).config)
del _jupyterbook
"""


def conf_py(book: Path, mapping: Mapping, out: Path | None = None, fresh: bool = False) -> str:
    """The configuration as the text of a ``conf.py`` (literal values, sorted); ``fresh``:
    followed by the lines that map ``_config.yml`` again when the file is executed."""
    text = [HEADER.format(config=book.resolve() / CONFIG_FILE)]
    if mapping.sys_path:
        text.append("import sys\n")
        text += [f"sys.path.insert(0, {p!r})\n" for p in mapping.sys_path]
    for key in sorted(mapping.config):
        text.append(f"{key} = {pprint.pformat(mapping.config[key], width=100, sort_dicts=False)}\n")
    if fresh:
        where = f"_jupyterbook.Path({str(out.resolve())!r})" if out is not None else "None"
        text.append(FRESH.format(book=str(book.resolve()), out=where))
    return "".join(text)


def write_conf(book: Path, folder: Path, out: Path | None = None) -> Path:
    """Write the generated ``conf.py`` into ``folder`` (only when it changed); its folder."""
    text = conf_py(book, sphinx_config(book, out=out), out=out, fresh=True)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "conf.py"
    if not target.is_file() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")
    return folder


# ---- the extension: messages at config-inited -------------------------------------------

def _report(app: Sphinx, config: Config) -> None:
    from .warnings_ import PressWarning, warn

    path = Path(config.jupyterbook_config)
    if not path.is_file():
        return
    mapping = sphinx_config(path.parent)
    for problem in mapping.problems:
        location = f"{path}:{problem.line}" if problem.line else str(path)
        if problem.ignored:
            logger.info(f"press: {problem.message}", location=location)
        else:
            warn(PressWarning.JUPYTERBOOK_CONFIG, problem.message, location=location)
    # sphinx.config: keys no loaded extension declares are not silently dropped
    from .suggest import did_you_mean

    lines = _lines(path.read_text(encoding="utf-8"))
    declared = list(config.values)  # every declared setting
    for key in config.jupyterbook_sphinx_config:
        if key not in config:
            line = lines.get(f"sphinx.config.{key}")
            warn(PressWarning.JUPYTERBOOK_CONFIG,
                 f"sphinx.config.{key} in {CONFIG_FILE} is no setting of Sphinx or of a loaded extension: "
                 f"it is not used{did_you_mean(key, declared)}",
                 location=f"{path}:{line}" if line else str(path))


def setup(app: Sphinx) -> dict[str, Any]:
    """Declare the two bookkeeping settings and report what ``_config.yml`` left unmapped."""
    app.add_config_value("jupyterbook_config", "", "")
    app.add_config_value("jupyterbook_sphinx_config", [], "")
    app.connect("config-inited", _report, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
