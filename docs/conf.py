# The Field Guide Press manual — itself a press book: `make docs` builds it strictly into
# docs/_build/{pdf,epub,html}. Its reference pages are generated from the code (press.manual).

project = "Field Guide Press"
author = "Field Guide Press"
copyright = "2026, Field Guide Press"
version = release = "0.2"
language = "en"

extensions = ["press", "press.manual"]

root_doc = "index"
exclude_patterns = ["_build", "**/README.md"]
nitpicky = True

press_slug = "press-manual"
press_subtitle = "Write a book in Markdown; publish it as a web book, a PDF and an EPUB"
press_authors = ["Field Guide Press"]
press_pdf_paper = "a4"
press_license = "The manual, like press, is released under the MIT License."

html_title = "Field Guide Press manual"
