project = "Web Test Book"
author = "Wes Author"
copyright = "2026, Wes Author"
version = release = "1.0"
extensions = ["press"]
bibtex_bibfiles = []
nitpicky = True
exclude_patterns = ["_dl"]
press_slug = "web-test"
press_site_url = "https://example.org/book"
# Stands in for the --out folder of `python -m press build pdf epub html`.
press_download_dir = "_dl"
html_theme = "sphinx_book_theme"
