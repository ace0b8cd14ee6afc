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
    """Return the city boundary (DVG2), one MultiPolygon in EPSG:25832."""
    frame = gpd.read_file(source / "city_boundary_dvg2_epsg25832.geojson").to_crs(CRS)
    return shapely.union_all(frame.geometry.to_numpy())


def read_schools(source: Path) -> pd.DataFrame:
    """Return the real schools as site records (connection fields come later), without the school authority."""
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
    """Return the 5 Stadtbezirke and their 18 Stadtteile (names only)."""
    return pd.read_csv(source / "stadtbezirke_stadtteile.csv", dtype=str, keep_default_na=False)


def read_business_parks(source: Path) -> pd.DataFrame:
    """Return the business park names with the Stadtteil and size where press reports give them."""
    return pd.read_csv(source / "business_parks.csv", dtype=str, keep_default_na=False)


def stadtteil_centre(schools: pd.DataFrame, stadtteil: str) -> tuple[float, float]:
    """Mean location of the schools of a Stadtteil."""
    points = schools.loc[schools["district"] == stadtteil, "geometry"]
    if points.empty:
        raise ValueError(f"no school in Stadtteil {stadtteil!r} to place its POP at")
    coords = shapely.get_coordinates(points.to_numpy())
    return float(coords[:, 0].mean()), float(coords[:, 1].mean())
