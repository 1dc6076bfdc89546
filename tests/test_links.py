"""Links to the authorities (data/links-*.ttl): every link is derived from a code already in the data, and every
code has its link: ISO 3166-1 alpha-3 -> the EU country authority table, NUTS -> the NUTS 2021 IRIs, an EU
regulation's number -> its ELI. Each linked concept names its authority."""

from __future__ import annotations

import re

import pytest

COUNTRY = "http://publications.europa.eu/resource/authority/country/"
NUTS = "http://data.europa.eu/nuts/code/"
PREFIXES = """PREFIX bx: <https://w3id.org/benelux-graph/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
"""


def rows(store, sparql: str) -> set[tuple[str, ...]]:
    return {tuple(term.value for term in row) for row in store.query(PREFIXES + sparql)}


def links(store, space: str) -> set[tuple[str, str]]:
    return rows(store, f'SELECT ?e ?l {{ ?e skos:exactMatch|owl:sameAs ?l FILTER(STRSTARTS(STR(?l), "{space}")) }}')


@pytest.mark.parametrize(
    ("code", "space", "scheme"),
    [
        ("bx:iso3166Alpha3", COUNTRY, "http://publications.europa.eu/resource/authority/country"),
        ("bx:nutsCode", NUTS, "http://data.europa.eu/nuts/scheme/2021"),
    ],
)
def test_every_code_has_its_link_and_every_link_its_code(store, code, space, scheme):
    codes = rows(store, f"SELECT ?e ?code {{ ?e {code} ?code }}")
    assert codes
    assert links(store, space) == {(e, space + c) for e, c in codes}
    schemes = rows(
        store, f'SELECT ?l ?s {{ ?e skos:exactMatch ?l . ?l skos:inScheme ?s FILTER(STRSTARTS(STR(?l), "{space}")) }}'
    )
    assert schemes == {(space + c, scheme) for _, c in codes}


def test_eu_regulations_link_the_eli_of_the_number_the_data_gives(store):
    numbered = rows(
        store,
        "SELECT ?e ?label { ?e a bx:EURegulation ; skos:altLabel ?label "
        'FILTER(REGEX(?label, "^Regulation \\\\(EU\\\\) [0-9]{4}/[0-9]+$")) }',
    )
    assert numbered
    expected = set()
    for e, label in numbered:
        year, number = re.search(r"(\d{4})/(\d+)$", label).groups()
        expected.add((e, f"http://data.europa.eu/eli/reg/{year}/{number}/oj"))
    assert links(store, "http://data.europa.eu/eli/") == expected


def test_links_are_in_their_own_files(store):
    files = {str(p.name) for g, p in store.files.items() if "links" in p.name}
    assert files == {"links-countries.ttl", "links-nuts.ttl", "links-eli.ttl"}


def test_void_describes_each_links_file_as_a_linkset(store, settings):
    from benelux_graph.dumps import Publication, void_triples

    void = "http://rdfs.org/ns/void#"
    triples = {
        (t.subject.value, t.predicate.value, getattr(t.object, "value", None))
        for t in void_triples(Publication(store, settings), [])
    }
    linksets = {s for s, p, o in triples if p == RDF_TYPE and o == void + "Linkset"}
    assert linksets == {g for g, p in store.files.items() if p.name.startswith("links-")}
    countries = next(g for g in linksets if g.endswith("links-countries"))
    assert (countries, void + "linkPredicate", "http://www.w3.org/2004/02/skos/core#exactMatch") in triples
    assert (countries, void + "objectsTarget", "http://publications.europa.eu/resource/authority/country") in triples
    eli = next(g for g in linksets if g.endswith("links-eli"))
    assert (eli, void + "linkPredicate", "http://www.w3.org/2002/07/owl#sameAs") in triples


RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
