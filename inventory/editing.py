"""Editing single elements in a PostGIS store with optimistic locking.

Every layer row has a `version` (revision 0002) that the database raises on every real
change. An editor reads an element with its version (`read_element`) and hands that
version back with the change (`edit_element`). The UPDATE only applies while the row
still has that version; otherwise someone else changed it in between, nothing is
written, and `ConflictError` says who changed it when, and what to do. Nothing is lost:
the other editor's change stays, and both changes end up in the history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from inventory.history import format_time, last_change
from inventory.problems import DataError, Problem
from inventory.schema import CRS, SRID, Layer, get_layer
from inventory.sql_names import quote_name
from inventory.stores.base import Store, StoreError
from inventory.stores.postgis_store import refusal
from inventory.validation import check_frame, check_references

GEOMETRY_FIELDS = ("geometry", "geom")


class ConflictError(Exception):
    """Someone else changed the element after it was read; this change was not written.

    The arguments are kept as attributes of the same names.

    Parameters
    ----------
    layer : str
        The element's layer.
    element_id : str
        The element's id.
    expected_version : int
        The version the change was based on (the one the user read).
    current_version : int
        The element's version now.
    changed_by : str, optional
        Who made the current version, if recorded.
    changed_at : datetime.datetime, optional
        When the current version was made (aware), if recorded.
    """

    def __init__(
        self,
        layer: str,
        element_id: str,
        expected_version: int,
        current_version: int,
        *,
        changed_by: str | None = None,
        changed_at: dt.datetime | None = None,
    ) -> None:
        """Describe the conflict in a message that says who changed the element when, and what to do."""
        self.layer = layer
        self.element_id = element_id
        self.expected_version = expected_version
        self.current_version = current_version
        self.changed_by = changed_by
        self.changed_at = changed_at
        who = f" by {changed_by}" if changed_by else ""
        when = f" at {format_time(changed_at)}" if changed_at else ""
        if current_version > expected_version:
            what = f"was changed{who}{when} to version {current_version} after you read version {expected_version}"
        else:  # a version that the element never had since: not read from this element
            what = f"has version {current_version}, not {expected_version} (last changed{who}{when})"
        super().__init__(
            f"conflict: {layer} {element_id} {what}; your change was not saved and nothing was lost. "
            f"Reload the element (now version {current_version}) and apply your change again."
        )


class ElementNotFound(StoreError):
    """No element with that id in that layer."""


def read_element(store: Store, layer: str, element_id: str) -> tuple[dict[str, Any], int]:
    """Return the element's fields (plus `geometry`) as plain Python values, and its version.

    Parameters
    ----------
    store : inventory.stores.base.Store
        A PostGIS store.
    layer : str
        The element's layer.
    element_id : str
        The element's id.

    Returns
    -------
    fields : dict of str to object
        Each field to its value: None for missing, `datetime.date` for dates, int, float, bool or str
        otherwise; `geometry` a shapely geometry in EPSG:25832.
    version : int
        The element's version, to hand back to `edit_element`.

    Raises
    ------
    StoreError
        When `store` is not a PostGIS store.
    ElementNotFound
        When the layer has no element `element_id` (the message says who deleted it when, if recorded).
    ValueError
        When `layer` is not a layer of the schema.
    """
    found = _postgis(store).read_element(layer, element_id)
    if found is None:
        raise ElementNotFound(_missing(store, layer, element_id))
    frame, version = found
    return _plain(frame.iloc[0], get_layer(layer)), version


def edit_element(
    store: Store,
    layer: str,
    element_id: str,
    changes: Mapping[str, Any],
    expected_version: int,
    *,
    user: str | None = None,
) -> int:
    """Apply `changes` to one element if it still has `expected_version`; return its version afterwards.

    `changes` maps field to value; `geometry` is given as a shapely geometry or WKT in EPSG:25832.
    Values may be text (as typed on a command line) or typed values; they are checked with
    the layer's schema rules first. A change that changes nothing keeps the version.

    Parameters
    ----------
    store : inventory.stores.base.Store
        A PostGIS store.
    layer : str
        The element's layer.
    element_id : str
        The element's id.
    changes : mapping of str to object
        Field to new value; `geometry` (or `geom`) as a shapely geometry or WKT in EPSG:25832.
    expected_version : int
        The version the change is based on, as `read_element` returned it.
    user : str or None, default None
        Who makes the change, recorded in the history; None for the store's user.

    Returns
    -------
    int
        The element's version afterwards (unchanged when nothing was written).

    Raises
    ------
    ValueError
        When `changes` names a field the layer does not have, changes the id, or `layer` is unknown.
    DataError
        Listing every problem when the edited element breaks the schema's rules (including WKT that
        cannot be read, or a reference to an element that does not exist).
    ConflictError
        When the element has another version by now.
    ElementNotFound
        When the element does not exist (or was deleted meanwhile).
    StoreError
        When `store` is not a PostGIS store, or the database refuses the write (`StoreBusy` when the
        layer stayed locked, a message naming the missing privilege otherwise).
    """
    spec = get_layer(layer)
    pg = _postgis(store)
    unknown = [name for name in changes if name not in spec.columns and name not in GEOMETRY_FIELDS]
    if unknown:
        raise ValueError(
            f"{layer} has no field {', '.join(map(repr, unknown))}; fields are {', '.join(spec.columns)}, geometry"
        )
    if spec.key in changes and str(changes[spec.key]) != element_id:
        raise ValueError(f"the id ({spec.key}) of an element cannot be edited; delete it and import it anew")
    current, version = read_element(pg, layer, element_id)
    if version != expected_version:
        with pg.engine.connect() as connection:
            raise _conflict(connection, layer, element_id, expected_version, version)
    edited = _validated(pg, spec, element_id, current, changes)
    columns = [name for name in spec.columns if name in changes]
    params: dict[str, Any] = {"id": element_id, "expected": expected_version}
    sets = []
    for i, name in enumerate(columns):
        sets.append(f"{quote_name(name)} = :v{i}")
        params[f"v{i}"] = edited[name]
    if any(name in changes for name in GEOMETRY_FIELDS):
        sets.append("geom = ST_GeomFromEWKB(:geom)")
        params["geom"] = shapely.to_wkb(shapely.set_srid(edited["geometry"], SRID), include_srid=True)
    if not sets:
        return version
    sql = text(
        f"UPDATE {spec.name} SET {', '.join(sets)} WHERE {quote_name(spec.key)} = :id AND version = :expected "
        "RETURNING version"
    )
    try:
        with pg.engine.begin() as connection:
            connection.execute(text("SELECT set_config('gelsennet.user', :user, true)"),
                               {"user": (user if user is not None else pg.user) or ""})
            row = connection.execute(sql, params).first()
            if row is None:  # changed or deleted between our read and this update
                now = connection.execute(
                    text(f"SELECT version FROM {spec.name} WHERE {quote_name(spec.key)} = :id"), {"id": element_id}
                ).scalar()
                if now is None:
                    raise ElementNotFound(_missing(pg, layer, element_id))
                raise _conflict(connection, layer, element_id, expected_version, int(now))
    except DBAPIError as exc:
        raise refusal(pg.url, exc) from exc
    return int(row[0])


def _postgis(store: Store):
    from inventory.stores.postgis_store import PostGISStore

    if not isinstance(store, PostGISStore):
        raise StoreError(
            f"editing with version checks needs a PostGIS store; {store.url} is a GeoPackage "
            "(change it with an import, or in QGIS)"
        )
    return store


def _validated(pg, spec: Layer, element_id: str, current: dict, changes: Mapping[str, Any]) -> dict[str, Any]:
    """Return the edited element, parsed and checked like an imported row (DataError on any problem)."""
    row = dict(current)
    for name, value in changes.items():
        if name in GEOMETRY_FIELDS:
            row["geometry"] = _geometry(value, spec)
        else:
            row[name] = value
    raw = gpd.GeoDataFrame(
        pd.DataFrame([{name: row[name] for name in spec.columns}], dtype=object),
        geometry=gpd.GeoSeries([row["geometry"]], crs=CRS),
        crs=CRS,
    )
    label = [f"{spec.key} {element_id}"]
    typed, problems = check_frame(raw, spec, row_labels=label)
    available: dict[tuple[str, str], set] = {}
    for f in spec.fields:
        if f.references is None:
            continue
        value = typed[f.name].iloc[0]
        if pd.isna(value):
            continue
        ref_layer, ref_field = f.references
        # an unchanged reference stays as the store has it (its foreign key holds); a changed one must exist
        exists = f.name not in changes or (ref_layer == spec.name and str(value) == element_id)
        if not exists:
            with pg.engine.connect() as connection:
                exists = connection.execute(
                    text(f"SELECT 1 FROM {get_layer(ref_layer).name} WHERE {quote_name(ref_field)} = :v"),
                    {"v": str(value)},
                ).first() is not None
        known = available.setdefault((ref_layer, ref_field), set())
        if exists:
            known.add(value)
    problems += check_references(typed, spec, available, row_labels=label)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise DataError(errors, summary=f"{spec.name} {element_id}: the change breaks the rules; nothing was changed")
    return _plain(typed.iloc[0], spec)


def _geometry(value: Any, spec: Layer):
    if value is None or isinstance(value, shapely.Geometry):
        return value
    if not str(value).strip():
        return None
    try:
        return shapely.from_wkt(str(value))
    except shapely.errors.GEOSException:
        raise DataError(
            [Problem("geometry_wkt", spec.name, "a geometry as WKT in EPSG:25832, e.g. POINT (368000 5710000)",
                     field="geometry", value=value, fix="correct the WKT", params={"variant": "edit"})],
            summary="the geometry cannot be read; nothing was changed",
        ) from None


def _plain(row: pd.Series, spec: Layer) -> dict[str, Any]:
    """Python values: None for missing, datetime.date for dates, int/float/bool/str otherwise."""
    out: dict[str, Any] = {}
    for f in spec.fields:
        value = row[f.name]
        if value is None or value is pd.NA or (not isinstance(value, str) and pd.isna(value)):
            out[f.name] = None
        elif f.dtype == "date":
            out[f.name] = pd.Timestamp(value).date()
        elif hasattr(value, "item"):
            out[f.name] = value.item()
        else:
            out[f.name] = value
    out["geometry"] = row["geometry"]
    return out


def _conflict(connection, layer: str, element_id: str, expected: int, current: int) -> ConflictError:
    change = last_change(connection, layer, element_id)
    if change is None:
        return ConflictError(layer, element_id, expected, current)
    return ConflictError(layer, element_id, expected, current, changed_by=change.by, changed_at=change.changed_at)


def _missing(store, layer: str, element_id: str) -> str:
    message = f"{layer} has no element {element_id!r}"
    try:
        with store.engine.connect() as connection:
            change = last_change(connection, layer, element_id)
    except DBAPIError:
        change = None
    if change is not None and change.action == "delete":
        message += f" (deleted by {change.by} at {format_time(change.changed_at)})"
    return message
