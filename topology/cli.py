"""`gelsennet analyse`, `gelsennet impact` and `gelsennet paths`: the topology engine on either store."""

from __future__ import annotations

import argparse
import json
import math
import sys

import pandas as pd

from inventory.cli import EXIT_OK, EXIT_USAGE, add_db_option, read_layers
from topology.network import DEFAULT_MAX_DROP_M, DEFAULT_SNAP_TOLERANCE_M, SCENARIOS, Network, build_network


def register(sub: argparse._SubParsersAction) -> None:
    """Add the topology subcommands to the `gelsennet` parser (entry point `gelsennet.commands`)."""
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
    impact.add_argument("--at", metavar="X,Y", help="centre of a construction site, EPSG:25832 metres")
    impact.add_argument("--radius-m", type=float, default=50.0, help="radius around --at (default 50)")
    impact.add_argument("--area", metavar="FILE", help="a polygon file (any CRS it declares) as the failed area")
    impact.add_argument("--json", action="store_true")
    impact.set_defaults(func=cmd_impact)

    paths = sub.add_parser("paths", help="the shortest pair of diverse paths from a site to the core",
                           description="Suurballe's shortest pair of edge-disjoint paths, the length they share in "
                                       "one trench, and whether a trench-disjoint pair exists (and which: the "
                                       "pair that shows the site's redundancy).")
    paths.add_argument("site_id")
    _network_options(paths)
    paths.add_argument("--json", action="store_true")
    paths.set_defaults(func=cmd_paths)


def _network_options(parser: argparse.ArgumentParser) -> None:
    add_db_option(parser, as_of=True)
    parser.add_argument("--scenario", choices=tuple(SCENARIOS), default="in_service",
                        help="in_service (default), or planned: with the planned routes built")
    parser.add_argument("--snap-tolerance-m", type=float, default=DEFAULT_SNAP_TOLERANCE_M,
                        help=f"route ends this close are one vertex (default {DEFAULT_SNAP_TOLERANCE_M})")
    parser.add_argument("--max-drop-m", type=float, default=DEFAULT_MAX_DROP_M,
                        help=f"sites without a handover node attach this far at most (default {DEFAULT_MAX_DROP_M:g})")


def load_network(args) -> Network:
    frames = read_layers(args, ("routes", "nodes", "sites"))
    return build_network(frames["routes"], frames["nodes"], frames["sites"], scenario=args.scenario,
                         snap_tolerance_m=args.snap_tolerance_m, max_drop_m=args.max_drop_m)


def _jsonable(frame: pd.DataFrame) -> list[dict]:
    def clean(value):
        if isinstance(value, float) and math.isnan(value) or value is pd.NA:
            return None
        return value.item() if hasattr(value, "item") else value

    return [{k: clean(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


def cmd_analyse(args) -> int:
    from topology.analysis import analyse

    result = analyse(load_network(args), snap_tolerance_m=args.snap_tolerance_m)
    if args.json:
        payload = {"summary": result.summary(), "sites": _jsonable(result.sites),
                   "criticality": _jsonable(result.criticality),
                   "possibly_one_trench": _jsonable(result.possibly_one_trench)}
        print(json.dumps(payload, ensure_ascii=False, indent=1))
        return EXIT_OK
    print(result.to_text(top=args.top))
    return EXIT_OK


def cmd_impact(args) -> int:
    from topology.whatif import Failure, what_if

    failure = Failure(segments=args.segment, nodes=args.node, trenches=args.trench)
    if args.at:
        try:
            x, y = (float(part) for part in args.at.split(","))
        except ValueError:
            print(f"gelsennet impact: --at {args.at!r}: expected X,Y in EPSG:25832 metres", file=sys.stderr)
            return EXIT_USAGE
        failure = Failure.around(x, y, args.radius_m, segments=args.segment, nodes=args.node, trenches=args.trench)
    elif args.area:
        failure.area = _read_area(args.area)
    if not (failure.segments or failure.nodes or failure.trenches or failure.area is not None):
        print("gelsennet impact: name something that fails: --segment, --node, --trench, --at or --area",
              file=sys.stderr)
        return EXIT_USAGE
    network = load_network(args)
    result = what_if(network, failure)
    affected = result.sites[result.sites["state"].isin(["isolated", "detour"])]
    together = _possibly_one_trench_with(network, failure, snap_tolerance_m=args.snap_tolerance_m)
    if args.json:
        print(json.dumps({"summary": result.summary(), "sites": _jsonable(affected), "possibly_one_trench": together},
                         ensure_ascii=False, indent=1))
        return EXIT_OK
    s = result.summary()
    print(f"failed: {s['failed_segments']} segment(s), {s['failed_nodes']} node(s)")
    print(f"cut off: {s['isolated_sites']} site(s), {s['isolated_pupils']} pupils; "
          f"{s['sites_on_detour']} site(s) on a longer path")
    for row in affected.itertuples(index=False):
        extra = f"+{row.detour_m:.0f} m" if row.state == "detour" else "CUT OFF"
        print(f"  {row.site_id:<12} {str(row.name)[:50]:<50} {extra}")
    for note in together:
        s = note["summary"]
        print(f"note: possibly one trench: {'; '.join(note['pairs'])}")
        print(f"  if trenches {', '.join(note['trenches'])} are one, their cut cuts off {s['isolated_sites']} site(s), "
              f"{s['isolated_pupils']} pupils: {', '.join(note['isolated_sites']) or 'none'}")
    return EXIT_OK


def _possibly_one_trench_with(network: Network, failure, *, snap_tolerance_m: float) -> list[dict]:
    """For each failed trench that is possibly one trench with others (`topology.parallel`): the pairs, and
    what failing all of them together (with the rest of `failure`) would cut off."""
    from topology.parallel import pair_text, possibly_one_trench, trench_groups
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
    import shapely

    from inventory.schema import CRS

    frame = gpd.read_file(path)
    if frame.crs is None:
        raise ValueError(f"{path}: no CRS; save the area with one (e.g. EPSG:25832)")
    return shapely.union_all(frame.to_crs(CRS).geometry.values)


def cmd_paths(args) -> int:
    from topology.diverse import diverse_paths

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
    if args.json:
        print(json.dumps(payload, ensure_ascii=False, indent=1))
        return EXIT_OK
    for key, value in payload.items():
        print(f"{key:<30} {value}")
    return EXIT_OK
