"""Extension metadata and the validated press configuration."""

from __future__ import annotations

import shutil
from io import StringIO

import pytest
from sphinx.errors import ConfigError
from sphinx.testing.util import SphinxTestApp

import press
from conftest import ROOTS


def test_setup_metadata(build_root):
    built = build_root("book", "html")
    ext = built.app.extensions["press"]
    assert ext.version == press.__version__
    assert ext.metadata["env_version"] == press.ENV_VERSION
    assert ext.parallel_read_safe is True
    assert ext.parallel_write_safe is True
    for name in press.SUBMODULES:
        sub = built.app.extensions[f"press.{name}"]
        assert sub.parallel_read_safe and sub.parallel_write_safe, name
    for seed in ("myst_parser", "sphinx_design", "sphinxcontrib.bibtex"):
        assert seed in built.app.extensions


def test_setup_docstring_lists_what_it_registers():
    for name in press.SUBMODULES:
        assert f"press.{name}" in press.__doc__


def test_every_press_node_has_html_and_typst_visitors(build_root):
    built = build_root("book", "html")
    from press import pagemeta

    handlers = built.app.registry.translation_handlers
    # The EPUB builder's format is "html", so the html visitor serves it too.
    assert built.app.registry.builders["epub"].format == "html"
    assert handlers["html"]["page_meta"][0] is pagemeta.visit_html
    assert handlers["typst"]["page_meta"][0] is pagemeta.visit_typst


def test_derived_settings(build_root):
    built = build_root("book", "html")
    cfg = built.app.config
    assert cfg._press.slug == "test-book"
    assert cfg._press.authors == ["Tess Author"]
    assert cfg.epub_basename == "test-book"
    assert cfg.myst_title_to_header is True


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"press_pdf_papr": "a4"}, "unknown press setting(s) in conf.py: press_pdf_papr"),
        ({"press_pdf_paper": "a5"}, "press_pdf_paper must be one of ['a4', 'us-letter', '6x9']"),
        ({"press_authors": "Jane"}, "press_authors must be a list of str"),
        ({"press_slug": 3}, "press_slug must be str"),
    ],
)
def test_invalid_config_is_an_error(tmp_path, overrides, message):
    src = tmp_path / "src"
    shutil.copytree(ROOTS / "test-published", src)
    conf = src / "conf.py"
    conf.write_text(conf.read_text() + "".join(f"\n{k} = {v!r}" for k, v in overrides.items()))
    with pytest.raises(ConfigError) as info:
        SphinxTestApp("html", srcdir=src, status=StringIO(), warning=StringIO())
    assert message in str(info.value)
