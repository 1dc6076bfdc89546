"""JSON-LD document forms by `Accept: application/ld+json;profile="…"` (JSON-LD 1.1, 9.1; issue 13, the last
probe's leftovers): the profile asked for is the form sent, and Content-Type says which."""

from __future__ import annotations

import json

import pytest

NS = "http://www.w3.org/ns/json-ld#"
PATHS = ["/data/greater-region.jsonld", "/graph/data/countries", "/graph?default", "/ontology"]


def ask(client, path, profile=None, **headers):
    accept = f'application/ld+json;profile="{NS}{profile}"' if profile else "application/ld+json"
    answer = client.get(path, headers={"Accept": accept, **headers}, follow_redirects=True)
    assert answer.status_code == 200, answer.text[:200]
    return answer


@pytest.mark.parametrize("path", PATHS)
def test_expanded_is_expanded(client, path):
    answer = ask(client, path, "expanded")
    assert answer.headers["content-type"].endswith(f'profile="{NS}expanded"')
    assert "Accept" in answer.headers["vary"]
    doc = json.loads(answer.content)
    assert isinstance(doc, list) and doc, "an expanded document is an array of node objects, with no @context"
    text = answer.text
    assert '"@context"' not in text and '"bx:' not in text and '"skos:' not in text
    node = next(n for n in doc if "@type" in n)
    assert all(t.startswith(("http", "_:")) for t in node["@type"])


@pytest.mark.parametrize("path", PATHS)
def test_compacted_and_flattened_are_said(client, path):
    flattened = ask(client, path, "flattened")
    assert flattened.headers["content-type"].endswith(f'profile="{NS}flattened"')
    assert ask(client, path).content == flattened.content  # the default form, that of the dumps
    compacted = ask(client, path, "compacted")
    assert compacted.headers["content-type"].endswith(f'profile="{NS}compacted"')
    doc = json.loads(compacted.content)
    assert "@context" in doc
    values = [v for n in doc["@graph"] for k, v in n.items() if k not in ("@id", "@graph")]
    assert any(not isinstance(v, list) for v in values), "compaction writes one value alone, not in an array"
    assert compacted.headers["etag"] != flattened.headers["etag"]


def test_the_same_triples_in_every_form(client):
    """The forms differ in shape only: read as RDF, each is the same graph."""
    import rdflib
    from rdflib.compare import to_isomorphic

    graphs = []
    for profile in ("expanded", "compacted", "flattened"):
        g = rdflib.Graph().parse(data=ask(client, PATHS[0], profile).text, format="json-ld")
        graphs.append(to_isomorphic(g))
    assert len(graphs[0]) > 10 and graphs[0] == graphs[1] == graphs[2]


def test_the_most_preferred_profile_wins(client):
    accept = f'application/ld+json;profile="{NS}compacted";q=0.5, application/ld+json;profile="{NS}expanded"'
    answer = client.get(PATHS[0], headers={"Accept": accept})
    assert answer.headers["content-type"].endswith(f'profile="{NS}expanded"')


def test_a_construct_answer_says_its_form(client):
    """The engine writes SPARQL answers in JSON-LD expanded, whatever the profile asked for: Content-Type says so."""
    answer = client.get(
        "/sparql",
        params={"query": "CONSTRUCT { bxr:x <http://e/p> 'a' } {}"},
        headers={"Accept": f'application/ld+json;profile="{NS}compacted"'},
    )
    assert answer.status_code == 200, answer.text[:200]
    assert answer.headers["content-type"].endswith(f'profile="{NS}expanded"')
    assert isinstance(json.loads(answer.content), list)
