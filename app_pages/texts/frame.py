"""The frame: title, language, navigation.

Each entry: key -> (German, English). `app_pages.i18n.LABELS` joins the tables of every page."""

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
}
