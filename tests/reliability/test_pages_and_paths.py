"""Pages and paths: a label holding markup is shown as text and never run (escaping, and a Content-Security-Policy
on every HTML page: checked in the HTML and in Chromium), and path traversal on the static, vendor, dump and
resource routes reaches nothing outside them."""

from __future__ import annotations

import socket

import httpx
import pytest
from reliability_settings import reliability_settings
from reliability_support import LiveServer

from benelux_graph.store import GraphStore

pytestmark = pytest.mark.server

PAYLOAD = "<img src=x onerror=alert(1)>"
LABEL = f"Benelux {PAYLOAD} Union"
ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"
UNION = "https://w3id.org/benelux-graph/id/benelux-union"


@pytest.fixture(scope="module")
def xss_server(settings, tmp_path_factory):
    """The project's data with the Benelux Union's English label holding markup."""
    from reliability_support import copy_project

    root = copy_project(tmp_path_factory.mktemp("xss") / "project")
    path = root / "data" / "benelux-union.ttl"
    path.write_text(path.read_text().replace('"Benelux Union"@en', f'"{LABEL}"@en', 1))
    s = reliability_settings(settings, root=root, workers=1)
    with LiveServer(s, GraphStore.load(s)) as server:
        yield server


def csp_of(r: httpx.Response) -> dict[str, str]:
    policy = r.headers["content-security-policy"]
    return {d.split()[0]: d.strip() for d in policy.split(";") if d.strip()}


def test_entity_page_shows_markup_as_text(xss_server):
    r = httpx.get(xss_server.url + "/page/benelux-union", timeout=60)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert ESCAPED in r.text and PAYLOAD not in r.text
    assert "default-src 'self'" in r.headers["content-security-policy"]


def test_graph_api_carries_the_label_as_data(xss_server):
    r = httpx.get(xss_server.url + "/api/graph/neighbourhood/benelux-union", timeout=60)
    node = next(n["data"] for n in r.json()["elements"]["nodes"] if n["data"]["id"] == UNION)
    assert node["label"] == LABEL  # JSON: the page must insert it as text
    assert r.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    "url",
    [
        "/search?q=%3Cscript%3Ealert(1)%3C/script%3E",
        "/id/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "/page/%22%3E%3Csvg%20onload=alert(1)%3E",
        "/validate",
    ],
)
def test_reflected_text_is_escaped(client, url):
    r = client.get(url, headers={"accept": "text/html"})
    assert r.headers["content-type"].startswith("text/html"), r.headers
    assert "<script>alert(1)" not in r.text and "<svg onload" not in r.text
    assert "script-src 'self'" in r.headers["content-security-policy"]


HTML_PAGES = [
    "/sparql",
    "/page/benelux-union",
    "/search?q=benelux",
    "/ontology",
    "/shapes",
    "/downloads",
    "/validate",
    "/.well-known/void",
    "/benelux-plus",
    "/page/no-such-thing",
    "/graph/data/countries",
]


@pytest.mark.parametrize("url", HTML_PAGES)
def test_every_html_page_has_the_security_policy(client, url):
    r = client.get(url, headers={"accept": "text/html"})
    assert r.headers["content-type"].startswith("text/html"), (url, r.headers["content-type"])
    policy = csp_of(r)
    assert policy["default-src"] == "default-src 'self'"
    assert policy["script-src"] == "script-src 'self'"  # no inline script, no eval, no other host
    assert policy["object-src"] == "object-src 'none'"
    assert policy["connect-src"] == "connect-src 'self'"  # the Benelux+ page too: BENELUX_API_ORIGINS lists none
    assert r.headers["x-content-type-options"] == "nosniff"
    if url == "/benelux-plus":  # made to be embedded in the Benelux+ site
        assert policy["frame-ancestors"] == "frame-ancestors *" and "x-frame-options" not in r.headers
    else:
        assert policy["frame-ancestors"] == "frame-ancestors 'none'" and r.headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize(
    "url",
    [
        "/sparql?query=ASK%7B%7D",
        "/api/queries",
        "/api/graph?format=gexf",
        "/healthz",
        "/sparql?query=nonsense",
        "/downloads/benelux-graph.ttl",
    ],
)
def test_other_answers_are_never_sniffed(client, url):
    r = client.get(url)
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "content-security-policy" not in r.headers


# --- in Chromium -------------------------------------------------------------------------------------------------


def watch(page) -> dict:
    seen = {"dialogs": [], "errors": []}
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))  # the pages declare none
    page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
    page.on("console", lambda m: m.type == "error" and seen["errors"].append(m.text))
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    return seen


@pytest.mark.browser
def test_entity_page_in_a_browser_runs_no_markup(page, xss_server, tmp_path):
    seen = watch(page)
    page.goto(xss_server.url + "/page/benelux-union")
    page.get_by_text(PAYLOAD, exact=False).first.wait_for(timeout=10_000)
    page.wait_for_timeout(300)
    assert page.evaluate("document.querySelectorAll('img[src=\"x\"]').length") == 0
    assert seen["dialogs"] == [] and seen["errors"] == [], seen
    page.screenshot(path=str(tmp_path / "entity-page.png"))


@pytest.mark.browser
def test_visualiser_in_a_browser_runs_no_markup(page, xss_server, tmp_path):
    seen = watch(page)
    page.goto(xss_server.url + "/benelux-plus")
    page.wait_for_selector("[data-benelux-plus][data-state=ready]", timeout=20_000)
    labels = page.evaluate(
        "document.querySelector('[data-benelux-plus]').beneluxPlus.cy.nodes().map(n => n.data('label'))"
    )
    assert LABEL in labels
    page.evaluate(f"document.querySelector('[data-benelux-plus]').beneluxPlus.cy.getElementById('{UNION}').emit('tap')")
    page.wait_for_timeout(500)
    assert page.evaluate("document.querySelectorAll('img[src=\"x\"]').length") == 0
    assert PAYLOAD in page.evaluate("document.body.innerText")  # shown as text in the details panel
    assert seen["dialogs"] == [] and seen["errors"] == [], seen
    page.screenshot(path=str(tmp_path / "visualiser.png"))


@pytest.mark.browser
def test_query_editor_works_under_its_policy(page, live_server):
    seen = watch(page)
    page.goto(live_server.url + "/sparql")
    page.wait_for_selector(".yasgui", timeout=20_000)
    page.wait_for_timeout(500)
    csp = [e for e in seen["errors"] if "Content Security Policy" in e]
    assert csp == [] and seen["dialogs"] == [], seen


# --- path traversal ------------------------------------------------------------------------------------------------


def raw_get(port: int, target: str) -> tuple[int, bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode("latin-1"))
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


TRAVERSALS = [
    "../../../../../../../../etc/passwd",
    "..%2f..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
    "%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "..%252f..%252f..%252fetc%252fpasswd",
    "....//....//....//etc/passwd",
    "..\\..\\..\\..\\etc\\passwd",
    "%2e%2e%5c%2e%2e%5cetc%5cpasswd",
    "/etc/passwd",
    "%2fetc%2fpasswd",
    "..%00/etc/passwd",
    "..%c0%af..%c0%afetc%c0%afpasswd",
    "../../../../pyproject.toml",
    "../../src/benelux_graph/settings.py",
    "../api/app.py",
    "..%2f..%2fapi%2fapp.py",
    "../../../package.json",
]
PREFIXES = [
    "/static/",
    "/vendor/yasgui/",
    "/vendor/cytoscape/",
    "/vendor/cytoscape-fcose/",
    "/benelux-plus/static/",
    "/downloads/",
    "/id/",
    "/page/",
    "/data/",
    "/ontology/",
    "/api/queries/",
    "/api/graph/neighbourhood/",
]
SECRETS = (b"root:x:0:0", b"[build-system]", b"class Settings", b"def create_app", b'"dependencies"')


def test_path_traversal_reaches_nothing(live_server):
    for prefix in PREFIXES:
        for attempt in TRAVERSALS:
            status, body = raw_get(live_server.port, prefix + attempt)
            assert status in (200, 303, 400, 404, 405, 406), (prefix + attempt, status)
            assert not any(s in body for s in SECRETS), (prefix + attempt, body[:200])
    assert httpx.get(live_server.url + "/healthz").status_code == 200


@pytest.mark.parametrize("path", ["/", "/search?q=energy", "/page/no-such-thing"])
def test_the_search_boxes_hold_no_more_than_the_search_takes(client, path):
    """A longer text typed in a search box was sent, and the browser shown the JSON 400 of /search (the probe)."""
    from benelux_graph.api.resources import MAX_QUERY_CHARS

    html = client.get(path, headers={"Accept": "text/html"}).text
    boxes = [tag for tag in html.split("<input")[1:] if 'name="q"' in tag.split(">")[0]]
    assert boxes, path
    for tag in boxes:
        assert f'maxlength="{MAX_QUERY_CHARS}"' in tag.split(">")[0], tag.split(">")[0]


@pytest.mark.parametrize(
    "path, lang, expected",
    [
        ("/sources", "fr-BE", "fr"),
        ("/page/greater-region", "nl-BE", "nl"),
        ("/", "de-DE", "de"),
        ("/search?q=energy", "fr-be", "fr"),
        ("/sources", "FR", "fr"),
    ],
)
def test_a_language_with_a_region_in_the_url_is_that_language(client, path, lang, expected):
    """`?lang=fr-BE` gave the English page (Accept-Language: fr-BE gives the French one): the probe."""
    sep = "&" if "?" in path else "?"
    html = client.get(f"{path}{sep}lang={lang}", headers={"Accept": "text/html"}).text
    assert f'<html lang="{expected}"' in html, html[:200]
