"""The GeoPackage store's failures in words.

An SQLite error, or a file it may not write, becomes a `StoreError` that says what happened, that nothing was
changed, and what to do (busy, disk full, permission, not a GeoPackage).
"""

from __future__ import annotations

import os
import pwd
import sqlite3
from pathlib import Path

from inventory.stores.base import BUSY_TIMEOUT_S, StoreBusy, StoreError

NOTHING_CHANGED = "nothing was changed"


def user_name() -> str:
    """Return the name of the user this process runs as (or its uid).

    Returns
    -------
    str
        The effective user's login name, or ``"uid <n>"`` when the password database lacks it.
    """
    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        return f"uid {os.geteuid()}"


def owner_name(path: Path) -> str:
    """Return the name of the owner of `path` (or its uid).

    Parameters
    ----------
    path : pathlib.Path
        An existing file or folder.

    Returns
    -------
    str
        The owner's login name, or ``"uid <n>"`` when the password database lacks it.

    Raises
    ------
    OSError
        When `path` cannot be examined (e.g. `FileNotFoundError`).
    """
    uid = path.stat().st_uid
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


def sqlite_error(exc: sqlite3.Error, path: Path, action: str) -> StoreError:
    """Return a clear StoreError for an SQLite error (the transaction is rolled back, so nothing changed).

    Parameters
    ----------
    exc : sqlite3.Error
        The error; its ``sqlite_errorname`` (e.g. ``SQLITE_BUSY``) chooses the message.
    path : pathlib.Path
        The GeoPackage file.
    action : str
        What was being done, a verb without object, as it reads in "while trying to ..." and in "could not
        ... the GeoPackage" (e.g. ``"write"``, ``"start writing"``).

    Returns
    -------
    StoreError
        A `StoreBusy` for a busy or locked database; else a StoreError for a full disk (also an I/O error
        with under 1 MiB free, `disk_nearly_full`), a read-only file, a file or journal that cannot be
        opened, a file that is not a GeoPackage or is damaged, or any other error. Each message names
        `path`, says that nothing was changed and what to do.
    """
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return StoreBusy(
            f"{path}: store busy, try again; {NOTHING_CHANGED}. Another program held the GeoPackage for more "
            f"than {BUSY_TIMEOUT_S:.0f} s (another import, or QGIS with unsaved edits: save or close them)"
        )
    if name == "SQLITE_FULL" or (name.startswith("SQLITE_IOERR") and disk_nearly_full(path)):
        return StoreError(
            f"{path}: disk full (no space left on device) while trying to {action}; {NOTHING_CHANGED}. "
            f"Free some space on the disk that holds {path.parent} and try again"
        )
    if name.startswith("SQLITE_READONLY"):
        return StoreError(
            f"{path}: permission denied: the GeoPackage (or its journal beside it) may not be written by "
            f"user {user_name()}; {NOTHING_CHANGED}. Ask for write access or import into a copy"
        )
    if name.startswith("SQLITE_CANTOPEN"):
        return StoreError(
            f"{path}: cannot open the GeoPackage or create its journal in {path.parent} ({exc}); "
            f"{NOTHING_CHANGED}. Check that the file exists and the folder is writable"
        )
    if name in ("SQLITE_NOTADB", "SQLITE_CORRUPT"):
        return StoreError(f"{path}: not a GeoPackage or damaged ({exc}); {NOTHING_CHANGED}")
    return StoreError(f"{path}: could not {action} the GeoPackage ({exc}); {NOTHING_CHANGED}")


def disk_nearly_full(path: Path) -> bool:
    """Tell whether the disk holding `path` has less than 1 MiB free (an I/O error there is a full disk).

    Parameters
    ----------
    path : pathlib.Path
        A file; the disk of its folder is examined.

    Returns
    -------
    bool
        True when fewer than 1 MiB (1 048 576 bytes) are available to unprivileged users; False also
        when the folder cannot be examined.
    """
    try:
        info = os.statvfs(path.parent)
    except OSError:
        return False
    return info.f_bavail * info.f_frsize < 1024 * 1024
