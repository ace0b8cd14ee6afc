"""Map-ready tables: layers reprojected to EPSG:4326 for display only (storage stays EPSG:25832)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

DISPLAY_CRS = "EPSG:4326"
DISPLAY_DECIMALS = 6  # 1e-6° is about 0.1 m: enough for a map, and less to send to the browser


def _attributes(frame: gpd.GeoDataFrame) -> pd.DataFrame:
    table = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    for column in table.columns:  # JSON-friendly values for the browser
        if str(table[column].dtype).startswith("datetime64"):
            table[column] = table[column].dt.strftime("%Y-%m-%d")
        table[column] = table[column].astype(object).where(table[column].notna(), None)
    return table


def point_table(frame: gpd.GeoDataFrame) -> pd.DataFrame:
    """Attributes plus `lon`, `lat` of each point."""
    wgs = frame.to_crs(DISPLAY_CRS)
    table = _attributes(wgs)
    table["lon"] = wgs.geometry.x.to_numpy().round(DISPLAY_DECIMALS)
    table["lat"] = wgs.geometry.y.to_numpy().round(DISPLAY_DECIMALS)
    return table


def path_table(frame: gpd.GeoDataFrame) -> pd.DataFrame:
    """Attributes plus `path`: the line's [lon, lat] vertices."""
    wgs = frame.to_crs(DISPLAY_CRS)
    table = _attributes(wgs)
    table["path"] = [shapely.get_coordinates(g).round(DISPLAY_DECIMALS).tolist() for g in wgs.geometry]
    return table


def polygon_table(frame: gpd.GeoDataFrame) -> pd.DataFrame:
    """Attributes plus `polygon`: the exterior ring of every part (one row per part)."""
    wgs = frame.to_crs(DISPLAY_CRS).explode(index_parts=False).reset_index(drop=True)
    table = _attributes(wgs)
    table["polygon"] = [shapely.get_coordinates(g.exterior).round(DISPLAY_DECIMALS).tolist() for g in wgs.geometry]
    return table
