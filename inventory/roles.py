"""Least privilege in PostGIS: a read-only viewer role and an editor role, and login users in them.

- `gelsennet_viewer` (NOLOGIN group): CONNECT on the database, USAGE on the schema, SELECT on every
  table and view there, now and later (ALTER DEFAULT PRIVILEGES). This is the app's connection.
- `gelsennet_editor` (NOLOGIN group): a member of the viewer, plus INSERT/UPDATE/DELETE on the five
  layer tables only, TEMPORARY on the database (imports stream through a TEMP staging table) and
  USAGE on sequences. TEMPORARY is revoked from PUBLIC (PostgreSQL grants it to everyone by
  default), so the viewer cannot create TEMP tables. No write on `alembic_version` or on any other
  table (the change history is written by the owner's SECURITY DEFINER triggers); no DDL: schema
  changes stay with the owner.
- Login users (`add_login`) are plain LOGIN roles that are members of one of the two groups.

Everything is idempotent: run it again at any time. `inventory.postgis.upgrade` calls
`refresh_grants` afterwards, so tables a migration creates or recreates get the same grants, and
nobody but the owner may EXECUTE the SECURITY DEFINER history functions (else any user with TEMP
could attach them to a table of their own and forge history rows).

Role names and passwords cannot be bind parameters in CREATE/ALTER ROLE and GRANT, so every
statement here is composed with psycopg's `sql.Identifier` / `sql.Literal` (quoted and escaped by
the driver); names are also checked against `NAME_PATTERN`. Passwords are hashed on the client
(SCRAM, `PQencryptPasswordConn`), so the plain text never reaches the server or its logs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from psycopg import sql
from sqlalchemy import Connection, Engine
from sqlalchemy.engine import make_url

from inventory.engine import make_engine
from inventory.schema import LAYER_ORDER
from inventory.settings import shown_location, without_password

VIEWER_ROLE = "gelsennet_viewer"
EDITOR_ROLE = "gelsennet_editor"
ENV_PASSWORD = {"viewer": "GELSENNET_VIEWER_PASSWORD", "editor": "GELSENNET_EDITOR_PASSWORD"}
SCHEMA = "public"
NAME_PATTERN = re.compile(r"[a-z_][a-z0-9_]{0,62}")
"""Role names accepted: lower-case SQL identifiers that need no quoting (max. 63 bytes)."""
MARKERS = {
    "viewer": "GELSEN-NET inventory viewer: read only (inventory.roles)",
    "editor": "GELSEN-NET inventory editor: writes the layer tables (inventory.roles)",
}
"""Role comments that let `refresh_grants` find the group roles of a database by their kind."""
LAYER_WRITES = ("INSERT", "UPDATE", "DELETE")
ALL_WRITES = "INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER"
READERS_FUNCTIONS = ("history_settled()",)
"""SECURITY DEFINER functions that readers call (no trigger functions): `history_settled()` waits for
writers in their commit, so an as-of read gives the answer every later read gives (revision 0003)."""
RELATION_KINDS = ("r", "p", "v", "m", "f")
"""Tables, partitioned tables, views, materialised views, foreign tables (`pg_class.relkind`)."""


@dataclass
class Grants:
    """What `ensure_roles` / `refresh_grants` did: for the report of `gelsennet db roles` (`inventory.roles_cli`)."""

    created: list[str] = field(default_factory=list)
    readable: list[str] = field(default_factory=list)
    writable: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    """Relations owned by another role, which the current user cannot grant on."""
    locked: list[str] = field(default_factory=list)
    """SECURITY DEFINER functions whose EXECUTE was revoked from PUBLIC (see `_lock_definer_functions`)."""


def check_name(name: str, what: str = "role name") -> str:
    """Return `name` if it is a plain lower-case identifier (not `pg_*`), else raise a ValueError saying why.

    Parameters
    ----------
    name : str
        The role or user name to check against `NAME_PATTERN`.
    what : str, default "role name"
        What `name` is, for the message (e.g. ``"user name"``, ``"viewer role"``).

    Returns
    -------
    str
        `name`, unchanged.

    Raises
    ------
    ValueError
        When `name` is not a str, does not match `NAME_PATTERN` (1 to 63 lower-case letters, digits and
        underscores, not starting with a digit) or starts with ``pg_`` (reserved by PostgreSQL).

    Examples
    --------
    >>> check_name("gelsennet_viewer")
    'gelsennet_viewer'
    """
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name) or name.startswith("pg_"):
        raise ValueError(
            f"{what} {name!r} is not allowed: use 1 to 63 lower-case letters, digits and underscores, "
            "starting with a letter or underscore and not with 'pg_'"
        )
    return name


def ensure_roles(
    engine_or_url: Engine | str, *, viewer: str = VIEWER_ROLE, editor: str = EDITOR_ROLE, schema: str = SCHEMA
) -> Grants:
    """Create the viewer and editor group roles if missing and (re)grant exactly their privileges.

    Needs a superuser, or a user with CREATEROLE that owns the database and the inventory tables.
    Where the user holds the schema owner's privileges, also grants USAGE on the schema to the viewer and
    revokes CREATE on it from PUBLIC (the PostgreSQL 15 default; older servers let every user create tables
    in `public`); otherwise PUBLIC's USAGE has to do. Runs in one transaction: on an error nothing changes.

    Parameters
    ----------
    engine_or_url : sqlalchemy.Engine or str
        The PostGIS database: an engine, or a SQLAlchemy URL (its engine is disposed of afterwards).
    viewer : str, default VIEWER_ROLE
        Name of the read-only group role.
    editor : str, default EDITOR_ROLE
        Name of the editor group role (made a member of `viewer`).
    schema : str, default SCHEMA
        The schema holding the inventory tables.

    Returns
    -------
    Grants
        The roles created, the relations made readable and writable, those skipped (owned by another
        role) and the SECURITY DEFINER functions locked.

    Raises
    ------
    ValueError
        When a role name is not allowed (`check_name`), `viewer` equals `editor`, an existing role of
        that name has more than a group role's privileges (superuser, CREATEROLE, owner of tables, ...),
        or `schema` does not exist.
    sqlalchemy.exc.SQLAlchemyError or psycopg.Error
        When the database cannot be reached or refuses a statement (e.g. for want of CREATEROLE).
    """
    check_name(viewer, "viewer role")
    check_name(editor, "editor role")
    if viewer == editor:
        raise ValueError("the viewer and editor roles must have different names")
    with _begin(engine_or_url) as connection:
        cur = _cursor(connection)
        grants = Grants()
        for name, kind in ((viewer, "viewer"), (editor, "editor")):
            if not _role_exists(cur, name):
                cur.execute(sql.SQL("CREATE ROLE {} NOLOGIN INHERIT").format(sql.Identifier(name)))
                grants.created.append(name)
            else:
                _check_plain(cur, name, "choose other role names")
                cur.execute(sql.SQL("ALTER ROLE {} NOLOGIN INHERIT").format(sql.Identifier(name)))
            cur.execute(sql.SQL("COMMENT ON ROLE {} IS {}").format(sql.Identifier(name), sql.Literal(MARKERS[kind])))
        cur.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(viewer), sql.Identifier(editor)))
        cur.execute("SELECT current_database()")
        database = sql.Identifier(cur.fetchone()[0])
        cur.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(database, sql.Identifier(viewer)))
        _limit_temp(cur, [viewer], [editor])
        cur.execute("SELECT pg_has_role(nspowner, 'USAGE') FROM pg_namespace WHERE nspname = %s", (schema,))
        row = cur.fetchone()
        if row is None:
            raise ValueError(f"schema {schema!r} does not exist in this database")
        if row[0]:  # else (an older server's `public`, owned by postgres) PUBLIC's USAGE has to do
            ident = sql.Identifier(schema)
            cur.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(ident, sql.Identifier(viewer)))
            cur.execute(
                sql.SQL("REVOKE CREATE ON SCHEMA {} FROM PUBLIC, {}, {}").format(
                    ident, sql.Identifier(viewer), sql.Identifier(editor)
                )
            )
        _grant_tables(cur, [viewer], [editor], schema, grants)
    return grants


def refresh_grants(connection: Connection, schema: str = SCHEMA) -> Grants | None:
    """Re-grant on the tables of `schema` for the group roles `ensure_roles` made for this database.

    Called by `inventory.postgis.upgrade` in its transaction, so a migration's new or recreated
    tables get the same privileges. The group roles are found by their comments (`MARKERS`) and
    their grants on this database. It only touches what the current user owns, so it cannot fail
    for want of privileges.

    Parameters
    ----------
    connection : sqlalchemy.Connection
        A connection (psycopg 3 driver) in the caller's transaction; nothing is committed here.
    schema : str, default SCHEMA
        The schema holding the inventory tables.

    Returns
    -------
    Grants or None
        What was granted; None where no such roles exist, after only revoking EXECUTE on the
        SECURITY DEFINER functions from PUBLIC (see `_lock_definer_functions`).
    """
    cur = _cursor(connection)
    cur.execute(
        """
        SELECT r.rolname, d.description
        FROM pg_roles r
        JOIN pg_shdescription d ON d.objoid = r.oid AND d.classoid = 'pg_authid'::regclass
        WHERE d.description = ANY(%s)
          AND EXISTS (SELECT 1 FROM pg_database db, aclexplode(db.datacl) a
                      WHERE db.datname = current_database() AND a.grantee = r.oid)
        ORDER BY r.rolname
        """,
        (list(MARKERS.values()),),
    )
    found = cur.fetchall()
    if not found:
        _lock_definer_functions(cur, schema, [])
        return None
    viewers = [name for name, marker in found if marker == MARKERS["viewer"]]
    editors = [name for name, marker in found if marker == MARKERS["editor"]]
    cur.execute("SELECT pg_has_role(datdba, 'USAGE') FROM pg_database WHERE datname = current_database()")
    if cur.fetchone()[0]:  # only the database's owner (or a superuser) may grant and revoke on it
        _limit_temp(cur, viewers, editors)
    grants = Grants()
    _grant_tables(cur, viewers, editors, schema, grants, owned_only=True)
    return grants


def add_login(
    engine_or_url: Engine | str,
    name: str,
    role: str,
    password: str | None = None,
    *,
    viewer: str = VIEWER_ROLE,
    editor: str = EDITOR_ROLE,
) -> bool:
    """Create (or update) LOGIN user `name` as a member of `role` ("viewer"/"editor" or a group name).

    A user already in the other group is moved out of it. The password is hashed on the client
    (SCRAM, libpq's ``PQencryptPasswordConn``), so the plain text never reaches the server.

    Parameters
    ----------
    engine_or_url : sqlalchemy.Engine or str
        The PostGIS database: an engine (psycopg 3 driver), or a SQLAlchemy URL (its engine is disposed
        of afterwards).
    name : str
        The login's name (`check_name`).
    role : str
        ``"viewer"`` or ``"editor"``, or the name of one of the two group roles.
    password : str or None, default None
        The login's password. With None a new user gets none (peer, certificate or trust
        authentication) and an existing user keeps theirs.
    viewer : str, default VIEWER_ROLE
        Name of the read-only group role.
    editor : str, default EDITOR_ROLE
        Name of the editor group role.

    Returns
    -------
    bool
        True when the user was created, False when an existing one was updated.

    Raises
    ------
    ValueError
        When `name` is not allowed or is a group role's name, `role` is neither group, `password` is
        empty, a group role does not exist yet (`ensure_roles` first), or an existing role `name` has
        more than a login's privileges (superuser, CREATEROLE, ..., owner of tables).
    """
    check_name(name, "user name")
    groups = {"viewer": viewer, "editor": editor}
    group = groups.get(role, role)
    if group not in groups.values():
        raise ValueError(f"role {role!r}: expected viewer or editor ({viewer} or {editor})")
    if name in groups.values():
        raise ValueError(f"{name} is a group role; choose another user name")
    if password is not None and not password:
        raise ValueError(f"empty password for {name}: leave it out, or give one")
    other = editor if group == viewer else viewer
    with _begin(engine_or_url) as connection:
        cur = _cursor(connection)
        for needed in groups.values():
            if not _role_exists(cur, needed):
                raise ValueError(f"role {needed} does not exist; create the roles first (`gelsennet db roles`)")
        user = sql.Identifier(name)
        secret = sql.SQL("")
        if password is not None:
            verifier = connection.connection.driver_connection.pgconn.encrypt_password(
                password.encode(), name.encode(), None
            )
            secret = sql.SQL(" PASSWORD {}").format(sql.Literal(verifier.decode()))
        created = not _role_exists(cur, name)
        if created:
            cur.execute(
                sql.SQL("CREATE ROLE {} LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE{}").format(user, secret)
            )
        else:
            _check_plain(cur, name, "choose a new user name")
            cur.execute(sql.SQL("ALTER ROLE {} LOGIN INHERIT{}").format(user, secret))
            cur.execute(sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(other), user))
        cur.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(group), user))
    return created


def login_url(url: str, name: str) -> str:
    """Return `url` with user `name` and without any password (that belongs in ~/.pgpass or $PGPASSWORD).

    Parameters
    ----------
    url : str
        A SQLAlchemy database URL.
    name : str
        The user name to put in.

    Returns
    -------
    str
        The URL with user `name`, no password, everything else (driver, host, database) kept.

    Raises
    ------
    sqlalchemy.exc.ArgumentError
        When `url` is not a URL SQLAlchemy can parse.
    ValueError
        When the port of `url` is not a number (SQLAlchemy's `make_url`).
    """
    return without_password(url, username=name)


def permission_denied_message(url: str, detail: str) -> str:
    """Return what to tell a user whose write the database refused for want of privileges.

    Parameters
    ----------
    url : str
        SQLAlchemy URL of the database written to; its user name is quoted, its password never shown.
    detail : str
        The database's own error message.

    Returns
    -------
    str
        One English sentence: the store, that nothing was changed, `detail`, and that an editor (a member
        of `EDITOR_ROLE`) may write.
    """
    user = make_url(url).username or "the current user"
    return (
        f"{shown_location(url)}: the database refused the write, nothing was "
        f"changed: {detail.strip()}. The user {user} may only read (e.g. a member of {VIEWER_ROLE}); "
        f"connect as an editor (a member of {EDITOR_ROLE}, see `gelsennet db roles --help`)"
    )


# --- internals -------------------------------------------------------------------------------------------


class _begin:
    """`with _begin(engine_or_url) as connection`: one transaction, and a URL's engine disposed after."""

    def __init__(self, engine_or_url: Engine | str) -> None:
        self._owned = isinstance(engine_or_url, str)
        self._engine = make_engine(engine_or_url) if self._owned else engine_or_url
        self._context = None

    def __enter__(self) -> Connection:
        self._context = self._engine.begin()
        return self._context.__enter__()

    def __exit__(self, *exc) -> None:
        try:
            self._context.__exit__(*exc)
        finally:
            if self._owned:
                self._engine.dispose()


def _cursor(connection: Connection):
    """Return a psycopg cursor in the SQLAlchemy connection's transaction (runs `sql.Composed` as is)."""
    return connection.connection.driver_connection.cursor()


def _role_exists(cur, name: str) -> bool:
    cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,))
    return cur.fetchone() is not None


def _check_plain(cur, name: str, advice: str) -> None:
    """Raise a ValueError if existing role `name` has more than a plain role's privileges."""
    cur.execute(
        "SELECT rolsuper OR rolcreaterole OR rolcreatedb OR rolreplication OR rolbypassrls, "
        "EXISTS (SELECT 1 FROM pg_class c WHERE c.relowner = r.oid) FROM pg_roles r WHERE rolname = %s",
        (name,),
    )
    powerful, owner = cur.fetchone()
    if powerful or owner:
        why = "is a superuser or may create roles or databases" if powerful else "owns tables in this database"
        raise ValueError(f"{name} {why}: its privileges would exceed what {name} is for; {advice}")


def _limit_temp(cur, viewers: list[str], editors: list[str]) -> None:
    """TEMPORARY on the database for the editors only.

    PostgreSQL grants TEMPORARY to PUBLIC on every new database, so without this every user who may
    connect, the read-only viewer included, could create TEMP tables (and fill the server's disk with
    them). Editors keep it: an import streams its rows through a TEMP staging table.
    """
    cur.execute("SELECT current_database()")
    database = sql.Identifier(cur.fetchone()[0])
    others = sql.SQL(", ").join([sql.SQL("PUBLIC"), *(sql.Identifier(v) for v in viewers)])
    cur.execute(sql.SQL("REVOKE TEMPORARY ON DATABASE {} FROM {}").format(database, others))
    for editor in editors:
        cur.execute(sql.SQL("GRANT TEMPORARY ON DATABASE {} TO {}").format(database, sql.Identifier(editor)))


def _lock_definer_functions(cur, schema: str, roles: list[str]) -> list[str]:
    """Revoke EXECUTE on the schema's own SECURITY DEFINER functions from PUBLIC and the group roles.

    The change-history triggers run as their owner. With EXECUTE, any user who may create a TEMP
    table could hang such a function on a table of their own and write forged history rows as the
    owner. Triggers on the layer tables keep firing: PostgreSQL checks EXECUTE when a trigger is
    created, not when it fires. Functions of extensions (PostGIS has a few) are left alone.
    """
    cur.execute(
        """
        SELECT quote_ident(n.nspname) || '.' || quote_ident(p.proname)
               || '(' || pg_get_function_identity_arguments(p.oid) || ')'
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = %s AND p.prosecdef AND pg_has_role(p.proowner, 'USAGE')
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                          AND d.objid = p.oid AND d.deptype = 'e')
        ORDER BY 1
        """,
        (schema,),
    )
    functions = [row[0] for row in cur.fetchall()]
    grantees = sql.SQL(", ").join([sql.SQL("PUBLIC"), *(sql.Identifier(r) for r in roles)])
    for function in functions:  # quoted by the server from the catalog, not a user's text
        cur.execute(sql.SQL("REVOKE EXECUTE ON FUNCTION {} FROM {}").format(sql.SQL(function), grantees))
    return functions


def _grant_readers_functions(cur, schema: str, viewers: list[str]) -> None:
    """Grant EXECUTE on the SECURITY DEFINER functions for readers (`READERS_FUNCTIONS`) to the viewer roles.

    So the editors, their members, get it too. Runs after `_lock_definer_functions`.
    """
    for signature in READERS_FUNCTIONS:
        cur.execute(
            "SELECT quote_ident(n.nspname) || '.' || quote_ident(p.proname) "
            "       || '(' || pg_get_function_identity_arguments(p.oid) || ')' "
            "FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE p.oid = to_regprocedure(%s) AND pg_has_role(p.proowner, 'USAGE')",
            (f"{schema}.{signature}",),
        )
        row = cur.fetchone()
        for viewer in viewers if row else []:  # quoted by the server from the catalog, not a user's text
            cur.execute(sql.SQL("GRANT EXECUTE ON FUNCTION {} TO {}").format(sql.SQL(row[0]), sql.Identifier(viewer)))


def _relations(cur, schema: str) -> list[tuple[str, str, str, bool]]:
    """(name, relkind, owner, current user may grant on it) for every table, view and sequence in `schema`."""
    cur.execute(
        """
        SELECT c.relname, c.relkind, pg_get_userbyid(c.relowner), pg_has_role(c.relowner, 'USAGE')
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = %s AND c.relkind = ANY(%s)
        ORDER BY c.relname
        """,
        (schema, [*RELATION_KINDS, "S"]),
    )
    return [(name, kind, owner, bool(mine)) for name, kind, owner, mine in cur.fetchall()]


def _grant_tables(
    cur, viewers: list[str], editors: list[str], schema: str, grants: Grants, *, owned_only: bool = False
) -> None:
    """SELECT on every relation to the viewers; writes on the layer tables only to the editors.

    First revokes every write privilege from both kinds of role, so the result is exact even after
    someone granted more by hand. Then sets the default privileges of the tables' owner (the owner
    of the layer tables, else the current user), so tables a later migration creates are readable.
    """
    ident = sql.Identifier
    grants.locked = _lock_definer_functions(cur, schema, viewers + editors)
    _grant_readers_functions(cur, schema, viewers)
    everyone = sql.SQL(", ").join(ident(r) for r in viewers + editors)
    layer_writes = sql.SQL(", ").join(map(sql.SQL, LAYER_WRITES))
    owners = set()
    for name, kind, owner, mine in _relations(cur, schema):
        if not mine:
            grants.skipped.append(name)
            continue
        table = ident(schema, name)
        if kind == "S":
            for editor in editors:
                cur.execute(sql.SQL("GRANT USAGE, SELECT ON SEQUENCE {} TO {}").format(table, ident(editor)))
            continue
        cur.execute(sql.SQL("REVOKE " + ALL_WRITES + " ON TABLE {} FROM {}").format(table, everyone))
        for viewer in viewers:
            cur.execute(sql.SQL("GRANT SELECT ON TABLE {} TO {}").format(table, ident(viewer)))
        grants.readable.append(name)
        if name in LAYER_ORDER and kind in ("r", "p"):
            owners.add(owner)
            for editor in editors:
                cur.execute(sql.SQL("GRANT {} ON TABLE {} TO {}").format(layer_writes, table, ident(editor)))
            grants.writable.append(name)
    if owned_only and not grants.readable:
        return  # e.g. an editor running `db upgrade` at head: owns nothing, sets no defaults
    cur.execute("SELECT current_user")
    me = cur.fetchone()[0]
    for owner in sorted(owners) if owners and not owned_only else [me]:
        prefix = sql.SQL("ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {} ").format(ident(owner), ident(schema))
        for viewer in viewers:
            cur.execute(prefix + sql.SQL("GRANT SELECT ON TABLES TO {}").format(ident(viewer)))
        for editor in editors:
            cur.execute(prefix + sql.SQL("GRANT USAGE, SELECT ON SEQUENCES TO {}").format(ident(editor)))
