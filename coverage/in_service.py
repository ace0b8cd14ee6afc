"""Which fibre serves today: the routes in service, the one rule every coverage figure starts from.

A route serves when its `status` is ``in_service`` (`inventory.schema.ELEMENT_STATUSES`); planned and
retired routes carry no signal. The site status, the gap map, the business-park coverage, the KPIs and
the expansion plan all measure distances to these routes, so they select them here.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np

IN_SERVICE = "in_service"
"""The route status of fibre that is built and lit (`inventory.schema.ELEMENT_STATUSES`)."""


def in_service_mask(routes: gpd.GeoDataFrame) -> np.ndarray:
    """Which routes are in service.

    Parameters
    ----------
    routes : GeoDataFrame
        The routes layer (n rows) with its `status` column.

    Returns
    -------
    numpy.ndarray
        Boolean, shape (n,), aligned to the rows of `routes`; a missing status counts as not in service.
    """
    return (routes["status"] == IN_SERVICE).to_numpy(dtype=bool, na_value=False)


def in_service_lines(routes: gpd.GeoDataFrame) -> np.ndarray:
    """Return the geometries of the routes in service.

    Parameters
    ----------
    routes : GeoDataFrame
        The routes layer with its `status` column and line geometries (EPSG:25832 metres).

    Returns
    -------
    numpy.ndarray
        Object array of shapely lines, shape (k,) for the k routes in service, in the layer's order.
    """
    return np.asarray(routes.geometry.values[in_service_mask(routes)], dtype=object)
