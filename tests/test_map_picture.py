"""Still map pictures (`app_pages.map_picture`): deck.gl's projection, framing, and what the pixels show."""

from __future__ import annotations

import io
import math

import numpy as np
import pydeck as pdk
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from pyproj import Transformer

from app_pages.map_picture import (
    ADAPTIVE_COLOURS,
    MARGIN,
    PALETTE_SIZE,
    UNFRAMED,
    WIDTH_PX,
    fitted_width,
    framing,
    map_png,
    picture_of,
    world_px,
)

HEIGHT_PX = 400
VIEW = pdk.ViewState(latitude=51.5, longitude=7.05, zoom=11)
RED, BLUE, WHITE = (200, 0, 0), (0, 0, 200), (255, 255, 255)


def deck(*layers: pdk.Layer) -> pdk.Deck:
    return pdk.Deck(layers=list(layers), initial_view_state=VIEW, map_style=None)


def pixels(chart: pdk.Deck) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(map_png(chart, HEIGHT_PX))).convert("RGB")).astype(int)


def on_picture(chart: pdk.Deck, lon: float, lat: float, width: int | None = None) -> tuple[int, int]:
    """Where (lon, lat) lands in the picture (`width` wide, by default as `map_png` makes it): (row, column)."""
    width = width or fitted_width(chart, HEIGHT_PX)
    lon0, lat0, zoom = framing(chart, width, HEIGHT_PX)
    (x, y), (cx, cy) = world_px(lon, lat, zoom), world_px(lon0, lat0, zoom)
    return round(float(y - cy + HEIGHT_PX / 2)), round(float(x - cx + width / 2))


def close(pixel, colour, tolerance: int = 40) -> bool:
    return bool(np.all(np.abs(np.asarray(pixel) - np.asarray(colour)) <= tolerance))


@given(st.floats(-179.9, 179.9), st.floats(-80, 80))
def test_world_pixels_are_web_mercator(lon, lat):
    """Oracle: pyproj's EPSG:3857, scaled to deck.gl's 512-pixel world at zoom 0."""
    x_m, y_m = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True).transform(lon, lat)
    half = math.pi * 6_378_137.0
    x, y = world_px(lon, lat, 0.0)
    assert float(x) == pytest.approx((x_m + half) / (2 * half) * 512, abs=1e-6)
    assert float(y) == pytest.approx((half - y_m) / (2 * half) * 512, abs=1e-6)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.floats(6.9, 7.3), st.floats(51.4, 51.7)), min_size=2, max_size=30))
def test_the_picture_shows_everything_the_layers_hold(points):
    chart = deck(pdk.Layer("PathLayer", [{"path": [list(p) for p in points]}], get_path="path"))
    spots = np.array([on_picture(chart, lon, lat, WIDTH_PX) for lon, lat in points])
    if np.ptp(spots[:, 0]) == 0 and np.ptp(spots[:, 1]) == 0:
        return  # all in one pixel: nothing to frame
    slack = 1  # rounding to whole pixels
    assert spots[:, 1].min() >= MARGIN * WIDTH_PX - slack and spots[:, 1].max() <= (1 - MARGIN) * WIDTH_PX + slack
    assert spots[:, 0].min() >= MARGIN * HEIGHT_PX - slack and spots[:, 0].max() <= (1 - MARGIN) * HEIGHT_PX + slack
    # and as large as fits: on one axis the drawing spans the picture less its margins
    spans = np.ptp(spots[:, 1]) / ((1 - 2 * MARGIN) * WIDTH_PX), np.ptp(spots[:, 0]) / ((1 - 2 * MARGIN) * HEIGHT_PX)
    assert max(spans) == pytest.approx(1.0, abs=0.02) or framing(chart, WIDTH_PX, HEIGHT_PX)[2] == 16.0


def test_paths_points_and_polygons_are_drawn_in_their_colours():
    path = [[7.00, 51.50], [7.10, 51.50]]
    square = [[7.02, 51.52], [7.04, 51.52], [7.04, 51.53], [7.02, 51.53]]
    chart = deck(
        pdk.Layer("PolygonLayer", [{"polygon": square, "fill": [*BLUE, 255]}], get_polygon="polygon",
                  get_fill_color="fill", get_line_color=[0, 0, 0], line_width_min_pixels=1),
        pdk.Layer("PathLayer", [{"path": path, "colour": list(RED)}], get_path="path", get_color="colour",
                  width_min_pixels=4),
        pdk.Layer("ScatterplotLayer", [{"lon": 7.08, "lat": 51.51}], get_position=["lon", "lat"], get_radius=1,
                  radius_min_pixels=6, get_fill_color=[0, 160, 0]),
    )
    image = pixels(chart)
    assert image.shape == (HEIGHT_PX, fitted_width(chart, HEIGHT_PX), 3)
    assert close(image[on_picture(chart, 7.05, 51.50)], RED)
    assert close(image[on_picture(chart, 7.03, 51.525)], BLUE)
    row, column = on_picture(chart, 7.08, 51.51)
    assert close(image[row, column], (0, 160, 0))
    assert close(image[row, column + 4], (0, 160, 0))  # radius_min_pixels: 6 px, not the 1 m asked
    assert close(image[row, column + 9], WHITE)
    assert close(image[5, 5], WHITE) and close(image[-5, -5], WHITE)  # no basemap: white where nothing is


def test_a_radius_in_metres_is_drawn_to_scale():
    """Two points 1 km apart frame the picture; a 100 m radius is a tenth of the distance between them."""
    east = 7.05 + 1000 / (6_378_137.0 * math.cos(math.radians(51.5))) * 180 / math.pi
    chart = deck(pdk.Layer("ScatterplotLayer", [{"lon": 7.05, "lat": 51.5}, {"lon": east, "lat": 51.5}],
                           get_position=["lon", "lat"], get_radius=100, get_fill_color=list(RED)))
    image = pixels(chart)
    (row, a), (_, b) = on_picture(chart, 7.05, 51.5), on_picture(chart, east, 51.5)
    radius_px = (b - a) / 10
    assert close(image[row, a + round(radius_px * 0.8)], RED)
    assert close(image[row, a + round(radius_px * 1.2)], WHITE)


def test_a_tall_drawing_gets_a_narrower_picture_without_side_bands():
    tall = deck(pdk.Layer("PathLayer", [{"path": [[7.00, 51.45], [7.02, 51.60]]}], get_path="path"))
    wide = deck(pdk.Layer("PathLayer", [{"path": [[6.90, 51.50], [7.20, 51.52]]}], get_path="path"))
    image = pixels(tall)
    assert HEIGHT_PX <= image.shape[1] < WIDTH_PX  # narrower, but never narrower than high
    assert pixels(wide).shape[1] == WIDTH_PX
    square = deck(pdk.Layer("PathLayer", [{"path": [[7.00, 51.45], [7.005, 51.60]]}], get_path="path"))
    assert fitted_width(square, HEIGHT_PX) == HEIGHT_PX
    broad = deck(pdk.Layer("PathLayer", [{"path": [[7.00, 51.50], [7.30, 51.60]]}], get_path="path"))
    columns = np.flatnonzero((pixels(broad) < 250).any(axis=(0, 2)))
    width = fitted_width(broad, HEIGHT_PX)
    assert HEIGHT_PX < width < WIDTH_PX  # the drawing sets the width: its margins are kept
    assert columns.min() == pytest.approx(MARGIN * width, abs=3)
    assert columns.max() == pytest.approx((1 - MARGIN) * width, abs=3)


def test_a_picture_is_made_once_per_map_and_height():
    chart = deck(pdk.Layer("PathLayer", [{"path": [[7.0, 51.5], [7.1, 51.6]]}], get_path="path"))
    first = picture_of(chart, HEIGHT_PX)
    assert picture_of(chart, HEIGHT_PX) is first
    assert picture_of(chart, 200) is not first


def test_an_unknown_layer_kind_is_named():
    chart = deck(pdk.Layer("HexagonLayer", [{"lon": 7.0, "lat": 51.5}], get_position=["lon", "lat"]))
    with pytest.raises(ValueError, match="HexagonLayer"):
        map_png(chart, HEIGHT_PX)


def test_an_empty_map_is_a_white_picture():
    image = pixels(deck(pdk.Layer("PathLayer", [], get_path="path")))
    assert (image == 255).all()


def colours_of(chart: pdk.Deck) -> set[tuple[int, int, int]]:
    return {tuple(p) for p in pixels(chart).reshape(-1, 3).tolist()}


def striped(n: int) -> list[dict]:
    """`n` horizontal lines of `n` different opaque colours."""
    rng = np.random.default_rng(n)
    colours = {tuple(int(v) for v in rng.integers(0, 256, 3)) for _ in range(4 * n)}
    colours = sorted(colours - {WHITE})[:n]
    return [{"path": [[7.0, 51.5 + i * 0.001], [7.1, 51.5 + i * 0.001]], "colour": list(c)}
            for i, c in enumerate(colours)]


@pytest.mark.parametrize("n", [PALETTE_SIZE - ADAPTIVE_COLOURS - 2, PALETTE_SIZE])
def test_every_opaque_colour_drawn_is_kept_exactly_however_rare(n):
    """A colour one small point is drawn in survives next to `n` others (a palette picked from the pixels
    alone merged it away); past what a palette holds, the picture keeps every pixel's RGB."""
    rows = striped(n)
    rare = (201, 31, 29)  # close to one of many: merged by a palette of the pixels' own colours
    chart = deck(pdk.Layer("PathLayer", rows, get_path="path", get_color="colour", width_min_pixels=2),
                 pdk.Layer("ScatterplotLayer", [{"lon": 7.05, "lat": 51.5005}], get_position=["lon", "lat"],
                           get_radius=1, radius_min_pixels=3, get_fill_color=list(rare)))
    seen = colours_of(chart)
    assert rare in seen
    assert {tuple(r["colour"]) for r in rows} <= seen
    assert WHITE in seen
    mode = Image.open(io.BytesIO(map_png(chart, HEIGHT_PX))).mode
    assert mode == ("P" if n <= PALETTE_SIZE - ADAPTIVE_COLOURS else "RGB")


def test_a_stroked_circle_is_an_outline_of_its_radius():
    """deck.gl's `stroked` ScatterplotLayer without fill: a ring, at least `radius_min_pixels` wide."""
    chart = deck(pdk.Layer("PathLayer", [{"path": [[7.0, 51.5], [7.1, 51.5]], "colour": [0, 0, 0]}], get_path="path",
                           get_color="colour", width_min_pixels=1),
                 pdk.Layer("ScatterplotLayer", [{"lon": 7.05, "lat": 51.52}], get_position=["lon", "lat"],
                           get_radius=1, radius_min_pixels=12, filled=False, stroked=True,
                           get_line_color=list(RED), line_width_min_pixels=3))
    image = pixels(chart)
    row, column = on_picture(chart, 7.05, 51.52)
    ring = [column + dx for dx in range(-20, 21) if tuple(image[row, column + dx]) == RED]
    assert tuple(image[row, column]) == WHITE  # not filled
    assert ring and min(ring) == pytest.approx(column - 10.5, abs=1.5) and max(ring) == pytest.approx(column + 10.5,
                                                                                                         abs=1.5)
    assert tuple(image[row, column + 14]) == WHITE and tuple(image[row, column - 14]) == WHITE


def test_an_unframed_layer_is_drawn_but_not_framed():
    """Context around what a map shows: drawn where it falls in the frame that the other layers set."""
    inner = [[7.00, 51.50], [7.01, 51.50]]
    context = pdk.Layer("PathLayer", [{"path": [[6.9, 51.49], [7.1, 51.51]], "colour": list(BLUE)}],
                        id=f"{UNFRAMED}city", get_path="path", get_color="colour", width_min_pixels=3)
    chart = deck(context, pdk.Layer("PathLayer", [{"path": inner, "colour": list(RED)}], get_path="path",
                                    get_color="colour", width_min_pixels=3))
    alone = deck(pdk.Layer("PathLayer", [{"path": inner}], get_path="path"))
    assert framing(chart, WIDTH_PX, HEIGHT_PX) == framing(alone, WIDTH_PX, HEIGHT_PX)
    assert {RED, BLUE} <= colours_of(chart)
    framed = deck(pdk.Layer("PathLayer", context.data, get_path="path"), alone.layers[0])
    assert framing(framed, WIDTH_PX, HEIGHT_PX)[2] < framing(chart, WIDTH_PX, HEIGHT_PX)[2]
