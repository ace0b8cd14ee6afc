"""Hostile files are refused with a clear message, in bounded time and memory.

- GeoPackage layers that compute (a view that never ends, a cross join, a scalar subquery
  that never ends, a generated column building a huge value, gpkg_contents itself a view).
- CSV files with too many columns, too long lines, too many cells.
- Uploaded ZIPs whose headers understate their size, with a bad CRC, cut off, encrypted,
  with thousands of entries or a nested ZIP.

Imports run through the real command line in a child process with a deadline far above the
limits (a hang fails the test instead of blocking the run), into both stores; the store is
unchanged after each refusal. No assertion is about time.
"""

from __future__ import annotations

import binascii
import faulthandler
import inspect
import io
import json
import sqlite3
import struct
import subprocess
import sys
import textwrap
import zipfile
import zlib
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely
from factories import X0, Y0

from app_pages.i18n import t
from app_pages.uploads import UploadRejected, save_upload
from inventory import gpkg_guard, limits
from inventory.formats import read_file
from inventory.formats.base import ReadOptions

ROOT = Path(__file__).resolve().parents[1]
CHILD_DEADLINE_S = 300
"""A child process still running after this is hung (the limits make it finish in seconds)."""


PEAK_MB = textwrap.dedent(
    """
    def peak_mb():
        # VmHWM: this process's own peak (ru_maxrss would carry the parent's over fork and exec)
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    """
)
"""Source of `peak_mb()` for child scripts: the peak resident memory of the child itself, in MB."""


@pytest.fixture(autouse=True)
def _no_endless_test():
    """In-process reads that would hang without the guards end the run with a traceback instead."""
    faulthandler.dump_traceback_later(CHILD_DEADLINE_S, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


def cli_import(store, layer: str, path: Path, *args: str) -> tuple[int, dict]:
    """Run `gelsennet import ... --json` in a child process; (exit code, JSON report)."""
    command = [sys.executable, "-m", "inventory.cli", "import", layer, str(path), "--db", store.url]
    command += ["--mode", "upsert", "--json", *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=CHILD_DEADLINE_S, cwd=ROOT)
    return done.returncode, json.loads(done.stdout)


def assert_refused_unchanged(store, layer: str, path: Path, *args: str) -> list[dict]:
    before = store.read_all()
    code, report = cli_import(store, layer, path, *args)
    assert code != 0 and report["ok"] is False
    after = store.read_all()
    for name, frame in before.items():
        assert after[name].equals(frame), f"{name} changed after a refused import"
    return report["problems"]


# ---------------------------------------------------------------- GeoPackage
def sites_gpkg(path: Path) -> Path:
    frame = gpd.GeoDataFrame(
        {"site_id": ["S1", "S2"], "kind": ["school"] * 2, "name": ["A", "B"], "connection": ["none"] * 2},
        geometry=[shapely.Point(X0, Y0), shapely.Point(X0 + 50, Y0)],
        crs="EPSG:25832",
    )
    pyogrio.write_dataframe(frame, path, layer="sites_t", driver="GPKG")
    return path


def with_view(path: Path, select: str, name: str = "sites") -> Path:
    con = sqlite3.connect(path)
    con.execute(f"CREATE VIEW {name} AS {select}")
    con.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) VALUES (?, 'features', ?, 25832)",
        (name, name),
    )
    con.execute("INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', 'POINT', 25832, 0, 0)", (name,))
    con.commit()
    con.close()
    return path


ENDLESS = "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c)"


def test_a_layer_that_is_an_endless_recursive_view_is_refused(store, tmp_path):
    path = with_view(sites_gpkg(tmp_path / "evil.gpkg"), f"{ENDLESS} SELECT s.* FROM sites_t s, c")
    [problem] = assert_refused_unchanged(store, "sites", path)
    assert problem["rule"] == "file"
    assert "view 'sites' still running" in problem["value"]
    assert f"{limits.LAYER_READ_SECONDS:g} s" in problem["expected"]
    # --dry-run takes the same path
    [problem] = assert_refused_unchanged(store, "sites", path, "--dry-run")
    assert "still running" in problem["value"]


@pytest.fixture
def short_layer_limit(monkeypatch):
    monkeypatch.setattr(gpkg_guard, "LAYER_READ_SECONDS", 1.0)


@pytest.mark.parametrize(
    "select",
    [
        # a cross join that ends, but only after billions of rows
        f"{ENDLESS.replace('SELECT n + 1 FROM c', 'SELECT n + 1 FROM c WHERE n < 100000')} "
        "SELECT s.* FROM sites_t s, c a, c b",
        # the rows are fine, one column never ends
        f"SELECT s.fid, s.geom, s.site_id, s.kind, s.connection, ({ENDLESS} SELECT max(n) FROM c) AS name FROM sites_t s",
        # an ORDER BY over an endless query: even the first row never comes
        f"{ENDLESS} SELECT s.* FROM sites_t s, c ORDER BY c.n DESC",
    ],
    ids=["cross-join", "scalar-subquery", "order-by"],
)
def test_views_that_compute_too_long_are_refused(tmp_path, short_layer_limit, select):
    path = with_view(sites_gpkg(tmp_path / "evil.gpkg"), select)
    [problem] = read_file(path, "sites", ReadOptions()).problems
    assert problem.rule == "file" and "still running after 1 s" in problem.value


@pytest.mark.parametrize(
    "select",
    [
        "SELECT s.*, zeroblob(500000000) AS big FROM sites_t s",
        f"SELECT s.*, ({ENDLESS} SELECT group_concat(printf('%.1000c', 'x')) FROM c) AS big FROM sites_t s",
    ],
    ids=["zeroblob", "group-concat"],
)
def test_a_view_building_a_huge_value_is_refused(tmp_path, short_layer_limit, select):
    path = with_view(sites_gpkg(tmp_path / "evil.gpkg"), select)
    [problem] = read_file(path, "sites", ReadOptions()).problems
    # whichever limit it meets first: the value's size or the time
    assert problem.rule == "file" and ("too big" in problem.value or "still running" in problem.value)


def test_gpkg_contents_that_is_an_endless_view_is_refused(tmp_path, short_layer_limit):
    path = sites_gpkg(tmp_path / "evil.gpkg")
    con = sqlite3.connect(path)
    con.execute("ALTER TABLE gpkg_contents RENAME TO contents_t")
    con.execute(f"CREATE VIEW gpkg_contents AS {ENDLESS} SELECT t.* FROM contents_t t, c")
    con.commit()
    con.close()
    [problem] = read_file(path, "sites", ReadOptions()).problems
    assert problem.rule == "file" and "'gpkg_contents' still running" in problem.value


def test_an_honest_view_and_a_table_with_a_trigger_import(store, tmp_path):
    path = with_view(sites_gpkg(tmp_path / "view.gpkg"), "SELECT * FROM sites_t WHERE site_id <> 'S2'")
    code, report = cli_import(store, "sites", path)
    assert code == 0, report
    assert list(store.read_all()["sites"]["site_id"]) == ["S1"]
    trigger = sites_gpkg(tmp_path / "trigger.gpkg")
    con = sqlite3.connect(trigger)
    con.execute("CREATE TABLE log (n)")
    con.execute("CREATE TRIGGER t AFTER UPDATE ON sites_t BEGIN INSERT INTO log VALUES (1); END")
    con.commit()
    con.close()
    before = trigger.read_bytes()
    code, report = cli_import(store, "sites", trigger, "--source-layer", "sites_t")
    assert code == 0, report
    assert sorted(store.read_all()["sites"]["site_id"]) == ["S1", "S2"]
    assert trigger.read_bytes() == before  # read only: nothing ran, nothing written


# ---------------------------------------------------------------- CSV
SITE_HEAD = "site_id,kind,name,connection,wkt"
SITE_ROW = "S1,school,A,none,POINT (368000 5710000)"


def test_a_csv_with_too_many_columns_is_refused_on_its_header(store, tmp_path):
    extra = limits.MAX_CSV_COLUMNS  # with the five real columns: over the limit
    path = tmp_path / "wide.csv"
    path.write_text(SITE_HEAD + "".join(f",c{i}" for i in range(extra)) + "\n" + SITE_ROW + ",x" * extra + "\n")
    [problem] = assert_refused_unchanged(store, "sites", path, "--crs", "EPSG:25832")
    assert problem["rule"] == "file"
    assert problem["value"] == f"{extra + 5:,} columns in the header"


def test_a_million_columns_stay_in_bounded_memory(tmp_path):
    """Case: 10 MB of CSV with 1,000,000 columns took 2.6 GB; refused now, well under 1 GB."""
    n = 1_000_000
    path = tmp_path / "wide.csv"
    path.write_text(SITE_HEAD + "".join(f",c{i}" for i in range(n)) + "\n" + SITE_ROW + ",x" * n + "\n")
    script = PEAK_MB + textwrap.dedent(
        f"""
        from inventory.formats.base import ReadOptions
        from inventory.formats import read_file
        raw = read_file({str(path)!r}, "sites", ReadOptions(crs="EPSG:25832"))
        print(raw.problems[0].value)
        print(peak_mb())
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=CHILD_DEADLINE_S)
    value, peak_mb = done.stdout.strip().splitlines()
    assert value == f"{n + 5:,} columns in the header"
    assert int(peak_mb) < 1000


def test_a_csv_line_too_long_to_split_is_refused(tmp_path):
    path = tmp_path / "long.csv"
    line = f"S2,school,{'x,' * limits.MAX_CSV_LINE_CHARS}\n"
    path.write_text(f"{SITE_HEAD}\n{SITE_ROW}\n{line}")
    [problem] = read_file(path, "sites", ReadOptions(crs="EPSG:25832")).problems
    assert (problem.rule, problem.row) == ("file", "line 3")
    assert problem.value == f"{len(line):,} characters"


def test_a_csv_with_too_many_cells_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_CSV_CELLS", 20)  # 4 rows of 5 columns
    path = tmp_path / "many.csv"
    path.write_text(SITE_HEAD + "\n" + "".join(f"S{i},school,A,none,POINT (368000 5710000)\n" for i in range(5)))
    [problem] = read_file(path, "sites", ReadOptions(crs="EPSG:25832")).problems
    assert (problem.rule, problem.row, problem.value) == ("file", "line 6", "more than 4 rows of 5 columns")
    path.write_text(SITE_HEAD + "\n" + "".join(f"S{i},school,A,none,POINT (368000 5710000)\n" for i in range(4)))
    assert read_file(path, "sites", ReadOptions(crs="EPSG:25832")).problems == []


# ---------------------------------------------------------------- uploaded ZIP
def zip_of(members) -> bytes:
    """A ZIP built by hand: (name, stored data, declared size, CRC, method) per member."""
    out, directory = bytearray(), bytearray()
    for name, data, size, crc, method in members:
        offset = len(out)
        out += struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, method, 0, 0, crc, len(data), size, len(name), 0)
        out += name + data
        directory += struct.pack(
            "<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, method, 0, 0, crc, len(data), size, len(name),
            0, 0, 0, 0, 0, offset,
        ) + name  # fmt: skip
    n = len(members)
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, n, n, len(directory), len(out), 0)
    return bytes(out + directory + end)


def deflated(data: bytes) -> bytes:
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    return co.compress(data) + co.flush()


def shapefile_zip(**extra: bytes) -> tuple[bytes, dict[str, bytes]]:
    """A real zipped Shapefile (written by GDAL) and its parts' bytes, the oracle for extraction."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        frame = gpd.GeoDataFrame({"node_id": ["N1"]}, geometry=[shapely.Point(X0, Y0)], crs="EPSG:25832")
        pyogrio.write_dataframe(frame, Path(folder) / "nodes.shp")
        parts = {p.name: p.read_bytes() for p in Path(folder).iterdir()}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in {**parts, **extra}.items():
            archive.writestr(name, data)
    return buffer.getvalue(), parts


def rejected(data: bytes, folder: Path) -> UploadRejected:
    with pytest.raises(UploadRejected) as info:
        save_upload("upload.zip", data, folder)
    assert list(folder.iterdir()) == [], "nothing may stay behind from a rejected upload"
    assert t(info.value.key, "de", **info.value.values) and t(info.value.key, "en", **info.value.values)
    return info.value


def test_an_honest_zipped_shapefile_is_unpacked_byte_for_byte(tmp_path):
    inner, _ = shapefile_zip()
    data, parts = shapefile_zip(**{"readme.txt": b"hi", "inner.zip": inner, "nested/nodes.dbf": b"other"})
    path = save_upload("nodes.zip", data, tmp_path)
    assert path == tmp_path / "upload.shp"
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == {
        f"upload{Path(name).suffix}": content for name, content in parts.items()
    }  # the nested ZIP, the readme and the other folder's part are never written


def test_a_zip_whose_header_understates_a_part_is_rejected_in_bounded_memory(tmp_path):
    """Case: 3 MB of ZIP declaring 1,000 bytes inflated to 2 GiB in memory and was accepted."""
    script = PEAK_MB + inspect.getsource(zip_of) + textwrap.dedent(
        """
        import binascii, struct, tempfile, zlib
        from pathlib import Path
        from app_pages.uploads import UploadRejected, save_upload
        co = zlib.compressobj(9, zlib.DEFLATED, -15)
        bomb = b"".join(co.compress(bytes(1 << 24)) for _ in range(64)) + co.flush()  # 1 GiB of zeros
        shp = bytes(100)
        for crc in (binascii.crc32(bytes(1000)), 12345):
            data = zip_of([(b"a.shp", shp, 100, binascii.crc32(shp), 0), (b"a.dbf", bomb, 1000, crc, 8)])
            try:
                save_upload("bomb.zip", data, Path(tempfile.mkdtemp()))
                print("accepted")
            except UploadRejected as exc:
                print(exc.key, exc.values["error"])
        print(peak_mb())
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=CHILD_DEADLINE_S, cwd=ROOT
    )
    *outcomes, peak_mb = done.stdout.strip().splitlines()
    assert outcomes == ["upload.zip_damaged more than the 1,000 bytes its header declares"] * 2, done.stderr
    assert int(peak_mb) < 300


def test_a_bad_crc_is_a_clear_rejection(tmp_path):
    dbf = b"dbf bytes" * 100
    data = zip_of([(b"a.shp", b"shp", 3, binascii.crc32(b"shp"), 0), (b"a.dbf", deflated(dbf), len(dbf), 99, 8)])
    assert rejected(data, tmp_path).values["error"] == "checksum (CRC) mismatch"


def test_a_part_larger_than_the_limit_is_rejected_by_its_declared_size(tmp_path):
    size = limits.MAX_UNZIPPED_BYTES + 1
    data = zip_of([(b"a.shp", b"x", size, 0, 0), (b"a.dbf", b"y", 1, 0, 0)])
    assert rejected(data, tmp_path).key == "upload.unzipped_too_big"


@pytest.mark.parametrize(
    ("members", "error"),
    [
        ([(b"a.shp", deflated(b"x" * 50)[:5], 50, binascii.crc32(b"x" * 50), 8)], "the deflate data ends early"),
        ([(b"a.shp", b"not deflate at all", 50, 0, 8)], "deflate data"),
        ([(b"a.shp", b"x", 1, binascii.crc32(b"x"), 12)], "compression method 12"),
        ([(b"a.shp", b"xx", 5, binascii.crc32(b"xx"), 0)], "2 bytes where its header declares 5"),
    ],
    ids=["cut-off", "garbage", "bzip2", "stored-short"],
)
def test_damaged_members_are_clear_rejections(tmp_path, members, error):
    assert rejected(zip_of(members), tmp_path).values["error"].startswith(error)


def test_an_encrypted_member_is_rejected(tmp_path):
    data = bytearray(zip_of([(b"a.shp", b"x", 1, binascii.crc32(b"x"), 0)]))
    data[6] |= 1  # local header flag
    directory = data.index(b"PK\x01\x02")
    data[directory + 8] |= 1  # central directory flag
    assert rejected(bytes(data), tmp_path).values["error"] == "encrypted"


def test_a_zip_with_thousands_of_entries_is_rejected_before_it_is_listed(tmp_path):
    members = [(f"f{i}.txt".encode(), b"", 0, 0, 0) for i in range(limits.MAX_ZIP_MEMBERS + 1)]
    assert rejected(zip_of([(b"a.shp", b"", 0, 0, 0), *members]), tmp_path).key == "upload.zip_members"


def test_a_truncated_zip_is_a_clear_rejection(tmp_path):
    data, _ = shapefile_zip()
    assert rejected(data[: len(data) // 2], tmp_path).key in ("upload.content", "upload.zip_damaged")
