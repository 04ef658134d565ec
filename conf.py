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
# Names and tools the PDF's index lists (entry -> the words that mention it; see press/indexterms.py)
press_index_terms = {
    "Karpathy, Andrej": ["Karpathy"],
    "Willison, Simon": ["Willison"],
    "Hashimoto, Mitchell": ["Hashimoto"],
    "METR": [],
    "DORA": [],
    "Stack Overflow Developer Survey": ["Stack Overflow"],
    "JetBrains": [],
    "SWE-bench": [],
    "Anthropic": [],
    "Anthropic; Claude Code": ["Claude Code"],
    "OpenAI": [],
    "OpenAI; Codex": ["Codex"],
    "Cursor": [],
    "AGENTS.md": [],
    "CLAUDE.md": [],
    "Claude Code": [],
    "Codex": [],
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
