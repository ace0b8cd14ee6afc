"""The inventory data model: one declarative schema for both stores.

Every other part (validation, the GeoPackage store, the PostGIS ORM models and
migrations, import and export) reads the layer definitions from here, so the
two stores cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field

CRS = "EPSG:25832"
"""Storage CRS of every layer: ETRS89 / UTM zone 32N, metres."""
SRID = 25832

NODE_KINDS = ("pop", "cabinet", "closure", "chamber", "building_entry", "junction")
ELEMENT_STATUSES = ("in_service", "planned", "retired")
ROUTE_METHODS = ("open_trench", "micro_trench", "drilling", "aerial", "existing_duct")
SITE_KINDS = ("school", "business_park", "public_building", "other")
CONNECTIONS = ("connected", "planned", "none")
DISTRICT_LEVELS = ("stadtbezirk", "stadtteil")

DTYPES = ("text", "int", "float", "bool", "date")

MAX_TEXT_CHARS = 1_000
"""The longest value a text field may hold; longer values are refused as `field_too_long`."""

NRW_BOUNDS = (265_000.0, 5_560_000.0, 545_000.0, 5_840_000.0)
"""North Rhine-Westphalia's bounding box in EPSG:25832 (minx, miny, maxx, maxy), about 10 km wider
than the state (5.87-9.46 E, 50.32-52.53 N). Geometry outside it is refused as `geometry_outside_nrw`."""


@dataclass(frozen=True)
class Field:
    """One attribute column of a layer."""

    name: str
    dtype: str
    required: bool = False
    choices: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None
    references: tuple[str, str] | None = None
    """(layer, field) that a non-empty value must exist in."""
    description: str = ""

    def __post_init__(self) -> None:
        """Refuse a dtype that is not one of `DTYPES` (ValueError)."""
        if self.dtype not in DTYPES:
            raise ValueError(f"field {self.name!r}: dtype {self.dtype!r} is not one of {DTYPES}")


@dataclass(frozen=True)
class Layer:
    """A layer (GeoPackage) or table (PostGIS) of the inventory."""

    name: str
    key: str
    geometry_type: str
    fields: tuple[Field, ...]
    description: str = ""
    checks: tuple[str, ...] = field(default=())
    """Names of cross-field rules from `inventory.validation.ROW_CHECKS`."""

    @property
    def columns(self) -> list[str]:
        """Attribute column names in schema order (without the geometry)."""
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        """Return the field called `name`; KeyError naming the layer's fields when it has none of that name."""
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"layer {self.name!r} has no field {name!r}; fields are {self.columns}")


SOURCE = Field("source", "text", description="where the record comes from; 'synthetic' for invented data")

LAYERS: dict[str, Layer] = {
    layer.name: layer
    for layer in (
        Layer(
            "nodes",
            key="node_id",
            geometry_type="Point",
            description="network nodes: POPs, cabinets, closures, chambers, building entries, junctions",
            fields=(
                Field("node_id", "text", required=True),
                Field("kind", "text", required=True, choices=NODE_KINDS),
                Field("name", "text"),
                Field("status", "text", required=True, choices=ELEMENT_STATUSES),
                Field("built_year", "int", min=1950, max=2100),
                SOURCE,
            ),
        ),
        Layer(
            "routes",
            key="route_id",
            geometry_type="LineString",
            description="fibre route segments and the trench (or shared corridor) they lie in",
            checks=("fibres_used_le_fibre_count",),
            fields=(
                Field("route_id", "text", required=True),
                Field(
                    "trench_id",
                    "text",
                    description="segments in one trench fail together; defaults to the route_id",
                ),
                Field("status", "text", required=True, choices=ELEMENT_STATUSES),
                Field("fibre_count", "int", min=1, max=10000),
                Field("fibres_used", "int", min=0, max=10000),
                Field("method", "text", choices=ROUTE_METHODS),
                Field("built_year", "int", min=1950, max=2100),
                Field("planned_date", "date"),
                Field("owner", "text"),
                SOURCE,
            ),
        ),
        Layer(
            "sites",
            key="site_id",
            geometry_type="Point",
            description="connected or connectable sites: schools, business parks, public buildings",
            fields=(
                Field("site_id", "text", required=True, description="the school number for schools"),
                Field("kind", "text", required=True, choices=SITE_KINDS),
                Field("name", "text", required=True),
                Field("address", "text"),
                Field("district", "text"),
                Field("connection", "text", required=True, choices=CONNECTIONS),
                Field("bandwidth_mbps", "float", min=0, max=1_000_000),
                Field("symmetric", "bool"),
                Field("connected_since", "date"),
                Field("planned_date", "date"),
                Field("handover_node_id", "text", references=("nodes", "node_id")),
                Field("pupils", "int", min=0, max=100_000),
                Field("school_type", "text"),
                SOURCE,
            ),
        ),
        Layer(
            "site_areas",
            key="site_id",
            geometry_type="MultiPolygon",
            description="the extent of a site, e.g. a business park",
            fields=(
                Field("site_id", "text", required=True, references=("sites", "site_id")),
                SOURCE,
            ),
        ),
        Layer(
            "districts",
            key="district_id",
            geometry_type="MultiPolygon",
            description="administrative districts (Stadtbezirke and Stadtteile)",
            fields=(
                Field("district_id", "text", required=True),
                Field("name", "text", required=True),
                Field("level", "text", required=True, choices=DISTRICT_LEVELS),
                Field("parent_id", "text", references=("districts", "district_id")),
                SOURCE,
            ),
        ),
    )
}

LAYER_ORDER = ("nodes", "routes", "sites", "site_areas", "districts")
"""Referenced layers before the layers that reference them."""


def get_layer(name: str) -> Layer:
    """Return the layer called `name`, or a ValueError listing the known layers.

    Parameters
    ----------
    name : str
        A layer name, e.g. "routes".

    Returns
    -------
    Layer
        The layer's schema.

    Raises
    ------
    ValueError
        When no layer has that name; the message lists the known layers.

    Examples
    --------
    >>> get_layer("routes").key
    'route_id'
    """
    try:
        return LAYERS[name]
    except KeyError:
        raise ValueError(f"unknown layer {name!r}; expected one of {', '.join(LAYER_ORDER)}") from None
