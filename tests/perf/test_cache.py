"""The result cache, ETag and 304 of the query endpoint (api/cache.py, api/execution.py)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from starlette.testclient import TestClient

from benelux_graph.api.app import create_app
from benelux_graph.api.cache import LRU, Caches, answer_key, etag
from benelux_graph.api.http_conventions import etag_matches as matches
from benelux_graph.store import GraphStore

QUERY = "SELECT ?country WHERE { ?country a bx:Country } ORDER BY ?country"
JSON = {"accept": "application/sparql-results+json"}
XML = {"accept": "application/sparql-results+xml"}


@pytest.fixture(scope="module")
def own_store(settings):
    """A store of this module's own: a test changes its release."""
    return GraphStore.load(settings)


@pytest.fixture(scope="module")
def client(settings, own_store):
    app = create_app(replace(settings, workers=1), own_store)
    with TestClient(app) as c:
        yield c


def ask(client, query=QUERY, headers=JSON, **params):
    return client.get("/sparql", params={"query": query, **params}, headers=headers)


def test_a_repeated_query_is_answered_from_the_cache_with_identical_bytes(client):
    query = QUERY + " # identical bytes"
    first, second = ask(client, query), ask(client, query)
    assert first.status_code == second.status_code == 200
    assert first.headers["x-benelux-cache"] == "miss" and second.headers["x-benelux-cache"] == "hit"
    assert first.content == second.content
    for name in ("content-type", "etag", "cache-control", "x-benelux-truncated"):
        assert first.headers[name] == second.headers[name]
    assert second.headers["server-timing"].startswith("engine;dur=0.0, cache;desc=hit")
    assert first.headers["cache-control"].startswith("public, max-age=")


def test_the_format_is_part_of_the_key(client):
    query = QUERY + " # formats"
    as_json, as_xml = ask(client, query, JSON), ask(client, query, XML)
    assert as_json.headers["x-benelux-cache"] == as_xml.headers["x-benelux-cache"] == "miss"
    assert as_json.content != as_xml.content and as_json.headers["etag"] != as_xml.headers["etag"]
    assert ask(client, query, XML).content == as_xml.content
    assert ask(client, query, XML).headers["x-benelux-cache"] == "hit"
    assert ask(client, query, {}, format="csv").headers["x-benelux-cache"] == "miss"


def test_the_release_is_part_of_the_key(client, own_store):
    query = QUERY + " # release"
    before = ask(client, query)
    assert ask(client, query).headers["x-benelux-cache"] == "hit"
    release = own_store.release
    own_store.release = release + "-next"
    try:
        after = ask(client, query)
        assert after.headers["x-benelux-cache"] == "miss"
        assert after.headers["etag"] != before.headers["etag"]
        assert after.content == before.content  # same data, new release: answered again, not from the old entry
    finally:
        own_store.release = release
    assert ask(client, query).headers["x-benelux-cache"] == "miss"  # the caches were emptied on the switch


def test_graphs_and_bindings_are_part_of_the_key(client):
    query = QUERY + " # graphs"
    default = ask(client, query)
    narrowed = ask(client, query, **{"default-graph-uri": "https://w3id.org/benelux-graph/graph/data/countries"})
    assert narrowed.headers["x-benelux-cache"] == "miss" and narrowed.headers["etag"] != default.headers["etag"]
    key = answer_key("r", "q", {"a": "<x>"}, None, None, "json", 10)
    assert key != answer_key("r", "q", {"a": "<y>"}, None, None, "json", 10)
    assert key != answer_key("r", "q", {"a": "<x>"}, None, None, "json", 11)


def test_if_none_match_gets_304_without_running_the_query(client):
    query = QUERY + " # validation"
    first = ask(client, query)
    tag = first.headers["etag"]
    again = ask(client, query, {**JSON, "if-none-match": tag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == tag
    assert ask(client, query, {**JSON, "if-none-match": f'"other", W/{tag}'}).status_code == 304
    assert ask(client, query, {**JSON, "if-none-match": '"other"'}).status_code == 200
    fresh = ask(client, query, {**JSON, "if-none-match": tag, "cache-control": "no-cache"})
    assert fresh.status_code == 200 and fresh.headers["x-benelux-cache"] == "miss"


def test_answers_that_change_at_every_run_are_not_cached(client):
    for query in ("SELECT (RAND() AS ?r) WHERE {}", "SELECT (NOW() AS ?t) WHERE {}"):
        r = ask(client, query)
        assert r.status_code == 200
        assert "etag" not in r.headers and "x-benelux-cache" not in r.headers


def test_errors_are_not_cached(client):
    bad = "SELECT * WHERE { ?s ?p }"
    assert ask(client, bad).status_code == 400
    assert ask(client, bad).status_code == 400


def test_the_lru_keeps_to_its_byte_budget():
    lru = LRU(10_000)
    for i in range(100):
        assert lru.put(i, b"x" * 300, 300)
    assert lru.bytes <= 10_000 and len(lru) < 100
    assert lru.get(99) is not None and lru.get(0) is None  # the oldest went first
    assert not lru.put("big", b"x", 5_000)  # more than a quarter of the budget: not kept
    assert not Caches("r", max_bytes=0).enabled


def test_etag_matching():
    tag = etag(("r", "q"))
    assert tag.startswith('"') and tag.endswith('"') and tag == etag(("r", "q")) != etag(("r2", "q"))
    assert matches(tag, tag) and matches("*", tag) and matches(f"W/{tag}", tag)
    assert not matches(None, tag) and not matches('"nope"', tag)
