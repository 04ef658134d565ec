"""Notebooks (myst-nb) in every format: the web book, the EPUB and the PDF.

myst-nb renders every representation of a cell output while a page is read and lets a
post-transform (``SelectMimeType``) keep the best one for the builder.  It knows no
``typst`` builder, so without help every rich output is lost in the PDF.  This module:

* **keeps the outputs with the build**: myst-nb writes output images into
  ``<outdir>/../jupyter_execute``, which press stages and discards; they are written into
  the doctree folder instead (``<doctrees>/jupyter_execute``), which press keeps between
  builds with the doctrees that name them.  :func:`output_folder` is the one folder
  :mod:`press.containment` accepts besides the book's own (owned by the build);
* **chooses per format**: priorities for ``typst`` (images, then LaTeX, then text; HTML
  only where it is a table) and for ``epub`` (no scripts or widgets), placed before the
  book's own ``nb_mime_priority_overrides`` so the book can still change them;
* **turns HTML tables into tables** for the PDF and the EPUB (pandas ``DataFrame``\\ s):
  an output whose HTML is one ``<table>`` becomes a docutils table (header rows, index
  cells as header cells, spans filled with empty cells);
* **leaves interactive outputs to the web book**: JavaScript, widgets and HTML with scripts
  are left out of the PDF and the EPUB; where nothing else can stand in for them, a short
  note tells the reader the output is interactive and in the web book;
* **strips ANSI colour codes** from stream and text outputs in the PDF (the web book and
  the EPUB colour them with myst-nb's ``myst-ansi`` lexer);
* **executes only when the book asks**: ``nb_execution_mode`` stays myst-nb's (``off`` for
  a Jupyter Book built by press unless ``execute.execute_notebooks`` says otherwise); the
  jupyter-cache of ``cache`` mode lives in ``<out>/.press/jupyter_cache``, kept between
  builds; a kernel that is not installed is one ``file:line`` error naming it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.transforms.post_transforms import SphinxPostTransform

from .adapters import builder_of

#: Builders that show HTML as HTML (everything else gets the fallbacks).
WEB = ("html", "dirhtml", "singlehtml")
FOLDER = "jupyter_execute"
INTERACTIVE = ("application/javascript", "application/vnd.jupyter.widget-view+json")
#: Priorities (lower first; ``None``: never) for the formats myst-nb does not know or
#: gets wrong for a book; the book's own ``nb_mime_priority_overrides`` come after these.
PRIORITIES: list[tuple[str, str, int | None]] = [
    *(("typst", mime, rank) for mime, rank in (
        ("application/vnd.jupyter.widget-view+json", None), ("application/javascript", None),
        ("text/html", 30), ("image/svg+xml", 40), ("image/png", 50), ("image/gif", 60),
        ("image/jpeg", 70), ("text/markdown", 80), ("text/latex", 90), ("text/plain", 100))),
    ("epub", "application/vnd.jupyter.widget-view+json", None),
    ("epub", "application/javascript", None),
]
NOTE = "This output is interactive: it is shown in the web book."
#: The web book's note when it does not run the output's scripts (press_raw_html).
WEB_NOTE = "This output is interactive: its scripts are not run in this book."
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-Z\\-_]")


def output_folder(app: Sphinx) -> Path | None:
    """The folder myst-nb writes this build's output files into (``None`` without myst-nb)."""
    config = getattr(getattr(app, "env", None), "mystnb_config", None)
    folder = getattr(config, "output_folder", None)
    return Path(folder).resolve() if folder else None


def _priorities(app: Sphinx, config: Config) -> None:
    if "nb_mime_priority_overrides" not in config:
        return
    config.nb_mime_priority_overrides = [*PRIORITIES, *config.nb_mime_priority_overrides]


def _folders(app: Sphinx) -> None:
    """After myst-nb's ``builder-inited``: its outputs beside the doctrees; the execution
    cache beside press's state (kept between builds) unless the book names one."""
    config = getattr(app.env, "mystnb_config", None)
    if config is None:
        return
    changes: dict[str, str] = {"output_folder": str(Path(app.doctreedir).resolve() / FOLDER)}
    doctrees = Path(app.doctreedir).resolve()
    if not app.config.nb_execution_cache_path and doctrees.parent.name == "staging":
        changes["execution_cache_path"] = str(doctrees.parent.parent / "jupyter_cache")
    app.env.mystnb_config = config.copy(**changes)
    # sphinx-book-theme looks for text notebooks' .ipynb in myst-nb's usual place, beside
    # the output folder: point it at the kept folder.
    usual = Path(app.outdir).resolve().parent / FOLDER
    if not usual.exists() and not usual.is_symlink():
        Path(changes["output_folder"]).mkdir(parents=True, exist_ok=True)
        usual.symlink_to(changes["output_folder"], target_is_directory=True)


# ---- HTML tables -------------------------------------------------------------------------

def _cells(row: Any) -> list[Any]:
    return [c for c in row if isinstance(c.tag, str) and c.tag in ("td", "th")]


def html_table(html: str) -> nodes.table | None:
    """A docutils table for HTML that is one table (and style), else ``None``."""
    import lxml.html

    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except Exception:  # noqa: BLE001 - not HTML we can read: no table
        return None
    if root.xpath(".//script|.//iframe|.//object|.//embed|.//form|.//table//table"):
        return None
    tables = root.xpath(".//table")
    if len(tables) != 1:
        return None
    rest = "".join(t for t in root.xpath(".//text()[not(ancestor::table) and not(ancestor::style)]")).strip()
    if rest:
        return None  # text around the table: not just a table
    table = tables[0]
    head_rows = table.xpath("./thead/tr")
    body_rows = table.xpath("./tbody/tr|./tr")
    if not body_rows and not head_rows:
        return None
    grid_head = _grid(head_rows)
    grid_body = _grid(body_rows)
    width = max((len(r) for r in grid_head + grid_body), default=0)
    if width == 0:
        return None
    tgroup = nodes.tgroup(cols=width)
    for _ in range(width):
        tgroup += nodes.colspec(colwidth=1)
    for rows, part in ((grid_head, nodes.thead()), (grid_body, nodes.tbody())):
        if not rows:
            continue
        for cells in rows:
            row = nodes.row()
            for text, is_header in cells + [("", False)] * (width - len(cells)):
                entry = nodes.entry()
                if text:
                    math = re.fullmatch(r"\$([^$]+)\$", text)  # a cell that is one formula (MathJax in HTML)
                    inner = nodes.math(math.group(1), math.group(1)) if math else nodes.Text(text)
                    if is_header and part.tagname == "tbody":
                        inner = nodes.strong("", "", inner)
                    entry += nodes.paragraph("", "", inner)
                row += entry
            part += row
        tgroup += part
    caption = table.xpath("./caption")
    result = nodes.table("", tgroup, classes=["press-notebook-table"])
    if caption and caption[0].text_content().strip():
        title = caption[0].text_content().strip()
        result.insert(0, nodes.title(title, title))
    return result


def _grid(rows: list[Any]) -> list[list[tuple[str, bool]]]:
    """Rows of ``(text, is_header)`` with ``rowspan``/``colspan`` filled by empty cells."""
    grid: list[list[tuple[str, bool]]] = []
    pending: dict[int, int] = {}  # column -> rows still covered by a rowspan above
    for tr in rows:
        out: list[tuple[str, bool]] = []
        col = 0
        cells = _cells(tr)
        i = 0
        while i < len(cells) or pending.get(col):
            if pending.get(col):
                pending[col] -= 1
                out.append(("", False))
                col += 1
                continue
            cell = cells[i]
            i += 1
            text = " ".join(cell.text_content().split())
            span = _int(cell.get("colspan"))
            down = _int(cell.get("rowspan"))
            for k in range(span):
                out.append((text if k == 0 else "", cell.tag == "th"))
                if down > 1:
                    pending[col] = down - 1
                col += 1
        grid.append(out)
    return grid


def _int(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 100))
    except ValueError:
        return 1


def _mime(node: nodes.Node) -> str:
    return node.get("mime_type", "") if isinstance(node, nodes.Element) else ""


def _is_bundle(node: nodes.Node) -> bool:
    return isinstance(node, nodes.Element) and node.get("nb_element") == "mime_bundle"


class PrintOutputs(SphinxPostTransform):
    """Before myst-nb picks one representation per output (priority 4), in every format:
    HTML tables become tables (no raw HTML left to sanitise: the same table everywhere).
    In the PDF and the EPUB other HTML and interactive outputs give way to any other
    representation; in the web book scripts and widgets do the same unless the book trusts
    raw HTML (``press_raw_html = "allow"``: :mod:`press.sanitize` would remove them).
    An output with nothing left becomes a note to the reader."""

    default_priority = 3

    def run(self, **kwargs: Any) -> None:
        if "nb_execution_mode" not in self.config:
            return  # no notebook outputs without myst-nb (its settings): the whole book is not walked
        builder = builder_of(self.env).name
        web = builder in WEB
        trusted = web and getattr(self.config, "press_raw_html", "sanitize") == "allow"
        for bundle in list(self.document.findall(_is_bundle)):
            kinds = [c for c in bundle.children if _mime(c)]
            for child in kinds:
                mime = _mime(child)
                if mime == "text/html":
                    raw = "".join(n.astext() for n in child.findall(nodes.raw))
                    table = html_table(raw)
                    if table is not None:
                        child.children = []
                        child += table
                    elif trusted:
                        continue
                    elif web or builder == "epub":
                        if "<script" in raw.lower():
                            bundle.remove(child)
                    else:  # the PDF: raw HTML cannot be printed
                        bundle.remove(child)
                elif mime in INTERACTIVE and not trusted:
                    bundle.remove(child)
            if not any(_mime(c) for c in bundle.children):
                text = WEB_NOTE if web else NOTE
                if isinstance(bundle.parent, nodes.TextElement):
                    note = nodes.emphasis(text, text, classes=["press-interactive"])
                else:
                    note = nodes.paragraph("", "", nodes.emphasis(text, text), classes=["press-interactive"])
                bundle.replace_self(note)


class OutputAlt(SphinxPostTransform):
    """Output images carry alternative text: the output's own text when it says something
    (not a ``<Figure …>`` repr), else a plain description (EPUB and PDF/UA need one)."""

    default_priority = 2

    def run(self, **kwargs: Any) -> None:
        if "nb_execution_mode" not in self.config:
            return  # no notebook outputs without myst-nb
        for bundle in list(self.document.findall(_is_bundle)):
            text = next((c.astext().strip() for c in bundle.children if _mime(c) == "text/plain"), "")
            alt = text if text and not text.startswith("<") and "\n" not in text and len(text) < 200 else ""
            for image in bundle.findall(nodes.image):
                if not image.get("alt"):
                    image["alt"] = alt or "Image output of the code cell above"
        for container in list(self.document.findall(
                lambda n: isinstance(n, nodes.container) and n.get("nb_element") == "cell_code_output")):
            for image in container.findall(nodes.image):
                if not image.get("alt"):
                    image["alt"] = "Image output of the code cell above"


class StripAnsi(SphinxPostTransform):
    """Colour codes in stream and text outputs are left out of the PDF."""

    default_priority = 5
    builders = ("typst",)

    def run(self, **kwargs: Any) -> None:
        for block in list(self.document.findall(nodes.literal_block)):
            text = block.astext()
            if "\x1b" not in text:
                continue
            clean = _ANSI.sub("", text).replace("\x1b", "")
            block.children = [nodes.Text(clean)]
            block.rawsource = clean
            if block.get("language") == "myst-ansi":
                block["language"] = "text"


#: Output types an editor stores for itself beside the real representations (Google Colab's
#: table data): never shown anywhere, so left out before myst-nb reads the notebook.
PRIVATE_MIME = ("application/vnd.google.colaboratory.intrinsic+json",)


def _private_outputs(app: Sphinx, docname: str, source: list[str]) -> None:
    """Drop :data:`PRIVATE_MIME` representations of outputs that have another one."""
    if not str(app.env.doc2path(docname)).endswith(".ipynb") or not any(m in source[0] for m in PRIVATE_MIME):
        return
    import json

    try:
        notebook = json.loads(source[0])
    except ValueError:
        return
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []) if isinstance(cell, dict) else []:
            data = output.get("data") if isinstance(output, dict) else None
            if isinstance(data, dict) and any(m not in PRIVATE_MIME for m in data):
                for mime in PRIVATE_MIME:
                    data.pop(mime, None)
    source[0] = json.dumps(notebook)


def _missing_kernel(app: Sphinx, docname: str, source: list[str]) -> None:
    """With execution on, a notebook whose kernel is not installed is one clear error
    (myst-nb would fail deep inside jupyter-client)."""
    if "nb_execution_mode" not in app.config or app.config.nb_execution_mode in ("off", None, False):
        return
    path = Path(app.env.doc2path(docname))
    if path.suffix != ".ipynb" and "kernelspec" not in source[0][:2000]:
        return
    import json

    name = None
    if path.suffix == ".ipynb":
        try:
            name = json.loads(source[0]).get("metadata", {}).get("kernelspec", {}).get("name")
        except (ValueError, AttributeError):
            return
    else:
        match = re.search(r"^kernelspec:\s*\n(?:\s+.*\n)*?\s+name:\s*(\S+)", source[0], re.M)
        name = match.group(1).strip("'\"") if match else None
    if not name:
        return
    try:
        from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

        KernelSpecManager().get_kernel_spec(name)
    except NoSuchKernel:
        from .warnings_ import PressWarning, warn

        warn(PressWarning.NOTEBOOK,
             f"this notebook is to be executed (nb_execution_mode {app.config.nb_execution_mode!r}) but its "
             f"kernel {name!r} is not installed: install it (e.g. `pip install ipykernel` for python3) or "
             "set execute_notebooks: off to use the stored outputs", location=(docname, 1))
        # ... and it is read with its stored outputs, not run (myst-nb would stop the build)
        config = getattr(app.env, "mystnb_config", None)
        if config is not None:
            patterns = [*config.execution_excludepatterns, path.resolve().as_posix()]
            app.env.mystnb_config = config.copy(execution_excludepatterns=patterns)
    except ImportError:
        return


def _lexers(app: Sphinx) -> None:
    """``ipython2``: the lexer notebooks written with Python 2 name in their metadata (IPython
    no longer registers it; its IPython lexer reads them)."""
    try:
        from ipython_pygments_lexers import IPythonLexer
    except ImportError:
        return
    from sphinx.highlighting import lexer_classes

    if "ipython2" not in lexer_classes:
        app.add_lexer("ipython2", IPythonLexer)


def _web_only_theme_options(app: Sphinx) -> None:
    """Launch buttons (Binder, Colab, JupyterHub, thebe) belong to the web book:
    sphinx-book-theme's handler for them fails outside it (the EPUB)."""
    if app.builder.name in WEB:
        return
    options = app.config.html_theme_options
    if isinstance(options, dict) and "launch_buttons" in options:
        app.config.html_theme_options = {k: v for k, v in options.items() if k != "launch_buttons"}


def setup(app: Sphinx) -> dict[str, Any]:
    """Hooks that only act when myst-nb is loaded (see the module docstring)."""
    _lexers(app)
    app.connect("builder-inited", _web_only_theme_options)
    app.add_post_transform(OutputAlt)
    app.connect("config-inited", _priorities, priority=800)
    app.connect("builder-inited", _folders, priority=900)
    app.connect("source-read", _missing_kernel, priority=100)
    app.connect("source-read", _private_outputs, priority=100)
    app.add_post_transform(PrintOutputs)
    app.add_post_transform(StripAnsi)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
