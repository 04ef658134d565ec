"""Generate a benchmark book: ``python -m benchmarks.generate DIR --pages N [--heavy]``.

Every page has front matter, three sections with paragraphs, a bullet and an
enumerated list, a code block, a citation, an admonition, a table and a card grid.
Pages are spread over ten section folders.  The text is deterministic (seeded).
The *light* book's pages hold about 400 words; the *heavy* book's (``--heavy``) about
1,000 (longer sections), and each also links another page's section by its site path
(``/alpha/page-001.html#part-2-of-page-1``), the size of a real textbook's page.
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

WORDS = (
    "agent review test context harness diff task scope change build lint commit branch "
    "merge model prompt tool file code team survey study evidence practice verify plan "
    "write read run check fix error log trace result claim source measure speed quality"
).split()

SECTIONS = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa"]

CONF = '''# Generated benchmark book ({pages} pages).
project = "Benchmark Book"
author = "Bench"
copyright = "2026, Bench"
version = release = "1.0"
language = "en"
extensions = ["press"]
exclude_patterns = ["_build"]
bibtex_bibfiles = ["source/refs.bib"]
bibtex_default_style = "plain"
bibtex_reference_style = "label"
numfig = True
press_slug = "bench"
html_baseurl = "https://bench.example.org/"
latex_engine = "xelatex"
latex_documents = [("index", "bench.tex", project, author, "manual")]
suppress_warnings = ["press"]
'''


def sentence(rng: random.Random, n: int = 14) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def paragraph(rng: random.Random, sentences: int = 5) -> str:
    return " ".join(sentence(rng, rng.randint(9, 18)) for _ in range(sentences))


def page(rng: random.Random, section: str, number: int, refs: int, heavy: bool = False) -> str:
    cite = f"ref{rng.randrange(refs)}"
    more = 2 if heavy else 0  # extra paragraphs per section on a heavy page
    out = [
        "---",
        f'title: "Page {number} of {section.title()}"',
        f'description: "{sentence(rng, 10)}"',
        f"weight: {number}",
        f"tags: [{rng.choice(WORDS)}, {rng.choice(WORDS)}]",
        "---",
        "",
        paragraph(rng) + f" As measured {{cite:p}}`{cite}`.",
        "",
    ]
    if heavy:
        out += [f"See also [the first page of {section.title()}](/{section}/page-001.html#part-2-of-page-1).", ""]
    for s in range(3):
        out += [f"## Part {s + 1} of page {number}", "", paragraph(rng), ""]
        for _ in range(more):
            out += [paragraph(rng, 6), ""]
        if s == 0:
            out += [f"- {sentence(rng, 8)}" for _ in range(4)] + [""]
            out += [f"{i + 1}. {sentence(rng, 8)}" for i in range(3)] + [""]
        if s == 1:
            out += ["```python", f"def check_{number}(items):",
                    "    \"\"\"Return the items that pass.\"\"\"",
                    "    return [i for i in items if i.ok and not i.skipped]", "```", ""]
            out += [":::{note}", paragraph(rng, 2), ":::", ""]
        if s == 2:
            out += [":::{list-table}", ":header-rows: 1", "", "* - Kind", "  - Value", "  - Note"]
            for _ in range(4):
                out += [f"* - {rng.choice(WORDS)}", f"  - {rng.randint(1, 999)}", f"  - {sentence(rng, 6)}"]
            out += [":::", ""]
            out += ["::::{grid} 1 2 2 2", ":gutter: 2", ""]
            for c in range(2):
                out += [f":::{{grid-item-card}} Card {c + 1}", sentence(rng, 10), ":::", ""]
            out += ["::::", ""]
        out += [paragraph(rng, 4), ""]
    return "\n".join(out)


def generate(dest: Path, pages: int, seed: int = 2026, heavy: bool = False) -> Path:
    """Write ``dest/conf.py`` and ``dest/source/``; return ``dest``."""
    rng = random.Random(seed)
    if dest.exists():
        shutil.rmtree(dest)
    src = dest / "source"
    src.mkdir(parents=True)
    (dest / "conf.py").write_text(CONF.format(pages=pages), encoding="utf-8")
    refs = 30
    bib = []
    for i in range(refs):
        bib.append(
            f"@article{{ref{i},\n  author = {{Author {i} and Other Person}},\n"
            f"  title = {{A study of {rng.choice(WORDS)} and {rng.choice(WORDS)}}},\n"
            f"  journal = {{Journal of Software {i % 7}}},\n  year = {{{2000 + i % 26}}},\n}}\n"
        )
    (src / "refs.bib").write_text("\n".join(bib), encoding="utf-8")
    (src / "index.md").write_text(
        '---\ntitle: "Benchmark Book"\ndescription: "A generated book."\n---\n\n' + paragraph(rng) + "\n",
        encoding="utf-8",
    )
    (src / "bibliography.md").write_text(
        '---\ntitle: "Bibliography"\nweight: 1000\n---\n\n```{bibliography}\n:all:\n```\n', encoding="utf-8"
    )
    per = [pages // len(SECTIONS) + (1 if i < pages % len(SECTIONS) else 0) for i in range(len(SECTIONS))]
    for weight, (section, count) in enumerate(zip(SECTIONS, per)):
        folder = src / section
        folder.mkdir()
        (folder / "index.md").write_text(
            f'---\ntitle: "{section.title()}"\nweight: {weight + 1}\n---\n\n{paragraph(rng, 3)}\n', encoding="utf-8"
        )
        for n in range(count):
            (folder / f"page-{n + 1:03d}.md").write_text(page(rng, section, n + 1, refs, heavy), encoding="utf-8")
    return dest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path)
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--heavy", action="store_true", help="pages of about 1,000 words")
    args = parser.parse_args()
    generate(args.dest, args.pages, heavy=args.heavy)


if __name__ == "__main__":
    main()


STOCK_CONF = '''# The stock stack Jupyter Book runs, on the same pages: Sphinx + MyST + sphinx-design +
# sphinxcontrib-bibtex, sphinx-book-theme HTML, Sphinx epub, Sphinx latexpdf (xelatex).
project = "Benchmark Book"
author = "Bench"
copyright = "2026, Bench"
version = release = "1.0"
language = "en"
extensions = ["myst_parser", "sphinx_design", "sphinxcontrib.bibtex"]
myst_enable_extensions = ["colon_fence", "deflist", "dollarmath", "substitution", "attrs_inline", "attrs_block"]
myst_title_to_header = True
exclude_patterns = ["_build"]
bibtex_bibfiles = ["refs.bib"]
bibtex_default_style = "plain"
bibtex_reference_style = "label"
numfig = True
html_theme = "sphinx_book_theme"
html_baseurl = "https://bench.example.org/"
latex_engine = "xelatex"
latex_documents = [("index", "bench.tex", project, author, "manual")]
epub_basename = "bench"
'''


def stock(book: Path) -> Path:
    """``book/stock/``: the same pages for the stock stack, with hand-written toctrees
    (which press generates from folders and weights); returns the stock source folder."""
    dest = book / "stock"
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(book / "source", dest)
    (dest / "conf.py").write_text(STOCK_CONF, encoding="utf-8")
    sections = sorted((p for p in dest.iterdir() if (p / "index.md").is_file()), key=lambda p: SECTIONS.index(p.name))
    for folder in sections:
        pages = sorted(p.stem for p in folder.glob("page-*.md"))
        index = folder / "index.md"
        index.write_text(index.read_text(encoding="utf-8") + "\n```{toctree}\n:maxdepth: 2\n\n" + "\n".join(pages) + "\n```\n",
                         encoding="utf-8")
    root = dest / "index.md"
    entries = [f"{p.name}/index" for p in sections] + ["bibliography"]
    root.write_text(root.read_text(encoding="utf-8") + "\n```{toctree}\n:maxdepth: 2\n\n" + "\n".join(entries) + "\n```\n",
                    encoding="utf-8")
    return dest
