"""Fixtures of the linked-data tests: the publication and one dump of it, the app in-process (httpx over ASGI:
no socket, no query worker started), a real uvicorn server on a free 127.0.0.1 port for the browser test, and
Debian's Chromium for Playwright.

RDF read back with rdflib is compared with what is expected through RDFC-1.0 canonical forms (`canonical`):
two graphs are isomorphic exactly when their canonical forms are equal, and computing them takes milliseconds
where rdflib's own isomorphism check takes seconds on graphs with hundreds of blank nodes.
"""

from __future__ import annotations

import asyncio
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
import rdflib
import uvicorn

from benelux_graph.api.app import create_app
from benelux_graph.dumps import Publication, queries_quads

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # live_server.py

from live_server import CHROMIUM, CHROMIUM_ARGS, free_port  # noqa: E402

DEFAULT = "urn:x-rdflib:default"


def ox_term(t):
    if isinstance(t, rdflib.URIRef):
        return ox.NamedNode(str(t))
    if isinstance(t, rdflib.BNode):
        return ox.BlankNode(str(t))
    if t.language:
        return ox.Literal(str(t), language=t.language)
    return ox.Literal(str(t), datatype=ox.NamedNode(str(t.datatype))) if t.datatype else ox.Literal(str(t))


def canonical(statements) -> set[str]:
    """The RDFC-1.0 canonical N-Quads lines of rdflib (s, p, o) or (s, p, o, graph-IRI) tuples."""
    quads = []
    for st in statements:
        s, p, o = (ox_term(x) for x in st[:3])
        g = st[3] if len(st) > 3 else None
        quads.append(
            ox.Quad(s, p, o, ox.NamedNode(str(g)) if g is not None and str(g) != DEFAULT else ox.DefaultGraph())
        )
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return {str(q) for q in dataset}


def rdflib_quads(dataset: rdflib.Dataset) -> list[tuple]:
    return [(s, p, o, g.identifier) for g in dataset.graphs() for s, p, o in g]


@pytest.fixture(scope="session")
def publication(settings, store):
    return Publication(store, settings)


@pytest.fixture(scope="session")
def expected_quads(settings, store) -> list[tuple]:
    """Every statement as rdflib reads the source files (one graph per file), plus the saved-queries graph."""
    quads = rdflib_quads(store.dataset)
    queries = rdflib.Dataset()
    queries.parse(data=ox.serialize(queries_quads(settings), format=ox.RdfFormat.N_QUADS), format="nquads")
    return quads + rdflib_quads(queries)


@pytest.fixture(scope="session")
def dump_dir(publication, tmp_path_factory):
    out = tmp_path_factory.mktemp("dump")
    publication.write(out)
    return out


class AsgiClient:
    """A synchronous client for an ASGI app, in-process: each call runs one httpx.AsyncClient request in a
    thread of its own (Playwright's synchronous API keeps an event loop running in the main thread)."""

    def __init__(self, app):
        self.app = app
        self.runner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ld-asgi-client")

    def request(self, method: str, url: str, **kwargs) -> httpx.Response:
        async def go():
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
                return await client.request(method, url, **kwargs)

        return self.runner.submit(asyncio.run, go()).result(timeout=120)

    def get(self, url: str, **kwargs) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def head(self, url: str, **kwargs) -> httpx.Response:
        return self.request("HEAD", url, **kwargs)

    def post(self, url: str, **kwargs) -> httpx.Response:
        return self.request("POST", url, **kwargs)


@pytest.fixture(scope="session")
def ld_app(settings, store):
    return create_app(replace(settings, workers=1), store)


@pytest.fixture(scope="session")
def client(ld_app):
    c = AsgiClient(ld_app)
    yield c
    c.runner.shutdown()


@pytest.fixture(scope="session")
def ld_server(settings, store):
    """create_app served by uvicorn in a thread on a free 127.0.0.1 port."""
    port = free_port()
    app = create_app(replace(settings, host="127.0.0.1", port=port, workers=1), store)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, name=f"ld-uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(f"the test server on port {port} did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(15)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "headless": True, "args": CHROMIUM_ARGS}
