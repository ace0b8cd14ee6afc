"""The editors' functions of the app: hidden without sign-in, a password that is checked and throttled,
uploads limited in size and type, imports all or nothing, edits with a version check on PostGIS."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from app_pages_helper import open_page, page_titles
from factories import small_inventory
from geopandas.testing import assert_geodataframe_equal
from streamlit.testing.v1 import AppTest

from app_pages.auth import THROTTLE, check_password, editor_config, hash_password
from app_pages.i18n import t
from app_pages.uploads import MAX_UPLOAD_MB, UploadRejected, save_upload
from inventory.stores import open_store

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture(autouse=True)
def fresh_throttle():
    """The sign-in throttle counts for the whole process (every AppTest session alike): each test starts
    with no failures counted and leaves none behind."""
    THROTTLE.clear()
    yield
    THROTTLE.clear()
PASSWORD = "correct horse battery staple"
HASH = hash_password(PASSWORD, iterations=1_000)  # few iterations: the test stays fast


# ---------------------------------------------------------------- sign-in rules
def test_password_hash_checks_and_refuses():
    stored = hash_password("geheim-und-lang", iterations=1_000)
    assert check_password("geheim-und-lang", stored)
    assert not check_password("geheim-und-lan", stored)
    assert not check_password("geheim-und-lang", "not a hash")
    assert not check_password("geheim-und-lang", stored.replace("pbkdf2_sha256", "md5"))
    assert hash_password("x", iterations=1_000) != hash_password("x", iterations=1_000)  # salted


def test_editor_config_from_secrets():
    assert editor_config({}) == {"mode": None}
    assert editor_config({"editors": {"password_hash": HASH}}) == {"mode": "password", "hash": HASH}
    oidc = editor_config({"auth": {"redirect_uri": "x"}, "editors": {"emails": [" Planung@Example.org "]}})
    assert oidc == {"mode": "oidc", "emails": ["planung@example.org"]}
    assert editor_config({"editors": {"emails": ["a@b"]}}) == {"mode": None}  # emails without OIDC: no way in


# ---------------------------------------------------------------- uploads
def test_uploads_are_limited_in_size_and_type(tmp_path):
    def rejected(name, data) -> str:
        with pytest.raises(UploadRejected) as info:
            save_upload(name, data, tmp_path)
        return info.value.key

    assert rejected("big.csv", b"a" * int(MAX_UPLOAD_MB * 1e6 + 1)) == "upload.too_big"
    assert rejected("run.exe", b"MZ") == "upload.type"
    assert rejected("no_extension", b"x") == "upload.type"
    assert rejected("empty.csv", b"") == "upload.empty"
    assert rejected("fake.gpkg", b"{}") == "upload.content"
    assert rejected("fake.geojson", b"SQLite format 3\x00") == "upload.content"
    assert rejected("fake.zip", b"not a zip") == "upload.content"
    assert list(tmp_path.iterdir()) == []  # nothing written for a rejected upload


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_zipped_shapefile_cannot_write_outside_its_folder(tmp_path):
    folder = tmp_path / "upload"
    folder.mkdir()
    data = _zip({"../../evil.shp": b"shp", "../../evil.dbf": b"dbf", "/etc/evil.shx": b"x", "readme.txt": b"hi"})
    path = save_upload("routes.zip", data, folder)
    assert path == folder / "upload.shp"
    assert sorted(p.name for p in folder.iterdir()) == ["upload.dbf", "upload.shp"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["upload"]
    with pytest.raises(UploadRejected) as info:
        save_upload("two.zip", _zip({"a.shp": b"1", "b.shp": b"2"}), folder)
    assert info.value.key == "upload.shapefiles"


# ---------------------------------------------------------------- the app
def app(secrets: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in (secrets or {}).items():
        at.secrets[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def sign_in(at: AppTest, password: str = PASSWORD, name: str = "Erika Muster") -> AppTest:
    at.text_input(key="editor_name").input(name)
    at.text_input(key="editor_password").input(password)
    at.button[[b.label for b in at.button].index(t("auth.login"))].click().run()
    assert not at.exception, at.exception
    return at


def pages(at: AppTest) -> list[str]:
    return page_titles(at)


def test_without_editors_config_there_is_no_sign_in_and_no_edit_page(small_gpkg):
    at = app()
    assert t("page.edit") not in pages(at)
    assert not [i for i in at.text_input if i.key == "editor_password"]


def test_edit_page_appears_only_after_the_right_password(small_gpkg):
    at = app({"editors": {"password_hash": HASH}})
    assert t("page.edit") not in pages(at)
    sign_in(at, "falsch")
    assert t("auth.wrong") in [e.value for e in at.error]
    assert t("page.edit") not in pages(at)
    sign_in(at)
    assert t("page.edit") in pages(at)
    assert any("Erika Muster" in c.value for c in at.caption)


def _geojson_sites(name: str, folder: Path) -> bytes:
    sites = small_inventory()["sites"].copy()
    sites.loc[sites.index[0], "name"] = name
    sites.to_file(folder / "sites.geojson", driver="GeoJSON")
    return (folder / "sites.geojson").read_bytes()


def test_editor_imports_a_file_through_the_app(small_gpkg, tmp_path):
    at = sign_in(app({"editors": {"password_hash": HASH}}))
    open_page(at, "edit")
    at.selectbox(key="edit_layer").set_value("sites").run()
    at.radio(key="edit_mode").set_value("upsert").run()
    name = "Robert'); DROP TABLE sites;-- Schule"  # stored as text, verbatim
    at.file_uploader(key="edit_upload").upload("sites.geojson", _geojson_sites(name, tmp_path), "application/geo+json").run()
    at.button(key="edit_check").click().run()
    assert not at.exception, at.exception
    assert at.success and "Noch nichts übernommen" in at.success[0].value
    assert name not in set(open_store(small_gpkg).read("sites")["name"])  # a check changes nothing
    at.button(key="edit_run").click().run()
    assert not at.exception, at.exception
    assert at.success and "Importiert" in at.success[0].value
    assert name in set(open_store(small_gpkg).read("sites")["name"])


def test_a_bad_upload_changes_nothing_and_says_why(small_gpkg):
    before = open_store(small_gpkg).read_all()
    at = sign_in(app({"editors": {"password_hash": HASH}}))
    open_page(at, "edit")
    at.selectbox(key="edit_layer").set_value("sites").run()
    bad = b'{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"site_id": "1"}, ' \
          b'"geometry": {"type": "Point", "coordinates": [1, 2]}}]}'
    at.file_uploader(key="edit_upload").upload("sites.geojson", bad, "application/geo+json").run()
    at.button(key="edit_run").click().run()
    assert not at.exception, at.exception
    assert at.error  # the problems, listed
    assert at.dataframe[0].value.shape[0] >= 1
    # Streamlit refuses other extensions itself; the page also checks the content against the extension
    at.file_uploader(key="edit_upload").set_value(("tool.gpkg", b"MZ\x90\x00", "application/octet-stream")).run()
    at.button(key="edit_run").click().run()
    assert not at.exception, at.exception
    assert "passt nicht zur Endung .gpkg" in at.error[0].value
    after = open_store(small_gpkg).read_all()
    for name in before:
        assert_geodataframe_equal(after[name], before[name])


def test_gpkg_store_has_no_single_record_editing(small_gpkg):
    at = sign_in(app({"editors": {"password_hash": HASH}}))
    open_page(at, "edit")
    assert t("edit.postgis_only") in [i.value for i in at.info]


# ---------------------------------------------------------------- PostGIS: viewer for reading, editor for writing
@pytest.fixture
def pg_logins(pg_url, monkeypatch):
    """The small inventory in PostGIS, group roles and a viewer and an editor login (unique names);
    the app's secrets as an operator would write them."""
    import uuid

    from test_roles import drop_roles

    from inventory import postgis, roles

    token = uuid.uuid4().hex[:8]
    groups = {"viewer": f"gn_app_viewers_{token}", "editor": f"gn_app_editors_{token}"}
    viewer, editor = f"gn_app_viewer_{token}", f"gn_app_editor_{token}"
    postgis.upgrade(pg_url)
    store = open_store(pg_url)
    store.write(small_inventory())
    store.close()
    monkeypatch.delenv("GELSENNET_DB", raising=False)
    try:
        roles.ensure_roles(pg_url, **groups)
        roles.add_login(pg_url, viewer, "viewer", **groups)
        roles.add_login(pg_url, editor, "editor", **groups)
        yield {"admin": pg_url, "db": roles.login_url(pg_url, viewer), "editor_db": roles.login_url(pg_url, editor),
               "editors": {"password_hash": HASH}}
    finally:
        drop_roles(pg_url, [viewer, editor, *groups.values()])


def node_name(url: str, node_id: str) -> str:
    store = open_store(url)
    try:
        nodes = store.read("nodes")
        return str(nodes.loc[nodes["node_id"] == node_id, "name"].iloc[0])
    finally:
        store.close()


def test_editor_edits_a_record_and_a_concurrent_change_is_not_lost(pg_logins):
    from inventory.editing import edit_element
    from inventory.history import element_history

    secrets = {k: v for k, v in pg_logins.items() if k != "admin"}
    at = sign_in(app(secrets))
    assert at.caption and "gn_app_viewer_" in at.caption[0].value  # the pages read through the viewer login
    open_page(at, "edit")
    at.selectbox(key="element_layer").set_value("nodes").run()
    at.text_input(key="element_id").input("C1").run()
    at.button(key="element_load").click().run()
    assert not at.exception, at.exception
    assert t("edit.version", version=1) in [c.value for c in at.caption]
    at.selectbox(key="element_field").set_value("name").run()
    at.text_input(key="element_value").input("Muffe Nord").run()

    # meanwhile a colleague changes the same element through another connection
    colleague = open_store(pg_logins["editor_db"])
    assert edit_element(colleague, "nodes", "C1", {"name": "Muffe des Kollegen"}, 1, user="Kollege") == 2
    colleague.close()

    at.button(key="element_save").click().run()
    assert not at.exception, at.exception
    assert at.error and "now version 2" in at.error[0].value.replace("\\", "")
    assert node_name(pg_logins["admin"], "C1") == "Muffe des Kollegen"  # nothing lost

    at.button(key="element_load").click().run()  # reload, apply again
    assert t("edit.version", version=2) in [c.value for c in at.caption]
    at.button(key="element_save").click().run()
    assert not at.exception, at.exception
    assert at.success and t("edit.saved", version=3) in at.success[0].value
    assert node_name(pg_logins["admin"], "C1") == "Muffe Nord"
    changes = element_history(open_store(pg_logins["admin"]), "C1", layer="nodes")
    assert [(c.version, c.app_user) for c in changes][-2:] == [(2, "Kollege"), (3, "Erika Muster")]


@pytest.mark.parametrize("text", ["'; DROP TABLE sites; --", "Robert'); DROP TABLE nodes;--", "%(x)s {0} :param"])
def test_injection_strings_in_the_edit_fields(pg_logins, text):
    secrets = {k: v for k, v in pg_logins.items() if k != "admin"}
    at = sign_in(app(secrets))
    open_page(at, "edit")
    at.selectbox(key="element_layer").set_value("nodes").run()
    at.text_input(key="element_id").input(text).run()
    at.button(key="element_load").click().run()
    assert not at.exception, at.exception
    assert at.error  # no such element
    at.text_input(key="element_id").input("C2").run()
    at.button(key="element_load").click().run()
    at.selectbox(key="element_field").set_value("name").run()
    at.text_input(key="element_value").input(text).run()
    at.button(key="element_save").click().run()
    assert not at.exception, at.exception
    assert node_name(pg_logins["admin"], "C2") == text  # stored verbatim, as text
    assert len(open_store(pg_logins["admin"]).read("sites")) == len(small_inventory()["sites"])
