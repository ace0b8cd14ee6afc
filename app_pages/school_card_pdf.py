"""The school card as a printable one-page A4 PDF (matplotlib), as `report_pdf` makes the overview's: the
school's name, its facts (`logic.school_card`: address, pupils, status, bandwidth, since when, POP, path,
redundancy by place, the places that would leave it on one path, the construction sites at once that cut
it off, what the inventory plans and what the tool estimates), its map with the POP marked
(the page's picture, `map_picture.picture_of`) and the map's legend.

`card_content` gathers what the card says; `render_card_pdf` only lays it out, shrinking the type until all
of it fits on the one page, so a test can check the content and the PDF apart. Text from the data is drawn
literally: matplotlib's maths mode ($...$) is off for every text.
"""

from __future__ import annotations

import datetime as dt
import io
import textwrap
from collections.abc import Mapping

from app_pages.i18n import t
from app_pages.report_pdf import A4_IN

FONT_SIZES_PT = (8.5, 8.0, 7.5, 7.0, 6.5, 6.0)  # the facts' type, largest first: the first that fits is used
MIN_MAP_SHARE = 0.28  # of the page's height, at least, for the map
LEFT, RIGHT, LABEL_WIDTH = 0.06, 0.94, 0.23  # figure fractions: margins and the labels' column
TOP, BOTTOM = 0.955, 0.045
CHAR_WIDTH_EM = 0.5  # a generous average glyph width of DejaVu Sans, for wrapping by characters
LINE_SPACING = 1.3
POINTS_PER_INCH = 72.0


def card_content(name: str, site_id: str, card: Mapping[str, str], legend: list[tuple[str, list[int]]],
                 lang: str = "de", today: dt.date | None = None) -> dict:
    """What the printed card says: title, the school's name, number and the date of the print, the facts
    (label → text, as `logic.school_card` gives them), the map's legend and the note on estimates."""
    date = (today or dt.date.today()).strftime("%d.%m.%Y" if lang != "en" else "%Y-%m-%d")
    return {
        "title": t("school.card_title", lang),
        "name": str(name),
        "subtitle": t("school.card_printed", lang, number=site_id, date=date),
        "facts": [(str(label), str(text)) for label, text in card.items()],
        "map_title": t("school.card_map", lang),
        "legend": [(str(label), list(colour)) for label, colour in legend],
        "note": t("school.card_note", lang),
    }


def school_facts(location: str, version: int, site_id: str, lang: str = "de") -> dict[str, str]:
    """The card of the school `site_id` from the app's cached tables (`app_pages.data`): label → text, as
    `logic.school_card` words it, its weak points and the places that would leave it on one path
    (`data.degraded_by`) named by place (`places.SchoolPlaces`)."""
    from app_pages import data
    from app_pages.logic import school_card
    from app_pages.places import SchoolPlaces

    frames = data.load(location, version)
    sites = frames["sites"]
    i = sites.index[sites["site_id"].astype(str) == str(site_id)][0]
    redundancy = data.analysis_of(location, version).sites.set_index("site_id").loc[site_id]
    plan = data.plan(location, version)
    rows = plan[plan["site_id"] == site_id]
    return school_card(sites.loc[i], data.statuses(location, version).loc[i], {"site_id": site_id,
                       **redundancy.to_dict()}, rows.iloc[0] if len(rows) else None, lang,
                       SchoolPlaces(frames, site_id, lang), pair=data.pair_of(location, version, site_id),
                       degraded_by=data.degraded_by(location, version).get(str(site_id), {}))


def school_card_pdf(location: str, version: int, site_id: str, lang: str = "de",
                    today: dt.date | None = None) -> bytes:
    """The printable card (one A4 page) of the school `site_id`: its facts (`school_facts`) and its map with the
    POP marked (`maps.school_map`, the picture the page shows)."""
    from app_pages import data
    from app_pages.map_picture import picture_of
    from app_pages.maps import HEIGHT_PX, school_map

    sites = data.load(location, version)["sites"]
    name = sites.loc[sites["site_id"].astype(str) == str(site_id), "name"].iloc[0]
    chart, legend = school_map(location, version, site_id, lang)
    content = card_content(name, site_id, school_facts(location, version, site_id, lang), legend, lang, today)
    return render_card_pdf(content, picture_of(chart, HEIGHT_PX))


def _line_height(size_pt: float) -> float:
    """One line of `size_pt` type as a fraction of the page's height."""
    return size_pt * LINE_SPACING / (A4_IN[1] * POINTS_PER_INCH)


def _wrap(text: str, width_fraction: float, size_pt: float) -> list[str]:
    chars = max(10, int(width_fraction * A4_IN[0] * POINTS_PER_INCH / (CHAR_WIDTH_EM * size_pt)))
    return textwrap.wrap(text, chars, break_on_hyphens=False) or [""]


def _name_lines(name: str) -> tuple[float, list[str]]:
    """The school's name in at most two lines of 13 pt, else of smaller type; a name longer than three lines
    of the smallest is cut with '…' (said, not hidden)."""
    for size in (13.0, 11.0, 9.5):
        lines = _wrap(name, RIGHT - LEFT, size)
        if len(lines) <= 2 or size == 9.5 and len(lines) <= 3:
            return size, lines
    return size, [*lines[:2], textwrap.shorten(lines[2] + " " + " ".join(lines[3:]), len(lines[2]), placeholder=" …")]


def _layout(content: Mapping) -> tuple[float, list[tuple[list[str], list[str], float]], float]:
    """The type size and, per fact, its wrapped label and text and its height: the largest size that leaves
    the map `MIN_MAP_SHARE` of the page (else the smallest)."""
    for size in FONT_SIZES_PT:
        rows = []
        for label, text in content["facts"]:
            label_lines = _wrap(label + ":", LABEL_WIDTH - 0.01, size)
            text_lines = _wrap(text, RIGHT - LEFT - LABEL_WIDTH, size)
            rows.append((label_lines, text_lines, (max(len(label_lines), len(text_lines)) + 0.35) * _line_height(size)))
        used = sum(height for *_, height in rows)
        if TOP - 0.09 - used - BOTTOM - 0.07 >= MIN_MAP_SHARE:
            return size, rows, used
    return size, rows, used


def render_card_pdf(content: Mapping, map_png: bytes | None) -> bytes:
    """The card as the bytes of a one-page A4 PDF; `map_png` is the school's map picture (None: no map)."""
    from matplotlib.backends.backend_pdf import PdfPages

    buffer = io.BytesIO()
    with PdfPages(buffer, metadata={"Title": f"{content['title']}: {content['name']}",
                                    "Subject": content["subtitle"]}) as pdf:
        pdf.savefig(card_page(content, map_png))
    return buffer.getvalue()


def card_page(content: Mapping, map_png: bytes | None):
    """The card as one matplotlib Figure (A4 portrait)."""
    import matplotlib.patches
    import numpy as np
    from matplotlib.figure import Figure
    from PIL import Image

    page = Figure(figsize=A4_IN)

    def text(x, y, value, **style):
        return page.text(x, y, value, parse_math=False, va="top", **style)

    text(LEFT, TOP + 0.02, content["title"], fontsize=9, color="#555555")
    name_size, name_lines = _name_lines(content["name"])
    text(LEFT, TOP, "\n".join(name_lines), fontsize=name_size, weight="bold", linespacing=1.15)
    y = TOP - len(name_lines) * _line_height(name_size) * 1.1 - 0.005
    text(LEFT, y, content["subtitle"], fontsize=8, color="#555555")
    y -= 0.025
    size, rows, _ = _layout(content)
    for label_lines, text_lines, height in rows:
        text(LEFT, y, "\n".join(label_lines), fontsize=size, weight="bold", linespacing=LINE_SPACING)
        text(LEFT + LABEL_WIDTH, y, "\n".join(text_lines), fontsize=size, linespacing=LINE_SPACING)
        y -= height
    y -= 0.01
    text(LEFT, y, content["map_title"], fontsize=9, weight="bold")
    y -= 0.018
    legend_rows = (len(content["legend"]) + 1) // 2
    legend_top = BOTTOM + 0.03 + legend_rows * 0.016
    if map_png is not None:
        picture = np.asarray(Image.open(io.BytesIO(map_png)).convert("RGB"))
        ax = page.add_axes((LEFT, legend_top, RIGHT - LEFT, max(y - legend_top, 0.05)))
        ax.imshow(picture, interpolation="lanczos")
        ax.set_axis_off()
    for n, (label, colour) in enumerate(content["legend"]):
        x = LEFT + (n % 2) * (RIGHT - LEFT) / 2
        row_y = legend_top - 0.008 - (n // 2) * 0.016
        page.patches.append(matplotlib.patches.Rectangle(
            (x, row_y - 0.009), 0.018, 0.008, transform=page.transFigure,
            facecolor=tuple(c / 255 for c in colour[:3]), edgecolor="#333333", linewidth=0.3))
        label = textwrap.shorten(label, 70, placeholder=" …")
        text(x + 0.025, row_y, label, fontsize=7)
    text(LEFT, BOTTOM, content["note"], fontsize=6.5, style="italic", color="#555555", wrap=True)
    return page


PRINT_CSS = """<style>
@media print {
  @page { size: A4 portrait; margin: 12mm; }
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
  [data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"],
  [data-testid="stMainBlockContainer"] h1, [data-testid="stCaptionContainer"], [data-testid="stAlert"],
  [data-testid="stSelectbox"], [data-testid="stTextInput"], [data-testid="stDownloadButton"] {
    display: none !important; }
  [data-testid="stAppViewContainer"], [data-testid="stMain"], .stApp { position: static !important;
    overflow: visible !important; height: auto !important; }
  [data-testid="stMainBlockContainer"] { padding: 0 !important; max-width: 100% !important; }
  .st-key-school_card { gap: 0.15rem !important; font-size: 9pt; }
  .st-key-school_card p, .st-key-school_card li { font-size: 9pt !important; line-height: 1.25 !important;
    margin: 0 !important; }
  .st-key-school_card h3 { font-size: 12pt !important; padding: 0.2rem 0 !important; }
  .st-key-school_card img { max-height: 95mm !important; width: auto !important; max-width: 100% !important; }
  .st-key-school_card * { break-inside: avoid; }
}
</style>"""
"""The school page's print style: the browser's print (A4) shows the card and its map on one page, without
the sidebar, the choosers, the download button and the app's frame."""
