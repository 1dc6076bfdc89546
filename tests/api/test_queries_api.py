"""/api/queries on a real server: the list, one documented route per saved query (its parameters in OpenAPI),
typed binding by substitution (a hostile value is a value, never SPARQL text), 404 and 400."""

from __future__ import annotations

import pytest
from answers import PREFIX_MAP, json_rows, norm_ox

from benelux_graph.errors import ParameterError
from benelux_graph.saved_queries import load_queries

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def saved(settings):
    return load_queries(settings.queries_dir)


def store_answer(store, query, given):
    solutions = store.query(query.text, substitutions=query.bindings(given), prefixes=PREFIX_MAP)
    names = [v.value for v in solutions.variables]
    return {tuple(norm_ox(s[n]) for n in names) for s in solutions}


def test_list(client, saved):
    listing = client.get("/api/queries").json()
    assert [q["name"] for q in listing] == list(saved)
    first = next(q for q in listing if q["name"] == "secretariat-provider")
    assert first["title"] and first["description"] and first["url"].endswith("/api/queries/secretariat-provider")
    assert first["params"] == [
        {
            "name": "forum",
            "type": "iri",
            "description": saved["secretariat-provider"].params[0].description,
            "descriptions": saved["secretariat-provider"].params[0].descriptions,
            "default": "bxr:pentalateral-energy-forum",
            "enum": [],
        }
    ]


def test_list_in_a_language(client, saved):
    """?lang=de: the titles and descriptions of the queries' headers in German; without it, English as before;
    `titles` and `descriptions` carry the four languages either way. Another lang is a 400."""
    english, german = client.get("/api/queries").json(), client.get("/api/queries?lang=de").json()
    assert [q["name"] for q in german] == list(saved)
    presidency = next(q for q in german if q["name"] == "presidency-in-year")
    assert presidency["title"] == "Wer in einem bestimmten Jahr einen Vorsitz innehat"
    for en, de in zip(english, german, strict=True):
        query = saved[en["name"]]
        assert (en["title"], en["description"]) == (query.title, query.description)
        assert (
            (de["title"], de["description"])
            == (query.titles["de"], query.descriptions["de"])
            != (
                en["title"],
                en["description"],
            )
        )
        assert en["titles"] == de["titles"] and set(de["titles"]) == set(de["descriptions"]) == {"en", "fr", "nl", "de"}
        assert {k: v for k, v in en.items() if k not in ("title", "description", "params")} == {
            k: v for k, v in de.items() if k not in ("title", "description", "params")
        }
        # the parameters' descriptions too, from the header (one place)
        assert [p["description"] for p in en["params"]] == [p.description for p in query.params]
        assert [p["description"] for p in de["params"]] == [p.descriptions["de"] for p in query.params]
        assert [{**p, "description": None} for p in en["params"]] == [{**p, "description": None} for p in de["params"]]
    assert client.get("/api/queries?lang=fr-BE").json()[0]["title"] == saved[english[0]["name"]].titles["fr"]
    bad = client.get("/api/queries?lang=es")
    assert bad.status_code == 400 and "lang" in bad.json()["error"]["message"]


def test_every_saved_query_is_an_openapi_operation_with_its_parameters(client, saved):
    spec = client.get("/openapi.json").json()
    for name, query in saved.items():
        operation = spec["paths"][f"/api/queries/{name}"]["get"]
        assert operation["summary"] == query.title
        documented = {p["name"] for p in operation.get("parameters", [])}
        assert {p.name for p in query.params} | {"format", "timeout"} <= documented
    assert "/api/queries/{name}" not in spec["paths"]


def test_every_saved_query_answers_like_the_embedded_store(client, store, saved):
    for name, query in saved.items():
        r = client.get(f"/api/queries/{name}")
        try:
            expected = store_answer(store, query, {})
        except ParameterError:
            assert r.status_code == 400 and r.json()["error"]["type"] == "bad-parameter"
            continue
        assert r.status_code == 200, (name, r.text)
        assert order_free(json_rows(r.json())) == order_free(expected), name


def order_free(rows: set[tuple]) -> set[tuple]:
    """Rows with each literal's characters sorted: GROUP_CONCAT joins its values in no defined order."""
    return {
        tuple(t if t is None or t[0] != "literal" else ("literal", "".join(sorted(t[1])), t[2]) for t in row)
        for row in rows
    }


def test_parameters_are_bound_as_typed_terms(client, store, saved):
    query = saved["secretariat-provider"]
    r = client.get("/api/queries/secretariat-provider", params={"forum": "bxr:benelux-union"})
    assert json_rows(r.json()) == store_answer(store, query, {"forum": "bxr:benelux-union"})
    full = "https://w3id.org/benelux-graph/id/pentalateral-energy-forum"
    assert json_rows(client.get("/api/queries/secretariat-provider", params={"forum": full}).json()) == store_answer(
        store, query, {}
    )


def test_a_hostile_value_stays_a_value(client, store, saved):
    string_query = next((q for q in saved.values() if any(p.type == "string" for p in q.params)), None)
    if string_query is None:
        pytest.skip("no saved query has a string parameter")
    param = next(p for p in string_query.params if p.type == "string")
    hostile = '" } UNION { ?s ?p ?o } #'
    r = client.get(f"/api/queries/{string_query.name}", params={param.name: hostile})
    assert r.status_code == 200
    assert json_rows(r.json()) == store_answer(store, string_query, {param.name: hostile})
    bad_iri = client.get("/api/queries/secretariat-provider", params={"forum": "<x> } ; DROP ALL ; {"})
    assert bad_iri.status_code == 400 and bad_iri.json()["error"]["type"] == "bad-parameter"


def test_formats_and_errors(client):
    csv = client.get("/api/queries/secretariat-provider", params={"format": "csv"})
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    xml = client.get("/api/queries/secretariat-provider", headers={"accept": "application/sparql-results+xml"})
    assert xml.headers["content-type"].startswith("application/sparql-results+xml")
    # a SELECT for a client accepting only RDF: SPARQL JSON (issue 13); a type no answer has: 406
    rdf_only = client.get("/api/queries/secretariat-provider", headers={"accept": "text/turtle"})
    assert rdf_only.status_code == 200 and rdf_only.headers["content-type"].startswith(
        "application/sparql-results+json"
    )
    assert client.get("/api/queries/secretariat-provider", headers={"accept": "image/png"}).status_code == 406
    unknown = client.get("/api/queries/no-such-query")
    assert unknown.status_code == 404 and unknown.json()["error"]["type"] == "unknown-query"
    typo = client.get("/api/queries/secretariat-provider", params={"froum": "bxr:x"})
    assert typo.status_code == 400 and "froum" in typo.json()["error"]["message"]
    twice = client.get("/api/queries/secretariat-provider?forum=bxr:a&forum=bxr:b")
    assert twice.status_code == 400


def test_typed_parameters_are_checked(client, saved):
    year_query = next((q for q in saved.values() if any(p.type == "year" for p in q.params)), None)
    if year_query is None:
        pytest.skip("no saved query has a year parameter")
    param = next(p for p in year_query.params if p.type == "year")
    r = client.get(f"/api/queries/{year_query.name}", params={param.name: "twenty"})
    assert r.status_code == 400 and r.json()["error"]["type"] == "bad-parameter"
    assert client.get(f"/api/queries/{year_query.name}", params={param.name: "2026"}).status_code == 200


def test_a_saved_query_answers_304_to_its_etag_and_runs_again_on_no_cache(client):
    url = "/api/queries/secretariat-provider?forum=bxr:pentalateral-energy-forum"
    first = client.get(url)
    assert first.status_code == 200 and first.headers["etag"]
    again = client.get(url, headers={"if-none-match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    fresh = client.get(url, headers={"if-none-match": first.headers["etag"], "cache-control": "no-cache"})
    assert fresh.status_code == 200 and fresh.content == first.content
    other = client.get("/api/queries/secretariat-provider?forum=bxr:scheldt-council")
    assert other.headers["etag"] != first.headers["etag"]
