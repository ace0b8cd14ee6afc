"""The Meine Schule page and the school card: facts, redundancy in plain words, the cuts, status words.

Each entry: key -> (German, English). `app_pages.i18n.LABELS` joins the tables of every page."""

LABELS: dict[str, tuple[str, str]] = {
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
    # the school card: facts, places, the inventory's plan and the tool's estimate
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
    # beyond the first cut: the places that leave a school on one path; construction sites to cut it off
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
    # the reasons of a status (coverage.status.REASONS), filled with the numbers and dates as the language writes them
    "reason.bandwidth_unknown": ("angeschlossen, Bandbreite unbekannt", "connected, bandwidth unknown"),
    "reason.below_gigabit": ("angeschlossen mit {bandwidth_mbps} Mbit/s, unter {gigabit_mbps}",
                             "connected at {bandwidth_mbps} Mbit/s, below {gigabit_mbps}"),
    "reason.symmetry_unknown": ("angeschlossen mit {bandwidth_mbps} Mbit/s, Symmetrie unbekannt",
                                "connected at {bandwidth_mbps} Mbit/s, symmetry unknown"),
    "reason.asymmetric": ("angeschlossen mit {bandwidth_mbps} Mbit/s, asymmetrisch",
                          "connected at {bandwidth_mbps} Mbit/s, asymmetric"),
    "reason.gigabit_symmetric": ("angeschlossen mit {bandwidth_mbps} Mbit/s symmetrisch",
                                 "connected at {bandwidth_mbps} Mbit/s symmetric"),
    "reason.gigabit": ("angeschlossen mit {bandwidth_mbps} Mbit/s", "connected at {bandwidth_mbps} Mbit/s"),
    "reason.planned_on": ("Anschluss geplant für {planned_date}", "connection planned for {planned_date}"),
    "reason.planned_no_date": ("geplant, noch ohne Termin", "planned, no date set"),
    "reason.passed": ("nicht angeschlossen; Glasfaser in Betrieb {distance_m} m entfernt (≤ {limit_m} m)",
                      "not connected; in-service fibre {distance_m} m away (≤ {limit_m} m)"),
    "reason.near": ("nicht angeschlossen; Glasfaser in Betrieb {distance_m} m entfernt (≤ {limit_m} m)",
                    "not connected; in-service fibre {distance_m} m away (≤ {limit_m} m)"),
    "reason.gap": ("nicht angeschlossen; Glasfaser in Betrieb {distance_m} m entfernt (> {limit_m} m)",
                   "not connected; in-service fibre {distance_m} m away (> {limit_m} m)"),
    "reason.gap_no_fibre": ("nicht angeschlossen; keine Glasfaser in Betrieb (> {limit_m} m)",
                            "not connected; no in-service fibre (> {limit_m} m)"),
}
