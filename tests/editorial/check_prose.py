"""Editorial checks that need the fact sheet, which lives outside the repository.

Run with ``make check-prose`` (or ``python tests/editorial/check_prose.py --shared DIR``).
Not a pytest module: ``make test`` reads only the repository's own files.

It reports, as ``file:line: message``, and exits non-zero on any of:

* a run of N or more words (default 12) shared between a page in ``source/`` and ``facts.md``;
* a run of N or more words shared between two pages in ``source/``;
* a key cited in ``source/`` that is missing from the verified ``references.bib``;
* an entry of ``source/references.bib`` that is not in the verified list or differs from it.

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


@dataclass
class Doc:
    """A page as blocks of (word, line) pairs."""

    path: Path
    blocks: list[list[tuple[str, int]]] = field(default_factory=list)


def _parser():
    return create_md_parser(MdParserConfig(enable_extensions=EXTENSIONS), RendererHTML)


def _words(text: str, line: int) -> list[tuple[str, int]]:
    text = text.replace("\u2019", "'").replace("\u2018", "'").lower()
    return [(m.group(0), line) for m in WORD.finditer(text)]


def _inline(token, offset: int) -> list[tuple[str, int]]:
    line = offset + (token.map[0] if token.map else 0) + 1
    out: list[tuple[str, int]] = []
    for child in token.children or []:
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


def _blocks(md, text: str, offset: int = 0) -> list[list[tuple[str, int]]]:
    blocks = []
    for token in md.parse(text):
        if token.type == "inline":
            blocks.append(_inline(token, offset))
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
            blocks += _blocks(md, body, start)
    return [b for b in blocks if b]


def load(md, path: Path) -> Doc:
    return Doc(path, _blocks(md, path.read_text(encoding="utf-8")))


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
    paths = sorted(source.rglob("*.md"))
    pages = [load(md, p) for p in paths]
    facts = load(md, facts_path)
    problems, per_page = check_runs(pages, facts, args.words)
    problems += check_bib(source / "references.bib", shared_bib, paths)

    for p in problems:
        print(p)
    print(f"\nRuns of {args.words}+ words shared with facts.md, per page:")
    for page, count in per_page.items():
        if count:
            print(f"  {count:3d}  {page}")
    print(f"check-prose: {len(problems)} problem(s)" if problems else "check-prose: clean")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
