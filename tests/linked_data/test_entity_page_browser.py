"""The Greater Region's page in a real browser (Debian's Chromium, headless, driven by Playwright), reached
through its IRI path: its presidencies with their periods and the quote they come from, then in French. The
page loads nothing from any other host. Screenshots are kept in build/."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.server]

BUILD = Path(__file__).resolve().parents[2] / "build"


def test_the_greater_region_page_shows_its_presidencies_and_switches_to_french(page, ld_server):
    requests, errors = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))

    response = page.goto(ld_server + "/id/greater-region")  # 303 to the page, as for any browser
    assert response.ok and page.url == ld_server + "/page/greater-region"
    assert page.locator("h1").inner_text() == "Greater Region"

    table = page.locator("table.relationship[data-kind='http://www.w3.org/ns/org#Membership']")
    rows = {row.split("\t")[0].strip(): row for row in table.locator("tbody tr").all_inner_texts()}
    assert set(rows) == {"Wallonia", "German-speaking Community", "Luxembourg"}
    assert "presidency" in rows["Wallonia"] and "2025-2026" in rows["Wallonia"]
    assert "2025-2026" in rows["German-speaking Community"]
    assert "2027-2028" in rows["Luxembourg"]

    # the quote behind them, cited with its document and section
    source = table.locator("tbody tr").first.locator("sup.ref a").first.get_attribute("href")
    citation = page.locator(source)
    assert (
        "held by Wallonia and the German-speaking Community in 2025-2026, and Luxembourg in 2027-2028"
        in citation.locator("blockquote").inner_text()
    )
    caption = citation.locator("figcaption").inner_text()
    assert "Joint Work Programme 2025-2028" in caption and "BENELUX+ AND BEYOND" in caption
    assert page.locator("#visualiser-link").get_attribute("href").startswith("/benelux-plus?focus=https%3A")
    BUILD.mkdir(exist_ok=True)
    page.screenshot(path=str(BUILD / "entity-page-greater-region.png"), full_page=True)

    page.get_by_role("link", name="Français").click()
    page.wait_for_url("**/page/greater-region?lang=fr")
    assert page.locator("h1").inner_text() == "Grande Région"
    assert page.locator("html").get_attribute("lang") == "fr"
    members = table.locator("tbody tr td:first-child").all_inner_texts()
    assert sorted(m.strip() for m in members) == ["Communauté germanophone", "Luxembourg", "Wallonie"]
    assert "présidence" in table.inner_text()
    assert page.locator("#sources h2").inner_text() == "Sources"
    page.screenshot(path=str(BUILD / "entity-page-greater-region-fr.png"), full_page=True)

    table.get_by_role("link", name="Wallonie").first.click()  # the language stays chosen from page to page
    page.wait_for_url("**/page/wallonia?lang=fr")
    assert page.locator("h1").inner_text() == "Wallonie"

    outside = [u for u in requests if not u.startswith((ld_server, "data:"))]
    assert outside == [], "the page must load nothing from other hosts"
    assert errors == []
