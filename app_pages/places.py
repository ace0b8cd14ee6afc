"""Places in the words a school's IT coordinator knows, instead of the inventory's ids: the Stadtteil and
Stadtbezirk a school lies in, the name of its POP, and where a weak point of its connection lies – right at
the school, or in which Stadtteil near which named site or POP.

Every place comes from the store's own layers (districts, sites, nodes, routes); nothing is looked up
elsewhere. Names from the data are returned as they are: the page shows them with `i18n.plain`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from app_pages.i18n import t

NEAR_M = 400.0
"""A named site or POP at most this far (metres, EPSG:25832) from a weak point is named with it."""
AT_SCHOOL_M = 50.0
"""A weak point at most this far from the school's own point is 'right at your school' (its lead-in)."""
LANDMARK_NODE_KINDS = ("pop",)
"""Nodes whose names a coordinator may know (the other nodes' names are technical or missing)."""


class SchoolPlaces:
    """Where things are, seen from one school (`site_id`) of `frames` (a store's layers by name, EPSG:25832).

    `district()` words the school's Stadtteil and Stadtbezirk; `pop_name(node_id)` a POP's name; calling the
    object with a kind ('trench', 'segment' or 'node') and ids gives the distinct places of those ids in the
    order first met, each as a short phrase ('in Ückendorf, nahe „Gesamtschule …“')."""

    def __init__(self, frames: Mapping[str, gpd.GeoDataFrame], site_id: str, lang: str = "de") -> None:
        self.lang = lang
        sites, nodes, routes = frames["sites"], frames["nodes"], frames["routes"]
        self.site = sites[sites["site_id"].astype(str) == str(site_id)].iloc[0]
        self.point = self.site.geometry
        districts = frames.get("districts")
        if districts is None:
            districts = gpd.GeoDataFrame({"district_id": [], "name": [], "level": [], "parent_id": []},
                                         geometry=[])
        self.quarters = districts[districts["level"] == "stadtteil"].reset_index(drop=True)
        self.boroughs = districts[districts["level"] == "stadtbezirk"].reset_index(drop=True)
        self.node_names = dict(zip(nodes["node_id"].astype(str), nodes["name"], strict=True))
        others = sites[sites["site_id"].astype(str) != str(site_id)]
        named_nodes = nodes[nodes["kind"].isin(LANDMARK_NODE_KINDS) & nodes["name"].notna()]
        self.landmarks = [(str(n), _street(a)) for n, a in zip(others["name"], others["address"], strict=True)] + \
            [(str(n), "") for n in named_nodes["name"]]
        self.landmark_points = np.asarray([*others.geometry.values, *named_nodes.geometry.values], dtype=object)
        self.tree = shapely.STRtree(self.landmark_points)
        self.routes, self.nodes = routes, nodes

    def district(self) -> str:
        """'Ückendorf (Stadtbezirk Gelsenkirchen-Süd)': the school's Stadtteil as the store records it (else
        the one it lies in) and its Stadtbezirk; '–' where neither is known."""
        quarter = self.site.get("district")
        quarter = str(quarter) if quarter is not None and not pd.isna(quarter) and str(quarter).strip() else None
        quarter = quarter or next(iter(self._quarters_of(self.point)), None)
        borough = None
        parent = self.quarters.loc[self.quarters["name"] == quarter, "parent_id"] if quarter else []
        if len(parent) and not pd.isna(parent.iloc[0]):
            match = self.boroughs.loc[self.boroughs["district_id"] == parent.iloc[0], "name"]
            borough = str(match.iloc[0]) if len(match) else None
        if borough is None:
            hit = self.boroughs[self.boroughs.geometry.contains(self.point)]
            borough = str(hit["name"].iloc[0]) if len(hit) else None
        if quarter and borough:
            return t("place.district", self.lang, quarter=quarter, borough=borough)
        return quarter or borough or t("none", self.lang)

    def pop_name(self, node_id) -> str:
        """The POP's name in the store ('POP Altstadt'), else its id."""
        name = self.node_names.get(str(node_id))
        return str(name) if name is not None and not pd.isna(name) and str(name).strip() else str(node_id)

    def __call__(self, kind: str, ids: Iterable) -> list[str]:
        places: list[str] = []
        for i in ids:
            geometry = self._geometry(kind, str(i))
            phrase = t("place.unknown", self.lang) if geometry is None else self._phrase(geometry)
            if phrase not in places:
                places.append(phrase)
        return places

    def nearest_first(self, kind: str, ids: Iterable) -> list[str]:
        """`ids` (of `kind`: 'trench', 'segment' or 'node') ordered by their distance to the school (metres,
        EPSG:25832), the nearest first; ids without a geometry last, in their given order."""
        ids = [str(i) for i in ids]
        distance = {}
        for key in ids:
            geometry = self._geometry(kind, key)
            distance[key] = float("inf") if geometry is None else float(shapely.distance(geometry, self.point))
        return sorted(ids, key=lambda key: distance[key])

    def _geometry(self, kind: str, key: str):
        """The trench's routes as one geometry, the segment's route, or the node's point; None if unknown."""
        if kind == "node":
            found = self.nodes.geometry[self.nodes["node_id"].astype(str) == key]
        else:
            found = self.routes.geometry[self.routes["trench_id" if kind == "trench" else "route_id"].astype(str)
                                         == key]
        return shapely.union_all(found.to_numpy()) if len(found) else None

    def _phrase(self, geometry) -> str:
        if shapely.distance(geometry, self.point) <= AT_SCHOOL_M:
            return t("place.at_school", self.lang)
        quarters = self._quarters_of(geometry)
        near = self._landmark(geometry)
        where = t("place.in", self.lang, quarter=t("place.and", self.lang).join(quarters[:2])) if quarters else ""
        if near is not None:
            name, street = near
            landmark = t("place.near_street", self.lang, name=name, street=street) if street else \
                t("place.near", self.lang, name=name)
            return f"{where}, {landmark}" if where else landmark
        return where or t("place.outside", self.lang)

    def _quarters_of(self, geometry) -> list[str]:
        """The Stadtteile `geometry` touches, the one holding most of it first."""
        if not len(self.quarters):
            return []
        hit = self.quarters[self.quarters.geometry.intersects(geometry)]
        if geometry.geom_type.endswith("Point"):
            return [str(n) for n in hit["name"]]
        share = [shapely.intersection(geometry, area).length for area in hit.geometry]
        return [str(n) for _, n in sorted(zip(share, hit["name"], strict=True), key=lambda p: -p[0])]

    def _landmark(self, geometry) -> tuple[str, str] | None:
        """The nearest named site (with its street) or POP within `NEAR_M`, else None."""
        if not len(self.landmarks):
            return None
        found = self.tree.query_nearest(geometry, max_distance=NEAR_M)
        return self.landmarks[int(found[0])] if len(found) else None



def _street(address) -> str:
    """The street and number of an address ('Marschallstr. 13, 45889 Gelsenkirchen' → 'Marschallstr. 13'):
    several schools share a name such as 'Städt. Gem. Grundschule', their streets tell them apart."""
    if address is None or pd.isna(address):
        return ""
    return str(address).split(",")[0].strip()
