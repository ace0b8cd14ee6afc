"""`gelsennet db roles`: the command that sets up the viewer and editor roles and their login users.

The role logic (what each role may do, and how it is granted) is `inventory.roles`; this module reads
the command line and the passwords, calls it and reports what it did.
"""

from __future__ import annotations

import psycopg
from sqlalchemy.exc import DBAPIError, OperationalError

from inventory.engine import make_engine
from inventory.errors import StoreError
from inventory.roles import EDITOR_ROLE, ENV_PASSWORD, VIEWER_ROLE, add_login, check_name, ensure_roles, login_url
from inventory.settings import is_postgres_url, shown_location, store_location


def add_roles_parser(db_sub, add_db_option) -> None:
    """Add `gelsennet db roles` to the `db` subcommands (called by `inventory.cli.build_parser`).

    Parameters
    ----------
    db_sub : argparse._SubParsersAction
        The subparsers of `gelsennet db`, from ``add_subparsers``.
    add_db_option : callable
        Called with the new parser to add the shared ``--db`` option (``inventory.cli``'s helper).
    """
    parser = db_sub.add_parser(
        "roles",
        help="create the read-only viewer and the editor roles, and login users (PostGIS)",
        description=(
            f"Create (or bring up to date) the group roles {VIEWER_ROLE} (SELECT only; the app's connection) and "
            f"{EDITOR_ROLE} (also INSERT/UPDATE/DELETE on the layer tables; no schema changes), and optionally "
            f"login users in them. Passwords come from ${ENV_PASSWORD['viewer']} / ${ENV_PASSWORD['editor']} "
            "or a prompt, never from the command line. Run as a superuser or as the database owner with "
            "CREATEROLE; safe to run again. `db upgrade` re-applies the grants to the tables it creates."
        ),
    )
    add_db_option(parser)
    parser.add_argument("--viewer", metavar="NAME", help="create or update this login user as a viewer")
    parser.add_argument("--editor", metavar="NAME", help="create or update this login user as an editor")
    parser.set_defaults(func=cmd_db_roles)


def cmd_db_roles(args) -> int:
    """Run `gelsennet db roles`: ensure the group roles, then create or update the login users asked for.

    Passwords are read before the database is touched: from $GELSENNET_VIEWER_PASSWORD /
    $GELSENNET_EDITOR_PASSWORD, else from a prompt on a terminal (typed twice), else none.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line (`db`, `viewer`, `editor`; the two user names may be None).

    Returns
    -------
    int
        The exit code: 0, after printing what was granted and each login user's URL.

    Raises
    ------
    StoreError
        The store is not a PostgreSQL database, cannot be reached, or refused to set up the roles.
    ValueError
        A user name is not allowed, --viewer and --editor name one user, or the two passwords typed differ.
    """
    url = store_location(args.db)
    if not is_postgres_url(url):
        raise StoreError(
            f"{url}: database roles exist only in PostgreSQL; protect a GeoPackage with its file permissions"
        )
    logins = [(kind, check_name(name, f"--{kind}")) for kind, name in (("viewer", args.viewer), ("editor", args.editor))
              if name is not None]
    if len({name for _, name in logins}) < len(logins):
        raise ValueError("--viewer and --editor must name different users")
    passwords = {kind: _password(kind, name) for kind, name in logins}
    safe = shown_location(url)
    engine = make_engine(url)
    try:
        grants = ensure_roles(engine)
        created = {kind: add_login(engine, name, kind, passwords[kind][0]) for kind, name in logins}
    except OperationalError as exc:
        raise StoreError(f"cannot connect to {safe}: {exc.orig}") from exc
    except (DBAPIError, psycopg.Error) as exc:
        raise StoreError(
            f"{safe}: the database refused to set up the roles: {getattr(exc, 'orig', exc)}; run `gelsennet db "
            "roles` as a superuser or as the database owner with CREATEROLE"
        ) from exc
    finally:
        engine.dispose()
    new = " (created)" if grants.created else ""
    print(f"roles ready in {safe}{new}:")
    print(f"  {VIEWER_ROLE:<18} reads {len(grants.readable)} tables and views, and tables made later")
    print(f"  {EDITOR_ROLE:<18} also writes {', '.join(grants.writable) or 'no layer table yet (run db upgrade)'}")
    if grants.skipped:
        print(f"  not granted (owned by another role): {', '.join(grants.skipped)}")
    for kind, name in logins:
        password, source = passwords[kind]
        if password is not None:
            state = f"password {source}"
        elif created[kind]:
            state = f"no password; set ${ENV_PASSWORD[kind]} and run again to give one"
        else:
            state = "password unchanged"
        print(f"{kind} {name} ({'new' if created[kind] else 'updated'}, {state}): {login_url(url, name)}")
    print(
        "The app connects as a viewer: set GELSENNET_DB to the viewer's URL. Keep passwords in ~/.pgpass or "
        "$PGPASSWORD, never in a URL or in the repository."
    )
    return 0


def _password(kind: str, name: str) -> tuple[str | None, str]:
    """(password or None, where it came from): the environment, else a prompt on a terminal, else none."""
    import getpass
    import os
    import sys

    variable = ENV_PASSWORD[kind]
    if os.environ.get(variable):
        return os.environ[variable], f"from ${variable}"
    if sys.stdin.isatty():
        first = getpass.getpass(f"password for {kind} {name} (empty: none or unchanged): ")
        if first and getpass.getpass("again: ") != first:
            raise ValueError(f"the two passwords for {name} differ; nothing was changed")
        return first or None, "from the prompt"
    return None, ""
