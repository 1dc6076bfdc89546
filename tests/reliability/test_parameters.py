"""One rule for the query parameters of every route (api/parameters.py; issue 13, the last probe's leftovers):
a parameter given twice is a 400 naming it (unless made to be repeated), and `lang` is one of the site's four
languages everywhere, else a 400 that lists them."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.server

JSON = {"Accept": "application/json"}

#: (path, the parameter given twice): every kind of route that reads a parameter
TWICE = [
    ("/page/greater-region?lang=fr&lang=nl", "lang"),
    ("/api/graph?lang=fr&lang=nl", "lang"),
    ("/search?q=energy&limit=1&limit=2", "limit"),
    ("/search?q=a&q=b", "q"),
    ("/sparql?query=ASK%7B%7D&timeout=5&timeout=6", "timeout"),
    ("/sparql?query=ASK%7B%7D&query=ASK%7B%7D", "query"),
    ("/api/queries/countries?timeout=5&timeout=6", "timeout"),
    ("/compare?lang=fr&lang=fr", "lang"),
    (
        "/graph?graph=https://w3id.org/benelux-graph/graph/ontology&graph=https://w3id.org/benelux-graph/graph/ontology",
        "graph",
    ),
    ("/api/graph/metrics?scope=graph&scope=benelux-plus", "scope"),
    ("/?lang=fr&lang=de", "lang"),
    ("/sparql?query=ASK%7B%7D&qu%65ry=ASK%7B%7D", "query"),  # a name %-escaped is the same name
    ("/search?q=a&%71=b", "q"),
]


@pytest.mark.parametrize(("path", "name"), TWICE, ids=[p for p, _ in TWICE])
def test_a_parameter_given_twice_is_a_400_naming_it(client, path, name):
    answer = client.get(path, headers=JSON)
    assert answer.status_code == 400, answer.text[:200]
    error = answer.json()["error"]
    assert error["type"] == "bad-parameter"
    assert f"'{name}' once, not 2 times" in error["message"]


def test_twice_in_a_form_body_and_the_url_counts_too(client):
    """The SPARQL protocol: two `query` parameters are a 400, the URL's and a form body's together."""
    answer = client.post(
        "/sparql?query=ASK%7B%7D", data={"query": "ASK {}"}, headers={"Accept": "application/sparql-results+json"}
    )
    assert answer.status_code == 400
    assert "'query' once, not 2 times" in answer.json()["error"]["message"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/graph?type=region&type=country",
        "/sparql?query=ASK%7B%7D&format=json&format=application/sparql-results%2Bjson",  # as SPARQLWrapper sends it
        "/downloads?format=json&format=application/json",
        "/sparql?query=ASK%7B%7D&output=json&output=application/json",  # read by no route: ignored
        "/sparql?query=ASK%7B%7D&named-graph-uri=https://w3id.org/benelux-graph/graph/ontology"
        "&named-graph-uri=https://w3id.org/benelux-graph/graph/data/countries",
    ],
)
def test_the_parameters_made_to_be_repeated_still_may_be(client, path):
    assert client.get(path, headers=JSON).status_code == 200


#: every kind of route taking `lang`, as a browser and as a program
LANG_ROUTES = [
    ("/", "text/html"),
    ("/page/greater-region", "text/html"),
    ("/search?q=energy", "application/json"),
    ("/search?q=energy", "text/html"),
    ("/sparql", "text/html"),  # the editor
    ("/api/graph", "application/json"),
    ("/api/graph/benelux-plus", "application/json"),
    ("/docs", "text/html"),
    ("/redoc", "text/html"),
    ("/sources", "text/html"),
    ("/compare", "text/html"),
    ("/downloads", "text/html"),
    ("/ontology", "text/html"),
    ("/validate", "text/html"),
    ("/benelux-plus", "text/html"),
]


def with_lang(path: str, lang: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}lang={lang}"


@pytest.mark.parametrize(("path", "accept"), LANG_ROUTES, ids=[f"{p} {a}" for p, a in LANG_ROUTES])
def test_an_unsupported_language_is_a_400_on_every_route(client, path, accept):
    """The rule of README "The site": pages fell back to English while /api/graph said 400."""
    answer = client.get(with_lang(path, "AAA"), headers={"Accept": accept})
    assert answer.status_code == 400, answer.text[:200]
    if accept == "text/html":  # a browser: the site's error page, in the language Accept-Language chose
        assert answer.headers["content-type"].startswith("text/html")
        assert '<html lang="en"' in answer.text and "<h1>The request could not be answered</h1>" in answer.text
        assert "must be one of en, fr, nl, de" in answer.text and "&#39;AAA&#39;" in answer.text
        return
    error = answer.json()["error"]
    assert error["type"] == "bad-request"
    assert "'lang' must be one of en, fr, nl, de" in error["message"] and "'AAA'" in error["message"]


def test_a_browser_gets_the_error_page_in_its_language_and_a_program_the_json_shape(client):
    """A browser asking for a page with a broken parameter gets the site's page, in the language Accept-Language
    asks for, with the status and the same message as the JSON shape; a program, the JSON shape."""
    browser = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8", "Accept-Language": "nl-BE,nl;q=0.9"}
    for path in ("/page/greater-region?lang=AAA", "/search?q=energy&limit=1&limit=2"):
        page = client.get(path, headers=browser)
        assert page.status_code == 400 and page.headers["content-type"].startswith("text/html"), path
        assert '<html lang="nl"' in page.text and "Het verzoek kon niet worden beantwoord" in page.text
        assert "bad-" in page.text and page.headers["cache-control"] == "no-store"
        assert "Accept-Language" in page.headers["vary"] and "Accept" in page.headers["vary"]
        assert client.get(path, headers=JSON).json()["error"]["status"] == 400
    route_error = client.get("/api/graph?year=abc", headers=browser)  # raised by the route, not the rule
    assert route_error.status_code == 400 and "Het verzoek kon niet worden beantwoord" in route_error.text


@pytest.mark.parametrize(("path", "accept"), LANG_ROUTES, ids=[f"{p} {a}" for p, a in LANG_ROUTES])
def test_a_language_with_a_region_is_that_language_on_every_route(client, path, accept):
    """fr-BE (and FR) are French on the API as on the pages (the API said 400); an empty lang= chooses none."""
    for lang in ("fr-BE", "FR", ""):
        assert client.get(with_lang(path, lang), headers={"Accept": accept}).status_code == 200, (path, lang)


def test_a_language_with_a_region_is_answered_in_that_language(client):
    assert client.get("/api/graph?lang=fr-BE").json()["meta"]["lang"] == "fr"
    assert '<html lang="nl"' in client.get("/page/greater-region?lang=nl-BE", headers={"Accept": "text/html"}).text


def test_a_saved_query_keeps_its_own_lang_parameter(client):
    """/api/queries/label-lookup has a `lang` of its own (a language of the data, checked by its type): not the
    site's rule, whose message would not name its values."""
    answer = client.get("/api/queries/label-lookup?entity=bxr:greater-region&lang=AAA", headers=JSON)
    assert answer.status_code == 400
    assert "must be one of en, fr, nl, de (a region" not in answer.json()["error"]["message"]
    assert client.get("/api/queries/label-lookup?entity=bxr:greater-region&lang=de", headers=JSON).status_code == 200


@pytest.mark.parametrize(
    "text",
    ["", "a=1&b=2", "a&&b=", "q%75ery=x&lang", "a+b=1&a%20b=2", "=x&&", "%zz=1", "l%C3%A9=1", "x=%FF&y"],
)
def test_field_names_are_the_names_parse_qsl_reads(text):
    """The check reads only the names (a SPARQL query's value is long): the same names parse_qsl gives."""
    from urllib.parse import parse_qsl

    from benelux_graph.api.parameters import field_names

    assert field_names(text) == [name for name, _ in parse_qsl(text, keep_blank_values=True)]
