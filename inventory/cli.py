"""The `gelsennet` command line: demo data, schema, import, export, validation.

Exit codes: 0 success, 1 data problems (nothing was changed), 2 usage or store errors.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from importlib.metadata import entry_points
from pathlib import Path

from inventory.cli_common import EXIT_DATA, EXIT_OK, EXIT_USAGE, add_db_option, open_store_of
from inventory.display import terminal_safe_output
from inventory.formats import FORMATS, writable
from inventory.history_cli import add_history_parsers
from inventory.importer import DEFAULT_MODE
from inventory.postgis import is_postgres_url
from inventory.problems import DataError
from inventory.schema import LAYER_ORDER
from inventory.settings import shown_location, store_location
from inventory.stores import MODES, StoreError


def readable_names() -> str:
    """Return the names of the formats `gelsennet import` reads, from the registry.

    Returns
    -------
    str
        The names, comma-separated, in registry order.
    """
    return ", ".join(f.name for f in FORMATS if f.read)


def build_parser() -> argparse.ArgumentParser:
    """Build the parser of the `gelsennet` command line, one subcommand per command.

    Returns
    -------
    argparse.ArgumentParser
        The parser; each subcommand sets `func`, the `cmd_*` function that runs it.
    """
    parser = argparse.ArgumentParser(
        prog="gelsennet",
        description="Fibre-network asset and coverage inventory (GELSEN-NET sample).",
        epilog="Stores: a GeoPackage file (embedded default) or PostGIS. Run 'gelsennet COMMAND --help' for details.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser(
        "demo",
        help="build the Gelsenkirchen sample dataset",
        description=(
            "Build the Gelsenkirchen sample deterministically: real schools and city boundary, approximate "
            "districts and business parks, a SYNTHETIC backbone. Writes data/gelsenkirchen.gpkg by default."
        ),
    )
    add_db_option(demo)
    demo.add_argument("--force", action="store_true", help="replace the sample layers if the store has data")
    demo.set_defaults(func=cmd_demo)

    db = sub.add_parser("db", help="schema, roles, backup and restore of a store",
                        description="Schema management, database roles, backup and restore.")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    up = db_sub.add_parser(
        "upgrade",
        help="create or upgrade the schema (Alembic for PostGIS)",
        description="Create the inventory tables, or upgrade them to the latest revision.",
    )
    add_db_option(up)
    up.set_defaults(func=cmd_db_upgrade)
    cur = db_sub.add_parser(
        "current",
        help="show the schema revision and layer counts",
        description="Show which schema revision a store has and how many records each layer holds.",
    )
    add_db_option(cur, as_of=True)
    cur.set_defaults(func=cmd_db_current)
    from inventory.roles_cli import add_roles_parser  # `db roles`: read-only viewer and editor roles (PostGIS)

    add_roles_parser(db_sub, add_db_option)
    backup = db_sub.add_parser(
        "backup",
        help="write a PostGIS inventory with its history to one file (pg_dump)",
        description=(
            "Write the inventory database (layers, versions, change history, schema revision) to FILE in "
            "pg_dump's custom format. Restore it with `gelsennet db restore FILE --db URL`."
        ),
    )
    backup.add_argument("file", type=Path, metavar="FILE")
    add_db_option(backup)
    backup.set_defaults(func=cmd_db_backup)
    restore = db_sub.add_parser(
        "restore",
        help="restore a backup into an empty PostGIS database (pg_restore, all or nothing)",
        description=(
            "Restore FILE (from `gelsennet db backup`) into the empty database --db, in one transaction. "
            "Create the roles there first if you use them (`gelsennet db roles`): they get their grants."
        ),
    )
    restore.add_argument("file", type=Path, metavar="FILE")
    add_db_option(restore)
    restore.set_defaults(func=cmd_db_restore)

    imp = sub.add_parser(
        "import",
        help="import a file into a layer (all or nothing; never deletes unless asked)",
        description=(
            f"Import a file into LAYER: {readable_names()} (told apart by their content). New ids are added, "
            "existing ids are updated in the fields the file carries (absent columns keep their stored values), "
            "and nothing is deleted unless --mode replace is given and confirmed. Every problem is reported at "
            "once; on any problem nothing is changed. The change is reported per layer: new, changed, unchanged, "
            "deleted."
        ),
    )
    imp.add_argument("layer", choices=LAYER_ORDER, metavar="LAYER", help=f"one of {', '.join(LAYER_ORDER)}")
    imp.add_argument("file", type=Path, metavar="FILE")
    add_db_option(imp)
    imp.add_argument(
        "--mode",
        choices=MODES,
        default=DEFAULT_MODE,
        help=(
            "upsert: add new ids, update existing ones, delete nothing (default); replace: also delete the "
            "stored ids the file lacks, after showing them and a confirmation (a prompt, or --yes)"
        ),
    )
    imp.add_argument("--yes", action="store_true", help="confirm the deletions of --mode replace (for scripts)")
    imp.add_argument("--strict", action="store_true", help="a file column that maps to no field is an error")
    imp.add_argument(
        "--explode", action="store_true", help="a multi-part line becomes one route per part, ids <id>-1, <id>-2, ..."
    )
    imp.add_argument("--mapping", metavar="NAME_OR_TOML", help="column mapping file, or a built-in one: nrw_schuldaten")
    imp.add_argument(
        "--map",
        action="append",
        metavar="FIELD=COLUMN",
        help="map a file column (or a template like '{A} {B}') to a field; repeatable",
    )
    imp.add_argument("--set", action="append", metavar="FIELD=VALUE", help="set a field to a constant; repeatable")
    imp.add_argument("--crs", help="the file's CRS, e.g. EPSG:25832 (required for CSV and files without one)")
    imp.add_argument("--x", help="CSV column with x / easting / longitude")
    imp.add_argument("--y", help="CSV column with y / northing / latitude")
    imp.add_argument("--wkt", help="CSV column with the geometry as WKT")
    imp.add_argument(
        "--encoding",
        help="text encoding of the file's attributes, e.g. cp1252 (any format; overrides a Shapefile's .cpg; "
        "default: UTF-8, or for a Shapefile its .cpg, else detected from the bytes)",
    )
    imp.add_argument("--source-layer", help="layer to read from a multi-layer file")
    imp.add_argument("--force-2d", action="store_true", help="drop Z coordinates instead of rejecting them")
    imp.add_argument("--dry-run", action="store_true", help="check everything, change nothing")
    imp.add_argument("--json", action="store_true", help="machine-readable result, with the ids of every change")
    imp.set_defaults(func=cmd_import)

    exp = sub.add_parser(
        "export",
        help=f"export layers to {', '.join(f.name for f in writable())}",
        description=(
            "Export layers. DEST ending in .gpkg gets all layers in one file; .geojson/.csv one layer (--layer); "
            "a directory with --format one file per layer. Coordinates stay in EPSG:25832."
        ),
    )
    exp.add_argument("destination", type=Path, metavar="DEST")
    add_db_option(exp, as_of=True)
    exp.add_argument("--layer", action="append", choices=LAYER_ORDER, help="layer to export; repeatable (default: all)")
    exp.add_argument("--format", dest="file_format", choices=[f.key for f in writable()],
                     help="format for a directory; ofds (a .json) and ofds-geojson (a directory) hold nodes and routes")
    exp.set_defaults(func=cmd_export)

    val = sub.add_parser(
        "validate",
        help="data-quality report over a store",
        description=(
            "Check every layer against the schema rules (types, enums, ranges, geometry, duplicate ids, "
            "references) and plausibility warnings. Exit code 1 when errors are found."
        ),
    )
    add_db_option(val, as_of=True)
    val.add_argument("--json", action="store_true", help="report as JSON")
    val.set_defaults(func=cmd_validate)
    add_history_parsers(sub)  # `history ID` and `edit LAYER ID` (PostGIS)
    for plugin in entry_points(group="gelsennet.commands"):
        plugin.load()(sub)  # e.g. topology's `analyse` and `impact`: nothing flows back up into inventory
    return parser


def cmd_demo(args) -> int:
    """Write the Gelsenkirchen sample into the store of --db, unless it holds data and --force is not given.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line (`db`, `force`).

    Returns
    -------
    int
        The exit code: EXIT_OK, or EXIT_USAGE when the store already holds data.
    """
    from inventory.sample import build_sample

    store = open_store_of(args)
    if store.exists() and any(store.counts().values()) and not args.force:
        print(f"{store.url} already holds data; pass --force to replace it with the sample", file=sys.stderr)
        return EXIT_USAGE
    store.create()
    frames = build_sample()
    store.write(frames)
    counts = ", ".join(f"{name} {len(frame)}" for name, frame in frames.items())
    print(f"sample written to {store.url}: {counts} (network geometry is SYNTHETIC)")
    return EXIT_OK


def cmd_db_upgrade(args) -> int:
    """Create the inventory schema in the store of --db, or upgrade it to the newest revision.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line (`db`).

    Returns
    -------
    int
        The exit code: EXIT_OK.
    """
    store = open_store_of(args)
    store.create()
    print(f"schema of {store.url} is up to date")
    return EXIT_OK


def _postgis_url(args, what: str) -> str:
    location = store_location(args.db)
    if not is_postgres_url(location):
        raise StoreError(f"{what} needs a PostGIS store (--db postgresql://...); {location} is a GeoPackage: "
                         "copy the file instead")
    return location


def cmd_db_backup(args) -> int:
    """Back up the PostGIS store of --db into the file `args.file`.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line (`db`, `file`).

    Returns
    -------
    int
        The exit code: EXIT_OK.

    Raises
    ------
    StoreError
        When --db names a GeoPackage (copy the file instead), or pg_dump is not installed or fails.
    """
    from inventory.backup import backup

    path = backup(_postgis_url(args, "db backup"), args.file)
    print(f"backup of {shown_location(store_location(args.db))} written to {path}")
    return EXIT_OK


def cmd_db_restore(args) -> int:
    """Restore the backup file `args.file` into the PostGIS store of --db.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line (`db`, `file`).

    Returns
    -------
    int
        The exit code: EXIT_OK.

    Raises
    ------
    StoreError
        When --db names a GeoPackage (copy the file instead), `args.file` is no file, or pg_restore is not
        installed or fails.
    sqlalchemy.exc.SQLAlchemyError
        When the database cannot be reached to grant the roles their rights after the restore.
    """
    from inventory.backup import restore

    restore(args.file, _postgis_url(args, "db restore"))
    print(f"{args.file} restored into {shown_location(store_location(args.db))}")
    return EXIT_OK


def cmd_db_current(args) -> int:
    """Print the schema revision of the store of --db (PostGIS) and the record count of every layer.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line (`db`, optionally `as_of`: the counts as of that instant).

    Returns
    -------
    int
        The exit code: EXIT_OK.
    """
    store = open_store_of(args)
    revision = getattr(store, "revision", None)
    if revision is not None:
        current, head = revision()
        print(f"revision {current or 'none'} (latest {head})")
    if getattr(args, "as_of", None) is not None:
        from inventory.history import format_time

        print(f"records as of {format_time(args.as_of)}:")
    for name, count in store.counts().items():
        print(f"{name:<12} {count:>8}")
    return EXIT_OK


def cmd_import(args) -> int:
    """Import the file `args.file` into layer `args.layer` of the store of --db.

    A replace that would delete rows asks on a terminal first (unless --yes, --dry-run or --json);
    problems and the plan are printed as text, or as JSON with --json.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line (`layer`, `file`, `mode`, the mapping and read options, `dry_run`, `yes`, `json`, ...).

    Returns
    -------
    int
        The exit code: EXIT_OK, or EXIT_DATA when the data are refused, a conflict stops the import or
        deletions are not confirmed (nothing was changed then).
    """
    from inventory.formats.base import ReadOptions
    from inventory.importer import ConfirmationRequired, ImportConflict, import_file
    from inventory.mapping import READ_KEYS, ColumnMapping, parse_pairs

    mapping = ColumnMapping.load(args.mapping) if args.mapping else ColumnMapping()
    mapping = mapping.merged(
        ColumnMapping(columns=parse_pairs(args.map, "--map"), constants=parse_pairs(args.set, "--set"))
    )
    read = dict(mapping.read)
    for key in READ_KEYS:
        if getattr(args, key):
            read[key] = getattr(args, key)
    options = ReadOptions(**read, force_2d=args.force_2d)
    store = open_store_of(args)

    def run(**extra):
        return import_file(store, args.layer, args.file, mode=args.mode, mapping=mapping, options=options,
                           strict=args.strict, explode=args.explode, **extra)

    try:
        if args.mode == "replace" and not (args.yes or args.dry_run) and sys.stdin.isatty() and not args.json:
            plan = run(dry_run=True)
            if plan.deleted and not _confirm_deletions(plan):
                print("nothing was changed", file=sys.stderr)
                return EXIT_DATA
            result = run(confirm=True, expect=plan)
        else:
            result = run(dry_run=args.dry_run, confirm=args.yes)
    except ConfirmationRequired as exc:
        if args.json:
            payload = {"ok": False, "plan": exc.result.to_dict(), "problems": [p.to_dict() for p in exc.problems]}
            print(json.dumps(payload, ensure_ascii=False, indent=1))
        else:
            print(str(exc), file=sys.stderr)
            _print_deletions(exc.result, sys.stderr)
        return EXIT_DATA
    except ImportConflict as exc:
        print(f"gelsennet import: {exc}", file=sys.stderr)
        return EXIT_DATA
    except DataError as exc:
        if args.json:
            payload = {"ok": False, "problems": [p.to_dict() for p in exc.problems],
                       "warnings": [w.to_dict() for w in exc.warnings]}
            print(json.dumps(payload, ensure_ascii=False, indent=1))
        else:
            print(str(exc), file=sys.stderr)
            for warning in exc.warnings:  # e.g. columns no field takes: often the cause of the errors
                print(f"  {warning}", file=sys.stderr)
        return EXIT_DATA
    finally:
        store.close()
    if args.json:
        print(json.dumps({"ok": True, **result.to_dict()}, ensure_ascii=False, indent=1))
    else:
        for warning in result.warnings:
            print(f"  {warning}", file=sys.stderr)
        print(result.summary())
        if result.dry_run and result.deleted:
            _print_deletions(result, sys.stdout)
    return EXIT_OK


def _print_deletions(result, stream, limit: int = 20) -> None:
    key = result.layer
    print(f"  would delete {len(result.deleted)} {key}: "
          + ", ".join(result.deleted[:limit]) + (f", ... ({len(result.deleted) - limit} more; --json lists all)"
                                                  if len(result.deleted) > limit else ""), file=stream)


def _confirm_deletions(plan) -> bool:
    """Ask on the terminal before a replace deletes rows."""
    print(plan.summary(), file=sys.stderr)
    _print_deletions(plan, sys.stderr)
    try:
        answer = input(f"Delete these {len(plan.deleted)} {plan.layer}? Type 'yes' to confirm: ")
    except EOFError:
        return False
    return answer.strip().lower() in ("yes", "y", "ja", "j")


def cmd_export(args) -> int:
    """Export layers of the store of --db to `args.destination` and print the files written.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line (`destination`, `layer`, `file_format`).

    Returns
    -------
    int
        The exit code: EXIT_OK, or EXIT_USAGE for a destination or format
        that cannot be written.
    """
    from inventory.exporter import export_layers

    try:
        written = export_layers(open_store_of(args), args.destination, layers=args.layer, file_format=args.file_format)
    except ValueError as exc:
        print(f"gelsennet export: {exc}", file=sys.stderr)
        return EXIT_USAGE
    for path in written:
        print(f"wrote {path}")
    return EXIT_OK


def cmd_validate(args) -> int:
    """Check every layer of the store of --db and print the validation report (as JSON with --json).

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line (`db`, `json`).

    Returns
    -------
    int
        The exit code: EXIT_OK, or EXIT_DATA when the report holds errors.
    """
    from inventory.report import validation_report

    report = validation_report(open_store_of(args))
    print(json.dumps(report.to_dict(), ensure_ascii=False, indent=1) if args.json else report.to_text())
    return EXIT_DATA if report.errors else EXIT_OK


@terminal_safe_output  # data printed (names, values) cannot drive the terminal: ESC and the like are escaped
def main(argv: Sequence[str] | None = None) -> int:
    """Run the `gelsennet` command line.

    Store errors, OS errors and value errors are printed as one line on stderr, not as a traceback.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments after the program name; None for `sys.argv[1:]`.

    Returns
    -------
    int
        The exit code: EXIT_OK, EXIT_DATA for data problems (nothing was changed), EXIT_USAGE for usage
        errors and for store, OS and value errors; a command's own code otherwise.
    """
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:  # output piped into e.g. `head`, which stopped reading: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except (StoreError, OSError, ValueError) as exc:  # OSError: missing files, names too long, no permission
        print(f"gelsennet {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
