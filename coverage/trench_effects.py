"""What the loss of each trench does, as one class per route, shared by the Netz map and the exported layer.

The classes are those of the Netz page's criticality map and of the exported `trench_cuts` layer
(`coverage.layers.trench_cut_layer`), so both mean the same.

Every figure comes from `topology.analysis.Analysis.criticality_with_degraded`: per trench the sites its loss
cuts off (`sites`, `n_sites`, `pupils`) and the sites it leaves connected but on one path (`degraded_sites`,
`n_degraded_sites`, `degraded_pupils`, `topology.degraded`). A site is never in both lists of one trench.
The classes (`EFFECT_CLASSES`), least severe first:

- 'none': the loss changes no site's connection;
- 'degraded': it cuts nobody off but leaves sites on one path ("Redundanz verloren");
- 'cut': it cuts sites off ("vom Netz getrennt");
- 'cut_most': it cuts off at least half as many pupils as the worst trench does (and some).

Cutting off outranks degrading. The half-of-the-worst threshold is the project's own choice for the Netz map,
no external norm: relative to the network at hand, so the darkest class always holds the
trenches nearest the worst one.
Their colours: `inventory.palette.EFFECT_COLOURS`; their words: `inventory.vocabulary.effect_labels`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from coverage.errors import NotWithDegradedError

EFFECT_CLASSES = ("none", "degraded", "cut", "cut_most")
"""The classes, least severe first (the map draws them in this order, so the worst lie on top)."""
EFFECT_COLUMNS = ("sites", "n_sites", "pupils", "degraded_sites", "n_degraded_sites", "degraded_pupils")
"""What `trench_effects` keeps of the criticality table."""


def trench_effects(criticality: pd.DataFrame) -> pd.DataFrame:
    """Select the trenches of a criticality table: the sites and pupils each one's loss cuts off or degrades.

    Parameters
    ----------
    criticality : pandas.DataFrame
        `Analysis.criticality_with_degraded()`: one row per element (`element`, `element_id`) whose loss cuts
        off or degrades a site.

    Returns
    -------
    pandas.DataFrame
        One row per trench of `criticality`, indexed by trench id, with `EFFECT_COLUMNS`: sites (ids cut
        off), n_sites, pupils, degraded_sites (ids left on one path), n_degraded_sites, degraded_pupils.
        Trenches whose loss does neither have no row.

    Raises
    ------
    coverage.errors.NotWithDegradedError
        `criticality` lacks one of `EFFECT_COLUMNS` (e.g. it is `Analysis.criticality`).
    """
    missing = [c for c in ("element", "element_id", *EFFECT_COLUMNS) if c not in criticality]
    if missing:
        raise NotWithDegradedError(
            f"the criticality table has no column {', '.join(missing)}; expected the table of "
            "Analysis.criticality_with_degraded(); fix: pass analysis.criticality_with_degraded(), "
            "not analysis.criticality")
    trenches = criticality[criticality["element"] == "trench"]
    return trenches.set_index("element_id")[list(EFFECT_COLUMNS)]


def cut_most_pupils(most_pupils: int) -> int:
    """Return the pupils from which a trench is 'cut_most': half of what the worst trench cuts off, rounded up.

    Rounding up makes `effect_class`'s `2 * pupils >= most_pupils` hold exactly from the threshold on. The
    half-of-the-worst rule is the project's own choice (see the module text).

    Parameters
    ----------
    most_pupils : int
        Pupils the worst trench's loss cuts off (>= 0).

    Returns
    -------
    int
        The threshold in pupils; 0 when no trench cuts pupils off.

    Examples
    --------
    >>> cut_most_pupils(301), cut_most_pupils(300), cut_most_pupils(0)
    (151, 150, 0)
    """
    return (int(most_pupils) + 1) // 2


def cut_most_threshold(effects: pd.DataFrame) -> int:
    """Return the pupils from which a trench of `effects` (`trench_effects`) is 'cut_most'.

    This is `cut_most_pupils` of the largest `pupils`: half of the worst trench, rounded up (the project's own
    choice, see the module text).

    Parameters
    ----------
    effects : pandas.DataFrame
        One row per trench (`trench_effects`), with `pupils` (cut off by its loss).

    Returns
    -------
    int
        The threshold in pupils; 0 for no trench, or when no trench cuts pupils off.
    """
    return cut_most_pupils(int(effects["pupils"].max()) if len(effects) else 0)


def effect_class(n_sites: int, pupils: int, n_degraded_sites: int, most_pupils: int) -> str:
    """Classify a trench by what its loss does (`EFFECT_CLASSES`).

    Parameters
    ----------
    n_sites, pupils : int
        Sites and pupils its loss cuts off.
    n_degraded_sites : int
        Sites its loss leaves connected but on one path.
    most_pupils : int
        Pupils the worst trench's loss cuts off.

    Returns
    -------
    str
        'cut_most' (it cuts sites off, and at least half of `most_pupils`, which is > 0), 'cut', 'degraded'
        or 'none' (`EFFECT_CLASSES`): cutting off outranks degrading.

    Examples
    --------
    With 301 pupils cut off by the worst trench, 'cut_most' starts at 151:

    >>> effect_class(2, 150, 0, 301), effect_class(2, 151, 4, 301), effect_class(0, 0, 3, 301)
    ('cut', 'cut_most', 'degraded')
    """
    if n_sites > 0:
        return "cut_most" if most_pupils > 0 and 2 * pupils >= most_pupils else "cut"
    return "degraded" if n_degraded_sites > 0 else "none"


def route_effects(routes: pd.DataFrame, effects: pd.DataFrame) -> pd.DataFrame:
    """Give each route the effects and the class of the loss of its trench.

    Parameters
    ----------
    routes : pandas.DataFrame
        The routes (at least `trench_id`).
    effects : pandas.DataFrame
        `trench_effects` of the analysis of these routes.

    Returns
    -------
    pandas.DataFrame
        Same index and order as `routes`: n_sites, pupils, n_degraded_sites, degraded_pupils (int64; 0 for a
        trench without a row, e.g. a planned or retired route's) and `effect` (`effect_class`, with the
        worst trench of `effects` as the measure).
    """
    trench = routes["trench_id"].astype(str)
    out = pd.DataFrame(index=routes.index)
    for column in ("n_sites", "pupils", "n_degraded_sites", "degraded_pupils"):
        out[column] = trench.map(effects[column]).fillna(0).astype(np.int64) if len(effects) else 0
    most = int(effects["pupils"].max()) if len(effects) else 0
    out["effect"] = [effect_class(n, p, d, most) for n, p, d in
                     zip(out["n_sites"], out["pupils"], out["n_degraded_sites"], strict=True)]
    return out
