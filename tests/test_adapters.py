"""Other packages' internals: only in press/adapters.py, and still the shape we rely on.

Two kinds of test:

* a grep over ``press/``: a private attribute of another object (``x._name``, not
  ``self._name``) or one of the listed internals anywhere but :mod:`press.adapters` fails,
  naming the file and line — put it behind an adapter, with a docstring saying why;
* one test per adapter that fails loudly when Sphinx or sphinx-sitemap changes what the
  adapter reads (an attribute renamed, a signature changed).

Unit tests: an application is constructed (config, extensions, builder) but nothing is built.
"""

from __future__ import annotations

import inspect
import re
import shutil
from io import StringIO
from pathlib import Path

import pytest
from sphinx.config import Config
from sphinx.testing.util import SphinxTestApp

from conftest import ROOTS
from press import adapters

PRESS = Path(__file__).resolve().parents[1] / "press"
#: a private attribute reached through another object than ``self``/``cls``
FOREIGN_PRIVATE = re.compile(r"(?<![\w.])(?!self\b|cls\b)[A-Za-z_]\w*(?:\.\w+)*\.(_[a-z]\w*)")
#: internals that are no private attribute by name but are used the same way
NAMED = re.compile(r"\b(sitemap_links|handle_exception|events\.listeners|_raw_config|_fail_on_warnings)\b")
#: private names of the standard library, allowed everywhere
ALLOWED = {"_exit"}  # os._exit: the forked web book's process ends without the parent's exit handlers


def foreign_internals() -> list[str]:
    found = []
    for path in sorted(PRESS.rglob("*.py")):
        if path.name == "adapters.py" or "template" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            names = {m.group(1) for m in FOREIGN_PRIVATE.finditer(code)} - ALLOWED
            names |= {m.group(1) for m in NAMED.finditer(code)}
            if names and not code.lstrip().startswith(('"', "'", "``")):
                found.append(f"{path.relative_to(PRESS.parent)}:{number}: {', '.join(sorted(names))}")
    return found


def test_foreign_internals_only_in_the_adapter_module():
    assert foreign_internals() == []


def test_the_grep_finds_a_foreign_internal(tmp_path):
    assert FOREIGN_PRIVATE.search("x = app.env._app.builder")
    assert not FOREIGN_PRIVATE.search("self._defer_labels(node)")
    assert NAMED.search('links = getattr(app, "sitemap_links", None)')


def test_every_internal_is_listed():
    for internal in ("_raw_config", "_press", "env._app", "_fail_on_warnings", "events.listeners",
                     "sitemap_links", "handle_exception"):
        assert internal in adapters.INTERNALS


# ---- the upstream shapes the adapters rely on -------------------------------------------------

def test_config_keeps_what_conf_py_set():
    config = Config({"project": "P", "numfig": False}, {"html_theme": "x"})
    assert isinstance(config._raw_config, dict), "Sphinx's Config no longer keeps conf.py's namespace"
    assert adapters.set_in_conf(config, "numfig") and not adapters.set_in_conf(config, "html_theme")
    assert adapters.conf_value(config, "project") == "P" and adapters.conf_value(config, "nope", 1) == 1
    assert {"project", "numfig"} <= set(adapters.conf_names(config))


@pytest.fixture(scope="module")
def unbuilt(tmp_path_factory):
    """An application of the small test book, constructed (extensions, config, builder), not built."""
    src = tmp_path_factory.mktemp("adapters") / "src"
    shutil.copytree(ROOTS / "test-book", src)
    made = SphinxTestApp("epub", srcdir=src, status=StringIO(), warning=StringIO(), warningiserror=True)
    yield made
    made.cleanup()


def test_the_environment_knows_its_application(unbuilt):
    app = unbuilt
    assert app.env._app is app, "BuildEnvironment._app is gone: find the builder another way"
    assert adapters.builder_of(app.env) is app.builder


def test_the_application_knows_whether_warnings_fail(unbuilt):
    app = unbuilt
    assert "_fail_on_warnings" in vars(app), "Sphinx._fail_on_warnings is gone"
    assert adapters.fails_on_warnings(app) is True


def test_listeners_are_listed_with_ids_and_handlers(unbuilt):
    app = unbuilt
    from sphinx.builders import epub3

    listeners = app.events.listeners
    assert isinstance(listeners, dict) and all(hasattr(x, "id") and hasattr(x, "handler")
                                               for xs in listeners.values() for x in xs)
    # press.epub disconnected Sphinx's epub3 checks through the adapter
    assert not any(x.handler is epub3.validate_config_values for x in listeners.get("builder-inited", []))


def test_press_settings_travel_with_the_config(unbuilt):
    assert adapters.press_settings(unbuilt.config).slug == "test-book"


def test_sitemap_handler_and_queue():
    import sphinx_sitemap

    params = list(inspect.signature(sphinx_sitemap.add_html_link).parameters)
    assert params == ["app", "pagename", "templatename", "context", "doctree"], params
    assert "sitemap_links" in inspect.getsource(sphinx_sitemap), "sphinx-sitemap renamed its queue"


def test_handle_exception_reads_three_options():
    from sphinx.cmd.build import handle_exception

    params = list(inspect.signature(handle_exception).parameters)
    assert params[:3] == ["app", "args", "exception"], params
    read = set(re.findall(r"args\.(\w+)", inspect.getsource(handle_exception)))
    assert read <= {"pdb", "verbosity", "traceback"}, read
    stream = StringIO()
    try:
        raise RuntimeError("boom")
    except RuntimeError as exc:
        adapters.report_crash(None, exc, stream)
    assert "boom" in stream.getvalue()


def test_argparse_keeps_its_arguments_and_subcommand_helps():
    """press/manual.py's command reference reads argparse's parser through these two adapters."""
    import argparse

    parser = argparse.ArgumentParser(prog="x")
    parser.add_argument("--flag", help="a flag")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("go", help="go somewhere")
    assert "--flag" in [f for a in adapters.parser_actions(parser) for f in a.option_strings]
    action = next(a for a in adapters.parser_actions(parser) if isinstance(a, argparse._SubParsersAction))
    assert adapters.subcommand_helps(action) == {"go": "go somewhere"}


def test_a_collectors_method_is_disconnected_by_its_class(unbuilt):
    """press.numbering switches Sphinx's renumbering off for an application that reads no page."""
    from sphinx.environment.collectors.toctree import TocTreeCollector

    app = unbuilt

    def collectors() -> list:
        return [x for x in app.events.listeners.get("env-get-updated", [])
                if isinstance(getattr(x.handler, "__self__", None), TocTreeCollector)]

    assert len(collectors()) == 1, "Sphinx's toctree collector no longer renumbers on env-get-updated"
    listener = collectors()[0]
    assert adapters.disconnect_methods(app, "env-get-updated", TocTreeCollector) == 1
    assert collectors() == []
    app.events.listeners["env-get-updated"].append(listener)  # the module's app: put it back


def test_the_web_books_process_is_forked_with_the_books_extensions_imported(tmp_path):
    """press.engine.processes reads conf.py's ``extensions`` as Sphinx reads them
    (``Config.read``) to import them before the web book's process is forked, and imports the
    modules an extension's ``setup`` imports itself (:data:`LAZY`): both break silently (only
    slower) if upstream renames them, so they are checked here."""
    import importlib

    from press.engine import processes

    (tmp_path / "conf.py").write_text("extensions = ['myst_nb', 'sphinx_design']\nproject = 'x'\n", encoding="utf-8")
    assert processes._extensions(tmp_path) == ["myst_nb", "sphinx_design"]
    assert processes._extensions(tmp_path / "missing") == []
    for modules in processes.LAZY.values():
        for name in modules:
            importlib.import_module(name)


def test_the_parallel_read_is_decided_where_press_sets_it():
    """press.adapters.set_parallel changes ``Sphinx.parallel`` between ``env-before-read-docs``
    and ``env-updated``: Sphinx must still decide on forked readers after that event (in
    ``Builder.read``) and on forked writers after reading (in ``Builder.build``), from
    ``Sphinx.parallel``, and ask each extension's ``parallel_read_safe``."""
    from sphinx.application import Sphinx
    from sphinx.builders import Builder

    read = inspect.getsource(Builder.read)
    assert read.index("'env-before-read-docs'") < read.index("_app.parallel > 1") < read.index("_read_parallel")
    build = inspect.getsource(Builder.build)
    assert build.index("self.read()") < build.index("_app.parallel > 1")
    assert "parallel_read_safe" in inspect.getsource(Sphinx.is_parallel_allowed)


def test_extensions_press_vouches_for_still_do_not_declare_and_read_no_page():
    """press.engine.sphinx_run.READ_SAFE: sphinx-multitoc-numbering declares nothing about
    parallel reading (press sets it) and only replaces the toctree collector's section
    numbering, which Sphinx runs in the main process after the readers are merged.  If it
    starts declaring, or connects to a read-time event, this fails and the entry is revisited."""
    import sphinx_multitoc_numbering

    from press.engine.sphinx_run import READ_SAFE

    assert set(READ_SAFE) == {"sphinx_multitoc_numbering"}
    source = inspect.getsource(sphinx_multitoc_numbering.setup)
    assert "parallel_read_safe" not in source and "return" not in source
    assert re.findall(r'connect\("([^"]+)"', source) == ["builder-inited"]
    assert "TocTreeCollector.assign_section_numbers = assign_section_numbers" in source


def test_a_domain_that_cannot_merge_keeps_the_read_in_one_process(tmp_path):
    """press.adapters.domains_merge: sphinx-proof declares itself safe for parallel reading
    but its domain does not merge the readers' data (Sphinx's default raises: a crash report
    and a hung reader, seen on the pbdl book); Sphinx's own domains do."""
    import io

    from sphinx.application import Sphinx
    from sphinx.util.docutils import docutils_namespace

    from press import adapters

    for name, extensions, merges in (("plain", [], True), ("proof", ["sphinx_proof"], False)):
        root = tmp_path / name
        root.mkdir()
        (root / "conf.py").write_text(f"extensions = {extensions!r}\n", encoding="utf-8")
        (root / "index.rst").write_text("T\n=\n", encoding="utf-8")
        with docutils_namespace():
            app = Sphinx(str(root), str(root), str(root / "out"), str(root / "dt"), "html", status=io.StringIO(),
                         warning=io.StringIO())
            assert adapters.domains_merge(app) is merges, name
            if not merges:  # press.engine.sphinx_run.MERGE_NOTHING: a merge of nothing, set on the domain
                from press.engine.sphinx_run import MERGE_NOTHING

                adapters.merge_nothing(app, MERGE_NOTHING)
                assert adapters.domains_merge(app), name
                domain = app.env.domains.get("prf")
                domain.merge_domaindata(["index"], {"version": domain.data_version})
                with pytest.raises(NotImplementedError):  # data it did not expect is never dropped
                    domain.merge_domaindata(["index"], {"version": domain.data_version, "objects": {}})


def test_domains_press_merges_nothing_for_still_hold_nothing():
    """press.engine.sphinx_run.MERGE_NOTHING: sphinx-proof's domain keeps no data of its own
    (its proofs are ``env.proof_list``, merged by its ``env-merge-info`` handler), so a merge
    of nothing is right.  If it starts to hold data or to merge, this fails and the entry goes."""
    import sphinx_proof
    from sphinx.domains import Domain
    from sphinx_proof.domain import ProofDomain

    from press.engine.sphinx_run import MERGE_NOTHING

    assert set(MERGE_NOTHING) == {ProofDomain.name}
    assert not ProofDomain.initial_data and ProofDomain.merge_domaindata is Domain.merge_domaindata
    source = inspect.getsource(sphinx_proof.setup)
    assert 'app.connect("env-merge-info", merge_proofs)' in source
    assert "proof_list" in inspect.getsource(sphinx_proof.merge_proofs)
    assert "self.data" not in inspect.getsource(sphinx_proof.domain)


def test_a_proof_label_used_twice_by_pages_read_in_different_processes_is_warned(monkeypatch):
    """press.ecosystem._proof_labels_merged: sphinx-proof compares a label with those read so
    far; pages read by two processes (press.adapters.merge_nothing lets a book with
    sphinx-proof be read with the cores) are compared as each reader's labels are merged."""
    from types import SimpleNamespace

    from press import ecosystem

    said = []
    monkeypatch.setattr(ecosystem, "warn", lambda kind, message, location=None: said.append((kind.value, message, location)))
    env = SimpleNamespace(proof_list={"pyth": {"docname": "a", "realtype": "theorem"},
                                      "kept": {"docname": "c", "realtype": "lemma"}},
                          doc2path=lambda d: f"/book/{d}.md")
    other = SimpleNamespace(proof_list={"pyth": {"docname": "b", "realtype": "theorem"},  # read by this reader
                                        "kept": {"docname": "c", "realtype": "lemma"}})  # known before the fork
    ecosystem._proof_labels_merged(None, env, {"b"}, other)
    assert said == [("reference", "duplicate theorem label 'pyth', other instance in /book/a.md", ("b", None))]


def test_sitemap_queue_made_at_builder_inited_by_a_named_handler():
    # adapters.sitemap_without_manager: sphinx-sitemap's builder-inited handler makes the
    # queue (a Manager's) as app.sitemap_links; a builder that writes no HTML gets a plain one
    import sphinx_sitemap

    source = inspect.getsource(sphinx_sitemap.record_builder_type)
    assert "sitemap_links" in source and "Manager()" in source, "sphinx-sitemap changed how it makes its queue"
    assert "sitemap_links.empty()" in inspect.getsource(sphinx_sitemap.create_sitemap)


def test_a_pdf_or_epub_application_starts_no_sitemap_process(tmp_path):
    import queue

    src = tmp_path / "src"
    shutil.copytree(ROOTS / "test-book", src)
    with (src / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write('\npress_site_url = "https://example.org/book/"\n')
    made = {}
    for builder in ("epub", "html"):
        made[builder] = SphinxTestApp(builder, srcdir=src, builddir=tmp_path / builder, status=StringIO(),
                                      warning=StringIO())
    try:
        assert "sphinx_sitemap" in made["epub"].extensions
        assert type(adapters.sitemap_queue(made["epub"])) is queue.Queue  # (not a Manager's proxy)
        assert type(adapters.sitemap_queue(made["html"])) is not queue.Queue  # the web book keeps its Manager
    finally:
        for app in made.values():
            app.cleanup()
