"""Approximate districts: Stadtteile as merged Voronoi cells of the schools, Stadtbezirke as their unions."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import MultiPolygon, box

from inventory.sample.base import DISTRICT_SOURCE, as_multipolygon, slug
from inventory.schema import CRS


def district_id(name: str, level: str) -> str:
    """'Gelsenkirchen-Nord' -> 'SB-NORD'; 'Buer' -> 'ST-BUER'.

    Parameters
    ----------
    name : str
        The district's name.
    level : str
        ``"stadtbezirk"``, or anything else for a Stadtteil.

    Returns
    -------
    str
        ``SB-`` and the `slug` of the name without its ``Gelsenkirchen-`` prefix for a Stadtbezirk, else
        ``ST-`` and the slug of the name.

    Examples
    --------
    >>> district_id("Gelsenkirchen-Nord", "stadtbezirk"), district_id("Bulmke-Hüllen", "stadtteil")
    ('SB-NORD', 'ST-BULMKE-HUELLEN')
    """
    if level == "stadtbezirk":
        return "SB-" + slug(name.removeprefix("Gelsenkirchen-"))
    return "ST-" + slug(name)


def build_districts(city, schools: pd.DataFrame, bezirke: pd.DataFrame) -> gpd.GeoDataFrame:
    """Approximate Stadtteile tiling the city, and the Stadtbezirke as their unions.

    Parameters
    ----------
    city : shapely geometry
        The city boundary in EPSG:25832 (`read_city`).
    schools : pandas.DataFrame
        The schools (`read_schools`), with ``district`` and point ``geometry``.
    bezirke : pandas.DataFrame
        The district names (`read_stadtbezirke`): ``stadtbezirk``, ``stadtteil``.

    Returns
    -------
    geopandas.GeoDataFrame
        The districts layer's rows, Stadtbezirke first (sorted by name), then the Stadtteile: ``district_id``,
        ``name``, ``level``, ``parent_id``, ``source`` and MultiPolygon ``geometry``, CRS EPSG:25832.

    Raises
    ------
    ValueError
        When a school names a Stadtteil that `bezirke` does not list (`district_seeds`).
    """
    stadtteile = stadtteil_polygons(city, district_seeds(schools, bezirke))
    rows = []
    for bezirk, members in bezirke.groupby("stadtbezirk", sort=True):
        union = shapely.union_all([stadtteile[name] for name in members["stadtteil"]])
        rows.append(_district_row(bezirk, "stadtbezirk", None, union))
    for member in bezirke.itertuples(index=False):
        parent = district_id(member.stadtbezirk, "stadtbezirk")
        rows.append(_district_row(member.stadtteil, "stadtteil", parent, stadtteile[member.stadtteil]))
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS)


def _district_row(name: str, level: str, parent_id: str | None, geom) -> dict:
    return {
        "district_id": district_id(name, level),
        "name": name,
        "level": level,
        "parent_id": parent_id,
        "source": DISTRICT_SOURCE,
        "geometry": as_multipolygon(shapely.make_valid(geom)),
    }


def district_seeds(schools: pd.DataFrame, bezirke: pd.DataFrame) -> pd.DataFrame:
    """One seed point per school location, labelled with its Stadtteil.

    A Stadtteil without a school gets one seed at the mean of its Stadtbezirk's schools (or the
    mean of all schools), so that it still receives a (rough) polygon. Schools at the same location
    give one seed (the first).

    Parameters
    ----------
    schools : pandas.DataFrame
        The schools (`read_schools`), with ``district`` (Stadtteil or None) and point ``geometry`` in
        EPSG:25832; schools without a Stadtteil give no seed.
    bezirke : pandas.DataFrame
        The district names (`read_stadtbezirke`): ``stadtbezirk``, ``stadtteil``.

    Returns
    -------
    pandas.DataFrame
        One row per seed: ``stadtteil`` (str), ``x`` and ``y`` (float, EPSG:25832, metres), index 0..n-1.

    Raises
    ------
    ValueError
        When a school names a Stadtteil that `bezirke` does not list.
    """
    known = set(bezirke["stadtteil"])
    unknown = sorted(set(schools["district"].dropna()) - known)
    if unknown:
        raise ValueError(f"schools name Stadtteile {unknown} that stadtbezirke_stadtteile.csv does not list")
    labelled = schools.dropna(subset=["district"])
    coords = shapely.get_coordinates(labelled["geometry"].to_numpy())
    seeds = pd.DataFrame({"stadtteil": labelled["district"].to_numpy(), "x": coords[:, 0], "y": coords[:, 1]})
    bezirk_of = dict(zip(bezirke["stadtteil"], bezirke["stadtbezirk"], strict=True))
    seeds["stadtbezirk"] = seeds["stadtteil"].map(bezirk_of)
    extra = []
    for member in bezirke.itertuples(index=False):
        if member.stadtteil in set(seeds["stadtteil"]):
            continue
        pool = seeds[seeds["stadtbezirk"] == member.stadtbezirk]
        pool = pool if not pool.empty else seeds
        extra.append({"stadtteil": member.stadtteil, "x": pool["x"].mean(), "y": pool["y"].mean()})
    seeds = pd.concat([seeds, pd.DataFrame(extra)], ignore_index=True) if extra else seeds
    return seeds.drop_duplicates(subset=["x", "y"], keep="first").reset_index(drop=True)[["stadtteil", "x", "y"]]


def stadtteil_polygons(city, seeds: pd.DataFrame) -> dict[str, MultiPolygon]:
    """Voronoi cells of the seeds, merged per Stadtteil and clipped to the city: they tile the city.

    Parameters
    ----------
    city : shapely geometry
        The city boundary in EPSG:25832; the cells reach 5 km beyond its bounding box before clipping.
    seeds : pandas.DataFrame
        The seeds (`district_seeds`): ``stadtteil``, ``x``, ``y`` (metres), index 0..n-1, no two at one point.

    Returns
    -------
    dict of str to shapely.MultiPolygon
        Each Stadtteil's polygon in EPSG:25832, by name (sorted).
    """
    points = shapely.multipoints(seeds[["x", "y"]].to_numpy())
    extent = box(*city.bounds).buffer(5000)
    cells = shapely.get_parts(shapely.voronoi_polygons(points, extend_to=extent, ordered=True))
    out = {}
    for name, group in seeds.groupby("stadtteil", sort=True):
        merged = shapely.union_all(cells[group.index.to_numpy()])
        out[name] = as_multipolygon(shapely.intersection(merged, city))
    return out
