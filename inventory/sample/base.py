"""What every part of the sample build shares.

Where the sources are, the build's fixed numbers, the per-stage random streams, and small geometry and id helpers.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
from shapely.geometry import MultiPolygon, Polygon

SOURCE_DIR = Path(__file__).resolve().parents[2] / "data" / "source"
"""The copied source files (see data/README.md for their licences)."""

SEED = 25832
OWNER = "GELSEN-NET"
SYNTHETIC = "synthetic"

SCHOOL_SOURCE = (
    "MSB NRW Schulgrunddaten 2021-09 (dl-de/by-2-0); pupils IT.NRW 2024/25 (dl-de/by-2-0); "
    "Stadtteil © OpenStreetMap contributors (ODbL); connection data synthetic"
)
DISTRICT_SOURCE = (
    "approximate: derived from school locations, not official boundaries; "
    "city boundary Geobasis NRW DVG2 (dl-de/zero-2-0)"
)
SCHOOL_AUTHORITY_ID = "600513"
"""An entry of the school list that is the school authority, not a school."""

# The synthetic network
POP_STADTTEILE = ("Altstadt", "Buer")
GRID_SPACING_M = 280.0
GRID_JITTER_M = 55.0
EDGE_MARGIN_M = 20.0
RING_BULGE_M = 1500.0
"""How far each leg of the backbone ring swings out from the straight line between two POPs."""
TRUNK_TARGET_M = 540_000.0
"""Length of ring, feeder and mesh routes; second cables and drops bring the total to about 600 km."""
N_PLANNED_CLOSURES = 18
N_RETIRED_CABLES = 8
FIRST_YEAR, LAST_YEAR = 1996, 2025
FIRST_CONNECTION_YEAR = 1998
PLANNED_YEARS = (2027, 2028)
MERGE_SHARE = 0.6
"""Share of plain nodes that a route passes as a bend instead of ending at."""
MAX_SEGMENT_M = 800.0
BE_OFFSET_M = 10.0
"""Distance of a building entry from its site point."""

# The mix of site states
N_PLANNED_SCHOOLS = 3
N_COLLAPSED_RING_SCHOOLS = 4
"""Schools whose spur carries two cables in one trench: two paths, one trench."""
N_LEGACY_SCHOOLS = 3
"""Core schools on a single old drop below gigabit."""
N_DOUBLE_DROP_SCHOOLS = 4
"""Core schools with two drop cables in one trench."""
LOW_BANDWIDTHS = ((100.0, True), (500.0, True), (250.0, False))
LARGE_SCHOOL_TYPES = ("Gymnasium", "Gesamtschule", "Berufskolleg")

# Business parks
DEFAULT_PARK_AREA_HA = 15.0
PARK_ASPECT = 1.6
PARK_MARGIN_M = 50.0
UNLOCATED_PARK_STADTTEIL = "Heßler"
"""Where a park without a known Stadtteil is put: the A42 crosses Heßler."""
PARK_CONNECTION = {"Gewerbepark A42": "none", "Gewerbegebiet Achternbergstraße": "planned"}
PARK_EARLIEST_YEAR = {"Stadthafen / Hafen Gelsenkirchen": 2010}
"""Press: no fibre in the port until 2010."""

METHOD_SHARES = (
    (2004, {"open_trench": 0.55, "existing_duct": 0.3, "drilling": 0.15}),
    (2014, {"open_trench": 0.45, "existing_duct": 0.2, "drilling": 0.2, "micro_trench": 0.1, "aerial": 0.05}),
    (9999, {"micro_trench": 0.35, "open_trench": 0.3, "drilling": 0.2, "existing_duct": 0.1, "aerial": 0.05}),
)
"""Construction methods by the latest year they apply to; planned routes use the last row."""


def stage_rng(stage: str) -> np.random.Generator:
    """Return a fixed random stream per build stage, so changing one stage leaves the others as they were.

    Parameters
    ----------
    stage : str
        The stage's name, e.g. ``"grid"``; its CRC-32 and `SEED` seed the stream.

    Returns
    -------
    numpy.random.Generator
        A new generator, the same sequence on every call with the same `stage`.
    """
    return np.random.default_rng([SEED, zlib.crc32(stage.encode())])


def slug(text: str) -> str:
    """Upper-case ASCII id part: 'Bulmke-Hüllen' -> 'BULMKE-HUELLEN'.

    Parameters
    ----------
    text : str
        A German name.

    Returns
    -------
    str
        Umlauts and ß spelt out, upper case, every run of other characters one hyphen, no hyphen at the ends.

    Examples
    --------
    >>> slug("Bulmke-Hüllen")
    'BULMKE-HUELLEN'
    >>> slug("Stadthafen / Hafen Gelsenkirchen")
    'STADTHAFEN-HAFEN-GELSENKIRCHEN'
    """
    for umlaut, plain in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"), ("Ä", "Ae"), ("Ö", "Oe"), ("Ü", "Ue")):
        text = text.replace(umlaut, plain)
    return re.sub(r"[^A-Z0-9]+", "-", text.upper()).strip("-")


def as_multipolygon(geom) -> MultiPolygon:
    """Return the polygon parts of `geom` (dropping slivers, lines and points) as a MultiPolygon.

    Parameters
    ----------
    geom : shapely geometry
        Any geometry in EPSG:25832 (metres), e.g. the result of an intersection.

    Returns
    -------
    shapely.MultiPolygon
        Its polygons of more than 1 m² area; empty when there are none.
    """
    parts = [p for p in polygon_parts(geom) if p.area > 1.0]
    return MultiPolygon(parts)


def polygon_parts(geom) -> list[Polygon]:
    """Return the non-empty polygons in `geom`, looking into collections and multi-part geometries.

    Parameters
    ----------
    geom : shapely geometry
        Any geometry.

    Returns
    -------
    list of Polygon
        Its polygons (none for lines and points).
    """
    if isinstance(geom, Polygon):
        return [] if geom.is_empty else [geom]
    if hasattr(geom, "geoms"):
        return [p for part in geom.geoms for p in polygon_parts(part)]
    return []


def random_day(rng: np.random.Generator, years: Iterable[int]) -> pd.Timestamp:
    """Return a random day in one of `years`.

    Parameters
    ----------
    rng : numpy.random.Generator
        The stage's random stream (`stage_rng`).
    years : iterable of int
        The years to choose from, each alike.

    Returns
    -------
    pandas.Timestamp
        A day of the chosen year (from 1 January, within its first 365 days).
    """
    year = int(rng.choice(list(years)))
    return pd.Timestamp(year, 1, 1) + pd.Timedelta(days=int(rng.integers(0, 365)))


def distance_m(a, b) -> float:
    """Return the straight-line distance between two points.

    Parameters
    ----------
    a, b : sequence of float
        (x, y) in EPSG:25832, in metres.

    Returns
    -------
    float
        The distance in metres.
    """
    return float(np.hypot(a[0] - b[0], a[1] - b[1]))
