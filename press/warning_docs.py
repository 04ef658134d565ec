"""An example message and its fix for every ``press.*`` warning subtype (the manual's reference).

Keyed by :class:`press.warnings_.PressWarning` value.  ``tests/test_manual.py`` fails when a
subtype has no entry here, so a new warning is documented when it is added: append
``"subtype": (example, fix)`` with a message the build really prints (``file:line: ERROR: …``)
and what the author changes.
"""

from __future__ import annotations

#: subtype -> (an example of the message, how to fix it)
EXAMPLES: dict[str, tuple[str, str]] = {
    "config": (
        "conf.py:19: ERROR: press_pdf_paper = 'a5' is not allowed: choose one of 'a4', 'us-letter', '6x9' "
        "[press.config]",
        "Correct the setting on the line named (the message lists the allowed values, or the setting you "
        "probably meant); the settings reference lists every `press_*` name.",
    ),
    "frontmatter_yaml": (
        "source/intro.md:3: ERROR: malformed YAML front matter: mapping values are not allowed here "
        "[press.frontmatter_yaml]",
        "Fix the YAML between the two `---` lines: quote a value that holds a colon "
        "(`title: \"Agents: a field guide\"`), close the header with a second `---`.",
    ),
    "frontmatter_field": (
        "source/intro.md:4: ERROR: 'weight' must be an integer, got str 'first' [press.frontmatter_field]",
        "Give the field the type the front matter reference names (a whole number for `weight`, a list for "
        "`tags`, `YYYY-MM-DD` for `date`), or give the page a `title`.",
    ),
    "heading": (
        "source/intro.md:9: ERROR: body heading '# Overview' differs from the front matter title 'Introduction': "
        "the title comes from the front matter and the body starts at '##' [press.heading]",
        "Make the body's sections `##` headings; the page title is the header's `title`.",
    ),
    "mojibake": (
        "source/intro.md:12: ERROR: mojibake (UTF-8 read as cp1252) in 'â€™'; repaired text: "
        "\"the author's note\" [press.mojibake]",
        "Replace the garbled characters with the repaired text the message shows (the build already used it).",
    ),
    "sitelink_page": (
        "source/intro.md:14: ERROR: site link '/guide/setup.html': no page at '/guide/setup.html' "
        "(did you mean '/guide/set-up.html'?) [press.sitelink_page]",
        "Link to a page that exists (its web address from the site root), usually the one suggested.",
    ),
    "sitelink_anchor": (
        "source/intro.md:16: ERROR: site link '/guide/set-up.html#instal': page 'guide/set-up' has no heading "
        "with anchor #instal (did you mean 'install'?) [press.sitelink_anchor]",
        "Use the heading's anchor: its text in lower case, spaces as hyphens, punctuation dropped.",
    ),
    "typst_node": (
        "source/intro.md:20: ERROR: the Typst writer cannot render a 'math_block_custom' node yet; its content is "
        "kept as plain text [press.typst_node]",
        "Use a construct the PDF supports (Markdown, MyST directives of the writing guide), or silence it with "
        "`suppress_warnings = [\"press.typst_node\"]` when the plain text is acceptable.",
    ),
    "typst_math": (
        "source/maths.md:8: ERROR: cannot convert LaTeX math '\\\\begin{tikzcd}…' to Typst: unsupported environment "
        "[press.typst_math]",
        "Write the formula with the LaTeX math MathJax and Typst share (no packages such as tikz-cd), or give "
        "the figure as an image.",
    ),
    "typst_compile": (
        "source/intro.md:30: ERROR: Typst: unknown font family: \"Fira Sans\" [press.typst_compile]",
        "Fix what Typst names (a font: `press_pdf_font_paths`; a design override in `book.typ`: its line); "
        "the location points at the page that produced the text.",
    ),
    "raw": (
        "source/intro.md:40: ERROR: raw 'latex' content is skipped in the PDF [press.raw]",
        "Use Markdown instead of raw output, or raw blocks for each format (`{raw} html`, `{raw} typst`); "
        "silence it if the format may go without.",
    ),
    "epub": (
        "ERROR: guide/set-up.xhtml: link to 'missing.xhtml', which is not a page of the EPUB [press.epub]",
        "Fix the link or include the page it names (an `{only}` block or an excluded page can leave it out).",
    ),
    "image_alt": (
        "source/intro.md:22: ERROR: image 'img/diagram.svg' has no alternative text (add :alt: or ![text](...)) "
        "[press.image_alt]",
        "Say what the image shows: `![A diagram of the pipeline](img/diagram.svg)` or `:alt:` on a figure.",
    ),
    "epub_math": (
        "source/maths.md:8: ERROR: cannot convert math to MathML: unknown command \\\\foo: '\\\\foo{x}' "
        "[press.epub_math]",
        "Use standard LaTeX math commands (the EPUB carries MathML, converted by latex2mathml).",
    ),
    "web": (
        "ERROR: tag 'index' would overwrite the tag index page index.html: rename the tag [press.web]",
        "Do what the message says (rename the tag, move the page, build the PDF and EPUB before the web book).",
    ),
    "mathml": (
        "source/maths.md:8: ERROR: cannot convert math to MathML (ParseError: …): '\\\\foo{x}' [press.mathml]",
        "Use standard LaTeX math commands; the web book shows the source of a formula it cannot convert.",
    ),
    "encoding": (
        "source/notes.md:3: ERROR: the page is not UTF-8 (byte e9 cannot be decoded; it looks like cp1252); "
        "convert it with: iconv -f cp1252 -t utf-8 source/notes.md > source/notes.md.utf8 && mv "
        "source/notes.md.utf8 source/notes.md [press.encoding]",
        "Run the command in the message (or save the file as UTF-8 in your editor).",
    ),
    "containment": (
        "source/intro.md:5: ERROR: '../../secrets.txt' is outside the project (/home/me/secrets.txt): pages may "
        "only include files under source/ or press_allowed_paths [press.containment]",
        "Move the file into the book, or name its folder in `press_allowed_paths` if the book's owner trusts it.",
    ),
    "raw_html": (
        "source/intro.md:50: ERROR: raw HTML sanitised: removed <script>, onclick (scripts, event handlers and "
        "javascript: URLs never reach readers; …) [press.raw_html]",
        "Remove the script or handler, or set `press_raw_html = \"allow\"` when every author is trusted.",
    ),
    "svg": (
        "source/intro.md:24: ERROR: SVG image 'img/chart.svg' has active content (script) and is left out: remove "
        "it from the file (or export a plain SVG / PNG) [press.svg]",
        "Export the drawing again as a plain SVG (no scripts, no external references) or as a PNG.",
    ),
    "frontmatter_key": (
        "source/intro.md:4: ERROR: unknown front matter key 'wieght' (did you mean 'weight'?); keys of your own go "
        "in press_frontmatter_keys [press.frontmatter_key]",
        "Correct the key (the suggestion is the closest key press or MyST reads), or list a key of your own in "
        "`press_frontmatter_keys` in conf.py.",
    ),
    "jupyterbook_config": (
        "_config.yml:7: ERROR: unknown Jupyter Book setting 'exclude_pattern' at the top level of _config.yml: "
        "it is not used (did you mean 'exclude_patterns'?) [press.jupyterbook_config]",
        "Correct the key in `_config.yml` (the suggestion is the closest key Jupyter Book 1 documents), or "
        "remove it; under `sphinx: config:` use a setting of Sphinx or of a loaded extension.",
    ),
    "notebook": (
        "source/analysis.ipynb:1: ERROR: this notebook is to be executed (nb_execution_mode 'cache') but its "
        "kernel 'python3' is not installed: install it (e.g. `pip install ipykernel` for python3) or set "
        "execute_notebooks: off to use the stored outputs [press.notebook]",
        "Install the kernel the message names, or build from the outputs stored in the notebook "
        "(`execute_notebooks: off`).",
    ),
    "unsafe_url": (
        "source/intro.md:12: ERROR: link to 'javascript:alert(1)' left out: only http, https, mailto or relative "
        "links reach readers [press.unsafe_url]",
        "Link to a web address or a page of the book; the link's text stays in place meanwhile.",
    ),
    "active_file": (
        "source/intro.md:18: ERROR: download 'files/demo.html' could run script in a reader's browser (<script>) "
        "and is left out: offer it zipped, as plain text, or without the active parts [press.active_file]",
        "Offer the file zipped or as plain text, or remove its scripts.",
    ),
    "network": (
        "source/data.md:9: ERROR: csv-table :url: would fetch 'https://example.org/data.csv' during the build: the "
        "build makes no network request; save the file into the book and use :file: [press.network]",
        "Save the file into the book and use `:file:`, or set `press_allow_network = True` if every author is "
        "trusted. For `intersphinx_mapping` (`conf.py:LINE: … the inventories of 'python' are on the network`), "
        "save the project's `objects.inv` beside `conf.py` and name it as the entry's inventory: "
        "`{'python': ('https://docs.python.org/3', 'python-objects.inv')}`.",
    ),
    "limit": (
        "source/huge.md:1: ERROR: page is 2,400,000 bytes, over the budget of 1,000,000 (press_max_page_bytes): "
        "split it into several pages [press.limit]",
        "Split or simplify the page, or raise the `press_max_*` budget the message names.",
    ),
    "bibtex": (
        "source/references.bib:41: ERROR: the bibliography cannot be read: syntax error in line 41: '}' expected; "
        "entries after this point may be missing [press.bibtex]",
        "Fix the BibTeX entry at the line named (a missing brace or comma, most often).",
    ),
    "structure": (
        "guide/index.md: ERROR: 'guide/setup' is listed in more than one toctree (also in the toctree of "
        "'intro'); the book shows it once, where it is first listed [press.structure]",
        "List each page in one toctree only; link to it from elsewhere with `{doc}` or a Markdown link.",
    ),
    "glyph": (
        "source/intro.md:12: ERROR: no font of the PDF has U+1F44B WAVING HAND SIGN ('\U0001f44b'): a placeholder "
        "is printed (add a font with the character: press_pdf_font_paths, press_pdf_fallback_fonts) [press.glyph]",
        "Name a font that has the character in `press_pdf_fallback_fonts` (or its folder in "
        "`press_pdf_font_paths`), or write the character another way.",
    ),
    "control_char": (
        "source/console.md:3: ERROR: control character(s) U+001B removed from the text [press.control_char]",
        "Remove the control characters from the page (often terminal colour codes pasted from a console); "
        "notebook outputs are cleaned for you.",
    ),
    "raw_typst": (
        "source/intro.md:30: ERROR: raw Typst content would run as code in the PDF; it is left out. Set "
        "press_raw_typst = 'allow' in conf.py if every author of this book is trusted (or 'drop' to leave such "
        "content out silently) [press.raw_typst]",
        "Write the content in Markdown, or set `press_raw_typst = \"allow\"` when every author is trusted "
        "(`\"drop\"` leaves it out); Typst packages (`@preview/…`) are never imported.",
    ),
    "reference": (
        "source/intro.md:14: ERROR: undefined label: 'first-lable' (did you mean 'first-label'?) [press.reference]",
        "Correct the target to an existing label, term, page or heading (usually the one suggested), or add the "
        "label the reference names.",
    ),
    "citation": (
        "source/intro.md:8: ERROR: could not find bibtex key \"knuth1948\" (did you mean 'knuth1984'?) "
        "[press.citation]",
        "Correct the key to one of the bibliography's (usually the one suggested), or add the entry to the `.bib` "
        "file.",
    ),
}
