"""Resolvable IRIs: 303 from /id/ to the page or the data by Accept, descriptions in four RDF formats, pages in
the reader's language, search, helpful 404s; the ontology and shapes by content negotiation; escaping."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import pytest
import rdflib

from benelux_graph.api.app import create_app
from benelux_graph.settings import Settings
from benelux_graph.store import GraphStore
from support.asgi import AsgiClient

BXR = "https://w3id.org/benelux-graph/id/"
ORG = rdflib.Namespace("http://www.w3.org/ns/org#")
SYNTAX = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
}
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize(
    ("accept", "location"),
    [
        (BROWSER, "/page/greater-region"),
        ("text/html", "/page/greater-region"),
        ("text/turtle", "/data/greater-region.ttl"),
        ("application/n-triples", "/data/greater-region.nt"),
        ("application/ld+json", "/data/greater-region.jsonld"),
        ("application/json", "/data/greater-region.jsonld"),
        ("application/rdf+xml", "/data/greater-region.rdf"),
        ("text/turtle;q=0.5, application/ld+json", "/data/greater-region.jsonld"),
        ("text/n3", "/data/greater-region.ttl"),
    ],
)
def test_an_entity_iri_answers_303_by_accept(client, accept, location):
    r = client.get("/id/greater-region", headers={"Accept": accept})
    assert r.status_code == 303
    assert r.headers["location"] == location
    assert "Accept" in r.headers["vary"]


def test_the_format_parameter_and_lang_carry_through_the_redirect(client):
    assert client.get("/id/greater-region?format=nt").headers["location"] == "/data/greater-region.nt"
    r = client.get("/id/greater-region?lang=fr", headers={"Accept": "text/html"})
    assert r.headers["location"] == "/page/greater-region?lang=fr"
    assert (
        client.get("/id/theme/energy", headers={"Accept": "text/turtle"}).headers["location"]
        == "/data/theme/energy.ttl"
    )


def test_an_unacceptable_type_is_406_in_the_error_shape(client):
    r = client.get("/id/greater-region", headers={"Accept": "image/png"})
    assert r.status_code == 406
    assert r.json()["error"]["type"] == "not-acceptable"


@pytest.mark.parametrize(
    "extension,media_type",
    [
        ("ttl", "text/turtle"),
        ("nt", "application/n-triples"),
        ("jsonld", "application/ld+json"),
        ("rdf", "application/rdf+xml"),
    ],
)
def test_the_description_holds_both_directions_nary_nodes_periods_and_sources(client, extension, media_type):
    r = client.get(f"/data/greater-region.{extension}")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(media_type)
    g = rdflib.Graph().parse(data=r.content, format=SYNTAX[media_type])
    region = rdflib.URIRef(BXR + "greater-region")
    assert (region, rdflib.SKOS.prefLabel, rdflib.Literal("Grande Région", lang="fr")) in g
    cooperates = rdflib.URIRef("https://w3id.org/benelux-graph/ontology#cooperatesWith")
    assert (rdflib.URIRef(BXR + "benelux-union"), cooperates, region) in g  # incoming
    memberships = set(g.subjects(ORG.organization, region))
    assert {str(m).rsplit("/", 1)[-1] for m in memberships} >= {
        "membership-wallonia-greater-region-presidency",
        "membership-luxembourg-greater-region-presidency",
    }
    lux = rdflib.URIRef(BXR + "membership-luxembourg-greater-region-presidency")
    period = g.value(lux, ORG.memberDuring)
    assert str(period).endswith("period-2027-2028")
    begin = g.value(period, rdflib.URIRef("http://www.w3.org/2006/time#hasBeginning"))
    assert str(g.value(begin, rdflib.URIRef("http://www.w3.org/2006/time#inXSDgYear"))) == "2027"
    passage = g.value(lux, rdflib.PROV.wasDerivedFrom)
    quote = str(g.value(passage, rdflib.URIRef("https://w3id.org/benelux-graph/ontology#quote")))
    assert "Luxembourg in 2027-2028" in quote
    assert g.value(passage, rdflib.DCTERMS.isPartOf) == rdflib.URIRef(BXR + "joint-work-programme-2025-2028")
    assert (rdflib.URIRef(BXR + "wallonia"), rdflib.SKOS.prefLabel, rdflib.Literal("Wallonia", lang="en")) in g


def test_descriptions_have_validators_and_answer_304(client):
    r = client.get("/data/greater-region.ttl")
    etag = r.headers["etag"]
    assert client.get("/data/greater-region.ttl", headers={"If-None-Match": etag}).status_code == 304
    assert (
        client.get("/data/greater-region.ttl", headers={"If-Modified-Since": r.headers["last-modified"]}).status_code
        == 304
    )


def test_the_page_speaks_the_readers_language(client):
    english = client.get("/page/greater-region").text
    assert '<h1 id="title">Greater Region</h1>' in english and '<html lang="en">' in english
    french = client.get("/page/greater-region", headers={"Accept-Language": "fr-BE,fr;q=0.9,en;q=0.5"})
    assert '<h1 id="title">Grande Région</h1>' in french.text
    assert french.headers["content-language"] == "fr" and "Accept-Language" in french.headers["vary"]
    german = client.get("/page/greater-region?lang=de", headers={"Accept-Language": "fr"}).text
    assert '<h1 id="title">Großregion</h1>' in german and "/page/wallonia?lang=de" in german
    unknown = client.get("/page/greater-region", headers={"Accept-Language": "es"}).text
    assert '<h1 id="title">Greater Region</h1>' in unknown


def test_the_page_shows_relationships_periods_quotes_and_links(client):
    html = client.get("/page/greater-region").text
    assert "presidency held by" in html
    assert "2025-2026" in html and "2027-2028" in html
    assert "German-speaking Community" in html and "Wallonia" in html
    assert "<blockquote" in html and "Luxembourg in 2027-2028" in html
    assert "<cite>" in html and "Joint Work Programme 2025-2028" in html and "BENELUX+ AND BEYOND" in html
    assert 'href="/benelux-plus?focus=https%3A%2F%2Fw3id.org%2Fbenelux-graph%2Fid%2Fgreater-region"' in html
    link = html.split('id="sparql-link" href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    assert link.startswith("/sparql?query=")
    query = parse_qs(urlsplit(link).query)["query"][0]
    assert "<https://w3id.org/benelux-graph/id/greater-region>" in query
    for ext in ("ttl", "nt", "jsonld", "rdf"):
        assert f'href="/data/greater-region.{ext}"' in html


def test_each_relationship_on_a_page_cites_the_span_that_states_it(client):
    html = client.get("/page/north-rhine-westphalia").text
    # 2021-2024: "Deep partnership with North Rhine-Westphalia" - the cooperation, cited beside the Benelux Union
    assert "<mark>Deep partnership with North Rhine-Westphalia</mark>" in html
    referenced = html.split('id="referenced-by"', 1)[1].split("</section>", 1)[0]
    assert 'class="ref"' in referenced  # the incoming bx:cooperatesWith carries its citation numbers
    assert "/id/fact/" not in referenced  # statement nodes are not listed as things referring to the entity
    # Common knowledge: "lies in" Germany is cited to the NUTS classification, not to a programme
    assert "NUTS 2021" in html


@pytest.mark.parametrize(
    ("entity", "target", "authority"),
    [
        ("belgium", "http://publications.europa.eu/resource/authority/country/BEL", "Country authority table"),
        ("belgium", "http://data.europa.eu/nuts/code/BE", "NUTS 2021"),
        ("flanders", "http://data.europa.eu/nuts/code/BE2", "NUTS 2021"),
        ("eidas-2-regulation", "http://data.europa.eu/eli/reg/2024/1183/oj", "European Legislation Identifier"),
        ("eidas-2-regulation", "http://publications.europa.eu/resource/authority/resource-type/REG", "Resource type"),
    ],
)
def test_a_link_to_an_authority_dataset_carries_the_citation_of_that_authority(client, entity, target, authority):
    html = client.get(f"/page/{entity}").text
    item = re.search(rf'<li><a [^>]*"{re.escape(target)}"[^<]*</a>(.*?)</li>', html)
    assert item, f"{target} is not a value of the page"
    numbers = re.findall(r'href="#source-(\d+)"', item.group(1))
    assert numbers, f"{target} is shown without its [n]"
    sources = [html.split(f'id="source-{n}"', 1)[1].split("</li>", 1)[0] for n in numbers]
    assert any(authority in s for s in sources), sources


@pytest.mark.parametrize("lang", ["en", "fr", "nl", "de"])
def test_a_sentences_page_names_its_facts_and_properties_in_words(client, lang):
    """A sentence's page lists the facts it states: in words (subject · relationship · object), not as the statement
    nodes' CURIEs (bxr:fact/...); no property is shown by its CURIE, nor an XML Schema type beside a number."""
    html = client.get(f"/page/source/cwp-0032?lang={lang}").text
    main = html.split("<main", 1)[1].split("</main>", 1)[0].split('id="sparql"', 1)[0]
    text = re.sub(r"<[^>]+>", " ", main)
    assert "bxr:fact/" not in text and "xsd:" not in text and "oa:" not in text
    words = {"en": "cooperates with", "fr": "coopère avec", "nl": "werkt samen met", "de": "arbeitet zusammen mit"}[
        lang
    ]
    france = {"en": "France", "fr": "France", "nl": "Frankrijk", "de": "Frankreich"}[lang]
    assert f"· {words} · {france}" in text
    # the section's title is quoted from the English programme, and marked so
    details = main.split('id="details"', 1)[1].split("</section>", 1)[0]
    assert '<span lang="en">Ally of regional cooperation and European integration</span>' in details
    document = client.get(f"/page/joint-work-programme-2025-2028?lang={lang}").text.split("<main", 1)[1]
    assert not re.search(r">(dcterms|skos|bxr?|oa|xsd):", document.split('id="sparql"', 1)[0])
    # the properties the ontology names in English only are named in the reader's language
    coordinated = {"en": "coordinated by", "fr": "coordonné par", "nl": "gecoördineerd door", "de": "koordiniert von"}
    assert f">{coordinated[lang]}</a></dt>" in document


def test_a_label_missing_in_the_language_falls_back_to_english(client):
    html = client.get("/page/cooperation-greater-region?lang=fr").text
    assert 'lang="en">Cooperation between the Benelux Union and the Greater Region</h1>' in html
    assert 'id="fallback"' in html


def test_an_unknown_iri_is_a_helpful_404(client):
    r = client.get("/id/greater-regio", headers={"Accept": BROWSER})
    assert r.status_code == 404
    assert "text/html" in r.headers["content-type"]
    assert 'name="q"' in r.text and "/page/greater-region" in r.text  # a search box and a suggestion
    r = client.get("/id/greater-regio", headers={"Accept": "text/turtle"})
    assert r.status_code == 404 and r.json()["error"]["type"] == "unknown-iri"
    assert client.get("/page/nothing-at-all").status_code == 404
    assert client.get("/data/nothing-at-all.ttl").status_code == 404


def test_search_finds_labels_in_the_four_languages(client):
    def iris(q, **params):
        r = client.get("/search", params={"q": q, **params}, headers={"Accept": "application/json"})
        assert r.status_code == 200
        return [hit["iri"] for hit in r.json()["results"]]

    region = BXR + "greater-region"
    assert iris("greater region")[0] == region
    assert iris("grande region")[0] == region  # accents ignored
    assert iris("Großregion")[0] == region
    assert iris("noordrijn-westfalen")[0] == BXR + "north-rhine-westphalia"  # Dutch (the region has no Dutch name)
    assert BXR + "nordic-council" in iris("noordse")
    assert iris("zzzz-nothing") == []
    html = client.get("/search?q=grande+r%C3%A9gion&lang=fr").text
    assert "Grande Région" in html and "/page/greater-region?lang=fr" in html
    assert client.get("/search", params={"q": "x" * 201}).status_code == 400


@pytest.mark.parametrize(
    ("path", "accept", "kind"),
    [
        ("/ontology", BROWSER, "text/html"),
        ("/ontology", "text/turtle", "text/turtle"),
        ("/ontology", "application/n-triples", "application/n-triples"),
        ("/ontology", "application/ld+json", "application/ld+json"),
        ("/ontology", "application/rdf+xml", "application/rdf+xml"),
        ("/shapes", BROWSER, "text/html"),
        ("/shapes", "text/turtle", "text/turtle"),
        ("/shapes", "application/ld+json", "application/ld+json"),
        ("/shapes", "application/rdf+xml", "application/rdf+xml"),
    ],
)
def test_the_ontology_and_the_shapes_by_content_negotiation(client, store, path, accept, kind):
    r = client.get(path, headers={"Accept": accept})
    assert r.status_code == 200 and r.headers["content-type"].startswith(kind)
    assert "Accept" in r.headers["vary"]
    if kind == "text/html":
        return
    g = rdflib.Graph().parse(data=r.content, format=SYNTAX[kind])
    source = store.rdflib_graph(store.graphs("ontology" if path == "/ontology" else "shapes"))
    assert len(g) == len(source)


def test_the_ontology_page_documents_every_class_and_property_with_anchors(client, store):
    html = client.get("/ontology").text
    onto = store.rdflib_graph(store.graphs("ontology"))
    bx = "https://w3id.org/benelux-graph/ontology#"
    terms = {
        str(s)
        for t in (rdflib.OWL.Class, rdflib.OWL.ObjectProperty, rdflib.OWL.DatatypeProperty)
        for s in onto.subjects(rdflib.RDF.type, t)
        if str(s).startswith(bx)
    }
    assert len(terms) > 40
    for term in terms:
        assert f'id="{term[len(bx) :]}"' in html, term
    assert "A council, commission, contact point" in html  # bx:Body's comment
    assert client.get("/ontology.ttl").content == (store.files[store.graphs("ontology")[0]]).read_bytes()
    assert client.get("/ontology/0.1.0", headers={"Accept": "text/turtle"}).status_code == 200


def test_the_shapes_page_lists_every_named_shape(client, store):
    html = client.get("/shapes").text
    shapes = store.rdflib_graph(store.graphs("shapes"))
    named = {str(s) for s in shapes.subjects(rdflib.RDF.type, rdflib.SH.NodeShape) if isinstance(s, rdflib.URIRef)}
    for shape in named:
        assert f'id="{shape.rsplit("#", 1)[-1]}"' in html, shape
    assert client.get("/shapes.ttl").headers["content-type"].startswith("text/turtle")


def test_the_saved_queries_resolve_as_entities(client):
    r = client.get("/data/query/presidency-in-year.ttl")
    g = rdflib.Graph().parse(data=r.content, format="turtle")
    node = rdflib.URIRef(BXR + "query/presidency-in-year")
    assert (node, rdflib.RDF.type, rdflib.SH.SPARQLExecutable) in g
    assert "SELECT" in str(g.value(node, rdflib.SH.select))


def test_labels_and_quotes_are_escaped(tmp_path, settings):
    """Labels are data: markup in them is shown, never run."""
    for folder in ("ontology", "queries"):
        shutil.copytree(settings.root / folder, tmp_path / folder)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "evil.ttl").write_text(
        """
@prefix bx: <https://w3id.org/benelux-graph/ontology#> .
@prefix bxr: <https://w3id.org/benelux-graph/id/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
bxr:evil a bx:Body ; skos:prefLabel "<script>alert('label')</script>"@en ;
  dcterms:source <javascript:alert(1)> ; prov:wasDerivedFrom bxr:evil-passage .
bxr:evil-passage a bx:SourcePassage ; bx:quote "<img src=x onerror=alert(1)>"@en ; bx:sectionTitle "<b>s</b>" .
""",
        encoding="utf-8",
    )
    local = replace(Settings(root=tmp_path), workers=1)
    c = AsgiClient(create_app(local, GraphStore.load(local)))
    try:
        html = c.get("/page/evil").text
        search = c.get("/search?q=script").text
        found = c.get("/search?q=<script>", headers={"Accept": "application/json"}).json()
    finally:
        c.runner.shutdown()
    for page in (html, search):
        assert "<script>alert" not in page and "&lt;script&gt;alert(&#39;label&#39;)&lt;/script&gt;" in page
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<b>s</b>" not in html
    assert 'href="javascript:' not in html  # only http(s) IRIs become links
    assert found["results"][0]["label"] == "<script>alert('label')</script>"
    assert json.dumps(found)  # JSON carries the text as it is


@pytest.mark.parametrize(
    "path",
    [
        "/id/%3Cscript%3E",
        "/page/a%20b",
        "/data/x%7By.ttl",
        "/id/",
        "/page/",
        "/id/%22onmouseover%3D",
        "/data/greater-region.exe",
    ],
)
def test_malformed_paths_are_404_never_500(client, path):
    r = client.get(path, headers={"Accept": BROWSER})
    assert r.status_code == 404, (path, r.status_code)
    assert "<script>" not in r.text and '"onmouseover=' not in r.text
