"""Reading the source files of `data/source/`.

The city boundary, the schools, the districts' names and the business parks.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from inventory.sample.base import SCHOOL_AUTHORITY_ID, SCHOOL_SOURCE
from inventory.schema import CRS


def read_city(source: Path):
    """Return the city boundary (DVG2), one MultiPolygon in EPSG:25832.

    Parameters
    ----------
    source : pathlib.Path
        Folder holding ``city_boundary_dvg2_epsg25832.geojson`` (Geobasis NRW DVG2).

    Returns
    -------
    shapely geometry
        The union of the file's polygons, in EPSG:25832 (a MultiPolygon for Gelsenkirchen).
    """
    frame = gpd.read_file(source / "city_boundary_dvg2_epsg25832.geojson").to_crs(CRS)
    return shapely.union_all(frame.geometry.to_numpy())


def read_schools(source: Path) -> pd.DataFrame:
    """Return the real schools as site records (connection fields come later), without the school authority.

    Parameters
    ----------
    source : pathlib.Path
        Folder holding ``schools_msb_2021.csv`` (MSB NRW school list, UTM32 coordinates; pupils IT.NRW).

    Returns
    -------
    pandas.DataFrame
        One row per school, sorted by school number: ``site_id``, ``kind`` ("school"), ``name``, ``address``,
        ``district`` (Stadtteil or None), ``pupils`` (Int64), ``school_type``, ``source``, ``private``
        (bool) and ``geometry`` (shapely points, EPSG:25832).
    """
    raw = pd.read_csv(source / "schools_msb_2021.csv", dtype=str, keep_default_na=False)
    raw = raw[raw["schulnummer"] != SCHOOL_AUTHORITY_ID].sort_values("schulnummer").reset_index(drop=True)
    x, y = raw["utm32_e"].astype(float), raw["utm32_n"].astype(float)
    return pd.DataFrame(
        {
            "site_id": raw["schulnummer"],
            "kind": "school",
            "name": raw["name"],
            "address": raw["strasse"] + ", " + raw["plz"] + " " + raw["ort"],
            "district": raw["stadtteil_osm"].replace("", None),
            "pupils": pd.to_numeric(raw["schueler_2024_25"].replace("", None)).astype("Int64"),
            "school_type": raw["schulform"],
            "source": SCHOOL_SOURCE,
            "private": raw["rechtsform"] == "privat",
            "geometry": shapely.points(x.to_numpy(), y.to_numpy()),
        }
    )


def read_stadtbezirke(source: Path) -> pd.DataFrame:
    """Return the 5 Stadtbezirke and their 18 Stadtteile (names only).

    Parameters
    ----------
    source : pathlib.Path
        Folder holding ``stadtbezirke_stadtteile.csv``.

    Returns
    -------
    pandas.DataFrame
        One row per Stadtteil, columns ``stadtbezirk`` and ``stadtteil`` (str).
    """
    return pd.read_csv(source / "stadtbezirke_stadtteile.csv", dtype=str, keep_default_na=False)


def read_business_parks(source: Path) -> pd.DataFrame:
    """Return the business park names with the Stadtteil and size where press reports give them.

    Parameters
    ----------
    source : pathlib.Path
        Folder holding ``business_parks.csv``.

    Returns
    -------
    pandas.DataFrame
        One row per park, all str: ``name``, ``stadtteil_hint`` and ``area_ha_hint`` (hectares; empty where
        unknown), ``note``.
    """
    return pd.read_csv(source / "business_parks.csv", dtype=str, keep_default_na=False)


def stadtteil_centre(schools: pd.DataFrame, stadtteil: str) -> tuple[float, float]:
    """Mean location of the schools of a Stadtteil.

    Parameters
    ----------
    schools : pandas.DataFrame
        The schools (`read_schools`), with ``district`` and point ``geometry`` in EPSG:25832.
    stadtteil : str
        The Stadtteil's name.

    Returns
    -------
    tuple of float
        (x, y) in EPSG:25832, metres.

    Raises
    ------
    ValueError
        When no school lies in `stadtteil`.
    """
    points = schools.loc[schools["district"] == stadtteil, "geometry"]
    if points.empty:
        raise ValueError(f"no school in Stadtteil {stadtteil!r} to place its POP at")
    coords = shapely.get_coordinates(points.to_numpy())
    return float(coords[:, 0].mean()), float(coords[:, 1].mean())
