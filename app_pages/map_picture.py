"""A pydeck map drawn as a still picture on the server (matplotlib, PNG): what a page shows by default.

deck.gl draws its maps with WebGL; on a computer without a graphics card the browser does that on the CPU,
which kept a page from being complete for one to two seconds per map (`benchmarks/APP.md`). The picture
has the map's layers, colours, line widths and point sizes in deck.gl's Web Mercator projection (a 512-pixel
world at zoom 0); as a picture cannot be panned, it is framed to show all that the layers hold (but layers
whose id begins with `UNFRAMED`: context drawn around what is framed).

Colours: every opaque colour a layer draws (a legend's colours: the maps draw what their legends name
opaque) is kept exactly in the PNG's palette; the rest of the picture (edges, translucent areas) shares
`ADAPTIVE_COLOURS` colours picked from it. A palette of the drawing's own colours keeps even a colour
used by one point, which a palette picked from the pixels alone merges into its neighbours.
"""

from __future__ import annotations

import io
import math
import threading

import numpy as np
import pydeck as pdk
from PIL import Image

WIDTH_PX = 1200  # about the width of a map in the app's wide layout; the page scales the picture to fit
DPI = 100
WORLD_PX = 512  # deck.gl's world is 512 pixels wide at zoom 0
EARTH_CIRCUMFERENCE_M = 40_075_016.686
MARGIN = 0.04  # of the picture's width and height, on each side, kept free around what the layers hold
MAX_ZOOM = 16.0  # closest zoom, for points close together
PALETTE_SIZE = 256  # a PNG palette's most colours
ADAPTIVE_COLOURS = 64  # of the palette, picked from the pixels (edges, translucent areas); the rest is exact
BACKGROUND = (255, 255, 255)
UNFRAMED = "unframed:"  # a layer whose id begins so is drawn, but the picture is not framed to show it all
_LOCK = threading.Lock()  # matplotlib's text and font caches are not thread-safe


def world_px(lon, lat, zoom: float) -> tuple[np.ndarray, np.ndarray]:
    """Web Mercator pixel coordinates at `zoom` (y grows southwards, as on screen)."""
    scale = WORLD_PX * 2.0**zoom
    lat = np.clip(np.asarray(lat, dtype=float), -85.05113, 85.05113)
    x = (np.asarray(lon, dtype=float) + 180.0) / 360.0 * scale
    y = (1.0 - np.log(np.tan(np.pi / 4 + np.radians(lat) / 2)) / np.pi) / 2.0 * scale
    return x, y


def _coordinates(layer: pdk.Layer, rows: list[dict]) -> list[np.ndarray]:
    """Per row, the [lon, lat] vertices the layer draws (one for a point)."""
    if layer.type == "PathLayer":
        return [np.asarray(row[_accessor(layer, "get_path")], dtype=float).reshape(-1, 2) for row in rows]
    if layer.type == "PolygonLayer":
        return [np.asarray(row[_accessor(layer, "get_polygon")], dtype=float).reshape(-1, 2) for row in rows]
    if layer.type == "ScatterplotLayer":
        lon, lat = (c.strip() for c in _accessor(layer, "get_position").strip("[]").split(","))
        return [np.array([[row[lon], row[lat]]], dtype=float) for row in rows]
    raise ValueError(f"no still picture for a {layer.type}: only PathLayer, ScatterplotLayer, PolygonLayer are drawn")


def _framed(layer: pdk.Layer) -> bool:
    return not str(getattr(layer, "id", "") or "").startswith(UNFRAMED)


def _all_coordinates(chart: pdk.Deck) -> list[np.ndarray]:
    """The vertices of every layer the picture is framed to show (not the `UNFRAMED` ones)."""
    return [xy for layer in chart.layers if _framed(layer) and isinstance(layer.data, list) and layer.data
            for xy in _coordinates(layer, layer.data)]


def framing(chart: pdk.Deck, width_px: int, height_px: int) -> tuple[float, float, float]:
    """Centre (lon, lat) and zoom that show everything the layers hold (but `UNFRAMED` ones) with a `MARGIN`;
    the chart's initial view if they hold nothing (its zoom if they hold one point)."""
    parts = _all_coordinates(chart)
    view = chart.initial_view_state
    if not parts:
        return float(view.longitude), float(view.latitude), float(view.zoom)
    xy = np.concatenate(parts)
    x, y = world_px(xy[:, 0], xy[:, 1], 0.0)
    span_x, span_y = float(np.ptp(x)), float(np.ptp(y))
    fits = [(1 - 2 * MARGIN) * size / span for size, span in ((width_px, span_x), (height_px, span_y)) if span > 0]
    zoom = min(MAX_ZOOM, math.log2(min(fits))) if fits else float(view.zoom)  # one point: the view's zoom
    mid_x, mid_y = (x.min() + x.max()) / 2, (y.min() + y.max()) / 2
    lon = mid_x / WORLD_PX * 360.0 - 180.0
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * mid_y / WORLD_PX))))
    return lon, lat, zoom


def fitted_width(chart: pdk.Deck, height_px: int, max_width_px: int = WIDTH_PX) -> int:
    """How wide the picture is: `max_width_px`, or narrower where what the layers hold is taller than wide
    (a city like Gelsenkirchen), so it has no empty bands at the sides; never narrower than it is high."""
    parts = _all_coordinates(chart)
    if not parts:
        return max_width_px
    _, _, zoom = framing(chart, max_width_px, height_px)
    xy = np.concatenate(parts)
    x, _ = world_px(xy[:, 0], xy[:, 1], zoom)
    return int(min(max_width_px, max(height_px, math.ceil(float(np.ptp(x)) / (1 - 2 * MARGIN)))))


def frame_bounds(chart: pdk.Deck, height_px: int, width_px: int | None = None) -> tuple[float, float, float, float]:
    """The area `map_png` shows of `chart` at `height_px` (and `width_px`, by default `fitted_width`): west,
    south, east, north in degrees (EPSG:4326). A map can pick its context (what lies around what it is
    framed on) by it before adding that context as `UNFRAMED` layers, which leave the frame as it is."""
    width_px = width_px or fitted_width(chart, height_px)
    lon0, lat0, zoom = framing(chart, width_px, height_px)
    cx, cy = world_px(lon0, lat0, zoom)
    scale = WORLD_PX * 2.0**zoom

    def lon(x: float) -> float:
        return float(x / scale * 360.0 - 180.0)

    def lat(y: float) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * float(y) / scale))))

    return (lon(cx - width_px / 2), lat(cy + height_px / 2), lon(cx + width_px / 2), lat(cy - height_px / 2))


def _accessor(layer: pdk.Layer, name: str, default=None):
    """A layer property: a constant, or the column named by pydeck's '@@=' expression."""
    value = getattr(layer, name, default)
    if isinstance(value, str) and value.startswith("@@="):
        return value[3:]
    return value


def _rgba(rows: list[dict], spec, default=(0, 0, 0, 255)) -> np.ndarray:
    """Per row RGBA 0..255 (an n × 4 array) from a column name or a constant [r, g, b(, a)]."""
    def rgba(c) -> list[int]:
        c = [int(v) for v in c] if c is not None else list(default)
        return (c + [255])[:4]

    if spec is None:
        colours = [rgba(default)] * len(rows)
    elif isinstance(spec, str):
        colours = [rgba(row.get(spec)) for row in rows]
    else:
        colours = [rgba(spec)] * len(rows)
    return np.asarray(colours, dtype=np.int64).reshape(-1, 4)


def _opaque(rgba: np.ndarray) -> np.ndarray:
    """The RGB of the opaque colours among `rgba` (n × 4, 0..255)."""
    return rgba[rgba[:, 3] == 255, :3]


def _pt(px: float) -> float:
    """Screen pixels → matplotlib points."""
    return px * 72.0 / DPI


def map_png(chart: pdk.Deck, height_px: int, width_px: int | None = None) -> bytes:
    """`chart`'s layers (PathLayer, ScatterplotLayer, PolygonLayer) drawn as a PNG `height_px` high and
    `width_px` wide (by default `fitted_width`)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import LineCollection, PolyCollection
    from matplotlib.figure import Figure

    width_px = width_px or fitted_width(chart, height_px)
    lon0, lat0, zoom = framing(chart, width_px, height_px)
    cx, cy = world_px(lon0, lat0, zoom)
    px_per_m = WORLD_PX * 2.0**zoom / (EARTH_CIRCUMFERENCE_M * math.cos(math.radians(lat0)))

    def screen(coords) -> np.ndarray:
        xy = np.asarray(coords, dtype=float).reshape(-1, 2)
        x, y = world_px(xy[:, 0], xy[:, 1], zoom)
        return np.column_stack([x - cx + width_px / 2, y - cy + height_px / 2])

    with _LOCK:
        figure = Figure(figsize=(width_px / DPI, height_px / DPI), dpi=DPI)
        FigureCanvasAgg(figure)
        ax = figure.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, width_px)
        ax.set_ylim(height_px, 0)
        ax.set_axis_off()
        exact = [np.array([BACKGROUND])]  # the colours the palette keeps exactly
        for z, layer in enumerate(chart.layers):
            rows = layer.data if isinstance(layer.data, list) else []
            if not rows:
                continue
            coordinates = [screen(xy) for xy in _coordinates(layer, rows)]
            if layer.type == "PathLayer":
                colours = _rgba(rows, _accessor(layer, "get_color"))
                ax.add_collection(LineCollection(
                    coordinates, colors=colours / 255, zorder=z,
                    linewidths=_pt(getattr(layer, "width_min_pixels", 1) or 1), capstyle="round", joinstyle="round"))
                exact.append(_opaque(colours))
            elif layer.type == "ScatterplotLayer":
                xy = np.concatenate(coordinates)
                radius_px = max(float(getattr(layer, "get_radius", 1) or 1) * px_per_m,
                                float(getattr(layer, "radius_min_pixels", 0) or 0))
                filled = getattr(layer, "filled", True) is not False
                colours = _rgba(rows, _accessor(layer, "get_fill_color"))
                if getattr(layer, "stroked", False):  # an outline inside the radius, as deck.gl draws it
                    line_px = float(getattr(layer, "line_width_min_pixels", 1) or 1)
                    lines = _rgba(rows, _accessor(layer, "get_line_color"))
                    ax.scatter(xy[:, 0], xy[:, 1], s=(2 * _pt(max(radius_px - line_px / 2, 0.5))) ** 2, zorder=z,
                               c=colours / 255 if filled else "none", edgecolors=lines / 255,
                               linewidths=_pt(line_px))
                    exact.append(_opaque(lines))
                else:
                    ax.scatter(xy[:, 0], xy[:, 1], s=(2 * _pt(radius_px)) ** 2, linewidths=0, zorder=z,
                               c=colours / 255)
                if filled:
                    exact.append(_opaque(colours))
            elif layer.type == "PolygonLayer":
                filled = getattr(layer, "filled", True) is not False
                lines = _rgba(rows, _accessor(layer, "get_line_color"))
                fills = _rgba(rows, _accessor(layer, "get_fill_color")) if filled else None
                ax.add_collection(PolyCollection(
                    coordinates, facecolors=fills / 255 if filled else "none", edgecolors=lines / 255,
                    linewidths=_pt(getattr(layer, "line_width_min_pixels", 1) or 1), zorder=z))
                exact += [_opaque(lines)] + ([_opaque(fills)] if filled else [])
        figure.canvas.draw()
        rgb = np.array(figure.canvas.buffer_rgba())[..., :3]
    return png_bytes(rgb, np.concatenate(exact))


def png_bytes(rgb: np.ndarray, exact: np.ndarray) -> bytes:
    """The picture `rgb` (height × width × 3, uint8) as PNG with a palette: every colour of `exact` (n × 3,
    0..255) that the picture holds keeps its index and its exact value; the other pixels share
    `ADAPTIVE_COLOURS` colours picked from them (median cut). With more exact colours than a palette
    holds besides, the PNG keeps every pixel's RGB (larger: about three times the bytes)."""
    keep = np.unique(_codes(np.asarray(exact, dtype=np.int64)))
    buffer = io.BytesIO()
    if len(keep) > PALETTE_SIZE - ADAPTIVE_COLOURS:
        Image.fromarray(rgb).save(buffer, format="PNG", optimize=True)
        return buffer.getvalue()
    codes = _codes(rgb.astype(np.int64))
    slot = np.minimum(np.searchsorted(keep, codes), len(keep) - 1)
    kept = keep[slot] == codes
    rest = rgb.copy()
    rest[kept] = BACKGROUND  # the adaptive colours go to the pixels not kept exactly
    adaptive = Image.fromarray(rest).quantize(ADAPTIVE_COLOURS, method=Image.Quantize.MEDIANCUT)
    index = np.where(kept, slot, len(keep) + np.asarray(adaptive, dtype=np.int64)).astype(np.uint8)
    exact_rgb = np.column_stack([keep >> 16, (keep >> 8) & 255, keep & 255]).ravel().tolist()
    picture = Image.frombytes("P", (index.shape[1], index.shape[0]), index.tobytes())
    picture.putpalette(exact_rgb + adaptive.getpalette()[: 3 * ADAPTIVE_COLOURS])
    picture.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _codes(rgb: np.ndarray) -> np.ndarray:
    """Each RGB (..., 3, integers 0..255) as one integer."""
    return (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]


def picture_of(chart: pdk.Deck, height_px: int) -> bytes:
    """`map_png` of `chart`, kept with the chart: a cached map is drawn once per height."""
    pictures = chart.__dict__.setdefault("_pictures", {})
    if height_px not in pictures:
        pictures[height_px] = map_png(chart, height_px)
    return pictures[height_px]
