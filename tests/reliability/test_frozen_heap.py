"""The server process's startup leaves the collector nothing big to walk (issue 13): what the first page view builds
(the pages' index, api/app.app_from_env) is made before gc.freeze(), so that a full collection under load does
not walk it (60-110 ms on the event loop, measured under the attack mix, when it was built on first use)."""

from __future__ import annotations

import gc
import time

from starlette.testclient import TestClient

from benelux_graph.api.app import app_from_env


def test_a_page_view_after_startup_leaves_the_collector_little_to_walk(monkeypatch):
    from support.live_server import ROOT

    monkeypatch.setenv("BENELUX_ROOT", str(ROOT))
    try:
        app = app_from_env()  # freezes what startup made (this test process's objects too)
        with TestClient(app) as c:
            assert c.get("/page/benelux-union", headers={"Accept": "text/html"}).status_code == 200
            gc.collect()
            walked = len(gc.get_objects())
        assert walked < 30_000, f"{walked} objects left for the collector's full passes after one page view"
    finally:
        gc.unfreeze()


def test_a_page_view_after_a_reload_leaves_the_collector_little_to_walk(monkeypatch):
    """A reload (release_reload.Releases.reload, as POST /admin/reload and SIGHUP run it) builds the new release's
    pages' index before the switch and, once the old release is gone, freezes again: the index built after the
    startup's freeze was walked by every full collection, as at startup before."""
    from support.live_server import ROOT

    monkeypatch.setenv("BENELUX_ROOT", str(ROOT))
    try:
        app = app_from_env()
        with TestClient(app) as c:
            assert c.get("/healthz").status_code == 200  # the release switch is in place
            releases = app.state.runtime.releases
            assert releases.reload()["status"] == "reloaded"
            retire(releases)
            r = c.get("/page/benelux-union", headers={"Accept": "text/html"})
            assert r.status_code == 200 and r.headers["x-benelux-release"] == releases.release
            gc.collect()
            walked = len(gc.get_objects())
        assert walked < 30_000, f"{walked} objects left for the collector's full passes after a reload"
    finally:
        gc.unfreeze()


def retire(releases) -> None:
    """Wait until the release a reload replaced is closed (in a thread of its own)."""
    deadline = time.monotonic() + 60
    while releases.retired and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not releases.retired
