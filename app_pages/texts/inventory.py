"""The Inventar page and the counts above its map.

Each entry: key -> (German, English). `app_pages.i18n.LABELS` joins the tables of every page."""

LABELS: dict[str, tuple[str, str]] = {
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
