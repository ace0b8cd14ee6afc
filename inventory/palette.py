"""The colours of the inventory's maps: one home for every colour rule.

They are shared by the app's maps and legends (`app_pages.maps`, `app_pages.logic`) and the QGIS styles written
into every GeoPackage (`inventory.qgis_styles`), so a planner sees the same colours in QGIS as in the app.

Colours are RGB lists of 0-255 (deck.gl's form); a fourth number, where given, is the alpha (0-255).
"""

from __future__ import annotations

import pandas as pd

# Sites by coverage status (`coverage.status`) and routes by status (`inventory.schema.ELEMENT_STATUSES`).
STATUS_COLOURS = {
    "gigabit": [0, 140, 70], "connected": [120, 190, 60], "planned": [230, 140, 0],
    "passed": [240, 200, 0], "near": [230, 90, 30], "gap": [200, 30, 30],
}
ROUTE_COLOURS = {"in_service": [0, 92, 169], "planned": [230, 140, 0], "retired": [150, 150, 150]}
# Sites by their connection in the inventory (`inventory.schema.CONNECTIONS`).
SITE_COLOURS = {"connected": [0, 140, 70], "planned": [230, 140, 0], "none": [200, 30, 30]}
# Context on every map: the city outline over the district borders.
CITY_OUTLINE_COLOUR, DISTRICT_BORDER_COLOUR = [70, 70, 95], [160, 160, 185]
# Areas: a light translucent fill; the legend names their outline, drawn opaque.
NODE_COLOUR, DISTRICT_COLOUR, SITE_AREA_COLOUR = [40, 40, 40], DISTRICT_BORDER_COLOUR, [160, 60, 160]
DISTRICT_FILL, SITE_AREA_FILL = [120, 120, 160, 25], [160, 60, 160, 60]
SEVERITY_COLOURS = {"error": [200, 30, 30], "warning": [230, 140, 0], "note": [0, 92, 169]}
# A school's two diverse paths (in colours no route status has), its one path, and the POP they lead to.
PATH_COLOURS = ([110, 40, 170], [30, 30, 30])
SINGLE_PATH_COLOUR = [200, 30, 30]
POP_COLOUR = [220, 0, 120]
# What-if (`topology.whatif.SITE_STATES`): what failed, the construction site, and the sites' states.
WHATIF_COLOURS = {"failed": [0, 0, 0], "construction": [120, 0, 160], "isolated": [200, 30, 30],
                  "detour": [230, 140, 0], "unchanged": [0, 140, 70]}
# Proposals (estimates, not inventory).
RING_CLOSURE_COLOUR, NEW_ROUTE_COLOUR = [200, 0, 130], [0, 160, 180]
BACKGROUND_ROUTE_COLOUR = [180, 180, 180]
MISSING_COLOUR = [170, 170, 170, 120]
"""A value that is missing (no number to colour by)."""
# Routes by what the loss of their trench does (`coverage.trench_effects.EFFECT_CLASSES`; the Netz page's
# criticality map and the exported `trench_cuts` layer): it cuts sites off, dark red where at least half as many
# pupils as the worst trench cuts off, else the what-if's red for "vom Netz getrennt"; it leaves sites connected
# but on one path ("Redundanz verloren"), the what-if's amber, which there too means "still connected, but hit";
# it changes no site's connection, the grey of the background routes.
EFFECT_COLOURS = {"cut_most": [130, 0, 0], "cut": list(WHATIF_COLOURS["isolated"]),
                  "degraded": list(WHATIF_COLOURS["detour"]), "none": list(BACKGROUND_ROUTE_COLOUR)}


def share_colour(share) -> list[int]:
    """Red (0 %) → green (100 %) for the choropleth of a share (0-1); grey (translucent) without one.

    Parameters
    ----------
    share : float or None
        The share, 0..1 (values outside are clipped); None or NaN when there is none.

    Returns
    -------
    list[int]
        RGBA, 0-255.
    """
    if share is None or pd.isna(share):
        return [200, 200, 200, 60]
    x = min(max(float(share), 0.0), 1.0)
    return [int(200 * (1 - x)), int(60 + 100 * x), 60, 140]
