"""The README's screenshots, taken from a running server in Debian's Chromium (headless, Playwright):
docs/home.png, docs/home-fr.png, docs/benelux-plus-desktop.png (1440x900), docs/benelux-plus-phone.png (390x844)
and docs/entity-page-fr.png.

    .venv/bin/benelux-graph serve --port 8000 &      # or any running server
    .venv/bin/python scripts/screenshots.py [http://127.0.0.1:8000] [--out docs]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
READY = "[data-benelux-plus][data-state=ready]"
# (file, path, width, height, full page)
SHOTS = [
    ("home.png", "/?lang=en", 1440, 900, True),
    ("home-fr.png", "/?lang=fr", 1440, 900, True),
    ("benelux-plus-desktop.png", "/benelux-plus?lang=en", 1440, 900, False),
    ("benelux-plus-phone.png", "/benelux-plus?lang=en", 390, 844, False),
    ("entity-page-fr.png", "/page/greater-region?lang=fr", 1440, 900, True),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", nargs="?", default="http://127.0.0.1:8000", help="the server's base URL")
    parser.add_argument("--out", type=Path, default=ROOT / "docs", help="where the PNG files go")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        for name, path, width, height, full in SHOTS:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(args.base.rstrip("/") + path)
            page.wait_for_load_state("networkidle")
            if path.startswith("/benelux-plus"):
                page.wait_for_selector(READY, timeout=30_000)
            page.screenshot(path=str(args.out / name), full_page=full)
            page.close()
            print(args.out / name)
        browser.close()


if __name__ == "__main__":
    main()
