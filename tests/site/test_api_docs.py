"""/docs and /redoc in the reader's language (issue 13, the last probe's leftovers: they were English only while
the site is in four languages): the page's header, title and language choice, the OpenAPI description's
description, tags and route summaries, and Swagger UI's and ReDoc's own words (api/api_docs.py)."""

from __future__ import annotations

import json

import pytest

from benelux_graph.api.api_docs import CATALOGUE, DESCRIPTION

pytestmark = pytest.mark.server

WORDS = json.loads(CATALOGUE.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
@pytest.mark.parametrize("lang", ["fr", "nl", "de"])
def test_the_page_is_in_the_readers_language(http, path, lang):
    for answer in (http.get(f"{path}?lang={lang}"), http.get(path, headers={"Accept-Language": f"{lang};q=0.9"})):
        assert answer.status_code == 200
        html = answer.text
        assert f'<html lang="{lang}">' in html
        assert "Accept-Language" in answer.headers["vary"]
        assert 'class="langs"' in html and 'hreflang="en"' in html  # the language choice of every page
        assert f"/openapi.json?lang={lang}" in html
        title = WORDS["API (Swagger UI)" if path == "/docs" else "API (ReDoc)"][lang]
        assert f"<title>{title.replace(chr(39), '&#39;')} · benelux-graph</title>" in html
        assert (
            json.loads(html.split('id="api-docs-words">')[1].split("</script>")[0])["Try it out"]
            == WORDS["Try it out"][lang]
        )


def test_english_stays_the_default(http):
    html = http.get("/docs").text
    assert '<html lang="en">' in html and 'data-openapi="' in html and "/openapi.json?lang" not in html


@pytest.mark.parametrize("lang", ["fr", "nl", "de"])
def test_the_openapi_description_speaks_the_language(http, lang):
    english, spec = http.get("/openapi.json").json(), http.get(f"/openapi.json?lang={lang}").json()
    assert spec["info"]["description"].startswith(WORDS[DESCRIPTION][lang].split("{")[0])
    saved = {f"/api/queries/{q['name']}" for q in http.get("/api/queries").json()}
    for path, operations in english["paths"].items():
        for method, operation in operations.items():
            if path in saved:  # a saved query's title is English only, as on every page
                continue
            assert operation["summary"] in WORDS, f"no translation of {method} {path}: {operation['summary']!r}"
            assert spec["paths"][path][method]["summary"] == WORDS[operation["summary"]][lang]
            assert spec["paths"][path][method]["tags"] == [
                WORDS[t][lang] if t in WORDS else t for t in operation["tags"]
            ]
    assert spec["paths"].keys() == english["paths"].keys() and spec["components"] == english["components"]


@pytest.mark.browser
def test_swagger_ui_and_redoc_draw_it_in_french(browser, site_server):
    """In Chromium: the summaries and the libraries' own words ("Try it out", "Responses") in French."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(site_server.url + "/docs?lang=fr")
    page.wait_for_selector(".opblock-summary", timeout=15_000)
    assert page.locator(".opblock-summary-description", has_text="Liste des requêtes enregistrées").count() == 1
    page.locator(".opblock-summary", has_text="Liste des requêtes enregistrées").first.click()
    page.wait_for_selector(".try-out__btn", timeout=10_000)
    assert page.locator(".try-out__btn").first.inner_text().strip() == "Essayer"
    assert page.locator(".responses-wrapper h4").first.inner_text().strip() == "Réponses"
    assert page.locator("header.site .langs a[hreflang=nl]").count() == 1
    redoc = context.new_page()
    redoc.on("pageerror", lambda e: errors.append(str(e)))
    redoc.goto(site_server.url + "/redoc?lang=fr")
    redoc.wait_for_selector("h1", timeout=15_000)
    redoc.wait_for_function("document.body.innerText.includes('Point d\\'accès SPARQL 1.1')", timeout=15_000)
    assert "Réponses" in redoc.locator("body").inner_text()
    context.close()
    assert errors == []
