"""Business parks: named in press reports, placed and sized here as sites and approximate areas."""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely import affinity
from shapely.geometry import MultiPolygon, box
from shapely.ops import polylabel

from inventory.sample.base import (
    DEFAULT_PARK_AREA_HA,
    PARK_ASPECT,
    PARK_MARGIN_M,
    UNLOCATED_PARK_STADTTEIL,
    as_multipolygon,
    polygon_parts,
    slug,
    stage_rng,
)
from inventory.schema import CRS


def park_site_id(name: str) -> str:
    """'ARENA PARK' -> 'GE-ARENA-PARK'.

    Parameters
    ----------
    name : str
        The business park's name.

    Returns
    -------
    str
        ``GE-`` and the `slug` of the name: the park's site id.

    Examples
    --------
    >>> park_site_id("ARENA PARK")
    'GE-ARENA-PARK'
    """
    return "GE-" + slug(name)


def build_business_parks(parks: pd.DataFrame, stadtteile: dict) -> tuple[pd.DataFrame, gpd.GeoDataFrame]:
    """Build the business parks as sites (a point inside the area) and their approximate areas.

    A park without a Stadtteil goes to `UNLOCATED_PARK_STADTTEIL`, one without a size gets
    `DEFAULT_PARK_AREA_HA`. The parks of one Stadtteil share it in west-to-east strips ("... West"
    first, "... Ost" last), each kept `PARK_MARGIN_M` clear of the Stadtteil's edge, and each area is
    a rectangle turned by -30° to 30° (`park_area`).

    Parameters
    ----------
    parks : pandas.DataFrame
        The parks (`read_business_parks`): ``name``, ``stadtteil_hint``, ``area_ha_hint`` (hectares or empty).
    stadtteile : dict of str to shapely geometry
        Stadtteil name -> polygon (EPSG:25832).

    Returns
    -------
    sites : pandas.DataFrame
        One site record per park, the columns of `read_schools`; ``geometry`` the pole of inaccessibility of
        the area's largest part (shapely point, EPSG:25832).
    areas : geopandas.GeoDataFrame
        One site area per park: ``site_id``, ``source`` and MultiPolygon ``geometry``, CRS EPSG:25832.

    Raises
    ------
    KeyError
        When a park's Stadtteil is not a key of `stadtteile`.
    """
    parks = parks.copy()
    parks["located"] = parks["stadtteil_hint"] != ""
    parks["stadtteil"] = parks["stadtteil_hint"].where(parks["located"], UNLOCATED_PARK_STADTTEIL)
    parks["area_ha"] = pd.to_numeric(parks["area_ha_hint"].replace("", None)).fillna(DEFAULT_PARK_AREA_HA)
    rng = stage_rng("parks")
    sites, areas = [], []
    for stadtteil, group in parks.groupby("stadtteil", sort=True):
        group = group.sort_values("name", key=lambda s: s.map(_west_to_east_rank), kind="stable")
        for rank, park in enumerate(group.itertuples(index=False)):
            region = _strip(stadtteile[stadtteil], rank, len(group))
            area = park_area(region, park.area_ha * 10_000, angle_deg=float(rng.uniform(-30, 30)))
            site, area_row = _park_records(park, area)
            sites.append(site)
            areas.append(area_row)
    return pd.DataFrame(sites), gpd.GeoDataFrame(areas, geometry="geometry", crs=CRS)


def _west_to_east_rank(name: str) -> int:
    """Order parks of one Stadtteil so that '... West' lies west of '... Ost'."""
    return 0 if re.search(r"\bWest\b", name) else 2 if re.search(r"\bOst\b", name) else 1


def _strip(stadtteil, rank: int, count: int):
    """Return the rank-th of `count` west-to-east strips of a Stadtteil, kept clear of its edges."""
    x0, y0, x1, y1 = stadtteil.bounds
    width = (x1 - x0) / count
    region = stadtteil.intersection(box(x0 + rank * width, y0, x0 + (rank + 1) * width, y1))
    inner = region.buffer(-PARK_MARGIN_M)
    return inner if not inner.is_empty else region


def park_area(region, area_m2: float, *, angle_deg: float) -> MultiPolygon:
    """Return a rotated rectangle of about `area_m2` around the pole of inaccessibility of `region`, clipped to it.

    The rectangle has aspect `PARK_ASPECT` and is centred on the pole of inaccessibility of the
    region's largest polygon (shapely's `polylabel`, tolerance 1 m: Mapbox's grid search, after
    Garcia-Castellanos & Lombardo 2007). As clipping only shrinks it, it is scaled by 1 to 3 (30 bisection steps)
    until the clipped area reaches `area_m2`; a region too small gives the rectangle at scale 3,
    clipped.

    Parameters
    ----------
    region : shapely geometry
        The polygonal region to place the park in, EPSG:25832.
    area_m2 : float
        The wanted area, square metres.
    angle_deg : float
        Rotation of the rectangle about its centre, degrees counter-clockwise.

    Returns
    -------
    shapely.MultiPolygon
        The clipped rectangle, coordinates rounded to the cm, EPSG:25832.

    Raises
    ------
    ValueError
        When `region` has no polygon.
    """
    largest = max(polygon_parts(region), key=lambda p: p.area)
    centre = polylabel(largest, tolerance=1.0)
    height = np.sqrt(area_m2 / PARK_ASPECT)

    def clipped(scale: float):
        w, h = height * PARK_ASPECT * scale / 2, height * scale / 2
        rect = box(centre.x - w, centre.y - h, centre.x + w, centre.y + h)
        return region.intersection(affinity.rotate(rect, angle_deg, origin=centre))

    low, high = 1.0, 3.0
    for _ in range(30):  # bisection: clipping only shrinks, so grow the rectangle until the area fits
        mid = (low + high) / 2
        low, high = (mid, high) if clipped(mid).area < area_m2 else (low, mid)
    return as_multipolygon(shapely.set_precision(clipped(high), 0.01))


def _park_records(park, area: MultiPolygon) -> tuple[dict, dict]:
    hint = f"{park.area_ha:g} ha from press reports" if park.area_ha_hint else f"default size {park.area_ha:g} ha"
    where = f"placed inside {park.stadtteil}" if park.located else f"placed near the A42 in {park.stadtteil}"
    caveat = "" if park.located else "; location not verified"
    largest = max(area.geoms, key=lambda p: p.area)
    site = {
        "site_id": park_site_id(park.name),
        "kind": "business_park",
        "name": park.name,
        "address": None,
        "district": park.stadtteil,
        "pupils": None,
        "school_type": None,
        "source": f"approximate: name from press reports, point {where}{caveat}; connection data synthetic",
        "private": False,
        "geometry": polylabel(largest, tolerance=1.0),
    }
    area_row = {
        "site_id": site["site_id"],
        "source": f"approximate: {hint}, {where}, not surveyed{caveat}",
        "geometry": area,
    }
    return site, area_row
