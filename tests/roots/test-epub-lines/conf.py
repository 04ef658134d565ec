# EPUB test book: a problem found only in the written XHTML is reported at the author's file:line.
project = "EPUB Lines Book"
author = "Ada Tester"
copyright = "2026, Ada Tester"
language = "en"
extensions = ["press"]
