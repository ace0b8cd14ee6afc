"""Backup and restore of a PostGIS inventory with PostgreSQL's own tools (pg_dump / pg_restore).

A backup is one file in pg_dump's custom format holding the inventory tables, their versions, the
change history and the schema revision, so that a restore gives every layer, every version and the
history back exactly (and `--as-of` answers as before). Roles are not part of it: create them on the
target server with `gelsennet db roles`; a restore grants the viewer and editor roles it finds there.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from inventory.settings import without_password
from inventory.stores.base import StoreError


def tool(name: str) -> str:
    """Path of a PostgreSQL client program: on PATH, else the newest under /usr/lib/postgresql.

    Parameters
    ----------
    name : str
        The program's name, e.g. ``"pg_dump"`` or ``"pg_restore"``.

    Returns
    -------
    str
        The program's path: the one on PATH, else the one of the highest major version under
        ``/usr/lib/postgresql/<version>/bin`` (Debian's layout).

    Raises
    ------
    StoreError
        When the program is neither on PATH nor under /usr/lib/postgresql.
    """
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    if candidates:
        return candidates[-1]
    raise StoreError(f"{name} not found: install the PostgreSQL client (Debian: postgresql-client)")


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """Return a libpq connection URL (no driver name, no password) and the environment carrying the password."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    plain = without_password(url, drivername="postgresql")
    return plain, env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    proc = subprocess.run(command, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise StoreError(f"{what} failed (exit code {proc.returncode}): {proc.stderr.strip()[-2000:]}")


def backup(url: str, path: str | Path) -> Path:
    """Write the inventory database at `url` to `path` (pg_dump custom format); written whole or not at all.

    pg_dump writes a hidden ``.<name>.partial`` file beside `path`, which replaces `path` only when the dump
    succeeded and is removed in any case.

    Parameters
    ----------
    url : str
        SQLAlchemy URL of the PostGIS database, password included if any (handed to pg_dump in the
        environment as PGPASSWORD, never on the command line).
    path : str or pathlib.Path
        The backup file to write; an existing file is replaced.

    Returns
    -------
    pathlib.Path
        `path`, the backup written.

    Raises
    ------
    StoreError
        When pg_dump is not installed or fails (the message ends with pg_dump's error output).
    """
    path = Path(path)
    plain, env = _libpq(url)
    partial = path.with_name(f".{path.name}.partial")
    try:
        _run([tool("pg_dump"), "--format=custom", "--no-owner", f"--file={partial}", f"--dbname={plain}"], env,
             "pg_dump")
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def restore(path: str | Path, url: str) -> None:
    """Restore a backup into the (empty) database at `url` in one transaction: all of it, or nothing.

    The dump's owners and grants are left out (they name roles the target server may not have); the viewer
    and editor roles the target has get their grants afterwards (`inventory.roles.refresh_grants`).

    Parameters
    ----------
    path : str or pathlib.Path
        A backup file written by `backup` (pg_dump custom format).
    url : str
        SQLAlchemy URL of the target PostGIS database, which should be empty; password included if any.

    Raises
    ------
    StoreError
        When `path` is not a file, or pg_restore is not installed or fails (then nothing was restored).
    sqlalchemy.exc.SQLAlchemyError
        When the database cannot be reached to grant the roles their rights.
    """
    path = Path(path)
    if not path.is_file():
        raise StoreError(f"{path}: no such backup file")
    plain, env = _libpq(url)
    # Without the dump's grants: they name roles the target server may not have. The target's own
    # viewer and editor roles (if `gelsennet db roles` made them there) get theirs afterwards.
    _run([tool("pg_restore"), "--no-owner", "--no-acl", "--single-transaction", "--exit-on-error",
          f"--dbname={plain}", str(path)], env, "pg_restore")
    from inventory.engine import make_engine
    from inventory.roles import refresh_grants

    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            refresh_grants(connection)
    finally:
        engine.dispose()
