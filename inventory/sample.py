"""The sample inventory: real schools and city boundary of Gelsenkirchen, a synthetic GELSEN-NET.

`build_sample()` reads only the project's `data/source/` folder and returns the five layers,
typed as the stores return them. What each record is made of is said in its `source` column:

- real: the schools (official NRW school list with official coordinates; pupils from IT.NRW)
  and the city boundary (Geobasis NRW);
- approximate: the Stadtteil and Stadtbezirk polygons (Voronoi cells of the schools, merged per
  Stadtteil) and the business parks (named in press reports, placed and sized here);
- synthetic: every node and route and every site's connection data. The real route geometry is not
  public, so the network is invented: a jittered street-like grid, a backbone ring through two POPs,
  meshed rings around it, tree-like spurs towards the city edge, about 600 km in all.

The build is deterministic: every random choice comes from a fixed-seed stream per stage, and
nothing depends on the iteration order of sets or of hashed strings.
"""

from __future__ import annotations

import itertools
import re
import zlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from shapely import affinity
from shapely.geometry import MultiPolygon, Polygon, box
from shapely.ops import polylabel

from inventory.frames import conform, sort_by_key
from inventory.schema import CRS, LAYERS

SOURCE_DIR = Path(__file__).resolve().parent.parent / "data" / "source"
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


def build_sample(source_dir: Path | None = None) -> dict[str, gpd.GeoDataFrame]:
    """The five sample layers in EPSG:25832, typed as the stores return them and sorted by key."""
    source = Path(source_dir) if source_dir is not None else SOURCE_DIR
    city = read_city(source)
    schools = read_schools(source)
    districts = build_districts(city, schools, read_stadtbezirke(source))
    stadtteile = {r.name: r.geometry for r in districts.itertuples() if r.level == "stadtteil"}
    parks, site_areas = build_business_parks(read_business_parks(source), stadtteile)
    sites = pd.concat([schools, parks], ignore_index=True)
    pop_points = {name: stadtteil_centre(schools, name) for name in POP_STADTTEILE}
    nodes, routes, connections = build_network(city, sites, stadtteile, pop_points)
    sites = sites.drop(columns=["private"]).merge(connections, on="site_id", how="left", validate="1:1")
    layers = {"nodes": nodes, "routes": routes, "sites": sites, "site_areas": site_areas, "districts": districts}
    return {name: finish_layer(frame, name) for name, frame in layers.items()}


def finish_layer(frame: pd.DataFrame, name: str) -> gpd.GeoDataFrame:
    """Schema columns and dtypes, storage CRS, rows sorted by key."""
    layer = LAYERS[name]
    gdf = gpd.GeoDataFrame(frame, geometry="geometry", crs=CRS)
    return sort_by_key(conform(gdf, layer), layer)


def _rng(stage: str) -> np.random.Generator:
    """A fixed random stream per build stage, so changing one stage leaves the others as they were."""
    return np.random.default_rng([SEED, zlib.crc32(stage.encode())])


def slug(text: str) -> str:
    """Upper-case ASCII id part: 'Bulmke-Hüllen' -> 'BULMKE-HUELLEN'."""
    for umlaut, plain in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"), ("Ä", "Ae"), ("Ö", "Oe"), ("Ü", "Ue")):
        text = text.replace(umlaut, plain)
    return re.sub(r"[^A-Z0-9]+", "-", text.upper()).strip("-")


def as_multipolygon(geom) -> MultiPolygon:
    """The polygon parts of `geom` (dropping slivers, lines and points) as a MultiPolygon."""
    parts = [p for p in _polygon_parts(geom) if p.area > 1.0]
    return MultiPolygon(parts)


def _polygon_parts(geom) -> list[Polygon]:
    if isinstance(geom, Polygon):
        return [] if geom.is_empty else [geom]
    if hasattr(geom, "geoms"):
        return [p for part in geom.geoms for p in _polygon_parts(part)]
    return []


# --- reading the sources -------------------------------------------------------------------------


def read_city(source: Path):
    """The city boundary (DVG2), one MultiPolygon in EPSG:25832."""
    frame = gpd.read_file(source / "city_boundary_dvg2_epsg25832.geojson").to_crs(CRS)
    return shapely.union_all(frame.geometry.to_numpy())


def read_schools(source: Path) -> pd.DataFrame:
    """The real schools as site records (connection fields come later), without the school authority."""
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
    """The 5 Stadtbezirke and their 18 Stadtteile (names only)."""
    return pd.read_csv(source / "stadtbezirke_stadtteile.csv", dtype=str, keep_default_na=False)


def read_business_parks(source: Path) -> pd.DataFrame:
    """Business park names with the Stadtteil and size where press reports give them."""
    return pd.read_csv(source / "business_parks.csv", dtype=str, keep_default_na=False)


def stadtteil_centre(schools: pd.DataFrame, stadtteil: str) -> tuple[float, float]:
    """Mean location of the schools of a Stadtteil."""
    points = schools.loc[schools["district"] == stadtteil, "geometry"]
    if points.empty:
        raise ValueError(f"no school in Stadtteil {stadtteil!r} to place its POP at")
    coords = shapely.get_coordinates(points.to_numpy())
    return float(coords[:, 0].mean()), float(coords[:, 1].mean())


# --- districts -----------------------------------------------------------------------------------


def district_id(name: str, level: str) -> str:
    """'Gelsenkirchen-Nord' -> 'SB-NORD'; 'Buer' -> 'ST-BUER'."""
    if level == "stadtbezirk":
        return "SB-" + slug(name.removeprefix("Gelsenkirchen-"))
    return "ST-" + slug(name)


def build_districts(city, schools: pd.DataFrame, bezirke: pd.DataFrame) -> gpd.GeoDataFrame:
    """Approximate Stadtteile tiling the city, and the Stadtbezirke as their unions."""
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
    mean of all schools), so that it still receives a (rough) polygon.
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
    """Voronoi cells of the seeds, merged per Stadtteil and clipped to the city: they tile the city."""
    points = shapely.multipoints(seeds[["x", "y"]].to_numpy())
    extent = box(*city.bounds).buffer(5000)
    cells = shapely.get_parts(shapely.voronoi_polygons(points, extend_to=extent, ordered=True))
    out = {}
    for name, group in seeds.groupby("stadtteil", sort=True):
        merged = shapely.union_all(cells[group.index.to_numpy()])
        out[name] = as_multipolygon(shapely.intersection(merged, city))
    return out


# --- business parks ------------------------------------------------------------------------------


def park_site_id(name: str) -> str:
    """'ARENA PARK' -> 'GE-ARENA-PARK'."""
    return "GE-" + slug(name)


def build_business_parks(parks: pd.DataFrame, stadtteile: dict) -> tuple[pd.DataFrame, gpd.GeoDataFrame]:
    """Business parks as sites (a point inside the area) and their approximate areas."""
    parks = parks.copy()
    parks["located"] = parks["stadtteil_hint"] != ""
    parks["stadtteil"] = parks["stadtteil_hint"].where(parks["located"], UNLOCATED_PARK_STADTTEIL)
    parks["area_ha"] = pd.to_numeric(parks["area_ha_hint"].replace("", None)).fillna(DEFAULT_PARK_AREA_HA)
    rng = _rng("parks")
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
    """The rank-th of `count` west-to-east strips of a Stadtteil, kept clear of its edges."""
    x0, y0, x1, y1 = stadtteil.bounds
    width = (x1 - x0) / count
    region = stadtteil.intersection(box(x0 + rank * width, y0, x0 + (rank + 1) * width, y1))
    inner = region.buffer(-PARK_MARGIN_M)
    return inner if not inner.is_empty else region


def park_area(region, area_m2: float, *, angle_deg: float) -> MultiPolygon:
    """A rotated rectangle of about `area_m2` around the pole of inaccessibility of `region`, clipped to it."""
    largest = max(_polygon_parts(region), key=lambda p: p.area)
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


# --- the synthetic network: grid, backbone ring, feeder tree, meshed rings ----------------------


@dataclass(frozen=True)
class Grid:
    """Candidate street grid: jittered points inside the city and links between grid neighbours."""

    xy: np.ndarray
    """(n, 2) node coordinates, rounded to the cm."""
    edges: np.ndarray
    """(m, 2) node indices of each link."""

    @property
    def length_m(self) -> np.ndarray:
        return np.hypot(*(self.xy[self.edges[:, 0]] - self.xy[self.edges[:, 1]]).T)

    def edge_index(self) -> dict[tuple[int, int], int]:
        return {(int(min(u, v)), int(max(u, v))): i for i, (u, v) in enumerate(self.edges)}

    def nearest_node(self, x: float, y: float) -> int:
        return int(np.argmin(np.hypot(self.xy[:, 0] - x, self.xy[:, 1] - y)))


def make_grid(city, rng: np.random.Generator) -> Grid:
    """A jittered square grid inside the city; links that leave the city are dropped."""
    minx, miny, maxx, maxy = city.bounds
    gx, gy = np.meshgrid(
        np.arange(minx, maxx + GRID_SPACING_M, GRID_SPACING_M), np.arange(miny, maxy + GRID_SPACING_M, GRID_SPACING_M)
    )
    jitter = rng.uniform(-GRID_JITTER_M, GRID_JITTER_M, size=(2, *gx.shape))
    x, y = np.round(gx + jitter[0], 2), np.round(gy + jitter[1], 2)
    inside = shapely.contains_xy(city.buffer(-EDGE_MARGIN_M), x, y)
    index = np.full(gx.shape, -1)
    index[inside] = np.arange(inside.sum())
    pairs = [(index[:, :-1], index[:, 1:]), (index[:-1, :], index[1:, :])]
    edges = np.concatenate([np.column_stack([a[(a >= 0) & (b >= 0)], b[(a >= 0) & (b >= 0)]]) for a, b in pairs])
    xy = np.column_stack([x[inside], y[inside]])
    lines = shapely.linestrings(np.stack([xy[edges[:, 0]], xy[edges[:, 1]]], axis=1))
    edges = edges[shapely.covered_by(lines, city)]
    return _largest_component(Grid(xy, edges))


def _largest_component(grid: Grid) -> Grid:
    graph = nx.Graph()
    graph.add_nodes_from(range(len(grid.xy)))
    graph.add_edges_from(map(tuple, grid.edges.tolist()))
    keep = np.array(sorted(max(nx.connected_components(graph), key=lambda c: (len(c), -min(c)))))
    renumber = np.full(len(grid.xy), -1)
    renumber[keep] = np.arange(len(keep))
    edges = renumber[grid.edges]
    return Grid(grid.xy[keep], edges[(edges >= 0).all(axis=1)])


def grid_graph(grid: Grid, rng: np.random.Generator) -> nx.Graph:
    """The grid as a graph; `cost` is the length with noise, so paths wander like streets."""
    graph = nx.Graph()
    graph.add_nodes_from(range(len(grid.xy)))
    noise = rng.uniform(1.0, 1.6, size=len(grid.edges))
    for i, ((u, v), length) in enumerate(zip(grid.edges.tolist(), grid.length_m, strict=True)):
        graph.add_edge(u, v, edge=i, cost=float(length * noise[i]))
    return graph


def backbone_ring(grid: Grid, graph: nx.Graph, pops: list[int]) -> list[int]:
    """Edge indices of a ring through the POPs; each leg bulges to its left, so two POPs get a wide ring."""
    stops = pops + pops[:1]
    ring_nodes: list[int] = [stops[0]]
    for start, end in itertools.pairwise(stops):
        a, b = grid.xy[start], grid.xy[end]
        left = np.array([-(b - a)[1], (b - a)[0]]) / np.hypot(*(b - a))
        waypoint = grid.nearest_node(*((a + b) / 2 + left * RING_BULGE_M))
        for leg_start, leg_end in ((start, waypoint), (waypoint, end)):
            blocked = [n for n in ring_nodes if n not in (leg_start, leg_end)]
            view = nx.restricted_view(graph, blocked, [])
            ring_nodes += nx.shortest_path(view, leg_start, leg_end, weight="cost")[1:]
    index = grid.edge_index()
    return [index[(min(u, v), max(u, v))] for u, v in itertools.pairwise(ring_nodes)]


def feeder_tree(graph: nx.Graph, sources: list[int]) -> tuple[dict[int, float], dict[int, int]]:
    """Noisy shortest-path tree from the ring: distance of each node and its parent."""
    dist, paths = nx.multi_source_dijkstra(graph, sources, weight="cost")
    parent = {node: path[-2] for node, path in paths.items() if len(path) > 1}
    return dist, parent


def subtree_sizes(parent: dict[int, int], dist: dict[int, float]) -> dict[int, int]:
    """Number of nodes fed through each node (itself included)."""
    size = dict.fromkeys(dist, 1)
    for node in sorted(parent, key=lambda n: (-dist[n], n)):
        size[parent[node]] += size[node]
    return size


def mesh_links(
    grid: Grid, dist: dict[int, float], taken: set[int], budget_m: float, rng: np.random.Generator
) -> tuple[list[int], list[int]]:
    """Extra links, nearest the ring first, until `budget_m` is used; then the next ones as planned closures."""
    depth = np.array([dist[n] for n in range(len(grid.xy))])
    priority = depth[grid.edges].max(axis=1) * rng.uniform(0.6, 1.4, size=len(grid.edges))
    lengths = grid.length_m
    built, planned, used = [], [], 0.0
    for i in np.argsort(priority, kind="stable").tolist():
        if i in taken:
            continue
        if used < budget_m:
            built.append(i)
            used += lengths[i]
        elif len(planned) < N_PLANNED_CLOSURES:
            planned.append(i)
        else:
            break
    return built, planned


# --- cables: the route segments under construction ----------------------------------------------


@dataclass
class Cable:
    """One route segment under construction, between two node indices, in a trench group."""

    u: int
    v: int
    trench: str
    role: str
    via: list[int] = field(default_factory=list)
    """Interior vertices (nodes merged away), in order from u to v."""
    status: str = "in_service"
    built_year: int | None = None
    planned_date: pd.Timestamp | None = None
    fibre_count: int = 24
    method: str | None = None
    route_id: str = ""


@dataclass
class Network:
    """Nodes (grid points, then building entries) and cables of the synthetic GELSEN-NET."""

    xy: list[tuple[float, float]]
    pops: dict[int, str]
    cables: list[Cable] = field(default_factory=list)
    entries: dict[int, dict] = field(default_factory=dict)
    """Building-entry node index -> its site_id, site name and status."""

    def node_years(self) -> dict[int, int]:
        """Year each node came into service: its first in-service cable."""
        years: dict[int, int] = {}
        for c in self.cables:
            if c.status == "in_service" and c.built_year is not None:
                for n in (c.u, c.v):
                    years[n] = min(years.get(n, c.built_year), c.built_year)
        return years

    def core(self) -> set[int]:
        """Nodes 2-edge-connected to the POPs over in-service cables (parallel cables count twice)."""
        count = Counter((min(c.u, c.v), max(c.u, c.v)) for c in self.cables if c.status == "in_service")
        graph = nx.Graph()
        graph.add_edges_from(sorted(count))
        bridges = [e for e in nx.bridges(graph) if count[(min(e), max(e))] == 1]
        graph.remove_edges_from(bridges)
        pop = min(self.pops)
        return set(nx.node_connected_component(graph, pop))


def build_network(
    city, sites: pd.DataFrame, stadtteile: dict, pop_points: dict
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, pd.DataFrame]:
    """Nodes, routes and the connection fields of every site."""
    grid = make_grid(city, _rng("grid"))
    graph = grid_graph(grid, _rng("cost"))
    pops = {grid.nearest_node(*pop_points[name]): name for name in POP_STADTTEILE}
    ring = backbone_ring(grid, graph, list(pops))
    ring_nodes = sorted({int(n) for e in ring for n in grid.edges[e]})
    dist, parent = feeder_tree(graph, ring_nodes)
    index = grid.edge_index()
    tree = sorted(index[(min(n, p), max(n, p))] for n, p in parent.items())
    taken = set(ring) | set(tree)
    budget = TRUNK_TARGET_M - grid.length_m[sorted(taken)].sum()
    mesh, closures = mesh_links(grid, dist, taken, budget, _rng("mesh"))

    net = Network(xy=[tuple(p) for p in grid.xy.tolist()], pops=pops)
    add_trunk_cables(net, grid, ring, tree, mesh, closures, dist, subtree_sizes(parent, dist))
    assign_build_years(net, dist, _rng("years"))
    add_ring_second_cables(net, pops, _rng("second"))
    attach = site_attachments(grid, sites)
    plan = plan_connections(sites, attach, net.core(), _rng("states"))
    double_spurs(net, plan, parent, _rng("spurs"))
    add_retired_cables(net, _rng("retired"))
    connections = add_drops(net, sites, plan, _rng("drops"))
    merge_chains(net, keep=set(attach["u"]) | set(attach["v"]), rng=_rng("merge"))
    set_cable_attributes(net, _rng("attributes"))
    ids = node_ids(net)
    connections["handover_node_id"] = [None if pd.isna(n) else ids[int(n)] for n in connections["handover_node_id"]]
    return node_frame(net, stadtteile, _rng("nodes")), route_frame(net, _rng("fibres_used")), connections


def add_trunk_cables(net: Network, grid: Grid, ring, tree, mesh, closures, dist, sizes) -> None:
    """One cable per ring, feeder, mesh and planned-closure link, in its own trench."""
    for role, edges in (("ring", ring), ("feeder", tree), ("mesh", mesh), ("closure", closures)):
        for e in edges:
            u, v = (int(n) for n in grid.edges[e])
            child = max(u, v, key=lambda n: dist[n])
            fibres = {"ring": 288, "feeder": _feeder_fibres(sizes.get(child, 1))}.get(role, 48)
            status = "planned" if role == "closure" else "in_service"
            net.cables.append(Cable(u, v, trench=f"e{e}", role=role, status=status, fibre_count=fibres))


def _feeder_fibres(nodes_fed: int) -> int:
    return 144 if nodes_fed >= 100 else 96 if nodes_fed >= 25 else 48 if nodes_fed >= 5 else 24


def assign_build_years(net: Network, dist: dict[int, float], rng: np.random.Generator) -> None:
    """Years 1996-2025: the ring first, then outwards from it, rings closed a little later; ~20 km a year."""
    trunk = [c for c in net.cables if c.status == "in_service"]
    delay = {"feeder": 1.0, "mesh": 1.25}  # a mesh link comes after the feeders at the same distance
    noise_m = rng.uniform(0, 1500, len(trunk))
    key = np.array(
        [
            -1.0 if c.role == "ring" else max(dist[c.u], dist[c.v]) * delay[c.role] + noise_m[i]
            for i, c in enumerate(trunk)
        ]
    )
    lengths = np.array([_distance(net.xy[c.u], net.xy[c.v]) for c in trunk])
    years = np.arange(FIRST_YEAR, LAST_YEAR + 1)
    share = np.cumsum(rng.uniform(0.75, 1.25, len(years)))
    share /= share[-1]
    order = np.argsort(key, kind="stable")
    done = (np.cumsum(lengths[order]) - lengths[order] / 2) / lengths.sum()
    for i, year_index in zip(order, np.searchsorted(share, done), strict=True):
        trunk[i].built_year = int(years[min(year_index, len(years) - 1)])
    for c in net.cables:
        if c.status == "planned":
            c.planned_date = _random_day(rng, PLANNED_YEARS)


def add_ring_second_cables(net: Network, pops: dict[int, str], rng: np.random.Generator) -> None:
    """A second cable in every ring trench, four cables next to the POPs: trenches shared by 2-4 cables."""
    for c in [c for c in net.cables if c.role == "ring"]:
        extra = 3 if (c.u in pops or c.v in pops) else 1
        for k in range(extra):
            year = min(LAST_YEAR, c.built_year + int(rng.integers(2, 15)))
            net.cables.append(Cable(c.u, c.v, c.trench, role="second", built_year=year, fibre_count=(144, 96, 96)[k]))


def double_spurs(net: Network, plan: pd.DataFrame, parent: dict[int, int], rng) -> None:
    """Collapsed rings: a second cable in the same trench along the spurs of some schools."""
    core = net.core()
    by_edge = {(min(c.u, c.v), max(c.u, c.v)): c for c in net.cables if c.status == "in_service"}
    spur_edges: set[tuple[int, int]] = set()
    for row in plan[plan["style"] == "collapsed"].itertuples():
        for start in (row.u, row.v):
            node = start
            while node not in core:
                spur_edges.add((min(node, parent[node]), max(node, parent[node])))
                node = parent[node]
    for key in sorted(spur_edges):
        c = by_edge[key]
        year = min(LAST_YEAR, c.built_year + int(rng.integers(1, 8)))
        net.cables.append(Cable(c.u, c.v, c.trench, role="second", built_year=year, fibre_count=c.fibre_count))


def add_retired_cables(net: Network, rng: np.random.Generator) -> None:
    """A few old cables left in early feeder trenches, retired."""
    early = [c for c in net.cables if c.role == "feeder" and c.built_year <= 2002]
    for i in sorted(rng.choice(len(early), size=min(N_RETIRED_CABLES, len(early)), replace=False).tolist()):
        c = early[i]
        net.cables.append(
            Cable(c.u, c.v, c.trench, role="retired", status="retired", built_year=c.built_year, fibre_count=12)
        )


def merge_chains(net: Network, keep: set[int], rng: np.random.Generator) -> None:
    """Join some pairs of cables that meet at a plain node into one longer route with a bend.

    Only cables alone in their trench and of one status are joined (keeping the earlier year and the
    larger fibre count), never through a POP, a building entry or a node that a site is connected from,
    and never beyond MAX_SEGMENT_M. The joined-away node disappears: the route bends there.
    """
    trench_size = Counter(c.trench for c in net.cables)
    incident: dict[int, list[Cable]] = {}
    for c in net.cables:
        for n in (c.u, c.v):
            incident.setdefault(n, []).append(c)
    for n in sorted(incident):
        pair = incident[n]
        if n in keep or n in net.pops or n in net.entries or len(pair) != 2 or rng.random() > MERGE_SHARE:
            continue
        a, b = pair
        if not _joinable(a, b, trench_size):
            continue
        path = _joined_path(a, b, n)
        if _path_length(net, path) > MAX_SEGMENT_M:
            continue
        a.u, a.via, a.v = path[0], path[1:-1], path[-1]
        if a.built_year is not None:  # the earlier year keeps every node's first year in service
            a.built_year = min(a.built_year, b.built_year)
        a.fibre_count = max(a.fibre_count, b.fibre_count)
        far = b.v if b.u == n else b.u
        incident[far] = [a if c is b else c for c in incident[far]]
        incident[n] = []
        net.cables.remove(b)


def _joinable(a: Cable, b: Cable, trench_size: Counter) -> bool:
    alone = trench_size[a.trench] == trench_size[b.trench] == 1
    ends = {a.u, a.v} ^ {b.u, b.v}
    return a.status == b.status and "drop" not in (a.role, b.role) and alone and len(ends) == 2


def _joined_path(a: Cable, b: Cable, n: int) -> list[int]:
    first = [a.u, *a.via, a.v] if a.v == n else [a.v, *reversed(a.via), a.u]
    second = [b.u, *b.via, b.v] if b.u == n else [b.v, *reversed(b.via), b.u]
    return first + second[1:]


def _path_length(net: Network, path: list[int]) -> float:
    return sum(_distance(net.xy[p], net.xy[q]) for p, q in itertools.pairwise(path))


def set_cable_attributes(net: Network, rng: np.random.Generator) -> None:
    """Construction method by era; cables added to an existing trench are pulled through its duct."""
    for c in net.cables:
        if c.role == "second":
            c.method = "existing_duct"
            continue
        year = c.built_year if c.built_year is not None else 9999
        shares = next(s for last, s in METHOD_SHARES if year <= last)
        c.method = str(rng.choice(list(shares), p=list(shares.values())))


# --- sites: attachment, connection states, drops -------------------------------------------------


def site_attachments(grid: Grid, sites: pd.DataFrame) -> pd.DataFrame:
    """For each site the nearest grid link (u nearer, v farther) it is connected from."""
    lines = shapely.linestrings(np.stack([grid.xy[grid.edges[:, 0]], grid.xy[grid.edges[:, 1]]], axis=1))
    tree = shapely.STRtree(lines)
    points = sites["geometry"].to_numpy()
    _, nearest = tree.query_nearest(points, return_distance=False, all_matches=False)
    rows = []
    for point, e in zip(points, nearest.tolist(), strict=True):
        a, b = (int(n) for n in grid.edges[e])
        da, db = (np.hypot(*(grid.xy[n] - (point.x, point.y))) for n in (a, b))
        rows.append((a, b) if da <= db else (b, a))
    return pd.DataFrame(rows, columns=["u", "v"], index=sites.index)


def plan_connections(sites: pd.DataFrame, attach: pd.DataFrame, core: set[int], rng) -> pd.DataFrame:
    """Connection state and drop style per site.

    Styles: loop (the ring is looped through the building: dual-homed), collapsed (looped in, but the
    spur back to the core carries both directions in one trench), double (two drop cables in one
    trench), single (one drop: single-homed), or None (not connected yet).
    """
    plan = pd.concat([sites[["site_id", "kind", "name", "private", "pupils", "school_type"]], attach], axis=1)
    plan["in_core"] = [u in core and v in core for u, v in zip(plan["u"], plan["v"], strict=True)]
    plan["connection"] = "connected"
    plan.loc[plan["private"], "connection"] = "none"
    for name, state in PARK_CONNECTION.items():
        plan.loc[(plan["kind"] == "business_park") & (plan["name"] == name), "connection"] = state
    plan["style"] = np.where(plan["in_core"], "loop", "single")

    school = (plan["kind"] == "school") & (plan["connection"] == "connected")
    planned = _pick(plan.index[school & ~plan["in_core"]], N_PLANNED_SCHOOLS, rng)
    plan.loc[planned, "connection"] = "planned"
    outer = plan.index[school & ~plan["in_core"]].difference(planned)
    collapsed = _pick(outer, N_COLLAPSED_RING_SCHOOLS, rng)
    plan.loc[collapsed, "style"] = "collapsed"
    core_schools = plan.index[school & plan["in_core"]]
    legacy = _pick(core_schools, N_LEGACY_SCHOOLS, rng)
    plan.loc[legacy, "style"] = "legacy"
    double = _pick(core_schools.difference(legacy), N_DOUBLE_DROP_SCHOOLS, rng)
    plan.loc[double, "style"] = "double"
    plan.loc[plan["connection"] != "connected", "style"] = None
    plan[["bandwidth_mbps", "symmetric"]] = [_bandwidth(row, rng) for row in plan.itertuples()]
    for label, (mbps, symmetric) in zip(legacy, itertools.cycle(LOW_BANDWIDTHS)):  # each old product once
        plan.loc[label, ["bandwidth_mbps", "symmetric"]] = [mbps, symmetric]
    return plan


def _pick(index: pd.Index, count: int, rng: np.random.Generator) -> pd.Index:
    """`count` labels of `index` at random (fewer if there are fewer)."""
    chosen = rng.choice(len(index), size=min(count, len(index)), replace=False)
    return index[np.sort(chosen)]


def _bandwidth(row, rng: np.random.Generator) -> tuple[float | None, bool | None]:
    if row.connection != "connected":
        return None, None
    if row.kind == "business_park":
        return 10_000.0, True
    if row.style == "single" and rng.random() < 0.3:
        return LOW_BANDWIDTHS[int(rng.integers(len(LOW_BANDWIDTHS)))]
    large = row.school_type in LARGE_SCHOOL_TYPES or (pd.notna(row.pupils) and row.pupils >= 900)
    return (10_000.0 if large and row.style != "single" else 1000.0), True


def add_drops(net: Network, sites: pd.DataFrame, plan: pd.DataFrame, rng) -> pd.DataFrame:
    """A building entry and drop cable(s) per connected or planned site; the sites' connection fields."""
    years = net.node_years()
    rows = []
    for site, p in zip(sites.itertuples(), plan.itertuples(), strict=True):
        row = {
            "site_id": site.site_id,
            "connection": p.connection,
            "bandwidth_mbps": p.bandwidth_mbps,
            "symmetric": p.symmetric,
            "connected_since": None,
            "planned_date": None,
            "handover_node_id": None,
        }
        if p.connection == "none":
            rows.append(row)
            continue
        entry = _add_entry(net, site, p, sites)
        row["handover_node_id"] = entry
        if p.connection == "planned":
            date = _random_day(rng, PLANNED_YEARS)
            row["planned_date"] = date
            _add_drop_cables(net, entry, p, status="planned", year=None, date=date)
        else:
            ready = max([years[p.u]] + ([years[p.v]] if p.style in ("loop", "collapsed") else []))
            earliest = max(ready, FIRST_CONNECTION_YEAR, PARK_EARLIEST_YEAR.get(site.name, 0))
            year = min(LAST_YEAR, earliest + int(rng.integers(0, 5)))
            row["connected_since"] = _random_day(rng, (year,))
            _add_drop_cables(net, entry, p, status="in_service", year=year, date=None)
        rows.append(row)
    return pd.DataFrame(rows)


def _add_entry(net: Network, site, p, sites: pd.DataFrame) -> int:
    """A building entry BE_OFFSET_M from the site towards its link; sites on one spot fan out."""
    same_spot = sites.index[sites["geometry"].apply(lambda g: g.equals(site.geometry))]
    rank = int(np.flatnonzero(same_spot == site.Index)[0])
    towards = np.array(net.xy[p.u]) - (site.geometry.x, site.geometry.y)
    angle = np.arctan2(towards[1], towards[0]) + np.radians(40.0) * rank
    x = round(site.geometry.x + BE_OFFSET_M * np.cos(angle), 2)
    y = round(site.geometry.y + BE_OFFSET_M * np.sin(angle), 2)
    net.xy.append((x, y))
    node = len(net.xy) - 1
    net.entries[node] = {
        "site_id": site.site_id,
        "name": site.name,
        "status": "in_service" if p.connection == "connected" else "planned",
    }
    return node


def _add_drop_cables(net: Network, entry: int, p, *, status: str, year: int | None, date) -> None:
    fibres = 48 if p.kind == "business_park" else 24 if p.style in ("loop", "collapsed") else 12
    legs = {
        "loop": [(p.u, "a"), (p.v, "b")],
        "collapsed": [(p.u, "a"), (p.v, "b")],
        "double": [(p.u, "a"), (p.u, "a")],
    }.get(p.style, [(p.u, "a")])
    for node, trench in legs:
        net.cables.append(
            Cable(
                node,
                entry,
                trench=f"d{p.site_id}{trench}",
                role="drop",
                status=status,
                built_year=year,
                planned_date=date,
                fibre_count=fibres,
            )
        )


def _random_day(rng: np.random.Generator, years: Iterable[int]) -> pd.Timestamp:
    year = int(rng.choice(list(years)))
    return pd.Timestamp(year, 1, 1) + pd.Timedelta(days=int(rng.integers(0, 365)))


def _distance(a, b) -> float:
    return float(np.hypot(a[0] - b[0], a[1] - b[1]))


# --- frames --------------------------------------------------------------------------------------


def node_ids(net: Network) -> list[str]:
    """POP-<STADTTEIL> for POPs, BE-<site_id> for building entries, N-00001... for the others."""
    ids = []
    for n in range(len(net.xy)):
        if n in net.pops:
            ids.append("POP-" + slug(net.pops[n]))
        elif n in net.entries:
            ids.append("BE-" + net.entries[n]["site_id"])
        else:
            ids.append(f"N-{n + 1:05d}")
    return ids


def node_frame(net: Network, stadtteile: dict, rng: np.random.Generator) -> gpd.GeoDataFrame:
    """Every node with its kind (by role and degree), status, first year in service and name."""
    ids = node_ids(net)
    years = net.node_years()
    neighbours: dict[int, set[int]] = {}
    for c in net.cables:
        neighbours.setdefault(c.u, set()).add(c.v)
        neighbours.setdefault(c.v, set()).add(c.u)
    drop_points = {c.u for c in net.cables if c.role == "drop"}
    points = shapely.points(np.array(net.xy))
    area = _stadtteil_of(points, stadtteile)
    cabinets: Counter[str] = Counter()
    rows = []
    for n, point in enumerate(points):
        if n not in neighbours:
            continue  # merged away: a bend of a route, not a node
        kind = _node_kind(n, net, len(neighbours[n]), n in drop_points, rng)
        name = None
        if kind == "pop":
            name = f"POP {net.pops[n]}"
        elif kind == "building_entry":
            name = f"building entry {net.entries[n]['name']}"
        elif kind == "cabinet":
            cabinets[area[n]] += 1
            name = f"cabinet {area[n]} {cabinets[area[n]]}"
        status = net.entries[n]["status"] if n in net.entries else "in_service"
        rows.append(
            {
                "node_id": ids[n],
                "kind": kind,
                "name": name,
                "status": status,
                "built_year": years.get(n),
                "source": SYNTHETIC,
                "geometry": point,
            }
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS)


def _stadtteil_of(points: np.ndarray, stadtteile: dict) -> list[str]:
    names = np.full(len(points), "Gelsenkirchen", dtype=object)
    for name in sorted(stadtteile):
        names[shapely.contains(stadtteile[name], points)] = name
    return names.tolist()


def _node_kind(n: int, net: Network, degree: int, drop_point: bool, rng: np.random.Generator) -> str:
    draw = rng.random()  # one draw per node, so kinds stay put when one rule changes
    if n in net.pops:
        return "pop"
    if n in net.entries:
        return "building_entry"
    if drop_point:
        return "cabinet" if draw < 0.2 else "closure"
    if degree >= 3:
        return "junction" if draw < 0.4 else "closure" if draw < 0.85 else "cabinet"
    if degree == 1:
        return "closure" if draw < 0.8 else "cabinet"
    return "chamber" if draw < 0.75 else "closure"


def route_frame(net: Network, rng: np.random.Generator) -> gpd.GeoDataFrame:
    """Every cable as a route: ids, shared trench ids, fibres in use, geometry between its two nodes."""
    ids = node_ids(net)
    trunk_number = 0
    drop_number: Counter[int] = Counter()
    for c in net.cables:
        if c.role == "drop":
            drop_number[c.v] += 1
            c.route_id = f"D-{ids[c.v].removeprefix('BE-')}-{drop_number[c.v]}"
        else:
            trunk_number += 1
            c.route_id = f"R-{trunk_number:05d}"
    trenches = trench_ids(net.cables)
    rows = []
    for c in net.cables:
        used = int(c.fibre_count * rng.uniform(0.1, 0.8)) if c.status == "in_service" else 0
        rows.append(
            {
                "route_id": c.route_id,
                "trench_id": trenches[c.route_id],
                "status": c.status,
                "fibre_count": c.fibre_count,
                "fibres_used": used,
                "method": c.method,
                "built_year": c.built_year,
                "planned_date": c.planned_date,
                "owner": OWNER,
                "source": SYNTHETIC,
                "geometry": shapely.linestrings([net.xy[n] for n in (c.u, *c.via, c.v)]),
            }
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS)


def trench_ids(cables: list[Cable]) -> dict[str, str]:
    """Route id -> trench id: 'TR-0001'... for trenches shared by several cables, else the route's own id."""
    members = Counter(c.trench for c in cables)
    shared: dict[str, str] = {}
    out = {}
    for c in cables:
        if members[c.trench] == 1:
            out[c.route_id] = c.route_id
            continue
        shared.setdefault(c.trench, f"TR-{len(shared) + 1:04d}")
        out[c.route_id] = shared[c.trench]
    return out
