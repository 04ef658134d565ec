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
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from sphinx.application import Sphinx
from sphinx.config import ENUM, Config
from sphinx.errors import ConfigError
from . import adapters

#: The default fallback chain of the PDF (see ``press_pdf_fallback_fonts``).
FALLBACK_FONTS = ("Noto Sans", "Noto Sans Symbols", "Noto Sans Math", "Noto Emoji", "Noto Sans CJK SC",
                  "Noto Sans Arabic", "Noto Sans Hebrew", "Noto Sans Devanagari", "Noto Sans Thai", "DejaVu Sans Mono",
                  "New Computer Modern Math")


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
    pdf_design: str = ""
    """A Typst file (relative to the conf dir) read after press's own design, ``book.typ``: a
    ``press-*`` function (``press-heading``, ``press-admonition``, ``press-code``, …) or ``book``
    that it defines replaces press's in the whole PDF.  ``#import "press-book.typ": *`` at its
    top reuses press's definitions; the generated ``<slug>.typ`` shows which functions the
    pages call."""
    frontmatter_keys: list[str] = field(default_factory=list)
    """Front matter keys pages may use besides press's own (``title``, ``description``, ``weight``,
    ``tags``, ``date``) and MyST's: kept in the page's metadata without a warning.  Any other key
    draws a ``press.frontmatter_key`` warning with the closest known key."""
    raw_typst: Literal["refuse", "allow", "drop"] = "refuse"
    """Raw Typst in pages (``{raw} typst``), which would run as code in the PDF: ``refuse`` (a
    file:line error), ``allow`` (the book's owner trusts every author; a Typst package import
    is refused still: no ``@preview``, no network) or ``drop`` (left out of the PDF)."""
    pdf_fallback_fonts: list[str] = field(default_factory=lambda: list(FALLBACK_FONTS))
    """Font families the PDF falls back to, in order, for characters the text font lacks
    (symbols, emoji, CJK, other scripts); families not installed are skipped.  The default
    chain comes from pinned PyPI packages (``manimgx-fonts``: Noto Sans, Symbols, Emoji and
    scripts; ``noto-cjk-sans-otc``: Noto Sans CJK); add folders with ``press_pdf_font_paths``.
    A character no font has is a ``press.glyph`` warning and a visible placeholder."""
    pdf_pieces: Literal["auto", "on", "off"] = "auto"
    """Compile the PDF by pieces: each part or level-1 chapter as a Typst document of its own,
    in parallel processes (up to the cores available), joined into one tagged PDF (one
    outline, page labels, structure tree; links between pieces work).  Typst's memory is then
    that of the largest piece rather than the whole book, and after an edit only the pieces
    whose text or page numbers changed are compiled again.  Page numbers of references to
    other pieces come from the previous pass (two passes on a cold build).  ``auto``: by
    pieces when the book is long (its Typst body 600 KB or more, about 200 printed pages:
    below that one compile needs less than 450 MB and, cold, less CPU than two passes) and
    has two pieces or more, unless ``press_pdf_design`` replaces one of the functions the
    pieces rely on (``book``, ``press-xref``, the cards, the index, the page map); ``on``: by
    pieces whenever there are two; ``off``: the whole book in one compile."""


def _check_type(name: str, value: Any, annotation: Any) -> None:
    """Raise :class:`ValueError` with what is allowed when ``value`` does not fit ``annotation``."""
    origin = get_origin(annotation)
    if origin is Literal:
        choices = get_args(annotation)
        if value not in choices:
            from .suggest import did_you_mean

            hint = did_you_mean(str(value), [str(c) for c in choices], n=1) if isinstance(value, str) else ""
            raise ValueError(f"press_{name} = {value!r} is not allowed: choose one of "
                             f"{', '.join(repr(c) for c in choices)}{hint}")
        return
    if origin is dict:
        key, item = get_args(annotation)
        if not isinstance(value, dict) or not all(isinstance(k, key) for k in value) or not all(
            isinstance(v, (list, tuple)) and all(isinstance(i, str) for i in v) for v in value.values()
        ):
            raise ValueError(f"press_{name} must be a dict of str to a list of str, "
                             f'e.g. {{"term": ["word"]}}, got {value!r}')
        return
    if origin is list:
        (item,) = get_args(annotation)
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, item) for v in value):
            raise ValueError(f"press_{name} must be a list of {item.__name__}, e.g. [\"…\"], got {value!r}")
        return
    if not isinstance(value, annotation):
        raise ValueError(f"press_{name} must be {annotation.__name__}, got {type(value).__name__} {value!r}")


def setting_lines(conf_py: Path) -> dict[str, int]:
    """Line of each top-level assignment in ``conf.py`` (``name = …``), for messages."""
    import ast

    try:
        tree = ast.parse(conf_py.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return {}
    lines: dict[str, int] = {}
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
            node, (ast.AnnAssign, ast.AugAssign)) else []
        for target in targets:
            for leaf in ast.walk(target):
                if isinstance(leaf, ast.Name):
                    lines[leaf.id] = node.lineno  # the last one counts
    return lines


def where(confdir: str | Path, name: str) -> str:
    """``conf.py:LINE`` of a setting (relative to the current folder when inside it), or
    ``setting NAME`` when conf.py does not assign it (an override)."""
    conf_py = Path(confdir) / "conf.py"
    line = setting_lines(conf_py).get(name) if name else 0
    if line is None:
        return f"setting {name}"
    try:
        shown = os.path.relpath(conf_py)
    except ValueError:
        shown = str(conf_py)
    shown = str(conf_py) if shown.startswith("..") else shown
    return f"{shown}:{line}" if line else shown


class PressConfigError(ConfigError):
    """One or more problems in the ``press_*`` settings; ``str()`` is one line per problem,
    each starting with ``conf.py:LINE:`` (see :func:`describe`)."""

    category = "Press configuration error"


def describe(exc: BaseException, confdir: str | Path = ".") -> str | None:
    """The message a person reads for a configuration mistake: one line per problem, no crash
    report; ``None`` for an exception that is not one (Sphinx's report is printed then)."""
    from sphinx.errors import ApplicationError, ExtensionError

    if isinstance(exc, PressConfigError):
        return str(exc)
    cause = exc.__cause__
    if isinstance(exc, ConfigError) and isinstance(cause, SyntaxError):
        return f"{where(confdir, '')}:{cause.lineno}: ERROR: syntax error in conf.py: {cause.msg} [press.config]"
    if isinstance(exc, ExtensionError) and str(exc.message).startswith("Could not import extension"):
        name = str(exc.message).split()[4] if len(str(exc.message).split()) > 4 else "?"
        reason = f" ({cause})" if cause else ""
        return (f"{where(confdir, 'extensions')}: ERROR: extension {name!r} cannot be imported{reason}: install it "
                f"(pip install …) or remove it from extensions [press.config]")
    if isinstance(exc, (ConfigError, ApplicationError)):
        text = " ".join(str(exc).split())
        return f"press: configuration error: {text}"
    return None


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
    problems = []
    from .suggest import did_you_mean

    for name in unknown:
        hint = did_you_mean(name, known, n=1) or f" (the press settings: {', '.join(sorted(known))})"
        problems.append(f"{where(app.confdir, name)}: ERROR: {name} is not a press setting{hint} [press.config]")
    hints = typing.get_type_hints(PressConfig)
    values = {}
    for f in dataclasses.fields(PressConfig):
        value = config[f"press_{f.name}"]
        try:
            _check_type(f.name, value, hints[f.name])
        except ValueError as exc:
            problems.append(f"{where(app.confdir, 'press_' + f.name)}: ERROR: {exc} [press.config]")
            continue
        values[f.name] = list(value) if isinstance(value, tuple) else value
        if isinstance(value, dict):
            values[f.name] = {k: list(v) for k, v in value.items()}
    if problems:  # in the order of conf.py's lines (overrides first)
        problems.sort(key=lambda m: int(m.split(":", 2)[1]) if m.split(":", 2)[1].isdigit() else 0)
        raise PressConfigError("\n".join(problems))
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
    "pdf_design": "",
    "raw_typst": "", "pdf_fallback_fonts": "", "pdf_pieces": "",
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
