"""What every page needs from the frame around it (`app.py`): the store, its version, its layers, the
language and the signed-in editor, kept for the current run in the session's state.

`app.py` computes it once per run, before `st.navigation` runs the page; a page reads it with `current()`.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

_KEY = "_page_context"


@dataclass(frozen=True)
class PageContext:
    """location: the store (path or URL); version: its version stamp (`data.store_version`); frames: its
    layers by name; lang: "de" or "en"; editor: the signed-in editor's name, else None."""

    location: str
    version: int
    frames: dict
    lang: str
    editor: str | None


def set_current(context: PageContext) -> None:
    st.session_state[_KEY] = context


def current() -> PageContext:
    """This run's context. RuntimeError when a page script runs without `app.py` around it."""
    try:
        return st.session_state[_KEY]
    except KeyError:
        raise RuntimeError("a page of the app runs inside app.py (bash scripts/run.sh)") from None
