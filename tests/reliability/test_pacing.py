"""A client whose requests keep failing gets its error answers late while another client is served, never its
successes, and never when it is alone (api/pacing.py), against `benelux-graph serve`."""

from __future__ import annotations

import statistics
import time

import httpx
import pytest
from test_http_layer import serving

from benelux_graph.api.pacing import BUSY_WINDOW, DELAY, PACE_AFTER, ErrorPacing

BAD = ("/api/queries/secretariat-provider", {"forum": "http://[::1"})  # 400 bad-parameter
GOOD = ("/api/queries", {})


def client(url: str, address: str) -> httpx.Client:
    return httpx.Client(base_url=url, timeout=60, transport=httpx.HTTPTransport(local_address=address))


def timed(c: httpx.Client, request: tuple[str, dict], status: int) -> float:
    start = time.perf_counter()
    r = c.get(request[0], params=request[1])
    assert r.status_code == status, r.text
    return time.perf_counter() - start


@pytest.mark.server
def test_a_failing_clients_errors_are_late_while_others_are_served_and_its_successes_never(tmp_path):
    with serving(tmp_path) as url, client(url, "127.0.9.1") as failing, client(url, "127.0.9.2") as other:
        alone = [timed(failing, BAD, 400) for _ in range(int(PACE_AFTER) + 8)]  # nobody else: no delay
        time.sleep(BUSY_WINDOW)
        paced, served, successes = [], [], []
        for _ in range(8):
            served.append(timed(other, GOOD, 200))  # another client, served within the last second
            paced.append(timed(failing, BAD, 400))
            successes.append(timed(failing, GOOD, 200))
    assert statistics.median(alone) < DELAY, alone
    assert min(paced) >= DELAY, paced
    assert statistics.median(served) < DELAY and statistics.median(successes) < DELAY, (served, successes)


def test_the_busy_window_forgets_clients_seen_before_it():
    now = [0.0]
    pacing = ErrorPacing(app=None, clock=lambda: now[0])
    pacing.last_seen["a"] = 0.0
    assert not pacing.others_busy("a") and pacing.others_busy("b")
    now[0] = BUSY_WINDOW + 0.1
    assert not pacing.others_busy("b") and not pacing.last_seen  # forgotten
    pacing.in_flight["a"] += 1
    assert pacing.others_busy("b") and not pacing.others_busy("a")
