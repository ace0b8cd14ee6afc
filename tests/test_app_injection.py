"""Injection strings through every text input of the app: no exception, nothing changed that should
not change, the text shown literally (markdown-escaped), and stored verbatim where it is valid data."""

from __future__ import annotations

from pathlib import Path

import pytest
from factories import small_inventory
from streamlit.testing.v1 import AppTest
from test_injection import INJECTIONS, SWEEP

from app_pages.auth import hash_password
from app_pages.i18n import plain, t
from inventory.stores import open_store

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PASSWORD = "correct horse battery staple"
SECRETS = {"editors": {"password_hash": hash_password(PASSWORD, iterations=1_000)}}


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


def test_plain_shows_markdown_literally():
    assert plain("[x](javascript:alert(1))") == r"\[x\]\(javascript\:alert\(1\)\)"
    assert plain("**fett** $x$ :smile: <b>") == r"\*\*fett\*\* \$x\$ \:smile\: \<b\>"
    assert plain("Schule 123") == "Schule 123"


def test_school_number_input(small_gpkg):
    before = small_gpkg.read_bytes()
    at = app()
    at.radio(key="page").set_value("school").run()
    for text in INJECTIONS:
        at.text_input(key="school_number").input(text).run()
        assert not at.exception, (text, at.exception)
        if text.strip():
            assert at.error, text
            assert plain(text.strip()) in at.error[0].value  # shown literally, never as markdown
    assert small_gpkg.read_bytes() == before


@pytest.mark.parametrize("text", SWEEP)
def test_editor_sign_in_inputs(small_gpkg, text):
    before = small_gpkg.read_bytes()
    at = app(SECRETS)
    at.text_input(key="editor_name").input(text)
    at.text_input(key="editor_password").input(text)
    at.button[[b.label for b in at.button].index("Anmelden")].click().run()
    assert not at.exception, (text, at.exception)
    assert t("page.edit") not in at.radio(key="page").options  # an injection is no password
    at.text_input(key="editor_name").input(text)
    at.text_input(key="editor_password").input(PASSWORD)
    at.button[[b.label for b in at.button].index("Anmelden")].click().run()
    assert not at.exception, (text, at.exception)
    assert t("page.edit") in at.radio(key="page").options
    signed_in = [c.value for c in at.caption if "Redaktion" in c.value]
    # the name field takes 80 characters (a browser stops typing there); a longer one is not taken at all
    assert signed_in and plain(text.strip() if len(text) <= 80 else "editor") in signed_in[0]
    at.radio(key="page").set_value("edit").run()
    at.text_input(key="edit_crs").input(text).run()  # the CRS field of an import, with no file chosen yet
    assert not at.exception, (text, at.exception)
    assert small_gpkg.read_bytes() == before
