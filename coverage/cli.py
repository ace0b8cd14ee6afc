"""`gelsennet coverage`: the status of every site and the KPIs, on either store."""

from __future__ import annotations

import argparse
import json
import sys

import pandas as pd

from coverage.layers import export_paths, export_tables, planning_layers
from inventory.cli_common import EXIT_OK, add_db_option, read_layers
from inventory.cli_format import count, euro_range, euros, km, metres, number, share


def register(sub: argparse._SubParsersAction) -> None:
    """Add `coverage` to the `gelsennet` parser (entry point `gelsennet.commands`).

    Also `plan` (`cmd_plan`) and, through `coverage.compare_cli.register`, `compare`.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The subparsers of the `gelsennet` parser (`add_subparsers`).
    """
    parser = sub.add_parser("coverage", help="site status (gigabit ... gap) and KPIs per district", description=(
        "Classify every site (gigabit, connected, planned, passed, near, gap) with the reason, and report the "
        "KPIs of the city or of every district. Thresholds: coverage/defaults.toml, override with --config."))
    add_db_option(parser, as_of=True)
    parser.add_argument("--config", metavar="TOML", help="threshold file (default: $GELSENNET_COVERAGE_CONFIG, "
                                                         "else the built-in defaults)")
    parser.add_argument("--by", choices=("city", "district", "stadtbezirk", "stadtteil"), default="city",
                        help="KPIs for the city (default), every district, or one level")
    parser.add_argument("--json", action="store_true", help="status table and KPIs as JSON")
    parser.add_argument("--export", metavar="PATH", help="layers site_status, district_kpis and gap_grid (100 m) "
                                                         "to a .gpkg for QGIS, or CSV files into a directory")
    parser.set_defaults(func=cmd_coverage)

    plan = sub.add_parser("plan", help="expansion costs and ring-closure candidates", description=(
        "The cheapest connection of every site not on gigabit (cost ranges from the price table), totals for "
        "'every school on gigabit', and new links that make single-homed sites redundant, each verified by the "
        "topology engine, with the cheapest set of them that leaves no single-homed site (verified together). "
        "--export writes both as layers for QGIS (.gpkg) or as CSV files (a directory)."))
    add_db_option(plan, as_of=True)
    plan.add_argument("--config", metavar="TOML", help="thresholds and prices (default: built-in)")
    plan.add_argument("--top", type=int, default=10, metavar="N", help="rows to list of each table (default 10)")
    plan.add_argument("--export", metavar="PATH", help="a .gpkg file, or CSV files (a .csv name or a directory)")
    plan.add_argument("--json", action="store_true")
    plan.set_defaults(func=cmd_plan)
    from coverage.compare_cli import register as register_compare

    register_compare(sub)  # `compare`: plan variants beside today's network


def _records(frame: pd.DataFrame) -> list[dict]:
    return json.loads(frame.to_json(orient="records", force_ascii=False))


def cmd_coverage(args) -> int:
    """`gelsennet coverage`: site status and district KPIs, printed or exported; the exit status (0).

    The status words and their thresholds (20 m passed, 150 m near, 1,000 Mbit/s gigabit by default) and
    their sources are in docs/design.md, "Coverage words and thresholds", and `coverage/defaults.toml`.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line: `db`, `as_of`; `config` (a TOML threshold file, or None for the default);
        `by` ('city', 'district', 'stadtbezirk' or 'stadtteil'); `json`; `export` (a .gpkg, or CSV files).

    Returns
    -------
    int
        The exit code, EXIT_OK.

    Raises
    ------
    coverage.errors.ConfigError
        From `load_config`, for a threshold file that cannot be used.
    ValueError
        For an --export destination with another suffix than .gpkg or .csv (`export_tables`).
    """
    from coverage.config import load_config
    from coverage.kpis import CITY_ID, district_kpis
    from coverage.status import reason_text, site_status
    from topology import build_cut_index, build_network, site_redundancy
    from topology.trench_cuts import trench_cuts

    config = load_config(args.config)
    frames = read_layers(args)
    network = build_network(frames["routes"], frames["nodes"], frames["sites"])
    index = build_cut_index(network)
    redundancy = site_redundancy(network, index=index)
    redundancy = redundancy.merge(trench_cuts(network, index=index)[["site_id", "trench_cuts_to_isolate"]],
                                  on="site_id", how="left")
    status = site_status(frames["sites"], frames["routes"], config=config)
    status.insert(1, "name", frames["sites"]["name"].to_numpy(dtype=object))
    status.insert(2, "kind", frames["sites"]["kind"].to_numpy(dtype=object))
    words = [reason_text(code, values) for code, values in zip(status["reason_code"], status["reason_values"],
                                                                strict=True)]
    status.insert(status.columns.get_loc("reason_values"), "reason", words)  # the CLI's edge: English words
    status = status.drop(columns="reason_values")
    kpis = district_kpis(frames, config=config, redundancy=redundancy)
    if args.export:
        _export_coverage(frames, status, kpis, config, args.export)
    if args.by == "city":
        kpis = kpis[kpis["district_id"] == CITY_ID]
    elif args.by != "district":
        kpis = kpis[kpis["level"] == args.by]
    if args.json:
        payload = {"config": config.source, "sites": _records(status), "kpis": _records(kpis)}
        print(json.dumps(payload, ensure_ascii=False, indent=1))
        return EXIT_OK
    print(f"Coverage (thresholds: {config.source})")
    by_status = status["status"].value_counts(sort=False).items()
    print("Sites by status: " + ", ".join(f"{k} {count(v)}" for k, v in by_status))
    print()
    header = f"{'district':<22} {'schools':>7} {'gigabit':>8} {'share':>6} {'pupils on gigabit':>18} " \
             f"{'parks covered':>14} {'route km':>9} {'km/km²':>7} {'single-homed':>12} {'2 cuts':>6} {'to target':>9}"
    print(header)
    for row in kpis.itertuples(index=False):
        name = "whole city" if row.district_id == CITY_ID else str(row.name)
        pupils = f"{count(row.pupils_gigabit)} / {count(row.pupils)}"
        print(f"{name[:22]:<22} {count(row.schools):>7} {count(row.schools_gigabit):>8} "
              f"{share(row.share_schools_gigabit):>6} {pupils:>18} {share(row.share_park_area_covered):>14} "
              f"{number(row.route_km, 1):>9} {number(row.route_km_per_km2, 2):>7} {count(row.sites_single_homed):>12} "
              f"{count(row.schools_two_trench_cuts):>6} {count(row.schools_to_target):>9}")
    print("2 cuts: schools that no single trench cuts off, but two trenches cut at once can (gelsennet analyse)")
    below = status[(status["kind"] == "school") & (status["status"] != "gigabit")]
    if len(below):
        print(f"\nSchools not on gigabit ({len(below)}):")
        for row in below.itertuples(index=False):
            print(f"  {row.site_id:<8} {str(row.name)[:48]:<48} {row.status:<10} {row.reason}")
    return EXIT_OK


def _export_coverage(frames, status, kpis, config, destination: str) -> None:
    import geopandas as gpd
    import shapely

    from coverage.gaps import gap_grid
    from coverage.kpis import district_areas

    crs = frames["sites"].crs
    areas = district_areas(frames["districts"])
    layers = {
        "site_status": gpd.GeoDataFrame(status, geometry=frames["sites"].geometry.values, crs=crs),
        "district_kpis": gpd.GeoDataFrame(kpis, geometry=areas.set_index("district_id").geometry
                                          .loc[kpis["district_id"]].values, crs=crs),
        "gap_grid": gap_grid(shapely.union_all(areas.geometry.values[:1]), frames["routes"], config=config),
    }
    layers["site_status"]["status"] = layers["site_status"]["status"].astype(str)
    for path in export_tables(layers, destination):
        print(f"wrote {path}", file=sys.stderr)


def cmd_plan(args) -> int:
    """`gelsennet plan`: the expansion plan and the ring-closure candidates, printed or exported; the exit status.

    Costs follow the price table of the configuration (docs/design.md, "Coverage words and thresholds":
    detour factor 1.3, € per metre by construction method); the ring closures are chosen by an exact set
    cover with HiGHS (`coverage.ring_closure.ring_closure_plan`).

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line: `db`, `as_of`; `config` (a TOML file of thresholds and prices, or None);
        `top` (rows to list of each table); `json`; `export` (a .gpkg, a .csv name or a directory).

    Returns
    -------
    int
        The exit code, EXIT_OK.

    Raises
    ------
    ValueError
        For an --export destination with another suffix than .gpkg or .csv, before any work.
    coverage.errors.ConfigError
        From `load_config`, for a configuration file that cannot be used.
    """
    from coverage.config import load_config
    from coverage.expansion import expansion_plan, plan_totals
    from coverage.ring_closure import ring_closure_plan
    from topology import build_network

    if args.export:
        export_paths(dict.fromkeys(("expansion", "ring_closures")), args.export)  # a bad suffix: before any work
    config = load_config(args.config)
    frames = read_layers(args)
    expansion = expansion_plan(frames, config=config)
    totals = plan_totals(expansion)
    ring_plan = ring_closure_plan(build_network(frames["routes"], frames["nodes"], frames["sites"]), config=config)
    rings = ring_plan.proposals
    if args.export:
        for path in export_tables(planning_layers(frames, expansion, rings), args.export):
            print(f"wrote {path}", file=sys.stderr)
    if args.json:
        payload = {"totals": totals, "expansion": _records(expansion),
                   "ring_closures": _records(rings.drop(columns="geometry")),
                   "ring_closure_plan": {**ring_plan.totals(), "link_ids": ring_plan.chosen["link_id"].tolist(),
                                         "method": ring_plan.method, "verified": ring_plan.verified,
                                         "single_homed_before": ring_plan.single_homed,
                                         "remaining_single_homed": ring_plan.remaining}}
        print(json.dumps(payload, ensure_ascii=False, indent=1))
        return EXIT_OK
    print(f"Every school on gigabit: {count(totals['schools_sites'])} schools, "
          f"{km(totals['schools_new_route_km'])} new route, {euros(totals['schools_cost_eur'])} "
          f"({euro_range(totals['schools_cost_low_eur'], totals['schools_cost_high_eur'])})")
    print(f"Every site on gigabit:   {count(totals['sites'])} sites, {km(totals['new_route_km'])}, "
          f"{euros(totals['cost_eur'])} ({euro_range(totals['cost_low_eur'], totals['cost_high_eur'])})")
    print(f"\nCheapest per pupil (top {args.top}):")
    for row in expansion.head(args.top).itertuples(index=False):
        per = "" if pd.isna(row.cost_per_pupil_eur) else f"{euros(row.cost_per_pupil_eur, 1)}/pupil"
        print(f"  {row.site_id:<10} {str(row.name)[:40]:<40} {row.status:<10} {metres(row.new_route_m):>9} "
              f"{euros(row.cost_eur):>10} {per:>12}")
    print(ring_plan_text(ring_plan, top=args.top))
    return EXIT_OK


def ring_plan_text(plan, *, top: int) -> str:
    """Format the ring closures as the CLI prints them.

    First the verified cheapest set and its total, then the other proposals (alternatives), each once with
    every site it makes redundant.

    Parameters
    ----------
    plan : RingPlan
        The plan (`coverage.ring_closure.ring_closure_plan`).
    top : int
        The most alternatives to list (the cheapest set is listed whole).

    Returns
    -------
    str
        The text, lines joined by newlines, starting with an empty line; lengths in metres, costs in €.
    """
    t = plan.totals()
    n_single = len(plan.single_homed)
    lines = ["", f"Ring closures: {count(len(plan.proposals))} verified proposal(s) for {count(len(plan.coverable))} "
                 f"of {count(n_single)} single-homed site(s)"]
    if len(plan.chosen):
        lines.append(f"Cheapest set ({plan.method}): {count(t['links'])} link(s), {metres(t['length_m'])} straight, "
                     f"{metres(t['new_route_m'])} of new route, {euros(t['cost_eur'])} "
                     f"({euro_range(t['cost_low_eur'], t['cost_high_eur'])})")
    check = "redundant, verified" if plan.verified else "NOT all redundant (see below)"
    lines.append(f"  re-analysis with these links added: the {count(len(plan.coverable))} site(s) they serve are "
                 f"{check}; still single-homed: {count(len(plan.remaining))} of {count(n_single)}"
                 + (f": {', '.join(plan.remaining)}" if plan.remaining else ""))
    if plan.remaining:
        lines.append("  (no proposal within the link limit reaches these; raise [ring_closure] candidates_per_site "
                     "or max_link_m in --config to search further)")
    others = plan.proposals[~plan.proposals["in_cheapest_set"]]
    alternatives = f"Alternatives (top {min(top, len(others))} of {len(others)})"
    for title, table in (("In the cheapest set", plan.chosen), (alternatives, others)):
        if not len(table):
            continue
        lines.append(f"\n{title}, most sites made redundant per euro:")
        for row in table.head(top if table is others else None).itertuples(index=False):
            lines.append(f"  {row.from_node:>12} – {row.to_node:<12} {metres(row.length_m):>8} "
                         f"{euro_range(row.cost_low_eur, row.cost_high_eur):>18}  {count(row.sites_made_redundant)} "
                         f"site(s), {count(row.pupils_made_redundant)} pupils: {', '.join(row.sites)}")
    return "\n".join(lines)
