"""The editor's checks (tests/editorial/check_prose.py) on small fixture pages.

The checks that need the fact sheet run with ``make check-prose``; these test the rules that
read only the book: a repeated fact needs its owner and links, glossary coverage, British
spelling, editors' and format-bound wording, one stated view per page.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from conftest import REPO

SPEC = importlib.util.spec_from_file_location("check_prose", REPO / "tests" / "editorial" / "check_prose.py")
check_prose = importlib.util.module_from_spec(SPEC)
sys.modules["check_prose"] = check_prose  # dataclasses look their module up by name
SPEC.loader.exec_module(check_prose)

FRONT = "---\ntitle: \"{t}\"\nweight: 1\n---\n\n"


def book(tmp_path: Path, pages: dict[str, str]) -> tuple[Path, list]:
    src = tmp_path / "source"
    for name, body in pages.items():
        path = src / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(FRONT.format(t=name) + body, encoding="utf-8")
    md = check_prose._parser()
    return src, [check_prose.load(md, p) for p in sorted(src.rglob("*.md"))]


SPECIAL = "Claude 3.7 Sonnet special-cased its way past the tests."
OWNER = "practices/verification.md"


def test_a_fact_on_three_pages_needs_links_to_its_owner(tmp_path):
    src, pages = book(tmp_path, {
        OWNER: f"## What the evidence shows\n\n{SPECIAL}\n",
        "a/one.md": f"{SPECIAL}\n",
        "b/two.md": f"{SPECIAL} See [the evidence](/practices/verification.html#what-the-evidence-shows).\n",
    })
    problems = check_prose.check_facts(pages, src)
    assert len(problems) == 1 and problems[0].startswith("source/a/one.md:6:")
    assert "/practices/verification.html#what-the-evidence-shows" in problems[0]


def test_a_fact_on_two_pages_is_fine_and_the_owner_must_tell_it(tmp_path):
    src, pages = book(tmp_path, {OWNER: "Nothing here.\n", "a/one.md": f"{SPECIAL}\n", "b/two.md": f"{SPECIAL}\n"})
    problems = check_prose.check_facts(pages, src)
    assert any("owner of the fact" in p and "special-casing" in p for p in problems)
    assert not any(p.startswith("source/a/one.md") for p in problems)


def test_glossary_terms_must_be_used_and_technical_terms_defined(tmp_path):
    glossary = ":::{glossary}\nagent\n  A program.\n\nhallucination\n  Unused.\n:::\n"
    src, pages = book(tmp_path, {"glossary.md": glossary,
                                 "a/one.md": "An {term}`agent` calls a hook; the linter runs in CI.\n"})
    problems = check_prose.check_glossary(pages, src)
    assert any("'hallucination' is not used" in p for p in problems)
    for term in ("hook", "linter", "CI"):
        assert any(f"'{term}' is used but not defined" in p for p in problems), term
    assert not any("'agent'" in p for p in problems)


@pytest.mark.parametrize("text, found", [
    ("A randomized trial.", "randomiz"),
    ("We summarize the behavior.", "summariz"),
    ("The stored copy of the post says so.", "editors'"),
    ("The tabs below summarise each stage.", "format-bound"),
    ("It was submitted by user bigwheels.", "Hacker News"),
])
def test_voice_problems(tmp_path, text, found):
    _, pages = book(tmp_path, {"a/one.md": text + "\n"})
    problems = check_prose.check_voice(pages)
    assert problems and found in problems[0]


def test_voice_allows_british_spelling_names_and_one_stated_view(tmp_path):
    _, pages = book(tmp_path, {"a/one.md": "A randomised trial; his \"productivity theater\". In our view, fine.\n"})
    assert check_prose.check_voice(pages) == []
    _, pages = book(tmp_path / "x", {"a/one.md": "In our view, one.\n\nWe think two.\n"})
    assert "2 times" in check_prose.check_voice(pages)[0]
