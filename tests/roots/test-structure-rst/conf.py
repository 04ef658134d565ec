# A reStructuredText book: parts from toctree captions, sub-pages in folders.
project = "RST Structure"
author = "A. Writer"
extensions = ["press"]
