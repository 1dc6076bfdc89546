"""Every page of the site in a real browser (Debian's Chromium, headless, driven by Playwright), at 1440 px and
at 390 px (a phone): no serious or critical axe-core violation (axe from the project's npm install), no
horizontal overflow on the phone, no console error, no request to another host; the focus ring is visible
(3 px, 6.6:1 against white). /docs renders its operations from the local Swagger UI. Screenshots of the home
page and of an entity page in French go to build/ (docs/ keeps copies for the README)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.server]

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "build"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PAGES = [
    "/",
    "/benelux-plus",
    "/sparql",
    "/page/greater-region?lang=fr",
    "/search?q=region",
    "/ontology",
    "/shapes",
    "/downloads",
    "/validate",
]
SERIOUS = """axe.run(document, {resultTypes: ['violations']}).then(r => r.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')))"""


def visit(browser, server, path, width):
    """(page, problems): the page loaded at `width`, and what went wrong on the way (errors, other hosts)."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    problems = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on(
        "request",
        lambda r: (
            None
            if r.url.startswith((server.url, "data:", "blob:"))
            else problems.append(f"request to another host: {r.url}")
        ),
    )
    response = page.goto(server.url + path)
    assert response.ok, (path, response.status)
    page.wait_for_load_state("networkidle")
    if path.startswith("/sparql"):
        page.wait_for_selector(".yasqe .CodeMirror", timeout=15_000)
    if path.startswith("/benelux-plus"):
        page.wait_for_selector("[data-benelux-plus][data-state=ready]", timeout=15_000)
    return page, problems


@pytest.fixture(scope="module")
def axe_source():
    if not AXE.is_file():
        pytest.skip("axe-core is not installed: run `npm ci` (make setup)")
    return AXE.read_text(encoding="utf-8")


@pytest.mark.parametrize("width", [1440, 390])
@pytest.mark.parametrize("path", PAGES)
def test_every_page_is_accessible_fits_and_stays_on_this_host(browser, site_server, axe_source, path, width):
    page, problems = visit(browser, site_server, path, width)
    page.evaluate(axe_source)  # evaluated by the browser's debugger: no script injected into the page's CSP
    violations = page.evaluate(SERIOUS)
    overflow = page.evaluate("document.documentElement.scrollWidth")
    header = page.locator("header.site")
    assert header.locator("nav a").count() >= 6 and header.locator(".langs a").count() == 4
    page.context.close()
    assert violations == [], path
    assert overflow <= width, f"{path} is {overflow} px wide at {width} px"
    assert problems == [], path


@pytest.mark.parametrize(
    "path", ["/", "/benelux-plus", "/sparql", "/page/greater-region", "/search?q=region", "/validate"]
)
def test_every_page_reflows_at_320_px(browser, site_server, path):
    """320 CSS px: a page zoomed to 400 % on a 1280 px screen (WCAG 1.4.10), in German (the longest words):
    nothing wider than the window (the header's four languages wrapped, 10 px past the edge before)."""
    context = browser.new_context(viewport={"width": 320, "height": 640}, device_scale_factor=2)
    page = context.new_page()
    page.goto(site_server.url + path + ("&" if "?" in path else "?") + "lang=de")
    page.wait_for_load_state("networkidle")
    overflow = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert overflow <= 320, f"{path} is {overflow} px wide at 320 px"


def test_the_home_page_leads_everywhere_in_the_chosen_language(browser, site_server):
    BUILD.mkdir(exist_ok=True)
    page, problems = visit(browser, site_server, "/", 1440)
    assert page.locator("h1").inner_text() == "The Benelux cooperation graph"
    assert int(page.locator("#counts li").first.locator("strong").inner_text().replace(",", "")) > 100
    page.screenshot(path=str(BUILD / "home.png"), full_page=True)
    page.locator("header.site .langs").get_by_role("link", name="Français").click()
    page.wait_for_url("**/?lang=fr")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("h1").inner_text() == "Le graphe de la coopération Benelux"
    page.screenshot(path=str(BUILD / "home-fr.png"), full_page=True)
    nav = page.locator("header.site nav")
    assert nav.get_by_role("link", name="Téléchargements").get_attribute("href") == "/downloads?lang=fr"
    page.locator("#home-search input[name=q]").fill("grande région")
    page.locator("#home-search button").click()
    page.wait_for_url("**/search?q=*")
    first = page.locator("#results li").first
    assert "Grande Région" in first.inner_text()
    assert "bx:" not in page.locator("#results").inner_text()  # kinds in words, not CURIEs
    first.get_by_role("link").first.click()
    page.wait_for_url("**/page/greater-region?lang=fr")
    assert page.locator("#sources h2").inner_text() == "Sources"
    assert page.locator("#relationships h2").inner_text() == "Relations"
    page.screenshot(path=str(BUILD / "entity-page-fr.png"), full_page=True)
    page.locator("#sparql-link").click()  # opens the editor with the entity's query, no download
    page.wait_for_selector(".yasqe .CodeMirror", timeout=15_000)
    assert "greater-region" in page.evaluate("window.yasgui.getTab().getQuery()")
    assert page.locator("html").get_attribute("lang") == "fr"
    page.context.close()
    assert problems == []


def test_docs_renders_the_operations_from_the_local_swagger_ui(browser, site_server):
    page, problems = visit(browser, site_server, "/docs", 1440)
    page.wait_for_selector(".opblock-summary", timeout=15_000)
    assert page.locator(".opblock-summary-path", has_text="/sparql").count() >= 2
    assert page.locator(".opblock").count() > 20
    redoc, more = visit(browser, site_server, "/redoc", 1440)
    redoc.wait_for_selector("h1", timeout=15_000)
    assert "benelux-graph" in redoc.locator("h1").first.inner_text()
    page.context.close()
    redoc.context.close()
    assert problems == [] and [p for p in more if "Incompatible types" not in p] == []


@pytest.mark.parametrize("path", ["/sparql", "/"])
def test_the_focus_ring_is_visible(browser, site_server, path):
    page, problems = visit(browser, site_server, path, 1440)
    page.keyboard.press("Tab")  # the skip link, then the brand
    page.keyboard.press("Tab")
    ring = page.evaluate("""(() => { const s = getComputedStyle(document.activeElement);
        return [document.activeElement.className, s.outlineStyle, s.outlineWidth, s.outlineColor]; })()""")
    page.context.close()
    assert ring[1:] == ["solid", "3px", "rgb(11, 92, 173)"], ring
    assert problems == []
