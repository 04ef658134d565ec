# EPUB test book with problems the EPUB builder must report with file:line.
project = "EPUB Warnings Book"
author = "Ada Tester"
copyright = "2026, Ada Tester"
language = "en"
extensions = ["press"]
bibtex_bibfiles = []
