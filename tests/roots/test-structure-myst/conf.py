# A MyST book with the author's own structure: captioned parts, a numbered part, pages in
# folders with index pages, a page nested below a chapter, a front and a back matter page.
project = "Structure Book"
author = "A. Writer"
extensions = ["press"]
