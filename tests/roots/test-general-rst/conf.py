# A plain reStructuredText project: press and nothing else (no bibliography, no front matter).
project = "Plain Project"
author = "A. Writer"
extensions = ["press"]
