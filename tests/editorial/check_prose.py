"""Editorial checks that need the fact sheet, which lives outside the repository.

Run with ``make check-prose`` (or ``python tests/editorial/check_prose.py --shared DIR``).
Not a pytest module: ``make test`` reads only the repository's own files.

It reports, as ``file:line: message``, and exits non-zero on any of:

* a run of N or more words (default 12) shared between a page in ``source/`` and ``facts.md``;
* a run of N or more words shared between two pages in ``source/``;
* a key cited in ``source/`` that is missing from the verified ``references.bib``;
* an entry of ``source/references.bib`` that is not in the verified list or differs from it;
* a fact of :data:`FACTS` told on more than two pages when a page other than its owner does not
  link to the owner (each fact is told fully once, in its owner chapter, and linked elsewhere);
* a glossary term no page uses, or a technical term of :data:`TECH_TERMS` used in a page but not
  defined in the glossary;
* a spelling of :data:`SPELLING` other than the book's (British) one, editors' vocabulary or
  format-bound wording (:data:`BANNED`) in reader prose, and more than one "in our view" per page.

Runs are found with N-word shingles over lowercased words, after the Markdown/MyST markup is
parsed away with the same markdown-it/MyST parser Sphinx uses: front matter, code blocks,
citation roles, link targets, directive options (except ``:alt:`` text) and punctuation are not
words. Shingles do not cross block boundaries (paragraphs, list items, headings, table cells).
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pybtex.database
from markdown_it.renderer import RendererHTML
from myst_parser.config.main import MdParserConfig
from myst_parser.parsers.mdit import create_md_parser

REPO = Path(__file__).resolve().parents[2]
SOURCE = REPO / "source"
EXTENSIONS = {"colon_fence", "deflist", "dollarmath", "substitution", "attrs_inline", "attrs_block"}
WORD = re.compile(r"\w+(?:'\w+)*")
DIRECTIVE = re.compile(r"^\{([\w:-]+)\}\s*(.*)$")
OPTION = re.compile(r"^\s*:([\w-]+):\s*(.*)$")
#: directives whose argument is a path or a label, not prose
NON_PROSE_ARG = {"figure", "image", "include", "literalinclude", "bibliography", "toctree", "glossary"}
#: roles whose content is a key or label (dropped) rather than text (kept, minus any <target>)
NON_PROSE_ROLE = {"cite", "cite:p", "cite:t", "cite:ps", "cite:ts", "cite:alp", "cite:year",
                  "cite:author", "footcite", "numref", "eq", "math"}
CITE = re.compile(r"\{(?:foot)?cite(?::\w+)?\}`([^`]+)`")


#: Facts that several chapters touch: name -> (owner page#anchor, regex over a block's words).
#: The regex runs on a block's lowercased words joined by single spaces (no punctuation: "66%"
#: is "66", "AGENTS.md" is "agents md").
FACTS: dict[str, tuple[str, str]] = {
    "METR trial (felt faster, measured slower)": (
        "evidence/coding-skills-impact.md#the-metr-trial",
        r"metr's (randomi[sz]ed )?trial|metr ran|felt faster|believed (ai|they) had|19 longer|took 19"),
    "Karpathy: subtle mistakes, IDE open": (
        "case-studies/karpathy-notes.md#the-models-still-need-watching",
        r"subtle conceptual|subtle mistakes|like a hawk|keeps? an ide|kept an ide|an open ide|kept an editor|"
        r"editor (he keeps )?open|watch(ed|es)? the models|instructions in his claude md"),
    "Stack Overflow 66% almost right": (
        "evidence/practitioner-voices.md#almost-right-is-the-everyday-cost",
        r"almost right|nearly right|\b66\b"),
    "Trust figures (46/33, DORA trust)": (
        "evidence/practitioner-voices.md#trust-is-low-and-falling",
        r"\b46\b.{0,80}\b33\b|trust paradox|little or no trust|distrust(ed)? (its|their|the) accuracy|"
        r"doubt ai output|distrust the output"),
    "72.2% vibe coding not professional": (
        "debates/vibe-coding.md#what-professionals-actually-do", r"\b72 2\b"),
    "Karpathy's 80/20 shift": (
        "case-studies/karpathy-notes.md#a-shift-in-how-he-works",
        r"\b80\b[^.]{0,60}\bagent|\b20\b agent work|agent work to about 80|mostly agent.written code|"
        r"agents did most of his coding|agents writing most of his code"),
    "Hashimoto redoes his commits": (
        "practices/task-scoping.md#plan-then-execute",
        r"hashimoto.{0,200}(twice|redid|redo|repeated each)|(twice|redid|redo|repeated each).{0,200}hashimoto"),
    "Hashimoto's end-of-day agents": (
        "practices/task-scoping.md#keeping-sessions-focused",
        r"last 30 minutes|final 30 minutes|final half hour|end of (his|the) (working )?day|time i don't have"),
    "Hashimoto's fix for each mistake": (
        "practices/harness-engineering.md#growing-the-harness-from-mistakes",
        r"(each time|whenever) an agent (gets|makes)|engineer(s|ed|ing)? a fix"),
    "Peng/Cui speed and output figures": (
        "evidence/coding-skills-impact.md#faster-is-not-the-same-as-better-at-it",
        r"\b55 8\b|\b26 08\b|\b4 867\b"),
    "Huang et al. field study": (
        "evidence/practitioner-voices.md#professionals-who-steer-not-vibe",
        r"huang|13 experienced|don't vibe|control rather than vibe|field study of experienced"),
    "Claude 3.7 special-casing tests": (
        "practices/verification.md#what-the-evidence-shows", r"special.?cas"),
    "OpenAI's 100-line AGENTS.md": (
        "tools/agents-md.md#what-belongs-in-the-file",
        r"\b100 lines?\b|large agents md|single large agents|one big agents"),
    "Agent release dates (Claude Code, Codex CLI, Gemini CLI)": (
        "guide/adoption-curve.md#agents-in-the-ide-or-terminal", r"gemini cli"),
}
#: Terms a reader meets in the chapters: glossary term -> regex over a block's words.
TECH_TERMS: dict[str, str] = {
    "hook": r"\bhooks?\b", "token": r"\btokens?\b", "CI": r"\bci\b", "linter": r"\blint(er|ers)?\b",
    "frontier model": r"\bfrontier\b", "MCP": r"\bmcp\b", "compaction": r"\bcompaction\b",
    "plan mode": r"\bplan mode\b", "HCAST": r"\bhcast\b", "RE-Bench": r"\bre bench\b",
    "subagent": r"\bsubagents?\b", "sandbox": r"\bsandbox", "context window": r"\bcontext window",
    "prompt injection": r"\bprompt injection\b", "SWE-bench": r"\bswe bench\b",
}
#: The book spells the British way: wrong spelling -> the book's.
SPELLING: dict[str, str] = {
    r"randomiz": "randomis", r"organiz": "organis", r"summariz": "summaris", r"optimiz": "optimis",
    r"recogniz": "recognis", r"behavior": "behaviour", r"judgment": "judgement", r"analyz": "analys",
    r"speciali[z]": "specialis", r"formaliz": "formalis", r"\bcenter": "centre", r"\bcolor": "colour",
    r"\bfavor": "favour", r"\bmodeling": "modelling", r"\bcatalog\b": "catalogue",
    r"minimiz": "minimis", r"prioritiz": "prioritis", r"emphasiz": "emphasis", r"\blabeled": "labelled",
    r"\btraveled": "travelled", r"\bdefense": "defence", r"\bpracticed": "practised",
}
#: Words that belong to a source's own name for something, kept as the source spells them.
SPELLING_KEPT = ("productivity theater", "initializer agent", "optimize llm foundry")
#: Editors' words and wording that fits only one format (tabs, clicks, scrolling) in reader prose.
BANNED: dict[str, str] = {
    r"stored copy|stored text|stored copies|word for word clipping|clipping kept": "editors' sourcing words",
    r"submitted by user|user bigwheels|21 09 19": "Hacker News submitter or timestamp",
    r"tabs? below|the tabs|click (on|the)|scroll (down|up)|dropdown below|expand the": "format-bound wording",
}
VIEW = re.compile(r"\bin our (view|reading)\b|\bwe think\b")


@dataclass
class Doc:
    """A page as blocks of (word, line) pairs, and the link targets of each block."""

    path: Path
    blocks: list[list[tuple[str, int]]] = field(default_factory=list)
    links: set[str] = field(default_factory=set)


def _parser():
    return create_md_parser(MdParserConfig(enable_extensions=EXTENSIONS), RendererHTML)


def _words(text: str, line: int) -> list[tuple[str, int]]:
    text = text.replace("\u2019", "'").replace("\u2018", "'").lower()
    return [(m.group(0), line) for m in WORD.finditer(text)]


def _inline(token, offset: int, links: set[str] | None = None) -> list[tuple[str, int]]:
    line = offset + (token.map[0] if token.map else 0) + 1
    out: list[tuple[str, int]] = []
    for child in token.children or []:
        if child.type == "link_open" and links is not None:
            links.add(str(child.attrs.get("href", "")))
        if child.type in ("softbreak", "hardbreak"):
            line += 1
        elif child.type in ("text", "code_inline"):
            out += _words(child.content, line)
        elif child.type == "myst_role":
            name = child.meta.get("name", "")
            if name not in NON_PROSE_ROLE:
                out += _words(re.sub(r"<[^>]*>\s*$", "", child.content), line)
        elif child.type == "substitution_inline":
            out += _words("the field guide" if child.content.strip() == "book" else "", line)
        # images, html, math and link targets carry no prose words
    return out


def _directive_body(content: str) -> tuple[str, list[str]]:
    """Blank the option lines of a directive body (keeping line numbers); return alt texts."""
    lines = content.split("\n")
    alts = []
    i = 0
    if lines and lines[0].strip() == "---":  # YAML option block
        end = next((j for j in range(1, len(lines)) if lines[j].strip() == "---"), 0)
        for j in range(end + 1):
            m = OPTION.match(lines[j]) or re.match(r"^\s*(alt):\s*(.*)$", lines[j])
            if m and m.group(1) == "alt":
                alts.append(m.group(2))
            lines[j] = ""
        i = end + 1
    while i < len(lines) and OPTION.match(lines[i]):
        m = OPTION.match(lines[i])
        if m.group(1) == "alt":
            alts.append(m.group(2))
        lines[i] = ""
        i += 1
    return "\n".join(lines), alts


def _blocks(md, text: str, offset: int = 0, links: set[str] | None = None) -> list[list[tuple[str, int]]]:
    blocks = []
    for token in md.parse(text):
        if token.type == "inline":
            blocks.append(_inline(token, offset, links))
        elif token.type in ("fence", "colon_fence"):
            m = DIRECTIVE.match(token.info.strip())
            if not m:
                continue  # a code block
            name, arg = m.groups()
            start = offset + token.map[0] + 1  # 0-based line of the body's first line
            if name in ("code-block", "code", "sourcecode", "math", "mermaid"):
                continue
            if arg and name not in NON_PROSE_ARG:
                blocks.append(_words(arg, start))
            body, alts = _directive_body(token.content)
            for alt in alts:
                blocks.append(_words(alt, start + 1))
            blocks += _blocks(md, body, start, links)
    return [b for b in blocks if b]


def load(md, path: Path) -> Doc:
    links: set[str] = set()
    blocks = _blocks(md, path.read_text(encoding="utf-8"), 0, links)
    return Doc(path, blocks, links)


def _joined(block: list[tuple[str, int]]) -> str:
    return " ".join(w for w, _ in block)


def _page_of(doc: Doc, source: Path) -> str:
    return doc.path.relative_to(source).as_posix()


def fact_pages(pages: list[Doc], source: Path) -> dict[str, dict[str, int]]:
    """For each fact of FACTS: the pages that tell it, with the line of the first mention."""
    out: dict[str, dict[str, int]] = {}
    for name, (_owner, pattern) in FACTS.items():
        rx = re.compile(pattern)
        found: dict[str, int] = {}
        for doc in pages:
            for block in doc.blocks:
                if rx.search(_joined(block)):
                    found.setdefault(_page_of(doc, source), block[0][1])
        out[name] = found
    return out


def check_facts(pages: list[Doc], source: Path) -> list[str]:
    """A fact told on more than two pages: every page but its owner must link to the owner."""
    problems = []
    by_page = {_page_of(d, source): d for d in pages}
    for name, found in fact_pages(pages, source).items():
        owner = FACTS[name][0]
        owner_page, _, anchor = owner.partition("#")
        if found and owner_page not in found:
            problems.append(f"source/{owner_page}:1: owner of the fact {name!r} does not tell it")
        if len(found) <= 2:
            continue
        target = "/" + owner_page.removesuffix(".md") + ".html"
        for page, line in sorted(found.items()):
            if page == owner_page:
                continue
            if not any(link.split("#")[0] == target for link in by_page[page].links):
                problems.append(
                    f"source/{page}:{line}: {name!r} is told on {len(found)} pages; tell it once in "
                    f"{owner_page} and link here to [...]({target}#{anchor})"
                )
    return problems


def glossary_terms(glossary: Path) -> list[str]:
    text = glossary.read_text(encoding="utf-8").split("{glossary}", 1)[1]
    return [t.strip() for t in re.findall(r"^(\S[^\n]*)\n  \S", text, re.M)]


TERM_ROLE = re.compile(r"\{term\}`(?:[^`<]*<)?([^`>]+)>?`")


def check_glossary(pages: list[Doc], source: Path) -> list[str]:
    """Every glossary term is used by a page; every term of TECH_TERMS a page uses is defined."""
    glossary = source / "glossary.md"
    if not glossary.is_file():
        return []
    terms = glossary_terms(glossary)
    defined = {t.lower() for t in terms}
    others = [d for d in pages if d.path != glossary]
    used = {m.group(1).strip().lower() for d in others for m in TERM_ROLE.finditer(d.path.read_text(encoding="utf-8"))}
    problems = []
    text = glossary.read_text(encoding="utf-8")
    for term in terms:
        if term.lower() not in used:
            rx = re.compile(r"\b" + re.escape(" ".join(re.findall(r"\w+", term.lower()))) + r"\b")
            if not any(rx.search(_joined(b)) for d in others for b in d.blocks):
                line = text[: text.find("\n" + term + "\n")].count("\n") + 2
                problems.append(f"{_rel(glossary)}:{line}: glossary term {term!r} is not used by any page")
    for term, pattern in TECH_TERMS.items():
        if term.lower() in defined:
            continue
        rx = re.compile(pattern)
        for d in others:
            hit = next((b for b in d.blocks if rx.search(_joined(b))), None)
            if hit:
                problems.append(f"{_rel(d.path)}:{hit[0][1]}: {term!r} is used but not defined in the glossary")
                break
    return problems


def check_voice(pages: list[Doc]) -> list[str]:
    """British spelling throughout; no editors' or format-bound wording; one stated view per page."""
    problems = []
    for d in pages:
        views = 0
        for block in d.blocks:
            text = _joined(block)
            kept = text
            for phrase in SPELLING_KEPT:
                kept = kept.replace(phrase, "")
            for wrong, right in SPELLING.items():
                m = re.search(wrong + r"\w*", kept)
                if m:
                    problems.append(f"{_rel(d.path)}:{block[0][1]}: {m.group(0)!r}: the book spells it the British way ({right}...)")
            for pattern, why in BANNED.items():
                m = re.search(pattern, text)
                if m:
                    problems.append(f"{_rel(d.path)}:{block[0][1]}: {m.group(0)!r}: {why}")
            views += len(VIEW.findall(text))
        if views > 1:
            problems.append(f"{_rel(d.path)}:1: \"in our view\" or \"we think\" {views} times; state the book's view plainly once")
    return problems


def shingles(doc: Doc, n: int) -> dict[tuple[str, ...], int]:
    out: dict[tuple[str, ...], int] = {}
    for block in doc.blocks:
        words = [w for w, _ in block]
        for i in range(len(words) - n + 1):
            out.setdefault(tuple(words[i:i + n]), block[i][1])
    return out


def shared_runs(doc: Doc, other: set[tuple[str, ...]], n: int) -> list[tuple[int, int, str]]:
    """Maximal runs of doc's words whose every n-gram is in ``other``: (line, length, text)."""
    runs = []
    for block in doc.blocks:
        words = [w for w, _ in block]
        hits = [tuple(words[i:i + n]) in other for i in range(len(words) - n + 1)]
        i = 0
        while i < len(hits):
            if not hits[i]:
                i += 1
                continue
            j = i
            while j + 1 < len(hits) and hits[j + 1]:
                j += 1
            length = j - i + n
            runs.append((block[i][1], length, " ".join(words[i:i + length])))
            i = j + 1
    return runs


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(REPO))
    except ValueError:
        return str(path)


def check_runs(pages: list[Doc], facts: Doc, n: int) -> tuple[list[str], dict[str, int]]:
    problems, per_page = [], {}
    fact_set = set(shingles(facts, n))
    for doc in pages:
        runs = shared_runs(doc, fact_set, n)
        per_page[_rel(doc.path)] = len(runs)
        for line, length, text in runs:
            problems.append(f"{_rel(doc.path)}:{line}: {length} words shared with facts.md: \"{text}\"")
    sets = {doc.path: set(shingles(doc, n)) for doc in pages}
    for a_i, a in enumerate(pages):
        for b in pages[a_i + 1:]:
            common = sets[a.path] & sets[b.path]
            if not common:
                continue
            lines_b = shingles(b, n)
            for line, length, text in shared_runs(a, common, n):
                first = tuple(text.split()[:n])
                problems.append(
                    f"{_rel(a.path)}:{line}: {length} words shared with "
                    f"{_rel(b.path)}:{lines_b.get(first, 0)}: \"{text}\""
                )
    return problems, per_page


def _entry_repr(entry) -> tuple:
    fields = {k.lower(): v for k, v in entry.fields.items()}
    persons = {role: [str(p) for p in people] for role, people in entry.persons.items()}
    return entry.type.lower(), fields, persons


def check_bib(ours_path: Path, shared_path: Path, pages: list[Path]) -> list[str]:
    problems = []
    ours = pybtex.database.parse_file(ours_path)
    shared = pybtex.database.parse_file(shared_path)
    text = ours_path.read_text(encoding="utf-8")

    def line_of(key: str) -> int:
        m = re.search(r"@\w+\{" + re.escape(key) + r"\s*,", text)
        return text.count("\n", 0, m.start()) + 1 if m else 0

    for key, entry in ours.entries.items():
        where = f"{_rel(ours_path)}:{line_of(key)}"
        if key not in shared.entries:
            problems.append(f"{where}: entry {key} is not in the verified list {shared_path}")
            continue
        mine, theirs = _entry_repr(entry), _entry_repr(shared.entries[key])
        if mine[0] != theirs[0]:
            problems.append(f"{where}: {key} is @{mine[0]}, the verified list has @{theirs[0]}")
        for name in sorted(set(mine[1]) | set(theirs[1])):
            if mine[1].get(name) != theirs[1].get(name):
                problems.append(
                    f"{where}: {key}.{name} differs from the verified list: "
                    f"{mine[1].get(name)!r} != {theirs[1].get(name)!r}"
                )
        if mine[2] != theirs[2]:
            problems.append(f"{where}: {key} authors/editors differ from the verified list")
    for page in pages:
        for i, line in enumerate(page.read_text(encoding="utf-8").split("\n"), 1):
            for m in CITE.finditer(line):
                for key in (k.strip() for k in m.group(1).split(",")):
                    if key not in shared.entries:
                        problems.append(f"{_rel(page)}:{i}: cited key {key} is not in the verified list")
                    elif key not in ours.entries:
                        problems.append(f"{_rel(page)}:{i}: cited key {key} is missing from {_rel(ours_path)}")
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", default=str(REPO.parent / "shared" / "references"),
                    help="directory holding facts.md and the verified references.bib")
    ap.add_argument("--source", default=str(SOURCE), help="the book's source directory")
    ap.add_argument("-n", "--words", type=int, default=12, help="shortest shared run reported")
    args = ap.parse_args(argv)

    shared, source = Path(args.shared), Path(args.source)
    facts_path, shared_bib = shared / "facts.md", shared / "references.bib"
    for needed in (facts_path, shared_bib):
        if not needed.is_file():
            print(f"check-prose: {needed}: not found (set SHARED=... to the fact sheet's directory)",
                  file=sys.stderr)
            return 2

    md = _parser()
    paths = sorted(p for p in source.rglob("*.md") if not any(s.startswith("_") for s in p.relative_to(source).parts))
    pages = [load(md, p) for p in paths]
    facts = load(md, facts_path)
    problems, per_page = check_runs(pages, facts, args.words)
    problems += check_bib(source / "references.bib", shared_bib, paths)
    problems += check_facts(pages, source)
    problems += check_glossary(pages, source)
    problems += check_voice(pages)

    for p in problems:
        print(p)
    print(f"\nRuns of {args.words}+ words shared with facts.md, per page:")
    for page, count in per_page.items():
        if count:
            print(f"  {count:3d}  {page}")
    print("\nPages that tell each repeated fact (owner marked *):")
    for name, found in fact_pages(pages, source).items():
        owner = FACTS[name][0].partition("#")[0]
        names = ", ".join(("*" if p == owner else "") + p.removesuffix(".md") for p in sorted(found))
        print(f"  {len(found):2d}  {name}: {names}")
    print(f"check-prose: {len(problems)} problem(s)" if problems else "check-prose: clean")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
