"""A client whose requests keep failing is served one request at a time, behind everybody else (api/demotion.py),
against `benelux-graph serve`: its requests wait for its running one, another client's never do."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from benelux_graph.api.demotion import DEMOTED_AT, HALF_LIFE, ErrorCounts
from benelux_graph.api.pacing import DELAY
from support.live_server import serving

RUNAWAY = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f }"  # stopped at its `timeout`


def timed(c: httpx.Client, done: dict, name: str, method: str, path: str, **kwargs) -> threading.Thread:
    """A thread sending one request; `done[name]` gets (status, when it was answered)."""

    def send() -> None:
        r = c.request(method, path, **kwargs)
        done[name] = (r.status_code, time.monotonic())

    thread = threading.Thread(target=send)
    thread.start()
    return thread


@pytest.mark.server
def test_a_client_whose_requests_keep_failing_waits_for_its_own_running_request_and_nobody_else_does(tmp_path):
    with serving(tmp_path, demote_after=str(DEMOTED_AT)) as url:
        transport = httpx.HTTPTransport(local_address="127.0.8.1")
        with (
            httpx.Client(base_url=url, timeout=60, transport=transport) as failing,
            httpx.Client(base_url=url, timeout=60, transport=httpx.HTTPTransport(local_address="127.0.8.2")) as other,
            httpx.Client(base_url=url, timeout=60, transport=httpx.HTTPTransport(local_address="127.0.8.1")) as more,
        ):
            for _ in range(int(DEMOTED_AT) + 2):
                assert (
                    failing.get("/api/queries/secretariat-provider", params={"forum": "http://[::1"}).status_code == 400
                )
            done: dict = {}
            long = timed(failing, done, "runaway", "GET", "/sparql", params={"query": RUNAWAY, "timeout": "6"})
            time.sleep(0.5)  # the runaway query holds the demoted clients' lane
            threads = [
                timed(more, done, "demoted", "GET", "/api/queries"),
                timed(other, done, "other", "GET", "/api/queries"),
            ]
            for thread in [long, *threads]:
                thread.join()
    assert done["other"][0] == 200 and done["other"][1] < done["runaway"][1], done  # never waited for the lane
    # waited its turn: the lane is free once the runaway's request ends, but error pacing (api/pacing.py) sends the
    # runaway's 503 up to DELAY later, so the demoted answer may arrive first, never sooner than that
    assert done["demoted"][0] == 200 and done["demoted"][1] >= done["runaway"][1] - DELAY - 0.05, done


def test_a_client_that_stops_failing_is_forgiven_within_a_few_half_lives():
    now = [0.0]
    counts = ErrorCounts(clock=lambda: now[0], max_clients=2)
    for _ in range(int(DEMOTED_AT)):
        counts.add("a")
    assert counts.count("a") >= DEMOTED_AT
    now[0] += HALF_LIFE
    assert counts.count("a") == pytest.approx(DEMOTED_AT / 2)
    now[0] += 3 * HALF_LIFE
    assert counts.count("a") < 1.5
    counts.add("b")
    counts.add("c")  # the table is bounded: the least recently seen is forgotten
    assert counts.count("a") == 0.0 and counts.count("c") == 1.0
