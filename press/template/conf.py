# {{TITLE}} — book configuration, read by Field Guide Press (`press build`).
# Settings only; the press_* settings are checked (an unknown press_* name is an error).

project = "{{TITLE}}"
author = "{{AUTHOR}}"
copyright = "{{YEAR}}, {{AUTHOR}}"
version = release = "0.1"
language = "en"

extensions = ["press"]  # Markdown (MyST), citations, the PDF, the EPUB and the web book

root_doc = "index"
exclude_patterns = ["_build", ".venv", "**/README.md"]
nitpicky = True  # every cross-reference must resolve

# --- press ------------------------------------------------------------------------------
press_slug = "{{SLUG}}"  # file names: _build/pdf/{{SLUG}}.pdf, _build/epub/{{SLUG}}.epub
press_subtitle = ""
press_pdf_paper = "a4"  # or "us-letter", "6x9"
# The public address of the web book (canonical links, sitemap, social cards). Leave it empty
# and give it when you publish: `press build --site-url https://you.github.io/repo/`, or the
# PRESS_SITE_URL variable (the GitHub Pages workflow does that for you).
press_site_url = ""

# --- web book -------------------------------------------------------------------------
html_title = project

# --- citations --------------------------------------------------------------------------
bibtex_bibfiles = ["source/references.bib"]
bibtex_default_style = "plain"
bibtex_reference_style = "label"
