"""The editors' functions of the app: hidden without sign-in, a password that is checked and throttled,
uploads limited in size and type, imports all or nothing, edits with a version check on PostGIS."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from factories import small_inventory
from geopandas.testing import assert_geodataframe_equal
from streamlit.testing.v1 import AppTest

from app_pages.auth import MAX_FAILURES, check_password, editor_config, hash_password, password_attempt
from app_pages.i18n import t
from app_pages.uploads import MAX_UPLOAD_MB, UploadRejected, save_upload
from inventory.stores import open_store

APP = str(Path(__file__).resolve().parent.parent / "app.py")
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


def test_wrong_passwords_pause_the_sign_in():
    state: dict = {}
    for _ in range(MAX_FAILURES):
        assert password_attempt(state, "wrong", HASH, now=100.0) == "wrong"
    assert password_attempt(state, PASSWORD, HASH, now=101.0) == "paused"  # even the right one, for a while
    assert password_attempt(state, PASSWORD, HASH, now=1_000.0) == "ok"


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
@pytest.fixture
def small_gpkg(tmp_path, monkeypatch):
    path = tmp_path / "small.gpkg"
    open_store(path).write(small_inventory())
    monkeypatch.setenv("GELSENNET_DB", str(path))
    return path


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
    return list(at.radio(key="page").options)


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
    at.radio(key="page").set_value("edit").run()
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
    at.radio(key="page").set_value("edit").run()
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
    at.radio(key="page").set_value("edit").run()
    assert t("edit.postgis_only") in [i.value for i in at.info]
