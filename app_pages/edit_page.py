"""The editors' page: import a file into a layer (checked first, all or nothing) and edit one element
with a version check. Shown only to a signed-in editor (`app_pages.auth`).

Writes go to the store in the secret `editor_db` when set (a connection with the editor role),
else to the store the app shows; the library does the work (`inventory.importer`, `inventory.editing`).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages.auth import editor_config, password_attempt, wait_seconds
from app_pages.data import app_secrets
from app_pages.i18n import plain, t
from app_pages.import_panel import import_panel, show_problems
from inventory.problems import DataError
from inventory.schema import LAYER_ORDER, get_layer
from inventory.settings import is_postgres_url
from inventory.stores import StoreError, open_store

PROBLEM_COLUMNS = ["layer", "row", "field", "value", "expected", "fix"]


def client_address() -> str | None:
    """The address of the browser this session talks to, for the sign-in throttle; None when Streamlit has
    none (a browser on the same computer, AppTest).

    `st.context.ip_address` is the WebSocket's peer as the server (uvicorn) sees it: the TCP peer, or the
    X-Forwarded-For address only when the peer is a proxy trusted through `FORWARDED_ALLOW_IPS` (by default
    only 127.0.0.1 and ::1, i.e. a proxy on the same machine). The X-Forwarded-For header is not read here:
    any client can write it, and one could pick a new address for every guess. Behind a proxy on another
    machine that is not listed in `FORWARDED_ALLOW_IPS`, every browser has the proxy's address, so the pause
    after wrong passwords holds for all of them at once: list the proxy there (README, sign-in).
    """
    try:
        address = st.context.ip_address
    except (AttributeError, RuntimeError):  # no request context (a bare script run)
        return None
    return address if isinstance(address, str) else None  # AppTest's runtime answers with a stand-in object


def signed_in_editor(lang: str) -> str | None:
    """The sidebar's sign-in for editors; the signed-in editor's name, else None. Without an editors'
    configuration in the secrets there is nothing to sign in to, and nothing is shown."""
    config = editor_config(app_secrets())
    if config["mode"] is None:
        return None
    box = st.sidebar.container(border=True)
    if config["mode"] == "oidc":
        if not st.user.is_logged_in:
            box.button(t("auth.login_oidc", lang), on_click=st.login, key="editor_login")
            return None
        email = str(st.user.get("email") or "").lower()
        if email not in config["emails"]:
            box.warning(t("auth.not_editor", lang, who=plain(email or "?")))
            box.button(t("auth.logout", lang), on_click=st.logout, key="editor_logout")
            return None
        box.caption(t("auth.signed_in", lang, who=plain(email)))
        box.button(t("auth.logout", lang), on_click=st.logout, key="editor_logout")
        return email
    if st.session_state.get("editor"):
        box.caption(t("auth.signed_in", lang, who=plain(st.session_state["editor"])))
        if box.button(t("auth.logout", lang), key="editor_logout"):
            del st.session_state["editor"]
            st.rerun()
        return st.session_state["editor"]
    with box.form("editor_login", clear_on_submit=True):
        st.markdown(f"**{t('auth.title', lang)}**")
        name = st.text_input(t("auth.name", lang), key="editor_name", max_chars=80)
        password = st.text_input(t("auth.password", lang), type="password", key="editor_password", max_chars=200)
        if st.form_submit_button(t("auth.login", lang)):
            attempt = password_attempt(password, config["hash"], account=name, client=client_address())
            if attempt.outcome == "ok":
                st.session_state["editor"] = name.strip() or "editor"
                st.rerun()
            if attempt.outcome == "wrong":
                st.error(t("auth.wrong", lang))
            if attempt.wait_s > 0:
                st.error(t("auth.paused", lang, s=wait_seconds(attempt.wait_s)))
    return None


def editor_location(location: str) -> str:
    """Where the editors' writes go: the `editor_db` secret, else the store shown."""
    return str(app_secrets().get("editor_db") or location)


def page_edit(location: str, version: int, frames: dict, lang: str, editor: str) -> None:
    target = editor_location(location)
    st.caption(t("edit.target", lang))
    import_panel(target, lang)

    st.subheader(t("edit.element", lang))
    if not is_postgres_url(target):
        st.info(t("edit.postgis_only", lang))
        return
    _edit_element(target, lang, editor)


def _edit_element(target: str, lang: str, editor: str) -> None:
    from inventory.editing import ConflictError, ElementNotFound, edit_element, read_element

    left, right = st.columns(2)
    layer = left.selectbox(t("edit.layer", lang), LAYER_ORDER, format_func=lambda n: t(f"layer.{n}", lang),
                           key="element_layer")
    element_id = right.text_input(t("edit.id", lang), key="element_id", max_chars=200).strip()
    store = open_store(target)
    try:
        if st.button(t("edit.load", lang), key="element_load", disabled=not element_id):
            try:
                values, version = read_element(store, layer, element_id)
            except ElementNotFound as exc:
                st.error(plain(str(exc)))
                st.session_state.pop("element_loaded", None)
            else:
                st.session_state["element_loaded"] = {"layer": layer, "id": element_id, "version": version,
                                                      "values": {k: v for k, v in values.items() if k != "geometry"}}
        loaded = st.session_state.get("element_loaded")
        if not loaded or loaded["layer"] != layer or loaded["id"] != element_id:
            return
        st.caption(t("edit.version", lang, version=loaded["version"]))
        st.dataframe(pd.DataFrame([{"field": k, "value": "" if v is None else str(v)}
                                   for k, v in loaded["values"].items()]), hide_index=True, key="element_values")
        fields = [f for f in get_layer(layer).columns if f != get_layer(layer).key]
        field = left.selectbox(t("edit.field", lang), fields, key="element_field")
        value = right.text_input(t("edit.value", lang), key="element_value", max_chars=1000)
        if st.button(t("edit.save", lang), key="element_save", type="primary"):
            try:
                new_version = edit_element(store, layer, element_id, {field: value}, loaded["version"], user=editor)
            except ConflictError as exc:
                st.error(plain(str(exc)))
            except DataError as exc:
                show_problems(exc, lang)
            except (ElementNotFound, StoreError, ValueError) as exc:
                st.error(plain(str(exc)))
            else:
                loaded["version"] = new_version
                loaded["values"][field] = value
                st.success(t("edit.saved", lang, version=new_version))
                st.cache_data.clear()
                st.cache_resource.clear()
    finally:
        store.close()
