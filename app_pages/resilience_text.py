"""The school card's resilience beyond the first cut, in plain words: which single place would
leave a redundant school on one path, and how many construction sites at once it takes to cut it off.

Every sentence is derived from the analysis (`topology.analysis.analyse`): the places are the trenches and
nodes in whose `degraded_sites` the school appears (`topology.degraded`, gathered per site by
`app_pages.criticality.degraded_by_site`), the count is the site's `trench_cuts_to_isolate` and the pair
named its first `weakest_trench_pairs` (`topology.trench_cuts`). Places are worded by
`app_pages.places.SchoolPlaces`, nearest to the school first, at most `MAX_PLACES` of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from app_pages.i18n import fmt, t
from app_pages.places import SchoolPlaces

MAX_PLACES = 3
"""Places a sentence lists before it says how many more there are."""


def _grouped(places: SchoolPlaces, kind: str, ids: Sequence[str]) -> list[tuple[str, int]]:
    """(place phrase, number of elements there) for `ids`, nearest to the school first."""
    counts: dict[str, int] = {}
    for element in places.nearest_first(kind, ids):
        phrase = places(kind, [element])[0]
        counts[phrase] = counts.get(phrase, 0) + 1
    return list(counts.items())


def _listed(phrases: list[str], lang: str) -> str:
    text = "; ".join(phrases[:MAX_PLACES])
    return text + (t("red.more", lang, n=len(phrases) - MAX_PLACES) if len(phrases) > MAX_PLACES else "")


def second_path_text(row: Mapping, degraded_by: Mapping[str, Sequence[str]], places: SchoolPlaces,
                     lang: str = "de") -> str:
    """For a redundant school (`row`: its row of `analyse(...).sites`), the places whose loss alone would leave
    it on one path: its degrading trenches (and nodes), from `degraded_by` (kind → element ids, as
    `criticality.degraded_by_site` gives them), named by `places`; a redundant school that no single trench
    leaves on one path is told so. '' for a school that is not redundant (it has no second path to lose)."""
    if not row.get("reachable") or not row.get("redundant"):
        return ""
    sentences = []
    for kind in ("trench", "node"):
        ids = list(degraded_by.get(kind, []))
        if not ids:
            if kind == "trench":
                sentences.append(t("second.none", lang))
            continue
        groups = _grouped(places, kind, ids)
        if len(groups) == 1:
            place, n = groups[0]
            sentences.append(t(f"second.{kind}_one", lang, place=place) if n == 1 else
                             t(f"second.{kind}_one_of", lang, place=place, n=fmt(n, 0, lang)))
        else:
            sentences.append(t(f"second.{kind}_many", lang, places=_listed([p for p, _ in groups], lang)))
    return " ".join(sentences)


def trench_cuts_text(row: Mapping, places: SchoolPlaces, lang: str = "de") -> str:
    """How many construction sites (trench cuts) at once it takes to cut the school off (`row`: its row of
    `analyse(...).sites`: `trench_cuts_to_isolate`, `weakest_trench_pairs`): one; two, naming the weakest
    pair's places; three or more. '–' for a school the network does not reach (0)."""
    level = int(row.get("trench_cuts_to_isolate", 0) or 0)
    if level == 1:
        return t("cuts.one", lang)
    if level >= 3:
        return t("cuts.three", lang)
    pairs = list(row.get("weakest_trench_pairs", None) or [])
    if level != 2 or not pairs:
        return t("none", lang)
    a, b = (places("trench", [pairs[0][key]])[0] for key in ("trench_a", "trench_b"))
    pair = t("cuts.pair_same", lang, place=a) if a == b else t("cuts.pair", lang, a=a, b=b)
    return t("cuts.two" if len(pairs) == 1 else "cuts.two_eg", lang, pair=pair)
