"""The seams between the floors, declared: what the services and the routes use of a store and of a query engine.

`Store` is implemented by the embedded store (store.GraphStore, Oxigraph in this process) and the remote one
(remote.RemoteStore, a SPARQL endpoint holding a published release); `Engine` by the pool of query worker
processes (engine.QueryEngine) and the remote engine (remote_engine.RemoteEngine). tests/test_protocols.py checks
that each implements every member with the same parameters.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import pyoxigraph as ox
import rdflib

from .query_jobs import Job
from .results import Result


class Store(Protocol):
    """The named graphs of one release, and SPARQL over them."""

    @property
    def release(self) -> str: ...

    @property
    def files(self) -> dict[str, Path] | dict[str, None]: ...  # named graph -> its source file (none if remote)

    def graphs(self, kind: str) -> list[str]: ...  # named graphs of one kind: 'ontology', 'shapes' or 'data'

    @property
    def default_graphs(self) -> list[str]: ...  # what a query sees without FROM or GRAPH

    def query(
        self, sparql: str, substitutions: dict | None = None, *, default_graph: Any = None, named_graphs: Any = None
    ) -> Any: ...  # pyoxigraph's result objects (QuerySolutions, QueryBoolean, QueryTriples)

    def __len__(self) -> int: ...

    def graph_sizes(self) -> dict[str, int]: ...

    def default_graph_size(self) -> int: ...

    def quads(self, graph: str | None = None) -> list[ox.Quad]: ...

    def rdflib_graph(self, graphs: list[str]) -> rdflib.Graph: ...

    # rdflib views, each built once (store.RdflibViews)
    @property
    def data(self) -> rdflib.Graph: ...

    @property
    def shapes(self) -> rdflib.Graph: ...

    @property
    def dataset(self) -> rdflib.Dataset: ...


class Engine(Protocol):
    """Runs query jobs within a time limit, `size` at a time for one client."""

    size: int
    release: str

    def start(self) -> None: ...

    def close(self) -> None: ...

    @property
    def worker_pids(self) -> set[int]: ...

    def run(self, job: Job, timeout: float) -> Result: ...

    async def run_async(self, job: Job, timeout: float) -> Result: ...


if TYPE_CHECKING:  # the type checker (make types) checks that each implementation conforms
    from .engine import QueryEngine
    from .remote import RemoteStore
    from .remote_engine import RemoteEngine
    from .store import GraphStore

    def _conforming(
        a: GraphStore, b: RemoteStore, c: QueryEngine, d: RemoteEngine
    ) -> tuple[Store, Store, Engine, Engine]:
        return a, b, c, d
