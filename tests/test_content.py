"""The guide itself: page form, length, sources, spelling (issue: the guide's chapters)."""

from __future__ import annotations

import re
import subprocess
import sys

import ftfy
import pybtex.database
import pytest

from conftest import REPO
from press.frontmatter import body_h1s, parse

SOURCE = REPO / "source"
CHAPTERS = [
    "guide/adoption-curve", "practices/task-scoping", "practices/harness-engineering",
    "practices/verification", "practices/running-agents", "tools/agents-md", "evidence/coding-skills-impact",
    "evidence/practitioner-voices", "debates/vibe-coding", "case-studies/karpathy-notes",
]
SECTIONS = ["guide", "practices", "tools", "evidence", "debates", "case-studies"]
PAGES = sorted(p for p in SOURCE.rglob("*.md") if not any(s.startswith("_") for s in p.relative_to(SOURCE).parts))
CITE = re.compile(r"\{cite(?::\w+)?\}`([^`]+)`")
TERM = re.compile(r"\{term\}`(?:[^`<]*<)?([^`>]+)>?`")
FENCE = re.compile(r"^(`{3,}|~{3,})(.*)$")


def prose_words(text: str) -> int:
    """Words of prose: no front matter, code, directive options, roles' targets or markup."""
    lines = text.split("\n")
    parsed = parse(text)
    lines = lines[parsed.end + 1:]
    out, fence = [], None
    for line in lines:
        m = FENCE.match(line.strip())
        if m:
            if fence is None:
                fence = (m.group(1), m.group(2).strip().startswith("{"))
                continue
            if m.group(1) == fence[0] and not m.group(2).strip():
                fence = None
                continue
        if fence is not None and not fence[1]:
            continue  # inside code
        if re.match(r"^\s*:[\w-]+:", line) or line.strip().startswith(":::"):
            continue  # directive options and colon fences
        out.append(line)
    body = "\n".join(out)
    body = CITE.sub(" ", body)
    body = re.sub(r"\{\w+(?::\w+)?\}`([^`<]*)(?:<[^`]*>)?`", r"\1", body)
    body = re.sub(r"\]\([^)]*\)", "]", body)
    return len(re.findall(r"[A-Za-z][A-Za-z'’-]*", body))


def cited_keys(text: str) -> set[str]:
    return {k.strip() for m in CITE.finditer(text) for k in m.group(1).split(",")}


@pytest.mark.parametrize("doc", CHAPTERS)
def test_chapter_exists_in_published_form(doc):
    text = (SOURCE / f"{doc}.md").read_text(encoding="utf-8")
    parsed = parse(text)
    assert parsed.problems == [] and parsed.meta is not None
    meta = parsed.meta
    assert meta.title and meta.description and meta.weight is not None and meta.tags and meta.date
    assert list(body_h1s(text.split("\n"), parsed.end + 1)) == []


@pytest.mark.parametrize("doc", CHAPTERS)
def test_chapter_length(doc):
    words = prose_words((SOURCE / f"{doc}.md").read_text(encoding="utf-8"))
    assert 1200 <= words <= 3000, f"{doc}: {words} words"


@pytest.mark.parametrize("doc", CHAPTERS)
def test_chapter_cites_five_sources(doc):
    keys = cited_keys((SOURCE / f"{doc}.md").read_text(encoding="utf-8"))
    assert len(keys) >= 5, f"{doc}: {sorted(keys)}"


@pytest.mark.parametrize("section", SECTIONS)
def test_section_index_and_figure(section):
    parsed = parse((SOURCE / section / "index.md").read_text(encoding="utf-8"))
    assert parsed.problems == [] and parsed.meta.weight is not None and parsed.meta.description
    assert "grid-item-card" in (SOURCE / section / "index.md").read_text()
    svgs = list((SOURCE / section).rglob("*.svg"))
    assert svgs, f"{section} has no figure"
    pages = "".join(p.read_text() for p in (SOURCE / section).glob("*.md"))
    for svg in svgs:
        assert f"img/{svg.name}" in pages


def test_every_page_has_front_matter():
    for page in PAGES:
        parsed = parse(page.read_text(encoding="utf-8"))
        assert parsed.problems == [], (page, parsed.problems)


def test_book_frame_pages():
    for name in ("index", "preface", "glossary", "bibliography"):
        assert (SOURCE / f"{name}.md").is_file()
    glossary = (SOURCE / "glossary.md").read_text()
    terms = re.findall(r"^(\S[^\n]*)\n  \S", glossary.split("{glossary}", 1)[1], re.M)
    assert len(terms) >= 20, terms
    used = {t.strip().lower() for p in PAGES if p.name != "glossary.md" for t in TERM.findall(p.read_text())}
    defined = {t.strip().lower() for t in terms}
    assert used <= defined
    for term in ("agent", "harness", "context file", "vibe coding", "reward hacking"):
        assert term in used, term


def test_every_bib_entry_is_cited_and_every_citation_exists():
    ours = set(pybtex.database.parse_file(SOURCE / "references.bib").entries)
    cited = set().union(*(cited_keys(p.read_text(encoding="utf-8")) for p in PAGES))
    assert cited <= ours, sorted(cited - ours)
    assert ours <= cited, sorted(ours - cited)


def test_karpathy_case_study_links():
    text = (SOURCE / "case-studies" / "karpathy-notes.md").read_text()
    for path in (
        "/practices/task-scoping.html", "/practices/harness-engineering.html", "/tools/agents-md.html",
        "/practices/verification.html", "/debates/vibe-coding.html", "/evidence/coding-skills-impact.html",
        "/guide/adoption-curve.html", "/evidence/practitioner-voices.html",
    ):
        assert f"]({path}" in text, path
    for doc in ("practices/task-scoping", "debates/vibe-coding", "tools/agents-md", "practices/verification"):
        assert "](/case-studies/karpathy-notes.html" in (SOURCE / f"{doc}.md").read_text(), doc


def test_no_mojibake_in_source():
    for page in PAGES:
        for i, line in enumerate(page.read_text(encoding="utf-8").split("\n"), 1):
            assert ftfy.fix_encoding(line) == line, f"{page}:{i}"


def test_spelling():
    proc = subprocess.run(
        [sys.executable, "-m", "codespell_lib", "--ignore-words", str(REPO / "tests" / "codespell-words.txt"),
         "--skip", "*.bib,*.svg", str(SOURCE)],
        capture_output=True, text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
