"""Files uploaded by an editor, checked before the importer sees them: size, type by name and by
content, and for a zipped Shapefile every member (no paths out of the folder, no zip bomb).

A rejected upload raises UploadRejected with a label key of `app_pages.i18n` and its values, so
the page says what was wrong in the visitor's language.
"""

from __future__ import annotations

import zipfile
from pathlib import Path, PurePosixPath

MAX_UPLOAD_MB = 50  # also `server.maxUploadSize` in .streamlit/config.toml
MAX_UNZIPPED_MB = 200
UPLOAD_TYPES = ("gpkg", "geojson", "json", "csv", "zip")
SHAPEFILE_PARTS = {".shp", ".shx", ".dbf", ".prj", ".cpg"}


class UploadRejected(ValueError):
    def __init__(self, key: str, **values) -> None:
        super().__init__(f"{key} {values}")
        self.key, self.values = key, values


def _kind_of_content(data: bytes) -> str:
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    if data.startswith(b"SQLite format 3\x00"):
        return "gpkg"
    if data.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(b"{"):
        return "json"
    return "text"


EXPECTED_CONTENT = {"gpkg": "gpkg", "zip": "zip", "geojson": "json", "json": "json", "csv": "text"}


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
    if content != EXPECTED_CONTENT[suffix]:
        raise UploadRejected("upload.content", name=name, suffix=suffix, content=content)
    if suffix == "zip":
        return _unzip_shapefile(data, directory, name)
    path = directory / f"upload.{suffix}"  # never the visitor's file name: no paths, no odd characters
    path.write_bytes(data)
    return path


def _unzip_shapefile(data: bytes, directory: Path, name: str) -> Path:
    import io

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise UploadRejected("upload.content", name=name, suffix="zip", content="?") from exc
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        if sum(m.file_size for m in members) > MAX_UNZIPPED_MB * 1e6:
            raise UploadRejected("upload.too_big", size=f"{sum(m.file_size for m in members) / 1e6:.0f}",
                                 limit=MAX_UNZIPPED_MB)
        shapes = [m for m in members if PurePosixPath(m.filename).suffix.lower() == ".shp"]
        if len(shapes) != 1:
            raise UploadRejected("upload.shapefiles", name=name, n=len(shapes))
        stem = PurePosixPath(shapes[0].filename).with_suffix("")
        for member in members:
            path = PurePosixPath(member.filename)
            if path.with_suffix("") != stem or path.suffix.lower() not in SHAPEFILE_PARTS:
                continue  # other files in the archive are ignored, never written
            # The member's bytes go to a name we choose: nothing can land outside `directory`.
            (directory / f"upload{path.suffix.lower()}").write_bytes(archive.read(member))
    return directory / "upload.shp"
