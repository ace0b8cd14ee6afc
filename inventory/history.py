"""The change history of a PostGIS store: `--as-of` times, who changed an element, and how.

The history itself is written by database triggers (Alembic revision 0002) into the
`history` table: one row per real change of one element, with the values before and
after as jsonb (the geometry as hex EWKB), when it became visible, the database
session user and the application user (`gelsennet.user`, see `app_user`). A GeoPackage
keeps no history.

Times (revision 0003): a history row is dated when its transaction committed, and
`commit_seq` numbers the transactions in the order they committed; a whole import shares
one time and one number. "As of T" means every change committed by T, and a transaction
still open at T does not count, however early it began, so the answer for T never changes
afterwards. Rows recorded before 0003 keep their transaction's start time and have no
`commit_seq`. A reader calls `settle` before reading as of T, so that a writer between its
stamp and its commit (microseconds, or longer with synchronous replication) is waited for.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import shapely

from inventory.errors import HistoryNotKept, StoreError
from inventory.schema import LAYER_ORDER, get_layer

if TYPE_CHECKING:
    from inventory.stores.base import Store

BERLIN = ZoneInfo("Europe/Berlin")
"""Dates and times without a zone are Gelsenkirchen's local time."""
ENV_USER = "GELSENNET_USER"


def app_user() -> str | None:
    """Who works with the tool: $GELSENNET_USER, else the operating-system user name.

    Returns
    -------
    str or None
        The user name, or None when neither the variable nor the operating system names one.
    """
    explicit = os.environ.get(ENV_USER, "").strip()
    if explicit:
        return explicit
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no user name in the environment or the password database
        return None


def parse_as_of(value: str, *, now: dt.datetime | None = None) -> dt.datetime:
    """Return the instant `value` names, as an aware datetime that can be converted to UTC.

    - A date (2026-11-26, 20261126 or 26.11.2026) means the end of that day in Europe/Berlin.
    - An ISO time (2026-11-26T14:30, 2026-11-26 14:30:05) without a zone is Europe/Berlin time;
      with a zone (Z, +01:00) it is taken as given.
    - A local time that does not exist in Europe/Berlin (the hour skipped when summer time
      begins, e.g. 2026-03-29T02:30) is refused, and so is one that happens twice (the hour
      repeated when summer time ends, e.g. 2026-10-25T02:30): the message names the offsets
      that make it unambiguous. Nothing is guessed.
    - A time in the future is refused: the history tells only the past (today's date is fine
      and means "now"). So is an instant before 0001-01-01 00:00 UTC (e.g. 0001-01-01T00:00+01:00),
      which no store's history can reach and Python cannot convert to UTC.

    Parameters
    ----------
    value : str
        The `--as-of` text, surrounding blanks ignored.
    now : datetime.datetime or None, default None
        The present, time-zone aware (for tests); None for the current time.

    Returns
    -------
    datetime.datetime
        The instant, time-zone aware (Europe/Berlin unless `value` named a zone).

    Raises
    ------
    ValueError
        The only error: for text that is no date or time, a local time skipped or repeated by a clock
        change, a time in the future, or an instant before 0001-01-01 00:00 UTC. The message names the
        value and says what is accepted.

    Examples
    --------
    >>> now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    >>> parse_as_of("26.11.2026", now=now).isoformat()
    '2026-11-26T23:59:59.999999+01:00'
    >>> parse_as_of("2026-11-26T14:30Z", now=now).isoformat()
    '2026-11-26T14:30:00+00:00'
    """
    text = value.strip()
    now = now or dt.datetime.now(dt.UTC)
    future = ValueError(f"{value!r} is in the future; the history tells only the past (leave out --as-of "
                        "for the current inventory)")
    day = _date(text)
    if day is not None:
        if day > now.astimezone(BERLIN).date():  # before any arithmetic: 9999-12-31 has no next day
            raise future
        return dt.datetime.combine(day, dt.time.max, BERLIN)  # 23:59:59.999999, never in a clock change
    try:
        instant = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{value!r} is not a date or time: use YYYY-MM-DD (the end of that day, Europe/Berlin), "
            "DD.MM.YYYY, or an ISO time such as 2026-11-26T14:30 or 2026-11-26T14:30:00+01:00"
        ) from None
    if instant.tzinfo is None:
        instant = _berlin(value, instant)
    try:
        instant.astimezone(dt.UTC)
    except OverflowError:  # beyond year 1 or 9999 once converted to UTC
        if instant > now:
            raise future from None
        raise ValueError(
            f"{value!r} lies before 0001-01-01 00:00 UTC, long before any recorded history; give a time "
            "after the store's history began (`gelsennet history ID` shows when an element was recorded)"
        ) from None
    if instant > now:
        raise future
    return instant


def _berlin(value: str, naive: dt.datetime) -> dt.datetime:
    """`naive` as Europe/Berlin time; a ValueError if the clocks skipped it or showed it twice."""
    first, second = naive.replace(tzinfo=BERLIN, fold=0), naive.replace(tzinfo=BERLIN, fold=1)
    try:
        offsets = (first.utcoffset(), second.utcoffset())
        exists = first.astimezone(dt.UTC).astimezone(BERLIN).replace(tzinfo=None) == naive
    except OverflowError:  # year 1 or 9999 at the edge of the range: no clock change there
        return first
    if not exists:
        raise ValueError(
            f"{value!r} does not exist in Europe/Berlin: the clocks went forward from "
            f"{_offset(offsets[0])} to {_offset(offsets[1])} and skipped this hour; give the offset meant, "
            f"e.g. {naive.isoformat(timespec='minutes')}{_offset(offsets[0])}, or a time after the change"
        )
    if offsets[0] != offsets[1]:
        raise ValueError(
            f"{value!r} happened twice in Europe/Berlin (the clocks went back from {_offset(offsets[0])} to "
            f"{_offset(offsets[1])}); give the offset meant: {naive.isoformat(timespec='minutes')}"
            f"{_offset(offsets[0])} (the first time) or {naive.isoformat(timespec='minutes')}"
            f"{_offset(offsets[1])} (the second)"
        )
    return first


def _offset(delta: dt.timedelta | None) -> str:
    """+01:00 for one hour east of UTC."""
    minutes = int((delta or dt.timedelta()).total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _date(text: str) -> dt.date | None:
    """Return the date `text` names (ISO 2026-11-26 / 20261126, or German 26.11.2026), else None."""
    try:
        if len(text) == 10 and text[2] == "." and text[5] == ".":
            return dt.datetime.strptime(text, "%d.%m.%Y").date()
        if len(text) in (8, 10) and text[:4].isdigit():
            return dt.date.fromisoformat(text)
    except ValueError:
        return None
    return None


def format_time(instant: dt.datetime) -> str:
    """Format `instant` as local time in Gelsenkirchen, to the second: `2026-11-26 14:30:05 CET`.

    An instant that cannot be converted, at the very edge of the calendar, is written as given in ISO form.

    Parameters
    ----------
    instant : datetime.datetime
        A time-zone-aware instant.

    Returns
    -------
    str
        The Europe/Berlin time with its zone abbreviation (CET or CEST).

    Examples
    --------
    >>> format_time(dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC))
    '2026-07-01 14:00:00 CEST'
    """
    try:
        local = instant.astimezone(BERLIN)
    except OverflowError:
        return instant.isoformat(sep=" ", timespec="seconds")
    return f"{local.year:04d}-" + local.strftime("%m-%d %H:%M:%S %Z")  # %Y is not zero-padded before 1000


@dataclass(frozen=True)
class Change:
    """One row of the history: one change of one element."""

    id: int
    layer: str
    element_id: str
    action: str
    """insert, update, delete, or baseline (the element as it was when history began)."""
    version: int
    changed_at: dt.datetime
    db_user: str
    app_user: str | None
    txid: int
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    commit_seq: int | None = None
    """The number of its transaction in commit order (revision 0003); None for older rows."""

    @property
    def by(self) -> str:
        """Who made the change: the app user with the database user, or the database user."""
        return self.db_user if not self.app_user else f"{self.app_user} (database user {self.db_user})"

    def changed_fields(self) -> dict[str, tuple[Any, Any]]:
        """For an update: {field: (before, after)} of the fields that changed, without the geometry."""
        if self.before is None or self.after is None:
            return {}
        columns = get_layer(self.layer).columns
        return {
            name: (self.before.get(name), self.after.get(name))
            for name in columns
            if self.before.get(name) != self.after.get(name)
        }

    def values(self) -> dict[str, Any]:
        """Return the element's field values after the change (before it, for a delete), without the geometry."""
        doc = self.after if self.after is not None else self.before or {}
        return {name: doc.get(name) for name in get_layer(self.layer).columns}

    def geometry_change(self) -> dict[str, Any] | None:
        """For an update: {"changed": bool, "moved_m": float}.

        moved_m is the Hausdorff distance between the old and the new geometry (for a point: how far it moved).
        """
        if self.before is None or self.after is None:
            return None
        old, new = self.before.get("geom"), self.after.get("geom")
        if old == new:
            return {"changed": False, "moved_m": 0.0}
        a, b = shapely.from_wkb(old), shapely.from_wkb(new)
        return {"changed": True, "moved_m": round(float(shapely.hausdorff_distance(a, b)), 3)}

    def to_dict(self) -> dict[str, Any]:
        """Return the change as JSON-ready values.

        For an update these are the changed fields and the geometry, else the values.
        """
        out: dict[str, Any] = {
            "layer": self.layer,
            "element_id": self.element_id,
            "action": self.action,
            "version": self.version,
            "changed_at": self.changed_at.isoformat(),
            "db_user": self.db_user,
            "app_user": self.app_user,
            "txid": self.txid,
            "commit_seq": self.commit_seq,
        }
        if self.action == "update":
            out["changes"] = {k: {"from": a, "to": b} for k, (a, b) in self.changed_fields().items()}
            out["geometry"] = self.geometry_change()
        else:
            out["values"] = self.values()
        return out

    def to_text(self) -> str:
        """Return the change as lines of text for the terminal: time, action, version, author and what changed."""
        head = f"{format_time(self.changed_at)}  {self.action:<8} v{self.version:<4} by {self.by}"
        lines = [head]
        if self.action == "update":
            for name, (a, b) in self.changed_fields().items():
                lines.append(f"    {name}: {_show(a)} → {_show(b)}")
            geometry = self.geometry_change()
            if geometry and geometry["changed"]:
                lines.append(f"    geometry: changed, moved {_metres(geometry['moved_m'])}")
        elif self.action in ("insert", "baseline"):
            shown = ", ".join(f"{k}={_show(v)}" for k, v in self.values().items() if v is not None)
            lines.append(f"    {'created' if self.action == 'insert' else 'recorded when history began'}: {shown}")
        else:
            lines.append("    deleted")
        return "\n".join(lines)


def _show(value: Any) -> str:
    return "(empty)" if value is None else repr(value)


def _metres(value: float) -> str:
    if value < 0.01:
        return f"{value * 1000:.1f} mm"
    return f"{value:.2f} m" if value < 100 else f"{value:.0f} m"


CHANGE_COLUMNS = "id, layer, element_id, action, version, changed_at, db_user, app_user, txid, before, after"
COMMIT_ORDER = "commit_seq ASC NULLS FIRST, id"
"""The order in which changes became visible: by commit (rows from before revision 0003, which
have no commit number, first and by id; for one element the id order is exact, as row locks
serialise its changes)."""


def element_history(store: Store, element_id: str, *, layer: str | None = None) -> list[Change]:
    """Return every recorded change of `element_id` (in `layer`, else in every layer), oldest first.

    Parameters
    ----------
    store : inventory.stores.base.Store
        The store; only a PostGIS store keeps a history.
    element_id : str
        The element's key (e.g. a node or route id).
    layer : str or None, default None
        The layer to look in; None for every layer.

    Returns
    -------
    list of Change
        The element's changes in the order they became visible (`COMMIT_ORDER`); empty when none is recorded.

    Raises
    ------
    HistoryNotKept
        When `store` keeps no history (a GeoPackage).
    StoreError
        When the store has no history table (its schema predates the history).
    ValueError
        When `layer` is not a layer of the schema.
    """
    from sqlalchemy import text
    from sqlalchemy.exc import ProgrammingError

    engine = _engine_of(store)
    if layer is not None:
        get_layer(layer)
    layers = [layer] if layer else list(LAYER_ORDER)
    try:
        with engine.connect() as connection:
            extra = ", commit_seq" if _has_commit_seq(connection) else ""
            order = COMMIT_ORDER if extra else "id"
            sql = text(f"SELECT {CHANGE_COLUMNS}{extra} FROM history WHERE element_id = :id AND layer = ANY(:layers) "
                       f"ORDER BY {order}")
            rows = connection.execute(sql, {"id": element_id, "layers": layers}).fetchall()
    except ProgrammingError as exc:
        raise StoreError(
            f"{store!r} has no history table; upgrade its schema with `gelsennet db upgrade --db URL`"
        ) from exc
    return [Change(*row) for row in rows]


def last_change(connection, layer: str, element_id: str) -> Change | None:
    """Return the newest history row of an element, on an open connection.

    Parameters
    ----------
    connection : sqlalchemy.engine.Connection
        An open connection to a PostGIS store with a history table.
    layer : str
        The element's layer.
    element_id : str
        The element's key.

    Returns
    -------
    Change or None
        The element's newest change, or None when the history holds none.
    """
    from sqlalchemy import text

    extra = ", commit_seq" if _has_commit_seq(connection) else ""
    row = connection.execute(
        text(f"SELECT {CHANGE_COLUMNS}{extra} FROM history WHERE layer = :layer AND element_id = :id "
             "ORDER BY id DESC LIMIT 1"),  # within one element the id order is the commit order
        {"layer": layer, "id": element_id},
    ).first()
    return Change(*row) if row is not None else None


def settle(connection) -> dt.datetime | None:
    """Wait until no writer is between dating its changes and committing them; the server time then.

    Every change dated at or before the returned instant is visible to the statements `connection`
    runs after this call (in READ COMMITTED, PostgreSQL's default), and every later commit is dated
    after it. So a reader of "as of T" with T before that instant gets the answer that every later
    reader gets. Waits (briefly) only for writers in their commit, or for a transaction that forced
    its dating early (SET CONSTRAINTS ALL IMMEDIATE) until it commits; it holds no lock afterwards.

    Parameters
    ----------
    connection : sqlalchemy.engine.Connection
        An open connection to a PostGIS store.

    Returns
    -------
    datetime.datetime or None
        The server time once settled (time-zone aware). None, without waiting, where the schema is older than
        revision 0003 or the user may not call `history_settled()` (`inventory.roles` grants it to the viewer
        and editor roles).
    """
    from sqlalchemy import text

    allowed = connection.execute(
        text("SELECT has_function_privilege(p, 'EXECUTE') FROM to_regprocedure('history_settled()') AS p")
    ).scalar()
    if not allowed:
        return None
    return connection.execute(text("SELECT history_settled()")).scalar_one()


def _has_commit_seq(connection) -> bool:
    """Whether `history` has the commit number of revision 0003 (a store may be older)."""
    from sqlalchemy import text

    return bool(connection.execute(text(
        "SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass('history') "
        "AND attname = 'commit_seq' AND NOT attisdropped)"
    )).scalar())


def _engine_of(store: Store):
    engine = getattr(store, "engine", None)
    if engine is None:
        raise HistoryNotKept(store.url)
    return engine

