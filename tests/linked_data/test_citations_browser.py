"""The citation pages in a real browser (Debian's Chromium, headless, Playwright): from a fact page into the
source reader at the sentence that states it, and every page (source list, reader, fact, comparison) at 390 px
(a phone) in each of the four languages' chrome: no horizontal overflow, no serious or critical axe-core
violation (axe from the project's npm install), nothing loaded from another host."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.server]

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
NRW = "benelux-union.cooperatesWith.north-rhine-westphalia"
SERIOUS = """axe.run(document, {resultTypes: ['violations']}).then(r => r.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')))"""
PAGES = [
    "/sources",
    "/sources/joint-work-programme-2025-2028?lang=nl",
    "/sources/common-work-programme-2021-2024?lang=fr",
    f"/page/fact/{NRW}?lang=de",
    "/page/fact/belgium.nutsCode.BE",
    "/compare?lang=fr",
]


@pytest.fixture(scope="module")
def axe_source():
    if not AXE.is_file():
        pytest.skip("axe-core is not installed: run `npm ci` (make setup)")
    return AXE.read_text(encoding="utf-8")


def test_a_fact_leads_to_its_sentence_in_the_source_reader(browser, ld_server):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(f"{ld_server}/id/fact/{NRW}")  # 303 to the fact page, as for any browser
    assert page.url == f"{ld_server}/page/fact/{NRW}"
    page.locator("a.reader[href$='#jwp-0185']").click()
    page.wait_for_url("**/sources/joint-work-programme-2025-2028#jwp-0185")
    sentence = page.locator("#jwp-0185")
    assert sentence.evaluate("e => e.matches(':target')")
    box, height = sentence.bounding_box(), page.viewport_size["height"]
    assert 0 <= box["y"] < height  # scrolled into view
    # the spans of the sentence's facts overlap ("For instance, cooperation with ..." states its theme)
    mark = sentence.locator("mark", has_text="cooperation with North Rhine-Westphalia").first
    assert mark.count() == 1
    mark.locator(f"a[href$='/page/fact/{NRW}']").first.click()  # and back from the highlighted span to its fact
    page.wait_for_url(f"**/page/fact/{NRW}")
    page.close()


@pytest.mark.parametrize("path", PAGES)
def test_the_citation_pages_fit_a_phone_and_pass_axe(browser, ld_server, axe_source, path):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("request", lambda r: None if r.url.startswith((ld_server, "data:")) else problems.append(r.url))
    assert page.goto(ld_server + path).ok
    lang = (path.split("lang=") + ["en"])[1]
    assert page.locator("html").get_attribute("lang") == lang
    page.evaluate(axe_source)
    violations = page.evaluate(SERIOUS)
    width = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert violations == [], path
    assert width <= 390, f"{path} is {width} px wide at 390 px"
    assert problems == [], path
