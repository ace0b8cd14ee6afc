"""The school card (issue 15, points 4 and 5): what the inventory plans apart from what the tool estimates,
the bandwidth per head, weak points named by place, German formats, and the printable one-page card.

The oracle is the library (`coverage`, `topology`) and the sample's own layers, read independently here."""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import shutil
from pathlib import Path

import pandas as pd
import pypdf
import pytest
import shapely
from app_pages_helper import open_page
from streamlit.testing.v1 import AppTest

from app_pages import data
from app_pages.i18n import WORD_JOINER, fmt, t
from app_pages.logic import school_card
from app_pages.places import NEAR_M, SchoolPlaces
from app_pages.school_card_pdf import PRINT_CSS, school_card_pdf, school_facts
from coverage.config import load_config
from coverage.expansion import expansion_plan
from coverage.status import site_status
from inventory.settings import SAMPLE_GPKG
from inventory.stores import open_store
from topology import build_network
from topology.analysis import analyse
from topology.diverse import diverse_paths

APP = str(Path(__file__).resolve().parent.parent / "app.py")
RAW_ID = re.compile(r"\b(?:R|D|TR|N|POP)-[0-9A-Z]")  # route, drop, trench, node and POP ids of the sample
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
GERMAN_DATE = re.compile(r"\b\d{2}\.\d{2}\.\d{4}\b")
BARE_THOUSANDS = re.compile(r"(?<![\d.,])\d{4,}(?![\d.,])")  # 1000 rather than 1.000


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    if not SAMPLE_GPKG.exists():
        pytest.skip("the sample GeoPackage is missing (gelsennet demo)")
    path = tmp_path_factory.mktemp("card") / "sample.gpkg"
    shutil.copy(SAMPLE_GPKG, path)
    frames = open_store(path).read_all()
    network = build_network(frames["routes"], frames["nodes"], frames["sites"])
    result = analyse(network)
    return {"path": path, "frames": frames, "network": network, "analysis": result.sites.set_index("site_id"),
            "criticality": result.criticality_with_degraded(),
            "status": site_status(frames["sites"], frames["routes"]), "plan": expansion_plan(frames)}


def degrading(sample, site_id: str, kind: str = "trench") -> list[str]:
    """The elements of `kind` in whose `degraded_sites` (the library's criticality table) the site appears."""
    rows = sample["criticality"]
    rows = rows[rows["element"] == kind]
    return [element for element, ids in zip(rows["element_id"], rows["degraded_sites"], strict=True)
            if site_id in ids]


def card_of(sample, site_id: str, lang: str = "de", places: bool = True) -> dict[str, str]:
    sites = sample["frames"]["sites"]
    i = sites.index[sites["site_id"] == site_id][0]
    plan = sample["plan"][sample["plan"]["site_id"] == site_id]
    row = {"site_id": site_id, **sample["analysis"].loc[site_id].to_dict()}
    return school_card(sites.loc[i], sample["status"].loc[i], row, plan.iloc[0] if len(plan) else None, lang,
                       SchoolPlaces(sample["frames"], site_id, lang) if places else None,
                       pair=diverse_paths(sample["network"], site_id),
                       degraded_by={kind: degrading(sample, site_id, kind) for kind in ("trench", "node")})


def schools(sample) -> list[str]:
    sites = sample["frames"]["sites"]
    return list(sites.loc[sites["kind"] == "school", "site_id"])


def first_redundant_school(sample) -> str:
    rows = sample["analysis"]
    return str(rows[(rows["kind"] == "school") & rows["redundant"]].index[0])


def money(text: str) -> list[float]:
    """The euro amounts in a German text: '4.100–6.400 €' → [4100.0, 6400.0]."""
    amounts = []
    for part in re.findall(r"([\d.]+(?:–[\d.]+)?) €", text):
        amounts += [float(x.replace(".", "")) for x in part.split("–")]
    return amounts


# ---------------------------------------------------------------- 4. the plan, the estimate, the benchmark
def test_the_inventorys_plan_is_told_apart_from_the_tools_estimate(sample):
    sites = sample["frames"]["sites"].set_index("site_id")
    config = load_config()
    for site_id in schools(sample):
        card = card_of(sample, site_id)
        site = sites.loc[site_id]
        recorded, estimate = card[t("school.inventory_plan")], card[t("school.estimate")]
        if site["connection"] == "planned" and pd.notna(site["planned_date"]):
            assert recorded == t("school.inventory_planned_for", date=f"{site['planned_date']:%d.%m.%Y}")
        elif site["connection"] == "planned":
            assert recorded == t("school.inventory_planned_undated")
        else:
            assert recorded == t("school.inventory_nothing")
        plan = sample["plan"][sample["plan"]["site_id"] == site_id]
        assert "open_trench" not in estimate and "_" not in estimate, estimate  # no raw method codes
        if not len(plan):
            assert estimate in {t("school.estimate_none"), t("school.estimate_gigabit")} or \
                estimate.startswith(t("school.estimate_short", need="")[:30]), estimate
            continue
        plan = plan.iloc[0]
        assert estimate.startswith("Schätzung"), estimate
        amounts = money(estimate)
        if plan["fibre_at_door"]:  # no new line: one guide value, not a range with two equal ends
            assert amounts == [config.cost.building_connection_eur] == [plan["cost_low_eur"]], estimate
            assert "–" not in estimate.split("€")[0].split("Richtwert")[-1]
        elif pd.notna(plan["new_route_m"]):
            low, high = amounts
            assert low < high, estimate
            assert low <= plan["cost_low_eur"] < low + 100 and high - 100 < plan["cost_high_eur"] <= high
            assert low % 100 == 0 and high % 100 == 0  # rounded outwards: planning figures, not quotes
            assert t("method.micro_trench") in estimate and t("method.open_trench") in estimate


def test_planned_school_shows_its_date_in_german(sample):
    sites = sample["frames"]["sites"]
    planned = sites[(sites["kind"] == "school") & (sites["connection"] == "planned") & sites["planned_date"].notna()]
    assert len(planned)
    for _, site in planned.iterrows():
        card = card_of(sample, site["site_id"])
        german = f"{site['planned_date']:%d.%m.%Y}"
        assert german in card[t("school.inventory_plan")]
        assert german in card[t("school.status")]  # the status reason too, no ISO date
        for text in card.values():
            assert not ISO_DATE.search(text), text


def test_bandwidth_per_head_against_the_benchmark(sample):
    """188098 has 1,000 Mbit/s for 1,180 pupils and their staff: 0.77 Mbit/s per head, short of 1 Gbit/s per
    1,000 heads; the card says so and does not call it done."""
    config = load_config().schools
    sites = sample["frames"]["sites"].set_index("site_id")
    for site_id in ("188098", *schools(sample)):
        site = sites.loc[site_id]
        card = card_of(sample, site_id)
        text, estimate = card[t("school.per_head")], card[t("school.estimate")]
        if site["connection"] != "connected" or pd.isna(site["pupils"]):
            continue
        heads = float(site["pupils"]) * (1 + config.staff_per_pupil)  # oracle: from the layer and the config
        per_head = float(site["bandwidth_mbps"]) / heads
        need = math.ceil(heads * config.mbps_per_head / 10) * 10
        assert text.startswith(f"{fmt(per_head, 2)} Mbit/s je Kopf"), text
        assert fmt(heads, 0) in text
        if per_head < config.mbps_per_head:
            assert "zu wenig" in text and f"etwa {fmt(need, 0)} Mbit/s" in text
            assert estimate != t("school.estimate_none") and "Kein Ausbau nötig" not in estimate
        else:
            assert "erfüllt" in text
    card = card_of(sample, "188098")
    assert card[t("school.per_head")].startswith("0,77 Mbit/s je Kopf")
    assert card[t("school.estimate")] == t("school.estimate_short", need="1.300")
    assert card[t("school.status")].startswith(t("status.gigabit"))  # gigabit, and still short


def test_the_card_uses_german_formats(sample):
    for site_id in schools(sample):
        card = card_of(sample, site_id)
        for label, text in card.items():
            assert not ISO_DATE.search(text), (label, text)
            if label != t("school.address"):  # post codes are no amounts
                assert not BARE_THOUSANDS.search(text), (label, text)
        if card[t("school.since")] != t("none"):
            assert GERMAN_DATE.fullmatch(card[t("school.since")])


# ---------------------------------------------------------------- 5. places a coordinator recognises
def test_redundancy_names_places_not_ids(sample):
    frames = sample["frames"]
    landmarks = {}  # name → where sites and POPs of that name are (several schools share a name)
    for name, geometry in [*zip(frames["sites"]["name"], frames["sites"].geometry, strict=True),
                           *zip(frames["nodes"]["name"], frames["nodes"].geometry, strict=True)]:
        landmarks.setdefault(str(name), []).append(geometry)
    weak = 0
    for site_id in schools(sample):
        row = sample["analysis"].loc[site_id]
        text = card_of(sample, site_id)[t("school.redundancy")]
        assert not RAW_ID.search(text), text
        for element in (*row["spof_trenches"], *row["spof_segments"], *row["spof_nodes"]):
            assert element not in text
        if not len(row["spof_trenches"]):
            continue
        weak += 1
        routes = frames["routes"][frames["routes"]["trench_id"].isin(list(row["spof_trenches"]))]
        for name in re.findall(r"„(.+?)“", text):  # each site named lies near one of the weak trenches
            assert min(shapely.distance(p, g) for p in landmarks[name] for g in routes.geometry) <= NEAR_M, name
        quarters = set(re.findall(r"\bin ([^,;.]+?)(?:,|;|\.|$| und)", text))
        assert quarters or t("place.at_school") in text, text
    assert weak >= 5
    text = card_of(sample, "188098")[t("school.redundancy")]
    assert t("place.at_school") in text and "Ückendorf" in text
    assert card_of(sample, "188098")[t("school.district")] == "Ückendorf (Stadtbezirk Gelsenkirchen-Süd)"


def test_the_pop_by_its_name(sample):
    nodes = sample["frames"]["nodes"].set_index("node_id")
    for site_id in schools(sample):
        row = sample["analysis"].loc[site_id]
        shown = card_of(sample, site_id)[t("school.pop")]
        assert shown == (nodes.loc[row["pop"], "name"] if row["reachable"] else t("none"))


# ---------------------------------------------------------------- issue 16.3: beyond the first cut
# a sentence ends where the next begins: names hold full stops of their own ('Städt. Schule')
ONE_PLACE = re.compile(r"Fällt die Trasse (.+?) aus, hängt Ihre Schule nur noch an einem Weg\.")
ONE_OF = re.compile(r"Fällt eine der (\d+) Trassen (.+?) aus, hängt Ihre Schule nur noch an einem Weg\.")
MANY = re.compile(r"Fällt eine dieser Trassen aus, hängt Ihre Schule nur noch an einem Weg: (.+?)"
                  r"(?: \(und (\d+) weitere Stellen\))?\.(?= Fällt | Zur Prüfung|$)")


def named_places(text: str) -> tuple[list[str], int, int | None]:
    """The trench places the sentence names, how many more it says there are, and the count of the 'one of
    n trenches' form (None otherwise)."""
    if found := ONE_PLACE.search(text):
        return [found.group(1)], 0, None
    if found := ONE_OF.search(text):
        return [found.group(2)], 0, int(found.group(1))
    found = MANY.search(text)
    assert found, text
    return found.group(1).split("; "), int(found.group(2) or 0), None


def test_a_redundant_school_names_each_place_that_would_leave_it_on_one_path(sample):
    """Oracle: the library's criticality table (the trenches in whose degraded_sites the school appears) and
    the trenches' geometry read from the sample: every place named is such a trench's place, no other; all
    are counted; a site named lies near one of them, 'at your school' only where one runs there."""
    from app_pages.places import AT_SCHOOL_M

    frames = sample["frames"]
    routes = frames["routes"]
    points = frames["sites"].set_index("site_id").geometry
    landmarks = {}
    for name, geometry in [*zip(frames["sites"]["name"], frames["sites"].geometry, strict=True),
                           *zip(frames["nodes"]["name"], frames["nodes"].geometry, strict=True)]:
        landmarks.setdefault(str(name), []).append(geometry)
    checked = 0
    for site_id in schools(sample):
        row = sample["analysis"].loc[site_id]
        text = card_of(sample, site_id)[t("school.redundancy")]
        if not (row["reachable"] and row["redundant"]):
            assert "nur noch an einem Weg" not in text, text  # nothing to lose: today's text only
            continue
        trenches = degrading(sample, site_id)
        assert trenches, site_id  # on the sample every redundant school has a place that degrades it
        places = SchoolPlaces(frames, site_id)
        phrase = {trench: places("trench", [trench])[0] for trench in trenches}
        named, more, of_n = named_places(text)
        assert set(named) <= set(phrase.values()), (site_id, named)
        assert len(named) + more == len(set(phrase.values())), (site_id, text)
        if of_n is not None:
            assert of_n == len(trenches), text
        lines = routes[routes["trench_id"].isin(trenches)].geometry
        for place in named:
            for name in re.findall(r"„(.+?)“", place):
                assert min(shapely.distance(p, g) for p in landmarks[name] for g in lines) <= NEAR_M, name
            if place == t("place.at_school"):
                assert min(shapely.distance(points.loc[site_id], g) for g in lines) <= AT_SCHOOL_M
        assert not RAW_ID.search(text), text
        english = card_of(sample, site_id, "en")[t("school.redundancy", "en")]
        assert "your school hangs on a single path" in english, english
        checked += 1
    assert checked >= 40


def test_the_construction_sites_it_takes_to_cut_a_school_off(sample):
    """Oracle: `trench_cuts_to_isolate` and the weakest pair; the pair named is failed in a what-if
    (`topology.whatif`, remove and recompute): together its trenches cut the school off, neither alone does."""
    from topology.whatif import Failure, what_if

    seen = set()
    for site_id in schools(sample):
        row = sample["analysis"].loc[site_id]
        text = card_of(sample, site_id)[t("school.cuts")]
        level = int(row["trench_cuts_to_isolate"])
        seen.add(level)
        assert not RAW_ID.search(text), text
        if level == 0:
            assert text == t("none")
        elif level == 1:
            assert text == "Eine einzige Baustelle genügt, um Ihre Schule vom Netz zu trennen."
        elif level == 3:
            assert text.startswith("Erst drei oder mehr gleichzeitige Baustellen")
        else:
            assert text.startswith("Zwei gleichzeitige Baustellen"), text
            pair = row["weakest_trench_pairs"][0]
            places = SchoolPlaces(sample["frames"], site_id)
            for trench in (pair["trench_a"], pair["trench_b"]):
                assert places("trench", [trench])[0] in text, (trench, text)
                alone = what_if(sample["network"], Failure(trenches=[trench])).isolated()
                assert site_id not in set(alone["site_id"])
            both = what_if(sample["network"], Failure(trenches=[pair["trench_a"], pair["trench_b"]])).isolated()
            assert site_id in set(both["site_id"]), (site_id, pair)
            assert "Two construction sites at once" in card_of(sample, site_id, "en")[t("school.cuts", "en")]
    assert {0, 1, 2} <= seen


def test_three_or_more_construction_sites_in_words():
    """The sample has no school that only three construction sites cut off: its sentence, on its own."""
    from app_pages.resilience_text import trench_cuts_text

    row = {"trench_cuts_to_isolate": 3, "weakest_trench_pairs": []}
    assert trench_cuts_text(row, None) == ("Erst drei oder mehr gleichzeitige Baustellen könnten Ihre Schule vom "
                                           "Netz trennen; zwei reichen nicht.")
    assert trench_cuts_text(row, None, "en").startswith("Only three or more construction sites at once")


# ---------------------------------------------------------------- 5. the printable card
def pdf_text(pdf: bytes) -> tuple[int, str, pypdf.PdfReader]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return len(reader.pages), " ".join(reader.pages[0].extract_text().split()), reader


@pytest.mark.parametrize("which", ["193800", "188098", "redundant"])
def test_the_printed_card_is_one_page_with_the_facts(sample, which):
    site_id = first_redundant_school(sample) if which == "redundant" else which
    location = str(sample["path"])
    version = data.store_version(location)
    pdf = school_card_pdf(location, version, site_id, "de", today=dt.date(2026, 11, 26))
    pages, text, reader = pdf_text(pdf)
    assert pages == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4
    site = sample["frames"]["sites"].set_index("site_id").loc[site_id]
    assert " ".join(str(site["name"]).split()) in text
    assert "Stand 26.11.2026" in text and site_id in text
    row = sample["analysis"].loc[site_id]
    card = card_of(sample, site_id)
    assert card == school_facts(location, version, site_id, "de")
    for label, fact in card.items():  # every fact, wrapped in lines on the page
        assert f"{label}:" in text
        assert " ".join(fact.split()) in text, (label, fact)
    assert str(site["address"]) in text and fmt(site["pupils"], 0) in text
    assert not RAW_ID.search(text), RAW_ID.search(text)
    assert not ISO_DATE.search(text)
    if row["reachable"]:
        pop = sample["frames"]["nodes"].set_index("node_id").loc[row["pop"], "name"]
        assert f"{fmt(row['distance_m'] / 1000, 2)} km" in text
        assert f"{t('legend.pop')}: {pop}" in text  # the map marks the POP, the legend says which
    if row["redundant"]:  # issue 16.3: the places that leave it on one path, the sites it takes
        assert "hängt Ihre Schule nur noch an einem Weg" in text and "Zwei gleichzeitige Baustellen" in text
    images = reader.pages[0].images
    assert len(images) == 1 and images[0].image.width >= 400  # the school's map


def test_the_printed_card_words_a_gigabit_school_that_falls_short(sample):
    location = str(sample["path"])
    _, text, _ = pdf_text(school_card_pdf(location, data.store_version(location), "188098"))
    assert "0,77 Mbit/s je Kopf" in text and "zu wenig" in text
    assert "Kein Ausbau nötig" not in text
    assert "Ückendorf" in text and "Laut Inventar geplant" in text and "Schätzung" in text


# ---------------------------------------------------------------- the page
@pytest.fixture
def app_on_sample(sample, monkeypatch, tmp_path):
    path = tmp_path / "sample.gpkg"
    shutil.copy(sample["path"], path)
    monkeypatch.setenv("GELSENNET_DB", str(path))
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    assert not at.exception, at.exception
    return open_page(at, "school")


def shown(markdown: str) -> str:
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace(WORD_JOINER, "")


def test_school_page_shows_the_card_with_pdf_and_print_style(sample, app_on_sample):
    at = app_on_sample
    at.text_input(key="school_number").input("188098").run()
    assert not at.exception, at.exception
    text = "\n".join(shown(m.value) for m in at.markdown)
    for label, fact in card_of(sample, "188098").items():
        assert f"**{label}:** {fact}" in text, label
    assert "T1" not in text and not RAW_ID.search(text)
    assert at.get("download_button")[0].proto.label == t("school.card_pdf")
    styles = [h.proto.body for h in at.get("html")]
    assert PRINT_CSS in styles  # the browser's print: the card and its map on one page
    assert any("POP Altstadt" in s for s in styles)  # the map's legend names the marked POP


def test_the_browsers_print_of_the_school_page_is_one_page(sample, tmp_path):
    """Chromium prints the school page (A4, print media) on one page: `PRINT_CSS` leaves the card and its map."""
    from test_browser import ARGS, CHROMIUM, _missing, _serve  # the browser test's server and Chromium

    if not CHROMIUM.exists():
        _missing(f"no Chromium at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright package is not installed")
    path = tmp_path / "sample.gpkg"
    shutil.copy(sample["path"], path)
    with _serve({"GELSENNET_DB": str(path)}) as url, sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            page = chromium.new_page(viewport={"width": 1400, "height": 1800})
            page.goto(f"{url}/school", timeout=60_000)
            page.get_by_label(t("school.number")).fill("188098", timeout=90_000)
            page.keyboard.press("Enter")
            page.get_by_text("0,77 Mbit/s je Kopf", exact=False).first.wait_for(timeout=90_000)
            page.locator('[data-testid="stStatusWidget"]').wait_for(state="detached", timeout=90_000)
            page.locator('.st-key-school_card img').first.wait_for(timeout=60_000)
            page.emulate_media(media="print")
            pdf = page.pdf(format="A4", print_background=True)
        finally:
            chromium.close()
    (tmp_path / "print.pdf").write_bytes(pdf)
    pages, text, _ = pdf_text(pdf)
    assert pages == 1, tmp_path / "print.pdf"
    assert "0,77 Mbit/s je Kopf" in text and "Ückendorf" in text
    assert t("school.number") not in text and t("school.card_pdf") not in text  # the choosers are not printed


def test_a_long_name_is_wrapped_smaller_and_cut_only_with_an_ellipsis():
    from app_pages.school_card_pdf import card_content, render_card_pdf

    name = "Raphael-Schule, Waldorf-Förderschule m d. Schwerpunkten Lernen u. Emotionale u. soziale Entw.,Ersatzsch."
    _, text, _ = pdf_text(render_card_pdf(card_content(name, "1", {"Adresse": "A"}, []), None))
    assert name in text and "…" not in text
    pages, text, _ = pdf_text(render_card_pdf(card_content(name * 4, "1", {"Adresse": "A"}, []), None))
    assert pages == 1 and "…" in text and name in text
