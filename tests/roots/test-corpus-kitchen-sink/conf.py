# The kitchen sink of sphinx-book-theme's documentation (see ORIGIN and LICENSE), built as a
# user with an existing reStructuredText tree would try Field Guide Press: this conf.py is ours
# (the original project's conf.py is not part of the corpus); the pages are unchanged.
# src/sphinx_book_theme/__init__.py is the file the pages literalinclude from the original
# repository (copied from the pinned sphinx-book-theme wheel, same project and licence).
project = "Kitchen Sink"
author = "Pradyun Gedam and the Executable Books Project"
copyright = "2021, Pradyun Gedam"
# press, plus the two Sphinx extensions the pages use (``.. todo::``, ``.. automodule::``).
extensions = ["press", "sphinx.ext.autodoc", "sphinx.ext.todo"]
todo_include_todos = True
# The pages' images have no alternative text; that is the pages' matter, not the build's.
suppress_warnings = ["press.image_alt"]
# ``press build`` is nitpicky: every cross-reference must resolve.  Two in these pages point
# at nothing in the tree (grammar tokens the production list never defines, and a class of a
# module the pages never document), so, as a user would, we name them here.
nitpick_ignore = [("token", "suite"), ("token", "expression"), ("token", "target"),
                  ("py:class", "api_sample.RandomNumberGenerator")]
root_doc = "docs/reference/kitchen-sink/index"
exclude_patterns = ["_build", "src"]
html_theme = "sphinx_book_theme"

