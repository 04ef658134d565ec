# The kitchen sink of sphinx-book-theme's documentation (see ORIGIN and LICENSE), built as a
# user with an existing reStructuredText tree would try Field Guide Press: this conf.py is ours
# (the original project's conf.py is not part of the corpus); the pages are unchanged.
# src/sphinx_book_theme/__init__.py is the file the pages literalinclude from the original
# repository (copied from the pinned sphinx-book-theme wheel, same project and licence).
project = "Kitchen Sink"
author = "Pradyun Gedam and the Executable Books Project"
copyright = "2021, Pradyun Gedam"
# The pages use autodoc (automodule:: datetime) and the todo directive, as the original
# project's conf.py enabled them.
extensions = ["press", "sphinx.ext.autodoc", "sphinx.ext.todo"]
root_doc = "docs/reference/kitchen-sink/index"
exclude_patterns = ["_build", "src"]
html_theme = "sphinx_book_theme"

# press loads sphinxcontrib-bibtex, which refuses to start without this setting (this
# project has no bibliography).
bibtex_bibfiles = []
