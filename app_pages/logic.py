"""What the app pages show, computed from the library's tables: KPI cards, the school card,
redundancy in plain words, criticality per route, the locations of validation findings.

Every number comes from `inventory`, `topology` or `coverage`; this module only picks and words it.
"""

from __future__ import annotations

import html
import math
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence

import geopandas as gpd
import pandas as pd
import shapely

from app_pages.formats import shown_table
from app_pages.i18n import LABELS, cell_text, column_label, date_text, fmt, fmt_share, t
from app_pages.places import SchoolPlaces
from app_pages.resilience_text import second_path_text, trench_cuts_text
from coverage.config import CoverageConfig, load_config
from coverage.kpis import CITY_ID
from inventory.palette import ROUTE_COLOURS as ROUTE_COLOURS  # the colour rules live in inventory.palette
from inventory.palette import STATUS_COLOURS as STATUS_COLOURS
from inventory.palette import share_colour as share_colour
from inventory.schema import CRS, LAYERS

MAX_LISTED = 3


def city_row(kpis: pd.DataFrame) -> pd.Series:
    """The whole-city row of `coverage.kpis.district_kpis`."""
    return kpis.loc[kpis["district_id"] == CITY_ID].iloc[0]


CARD_FIGURES = ("schools_gigabit", "business_parks_gigabit", "route_km", "sites_single_homed")
"""The figure of each Überblick card, in the cards' order (`card_figures`)."""
LESS_IS_BETTER = frozenset({"sites_single_homed"})
"""Cards whose figure should fall: their delta is coloured the other way round (a fall is green)."""


def card_figures(kpis: pd.DataFrame, summary: Mapping, analysis_summary: Mapping) -> dict[str, float]:
    """The figures the Überblick cards compare over time: schools and business parks on gigabit (city row of
    `coverage.kpis.district_kpis`), route km in service (`inventory.summary`), single-homed sites (topology)."""
    city = city_row(kpis)
    return {"schools_gigabit": int(city["schools_gigabit"]),
            "business_parks_gigabit": int(city["business_parks_gigabit"]),
            "route_km": float(summary["route_km"].get("in_service", 0.0)),
            "sites_single_homed": int(analysis_summary["sites_single_homed"])}


def delta_text(change: float, decimals: int = 0, unit: str = "", lang: str = "de") -> str:
    """A change as st.metric reads it: '+3', '-1,2 km' (an ASCII minus, which Streamlit takes for a fall)
    and exactly '0' for no change (grey, no arrow), also when the change rounds to zero."""
    if round(float(change), decimals) == 0:
        return "0"
    return f"{'+' if change > 0 else '-'}{fmt(abs(change), decimals, lang)}{unit}"


def ring_set_text(ring_set: Mapping | None, lang: str = "de") -> str:
    """The ring closures that would leave no school single-homed, for the km card: length (km) and cost range
    (an estimate); the schools no proposal reaches, if any. Empty without a ring set (see `data.ring_set_of`)."""
    if ring_set is None:
        return ""
    if not ring_set["single_homed"]:
        return t("kpi.rings_none_needed", lang)
    text = t("kpi.rings", lang, km=fmt(ring_set["new_route_m"] / 1000, 1, lang),
             low=fmt(ring_set["cost_low_eur"], 0, lang), high=fmt(ring_set["cost_high_eur"], 0, lang))
    if ring_set["remaining"]:
        text += " " + t("kpi.rings_remaining", lang, n=fmt(len(ring_set["remaining"]), 0, lang))
    return text


def overview_cards(kpis: pd.DataFrame, summary: Mapping, analysis_summary: Mapping, totals: Mapping,
                   lang: str = "de", before: Mapping | None = None,
                   ring_set: Mapping | None = None) -> list[dict[str, str]]:
    """The four KPI cards, each: label, value; delta, the change since `before` (`card_figures` of the inventory
    at the end of `before["year"]`, see `coverage.trend.inventory_at_year_end`; empty without it), with
    delta_color ('normal', or 'inverse' where less is better: a fall in single-homed sites is green) and
    delta_description (since when); target, the distance to the target; rings, on the route-km card, what
    the ring closures that leave no school single-homed take (`ring_set_text`); and a help text."""
    city = city_row(kpis)
    now = card_figures(kpis, summary, analysis_summary)
    km, single = now["route_km"], now["sites_single_homed"]
    share_parks = fmt_share(city["share_park_area_covered"], lang)
    cards = [
        {"label": t("kpi.schools_gigabit", lang),
         "value": f"{fmt(city['schools_gigabit'], 0, lang)} ({fmt_share(city['share_schools_gigabit'], lang)})",
         "target": t("kpi.to_target", lang, n=fmt(city["schools_to_target"], 0, lang)),
         "help": t("kpi.help_schools", lang, on=fmt(city["schools_gigabit"], 0, lang),
                   all=fmt(city["schools"], 0, lang))},
        {"label": t("kpi.parks", lang),
         "value": f"{fmt(city['business_parks_gigabit'], 0, lang)} / {fmt(city['business_parks'], 0, lang)}",
         "target": t("kpi.to_target", lang, n=fmt(city["business_parks_to_target"], 0, lang)),
         "help": t("kpi.help_parks", lang, on=fmt(city["business_parks_gigabit"], 0, lang),
                   all=fmt(city["business_parks"], 0, lang), share=share_parks)},
        {"label": t("kpi.route_km", lang), "value": fmt(km, 1, lang),
         "target": t("kpi.to_target_km", lang, n=fmt(totals["new_route_km"], 1, lang)),
         "rings": ring_set_text(ring_set, lang),
         "help": t("kpi.help_km", lang, n=fmt(totals["new_route_km"], 1, lang))},
        {"label": t("kpi.single_homed", lang), "value": fmt(single, 0, lang),
         "target": t("kpi.to_target", lang, n=fmt(single, 0, lang)),
         "help": t("kpi.help_single", lang)},
    ]
    for card, figure in zip(cards, CARD_FIGURES, strict=True):
        card.setdefault("rings", "")
        card["delta_color"] = "inverse" if figure in LESS_IS_BETTER else "normal"
        if before is None:
            card["delta"], card["delta_description"] = "", ""
            continue
        decimals, unit = (1, " km") if figure == "route_km" else (0, "")
        card["delta"] = delta_text(now[figure] - before[figure], decimals, unit, lang)
        card["delta_description"] = t("kpi.since", lang, year=before["year"])
        card["help"] += " " + t("kpi.help_since", lang, year=before["year"])
    return cards


def card_note(card: Mapping) -> str:
    """A card's small print in one line (the printed report): change and since when, distance to the target."""
    change = f"{card['delta']} {card['delta_description']}".strip()
    return " · ".join(part for part in (change, card["target"]) if part)


def status_reason(code: str, values: Mapping, lang: str = "de") -> str:
    """A reason of `coverage.status.site_status` (its reason_code and reason_values) in words of `lang`, with
    the numbers and dates as the language writes them (German: 1.000, 25.01.2027)."""
    shown = {name: date_text(value, lang) if name.endswith("_date") else _reason_number(name, value, lang)
             for name, value in values.items()}
    return t(f"reason.{code}", lang, **shown)


def _reason_number(name: str, value: float, lang: str) -> str:
    """Distances in whole metres; bandwidths and limits with the decimals they have (2.5 Mbit/s, 1000 Mbit/s)."""
    decimals = 0 if name == "distance_m" else len(f"{value:g}".partition(".")[2])
    return fmt(value, decimals, lang)


def _listed(ids, lang: str, places: Callable[[list], list[str]] | None = None) -> str:
    ids = list(ids) if places is None else places(ids)
    text = (", " if places is None else "; ").join(str(i) for i in ids[:MAX_LISTED])
    return text + (t("red.more", lang, n=len(ids) - MAX_LISTED) if len(ids) > MAX_LISTED else "")


def redundancy_text(row: Mapping, lang: str = "de", places: SchoolPlaces | None = None, *, pair=None) -> str:
    """A site's redundancy (a row of `topology.analysis.analyse(...).sites`) in plain words; a site whose
    redundancy rests on trenches that are possibly one (`review_trenches`) gets a sentence for review.

    "Two separate paths" is said only where `pair` (the site's `topology.diverse.diverse_paths`) has found
    two paths that share no trench; a redundant site without that proof is told what `redundant` means (no
    single failure cuts it off), and where no such pair exists, that too. A site that is not on the network
    by its `connection` (none; planned) is told so, not that the network cannot reach it. With `places`
    (`app_pages.places.SchoolPlaces` of the site) the weak points are named by where they are (Stadtteil,
    nearby named sites and POPs), not by their ids."""
    def listed(kind: str, ids) -> str:
        return _listed(ids, lang, None if places is None else lambda i: places(kind, i))

    at = "" if places is None else "_at"
    if not row["reachable"]:
        if row.get("connection") == "none":
            return t("red.not_connected", lang)
        if row.get("connection") == "planned" and not row.get("on_network", True):
            return t("red.planned", lang)
        return t("red.unreachable", lang)
    review = list(row.get("review_trenches", None) or [])
    sentences = []
    if row["redundant"]:
        apart = None if pair is None else pair.trench_disjoint
        sentences.append(t("red.redundant", lang) if apart else t("red.no_single_cut", lang))
        if apart is False:
            sentences.append(t("red.no_apart_pair", lang))
    if len(row["spof_trenches"]):
        sentences.append(t("red.trench" + at, lang, ids=listed("trench", row["spof_trenches"])))
    if len(row["spof_segments"]) and not len(row["spof_trenches"]):
        sentences.append(t("red.segment" + at, lang, ids=listed("segment", row["spof_segments"])))
    if len(row["spof_nodes"]):
        sentences.append(t("red.node" + at, lang, ids=listed("node", row["spof_nodes"])))
    pop = row.get("depends_on_pop")
    if pop is not None and not pd.isna(pop):
        sentences.append(t("red.pop", lang, pop=places.pop_name(pop) if places is not None else pop))
    if review:
        sentences.append(t("red.review" + at, lang, ids=listed("trench", review)))
    return " ".join(sentences)


_LEADING_NON_ALNUM = re.compile(r"^[\W_]+")
_DIGITS = re.compile(r"(\d+)")


def natural_key(text) -> tuple[list, str]:
    """A sort key for names and ids as a reader looks them up in a list: what comes before the first letter or
    digit (punctuation, markup, blanks, symbols) is passed over, so '![x](…) Schule' files under X, not
    first; case and accents are folded (DIN 5007-1: ä as a, ß as ss); runs of digits count as numbers
    (T2 before T10). Ties keep a fixed order by the text itself.

    Not `locale.strxfrm`: its order depends on the process-wide locale, which is not safe to switch in a
    threaded server, and the German locale is often not installed (containers)."""
    text = str(text)
    folded = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()
    parts = _DIGITS.split(_LEADING_NON_ALNUM.sub("", folded))  # text, number, text, ...: alike types compared
    return [int(p) if i % 2 else p for i, p in enumerate(parts)], text


def school_label(row) -> str:
    return f"{row['name']} ({row['site_id']})"


def school_options(sites: pd.DataFrame) -> dict[str, str]:
    """site_id → 'name (number)' of every school, sorted by name and number (`natural_key`), for a
    searchable selectbox."""
    schools = sites[sites["kind"] == "school"]
    rows = sorted((r for _, r in schools.iterrows()),
                  key=lambda r: (natural_key(r["name"]), natural_key(r["site_id"])))
    return {str(r["site_id"]): school_label(r) for r in rows}


def find_school(sites: pd.DataFrame, number: str) -> str | None:
    """The site_id of the school with this number (leading/trailing blanks ignored), else None."""
    number = (number or "").strip()
    match = sites[(sites["kind"] == "school") & (sites["site_id"].astype(str) == number)]
    return str(match["site_id"].iloc[0]) if len(match) else None


def _date(value, lang: str) -> str:
    if value is None or pd.isna(value):
        return t("unknown", lang)
    return pd.Timestamp(value).strftime("%d.%m.%Y" if lang != "en" else "%Y-%m-%d")


def _known(value) -> bool:
    return value is not None and not pd.isna(value)


def per_head_text(site: Mapping, status: Mapping, lang: str = "de", config: CoverageConfig | None = None) -> str:
    """The school's bandwidth per head of pupils and staff (`coverage.status.site_status`'s mbps_per_head and
    meets_school_benchmark) against the benchmark (`CoverageConfig.schools`: 1 Gbit/s per 1,000 heads), with a
    plain word when it falls short and the bandwidth that would meet it (rounded up to 10 Mbit/s)."""
    config = config or load_config()
    if site["connection"] != "connected":
        return t("school.per_head_none", lang)
    per_head = status.get("mbps_per_head")
    if not _known(per_head) or not _known(site["pupils"]):
        return t("school.per_head_unknown", lang)
    values = {"value": fmt(per_head, 2, lang), "heads": fmt(_heads(site, config), 0, lang),
              "benchmark": fmt(config.schools.mbps_per_head, 1 if config.schools.mbps_per_head % 1 else 0, lang),
              "need": _need_text(site, lang, config)}
    return t("school.per_head_ok" if bool(status.get("meets_school_benchmark")) else "school.per_head_short",
             lang, **values)


def inventory_plan_text(site: Mapping, lang: str = "de") -> str:
    """What the inventory itself says is planned for the site (connection = planned, planned_date): a record,
    not an estimate."""
    if site["connection"] != "planned":
        return t("school.inventory_nothing", lang)
    if not _known(site["planned_date"]):
        return t("school.inventory_planned_undated", lang)
    return t("school.inventory_planned_for", lang, date=_date(site["planned_date"], lang))


def estimate_text(site: Mapping, status: Mapping, plan_row: Mapping | None, lang: str = "de",
                  config: CoverageConfig | None = None) -> str:
    """The tool's estimate for the site (a row of `coverage.expansion.expansion_plan`, None for a site on
    gigabit), worded as an estimate: the cost range over the construction methods (`CostTable.range_methods`,
    named in plain words), rounded outwards to 100 €. Fibre at the door needs no new line, so the method makes
    no difference and the cost is the one building-connection amount: said as one guide value, not a range of
    two equal ends. A gigabit school short of the bandwidth per head is told that it needs more."""
    config = config or load_config()
    if plan_row is None:
        meets = status.get("meets_school_benchmark")
        if not _known(meets):
            return t("school.estimate_gigabit", lang)
        return t("school.estimate_none", lang) if bool(meets) else \
            t("school.estimate_short", lang, need=_need_text(site, lang, config))
    if bool(plan_row["fibre_at_door"]):
        return t("school.estimate_door", lang, cost=fmt(plan_row["cost_eur"], 0, lang))
    if not _known(plan_row["new_route_m"]):
        return t("school.estimate_unreachable", lang)
    cost = config.cost
    methods = sorted(cost.range_methods, key=lambda m: cost.eur_per_m[m])
    return t("school.estimate_route", lang, m=fmt(plan_row["new_route_m"], 0, lang),
             detour=fmt(cost.detour_factor, 1, lang),
             low=fmt(math.floor(float(plan_row["cost_low_eur"]) / 100) * 100, 0, lang),
             high=fmt(math.ceil(float(plan_row["cost_high_eur"]) / 100) * 100, 0, lang),
             cheap=method_text(methods[0], lang), dear=method_text(methods[-1], lang))


def _heads(site: Mapping, config: CoverageConfig) -> float:
    """Pupils and staff, the staff estimated from the pupils (`SchoolBenchmark.staff_per_pupil`), as
    `coverage.status.site_status` counts them."""
    return float(site["pupils"]) * (1 + config.schools.staff_per_pupil)


def _need_text(site: Mapping, lang: str, config: CoverageConfig) -> str:
    """The bandwidth (Mbit/s) that would meet the benchmark per head, rounded up to 10 Mbit/s."""
    if not _known(site["pupils"]):
        return t("unknown", lang)
    return fmt(math.ceil(_heads(site, config) * config.schools.mbps_per_head / 10) * 10, 0, lang)


def method_text(method: str, lang: str = "de") -> str:
    """A construction method (routes' `method`, the cost table's keys) in plain words."""
    key = f"method.{method}"
    return t(key, lang) if key in LABELS else str(method).replace("_", " ")


def school_card(site: Mapping, status: Mapping, redundancy: Mapping, plan_row: Mapping | None,
                lang: str = "de", places: SchoolPlaces | None = None,
                config: CoverageConfig | None = None, *, pair=None,
                degraded_by: Mapping[str, Sequence[str]] | None = None) -> dict[str, str]:
    """The facts of one school, label → text: address, Stadtteil, pupils, status with reason, bandwidth and
    bandwidth per head, connected since, POP and path length, redundancy in plain words, what the inventory
    plans (a record) and what the tool estimates (labelled as an estimate).

    site: a row of the sites layer; status: its row of `coverage.status.site_status`; redundancy: its row of
    `topology.analysis.analyse(...).sites` with `site_id`; plan_row: its row of
    `coverage.expansion.expansion_plan`, None if it has none; places: `app_pages.places.SchoolPlaces` of the
    school, to name the POP, the Stadtteil and the weak points by place (without it: by id); pair: the
    school's `topology.diverse.diverse_paths`, the proof of "two separate paths" (`redundancy_text`);
    degraded_by: element kind → the trenches and nodes whose loss alone leaves the school on one path
    (`criticality.degraded_by_site`). With `places` and `degraded_by`, the redundancy names those places and
    a fact says how many construction sites at once cut the school off (`resilience_text`)."""
    config = config or load_config()
    bandwidth = site["bandwidth_mbps"]
    if bandwidth is None or pd.isna(bandwidth):
        bandwidth_text = t("unknown", lang) if site["connection"] == "connected" else t("none", lang)
    else:
        symmetric = site["symmetric"]
        sym = "" if symmetric is None or pd.isna(symmetric) else (
            (" symmetrisch" if lang != "en" else " symmetric") if bool(symmetric)
            else (" asymmetrisch" if lang != "en" else " asymmetric"))
        bandwidth_text = f"{fmt(bandwidth, 0, lang)} Mbit/s{sym}"
    reachable = bool(redundancy["reachable"])
    path = t("none", lang) if not reachable else \
        f"{fmt(redundancy['distance_m'] / 1000, 2, lang)} km, {fmt(redundancy['hops'], 0, lang)} " + \
        ("Abschnitte" if lang != "en" else "segments")
    pop = t("none", lang) if not reachable else \
        (places.pop_name(redundancy["pop"]) if places is not None else str(redundancy["pop"]))
    if places is not None:
        district = places.district()
    else:
        district = str(site["district"]) if _known(site.get("district")) else t("none", lang)
    reason = status_reason(status["reason_code"], status["reason_values"], lang)
    status_text = f"{t('status.' + str(status['status']), lang)} – {reason}"
    address = site.get("address")
    resilience = redundancy_text(redundancy, lang, places, pair=pair)
    beyond = {}
    if places is not None and degraded_by is not None:
        second = second_path_text(redundancy, degraded_by, places, lang)
        resilience = f"{resilience} {second}" if second else resilience
        beyond = {t("school.cuts", lang): trench_cuts_text(redundancy, places, lang)}
    return {
        t("school.address", lang): str(address) if _known(address) else t("unknown", lang),
        t("school.district", lang): district,
        t("school.pupils", lang): fmt(site["pupils"], 0, lang) if _known(site["pupils"]) else t("unknown", lang),
        t("school.status", lang): status_text,
        t("school.bandwidth", lang): bandwidth_text,
        t("school.per_head", lang): per_head_text(site, status, lang, config),
        t("school.since", lang): _date(site["connected_since"], lang) if site["connection"] == "connected"
        else t("none", lang),
        t("school.pop", lang): pop,
        t("school.path", lang): path,
        t("school.redundancy", lang): resilience,
        **beyond,
        t("school.inventory_plan", lang): inventory_plan_text(site, lang),
        t("school.estimate", lang): estimate_text(site, status, plan_row, lang, config),
    }


_NEAR = re.compile(r"\((-?\d+(?:\.\d+)?),\s*(-?\d+(?:\.\d+)?)\)")


def problem_locations(problems: list[Mapping], frames: Mapping[str, gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    """One point (EPSG:25832) per finding that has a place: the coordinates it names ('near (x, y)'), else a
    point on the record its row names ('route_id R17'). Findings without a place are left out."""
    rows, points = [], []
    for i, p in enumerate(problems):
        point = None
        found = _NEAR.search(str(p.get("value") or ""))
        if found:
            point = shapely.Point(float(found.group(1)), float(found.group(2)))
        elif p.get("row") and p.get("layer") in frames and p["layer"] in LAYERS:
            key, _, value = str(p["row"]).partition(" ")
            frame = frames[p["layer"]]
            if key == LAYERS[p["layer"]].key and key in frame.columns:
                hit = frame[frame[key].astype(str) == value]
                geom = hit.geometry.iloc[0] if len(hit) else None
                if geom is not None and not geom.is_empty:
                    point = shapely.point_on_surface(geom)
        if point is not None:
            rows.append({"finding": i, "severity": p.get("severity"), "layer": p.get("layer"),
                         "rule": p.get("rule"), "message": p.get("message", "")})
            points.append(point)
    columns = ["finding", "severity", "layer", "rule", "message"]
    return gpd.GeoDataFrame(pd.DataFrame(rows, columns=columns), geometry=points, crs=CRS)


def labelled(table: pd.DataFrame, lang: str = "de") -> pd.DataFrame:
    """`table` for `st.dataframe` in `lang` (`app_pages.formats.shown_table`): headers in words with units,
    codes in words, list cells joined by commas, numbers as the language writes them."""
    return shown_table(table, lang)


TABLE_CLASS = "gn-table"
TEXT_CELL = ' class="text"'
_TABLE_CSS = (f"<style>.{TABLE_CLASS} {{border-collapse: collapse; font-size: 0.85rem; display: block;"
              f" overflow-x: auto}} .{TABLE_CLASS} th, .{TABLE_CLASS} td"
              f" {{border: 1px solid rgba(49, 51, 63, 0.2); padding: 0.2rem 0.4rem}}"
              f" .{TABLE_CLASS} th {{font-weight: 600; text-align: left; vertical-align: bottom}}"
              f" .{TABLE_CLASS} td {{text-align: right}} .{TABLE_CLASS} td.text {{text-align: left}}</style>")


def table_html(table: pd.DataFrame, lang: str = "de") -> str:
    """`table` as a plain HTML table for `st.html`: headers in `lang`, cells as `cell_text` shows them
    (escaped; '–' where missing), text left and numbers right. A static table needs no script file in the
    browser, which a landing page without a GPU feels."""
    numeric = [pd.api.types.is_numeric_dtype(table[c]) for c in table.columns]
    head = "".join(f"<th>{html.escape(column_label(c, lang))}</th>" for c in table.columns)
    rows = []
    for values in table.itertuples(index=False):
        cells = (f"<td{'' if number else TEXT_CELL}>{html.escape(cell_text(c, v, lang))}</td>"
                 for c, v, number in zip(table.columns, values, numeric, strict=True))
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return (f'{_TABLE_CSS}<table class="{TABLE_CLASS}"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>")


def legend_html(items: list[tuple[str, list[int]]]) -> str:
    """A one-line colour legend: a coloured square and its label per item (HTML for st.html)."""
    def swatch(colour: list[int]) -> str:
        r, g, b = colour[:3]
        return (f'<span style="display:inline-block;width:0.9em;height:0.9em;background:rgb({r},{g},{b});'
                f'border:1px solid #666;margin:0 0.3em -0.1em 0"></span>')
    parts = [f'<span style="margin-right:1.2em">{swatch(c)}{html.escape(label)}</span>' for label, c in items]
    return '<div style="font-size:0.9em">' + "".join(parts) + "</div>"
