"""`gelsennet analyse`, `gelsennet impact` and `gelsennet paths`: the topology engine on either store."""

from __future__ import annotations

import argparse
import json
import math
import sys

import pandas as pd

from inventory.cli_common import EXIT_OK, EXIT_USAGE, add_db_option, read_layers
from inventory.cli_format import count, metres
from topology.network import DEFAULT_MAX_DROP_M, DEFAULT_SNAP_TOLERANCE_M, SCENARIOS, Network, build_network
from topology.whatif import CONSTRUCTION_SITE_RADIUS_M


def register(sub: argparse._SubParsersAction) -> None:
    """Add the topology subcommands to the `gelsennet` parser (entry point `gelsennet.commands`).

    The subcommands are `analyse` (`cmd_analyse`), `impact` (`cmd_impact`) and `paths` (`cmd_paths`), each
    with --db, --as-of, --scenario, --snap-tolerance-m and --max-drop-m.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The subparsers of the `gelsennet` parser (`add_subparsers`).
    """
    analyse = sub.add_parser("analyse", help="reachability, redundancy and single points of failure", description=(
        "Build the route graph and analyse it: which sites reach the core (the in-service POPs), over how many "
        "edge- and node-disjoint paths, and which single segment, node or trench would cut them off."))
    _network_options(analyse)
    analyse.add_argument("--top", type=int, default=10, metavar="N", help="critical elements to list (default 10)")
    analyse.add_argument("--json", action="store_true", help="everything as JSON: summary, sites, criticality")
    analyse.set_defaults(func=cmd_analyse)

    impact = sub.add_parser("impact", help="what-if: sites cut off by failed segments, nodes, trenches or an area",
                            description="Fail any set of elements at once and list the sites cut off and the detours.")
    _network_options(impact)
    impact.add_argument("--segment", action="append", default=[], metavar="ROUTE_ID", help="repeatable")
    impact.add_argument("--node", action="append", default=[], metavar="NODE_ID", help="repeatable")
    impact.add_argument("--trench", action="append", default=[], metavar="TRENCH_ID", help="repeatable")
    impact.add_argument("--at", metavar="X,Y", help="centre of a construction site, EPSG:25832 metres; a point "
                        "outside the city and far from every route is refused, longitude,latitude is recognised "
                        "and transformed (with a note)")
    impact.add_argument("--radius-m", type=float, default=CONSTRUCTION_SITE_RADIUS_M,
                        help=f"radius around --at in metres (default {CONSTRUCTION_SITE_RADIUS_M:g})")
    impact.add_argument("--area", metavar="FILE", help="a polygon file (any CRS it declares) as the failed area")
    impact.add_argument("--json", action="store_true")
    impact.add_argument("--export", metavar="PATH", help="layers failed_routes, failed_nodes, sites (with state) "
                        "and failure_area to a .gpkg for QGIS, or to CSV files (a .csv name or a directory)")
    impact.set_defaults(func=cmd_impact)

    paths = sub.add_parser("paths", help="the shortest pair of diverse paths from a site to the core",
                           description="Suurballe's shortest pair of edge-disjoint paths, the length they share in "
                                       "one trench, and whether a trench-disjoint pair exists (and which: the "
                                       "pair that shows the site's redundancy).")
    paths.add_argument("site_id")
    _network_options(paths)
    paths.add_argument("--json", action="store_true")
    paths.add_argument("--export", metavar="PATH", help="layers diverse_paths (the two path lines with their "
                       "lengths) and shared_trenches to a .gpkg for QGIS, or to CSV files (a .csv name or a directory)")
    paths.set_defaults(func=cmd_paths)


def _network_options(parser: argparse.ArgumentParser) -> None:
    add_db_option(parser, as_of=True)
    parser.add_argument("--scenario", choices=tuple(SCENARIOS), default="in_service",
                        help="in_service (default), or planned: with the planned routes built")
    parser.add_argument("--snap-tolerance-m", type=float, default=DEFAULT_SNAP_TOLERANCE_M,
                        help=f"route ends this close are one vertex (default {DEFAULT_SNAP_TOLERANCE_M})")
    parser.add_argument("--max-drop-m", type=float, default=DEFAULT_MAX_DROP_M,
                        help=f"sites without a handover node attach this far at most (default {DEFAULT_MAX_DROP_M:g})")


def load_network(args, frames: dict | None = None) -> Network:
    """Build the network of the store named in `args` (or of `frames`) with the CLI's scenario, snap and drop.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line (`db`, `as_of`, `scenario`, `snap_tolerance_m` and `max_drop_m` in metres).
    frames : dict of str to geopandas.GeoDataFrame, optional
        Layers already read, at least 'routes', 'nodes' and 'sites' (EPSG:25832); when None (or empty) they
        are read from the store of --db.

    Returns
    -------
    Network
        The network (`topology.network.build_network`) of the scenario given.

    Raises
    ------
    topology.errors.CRSMismatchError
        From `build_network`, when a layer of `frames` is not in EPSG:25832.
    StoreError
        When `frames` is not given and the store of --db cannot be opened or read
        (`inventory.cli_common.read_layers`).
    """
    frames = frames or read_layers(args, ("routes", "nodes", "sites"))
    return build_network(frames["routes"], frames["nodes"], frames["sites"], scenario=args.scenario,
                         snap_tolerance_m=args.snap_tolerance_m, max_drop_m=args.max_drop_m)


def _usage_error(command: str, message: str) -> int:
    print(f"gelsennet {command}: {message}", file=sys.stderr)
    return EXIT_USAGE


def _check_export(command: str, destination: str | None, layer_names: tuple[str, ...]) -> str | None:
    """Return the usage error for an --export destination that cannot be written, else None.

    It is checked before any work is done.
    """
    from inventory.layer_files import export_paths

    if destination is None:
        return None
    try:
        export_paths(dict.fromkeys(layer_names), destination)
    except ValueError as exc:
        return str(exc)
    return None


def _export(layers: dict, destination: str) -> None:
    from inventory.layer_files import export_tables

    for path in export_tables(layers, destination):
        print(f"wrote {path}", file=sys.stderr)


def _jsonable(frame: pd.DataFrame) -> list[dict]:
    def clean(value):
        if isinstance(value, float) and math.isnan(value) or value is pd.NA:
            return None
        return value.item() if hasattr(value, "item") else value

    return [{k: clean(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


def cmd_analyse(args) -> int:
    """`gelsennet analyse`: redundancy and single points of failure, printed or exported; the exit status.

    The analysis is `topology.analysis.analyse` (the algorithms: docs/design.md, "Failure algorithms").

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line (the network options of `load_network`, `top`: critical elements to list,
        `json`: print everything as JSON instead of text).

    Returns
    -------
    int
        The exit code, EXIT_OK.
    """
    from topology.analysis import analyse

    result = analyse(load_network(args), snap_tolerance_m=args.snap_tolerance_m)
    if args.json:
        payload = {"summary": result.summary(), "sites": _jsonable(result.sites),
                   "criticality": _jsonable(result.criticality_with_degraded()),
                   "possibly_one_trench": _jsonable(result.possibly_one_trench)}
        print(json.dumps(payload, ensure_ascii=False, indent=1))
        return EXIT_OK
    print(result.to_text(top=args.top))
    return EXIT_OK


def cmd_impact(args) -> int:
    """`gelsennet impact`: the sites a failure cuts off, printed or exported; the exit status.

    The failure is `topology.whatif.what_if` of the elements named, a construction site (a disc of
    `radius_m` around --at, default `CONSTRUCTION_SITE_RADIUS_M`) or an area file. Failed trenches that are
    possibly one trench with others (`topology.parallel`) get a note with what failing them together cuts off.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line: the network options of `load_network`; `segment`, `node`, `trench` (lists of
        ids); `at` ('X,Y', EPSG:25832 metres, or longitude,latitude) and `radius_m` (metres); `area` (a
        polygon file); `json`; `export` (a .gpkg, a .csv name or a directory).

    Returns
    -------
    int
        The exit code: EXIT_OK, or EXIT_USAGE for a malformed --at, a radius that is not positive, a point
        not on the network, nothing named to fail, or an --export destination that cannot be written.

    Raises
    ------
    topology.errors.MissingCRSError
        When the --area file has no CRS.
    topology.errors.InvalidFailureError
        When the --area file does not exist or GDAL cannot open it (`inventory.cli.main` reports it as a usage
        error naming the file).
    topology.errors.UnknownElementError
        From `what_if`, for ids not in the network (`inventory.cli.main` reports it as a usage error).
    """
    from topology.errors import PointNotOnNetwork
    from topology.whatif import Failure, locate_point, what_if

    failure = Failure(segments=args.segment, nodes=args.node, trenches=args.trench)
    at = None
    if args.at:
        try:
            at = tuple(float(part) for part in args.at.split(","))
            if len(at) != 2:
                raise ValueError
        except ValueError:
            return _usage_error("impact", f"--at {args.at!r}: expected X,Y in EPSG:25832 metres (e.g. "
                                          "368500,5710500); fix: two numbers separated by a comma, no spaces")
        if not args.radius_m > 0:
            return _usage_error("impact", f"--radius-m {args.radius_m:g}: expected a positive radius in metres")
    elif args.area:
        failure.area = _read_area(args.area)
    if not (failure.segments or failure.nodes or failure.trenches or at or failure.area is not None):
        return _usage_error("impact", "name something that fails: --segment, --node, --trench, --at or --area")
    problem = _check_export("impact", args.export, ("failed_routes", "failed_nodes", "sites", "failure_area"))
    if problem:
        return _usage_error("impact", f"--export {problem}")
    frames = read_layers(args, ("routes", "nodes", "sites", "districts"))
    network = load_network(args, frames)
    note = None
    if at is not None:
        try:
            x, y, note = locate_point(network, *at, districts=frames["districts"])
        except PointNotOnNetwork as exc:
            return _usage_error("impact", f"--at {exc}")
        failure = Failure.around(x, y, args.radius_m, segments=args.segment, nodes=args.node, trenches=args.trench)
    result = what_if(network, failure)  # unknown ids: UnknownElementError, a usage error (inventory.cli.main)
    affected = result.sites[result.sites["state"].isin(["isolated", "detour"]) | result.sites["now_single_homed"]]
    together = _possibly_one_trench_with(network, failure, snap_tolerance_m=args.snap_tolerance_m)
    empty = _nothing_fails(network, failure, result, at)
    if args.export:
        from topology.layers import what_if_layers

        _export(what_if_layers(network, result, frames["sites"], failure), args.export)
    if args.json:
        payload = {"summary": result.summary(), "sites": _jsonable(affected), "possibly_one_trench": together}
        if at is not None:
            payload["point"] = {"x": failure.area.centroid.x, "y": failure.area.centroid.y, "radius_m": args.radius_m,
                                "note": note}
        if empty:
            payload["nothing_fails"] = empty
        print(json.dumps(payload, ensure_ascii=False, indent=1))
        return EXIT_OK
    if note:
        print(f"note: {note}")
    if empty:
        print(f"note: {empty}")
    s = result.summary()
    print(f"failed: {count(s['failed_segments'])} segment(s), {count(s['failed_nodes'])} node(s)")
    print(f"cut off: {count(s['isolated_sites'])} site(s), {count(s['isolated_pupils'])} pupils; "
          f"{count(s['sites_on_detour'])} site(s) on a longer path; now single-homed (connected, but one more "
          f"failure cuts them off): {count(s['sites_now_single_homed'])} site(s), "
          f"{count(s['pupils_now_single_homed'])} pupils")
    for row in affected.itertuples(index=False):
        extra = "CUT OFF" if row.state == "isolated" else (
            f"+{metres(row.detour_m)}" if row.state == "detour" else "same path")
        extra += ", NOW SINGLE-HOMED" if row.now_single_homed else ""
        print(f"  {row.site_id:<12} {str(row.name)[:50]:<50} {extra}")
    for note in together:
        s = note["summary"]
        print(f"note: possibly one trench: {'; '.join(note['pairs'])}")
        print(f"  if trenches {', '.join(note['trenches'])} are one, their cut cuts off {count(s['isolated_sites'])} "
              f"site(s), {count(s['isolated_pupils'])} pupils: {', '.join(note['isolated_sites']) or 'none'}")
    return EXIT_OK


def _nothing_fails(network: Network, failure, result, at) -> str | None:
    """Say why nothing failed, when nothing did: no route or node in the area, and the nearest route's distance.

    Return None when something fails (then the answer is not an empty all-clear).
    """
    if len(result.failed_edges) or len(result.failed_vertices) or failure.area is None:
        return None
    what = "the construction site" if at is not None else "the area"
    if not network.n_edges:
        return f"nothing fails: the {network.scenario} network has no routes"
    from topology.whatif import nearest_route

    distance, route = nearest_route(network, failure.area)
    return (f"nothing fails: no route or node lies in {what}; the nearest route, {route}, "
            f"is {metres(distance)} from its edge")


def _possibly_one_trench_with(network: Network, failure, *, snap_tolerance_m: float) -> list[dict]:
    """List the failed trenches that are possibly one trench with others (`topology.parallel`).

    For each such group: the pairs, and what failing all of them together (with the rest of `failure`) would
    cut off.
    """
    from topology.parallel import possibly_one_trench
    from topology.trench_review import pair_text, trench_groups
    from topology.whatif import Failure, what_if

    if not failure.trenches:
        return []
    pairs = possibly_one_trench(network, snap_tolerance_m=snap_tolerance_m)
    notes = []
    for group in trench_groups(pairs):
        if not set(group) & set(failure.trenches) or set(group) <= set(failure.trenches):
            continue
        mine = pairs[pairs["trench_a"].isin(group) | pairs["trench_b"].isin(group)]
        merged = Failure(segments=failure.segments, nodes=failure.nodes,
                         trenches=sorted({*failure.trenches, *group}), area=failure.area)
        outcome = what_if(network, merged)
        notes.append({"trenches": group, "pairs": [pair_text(row) for row in mine.itertuples(index=False)],
                      "summary": outcome.summary(), "isolated_sites": outcome.isolated()["site_id"].tolist()})
    return notes


def _read_area(path: str):
    import geopandas as gpd
    import pyogrio.errors
    import shapely

    from inventory.schema import CRS
    from topology.errors import InvalidFailureError, MissingCRSError

    try:
        frame = gpd.read_file(path)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise InvalidFailureError(f"--area {path}: cannot be read ({exc}); expected a file GDAL reads (GeoPackage, "
                                  "GeoJSON, Shapefile) with the area's polygons", name="area", value=path) from exc
    if frame.crs is None:
        raise MissingCRSError(f"{path}: no CRS; save the area with one (e.g. EPSG:25832)", source=path)
    return shapely.union_all(frame.to_crs(CRS).geometry.values)


def cmd_paths(args) -> int:
    """`gelsennet paths`: the shortest pair of diverse paths of a site, printed or exported; the exit status.

    The pair is `topology.diverse.diverse_paths`: Suurballe's method (Suurballe and Tarjan, Networks 1984;
    docs/design.md, "Failure algorithms"), then a search for a trench-disjoint pair.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line: `site_id`, the network options of `load_network`, `json`, `export` (a .gpkg,
        a .csv name or a directory).

    Returns
    -------
    int
        The exit code: EXIT_OK, or EXIT_USAGE when the --export destination cannot be written.

    Raises
    ------
    topology.errors.UnknownElementError
        From `diverse_paths`, when `site_id` is not a site of the network.
    """
    from topology.diverse import diverse_paths

    problem = _check_export("paths", args.export, ("diverse_paths", "shared_trenches"))
    if problem:
        return _usage_error("paths", f"--export {problem}")
    network = load_network(args)
    pair = diverse_paths(network, args.site_id)
    payload = {
        "site_id": pair.site_id,
        "two_edge_disjoint_paths": pair.found,
        "path_a": pair.route_ids(network, pair.path_a),
        "path_b": pair.route_ids(network, pair.path_b),
        "length_a_m": round(pair.length_a_m, 1),
        "length_b_m": None if math.isnan(pair.length_b_m) else round(pair.length_b_m, 1),
        "shared_trenches": pair.shared_trenches,
        "shared_trench_length_m": round(pair.shared_trench_length_m, 1),
        "trench_disjoint_pair_exists": pair.trench_disjoint,
        "trench_disjoint_path_a": pair.route_ids(network, pair.trench_disjoint_pair[0])
        if pair.trench_disjoint_pair else [],
        "trench_disjoint_path_b": pair.route_ids(network, pair.trench_disjoint_pair[1])
        if pair.trench_disjoint_pair else [],
    }
    if args.export:
        from topology.layers import diverse_path_layers

        _export(diverse_path_layers(network, pair), args.export)
    if args.json:
        print(json.dumps(payload, ensure_ascii=False, indent=1))
        return EXIT_OK
    for key, value in payload.items():
        if key.endswith("_m"):
            value = metres(value, 1)
        elif isinstance(value, list):
            value = ", ".join(value) or "none"
        print(f"{key:<30} {value}")
    return EXIT_OK
