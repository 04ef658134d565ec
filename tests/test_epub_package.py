"""press.epub.package without a book: the navigation document and the NCX, rendered from
their templates (``press/epub/templates/``), are byte for byte the files the string-built
versions wrote (the expected texts below are their output)."""

from __future__ import annotations

from press.epub.package import NavItem, nav_document, ncx_document, xhtml_page

TOC = [
    NavItem("Part & one", "", [NavItem("Ch 1", "c1.xhtml", [NavItem("Sec", "c1.xhtml#s")]), NavItem("Ch 2", "c2.xhtml")]),
    NavItem("Back", "b.xhtml"),
]

HEAD = (
    '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n<html xmlns="http://www.w3.org/1999/xhtml" '
    'xmlns:epub="http://www.idpf.org/2007/ops" lang="en" xml:lang="en">\n<head>\n<meta charset="utf-8" />\n'
    '<title>Contents</title>\n<link rel="stylesheet" type="text/css" href="s.css" />\n</head>\n'
)


def test_nav_document():
    got = nav_document("en", "Contents", TOC, [("toc", "Contents", "nav.xhtml")], "s.css",
                       page_list=[NavItem("1", "c1.xhtml#p1")])
    assert got == HEAD + (
        '<body epub:type="frontmatter">\n'
        '<nav epub:type="toc" id="toc" role="doc-toc" aria-labelledby="toc-title">\n<h1 id="toc-title">Contents</h1>\n'
        "<ol>\n  <li><span>Part &amp; one</span>\n    <ol>\n      <li><a href=\"c1.xhtml\">Ch 1</a>\n        <ol>\n"
        '          <li><a href="c1.xhtml#s">Sec</a></li>\n        </ol>\n      </li>\n      <li><a href="c2.xhtml">Ch 2</a></li>\n'
        '    </ol>\n  </li>\n  <li><a href="b.xhtml">Back</a></li>\n</ol>\n</nav>\n'
        '<nav epub:type="landmarks" id="landmarks" aria-labelledby="landmarks-title" hidden="hidden">\n'
        '<h2 id="landmarks-title">Landmarks</h2>\n<ol>\n  <li><a epub:type="toc" href="nav.xhtml">Contents</a></li>\n'
        "</ol>\n</nav>\n"
        '<nav epub:type="page-list" id="page-list" role="doc-pagelist" aria-labelledby="page-list-title" hidden="hidden">\n'
        '<h2 id="page-list-title">Pages</h2>\n<ol>\n  <li><a href="c1.xhtml#p1">1</a></li>\n</ol>\n</nav>\n'
        "</body>\n</html>\n"
    )
    # without a page list, the landmarks close the body
    assert nav_document("en", "Contents", [], [], "s.css").endswith("<ol>\n</ol>\n</nav>\n</body>\n</html>\n")


def test_ncx_document():
    assert ncx_document("urn:x", "T <b>", "en", TOC) == (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1" xml:lang="en">\n  <head>\n'
        '    <meta name="dtb:uid" content="urn:x"/>\n    <meta name="dtb:depth" content="3"/>\n'
        '    <meta name="dtb:totalPageCount" content="0"/>\n    <meta name="dtb:maxPageNumber" content="0"/>\n  </head>\n'
        "  <docTitle><text>T &lt;b&gt;</text></docTitle>\n  <navMap>\n"
        '    <navPoint id="nav-1" playOrder="1">\n      <navLabel><text>Part &amp; one</text></navLabel>\n'
        '      <content src="c1.xhtml"/>\n'
        '      <navPoint id="nav-2" playOrder="1">\n        <navLabel><text>Ch 1</text></navLabel>\n'
        '        <content src="c1.xhtml"/>\n'
        '        <navPoint id="nav-3" playOrder="2">\n          <navLabel><text>Sec</text></navLabel>\n'
        '          <content src="c1.xhtml#s"/>\n        </navPoint>\n      </navPoint>\n'
        '      <navPoint id="nav-4" playOrder="3">\n        <navLabel><text>Ch 2</text></navLabel>\n'
        '        <content src="c2.xhtml"/>\n      </navPoint>\n    </navPoint>\n'
        '    <navPoint id="nav-5" playOrder="4">\n      <navLabel><text>Back</text></navLabel>\n'
        '      <content src="b.xhtml"/>\n    </navPoint>\n  </navMap>\n</ncx>\n'
    )


def test_xhtml_page_escapes_as_html_escape_does():
    page = xhtml_page("en", "It's \"A&B\"", "<p>x</p>", "s.css", body_type="cover")
    assert "<title>It&#x27;s &quot;A&amp;B&quot;</title>" in page
    assert page.endswith('<body epub:type="cover">\n<p>x</p>\n</body>\n</html>\n')
