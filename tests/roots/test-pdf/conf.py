# A rich book for the PDF tests: every node the Typst writer must render.
project = "Proof Book"
author = "Ada Tester"
copyright = "2026, Ada Tester"
version = release = "2.5"
language = "en"
today = "2026-11-25"
extensions = ["press"]
bibtex_bibfiles = ["refs.bib"]
bibtex_default_style = "plain"
bibtex_reference_style = "label"
numfig = True
numfig_format = {"figure": "Fig. %s", "table": "Table %s", "code-block": "Listing %s", "section": "Section %s"}
press_subtitle = "A test of every node"
press_pdf_paper = "a4"
