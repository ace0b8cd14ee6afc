"""What every `gelsennet` command module shares: exit codes, the --db/--as-of options and opening that store.

`inventory.cli` (the parser and the core commands), `inventory.history_cli` and the commands that
topology and coverage register import these from here, so that no command module imports the parser
that registers it.

Exit codes: 0 success, 1 data problems (nothing was changed), 2 usage or store errors.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from inventory.schema import LAYER_ORDER
from inventory.settings import ENV_DB, SAMPLE_GPKG, store_location
from inventory.stores import open_store

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2


def add_db_option(parser: argparse.ArgumentParser, *, as_of: bool = False) -> None:
    """--db, and for commands that only read, --as-of (the inventory as it was then; PostGIS only).

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The subcommand's parser; the options are added to it.
    as_of : bool, default False
        Whether to add --as-of too (parsed by `inventory.history.parse_as_of` into an aware datetime).
    """
    parser.add_argument(
        "--db",
        metavar="URL_OR_PATH",
        help=(
            "store: a GeoPackage path (*.gpkg) or postgresql://user@host/db "
            f"(default: ${ENV_DB}, else {SAMPLE_GPKG.name})"
        ),
    )
    if as_of:
        parser.add_argument(
            "--as-of",
            type=_as_of_arg,
            metavar="DATE",
            help=(
                "the inventory as it was then, from the store's history (PostGIS only): YYYY-MM-DD means the end "
                "of that day (Europe/Berlin); an ISO time like 2026-11-26T14:30 or ...+01:00 also works"
            ),
        )


def _as_of_arg(value: str):
    from inventory.history import parse_as_of

    try:
        return parse_as_of(value)
    except (ValueError, OverflowError) as exc:  # OverflowError: a backstop at the calendar's edges
        raise argparse.ArgumentTypeError(str(exc)) from None


def open_store_of(args):
    """Return the store named by --db, $GELSENNET_DB or the default sample; as it was at --as-of, if given.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line (`db`, and `as_of` when the command has it).

    Returns
    -------
    inventory.stores.base.Store
        The store, not yet connected.

    Raises
    ------
    StoreError
        When the location is neither a PostgreSQL URL nor a `.gpkg` path, or --as-of is asked of a GeoPackage
        (`HistoryNotKept`).
    """
    return open_store(store_location(args.db), as_of=getattr(args, "as_of", None))


def read_layers(args, names: Sequence[str] = LAYER_ORDER) -> dict:
    """Return the named layers of the store of --db (opened and closed again), for commands that only read.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line (`db`, and `as_of` when the command has it).
    names : sequence of str, default LAYER_ORDER
        The layers to read.

    Returns
    -------
    dict of str to geopandas.GeoDataFrame
        Each name to its layer, EPSG:25832.

    Raises
    ------
    StoreError
        When the store cannot be opened or read.
    """
    store = open_store_of(args)
    try:
        return {name: store.read(name) for name in names}
    finally:
        store.close()
