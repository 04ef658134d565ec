# Common ecosystem extensions whose HTML is not valid EPUB XHTML as it comes (issue 19):
# myst-nb hidden cells, sphinx-proof ids, sphinx-inline-tabs inputs, sphinx-togglebutton,
# a block substitution inside a table cell, and a book with launch buttons/thebe settings.
project = "Extensions"
author = "A. Writer"
extensions = ["press", "myst_nb", "sphinx_proof", "sphinx_inline_tabs", "sphinx_togglebutton"]
nb_execution_mode = "off"
myst_enable_extensions = ["colon_fence", "dollarmath", "substitution"]
myst_substitutions = {"block": "A paragraph\n\nand another one."}
html_theme_options = {
    "launch_buttons": {"colab_url": "https://colab.research.google.com", "thebe": True},
    "repository_url": "https://github.com/example/book",
    "use_repository_button": True,
}
suppress_warnings = ["mystnb.unknown_mime_type"]
