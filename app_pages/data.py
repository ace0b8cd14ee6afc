"""The app's library calls, cached per store and store version (`app_pages.serve.warm` fills these caches
ahead of the first visitor).

Every function takes the store location and its version (`store_version`), so the caches follow the
store: a changed GeoPackage file, or a PostGIS store whose history grew, gets fresh numbers.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from app_pages import figures
from app_pages.criticality import degraded_by_site
from app_pages.logic import card_figures, overview_cards, table_html
from coverage.expansion import expansion_plan, plan_totals
from coverage.kpis import district_kpis
from coverage.layers import geopackage_bytes, planning_layers, trench_cut_layer
from coverage.plan_variants import Comparison, compare, standard_scenarios
from coverage.ring_closure import RingPlan, ring_closure_plan, ring_closures
from coverage.status import site_status
from coverage.trend import inventory_at_year_end, kpis_by_year
from inventory.display import path_table, point_table, polygon_table
from inventory.report import validation_report
from inventory.schema import LAYERS
from inventory.settings import ENV_DB, is_postgres_url, store_location
from inventory.stores import StoreError, open_store
from inventory.summary import inventory_summary
from topology import build_network, reachability
from topology.analysis import analyse
from topology.diverse import diverse_paths
from topology.layers import diverse_path_layers, what_if_layers
from topology.whatif import Failure, what_if

ENV_BASEMAP = "GELSENNET_BASEMAP"  # basemap tiles for the interactive maps (maps.basemap_style)


class NoInventory(StoreError):
    """The store opens but holds no inventory layers."""

    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


def app_secrets() -> dict:
    """The app's Streamlit secrets (.streamlit/secrets.toml) as a dict; empty without a secrets file."""
    try:
        return {key: st.secrets[key] for key in st.secrets}
    except StreamlitSecretNotFoundError:
        return {}


def configured_location() -> str:
    """The store the app shows: $GELSENNET_DB, else `db` in the app's Streamlit secrets
    (`db = "postgresql://viewer@host/db"` in .streamlit/secrets.toml), else the embedded sample."""
    if os.environ.get(ENV_DB):
        return store_location(None)
    return store_location(app_secrets().get("db"))


def configured_basemap() -> str | None:
    """The basemap setting for interactive maps: $GELSENNET_BASEMAP, else `basemap` in the app's secrets,
    else none (see `maps.basemap_style`)."""
    return os.environ.get(ENV_BASEMAP) or app_secrets().get("basemap")


@st.cache_resource(show_spinner=False)
def _postgis(location: str):
    """One store (and connection pool) per PostGIS URL, kept for the version checks."""
    return open_store(location)


def store_version(location: str) -> int:
    """Changes when the store's data changes, so the caches follow it: a GeoPackage's modification
    time together with its write-ahead log's (a file in WAL mode, as QGIS leaves it, takes commits in
    `<file>-wal` until a checkpoint), a PostGIS store's newest history id (0 where it keeps no history
    or cannot be reached)."""
    if is_postgres_url(location):
        return _postgis(location).data_version() or 0
    try:
        main = Path(location).stat()
    except OSError:
        return 0
    try:
        wal = Path(f"{location}-wal").stat()
    except OSError:
        return main.st_mtime_ns
    return hash((main.st_mtime_ns, wal.st_mtime_ns, wal.st_size)) & (2**63 - 1)


@st.cache_data(show_spinner=False)
def load(location: str, version: int) -> dict:
    store = open_store(location)
    try:
        if not store.exists():
            raise NoInventory(location)
        return store.read_all()
    finally:
        store.close()


@st.cache_resource(show_spinner=False)
def network_of(location: str, version: int):
    frames = load(location, version)
    return build_network(frames["routes"], frames["nodes"], frames["sites"])


@st.cache_resource(show_spinner=False)
def analysis_of(location: str, version: int):
    return analyse(network_of(location, version))


@st.cache_resource(show_spinner=False)
def criticality_of(location: str, version: int):
    """The criticality table with the sites each element's loss leaves on one path
    (`Analysis.criticality_with_degraded`): the Netz page's trench table and map."""
    return analysis_of(location, version).criticality_with_degraded()


@st.cache_resource(show_spinner=False)
def degraded_by(location: str, version: int) -> dict[str, dict[str, list[str]]]:
    """Site id → 'trench' / 'node' → the elements whose loss alone leaves it on one path
    (`criticality.degraded_by_site`): the school card's places."""
    return degraded_by_site(criticality_of(location, version))


@st.cache_resource(show_spinner=False, max_entries=32)
def what_if_of(location: str, version: int, segments: tuple[str, ...] = (), trenches: tuple[str, ...] = (),
               site: tuple[float, float, float] | None = None):
    """What failed `segments`, `trenches` and a construction `site` (x, y, radius in m, EPSG:25832) do
    (`topology.whatif`), kept per choice: the Netz page's table and map share it."""
    area = Failure.around(*site).area if site is not None else None
    return what_if(network_of(location, version), Failure(segments=list(segments), trenches=list(trenches), area=area))


@st.cache_data(show_spinner=False, max_entries=32)
def what_if_gpkg(location: str, version: int, segments: tuple[str, ...] = (), trenches: tuple[str, ...] = (),
                 site: tuple[float, float, float] | None = None) -> bytes:
    """A what-if (`what_if_of`, same arguments) as one GeoPackage: failed routes and nodes, every site with its
    state, the construction site's area (`topology.layers.what_if_layers`)."""
    outcome = what_if_of(location, version, segments, trenches, site)
    failure = Failure(area=Failure.around(*site).area) if site is not None else None
    return geopackage_bytes(what_if_layers(network_of(location, version), outcome, load(location, version)["sites"],
                                           failure))


@st.cache_data(show_spinner=False)
def pair_gpkg(location: str, version: int, site_id: str) -> bytes:
    """A site's diverse paths (`pair_of`) as one GeoPackage: the path lines and the shared trenches."""
    return geopackage_bytes(diverse_path_layers(network_of(location, version), pair_of(location, version, site_id)))


@st.cache_resource(show_spinner=False)
def ring_plan(location: str, version: int, kinds: tuple[str, ...] = ()) -> RingPlan:
    """The cheapest set of ring closures that leaves no single-homed site of `kinds` (all kinds when empty),
    verified by re-analysis (`coverage.ring_closure.ring_closure_plan`)."""
    return ring_closure_plan(network_of(location, version), kinds=kinds)


@st.cache_resource(show_spinner=False)
def variants_of(location: str, version: int) -> Comparison:
    """Today's network beside the planned routes, the ring closures (`ring_plan`) and both
    (`coverage.plan_variants.compare` of `standard_scenarios`)."""
    return compare(load(location, version), standard_scenarios(), ring=ring_plan(location, version))


@st.cache_data(show_spinner=False)
def variants_gpkg(location: str, version: int) -> bytes:
    """The plan variants (`variants_of`) as one GeoPackage: the scenarios table, per scenario its new routes
    and every site with its state before and after (`Comparison.layers`)."""
    return geopackage_bytes(variants_of(location, version).layers(load(location, version)["sites"]))


@st.cache_data(show_spinner=False)
def statuses(location: str, version: int) -> pd.DataFrame:
    frames = load(location, version)
    return site_status(frames["sites"], frames["routes"])


@st.cache_data(show_spinner=False)
def kpis(location: str, version: int) -> pd.DataFrame:
    return district_kpis(load(location, version), redundancy=analysis_of(location, version).sites)


@st.cache_data(show_spinner=False)
def trend(location: str, version: int) -> pd.DataFrame:
    return kpis_by_year(load(location, version))


@st.cache_data(show_spinner=False)
def plan(location: str, version: int) -> pd.DataFrame:
    return expansion_plan(load(location, version))


@st.cache_data(show_spinner=False)
def rings(location: str, version: int) -> pd.DataFrame:
    return ring_closures(network_of(location, version))


@st.cache_data(show_spinner=False)
def network_gpkg(location: str, version: int) -> bytes:
    """The Netz page's results as one GeoPackage for QGIS: what the loss of each route's trench does (cut off,
    redundancy lost; styled as the criticality map), the expansion plan and the ring closures
    (`coverage.layers`, as `gelsennet plan --export` writes them)."""
    frames = load(location, version)
    layers = {"trench_cuts": trench_cut_layer(frames["routes"], criticality_of(location, version)),
              **planning_layers(frames, plan(location, version), rings(location, version))}
    return geopackage_bytes(layers)


@st.cache_data(show_spinner=False)
def single_paths(location: str, version: int):
    return reachability(network_of(location, version))


@st.cache_data(show_spinner=False)
def pair_of(location: str, version: int, site_id: str):
    return diverse_paths(network_of(location, version), site_id)


@st.cache_data(show_spinner=False)
def year_end_figures(location: str, version: int, year: int) -> dict[str, float]:
    """The Überblick cards' figures (`logic.card_figures`) for the inventory as its dates say it stood at the
    end of `year` (`coverage.trend.inventory_at_year_end`), by the same library calls as today's, and `year`."""
    frames = inventory_at_year_end(load(location, version), year)
    if len(frames["routes"]):
        result = analyse(build_network(frames["routes"], frames["nodes"], frames["sites"]))
        redundancy, summary = result.sites, result.summary()
    else:  # no route yet: no site was reachable, so none was single-homed
        redundancy, summary = None, {"sites_single_homed": 0}
    figures = card_figures(district_kpis(frames, redundancy=redundancy), inventory_summary(frames), summary)
    return {**figures, "year": year}


def ring_set_of(location: str, version: int) -> dict:
    """The cheapest set of ring closures that leaves no school single-homed, verified by re-analysis
    (`ring_plan` of the schools): new_route_m (m), cost_low_eur, cost_high_eur (€, the range of
    construction methods), remaining (schools still single-homed once every chosen link is in, by
    re-analysis: no short link found for them) and single_homed (the schools single-homed today)."""
    found = ring_plan(location, version, ("school",))
    totals = found.totals()
    return {"new_route_m": totals["new_route_m"], "cost_low_eur": totals["cost_low_eur"],
            "cost_high_eur": totals["cost_high_eur"], "remaining": list(found.remaining),
            "single_homed": list(found.single_homed)}


def cards(location: str, version: int, lang: str, today: dt.date | None = None) -> list[dict[str, str]]:
    """The Überblick page's four KPI cards (`logic.overview_cards`), each with its change since the end of
    last year (`year_end_figures`, the year before `today`) and, on the route-km card, the ring closures
    (`ring_set_of`)."""
    return _cards(location, version, lang, (today or dt.date.today()).year - 1)


@st.cache_data(show_spinner=False)
def _cards(location: str, version: int, lang: str, since_year: int) -> list[dict[str, str]]:
    totals = plan_totals(plan(location, version))
    before = year_end_figures(location, version, since_year)
    return overview_cards(kpis(location, version), inventory_summary(load(location, version)),
                          analysis_of(location, version).summary(), totals, lang, before=before,
                          ring_set=ring_set_of(location, version))


DISTRICT_VIEWS: dict[str, tuple[str, ...]] = {
    "summary": ("name", "schools", "schools_gigabit", "share_schools_gigabit", "share_pupils_gigabit",
                "business_parks_gigabit", "business_parks", "route_km", "sites_single_homed",
                "schools_two_trench_cuts", "schools_to_target"),
    "schools": ("name", "schools", "schools_gigabit", "schools_connected", "schools_planned", "schools_passed",
                "schools_near", "schools_gap", "pupils", "pupils_gigabit", "share_pupils_gigabit"),
    "parks_routes": ("name", "area_km2", "business_parks", "business_parks_gigabit", "business_parks_to_target",
                     "park_area_m2", "park_area_covered_m2", "share_park_area_covered", "route_km",
                     "route_km_per_km2"),
}
"""The district table's views: a few columns each, so a table fits the page's column; together they show
every KPI of `coverage.kpis.district_kpis` but the ids (district_id, level, parent_id). The CSV has them all."""


@st.cache_data(show_spinner=False)
def district_table(location: str, version: int, level: str, lang: str, view: str = "summary") -> str:
    """The district KPIs of the city and one `level`, the columns of one of `DISTRICT_VIEWS`, as an HTML table
    (`logic.table_html`)."""
    table = kpis(location, version)
    return table_html(table.loc[table["level"].isin(["city", level]), list(DISTRICT_VIEWS[view])], lang)


@st.cache_data(show_spinner=False)
def trend_svg(location: str, version: int, lang: str) -> str:
    return figures.trend_svg(trend(location, version), lang)  # with the configured target


@st.cache_data(show_spinner=False)
def report(location: str, version: int) -> dict:
    store = open_store(location)
    try:
        return validation_report(store).to_dict()
    finally:
        store.close()


# What the maps need of each layer (tooltips, colours): less to send to the browser than every field.
MAP_COLUMNS = {
    "routes": ("route_id", "trench_id", "status", "fibre_count", "fibres_used", "method"),
    "sites": ("site_id", "name", "kind", "connection", "pupils"),
    "nodes": ("node_id", "name", "kind", "status"),
    "districts": ("district_id", "name"),
    "site_areas": ("site_id",),
}


@st.cache_data(show_spinner=False)
def map_table(location: str, version: int, layer: str, level: str | None = None) -> pd.DataFrame:
    """A layer as a map-ready table (lon/lat, paths or polygons) with the columns the maps use; districts
    of one `level` if given."""
    frame = load(location, version)[layer]
    if level is not None:
        frame = frame[frame["level"] == level]
    frame = frame[[*MAP_COLUMNS[layer], "geometry"]]
    if layer in ("districts", "site_areas"):
        table = polygon_table(frame)
    else:
        table = path_table(frame) if layer == "routes" else point_table(frame)
    label = table[LAYERS[layer].key].astype(str)  # the tooltip: id, and the name where there is one
    if "name" in table.columns:
        label = label + table["name"].map(lambda n: f" – {n}" if n else "")
    return table.assign(label=label)
