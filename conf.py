# Field Guide Press — book configuration. Declarative: settings and extensions only.
# The press_* settings are validated by press.config (unknown press_* keys are errors).

project = "The Field Guide to AI-Assisted Software Development"
author = "Field Guide Press"
copyright = "2026, Field Guide Press"
version = release = "0.1"
language = "en"
today = "2026-11-25"

extensions = [
    "press",  # brings myst_parser, sphinx_design, sphinxcontrib.bibtex and the press modules
    "sphinx_copybutton",
]

root_doc = "index"
exclude_patterns = ["_build", ".venv", "**/README.md", "_code", "_facts.md"]  # _code: the sample project the chapters include; _facts.md: the fact file
templates_path = ["_templates"]
nitpicky = True
numfig = True
numfig_format = {"figure": "Fig. %s", "table": "Table %s", "code-block": "Listing %s", "section": "Section %s"}

# --- press (see press/config.py) ----------------------------------------------------------
press_slug = "field-guide"
press_subtitle = "Working with coding agents in 2026"
press_authors = ["Field Guide Press"]
press_site_url = "https://field-guide.example.org/"
press_pdf_paper = "a4"
# The PDF by pieces (each part or chapter compiled on its own, joined into one tagged PDF):
# "auto" would compile this book whole (it is short); "on" keeps the joined PDF the one our
# book-wide PDF checks read.
press_pdf_pieces = "on"
# The repository's LICENSE (MIT) covers the book's sources: its text and its code.
press_license = "The text and code of this book are released under the MIT License."
# The index (PDF, EPUB, web): entry -> the words that mention it (see press/indexterms.py).
# A name or term the book discusses in several chapters is indexed under the chapter's
# subject (a sub-entry, "Karpathy, Andrej: vibe coding, 97–103"), so no headword carries a
# long run of bare page numbers; its mentions in `bare` (front matter, glossary, part pages,
# the chapter about it) stay on the headword itself. (Only pages that mention it are listed.)
_SUBJECTS = {
    "guide/adoption-curve": "adoption curve",
    "practices/task-scoping": "task scoping",
    "practices/harness-engineering": "harness engineering",
    "practices/verification": "verification",
    "practices/running-agents": "running agents in a team",
    "tools/agents-md": "context files",
    "evidence/coding-skills-impact": "coding skills",
    "evidence/practitioner-voices": "practitioner evidence",
    "debates/vibe-coding": "vibe coding",
    "case-studies/karpathy-notes": "Karpathy's agent notes",
}


def _by_subject(entry, words, subjects, bare, labels=None):
    words = words or [entry]
    out = {entry: [f"{w} @ {doc}" for w in words for doc in bare]} if bare else {}
    for doc in subjects:
        out[f"{entry}; {(labels or {}).get(doc, _SUBJECTS[doc])}"] = [f"{w} @ {doc}" for w in words]
    return out


press_index_terms = {
    **_by_subject("Karpathy, Andrej", ["Karpathy"],
                  ["guide/adoption-curve", "practices/task-scoping", "practices/harness-engineering",
                   "practices/verification", "practices/running-agents", "tools/agents-md",
                   "evidence/coding-skills-impact", "evidence/practitioner-voices", "debates/vibe-coding",
                   "case-studies/karpathy-notes"],
                  ["case-studies/index", "debates/index", "glossary", "index", "preface"],
                  labels={"case-studies/karpathy-notes": "agent notes"}),
    **_by_subject("Willison, Simon", ["Willison"],
                  ["guide/adoption-curve", "practices/task-scoping", "practices/verification",
                   "practices/running-agents", "evidence/coding-skills-impact", "evidence/practitioner-voices",
                   "debates/vibe-coding", "case-studies/karpathy-notes"],
                  ["debates/index", "glossary", "preface"]),
    **_by_subject("Hashimoto, Mitchell", ["Hashimoto"],
                  ["guide/adoption-curve", "practices/task-scoping", "practices/harness-engineering",
                   "practices/running-agents", "tools/agents-md", "evidence/practitioner-voices"],
                  ["glossary", "practices/index"]),
    **_by_subject("Anthropic", [],
                  ["guide/adoption-curve", "practices/task-scoping", "practices/harness-engineering",
                   "practices/verification", "practices/running-agents", "tools/agents-md",
                   "evidence/coding-skills-impact", "debates/vibe-coding", "case-studies/karpathy-notes"],
                  ["glossary", "practices/index", "preface"]),
    "Anthropic; Claude Code": ["Claude Code @ glossary", "Claude Code @ preface"],
    "Anthropic; Agent Skills": ["Agent Skills"],
    "Anthropic; Sonnet models": ["Sonnet"],
    **_by_subject("OpenAI", [],
                  ["guide/adoption-curve", "practices/task-scoping", "practices/harness-engineering",
                   "practices/verification", "practices/running-agents", "tools/agents-md",
                   "case-studies/karpathy-notes"],
                  ["glossary", "practices/index"]),
    "OpenAI; Codex": ["Codex @ glossary"],
    **_by_subject("Claude Code", [],
                  ["guide/adoption-curve", "practices/task-scoping", "practices/harness-engineering",
                   "practices/verification", "practices/running-agents", "case-studies/karpathy-notes"],
                  ["glossary", "practices/index", "preface", "tools/index", "tools/agents-md"]),
    "Codex": [],
    **_by_subject("AGENTS.md", [],
                  ["practices/harness-engineering", "practices/running-agents", "debates/vibe-coding",
                   "case-studies/karpathy-notes"],
                  ["checklists", "glossary", "index", "practices/index", "preface", "tools/index", "tools/agents-md"]),
    **_by_subject("CLAUDE.md", [],
                  ["practices/harness-engineering", "practices/running-agents", "case-studies/karpathy-notes"],
                  ["glossary", "index", "preface", "tools/index", "tools/agents-md"]),
    "SKILL.md": [],
    "README": [],
    "Cursor": [],
    "GitHub": [],
    "GitHub Copilot": ["GitHub Copilot", "Copilot"],
    **_by_subject("METR", [],
                  ["guide/adoption-curve", "practices/task-scoping", "practices/verification",
                   "practices/running-agents", "evidence/coding-skills-impact", "evidence/practitioner-voices",
                   "debates/vibe-coding", "case-studies/karpathy-notes"],
                  ["glossary", "preface"]),
    **_by_subject("DORA", [],
                  ["guide/adoption-curve", "practices/running-agents", "evidence/coding-skills-impact",
                   "evidence/practitioner-voices"],
                  ["guide/index", "index"]),
    **_by_subject("Stack Overflow Developer Survey", ["Stack Overflow"],
                  ["guide/adoption-curve", "practices/running-agents", "evidence/coding-skills-impact",
                   "evidence/practitioner-voices", "debates/vibe-coding"],
                  ["guide/index", "index"]),
    "JetBrains": [],
    "SWE-bench": [],
    "HCAST": [],
    "RE-Bench": [],
    "Hacker News": [],
    "Shen, Judy Hanwen": ["Shen"],
    "Tamkin, Alex": ["Tamkin"],
    "Huang, Ruanqianqian": ["Huang"],
    **_by_subject("harness", ["harness", "harnesses"],
                  ["guide/adoption-curve", "practices/task-scoping", "practices/running-agents", "tools/agents-md"],
                  ["checklists", "glossary", "index", "practices/index", "preface", "practices/harness-engineering"]),
    **_by_subject("context file", ["context file", "context files"],
                  ["guide/adoption-curve", "practices/harness-engineering", "practices/running-agents",
                   "debates/vibe-coding", "case-studies/karpathy-notes"],
                  ["checklists", "glossary", "index", "tools/index", "tools/agents-md"]),
    **_by_subject("trust", [],
                  ["guide/adoption-curve", "practices/verification", "tools/agents-md",
                   "evidence/coding-skills-impact", "evidence/practitioner-voices", "debates/vibe-coding",
                   "case-studies/karpathy-notes"],
                  ["evidence/index", "guide/index", "index"]),
    "large language model": ["large language model", "large language models", "LLM", "LLMs"],
    "IDE": ["IDE", "IDEs"],
    "junior developers": ["junior", "juniors", "Juniors", "junior developer", "junior developers"],
    "pull request": ["pull request", "pull requests"],
    "sandbox": ["sandbox", "sandboxes", "sandboxed"],
    "subagent": ["subagent", "subagents"],
    "hook": ["hook", "hooks"],
    "linter": ["linter", "linters"],
    "token": ["token", "tokens"],
    "CI": [],
    "context window": ["context window", "context windows"],
    "context engineering": [],
    "test-driven development": ["test-driven development", "TDD"],
    "prompt injection": [],
    "code review": [],
    "security": [],
    "feature list": ["feature list", "feature lists"],
    "reward hacking": [],
    "time horizon": ["time horizon", "time horizons", "time-horizon"],
    "self-reported data": ["self-reported", "self-report", "self-reports"],
    "randomised controlled trial": ["randomised controlled trial", "randomized controlled trial", "RCT"],
    "billing-service (running example)": ["billing-service"],
    "skill atrophy": [],
    "cognitive offloading": [],
    "compaction": [],
    "vibe coding": [],
    "vibe engineering": [],
    "agentic coding": [],
    "autocomplete": [],
    "uplift": [],
    "plan mode": [],
    "tool call": ["tool call", "tool calls"],
    "frontier model": ["frontier model", "frontier models"],
    "MCP": [],
    "productivity": [],
    "code quality": [],
    "commit": ["commit", "commits"],
    "specification": ["specification", "specifications", "spec", "specs"],
    "prototype": ["prototype", "prototypes"],
    "permissions": ["permission", "permissions"],
    "secrets": ["secret", "secrets"],
}

# --- MyST ------------------------------------------------------------------------------
myst_title_to_header = True
myst_enable_extensions = ["colon_fence", "deflist", "dollarmath", "substitution", "attrs_inline", "attrs_block"]
myst_substitutions = {"book": "the field guide"}

# --- citations -------------------------------------------------------------------------
bibtex_bibfiles = ["source/references.bib"]
bibtex_default_style = "press"
bibtex_reference_style = "label"

# --- HTML (sphinx-book-theme) ----------------------------------------------------------
html_theme = "sphinx_book_theme"
html_title = "The Field Guide to AI-Assisted Software Development"
html_static_path = ["_static"]
html_theme_options = {
    "show_toc_level": 2,
    "use_download_button": False,
    "home_page_in_toc": True,
}

# --- EPUB ------------------------------------------------------------------------------
epub_theme = "epub"
epub_show_urls = "no"
