"""Files uploaded by an editor, checked before the importer sees them: size, type by name and by
content, and for a zipped Shapefile every member (no paths out of the folder, no zip bomb).

A rejected upload raises UploadRejected with a label key of `app_pages.i18n` and its values, so
the page says what was wrong in the visitor's language.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from inventory.formats import FORMATS, SNIFF_BYTES, claiming, upload_types
from inventory.limits import MAX_UNZIPPED_BYTES, MAX_ZIP_MEMBERS

MAX_UPLOAD_MB = 50  # also `server.maxUploadSize` in .streamlit/config.toml
UNZIP_CHUNK_BYTES = 1 << 20
"""Bytes inflated at a time from a ZIP member (the memory one member costs while unpacked)."""
UPLOAD_TYPES = tuple(upload_types())
"""Extensions the upload takes: every format the registry reads (`inventory.formats`), and a zipped Shapefile."""
SHAPEFILE_PARTS = {".shp", ".shx", ".dbf", ".prj", ".cpg"}


class UploadRejected(ValueError):
    def __init__(self, key: str, **values) -> None:
        super().__init__(f"{key} {values}")
        self.key, self.values = key, values


def _kind_of_content(data: bytes) -> str:
    """The name of the format the first bytes show (the registry's content tests), 'ZIP' or 'binary data'."""
    head = data[:SNIFF_BYTES]
    for fmt in FORMATS:
        if fmt.sniff(head, None):
            return fmt.content
    return "ZIP" if head.startswith(b"PK\x03\x04") else "binary data"


def _expected_content(suffix: str) -> set[str]:
    """What the content of a file ending in .`suffix` may be called by `_kind_of_content`."""
    if suffix == "zip":
        return {"ZIP"}
    return {fmt.content for fmt in claiming(f".{suffix}")}


def save_upload(name: str, data: bytes, directory: Path) -> Path:
    """Write the upload into `directory` under a safe name; the path to import (the .shp of a zip)."""
    size_mb = len(data) / 1e6
    if size_mb > MAX_UPLOAD_MB:
        raise UploadRejected("upload.too_big", size=f"{size_mb:.1f}", limit=MAX_UPLOAD_MB)
    suffix = Path(name).suffix.lower().lstrip(".")
    if suffix not in UPLOAD_TYPES:
        raise UploadRejected("upload.type", found=suffix or "–", allowed=", ".join(UPLOAD_TYPES))
    if not data:
        raise UploadRejected("upload.empty", name=name)
    content = _kind_of_content(data)
    if content not in _expected_content(suffix):
        raise UploadRejected("upload.content", name=name, suffix=suffix, content=content)
    if suffix == "zip":
        return _unzip_shapefile(data, directory, name)
    path = directory / f"upload.{suffix}"  # never the visitor's file name: no paths, no odd characters
    path.write_bytes(data)
    return path


def _unzip_shapefile(data: bytes, directory: Path, name: str) -> Path:
    """Unpack the one Shapefile of a ZIP into `directory` as upload.shp, .shx, .dbf, .prj, .cpg.

    The sizes in a ZIP's headers are the sender's word: every part is inflated in chunks and
    its real bytes are counted against the declared size and MAX_UNZIPPED_BYTES, so a ZIP
    bomb costs at most one chunk of memory. Other members (also nested ZIPs) are never read.
    A damaged ZIP (bad CRC, cut off, encrypted, an unknown compression) is UploadRejected.
    """
    if data.count(b"PK\x01\x02") > MAX_ZIP_MEMBERS:  # central directory entries, before zipfile lists them
        raise UploadRejected("upload.zip_members", name=name, limit=MAX_ZIP_MEMBERS)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise UploadRejected("upload.content", name=name, suffix="zip", content="?") from exc
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        if len(members) > MAX_ZIP_MEMBERS:
            raise UploadRejected("upload.zip_members", name=name, limit=MAX_ZIP_MEMBERS)
        shapes = [m for m in members if PurePosixPath(m.filename).suffix.lower() == ".shp"]
        if len(shapes) != 1:
            raise UploadRejected("upload.shapefiles", name=name, n=len(shapes))
        stem = PurePosixPath(shapes[0].filename).with_suffix("")
        parts = [
            m
            for m in members
            if PurePosixPath(m.filename).with_suffix("") == stem
            and PurePosixPath(m.filename).suffix.lower() in SHAPEFILE_PARTS
        ]
        declared = sum(m.file_size for m in parts)
        if declared > MAX_UNZIPPED_BYTES:
            raise UploadRejected("upload.unzipped_too_big", name=name, limit=MAX_UNZIPPED_BYTES // 1_000_000)
        budget = MAX_UNZIPPED_BYTES
        written = []
        try:
            for member in parts:
                # The member's bytes go to a name we choose: nothing can land outside `directory`.
                target = directory / f"upload{PurePosixPath(member.filename).suffix.lower()}"
                written.append(target)
                budget -= _inflate(data, member, target, budget, name)
        except UploadRejected:
            for path in written:
                path.unlink(missing_ok=True)
            raise
    return directory / "upload.shp"


def _inflate(data: bytes, member: zipfile.ZipInfo, target: Path, budget: int, name: str) -> int:
    """Inflate one member of the ZIP `data` into `target`, in chunks; the bytes written.

    Stops as soon as the member gives more bytes than its header declares or than `budget`.
    """

    def damaged(error: str) -> UploadRejected:
        return UploadRejected("upload.zip_damaged", name=name, member=member.filename, error=error)

    if member.flag_bits & 0x1:
        raise damaged("encrypted")
    if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise damaged(f"compression method {member.compress_type} (only stored and deflate are read)")
    # The local header repeats the name and has its own extra field: the data starts after both.
    local = data[member.header_offset : member.header_offset + 30]
    if len(local) < 30 or local[:4] != b"PK\x03\x04":
        raise damaged("no local header where the directory says")
    start = member.header_offset + 30 + int.from_bytes(local[26:28], "little") + int.from_bytes(local[28:30], "little")
    compressed = memoryview(data)[start : start + member.compress_size]
    if len(compressed) < member.compress_size:
        raise damaged("cut off")
    inflater = zlib.decompressobj(-zlib.MAX_WBITS) if member.compress_type == zipfile.ZIP_DEFLATED else None
    limit = min(member.file_size, budget)
    size, crc = 0, 0
    with open(target, "wb") as out:
        position = 0
        while True:
            if inflater is None:
                chunk = bytes(compressed[position : position + UNZIP_CHUNK_BYTES])
                position += len(chunk)
                done = position >= len(compressed)
            else:
                feed = inflater.unconsumed_tail
                if not feed:
                    feed = compressed[position : position + UNZIP_CHUNK_BYTES // 16]
                    position += len(feed)
                try:
                    chunk = inflater.decompress(feed, UNZIP_CHUNK_BYTES)
                except zlib.error as exc:
                    raise damaged(f"deflate data: {exc}") from exc
                done = inflater.eof or not (chunk or inflater.unconsumed_tail or position < len(compressed))
            size += len(chunk)
            if size > limit:
                if size > budget:
                    raise UploadRejected("upload.unzipped_too_big", name=name, limit=MAX_UNZIPPED_BYTES // 1_000_000)
                raise damaged(f"more than the {member.file_size:,} bytes its header declares")
            crc = zlib.crc32(chunk, crc)
            out.write(chunk)
            if done:
                break
    if inflater is not None and not inflater.eof:
        raise damaged("the deflate data ends early")
    if size != member.file_size:
        raise damaged(f"{size:,} bytes where its header declares {member.file_size:,}")
    if crc != member.CRC:
        raise damaged("checksum (CRC) mismatch")
    return size
