"""Reloading a new release (api/admin.py): off by default, behind the operator's token or SIGHUP; atomic (each
request sees one release: its X-Benelux-Release and its data agree); a release that cannot be read or does not
conform is refused while the old one keeps serving; the old release's workers stop once it is drained."""

from __future__ import annotations

import os
import signal
import threading
import time

import httpx
import pytest
from reliability_settings import reliability_settings
from reliability_support import LiveServer, ServerProcess

from benelux_graph.store import GraphStore
from support.live_server import serving

pytestmark = pytest.mark.server

TOKEN = "s3cret-token-for-tests"
AUTH = {"authorization": f"Bearer {TOKEN}"}
LABEL_A, LABEL_B = "Benelux Union", "Benelux Union (release B)"
LABEL_QUERY = 'SELECT ?l { bxr:benelux-union skos:prefLabel ?l FILTER(lang(?l) = "en") }'
UNION_FILE = "data/benelux-union.ttl"


def relabel(root, new: str) -> None:
    path = root / UNION_FILE
    text = path.read_text(encoding="utf-8")
    old = next(label for label in (LABEL_B, LABEL_A) if f'"{label}"@en' in text)
    path.write_text(text.replace(f'"{old}"@en', f'"{new}"@en', 1), encoding="utf-8")


def label_of(response: httpx.Response) -> str:
    return response.json()["results"]["bindings"][0]["l"]["value"]


def served(client: httpx.Client) -> tuple[str, str]:
    r = client.get("/sparql", params={"query": LABEL_QUERY})
    assert r.status_code == 200, r.text
    return r.headers["x-benelux-release"], label_of(r)


@pytest.fixture
def reloadable(settings, project_copy):
    s = reliability_settings(settings, root=project_copy, workers=2, admin_token=TOKEN)
    with LiveServer(s, GraphStore.load(s)) as server:
        yield server


def test_reload_is_off_by_default(client):
    r = client.post("/admin/reload", headers=AUTH)
    assert r.status_code == 404 and r.json()["error"]["status"] == 404
    assert "/admin/reload" not in client.get("/openapi.json").json()["paths"]


def test_reload_needs_the_token(reloadable):
    with httpx.Client(base_url=reloadable.url, timeout=60) as c:
        before = served(c)
        for headers in (
            {},
            {"authorization": "Bearer wrong"},
            {"authorization": TOKEN},
            {"authorization": f"Basic {TOKEN}"},
            {"authorization": f"Bearer {TOKEN}x"},
        ):
            r = c.post("/admin/reload", headers=headers)
            assert r.status_code == 401 and r.json()["error"]["type"] == "unauthorized", headers
            assert r.headers["www-authenticate"].startswith("Bearer")
        assert c.get("/admin/reload").status_code == 405
        assert served(c) == before


def test_reload_switches_atomically(reloadable, project_copy):
    """Clients query without pause while the release changes under them: every answer's X-Benelux-Release and
    data agree (release A: label A, release B: label B), nothing fails, and the old workers stop."""
    with httpx.Client(base_url=reloadable.url, timeout=60) as c:
        release_a, label = served(c)
        assert label == LABEL_A
        old_pids = set(reloadable.engine.worker_pids)
        # the store's rdflib views (graph API, pages) are built from the files at first use: build them before
        # the files change (that they should not read the files again is test_faults.py's
        # test_rdflib_views_are_those_of_the_loaded_release)
        for url in ("/api/graph/neighbourhood/benelux-union", "/data/benelux-union.nt"):
            assert c.get(url).status_code == 200
        relabel(project_copy, LABEL_B)
        seen: list[tuple[str, str, str]] = []
        failures: list[str] = []
        stop = threading.Event()

        def hammer(kind: str) -> None:
            with httpx.Client(base_url=reloadable.url, timeout=60) as own:
                while not stop.is_set():
                    if kind == "sparql":
                        r = own.get("/sparql", params={"query": LABEL_QUERY})
                        data = label_of(r) if r.status_code == 200 else r.text
                    elif kind == "graph":
                        r = own.get("/api/graph/neighbourhood/benelux-union", params={"depth": 1})
                        data = (
                            (
                                r.json()["meta"]["center"],
                                next(
                                    n["data"]["label"]
                                    for n in r.json()["elements"]["nodes"]
                                    if n["data"]["slug"] == "benelux-union"
                                ),
                            )
                            if r.status_code == 200
                            else r.text
                        )
                        data = data[1] if isinstance(data, tuple) else data
                    else:
                        r = own.get("/data/benelux-union.nt")
                        data = (
                            LABEL_B
                            if f'"{LABEL_B}"@en' in r.text
                            else LABEL_A
                            if f'"{LABEL_A}"@en' in r.text
                            else r.text[:200]
                        )
                    if r.status_code != 200:
                        failures.append(f"{kind}: {r.status_code} {r.text[:200]}")
                    seen.append((kind, r.headers.get("x-benelux-release", ""), data))

        threads = [threading.Thread(target=hammer, args=(kind,)) for kind in ("sparql", "sparql", "graph", "data")]
        for t in threads:
            t.start()
        time.sleep(0.5)
        r = c.post("/admin/reload", headers=AUTH, timeout=120)
        # go on until every kind of client has been answered from the new release (the first /data answer after a
        # reload builds the new release's views, which takes seconds on a loaded machine)
        release_b = r.json().get("release") if r.status_code == 200 else None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and {k for k, rel, _ in list(seen) if rel == release_b} != {
            "sparql",
            "graph",
            "data",
        }:
            time.sleep(0.1)
        stop.set()
        for t in threads:
            t.join(60)
        assert r.status_code == 200, r.text
        result = r.json()
        release_b = result["release"]
        assert result["previous"] == release_a and result["changed"] and release_b != release_a
        assert not failures, failures[:5]
        expected = {release_a: LABEL_A, release_b: LABEL_B}
        mixed = [s for s in seen if expected.get(s[1]) != s[2]]
        assert not mixed, mixed[:5]
        kinds_b = {kind for kind, release, _ in seen if release == release_b}
        assert {kind for kind, release, _ in seen if release == release_a} and kinds_b == {"sparql", "graph", "data"}
        print(
            f"{len(seen)} answers during the reload ({result['seconds']} s), "
            f"{sum(1 for s in seen if s[1] == release_a)} from A, {sum(1 for s in seen if s[1] == release_b)} from B"
        )
        assert served(c) == (release_b, LABEL_B)
        assert c.get("/healthz").json()["release"] == release_b
        # the old release's workers are stopped once its requests are done
        deadline = time.monotonic() + 30
        while any(alive(p) for p in old_pids) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(alive(p) for p in old_pids)
        assert not set(reloadable.engine.worker_pids) & old_pids


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is a dead process not yet reaped
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


BROKEN = {
    "syntax": ('bxr:broken-entity a bx:Forum ;\n    skos:prefLabel "never closed@en .\n', "data/benelux-union.ttl:"),
    "violation": ("bxr:forum-without-anything a bx:Forum .\n", "Violation"),
}


@pytest.mark.parametrize("kind", BROKEN)
def test_a_bad_release_is_refused_and_the_old_one_keeps_serving(reloadable, project_copy, kind):
    addition, expected = BROKEN[kind]
    with httpx.Client(base_url=reloadable.url, timeout=120) as c:
        before = served(c)
        relabel(project_copy, LABEL_B)
        with open(project_copy / UNION_FILE, "a", encoding="utf-8") as f:
            f.write("\n" + addition)
        r = c.post("/admin/reload", headers=AUTH)
        assert r.status_code == 409, r.text
        error = r.json()["error"]
        assert error["type"] == "release-refused"
        assert any(expected in p for p in error["problems"]), error
        if kind == "syntax":  # file, line and reason
            line = (project_copy / UNION_FILE).read_text().count("\n") - 0
            assert any(f"{UNION_FILE}:{n}" in p for p in error["problems"] for n in range(line - 3, line + 2)), error
        assert served(c) == before
        assert c.get("/healthz").json()["release"] == before[0]
        assert reloadable.runtime.releases.reloads == 0
        # once fixed, the next reload goes through
        (project_copy / UNION_FILE).write_text(
            (project_copy / UNION_FILE).read_text().replace("\n" + addition, ""), encoding="utf-8"
        )
        r = c.post("/admin/reload", headers=AUTH)
        assert r.status_code == 200, r.text
        assert served(c) == (r.json()["release"], LABEL_B)


def test_sighup_reloads_when_enabled(project_copy):
    server = ServerProcess(root=project_copy, workers=1, reload_signal=True)
    with server, httpx.Client(base_url=server.url, timeout=60) as c:
        release_a, label = served(c)
        assert label == LABEL_A
        relabel(project_copy, LABEL_B)
        server.signal(signal.SIGHUP)
        deadline = time.monotonic() + 60
        while served(c)[0] == release_a and time.monotonic() < deadline:
            time.sleep(0.2)
        release_b, label = served(c)
        assert release_b != release_a and label == LABEL_B
        # a broken release on SIGHUP: refused, logged, the server goes on
        with open(project_copy / UNION_FILE, "a", encoding="utf-8") as f:
            f.write("\nthis is not turtle\n")
        server.signal(signal.SIGHUP)
        deadline = time.monotonic() + 60
        while b"reload refused" not in server.log and time.monotonic() < deadline:
            time.sleep(0.2)
        assert b"reload refused" in server.log and b"data/benelux-union.ttl:" in server.log
        assert served(c) == (release_b, LABEL_B)


def test_a_reload_reaches_every_server_process_of_serve(project_copy, tmp_path):
    """`serve` runs two server processes by default on two cores: a reload received by one reached only that one,
    and every other connection was answered from the old release for good."""
    with serving(tmp_path, processes=2, root=str(project_copy), admin_token=TOKEN, workers="1") as url:
        release_a, label = fresh(url)
        assert label == LABEL_A
        relabel(project_copy, LABEL_B)
        with httpx.Client(base_url=url, timeout=60) as c:
            r = c.post("/admin/reload", headers=AUTH)
        assert r.status_code == 200, r.text
        assert r.json()["other_processes_restarted"] is True
        release_b = r.json()["release"]
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:  # the other process is replaced within seconds
            answers = {fresh(url) for _ in range(20)}  # a new connection each: either process may take it
            if answers == {(release_b, LABEL_B)}:
                break
            time.sleep(0.5)
        assert answers == {(release_b, LABEL_B)}, answers


def fresh(url: str) -> tuple[str, str]:
    """What a new connection is answered (no keep-alive: each may reach another server process)."""
    with httpx.Client(base_url=url, timeout=60) as c:
        return served(c)


def test_a_retired_release_is_freed(reloadable, project_copy):
    """After a reload the retired release's runtime (store, indexes, caches) is freed: nothing still refers to it
    (FastAPI's caches of what each endpoint is, keyed on the endpoint, a closure over its release's runtime, kept
    one release in memory per reload)."""
    import gc
    import weakref

    releases = reloadable.runtime.releases
    with httpx.Client(base_url=reloadable.url, timeout=120) as c:
        relabel(project_copy, LABEL_B)
        assert c.post("/admin/reload", headers=AUTH).status_code == 200
        served(c)  # the reloaded release serves a query, a page and the VoID page: its caches are used
        assert c.get("/ontology", headers={"Accept": "text/html"}).status_code == 200
        assert c.get("/.well-known/void", headers={"Accept": "text/html"}).status_code == 200
        reloaded = weakref.ref(releases.current.runtime)
        relabel(project_copy, LABEL_A)
        assert c.post("/admin/reload", headers=AUTH).status_code == 200
        assert served(c)[1] == LABEL_A
    deadline = time.monotonic() + 30
    while reloaded() is not None and time.monotonic() < deadline:  # closed by a thread of its own, then collected
        gc.collect()
        time.sleep(0.1)
    assert not releases.retired
    holders = []
    if reloaded() is not None:
        gc.unfreeze()  # a frozen holder, or the runtime frozen itself, is out of get_referrers' reach
        holders = [type(r).__name__ for r in gc.get_referrers(reloaded())]
    assert reloaded() is None, f"the retired runtime is still referenced by {holders}"
