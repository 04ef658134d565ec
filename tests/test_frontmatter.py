"""Front matter: parsing and validation (table-driven), and what the HTML shows."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from press.frontmatter import parse
from press.warnings_ import PressWarning

GOOD = "---\ntitle: T\ndescription: D\nweight: 3\ntags: [a, b]\ndate: 2026-03-14\nfoo: bar\n---\n\nBody\n"

# (front matter text, expected subtype or None, expected 1-based line of the message)
CASES = [
    (GOOD, None, None),
    ("---\ntitle: T\nweight: [1\n---\n", PressWarning.FRONTMATTER_YAML, 3),
    ("---\ntitle: T\n  bad: indent: here\n---\n", PressWarning.FRONTMATTER_YAML, 3),
    ("---\ndescription: no title\n---\n", PressWarning.FRONTMATTER_FIELD, 1),
    ("---\ntitle: T\nweight: heavy\n---\n", PressWarning.FRONTMATTER_FIELD, 3),
    ("---\ntitle: T\nweight: 2.5\n---\n", PressWarning.FRONTMATTER_FIELD, 3),
    ("---\ntitle: T\nweight: true\n---\n", PressWarning.FRONTMATTER_FIELD, 3),
    ("---\ntitle: T\ntags: review\n---\n", PressWarning.FRONTMATTER_FIELD, 3),
    ("---\ntitle: T\ntags: [a, 3]\n---\n", PressWarning.FRONTMATTER_FIELD, 3),
    ("---\ntitle: T\n\ndate: March 2026\n---\n", PressWarning.FRONTMATTER_FIELD, 4),
    ("---\ntitle: T\ndate: 2026-02-30\n---\n", PressWarning.FRONTMATTER_FIELD, 3),
    ("---\ntitle: T\ndescription: [x]\n---\n", PressWarning.FRONTMATTER_FIELD, 3),
    ("---\ntitle: T\n", PressWarning.FRONTMATTER_YAML, 1),
    # A page without a header, or whose header is MyST's own, is titled by its first heading
    # (this used to be an error: press could not build any other project's pages).
    ("No front matter at all\n", None, None),
    ("---\norphan: true\nmyst:\n  substitutions:\n    x: y\n---\n\n# Heading\n", None, None),
    ("---\nweight: 2\n---\n\n# Heading\n", None, None),
]


@pytest.mark.parametrize(("text", "kind", "line"), CASES)
def test_parse_cases(text, kind, line):
    parsed = parse(text, fallback_title="doc")
    if kind is None:
        assert parsed.problems == []
        return
    assert [(k, ln) for k, _, ln in parsed.problems] == [(kind, line)]


def test_parse_good_values():
    meta = parse(GOOD).meta
    assert meta.title == "T"
    assert meta.description == "D"
    assert meta.weight == 3
    assert meta.tags == ["a", "b"]
    assert meta.date == "2026-03-14"
    assert meta.extra == {"foo": "bar"}


def test_quoted_iso_date_is_accepted():
    meta = parse('---\ntitle: T\ndate: "2026-01-26"\n---\n').meta
    assert meta.date == "2026-01-26"


@pytest.fixture(scope="module")
def book(build_root):
    return build_root("book", "html")


def test_book_builds_without_warnings(book):
    assert book.warnings == ""


def test_metadata_stored_in_env(book):
    meta = book.env.press_pages["beta/links"]
    assert (meta.title, meta.weight, meta.tags, meta.date) == ("Links Page", 1, ["links", "two words"], "2026-03-14")
    assert meta.extra == {"extra_key": "kept"}


def test_title_description_date_tags_in_html(book):
    soup = BeautifulSoup(book.read("beta/links.html"), "lxml")
    article = soup.select_one("article")
    assert article.find("h1").get_text(strip=True).rstrip("#") == "Links Page"
    assert soup.find("meta", attrs={"name": "description"})["content"] == "Every form of site link."
    assert soup.select_one(".press-description").get_text() == "Every form of site link."
    assert soup.select_one("time.press-date")["datetime"] == "2026-03-14"
    assert [li.get_text() for li in soup.select(".press-tag")] == ["links", "two words"]
    assert "<title>Links Page" in book.read("beta/links.html")


def test_dashes_become_typographic(book):
    soup = BeautifulSoup(book.read("beta/links.html"), "lxml")
    assert "Intro paragraph \u2013 with a dash." in soup.get_text()


def test_numbered_figure_and_refs(book):
    soup = BeautifulSoup(book.read("beta/links.html"), "lxml")
    assert "Fig. 1" in soup.select_one("a[href='#fig-dot']").get_text()
    assert soup.select_one("figure img")["alt"] == "A single dot."
