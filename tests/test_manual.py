"""The manual (docs/, a press book) and its generated reference are complete.

Every ``press_*`` setting, front matter key, command, option and ``press.*`` warning subtype is
in the reference; every warning subtype has an example message and a fix
(press/warning_docs.py: a new ``PressWarning`` member without an entry fails here); and the
built web book of the manual shows all of them.
"""

from __future__ import annotations

import argparse
import dataclasses

import pytest
from bs4 import BeautifulSoup

from conftest import REPO, run_press
from press import cli, manual
from press.config import PressConfig
from press.frontmatter import OWN_KEYS
from press.warning_docs import EXAMPLES
from press.warnings_ import PressWarning

DOCS = REPO / "docs"


def _options() -> dict[str, list[str]]:
    """Every option string (and positional) of every press command, from the parser itself."""
    parser = cli.parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    found = {}
    for name, command in sub.choices.items():
        found[name] = [flag for a in command._actions if not isinstance(a, argparse._HelpAction)
                       for flag in (a.option_strings or [a.metavar or a.dest])]
    return found


def test_every_setting_has_type_default_and_doc():
    rows = {r["name"]: r for r in manual.settings()}
    for f in dataclasses.fields(PressConfig):
        row = rows.get(f"press_{f.name}")
        assert row is not None, f.name
        assert row["type"] and row["default"] and len(row["doc"]) > 10, row


def test_every_command_and_option_is_in_the_reference():
    listed = {c["name"]: " ".join(o["flags"] for o in c["options"]) for c in manual.commands()}
    for command, flags in _options().items():
        assert command in listed, command
        for flag in flags:
            assert flag in listed[command], (command, flag)


@pytest.mark.parametrize("member", list(PressWarning), ids=lambda m: m.value)
def test_every_warning_subtype_has_a_doc_an_example_and_a_fix(member):
    """A new PressWarning member needs an entry in press/warning_docs.py: ``subtype: (example, fix)``."""
    assert member.value in EXAMPLES, f"add {member.value!r} to press/warning_docs.py EXAMPLES"
    example, fix = EXAMPLES[member.value]
    assert example.endswith(f"[press.{member.value}]") and "ERROR:" in example, example
    assert len(fix) > 20, fix
    row = next(r for r in manual.warnings() if r["subtype"] == f"press.{member.value}")
    assert len(row["doc"]) > 10, f"give PressWarning.{member.name} a docstring"


def test_no_example_for_a_subtype_that_does_not_exist():
    assert set(EXAMPLES) <= {m.value for m in PressWarning}


def test_every_front_matter_key_is_documented():
    assert set(OWN_KEYS) == set(manual.FRONTMATTER)


def test_the_reference_pages_use_the_generated_lists():
    pages = {p.stem: p.read_text(encoding="utf-8") for p in (DOCS / "source" / "reference").glob("*.md")}
    for page, directive in (("settings", "press-settings"), ("front-matter", "press-frontmatter"),
                            ("cli", "press-cli"), ("warnings", "press-warnings")):
        assert f"{{{directive}}}" in pages[page], page


def test_manual_has_the_four_parts():
    source = DOCS / "source"
    for page in ("tutorial/first-book", "how-to/publishing", "how-to/pdf-design", "how-to/three-formats",
                 "how-to/notebooks", "how-to/jupyter-book", "explanation/architecture",
                 "explanation/reproducibility", "explanation/threat-model"):
        assert (source / f"{page}.md").is_file(), page


@pytest.mark.book
def test_manual_builds_strictly_and_its_reference_shows_everything(tmp_path):
    out = tmp_path / "out"
    proc = run_press("build", "html", "--conf", str(DOCS), "--source", str(DOCS / "source"), "--out", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "WARNING" not in proc.stderr and "ERROR" not in proc.stderr, proc.stderr

    def text(page: str) -> str:
        html = (out / "html" / "reference" / f"{page}.html").read_text(encoding="utf-8")
        return BeautifulSoup(html, "html.parser").select_one("article").get_text(" ")

    settings = text("settings")
    for f in dataclasses.fields(PressConfig):
        assert f"press_{f.name}" in settings, f.name
    commands = text("cli")
    for command, flags in _options().items():
        assert f"press {command}" in commands, command
        for flag in flags:
            assert flag in commands, (command, flag)
    warnings = text("warnings")
    for member in PressWarning:
        assert f"press.{member.value}" in warnings and EXAMPLES[member.value][0][:40] in warnings, member
    front = text("front-matter")
    for key in OWN_KEYS:
        assert key in front
