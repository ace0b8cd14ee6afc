"""`gelsennet history ID` and `gelsennet edit LAYER ID`: an element's changes, and a locked edit (PostGIS)."""

from __future__ import annotations

import argparse
import json
import sys

from inventory.cli_common import EXIT_DATA, EXIT_OK, EXIT_USAGE, add_db_option, open_store_of
from inventory.schema import LAYER_ORDER


def add_history_parsers(sub: argparse._SubParsersAction) -> None:
    """Add the `history` and `edit` subcommands to the `gelsennet` parser.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The subparsers of the `gelsennet` parser (`add_subparsers`).
    """
    history = sub.add_parser(
        "history",
        help="an element's recorded changes: when, by whom, from what to what (PostGIS)",
        description=(
            "List every recorded change of the element with this id: time (Europe/Berlin), action, version, "
            "database user and application user, and which fields changed from what to what (a geometry as "
            "how far it moved). Exit code 1 when nothing is recorded for the id."
        ),
    )
    history.add_argument("element_id", metavar="ID")
    history.add_argument("--layer", choices=LAYER_ORDER, help="only this layer (default: every layer with the id)")
    add_db_option(history)
    history.add_argument("--json", action="store_true", help="the changes as JSON")
    history.set_defaults(func=cmd_history)

    edit = sub.add_parser(
        "edit",
        help="change fields of one element, refused if someone else changed it since you read it (PostGIS)",
        description=(
            "Without --set: show the element and its version. With --set: change those fields if the element "
            "still has the version given with --expect-version; otherwise nothing is written, the message says "
            "who changed it when, and the exit code is 1. Values are checked with the schema rules first."
        ),
    )
    edit.add_argument("layer", choices=LAYER_ORDER, metavar="LAYER", help=f"one of {', '.join(LAYER_ORDER)}")
    edit.add_argument("element_id", metavar="ID")
    edit.add_argument(
        "--set",
        action="append",
        dest="assignments",
        metavar="FIELD=VALUE",
        help="new value of a field (empty to clear it; geometry=WKT in EPSG:25832); repeatable",
    )
    edit.add_argument("--expect-version", type=int, metavar="N", help="the version you read (required with --set)")
    edit.add_argument("--user", help="who edits, for the history (default: $GELSENNET_USER, else the OS user)")
    add_db_option(edit)
    edit.add_argument("--json", action="store_true", help="machine-readable result")
    edit.set_defaults(func=cmd_edit)


def cmd_history(args) -> int:
    """Print every recorded change of the element `args.element_id` (as JSON with --json).

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line (`element_id`, `layer`, `db`, `json`).

    Returns
    -------
    int
        The exit code: EXIT_OK, or EXIT_DATA when nothing is recorded for the id.
    """
    from inventory.history import element_history

    store = open_store_of(args)
    try:
        changes = element_history(store, args.element_id, layer=args.layer)
    finally:
        store.close()
    if not changes:
        where = f"layer {args.layer}" if args.layer else "any layer"
        print(f"gelsennet history: nothing is recorded for {args.element_id!r} in {where} of {store!r}; "
              "check the id (and --layer)", file=sys.stderr)
        return EXIT_DATA
    if args.json:
        print(json.dumps([c.to_dict() for c in changes], ensure_ascii=False, indent=1, default=str))
        return EXIT_OK
    for layer in dict.fromkeys(c.layer for c in changes):
        mine = [c for c in changes if c.layer == layer]
        print(f"{layer} {args.element_id}: {len(mine)} change(s)")
        for change in mine:
            print("  " + change.to_text().replace("\n", "\n  "))
    return EXIT_OK


def cmd_edit(args) -> int:
    """Show one element and its version, or with --set change its fields if it still has --expect-version.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line (`layer`, `element_id`, `assignments`, `expect_version`, `user`, `db`, `json`).

    Returns
    -------
    int
        The exit code: EXIT_OK, EXIT_DATA for a conflict, a missing element or refused values (nothing
        was written then), EXIT_USAGE for --set without --expect-version.
    """
    from inventory.editing import ConflictError, ElementNotFound, edit_element, read_element
    from inventory.mapping import parse_pairs
    from inventory.problems import DataError

    store = open_store_of(args)
    try:
        before, version = read_element(store, args.layer, args.element_id)
        if not args.assignments:
            _show(args, before, version)
            return EXIT_OK
        if args.expect_version is None:
            print(f"gelsennet edit: --expect-version N is required with --set: the version you read "
                  f"(now {version}; `gelsennet edit {args.layer} {args.element_id}` shows it)", file=sys.stderr)
            return EXIT_USAGE
        changes = parse_pairs(args.assignments, "--set")
        new_version = edit_element(store, args.layer, args.element_id, changes, args.expect_version, user=args.user)
        after, _ = read_element(store, args.layer, args.element_id)
    except (ConflictError, ElementNotFound) as exc:
        if args.json:
            print(json.dumps({"ok": False, "error": str(exc)}, ensure_ascii=False, indent=1))
        print(f"gelsennet edit: {exc}", file=sys.stderr)
        return EXIT_DATA
    except DataError as exc:
        if args.json:
            print(json.dumps({"ok": False, "problems": [p.to_dict() for p in exc.problems]},
                             ensure_ascii=False, indent=1))
        print(str(exc), file=sys.stderr)
        return EXIT_DATA
    finally:
        store.close()
    changed = {k: (before[k], after[k]) for k in after if k != "geometry" and before[k] != after[k]}
    moved = before["geometry"].hausdorff_distance(after["geometry"]) if not before["geometry"].equals_exact(
        after["geometry"], 0.0) else None
    if args.json:
        payload = {"ok": True, "layer": args.layer, "id": args.element_id, "version_before": args.expect_version,
                   "version": new_version, "changes": {k: {"from": a, "to": b} for k, (a, b) in changed.items()},
                   "geometry_moved_m": moved}
        print(json.dumps(payload, ensure_ascii=False, indent=1, default=str))
        return EXIT_OK
    if new_version == args.expect_version:
        print(f"{args.layer} {args.element_id}: nothing changed (still version {new_version})")
        return EXIT_OK
    print(f"{args.layer} {args.element_id}: version {args.expect_version} → {new_version}")
    for name, (a, b) in changed.items():
        print(f"  {name}: {_value(a)} → {_value(b)}")
    if moved is not None:
        print(f"  geometry: moved {moved:.2f} m")
    return EXIT_OK


def _show(args, fields: dict, version: int) -> None:
    if args.json:
        payload = {"layer": args.layer, "id": args.element_id, "version": version,
                   "fields": {k: v for k, v in fields.items() if k != "geometry"}, "geometry": fields["geometry"].wkt}
        print(json.dumps(payload, ensure_ascii=False, indent=1, default=str))
        return
    print(f"{args.layer} {args.element_id} (version {version})")
    for name, value in fields.items():
        print(f"  {name}: {value.wkt if name == 'geometry' else _value(value)}")
    print(f"change it with: gelsennet edit {args.layer} {args.element_id} --set FIELD=VALUE "
          f"--expect-version {version}")


def _value(value) -> str:
    return "(empty)" if value is None else repr(value) if isinstance(value, str) else str(value)
