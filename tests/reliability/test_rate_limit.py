"""Per-client rate limiting (api/ratelimit.py): off by default; when set, a client beyond its allowance gets 429
in the JSON error shape with Retry-After, other clients and the exempt paths are not affected, and the
allowance comes back with time."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from reliability_settings import reliability_settings
from reliability_support import LiveServer

from benelux_graph.api.ratelimit import TokenBuckets


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_token_buckets_allow_a_minute_then_refill():
    clock = Clock()
    buckets = TokenBuckets(60, clock=clock)  # one a second, bursts of 60
    assert all(buckets.take("a") == 0 for _ in range(60))
    wait = buckets.take("a")
    assert 0 < wait <= 1.0
    assert buckets.take("b") == 0  # another client has its own bucket
    clock.now += 1.0
    assert buckets.take("a") == 0 and buckets.take("a") > 0
    clock.now += 3600
    assert all(buckets.take("a") == 0 for _ in range(60))  # never more than the burst
    assert buckets.take("a") > 0


def test_token_buckets_forget_the_least_recent_clients():
    buckets = TokenBuckets(10, clock=Clock(), max_clients=100)
    for i in range(1_000):
        buckets.take(f"client-{i}")
    assert len(buckets.buckets) == 100 and "client-999" in buckets.buckets and "client-0" not in buckets.buckets


@pytest.mark.server
def test_rate_limit_is_off_by_default(client):
    statuses = {client.get("/sparql", params={"query": "ASK {}"}).status_code for _ in range(150)}
    assert statuses == {200}


@pytest.fixture(scope="module")
def limited(settings, store):
    with LiveServer(reliability_settings(settings, workers=1, rate_limit=120), store) as server:
        yield server


@pytest.mark.server
def test_a_client_beyond_its_allowance_gets_429_with_retry_after(limited):
    with httpx.Client(base_url=limited.url, timeout=30) as c:
        answers = [c.get("/sparql", params={"query": "ASK {}"}) for _ in range(125)]
        statuses = [r.status_code for r in answers]
        assert statuses[:115].count(200) == 115 and 429 in statuses[115:], statuses[110:]
        r = next(r for r in answers if r.status_code == 429)
        error = r.json()["error"]
        assert error == {"status": 429, "type": "too-many-requests", "message": error["message"]}
        retry = int(r.headers["retry-after"])
        assert 1 <= retry <= 60 and r.headers["x-ratelimit-limit"] == "120/minute"
        assert r.headers["access-control-allow-origin"] == "*"
        assert "Retry-After" in r.headers["access-control-expose-headers"]
        # exempt: health checks and the pages' static files
        assert c.get("/healthz").status_code == 200
        assert c.get("/static/editor.js").status_code == 200
        # every route counts, HEAD and POST too (a few tries: the bucket refills 2 tokens a second meanwhile)
        assert 429 in [c.post("/sparql", data={"query": "ASK {}"}).status_code for _ in range(6)]
        assert 429 in [c.get("/api/graph").status_code for _ in range(6)]
        # another client is served
        other = httpx.Client(base_url=limited.url, timeout=30, transport=httpx.HTTPTransport(local_address="127.0.0.2"))
        with other:
            assert other.get("/sparql", params={"query": "ASK {}"}).status_code == 200
        # and the allowance comes back
        time.sleep(retry + 0.1)
        assert c.get("/sparql", params={"query": "ASK {}"}).status_code == 200


@pytest.mark.server
def test_429_is_documented_on_every_route(client):
    paths = client.get("/openapi.json").json()["paths"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            assert "429" in operation["responses"], (method, path)
            # FastAPI's own 422 (HTTPValidationError) is never given: bad input is a 400 in the project's shape
            assert "HTTPValidationError" not in json.dumps(operation["responses"].get("422", {})), (method, path)


def test_query_time_budget_admits_while_positive_and_charges_after():
    clock = Clock()
    budget = TokenBuckets(12, clock=clock, capacity=2)  # 12 s a minute: 0.2 s back each second, 2 s at most
    assert budget.wait("a") == 0
    budget.charge("a", 5.0)  # a 5 s query: 3 s in debt
    wait = budget.wait("a")
    assert 14 < wait < 16  # 3 s of debt at 0.2 s a second
    assert budget.wait("b") == 0  # another client is not concerned
    clock.now += wait
    assert budget.wait("a") == 0
    clock.now += 3600
    assert budget.balance("a") == 2  # never more than the burst


@pytest.fixture(scope="module")
def budgeted(settings, store):
    # a query stopped at the time limit is charged the server's full limit (1.5 s here), not only its own timeout
    with LiveServer(reliability_settings(settings, workers=2, query_budget=6, query_timeout=1.5), store) as server:
        yield server


@pytest.mark.server
def test_a_client_whose_queries_run_away_waits_while_others_are_served(budgeted):
    runaway = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    with httpx.Client(base_url=budgeted.url, timeout=30) as c:
        first = c.get("/sparql", params={"query": runaway, "timeout": "1.5"})
        assert first.status_code == 503  # ran to its limit: 1.5 s charged against a balance of 1 s
        refused = c.get("/sparql", params={"query": runaway, "timeout": "1.5"})
        assert refused.status_code == 429, refused.text
        assert refused.json()["error"]["type"] == "query-time-exhausted"
        assert 1 <= int(refused.headers["retry-after"]) <= 10 and refused.headers["x-ratelimit-limit"] == "6s/minute"
        assert c.get("/api/queries/advisory-bodies").status_code == 429  # every query route
        assert c.get("/healthz").status_code == 200 and c.get("/api/graph").status_code == 200  # not queries
        other = httpx.Client(
            base_url=budgeted.url, timeout=30, transport=httpx.HTTPTransport(local_address="127.0.0.3")
        )
        with other:
            assert other.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).status_code == 200
        time.sleep(int(refused.headers["retry-after"]) + 0.2)
        assert c.get("/sparql", params={"query": "ASK { bxr:benelux-union ?p ?o } # again"}).status_code == 200
