"""Least privilege: the viewer role reads everything and writes nothing; the editor writes the layers only.

Every test connects AS the login users over real connections (the test cluster trusts 127.0.0.1, so
no password is needed to log in; the password handling is checked on the stored verifier).
Roles are cluster-wide, so each test makes its own uniquely named ones and drops them afterwards.
"""

from __future__ import annotations

import io
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from factories import small_inventory
from psycopg import errors
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from inventory import postgis, roles
from inventory.cli import main
from inventory.engine import normalise_url
from inventory.schema import LAYER_ORDER
from inventory.stores import open_store


@dataclass
class Setup:
    admin_url: str
    viewer_group: str
    editor_group: str
    viewer: str
    editor: str

    @property
    def viewer_url(self) -> str:
        return roles.login_url(self.admin_url, self.viewer)

    @property
    def editor_url(self) -> str:
        return roles.login_url(self.admin_url, self.editor)


def engine_for(url: str) -> sa.Engine:
    return sa.create_engine(normalise_url(url), poolclass=NullPool)


def drop_roles(admin_url: str, names: list[str], *, tolerate_other_databases: bool = False) -> None:
    """DROP OWNED (privileges in this database) and DROP ROLE, ending the roles' sessions first."""
    engine = sa.create_engine(normalise_url(admin_url), poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(
                sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = ANY(:names)"),
                {"names": names},
            )
            existing = connection.execute(
                sa.text("SELECT rolname FROM pg_roles WHERE rolname = ANY(:names)"), {"names": names}
            ).scalars().all()
            for name in existing:
                connection.exec_driver_sql(f'DROP OWNED BY "{name}"')
            for name in existing:
                try:
                    connection.exec_driver_sql(f'DROP ROLE "{name}"')
                except sa.exc.DBAPIError as exc:  # still used by another database of this cluster
                    if not (tolerate_other_databases and isinstance(exc.orig, errors.DependentObjectsStillExist)):
                        raise
    finally:
        engine.dispose()


@pytest.fixture
def setup(pg_url):
    """Schema, the small inventory, both group roles (unique names) and a viewer and an editor login."""
    token = uuid.uuid4().hex[:8]
    s = Setup(pg_url, f"gn_viewers_{token}", f"gn_editors_{token}", f"gn_viewer_{token}", f"gn_editor_{token}")
    postgis.upgrade(pg_url)
    store = open_store(pg_url)
    store.write(small_inventory())
    store.close()
    try:
        roles.ensure_roles(pg_url, viewer=s.viewer_group, editor=s.editor_group)
        groups = {"viewer": s.viewer_group, "editor": s.editor_group}
        assert roles.add_login(pg_url, s.viewer, "viewer", **groups) is True
        assert roles.add_login(pg_url, s.editor, "editor", "not a real secret", **groups) is True
        yield s
    finally:
        drop_roles(pg_url, [s.viewer, s.editor, s.editor_group, s.viewer_group])


def owner_view_rows(url: str) -> dict:
    """Every layer's rows as plain tuples (owner's view), for 'nothing changed' checks."""
    store = open_store(url)
    try:
        return {name: sorted(map(str, store.read(name).drop(columns="geometry").itertuples(index=False)))
                for name in LAYER_ORDER}
    finally:
        store.close()


def tables(url: str) -> set[str]:
    engine = engine_for(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def refused(url: str, statement: str) -> None:
    """`statement` fails with InsufficientPrivilege (42501) when run as the user of `url`."""
    engine = engine_for(url)
    try:
        with pytest.raises(sa.exc.DBAPIError) as caught, engine.begin() as connection:
            connection.exec_driver_sql(statement)
        assert isinstance(caught.value.orig, errors.InsufficientPrivilege), caught.value.orig
    finally:
        engine.dispose()


def sites_csv(tmp_path, rows: list[tuple[str, str]]):
    path = tmp_path / "sites.csv"
    lines = ["site_id,kind,name,connection,handover_node_id,x,y"]
    lines += [f"{sid},school,{name},connected,C1,{368_000 + 10 * i},{5_710_000 + 10 * i}"
              for i, (sid, name) in enumerate(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --- the viewer -----------------------------------------------------------------------------------------


def test_viewer_reads_every_layer_and_table(setup):
    owner_view = owner_view_rows(setup.admin_url)
    assert owner_view_rows(setup.viewer_url) == owner_view
    engine = engine_for(setup.viewer_url)
    try:
        with engine.connect() as connection:
            for table in tables(setup.admin_url):  # alembic_version, spatial_ref_sys, history if present, ...
                connection.exec_driver_sql(f'SELECT * FROM "{table}" LIMIT 1').fetchall()
            assert connection.exec_driver_sql("SELECT current_user").scalar_one() == setup.viewer
    finally:
        engine.dispose()


def test_viewer_runs_the_reading_commands(setup, tmp_path, capsys):
    url = setup.viewer_url
    assert main(["validate", "--db", url]) == 0
    assert main(["analyse", "--db", url]) == 0
    assert main(["db", "current", "--db", url]) == 0
    assert main(["paths", "118928", "--db", url]) == 0
    assert main(["coverage", "--db", url]) == 0
    assert main(["export", str(tmp_path / "out.gpkg"), "--db", url]) == 0
    assert "permission denied" not in capsys.readouterr().err


@pytest.mark.parametrize("mode", ["replace", "upsert"])
def test_viewer_cannot_import(setup, tmp_path, capsys, mode):
    before = owner_view_rows(setup.admin_url)
    path = sites_csv(tmp_path, [("118928", "Renamed"), ("GE-PARK", "Park"), ("NEW-1", "New school")])
    code = main(["import", "sites", str(path), "--crs", "EPSG:25832", "--mode", mode, "--db", setup.viewer_url])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "permission denied" in err and "nothing was changed" in err
    assert "Traceback" not in err
    assert owner_view_rows(setup.admin_url) == before


VIEWER_REFUSED = {
    "insert": "INSERT INTO nodes (node_id, kind, status, geom) VALUES "
              "('X', 'pop', 'in_service', ST_SetSRID(ST_MakePoint(368000, 5710000), 25832))",
    "update": "UPDATE sites SET name = 'hacked'",
    "delete": "DELETE FROM routes",
    "truncate": "TRUNCATE districts CASCADE",
    "drop": "DROP TABLE nodes CASCADE",
    "alter": "ALTER TABLE sites ADD COLUMN x integer",
    "create table": "CREATE TABLE public.evil (x integer)",
    "create index": "CREATE INDEX evil ON sites (name)",
    "alembic_version": "UPDATE alembic_version SET version_num = '0000'",
    "create temp table": "CREATE TEMP TABLE filler AS SELECT g FROM generate_series(1, 1000) g",
}


@pytest.mark.parametrize("statement", VIEWER_REFUSED.values(), ids=VIEWER_REFUSED.keys())
def test_viewer_raw_writes_are_refused(setup, statement):
    before = owner_view_rows(setup.admin_url)
    refused(setup.viewer_url, statement)
    assert owner_view_rows(setup.admin_url) == before


def test_viewer_permission_error_names_the_role_and_the_fix(setup, tmp_path, capsys):
    """The message says who is refused and what to do, not only PostgreSQL's 'permission denied'."""
    before = owner_view_rows(setup.admin_url)
    path = sites_csv(tmp_path, [("118928", "Renamed")])
    code = main(["import", "sites", str(path), "--crs", "EPSG:25832", "--mode", "upsert", "--db", setup.viewer_url])
    err = capsys.readouterr().err
    assert code != 0
    assert "permission denied" in err and setup.viewer in err and "connect as an editor" in err, err
    assert owner_view_rows(setup.admin_url) == before


def temp_rights(url: str) -> tuple[bool, bool]:
    """(may the user of `url` create TEMP tables, does PUBLIC hold TEMPORARY on the database)."""
    engine = engine_for(url)
    try:
        with engine.connect() as connection:
            return connection.execute(sa.text(
                "SELECT has_database_privilege(current_user, current_database(), 'TEMPORARY'), "
                "EXISTS (SELECT 1 FROM pg_database d, aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) a "
                "        WHERE d.datname = current_database() AND a.grantee = 0 AND a.privilege_type = 'TEMPORARY')"
            )).one()
    finally:
        engine.dispose()


def test_temp_tables_are_the_editors_only(setup, tmp_path):
    """PostgreSQL grants TEMPORARY to PUBLIC; `db roles` takes it back and gives it to the editor only,
    whose imports stage their rows in a TEMP table: a real `gelsennet import` as the editor still works."""
    assert temp_rights(setup.viewer_url) == (False, False)
    assert temp_rights(setup.editor_url) == (True, False)
    postgis.downgrade(setup.admin_url, "0001")
    postgis.upgrade(setup.admin_url)  # refresh_grants after a migration keeps it so
    assert temp_rights(setup.viewer_url) == (False, False)
    path = sites_csv(tmp_path, [("118928", "Schule am Park"), ("NEW-1", "Neue Schule")])
    gelsennet = Path(sys.executable).with_name("gelsennet")
    done = subprocess.run([str(gelsennet), "import", "sites", str(path), "--crs", "EPSG:25832", "--mode", "upsert",
                           "--db", setup.editor_url], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    sites = owner_view_rows(setup.viewer_url)["sites"]
    assert len(sites) == 3 and any("Neue Schule" in row for row in sites)


def test_db_upgrade_at_head_works_for_every_role(setup):
    """`db upgrade` is run by stores and `demo` too: at head it changes nothing, for anyone."""
    assert main(["db", "upgrade", "--db", setup.viewer_url]) == 0
    assert main(["db", "upgrade", "--db", setup.editor_url]) == 0


def test_viewer_db_upgrade_fails_cleanly(setup, capsys):
    """A pending migration run as a viewer: a clear refusal, not a traceback (the schema is the owner's)."""
    first = "0001"
    if postgis.head_revision() == first:
        pytest.skip("only one revision: nothing to upgrade")
    postgis.downgrade(setup.admin_url, first)
    code = main(["db", "upgrade", "--db", setup.viewer_url])
    assert code == 2
    assert "Traceback" not in capsys.readouterr().err


# --- the editor -----------------------------------------------------------------------------------------


def test_editor_imports_replace_and_upsert(setup, tmp_path, capsys):
    url = setup.editor_url
    path = sites_csv(tmp_path, [("118928", "Robert'); DROP TABLE nodes;--"), ("GE-PARK", "Park")])
    assert main(["import", "sites", str(path), "--crs", "EPSG:25832", "--db", url]) == 0, capsys.readouterr().err
    path = sites_csv(tmp_path, [("NEW-1", "Neue Schule")])
    assert main(["import", "sites", str(path), "--crs", "EPSG:25832", "--mode", "upsert", "--db", url]) == 0
    store = open_store(setup.admin_url)
    try:
        sites = store.read("sites").set_index("site_id")["name"].to_dict()
    finally:
        store.close()
    assert sites == {"118928": "Robert'); DROP TABLE nodes;--", "GE-PARK": "Park", "NEW-1": "Neue Schule"}
    assert set(LAYER_ORDER) <= tables(setup.admin_url)
    if "history" in tables(setup.admin_url):  # the change history (revision 0002) names the editor
        engine = engine_for(setup.admin_url)
        with engine.connect() as connection:
            users = set(connection.exec_driver_sql("SELECT DISTINCT db_user FROM history "
                                                   "WHERE action <> 'baseline'").scalars())
        engine.dispose()
        assert setup.editor in users


EDITOR_REFUSED = {
    "drop": "DROP TABLE nodes CASCADE",
    "alter": "ALTER TABLE sites ADD COLUMN x integer",
    "create table": "CREATE TABLE public.evil (x integer)",
    "truncate": "TRUNCATE districts CASCADE",
    "alembic_version insert": "INSERT INTO alembic_version VALUES ('9999')",
    "alembic_version update": "UPDATE alembic_version SET version_num = '0000'",
    "alembic_version delete": "DELETE FROM alembic_version",
    "spatial_ref_sys": "DELETE FROM spatial_ref_sys WHERE srid = 25832",
}
HISTORY_REFUSED = {
    "history insert": "INSERT INTO history (layer, element_id, action, version) VALUES ('sites', 'X', 'insert', 1)",
    "history update": "UPDATE history SET element_id = 'X'",
    "history delete": "DELETE FROM history",
    "history via a trigger of ones own": (
        "CREATE TEMP TABLE sites (site_id text, geom geometry, version integer); "
        "CREATE TRIGGER forge AFTER INSERT ON pg_temp.sites FOR EACH ROW EXECUTE FUNCTION history_record('site_id')"
    ),
    "the commit stamp on a table of ones own": (
        "CREATE TEMP TABLE sites (id bigint); "
        "CREATE CONSTRAINT TRIGGER forge AFTER INSERT ON pg_temp.sites DEFERRABLE INITIALLY DEFERRED "
        "FOR EACH ROW EXECUTE FUNCTION history_stamp()"
    ),
    "the history clock": "SELECT * FROM history_clock FOR UPDATE",
}


@pytest.mark.parametrize("statement", EDITOR_REFUSED.values(), ids=EDITOR_REFUSED.keys())
def test_editor_cannot_change_the_schema_or_other_tables(setup, statement):
    before = owner_view_rows(setup.admin_url)
    refused(setup.editor_url, statement)
    assert owner_view_rows(setup.admin_url) == before


@pytest.mark.parametrize("who", ["viewer", "editor"])
@pytest.mark.parametrize("statement", HISTORY_REFUSED.values(), ids=HISTORY_REFUSED.keys())
def test_nobody_but_the_owner_writes_history(setup, statement, who):
    if "history" not in tables(setup.admin_url):
        pytest.skip("no history table in this schema revision")
    refused(setup.viewer_url if who == "viewer" else setup.editor_url, statement)


def test_readers_may_settle_and_nobody_else_calls_the_definer_functions(setup):
    """`history_settled()` (revision 0003) is for readers of --as-of; the trigger functions stay the owner's."""
    from inventory.history import settle

    for url in (setup.viewer_url, setup.editor_url):
        engine = engine_for(url)
        try:
            with engine.connect() as connection:
                assert settle(connection) is not None
        finally:
            engine.dispose()
    engine = engine_for(setup.admin_url)
    try:
        with engine.connect() as connection:
            public = connection.execute(sa.text(
                "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                "WHERE n.nspname = 'public' AND p.prosecdef AND EXISTS (SELECT 1 FROM aclexplode(coalesce(p.proacl, "
                "acldefault('f', p.proowner))) a WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE') "
                "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass "
                "                AND d.objid = p.oid AND d.deptype = 'e')"  # PostGIS's own are left alone
            )).scalars().all()
    finally:
        engine.dispose()
    assert public == []


def test_editor_writes_layers_directly(setup):
    engine = engine_for(setup.editor_url)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("UPDATE sites SET name = 'Umbenannt' WHERE site_id = '118928'")
            connection.exec_driver_sql("DELETE FROM site_areas")
    finally:
        engine.dispose()
    assert owner_view_rows(setup.admin_url)["site_areas"] == []


# --- idempotence, upgrades, logins ----------------------------------------------------------------------


def test_roles_survive_rerun_and_a_rebuilt_schema(setup, tmp_path, capsys):
    """Re-running is harmless; tables dropped and recreated by migrations get the grants again."""
    groups = {"viewer": setup.viewer_group, "editor": setup.editor_group}
    again = roles.ensure_roles(setup.admin_url, **groups)
    assert again.created == [] and set(LAYER_ORDER) <= set(again.writable)
    assert "alembic_version" in again.readable and "alembic_version" not in again.writable
    postgis.downgrade(setup.admin_url, "base")
    postgis.upgrade(setup.admin_url)  # new tables: `refresh_grants` runs in the upgrade
    path = sites_csv(tmp_path, [])
    assert main(["import", "sites", str(path), "--crs", "EPSG:25832", "--db", setup.editor_url]) == 0
    assert owner_view_rows(setup.viewer_url)["sites"] == []
    refused(setup.viewer_url, "DELETE FROM nodes")
    refused(setup.editor_url, "DELETE FROM alembic_version")


def test_a_table_made_later_is_readable_by_the_viewer(setup):
    owner = engine_for(setup.admin_url)
    try:
        with owner.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE later (x integer)")
    finally:
        owner.dispose()
    engine = engine_for(setup.viewer_url)
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT count(*) FROM later").scalar_one() == 0
    finally:
        engine.dispose()
    refused(setup.editor_url, "INSERT INTO later VALUES (1)")


@pytest.mark.parametrize("name", [
    "Robert'); DROP ROLE postgres;--", 'x" SUPERUSER', "UPPER", "", "pg_admin", "a" * 64, "naïve", "x y", "1abc",
])
def test_login_names_are_checked(setup, name):
    with pytest.raises(ValueError, match="not allowed"):
        roles.add_login(setup.admin_url, name, "viewer", viewer=setup.viewer_group, editor=setup.editor_group)


def test_a_powerful_role_cannot_become_a_login(setup):
    groups = {"viewer": setup.viewer_group, "editor": setup.editor_group}
    with pytest.raises(ValueError, match="superuser"):
        roles.add_login(setup.admin_url, "postgres", "viewer", **groups)
    with pytest.raises(ValueError, match="group role"):
        roles.add_login(setup.admin_url, setup.editor_group, "viewer", **groups)
    with pytest.raises(ValueError, match="expected viewer or editor"):
        roles.add_login(setup.admin_url, "somebody", "admin", **groups)


def test_moving_a_login_between_roles(setup):
    groups = {"viewer": setup.viewer_group, "editor": setup.editor_group}
    assert roles.add_login(setup.admin_url, setup.viewer, "editor", **groups) is False
    engine = engine_for(setup.viewer_url)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("DELETE FROM site_areas")
    finally:
        engine.dispose()
    roles.add_login(setup.admin_url, setup.viewer, "viewer", **groups)
    refused(setup.viewer_url, "DELETE FROM sites")


def test_password_is_stored_hashed_and_verbatim(setup):
    """A password full of quotes reaches the server only as a SCRAM verifier (never in plain text)."""
    password = "pa'ss\"wo$$rd; DROP ROLE postgres; --\\"
    roles.add_login(setup.admin_url, setup.viewer, "viewer", password,
                    viewer=setup.viewer_group, editor=setup.editor_group)
    engine = engine_for(setup.admin_url)
    try:
        with engine.connect() as connection:
            stored = connection.execute(sa.text("SELECT rolpassword FROM pg_authid WHERE rolname = :n"),
                                        {"n": setup.viewer}).scalar_one()
            assert connection.exec_driver_sql("SELECT count(*) FROM pg_roles WHERE rolname = 'postgres'").scalar_one()
    finally:
        engine.dispose()
    assert stored.startswith("SCRAM-SHA-256$") and "DROP" not in stored
    with pytest.raises(ValueError, match="empty password"):
        roles.add_login(setup.admin_url, setup.viewer, "viewer", "",
                        viewer=setup.viewer_group, editor=setup.editor_group)


# --- `gelsennet db roles` -------------------------------------------------------------------------------


def test_cli_db_roles(pg_url, tmp_path, capsys, monkeypatch):
    """The default group roles, a viewer and an editor login; URLs printed without any password."""
    token = uuid.uuid4().hex[:8]
    viewer, editor = f"gn_app_{token}", f"gn_steward_{token}"
    postgis.upgrade(pg_url)
    store = open_store(pg_url)
    store.write(small_inventory())
    store.close()
    monkeypatch.setenv("GELSENNET_VIEWER_PASSWORD", "viewer-secret-123")
    monkeypatch.delenv("GELSENNET_EDITOR_PASSWORD", raising=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO())  # not a terminal: no prompt
    try:
        # the admin's URL carries a password (the test server trusts local connections and ignores it): the
        # printed login URLs must not carry it on
        admin_url = make_url(pg_url).set(password="admin-secret-456").render_as_string(hide_password=False)
        assert main(["db", "roles", "--db", admin_url, "--viewer", viewer, "--editor", editor]) == 0
        out = capsys.readouterr().out
        assert "viewer-secret-123" not in out and "admin-secret-456" not in out
        viewer_url = roles.login_url(pg_url, viewer)
        assert viewer_url in out and roles.login_url(pg_url, editor) in out
        assert "$GELSENNET_VIEWER_PASSWORD" in out and "no password; set $GELSENNET_EDITOR_PASSWORD" in out
        assert main(["db", "roles", "--db", pg_url, "--viewer", viewer]) == 0  # again: idempotent
        assert "updated" in capsys.readouterr().out
        assert main(["validate", "--db", viewer_url]) == 0
        refused(viewer_url, "DELETE FROM nodes")
        path = sites_csv(tmp_path, [("S-1", "Schule")])
        assert main(["import", "sites", str(path), "--crs", "EPSG:25832", "--mode", "upsert",
                     "--db", roles.login_url(pg_url, editor)]) == 0
        assert len(owner_view_rows(viewer_url)["sites"]) == 3
    finally:
        drop_roles(pg_url, [viewer, editor])
        drop_roles(pg_url, [roles.EDITOR_ROLE, roles.VIEWER_ROLE], tolerate_other_databases=True)


@pytest.mark.parametrize("argv, message", [
    (["--viewer", "Robert'); DROP TABLE nodes;--"], "not allowed"),
    (["--viewer", "same", "--editor", "same"], "different users"),
    (["--viewer", "postgres"], "superuser"),
])
def test_cli_db_roles_refuses_bad_input(pg_url, capsys, argv, message):
    postgis.upgrade(pg_url)
    try:
        assert main(["db", "roles", "--db", pg_url, *argv]) == 2
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err
    finally:
        drop_roles(pg_url, [roles.EDITOR_ROLE, roles.VIEWER_ROLE], tolerate_other_databases=True)


def test_cli_db_roles_needs_postgres(tmp_path, capsys):
    assert main(["db", "roles", "--db", str(tmp_path / "x.gpkg")]) == 2
    assert "only in PostgreSQL" in capsys.readouterr().err


def test_cli_db_roles_as_a_user_without_createrole(setup, capsys):
    assert main(["db", "roles", "--db", setup.editor_url]) == 2
    err = capsys.readouterr().err
    assert "superuser or as the database owner" in err and "Traceback" not in err


def test_cli_db_roles_help(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["db", "roles", "--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    assert "usage: gelsennet db roles" in out and "GELSENNET_VIEWER_PASSWORD" in out


def test_login_urls_never_carry_the_admins_password():
    url = "postgresql+psycopg://admin:admin-secret-456@db.example:5433/net?sslmode=require"
    assert roles.login_url(url, "anna") == "postgresql+psycopg://anna@db.example:5433/net?sslmode=require"
