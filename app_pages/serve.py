"""Start the app with its caches warm: `python -m app_pages.serve [streamlit options]`.

`streamlit run app.py` computes the network analysis, KPIs and plans on the first visit, and
imports the geospatial stack then too; the first visitor waits for all of it. This launcher starts
the same server, and as soon as Streamlit's runtime is up computes everything the pages show for
the configured store in a background thread (the same cached functions the pages call), so the
first visitor finds it ready. A store that cannot be read is left to the page to report.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app.py"
LOG = logging.getLogger("gelsennet.serve")


def warm_when_ready(timeout_s: float = 120.0) -> None:
    """Wait for Streamlit's runtime (the caches live there), then fill them."""
    from streamlit import runtime

    deadline = time.monotonic() + timeout_s
    while not runtime.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(logging.ERROR)
    logging.getLogger("streamlit.runtime.caching.cache_data_api").setLevel(logging.ERROR)
    start = time.perf_counter()
    try:
        from app_pages.data import configured_location

        location = configured_location()
        warm(location)
        LOG.warning("caches warm for %s in %.1f s", location, time.perf_counter() - start)
    except Exception as exc:  # noqa: BLE001 - the page shows the error to the visitor
        LOG.warning("could not warm the caches: %s", exc)


def warm(location: str) -> None:
    """Compute everything the pages show for the store at `location`, so the first visit finds it cached.

    Calls the pages' own cached functions (`app_pages.data`), then draws every page's first map
    (`warm_maps`), which needs those caches. Streamlit's runtime must be up (`warm_when_ready`).

    Parameters
    ----------
    location : str
        The store the app shows (`app_pages.data.configured_location`).

    Raises
    ------
    inventory.errors.StoreError
        When the store cannot be read (the caller logs it; the page shows it to the visitor).
    """
    from app_pages import data  # the geospatial stack loads here, after the server has started

    version = data.store_version(location)
    frames = data.load(location, version)
    for layer in ("routes", "sites", "nodes", "site_areas"):
        data.map_table(location, version, layer)
    data.map_table(location, version, "districts", "stadtteil")
    data.statuses(location, version)
    data.kpis(location, version)
    data.trend(location, version)
    data.plan(location, version)
    data.cards(location, version, "de")  # with last year's figures and the ring closures
    data.district_table(location, version, "stadtbezirk", "de")
    data.trend_svg(location, version, "de")
    data.single_paths(location, version)
    data.report(location, version)
    data.rings(location, version)
    data.ring_plan(location, version)
    data.variants_of(location, version)
    schools = frames["sites"]
    if len(schools):
        data.pair_of(location, version, str(schools["site_id"].iloc[0]))
    warm_maps(location, version)  # the maps need the caches above


def warm_maps(location: str, version: int, lang: str = "de") -> None:
    """Make every page's first map and its picture (`app_pages.maps`, `app_pages.map_picture`), from the app's
    data caches (`warm` fills those first)."""
    from app_pages import data
    from app_pages.logic import school_options
    from app_pages.map_picture import picture_of
    from app_pages.maps import (
        HEIGHT_PX,
        INVENTORY_HEIGHT_PX,
        INVENTORY_MAP_DEFAULT,
        SHARE_HEIGHT_PX,
        coverage_map,
        criticality_map,
        inventory_map,
        planning_map,
        quality_map,
        school_map,
        share_map,
    )

    frames = data.load(location, version)
    first = [(coverage_map(location, version, lang), HEIGHT_PX), (share_map(location, version), SHARE_HEIGHT_PX),
             (criticality_map(location, version, lang)[0], HEIGHT_PX),
             (inventory_map(location, version, INVENTORY_MAP_DEFAULT, lang)[0], INVENTORY_HEIGHT_PX)]
    if (located := quality_map(location, version, lang)) is not None:
        first.append((located[0], HEIGHT_PX))
    if schools := school_options(frames["sites"]):
        first.append((school_map(location, version, next(iter(schools)), lang)[0], HEIGHT_PX))
    first.append((planning_map(location, version, lang)[0], HEIGHT_PX))
    for chart, height in first:
        if chart is not None:
            picture_of(chart, height)


def main(argv: list[str] | None = None) -> int:
    from streamlit.web import cli

    threading.Thread(target=warm_when_ready, name="warm-caches", daemon=True).start()
    sys.argv = ["streamlit", "run", str(APP), *(sys.argv[1:] if argv is None else argv)]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main())
