"""Injection strings through every text input of the command line, against both stores.

Every value-taking argument of every subcommand (found by walking the parser, so new commands are
covered without editing this file) gets each string. The command must end cleanly (exit code 0, 1
or 2 with a message, never a traceback), every table must still be there with the same row counts,
and text that is valid data must be stored and read back verbatim.
"""

from __future__ import annotations

import argparse
import functools
import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely.geometry
from factories import X0, Y0, small_inventory
from shapely import Point

from inventory.cli import build_parser, main
from inventory.schema import CRS, LAYER_ORDER
from inventory.stores import open_store

INJECTIONS = [
    "'; DROP TABLE sites; --",
    '" OR 1=1 --',
    "Robert'); DROP TABLE nodes;--",
    "$$; DROP TABLE routes; $$",
    "$tag$; DELETE FROM districts; $tag$",
    "1; DELETE FROM site_areas WHERE ''=''",
    "' OR pg_sleep(5) IS NULL --",
    "'||(SELECT version())||'",
    "x' UNION SELECT usename, passwd FROM pg_shadow --",
    "ＤＲＯＰ ＴＡＢＬＥ ｓｉｔｅｓ；＇",  # full-width letters and quote
    "\u02bc; DROP TABLE sites; --\u2019",  # look-alike apostrophes
    "\u202eetis\u200b\u2060\ufeff",  # right-to-left override, zero-width characters
    "Ünïcödé Straße 𝔘𝔫𝔦 😀 e\u0301",
    "%s",
    "%(x)s",
    "%",
    "{}",
    "{0}{1}",
    "{name}",
    ":param",
    "?",
    "\\",
    "\\'; DROP TABLE sites; --",
    "C:\\Windows\\System32\\",
    "x" * 5000,
    "first line\nsecond line'); DROP TABLE sites;--",
    "../../etc/passwd",
    "/etc/passwd",
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-- comment",
    "/* comment */",
    "<script>alert(1)</script>",
    "$(touch /tmp/gelsennet_pwned)",
    "`id`",
]
SWEEP = [  # the sweep over every input takes these (each one breaks a different kind of string handling)
    "'; DROP TABLE sites; --",
    "Robert'); DROP TABLE nodes;--",
    '" OR 1=1 --',
    "$$; DROP TABLE routes; $$",
    "%(x)s %s {} {0} :param ?",
    "\\'; DROP TABLE sites; --",
    "x" * 5000,
    "first line\nsecond line'); DROP TABLE sites;--",
    "../../etc/passwd",
    "=cmd|' /C calc'!A0",
    "ＤＲＯＰ ＴＡＢＬＥ ｓｉｔｅｓ；＇\u202e\u200b",
]
SHORTLIST = [*SWEEP, "%s", "{}", "%(x)s", ":param", "\\", "`id`", "\u02bc; DROP TABLE sites; --\u2019"]
"""For the commands that run once per value (ids, edits)."""
SITE_TEXT_FIELDS = ("name", "address", "district", "school_type", "source")
STORE_INPUTS = {
    # inputs whose values reach the store (ids, data, times); the others are checked against one store only
    (("impact",), "--segment"), (("impact",), "--node"), (("impact",), "--trench"), (("paths",), "site_id"),
    (("history",), "element_id"), (("edit",), "element_id"), (("edit",), "--set"), (("edit",), "--user"),
    (("import",), "--set"), (("import",), "--map"), (("validate",), "--as-of"), (("analyse",), "--as-of"),
}


# --- helpers ----------------------------------------------------------------------------------------------


class Runner:
    """Runs `gelsennet argv` in this process and checks it ended cleanly: exit code 0, 1 or 2 with a
    message, no traceback; an escaping exception fails the test at once."""

    def __init__(self, capsys) -> None:
        self.capsys = capsys

    def __call__(self, argv: list[str]) -> tuple[int | None, str, str]:
        try:
            code = main(argv)
        except SystemExit as stop:  # argparse: usage errors are exit code 2
            code = stop.code
        except Exception as exc:  # noqa: BLE001 - an escaping exception is what we look for
            raise AssertionError(f"gelsennet {_show(argv)} raised {type(exc).__name__}: {str(exc)[:300]}") from None
        out, err = self.capsys.readouterr()
        assert code in (0, 1, 2), f"gelsennet {_show(argv)}: exit code {code!r}"
        assert "Traceback" not in err, f"gelsennet {_show(argv)}: {err[-1000:]}"
        if code:
            assert err.strip() or out.strip(), f"gelsennet {_show(argv)}: exit code {code} without a message"
        return code, out, err



def _show(argv: list[str]) -> str:
    return " ".join(repr(a) if len(a) < 80 else repr(a[:40] + "...") for a in argv)


@functools.cache
def text_inputs() -> tuple[tuple[tuple[str, ...], argparse.Action], ...]:
    """(subcommand path, action) for every argument that takes a value, in every subcommand."""
    found = []

    def walk(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, child in action.choices.items():
                    walk(child, (*path, name))
            elif action.nargs != 0 and not isinstance(action, argparse._HelpAction):
                found.append((path, action))

    walk(build_parser(), ())
    return tuple(found)


def _name(action: argparse.Action) -> str:
    return action.option_strings[-1] if action.option_strings else action.dest


def state(store) -> dict:
    """The tables (or GeoPackage layers) there are and their row counts."""
    if store.url.endswith(".gpkg"):
        import pyogrio

        return {str(name): int(pyogrio.read_info(store.url, layer=name)["features"])
                for name, _ in pyogrio.list_layers(store.url)}
    import sqlalchemy as sa

    with store.engine.connect() as connection:
        names = sa.inspect(connection).get_table_names()
        return {n: connection.exec_driver_sql(f'SELECT count(*) FROM "{n}"').scalar_one() for n in sorted(names)}


def valid_for_sites(values: list[str]) -> tuple[list[str], list[str]]:
    """(values the schema accepts as a site's id and text fields, values it refuses, e.g. formulas)."""
    from inventory.schema import LAYERS
    from inventory.validation import check_frame

    good, bad = [], []
    for value in values:
        frame = sites_frame([value], fields=("site_id", *SITE_TEXT_FIELDS))
        _, problems = check_frame(frame, LAYERS["sites"])
        (bad if any(p.severity == "error" for p in problems) else good).append(value)
    return good, bad


def sites_frame(values: list[str], fields=SITE_TEXT_FIELDS) -> gpd.GeoDataFrame:
    """One school per value, with `fields` set to it."""
    rows = []
    for i, value in enumerate(values):
        row = {"site_id": f"INJ-{i:03d}", "kind": "school", "name": f"Schule {i}", "connection": "connected",
               "handover_node_id": "C1", "geometry": Point(X0 + 3 * i, Y0 + 7)}
        row.update(dict.fromkeys(fields, value))
        rows.append(row)
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS)


def with_sites(extra: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame([*small_inventory()["sites"].to_dict("records"), *extra.to_dict("records")],
                            geometry="geometry", crs=CRS)


def write_file(frame: gpd.GeoDataFrame, path: Path) -> list[str]:
    """`frame` as GeoJSON or CSV (x/y columns); the import options it needs."""
    path.unlink(missing_ok=True)
    if path.suffix == ".csv":
        frame.drop(columns="geometry").assign(x=frame.geometry.x, y=frame.geometry.y).to_csv(path, index=False)
        return ["--crs=EPSG:25832"]
    # Written by hand: GDAL's GeoJSON writer turns strings that look like JSON ("{}", "[1]") into objects.
    features = [{"type": "Feature", "geometry": shapely.geometry.mapping(row.pop("geometry")),
                 "properties": {k: (None if pd.isna(v) else v.isoformat() if hasattr(v, "isoformat") else
                                    v.item() if hasattr(v, "item") else v) for k, v in row.items()}}
                for row in frame.to_dict("records")]
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25832"}}
    path.write_text(json.dumps({"type": "FeatureCollection", "crs": crs, "features": features}), encoding="utf-8")
    return []


def make_store(kind: str, request, tmp_path: Path):
    """The small inventory in a GeoPackage or in PostGIS (a fresh database)."""
    if kind == "postgis":
        store = request.getfixturevalue("pg_store")
    else:
        store = open_store(tmp_path / "store.gpkg")
        store.create()
    store.write(small_inventory())
    return store


@pytest.fixture(params=["gpkg", "postgis"])
def filled(request, tmp_path, monkeypatch):
    """A store of each kind with the small inventory; cwd a scratch dir three levels deep
    (so output paths like ../../etc/passwd stay inside the test's directory)."""
    work = tmp_path / "w1" / "w2" / "w3"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    monkeypatch.setenv("GELSENNET_USER", "tester")
    monkeypatch.delenv("GELSENNET_DB", raising=False)
    return make_store(request.param, request, tmp_path)


# --- every text input of every command ---------------------------------------------------------------------

BASELINES = {
    # what a command needs besides the injected value, so that the value reaches the code behind it
    ("import",): (["--crs=EPSG:25832", "--mode=upsert"], {"layer": "sites", "file": "SITES_CSV"}),
    ("impact",): (["--segment=R1"], {}),
    ("paths",): ([], {"site_id": "118928"}),
    ("history",): ([], {"element_id": "118928"}),
    ("edit",): ([], {"layer": "sites", "element_id": "118928"}),
    ("export",): ([], {"destination": "out.gpkg"}),
}
SKIP = {(("demo",), "--db")}  # a *.gpkg --db builds the whole sample per value; test_db_urls covers --db


def sweep_cases():
    """One case per store kind and command: (kind, command, [arguments]); store-independent inputs run once."""
    grouped: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for path, action in text_inputs():
        name = _name(action)
        if (path, name) in SKIP or name == "--db":
            continue
        for kind in ("gpkg", "postgis") if (path, name) in STORE_INPUTS else ("gpkg",):
            grouped.setdefault((kind, path), []).append(name)
    return [pytest.param(kind, path, names, id=f"{kind}-{' '.join(path)}") for (kind, path), names in grouped.items()]


@pytest.mark.parametrize(("kind", "command", "arguments"), sweep_cases())
def test_every_text_input(kind, command, arguments, request, tmp_path, monkeypatch, capsys):
    work = tmp_path / "w1" / "w2" / "w3"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    store = make_store(kind, request, tmp_path)
    before = state(store)
    csv = tmp_path / "sites_ok.csv"
    write_file(small_inventory()["sites"], csv)
    positionals = [a for p, a in text_inputs() if p == command and not a.option_strings]
    options, fixed = BASELINES.get(command, ([], {}))
    run = Runner(capsys)
    for argument in arguments:
        action = next(a for p, a in text_inputs() if p == command and _name(a) == argument)
        values = list(SWEEP)
        if "=" in (action.metavar or ""):  # FIELD=VALUE pairs: the injection as the value, and as the field
            values += [f"name={v}" for v in SWEEP] + [f"{v}=x" for v in SWEEP[:4]]
        # values that cannot reach the store need not be written: a dry run checks everything else
        dry = ["--dry-run"] if command == ("import",) and (command, argument) not in STORE_INPUTS else []
        for value in values:
            given = {a.dest: fixed.get(a.dest, "x") for a in positionals}
            given = {k: str(csv) if v == "SITES_CSV" else v for k, v in given.items()}
            argv = [*command, *dry, *(o for o in options if not o.startswith(argument + "="))]
            if action.option_strings:
                argv.append(f"{argument}={value}")
            else:
                given[action.dest] = value
            run([*argv, f"--db={store.url}", "--", *(given[a.dest] for a in positionals)])
    after = state(store)
    assert set(after) == set(before)
    assert {t: after[t] for t in LAYER_ORDER} == {t: before[t] for t in LAYER_ORDER}


# --- valid data is stored verbatim ---------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".geojson", ".csv"])
def test_imported_text_reads_back_verbatim(filled, suffix, tmp_path, capsys):
    """Ids and text fields that are valid data land exactly as written; the rest is refused, nothing changed."""
    run = Runner(capsys)
    good, bad = valid_for_sites(INJECTIONS)
    assert len(good) > 25 and "Robert'); DROP TABLE nodes;--" in good
    path = tmp_path / f"sites{suffix}"
    frame = sites_frame(good, fields=("site_id", *SITE_TEXT_FIELDS))
    code, _, err = run(["import", "sites", str(path), *write_file(with_sites(frame), path), f"--db={filled.url}"])
    assert code == 0, err
    sites = filled.read("sites").set_index("site_id")
    for value in good:
        assert sites.loc[value, list(SITE_TEXT_FIELDS)].tolist() == [value] * len(SITE_TEXT_FIELDS), repr(value)
    before = state(filled)
    for value in bad:  # e.g. formulas, over-long text, look-alike ids: refused with a message, store unchanged
        frame = sites_frame([value], fields=("site_id", *SITE_TEXT_FIELDS))
        code, _, err = run(["import", "sites", str(path), *write_file(with_sites(frame), path),
                            "--mode=upsert", f"--db={filled.url}"])
        assert code == 1 and ("field 'name'" in err or "field 'site_id'" in err), err
    assert state(filled) == before


def test_ids_reach_the_id_taking_commands(filled, tmp_path, capsys):
    """Sites whose ids are injection strings: `paths`, `impact`, `history`, `edit`, `export` take them."""
    run = Runner(capsys)
    ids = [v for v in valid_for_sites(SHORTLIST)[0] if len(v) < 200]
    path = tmp_path / "sites.geojson"
    frame = sites_frame(ids, fields=("site_id", "name"))
    assert run(["import", "sites", str(path), *write_file(with_sites(frame), path), f"--db={filled.url}"])[0] == 0
    before = state(filled)
    postgis = not filled.url.endswith(".gpkg")
    for site_id in ids:
        code, out, err = run(["paths", "--json", f"--db={filled.url}", "--", site_id])
        assert code == 0, err
        assert json.loads(out)["site_id"] == site_id
        run(["impact", f"--node={site_id}", f"--segment={site_id}", f"--trench={site_id}", f"--db={filled.url}"])
        code, out, err = run(["history", "--json", f"--db={filled.url}", "--", site_id])
        if postgis:
            assert code == 0, err
            assert {c.get("element_id", site_id) for c in json.loads(out)} == {site_id}
        code, out, err = run(["edit", "--json", f"--db={filled.url}", "--", "sites", site_id])
        if postgis:
            assert code == 0, err
            assert json.loads(out)["id"] == site_id
    code, _, err = run(["export", "sites_out.csv", "--layer=sites", f"--db={filled.url}"])
    assert code == 0, err
    assert state(filled) == before


@pytest.mark.parametrize("suffix", [".geojson", ".csv", ".gpkg"])
def test_export_and_reimport_keep_text_verbatim(filled, suffix, tmp_path, capsys):
    """`gelsennet export` writes injection-like text as text: read back, every value is the same."""
    run = Runner(capsys)
    good, _ = valid_for_sites(INJECTIONS)
    path = tmp_path / "sites.geojson"
    frame = sites_frame(good, fields=("site_id", *SITE_TEXT_FIELDS))
    assert run(["import", "sites", str(path), *write_file(with_sites(frame), path), f"--db={filled.url}"])[0] == 0
    target = Path(f"sites_out{suffix}")
    code, _, err = run(["export", str(target), "--layer=sites", f"--db={filled.url}"])
    assert code == 0, err
    again = open_store(Path.cwd() / "again.gpkg")
    again.write(small_inventory())
    code, _, err = run(["import", "sites", str(target), *(["--crs=EPSG:25832"] if suffix == ".csv" else []),
                        f"--db={again.url}"])
    assert code == 0, err
    exported = again.read("sites").set_index("site_id")
    wrong = [v for v in good if v not in exported.index or exported.loc[v, "name"] != v]
    assert wrong == []


def test_edit_stores_values_and_user_verbatim(filled, capsys):
    run = Runner(capsys)
    if filled.url.endswith(".gpkg"):  # `edit` needs PostGIS: a clear refusal
        code, _, err = run(["edit", "sites", "GE-PARK", "--set=name=x", "--expect-version=1", f"--db={filled.url}"])
        assert code == 2 and err
        return
    good, _ = valid_for_sites(SHORTLIST)
    for value in good:
        code, out, err = run(["edit", "--json", f"--db={filled.url}", "--", "sites", "GE-PARK"])
        assert code == 0, err
        version = json.loads(out)["version"]
        code, out, err = run(["edit", f"--set=name={value}", f"--set=address={value}", f"--user={value}",
                              f"--expect-version={version}", f"--db={filled.url}", "--", "sites", "GE-PARK"])
        assert code == 0, err
        site = filled.read("sites").set_index("site_id").loc["GE-PARK"]
        assert (site["name"], site["address"]) == (value, value)
    code, out, err = run(["history", "--json", "--layer=sites", f"--db={filled.url}", "--", "GE-PARK"])
    assert code == 0, err
    assert {c.get("app_user") for c in json.loads(out)} >= set(good)


# --- store locations, file names, layer names ------------------------------------------------------------------


def test_db_urls(pg_url, tmp_path, monkeypatch, capsys):
    """--db values: injection strings as a path, a GeoPackage name, a database name, a user name, options."""
    from sqlalchemy.engine import make_url

    from inventory import postgis

    monkeypatch.chdir(tmp_path)
    postgis.upgrade(pg_url)
    good = open_store(pg_url)
    good.write(small_inventory())
    before = state(good)
    url = make_url(pg_url)
    host = f"{url.host}:{url.port}"
    run = Runner(capsys)
    for value in SWEEP:
        locations = [value, value + ".gpkg", f"postgresql://postgres@{host}/{value}",
                     f"postgresql://{value}@{host}/{url.database}", f"{pg_url}?options={value}"]
        for location in locations:
            for command in (["validate"], ["db", "current"], ["analyse"], ["db", "roles"]):
                run([*command, f"--db={location}"])
    assert state(good) == before
    good.close()


def test_file_and_layer_names(filled, tmp_path, capsys):
    """Files named like injections import normally; --source-layer and --mapping values are only names."""
    run = Runner(capsys)
    csv = tmp_path / "sites_ok.csv"
    write_file(small_inventory()["sites"], csv)
    gpkg = tmp_path / "source.gpkg"
    small_inventory()["sites"].to_file(gpkg, layer="schools", driver="GPKG")
    before = state(filled)
    for value in SWEEP:
        name = value.replace("/", "_").replace("\n", "_")[:200] + ".csv"
        copy = tmp_path / name
        copy.write_bytes(csv.read_bytes())
        code, _, err = run(["import", "sites", str(copy), "--crs=EPSG:25832", "--mode=upsert", f"--db={filled.url}"])
        assert code == 0, err
        code, _, err = run(["import", "sites", str(gpkg), f"--source-layer={value}", f"--db={filled.url}"])
        assert code in (1, 2) and err
    assert run(["import", "sites", str(gpkg), "--source-layer=schools", f"--db={filled.url}"])[0] == 0
    assert state(filled) == before


def test_the_parser_covers_what_this_file_expects():
    """The id-taking commands named in the issue exist and take free text (else the sweep above misses them)."""
    inputs = {(p, _name(a)) for p, a in text_inputs()}
    for expected in [(("impact",), "--segment"), (("impact",), "--node"), (("impact",), "--trench"),
                     (("paths",), "site_id"), (("import",), "--source-layer"), (("import",), "--map"),
                     (("import",), "--set"), (("export",), "destination")]:
        assert expected in inputs
    assert len(sweep_cases()) >= 15
