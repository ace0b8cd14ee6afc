"""A real-browser smoke test: `streamlit run app.py` in a subprocess, every page opened in Chromium (Playwright).

Skipped when Chromium or Playwright is missing, except under CI=true, where that is a failure.
Screenshots go to a temporary folder, or to $GELSENNET_SCREENSHOTS (the README's pictures:
`GELSENNET_SCREENSHOTS=docs/screenshots bash scripts/test.sh tests/test_browser.py`).
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from language_check import data_texts, language_findings

from app_pages.i18n import WORD_JOINER, page_marker, t
from app_pages.map_picture import WIDTH_PX
from app_pages.registry import DECK_CANVAS, MAP_PICTURES, PUBLIC_PAGES
from app_pages.registry import page as app_page

PUBLIC_KEYS = [entry.key for entry in PUBLIC_PAGES]  # every page a visitor sees (app_pages.registry)
ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path(os.environ.get("GELSENNET_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS_ENV = "GELSENNET_SCREENSHOTS"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-quic"]
# sidebar label → a text at the end of the page, shown once the page has run
PAGES = {page: (t(f"page.{page}"), page_marker(page)) for page in PUBLIC_KEYS}


def _missing(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (required under CI=true)")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def _serve(env: dict | None = None, args: tuple[str, ...] = ()):
    """`python -m app_pages.serve` on a free port with `env` added; yields its URL once it answers."""
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    proc = subprocess.Popen(
        [sys.executable, "-m", "app_pages.serve", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false", *args],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"streamlit did not start: {proc.stderr.read().decode()[-2000:] if proc.stderr else ''}")
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def app_url():
    with _serve() as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        _missing(f"no Chromium at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright package is not installed")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.mark.parametrize("page_name", list(PAGES))
def test_page_paints_in_a_real_browser(browser, app_url, page_name, tmp_path):
    from playwright.sync_api import expect

    label, marker = PAGES[page_name]
    page = browser.new_page(viewport={"width": 1400, "height": 1800})
    try:
        page.goto(app_url, timeout=60_000)
        sidebar = page.locator('[data-testid="stSidebar"]')
        sidebar.get_by_text(label, exact=True).click(timeout=60_000)
        page.get_by_text(marker).first.wait_for(timeout=90_000)
        page.get_by_text("synthetisch").first.wait_for(timeout=10_000)
        page.locator('[data-testid="stStatusWidget"]').wait_for(state="detached", timeout=90_000)
        # the maps come last (app.draw_maps): each is in the page as a picture, loaded and drawn
        pictures = page.locator(MAP_PICTURES)
        expect(pictures).to_have_count(app_page(page_name).maps, timeout=60_000)
        # loaded and decoded: a picture whose request failed is `complete` too, with no width; a rerun
        # of the page (its pictures served anew) may replace one, so wait for every one to have a width
        page.wait_for_function(
            f"[...document.querySelectorAll('{MAP_PICTURES}')].every(i => i.complete && i.naturalWidth > 0)",
            timeout=60_000,
        )
        for width in pictures.evaluate_all("images => images.map(i => i.naturalWidth)"):
            assert 0 < width <= WIDTH_PX
        assert page.locator('[data-testid="stDeckGlJsonChart"]').count() == 0
        assert page.locator('[data-testid="stException"]').count() == 0
        folder = Path(os.environ.get(SCREENSHOTS_ENV) or tmp_path)
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{page_name}.png"), full_page=True)
        assert (folder / f"{page_name}.png").stat().st_size > 10_000  # a painted page, not a blank one
    finally:
        page.close()


def test_interactive_maps_draw_in_a_real_browser(browser, app_url):
    """The sidebar switch turns the pictures into deck.gl maps: each with its WebGL canvas."""
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1400, "height": 1800})
    try:
        page.goto(app_url, timeout=60_000)
        expect(page.locator(MAP_PICTURES)).to_have_count(app_page("overview").maps, timeout=90_000)
        page.locator('[data-testid="stSidebar"]').get_by_text(t("maps.interactive"), exact=True).click()
        maps = page.locator('[data-testid="stDeckGlJsonChart"]')
        expect(maps.filter(has=page.locator("canvas"))).to_have_count(app_page("overview").maps, timeout=60_000)
        expect(page.locator(MAP_PICTURES)).to_have_count(0)
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        page.close()


def test_the_network_analysis_downloads_as_a_geopackage(browser, app_url, tmp_path):
    """The Netz page's GeoPackage, made on the click, arrives whole and opens with three layers."""
    import pyogrio

    page = browser.new_page(viewport={"width": 1400, "height": 1800}, accept_downloads=True)
    try:
        page.goto(app_url, timeout=60_000)
        page.locator('[data-testid="stSidebar"]').get_by_text(t("page.network"), exact=True).click(timeout=60_000)
        button = page.get_by_role("button", name=t("net.gpkg"))
        button.wait_for(timeout=90_000)
        with page.expect_download(timeout=60_000) as download:
            button.click()
        path = tmp_path / download.value.suggested_filename
        download.value.save_as(path)
        assert path.suffix == ".gpkg" and "synthetisch" in path.name
        assert {name for name, _ in pyogrio.list_layers(path)} == {"trench_cuts", "expansion", "ring_closures",
                                                                   "layer_styles"}  # + the QGIS styles
    finally:
        page.close()


def _lonely_route_point(frames: dict, clearance_m: float = 80.0) -> tuple[str, float, float]:
    """A route in service and a point on it (lon, lat) with no other route within `clearance_m`: a click
    there can only pick that route. The one nearest the map's centre."""
    import geopandas as gpd
    import shapely

    routes = frames["routes"][frames["routes"]["status"] == "in_service"].reset_index(drop=True)
    middles = routes.geometry.interpolate(0.5, normalized=True)
    tree = shapely.STRtree(routes.geometry.values)
    centre = shapely.Point(*routes.total_bounds.reshape(2, 2).mean(axis=0))
    for i in middles.distance(centre).sort_values().index:
        near = tree.query(middles[i], predicate="dwithin", distance=clearance_m)
        if list(near) == [i]:
            point = gpd.GeoSeries([middles[i]], crs=routes.crs).to_crs("EPSG:4326").iloc[0]
            return str(routes.loc[i, "route_id"]), point.x, point.y
    raise AssertionError("no route stands alone in the sample")


def test_a_route_clicked_on_the_interactive_map_fails_in_the_what_if(browser, app_url):
    """Netz, interactive maps: a click on a route picks it, and the what-if below takes it as failed."""
    from playwright.sync_api import expect

    from app_pages import data
    from app_pages.map_picture import world_px
    from app_pages.maps import view_of

    location = data.configured_location()
    frames = data.load(location, data.store_version(location))
    route_id, lon, lat = _lonely_route_point(frames)
    view = view_of(frames)
    page = browser.new_page(viewport={"width": 1400, "height": 1800})
    try:
        page.goto(app_url, timeout=60_000)
        sidebar = page.locator('[data-testid="stSidebar"]')
        sidebar.get_by_text(t("maps.interactive"), exact=True).click(timeout=90_000)
        sidebar.get_by_text(t("page.network"), exact=True).click()
        canvas = page.locator(DECK_CANVAS).first
        canvas.wait_for(timeout=90_000)
        page.locator('[data-testid="stStatusWidget"]').wait_for(state="detached", timeout=90_000)
        box = canvas.bounding_box()
        (x, y), (cx, cy) = world_px(lon, lat, view.zoom), world_px(view.longitude, view.latitude, view.zoom)
        picked = page.get_by_text(t("net.picked", routes=route_id))
        # Picking reads the map's drawn frame back: on a loaded machine without a GPU the first frame may
        # come late, and a click before it picks nothing. Click again until it picks (a click on the same
        # route picks the same route), within a minute in all.
        for attempt in range(6):
            page.wait_for_timeout(2_000)
            page.mouse.click(box["x"] + box["width"] / 2 + float(x - cx), box["y"] + box["height"] / 2 + float(y - cy))
            try:
                expect(picked).to_be_visible(timeout=10_000)
                break
            except AssertionError:
                # a slow rerun may still bring it: only click again once the app is idle without it
                page.locator('[data-testid="stStatusWidget"]').wait_for(state="detached", timeout=90_000)
                if picked.is_visible():
                    break
                if attempt == 5:
                    raise
        expect(page.get_by_text(t("net.nothing"))).to_have_count(0)  # the what-if has run on it
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        page.close()


# ---------------------------------------------------------------- data with markup; the editors' sign-in
@pytest.fixture(scope="module")
def hostile_url(tmp_path_factory):
    """The app on a store with Markdown, HTML and Streamlit markup in every free-text field (`hostile.py`),
    with an editors' password (hash in a secrets file of its own)."""
    from hostile import write_hostile_store
    from test_app_editing import HASH

    folder = tmp_path_factory.mktemp("hostile")
    store = write_hostile_store(folder / "hostile.gpkg")
    (folder / "secrets.toml").write_text(f'[editors]\npassword_hash = "{HASH}"\n', encoding="utf-8")
    with _serve({"GELSENNET_DB": str(store)}, ("--secrets.files", str(folder / "secrets.toml"))) as url:
        yield url


def _open(browser, url: str, page_name: str, requests: list[str] | None = None):
    page = browser.new_page(viewport={"width": 1400, "height": 1800})
    if requests is not None:
        page.on("request", lambda request: requests.append(request.url))
    page.goto(url, timeout=60_000)
    page.locator('[data-testid="stSidebar"]').get_by_text(t(f"page.{page_name}"), exact=True).click(timeout=90_000)
    page.get_by_text(page_marker(page_name)).first.wait_for(timeout=90_000)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="detached", timeout=90_000)
    if app_page(page_name).maps:  # the maps come last: wait for the first picture (a page without maps is done)
        page.locator(MAP_PICTURES).first.wait_for(timeout=60_000)
    return page


# per page, a piece of the data that the page shows as text (not only inside a table drawn on a canvas)
LITERAL_ON = {"overview": "district table", "school": "heading", "network": "site chooser (an input's value)"}


@pytest.mark.parametrize("page_name", list(PAGES))
def test_markup_in_the_data_stays_text_in_a_real_browser(browser, hostile_url, page_name):
    """No link, image, script, heading, emphasis, maths or colour from the data forms in the page, and
    nothing is fetched from the data's addresses; where the page shows the data as text, it reads as written."""
    from hostile import EVIL_HOST

    requests: list[str] = []
    page = _open(browser, hostile_url, page_name, requests)
    try:
        assert page.locator('[data-testid="stException"]').count() == 0
        assert page.locator(f'a[href*="{EVIL_HOST}"]').count() == 0
        assert page.locator(f'img[src*="{EVIL_HOST}"], img[src="x"], img[onerror]').count() == 0
        assert page.evaluate("() => window.evil === undefined")  # no script or event handler from the data ran
        assert page.evaluate("""() => [...document.querySelectorAll('script')]
                                    .every(s => !s.textContent.includes('window.evil'))""")
        for selector in ("h1", "h2", "h3", "h4", "h5", "h6", "strong", "b", "em", "a"):
            texts = page.locator(selector).all_inner_texts()
            assert not [x for x in texts if re.search(r"^\s*EVIL(H1|HEAD|BOLD|EM|B|LINK)\s*$", x)], (selector, texts)
        assert page.locator(".katex, math").count() == 0  # no LaTeX from '$x^2$'
        assert not [u for u in requests if EVIL_HOST in u]  # no tracking pixel, nothing fetched
        if page_name in LITERAL_ON:  # as written, but for the invisible word joiners that stop autolinks
            text = page.evaluate("""() => document.body.innerText + '\\n'
                                    + [...document.querySelectorAll('input')].map(i => i.value).join('\\n')""")
            text = text.replace(WORD_JOINER, "")
            for piece in (f"[EVILLINK](http://{EVIL_HOST}/l) ![EVILIMG](http://{EVIL_HOST}/i.png) **EVILBOLD**",
                          "<h1>EVILH1</h1><script>window.evil=1</script>", "$x^2$ :red[EVILRED] :material/home:",
                          "&amp; <b>EVILB</b>", f"www.{EVIL_HOST}"):
                assert piece in text, (LITERAL_ON[page_name], piece)
    finally:
        page.close()


def _sign_in(page, password: str) -> None:
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_label(t("auth.name")).fill("Mallory")
    sidebar.get_by_label(t("auth.password")).fill(password)
    sidebar.get_by_role("button", name=t("auth.login")).click()
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="detached", timeout=60_000)


def test_the_sign_in_pause_holds_in_another_browser(browser, hostile_url):
    """Five wrong passwords in one browser; a second browser (its own cookies, its own session) is paused as
    well, also for the right password. Runs last against this server: the pause stays for a minute."""
    from playwright.sync_api import expect
    from test_app_editing import PASSWORD

    from app_pages.auth import MAX_FAILURES

    first, second = browser.new_context(), browser.new_context()
    try:
        a = first.new_page()
        a.goto(hostile_url, timeout=60_000)
        paused = re.compile(r"Zu viele Fehlversuche\. Bitte in \d+ Sekunden erneut versuchen\.")
        # until the first browser is paused: a click that comes while the last attempt's run is still going
        # can be lost in the browser (the form clears on submit), which the server cannot count; the exact
        # count of MAX_FAILURES is the AppTest tests' job (test_app_editing, test_app_signin)
        for i in range(3 * MAX_FAILURES):
            _sign_in(a, f"guess {i}")
            expect(a.get_by_text(t("auth.wrong")).or_(a.get_by_text(paused)).first).to_be_visible(timeout=60_000)
            if a.get_by_text(paused).count():
                break
        expect(a.get_by_text(paused).first).to_be_visible(timeout=10_000)
        b = second.new_page()
        b.goto(hostile_url, timeout=60_000)
        _sign_in(b, PASSWORD)
        expect(b.get_by_text(paused).first).to_be_visible(timeout=60_000)
        assert b.locator('[data-testid="stSidebar"]').get_by_text(t("page.edit"), exact=True).count() == 0
    finally:
        first.close()
        second.close()


# ---------------------------------------------------------------- German throughout, in German formats (issue 15.6)
def _interface_text(page, data_texts: list[str]) -> str:
    """What the page shows as text, its tables' cells (the grid's accessible table, one line per cell) too,
    without icons (Material icon names), code spans (store paths) and the store's own free texts."""
    cells: list[str] = []
    grids = page.locator('[data-testid="stDataFrame"]')
    for i in range(grids.count()):  # the grid fills its accessible table once it is in view
        grids.nth(i).scroll_into_view_if_needed()
        grids.nth(i).locator("table th").first.wait_for(state="attached", timeout=30_000)
        cells += grids.nth(i).locator("th, td").all_text_contents()  # the accessible table is not drawn
    text = page.evaluate("""() => {
        const hidden = [...document.querySelectorAll(
            '[data-testid="stIconMaterial"], code, [data-testid="stDataFrame"]')];
        const shown = hidden.map(e => e.style.display);
        hidden.forEach(e => { e.style.display = 'none'; });
        const text = document.body.innerText;
        hidden.forEach((e, i) => { e.style.display = shown[i]; });
        return text;
    }""")
    text += "\n" + "\n".join(cells)
    for data_text in data_texts:
        text = text.replace(data_text, " ")
    return text.replace(WORD_JOINER, "")


def test_language_findings_catch_each_kind():
    """The reader of the language test finds what it is meant to (and passes clean text)."""
    assert language_findings("Schulen mit Gigabit: 2.185 (78,2 %), Kosten 16.573 €, am 01.09.2019", "de") == []
    assert language_findings("Schools on gigabit: 2,185 (78.2 %), cost 16,573 €, on 2019-09-01", "en") == []
    assert language_findings("Ebene: city", "de") and language_findings("Element: trench", "de")
    assert language_findings("Kosten (€) 16573.3555", "de") and language_findings("0.54 km", "de")
    assert language_findings("70,604–103,208 €", "de") and language_findings("Status open_trench", "de")
    assert language_findings("Stadt gesamt", "en") and language_findings("78,2 %", "en")
    assert language_findings("2.185 pupils", "en") and language_findings("since 01.09.2019", "en")
    assert language_findings("Cost (€) 16573.3555", "en")
    assert not language_findings("give both the same trench_id", "en")  # a field's name, as typed in QGIS


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("page_name", list(PAGES))
def test_every_page_speaks_one_language_in_its_formats(browser, app_url, page_name, lang):
    """Every page's visible text, its tables' cells and its metric labels in one language (no English words or
    snake_case codes on the German side, no German on the English side; numbers as the language writes
    them), and no metric label cut off."""
    page = browser.new_page(viewport={"width": 1400, "height": 1800})
    try:
        page.goto(app_url, timeout=60_000)
        sidebar = page.locator('[data-testid="stSidebar"]')
        if lang == "en":
            sidebar.get_by_text("English", exact=True).click(timeout=60_000)
            sidebar.get_by_text(t("page.overview", "en"), exact=True).wait_for(timeout=60_000)
        sidebar.get_by_text(t(f"page.{page_name}", lang), exact=True).click(timeout=60_000)
        page.get_by_text(page_marker(page_name, lang)).first.wait_for(timeout=90_000)
        page.locator('[data-testid="stStatusWidget"]').wait_for(state="detached", timeout=90_000)
        page.locator(MAP_PICTURES).first.wait_for(timeout=60_000)
        findings = language_findings(_interface_text(page, data_texts()), lang)
        cut = page.evaluate("""() => [...document.querySelectorAll('[data-testid="stMetricLabel"]')]
            .filter(label => [label, ...label.querySelectorAll('*')].some(e => e.scrollWidth > e.clientWidth + 1))
            .map(label => label.innerText)""")
        findings += [f"metric label cut off: {label!r}" for label in cut]
        assert not findings, "\n".join(findings)
    finally:
        page.close()
