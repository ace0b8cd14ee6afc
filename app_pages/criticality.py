"""What the loss of each trench does, for the Netz page: the map's legend and tooltips, the trench table with
the sites by name, and one trench's sites in full.

The classes ("vom Netz getrennt", "Redundanz verloren", nothing) are the library's
(`coverage.trench_effects`, from `Analysis.criticality_with_degraded`), their colours `inventory.palette`'s
and their legend words `inventory.vocabulary`'s, shared with the QGIS style of the exported `trench_cuts`
layer. This module only words them and names the sites.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from app_pages.i18n import fmt, t
from coverage.trench_effects import EFFECT_CLASSES, cut_most_threshold
from inventory import palette
from inventory.vocabulary import effect_labels

CLASS_COLOURS = palette.EFFECT_COLOURS
"""Routes by what their trench's loss does (`coverage.trench_effects`), in the colours the QGIS style of the
exported `trench_cuts` layer uses too (`inventory.palette.EFFECT_COLOURS`)."""
CUT_OFF_COLOURS = {c: CLASS_COLOURS[c] for c in ("cut_most", "cut")}
"""Routes whose trench's loss cuts sites off: dark red where it cuts off at least half the pupils the worst
trench cuts off, else the what-if map's red for "vom Netz getrennt"."""
DEGRADED_COLOUR = CLASS_COLOURS["degraded"]
"""Routes whose trench's loss cuts nobody off but leaves sites on one path: the what-if map's amber."""
NO_EFFECT_COLOUR = CLASS_COLOURS["none"]
"""Routes whose trench's loss changes no site's connection: the grey the other Netz maps draw routes in."""
CLASS_ORDER = EFFECT_CLASSES
"""Drawn in this order, so the worst lie on top."""
NAMES_LISTED = 5
"""Site names a cell of the trench table lists before it says how many more there are."""


def class_legend(effects: pd.DataFrame, held, lang: str = "de") -> list[tuple[str, list[int]]]:
    """The map's legend: (label, colour) of each class in `held` (the classes drawn), worst first; the dark
    red's label says from how many pupils on (`cut_most_threshold` of `effects`)."""
    threshold = fmt(cut_most_threshold(effects), 0, lang) if "cut_most" in held else None
    labels = effect_labels(threshold, lang)  # the words of the QGIS style of `trench_cuts` too
    return [(labels[c], CLASS_COLOURS[c]) for c in reversed(CLASS_ORDER) if c in held]


def effect_text(n_sites: int, pupils: int, n_degraded_sites: int, degraded_pupils: int, lang: str = "de") -> str:
    """A route's tooltip: 'vom Netz getrennt: 2 Standort(e), 1.535 Schüler' and/or the same for
    'Redundanz verloren'; 'Ausfall ohne Folgen für Standorte' where its trench's loss does neither."""
    parts = [t(key, lang, n=fmt(n, 0, lang), p=fmt(p, 0, lang)) for key, n, p in
             (("tip.cut", n_sites, pupils), ("tip.degraded", n_degraded_sites, degraded_pupils)) if n]
    return " · ".join(parts) or t("legend.no_effect", lang)


def site_names(ids, names: Mapping[str, str], limit: int = NAMES_LISTED) -> str | None:
    """'Name (id), Name (id) (+ 4)': the sites `ids` by their names (`names`: site id → name), at most
    `limit` of them, then how many more; None (shown as '–') for none."""
    ids = list(ids)
    if not ids:
        return None
    shown = [f"{names.get(str(i), str(i))} ({i})" for i in ids[:limit]]
    return ", ".join(shown) + (f" (+ {len(ids) - limit})" if len(ids) > limit else "")


def trench_table(criticality: pd.DataFrame, sites: pd.DataFrame) -> pd.DataFrame:
    """The Netz page's trench table: per trench whose loss cuts off or degrades a site (most pupils cut off
    first, then most pupils degraded), the sites cut off and the sites left on one path, each by count,
    pupils and names (`site_names`). `sites`: the sites layer (site_id, name)."""
    names = dict(zip(sites["site_id"].astype(str), sites["name"].astype(str), strict=True))
    trenches = criticality[criticality["element"] == "trench"]
    return pd.DataFrame({
        "trench_id": trenches["element_id"].to_numpy(),
        "cut_sites": trenches["n_sites"].to_numpy(), "cut_schools": trenches["n_schools"].to_numpy(),
        "cut_pupils": trenches["pupils"].to_numpy(),
        "cut_off_names": [site_names(s, names) for s in trenches["sites"]],
        "n_degraded_sites": trenches["n_degraded_sites"].to_numpy(),
        "degraded_pupils": trenches["degraded_pupils"].to_numpy(),
        "degraded_names": [site_names(s, names) for s in trenches["degraded_sites"]],
    })


def trench_sites(criticality: pd.DataFrame, sites: pd.DataFrame, trench_id: str) -> tuple[pd.DataFrame,
                                                                                         pd.DataFrame]:
    """The sites the loss of `trench_id` cuts off and the sites it leaves on one path, each a table of
    site_id, name, kind, pupils (the sites layer's rows, in the analysis's order); empty tables for a trench
    whose loss does neither."""
    row = criticality[(criticality["element"] == "trench") & (criticality["element_id"] == str(trench_id))]
    layer = sites.assign(site_id=sites["site_id"].astype(str)).set_index("site_id")
    columns = ["name", "kind", "pupils"]

    def chosen(ids) -> pd.DataFrame:
        ids = [str(i) for i in ids]
        return layer.loc[ids, columns].reset_index() if ids else pd.DataFrame(columns=["site_id", *columns])

    if not len(row):
        return chosen([]), chosen([])
    return chosen(row["sites"].iloc[0]), chosen(row["degraded_sites"].iloc[0])


def degraded_by_site(criticality: pd.DataFrame, kinds=("trench", "node")) -> dict[str, dict[str, list[str]]]:
    """Site id → element kind (of `kinds`) → the elements whose loss alone leaves the site connected but on
    one path (the rows of `criticality` whose `degraded_sites` hold it), in the table's order."""
    by_site: dict[str, dict[str, list[str]]] = {}
    chosen = criticality[criticality["element"].isin(kinds)]
    for kind, element, ids in zip(chosen["element"], chosen["element_id"], chosen["degraded_sites"], strict=True):
        for site_id in ids:
            by_site.setdefault(str(site_id), {}).setdefault(str(kind), []).append(str(element))
    return by_site
