"""One reproducible zip writer, for the EPUB (:mod:`press.epub.builder`) and the web book's
offline copy (:mod:`press.web.offline`).

Same bytes for the same files: entries in the order given, every date the build's
``SOURCE_DATE_EPOCH`` (zip cannot store dates before 1980, so earlier ones are 1980-01-01),
every entry a regular file with mode 0644 made on Unix, nothing from the machine
(no owner, no extra fields).  The zip is written beside ``target`` and moved into place,
so a reader never sees half a file.

``reuse=True`` (the web book's zip, rebuilt after every edit): an entry whose data equals
the same entry of the zip already at ``target`` (same name, size and CRC, and its stored
deflate stream inflates to the same bytes) is copied compressed instead of being deflated
again; the zip's comment names the deflate level, so a zip made at another level is never
reused.  The bytes are those of a zip written from scratch: deflate is deterministic for one
level, and the archive is laid out as :mod:`zipfile` lays it out (``tests/test_reprozip.py``).
"""

from __future__ import annotations

import struct
import time
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

#: 1980-01-01, the first date a zip can store
ZIP_EPOCH = 315532800
#: ZIP format (APPNOTE 4.3.7, 4.3.12, 4.3.16): local header, central directory entry, end record
_LOCAL = struct.Struct("<4s2B4HL2L2H")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_END = struct.Struct("<4s4H2LH")
_VERSION = 20  # 2.0: deflate (what zipfile writes for these entries)
_UNIX = 3
_MODE = 0o100644 << 16  # a regular file, rw-r--r--
_UTF8_NAME = 0x800
_LIMIT = 0xFFFF_FFFF  # beyond it an entry needs ZIP64: written by zipfile instead


#: files that are compressed already (images, fonts, PDFs, archives): deflating them again
#: costs time and saves almost nothing (a notebook book's PNGs, the web book's copy of the PDF)
PACKED = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".woff", ".woff2", ".pdf", ".zip", ".epub", ".gz", ".mp4",
          ".webm", ".mp3", ".ogg")


def write_zip(target: Path, entries: Iterable[tuple[str, bytes | None]], epoch: int | None, *,
              stored: tuple[str, ...] = (), level: int = 9, reuse: bool = False, store_packed: bool = False,
              packed: dict[str, Packed] | None = None) -> None:
    """Write ``entries`` (``(name in the zip, data)``) to ``target``; names in ``stored``
    are not compressed (the EPUB's ``mimetype``), nor, with ``store_packed``, files of the
    :data:`PACKED` kinds; ``level``: the deflate effort; ``reuse``: take unchanged entries'
    compressed data from the zip at ``target`` (see above); ``packed``: entries made ahead by
    a :class:`Packer` with the same settings, given here as ``(name, None)`` (the web book's
    zip: its pages are packed while the build waits for the PDF)."""
    stamp = time.gmtime(max(epoch if epoch is not None else ZIP_EPOCH, ZIP_EPOCH))[:6]
    partial = target.with_name(f".{target.name}.part")
    items = list(entries)
    ahead = packed or {}
    sizes = sum(len(n) + (ahead[n].size if d is None else len(d)) + 100 for n, d in items)
    if sizes * 1.05 >= _LIMIT or len(items) >= 0xFFFF:
        whole = [(n, d if d is not None else ahead[n].data()) for n, d in items]
        packer = Packer(target, level=level, reuse=False, stored=stored, store_packed=store_packed)
        _write_with_zipfile(partial, whole, stamp, frozenset(n for n, _ in whole if packer.stores(n)), level,
                            packer.comment if reuse else b"")
    else:
        packer = Packer(target, level=level, reuse=reuse, stored=stored, store_packed=store_packed)
        try:
            _write(partial, [(n, ahead[n] if d is None else packer.pack(n, d)) for n, d in items], stamp,
                   packer.comment)
        finally:
            packer.close()
    partial.replace(target)


@dataclass(frozen=True)
class Packed:
    """One entry's data as the zip holds it: method, CRC-32, size, compressed bytes."""

    method: int
    crc: int
    size: int
    raw: bytes

    def data(self) -> bytes:
        return self.raw if self.method == zipfile.ZIP_STORED else zlib.decompress(self.raw, -15)


class Packer:
    """Entries packed as :func:`write_zip` packs them (its ``stored``, ``store_packed``,
    ``level`` and ``reuse``), one at a time."""

    def __init__(self, target: Path, *, level: int = 9, reuse: bool = False, stored: tuple[str, ...] = (),
                 store_packed: bool = False) -> None:
        self.level, self.stored, self.store_packed = level, frozenset(stored), store_packed
        self.comment = f"press: deflate level {level}".encode() if reuse else b""
        self.old = _OldZip(target, self.comment) if reuse else None

    def stores(self, name: str) -> bool:
        return name in self.stored or (self.store_packed and name.lower().endswith(PACKED))

    def pack(self, name: str, data: bytes) -> Packed:
        method = zipfile.ZIP_STORED if self.stores(name) else zipfile.ZIP_DEFLATED
        crc = zlib.crc32(data)
        raw = self.old.raw(name, data, crc, method) if self.old is not None else None
        if raw is None:
            if method == zipfile.ZIP_STORED:
                raw = data
            else:
                deflate = zlib.compressobj(self.level, zlib.DEFLATED, -15)
                raw = deflate.compress(data) + deflate.flush()
        return Packed(method, crc, len(data), raw)

    def close(self) -> None:
        if self.old is not None:
            self.old.close()


def _write_with_zipfile(partial: Path, items: list[tuple[str, bytes]], stamp: tuple, stored: frozenset[str],
                        level: int, comment: bytes) -> None:
    with zipfile.ZipFile(partial, "w") as z:
        for name, data in items:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED
            info.create_system = _UNIX  # Unix, whatever the machine
            info.external_attr = _MODE
            z.writestr(info, data, compresslevel=None if name in stored else level)
        z.comment = comment


class _OldZip:
    """The zip already at ``target``: its entries' compressed data, if it was written at the
    same level (same comment)."""

    def __init__(self, target: Path, comment: bytes) -> None:
        self.fp = None
        self.infos: dict[str, zipfile.ZipInfo] = {}
        try:
            with zipfile.ZipFile(target) as z:
                if z.comment != comment:
                    return
                self.infos = {i.filename: i for i in z.infolist()}
            self.fp = open(target, "rb")  # noqa: SIM115 - closed by close()
        except (OSError, zipfile.BadZipFile):
            self.infos = {}

    def raw(self, name: str, data: bytes, crc: int, method: int) -> bytes | None:
        """The compressed bytes of ``name`` if they inflate to ``data``; else None."""
        info = self.infos.get(name)
        if (self.fp is None or info is None or info.file_size != len(data) or info.CRC != crc
                or info.compress_type != method or info.flag_bits & ~_UTF8_NAME):
            return None
        try:
            self.fp.seek(info.header_offset)
            head = self.fp.read(_LOCAL.size)
            if len(head) != _LOCAL.size or head[:4] != b"PK\x03\x04":
                return None
            fields = _LOCAL.unpack(head)
            self.fp.seek(fields[-2] + fields[-1], 1)
            raw = self.fp.read(info.compress_size)
            same = raw == data if method == zipfile.ZIP_STORED else zlib.decompress(raw, -15) == data
        except (OSError, zlib.error):
            return None
        return raw if same else None

    def close(self) -> None:
        if self.fp is not None:
            self.fp.close()


def _write(partial: Path, items: list[tuple[str, Packed]], stamp: tuple, comment: bytes) -> None:
    """The archive :func:`_write_with_zipfile` writes, byte for byte, from packed entries."""
    year, month, day, hour, minute, second = stamp
    dosdate = (year - 1980) << 9 | month << 5 | day
    dostime = hour << 11 | minute << 5 | (second // 2)
    central = []
    offset = 0
    with open(partial, "wb") as out:
        for name, entry in items:
            method, crc, raw = entry.method, entry.crc, entry.raw
            try:
                encoded, flags = name.encode("ascii"), 0
            except UnicodeEncodeError:
                encoded, flags = name.encode("utf-8"), _UTF8_NAME
            out.write(_LOCAL.pack(b"PK\x03\x04", _VERSION, 0, flags, method, dostime, dosdate, crc, len(raw),
                                  entry.size, len(encoded), 0))
            out.write(encoded)
            out.write(raw)
            central.append(_CENTRAL.pack(b"PK\x01\x02", _VERSION, _UNIX, _VERSION, 0, flags, method, dostime, dosdate,
                                         crc, len(raw), entry.size, len(encoded), 0, 0, 0, 0, _MODE, offset) + encoded)
            offset += _LOCAL.size + len(encoded) + len(raw)
        directory = b"".join(central)
        out.write(directory)
        out.write(_END.pack(b"PK\x05\x06", 0, 0, len(central), len(central), len(directory), offset, len(comment)))
        out.write(comment)
