"""What a probe of a default server found in the linked data, the graph API and the pages, in four languages
(issue 13, hidden probes, fifth round): each test is one defect it reproduced, on a real server (this folder's
`client`)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import httpx
import pytest
from reliability_settings import reliability_settings
from reliability_support import LiveServer

from benelux_graph.store import GraphStore

pytestmark = pytest.mark.server

LANGS = ["en", "fr", "nl", "de"]
ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = json.loads((ROOT / "src/benelux_graph/web/messages.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("lang", LANGS)
def test_every_node_of_the_graph_api_names_its_type(client, lang):
    """`type_label` was null for six classes (bx:WorkPlan, bx:Report, bx:LegalFramework, ..., foaf:Person) in
    every language: it was looked up in the catalogue under `bx:` and `org:` only, while the entity page names the
    same type (the catalogue's `term foaf:Person`, else the ontology's English label)."""
    nodes = client.get("/api/graph", params={"lang": lang}).json()["elements"]["nodes"]
    unnamed = sorted({n["data"]["type"] for n in nodes if not n["data"].get("type_label")})
    assert unnamed == []
    person = next(n["data"] for n in nodes if n["data"]["type"] == "Person")
    assert person["type_label"] == CATALOGUE["term foaf:Person"][lang]


@pytest.mark.parametrize("lang", ["fr", "nl", "de"])
def test_edge_labels_of_reused_properties_are_translated(client, lang):
    """Edges of dcterms: properties (isPartOf, creator, publisher) were labelled in English ("is part of") in
    French, Dutch and German although the catalogue names them (`term dcterms:isPartOf`): only bx: and org:
    properties were looked up."""
    edges = client.get("/api/graph", params={"lang": lang}).json()["elements"]["edges"]
    english = client.get("/api/graph", params={"lang": "en"}).json()["elements"]["edges"]
    en_label = {e["data"]["id"]: e["data"]["label"] for e in english}
    same = sorted({e["data"]["kind"] for e in edges if e["data"]["label"] == en_label[e["data"]["id"]]})
    assert not {"isPartOf", "creator", "publisher"} & set(same), same


def csv_rows(client, query: str) -> list[str]:
    """The rows of a SELECT's CSV answer from /sparql (its header left out), one string each."""
    return client.get("/sparql", params={"query": query}, headers={"Accept": "text/csv"}).text.split()[1:]


@pytest.mark.parametrize("lang", LANGS)
def test_every_hash_iri_of_the_ontology_has_its_anchor(client, lang):
    """Every `…/ontology#Term` of the vocabulary lands on its entry of /ontology: bx:expectedSigningYear, an
    annotation property, had none (the page documented classes, object and datatype properties only), though the
    page itself and the fact pages link to `/ontology#expectedSigningYear`."""
    terms = csv_rows(
        client,
        "SELECT DISTINCT ?t { GRAPH <https://w3id.org/benelux-graph/graph/ontology> { ?t a ?k } "
        "FILTER(STRSTARTS(STR(?t), 'https://w3id.org/benelux-graph/ontology#')) }",
    )
    assert "https://w3id.org/benelux-graph/ontology#expectedSigningYear" in terms
    html = client.get("/ontology", params={"lang": lang}, headers={"Accept": "text/html"}).text
    missing = [t for t in terms if f'id="{t.split("#")[1]}"' not in html]
    assert missing == []


@pytest.mark.parametrize("year", ["-1", "0", "999", "3000", "99999", "\uff12\uff10\uff12\uff17"])
def test_a_saved_query_year_out_of_range_is_refused(client, year):
    """A `year` parameter was any run of up to nine digits: -1 was bound as the malformed "-001"^^xsd:gYear, 0 as
    year zero, 99999 and full-width digits (２０２７, Python's int() reads them) were accepted, each answered 200
    with no rows. The graph API's `year` takes 1000-2999; so do the saved queries, in ASCII digits, and the
    OpenAPI document says so."""
    answer = client.get("/api/queries/presidency-in-year", params={"year": year})
    assert answer.status_code == 400, answer.text[:200]
    error = answer.json()["error"]
    assert error["type"] == "bad-parameter"
    assert "'year'" in error["message"]


def test_a_saved_query_year_in_range_is_answered(client):
    for year in ("1000", "2027", "2999"):
        assert client.get("/api/queries/presidency-in-year", params={"year": year}).status_code == 200
    schema = next(
        p["schema"]
        for p in client.get("/openapi.json").json()["paths"]["/api/queries/presidency-in-year"]["get"]["parameters"]
        if p["name"] == "year"
    )
    assert (schema["minimum"], schema["maximum"]) == (1000, 2999)


PAGES = [
    "/",
    "/page/greater-region",
    "/page/fact/benelux-union.cooperatesWith.north-rhine-westphalia",
    "/ontology",
    "/sources",
    "/search?q=energy",
    "/sparql",
    "/benelux-plus",
]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", PAGES)
def test_every_page_names_itself_canonical_and_its_languages(client, live_server, path, lang):
    """Each page exists in four languages at four URLs (`?lang=`), but no page said so: no hreflang alternates,
    no canonical link on most, and an entity page's canonical was the thing's IRI (which a crawler follows to
    the English page), so the French, Dutch and German pages read as duplicates of it. Now each page is its own
    canonical (under the public base URL) and lists its four languages and x-default; the entity or fact it is
    about is a `Link: rel="about"`."""
    answer = client.get(path, params={"lang": lang}, headers={"Accept": "text/html"})
    assert answer.status_code == 200
    html = answer.text
    head = html[: html.index("</head>")]
    canonical = re.findall(r'<link rel="canonical" href="([^"]+)"', head)
    alternates = dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)"', head))
    assert len(canonical) == 1, canonical
    assert set(alternates) == {*LANGS, "x-default"}
    assert canonical[0] == alternates[lang]
    for code, href in alternates.items():
        assert href.startswith(live_server.url + path.split("?")[0])
        assert ("lang=" + code in href) == (code != "x-default")
        if code != "x-default":
            other = client.get(href.removeprefix(live_server.url), headers={"Accept": "text/html"})
            assert other.status_code == 200
            assert f'<html lang="{code}">' in other.text
    assert 'rel="canonical"' not in answer.headers.get("link", "")


def test_every_cited_value_shown_on_an_entity_page_links_its_citation(client):
    """A fact whose object is a value (a NUTS or ISO 3166 code, an issue date, a postal code) is cited like any
    other (a bx:Fact; ontology/README.md, pattern 4), but the entity page showed the value under "Details" with no
    reference to its source: only facts between two resources got their [n]. Each is now reachable."""
    rows = csv_rows(
        client,
        "SELECT DISTINCT ?s ?p { ?f a bx:Fact ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; "
        "bx:citation ?c FILTER(isLiteral(?o) && STRSTARTS(STR(?s), 'https://w3id.org/benelux-graph/id/')) }",
    )
    shown, uncited = [], []
    for row in rows:
        subject, predicate = row.split(",")
        page = client.get("/page/" + subject.removeprefix("https://w3id.org/benelux-graph/id/")).text
        details = re.search(r'<section id="details">(.*?)</section>', page, re.S)
        entry = details and re.search(rf'<dt><a [^>]*title="{re.escape(predicate)}">.*?</dt><dd>(.*?)</dd>', details[1])
        if entry:
            shown.append(row)
            if 'class="ref"' not in entry[1]:
                uncited.append(row)
    assert any("nutsCode" in row for row in shown)
    assert uncited == []


def test_a_gexf_file_is_dated_by_its_release_not_the_clock(settings, project_copy):
    """GEXF's `lastmodifieddate` was the day the answer was written (networkx writes today's date): the same
    release and ETag gave other bytes from one day to the next, and the file claimed a change that was none. It is
    now the day of the release's last change (its files', as the downloads' Last-Modified)."""
    old = 978_350_400  # 2001-01-01 12:00 UTC
    for path in project_copy.rglob("*"):
        if path.is_file():
            os.utime(path, (old, old))
    s = reliability_settings(settings, root=project_copy, workers=1)
    with LiveServer(s, GraphStore.load(s)) as server, httpx.Client(base_url=server.url, timeout=60) as c:
        gexf = c.get("/api/graph", params={"format": "gexf", "type": "forum"})
        assert gexf.status_code == 200
        assert re.search(r'lastmodifieddate="([^"]+)"', gexf.text)[1] == "2001-01-01"
        assert c.get("/downloads/benelux-graph.nt").headers["last-modified"] == "Mon, 01 Jan 2001 12:00:00 GMT"


def test_the_saved_queries_openapi_parameters_say_what_is_answered(client):
    """The OpenAPI document of a saved query let `format` be any string (every value but the answer kind's names
    is a 406) and every parameter be null (`anyOf: [string, null]`: schemathesis sent `year=null`, answered 400).
    Now `format` lists the names of its answer kind, each answered, and no parameter admits null."""
    paths = client.get("/openapi.json").json()["paths"]
    for name in ("presidency-in-year", "label-lookup"):
        parameters = {p["name"]: p["schema"] for p in paths[f"/api/queries/{name}"]["get"]["parameters"]}
        assert not [n for n, s in parameters.items() if "null" in json.dumps(s)], parameters
        assert parameters["format"]["enum"] == ["json", "xml", "csv", "tsv"]
        for fmt in parameters["format"]["enum"]:
            assert client.get(f"/api/queries/{name}", params={"format": fmt}).status_code == 200
        assert client.get(f"/api/queries/{name}", params={"format": "turtle"}).status_code == 406


@pytest.mark.parametrize("limit", ["0", "-1", "201", "99999999999999999999", "1_0", "\u0665"])
def test_a_search_limit_out_of_range_is_refused(client, limit):
    """/search's `limit` is documented as 1 to 200, but 0 and -1 answered one result, 10**20 two hundred, and
    `1_0` or an Arabic-Indic digit (Python's int() reads both) were taken: every value was silently bent into
    range. Now what is not a whole number from 1 to 200 is a 400 naming `limit`, as the OpenAPI schema says."""
    answer = client.get("/search", params={"q": "energy", "limit": limit, "format": "json"})
    assert answer.status_code == 400, answer.text[:200]
    error = answer.json()["error"]
    assert error["type"] == "bad-parameter"
    assert "limit" in error["message"]


def test_a_search_limit_in_range_is_answered(client):
    assert len(client.get("/search", params={"q": "a", "limit": "1", "format": "json"}).json()["results"]) == 1
    assert client.get("/search", params={"q": "a", "limit": "200", "format": "json"}).status_code == 200
    schema = next(
        p["schema"]
        for p in client.get("/openapi.json").json()["paths"]["/search"]["get"]["parameters"]
        if p["name"] == "limit"
    )
    assert (schema["minimum"], schema["maximum"]) == (1, 200)


def test_format_html_with_a_query_opens_the_editor(client):
    """The OpenAPI document offers `format=html` on GET /sparql ("html for the query editor"), and a browser's
    Accept opens the editor with the query, but `?query=...&format=html` (a link that says so) was a 406."""
    answer = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }", "format": "html"})
    assert answer.status_code == 200, answer.text[:200]
    assert answer.headers["content-type"].startswith("text/html")
    assert "ASK { ?s ?p ?o }" in answer.text
    assert client.get("/sparql", params={"query": "ASK {}", "format": "json"}).json() == {"head": {}, "boolean": True}


def test_the_saved_queries_timeout_is_documented_as_a_number(client):
    """A saved query's `timeout` was documented as any string, every one but a positive number a 400 (schemathesis
    found 30, one per query); it is a number above 0 (lowered to BENELUX_MIN_QUERY_TIMEOUT at least)."""
    operation = client.get("/openapi.json").json()["paths"]["/api/queries/presidency-in-year"]["get"]
    schema = next(p["schema"] for p in operation["parameters"] if p["name"] == "timeout")
    assert schema["type"] == "number" and schema["exclusiveMinimum"] == 0
    assert client.get("/api/queries/presidency-in-year", params={"timeout": "0.001"}).status_code == 200
    assert client.get("/api/queries/presidency-in-year", params={"timeout": "zv"}).status_code == 400


def test_the_service_description_answers_text_plain_as_every_rdf_document(client):
    """Every RDF document of the server (VoID, the ontology, the shapes, a named graph, the default graph, an
    entity) answers `Accept: text/plain` with N-Triples, but the SPARQL service description (GET /sparql) was a
    406."""
    plain = client.get("/sparql", headers={"Accept": "text/plain"})
    assert plain.status_code == 200, plain.text[:200]
    assert plain.headers["content-type"].startswith("application/n-triples")
    assert plain.content == client.get("/sparql", headers={"Accept": "application/n-triples"}).content
    assert client.get("/.well-known/void", headers={"Accept": "text/plain"}).status_code == 200


def test_a_theme_node_has_a_neighbourhood(client):
    """/api/graph?themes=nodes gives themes as nodes (`…/id/theme/energy`), but asking for the neighbourhood of
    that id was a 404 "no node in the graph": the route looked in the projection without theme nodes only."""
    nodes = client.get("/api/graph", params={"themes": "nodes"}).json()["elements"]["nodes"]
    theme = next(n["data"]["id"] for n in nodes if n["data"]["id"].endswith("/id/theme/energy"))
    for ident in (theme, "theme/energy"):
        answer = client.get(f"/api/graph/neighbourhood/{ident}")
        assert answer.status_code == 200, answer.text[:200]
        body = answer.json()
        assert body["meta"]["center"] == theme
        assert len(body["elements"]["nodes"]) > 1
    assert client.get("/api/graph/neighbourhood/theme/no-such-theme").status_code == 404
