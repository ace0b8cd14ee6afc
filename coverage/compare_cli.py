"""`gelsennet compare`: plan variants side by side with today's network (`coverage.plan_variants`)."""

from __future__ import annotations

import argparse
import json
import sys

from inventory.cli_common import EXIT_DATA, EXIT_OK, EXIT_USAGE, add_db_option, read_layers
from inventory.cli_format import count, euro_range, euros, km, number
from topology.network import DEFAULT_MAX_DROP_M, DEFAULT_SNAP_TOLERANCE_M

RESILIENCE_NOTE = ("resilience per 100 k€ = (sites made redundant + sites whose trench cuts to isolate rise) per "
                   "€100,000 of new route, at both ends of the cost range")


def register(sub: argparse._SubParsersAction) -> None:
    """Add `compare` to the `gelsennet` parser (through `coverage.cli.register`).

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The subparsers of the `gelsennet` parser (`add_subparsers`).
    """
    parser = sub.add_parser("compare", help="plan variants (planned routes, ring closures, candidate routes) "
                            "compared with today's network", description=(
        "Compare named scenarios with today's in-service network: the sites newly connected, made redundant, and "
        "whose trench cuts to isolate rise, km and cost (ranges, from the cost table) and resilience gained per "
        "€100,000. A scenario is NAME=PART+PART..., each part 'planned' (the store's planned routes), 'ring' "
        "(the cheapest verified ring closures) or a file of candidate routes (read and checked as `gelsennet "
        "import` reads routes); 'planned' and 'ring' alone name themselves."))
    add_db_option(parser, as_of=True)
    parser.add_argument("--scenario", action="append", required=True, metavar="NAME=PARTS",
                        help="repeatable: planned, ring, candidates=FILE, mix=planned+ring+FILE")
    parser.add_argument("--config", metavar="TOML", help="prices and ring-closure limits (default: built-in)")
    parser.add_argument("--mapping", metavar="TOML", help="column mapping for the candidate route files "
                        "(as for gelsennet import)")
    parser.add_argument("--crs", help="CRS of candidate files that declare none (e.g. EPSG:25832)")
    parser.add_argument("--snap-tolerance-m", type=float, default=DEFAULT_SNAP_TOLERANCE_M,
                        help=f"route ends this close are one vertex (default {DEFAULT_SNAP_TOLERANCE_M})")
    parser.add_argument("--max-drop-m", type=float, default=DEFAULT_MAX_DROP_M,
                        help=f"sites without a handover node attach this far at most (default {DEFAULT_MAX_DROP_M:g})")
    parser.add_argument("--json", action="store_true", help="the comparison as JSON, with the site ids")
    parser.add_argument("--gpkg", metavar="OUT.gpkg", help="layers for QGIS: scenarios, and per scenario "
                        "<name>_new_routes and <name>_sites (state before and after)")
    parser.set_defaults(func=cmd_compare)


def cmd_compare(args) -> int:
    """`gelsennet compare`: the plan variants side by side, printed or exported; the exit status.

    The comparison is `coverage.plan_variants.compare`; resilience per 100 k€ as `RESILIENCE_NOTE` says.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line: `db`, `as_of`; `scenario` (a list of 'NAME=PART+PART...', see
        `parse_scenario`); `config`; `mapping` (a TOML column mapping for candidate files); `crs` (of candidate
        files that declare none); `snap_tolerance_m` and `max_drop_m` (metres); `json`; `gpkg` (an output
        .gpkg path).

    Returns
    -------
    int
        The exit code: EXIT_OK; EXIT_DATA when a candidate route file has problems (all are printed, nothing
        is compared); EXIT_USAGE for a --gpkg name not ending in .gpkg.

    Raises
    ------
    coverage.errors.ScenarioError
        From `parse_scenario` or `compare`, for a scenario that cannot be read or two of one name
        (`inventory.cli.main` reports it as a usage error).
    coverage.errors.ConfigError
        From `load_config`, for a configuration file that cannot be used.
    """
    from coverage.config import load_config
    from coverage.layers import export_tables
    from coverage.plan_variants import Scenario, compare, parse_scenario, read_candidates
    from inventory.formats.base import ReadOptions
    from inventory.mapping import ColumnMapping
    from inventory.problems import DataError

    if args.gpkg and not args.gpkg.lower().endswith(".gpkg"):
        print(f"gelsennet compare: --gpkg {args.gpkg}: expected a file name ending in .gpkg", file=sys.stderr)
        return EXIT_USAGE
    parsed = [parse_scenario(text) for text in args.scenario]  # ScenarioError: a usage error (exit 2)
    config = load_config(args.config)
    frames = read_layers(args, ("routes", "nodes", "sites"))
    mapping = ColumnMapping.load(args.mapping) if args.mapping else ColumnMapping()
    read = dict(mapping.read) | ({"crs": args.crs} if args.crs else {})
    known = set(frames["routes"]["route_id"].tolist())
    scenarios, problems = [], []
    for name, parts in parsed:
        scenario = Scenario(name, planned="planned" in parts, ring="ring" in parts, sources=parts)
        for part in parts:
            if part in ("planned", "ring"):
                continue
            try:
                scenario.candidates.append(read_candidates(part, mapping=mapping, options=ReadOptions(**read),
                                                           known_route_ids=known))
            except DataError as exc:
                problems.append(exc)
        scenarios.append(scenario)
    if problems:
        if args.json:
            payload = {"ok": False, "problems": [p.to_dict() for exc in problems for p in exc.problems],
                       "warnings": [w.to_dict() for exc in problems for w in exc.warnings]}
            print(json.dumps(payload, ensure_ascii=False, indent=1))
        for exc in problems if not args.json else ():
            print(str(exc), file=sys.stderr)
        return EXIT_DATA
    result = compare(frames, scenarios, config=config, snap_tolerance_m=args.snap_tolerance_m,
                     max_drop_m=args.max_drop_m)
    if args.gpkg:
        for path in export_tables(result.layers(frames["sites"]), args.gpkg):
            print(f"wrote {path}", file=sys.stderr)
    if args.json:
        payload = {"config": config.source, "today": result.today_summary(),
                   "scenarios": [_plain(v.summary()) for v in result.variants],
                   "resilience": RESILIENCE_NOTE}
        if result.ring is not None:
            payload["ring_closures"] = result.ring.chosen["link_id"].tolist()
        print(json.dumps(payload, ensure_ascii=False, indent=1))
        return EXIT_OK
    print(comparison_text(result))
    return EXIT_OK


def _plain(summary: dict) -> dict:
    return {k: (v.item() if hasattr(v, "item") else v) for k, v in summary.items()}


def comparison_text(result) -> str:
    """Format the comparison as the CLI prints it: one line for today and per scenario, then the sites that changed.

    Parameters
    ----------
    result : Comparison
        The comparison (`coverage.plan_variants.compare`).

    Returns
    -------
    str
        The table (site counts; new route in km and cost in € as low–high ranges; resilience per 100 k€),
        a legend, then per scenario the ids of the sites newly connected, made redundant, with more trench cuts
        to isolate, or worse off; lines joined by newlines.
    """
    header = (f"{'scenario':<14} {'reachable':>9} {'redundant':>9} {'single-homed':>12} {'new':>4} {'made red.':>9} "
              f"{'cuts up':>7} {'worse':>5} {'new route':>19} {'cost':>21} {'per 100 k€':>11}")
    lines = [header]
    today = result.today_summary()
    lines.append(f"{'today':<14} {count(today['sites_reachable']):>9} {count(today['sites_redundant']):>9} "
                 f"{count(today['sites_single_homed']):>12}")
    for variant in result.variants:
        s = variant.summary()
        low, high = s["new_route_km_low"], s["new_route_km_high"]
        route = km(low) if round(low, 2) == round(high, 2) else f"{number(low, 2)}–{km(high)}"
        per = (f"{number(s['resilience_per_100k_eur_low'], 1)}–{number(s['resilience_per_100k_eur_high'], 1)}"
               if s["resilience_per_100k_eur_low"] is not None else "–")
        lines.append(f"{s['scenario'][:14]:<14} {count(s['sites_reachable']):>9} {count(s['sites_redundant']):>9} "
                     f"{count(s['sites_single_homed']):>12} {count(s['sites_newly_connected']):>4} "
                     f"{count(s['sites_made_redundant']):>9} {count(s['sites_trench_cuts_up']):>7} "
                     f"{count(s['sites_worse']):>5} {route:>19} "
                     f"{euro_range(s['cost_low_eur'], s['cost_high_eur']):>21} {per:>11}")
    lines += ["", f"new: sites newly connected; made red.: single-homed today, redundant then; cuts up: more trench "
                  f"cuts needed to isolate them; worse: reachable today and less well off then; {RESILIENCE_NOTE}"]
    words = {"newly_connected": "newly connected", "made_redundant": "made redundant",
             "trench_cuts_up": "trench cuts to isolate rise", "worse": "worse off"}
    for variant in result.variants:
        s = variant.summary()
        lines += ["", f"{variant.name} ({s['parts']}): {count(s['new_routes'])} new route(s); building connections of "
                      f"the newly connected sites {euros(s['building_connection_eur'])}"]
        for change, word in words.items():
            ids = s[f"site_ids_{change}"]
            if ids:
                lines.append(f"  {word} ({count(len(ids))}, {count(s[f'pupils_{change}'])} pupils): {', '.join(ids)}")
    return "\n".join(lines)
