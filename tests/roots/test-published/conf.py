project = "Published Form"
author = "Field Guide Press"
version = release = "1.0"
extensions = ["press"]
bibtex_bibfiles = []
nitpicky = True
