"""Operations: /healthz, the headers every response carries, CORS, one log line per query, the one error shape
(JSON or plain text), and the catch-all that never shows a traceback."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from benelux_graph import __version__
from benelux_graph.api.app import create_app
from benelux_graph.engine import SPARE

pytestmark = pytest.mark.server


def test_healthz(client, store, live_server):
    live_server.wait_for_workers(2)
    r = client.get("/healthz")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok" and body["release"] == store.release and body["workers"] == 2 + SPARE
    assert body["triples"] == len(store)
    assert client.head("/healthz").content == b""


@pytest.mark.parametrize(
    "url", ["/healthz", "/sparql?query=ASK%7B%7D", "/sparql?query=ASK", "/api/queries", "/nowhere"]
)
def test_version_release_and_timing_on_every_response(client, store, url):
    r = client.get(url)
    assert r.headers["x-benelux-version"] == __version__
    assert r.headers["x-benelux-release"] == store.release
    assert "total;dur=" in r.headers["server-timing"]


def test_server_timing_reports_the_engine(client):
    r = client.get("/sparql", params={"query": "ASK {}"})
    timing = r.headers["server-timing"]
    assert timing.startswith("engine;dur=") and ", total;dur=" in timing


def test_cors_is_open_for_reading(client):
    simple = client.get("/sparql", params={"query": "ASK {}"}, headers={"origin": "https://example.org"})
    assert simple.headers["access-control-allow-origin"] == "*"
    assert "x-benelux-truncated" in simple.headers["access-control-expose-headers"].lower()
    preflight = client.options(
        "/sparql",
        headers={
            "origin": "https://example.org",
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]
    refused = client.options(
        "/sparql", headers={"origin": "https://example.org", "access-control-request-method": "DELETE"}
    )
    assert refused.status_code == 400


def test_one_log_line_per_query(client, caplog):
    query = "SELECT ?s { ?s a bx:Country }"
    with caplog.at_level(logging.INFO, logger="benelux_graph.api"):
        ok = client.get("/sparql", params={"query": query})
        client.get("/sparql", params={"query": "SELECT * {"})
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("query ")]
    assert len(lines) == 2
    digest = hashlib.sha256(query.encode()).hexdigest()
    rows = len(ok.json()["results"]["bindings"])
    assert f"sha256={digest} status=200 size={rows} bytes={len(ok.content)}" in lines[0]
    assert "ms=" in lines[0] and "via=/sparql" in lines[0]
    assert "status=400" in lines[1]


def test_errors_in_plain_text_when_asked(client):
    bad = "SELECT * WHERE {\n ?s ?p \n}"
    r = client.get("/sparql", params={"query": bad}, headers={"accept": "text/plain, */*;q=0.1"})
    assert r.status_code == 400 and r.headers["content-type"].startswith("text/plain")
    assert r.text.startswith("400 malformed-query: error at 3:") and "(line 3, column" in r.text
    not_acceptable = client.get("/sparql", params={"query": bad}, headers={"accept": "text/plain"})
    assert not_acceptable.status_code == 406 and not_acceptable.text.startswith("406 not-acceptable: ")
    as_json = client.get("/sparql", params={"query": bad})
    error = as_json.json()["error"]
    assert set(error) == {"status", "type", "message", "line", "column"} and error["line"] == 3


def test_the_catch_all_answers_500_without_a_traceback(settings, store, caplog):
    app = create_app(settings, store)

    @app.get("/boom")
    async def boom():
        raise RuntimeError("secret internals")

    async def call():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            return await c.get("/boom")

    with caplog.at_level(logging.ERROR, logger="benelux_graph.api"), ThreadPoolExecutor(1) as pool:
        r = pool.submit(asyncio.run, call()).result()  # its own thread: another event loop may be running here
    assert r.status_code == 500
    assert r.json() == {
        "error": {
            "status": 500,
            "type": "internal-error",
            "message": "an unexpected error occurred; it has been logged",
        }
    }
    assert "secret" not in r.text and "Traceback" not in r.text
    assert r.headers["x-benelux-release"] == store.release
    assert any("secret internals" in (rec.exc_text or "") or rec.exc_info for rec in caplog.records)
    app.state.runtime.engine.close()
