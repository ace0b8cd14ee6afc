"""Injection strings through every text input of the app: no exception, nothing changed that should
not change, the text shown literally (markdown-escaped), and stored verbatim where it is valid data."""

from __future__ import annotations

import pytest
from app_pages_helper import open_page, page_titles
from test_app_editing import HASH, app, fresh_throttle, sign_in  # noqa: F401 (an autouse fixture)
from test_injection import INJECTIONS, SWEEP

from app_pages.i18n import plain, t

SECRETS = {"editors": {"password_hash": HASH}}


def test_plain_shows_markdown_literally():
    assert plain("[x](javascript:alert(1))") == r"\[x\]\(javascript\:alert\(1\)\)"
    assert plain("**fett** $x$ :smile: <b>") == r"\*\*fett\*\* \$x\$ \:smile\: \<b\>"
    assert plain("Schule 123") == "Schule 123"


def test_school_number_input(small_gpkg):
    before = small_gpkg.read_bytes()
    at = app()
    open_page(at, "school")
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
    at = sign_in(app(SECRETS), password=text, name=text)
    assert t("page.edit") not in page_titles(at)  # an injection is no password
    sign_in(at, name=text)
    assert t("page.edit") in page_titles(at)
    signed_in = [c.value for c in at.caption if "Redaktion" in c.value]
    # the name field takes 80 characters (a browser stops typing there); a longer one is not taken at all
    assert signed_in and plain(text.strip() if len(text) <= 80 else "editor") in signed_in[0]
    open_page(at, "edit")
    at.text_input(key="edit_crs").input(text).run()  # the CRS field of an import, with no file chosen yet
    assert not at.exception, (text, at.exception)
    assert small_gpkg.read_bytes() == before
