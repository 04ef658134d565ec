project = "Bad Input Base"
author = "Corpus Author"
copyright = "2026, Corpus Author"
version = release = "1.0"
extensions = ["press"]
bibtex_bibfiles = ["refs.bib"]
nitpicky = True
