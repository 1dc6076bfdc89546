"""A client whose requests keep failing gets its error answers late while another client is served, never its
successes, and never when it is alone (api/pacing.py), against `benelux-graph serve`."""

from __future__ import annotations

import statistics
import time

import httpx
import pytest

from benelux_graph.api.pacing import (
    BUSY_WINDOW,
    DELAY,
    PACE_AFTER,
    QUERY_FLOOR,
    QUERY_RATE,
    REPEAT_DELAY,
    REPEAT_FLOOR,
    UNIT_MS,
    Decaying,
    Pacing,
)
from benelux_graph.settings import Settings
from support.live_server import serving

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
    pacing = Pacing(app=None, clock=lambda: now[0])
    pacing.last_seen["a"] = 0.0
    assert not pacing.others_busy("a") and pacing.others_busy("b")
    now[0] = BUSY_WINDOW + 0.1
    assert not pacing.others_busy("b") and not pacing.last_seen  # forgotten
    pacing.in_flight["a"] += 1
    assert pacing.others_busy("b") and not pacing.others_busy("a")


@pytest.mark.server
def test_a_client_running_query_after_query_is_held_near_the_query_rate_while_others_are_served(tmp_path):
    def run(c: httpx.Client, i: int) -> float:
        start = time.perf_counter()
        r = c.get("/sparql", params={"query": f"ASK {{}} # {i}"})  # another text each time: never from the cache
        assert r.status_code == 200 and "queue;dur=" in r.headers["server-timing"], r.headers
        return time.perf_counter() - start

    n, paced_at_least = 40, (40 - 2 * QUERY_FLOOR) / QUERY_RATE  # slowed once its count passes the floor
    with (
        serving(tmp_path, query_pacing="1") as url,
        client(url, "127.0.9.3") as busy,
        client(url, "127.0.9.4") as other,
    ):
        start = time.perf_counter()
        for i in range(n):
            run(busy, i)
        alone = time.perf_counter() - start  # nobody else: as fast as the answers come
        time.sleep(5)  # its count decayed
        start = time.perf_counter()
        served, cached = [], []
        for i in range(n):
            served.append(timed(other, GOOD, 200))  # another client, served within the last second
            run(busy, n + i)
            cached.append(timed(busy, ("/sparql", {"query": "ASK {}"}), 200))  # cache hits cost nothing
        paced = time.perf_counter() - start
    assert paced >= paced_at_least and alone < paced_at_least, (paced, alone)
    assert statistics.median(served) < DELAY and statistics.median(cached) < DELAY, (served, cached)


def test_clients_running_queries_at_like_rates_are_not_slowed_and_a_hog_is():
    now = [0.0]
    pacing = Pacing(app=None, clock=lambda: now[0], pace_queries=True)
    ran = {"status": 200, "headers": [(b"server-timing", b"engine;dur=1.0, queue;dur=0.0, worker;dur=0.0")]}
    cached = {"status": 200, "headers": [(b"server-timing", b"engine;dur=0.0, cache;desc=hit")]}
    delays: dict[str, list[float]] = {"a": [], "b": [], "c": []}

    def answer(key: str, start: dict) -> None:
        delays[key].append(pacing.delay(key, start))
        pacing.last_seen.pop(key, None)
        pacing.last_seen[key] = now[0]  # as __call__ does when the request ends

    for _ in range(300):  # a benchmark from three addresses: 30 queries a second each
        now[0] += 0.01
        for key in "abc":
            answer(key, ran)
    assert not any(d for ds in delays.values() for d in ds), delays
    for _ in range(300):  # "a" alone keeps running them, "b" reads cached answers
        now[0] += 0.01
        answer("a", ran)
        answer("b", cached)
    assert delays["a"][-1] == 1 / QUERY_RATE and not any(delays["b"])
    large = {"status": 200, "headers": [(b"server-timing", b"engine;dur=9.0, queue;dur=0.1, worker;dur=50.0")]}
    assert pacing.delay("a", large) == pytest.approx((1 + 50 / UNIT_MS) / QUERY_RATE)  # costs as its hand-off


def test_decaying_counts_halve_every_half_life():
    now = [0.0]
    counts = Decaying(1.0, clock=lambda: now[0], max_keys=1)
    counts.add("a")
    counts.add("a")
    now[0] = 1.0
    assert counts.count("a") == counts.total() == 1.0
    counts.add("b")  # bounded: "a" forgotten, the total kept
    assert counts.count("a") == 0.0 and counts.total() == 2.0


def test_query_pacing_is_off_by_default():
    """Without BENELUX_QUERY_PACING a hog's query answers are never held back (its errors still are)."""
    now = [0.0]
    pacing = Pacing(app=None, clock=lambda: now[0])
    ran = {"status": 200, "headers": [(b"server-timing", b"engine;dur=1.0, queue;dur=0.0, worker;dur=0.0")]}
    delays = []
    for _ in range(300):
        now[0] += 0.01
        delays.append(pacing.delay("a", ran))
        pacing.last_seen.pop("b", None)
        pacing.last_seen["b"] = now[0]  # another address served all along
    assert not any(delays)
    assert Settings().query_pacing is False


def seen(pacing: Pacing, key: str, path: str, query: bytes, now: float) -> bool:
    """A GET of `path` by `key` at `now`, as Pacing sees it: whether it is a repeat to slow down (its end recorded
    as __call__ records it)."""
    repeat = pacing.repeating(key, {"method": "GET", "path": path, "query_string": query})
    pacing.last_seen.pop(key, None)
    pacing.last_seen[key] = now
    return repeat


def test_a_client_repeating_one_request_is_slowed_while_others_are_served_and_varied_or_like_clients_never():
    now = [0.0]
    pacing = Pacing(app=None, clock=lambda: now[0])
    paced: dict[str, list[bool]] = {}

    def request(key: str, path: str, query: bytes = b"") -> None:
        paced.setdefault(key, []).append(seen(pacing, key, path, query, now[0]))

    for _ in range(300):  # alone, repeating the saved-query list 100 times a second: never slowed
        now[0] += 0.01
        request("alone", "/api/queries")
    assert not any(paced["alone"])
    now[0] += 10 * BUSY_WINDOW
    pages = ["/", "/page/benelux-union", "/search", "/sparql", "/api/queries/a", "/api/queries/b", "/page/x"]
    for i in range(600):  # a reader going through seven pages 140 times a second, a client repeating one
        now[0] += 0.005
        request("reader", pages[i % len(pages)], b"q=energy")
        if i % 2:
            request("repeater", "/api/queries")
    assert any(paced["repeater"][-50:]) and not any(paced["reader"]), paced["reader"].count(True)
    now[0] += 10 * BUSY_WINDOW
    for _ in range(300):  # a benchmark from three addresses repeating one cached query at like rates
        now[0] += 0.01
        for key in ("b1", "b2", "b3"):
            request(key, "/sparql", b"query=ASK%7B%7D")
    assert not any(paced["b1"] + paced["b2"] + paced["b3"])


@pytest.mark.server
def test_a_client_repeating_one_request_waits_while_another_browses_and_never_alone(tmp_path):
    with serving(tmp_path) as url, client(url, "127.0.9.5") as repeater, client(url, "127.0.9.6") as reader:
        alone = [timed(repeater, GOOD, 200) for _ in range(100)]
        time.sleep(BUSY_WINDOW)
        paged, repeated = [], []
        pages = [("/", {}), ("/page/benelux-union", {}), ("/search", {"q": "energy"}), ("/api/queries", {})]
        for i in range(200):
            paged.append(timed(reader, pages[i % len(pages)], 200))
            repeated += [timed(repeater, GOOD, 200) for _ in range(3)]
    assert statistics.median(alone) < REPEAT_DELAY, alone
    assert sum(d >= REPEAT_DELAY for d in repeated) > 100, sorted(repeated)[::20]  # most of the repeats waited
    assert statistics.median(paged) < REPEAT_DELAY, paged


def test_a_visitor_going_through_a_few_pages_fast_is_no_repeater_beside_distinct_requests():
    """Seven pages 300 times a second (each page 43 a second, above REPEAT_FLOOR), beside a client whose requests
    are all distinct (its most repeated counts 1): each page is a seventh of what the visitor sends, never paced."""
    now = [0.0]
    pacing = Pacing(app=None, clock=lambda: now[0])
    paced: dict[str, list[bool]] = {}

    def request(key: str, path: str, query: bytes = b"") -> None:
        paced.setdefault(key, []).append(seen(pacing, key, path, query, now[0]))

    pages = ["/", "/page/benelux-union", "/search", "/sparql", "/api/queries/a", "/api/queries/b", "/page/x"]
    for i in range(1_500):
        now[0] += 1 / 300
        request("visitor", pages[i % len(pages)])
        request("distinct", "/sparql", f"query=ASK{{}}%23{i}".encode())
    assert pacing.repeats.count(f"visitor {hash(('GET', '/', b''))}") > REPEAT_FLOOR  # often enough to be paced...
    assert not any(paced["visitor"]), paced["visitor"].count(True)  # ... but a small part of what it sends
    assert not any(paced["distinct"])
