"""`gelsennet coverage`: the status of every site and the KPIs, on either store."""

from __future__ import annotations

import argparse
import json

import pandas as pd

from inventory.cli import EXIT_OK, add_db_option, open_store_of


def register(sub: argparse._SubParsersAction) -> None:
    """Add `coverage` to the `gelsennet` parser (entry point `gelsennet.commands`)."""
    parser = sub.add_parser("coverage", help="site status (gigabit ... gap) and KPIs per district", description=(
        "Classify every site (gigabit, connected, planned, passed, near, gap) with the reason, and report the "
        "KPIs of the city or of every district. Thresholds: coverage/defaults.toml, override with --config."))
    add_db_option(parser)
    parser.add_argument("--config", metavar="TOML", help="threshold file (default: $GELSENNET_COVERAGE_CONFIG, "
                                                         "else the built-in defaults)")
    parser.add_argument("--by", choices=("city", "district", "stadtbezirk", "stadtteil"), default="city",
                        help="KPIs for the city (default), every district, or one level")
    parser.add_argument("--json", action="store_true", help="status table and KPIs as JSON")
    parser.set_defaults(func=cmd_coverage)


def _records(frame: pd.DataFrame) -> list[dict]:
    return json.loads(frame.to_json(orient="records", force_ascii=False))


def cmd_coverage(args) -> int:
    from coverage.config import load_config
    from coverage.kpis import CITY_ID, district_kpis
    from coverage.status import site_status
    from topology import build_network, site_redundancy

    config = load_config(args.config)
    store = open_store_of(args)
    try:
        frames = store.read_all()
    finally:
        store.close()
    redundancy = site_redundancy(build_network(frames["routes"], frames["nodes"], frames["sites"]))
    status = site_status(frames["sites"], frames["routes"], config=config)
    status.insert(1, "name", frames["sites"]["name"].to_numpy(dtype=object))
    status.insert(2, "kind", frames["sites"]["kind"].to_numpy(dtype=object))
    kpis = district_kpis(frames, config=config, redundancy=redundancy)
    if args.by == "city":
        kpis = kpis[kpis["district_id"] == CITY_ID]
    elif args.by != "district":
        kpis = kpis[kpis["level"] == args.by]
    if args.json:
        payload = {"config": config.source, "sites": _records(status), "kpis": _records(kpis)}
        print(json.dumps(payload, ensure_ascii=False, indent=1))
        return EXIT_OK
    print(f"Coverage (thresholds: {config.source})")
    print("Sites by status: " + ", ".join(f"{k} {v}" for k, v in status["status"].value_counts(sort=False).items()))
    print()
    header = f"{'district':<22} {'schools':>7} {'gigabit':>8} {'share':>6} {'pupils on gigabit':>18} " \
             f"{'parks covered':>14} {'route km':>9} {'km/km²':>7} {'single-homed':>12} {'to target':>9}"
    print(header)
    for row in kpis.itertuples(index=False):
        share = "–" if pd.isna(row.share_schools_gigabit) else f"{row.share_schools_gigabit:.0%}"
        park = "–" if pd.isna(row.share_park_area_covered) else f"{row.share_park_area_covered:.0%}"
        print(f"{str(row.name)[:22]:<22} {row.schools:>7} {row.schools_gigabit:>8} {share:>6} "
              f"{row.pupils_gigabit:>8} / {row.pupils:<7} {park:>14} {row.route_km:>9.1f} {row.route_km_per_km2:>7.2f} "
              f"{row.sites_single_homed:>12} {row.schools_to_target:>9}")
    below = status[(status["kind"] == "school") & (status["status"] != "gigabit")]
    if len(below):
        print(f"\nSchools not on gigabit ({len(below)}):")
        for row in below.itertuples(index=False):
            print(f"  {row.site_id:<8} {str(row.name)[:48]:<48} {row.status:<10} {row.reason}")
    return EXIT_OK
