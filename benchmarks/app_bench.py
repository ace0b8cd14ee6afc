"""App benchmark: how long each page takes to paint on the sample, in a real browser.

`python -m benchmarks.app_bench [--repeats 3] [--out benchmarks/APP.md]` starts `streamlit run app.py`
on a free port and opens every page in Debian's Chromium (Playwright). For each page it measures the
time from the click in the sidebar until the page's last part is shown: first (the server's
caches empty, as for the first user after a start) and again (caches warm). Target: ≤ 2 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from app_pages.i18n import PAGE_MARKERS, page_marker, t

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-quic"]
TARGET_S = 2.0


def start_app(port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "app_pages.serve", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("streamlit did not start within 60 s")


LANDING = next(iter(PAGE_MARKERS))  # the page a visitor lands on


def paint_time_s(browser, url: str, page: str) -> float:
    """Seconds until the page's last part is visible: from opening the URL for the landing page,
    else from the click on its sidebar entry once the landing page has painted."""
    tab = browser.new_page(viewport={"width": 1400, "height": 1800})
    try:
        start = time.perf_counter()
        tab.goto(url, timeout=60_000)
        tab.get_by_text(page_marker(LANDING)).first.wait_for(timeout=120_000)
        if page == LANDING:
            return time.perf_counter() - start
        entry = tab.locator('[data-testid="stSidebar"]').get_by_text(t(f"page.{page}"), exact=True)
        start = time.perf_counter()
        entry.click()
        tab.get_by_text(page_marker(page)).first.wait_for(timeout=120_000)
        return time.perf_counter() - start
    finally:
        tab.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.app_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="warm visits per page (default 3)")
    parser.add_argument("--port", type=int, default=8599)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "APP.md"))
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    proc = start_app(args.port)
    url = f"http://127.0.0.1:{args.port}"
    rows = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            for page in PAGE_MARKERS:
                first = paint_time_s(browser, url, page)
                warm = [paint_time_s(browser, url, page) for _ in range(args.repeats)]
                rows.append((page, first, statistics.median(warm), max(warm)))
                print(f"{page:<10} first {first:6.2f} s   warm median {statistics.median(warm):5.2f} s", flush=True)
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    lines = [
        "# App benchmark: first paint of every page on the sample",
        "",
        f"- **Command:** `python -m benchmarks.app_bench --repeats {args.repeats}` (from the repository root)",
        f"- **Date:** {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; **machine:** {platform.machine()}, "
        f"{os.cpu_count()} cores (shared); Python {platform.python_version()}",
        "- **Measured:** in Debian's Chromium via Playwright, until the page's last part is shown: for the landing "
        "page (Überblick) from opening the URL, for the others from the click in the sidebar. *First* is the "
        "first visit after the server started (its caches empty: the "
        "network analysis, KPIs and plans are computed then); *warm* is the median of later visits.",
        "",
        f"| page | first | warm (median) | warm (max) | target ≤ {TARGET_S:g} s |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for page, first, median, worst in rows:
        met = "met" if median <= TARGET_S else "missed"
        lines.append(f"| {t(f'page.{page}')} | {first:.2f} s | {median:.2f} s | {worst:.2f} s | {met} (warm); "
                     f"{'met' if first <= TARGET_S else 'missed'} (first) |")
    Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"results written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
