"""App benchmark: how long each page takes to paint on the sample, in a real browser.

`python -m benchmarks.app_bench [--repeats 3] [--out benchmarks/APP.md]` starts the app as the README's
run command does (`python -m app_pages.serve`: `streamlit run app.py` that fills its caches right after
the start) and opens every page in Debian's Chromium (Playwright). Per page, from the click in the
sidebar, once the browser has finished drawing the page before: *complete*, until every part of the page
is on screen, maps in their place (its first paint, the target: ≤ 2 s; a map is a still picture unless the
sidebar switch for interactive maps is on, timed too), and *drawn*, until the browser has
also finished drawing the maps (no task over 50 ms for a second, and the GPU process idle); on the first
visit and again (warm). The landing page is also timed from opening the URL, by a new visitor (nothing
cached) and a returning one (Streamlit's script files cached), side by side with the peer
`benchmarks/empty_app.py` (a Streamlit page with a title and one line: what Streamlit itself costs here)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from app_pages.i18n import page_marker, t
from app_pages.registry import DECK_CANVAS, MAP_PICTURES, PUBLIC_PAGES
from app_pages.registry import page as app_page
from tests.app_pages_helper import open_page

PUBLIC_KEYS = [entry.key for entry in PUBLIC_PAGES]  # every page a visitor sees (app_pages.registry)
ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-quic"]
TARGET_S = 2.0
QUIET_MS = 1000  # the browser has finished drawing once its main thread had no long task for this long
GPU_BUSY_MS = 50  # ... and a one-pixel WebGL read-back, queued behind the maps' drawing, returns sooner than this

# Long tasks (over 50 ms on the main thread) are what laying out and drawing costs; the page records when
# each ended, from its first script on.
RECORD_LONG_TASKS = """window.__longTaskEnds = [];
new PerformanceObserver(list => {
  for (const e of list.getEntries()) window.__longTaskEnds.push(e.startTime + e.duration);
}).observe({type: "longtask", buffered: true});"""
# Resolves once the browser has finished drawing, with when it finished (page clock, ms; 0 if there was
# nothing to draw), or with -1 if it is still busy after 60 s. Finished: the main thread had no long task
# for `quietMs` from the call on, and the GPU process is idle too. The maps' WebGL drawing runs there
# (without a GPU on the CPU, SwiftShader), and can go on while the main thread is quiet: a one-pixel
# read-back from a WebGL context of our own waits until the GPU process gets to it.
QUIET = """([quietMs, gpuBusyMs]) => new Promise(done => {
  const called = performance.now();
  const gl = document.createElement("canvas").getContext("webgl");
  let gpuEnd = 0;
  const gpuWait = () => {
    if (!gl) return 0;
    const start = performance.now();
    gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(4));
    return performance.now() - start;
  };
  gpuWait();  // the context's own set-up is not the maps' drawing
  const check = () => {
    const last = Math.max(0, gpuEnd, ...window.__longTaskEnds);
    if (performance.now() - Math.max(called, last) >= quietMs) {
      if (gpuWait() < gpuBusyMs) { gl?.getExtension("WEBGL_lose_context")?.loseContext(); return done(last); }
      gpuEnd = performance.now();
    }
    if (performance.now() - called > 60000) done(-1);
    else setTimeout(check, 100);
  };
  check();
})"""


# `__watch(marker, maps)` resolves once the page is complete and painted: its last part's text is there, no
# part still waits for its code (Streamlit shows a grey placeholder, `stSkeleton`, until an element's script
# file has loaded), the run is over (no stale part of the page before, no status widget), and every map is
# there: a still picture loaded, or an interactive map with its canvas (its drawing may go on: that is
# *drawn*). A mutation observer, and the pictures' load events, note the moment the page becomes complete;
# the page clock after the next frame (a timer queued from requestAnimationFrame runs once that frame is
# painted) is when it is on screen. Both in ms on the page clock, which starts as the URL is opened.
WATCH_COMPLETE = """window.__mapsShown = () =>
  document.querySelectorAll('""" + DECK_CANVAS + """').length
  + [...document.querySelectorAll('""" + MAP_PICTURES + """')].filter(i => i.complete && i.naturalWidth).length;
window.__watch = (marker, maps) => new Promise(done => {
  const complete = () => !!document.body && document.body.textContent.includes(marker)
    && !document.querySelector('[data-testid="stSkeleton"], [data-stale="true"], [data-testid="stStatusWidget"]')
    && window.__mapsShown() >= maps;
  let waiting = true;
  const check = () => {
    if (!waiting || !complete()) return;
    waiting = false;
    observer.disconnect();
    document.removeEventListener("load", check, true);
    const dom = performance.now();
    requestAnimationFrame(() => setTimeout(() => done([dom, performance.now()]), 0));
  };
  const observer = new MutationObserver(check);
  observer.observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
  document.addEventListener("load", check, true);  // a picture's load event: no mutation of the page
  check();
});"""


WARM_LINE = "caches warm for"  # what app_pages.serve logs once the caches are full


def start_app(port: int, script: Path | None = None) -> tuple[subprocess.Popen, float]:
    """Start the app (or `script` with plain `streamlit run`); return it and the seconds until it is ready:
    the health check answers, and for the app the caches are warm (its log line)."""
    command = [sys.executable, "-m", "app_pages.serve"] if script is None else \
        [sys.executable, "-m", "streamlit", "run", str(script)]
    log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)  # noqa: SIM115 - read while it runs
    start = time.perf_counter()
    proc = subprocess.Popen(
        [*command, "--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1",
         "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=log, stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 120
    healthy = False
    while time.monotonic() < deadline and proc.poll() is None:
        if not healthy:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                    healthy = True
            except OSError:
                pass
        if healthy and (script is not None or WARM_LINE in Path(log.name).read_text(errors="replace")):
            return proc, time.perf_counter() - start
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"the app did not get ready within 120 s; its log: {log.name}")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    proc.wait(timeout=30)


LANDING = PUBLIC_KEYS[0]  # the page a visitor lands on
OTHER = next(p for p in PUBLIC_KEYS if p != LANDING)


def new_context(browser, maps: int = app_page(LANDING).maps):
    """A browser profile of its own: nothing cached (a new visitor). Every page it opens records its long
    tasks and watches for the landing page (with `maps` maps) to be complete: `window.__landed`."""
    context = browser.new_context(viewport={"width": 1400, "height": 1800})
    context.add_init_script(f"{RECORD_LONG_TASKS}\n{WATCH_COMPLETE}\n"
                            f"window.__landed = window.__watch({json.dumps(page_marker(LANDING))}, {maps});")
    return context


def complete_ms(tab, watch: str) -> float:
    """Wait for the page watch `watch` (a window property holding a `__watch` promise); when the page it
    watches was painted complete (page clock, ms)."""
    tab.wait_for_function(f"window.{watch} !== undefined", timeout=120_000)
    _, painted = tab.evaluate(f"Promise.race([window.{watch}, new Promise(r => setTimeout(() => r([0, -1]), 120000))])")
    if painted < 0:
        raise RuntimeError(f"the page was not complete within 120 s ({watch})")
    return painted


def last_long_task_ms(tab) -> float:
    """Wait until the browser has finished drawing; the end of its last long task (page clock, ms)."""
    last = tab.evaluate(QUIET, [QUIET_MS, GPU_BUSY_MS])
    if last < 0:
        raise RuntimeError("the browser was still busy drawing after 60 s")
    return last


def open_time_s(context, url: str) -> tuple[float, float]:
    """Seconds from opening the URL until the landing page is painted complete, and until the browser has
    finished drawing it (the page clock starts as the URL is opened)."""
    tab = context.new_page()
    try:
        tab.goto(url, timeout=60_000)
        shown = complete_ms(tab, "__landed") / 1000
        return shown, max(shown, last_long_task_ms(tab) / 1000)
    finally:
        tab.close()


def open_times_s(browser, url: str, maps: int, visits: int) -> tuple[list, list]:
    """`visits` times a new visitor opens the URL, then opens it again as a returning one (the same profile:
    Streamlit's script files in the browser's cache): both lists of (shown, drawn)."""
    new, returning = [], []
    for _ in range(visits):
        context = new_context(browser, maps)
        try:
            new.append(open_time_s(context, url))
            returning.append(open_time_s(context, url))
        finally:
            context.close()
    return new, returning


def click_time_s(browser, url: str, page: str, interactive: bool = False) -> tuple[float, float]:
    """Seconds from the click on the page's sidebar entry until the page is complete, and until the browser
    has finished drawing it. The click waits until the page before is drawn (the landing page is reached
    from another page). `interactive`: with the sidebar switch for interactive maps on first."""
    context = new_context(browser)
    try:
        tab = context.new_page()
        tab.goto(url, timeout=60_000)
        complete_ms(tab, "__landed")
        sidebar = tab.locator('[data-testid="stSidebar"]')
        if interactive:
            sidebar.get_by_text(t("maps.interactive"), exact=True).click()
            tab.wait_for_function(f"document.querySelectorAll('{DECK_CANVAS}').length >= {app_page(LANDING).maps}",
                                  timeout=120_000)
        if page == LANDING:
            watch(tab, OTHER)
            sidebar.get_by_text(t(f"page.{OTHER}"), exact=True).click()
            complete_ms(tab, "__page")
        last_long_task_ms(tab)  # the page we came from is drawn
        watch(tab, page)
        clicked_ms = tab.evaluate("performance.now()")
        sidebar.get_by_text(t(f"page.{page}"), exact=True).click()
        shown = (complete_ms(tab, "__page") - clicked_ms) / 1000
        return shown, max(shown, (last_long_task_ms(tab) - clicked_ms) / 1000)
    finally:
        context.close()


def watch(tab, page: str) -> None:
    """Watch for `page` to be complete: `window.__page`."""
    tab.evaluate("([marker, maps]) => { window.__page = window.__watch(marker, maps); }",
                 [page_marker(page), app_page(page).maps])


def script_times_s(repeats: int) -> dict[str, float]:
    """Per page, the median time of a warm script run on the server alone (Streamlit's AppTest, no
    browser): the part of the paint time that the app's own code takes."""
    from streamlit.testing.v1 import AppTest

    times = {}
    for page in PUBLIC_KEYS:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
        at.run()
        open_page(at, page)
        runs = []
        for _ in range(repeats):
            start = time.perf_counter()
            at.run()
            runs.append(time.perf_counter() - start)
        times[page] = statistics.median(runs)
    return times


def _row(label: str, visits: list[tuple[float, float]], peer: list[tuple[float, float]] | None = None) -> str:
    """A table row: shown and drawn, first visit and warm median (max); the target applies to shown."""
    (first, first_drawn), warm = visits[0], visits[1:]
    shown = statistics.median(s for s, _ in warm)
    drawn = statistics.median(d for _, d in warm)
    verdict = f"{'met' if first <= TARGET_S else 'missed'} (first); {'met' if shown <= TARGET_S else 'missed'} (warm)"
    ratio = "" if peer is None else f" ({shown / statistics.median(s for s, _ in peer[1:]):.2f}× the peer)"
    return (f"| {label} | {first:.2f} s | {shown:.2f} s{ratio} | {max(s for s, _ in warm):.2f} s | {verdict} "
            f"| {first_drawn:.2f} s | {drawn:.2f} s |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.app_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="warm visits per page (default 3)")
    parser.add_argument("--port", type=int, default=8599)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "APP.md"))
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    url = f"http://127.0.0.1:{args.port}"
    rows, interactive_rows = [], []
    scripts = script_times_s(args.repeats)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        proc, _ = start_app(args.port, ROOT / "benchmarks" / "empty_app.py")
        try:
            peer, peer_back = open_times_s(browser, url, 0, args.repeats + 1)
        finally:
            stop(proc)
        proc, ready_s = start_app(args.port)
        try:
            app_new, app_back = open_times_s(browser, url, app_page(LANDING).maps, args.repeats + 1)
            print(f"opening   new visitor {statistics.median(s for s, _ in app_new[1:]):5.2f} s (peer "
                  f"{statistics.median(s for s, _ in peer[1:]):5.2f} s), returning "
                  f"{statistics.median(s for s, _ in app_back[1:]):5.2f} s (peer "
                  f"{statistics.median(s for s, _ in peer_back[1:]):5.2f} s)", flush=True)
            for page in PUBLIC_KEYS:
                visits = [click_time_s(browser, url, page) for _ in range(args.repeats + 1)]
                rows.append((page, visits))
                print(f"{page:<10} complete: first {visits[0][0]:5.2f} s, warm median "
                      f"{statistics.median(s for s, _ in visits[1:]):5.2f} s;  drawn: first {visits[0][1]:5.2f} s, "
                      f"warm median {statistics.median(d for _, d in visits[1:]):5.2f} s", flush=True)
            for page in PUBLIC_KEYS:
                visits = [click_time_s(browser, url, page, interactive=True) for _ in range(args.repeats + 1)]
                interactive_rows.append((page, visits))
                print(f"{page:<10} interactive maps: complete, warm median "
                      f"{statistics.median(s for s, _ in visits[1:]):5.2f} s", flush=True)
        finally:
            stop(proc)
        browser.close()
    header = f"| first | warm (median) | warm (max) | target ≤ {TARGET_S:g} s | drawn, first | drawn, warm (median) |"
    lines = [
        "# App benchmark: first paint of every page on the sample",
        "",
        f"- **Command:** `python -m benchmarks.app_bench --repeats {args.repeats}` (from the repository root)",
        f"- **Date:** {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; **machine:** {platform.machine()}, "
        f"{os.cpu_count()} cores (shared); Python {platform.python_version()}",
        "- **Server:** started as the README's run command does (`python -m app_pages.serve`), which fills the "
        f"caches right after the start: ready (caches warm) {ready_s:.1f} s after the start. *First* is the first "
        "visit after that; *warm* the median of the later ones.",
        "- **Measured:** in Debian's Chromium (software rendering, `--disable-gpu`) via Playwright, from the "
        "click on the page's sidebar entry, made once the browser has finished drawing the page before; each "
        "visit in a new browser profile (nothing cached: the landing page, then the click). "
        "*First* to *target*: until the page is complete, every part on screen, maps in their place (its "
        "first paint): its last part's text is there, no part still shows Streamlit's grey placeholder "
        "(it waits for its element's script file), the run is over and each map is there: its picture loaded "
        "(the default) or, with the switch for interactive maps on, its canvas. *Drawn*: "
        "until the browser has also finished drawing the maps (the main thread had no task over 50 ms for "
        f"{QUIET_MS / 1000:g} s, and a one-pixel WebGL read-back returns at once); without a GPU, the deck.gl "
        "maps are rasterised on the CPU (SwiftShader), which is most of that time. The last column is the "
        "script run alone (AppTest, no browser).",
        "- **Opening the URL:** a *new visitor* has nothing cached; a *returning visitor* opens the URL again "
        "in the same browser profile, with Streamlit's script files in its cache. Both include loading "
        "Streamlit's frontend; the peer `benchmarks/empty_app.py` (a Streamlit page with a title and one "
        "line) measures that floor in the same run.",
        "",
        f"| page (from the click) {header} script run on the server (warm, median) |",
        "| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: |",
    ]
    lines += [_row(t(f"page.{page}"), visits) + f" {scripts[page]:.2f} s |" for page, visits in rows]
    lines += [
        "",
        "With the sidebar switch *Interaktive Karten* on (deck.gl maps instead of pictures; the switch is off "
        "by default), from the click:",
        "",
        f"| page (from the click) {header}",
        "| --- | ---: | ---: | ---: | --- | ---: | ---: |",
    ]
    lines += [_row(t(f"page.{page}"), visits) for page, visits in interactive_rows]
    lines += [
        "",
        f"| opening the URL {header}",
        "| --- | ---: | ---: | ---: | --- | ---: | ---: |",
        _row("peer: an empty Streamlit page, new visitor", peer),
        _row(f"the app, landing on {t(f'page.{LANDING}')}, new visitor", app_new, peer),
        _row("peer, returning visitor", peer_back),
        _row("the app, returning visitor", app_back, peer_back),
    ]
    Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"results written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
