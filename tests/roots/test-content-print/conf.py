# Content a reader accepts must never stop the PDF (issue 19, item 4), and content must never
# run as Typst code (issue 21): see tests/test_content_print.py.
project = "Content in print"
author = "A. Writer"
extensions = ["press"]
myst_enable_extensions = ["dollarmath", "strikethrough", "colon_fence"]
suppress_warnings = ["myst.strikethrough"]
mathjax3_config = {"tex": {"macros": {"R": "\\mathbb{R}"}}}
