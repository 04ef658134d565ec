"""Fuzzing (issue 12): random pages from a grammar of our page format and MyST, broken ones included.

Hypothesis draws a page — a front matter header (good, missing, malformed or
with wrong types) and a body of blocks (headings at any level, paragraphs with
inline markup, site links and citations that may or may not exist, lists,
code fences closed or not, admonitions, math that may not parse, tables,
footnotes, raw HTML good and hostile, images and includes whose paths may leave
the book) — adds it to the corpus base book and builds it in-process with the
``html``, ``epub`` and ``typst`` builders.  Whatever the page, every build:

* ends without a Python exception and with no traceback or crash report;
* reports each problem as a message naming a file of the book (and a line,
  except the few whole-file checks listed in ``LINELESS``);
* writes an EPUB whose every XHTML page is well-formed XML;
* never hits a Typst compile error (``press.typst_compile``) and writes a PDF.

Bounded: ``max_examples=14``, no shrinking, ``derandomize=True`` (the same pages
on every run, so a failure reproduces; each assertion prints the page).
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from lxml import etree

from conftest import build_in_process
from test_bad_input import BASE, parse_messages

#: every test here builds a book (the slow tier: `make test`, not `make test-fast`)
pytestmark = pytest.mark.book

#: Whole-file checks whose messages carry no line (the EPUB package check).
LINELESS = {"press.epub"}

words = st.sampled_from(["agents", "review", "tests", "diff", "scope", "harness", "café", "naïve", "—", "x<y", "a&b", "*", "_", "`", "$", "\\", "{", "}", "[", "]", "#"])
text = st.lists(words, min_size=1, max_size=8).map(" ".join)

inline = st.one_of(
    text,
    text.map(lambda t: f"*{t}*"),
    text.map(lambda t: f"**{t}**"),
    text.map(lambda t: f"`{t}`"),
    st.sampled_from([
        "[the page](/guide/page.html)", "[a section](/guide/page.html#first-section)",
        "[missing](/guide/nope.html)", "[bad anchor](/guide/page.html#nowhere)", "[up](/guide/)",
        "{cite:p}`knuth1984`", "{cite:t}`nosuchkey`", "{ref}`first-label`", "{ref}`no-label`",
        "{term}`harness`", "{term}`nosuchterm`", "[ext](https://example.org/)", "$x^2$", "$\\frac{1$",
        "<b>bold</b>", "<span onclick=\"x()\">tap</span>", "a&nbsp;b", "<br>", "<kbd>Ctrl</kbd>",
        "[^n1]", "{nosuchrole}`x`", "<img src=x onerror=alert(1)>",
    ]),
)
paragraph = st.lists(inline, min_size=1, max_size=6).map(" ".join)

block = st.one_of(
    paragraph,
    text.map(lambda t: f"## {t}"),
    text.map(lambda t: f"### {t}"),
    text.map(lambda t: f"#### {t}"),
    text.map(lambda t: f"# {t}"),
    st.lists(paragraph, min_size=1, max_size=4).map(lambda items: "\n".join(f"- {i}" for i in items)),
    st.lists(paragraph, min_size=1, max_size=3).map(lambda items: "\n".join(f"{n}. {i}" for n, i in enumerate(items, 1))),
    text.map(lambda t: f"```python\nprint({t!r})\n```"),
    text.map(lambda t: f"```\n{t}"),  # never closed
    paragraph.map(lambda p: f"```{{note}}\n{p}\n```"),
    paragraph.map(lambda p: f":::{{warning}}\n{p}\n:::"),
    st.sampled_from([
        "$$\nE = mc^2\n$$", "$$\n\\begin{aligned} a &= b \\\\ c &= d \\end{aligned}\n$$", "$$\n\\frac{\n$$",
        "| a | b |\n|---|---|\n| 1 | 2 |", "| a | b |\n|---|\n| 1 |",
        "[^n1]: A footnote.", "> quoted\n>> deeper\n>>> deepest",
        "<script>alert(1)</script>", "<div class=\"box\"><p>boxed</p><hr></div>", "<iframe src=\"https://example.com\"></iframe>",
        "<details><summary>More</summary>hidden</details>", "<p>unclosed <b>bold",
        "![A small picture](pic.png)", "![no alt](pic.png)", "![outside](../../secret.png)", "![missing](nope.png)",
        "```{include} ../../secret.md\n```", "```{literalinclude} snippet.py\n```", "```{nosuchdirective}\nbody\n```",
        "(first-label)=\n## Duplicate label", "(fuzz-label)=\n## Fresh label", "---", "***",
        "Term\n: Definition", "```{figure} pic.png\n:alt: pic\n\nA caption.\n```",
    ]),
)

front_matter = st.one_of(
    text.map(lambda t: f"---\ntitle: \"{t.replace(chr(92), '').replace(chr(34), '')}\"\n---\n"),
    st.sampled_from([
        "---\ntitle: Fuzz\nweight: 3\ntags: [fuzz]\ndate: 2026-01-02\n---\n",
        "---\ntitle: Fuzz\nweight: nope\n---\n",
        "---\ntitle: \"\"\n---\n",
        "---\ntitle: [a, b\n---\n",
        "---\ntitle: Fuzz\n",
        "",
        "---\ntitle: Fuzz\ntags: 7\ndescription: [x]\n---\n",
    ]),
)
page = st.tuples(front_matter, st.lists(block, min_size=0, max_size=8)).map(lambda fb: fb[0] + "\n" + "\n\n".join(fb[1]) + "\n")


def build(src: Path, builder: str) -> tuple[Path, str, str]:
    built = build_in_process(builder, src)
    return built.outdir, built.warnings, built.status


@settings(
    max_examples=14, deadline=None, derandomize=True, database=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: each failure message carries its page
    suppress_health_check=list(HealthCheck),
)
@given(page=page)
def test_random_pages_fail_cleanly(page: str, tmp_path_factory) -> None:
    root = tmp_path_factory.mktemp("fuzz")
    src = root / "book"
    shutil.copytree(BASE, src)
    (root / "secret.md").write_text("TOP SECRET\n", encoding="utf-8")
    (root / "secret.png").write_bytes((src / "guide" / "pic.png").read_bytes())
    (src / "guide" / "fuzz.md").write_text(page, encoding="utf-8")
    for builder in ("html", "epub", "typst"):
        out, warnings, status = build(src, builder)
        log = warnings + status
        assert "Traceback" not in log and "Exception occurred" not in log, log
        for path, line, sub, message in parse_messages(warnings, src):
            assert not path.startswith("/"), f"message outside the book: {path}: {message}"
            assert line is not None or sub in LINELESS, f"no line: {path}: {message} [{sub}]\n--- page ---\n{page}"
            assert sub != "press.typst_compile", f"Typst compile error: {message}\n--- page ---\n{page}"
        if builder == "epub":
            (epub,) = out.glob("*.epub")
            with zipfile.ZipFile(epub) as z:
                pages = {n: z.read(n) for n in z.namelist() if n.endswith(".xhtml")}
            for name, data in pages.items():
                try:
                    etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
                except etree.XMLSyntaxError as exc:
                    raise AssertionError(f"{name} is not well-formed XHTML: {exc}\n--- page ---\n{page}") from exc
            assert not any(b"TOP SECRET" in data for data in pages.values()), page
        if builder == "typst":
            assert list(out.glob("*.pdf")), "no PDF written"
