"""The query engine of a server whose store is a remote SPARQL store (`benelux-graph serve --store URL`).

It implements protocols.Engine, as engine.QueryEngine does (start, close, run, run_async, size, worker_pids), so the routes do
not know which one serves them: a job goes to the store through RemoteStore (SPARQLWrapper) from a bounded
pool of threads (the wait is network, not Python), and its answer is cut at the row cap and written in the
wanted format as a worker would (engine.collect, engine.written).

The safety rules are those of the embedded store. The routes' guard has refused updates, LOAD and SERVICE
(unless allow-listed) before a job gets here. The dataset is always named by the protocol: the query's own
FROM / FROM NAMED (removed from the text) or the request's graph parameters, narrowed to the release's graphs;
any other graph becomes one that is empty, so the store neither fetches a graph nor shows its own. The store
stops a query at the request's time limit (Virtuoso's `timeout` parameter), and a partial answer it sends at
that limit is refused, not served (RemoteStore).
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

from .errors import EngineError, QueryTimeout
from .query_jobs import Job, collect, syntax_error, written
from .query_rewriting import dataset_clauses
from .remote import RemoteStore, RemoteStoreError
from .results import Result
from .settings import Settings

#: A graph no release has: what a dataset names instead of a graph outside the release (an empty graph).
EMPTY_GRAPH = "urn:x-benelux-graph:empty"
#: Requests in flight to the store per query-worker setting: the threads wait on the network, not on a core.
THREADS_PER_WORKER = 4
#: Seconds past the time limit the store may take to say it stopped the query, before the request gives up.
GRACE = 2.0


class RemoteEngine:
    """Runs jobs on a RemoteStore, at most `size` at a time."""

    def __init__(self, settings: Settings, store: RemoteStore):
        self.settings, self.store = settings, store
        self.release = store.release
        self.size = max(1, settings.workers) * THREADS_PER_WORKER
        self._pool: ThreadPoolExecutor | None = None

    def start(self) -> None:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.size, thread_name_prefix="benelux-remote-query")

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)

    @property
    def worker_pids(self) -> set[int]:
        return set()  # no worker processes: the store runs the queries

    def dataset(self, job: Job) -> tuple[list[str] | None, list[str] | None]:
        """(default graphs, named graphs) to name to the store; None leaves the store's default (the ontology and
        data graphs; every graph of the release for GRAPH)."""
        if job.default_graphs is not None or job.named_graphs is not None:
            return self._narrow(job.default_graphs), self._narrow(job.named_graphs)
        clauses = dataset_clauses(job.query, job.prefixes) if job.query_has_dataset else None
        if clauses is None:
            return None, None
        default, named = clauses  # a dataset of the query's own: what it does not name is empty (SPARQL 1.1, 13.2)
        return self._narrow(default) or [EMPTY_GRAPH], self._narrow(named) or [EMPTY_GRAPH]

    def _narrow(self, graphs) -> list[str] | None:
        if graphs is None:
            return None
        release = self.store.files
        kept = [g for g in graphs if g in release]
        return kept if len(kept) == len(graphs) else kept + [EMPTY_GRAPH]

    def run(self, job: Job, timeout: float) -> Result:
        """Run a job on the store and wait for its answer (blocking: call it from a thread)."""
        default, named = self.dataset(job)
        start = time.perf_counter()
        try:
            answer = self.store.query(
                job.query,
                job.substitutions,
                default_graph=default,
                named_graphs=named,
                prefixes=job.prefixes,
                timeout=timeout,
            )
            result = collect(answer, job.max_rows)
        except SyntaxError as e:
            raise syntax_error(e) from None
        except RemoteStoreError as e:
            raise EngineError(f"the graph store did not answer: {e}", status=502) from None
        result.seconds = time.perf_counter() - start
        return written(result, job.formats)

    async def run_async(self, job: Job, timeout: float) -> Result:
        self.start()
        loop = asyncio.get_running_loop()
        sent = time.perf_counter()
        try:
            result = await asyncio.wait_for(loop.run_in_executor(self._pool, self.run, job, timeout), timeout + GRACE)
        except TimeoutError:
            raise QueryTimeout(f"the query ran longer than the time limit of {timeout:g} s and was stopped") from None
        result.round_trip = time.perf_counter() - sent
        return result
