# EPUB test book: every structure the EPUB must carry (parts, footnotes, math,
# figures, tables, citations, sphinx-design components, site links, glossary).
project = "EPUB Test Book"
author = "Ada Tester"
copyright = "2026, Ada Tester"
version = release = "1.0"
language = "en"
extensions = ["press"]
bibtex_bibfiles = ["refs.bib"]
bibtex_reference_style = "label"
numfig_format = {"figure": "Fig. %s", "table": "Table %s", "code-block": "Listing %s", "section": "Section %s"}
press_subtitle = "A small book for the EPUB tests"
press_authors = ["Ada Tester", "Bob Checker"]
press_site_url = "https://epub-test.example.org/"
