"""The fixtures every test folder shares (tests/conftest.py imports them): the settings of this checkout and its
store, loaded once; the application in-process with one ASGI client; one real server (`live_server`) with an
HTTP client on it; a canary; a copy of the project; Debian's Chromium for Playwright.

A folder whose tests need other limits makes a server of its own with LiveServer (tests/api's capped_server) or
overrides `live_server` (tests/reliability, with its reliability settings).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from benelux_graph.api.app import create_app
from benelux_graph.settings import Settings
from benelux_graph.store import GraphStore

from .asgi import AsgiClient
from .live_server import CHROMIUM, CHROMIUM_ARGS, Canary, LiveServer
from .project import ROOT, copy_project


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings(root=ROOT)


@pytest.fixture(scope="session")
def store(settings) -> GraphStore:
    return GraphStore.load(settings)


@pytest.fixture(scope="session")
def shacl_report(settings):
    """validation.validate_files(settings, files), computed once per list of files for the whole session (the
    shapes, the ontology, the data and the cases do not change while the tests run): the shapes tests, the second
    engine's and the completeness tests ask for the same reports."""
    from benelux_graph.validation import validate_files

    reports: dict = {}

    def report(files: list[Path] | None = None):
        key = None if files is None else tuple(files)
        if key not in reports:
            reports[key] = validate_files(settings, None if files is None else list(files))
        return reports[key]

    return report


@pytest.fixture(scope="session")
def app(settings, store):
    """The application over the session's store, in-process (its query workers start on the first query)."""
    return create_app(replace(settings, workers=1), store)


@pytest.fixture(scope="session")
def asgi_client(app):
    client = AsgiClient(app)
    yield client
    client.close()


@pytest.fixture(scope="session")
def live_server(settings, store):
    """The application served by uvicorn on a free 127.0.0.1 port: two query workers, 10 s per query."""
    server = LiveServer(replace(settings, workers=2, query_timeout=10.0), store).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def http(live_server):
    """An HTTP client on the live server that sends `Accept-Encoding: identity` (httpx asks for gzip by default)
    and decodes nothing unless told."""
    with httpx.Client(base_url=live_server.url, timeout=60, headers={"Accept-Encoding": "identity"}) as c:
        yield c


@pytest.fixture
def canary():
    c = Canary()
    yield c
    c.close()


@pytest.fixture
def project_copy(tmp_path) -> Path:
    return copy_project(tmp_path / "project")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: run `make setup-browser`"
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "headless": True, "args": CHROMIUM_ARGS}
