"""Pack a PDF's objects into compressed object streams: ``python pack.py RAW OUT``.

Typst writes every PDF object uncompressed, and a tagged book is mostly objects (the
PDF/UA structure tree of a 623-page book is 17,500 of them, 60% of the file).  qpdf,
through pikepdf, rewrites the file with those objects in compressed object streams;
page content, tags, XMP metadata, outline and links are copied as they are, and the
file ID is derived from the content, so the same book gives the same bytes.

:mod:`press.typst.builder` runs this file as a short child process (by path, so it
imports pikepdf and nothing of Sphinx): qpdf's memory is then never added to the
build's, which already holds Typst's layout of the whole book, and the work runs on
another core while the EPUB and the web book are written.
"""

from __future__ import annotations

import sys

import pikepdf


def pack(raw: str, out: str) -> None:
    with pikepdf.open(raw) as doc:
        doc.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate, compress_streams=True,
                 recompress_flate=False, deterministic_id=True)


if __name__ == "__main__":
    pack(sys.argv[1], sys.argv[2])
