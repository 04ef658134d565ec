"""The web book's HTML, read back: URLs, metadata, tags, downloads, search data, math.

Browser checks (rendering, offline use, axe) are in ``test_browser.py``; these
read the files the builds write.  ``tests/roots/test-web`` is a small book with
tags, math, code and stand-in PDF/EPUB files; the real ``source/`` is checked
through the ``real_book`` fixture.
"""

from __future__ import annotations

import json
import posixpath
import re
import zipfile
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from xml.etree import ElementTree

import pypdf
import pytest
from bs4 import BeautifulSoup

from press.config import slugify
from press.frontmatter import parse
from press.web import search

REPO = Path(__file__).resolve().parents[1]
SOURCE = REPO / "source"
SITE = "https://example.org/book/"
ROOT_DOCS = ["index", "sec/index", "sec/alpha", "sec/beta", "other/index", "other/gamma"]
REAL_SITE = "https://field-guide.example.org/"


def soup_of(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "lxml")


def front_matter(path: Path):
    return parse(path.read_text(encoding="utf-8")).meta


def real_docs() -> list[str]:
    """Every page of the real book, by its source path (``section/slug``)."""
    return sorted(p.relative_to(SOURCE).with_suffix("").as_posix() for p in SOURCE.rglob("*.md")
                  if p.name != "README.md" and not any(s.startswith("_") for s in p.relative_to(SOURCE).parts))


def resolve(page: Path, href: str) -> Path:
    """The file a relative link of ``page`` points to (no query, no fragment)."""
    path = urlsplit(href).path
    assert not urlsplit(href).scheme and not path.startswith("/"), f"{page.name}: link {href!r} is not relative"
    return (page.parent / path).resolve() if path else page.resolve()


def html_pages(outdir: Path) -> list[Path]:
    return sorted(p for p in outdir.rglob("*.html") if not p.relative_to(outdir).parts[0].startswith("_"))


@pytest.fixture(scope="module")
def web(build_root):
    built = build_root("web", "html")
    assert "WARNING" not in built.warnings, built.warnings
    return built


@pytest.fixture(scope="module")
def web_epub(build_root):
    return build_root("web", "epub")


# --- URLs -----------------------------------------------------------------------------


def test_every_real_page_keeps_its_published_path(real_book):
    docs = real_docs()
    assert "case-studies/karpathy-notes" in docs and len(docs) > 15
    for doc in docs:
        page = real_book.html / f"{doc}.html"
        assert page.is_file(), f"/{doc}.html is missing"
        canonical = soup_of(page).find("link", rel="canonical")
        assert canonical["href"] == f"{REAL_SITE}{doc}.html"


def test_test_root_pages_keep_their_paths(web):
    for doc in ROOT_DOCS:
        assert (web.outdir / f"{doc}.html").is_file(), doc


# --- metadata -------------------------------------------------------------------------


def test_description_opengraph_twitter_and_canonical(web):
    meta = front_matter(web.srcdir / "sec/alpha.md")
    soup = soup_of(web.outdir / "sec/alpha.html")

    def content(**attrs):
        tags = soup.find_all("meta", attrs=attrs)
        assert len(tags) == 1, attrs
        return tags[0]["content"]

    assert content(name="description") == meta.description
    assert content(property="og:description") == meta.description
    assert content(property="og:title") == meta.title
    assert content(property="og:url") == f"{SITE}sec/alpha.html"
    assert content(property="og:image").endswith("_static/press-social-card.png")
    assert content(name="twitter:card") == "summary_large_image"  # the card is a 1200×630 image
    assert content(name="twitter:title") == meta.title
    assert content(name="twitter:description") == meta.description
    assert soup.find("link", rel="canonical")["href"] == f"{SITE}sec/alpha.html"


def test_page_without_description_still_has_one(web):
    soup = soup_of(web.outdir / "other/gamma.html")
    description = soup.find("meta", attrs={"name": "description"})["content"]
    assert "Gamma has a tag" in description
    assert soup.find("meta", attrs={"name": "twitter:description"})["content"] == description


def test_real_book_pages_have_their_front_matter_description(real_book):
    for doc in real_docs():
        meta = front_matter(SOURCE / f"{doc}.md")
        soup = soup_of(real_book.html / f"{doc}.html")
        og = soup.find("meta", property="og:url")["content"]
        assert og == f"{REAL_SITE}{doc}.html"
        if meta.description:
            assert soup.find("meta", attrs={"name": "description"})["content"] == meta.description
            assert soup.find("meta", property="og:description")["content"] == meta.description


def test_sitemap_lists_every_page_and_tag_page(web):
    root = ElementTree.parse(web.outdir / "sitemap.xml").getroot()
    locs = {e.text for e in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}
    for doc in ROOT_DOCS:
        assert f"{SITE}{doc}.html" in locs
    assert f"{SITE}tags/index.html" in locs and f"{SITE}tags/two-words.html" in locs
    assert not any(loc.endswith(("search.html", "genindex.html", "404.html")) for loc in locs)
    assert all(loc.startswith(SITE) for loc in locs)


def test_real_book_sitemap(real_book):
    root = ElementTree.parse(real_book.html / "sitemap.xml").getroot()
    locs = {e.text for e in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}
    assert {f"{REAL_SITE}{doc}.html" for doc in real_docs()} <= locs


def test_404_page_uses_site_path(web, real_book):
    soup = soup_of(web.outdir / "404.html")
    assert "Page not found" in soup.get_text()
    css = [link["href"] for link in soup.find_all("link", rel="stylesheet")]
    assert css and all(href.startswith("/book/_static/") for href in css), css
    real = soup_of(real_book.html / "404.html")
    assert all(link["href"].startswith("/_static/") for link in real.find_all("link", rel="stylesheet"))


def test_copy_buttons_are_shipped(web):
    soup = soup_of(web.outdir / "sec/alpha.html")
    scripts = [s.get("src", "") for s in soup.find_all("script")]
    assert any("copybutton.js" in s for s in scripts)
    assert (web.outdir / "_static/copybutton.js").is_file()
    assert soup.select("div.highlight pre")


# --- tags -----------------------------------------------------------------------------


def expected_tags(srcdir: Path) -> dict[str, list[str]]:
    tags: dict[str, list[str]] = {}
    for page in sorted(srcdir.rglob("*.md")):
        if any(part.startswith("_") for part in page.relative_to(srcdir).parts):
            continue  # the build output (_build/html/_sources) lives inside test roots
        meta = front_matter(page)
        for tag in meta.tags:
            tags.setdefault(tag, []).append(page.relative_to(srcdir).with_suffix("").as_posix())
    return tags


def test_tag_index_lists_every_tag_with_its_count(web):
    tags = expected_tags(web.srcdir)
    soup = soup_of(web.outdir / "tags/index.html")
    items = soup.select("ul.press-tag-index > li")
    listed = {li.a.get_text(): li.select_one(".press-tag-count").get_text() for li in items}
    assert listed == {t: f"{len(d)} page" + ("" if len(d) == 1 else "s") for t, d in tags.items()}
    for li in items:
        assert resolve(web.outdir / "tags/index.html", li.a["href"]) == (web.outdir / f"tags/{slugify(li.a.get_text())}.html").resolve()


def test_tag_page_lists_pages_in_reading_order_with_descriptions(web):
    page = web.outdir / "tags/review.html"
    soup = soup_of(page)
    assert soup.select_one("article h1").get_text(strip=True).startswith("Tag: review")
    entries = soup.select("li.press-tag-page")
    targets = [resolve(page, li.a["href"]) for li in entries]
    assert targets == [(web.outdir / f"{d}.html").resolve() for d in ["sec/index", "sec/alpha", "sec/beta"]]
    alpha = entries[1]
    assert alpha.a.get_text() == "Alpha Page"
    assert alpha.select_one(".press-tag-page-description").get_text() == front_matter(web.srcdir / "sec/alpha.md").description
    assert "Section One" in alpha.select_one(".press-tag-page-section").get_text()
    assert soup.find("meta", attrs={"name": "description"})["content"].startswith("3 pages")


def test_tags_under_titles_link_their_tag_pages(web):
    page = web.outdir / "sec/alpha.html"
    links = soup_of(page).select(".press-pagemeta .press-tag a")
    assert [a.get_text() for a in links] == ["review", "Two Words"]
    for a in links:
        target = resolve(page, a["href"])
        assert target.is_file() and target.name == f"{slugify(a.get_text())}.html"


def test_every_page_has_the_tags_link_in_its_navigation(web):
    for page in html_pages(web.outdir):
        if page.name == "404.html":
            continue
        nav = soup_of(page).select_one("nav.bd-docs-nav a.press-tags-nav")
        assert nav is not None, page
        assert resolve(page, nav["href"]) == (web.outdir / "tags/index.html").resolve()


def index_items(page: Path) -> dict[str, list[str]]:
    """``{"entry": [href, ...], "entry; sub": [...]}`` of a genindex page."""
    items: dict[str, list[str]] = {}
    for li in soup_of(page).select("table.genindextable li"):
        links = li.find_all("a", recursive=False)
        name = links[0].get_text(strip=True) if links else li.find(string=True, recursive=False).strip()
        parent = li.find_parent("li")
        if parent is not None:
            name = f"{parent.find('a').get_text(strip=True)}; {name}"
        items[name] = [a["href"] for a in links]
    return items


def mentioning_pages(env, words: list[str]) -> set[str]:
    """The pages (``doc.html``) whose source mentions one of ``words``."""
    return {f"{doc}.html" for doc in env.found_docs
            if any(re.search(rf"(?<![\w.]){re.escape(w)}(?!\w)", Path(env.doc2path(doc)).read_text(encoding="utf-8")) for w in words)}


def test_index_lists_the_index_terms_linked_to_their_mentions(build_root):
    """genindex.html lists the names and tools of press_index_terms (sub-entries under their
    entry), each linked to its first mention in every page that mentions it (as the EPUB
    index does); every link reaches an id of its page."""
    built = build_root("book", "html")
    terms = built.app.config.press_index_terms
    assert len(terms) >= 3 and any(";" in e for e in terms)
    page = built.outdir / "genindex.html"
    items = index_items(page)
    for entry, words in terms.items():
        name, _, sub = (p.strip() for p in entry.partition(";"))
        hrefs = items[f"{name}; {sub}" if sub else name]
        expected = mentioning_pages(built.env, words or [name])
        assert len(expected) >= 2, entry  # mentions on several pages
        assert {h.partition("#")[0] for h in hrefs} == expected, entry
        for href in hrefs:
            target = resolve(page, href)
            fragment = urlsplit(href).fragment
            assert fragment.startswith("press-ix-") and soup_of(target).find(id=fragment) is not None, href
    # the anchor in a site link is inside it: the link keeps its text
    baker = soup_of(built.outdir / "alpha/baker.html")
    assert [a.get_text() for a in baker.select("a.press-sitelink") if a.select(".press-ix")] == ["frobnicator", "the Widget page"]


def test_every_page_links_the_index_only_when_the_book_has_one(build_root, web):
    built = build_root("book", "html")
    for page in html_pages(built.outdir):
        if page.name == "404.html":
            continue
        (link,) = soup_of(page).select("nav.bd-docs-nav a.press-index-nav")
        assert link.get_text(strip=True) == "Index"
        assert resolve(page, link["href"]) == (built.outdir / "genindex.html").resolve()
        current = page.name == "genindex.html"
        assert (link.get("aria-current") == "page") is current, page
        assert ("current" in link.find_parent("li")["class"]) is current, page
    # a book without glossary, index entries or index terms: no link to an empty index
    assert not web.env.get_domain("index").entries or not any(web.env.get_domain("index").entries.values())
    assert not soup_of(web.outdir / "sec/alpha.html").select("a.press-index-nav")


def test_real_book_has_a_page_per_tag(real_book):
    tags = expected_tags(SOURCE)
    assert len(tags) > 5
    for tag, docs in tags.items():
        page = real_book.html / f"tags/{slugify(tag)}.html"
        links = [resolve(page, a["href"]) for a in soup_of(page).select("li.press-tag-page > a")]
        assert sorted(links) == sorted((real_book.html / f"{d}.html").resolve() for d in docs)


def test_tag_pages_stay_out_of_epub_and_pdf(web_epub, real_book):
    names = [p.relative_to(web_epub.outdir).as_posix() for p in web_epub.outdir.rglob("*") if p.is_file()]
    assert not any(n.startswith("tags/") or n.endswith(("404.xhtml", "404.html")) for n in names), names
    alpha = BeautifulSoup((web_epub.outdir / "sec/alpha.xhtml").read_text(encoding="utf-8"), "xml")
    # the EPUB's opener is print's: the standfirst and "Revised <date>", no tag line (issue 23)
    assert alpha.select(".press-tag") == [] and not alpha.select(".press-tag a")
    with zipfile.ZipFile(real_book.epub) as z:
        assert not [n for n in z.namelist() if "/tags/" in n or n.startswith("tags/")]
    reader = pypdf.PdfReader(real_book.pdf)
    outline = []

    def walk(items):
        for item in items:
            walk(item) if isinstance(item, list) else outline.append(item.title)

    walk(reader.outline)
    assert outline and not [t for t in outline if t.startswith("Tag") or t == "Tags"]


def test_tag_slug_clashes_are_reported(build_root):
    built = build_root("web-clash", "html")
    assert "tags 'Code Review' and 'code-review' share the page tags/code-review.html" in built.warnings
    assert "tag 'index' would overwrite the tag index page" in built.warnings
    assert "[press.web]" in built.warnings
    assert (built.outdir / "tags/code-review.html").is_file()
    assert "index" not in [a.get_text() for a in soup_of(built.outdir / "tags/index.html").select(".press-tag-index a")]


# --- downloads ------------------------------------------------------------------------


def test_downloads_are_copied_and_linked_from_every_page(web):
    pdf, epub = web.outdir / "web-test.pdf", web.outdir / "web-test.epub"
    assert pdf.read_bytes() == (web.srcdir / "_dl/pdf/web-test.pdf").read_bytes()
    assert epub.read_bytes() == (web.srcdir / "_dl/epub/web-test.epub").read_bytes()
    pages = html_pages(web.outdir)
    assert len(pages) >= len(ROOT_DOCS) + 4
    for page in pages:
        if page.name == "404.html":
            continue
        soup = soup_of(page)
        links = {a.get_text(strip=True): a["href"] for a in soup.select(".press-downloads a.press-download")}
        assert set(links) == {"Download PDF", "Download EPUB", "Download web book (zip)"}, page
        assert resolve(page, links["Download PDF"]) == pdf.resolve()
        assert resolve(page, links["Download EPUB"]) == epub.resolve()
        zipped = web.outdir / "web-test-web.zip"  # press.web.offline
        assert resolve(page, links["Download web book (zip)"]) == zipped.resolve()
        header = soup.select(".dropdown-press-downloads a")
        assert {resolve(page, a["href"]) for a in header} == {pdf.resolve(), epub.resolve(), zipped.resolve()}


def test_missing_downloads_are_reported(build_root):
    built = build_root("web", "html", press_download_dir="nowhere")
    assert "no PDF at" in built.warnings and "no EPUB at" in built.warnings
    assert "[press.web]" in built.warnings
    assert not list(built.outdir.glob("*.pdf"))
    assert not soup_of(built.outdir / "sec/alpha.html").select(".press-downloads")


def test_real_book_carries_its_own_pdf_and_epub(real_book):
    assert (real_book.html / "field-guide.pdf").read_bytes() == real_book.pdf.read_bytes()
    assert (real_book.html / "field-guide.epub").read_bytes() == real_book.epub.read_bytes()
    for doc in real_docs():
        page = real_book.html / f"{doc}.html"
        hrefs = [a["href"] for a in soup_of(page).select(".press-downloads a")]
        assert {resolve(page, h) for h in hrefs} == {
            (real_book.html / name).resolve() for name in ("field-guide.pdf", "field-guide.epub", "field-guide-web.zip")
        }


# --- offline: math, no external resources, search data --------------------------------


def test_math_is_mathml_without_mathjax(web):
    soup = soup_of(web.outdir / "sec/alpha.html")
    maths = soup.find_all("math")
    assert [m["display"] for m in maths] == ["inline", "block"]
    assert maths[0]["alttext"] == "a^2 + b^2 = c^2"
    assert maths[1].find("mfrac") is not None
    assert not [s for s in soup.find_all("script") if "mathjax" in (s.get("src") or "").lower()]


def external_references(outdir: Path) -> list[str]:
    found = []
    for page in html_pages(outdir):
        soup = soup_of(page)
        for tag, attr in (("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src"), ("source", "src")):
            for el in soup.find_all(tag):
                url = el.get(attr) or ""
                if tag == "link" and not set(el.get("rel", [])) & {"stylesheet", "preload", "icon", "modulepreload", "prefetch"}:
                    continue
                if re.match(r"^(https?:)?//", url):
                    found.append(f"{page.name}: <{tag} {attr}={url}>")
    for css in outdir.rglob("*.css"):
        for url in re.findall(r"url\((['\"]?)(https?:)?//[^)]*\)", css.read_text(encoding="utf-8", errors="replace")):
            found.append(f"{css.name}: {url}")
        for imp in re.findall(r"@import\s+(?:url\()?['\"]?(?:https?:)?//[^;]+", css.read_text(encoding="utf-8", errors="replace")):
            found.append(f"{css.name}: {imp}")
    return found


def test_no_resource_is_loaded_from_outside_the_book(web, real_book):
    assert external_references(web.outdir) == []
    assert external_references(real_book.html) == []


def search_data(outdir: Path) -> dict[str, str]:
    text = (outdir / "_static" / search.DATA).read_text(encoding="utf-8")
    payload = text.split("window.PRESS_SEARCH_TEXT = ", 1)[1].rstrip().rstrip(";")
    return json.loads(payload)


def test_search_snippet_data_covers_every_page(web):
    data = search_data(web.outdir)
    assert set(data) == set(ROOT_DOCS)
    alpha = data["sec/alpha"]
    assert alpha.startswith('<div role="main">') and "zanzibarword" in alpha
    assert '<div id="display-math">' in alpha  # section anchors survive for anchored results
    assert "Download PDF" not in alpha and "headerlink" not in alpha and "<script" not in alpha
    soup = soup_of(web.outdir / "search.html")
    scripts = [s.get("src", "") for s in soup.find_all("script")]
    order = [next(i for i, s in enumerate(scripts) if name in s) for name in (search.DATA, search.SHIM, "searchtools.js")]
    assert order == sorted(order), scripts
    assert not any(search.DATA in (s.get("src") or "") for s in soup_of(web.outdir / "sec/alpha.html").find_all("script"))


def test_main_text_keeps_ids_and_drops_chrome():
    page = (
        '<html><body><nav>menu</nav><main role="main"><div class="bd-header-article">Download PDF</div>'
        '<section id="a"><h1>Title<a class="headerlink" href="#a">#</a></h1><p>One<br>two &amp; three</p>'
        '<script>var x = 1;</script><section id="b"><h2>B</h2><p>more</p></section></section></main>'
        "<footer>foot</footer></body></html>"
    )
    text = search.main_text(page)
    # (every block starts and ends a line: a date and a tag are never run together)
    assert text == '<div role="main"><div id="a">\nTitle\nOne two &amp; three\n<div id="b">\nB\nmore\n</div>\n</div></div>'


def test_real_book_search_data(real_book):
    data = search_data(real_book.html)
    assert set(data) == set(real_docs())
    assert all(len(text) > 100 for text in data.values())


def test_og_urls_are_absolute_site_urls(real_book):
    soup = soup_of(real_book.html / "tags/index.html")
    assert soup.find("meta", property="og:url")["content"] == urljoin(REAL_SITE, "tags/index.html")
    assert soup.find("link", rel="canonical")["href"] == urljoin(REAL_SITE, "tags/index.html")


# --- live preview -----------------------------------------------------------------------


@pytest.mark.book
def test_make_serve_previews_and_rebuilds_on_save(tmp_path):
    """The Makefile's ``serve`` recipe (``python -m press.serve``) on a copy of a small book
    (the guide itself is built by the session's ``real_book``; the preview's speed and its
    deferred builds are tested in test_serve.py and test_engine.py)."""
    import os
    import shutil
    import signal
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    recipe = next(line.strip() for line in (REPO / "Makefile").read_text().splitlines() if "press.serve" in line)
    assert recipe.split() == ["$(BIN)/python", "-m", "press.serve"]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    src = tmp_path / "book"
    shutil.copytree(REPO / "tests" / "roots" / "test-book", src)
    args = [sys.executable, "-m", "press.serve", "--source", str(src), "--conf", str(src),
            "--out", str(tmp_path / "out"), "--port", str(port)]
    proc = subprocess.Popen(args, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    url = f"http://127.0.0.1:{port}/alpha/able.html"

    def fetch() -> str:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                return r.read().decode()
        except OSError:
            return ""

    def wait_for(text: str, seconds: float = 90) -> bool:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if text in fetch():
                return True
            time.sleep(0.5)
        return False

    try:
        assert wait_for("Able Page", 300), "press serve did not serve the book"
        page = src / "alpha" / "able.md"
        page.write_text(page.read_text(encoding="utf-8") + "\n\nA sentence saved during the preview, zqxjkvword.\n", encoding="utf-8")
        assert wait_for("zqxjkvword"), "the saved change was not rebuilt"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def test_every_internal_link_of_the_real_book_resolves(real_book):
    """Relative links (navigation, tags, downloads, cross-references) reach a file and its anchor."""
    ids: dict[Path, set[str]] = {}

    def ids_of(path: Path) -> set[str]:
        if path not in ids:
            ids[path] = {el["id"] for el in soup_of(path).find_all(id=True)} if path.suffix == ".html" else set()
        return ids[path]

    checked = 0
    for page in html_pages(real_book.html):
        if page.name == "404.html":  # server-only: absolute /links
            continue
        for a in soup_of(page).find_all("a", href=True):
            href = a["href"]
            parts = urlsplit(href)
            if parts.scheme or href.startswith(("mailto:", "javascript:")) or not (parts.path or parts.fragment):
                continue
            target = resolve(page, href)
            assert target.is_file(), f"{page.relative_to(real_book.html)}: broken link {href}"
            if parts.fragment and target.suffix == ".html":
                assert parts.fragment in ids_of(target), f"{page.relative_to(real_book.html)}: no #{parts.fragment} in {href}"
            checked += 1
    assert checked > 1000


# ---- reading aids (issue 14): previews data, search button name, brand landmark ------------


def test_link_previews_data_from_the_real_book(real_book):
    data_js = (real_book.html / "_static" / "press-previews-data.js").read_text(encoding="utf-8")
    data = json.loads(data_js.split("window.PRESS_PREVIEWS = ", 1)[1].rstrip().rstrip(";"))
    bib = soup_of(real_book.html / "bibliography.html")
    entries = {k: v for k, v in data.items() if k.startswith("bibliography.html#")}
    assert len(entries) > 30
    for key, item in entries.items():
        entry = bib.find(id=key.split("#", 1)[1])
        assert entry is not None and "citation" in entry["class"]
        assert item["x"][:40] in " ".join(entry.get_text(" ").split())
    figures = [v for k, v in data.items() if "#fig-" in k]
    assert figures and all(v["t"].startswith("Fig. ") for v in figures)
    chapter = soup_of(real_book.html / "guide" / "adoption-curve.html")
    scripts = [s.get("src", "") for s in chapter.find_all("script")]
    assert any(s.endswith("_static/press-previews-data.js") for s in scripts)
    # every target of an internal link in the chapter's text that has a preview is a real id
    for a in chapter.select("article a.reference.internal[href*='#']"):
        page, frag = a["href"].split("#", 1)
        key = posixpath.normpath((Path("guide") / page).as_posix() if page else "guide/adoption-curve.html") + "#" + frag
        if key in data:
            target = soup_of(real_book.html / key.split("#")[0])
            assert target.find(id=frag) is not None, key


def test_search_button_named_by_its_text_and_brand_in_a_landmark(web):
    page = soup_of(Path(web.outdir) / "index.html")
    buttons = page.select("button.search-button-field")
    assert buttons
    for button in buttons:
        assert not button.has_attr("aria-label")
        assert " ".join(button.get_text(" ").split()) == "Search Ctrl + K"
    brand = page.select_one("a.navbar-brand")
    assert brand.find_parent("nav")["aria-label"] == "Book home"
    assert not page.select(".navbar-persistent--container .search-button-field")


# --- issue 23: the front page's title, the zip's size, compounds, search snippets -------------


def test_front_page_title_is_the_book_title_once(real_book):
    soup = soup_of(real_book.html / "index.html")
    title = soup.title.get_text()
    assert title == "The Field Guide to AI-Assisted Software Development", title
    chapter = soup_of(real_book.html / "guide/adoption-curve.html").title.get_text()
    assert chapter.startswith("The Adoption Curve") and chapter.endswith("Software Development")


def test_every_download_shows_its_size_the_zip_too(real_book):
    sizes = (real_book.html / "_static" / "press-download-sizes.js").read_text(encoding="utf-8")
    data = json.loads(re.search(r"var sizes = (\{.*?\});", sizes).group(1))
    assert set(data) == {"pdf", "epub", "zip"}, data
    assert all(re.fullmatch(r"\d+(\.\d)? (MB|KB)", v) for v in data.values()), data
    zip_bytes = next(real_book.html.glob("*-web.zip")).stat().st_size
    assert data["zip"] == (f"{zip_bytes / 1_048_576:.1f} MB" if zip_bytes >= 102_400 else f"{max(1, round(zip_bytes / 1024))} KB")


def test_hyphenated_compounds_are_kept_whole():
    from press.web.a11y import nowrap_compounds

    assert nowrap_compounds('<h1 id="ai-assisted">The AI-Assisted <a href="#a-b">x-y</a></h1>') == (
        '<h1 id="ai-assisted">The <span class="press-nowrap">AI-Assisted</span> '
        '<a href="#a-b"><span class="press-nowrap">x-y</span></a></h1>'
    )
    assert nowrap_compounds("well—known, e-mail’s") == 'well—known, <span class="press-nowrap">e-mail’s</span>'


def test_search_snippets_keep_blocks_apart_and_anchor_paragraphs():
    from press.web.search import main_text

    page = ('<html><body><main role="main"><div class="press-pagemeta"><p>Lead.</p><div class="press-byline">'
            '<time>2026-11-20</time><ul class="press-tags"><li>harness</li></ul></div></div>'
            '<section id="s"><h2>Title</h2><p>Some <span id="index-0">word</span> in a sentence.</p>'
            '<p>One</p><p>Two</p></section></main></body></html>')
    text = main_text(page)
    assert "2026-11-20" not in text and "harness" not in text  # the date and tags: not page text
    assert "OneTwo" not in text and "Lead.Title" not in text
    assert '<div id="index-0">Some word in a sentence.</div>' in text  # a word's anchor shows its paragraph


def test_bibliography_entries_are_list_items(real_book):
    soup = soup_of(real_book.html / "bibliography.html")
    lists = soup.select('[role="list"]')
    assert lists and all(c.get("role") == "listitem" for ul in lists for c in ul.find_all(recursive=False))
    assert "doc-biblioentry" not in (real_book.html / "bibliography.html").read_text(encoding="utf-8")
