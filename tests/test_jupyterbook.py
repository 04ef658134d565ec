"""Jupyter Book 1 books as their authors keep them (issue 19): ``_config.yml`` + ``_toc.yml``,
notebooks with stored outputs, and the ecosystem's extensions, in all three formats.

* unit: the ``_config.yml`` mapping (every documented key; unknown keys named with a
  "did you mean"), finding the project without flags, the navigation of a book whose
  root is not ``index`` (no hang), HTML tables as tables;
* ``tests/roots/test-jupyterbook``: a small JB1 book (root ``intro``, pages in folders
  without an index, a notebook with every kind of stored output, a MyST text notebook,
  sphinx-proof, sphinx-exercise, togglebutton, inline tabs, sphinx-examples, thebe,
  graphviz) built with ``press build`` in its folder, strictly, all three formats;
* ``tests/roots/test-corpus-jb1-pbdl``: "Physics-based Deep Learning" (Apache-2.0, see its
  LICENSE and ORIGIN), copied unchanged, built as a user runs it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import threading
import zipfile
from pathlib import Path

import pypdf
import pytest
import yaml

from conftest import ROOTS, run_press
from test_epub import epubcheck_messages, format_messages

from press import jupyterbook
from press.notebooks import html_table
from press.project import NoProject, locate
from press.structure import compute_order
from press.frontmatter import PageMeta


# ---- unit: the mapping ------------------------------------------------------------------

def test_config_maps_every_documented_key(tmp_path):
    book = ROOTS / "test-jupyterbook"
    conf = jupyterbook.sphinx_config(book).config
    assert conf["project"] == conf["html_title"] == "Notebook Field Notes"
    assert conf["author"] == "The Test Authors" and conf["copyright"] == "2026"
    assert conf["html_logo"] == str((book / "logo.png").resolve())
    assert conf["external_toc_path"] == str((book / "_toc.yml").resolve())
    assert conf["external_toc_exclude_missing"] is True
    assert "drafts/*" in conf["exclude_patterns"] and "_build" in conf["exclude_patterns"]
    assert conf["nb_execution_mode"] == "off"  # YAML's `off` is False
    assert conf["myst_enable_extensions"] == ["colon_fence", "dollarmath", "amsmath", "substitution"]
    assert conf["myst_substitutions"] == {"project_name": "Field Notes"}
    assert conf["press_slug"] == "notes"  # latex.latex_documents.targetname: notes.tex
    assert conf["bibtex_bibfiles"] == [str((book / "references.bib").resolve())]
    theme = conf["html_theme_options"]
    assert theme["repository_url"] == "https://github.com/example/field-notes" and theme["repository_branch"] == "main"
    assert theme["use_repository_button"] is True and theme["extra_footer"] == "Made with press"
    assert theme["launch_buttons"]["colab_url"] == "https://colab.research.google.com"
    assert conf["use_thebe"] is True and "sphinx_thebe" in conf["extensions"]
    for ext in ("sphinx_proof", "sphinx_exercise", "sphinx_inline_tabs", "sphinx_examples", "sphinx.ext.graphviz"):
        assert ext in conf["extensions"]
    assert conf["extensions"].index("myst_nb") < conf["extensions"].index("press")  # as Jupyter Book listed them
    assert conf["graphviz_output_format"] == "svg"  # sphinx.config
    assert jupyterbook.sphinx_config(book).problems == []


def test_execute_parse_html_and_recursive_update(tmp_path):
    (tmp_path / "_config.yml").write_text(yaml.safe_dump({
        "title": "T",
        "execute": {"execute_notebooks": "cache", "timeout": 100, "allow_errors": True, "cache": "cachedir",
                    "exclude_patterns": ["slow/*"], "stderr_output": "remove"},
        "parse": {"myst_dmath_double_inline": True, "myst_url_schemes": ["https"], "myst_heading_anchors": 2},
        "html": {"favicon": "f.ico", "baseurl": "https://example.org/book/", "home_page_in_navbar": False,
                 "announcement": "Hello", "analytics": {"google_analytics_id": "G-1"}},
        "sphinx": {"recursive_update": True, "config": {"html_theme_options": {"show_toc_level": 2}},
                   "local_extensions": {"myext": "_ext"}},
    }))
    mapping = jupyterbook.sphinx_config(tmp_path)
    conf = mapping.config
    assert conf["nb_execution_mode"] == "cache" and conf["nb_execution_timeout"] == 100
    assert conf["nb_execution_allow_errors"] is True and conf["nb_output_stderr"] == "remove"
    assert conf["nb_execution_cache_path"] == str(tmp_path / "cachedir")
    assert conf["nb_execution_excludepatterns"] == ["slow/*"]
    assert conf["myst_dmath_double_inline"] is True and conf["myst_heading_anchors"] == 2
    assert conf["myst_url_schemes"] == ["https"]
    assert conf["html_favicon"] == str(tmp_path / "f.ico") and conf["press_site_url"] == "https://example.org/book/"
    theme = conf["html_theme_options"]
    assert theme["home_page_in_toc"] is False and theme["announcement"] == "Hello"
    assert theme["show_toc_level"] == 2 and theme["search_bar_text"]  # merged, not replaced
    assert "myext" in conf["extensions"] and mapping.sys_path == [str(tmp_path / "_ext")]
    ignored = {p.key for p in mapping.problems if p.ignored}
    assert ignored == {"html.analytics"}  # read, and deliberately without effect


def test_unknown_keys_are_named_with_a_suggestion(tmp_path):
    (tmp_path / "_config.yml").write_text("titel: My book\nexecute:\n  execute_notebook: force\nsphinx:\n  config: {}\n")
    problems = {p.key: p for p in jupyterbook.sphinx_config(tmp_path).problems}
    assert set(problems) == {"titel", "execute.execute_notebook"}
    assert "did you mean 'title'" in problems["titel"].message and problems["titel"].line == 1
    assert "did you mean 'execute_notebooks'" in problems["execute.execute_notebook"].message
    assert problems["execute.execute_notebook"].line == 3


def test_generated_conf_py_is_python_and_stable(tmp_path):
    shutil.copytree(ROOTS / "test-jupyterbook", tmp_path / "book")
    folder = jupyterbook.write_conf(tmp_path / "book", tmp_path / "state")
    text = (folder / "conf.py").read_text()
    namespace: dict = {}
    exec(compile(text, "conf.py", "exec"), namespace)  # noqa: S102 - our own generated file
    assert namespace["project"] == "Notebook Field Notes" and "press" in namespace["extensions"]
    mtime = (folder / "conf.py").stat().st_mtime_ns
    jupyterbook.write_conf(tmp_path / "book", tmp_path / "state")
    assert (folder / "conf.py").stat().st_mtime_ns == mtime  # unchanged: not rewritten
    # an edit to _config.yml counts the next time Sphinx loads conf.py (press serve)
    config = tmp_path / "book" / "_config.yml"
    config.write_text(config.read_text().replace("title: Notebook Field Notes", "title: Renamed"))
    namespace = {}
    exec(compile(text, "conf.py", "exec"), namespace)  # noqa: S102
    assert namespace["project"] == "Renamed" and "_jupyterbook" not in namespace


# ---- unit: finding the project ----------------------------------------------------------

@pytest.mark.parametrize("layout, source, conf", [
    ({"conf.py": "", "source/index.md": ""}, "source", "."),           # press new
    ({"source/conf.py": "", "source/index.rst": ""}, "source", "source"),  # sphinx-quickstart --sep
    ({"conf.py": "", "index.rst": ""}, ".", "."),                      # Sphinx's own layout
    ({"docs/conf.py": "", "docs/index.rst": ""}, "docs", "docs"),
    ({"docs/source/conf.py": "", "docs/source/index.rst": ""}, "docs/source", "docs/source"),
])
def test_locate_sphinx_projects(tmp_path, layout, source, conf):
    for name, text in layout.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    project = locate(None, None, tmp_path / "_build", cwd=tmp_path)
    assert project.kind == "sphinx"
    assert project.source == (tmp_path / source).resolve() or project.source == tmp_path / source
    assert Path(project.conf).resolve() == (tmp_path / conf).resolve()


@pytest.mark.parametrize("where", [".", "docs", "book"])
def test_locate_jupyter_book(tmp_path, where):
    book = tmp_path / where
    shutil.copytree(ROOTS / "test-jupyterbook", book, dirs_exist_ok=True)
    project = locate(None, None, tmp_path / "_build", cwd=tmp_path)
    assert project.kind == "jupyter-book" and project.source.resolve() == book.resolve()
    assert (project.conf / "conf.py").is_file() and project.conf.is_relative_to(tmp_path / "_build")


def test_locate_nothing_says_where_it_looked(tmp_path):
    with pytest.raises(NoProject, match="press new"):
        locate(None, None, tmp_path / "_build", cwd=tmp_path)


def _press_config(folder: Path, monkeypatch, capsys) -> str:
    from press.cli import main

    monkeypatch.chdir(folder)
    assert main(["config"]) == 0
    return capsys.readouterr().out


def test_press_config_prints_the_sphinx_configuration(tmp_path, monkeypatch, capsys):
    shutil.copytree(ROOTS / "test-jupyterbook", tmp_path / "book")
    out = _press_config(tmp_path / "book", monkeypatch, capsys)
    assert "external_toc_path = " in out and "project = 'Notebook Field Notes'" in out
    assert "nb_execution_mode = 'off'" in out


def test_press_config_of_a_sphinx_project(tmp_path, monkeypatch, capsys):
    (tmp_path / "conf.py").write_text('import os\nproject = "S"\nextensions = ["press"]\n')
    (tmp_path / "index.md").write_text("# S\n")
    out = _press_config(tmp_path, monkeypatch, capsys)
    assert f"# conf:   {tmp_path / 'conf.py'}" in out
    assert "project = 'S'" in out and "extensions = ['press']" in out and "os =" not in out


# ---- unit: navigation when root_doc is not index (the hang) -------------------------------

def test_compute_order_with_a_root_that_is_not_index_ends():
    docs = {d: PageMeta(title=d) for d in ("intro", "chapters/outputs", "chapters/deep/page", "extensions/proofs", "other")}
    result: dict = {}
    worker = threading.Thread(target=lambda: result.update(order=compute_order(docs, "intro")), daemon=True)
    worker.start()
    worker.join(timeout=5)
    assert not worker.is_alive(), "compute_order loops forever when root_doc is not 'index'"
    assert sorted(result["order"]["intro"]) == sorted(d for d in docs if d != "intro")


# ---- unit: HTML tables ------------------------------------------------------------------

PANDAS = """<div><style scoped>.dataframe tbody tr th { vertical-align: top; }</style>
<table border="1" class="dataframe"><thead><tr><th></th><th>a</th><th>b</th></tr></thead>
<tbody><tr><th rowspan="2">x</th><td>1</td><td>2</td></tr><tr><td>3</td><td>4</td></tr></tbody></table></div>"""


def test_html_table_becomes_a_table():
    table = html_table(PANDAS)
    assert table is not None
    rows = [[e.astext() for e in row.children] for row in table.findall(lambda n: n.tagname == "row")]
    assert rows == [["", "a", "b"], ["x", "1", "2"], ["", "3", "4"]]  # rowspan filled with an empty cell
    assert table.next_node(lambda n: n.tagname == "thead") is not None


@pytest.mark.parametrize("html", [
    "<p>just text</p>", "<table><tr><td><script>x()</script></td></tr></table>",
    "<p>before</p><table><tr><td>1</td></tr></table>", "<table><tr><td><table></table></td></tr></table>",
])
def test_html_that_is_not_a_plain_table_stays_html(html):
    assert html_table(html) is None


# ---- the small JB1 book, all three formats ----------------------------------------------

def _notebook_images(notebook: Path) -> set[str]:
    """File names myst-nb gives the image outputs a reader sees (sha256 of the bytes)."""
    names = set()
    for cell in json.loads(notebook.read_text(encoding="utf-8")).get("cells", []):
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & {"remove-output", "remove-cell"}:
            continue
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if data.keys() & {"text/html", "application/javascript", "application/vnd.jupyter.widget-view+json"}:
                continue
            for mime, ext in (("image/png", ".png"), ("image/jpeg", ".jpg")):
                if mime in data:
                    raw = data[mime] if isinstance(data[mime], str) else "".join(data[mime])
                    names.add(hashlib.sha256(base64.b64decode(raw)).hexdigest() + ext)
                    break
    return names


class Built:
    def __init__(self, root: Path, out: Path, log: str, slug: str):
        self.root, self.out, self.log = root, out, log
        self.pdf = out / "pdf" / f"{slug}.pdf"
        self.epub = out / "epub" / f"{slug}.epub"
        self.html = out / "html"


def _build(tmp_path_factory, name: str, slug: str, *args: str, timeout: int = 1500) -> Built:
    root = tmp_path_factory.mktemp(name) / name
    shutil.copytree(ROOTS / f"test-{name}", root)
    proc = run_press("build", *args, cwd=root, timeout=timeout)
    built = Built(root, root / "_build", proc.stdout + proc.stderr, slug)
    built.returncode = proc.returncode  # type: ignore[attr-defined]
    return built


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Built:
    built = _build(tmp_path_factory, "jupyterbook", "notes")
    assert built.returncode == 0, built.log  # strict: not one warning
    return built


def test_book_builds_strictly_in_three_formats(book):
    assert book.pdf.is_file() and book.epub.is_file() and (book.html / "intro.html").is_file()
    assert "WARNING" not in book.log and "ERROR" not in book.log
    assert not (book.html / "orphan-page.html").exists()  # only_build_toc_files
    assert not (book.html / "drafts").exists()  # exclude_patterns


def test_book_epubcheck_passes(book, tmp_path):
    messages = epubcheck_messages(book.epub, tmp_path)
    assert messages == [], format_messages(messages)


def test_notebook_images_in_every_format(book):
    expected = _notebook_images(book.root / "chapters" / "outputs.ipynb")
    assert expected
    assert expected <= {p.name for p in (book.html / "_images").iterdir()}
    with zipfile.ZipFile(book.epub) as z:
        assert expected <= {Path(n).name for n in z.namelist()}
    typ = (book.out / "pdf" / "notes.typ").read_text(encoding="utf-8")
    assert all(name in typ for name in expected)
    reader = pypdf.PdfReader(book.pdf)
    assert sum(len(page.images) for page in reader.pages) >= len(expected)


def _pdf_text(path: Path) -> str:
    return " ".join((page.extract_text() or "") for page in pypdf.PdfReader(path).pages)


def _epub_text(path: Path, name: str) -> str:
    with zipfile.ZipFile(path) as z:
        return re.sub(r"<[^>]+>", " ", z.read(name).decode())


def test_outputs_in_print_and_epub(book):
    pdf = " ".join(_pdf_text(book.pdf).split())
    epub = " ".join(_epub_text(book.epub, "chapters/outputs.xhtml").split())
    for text in (pdf, epub):
        assert "Barn owl" in text and "Kestrel" in text  # the pandas table, as a table
        assert "ZeroDivisionError" in text  # the error output
        assert "The widest wingspan is 95 cm" in text  # glue
        assert "This output is interactive: it is shown in the web book." in text  # JavaScript output
        assert "red and plain" in text and "\x1b" not in text  # the stream, without its colour codes
    with zipfile.ZipFile(book.epub) as z:
        page = z.read("chapters/outputs.xhtml").decode()
    assert page.count("<table") == 2 and "<script" not in page  # output table and glued table
    assert re.search(r"<img alt=\"[^\"]+\"", page)  # output images have alternative text
    typ = (book.out / "pdf" / "notes.typ").read_text(encoding="utf-8")
    assert typ.count("#press-table(") == 2 and "Barn owl" in typ
    web = (book.html / "chapters" / "outputs.html").read_text(encoding="utf-8")
    assert "This output is interactive: its scripts are not run in this book." in web  # press_raw_html: sanitize
    assert "console.log" not in web and web.count('class="press-notebook-table') == 2  # the same tables


def test_extensions_in_print(book):
    pdf = " ".join(_pdf_text(book.pdf).split())
    for text in ("Theorem 1 (Pythagoras)", "Algorithm 1 (Doubling)", "Proof. Arrange four copies", "Exercise 1",
                 "Solution to Exercise 1", "Hidden until the reader asks", "Folded content", "Python", "Shell",
                 "The code on this page can be run in the web book."):
        assert text in pdf, text
    typ = (book.out / "pdf" / "notes.typ").read_text(encoding="utf-8")
    assert re.search(r'#press-image\("/(images/)?graphviz-[0-9a-f]+\.svg"', typ)  # a drawing, not its source
    assert "digraph" not in typ


def test_extensions_in_the_web_book_and_epub(book):
    proofs = (book.html / "extensions" / "proofs.html").read_text(encoding="utf-8")
    assert "Theorem 1" in proofs and "Exercise 1" in proofs
    widgets = (book.html / "extensions" / "widgets.html").read_text(encoding="utf-8")
    assert "toggle" in widgets and "tab-set" in widgets and "thebe" in widgets
    assert any((book.html / "_static").glob("copybutton*"))  # sphinx-copybutton: web book only
    with zipfile.ZipFile(book.epub) as z:
        widgets_epub = z.read("extensions/widgets.xhtml").decode()
        diagram = z.read("extensions/diagrams.xhtml").decode()
    assert "<script" not in widgets_epub and "The code on this page can be run in the web book." in widgets_epub
    assert re.search(r"graphviz-[0-9a-f]+\.svg", diagram)


def test_pdf_parts_are_the_toc_captions(book):
    captions = [p["caption"] for p in yaml.safe_load((book.root / "_toc.yml").read_text())["parts"]]
    top = [item.title for item in pypdf.PdfReader(book.pdf).outline if not isinstance(item, list)]
    assert [t for t in top if t in captions] == captions, top


@pytest.mark.book
def test_rebuild_keeps_notebook_images(book):
    """The outputs live with the doctrees: a build that reads nothing still has them."""
    proc = run_press("build", "html", cwd=book.root, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    expected = _notebook_images(book.root / "chapters" / "outputs.ipynb")
    assert expected <= {p.name for p in (book.html / "_images").iterdir()}


@pytest.mark.book
def test_myst_nb_before_press_in_a_sphinx_project(tmp_path):
    """``extensions = ["myst_nb", "press"]`` and conf.py beside the pages (no --source)."""
    (tmp_path / "conf.py").write_text('project = "Order"\nextensions = ["myst_nb", "press"]\n'
                                      'exclude_patterns = ["_build"]\n')
    (tmp_path / "index.md").write_text("# Order\n\n```{toctree}\nnb\n```\n")
    shutil.copy(ROOTS / "test-jupyterbook" / "chapters" / "outputs.ipynb", tmp_path / "nb.ipynb")
    proc = run_press("build", "html", cwd=tmp_path, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Barn owl" in (tmp_path / "_build" / "html" / "nb.html").read_text(encoding="utf-8")


# ---- the corpus: Physics-based Deep Learning ---------------------------------------------

#: Messages that are the book's own doing, and why (everything else fails the test):
#: - press.image_alt: the authors' figures (``resources/*``, Markdown ``![](…)`` and
#:   ``{figure}`` without ``:alt:``) carry no alternative text, which an EPUB needs.
BOOK_OWN = {"press.image_alt": re.compile(r"image 'resources/[^']+' has no alternative text")}


@pytest.fixture(scope="module")
def pbdl(tmp_path_factory) -> Built:
    built = _build(tmp_path_factory, "corpus-jb1-pbdl", "book", "--no-strict")
    assert built.returncode == 0, built.log[-5000:]
    return built


@pytest.mark.book
def test_pbdl_builds_with_only_the_books_own_warnings(pbdl):
    messages = [line for line in pbdl.log.splitlines() if re.search(r"(WARNING|ERROR):", line)]
    unexpected = []
    for line in messages:
        kind = re.search(r"\[([\w.]+)\]$", line)
        pattern = BOOK_OWN.get(kind.group(1)) if kind else None
        if pattern is None or not pattern.search(line):
            unexpected.append(line)
    assert unexpected == [], "\n".join(unexpected)
    # sphinx-proof's domain gets a merge of nothing (press.adapters.merge_nothing): the book is
    # read with the cores, not in one process
    if len(os.sched_getaffinity(0)) > 1:
        assert re.search(r"reading 44 of 44 pages with [2-9] processes", pbdl.log), pbdl.log[:3000]


@pytest.mark.book
def test_pbdl_epubcheck_passes(pbdl, tmp_path):
    messages = epubcheck_messages(pbdl.epub, tmp_path)
    assert messages == [], format_messages(messages)


@pytest.mark.book
def test_pbdl_notebook_images_in_every_format(pbdl):
    toc = (pbdl.root / "_toc.yml").read_text(encoding="utf-8")
    expected = set()
    for name in re.findall(r"file: (\S+\.ipynb)", toc):
        expected |= _notebook_images(pbdl.root / name)
    assert len(expected) > 30
    assert expected <= {p.name for p in (pbdl.html / "_images").iterdir()}
    with zipfile.ZipFile(pbdl.epub) as z:
        assert expected <= {Path(n).name for n in z.namelist()}
    typ = (pbdl.out / "pdf" / "book.typ").read_text(encoding="utf-8")
    missing = sorted(n for n in expected if n not in typ)
    assert missing == []


@pytest.mark.book
def test_pbdl_pdf_parts_are_the_toc_captions(pbdl):
    captions = [p["caption"] for p in yaml.safe_load((pbdl.root / "_toc.yml").read_text())["parts"]]
    top = [item.title for item in pypdf.PdfReader(pbdl.pdf).outline if not isinstance(item, list)]
    assert [t for t in top if t in captions] == captions, top


@pytest.mark.book
def test_jb_article_toc_with_sections_and_glob(tmp_path):
    """Another _toc.yml format (sphinx-external-toc's jb-article, glob) builds as well."""
    (tmp_path / "_config.yml").write_text("title: Article\n")
    (tmp_path / "_toc.yml").write_text("format: jb-article\nroot: main\nsections:\n- file: a\n- glob: notes/*\n")
    (tmp_path / "main.md").write_text("# Article\n\nThe root.\n")
    (tmp_path / "a.md").write_text("# Part A\n\nText.\n")
    (tmp_path / "notes").mkdir()
    for n in (1, 2):
        (tmp_path / "notes" / f"n{n}.md").write_text(f"# Note {n}\n\nA note.\n")
    proc = run_press("build", "html", cwd=tmp_path, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    main = (tmp_path / "_build" / "html" / "main.html").read_text(encoding="utf-8")
    assert "notes/n2.html" in main and "a.html" in main


def test_math_with_a_subscript_and_no_base_compiles():
    """pbdl writes `$_{\\mathbf{x}}$`: Typst needs a base (tex2typst gave `#none_upright(...)`)."""
    import typst

    from press.typst.math import to_typst

    formulas = [to_typst(r"_{\mathbf{x}}"), to_typst("^2")]
    assert all(f.startswith('""') for f in formulas), formulas
    source = "\n".join(f"${f}$" for f in formulas)
    typst.compile(source.encode())


TEXT_NOTEBOOK = """---
jupytext:
  text_representation:
    format_name: myst
kernelspec:
  display_name: {name}
  language: python
  name: {name}
---

# {title}

```{{code-cell}} python
print(6 * 7)
```
"""


@pytest.mark.book
def test_execution_when_the_book_asks_and_a_missing_kernel(tmp_path):
    """execute_notebooks: cache runs the notebooks through jupyter-cache (kept in
    _build/.press/jupyter_cache); a kernel that is not installed is one error naming it."""
    (tmp_path / "_config.yml").write_text("title: Run\nexecute:\n  execute_notebooks: cache\n")
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n- file: run\n- file: ghost\n")
    (tmp_path / "intro.md").write_text("# Intro\n")
    (tmp_path / "run.md").write_text(TEXT_NOTEBOOK.format(name="python3", title="Run"))
    (tmp_path / "ghost.md").write_text(TEXT_NOTEBOOK.format(name="ghostkernel", title="Ghost"))
    proc = run_press("build", "html", cwd=tmp_path, timeout=600)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 1, log
    errors = [line for line in log.splitlines() if "ERROR:" in line]
    assert len(errors) == 1 and "ghost.md:1:" in errors[0] and "'ghostkernel' is not installed" in errors[0], log
    assert "Traceback" not in log and "Sphinx error" not in log
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n- file: run\n")
    (tmp_path / "ghost.md").unlink()
    proc = run_press("build", "html", cwd=tmp_path, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "42" in (tmp_path / "_build" / "html" / "run.html").read_text(encoding="utf-8")
    assert (tmp_path / "_build" / ".press" / "jupyter_cache").is_dir()


# ---- a second real tree: MyST-NB's own test notebooks (glue, pandas, widgets) ------------

@pytest.fixture(scope="module")
def mystnb(tmp_path_factory) -> Built:
    built = _build(tmp_path_factory, "corpus-mystnb-notebooks", "myst-nb-test-notebooks")
    assert built.returncode == 0, built.log  # strict
    return built


@pytest.mark.book
def test_mystnb_notebooks_build_strictly(mystnb):
    assert mystnb.pdf.is_file() and mystnb.epub.is_file() and (mystnb.html / "with_glue.html").is_file()
    assert "WARNING" not in mystnb.log and "ERROR" not in mystnb.log


@pytest.mark.book
def test_mystnb_notebooks_epubcheck_passes(mystnb, tmp_path):
    messages = epubcheck_messages(mystnb.epub, tmp_path)
    assert messages == [], format_messages(messages)


@pytest.mark.book
def test_mystnb_glue_tables_and_images_in_every_format(mystnb):
    expected = set()
    for name in ("complex_outputs.ipynb", "with_glue.ipynb", "ipywidgets.ipynb"):
        expected |= _notebook_images(mystnb.root / name)
    assert expected <= {p.name for p in (mystnb.html / "_images").iterdir()}
    with zipfile.ZipFile(mystnb.epub) as z:
        assert expected <= {Path(n).name for n in z.namelist()}
        glue = z.read("with_glue.xhtml").decode()
    typ = (mystnb.out / "pdf" / "myst-nb-test-notebooks.typ").read_text(encoding="utf-8")
    assert all(name in typ for name in expected)
    pdf = " ".join(_pdf_text(mystnb.pdf).split())
    for text in ("and text1 inline", "and formatted 3.14", "header"):  # glued text, a format spec, a glued table
        assert text in pdf and text in " ".join(re.sub(r"<[^>]+>", " ", glue).split()), text
    assert typ.count("#press-table(") >= 3  # pandas tables as tables, not HTML
    assert "<table" in glue and "<script" not in glue


@pytest.mark.book
def test_unknown_keys_fail_a_strict_build_at_their_line(tmp_path):
    (tmp_path / "_config.yml").write_text("title: T\ntitel: T\nsphinx:\n  config:\n    html_theme_optoins: {}\n")
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: intro\n")
    (tmp_path / "intro.md").write_text("# Intro\n\nText.\n")
    proc = run_press("build", "html", cwd=tmp_path, timeout=600)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 1, log
    assert f"{tmp_path / '_config.yml'}:2: ERROR: unknown Jupyter Book setting 'titel'" in log
    assert "did you mean 'title'" in log
    assert f"{tmp_path / '_config.yml'}:5: ERROR: sphinx.config.html_theme_optoins" in log
    assert "did you mean 'html_theme_options'" in log
    assert "Traceback" not in log


@pytest.mark.book
def test_one_page_without_a_toctree_builds_every_format(tmp_path):
    """The issue's crash: a one-page project with no toctree (conf.py beside it, no --source)."""
    (tmp_path / "conf.py").write_text('project = "One"\nextensions = ["press"]\nexclude_patterns = ["_build"]\n')
    (tmp_path / "index.md").write_text("# One page\n\nAll there is.\n")
    proc = run_press("build", cwd=tmp_path, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (tmp_path / "_build" / "html" / "index.html").is_file()
    assert (tmp_path / "_build" / "pdf" / "one.pdf").is_file() and (tmp_path / "_build" / "epub" / "one.epub").is_file()


@pytest.mark.book
def test_a_page_with_a_warning_is_read_once_per_build(tmp_path):
    """Issue 19: pages with warnings were read again for each format (each message three
    times); they are read again by the next build, so the message is not lost either."""
    (tmp_path / "conf.py").write_text('project = "RW"\nextensions = ["press"]\nexclude_patterns = ["_build"]\n')
    (tmp_path / "index.md").write_text("# Home\n\nSee {nosuchrole}`x`.\n")
    for _ in range(2):
        proc = run_press("build", "--no-strict", cwd=tmp_path, timeout=600)
        log = proc.stdout + proc.stderr
        assert proc.returncode == 0, log
        assert log.count("nosuchrole") == 1, log
