"""What the app pages show, computed from the library's tables: KPI cards, the school card,
redundancy in plain words, criticality per route, the locations of validation findings.

Every number comes from `inventory`, `topology` or `coverage`; this module only picks and words it.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Mapping

import geopandas as gpd
import pandas as pd
import shapely

from app_pages.formats import shown_table
from app_pages.i18n import cell_text, column_label, fmt, fmt_share, t
from coverage.kpis import CITY_ID
from inventory.schema import CRS, LAYERS

STATUS_COLOURS = {
    "gigabit": [0, 140, 70], "connected": [120, 190, 60], "planned": [230, 140, 0],
    "passed": [240, 200, 0], "near": [230, 90, 30], "gap": [200, 30, 30],
}
ROUTE_COLOURS = {"in_service": [0, 92, 169], "planned": [230, 140, 0], "retired": [150, 150, 150]}
MAX_LISTED = 3


def city_row(kpis: pd.DataFrame) -> pd.Series:
    """The whole-city row of `coverage.kpis.district_kpis`."""
    return kpis.loc[kpis["district_id"] == CITY_ID].iloc[0]


def overview_cards(kpis: pd.DataFrame, summary: Mapping, analysis_summary: Mapping, totals: Mapping,
                   lang: str = "de") -> list[dict[str, str]]:
    """The four KPI cards: label, value, the distance to the target (the metric's delta) and a help text."""
    city = city_row(kpis)
    km = float(summary["route_km"].get("in_service", 0.0))
    single = int(analysis_summary["sites_single_homed"])
    share_parks = fmt_share(city["share_park_area_covered"], lang)
    return [
        {"label": t("kpi.schools_gigabit", lang),
         "value": f"{fmt(city['schools_gigabit'], 0, lang)} ({fmt_share(city['share_schools_gigabit'], lang)})",
         "delta": t("kpi.to_target", lang, n=fmt(city["schools_to_target"], 0, lang)),
         "help": t("kpi.help_schools", lang, on=fmt(city["schools_gigabit"], 0, lang),
                   all=fmt(city["schools"], 0, lang))},
        {"label": t("kpi.parks", lang),
         "value": f"{fmt(city['business_parks_gigabit'], 0, lang)} / {fmt(city['business_parks'], 0, lang)}",
         "delta": t("kpi.to_target", lang, n=fmt(city["business_parks_to_target"], 0, lang)),
         "help": t("kpi.help_parks", lang, on=fmt(city["business_parks_gigabit"], 0, lang),
                   all=fmt(city["business_parks"], 0, lang), share=share_parks)},
        {"label": t("kpi.route_km", lang), "value": fmt(km, 1, lang),
         "delta": t("kpi.to_target_km", lang, n=fmt(totals["new_route_km"], 1, lang)),
         "help": t("kpi.help_km", lang, n=fmt(totals["new_route_km"], 1, lang))},
        {"label": t("kpi.single_homed", lang), "value": fmt(single, 0, lang),
         "delta": t("kpi.to_target", lang, n=fmt(single, 0, lang)),
         "help": t("kpi.help_single", lang)},
    ]


# The library's status reasons (coverage.status) word by word in German, longest phrases first.
_REASON_DE = (
    ("not connected", "nicht angeschlossen"), ("no in-service fibre", "keine Glasfaser in Betrieb"),
    ("in-service fibre", "Glasfaser in Betrieb"), ("m away", "m entfernt"),
    ("connection planned for", "Anschluss geplant für"), ("planned, no date set", "geplant, noch ohne Termin"),
    ("bandwidth unknown", "Bandbreite unbekannt"), ("symmetry unknown", "Symmetrie unbekannt"),
    ("asymmetric", "asymmetrisch"), ("symmetric", "symmetrisch"), ("connected at", "angeschlossen mit"),
    ("connected", "angeschlossen"), ("below", "unter"),
)


def status_reason(reason: str, lang: str = "de") -> str:
    """A reason of `coverage.status.site_status` in the app's language (the library words it in English)."""
    if lang == "en":
        return reason
    for english, german in _REASON_DE:
        reason = reason.replace(english, german)
    return reason


def _listed(ids, lang: str) -> str:
    ids = list(ids)
    text = ", ".join(str(i) for i in ids[:MAX_LISTED])
    return text + (t("red.more", lang, n=len(ids) - MAX_LISTED) if len(ids) > MAX_LISTED else "")


def redundancy_text(row: Mapping, lang: str = "de") -> str:
    """A site's redundancy (a row of `topology.analysis.analyse(...).sites`) in plain words; a site whose
    redundancy rests on trenches that are possibly one (`review_trenches`) gets a sentence for review."""
    if not row["reachable"]:
        return t("red.unreachable", lang)
    review = list(row.get("review_trenches", None) or [])
    sentences = [t("red.redundant", lang)] if row["redundant"] else []
    if len(row["spof_trenches"]):
        sentences.append(t("red.trench", lang, ids=_listed(row["spof_trenches"], lang)))
    if len(row["spof_segments"]) and not len(row["spof_trenches"]):
        sentences.append(t("red.segment", lang, ids=_listed(row["spof_segments"], lang)))
    if len(row["spof_nodes"]):
        sentences.append(t("red.node", lang, ids=_listed(row["spof_nodes"], lang)))
    if review:
        sentences.append(t("red.review", lang, ids=_listed(review, lang)))
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


def school_card(site: Mapping, status: Mapping, redundancy: Mapping, plan_row: Mapping | None,
                lang: str = "de") -> dict[str, str]:
    """The facts of one school, label → text: status with reason, bandwidth, connected since, POP and path
    length, redundancy in plain words, planned upgrade."""
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
    if plan_row is None:
        planned = t("school.no_plan", lang) if status["status"] == "gigabit" else t("none", lang)
    else:
        low, high = fmt(plan_row["cost_low_eur"], 0, lang), fmt(plan_row["cost_high_eur"], 0, lang)
        planned = t("school.plan_door", lang, low=low, high=high) if plan_row["fibre_at_door"] else \
            t("school.plan_row", lang, m=fmt(plan_row["new_route_m"], 0, lang), low=low, high=high,
              method=plan_row["method"])
        if site["connection"] == "planned" and not pd.isna(site["planned_date"]):
            planned = t("school.planned_for", lang, date=_date(site["planned_date"], lang)) + " " + planned
    status_text = f"{t('status.' + str(status['status']), lang)} – {status_reason(status['reason'], lang)}"
    return {
        t("school.status", lang): status_text,
        t("school.bandwidth", lang): bandwidth_text,
        t("school.since", lang): _date(site["connected_since"], lang) if site["connection"] == "connected"
        else t("none", lang),
        t("school.pop", lang): str(redundancy["pop"]) if reachable else t("none", lang),
        t("school.path", lang): path,
        t("school.redundancy", lang): redundancy_text(redundancy, lang),
        t("school.planned", lang): planned,
    }


def ramp_colour(value: float, top: float) -> list[int]:
    """Blue (0) → yellow → red (`top`); grey for a missing value."""
    if value is None or pd.isna(value):
        return [170, 170, 170, 120]
    x = 0.0 if top <= 0 else min(max(float(value) / top, 0.0), 1.0)
    if x == 0:
        return [0, 92, 169, 200]
    return [int(240 - 40 * x), int(200 * (1 - x)), 0, 230]


def share_colour(share) -> list[int]:
    """Red (0 %) → green (100 %) for the choropleth; grey without schools."""
    if share is None or pd.isna(share):
        return [200, 200, 200, 60]
    x = min(max(float(share), 0.0), 1.0)
    return [int(200 * (1 - x)), int(60 + 100 * x), 60, 140]


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
