"""Plan variants: named scenarios compared side by side with today's network.

A scenario is today's in-service network plus any mix of three parts:

- ``planned``: the planned routes of the store (`topology.network`'s planned scenario);
- ``ring``: the cheapest verified set of ring closures for today's network
  (`coverage.ring_closure.ring_closure_plan`), each link in a trench of its own;
- a candidate route file: routes read and checked by the importer's own reader, mapping and validation
  (`read_candidates`), so a bad file gets the same messages as `gelsennet import`.

Each scenario network is built by `topology.network.build_network` (candidate lines split at nodes and at
other routes' ends as every route is), and every site's state is worked out on it as on today's: reachable,
redundant (no single segment, node or trench cuts it off; `topology.redundancy.site_redundancy`) and
`trench_cuts_to_isolate` (0, 1, 2, or 3 meaning three or more; `topology.trench_cuts`). In a scenario with
new routes (planned or candidates) the sites whose connection is planned join the network, as in the planned
scenario; ring closures alone connect no new site.

Against today, per scenario (`Variant.summary`):

- *newly connected*: reachable in the scenario, not today;
- *made redundant*: reachable today and single-homed, redundant in the scenario;
- *trench cuts up*: reachable today, and more trench cuts needed to isolate it in the scenario;
- *worse*: reachable today and less well off in the scenario (cut off, lost its redundancy, or fewer trench
  cuts): possible when a site without a handover node attaches to a nearer, new dead end;
- *km of new route* as a range: drawn routes by their length; a ring link from its straight line (low) to the
  straight line times the detour factor (high, the length it is priced at);
- *€* as a range from the cost table (`coverage.config.CostTable`, `coverage/defaults.toml`): a drawn route
  with a construction method at that method's price (`CostTable.laid_eur`), one without at the default method
  (point) and over the range methods (low, high); ring links as `ring_closures` prices them. Building
  connections of newly connected sites are a separate figure, not in the route cost;
- *resilience gained per 100 k€*: (sites made redundant + sites whose trench cuts rise) per 100,000 € of route
  cost, at both ends of the cost range (high end of the cost: low figure). A site can count in both terms:
  each is a separate gain (no single failure cuts it off; more construction sites needed to cut it off).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from coverage.config import CoverageConfig, load_config
from coverage.errors import ScenarioError
from coverage.in_service import in_service_mask
from coverage.ring_closure import RingPlan, ring_closure_plan, with_link
from inventory.formats.base import ReadOptions
from inventory.mapping import ColumnMapping
from inventory.problems import DataError, Problem
from topology.analysis import site_redundancy_of
from topology.network import DEFAULT_MAX_DROP_M, DEFAULT_SNAP_TOLERANCE_M, Network, build_network
from topology.redundancy import vertex_label
from topology.trench_cuts import trench_cuts

PARTS = ("planned", "ring")
"""The scenario parts named by a word; any other part is a candidate route file."""
NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,39}$")
"""A scenario name: a letter, then letters, digits, '_' or '-' (it names GeoPackage layers)."""
PER_EUR = 100_000
"""Resilience is counted per this many euros (100 k€)."""
STATE_COLUMNS = ["reachable", "redundant", "trench_cuts_to_isolate"]


@dataclass
class Scenario:
    """A named scenario: today's network plus the planned routes, the ring closures and candidate routes."""

    name: str
    planned: bool = False
    ring: bool = False
    candidates: list[gpd.GeoDataFrame] = field(default_factory=list)
    """Candidate route frames (`read_candidates`), in the storage CRS."""
    sources: list[str] = field(default_factory=list)
    """The parts as given: 'planned', 'ring', file paths."""


def parse_scenario(text: str) -> tuple[str, list[str]]:
    """Split `NAME=PART+PART...` or a bare part ('planned', 'ring') into (name, parts).

    A part is 'planned', 'ring' or the path of a candidate route file ('candidates=FILE' names the scenario
    'candidates').

    Parameters
    ----------
    text : str
        The scenario as given on the command line, e.g. 'mix=planned+ring+new.gpkg' or 'planned'.

    Returns
    -------
    name : str
        The scenario's name (`NAME`: a letter, then letters, digits, '_' or '-', at most 40).
    parts : list of str
        Its parts in the order given: 'planned', 'ring' or file paths.

    Raises
    ------
    coverage.errors.ScenarioError
        For a bad name, the name 'today', an empty part, a part that is neither word nor an existing file, or
        a part named twice.

    Examples
    --------
    >>> parse_scenario("mix=planned+ring")
    ('mix', ['planned', 'ring'])
    >>> parse_scenario("ring")
    ('ring', ['ring'])
    """
    name, sep, value = text.partition("=")
    if not sep:
        name, value = text, text
    name = name.strip()
    if not NAME.match(name):
        raise ScenarioError(f"scenario {text!r}: the name {name!r} is not usable; expected a letter, then letters, "
                            "digits, '_' or '-' (at most 40), e.g. mix=planned+ring")
    if name == "today":
        raise ScenarioError(f"scenario {text!r}: 'today' is the network compared with; give the scenario another name")
    parts = [p.strip() for p in value.split("+")]
    for part in parts:
        if part in PARTS:
            continue
        if not part or not Path(part).is_file():
            raise ScenarioError(f"scenario {text!r}: part {part!r} is neither {' nor '.join(PARTS)} nor an existing "
                                "file of candidate routes; fix: correct the word or the file path")
    if len(set(parts)) != len(parts):
        raise ScenarioError(f"scenario {text!r}: a part is named twice; name each part once")
    return name, parts


def read_candidates(path: str | Path, *, mapping: ColumnMapping | None = None, options: ReadOptions | None = None,
                    known_route_ids: set[str] = frozenset()) -> gpd.GeoDataFrame:
    """Read the candidate routes of a file, mapped and checked as `gelsennet import` reads routes.

    The file goes through `inventory.import_prepare.prepare_file`: any format and CRS the importer takes, with the same
    messages.

    A status column is not needed: every candidate is a route to build (status 'planned'). A route_id that the
    store holds already (`known_route_ids`) is an error: a candidate is a new route.

    Parameters
    ----------
    path : str or pathlib.Path
        The candidate route file (any format of `inventory.formats.FORMATS`).
    mapping : ColumnMapping, optional
        How the file's columns become the routes' fields (default: names as they are).
    options : ReadOptions, optional
        CRS (for a file that declares none), encoding, delimiter and the like.
    known_route_ids : set of str
        The route ids the store holds already.

    Returns
    -------
    GeoDataFrame
        The routes layer's columns, one row per candidate route, in EPSG:25832.

    Raises
    ------
    DataError
        Every problem of the file at once (warnings ride along in `DataError.warnings`), when any is an error:
        including a known route_id or a file without rows.
    """
    from inventory.import_prepare import prepare_file

    prepared = prepare_file(path, "routes", mapping=mapping, options=options)
    problems = [p for p in prepared.problems if not (p.field == "status" and p.rule in ("column_missing", "required"))]
    frame = prepared.frame
    if len(prepared.labels) == len(frame):  # every problem at once: the store's ids beside the file's own
        for label, route_id in zip(prepared.labels, frame["route_id"].tolist(), strict=True):
            if route_id in known_route_ids:
                problems.append(Problem("candidate_known", "routes", "a route_id the store does not hold yet",
                                        row=label, field="route_id", value=route_id, file=str(path),
                                        fix="give the candidate a new route_id (a candidate is a route to build)"))
    if not any(p.severity == "error" for p in problems) and not len(frame):
        problems.append(Problem("candidate_empty", "routes", "at least one candidate route", value="no rows",
                                file=str(path), fix="add the routes to compare, or leave the file out"))
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise DataError(problems, summary=f"{path}: {len(errors)} problem(s) in the candidate routes; nothing compared")
    return frame.assign(status="planned")


def site_states(network: Network) -> pd.DataFrame:
    """Work out every site's state on `network`: reachable, redundant and the trench cuts to isolate it.

    One cut index serves the site table and `trench_cuts` (`topology.analysis.site_redundancy_of`).

    Parameters
    ----------
    network : Network
        Today's network or a scenario's (`scenario_network`).

    Returns
    -------
    pandas.DataFrame
        One row per site of `network`, in its order: site_id, reachable, redundant (bool) and
        trench_cuts_to_isolate (int, 0-3; 3 means three or more).
    """
    first = site_redundancy_of(network)
    sites = first.sites
    cuts = trench_cuts(network, index=first.index, impact=first.criticality)
    return pd.DataFrame({"site_id": sites["site_id"].to_numpy(dtype=object),
                         "reachable": sites["reachable"].to_numpy(dtype=bool),
                         "redundant": sites["redundant"].to_numpy(dtype=bool),
                         "trench_cuts_to_isolate": cuts["trench_cuts_to_isolate"].to_numpy(dtype=np.int64)})


def scenario_network(frames: dict, scenario: Scenario, ring: RingPlan | None = None, *,
                     snap_tolerance_m: float = DEFAULT_SNAP_TOLERANCE_M,
                     max_drop_m: float = DEFAULT_MAX_DROP_M) -> Network:
    """Build the network of `scenario`, with the chosen ring links of `ring` added between their nodes.

    The routes are today's in-service routes, the store's planned routes if the scenario asks for them, and its
    candidate routes, built by `build_network`.

    Parameters
    ----------
    frames : dict of str to geopandas.GeoDataFrame
        The store's layers `routes`, `nodes` and `sites`, in EPSG:25832 (metres).
    scenario : Scenario
        The parts to add to today's network.
    ring : RingPlan, optional
        Today's ring closure plan (`coverage.ring_closure.ring_closure_plan`); its chosen links are added when
        the scenario has the part 'ring'.
    snap_tolerance_m, max_drop_m : float
        As for `build_network` (metres).

    Returns
    -------
    Network
        The scenario's network: a planned-scenario graph when it adds routes, else an in-service one; with the
        ring links, if any.

    Raises
    ------
    topology.errors.CRSMismatchError
        From `build_network`, when a layer is not in EPSG:25832.
    KeyError
        When a ring link's node is not a vertex of the scenario's network (a `ring` of another network).
    """
    routes = frames["routes"]
    if not scenario.planned:
        routes = routes[in_service_mask(routes)]
    if scenario.candidates:
        routes = pd.concat([routes, *(c[[*routes.columns]] for c in scenario.candidates)], ignore_index=True)
        routes = gpd.GeoDataFrame(routes, geometry="geometry", crs=frames["routes"].crs)
    builds = scenario.planned or bool(scenario.candidates)
    network = build_network(routes, frames["nodes"], frames["sites"], scenario="planned" if builds else "in_service",
                            snap_tolerance_m=snap_tolerance_m, max_drop_m=max_drop_m)
    if scenario.ring and ring is not None and len(ring.chosen):
        vertex_of = {vertex_label(network, v): v for v in range(network.n_vertices)}
        for row in ring.chosen.itertuples(index=False):
            network = with_link(network, vertex_of[row.from_node], vertex_of[row.to_node], link_id=row.link_id,
                                length_m=row.new_route_m)
    return network


def new_routes(frames: dict, scenario: Scenario, ring: RingPlan | None, config: CoverageConfig) -> gpd.GeoDataFrame:
    """Return the routes `scenario` adds to today's, with their lengths and costs.

    Parameters
    ----------
    frames : dict of str to geopandas.GeoDataFrame
        The store's layers; `routes` gives the planned routes, in EPSG:25832 (metres).
    scenario : Scenario
        The parts the scenario adds.
    ring : RingPlan or None
        Today's ring closure plan; its chosen links count when the scenario has the part 'ring'.
    config : CoverageConfig
        The cost table (`coverage.config.CostTable`).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per new route: route_id, part (planned, candidates, ring), method (None where unknown),
        length_low_m, length_m (m; they differ for ring links: the straight line, and that times the detour
        factor), cost_eur, cost_low_eur, cost_high_eur (€: a route with a known method at that method's price,
        else the default method and the range over the range methods), geometry (EPSG:25832).
    """
    cost = config.cost
    drawn = []
    if scenario.planned:
        drawn.append(frames["routes"][frames["routes"]["status"] == "planned"].assign(part="planned"))
    drawn += [c.assign(part="candidates") for c in scenario.candidates]
    rows = []
    for frame in drawn:
        for route_id, part, method, geometry in zip(frame["route_id"], frame["part"], frame["method"],
                                                    frame.geometry, strict=True):
            length = float(geometry.length)
            known = isinstance(method, str) and method in cost.eur_per_m
            low, high = (cost.laid_eur(length, method),) * 2 if known else cost.laid_range_eur(length)
            rows.append({"route_id": route_id, "part": part, "method": method if known else None,
                         "length_low_m": length, "length_m": length,
                         "cost_eur": cost.laid_eur(length, method if known else None), "cost_low_eur": low,
                         "cost_high_eur": high, "geometry": geometry})
    if scenario.ring and ring is not None:
        for row in ring.chosen.itertuples(index=False):
            rows.append({"route_id": row.link_id, "part": "ring", "method": None, "length_low_m": row.length_m,
                         "length_m": row.new_route_m, "cost_eur": row.cost_eur, "cost_low_eur": row.cost_low_eur,
                         "cost_high_eur": row.cost_high_eur, "geometry": row.geometry})
    columns = ["route_id", "part", "method", "length_low_m", "length_m", "cost_eur", "cost_low_eur", "cost_high_eur"]
    table = gpd.GeoDataFrame(pd.DataFrame(rows, columns=[*columns, "geometry"]), geometry="geometry",
                             crs=frames["routes"].crs)
    table.attrs["geometry_type"] = "LineString"
    return table


def compare_states(today: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Compare the site states of today and of a scenario: per site, the states before and after and the changes.

    The changes are defined in the module text.

    Parameters
    ----------
    today : pandas.DataFrame
        `site_states` of today's network.
    after : pandas.DataFrame
        `site_states` of the scenario's network, for the same sites (in any order).

    Returns
    -------
    pandas.DataFrame
        One row per site, in the order of `today`: site_id, reachable,
        redundant and trench_cuts_to_isolate each with the suffix `_before` and `_after`, and the bool
        columns newly_connected, made_redundant, trench_cuts_up and worse.
    """
    after = after.set_index("site_id").reindex(today["site_id"])
    table = today.rename(columns={c: f"{c}_before" for c in STATE_COLUMNS}).reset_index(drop=True)
    for column in STATE_COLUMNS:
        table[f"{column}_after"] = after[column].to_numpy()
    was, now = table["reachable_before"], table["reachable_after"]
    cuts_before, cuts_after = table["trench_cuts_to_isolate_before"], table["trench_cuts_to_isolate_after"]
    table["newly_connected"] = ~was & now
    table["made_redundant"] = was & now & ~table["redundant_before"] & table["redundant_after"]
    table["trench_cuts_up"] = was & now & (cuts_after > cuts_before)
    table["worse"] = was & (~now | (table["redundant_before"] & ~table["redundant_after"]) | (cuts_after < cuts_before))
    return table


@dataclass
class Variant:
    """One scenario compared with today."""

    name: str
    sources: list[str]
    sites: pd.DataFrame
    """One row per site: site_id, name, kind, pupils, the states before and after, the changes (`compare_states`)."""
    routes: gpd.GeoDataFrame
    """The new routes (`new_routes`)."""
    building_connection_eur: float
    """The building connections of all newly connected sites together (€): their count times the cost table's."""

    def summary(self) -> dict[str, object]:
        """Return the comparison's figures (see the module text): counts, site ids, km and € ranges, resilience."""
        sites = self.sites
        out: dict[str, object] = {"scenario": self.name, "parts": " + ".join(self.sources)}
        out["sites_reachable"] = int(sites["reachable_after"].sum())
        out["sites_redundant"] = int(sites["redundant_after"].sum())
        out["sites_single_homed"] = int((sites["reachable_after"] & ~sites["redundant_after"]).sum())
        for change in ("newly_connected", "made_redundant", "trench_cuts_up", "worse"):
            chosen = sites[sites[change]]
            out[f"sites_{change}"] = len(chosen)
            out[f"pupils_{change}"] = int(chosen["pupils"].sum())
            out[f"site_ids_{change}"] = chosen["site_id"].tolist()
        routes = self.routes
        out["new_routes"] = len(routes)
        out["new_route_km_low"] = round(float(routes["length_low_m"].sum()) / 1000, 3)
        out["new_route_km_high"] = round(float(routes["length_m"].sum()) / 1000, 3)
        for column in ("cost_eur", "cost_low_eur", "cost_high_eur"):
            out[column] = round(float(routes[column].sum()), 0)
        out["building_connection_eur"] = round(self.building_connection_eur, 0)
        gain = out["sites_made_redundant"] + out["sites_trench_cuts_up"]
        out["resilience_gain"] = gain
        out["resilience_per_100k_eur_low"] = gain / out["cost_high_eur"] * PER_EUR if out["cost_high_eur"] else None
        out["resilience_per_100k_eur_high"] = gain / out["cost_low_eur"] * PER_EUR if out["cost_low_eur"] else None
        return out


@dataclass
class Comparison:
    """Today's site states and every scenario compared with them (`compare`)."""

    today: pd.DataFrame
    """`site_states` of today's in-service network, with name, kind and pupils."""
    variants: list[Variant]
    ring: RingPlan | None = None

    def today_summary(self) -> dict[str, object]:
        """Today's counts: sites reachable, redundant, single-homed."""
        today = self.today
        return {"scenario": "today", "parts": "in service", "sites_reachable": int(today["reachable"].sum()),
                "sites_redundant": int(today["redundant"].sum()),
                "sites_single_homed": int((today["reachable"] & ~today["redundant"]).sum())}

    def table(self) -> pd.DataFrame:
        """One row for today, then one per scenario (`Variant.summary` without the id lists)."""
        rows = [self.today_summary(), *(v.summary() for v in self.variants)]
        frame = pd.DataFrame(rows)
        return frame.drop(columns=[c for c in frame.columns if c.startswith("site_ids_")])

    def layers(self, sites: gpd.GeoDataFrame) -> dict[str, pd.DataFrame]:
        """Return the comparison as GeoPackage layers for QGIS.

        `scenarios` holds the table (an attribute table); per scenario `<name>_new_routes` (lines) and
        `<name>_sites` (points, states before and after, changes) follow. `sites` is the store's sites layer
        (their points).
        """
        layers: dict[str, pd.DataFrame] = {"scenarios": self.table()}  # no geometry: an attribute table
        points = sites.set_index("site_id").geometry
        for variant in self.variants:
            layers[f"{variant.name}_new_routes"] = variant.routes
            frame = gpd.GeoDataFrame(variant.sites, geometry=points.loc[variant.sites["site_id"]].values, crs=sites.crs)
            frame.attrs["geometry_type"] = "Point"
            layers[f"{variant.name}_sites"] = frame
        return layers


def compare(frames: dict, scenarios: list[Scenario], *, config: CoverageConfig | None = None,
            ring: RingPlan | None = None, snap_tolerance_m: float = DEFAULT_SNAP_TOLERANCE_M,
            max_drop_m: float = DEFAULT_MAX_DROP_M) -> Comparison:
    """Compare every scenario of `scenarios` with today's in-service network of `frames` (a store's layers).

    Parameters
    ----------
    frames : dict
        The store's layers routes, nodes, sites (GeoDataFrames, EPSG:25832).
    scenarios : list of Scenario
        Unique names.
    config : CoverageConfig, optional
        Prices and ring-closure limits (default `load_config()`).
    ring : RingPlan, optional
        The ring closures of today's network, if already computed (else computed when a scenario asks).
    snap_tolerance_m, max_drop_m : float
        Metres, as in `topology.network.build_network` (0.5 m and 150 m by default); every network of the
        comparison is built with them.

    Returns
    -------
    Comparison
        `today`: today's site states (reachable, redundant, trench_cuts_to_isolate) with name, kind and
        pupils; `variants`: per scenario the sites before and after, the new routes and the building
        connection cost (€); `table()` the figures of the module text side by side.

    Raises
    ------
    coverage.errors.ScenarioError
        Two scenarios of one name.
    coverage.errors.ConfigError
        From `load_config` when no `config` is given and the configured TOML file is invalid.
    topology.errors.CRSMismatchError
        From `build_network`, when a layer is not in EPSG:25832.
    """
    config = config or load_config()
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        raise ScenarioError(f"scenario names must differ; given {', '.join(names)}")
    today_network = build_network(frames["routes"], frames["nodes"], frames["sites"],
                                  snap_tolerance_m=snap_tolerance_m, max_drop_m=max_drop_m)
    if ring is None and any(s.ring for s in scenarios):
        ring = ring_closure_plan(today_network, config=config)
    described = today_network.sites[["site_id", "name", "kind", "pupils"]].reset_index(drop=True)
    today = pd.concat([described, site_states(today_network).drop(columns="site_id")], axis=1)
    variants = []
    for scenario in scenarios:
        network = scenario_network(frames, scenario, ring, snap_tolerance_m=snap_tolerance_m, max_drop_m=max_drop_m)
        sites = compare_states(today, site_states(network))
        n_new = int(sites["newly_connected"].sum())
        variants.append(Variant(scenario.name, scenario.sources, sites, new_routes(frames, scenario, ring, config),
                                n_new * float(config.cost.building_connection_eur)))
    return Comparison(today, variants, ring)


STANDARD = {"planned": ("planned",), "ring": ("ring",), "both": ("planned", "ring")}
"""The scenarios the app compares: the planned routes, the ring closures, and both."""
VIEW_COLUMNS = ("scenario", "sites_reachable", "sites_redundant", "sites_single_homed", "sites_newly_connected",
                "sites_made_redundant", "sites_trench_cuts_up", "sites_worse", "new_route_km_low", "new_route_km_high",
                "cost_low_eur", "cost_high_eur", "resilience_per_100k_eur_low", "resilience_per_100k_eur_high")
"""The columns of `Comparison.table` a page shows (the GeoPackage and JSON have them all)."""


def standard_scenarios() -> list[Scenario]:
    """Return `STANDARD` as scenarios: planned, ring, both (planned + ring).

    Returns
    -------
    list of Scenario
        Three scenarios without candidate routes, named 'planned', 'ring' and 'both'.
    """
    return [Scenario(name, planned="planned" in parts, ring="ring" in parts, sources=list(parts))
            for name, parts in STANDARD.items()]
