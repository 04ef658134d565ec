project = "Test Book"
author = "Tess Author"
copyright = "2026, Tess Author"
version = release = "1.0"
extensions = ["press"]
bibtex_bibfiles = ["refs.bib"]
nitpicky = True
press_subtitle = "A book for the tests"
# the index's names and tools (press.indexterms): every format lists them
press_index_terms = {
    "Able, Ada": ["Ada Able"],
    "Widget": [],
    "Widget; frobnicator": ["frobnicator"],
}
press_frontmatter_keys = ["extra_key"]  # beta/links.md keeps a key of its own (press.frontmatter_key)
