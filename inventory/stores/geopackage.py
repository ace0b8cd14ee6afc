"""The embedded store: one GeoPackage file, written by copy, write and atomic rename."""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from collections.abc import Mapping
from glob import escape as glob_escape
from pathlib import Path

import geopandas as gpd
import pyogrio

from inventory.frames import conform, empty_frame, sort_by_key
from inventory.schema import CRS, LAYER_ORDER, get_layer
from inventory.stores.base import Store, StoreError, check_mode, merge_upsert

TMP_DIR = ".gelsennet-tmp"
"""Hidden folder beside the store that holds the copy being written (and nothing else)."""


class GeoPackageStore(Store):
    """A GeoPackage file holding the five inventory layers (geometry column `geom`).

    Writes never touch the file in place: the file is copied into a hidden folder beside it
    (`.gelsennet-tmp/`), the copy is changed and flushed to disk, then renamed over the
    original (atomic on POSIX). A crash at any point leaves either the old or the new file,
    never a half-written one; the next write removes the dead writer's copy.
    """

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self.url = str(self.path)

    def exists(self) -> bool:
        if not self.path.exists():
            return False
        return set(LAYER_ORDER) <= set(self._layers())

    def _layers(self) -> list[str]:
        try:
            return [str(name) for name, _ in pyogrio.list_layers(self.path)]
        except Exception as exc:  # pyogrio raises DataSourceError and friends
            raise StoreError(f"{self.path}: cannot open as GeoPackage ({exc}); is it a .gpkg file?") from exc

    def create(self) -> None:
        if not self.exists():
            self.write({})

    def read(self, layer: str) -> gpd.GeoDataFrame:
        spec = get_layer(layer)
        if not self.path.exists():
            raise StoreError(f"{self.path}: no such GeoPackage; create it with `gelsennet demo` or an import")
        if layer not in self._layers():
            raise StoreError(f"{self.path}: has no layer {layer!r}; run an import or `gelsennet db init`")
        raw = pyogrio.read_dataframe(self.path, layer=layer)
        if raw.crs is not None and not raw.empty:
            raw = raw.to_crs(CRS)
        return sort_by_key(conform(raw, spec), spec)

    def count(self, layer: str) -> int:
        get_layer(layer)
        if not self.path.exists() or layer not in self._layers():
            return 0
        return int(pyogrio.read_info(self.path, layer=layer)["features"])

    def write(self, frames: Mapping[str, gpd.GeoDataFrame], *, mode: str = "replace") -> None:
        check_mode(mode)
        for name in frames:
            get_layer(name)
        if mode == "upsert" and self.path.exists():
            frames = {
                name: merge_upsert(self.read(name), frame, name) if name in self._layers() else frame
                for name, frame in frames.items()
            }
        present = set(self._layers()) if self.path.exists() else set()
        missing = {name: empty_frame(get_layer(name)) for name in LAYER_ORDER if name not in present}
        self._atomic_write(missing | dict(frames))

    def _atomic_write(self, frames: Mapping[str, gpd.GeoDataFrame]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        scratch = self.path.parent / TMP_DIR
        scratch.mkdir(exist_ok=True)
        _remove_orphans(scratch, self.path.stem)
        tmp = scratch / f"{self.path.stem}.{os.getpid()}.{uuid.uuid4().hex[:8]}.gpkg"
        try:
            if self.path.exists():
                shutil.copyfile(self.path, tmp)
            for name in LAYER_ORDER:
                if name in frames:
                    _write_layer(tmp, name, frames[name])
            with open(tmp, "rb+") as handle:
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
            _fsync_dir(self.path.parent)
        finally:
            tmp.unlink(missing_ok=True)
            with contextlib.suppress(OSError):  # still in use by another writer: leave it
                scratch.rmdir()


def _remove_orphans(scratch: Path, stem: str) -> None:
    """Delete the half-written copies (and SQLite journals) of writers that died, e.g. killed mid-write:
    their names carry the writer's process id, and that process no longer exists."""
    for leftover in scratch.glob(f"{glob_escape(stem)}.*"):
        parts = leftover.name[len(stem) + 1:].split(".")
        if parts and parts[0].isdigit() and not _alive(int(parts[0])):
            leftover.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def _write_layer(path: Path, name: str, frame: gpd.GeoDataFrame) -> None:
    spec = get_layer(name)
    frame = sort_by_key(frame[spec.columns + ["geometry"]], spec)
    pyogrio.write_dataframe(
        frame,
        path,
        layer=name,
        driver="GPKG",
        geometry_type=spec.geometry_type,
        layer_options={"GEOMETRY_NAME": "geom", "DESCRIPTION": spec.description, "FID": "fid"},
    )


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
