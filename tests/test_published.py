"""A page exactly in the published form builds; only its mojibake is reported."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup


@pytest.fixture(scope="module")
def built(build_root):
    return build_root("published", "html")


def test_only_the_mojibake_is_reported(built):
    warnings = [w for w in built.warnings.splitlines() if "WARNING" in w]
    assert len(warnings) == 1, warnings
    assert re.search(
        r"section/reading-diffs\.md:16: WARNING: mojibake \(UTF-8 read as cp1252\) in '.*'; "
        r"repaired text: '.*The reviewer’s job is to read it\.' \[press\.mojibake\]",
        warnings[0],
    )


def test_page_reads_as_published(built):
    soup = BeautifulSoup(built.read("section/reading-diffs.html"), "lxml")
    article = soup.select_one("article")
    h1s = article.find_all("h1")
    assert [h.get_text(strip=True).rstrip("#") for h in h1s] == ["Reading Diffs Before Merging"]
    assert [h.get_text(strip=True).rstrip("#") for h in article.find_all("h2")] == ["First section", "Second section"]
    text = article.get_text()
    assert "The reviewer’s job" in text and "â€" not in text
    assert "Opening paragraph – the body" in text  # -- became an en dash
    assert "says — a diff" in text  # --- became an em dash
    hrefs = {a.get_text(): a["href"] for a in article.select("a.reference")}
    assert hrefs["Verification"] == "verification.html#tests-first"
    assert hrefs["index"] == "index.html"
    assert hrefs["the top"] == "#first-section"
