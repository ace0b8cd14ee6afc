"""Every map the app makes, drawn as its picture on the sample: each legend colour whose category the map's
data holds is in the PNG's pixels exactly; every picture shows the city context; proposals are lines;
tooltips give their numbers with units.

The oracle for "the category is present" is the chart's own rows (the colours it asks deck.gl to draw), read
independently of how the picture is made; the pixels are the decoded PNG.
"""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import geopandas as gpd
import numpy as np
import pydeck as pdk
import pytest
import shapely
from PIL import Image
from pyproj import Transformer

from app_pages.logic import ROUTE_COLOURS, STATUS_COLOURS, school_options, share_colour
from app_pages.map_picture import map_png

SAMPLE = Path(__file__).parent.parent / "data" / "gelsenkirchen.gpkg"
HEIGHT_PX = 550


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """The sample as a store of its own, with its version."""
    from app_pages import data

    path = tmp_path_factory.mktemp("maps") / "sample.gpkg"
    shutil.copy(SAMPLE, path)
    location = str(path)
    return location, data.store_version(location)


def rgb_code(colour) -> int:
    r, g, b = (int(v) for v in list(colour)[:3])
    return (r << 16) | (g << 8) | b


def picture_codes(chart: pdk.Deck, height_px: int = HEIGHT_PX) -> set[int]:
    """The RGB colours of the picture's pixels."""
    rgb = np.asarray(Image.open(io.BytesIO(map_png(chart, height_px))).convert("RGB")).astype(np.int64)
    return set(np.unique((rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]).tolist())


def data_codes(chart: pdk.Deck) -> set[int]:
    """The RGB of every colour the chart's rows ask to be drawn (any alpha)."""
    codes = set()
    for layer in chart.layers:
        rows = layer.data if isinstance(layer.data, list) else []
        if not rows:
            continue
        for name in ("get_color", "get_fill_color", "get_line_color"):
            spec = getattr(layer, name, None)
            if isinstance(spec, str) and spec.startswith("@@="):
                codes |= {rgb_code(row[spec[3:]]) for row in rows if row.get(spec[3:]) is not None}
            elif isinstance(spec, list | tuple):
                codes.add(rgb_code(spec))
    return codes


def whatif_choice(location: str, version: int):
    """The trench whose cut cuts off the most pupils with a second one that sends sites on a detour, and a
    construction site of 150 m on the first."""
    from app_pages import data

    network = data.network_of(location, version)
    cuts = data.analysis_of(location, version).criticality
    cuts = cuts[(cuts["element"] == "trench") & (cuts["n_sites"] > 0)].sort_values("pupils", ascending=False)
    first = cuts["element_id"].iloc[0]
    for second in sorted(set(network.edge_trench_id.tolist()) - {first})[:200]:
        states = set(data.what_if_of(location, version, (), (first, second), None).sites["state"])
        if {"isolated", "detour"} <= states:
            edge = np.flatnonzero(network.edge_trench_id == first)[0]
            middle = shapely.line_interpolate_point(network.edge_geometry[edge], 0.5, normalized=True)
            return (first, second), (float(middle.x), float(middle.y), 150.0)
    pytest.fail("no pair of trenches of the sample leaves sites both cut off and on a detour")


def every_map(location: str, version: int) -> dict[str, tuple[pdk.Deck, list, int]]:
    """name → (chart, legend, height) of every map the app makes; the Überblick legends as its page builds
    them (from the same colour tables)."""
    from app_pages import data, maps

    frames = data.load(location, version)
    status_legend = [(s, c) for s, c in STATUS_COLOURS.items()] + [(s, c) for s, c in ROUTE_COLOURS.items()]
    share_legend = [("low", share_colour(0.0)), ("high", share_colour(1.0)), ("none", share_colour(None))]
    charts = {"coverage": (maps.coverage_map(location, version, "de"), status_legend, maps.HEIGHT_PX),
              "share": (maps.share_map(location, version), share_legend, maps.SHARE_HEIGHT_PX)}
    for name, made in (("criticality", maps.criticality_map(location, version, "de")),
                       ("quality", maps.quality_map(location, version, "de")),
                       ("inventory", maps.inventory_map(location, version, maps.INVENTORY_MAP_DEFAULT, "de")),
                       ("inventory_all", maps.inventory_map(
                           location, version, ("districts", "site_areas", "routes", "nodes", "sites"), "de"))):
        assert made is not None, name
        charts[name] = (*made, maps.INVENTORY_HEIGHT_PX if name.startswith("inventory") else maps.HEIGHT_PX)
    trenches, site = whatif_choice(location, version)
    charts["whatif"] = (*maps.whatif_map(location, version, (), trenches, site, "de"), maps.HEIGHT_PX)
    if hasattr(maps, "planning_map"):
        charts["planning"] = (*maps.planning_map(location, version, "de"), maps.HEIGHT_PX)
    # one school of each kind of map: two diverse paths, one path, no path; and of each status
    statuses = data.statuses(location, version)["status"].astype(str)
    analysis = data.analysis_of(location, version).sites.set_index("site_id")
    chosen = {}
    for site_id in school_options(frames["sites"]):
        i = frames["sites"].index[frames["sites"]["site_id"] == site_id][0]
        row = analysis.loc[site_id]
        kind = "pair" if row["redundant"] else ("path" if row["reachable"] else "none")
        chosen.setdefault(kind, site_id)
        chosen.setdefault(statuses.loc[i], site_id)
    for key, site_id in chosen.items():
        charts[f"school {key} {site_id}"] = (*maps.school_map(location, version, site_id, "de"), maps.HEIGHT_PX)
    return charts


@pytest.fixture(scope="module")
def charts(store):
    return every_map(*store)


def test_every_legend_colour_the_data_holds_is_in_the_picture(charts):
    """On today's pictures (a 64-colour palette from the pixels) rare colours merged: the Überblick's planned
    sites, 'fibre passes by' and 'nearby' and planned routes, the criticality map's red, the what-if map's
    detours and its construction site."""
    missing = {}
    checked = 0
    for name, (chart, legend, height) in charts.items():
        pixels, drawn = picture_codes(chart, height), data_codes(chart)
        lost = [label for label, colour in legend if rgb_code(colour) in drawn and rgb_code(colour) not in pixels]
        checked += sum(rgb_code(colour) in drawn for _, colour in legend)
        if lost:
            missing[name] = lost
    assert not missing, missing
    assert checked >= 40  # the check has something to check: most legends' categories occur in the sample


def test_the_what_if_legend_tells_its_outcomes_apart(charts):
    _, legend, _ = charts["whatif"]
    colours = [rgb_code(c) for _, c in legend]
    assert len(colours) == len(set(colours)), legend
    assert {"Baustelle", "vom Netz getrennt", "auf einem Umweg erreichbar"} <= {label for label, _ in legend}


def test_every_picture_shows_the_city_and_its_districts(charts):
    """No map is a lone dot: the city outline (city-wide maps) or at least the district borders around a
    school (a school's map is framed on the school, its paths and its district) are drawn."""
    from app_pages.maps import CITY_OUTLINE_COLOUR, DISTRICT_BORDER_COLOUR

    for name, (chart, _, height) in charts.items():
        pixels = picture_codes(chart, height)
        assert rgb_code(DISTRICT_BORDER_COLOUR) in pixels, name
        if not name.startswith("school"):
            assert rgb_code(CITY_OUTLINE_COLOUR) in pixels, name


def test_the_context_is_the_districts_outline_which_is_the_real_city_boundary(store):
    """The sample's districts tile the DVG2 boundary (data/README.md): the city outline drawn is that boundary."""
    from app_pages.maps import context_lines

    city, borders, level = context_lines(*store)
    boundary = gpd.read_file(SAMPLE.parent / "source" / "city_boundary_dvg2_epsg25832.geojson").to_crs("EPSG:4326")
    drawn = shapely.MultiLineString([np.asarray(p) for p in city["path"]])
    real = shapely.boundary(boundary.geometry.iloc[0])
    assert shapely.hausdorff_distance(drawn, real) < 1e-5  # degrees: about a metre, the display rounding
    assert level == "stadtteil" and borders["district_id"].nunique() == 18


def test_a_school_map_frames_the_school_in_its_district(store, charts):
    """Framed on the school and its district, not on the whole city: the school is not a lone dot in it."""
    from app_pages.map_picture import framing

    for name, (chart, _, height) in charts.items():
        if not name.startswith("school"):
            continue
        _, _, zoom = framing(chart, height, height)
        assert zoom > framing(charts["coverage"][0], height, height)[2] + 0.5, name


def lonlat_to_store(path) -> shapely.LineString:
    xy = Transformer.from_crs("EPSG:4326", "EPSG:25832", always_xy=True).transform(*np.asarray(path).T)
    return shapely.LineString(np.column_stack(xy))


def test_proposed_routes_are_lines_from_end_to_end(store, charts):
    """Ring closures join two network vertices; an expansion plan's new route runs from its site to the
    nearest in-service fibre. Oracle: the rings and the plan, and the routes read from the GeoPackage."""
    from app_pages import data
    from app_pages.maps import NEW_ROUTE_COLOUR, RING_CLOSURE_COLOUR

    location, version = store
    chart, _, _ = charts["planning"]
    lines = [(tuple(row["colour"]), lonlat_to_store(row["path"])) for layer in chart.layers
             if layer.type == "PathLayer" for row in layer.data if row.get("colour") is not None]
    rings = [line for colour, line in lines if list(colour) == RING_CLOSURE_COLOUR]
    new = [line for colour, line in lines if list(colour) == NEW_ROUTE_COLOUR]
    expected_rings = data.rings(location, version)
    assert len(rings) == len(expected_rings) > 0
    for line, expected in zip(rings, expected_rings.geometry, strict=True):
        assert shapely.hausdorff_distance(line, expected) < 1.0  # m: the display's rounding of lon/lat
    plan = data.plan(location, version)
    todo = plan[~plan["fibre_at_door"]]
    assert len(new) == len(todo) > 0
    routes = gpd.read_file(SAMPLE, layer="routes")
    in_service = shapely.union_all(routes.loc[routes["status"] == "in_service"].geometry.values)
    sites = gpd.read_file(SAMPLE, layer="sites").set_index("site_id").geometry
    for line, (_, row) in zip(new, todo.iterrows(), strict=True):
        start, end = shapely.get_point(line, 0), shapely.get_point(line, -1)
        assert start.distance(sites.loc[row["site_id"]]) < 1.0
        assert end.distance(in_service) < 1.0
        assert line.length == pytest.approx(row["distance_to_fibre_m"], abs=1.5)  # the plan's straight line


GERMAN_NUMBER = r"\d{1,3}(?:\.\d{3})*(?:,\d+)?"


def tooltips(chart: pdk.Deck) -> list[str]:
    template = chart._tooltip["text"]
    fields = re.findall(r"{(\w+)}", template)
    return [re.sub(r"{(\w+)}", lambda m, row=row: str(row.get(m.group(1), "")), template)
            for layer in chart.layers if getattr(layer, "pickable", False) and isinstance(layer.data, list)
            for row in layer.data if all(f in row for f in fields)]


def number(text: str) -> float:
    return float(text.replace(".", "").replace(",", "."))


def test_route_tooltips_give_the_length_in_km(store, charts):
    """Oracle: each route's length read from the GeoPackage."""
    routes = gpd.read_file(SAMPLE, layer="routes").set_index("route_id").geometry.length
    for name in ("coverage", "criticality", "inventory"):
        texts = {re.split(r":| / | – | · ", x)[0]: x for x in tooltips(charts[name][0])}
        assert set(routes.index) <= set(texts), name
        for route_id, length_m in routes.items():
            km = re.search(rf"({GERMAN_NUMBER}) km$", texts[route_id])
            assert km, texts[route_id]
            assert number(km.group(1)) == pytest.approx(length_m / 1000, abs=0.006), texts[route_id]


def test_every_tooltip_number_has_its_unit(charts):
    """Lengths in m or km, money in €, bandwidth in Mbit/s, shares in %, people named: a bare measure is not
    shown. Ids and names hold digits of their own (R-00333, 193800, '2. Gesamtschule'), so the check is on
    what follows a ':' or '·', where the maps put their measures."""
    unit = r"(?: ?(?:km|m|€|Mbit/s|%|ha|Schüler|Schulen|Standort\(e\))(?!\w)|–| von )"
    seen = 0
    for name, (chart, _, _) in charts.items():
        if name == "quality":
            continue  # its tooltip is the validator's finding as the report words it (with its units)
        for text in tooltips(chart):
            for part in re.split(r"[:·]", text)[1:]:
                for found in re.finditer(rf"(?<![\w-])({GERMAN_NUMBER})(?![\w-])", part):
                    seen += 1
                    assert re.match(unit, part[found.end():]), (name, text)
    assert seen > 500


def picture_rgb(chart: pdk.Deck, height_px: int = HEIGHT_PX) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(map_png(chart, height_px))).convert("RGB")).astype(np.int64)


def test_a_school_off_the_network_sees_the_fibre_around_it_and_no_path(store):
    """A school that is not connected (or only planned) was a lone dot: its map drew no route at all, and its
    proposed new route lay under the school's dot. Its map shows the routes in service around it, as close to the school as they
    are (oracle: the nearest in-service route read from the GeoPackage), its new route, and no path to a POP.
    """
    from app_pages import data, maps
    from app_pages.map_picture import EARTH_CIRCUMFERENCE_M, WORLD_PX, fitted_width, framing, world_px

    location, version = store
    frames = data.load(location, version)
    off = data.analysis_of(location, version).sites.set_index("site_id")["reachable"]
    schools = [s for s in school_options(frames["sites"]) if not off.loc[s]]
    assert {"193800", "191838"} <= set(schools)
    routes = gpd.read_file(SAMPLE, layer="routes")
    in_service = shapely.union_all(routes.loc[routes["status"] == "in_service"].geometry.values)
    sites = gpd.read_file(SAMPLE, layer="sites").astype({"site_id": str}).set_index("site_id").geometry
    to_lonlat = Transformer.from_crs("EPSG:25832", "EPSG:4326", always_xy=True)
    plan = data.plan(location, version).astype({"site_id": str}).set_index("site_id")
    path_colours = {rgb_code(c) for c in (*maps.PATH_COLOURS, maps.SINGLE_PATH_COLOUR)}
    for site_id in schools:
        chart, legend = maps.school_map(location, version, site_id, "de")
        rgb = picture_rgb(chart)
        codes = (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]
        fibre = codes == rgb_code(ROUTE_COLOURS["in_service"])
        assert fibre.sum() > 500, f"school {site_id}: the fibre around it is not drawn"  # a lone dot has none
        assert not path_colours & set(np.unique(codes).tolist()), f"school {site_id}: a path is drawn"
        assert not path_colours & {rgb_code(c) for _, c in legend}, legend
        # the fibre is drawn where it is: an in-service pixel as near the school as the nearest route
        width = fitted_width(chart, HEIGHT_PX)
        lon0, lat0, zoom = framing(chart, width, HEIGHT_PX)
        (x, y), (cx, cy) = world_px(*to_lonlat.transform(sites.loc[site_id].x, sites.loc[site_id].y), zoom), \
            world_px(lon0, lat0, zoom)
        column, row = float(x - cx + width / 2), float(y - cy + HEIGHT_PX / 2)
        px_per_m = WORLD_PX * 2.0**zoom / (EARTH_CIRCUMFERENCE_M * np.cos(np.radians(lat0)))
        rows, columns = np.nonzero(fibre)
        nearest_px = float(np.min(np.hypot(rows - row, columns - column)))
        slack = maps.FIBRE_END_PX + 3  # the new route's end dot lies on the nearest fibre; rounding
        assert nearest_px <= sites.loc[site_id].distance(in_service) * px_per_m + slack, site_id
        if site_id in plan.index and not plan.loc[site_id, "fibre_at_door"]:
            new = codes == rgb_code(maps.NEW_ROUTE_COLOUR)
            assert new.sum() >= 20, f"school {site_id}: its new route is hidden"


def test_a_school_map_tells_its_legend_entries_apart(charts):
    """The routes around a school are drawn in the Überblick's route colours (whose orange 'planned' a school
    with a planned connection shares, as on the Überblick); its paths, its POP and its new route each have a
    colour no other entry has."""
    from app_pages.maps import NEW_ROUTE_COLOUR, PATH_COLOURS, POP_COLOUR, SINGLE_PATH_COLOUR

    own = {rgb_code(c) for c in (*PATH_COLOURS, SINGLE_PATH_COLOUR, POP_COLOUR, NEW_ROUTE_COLOUR)}
    seen = set()
    for name, (_, legend, _) in charts.items():
        if name.startswith("school"):
            colours = [rgb_code(c) for _, c in legend]
            for code in own & set(colours):
                assert colours.count(code) == 1, (name, legend)
                seen.add(code)
    assert len(seen) >= 4  # paths, a POP and a new route occur on the sample's school maps


def test_the_criticality_map_tells_cut_off_from_redundancy_lost(store, charts):
    """Issue 16.3: each route is coloured by what its trench's loss does, as the library's criticality table
    says (oracle: `Analysis.criticality_with_degraded`): red shades where it cuts sites off, amber where it
    only leaves sites on one path, grey where neither. The two meanings have their own colours, which are the
    what-if map's ('vom Netz getrennt' red, amber for 'still connected, but hit'), and both are in the picture."""
    from app_pages import data
    from app_pages.criticality import CUT_OFF_COLOURS, DEGRADED_COLOUR, NO_EFFECT_COLOUR
    from app_pages.maps import CRITICALITY_LAYER, WHATIF_COLOURS

    location, version = store
    chart, legend, height = charts["criticality"]
    table = data.analysis_of(location, version).criticality_with_degraded()
    trenches = table[table["element"] == "trench"].set_index("element_id")
    layer = next(layer for layer in chart.layers if getattr(layer, "id", None) == CRITICALITY_LAYER)
    counts = {"cut": 0, "degraded": 0, "none": 0}
    for row in layer.data:
        colour = list(row["colour"])
        effect = trenches.loc[row["trench_id"]] if row["trench_id"] in trenches.index else None
        if effect is not None and effect["n_sites"] > 0:
            assert colour in CUT_OFF_COLOURS.values(), row
            counts["cut"] += 1
        elif effect is not None and effect["n_degraded_sites"] > 0:
            assert colour == DEGRADED_COLOUR, row
            counts["degraded"] += 1
        else:
            assert colour == NO_EFFECT_COLOUR, row
            counts["none"] += 1
    assert min(counts.values()) >= 10, counts  # the sample holds every class
    assert CUT_OFF_COLOURS["cut"] == WHATIF_COLOURS["isolated"] and WHATIF_COLOURS["detour"] == DEGRADED_COLOUR
    labels = dict(legend)
    assert labels["Redundanz verloren: Standorte am Netz, aber nur noch über einen Weg"] == DEGRADED_COLOUR
    assert sum(label.startswith("vom Netz getrennt") for label in labels) == 2
    colours = [rgb_code(c) for _, c in legend]
    assert len(colours) == len(set(colours)), legend
    pixels = picture_codes(chart, height)
    assert {rgb_code(DEGRADED_COLOUR), rgb_code(CUT_OFF_COLOURS["cut"]), rgb_code(CUT_OFF_COLOURS["cut_most"])} \
        <= pixels


def test_the_qgis_style_of_the_netz_download_is_the_criticality_maps_legend(store, charts, tmp_path):
    """The GeoPackage the Netz page offers draws `trench_cuts` in QGIS as the page's criticality map: the same
    (label, colour) pairs as the map legend's classes, in its order, and each route in the class whose colour the
    map gives it (the map's rows are the oracle, matched by route)."""
    import sqlite3
    import xml.etree.ElementTree as ET

    import pyogrio

    from app_pages import data
    from app_pages.maps import CRITICALITY_LAYER
    from inventory.palette import EFFECT_COLOURS
    from inventory.qgis_styles import STYLE_NAME

    location, version = store
    chart, legend, _ = charts["criticality"]
    path = tmp_path / "netz.gpkg"
    path.write_bytes(data.network_gpkg(location, version))
    with sqlite3.connect(path) as connection:
        (document,) = connection.execute("SELECT styleQML FROM layer_styles WHERE f_table_name = 'trench_cuts' "
                                         "AND styleName = ?", (STYLE_NAME,)).fetchone()
    renderer = ET.fromstring(document.split("\n", 1)[1]).find("renderer-v2")
    assert (renderer.get("type"), renderer.get("attr")) == ("categorizedSymbol", "effect")
    symbols = {s.get("name"): s for s in renderer.findall("symbols/symbol")}
    styled = []
    for category in renderer.findall("categories/category"):
        options = {o.get("name"): o.get("value") for o in symbols[category.get("symbol")].findall("layer/Option/Option")}
        styled.append((category.get("label"), [int(v) for v in options["line_color"].split(",")[:3]]))
    classes = [(label, list(colour)[:3]) for label, colour in legend if list(colour) in EFFECT_COLOURS.values()]
    assert len(classes) == 4 and styled == classes  # the legend's other entries: the city's outline, districts
    layer = pyogrio.read_dataframe(path, layer="trench_cuts", read_geometry=False).set_index("route_id")
    drawn = next(layer for layer in chart.layers if getattr(layer, "id", None) == CRITICALITY_LAYER)
    for row in drawn.data:
        assert list(row["colour"]) == EFFECT_COLOURS[layer.loc[row["route_id"], "effect"]], row
