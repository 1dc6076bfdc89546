"""The Benelux+ page in a real headless Chromium (Debian's), served by a real uvicorn on 127.0.0.1.

Every test records the page's requests and console: nothing may leave 127.0.0.1 and nothing may be logged as
an error. The first test keeps a screenshot in build/benelux-plus.png.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from support.live_server import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.server]

ROOT = Path(__file__).resolve().parents[2]
ID = "https://w3id.org/benelux-graph/id/"
WIDGET = "[data-benelux-plus]"


class Watched:
    """A page with its requests and console errors recorded."""

    def __init__(self, page):
        self.page = page
        self.requests: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def open(self, url: str) -> None:
        self.page.goto(url)
        self.page.wait_for_selector(f"{WIDGET}[data-state=ready]", timeout=15_000)

    def js(self, expression: str, arg=None):
        return self.page.evaluate(
            f"(arg) => {{ const bp = document.querySelector('{WIDGET}').beneluxPlus; return {expression}; }}", arg
        )

    def visible_nodes(self) -> int:
        return self.js("bp.cy.nodes().not('.bp-hidden').length")

    def wait_ready(self) -> None:
        self.page.wait_for_selector(f"{WIDGET}[data-state=ready]", timeout=10_000)

    def check(self) -> None:
        assert self.errors == [], self.errors
        hosts = {urlsplit(url).hostname for url in self.requests if url.startswith(("http:", "https:"))}
        assert hosts <= {"127.0.0.1", "localhost"}, hosts
        assert all(
            url.startswith(("http://127.0.0.1:", "http://localhost:", "data:", "blob:")) for url in self.requests
        ), self.requests


@pytest.fixture
def watched(page, graph_server):
    page.set_viewport_size({"width": 1500, "height": 950})
    w = Watched(page)
    yield w
    w.check()


def test_page_loads_draws_the_preset_and_keeps_a_screenshot(watched, graph_server):
    watched.open(graph_server.url + "/benelux-plus")
    page = watched.page
    count = watched.js("bp.cy.nodes().length")
    assert count >= 25 and watched.visible_nodes() == count
    assert watched.js("bp.cy.getElementById(arg).nonempty()", ID + "greater-region")
    # drawn inside the canvas, not piled up at the origin
    box = watched.js("bp.cy.nodes().renderedBoundingBox()")
    assert box["w"] > 300 and box["h"] > 200
    assert page.locator(f"{WIDGET} canvas").count() >= 1
    assert page.locator(".bp-legend li").count() >= 4
    assert "nodes and" in page.locator(".bp-status").inner_text()
    page.wait_for_timeout(300)
    for target in (ROOT / "build" / "benelux-plus.png",):
        target.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(target))
    assert any("/vendor/cytoscape/cytoscape.min.js" in url for url in watched.requests)
    assert any("/api/graph/benelux-plus" in url for url in watched.requests)


def test_filters_reduce_the_nodes(watched, graph_server):
    watched.open(graph_server.url + "/benelux-plus")
    page = watched.page
    everything = watched.visible_nodes()
    page.select_option(".bp-controls select >> nth=1", "theme/crisis-management")
    page.wait_for_function(f"document.querySelector('{WIDGET}').getAttribute('data-visible-nodes') < {everything}")
    watched.wait_ready()
    themed = watched.visible_nodes()
    assert 0 < themed < everything
    assert watched.js("bp.cy.getElementById(arg).hasClass('bp-hidden')", ID + "greater-region")
    page.select_option(".bp-controls select >> nth=1", "")
    page.wait_for_function(f"document.querySelector('{WIDGET}').getAttribute('data-visible-nodes') == {everything}")
    # legend by type: unticking "region" hides the regions
    page.locator(".bp-legend input[value=region]").uncheck()
    page.wait_for_function(f"document.querySelector('{WIDGET}').getAttribute('data-visible-nodes') < {everything}")
    watched.wait_ready()
    assert watched.js("bp.cy.nodes('[category = \"region\"]').not('.bp-hidden').length") == 0
    page.locator(".bp-legend input[value=region]").check()
    # the year slider: 2027 shows Luxembourg's Greater Region presidency, not Wallonia's
    presidency = "bp.cy.edges('[kind = \"presidencyHeldBy\"]').not('.bp-hidden').map(e => e.target().id()).sort()"
    page.locator(".bp-controls input[type=checkbox]").uncheck()
    page.locator("input[type=range]").fill("2027")
    page.wait_for_function(
        f"(() => {{ const bp = document.querySelector('{WIDGET}').beneluxPlus; return {presidency}.length === 1; }})()"
    )
    watched.wait_ready()
    assert watched.js(presidency) == [ID + "luxembourg"]
    page.locator("input[type=range]").fill("2025")
    page.wait_for_function(
        f"(() => {{ const bp = document.querySelector('{WIDGET}').beneluxPlus; return {presidency}.length === 2; }})()"
    )
    assert watched.js(presidency) == [ID + "german-speaking-community", ID + "wallonia"]


def test_clicking_the_greater_region_shows_its_source_quote(watched, graph_server):
    watched.open(graph_server.url + "/benelux-plus")
    page = watched.page
    # bring the node to the middle of the canvas, then click it there with the mouse
    watched.js("(bp.cy.zoom(1.6), bp.cy.center(bp.cy.getElementById(arg)), true)", ID + "greater-region")
    graph = page.locator(".bp-graph").bounding_box()
    position = watched.js("bp.cy.getElementById(arg).renderedPosition()", ID + "greater-region")
    page.mouse.click(graph["x"] + position["x"], graph["y"] + position["y"])
    panel = page.locator(".bp-panel")
    panel.locator("blockquote").first.wait_for(timeout=10_000)
    assert panel.locator("h2").inner_text() == "Greater Region"
    assert "presidencies of the Greater Region held by Wallonia and the German-speaking Community" in panel.inner_text()
    link = panel.locator("a.bp-link")
    assert link.get_attribute("href") == graph_server.url + "/id/greater-region?lang=en"  # its resource page
    assert "Luxembourg" in panel.inner_text()  # its relationships, with the other ends


def test_the_language_switch_changes_the_labels(watched, graph_server):
    """On the site the header's language choice is the only one (the page reloads in that language, drawn the same);
    embedded elsewhere, the widget shows its own and switches in place."""
    watched.open(graph_server.url + "/benelux-plus")
    page = watched.page
    label = f"bp.cy.getElementById('{ID}benelux-union').data('label')"
    assert watched.js(label) == "Benelux Union"
    assert page.locator("header.site .langs a").count() == 4 and page.locator(".bp-header select").is_hidden()
    page.locator("header.site .langs a[hreflang=fr]").click()
    page.wait_for_url("**/benelux-plus?lang=fr")
    watched.wait_ready()
    assert watched.js(label) == "Union Benelux" and page.locator("html").get_attribute("lang") == "fr"
    assert page.locator(f"{WIDGET} h1").inner_text() == "Benelux+ et au-delà"
    assert watched.js(f"bp.cy.getElementById('{ID}greater-region').data('label')") == "Grande Région"
    assert page.locator("header.site nav a", has_text="Téléchargements").get_attribute("href") == "/downloads?lang=fr"
    # embedded (no data-lang, no data-language-choice): the widget's own select
    page.evaluate(
        """() => { const old = document.querySelector('[data-benelux-plus]'); const d = document.createElement('div');
        d.setAttribute('data-benelux-plus', ''); d.setAttribute('data-api', old.getAttribute('data-api'));
        old.replaceWith(d); new BeneluxPlus(d).init(); }"""
    )
    watched.wait_ready()
    page.select_option(".bp-header select", "de")
    page.wait_for_function(
        f"(() => {{ const bp = document.querySelector('{WIDGET}').beneluxPlus; "
        f"return {label} === 'Benelux-Union'; }})()"
    )
    assert "Pfad suchen" in page.locator(f"{WIDGET}").inner_text()


def test_search_path_finder_table_and_png(watched, graph_server):
    watched.open(graph_server.url + "/benelux-plus?lang=nl")
    page = watched.page
    assert watched.js(f"bp.cy.getElementById('{ID}netherlands').data('label')") == "Nederland"
    # search opens the panel
    page.fill(f"{WIDGET} input[type=search]", "Noordse Raad")
    page.press(f"{WIDGET} input[type=search]", "Enter")
    page.locator(".bp-panel h2").filter(has_text="Noordse Raad").wait_for(timeout=10_000)
    # the path finder
    page.select_option("select[id$='-from']", ID + "luxembourg")
    page.select_option("select[id$='-to']", ID + "lower-saxony")
    page.locator(".bp-primary").click()
    page.locator(".bp-panel ol li").first.wait_for(timeout=10_000)
    on_path = watched.js("bp.cy.nodes('.bp-path').map(n => n.id())")
    assert ID + "luxembourg" in on_path and ID + "lower-saxony" in on_path
    # the table view lists the visible nodes, as buttons a keyboard can reach
    page.locator("button[aria-controls$='-table']").click()
    rows = page.locator(".bp-table table >> nth=0").locator("tbody tr")
    assert rows.count() == watched.visible_nodes()
    union = page.locator(".bp-table").get_by_role("button", name="Benelux Unie", exact=True)
    assert union.count() == 1
    union.focus()
    page.keyboard.press("Enter")  # a keyboard user opens the details without the canvas
    page.locator(".bp-panel h2").filter(has_text="Benelux Unie").wait_for(timeout=10_000)
    # export as PNG
    with page.expect_download() as download:
        page.locator("button").filter(has_text="PNG").click()
    assert download.value.suggested_filename == "benelux-plus.png"
    assert download.value.path().read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_page_reads_another_api_only_from_an_allowed_origin(browser, settings, store, graph_server):
    """?api= points the page at another server's API when BENELUX_API_ORIGINS allows its origin: here the session's
    server, from the page of a second one (cross-origin: CORS, and the page's real Content-Security-Policy, which
    lists that origin in connect-src and nothing else)."""
    other = graph_server.url
    with LiveServer(replace(settings, workers=1, api_origins=(other + "/",)), store) as allowing:
        context = browser.new_context(viewport={"width": 1500, "height": 950})  # the page's own CSP, not bypassed
        try:
            watched = Watched(context.new_page())
            response = watched.page.goto(f"{allowing.url}/benelux-plus?api={other}")
            assert f"connect-src 'self' {other};" in response.headers["content-security-policy"]
            watched.wait_ready()
            api_calls = [url for url in watched.requests if "/api/graph" in url]
            assert api_calls and all(url.startswith(other + "/api/graph") for url in api_calls)
            assert watched.visible_nodes() >= 25
            watched.check()
        finally:
            context.close()


def test_the_page_refuses_an_api_origin_not_allowed(watched, graph_server):
    """A link cannot make our page show another server's data under our look: by default no other origin is
    allowed, the page says so in the reader's language and asks nothing of it (nor of its own server)."""
    other = f"http://localhost:{graph_server.port}"  # another origin (the same server: CORS would let it through)
    r = httpx.get(graph_server.url + "/benelux-plus", headers={"Accept": "text/html"})
    assert "connect-src 'self';" in r.headers["content-security-policy"]
    for lang, said in (("en", "does not show data from"), ("fr", "n'affiche pas les données de")):
        watched.requests.clear()
        watched.page.goto(f"{graph_server.url}/benelux-plus?lang={lang}&api={other}/")
        watched.page.wait_for_selector(f"{WIDGET}[data-state=refused]", timeout=15_000)
        status = watched.page.locator(".bp-status")
        assert status.is_visible() and f"{said} {other}" in status.inner_text(), status.inner_text()
        assert graph_server.url in status.inner_text()  # where it does show data from
        assert not [url for url in watched.requests if "/api/graph" in url]
    # a non-HTTP base is ignored: the page uses its own server
    watched.requests.clear()
    watched.open(f"{graph_server.url}/benelux-plus?api=javascript:alert(1)")
    api_calls = [url for url in watched.requests if "/api/graph" in url]
    assert api_calls and all(url.startswith(graph_server.url) for url in api_calls)
    # the same server's own origin, spelt as an ?api=, is allowed
    watched.requests.clear()
    watched.open(f"{graph_server.url}/benelux-plus?api={graph_server.url}")
    assert [url for url in watched.requests if "/api/graph" in url]


def test_selecting_an_edge_quotes_the_span_that_states_it(watched, graph_server):
    watched.open(graph_server.url + "/benelux-plus")
    page = watched.page
    edge = watched.js(
        "bp.cy.edges().filter(e => e.data('kind') === 'cooperatesWith' && e.target().id() === arg).map(e => e.id())[0]",
        ID + "north-rhine-westphalia",
    )
    watched.js("(bp.showEdge(arg), true)", edge)
    quotes = page.locator(".bp-panel blockquote")
    quotes.first.wait_for(timeout=10_000)
    texts = quotes.all_inner_texts()
    # the edge's own sources: the spans of both programmes' sentences, the whole sentence on hover
    assert any(t.startswith("cooperation with North Rhine-Westphalia will be further deepened") for t in texts)
    assert any(t.startswith("Deep partnership with North Rhine-Westphalia") for t in texts)
    assert "building on the joint declarations" in quotes.first.get_attribute("title") + "".join(
        q.get_attribute("title") or "" for q in quotes.all()
    )
