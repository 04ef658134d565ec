project = "Clash Book"
extensions = ["press"]
bibtex_bibfiles = []
html_theme = "sphinx_book_theme"
