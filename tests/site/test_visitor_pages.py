"""What a visitor reads in a real browser (Debian's Chromium, via Playwright) on pages the other site tests do
not open: no raw machinery (a compact IRI such as `bxr:membership-…`) where a name should be."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.server]

ROOT = Path(__file__).resolve().parents[2]
COMPACT_IRI = re.compile(r"\bbxr?:[\w-]+")


@pytest.mark.parametrize("lang", ["en", "de"])
@pytest.mark.parametrize(
    "path",
    [
        "/sources/joint-work-programme-2025-2028",  # facts about memberships, under the sentences they come from
        "/page/membership-frans-weekers-secretary-general",  # a membership's own page
        "/page/fact/membership-frans-weekers-secretary-general.org-member.frans-weekers",  # one of its facts
        "/page/secretariat-general-address",  # an address
        "/page/theme/regional-cooperation",  # a theme, whose cooperations carry an editorial note
        "/page/cooperation-hauts-de-france",  # a cooperation, whose note pointed to another one
    ],
)
def test_a_visitor_reads_names_not_compact_iris(browser, site_server, path, lang):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    response = page.goto(f"{site_server.url}{path}?lang={lang}")
    assert response.ok, response.status
    shown = page.locator("body").inner_text() + "\n" + page.title()
    assert COMPACT_IRI.findall(shown) == [], path
    page.close()


@pytest.mark.parametrize(
    ("lang", "day"), [("fr", "1er janvier 2024"), ("nl", "1 januari 2024"), ("de", "1. Januar 2024")]
)
def test_a_period_gives_its_days_in_the_readers_language(browser, site_server, lang, day):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    assert page.goto(f"{site_server.url}/page/period-2024-2029?lang={lang}").ok
    shown = page.locator("main").inner_text()
    assert day in shown and "January" not in shown and "December" not in shown, shown
    page.close()


def test_a_sentence_anchor_is_a_target_a_thumb_can_hit(browser, site_server):
    """The `#` after each sentence of a source document (its #jwp-NNNN link, to share one sentence) was 5 px wide
    on a phone: WCAG 2.5.8 asks for 24 x 24 px."""
    page = browser.new_page(viewport={"width": 390, "height": 844})
    assert page.goto(f"{site_server.url}/sources/joint-work-programme-2025-2028?lang=nl").ok
    boxes = page.locator("a.anchor").evaluate_all(
        "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.width, r.height]; })"
    )
    assert len(boxes) > 100
    small = [b for b in boxes if b[0] < 24 or b[1] < 24]
    assert small == [], small[:3]
    page.locator("a.anchor[href='#jwp-0003']").click()
    assert page.url.endswith("#jwp-0003")
    page.close()


def test_the_api_page_passes_axe_but_for_swagger_uis_nested_buttons(browser, site_server):
    """/docs drew Swagger UI's own colours (white on light blue GET, green POST: 2.3:1 and 2.0:1; grey 'Expand all'
    1.9:1) and its server <select> had no name. The one rule left: its operation summary nests a copy button in
    a button (Swagger UI's markup)."""
    axe = (ROOT / "node_modules" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    assert page.goto(f"{site_server.url}/docs?lang=fr").ok
    page.wait_for_selector(".opblock-summary-method", timeout=15_000)
    page.locator(".opblock-summary-control").first.click()  # an operation opened: its schemas and buttons
    page.wait_for_selector(".opblock-body", timeout=15_000)
    page.evaluate(axe)
    found = page.evaluate(
        """axe.run(document, {resultTypes: ['violations']}).then(r => r.violations
            .filter(v => (v.impact === 'serious' || v.impact === 'critical') && v.id !== 'nested-interactive')
            .map(v => v.id + ': ' + v.nodes.length + ' ' + v.nodes.slice(0, 2).map(n => n.target.join(' '))))"""
    )
    assert found == [], found
    assert page.locator("#servers").get_attribute("aria-label") == "Serveurs"
    page.close()


@pytest.mark.parametrize("width", [720, 640])  # 1440 px and 1280 px screens at 200 % zoom
def test_an_entity_page_at_200_percent_zoom_scrolls_only_down(browser, site_server, width):
    """The relationship tables of an entity page (German headers are long) were wider than a 601-722 px window,
    so the whole page scrolled sideways at 200 % zoom (WCAG 1.4.10): a wide table scrolls in its own box."""
    page = browser.new_page(viewport={"width": width, "height": 450})
    assert page.goto(f"{site_server.url}/page/greater-region?lang=de").ok
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    page.close()


def test_a_phone_scrolls_an_answer_table_in_its_own_box(browser, site_server):
    """The editor on a phone: after Run, the results table (565 px) pushed the whole page 188 px sideways."""
    page = browser.new_page(viewport={"width": 390, "height": 844})
    assert page.goto(f"{site_server.url}/sparql?lang=de").ok
    page.wait_for_selector(".yasqe .CodeMirror", timeout=15_000)
    page.locator(".yasqe_queryButton").click()
    page.wait_for_selector(".yasr tbody tr", timeout=20_000)
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    box = page.locator(".yasr .dt-layout-table .dt-layout-cell").first
    assert box.evaluate("e => e.scrollWidth > e.clientWidth")  # the table is still whole, in a box that scrolls
    page.close()
