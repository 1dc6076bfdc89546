"""/docs and /redoc in the reader's language (issue 13, the last probe's leftovers: they were English only while
the site is in four languages): the page's header, title and language choice, the OpenAPI description's
description, tags, route summaries and every description (operations, parameters, request bodies, responses,
schemas), and Swagger UI's and ReDoc's own words (api/api_docs.py)."""

from __future__ import annotations

import json

import pytest

from benelux_graph.api.api_docs import CATALOGUE, DESCRIPTION, parameter_description, query_description, translated
from benelux_graph.saved_queries import load_queries

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
        words = json.loads(html.split('id="api-docs-words">')[1].split("</script>")[0])
        assert words["Try it out"] == WORDS["Try it out"][lang]
        assert "the words to look for" not in words  # a description: translated in the document, not in the page


def test_english_stays_the_default(http):
    html = http.get("/docs").text
    assert '<html lang="en">' in html and 'data-openapi="' in html and "/openapi.json?lang" not in html


@pytest.mark.parametrize("lang", ["fr", "nl", "de"])
def test_the_openapi_description_speaks_the_language(http, settings, lang):
    english, spec = http.get("/openapi.json").json(), http.get(f"/openapi.json?lang={lang}").json()
    assert spec["info"]["description"].startswith(WORDS[DESCRIPTION][lang].split("{")[0])
    saved = {f"/api/queries/{q.name}": q for q in load_queries(settings.queries_dir).values()}
    for path, operations in english["paths"].items():
        for method, operation in operations.items():
            if path in saved:  # a saved query's words are its header's, in each language (queries/README.md)
                q, local = saved[path], spec["paths"][path][method]
                assert (operation["summary"], local["summary"]) == (q.title, q.titles[lang]), path
                assert local["description"].startswith(q.descriptions[lang] + "\n\n"), path
                assert local["description"].endswith(f"`queries/{q.name}.rq`"), path
                continue
            assert operation["summary"] in WORDS, f"no translation of {method} {path}: {operation['summary']!r}"
            assert spec["paths"][path][method]["summary"] == WORDS[operation["summary"]][lang]
            assert spec["paths"][path][method]["tags"] == [
                WORDS[t][lang] if t in WORDS else t for t in operation["tags"]
            ]
    english_texts, texts = texts_of(english), texts_of(spec)
    assert texts.keys() == english_texts.keys()  # the same places, and nothing else changed:
    assert without_texts(spec) == without_texts(english)
    for where, text in english_texts.items():
        if text in WORDS:  # a missing one is test_every_description_is_in_the_catalogue's
            assert texts[where] == WORDS[text][lang], where


def texts_of(node, where=()) -> dict[tuple, str]:
    """{place: text} of every `description` of an OpenAPI document (a schema property named `description` is an
    object, not a text)."""
    found = {}
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "description" and isinstance(value, str):
                found[where] = value
            else:
                found.update(texts_of(value, (*where, key)))
    elif isinstance(node, list):
        for i, item in enumerate(node):
            found.update(texts_of(item, (*where, i)))
    return found


def without_texts(node):
    """The document without its words: descriptions, summaries and tags."""
    if isinstance(node, dict):
        return {
            k: without_texts(v)
            for k, v in node.items()
            if not (k in ("description", "summary") and isinstance(v, str)) and k != "tags"
        }
    if isinstance(node, list):
        return [without_texts(item) for item in node]
    return node


def test_every_description_is_in_the_catalogue(http, settings):
    """A new route, parameter or response whose description has no French, Dutch and German text fails here,
    named, rather than staying English in /docs?lang= unnoticed. A saved query's is in its own header (and
    tests/test_queries.py checks it has the four languages)."""
    english = http.get("/openapi.json").json()
    english["info"].pop("description")  # with the release in it: test_the_openapi_description_speaks_the_language
    queries = load_queries(settings.queries_dir).values()
    headers = {query_description(q) for q in queries} | {parameter_description(p) for q in queries for p in q.params}
    missing = sorted({text for text in texts_of(english).values() if text not in WORDS and text not in headers})
    assert missing == [], "not in web/api_docs.json:\n" + "\n".join(map(repr, missing))


def test_the_english_document_is_untouched(http):
    """Clients and schemathesis read the English document: its descriptions are the code's, byte for byte."""
    assert http.get("/openapi.json?lang=en").content == http.get("/openapi.json").content
    for text in texts_of(http.get("/openapi.json").json()).values():
        assert WORDS.get(text, {"en": text})["en"] == text
    assert not [key for key in WORDS if "\n\nSource: `queries/" in key]  # one place: the queries' headers


def test_the_saved_queries_parameters_are_described_in_one_place(http, settings):
    """A parameter's words live in its query's header only (they were in web/api_docs.json as well, keyed by the
    English text: reworded in the header, the others fell back to English); /openapi.json?lang= and
    /api/queries?lang= take them from there."""
    queries = load_queries(settings.queries_dir)
    assert not [key for key in WORDS if any(key.startswith(p.description) for q in queries.values() for p in q.params)]
    q = queries["body-roles-by-theme"]
    theme = next(p for p in q.params if p.name == "theme")
    german = http.get("/openapi.json?lang=de").json()["paths"]["/api/queries/body-roles-by-theme"]["get"]
    described = {p["name"]: p["description"] for p in german["parameters"]}
    assert described["theme"] == theme.descriptions["de"] + " (iri, Standard theme:energy)"
    listed = http.get("/api/queries?lang=fr").json()
    params = next(item for item in listed if item["name"] == q.name)["params"]
    assert next(p for p in params if p["name"] == "theme")["description"] == theme.descriptions["fr"]


def test_a_text_the_catalogue_lacks_stays_english():
    schema = {
        "info": {"description": DESCRIPTION},
        "paths": {"/x": {"get": {"description": "no such text", "parameters": [{"description": "Cancel"}]}}},
    }
    out = translated(schema, "de", "r1")
    assert out["paths"]["/x"]["get"]["description"] == "no such text"
    assert out["paths"]["/x"]["get"]["parameters"][0]["description"] == WORDS["Cancel"]["de"]
    assert schema["paths"]["/x"]["get"]["description"] == "no such text"  # the English one is not changed


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


@pytest.mark.browser
def test_swagger_ui_shows_parameter_descriptions_in_german(browser, site_server):
    """In Chromium: an operation expanded on /docs?lang=de shows its description (Markdown, with `depth` as code)
    and its parameters' in German, and no English one."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(site_server.url + "/docs?lang=de")
    page.wait_for_selector(".opblock-summary", timeout=15_000)
    page.locator(".opblock-summary", has_text="Ein Knoten und seine Nachbarschaft").first.click()
    page.wait_for_selector(".parameters .parameter__name", timeout=10_000)
    block = page.locator(".opblock.is-open").first
    description = block.locator(".opblock-description-wrapper").inner_text()
    assert "Der Knoten, jeder Knoten höchstens depth Beziehungen von ihm entfernt" in description
    depth = block.locator(".parameters tr", has_text="depth").first.locator(".parameters-col_description")
    assert "Entfernung in Beziehungen (1-3)" in depth.inner_text()
    parameters = block.locator(".parameters").first.inner_text()
    assert "vollständige IRI oder Slug nach /id/" in parameters
    assert "relationships away" not in parameters and "full IRI or slug" not in parameters
    context.close()
    assert errors == []
