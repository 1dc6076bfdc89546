"""The home page by content negotiation, the API documentation pages, the editor opened from a link, and the one
message catalogue of the pages (every key in every language)."""

from __future__ import annotations

import html as html_module
import json
import re

import pytest
import rdflib

from benelux_graph.api import messages
from benelux_graph.api.site import FEATURED
from benelux_graph.saved_queries import load_queries

pytestmark = [pytest.mark.server]

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_the_home_page_is_a_page_for_a_browser(http):
    r = http.get("/", headers={"Accept": BROWSER})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    for door in ("/benelux-plus", "/sparql", "/downloads", "/search"):
        assert f'href="{door}' in r.text or f'action="{door}' in r.text, door
    assert "Joint Work Programme 2025-2028" in r.text and "Common Work Programme 2021-2024" in r.text
    french = http.get("/", params={"lang": "fr"}, headers={"Accept": BROWSER}).text
    assert "lang=fr" in french.split('id="door-ask"')[1].split("</section>")[0]  # the editor opens in French


@pytest.mark.parametrize("lang", ["fr", "nl", "de"])
def test_the_home_page_shows_the_saved_queries_in_the_readers_language(http, settings, lang):
    """The saved questions under "ask" carry their titles in the reader's language (from the queries' headers),
    not marked as English; in English, the English ones."""
    saved = load_queries(settings.queries_dir)
    for shown, wanted in ((lang, lang), (None, "en")):
        html = http.get("/", params={"lang": shown} if shown else {}, headers={"Accept": BROWSER}).text
        door = html.split('id="door-ask"')[1].split("</section>")[0]
        titles = re.findall(r'<li><a href="[^"]*"( lang="en")?>([^<]*)</a></li>', door)
        assert len(titles) >= 3 and all(marked == "" for marked, _ in titles), titles
        featured = {name: saved[name].titles[wanted] for name in FEATURED}
        assert {html_module.unescape(t) for _, t in titles} == set(featured.values())


def test_the_home_page_gives_a_program_the_entry_points(http, site_server):
    r = http.get("/", headers={"Accept": "application/json"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    body = r.json()
    assert body["links"]["sparql"] == site_server.url + "/sparql"
    assert body["entities"] > 100 and body["triples"] > 1000 and body["queries"] > 20
    turtle = http.get("/", headers={"Accept": "text/turtle"})
    assert turtle.headers["content-type"].startswith("text/turtle")
    graph = rdflib.Graph().parse(data=turtle.text, format="turtle")
    assert (
        rdflib.URIRef(site_server.url + "/"),
        rdflib.URIRef("http://rdfs.org/ns/void#sparqlEndpoint"),
        rdflib.URIRef(site_server.url + "/sparql"),
    ) in graph
    for path in ("/", "/docs", "/redoc", "/favicon.ico"):
        head, get = http.head(path), http.get(path)
        assert (head.status_code, head.headers["content-type"]) == (get.status_code, get.headers["content-type"])
    refused = http.get("/", headers={"Accept": "image/png"})
    assert refused.status_code == 406 and refused.json()["error"]["type"] == "not-acceptable"


def test_docs_and_redoc_load_their_libraries_from_this_server(http):
    for path, library in (
        ("/docs", "/vendor/swagger-ui/swagger-ui-bundle.js"),
        ("/redoc", "/vendor/redoc/redoc.standalone.js"),
    ):
        page = http.get(path)
        assert page.status_code == 200 and library in page.text and "cdn" not in page.text.lower()
        script = http.get(library)
        assert script.status_code == 200 and len(script.content) > 100_000
    assert b"cdn.redoc.ly" not in http.get("/vendor/redoc/redoc.standalone.js").content


def test_a_query_link_opens_the_editor_in_a_browser_and_runs_for_a_program(http):
    query = "SELECT ?c WHERE { ?c a bx:Country }"
    page = http.get("/sparql", params={"query": query, "lang": "de"}, headers={"Accept": BROWSER})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    config = page.text.split('id="editor-config">')[1].split("</script>")[0]
    assert json.loads(config)["defaultQuery"] == query
    assert '<html lang="de">' in page.text
    answer = http.get("/sparql", params={"query": query})
    assert answer.headers["content-type"].startswith("application/sparql-results+json")
    assert (
        http.get("/sparql", params={"query": query, "format": "csv"}, headers={"Accept": BROWSER})
        .headers["content-type"]
        .startswith("text/csv")
    )


def test_every_page_word_is_in_every_language():
    catalogue = json.loads(messages.CATALOGUE.read_text(encoding="utf-8"))
    missing = [
        f"{key}: {lang}"
        for key, texts in catalogue.items()
        for lang in messages.LANGUAGES
        if not (texts.get(lang) or "").strip()
    ]
    assert missing == []
    assert set(messages.UI) == set(messages.LANGUAGES)


def test_a_word_missing_in_a_language_is_refused_with_its_key(tmp_path):
    broken = tmp_path / "messages.json"
    broken.write_text(json.dumps({"search": {"en": "Search", "fr": "Rechercher", "nl": "Zoeken"}}), encoding="utf-8")
    with pytest.raises(ValueError, match=r"search \(de\)"):
        messages.load(broken)


def test_search_names_kinds_in_the_readers_language(http):
    found = http.get("/search", params={"q": "region", "lang": "de"}, headers={"Accept": "application/json"}).json()
    names = {n for r in found["results"] for n in r["type_names"]}
    assert "grenzüberschreitende Region" in names
    page = http.get("/search", params={"q": "presidency", "lang": "fr"}).text
    assert "sh:SPARQL" not in page and "bx:" not in page and "requête SELECT" in page and "requête SPARQL," not in page


def test_the_header_partial_renders_for_another_page(site_server):
    """What the Benelux+ page can include: the same navigation and language choice, in the asked language."""
    from starlette.requests import Request

    from benelux_graph.api.pages import site_header

    scope = {
        "type": "http",
        "method": "GET",
        "path": "/benelux-plus",
        "query_string": b"lang=nl",
        "headers": [],
        "root_path": "",
        "app": site_server.app,
    }
    header = site_header(Request(scope))
    assert header.count('class="site"') == 1 and ">Netwerk<" in header and 'href="/downloads?lang=nl"' in header
    assert 'href="/benelux-plus?lang=de"' in header


@pytest.mark.parametrize(
    "lang,kept,void,sep",
    [
        ("en", "named graphs kept", "VoID + DCAT description (Turtle)", ","),
        ("fr", "graphes nommés conservés", "description VoID + DCAT (Turtle)", "\u202f"),
        ("nl", "benoemde grafen behouden", "VoID + DCAT-beschrijving (Turtle)", "."),
        ("de", "benannte Graphen erhalten", "VoID- + DCAT-Beschreibung (Turtle)", "."),
    ],
)
def test_the_downloads_and_the_validation_limit_in_the_readers_words_and_numbers(http, lang, kept, void, sep):
    """The files' descriptions were English on every page, and numbers were written 1,842,611 in every language."""
    html = http.get("/downloads", params={"lang": lang}, headers={"Accept": BROWSER}).text
    row = html.split('data-name="benelux-graph.trig"', 1)[1].split("</tr>", 1)[0]
    assert f"TriG, {kept}</td>" in row
    assert f"<td>{void}</td>" in html
    size = row.split('class="num">', 1)[1].split("<", 1)[0]
    assert size.replace(sep, "").isdigit() and (sep in size) == (len(size.replace(sep, "")) > 3)
    validate = http.get("/validate", params={"lang": lang}, headers={"Accept": BROWSER}).text
    assert f"1{sep}000{sep}000" in validate


@pytest.mark.parametrize("lang,verdict", [("fr", "Conforme"), ("nl", "Voldoet"), ("de", "Konform")])
def test_a_contribution_sent_from_the_validate_page_is_answered_in_its_language(http, lang, verdict):
    """The form posted to /validate without the page's language: a reader on the French page got the answer in
    the browser's language (English here)."""
    html = http.get("/validate", params={"lang": lang}, headers={"Accept": BROWSER}).text
    action = html.split('id="validate-form"', 1)[0].rsplit("<form", 1)[1].split('action="', 1)[1].split('"', 1)[0]
    example = html.split("<textarea", 1)[1].split(">", 1)[1].split("</textarea>", 1)[0]
    answer = http.post(
        action.replace("&amp;", "&"),
        data={"syntax": "turtle", "data": example.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")},
        headers={"Accept": BROWSER, "Accept-Language": "en"},
    )
    assert answer.status_code == 200
    assert f'lang="{lang}"' in answer.text.split(">", 2)[1]
    assert verdict in answer.text.split('id="verdict"', 1)[1].split("</h2>", 1)[0]


@pytest.mark.parametrize(
    "lang,words", [("en", "cooperates with"), ("fr", "coopère avec"), ("de", "arbeitet zusammen mit")]
)
def test_a_facts_page_names_its_relationship_in_the_readers_language(http, lang, words):
    """The page of one fact (subject, relationship, object) named the relationship in English in every language."""
    html = http.get(
        "/page/fact/benelux-union.cooperatesWith.france", params={"lang": lang}, headers={"Accept": BROWSER}
    )
    statement = html.text.split('id="statement"', 1)[1].split("</h1>", 1)[0]
    assert f">{words}</a>" in statement
    assert f"{words} " in html.text.split("<title>", 1)[1].split("</title>", 1)[0]
