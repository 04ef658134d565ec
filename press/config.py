"""One validated definition of the ``press_*`` settings in ``conf.py``.

Every field of :class:`PressConfig` becomes a Sphinx config value
``press_<field>``.  At ``config-inited`` each value is type-checked and any
``press_*`` name in ``conf.py`` that is not a field is an error, so a typo
never passes silently.
"""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import typing
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Literal, get_args, get_origin

from sphinx.application import Sphinx
from sphinx.config import ENUM, Config
from sphinx.errors import ConfigError
from . import adapters

@dataclass
class PressConfig:
    """The press settings (``press_<name>`` in ``conf.py``)."""

    slug: str = ""
    """File name stem of the PDF and EPUB; derived from ``project`` when empty."""
    subtitle: str = ""
    """Book subtitle (title page, EPUB metadata)."""
    authors: list[str] = field(default_factory=list)
    """Book authors; defaults to ``[author]``."""
    site_url: str = ""
    """Public URL of the web book (canonical links, OpenGraph, sitemap)."""
    pdf_paper: Literal["a4", "us-letter", "6x9"] = "a4"
    """PDF page size."""
    pdf_font: str = "Libertinus Serif"
    """Main text font of the PDF (must be in the bundled fonts)."""
    pdf_mono_font: str = "DejaVu Sans Mono"
    """Code font of the PDF."""
    pdf_sans_font: str = "Source Sans Pro"
    """Heading font of the PDF (Source Sans Pro comes from the pinned ``font-source-sans-pro`` package)."""
    pdf_font_paths: list[str] = field(default_factory=list)
    """Extra font folders (relative to the conf dir) passed to Typst."""
    copyright_notice: str = ""
    """Copyright page / ``dc:rights`` text; defaults to ``copyright``."""
    index_terms: dict[str, list[str]] = field(default_factory=dict)
    """Index entries for the PDF: ``{"Karpathy, Andrej": ["Karpathy"], "METR": []}`` maps an
    entry (``"term"`` or ``"term; sub-entry"``) to the words in the text that mention it
    (the entry itself when empty); see :mod:`press.indexterms`."""
    license: str = ""
    """Licence statement: on the PDF's copyright page, after the copyright in the EPUB's
    ``dc:rights`` and in the web book's footer (sphinx-book-theme's ``extra_footer``)."""
    download_dir: str = ""
    """Build folder whose ``pdf/<slug>.pdf`` and ``epub/<slug>.epub`` the web book copies
    and links on every page (relative to the conf dir), for a ``sphinx-build`` of the web
    book alone; ``press build`` ignores it (the build's state says where the files are,
    :attr:`press.state.Outputs.downloads`)."""
    allowed_paths: list[str] = field(default_factory=list)
    """Folders outside ``source/`` (relative to the conf dir, or absolute) whose files pages may
    include or show; every other path a page names must stay inside the source folder."""
    raw_html: Literal["sanitize", "allow", "drop"] = "sanitize"
    """Raw HTML in pages: ``sanitize`` (nh3: no scripts, event handlers or ``javascript:`` URLs;
    a warning where something was removed), ``allow`` (the book's owner trusts every author) or
    ``drop`` (left out of the web book and the EPUB)."""
    allow_network: bool = False
    """Let ``{csv-table}``/``{raw}`` fetch a ``:url:`` during the build (off: a ``press.network``
    error; the build makes no network request)."""
    max_page_bytes: int = 1_000_000
    """Budget: the largest page (bytes of text); a larger one is a ``press.limit`` error, refused before it is parsed."""
    max_nesting: int = 100
    """Budget: the deepest nesting of blocks (fences, quotes, lists) and inline emphasis in a page."""
    max_table_rows: int = 5_000
    """Budget: the most rows of one table (Markdown pipe table, ``list-table``, ``csv-table``)."""
    max_yaml_aliases: int = 50
    """Budget: the most YAML aliases (``*name``) in one page's front matter (alias bombs)."""


def _check_type(name: str, value: Any, annotation: Any) -> None:
    origin = get_origin(annotation)
    if origin is Literal:
        choices = get_args(annotation)
        if value not in choices:
            raise ConfigError(f"press_{name} must be one of {list(choices)}, got {value!r}")
        return
    if origin is dict:
        key, item = get_args(annotation)
        if not isinstance(value, dict) or not all(isinstance(k, key) for k in value) or not all(
            isinstance(v, (list, tuple)) and all(isinstance(i, str) for i in v) for v in value.values()
        ):
            raise ConfigError(f"press_{name} must be a dict of str to a list of str, got {value!r}")
        return
    if origin is list:
        (item,) = get_args(annotation)
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, item) for v in value):
            raise ConfigError(f"press_{name} must be a list of {item.__name__}, got {value!r}")
        return
    if not isinstance(value, annotation):
        raise ConfigError(f"press_{name} must be {annotation.__name__}, got {value!r}")


def slugify(text: str) -> str:
    """ASCII file-name slug: ``"The Field Guide"`` -> ``"the-field-guide"``."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "book"


def source_date_epoch(confdir: str | os.PathLike[str]) -> int | None:
    """The date every output carries, one policy for all of them (reproducible builds):
    ``SOURCE_DATE_EPOCH``; else the time of the last commit of the book's repository
    (``git`` in ``confdir``); else ``None``, never the clock — the PDF then has no date,
    the offline zip 1980-01-01, and only the EPUB, which must carry one, the build's time."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if value.isdigit():
        return int(value)
    try:
        out = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=confdir, capture_output=True, text=True,
                             timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    stamp = out.stdout.strip()
    return int(stamp) if out.returncode == 0 and stamp.isdigit() else None


def get(config: Config) -> PressConfig:
    """The validated :class:`PressConfig` of a Sphinx config."""
    return adapters.press_settings(config)


#: Environment variable that overrides ``press_site_url`` (CI), read once by ``press build``
#: (:mod:`press.cli`), which hands it to the build's state (:attr:`press.state.BookBuild.site_url`).
SITE_URL_ENV = "PRESS_SITE_URL"


def site_url_override(app: Sphinx) -> str | None:
    """The site URL the host decided at publish time (``press build --site-url`` or
    ``PRESS_SITE_URL``), from the build's state; ``None`` when not given."""
    from . import state

    return state.of(app).site_url


def _validate(app: Sphinx, config: Config) -> None:
    if site_url_override(app):
        config.press_site_url = site_url_override(app)
    known = {f"press_{f.name}" for f in dataclasses.fields(PressConfig)}
    unknown = sorted(k for k in adapters.conf_names(config) if k.startswith("press_") and k not in known)
    if unknown:
        raise ConfigError(
            f"unknown press setting(s) in conf.py: {', '.join(unknown)} "
            f"(known: {', '.join(sorted(known))})"
        )
    hints = typing.get_type_hints(PressConfig)
    values = {}
    for f in dataclasses.fields(PressConfig):
        value = config[f"press_{f.name}"]
        _check_type(f.name, value, hints[f.name])
        values[f.name] = list(value) if isinstance(value, tuple) else value
        if isinstance(value, dict):
            values[f.name] = {k: list(v) for k, v in value.items()}
    press = PressConfig(**values)
    if not press.slug:
        press.slug = slugify(config.project)
    if not press.authors:
        press.authors = [config.author] if config.author else []
    if not press.copyright_notice:
        press.copyright_notice = f"© {config.copyright}" if config.copyright else ""
    adapters.keep_press_settings(config, press)
    # The EPUB file is <slug>.epub unless conf.py chose otherwise.
    if not adapters.set_in_conf(config, "epub_basename"):
        config.epub_basename = press.slug


#: Settings that concern one output only: changing them (or building another format with
#: them) must not re-read the book.  ``"html"`` rewrites HTML/EPUB pages; ``""`` affects
#: only the PDF, which is always written whole.  Anything not listed re-reads (``"env"``).
REBUILD: dict[str, str] = {
    "slug": "html", "subtitle": "html", "authors": "html", "site_url": "html",
    "copyright_notice": "html", "license": "html", "download_dir": "html",
    "pdf_paper": "", "pdf_font": "", "pdf_mono_font": "", "pdf_sans_font": "", "pdf_font_paths": "",
}


def _sphinx_types(annotation: Any) -> Any:
    """The field's type as Sphinx's ``add_config_value(types=…)`` takes it (``ENUM`` for a
    choice), so Sphinx's own tools (``sphinx-build -M help``, config dumps) know it; the
    precise check, with the press's message, is :func:`_validate`'s."""
    origin = get_origin(annotation)
    if origin is Literal:
        return ENUM(*get_args(annotation))
    if origin is list:
        return (list, tuple)
    if origin is dict:
        return (dict,)
    return (annotation,)


def setup(app: Sphinx) -> dict[str, Any]:
    """Register every ``press_*`` config value and validate them at ``config-inited``."""
    hints = typing.get_type_hints(PressConfig)
    for f in dataclasses.fields(PressConfig):
        default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
        app.add_config_value(f"press_{f.name}", default, REBUILD.get(f.name, "env"), types=_sphinx_types(hints[f.name]))
    app.connect("config-inited", _validate, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
