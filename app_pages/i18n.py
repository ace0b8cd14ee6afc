"""Labels of the app in German (default) and English, and number formatting per language."""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re
import string

import numpy as np
import pandas as pd
from babel.numbers import format_decimal

from inventory.vocabulary import LEGEND, PAIR_KINDS, RULES, VALUES

LANGUAGES = {"de": "Deutsch", "en": "English"}
DEFAULT_LANGUAGE = "de"
LOCALES = {"de": "de_DE", "en": "en_GB"}
"""The Babel (CLDR) locale of each language: its number format."""

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
    "kpi.since": ("seit Ende {year}", "since the end of {year}"),
    "kpi.help_since": (
        "Die Veränderung seit Ende {year} folgt aus den Bau- und Anschlussdaten des Bestands (frühere Bandbreiten "
        "und Stilllegungen sind nicht erfasst).",
        "The change since the end of {year} follows from the inventory's build and connection dates (earlier "
        "bandwidths and retirements are not recorded).",
    ),
    "kpi.rings": (
        "Ringschlüsse für die Schulen mit nur einem Weg: {km} km, etwa {low}–{high} € (Schätzung)",
        "Ring closures for the schools with only one path: {km} km, about €{low}–{high} (estimate)",
    ),
    "kpi.rings_remaining": (
        "Danach hätten {n} Schulen noch keinen zweiten Weg (kein Ringschluss erreicht sie).",
        "{n} schools would still have no second path (no ring closure reaches them).",
    ),
    "kpi.rings_none_needed": ("Jede erreichbare Schule hat einen zweiten Weg.",
                              "Every reachable school has a second path."),
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
    "districts.view": ("Kennzahlen", "Figures"),
    "districts.view.summary": ("Kernzahlen", "Key figures"),
    "districts.view.schools": ("Schulen nach Status", "Schools by status"),
    "districts.view.parks_routes": ("Gewerbegebiete und Trassen", "Business parks and routes"),
    "level.stadtbezirk": ("Stadtbezirke", "Boroughs (Stadtbezirk)"),
    "level.stadtteil": ("Stadtteile", "Quarters (Stadtteil)"),
    "choropleth": ("Anteil der Schulen mit Gigabit je Stadtteil", "Share of schools on gigabit per Stadtteil"),
    "trend": ("Entwicklung seit 2016 (ab diesem Jahr: Planung)", "Trend since 2016 (from this year on: plan)"),
    "download_kpis": ("KPI-Tabelle als CSV", "KPI table as CSV"),
    "download_pdf": ("Bericht als PDF (zum Drucken)", "Report as PDF (printable)"),
    "report.subtitle": ("Bericht zum Versorgungsstand vom {date}", "Coverage report of {date}"),
    "report.synthetic": (
        "Hinweis: Das Glasfasernetz in diesen Beispieldaten ist synthetisch; Schulstandorte und Stadtgrenze sind "
        "amtliche Daten (Quellen: data/README.md).",
        "Note: the fibre network in this sample is synthetic; school locations and the city boundary are official "
        "data (sources: data/README.md).",
    ),
    "report.crs": ("Karte in ETRS89 / UTM 32N (EPSG:25832).", "Map in ETRS89 / UTM zone 32N (EPSG:25832)."),
    "report.plan": ("Planung", "Plan"),
    "trend.target": ("Ziel {year}: {share} der Schulen mit Gigabit ({n})",
                     "Target {year}: {share} of schools on gigabit ({n})"),
    "trend.target_short": ("Ziel {year}", "Target {year}"),
    "trend.schools_connected": ("Schulen angeschlossen", "Schools connected"),
    "report.parks_connected": ("Gewerbegebiete angeschlossen", "Business parks connected"),
    "route.in_service": ("Trasse in Betrieb", "Route in service"),
    "route.planned": ("Trasse geplant", "Route planned"),
    "route.retired": ("Trasse stillgelegt", "Route retired"),
    # the criticality map (issue 16.3): what the loss of a route's trench does
    "tip.cut": ("vom Netz getrennt: {n} Standort(e), {p} Schüler", "cut off: {n} site(s), {p} pupils"),
    "tip.degraded": ("Redundanz verloren: {n} Standort(e), {p} Schüler",
                     "redundancy lost: {n} site(s), {p} pupils"),
    "choose": ("Bitte wählen", "Choose options"),
    "legend.share_low": ("0 % mit Gigabit", "0 % on gigabit"),
    "legend.share_high": ("100 % mit Gigabit", "100 % on gigabit"),
    "legend.no_schools": ("keine Schulen", "no schools"),
    "legend.error": ("Fehler", "Error"),
    "legend.warning": ("Warnung", "Warning"),
    "legend.note": ("Hinweis", "Note"),
    "legend.path": ("Weg", "Path"),
    "maps.interactive": ("Interaktive Karten", "Interactive maps"),
    "maps.interactive_help": (
        "Karten zum Verschieben und Zoomen, mit Details beim Zeigen auf Trassen und Standorte. Ohne "
        "Grafikkarte brauchen sie 1 bis 2,5 Sekunden mehr pro Seite; ausgeschaltet zeigt jede Karte "
        "ein Bild mit denselben Farben.",
        "Maps to pan and zoom, with details when pointing at routes and sites. Without a graphics card "
        "they take 1 to 2.5 seconds more per page; switched off, every map is a picture in the same colours."),
    "basemap.unknown": (
        "Die Einstellung basemap = „{value}“ ist unbekannt. Erwartet: {choices}, eine Stil-Adresse, die mit "
        "https:// beginnt, oder none. Die Karten erscheinen ohne Hintergrundkarte.",
        "The setting basemap = '{value}' is not known. Expected: {choices}, a style URL starting with "
        "https://, or none. The maps are shown without a basemap."),
    "maps.picture": ("Bild der Karte. Zum Zoomen und für Details: „Interaktive Karten“ in der Seitenleiste.",
                     "A picture of the map. To zoom and for details: 'Interactive maps' in the sidebar."),
    "legend.path_b_apart": ("Weg 2, ohne gemeinsamen Graben mit Weg 1", "Path 2, sharing no trench with path 1"),
    "legend.path_b_shared": ("Weg 2, teilt {m} m Graben mit Weg 1", "Path 2, sharing {m} m of trench with path 1"),
    "legend.node": ("Netzknoten", "Network node"),
    "legend.site_connected": ("Standort angeschlossen", "Site connected"),
    "legend.site_planned": ("Standort geplant", "Site planned"),
    "legend.site_none": ("Standort nicht angeschlossen", "Site not connected"),
    "legend.district": ("Stadtteil", "Quarter"),
    "legend.site_area": ("Gewerbefläche", "Business-park area"),
    # maps: context, proposals, tooltips (numbers with their units)
    "legend.city": ("Stadtgrenze", "City boundary"),
    "legend.border.stadtteil": ("Stadtteilgrenze", "Quarter boundary"),
    "legend.border.stadtbezirk": ("Bezirksgrenze", "Borough boundary"),
    "legend.ring_closure": ("Ringschluss (Vorschlag)", "Ring closure (proposal)"),
    "legend.new_route": ("neue Trasse (Schätzung)", "New route (estimate)"),
    "tip.share": ("{share} der Schulen mit Gigabit ({on} von {all} Schulen)",
                  "{share} of schools on gigabit ({on} of {all} schools)"),
    "tip.radius": ("Radius", "radius"),
    "tip.ring": ("Ringschluss {id}: {m} neue Trasse, {eur}; macht {n} Standort(e) redundant: {sites}",
                 "Ring closure {id}: {m} new route, {eur}; makes {n} site(s) redundant: {sites}"),
    "tip.new_route": ("neue Trasse etwa {m}, {low}–{high} € (Schätzung)",
                      "new route about {m}, {low}–{high} € (estimate)"),
    "tip.at_door": ("Glasfaser an der Tür: nur der Hausanschluss, {low}–{high} € (Schätzung)",
                    "fibre at the door: the building connection only, {low}–{high} € (estimate)"),
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
    # the school card (issue 15, points 4 and 5): facts, places, the inventory's plan and the tool's estimate
    "school.address": ("Adresse", "Address"),
    "school.number_label": ("Schulnummer", "School number"),
    "school.district": ("Stadtteil", "Quarter"),
    "school.pupils": ("Schülerinnen und Schüler", "Pupils"),
    "school.per_head": ("Bandbreite je Kopf", "Bandwidth per head"),
    "school.per_head_ok": (
        "{value} Mbit/s je Kopf ({heads} Schüler und Beschäftigte, Beschäftigte geschätzt): erfüllt den "
        "Richtwert von {benchmark} Gbit/s je 1.000 Köpfe.",
        "{value} Mbit/s per head ({heads} pupils and staff, staff estimated): meets the benchmark of {benchmark} "
        "Gbit/s per 1,000 heads.",
    ),
    "school.per_head_short": (
        "{value} Mbit/s je Kopf ({heads} Schüler und Beschäftigte, Beschäftigte geschätzt): zu wenig – der "
        "Richtwert ist {benchmark} Gbit/s je 1.000 Köpfe, für diese Schule also etwa {need} Mbit/s.",
        "{value} Mbit/s per head ({heads} pupils and staff, staff estimated): too little – the benchmark is "
        "{benchmark} Gbit/s per 1,000 heads, for this school about {need} Mbit/s.",
    ),
    "school.per_head_unknown": ("nicht zu prüfen: die Schülerzahl ist unbekannt.",
                                "cannot be checked: the number of pupils is unknown."),
    "school.per_head_none": ("– (kein Anschluss)", "– (not connected)"),
    "school.inventory_plan": ("Laut Inventar geplant", "Planned according to the inventory"),
    "school.inventory_planned_for": ("Anschluss geplant zum {date}.", "Connection planned for {date}."),
    "school.inventory_planned_undated": ("Anschluss geplant, noch ohne Termin.", "Connection planned, no date set."),
    "school.inventory_nothing": ("Im Inventar ist für diese Schule nichts geplant.",
                                 "The inventory plans nothing for this school."),
    "school.estimate": ("Schätzung des Werkzeugs (kein Beschluss)", "The tool's estimate (not a decision)"),
    "school.estimate_none": ("Kein Ausbau nötig: die Schule hat Gigabit und erfüllt den Richtwert je Kopf.",
                             "No upgrade needed: the school is on gigabit and meets the benchmark per head."),
    "school.estimate_gigabit": ("Kein Ausbau des Anschlusses nötig: die Schule hat Gigabit.",
                                "No upgrade of the connection needed: the school is on gigabit."),
    "school.estimate_short": (
        "Der Anschluss hat Gigabit, reicht für die Zahl der Köpfe aber nicht: mehr Bandbreite ist nötig, "
        "etwa {need} Mbit/s.",
        "The connection is gigabit, but too little for the number of heads: more bandwidth is needed, "
        "about {need} Mbit/s.",
    ),
    "school.estimate_door": (
        "Schätzung: Die Glasfaser liegt schon am Gebäude, eine neue Leitung ist nicht nötig; nur der "
        "Hausanschluss wäre zu erneuern, Richtwert {cost} € (ein fester Betrag je Gebäude, daher keine Spanne).",
        "Estimate: the fibre is already at the building, no new line is needed; only the building connection "
        "would be renewed, guide value {cost} € (a fixed amount per building, hence no range).",
    ),
    "school.estimate_route": (
        "Schätzung: neue Leitung etwa {m} m (Luftlinie zur nächsten Glasfaser mal Umwegfaktor {detour}), "
        "Kosten etwa {low}–{high} € je nach Bauweise ({cheap} bis {dear}), Hausanschluss eingerechnet.",
        "Estimate: a new line of about {m} m (straight line to the nearest fibre times a detour factor of "
        "{detour}), cost about {low}–{high} € depending on the method ({cheap} to {dear}), building connection "
        "included.",
    ),
    "school.estimate_unreachable": (
        "Schätzung nicht möglich: keine Glasfaser in Betrieb in Reichweite.",
        "No estimate: no fibre in service within reach.",
    ),
    "school.card_pdf": ("Schulkarte als PDF (eine Seite)", "School card as PDF (one page)"),
    "school.card_title": ("Glasfaser-Steckbrief", "Fibre fact sheet"),
    "school.card_printed": ("Schulnummer {number} · Stand {date}", "School number {number} · as of {date}"),
    "school.card_note": (
        "Schätzungen sind Richtwerte des Werkzeugs, keine Planung und kein Angebot. Das Glasfasernetz der "
        "Beispieldaten ist synthetisch.",
        "Estimates are the tool's guide values, neither a plan nor a quote. The sample's fibre network is "
        "synthetic.",
    ),
    "school.card_map": ("Karte: Ihre Schule, ihr Weg zum POP und der POP", "Map: your school, its path to the POP "
                        "and the POP"),
    "legend.pop": ("POP (Netzknoten)", "POP (network hub)"),
    "method.open_trench": ("offener Graben", "open trench"),
    "method.micro_trench": ("Microtrenching", "micro-trenching"),
    "method.drilling": ("Bohrung", "drilling"),
    "method.aerial": ("Freileitung", "aerial line"),
    "method.existing_duct": ("Einzug in vorhandenes Leerrohr", "pulling through an existing duct"),
    "place.district": ("{quarter} (Stadtbezirk {borough})", "{quarter} (borough {borough})"),
    "place.at_school": ("direkt an Ihrer Schule (Zuleitung zum Gebäude)",
                        "right at your school (the lead-in to the building)"),
    "place.in": ("in {quarter}", "in {quarter}"),
    "place.and": (" und ", " and "),
    "place.near": ("nahe „{name}“", "near “{name}”"),
    "place.near_street": ("nahe „{name}“ ({street})", "near “{name}” ({street})"),
    "place.outside": ("außerhalb der Stadtteile", "outside the quarters"),
    "place.unknown": ("an einer Stelle ohne Ortsangabe", "at a place without location"),
    "red.trench_at": (
        "Ein einzelner Bagger an einer dieser Stellen würde Ihre Schule vom Netz trennen: {ids}.",
        "A single digger at one of these places would cut your school off the network: {ids}.",
    ),
    "red.segment_at": (
        "Eine einzelne beschädigte Leitung an einer dieser Stellen würde Ihre Schule vom Netz trennen: {ids}.",
        "A single damaged cable at one of these places would cut your school off the network: {ids}.",
    ),
    "red.node_at": (
        "Ein Ausfall eines einzelnen Netzknotens an einer dieser Stellen würde Ihre Schule vom Netz trennen: {ids}.",
        "An outage of a single network node at one of these places would cut your school off the network: {ids}.",
    ),
    "red.review_at": (
        "Zur Prüfung: an diesen Stellen liegen zwei Gräben möglicherweise als ein Graben nebeneinander; dann "
        "würde ein einzelner Bagger dort Ihre Schule vom Netz trennen: {ids}.",
        "For review: at these places two trenches possibly lie side by side as one trench; then a single "
        "digger there would cut your school off the network: {ids}.",
    ),
    "school.map": ("Karte: Weg(e) der Schule zum POP", "Map: the school's path(s) to the POP"),
    "unknown": ("unbekannt", "unknown"),
    "none": ("–", "–"),
    # redundancy in plain words
    "red.unreachable": (
        "Ihre Schule ist derzeit nicht über das Glasfasernetz erreichbar.",
        "Your school cannot currently be reached through the fibre network.",
    ),
    "red.not_connected": (
        "Ihre Schule ist nicht an das Glasfasernetz angeschlossen; sie hat daher keinen Weg zu einem POP.",
        "Your school is not connected to the fibre network, so it has no path to a POP.",
    ),
    "red.planned": (
        "Der Anschluss Ihrer Schule ist geplant, aber noch nicht gebaut: bis dahin hat sie keinen Weg zu einem POP.",
        "Your school's connection is planned but not built yet: until then it has no path to a POP.",
    ),
    "red.no_single_cut": (
        "Kein einzelner Ausfall (einer Leitung, eines Netzknotens oder eines Grabens) trennt Ihre Schule vom Netz.",
        "No single failure (of a cable, a network node or a trench) cuts your school off the network.",
    ),
    "red.no_apart_pair": (
        "Zwei Wege ganz ohne gemeinsamen Graben gibt es aber nicht: je zwei ihrer Wege teilen sich einen Graben.",
        "But there are no two paths without a shared trench: any two of its paths share a trench.",
    ),
    "red.pop": (
        "Alle Wege Ihrer Schule führen über den Netzknoten (POP) {pop}: fällt er aus, ist sie vom Netz getrennt.",
        "All of your school's paths run through the network hub (POP) {pop}: if it fails, your school is cut off.",
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
    # beyond the first cut (issue 16.3): the places that leave a school on one path; construction sites to cut it off
    "second.trench_one": ("Fällt die Trasse {place} aus, hängt Ihre Schule nur noch an einem Weg.",
                          "If the trench {place} fails, your school hangs on a single path."),
    "second.trench_one_of": ("Fällt eine der {n} Trassen {place} aus, hängt Ihre Schule nur noch an einem Weg.",
                             "If one of the {n} trenches {place} fails, your school hangs on a single path."),
    "second.trench_many": ("Fällt eine dieser Trassen aus, hängt Ihre Schule nur noch an einem Weg: {places}.",
                           "If one of these trenches fails, your school hangs on a single path: {places}."),
    "second.node_one": ("Fällt der Netzknoten {place} aus, hängt Ihre Schule nur noch an einem Weg.",
                        "If the network node {place} fails, your school hangs on a single path."),
    "second.node_one_of": ("Fällt einer der {n} Netzknoten {place} aus, hängt Ihre Schule nur noch an einem Weg.",
                           "If one of the {n} network nodes {place} fails, your school hangs on a single path."),
    "second.node_many": ("Fällt einer dieser Netzknoten aus, hängt Ihre Schule nur noch an einem Weg: {places}.",
                         "If one of these network nodes fails, your school hangs on a single path: {places}."),
    "second.none": ("Fällt eine einzelne Trasse aus, trennt Ihre Schule danach noch immer kein einzelner weiterer "
                    "Ausfall vom Netz.",
                    "If a single trench fails, still no further single failure cuts your school off the network."),
    "school.cuts": ("Baustellen bis zur Trennung", "Construction sites to cut it off"),
    "cuts.one": ("Eine einzige Baustelle genügt, um Ihre Schule vom Netz zu trennen.",
                 "A single construction site is enough to cut your school off the network."),
    "cuts.pair": ("{a} und {b}", "{a} and {b}"),
    "cuts.pair_same": ("an zwei Trassen {place}", "on two trenches {place}"),
    "cuts.two": ("Zwei gleichzeitige Baustellen – {pair} – würden Ihre Schule vom Netz trennen; eine einzelne "
                 "Baustelle nicht.",
                 "Two construction sites at once – {pair} – would cut your school off the network; a single one "
                 "would not."),
    "cuts.two_eg": ("Zwei gleichzeitige Baustellen können Ihre Schule vom Netz trennen, zum Beispiel {pair}; eine "
                    "einzelne Baustelle nicht.",
                    "Two construction sites at once can cut your school off the network, for example {pair}; a "
                    "single one cannot."),
    "cuts.three": ("Erst drei oder mehr gleichzeitige Baustellen könnten Ihre Schule vom Netz trennen; zwei "
                   "reichen nicht.",
                   "Only three or more construction sites at once could cut your school off the network; two are "
                   "not enough."),
    "red.review": (
        "Zur Prüfung: die Gräben {ids} liegen möglicherweise als ein Graben nebeneinander; dann würde ein "
        "einzelner Bagger dort Ihre Schule vom Netz trennen.",
        "For review: trenches {ids} possibly lie side by side as one trench; then a single digger there would "
        "cut your school off the network.",
    ),
    # status words
    "status.gigabit": ("Gigabit", "Gigabit"),
    "status.connected": ("angeschlossen, unter Gigabit", "connected, below gigabit"),
    "status.planned": ("Anschluss geplant", "connection planned"),
    "status.passed": ("nicht angeschlossen, Glasfaser vor der Tür", "not connected, fibre passes by"),
    "status.near": ("nicht angeschlossen, Glasfaser in der Nähe", "not connected, fibre nearby"),
    "status.gap": ("nicht angeschlossen, keine Glasfaser in der Nähe", "not connected, no fibre nearby"),
    # network
    "net.criticality": (
        "Trassen nach Kritikalität: wen ein Schnitt der Trasse vom Netz trennt und wem er den zweiten Weg nimmt",
        "Routes by criticality: who a cut of the trench cuts off, and who loses their second path",
    ),
    "net.trench_pick": ("Graben wählen: wen sein Ausfall trifft", "Choose a trench: whom its loss affects"),
    "net.trench_cut": ("Vom Netz getrennt: {n} Standort(e), {p} Schülerinnen und Schüler",
                       "Cut off: {n} site(s), {p} pupils"),
    "net.trench_degraded": (
        "Redundanz verloren – weiter am Netz, aber nur noch über einen Weg: {n} Standort(e), {p} Schülerinnen "
        "und Schüler",
        "Redundancy lost – still connected, but on a single path: {n} site(s), {p} pupils"),
    "net.trench_nothing": ("Der Ausfall dieses Grabens trennt keinen Standort vom Netz und nimmt keinem den "
                           "zweiten Weg.",
                           "The loss of this trench cuts no site off and takes no site's second path."),
    "net.trench_table_help": (
        "Je Graben: wen sein Ausfall vom Netz trennt und wer danach nur noch über einen Weg angebunden ist "
        "(Redundanz verloren). Gräben, deren Ausfall keines von beiden bewirkt, fehlen in der Tabelle.",
        "Per trench: who its loss cuts off, and who is left on a single path afterwards (redundancy lost). "
        "Trenches whose loss does neither are not listed."),
    "net.whatif": ("Was wäre, wenn …?", "What if …?"),
    "net.trenches": ("Ausfallende Trassen (Gräben)", "Failed trenches"),
    "net.segments": ("Ausfallende Abschnitte", "Failed segments"),
    "net.by_segment": ("Auch einzelne Abschnitte wählen", "Also choose single segments"),
    "net.point": ("Baustelle an einem Punkt", "Construction site at a point"),
    "net.crs": ("Koordinaten", "Coordinates"),
    "net.radius": ("Radius (m)", "Radius (m)"),
    "net.isolated": ("Vom Netz getrennt: {n} Standort(e), {p} Schülerinnen und Schüler",
                     "Cut off: {n} site(s), {p} pupils"),
    "net.no_isolated": ("Kein Standort wäre vom Netz getrennt.", "No site would be cut off."),
    "net.nothing": ("Wählen Sie Trassen, Abschnitte oder eine Baustelle.",
                    "Choose trenches, segments or a construction site."),
    "net.one_trench": ("Möglicherweise ein Graben: {n} Trassenpaar(e) in verschiedenen Gräben nebeneinander",
                       "Possibly one trench: {n} pair(s) of routes in different trenches side by side"),
    "net.one_trench_help": (
        "Zwei Trassen mit verschiedener Graben-ID, die auf dem größten Teil ihrer Länge höchstens {m} m "
        "nebeneinander liegen (oder sich decken), liegen vermutlich in einem Graben: ein Bagger trifft beide. "
        "Liegen sie in einem Graben, beiden dieselbe trench_id geben.",
        "Two routes with different trench ids that lie at most {m} m apart along most of their length (or "
        "overlap) probably lie in one trench: one digger hits both. If they do, give both the same trench_id."),
    "net.review": ("Zur Prüfung: {n} Standort(e), deren Ausfallsicherheit auf diesen Paaren ruht",
                   "For review: {n} site(s) whose redundancy rests on these pairs"),
    "net.review_help": (
        "Diese Standorte würde ein Schnitt der genannten Gräben zusammen vom Netz trennen, obwohl keiner "
        "allein es tut: ihre Ausfallsicherheit gilt nur, wenn es wirklich getrennte Gräben sind.",
        "A cut of the trenches named, together, would cut these sites off, though none alone does: their "
        "redundancy holds only if these really are separate trenches."),
    "net.diverse": ("Getrennte Wege für einen Standort", "Diverse paths for a site"),
    "net.export": ("Export für QGIS", "Export for QGIS"),
    "net.pick": ("Auf der Karte Trassen anklicken (weitere mit gedrückter Umschalttaste): unten steht, was ihr "
                 "Ausfall bewirkt.",
                 "Click routes on the map (more with Shift held down): below is what their failure does."),
    "net.picked": ("Auf der Karte gewählte Abschnitte: {routes}", "Segments picked on the map: {routes}"),
    "net.picked_idle": ("Nicht in Betrieb, daher ohne Wirkung: {routes}",
                        "Not in service, so without effect: {routes}"),
    "net.gpkg": ("Netzanalyse als GeoPackage herunterladen", "Download the network analysis as a GeoPackage"),
    "net.gpkg_help": (
        "Drei Ebenen in EPSG:25832: trench_cuts (jede Trasse, mit dem, was ein Schnitt ihres Grabens "
        "abtrennt), expansion (Ausbauplan je Standort) und ring_closures (neue Verbindungen, die Ringe "
        "schließen). Das Netz ist synthetisch.",
        "Three layers in EPSG:25832: trench_cuts (every route, with what a cut of its trench cuts off), "
        "expansion (the plan per site) and ring_closures (new links that close rings). The network is synthetic."),
    "legend.failed": ("ausgefallener Abschnitt", "failed segment"),
    "legend.construction": ("Baustelle", "construction site"),
    "state.isolated": ("vom Netz getrennt", "cut off"),
    "state.detour": ("auf einem Umweg erreichbar", "reached on a detour"),
    "state.unchanged": ("nicht betroffen", "not affected"),
    "state.not_connected": ("nicht angeschlossen", "not connected"),
    "state.planned": ("Anschluss geplant, noch nicht gebaut", "connection planned, not built yet"),
    "net.site": ("Standort", "Site"),
    "net.expansion": ("Ausbauplan (günstigster Anschluss je Standort)",
                      "Expansion plan (cheapest connection per site)"),
    "net.rings": ("Ringschlüsse (neue Verbindungen, geprüft)", "Ring closures (new links, verified)"),
    "net.total": ("Summe: {sites} Standorte, {km} km neue Trasse, {low}–{high} €",
                  "Total: {sites} sites, {km} km new route, {low}–{high} €"),
    "net.ring_set": ("Günstigste Auswahl: {links} Verbindungen, {km} km neue Trasse, {low}–{high} € (Schätzung); "
                     "danach haben {fixed} von {single} Standorten ohne zweiten Weg einen zweiten Weg "
                     "(durch eine neue Analyse mit diesen Verbindungen geprüft).",
                     "Cheapest choice: {links} links, {km} km new route, {low}–{high} € (estimate); afterwards "
                     "{fixed} of {single} sites without a second path have one (checked by a new analysis with "
                     "these links)."),
    "net.ring_rest": ("Ohne Vorschlag bleiben {n} Standorte ohne zweiten Weg (keine kurze Verbindung gefunden): "
                      "{sites}",
                      "{n} sites stay without a second path (no short link found): {sites}"),
    "net.point_outside": ("Der Punkt {x}, {y} liegt außerhalb der Stadt und {m} m von der nächsten Trasse: "
                          "bitte einen Punkt in der Stadt angeben (EPSG:25832 in Metern, oder Länge/Breite).",
                          "The point {x}, {y} lies outside the city, {m} m from the nearest route: give a point in "
                          "the city (EPSG:25832 in metres, or lon/lat)."),
    "net.point_not_finite": ("Der Punkt {x}, {y} ist keine Zahl: bitte Zahlen angeben.",
                             "The point {x}, {y} is not a number: give numbers."),
    "net.point_lat_lon": ("Der Punkt {x}, {y} sieht nach Breite, Länge aus: bitte zuerst die Länge (etwa 7,0), "
                          "dann die Breite (etwa 51,5) angeben.",
                          "The point {x}, {y} looks like latitude, longitude: give the longitude (about 7.0) "
                          "first, then the latitude (about 51.5)."),
    "net.point_swapped": ("Der Punkt {x}, {y} sieht nach vertauschten Werten aus (erst Hochwert, dann Rechtswert): "
                          "bitte x (Rechtswert, etwa 368.000) zuerst angeben.",
                          "The point {x}, {y} looks swapped (northing first): give x (easting, about 368,000) first."),
    "net.point_lonlat": ("Die Werte sind Länge und Breite: als Punkt {x}, {y} (EPSG:25832) verwendet.",
                         "The values are longitude and latitude: used as the point {x}, {y} (EPSG:25832)."),
    "net.nothing_fails": ("An dieser Stelle fällt nichts aus: im Umkreis liegt keine Trasse und kein Knoten. Die "
                          "nächste Trasse, {route}, ist {m} m vom Rand entfernt.",
                          "Nothing fails here: no route or node lies in the circle. The nearest route, {route}, is "
                          "{m} m from its edge."),
    "net.whatif_gpkg": ("Ergebnis als GeoPackage herunterladen", "Download the result as a GeoPackage"),
    "net.pair_gpkg": ("Wege als GeoPackage herunterladen", "Download the paths as a GeoPackage"),
    "link.new": ("neu: {ends}", "new: {ends}"),
    "download_csv": ("Als CSV herunterladen", "Download as CSV"),
    # quality
    "q.summary": ("{e} Fehler, {w} Warnungen, {n} Hinweise zur Prüfung",
                  "{e} error(s), {w} warning(s), {n} note(s) for review"),
    "q.clean": ("Keine Probleme gefunden.", "No problems found."),
    "q.map": ("Karte der Befunde mit Ort", "Map of the findings with a location"),
    # editors: sign-in, import, edit
    "page.edit": ("Bearbeiten", "Edit"),
    "auth.title": ("Anmeldung für die Redaktion", "Sign-in for editors"),
    "auth.name": ("Ihr Name (für die Änderungshistorie)", "Your name (for the change history)"),
    "auth.password": ("Passwort der Redaktion", "Editors' password"),
    "auth.login": ("Anmelden", "Sign in"),
    "auth.login_oidc": ("Als Redaktion anmelden", "Sign in as an editor"),
    "auth.logout": ("Abmelden", "Sign out"),
    "auth.signed_in": ("Angemeldet als {who} (Redaktion)", "Signed in as {who} (editor)"),
    "auth.not_editor": ("{who} ist nicht als Redaktion eingetragen.", "{who} is not registered as an editor."),
    "auth.wrong": ("Das Passwort stimmt nicht.", "The password is wrong."),
    "auth.paused": ("Zu viele Fehlversuche. Bitte in {s} Sekunden erneut versuchen.",
                    "Too many failed attempts. Please try again in {s} seconds."),
    "auth.ok": ("Angemeldet.", "Signed in."),
    "edit.target": (
        "Änderungen werden geprüft und ganz oder gar nicht übernommen; in PostGIS protokolliert die Datenbank jede "
        "Änderung mit Zeit und Namen.",
        "Changes are checked and land whole or not at all; in PostGIS the database records every change with "
        "time and name.",
    ),
    "edit.import": ("Datei importieren", "Import a file"),
    "edit.layer": ("Ebene", "Layer"),
    "edit.mode": ("Art", "Mode"),
    "edit.mode.replace": ("ersetzen (die Ebene wird die Datei; Löschungen nur nach Bestätigung)",
                          "replace (the layer becomes the file; deletions only after confirmation)"),
    "edit.mode.upsert": ("ergänzen (neue hinzufügen, vorhandene aktualisieren, nichts löschen)",
                         "upsert (add new, update existing, delete nothing)"),
    "edit.crs": ("Koordinatensystem der Datei (für CSV)", "The file's CRS (for CSV)"),
    "edit.file": ("Datei ({formats}; ein Shapefile als ZIP; höchstens 50 MB)",
                  "File ({formats}; a Shapefile zipped; at most 50 MB)"),
    # the formats of the registry (`inventory.formats.FORMATS`, key `format.<key>`)
    "format.gpkg": ("GeoPackage", "GeoPackage"),
    "format.geojson": ("GeoJSON", "GeoJSON"),
    "format.shp": ("Shapefile", "Shapefile"),
    "format.csv": ("CSV", "CSV"),
    "format.kml": ("KML", "KML"),
    "format.ofds": ("OFDS-JSON", "OFDS JSON"),
    "format.ofds-geojson": ("OFDS-GeoJSON", "OFDS GeoJSON"),
    "format.kmz": ("KMZ", "KMZ"),
    "edit.check": ("Nur prüfen", "Check only"),
    "edit.run": ("Importieren", "Import"),
    "edit.checked": ("Geprüft, keine Fehler: {rows} Zeilen; {new} neu, {changed} geändert, {unchanged} unverändert, "
                     "{deleted} gelöscht; danach {after} Einträge. Noch nichts übernommen.",
                     "Checked, no errors: {rows} rows; {new} new, {changed} changed, {unchanged} unchanged, "
                     "{deleted} deleted; {after} records afterwards. Nothing changed yet."),
    "edit.done": ("Importiert: {rows} Zeilen; {new} neu, {changed} geändert, {unchanged} unverändert, "
                  "{deleted} gelöscht; die Ebene hat jetzt {after} Einträge.",
                  "Imported: {rows} rows; {new} new, {changed} changed, {unchanged} unchanged, {deleted} deleted; "
                  "the layer now has {after} records."),
    "import.changed_fields": ("Geänderte Felder (Anzahl Einträge): ", "Changed fields (number of records): "),
    "import.kept_fields": ("Felder, die die Datei nicht enthält, behalten ihren gespeicherten Wert: ",
                           "Fields the file lacks keep their stored values: "),
    "import.id": ("Kennung", "Id"),
    "import.change": ("Änderung", "Change"),
    "import.fields": ("Felder", "Fields"),
    "import.new": ("neu", "new"),
    "import.changed": ("geändert", "changed"),
    "import.deleted": ("wird gelöscht", "to be deleted"),
    "import.deleted_done": ("gelöscht", "deleted"),
    "import.confirm_warning": ("Ersetzen löscht {n} Einträge der Ebene {layer}, die nicht in der Datei stehen "
                               "(Liste oben). Bitte prüfen und bestätigen.",
                               "Replacing deletes {n} records of the layer {layer} that are not in the file "
                               "(list above). Please check and confirm."),
    "import.confirm_check": ("Ja, diese {n} Einträge löschen", "Yes, delete these {n} records"),
    "import.confirm_run": ("Löschen bestätigen und importieren", "Confirm the deletions and import"),
    "import.unconfirmed": ("Löschungen brauchen eine Bestätigung; nichts wurde geändert.",
                           "Deletions need a confirmation; nothing was changed."),
    "import.conflict": ("Der Bestand hat sich seit der Prüfung geändert (jemand anderes hat geschrieben); nichts "
                        "wurde geändert. Bitte erneut prüfen und bestätigen.",
                        "The store changed since the check (someone else wrote to it); nothing was changed. "
                        "Please check and confirm again."),
    "edit.store_error": ("Der Datenbestand hat die Änderung abgelehnt, nichts wurde geändert: {error}",
                         "The store refused the change, nothing was changed: {error}"),
    "edit.element": ("Einen Eintrag bearbeiten", "Edit one record"),
    "edit.postgis_only": (
        "Einzelne Einträge lassen sich nur in einer PostGIS-Datenbank bearbeiten (dort mit Versionsprüfung und "
        "Historie). Für eine GeoPackage-Datei: die geänderte Ebene importieren.",
        "Single records can be edited only in a PostGIS database (with a version check and history there). "
        "For a GeoPackage file: import the changed layer.",
    ),
    "edit.id": ("Kennung (ID)", "Id"),
    "edit.load": ("Laden", "Load"),
    "edit.version": ("Geladen in Version {version}.", "Loaded at version {version}."),
    "edit.field": ("Feld", "Field"),
    "edit.value": ("Neuer Wert", "New value"),
    "edit.save": ("Speichern", "Save"),
    "edit.saved": ("Gespeichert, jetzt Version {version}.", "Saved, now version {version}."),
    "upload.too_big": ("Die Datei ist {size} MB groß; erlaubt sind höchstens {limit} MB.",
                       "The file is {size} MB; at most {limit} MB are allowed."),
    "upload.type": ("Dateityp „{found}“ wird nicht angenommen; erlaubt: {allowed}.",
                    "File type “{found}” is not accepted; allowed: {allowed}."),
    "upload.empty": ("Die Datei {name} ist leer.", "The file {name} is empty."),
    "upload.content": ("Der Inhalt von {name} passt nicht zur Endung .{suffix} (gefunden: {content}).",
                       "The content of {name} does not match its extension .{suffix} (found: {content})."),
    "upload.shapefiles": ("Das ZIP {name} muss genau ein Shapefile (.shp) enthalten, es enthält {n}.",
                          "The ZIP {name} must hold exactly one Shapefile (.shp); it holds {n}."),
    "upload.unzipped_too_big": ("Das Shapefile im ZIP {name} ist entpackt größer als {limit} MB.",
                                "The Shapefile in the ZIP {name} is larger than {limit} MB unpacked."),
    "upload.zip_members": ("Das ZIP {name} hat mehr als {limit} Einträge; ein Shapefile braucht fünf.",
                           "The ZIP {name} lists more than {limit} entries; a Shapefile needs five."),
    "upload.zip_damaged": ("Das ZIP {name} ist beschädigt ({member}: {error}); bitte neu packen.",
                           "The ZIP {name} is damaged ({member}: {error}); please pack it again."),
    # inventory (the first page)
    "inv.layers": ("Ebenen auf der Karte", "Layers on the map"),
    "inv.table": ("Tabelle einer Ebene", "Table of a layer"),
    "layer.districts": ("Stadtbezirke und Stadtteile (Näherung)", "Boroughs and quarters (approximate)"),
    "layer.routes": ("Trassen (synthetisch)", "Routes (synthetic)"),
    "layer.nodes": ("Netzknoten (synthetisch)", "Network nodes (synthetic)"),
    "layer.sites": ("Standorte (Schulen, Gewerbegebiete)", "Sites (schools, business parks)"),
    "layer.site_areas": ("Gewerbeflächen (Näherung)", "Business-park areas (approximate)"),
    # the counts above the Inventar map: short enough for a sixth of the page, the rest in their help
    "count.districts": ("Bezirke", "Districts"),
    "count.routes": ("Trassen", "Routes"),
    "count.nodes": ("Netzknoten", "Nodes"),
    "count.sites": ("Standorte", "Sites"),
    "count.site_areas": ("Gewerbeflächen", "Park areas"),
    "count.route_km": ("Trassen-km", "Route km"),
    "count.route_km_help": ("Trassen-km in Betrieb", "Route km in service"),
    "layer_about.nodes": ("Netzknoten: POPs, Verteilerschränke, Muffen, Schächte, Hauseinführungen, Abzweige",
                          "network nodes: POPs, cabinets, closures, chambers, building entries, junctions"),
    "layer_about.routes": ("Trassenabschnitte und der Graben (oder gemeinsame Trassenkorridor), in dem sie liegen",
                           "fibre route segments and the trench (or shared corridor) they lie in"),
    "layer_about.sites": ("angeschlossene oder anschließbare Standorte: Schulen, Gewerbegebiete, öffentliche Gebäude",
                          "connected or connectable sites: schools, business parks, public buildings"),
    "layer_about.site_areas": ("die Fläche eines Standorts, z. B. eines Gewerbegebiets",
                               "the extent of a site, e.g. a business park"),
    "layer_about.districts": ("Verwaltungsbezirke (Stadtbezirke und Stadtteile)",
                              "administrative districts (Stadtbezirke and Stadtteile)"),
}
LABELS.update(LEGEND)  # legend labels the QGIS styles share (`inventory.vocabulary`)


def t(key: str, lang: str = DEFAULT_LANGUAGE, **values) -> str:
    """The label `key` in `lang` ('de' or 'en'), with `values` filled in."""
    text = LABELS[key][1 if lang == "en" else 0]
    return text.format(**values) if values else text


def fmt(value, decimals: int = 0, lang: str = DEFAULT_LANGUAGE, grouping: bool = True) -> str:
    """A number as the language writes it (Babel, CLDR data): 1.234,5 in German, 1,234.5 in English, with
    `decimals` places (rounded half to even); without `grouping` no thousands separator (years,
    coordinates); '–' for a missing value."""
    if value is None or isinstance(value, bool):
        return "–" if value is None else str(value)
    try:
        if value != value:  # NaN, pandas NA and friends
            return "–"
        number = float(value)
    except (TypeError, ValueError):
        return "–"
    if math.isinf(number):
        return "–"
    pattern = ("#,##0" if grouping else "0") + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(number, format=pattern, locale=LOCALES.get(lang, LOCALES[DEFAULT_LANGUAGE]))


def fmt_share(share, lang: str = DEFAULT_LANGUAGE) -> str:
    """A share 0..1 as a percentage with one decimal."""
    return "–" if share is None or share != share else f"{fmt(100 * float(share), 1, lang)} %"


YES_NO = {True: ("ja", "yes"), False: ("nein", "no")}
CITY_NAME: tuple[str, str] = ("Stadt gesamt", "Whole city")
"""The whole-city row's name (`coverage.kpis.CITY_ID`); the library names it in German."""
NEW_LINK = re.compile(r"^NEW (?P<ends>.+)$")
"""A proposed link's id from `coverage.ring_closure` ('NEW BE-1–BE-2')."""
# Decimals of a measure by its column's unit suffix; columns without one are counts (whole when whole).
DECIMALS_BY_SUFFIX = (("_per_km2", 2), ("cost_per_pupil_eur", 2), ("_per_million_eur", 1),
                      ("_per_thousand_eur", 1), ("_m2", 0), ("_eur", 0), ("_mbps", 0), ("_km", 1), ("_m", 1))


def _whole_number(column: str) -> bool:
    return column == "year" or column.endswith("_year")


def cell_text(column: str, value, lang: str = DEFAULT_LANGUAGE) -> str:
    """A table cell of `column` as shown in `lang`: '–' where missing; yes/no; dates as the language writes
    them; shares as percentages; enumerations (status, kind, connection, ...) in words (`value_label`);
    years without a thousands separator; measures with the decimals of their unit (`DECIMALS_BY_SUFFIX`:
    m 1, m² 0, € 0, per km² 2), counts whole; other text as it is."""
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, bool | np.bool_):
        return YES_NO[bool(value)][1 if lang == "en" else 0]
    if isinstance(value, str):
        return value_label(column, value, lang)
    if isinstance(value, dt.date | np.datetime64):
        return date_text(value, lang)
    if isinstance(value, list | tuple | np.ndarray):
        return ", ".join(cell_text(column, v, lang) for v in value)
    if not isinstance(value, numbers.Real):
        return str(value)
    if column.startswith("share_"):
        return fmt_share(value, lang)
    if _whole_number(column):
        return fmt(value, 0, lang, grouping=False)
    for suffix, decimals in DECIMALS_BY_SUFFIX:
        if column.endswith(suffix):
            return fmt(value, decimals, lang)
    whole = isinstance(value, numbers.Integral) or float(value).is_integer()
    return fmt(value, 0 if whole else 1, lang)


def date_text(value, lang: str = DEFAULT_LANGUAGE) -> str:
    """A date as the language writes it: 01.09.2019 in German, 2019-09-01 in English; '–' where missing."""
    if value is None or pd.isna(value):
        return "–"
    return pd.Timestamp(value).strftime("%Y-%m-%d" if lang == "en" else "%d.%m.%Y")


def page_marker(page: str, lang: str = "de") -> str:
    """A text the page `page` (a key of `app_pages.registry`) shows at its end (without placeholders)."""
    from app_pages.registry import page as page_entry

    label = t(page_entry(page).marker, lang)
    return label.split("{")[-1].split("}")[-1].strip() or label


# Column headers of the tables the app shows (the library's column names are English snake_case).
COLUMNS: dict[str, tuple[str, str]] = {
    # district KPIs (coverage.kpis.district_kpis)
    "district_id": ("Bezirk (ID)", "District (id)"), "name": ("Name", "Name"), "level": ("Ebene", "Level"),
    "parent_id": ("gehört zu", "Part of"), "area_km2": ("Fläche (km²)", "Area (km²)"),
    "now_single_homed": ("danach nur noch ein Weg", "Single-homed afterwards"),
    "schools_two_trench_cuts": ("Schulen, die zwei Baustellen zugleich abtrennen",
                                "Schools two trench cuts at once isolate"),
    "schools": ("Schulen", "Schools"), "schools_gigabit": ("Schulen mit Gigabit", "Schools on gigabit"),
    "schools_connected": ("angeschlossen, unter Gigabit", "Connected below gigabit"),
    "schools_planned": ("Anschluss geplant", "Connection planned"),
    "schools_passed": ("Glasfaser vor der Tür", "Fibre passes by"), "schools_near": ("Glasfaser in der Nähe",
                                                                                     "Fibre nearby"),
    "schools_gap": ("keine Glasfaser in der Nähe", "No fibre nearby"),
    "share_schools_gigabit": ("Anteil Schulen mit Gigabit", "Share of schools on gigabit"),
    "pupils": ("Schülerinnen und Schüler", "Pupils"), "pupils_gigabit": ("davon mit Gigabit", "Pupils on gigabit"),
    "share_pupils_gigabit": ("Anteil Schüler mit Gigabit", "Share of pupils on gigabit"),
    "business_parks": ("Gewerbegebiete", "Business parks"),
    "business_parks_gigabit": ("Gewerbegebiete mit Gigabit", "Business parks on gigabit"),
    "park_area_m2": ("Gewerbefläche (m²)", "Park area (m²)"),
    "park_area_covered_m2": ("davon in Reichweite (m²)", "Area within reach (m²)"),
    "share_park_area_covered": ("Anteil Fläche in Reichweite", "Share of area within reach"),
    "route_km": ("Trassen-km in Betrieb", "Route km in service"),
    "route_km_per_km2": ("Trassen-km je km²", "Route km per km²"),
    "sites_single_homed": ("Standorte ohne zweiten Weg", "Single-homed sites"),
    "schools_to_target": ("Schulen bis zum Ziel", "Schools to go"),
    "business_parks_to_target": ("Gewerbegebiete bis zum Ziel", "Parks to go"),
    # criticality, what-if, diverse paths (topology)
    "element": ("Element", "Element"), "element_id": ("Element (ID)", "Element (id)"),
    "sites": ("betroffene Standorte", "Sites affected"), "n_sites": ("Standorte", "Sites"),
    "cut_sites": ("vom Netz getrennt: Standorte", "Cut off: sites"),
    "cut_schools": ("vom Netz getrennt: Schulen", "Cut off: schools"),
    "cut_pupils": ("vom Netz getrennt: Schüler", "Cut off: pupils"),
    "cut_off_names": ("vom Netz getrennt: welche", "Cut off: which"),
    "n_degraded_sites": ("Redundanz verloren: Standorte", "Redundancy lost: sites"),
    "degraded_pupils": ("Redundanz verloren: Schüler", "Redundancy lost: pupils"),
    "degraded_names": ("Redundanz verloren: welche (danach nur ein Weg)",
                       "Redundancy lost: which (a single path afterwards)"),
    "n_schools": ("Schulen", "Schools"), "n_business_parks": ("Gewerbegebiete", "Business parks"),
    "n_vertices": ("Netzpunkte", "Network points"), "handover_only": ("nur Übergabepunkt", "Handover only"),
    "site_id": ("Standort (ID)", "Site (id)"), "kind": ("Art", "Kind"), "state": ("Zustand", "State"),
    "distance_before_m": ("Weg vorher (m)", "Path before (m)"), "distance_after_m": ("Weg nachher (m)",
                                                                                  "Path after (m)"),
    "detour_m": ("Umweg (m)", "Detour (m)"), "found": ("gefunden", "Found"),
    "length_a_m": ("Länge Weg 1 (m)", "Length path 1 (m)"), "length_b_m": ("Länge Weg 2 (m)", "Length path 2 (m)"),
    "routes_a": ("Abschnitte Weg 1", "Segments path 1"), "routes_b": ("Abschnitte Weg 2", "Segments path 2"),
    "shared_trenches": ("gemeinsame Gräben", "Shared trenches"),
    "shared_trench_length_m": ("gemeinsame Grabenlänge (m)", "Shared trench length (m)"),
    "trench_disjoint": ("ohne gemeinsamen Graben", "Trench-disjoint"),
    "in_cheapest_set": ("in der günstigsten Auswahl", "In the cheapest choice"),
    # expansion and ring closures (coverage)
    "status": ("Status", "Status"), "distance_to_fibre_m": ("Abstand zur Glasfaser (m)", "Distance to fibre (m)"),
    "fibre_at_door": ("Glasfaser am Haus", "Fibre at the door"), "new_route_m": ("neue Trasse (m)",
                                                                                "New route (m)"),
    "method": ("Bauweise", "Method"), "cost_eur": ("Kosten (€)", "Cost (€)"),
    "cost_low_eur": ("Kosten von (€)", "Cost from (€)"), "cost_high_eur": ("Kosten bis (€)", "Cost to (€)"),
    "cost_per_pupil_eur": ("Kosten je Schüler (€)", "Cost per pupil (€)"),
    "link_id": ("Verbindung", "Link"), "from_node": ("von Knoten", "From node"), "to_node": ("zu Knoten", "To node"),
    "length_m": ("Luftlinie (m)", "Straight line (m)"),
    "sites_made_redundant": ("Standorte danach mit zweitem Weg", "Sites made redundant"),
    "pupils_made_redundant": ("Schüler danach mit zweitem Weg", "Pupils made redundant"),
    "sites_per_million_eur": ("Standorte je Mio. €", "Sites per million €"),
    "pupils_per_thousand_eur": ("Schüler je 1.000 €", "Pupils per thousand €"),
    # possibly one trench (topology.parallel)
    "route_a": ("Trasse", "Route"), "trench_a": ("Graben", "Trench"), "route_b": ("neben Trasse", "Beside route"),
    "trench_b": ("in Graben", "In trench"), "max_distance_m": ("Abstand höchstens (m)", "Distance at most (m)"),
    "side_by_side_m": ("nebeneinander (m)", "Side by side (m)"), "share_side_by_side": ("Anteil der Trasse",
                                                                                        "Share of the route"),
    "route_length_m": ("Länge der Trasse (m)", "Length of the route (m)"),
    "review_trenches": ("zur Prüfung: Gräben möglicherweise einer", "For review: trenches possibly one"),
    "redundant": ("zweiter Weg (laut Graben-IDs)", "Redundant (by trench ids)"),
    # validation findings (inventory.report)
    "severity": ("Schwere", "Severity"), "layer": ("Ebene", "Layer"), "rule": ("Regel", "Rule"),
    "rule_text": ("Befund", "Finding"),
    "count": ("Anzahl", "Count"), "row": ("Datensatz", "Record"), "field": ("Feld", "Field"),
    "value": ("gefundener Wert", "Value found"), "expected": ("erwartet", "Expected"), "fix": ("Abhilfe", "Fix"),
}


# the inventory's own fields (inventory.schema), as the Inventar page's layer tables and the findings show them
COLUMNS.update({
    "node_id": ("Knoten (ID)", "Node (id)"), "built_year": ("Baujahr", "Year built"), "source": ("Quelle", "Source"),
    "route_id": ("Trasse (ID)", "Route (id)"), "trench_id": ("Graben (ID)", "Trench (id)"),
    "fibre_count": ("Fasern", "Fibres"), "fibres_used": ("Fasern belegt", "Fibres used"),
    "planned_date": ("geplant für", "Planned for"), "owner": ("Eigentümer", "Owner"),
    "address": ("Adresse", "Address"), "district": ("Stadtteil", "Quarter"),
    "connection": ("Anschluss", "Connection"), "bandwidth_mbps": ("Bandbreite (Mbit/s)", "Bandwidth (Mbit/s)"),
    "symmetric": ("symmetrisch", "Symmetric"), "connected_since": ("angeschlossen seit", "Connected since"),
    "handover_node_id": ("Übergabeknoten (ID)", "Handover node (id)"), "school_type": ("Schulform", "School type"),
    "geometry": ("Geometrie", "Geometry"),
})



def rule_label(rule: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """A validation rule in words in `lang`; a rule without words keeps its code."""
    labels = RULES.get(rule)
    return rule if labels is None else labels[1 if lang == "en" else 0]


def pair_kind_label(kind: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """A kind of 'possibly one trench' pair in words in `lang`."""
    labels = PAIR_KINDS.get(kind)
    return kind if labels is None else labels[1 if lang == "en" else 0]


def value_label(column: str, value: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """A text cell of `column` in `lang`: an enumerated code in words (`VALUES`), a proposed link ('NEW a–b')
    as new, the whole city by its name; other text as it is."""
    labels = VALUES.get(column, {}).get(value)
    if labels is not None:
        return labels[1 if lang == "en" else 0]
    if column == "name" and value == CITY_NAME[0]:
        return CITY_NAME[1 if lang == "en" else 0]
    if column == "link_id" and (new := NEW_LINK.match(value)):
        return t("link.new", lang, ends=new["ends"])
    return value


def column_label(column: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """The header of a table column in `lang`; unknown columns keep their name."""
    labels = COLUMNS.get(column)
    return column if labels is None else labels[1 if lang == "en" else 0]


_MARKDOWN_SPECIAL = re.compile(f"([{re.escape(string.punctuation)}])")
_AUTOLINK_START = re.compile(r"(https?|ftp|mailto|xmpp|www)(?=[:.])", re.IGNORECASE)
WORD_JOINER = "\u2060"
"""An invisible character that joins, put where GitHub's autolinks would start: 'http⁠://', 'www⁠.', '⁠@'."""


def plain(text) -> str:
    """`text` (data from the store, a visitor's input, an id, a library message) for any Streamlit element that
    renders Markdown (st.markdown, headers, captions, alerts, widget labels), shown there literally.

    Every ASCII punctuation character is backslash-escaped: CommonMark lets any of them be escaped and shows
    it as itself, so no link, image, emphasis, heading, list, table, HTML tag or entity (&amp;) can form,
    nor Streamlit's extensions: LaTeX ($), `:color[...]`, `:material/...:` and emoji shortcodes (:) .
    GitHub's autolinks are found in the text *after* escapes are resolved, so a bare 'http://...', 'www.'
    or e-mail address would still become a link: an invisible WORD JOINER (U+2060) after 'http', 'https',
    'ftp', 'mailto', 'xmpp', 'www' and before '@' stops that (it shows nothing; a copy of the text carries
    it). Letters, digits, spaces and other non-ASCII text are kept as they are. Not for st.html (use
    html.escape) nor for plain-text elements (st.text, st.code, dataframes, widget options), which would
    show the backslashes. tests/test_browser.py checks the result in Chromium."""
    text = _AUTOLINK_START.sub(rf"\1{WORD_JOINER}", str(text)).replace("@", f"{WORD_JOINER}@")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def code_span(text) -> str:
    """`text` as an inline code span in Streamlit's Markdown, shown literally in a monospace font: the fence is
    longer than any run of backticks in it, and the blanks inside the fence are taken off again (CommonMark)."""
    text = str(text).replace("\r", " ").replace("\n", " ")
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    return f"{fence} {text} {fence}"


# plan variants (coverage.plan_variants): the Netz page's comparison of the planned routes and the ring closures
LABELS.update({
    "net.variants": ("Planvarianten im Vergleich mit dem heutigen Netz", "Plan variants compared with today's network"),
    "net.variants_help": (
        "Je Variante gegenüber heute: neu angeschlossene Standorte, Standorte, die einen zweiten Weg bekommen, und "
        "Standorte, für deren Abtrennung danach mehr Grabenschnitte (Baustellen) nötig sind; die neue Trasse in km "
        "und ihre Kosten als Spanne aus der Kostentabelle (Schätzung). Resilienz je {amount} €: (Standorte mit "
        "neuem zweitem Weg + Standorte mit mehr nötigen Grabenschnitten) je {amount} € Trassenkosten, an beiden "
        "Enden der Kostenspanne. Ringschlüsse: die günstigste geprüfte Auswahl.",
        "Per variant against today: sites newly connected, sites that gain a second path, and sites that then take "
        "more trench cuts (construction sites) to cut off; the new route in km and its cost as a range from the "
        "cost table (an estimate). Resilience per {amount} €: (sites with a new second path + sites that take more "
        "trench cuts) per {amount} € of route cost, at both ends of the cost range. Ring closures: the cheapest "
        "verified choice."),
    "net.variants_gpkg": ("Planvarianten als GeoPackage herunterladen (neue Trassen, Standorte vorher und nachher)",
                          "Download the plan variants as a GeoPackage (new routes, sites before and after)"),
})
COLUMNS.update({
    "scenario": ("Variante", "Variant"), "sites_reachable": ("Standorte erreichbar", "Sites reachable"),
    "sites_redundant": ("mit zweitem Weg", "With a second path"),
    "sites_single_homed": ("ohne zweiten Weg", "Without a second path"),
    "sites_newly_connected": ("neu angeschlossen", "Newly connected"),
    "sites_trench_cuts_up": ("mehr Grabenschnitte nötig", "More trench cuts needed"),
    "sites_worse": ("schlechter gestellt", "Worse off"),
    "new_route_km_low": ("neue Trasse von (km)", "New route from (km)"),
    "new_route_km_high": ("neue Trasse bis (km)", "New route to (km)"),
    "resilience_per_100k_eur_low": ("Resilienz je 100.000 € von", "Resilience per 100,000 € from"),
    "resilience_per_100k_eur_high": ("Resilienz je 100.000 € bis", "Resilience per 100,000 € to"),
})
