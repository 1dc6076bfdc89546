"""One log line per request (api/requestlog.py), from `benelux-graph serve` itself: a query request leaves its
query line with the client, method and HTTP version (no second, access line: uvicorn's is off), any other request
an access line; the lines are written in batches by a thread, within a moment, and at shutdown.
"""

from __future__ import annotations

import hashlib
import time

import httpx

from support.live_server import serving

ASK = "ASK { bxr:benelux-union ?p ?o }"


def lines_of(log, needle: str) -> list[str]:
    return [line for line in log.read_text(errors="replace").splitlines() if needle in line]


def test_one_line_per_request_with_the_client(tmp_path):
    with serving(tmp_path, workers="1", trusted_proxies="127.0.0.2") as url:
        with httpx.Client(base_url=url, timeout=30, transport=httpx.HTTPTransport(local_address="127.0.0.2")) as proxy:
            forwarded = {"X-Forwarded-For": "10.1.2.3"}
            for _ in range(2):  # executed, then a cache hit
                assert proxy.get("/sparql", params={"query": ASK}, headers=forwarded).status_code == 200
            assert proxy.get("/sparql", params={"query": "SELECT * {"}, headers=forwarded).status_code == 400
            assert proxy.get("/api/queries", params={"lang": "en"}, headers=forwarded).status_code == 200
        time.sleep(1.0)  # written by the log thread within a moment, while the server runs
        digest = hashlib.sha256(ASK.encode()).hexdigest()
        query = lines_of(url.log, f"query sha256={digest}")
        assert len(query) == 2, query
        assert all("status=200" in line and line.endswith(" client=10.1.2.3 method=GET http=1.1") for line in query)
        assert "cache=miss" in query[0] and "cache=hit" in query[1], query
        assert len(lines_of(url.log, "status=400")) == 1
        assert lines_of(url.log, '10.1.2.3 "GET /api/queries?lang=en HTTP/1.1" 200 ms=') != []
        assert lines_of(url.log, "GET /sparql") == []  # no access line besides the query line
        assert len(lines_of(url.log, "10.1.2.3")) == 4  # four requests, four lines
        with httpx.Client(base_url=url, timeout=30) as client:
            assert client.get("/api/queries", params={"lang": "nl"}).status_code == 200
    # stopped right after the request: its line is written all the same (on the way out at the latest)
    assert lines_of(url.log, '127.0.0.1 "GET /api/queries?lang=nl HTTP/1.1" 200 ms=') != []


def test_a_stderr_nobody_reads_holds_up_neither_the_loop_nor_memory():
    """The writer thread blocks on a full pipe; logging goes on at once, keeps at most MAX_PENDING records and
    says how many it dropped once the pipe is read again."""
    import logging
    import os
    import threading

    from benelux_graph.api.requestlog import BatchHandler

    r, w = os.pipe()
    stream = open(w, "w")  # noqa: SIM115 - closed below
    handler = BatchHandler(stream)
    handler.MAX_PENDING = 1000
    logger = logging.getLogger("benelux_graph.test_batch")
    logger.propagate, logger.level = False, logging.INFO
    logger.addHandler(handler)
    try:
        start = time.monotonic()
        for i in range(20_000):  # some 2 MB: far more than a pipe holds
            logger.info("line %d %s", i, "x" * 100)
            if i % 2000 == 0:
                time.sleep(0.25)  # the writer takes what is pending, then blocks on the full pipe
        assert time.monotonic() - start < 5
        assert len(handler.pending) <= 1000 and handler.dropped > 0, (len(handler.pending), handler.dropped)
        read: list[bytes] = []
        reader = threading.Thread(target=lambda: read.extend(iter(lambda: os.read(r, 65536), b"")), daemon=True)
        reader.start()
        deadline = time.monotonic() + 10
        while b"log lines dropped" not in b"".join(read) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert b"log lines dropped: stderr was not read fast enough" in b"".join(read)
    finally:
        logger.removeHandler(handler)
        stream.close()
        os.close(r)
