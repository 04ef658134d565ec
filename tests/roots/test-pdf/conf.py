# A rich book for the PDF tests: every node the Typst writer must render.
project = "Proof Book"
author = "Ada Tester"
copyright = "2026, Ada Tester"
version = release = "2.5"
language = "en"
today = "2026-11-25"
extensions = ["press"]
bibtex_bibfiles = ["refs.bib"]
bibtex_default_style = "press"
bibtex_reference_style = "label"
numfig = True
numfig_format = {"figure": "Fig. %s", "table": "Table %s", "code-block": "Listing %s", "section": "Section %s"}
press_subtitle = "A test of every node"
myst_enable_extensions = ["colon_fence", "deflist", "dollarmath", "substitution", "attrs_inline", "attrs_block", "fieldlist"]
press_pdf_paper = "a4"
html_baseurl = "https://proof.example.org/"


# A node type the Typst writer has never heard of (see _ext/press_test_mystery.py).
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "_ext"))
extensions.append("press_test_mystery")
press_raw_typst = "allow"  # the proof book's raw Typst block is trusted (press.config)
