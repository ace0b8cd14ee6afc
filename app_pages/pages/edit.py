"""Bearbeiten (signed-in editors only): import a file, edit one record (`app_pages.edit_page`)."""

from __future__ import annotations

from app_pages.edit_page import page_edit
from app_pages.page_context import current

context = current()
page_edit(context.location, context.version, context.frames, context.lang, context.editor)
