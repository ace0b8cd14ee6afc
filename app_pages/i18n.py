"""Labels of the app in German (default) and English, and number formatting per language."""

from __future__ import annotations

import math

LANGUAGES = {"de": "Deutsch", "en": "English"}
DEFAULT_LANGUAGE = "de"

LABELS: dict[str, tuple[str, str]] = {
    # navigation and frame
    "title": ("GELSEN-NET – Glasfaser-Inventar", "GELSEN-NET – fibre inventory"),
    "language": ("Sprache / Language", "Sprache / Language"),
    "page": ("Seite", "Page"),
    "page.overview": ("Überblick", "Overview"),
    "page.school": ("Meine Schule", "My school"),
    "page.network": ("Netz", "Network"),
    "page.quality": ("Datenqualität", "Data quality"),
    "page.inventory": ("Inventar", "Inventory"),
    "store": ("Datenbestand", "Data store"),
    "loading": ("Lade Inventar …", "Loading inventory …"),
    "store_error": (
        "Das Inventar kann nicht geöffnet werden: {error}. Beispieldaten erzeugen: `gelsennet demo`, "
        "oder GELSENNET_DB auf einen Datenbestand setzen.",
        "The inventory cannot be opened: {error}. Build the sample with `gelsennet demo`, "
        "or set GELSENNET_DB to a data store.",
    ),
    "no_inventory": ("{location} enthält kein Inventar", "{location} holds no inventory"),
    "no_pop": (
        "Im Netz gibt es keinen POP in Betrieb: ohne ihn ist keine Schule erreichbar, und alle Angaben zu Wegen "
        "und Ausfallsicherheit bleiben leer. Knoten der Art `pop` mit Status `in_service` anlegen.",
        "The network has no POP in service: without one no school is reachable, and everything about paths and "
        "redundancy stays empty. Add nodes of kind `pop` with status `in_service`.",
    ),
    "empty_store": (
        "Der Datenbestand ist leer: keine Standorte und keine Trassen. Daten importieren mit "
        "`gelsennet import sites …` und `gelsennet import routes …`.",
        "The data store is empty: no sites and no routes. Import data with "
        "`gelsennet import sites …` and `gelsennet import routes …`.",
    ),
    "synthetic": (
        "Das Glasfasernetz (Trassen, Knoten, Anschlüsse) ist **synthetisch**: die echten Trassen sind nicht "
        "öffentlich. Schulstandorte und Stadtgrenze sind amtliche Daten; Stadtteile und Gewerbeflächen sind "
        "Näherungen. Quellen: data/README.md.",
        "The fibre network (routes, nodes, connections) is **synthetic**: the real routes are not public. "
        "School locations and the city boundary are official data; districts and business-park areas are "
        "approximations. Sources: data/README.md.",
    ),
    # overview
    "kpi.schools_gigabit": ("Schulen mit Gigabit", "Schools on gigabit"),
    "kpi.parks": ("Gewerbegebiete mit Gigabit", "Business parks on gigabit"),
    "kpi.route_km": ("Trassen-km in Betrieb", "Route km in service"),
    "kpi.single_homed": ("Standorte ohne zweiten Weg", "Single-homed sites"),
    "kpi.to_target": ("noch {n} bis zum Ziel", "{n} to go"),
    "kpi.to_target_km": ("noch {n} km zu bauen", "{n} km to build"),
    "kpi.help_schools": (
        "{on} von {all} Schulen sind symmetrisch mit mindestens 1 Gbit/s angeschlossen. Ziel: alle Schulen.",
        "{on} of {all} schools are connected at 1 Gbit/s or more, symmetric. Target: every school.",
    ),
    "kpi.help_parks": (
        "{on} von {all} Gewerbegebieten haben Gigabit; {share} ihrer Fläche liegt in Reichweite der Glasfaser. "
        "Ziel: alle Gebiete.",
        "{on} of {all} business parks are on gigabit; {share} of their area is within reach of fibre. "
        "Target: every park.",
    ),
    "kpi.help_km": (
        "Trassenlänge in Betrieb. Der Ausbauplan (günstigster Anschluss je Standort) braucht noch {n} km neue Trasse.",
        "Route length in service. The expansion plan (cheapest connection per site) needs {n} km of new route.",
    ),
    "kpi.help_single": (
        "Erreichbare Standorte, die ein einzelner Schaden (Trasse, Leitung oder Knoten) vom Netz trennt. Ziel: 0.",
        "Reachable sites that a single failure (trench, cable or node) cuts off. Target: 0.",
    ),
    "map.coverage": ("Karte: Trassen und Standorte nach Versorgungsstatus",
                     "Map: routes and sites by coverage status"),
    "districts": ("Bezirke", "Districts"),
    "level": ("Ebene", "Level"),
    "level.stadtbezirk": ("Stadtbezirke", "Boroughs (Stadtbezirk)"),
    "level.stadtteil": ("Stadtteile", "Quarters (Stadtteil)"),
    "choropleth": ("Anteil der Schulen mit Gigabit je Stadtteil", "Share of schools on gigabit per Stadtteil"),
    "trend": ("Entwicklung seit 2016 (ab diesem Jahr: Planung)", "Trend since 2016 (from this year on: plan)"),
    "download_kpis": ("KPI-Tabelle als CSV", "KPI table as CSV"),
    # school
    "school.search": ("Schule suchen (Name oder Schulnummer)", "Find a school (name or school number)"),
    "school.number": ("… oder Schulnummer eingeben", "… or enter a school number"),
    "school.none": ("Im Datenbestand gibt es keine Schulen.", "There are no schools in the data store."),
    "school.unknown": (
        "Eine Schule mit der Nummer „{number}“ gibt es im Datenbestand nicht. Bitte die sechsstellige "
        "Schulnummer prüfen oder die Schule oben über den Namen suchen.",
        "There is no school with the number “{number}” in the data store. Please check the six-digit "
        "school number or find the school by name above.",
    ),
    "school.status": ("Status", "Status"),
    "school.bandwidth": ("Bandbreite", "Bandwidth"),
    "school.since": ("Angeschlossen seit", "Connected since"),
    "school.pop": ("Netzknoten (POP)", "Network hub (POP)"),
    "school.path": ("Weg bis zum POP", "Path to the POP"),
    "school.redundancy": ("Ausfallsicherheit", "Resilience"),
    "school.planned": ("Geplanter Ausbau", "Planned upgrade"),
    "school.no_plan": ("Kein Ausbau nötig: die Schule hat Gigabit.", "No upgrade needed: the school is on gigabit."),
    "school.plan_row": (
        "Neue Leitung etwa {m} m, geschätzte Kosten {low}–{high} € ({method}).",
        "New line about {m} m, estimated cost {low}–{high} € ({method}).",
    ),
    "school.plan_door": (
        "Die Glasfaser liegt schon am Haus: nur der Hausanschluss wird erneuert, etwa {low}–{high} €.",
        "The fibre is already at the door: only the building connection is renewed, about {low}–{high} €.",
    ),
    "school.planned_for": ("Anschluss geplant für {date}.", "Connection planned for {date}."),
    "school.map": ("Karte: Weg(e) der Schule zum POP", "Map: the school's path(s) to the POP"),
    "unknown": ("unbekannt", "unknown"),
    "none": ("–", "–"),
    # redundancy in plain words
    "red.unreachable": (
        "Ihre Schule ist derzeit nicht über das Glasfasernetz erreichbar.",
        "Your school cannot currently be reached through the fibre network.",
    ),
    "red.redundant": (
        "Ihre Schule ist über zwei getrennte Wege angebunden: fällt einer aus, bleibt sie am Netz.",
        "Your school is connected by two separate paths: if one fails, it stays online.",
    ),
    "red.trench": (
        "Ein einzelner Bagger an Trasse {ids} würde Ihre Schule vom Netz trennen.",
        "A single digger at trench {ids} would cut your school off the network.",
    ),
    "red.segment": (
        "Eine einzelne beschädigte Leitung ({ids}) würde Ihre Schule vom Netz trennen.",
        "A single damaged cable ({ids}) would cut your school off the network.",
    ),
    "red.node": (
        "Ein Ausfall des Netzknotens {ids} würde Ihre Schule vom Netz trennen.",
        "An outage of the network node {ids} would cut your school off the network.",
    ),
    "red.more": (" (und {n} weitere Stellen)", " (and {n} more places)"),
    # status words
    "status.gigabit": ("Gigabit", "Gigabit"),
    "status.connected": ("angeschlossen, unter Gigabit", "connected, below gigabit"),
    "status.planned": ("Anschluss geplant", "connection planned"),
    "status.passed": ("nicht angeschlossen, Glasfaser vor der Tür", "not connected, fibre passes by"),
    "status.near": ("nicht angeschlossen, Glasfaser in der Nähe", "not connected, fibre nearby"),
    "status.gap": ("nicht angeschlossen, keine Glasfaser in der Nähe", "not connected, no fibre nearby"),
    # network
    "net.criticality": (
        "Trassen nach Kritikalität: Schülerinnen und Schüler, die ein Schnitt der Trasse vom Netz trennt",
        "Routes by criticality: pupils cut off when the trench is cut",
    ),
    "net.whatif": ("Was wäre, wenn …?", "What if …?"),
    "net.trenches": ("Ausfallende Trassen (Gräben)", "Failed trenches"),
    "net.segments": ("Ausfallende Abschnitte", "Failed segments"),
    "net.point": ("Baustelle an einem Punkt", "Construction site at a point"),
    "net.crs": ("Koordinaten", "Coordinates"),
    "net.radius": ("Radius (m)", "Radius (m)"),
    "net.isolated": ("Vom Netz getrennt: {n} Standort(e), {p} Schülerinnen und Schüler",
                     "Cut off: {n} site(s), {p} pupils"),
    "net.no_isolated": ("Kein Standort wäre vom Netz getrennt.", "No site would be cut off."),
    "net.nothing": ("Wählen Sie Trassen, Abschnitte oder eine Baustelle.",
                    "Choose trenches, segments or a construction site."),
    "net.diverse": ("Getrennte Wege für einen Standort", "Diverse paths for a site"),
    "net.site": ("Standort", "Site"),
    "net.expansion": ("Ausbauplan (günstigster Anschluss je Standort)",
                      "Expansion plan (cheapest connection per site)"),
    "net.rings": ("Ringschlüsse (neue Verbindungen, geprüft)", "Ring closures (new links, verified)"),
    "net.total": ("Summe: {sites} Standorte, {km} km neue Trasse, {low}–{high} €",
                  "Total: {sites} sites, {km} km new route, {low}–{high} €"),
    "download_csv": ("Als CSV herunterladen", "Download as CSV"),
    # quality
    "q.summary": ("{e} Fehler, {w} Warnungen, {n} Hinweise zur Prüfung",
                  "{e} error(s), {w} warning(s), {n} note(s) for review"),
    "q.clean": ("Keine Probleme gefunden.", "No problems found."),
    "q.map": ("Karte der Befunde mit Ort", "Map of the findings with a location"),
    # inventory (the first page)
    "inv.layers": ("Ebenen auf der Karte", "Layers on the map"),
    "inv.table": ("Tabelle", "Table"),
    "layer.districts": ("Stadtbezirke und Stadtteile (Näherung)", "Boroughs and quarters (approximate)"),
    "layer.routes": ("Trassen (synthetisch)", "Routes (synthetic)"),
    "layer.nodes": ("Netzknoten (synthetisch)", "Network nodes (synthetic)"),
    "layer.sites": ("Standorte (Schulen, Gewerbegebiete)", "Sites (schools, business parks)"),
    "layer.site_areas": ("Gewerbeflächen (Näherung)", "Business-park areas (approximate)"),
}


def t(key: str, lang: str = DEFAULT_LANGUAGE, **values) -> str:
    """The label `key` in `lang` ('de' or 'en'), with `values` filled in."""
    text = LABELS[key][1 if lang == "en" else 0]
    return text.format(**values) if values else text


def fmt(value, decimals: int = 0, lang: str = DEFAULT_LANGUAGE) -> str:
    """A number with thousands separators: 1.234,5 in German, 1,234.5 in English; '–' for a missing value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    try:
        if value != value:  # pandas NA and friends
            return "–"
    except TypeError:
        return "–"
    text = f"{float(value):,.{decimals}f}"
    return text.replace(",", "X").replace(".", ",").replace("X", ".") if lang != "en" else text


def fmt_share(share, lang: str = DEFAULT_LANGUAGE) -> str:
    """A share 0..1 as a percentage with one decimal."""
    return "–" if share is None or share != share else f"{fmt(100 * float(share), 1, lang)} %"


PAGE_MARKERS = {
    "overview": "trend",
    "school": "school.map",
    "network": "net.rings",
    "quality": "q.summary",
    "inventory": "inv.layers",
}
"""Per page, the label of the last part it draws: once shown, the page has painted (browser test, benchmark)."""


def page_marker(page: str, lang: str = "de") -> str:
    """A text the page shows at its end (without placeholders)."""
    return t(PAGE_MARKERS[page], lang).split("{")[-1].split("}")[-1].strip() or t(PAGE_MARKERS[page], lang)
