"""Result layers to files: one GeoPackage (geometry kept, styled for QGIS) or CSV files (geometry as WKT).

The one writer of every analysis export, below the packages that make the layers (work flows one way,
docs/design.md): `gelsennet impact/paths --export` (`topology.layers`), `gelsennet plan/coverage --export`
and the app's downloads (`coverage.layers`, which adds the styles of its own layers).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

GEOMETRY_TYPE = "geometry_type"
"""`frame.attrs[GEOMETRY_TYPE]`: the geometry type ('LineString', 'Point', ...) a layer has when it is empty."""
EXPORT_FORMS = "a .gpkg file, a .csv file name (one <name>_<layer>.csv per layer) or a directory (one CSV per layer)"


def export_paths(layers: dict, destination: str) -> list[Path]:
    """Return the files `export_tables` writes for `layers` at `destination`.

    Parameters
    ----------
    layers : dict of str to geopandas.GeoDataFrame
        The layers by name (only the names are used).
    destination : str
        A `.gpkg` path, a `.csv` path, or a directory.

    Returns
    -------
    list of pathlib.Path
        The GeoPackage path; or one `<stem>_<layer>.csv` beside a `.csv` path per layer; or one `<layer>.csv`
        per layer in the directory.

    Raises
    ------
    ValueError
        For another suffix than .gpkg or .csv (a .shp or .geojson would not take several layers), unless
        `destination` is an existing directory.

    Examples
    --------
    >>> [p.name for p in export_paths({"routes": None, "nodes": None}, "out/cut.csv")]
    ['cut_routes.csv', 'cut_nodes.csv']
    """
    path = Path(destination)
    suffix = path.suffix.lower()
    if suffix == ".gpkg":
        return [path]
    if suffix == ".csv":
        return [path.with_name(f"{path.stem}_{name}.csv") for name in layers]
    if suffix and not path.is_dir():
        raise ValueError(f"{destination}: cannot export to {suffix!r}; expected {EXPORT_FORMS}; fix: end the name "
                         "in .gpkg or .csv, or give a directory")
    return [path / f"{name}.csv" for name in layers]


def export_tables(layers: dict, destination: str, rules: Mapping[str, Callable] | None = None) -> list[str]:
    """Write layers to one GeoPackage (a `.gpkg` path), or to CSV files (geometry as WKT in `wkt`).

    For a `.csv` path one `<stem>_<layer>.csv` beside it per layer, else one `<layer>.csv` per layer in
    the directory `destination`. Missing parent directories are created.

    Parameters
    ----------
    layers : dict of str to geopandas.GeoDataFrame
        The layers by name, EPSG:25832; an empty layer keeps the geometry type in `attrs[GEOMETRY_TYPE]`.
    destination : str
        A `.gpkg` path, a `.csv` path, or a directory.
    rules : mapping of str to callable, optional
        QGIS style rules (`inventory.qgis_styles.Rule`) of the caller's own layers, over
        `inventory.qgis_styles.STYLES` (a GeoPackage only).

    Returns
    -------
    list of str
        The files written.

    Raises
    ------
    ValueError
        Before writing, for another suffix than .gpkg or .csv unless `destination` is a directory.
    """
    import pyogrio

    from inventory.formats.csvtext import to_csv_frame
    from inventory.qgis_styles import add_styles

    targets = export_paths(layers, destination)
    if Path(destination).suffix.lower() == ".gpkg":
        targets[0].parent.mkdir(parents=True, exist_ok=True)
        for name, frame in layers.items():  # an empty layer keeps the type it declares (else 'Unknown')
            pyogrio.write_dataframe(frame, targets[0], layer=name, driver="GPKG",
                                    geometry_type=frame.attrs.get(GEOMETRY_TYPE) if frame.empty else None)
        add_styles(targets[0], rules)  # opens in QGIS in the app's colours (`inventory.qgis_styles`)
        return [str(targets[0])]
    for target, frame in zip(targets, layers.values(), strict=True):
        target.parent.mkdir(parents=True, exist_ok=True)
        to_csv_frame(frame).to_csv(target, index=False)
    return [str(target) for target in targets]


def geopackage_bytes(layers: dict, rules: Mapping[str, Callable] | None = None) -> bytes:
    """Layers as the bytes of one GeoPackage file (a download), styled as `export_tables` does.

    Parameters
    ----------
    layers : dict of str to geopandas.GeoDataFrame
        The layers by name, EPSG:25832.
    rules : mapping of str to callable, optional
        QGIS style rules of the caller's own layers, as for `export_tables`.

    Returns
    -------
    bytes
        The GeoPackage file, written in a temporary directory that is removed afterwards.
    """
    with tempfile.TemporaryDirectory() as folder:
        (path,) = export_tables(layers, str(Path(folder) / "layers.gpkg"), rules)
        return Path(path).read_bytes()
