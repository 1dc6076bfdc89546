"""A query job and its evaluation in this process over a store: pyoxigraph's answer collected into a Result (rows
cut at the job's caps) and written in the job's format. What a query worker runs (query_workers.py), and the fast
lane's threads (fastlane.py); tools and tests run it directly.

A store for it is loaded with `local_store`: the default graphs (ontology and data) merged into the store's own
default graph (`merge_default_graph`: a query then runs over one graph rather than a union of some fifteen, 3 to
10 times faster) and warmed up.
"""

from __future__ import annotations

import re
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .errors import EvaluationError, QueryError, QueryRefused
from .formats import GRAPHS, RESULTS
from .result_writers import capped
from .results import Result
from .sparql_text import star_projection
from .store import bind_variables

#: What relative IRIs in a query are resolved against (a query's own BASE wins); see the README.
BASE_IRI = "https://w3id.org/benelux-graph/"


@dataclass(frozen=True)
class Job:
    """One query to run. `default_graphs`/`named_graphs` of None leave the choice to the query (FROM) or the
    store's default (the ontology and data graphs; every named graph for GRAPH)."""

    query: str
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    substitutions: dict | None = None
    prefixes: dict[str, str] | None = None
    max_rows: int = 10_000
    query_has_dataset: bool = False
    #: (results format, graph format) by api.negotiation name: the worker writes the answer in the one that fits
    #: its kind and returns the bytes; None (or None for that kind) returns the terms.
    formats: tuple[str | None, str | None] | None = None
    #: who asks (the rate limiter's client key): the workers are shared fairly between clients (QueryEngine)
    client: str | None = None
    #: the most bytes the written answer may hold (0: no limit); more rows or triples are cut, as at max_rows
    max_bytes: int = 0


def written(result: Result, formats: tuple[str | None, str | None] | None, max_bytes: int = 0) -> Result:
    """The result with its answer written in the format of `formats` that fits its kind (terms dropped), at most
    `max_bytes` long (result_writers.capped), or as it was when no format fits (the caller then says which
    formats it could have had)."""
    if not formats:
        return result
    name = formats[1] if result.kind == "graph" else formats[0]
    offered = GRAPHS if result.kind == "graph" else RESULTS
    fmt = next((f for f in offered if f.name == name), None)
    if fmt is None:
        return result
    body, result = capped(result, fmt, max_bytes)
    return Result(
        result.kind,
        result.variables,
        boolean=result.boolean,
        truncated=result.truncated,
        seconds=result.seconds,
        body=body,
        format=fmt.name,
        count=result.size,
    )


SYNTAX_POSITION = re.compile(r"at (\d+):(\d+)")


def syntax_error(error: SyntaxError) -> QueryError:
    """The parser's message, with the line and column it gives ('error at 3:2: expected ...')."""
    message = str(error.args[0] if error.args else error)
    m = SYNTAX_POSITION.search(message)
    return QueryError(message, int(m.group(1)), int(m.group(2))) if m else QueryError(message)


def execute(store, job: Job) -> Result:
    """Run one job on a GraphStore (in a worker, or in-process for tools and tests)."""
    start = time.perf_counter()
    with evaluation_errors():
        result = collect(evaluate(store, job), job.max_rows, job.max_bytes)
    result.seconds = time.perf_counter() - start
    return result


def evaluate(store, job: Job):
    """pyoxigraph's answer to the job (solutions and triples are computed as they are read)."""
    kwargs: dict = {}
    if job.prefixes:
        kwargs["prefixes"] = job.prefixes
    # Parameters are bound by a VALUES block first in WHERE (store.bind_variables): Oxigraph's own substitution
    # does not let the planner use the value, which made parameterised path queries hundreds of times slower.
    text = bind_variables(job.query, job.substitutions) if job.substitutions else job.query
    if job.default_graphs is not None:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs]
    elif not job.query_has_dataset and not getattr(store, "merged_default_graph", False):
        kwargs["default_graph"] = [ox.NamedNode(g) for g in store.default_graphs]
    if job.named_graphs is not None:
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
    answer = store.store.query(SPELLED_OUT.get(text, text), base_iri=BASE_IRI, **kwargs)
    star = star_projection(job.query) if isinstance(answer, ox.QuerySolutions) else None
    if star is None:
        return answer
    # `SELECT *`: Oxigraph gives the variables alphabetically; they are named in order of appearance instead (the
    # query planned again, not yet evaluated: solutions are computed as they are read), so every writer,
    # pyoxigraph's own included, writes them in that order
    names = [v.value for v in answer.variables]
    ordered = [n for n in star[1] if n in names] + [n for n in names if n not in star[1]]
    if ordered == names:
        return answer
    offset = star_projection(text)[0] if text is not job.query else star[0]  # type: ignore[index]
    spelled = text[:offset] + " ".join("?" + n for n in ordered) + text[offset + 1 :]
    if len(SPELLED_OUT) >= 256:  # a query's in-scope variables depend on its text only: kept for the next run
        SPELLED_OUT.clear()
    SPELLED_OUT[text] = spelled
    return store.store.query(spelled, base_iri=BASE_IRI, **kwargs)


#: `SELECT *` query texts whose variables Oxigraph would sort -> the same with the `*` spelled out in order of
#: appearance (evaluate): planned once instead of twice when they come again.
SPELLED_OUT: dict[str, str] = {}


@contextmanager
def evaluation_errors():
    """pyoxigraph's errors, while a query is parsed, evaluated or read, as the endpoint's."""
    try:
        yield
    except SyntaxError as e:
        raise syntax_error(e) from None
    except (OSError, RuntimeError, ValueError, TypeError) as e:
        if "os error 24" in str(e) or "Too many open files" in str(e):  # a sealed worker tried to open something
            raise QueryRefused(
                "the query tried to fetch from the network or read a file, which this endpoint "
                "never does (SERVICE is refused)"
            ) from None
        raise EvaluationError(f"the query failed while running: {e}") from None


def merge_default_graph(store) -> None:
    """Copy the triples of the store's default graphs into its own (unnamed) default graph, once; `execute` then
    runs a query without a dataset of its own over that one graph. The named graphs stay as they are (GRAPH,
    FROM and the protocol's graph parameters see the same graphs as before)."""
    if getattr(store, "merged_default_graph", False):
        return
    graphs = " ".join(f"<{g}>" for g in store.default_graphs)
    if graphs:
        store.store.update(f"INSERT {{ ?s ?p ?o }} WHERE {{ VALUES ?g {{ {graphs} }} GRAPH ?g {{ ?s ?p ?o }} }}")
    store.merged_default_graph = True


def weight(term) -> int:
    """About the bytes a term takes in an answer: its text (the markup around it is not counted)."""
    if term is None:
        return 0
    value = getattr(term, "value", None)
    return len(value) if isinstance(value, str) else len(str(term))


#: A worker collects terms of up to this many times an answer's byte limit in text: Turtle's prefixes and
#: abbreviations write them in less, and result_writers.capped then cuts the written answer where it must.
COLLECT_FACTOR = 3


def collect(answer, max_rows: int, max_bytes: int = 0) -> Result:
    """The answer's rows or triples, cut at `max_rows` and where their text passes COLLECT_FACTOR x `max_bytes`
    (0: no limit), so that the worker never holds much more than an answer may hold."""
    if isinstance(answer, ox.QueryBoolean):
        return Result("boolean", boolean=bool(answer))
    size, limit = 0, max_bytes * COLLECT_FACTOR or float("inf")
    if isinstance(answer, ox.QuerySolutions):
        variables = [v.value for v in answer.variables]
        rows: list[tuple] = []
        for solution in answer:
            if len(rows) >= max_rows:
                return Result("bindings", variables, rows, truncated=True)
            row = tuple(solution[i] for i in range(len(variables)))
            if max_bytes:
                size += sum(map(weight, row))
                if size > limit:
                    return Result("bindings", variables, rows, truncated=True)
            rows.append(row)
        return Result("bindings", variables, rows)
    triples: list[ox.Triple] = []
    for triple in answer:
        if len(triples) >= max_rows:
            return Result("graph", triples=triples, truncated=True)
        if max_bytes:
            size += weight(triple.subject) + weight(triple.predicate) + weight(triple.object)
            if size > limit:
                return Result("graph", triples=triples, truncated=True)
        triples.append(triple)
    return Result("graph", triples=triples)


def run_here(store, job: Job) -> Result:
    """Run a job and write its answer in its format, in this process (a worker, or a fast-lane thread)."""
    return written(execute(store, job), job.formats, job.max_bytes)


def run_in_thread(store, job: Job) -> Result:
    """`run_here` for a fast-lane thread: SPARQL JSON results are written by pyoxigraph itself, which evaluates and
    writes without the interpreter lock. Read row by row in Python (`collect`), a query takes the lock for its
    rows and for what it evaluates as they are read (a GROUP BY: all of it), which the server's event loop needs
    meanwhile: with a loop kept busy beside it, a thread ran the bench's class count 48-80 times a second this
    way, 114-152 natively. The bytes are the same as `bindings_json` writes (the `truncated` flag added); an
    answer past the row or byte cap, or whose rows cannot be counted from its bytes, is run again the usual way,
    which cuts it. (A worker keeps to `run_here`: there an answer of any size must be cut, not written whole.)"""
    if not job.formats or job.formats[0] != "json":
        return run_here(store, job)
    start = time.perf_counter()
    with evaluation_errors():
        answer = evaluate(store, job)
        if not isinstance(answer, ox.QuerySolutions):
            result = collect(answer, job.max_rows, job.max_bytes)
            result.seconds = time.perf_counter() - start
            return written(result, job.formats, job.max_bytes)
        variables = [v.value for v in answer.variables]
        body = answer.serialize(format=ox.QueryResultsFormat.JSON) or b""  # bytes, as no output is given
    rows = json_rows(body)
    if rows is None or rows > job.max_rows or (job.max_bytes and len(body) > job.max_bytes):
        return run_here(store, job)
    body = body.replace(b'},"results":', b'},"truncated":false,"results":', 1)  # after the head (as bindings_json)
    return Result("bindings", variables, seconds=time.perf_counter() - start, body=body, format="json", count=rows)


def json_rows(body: bytes) -> int | None:
    """The rows of SPARQL JSON results as pyoxigraph writes them, counted from the bytes: a row after the first
    begins with `,{"` (a quote inside a value is written `\\"`); None when a row may have no binding (`{}`, which
    a value can also hold)."""
    start = body.find(b'"bindings":[')
    if start < 0 or b"{}" in body[start:]:
        return None
    if body.endswith(b'"bindings":[]}}'):
        return 0
    return 1 + body.count(b',{"')


def local_store(snapshot: str, files: dict[str, str], release: str):
    """A store loaded from the snapshot, its default graphs merged and warmed up: what a worker queries."""
    from .store import GraphStore

    store = GraphStore.from_snapshot(Path(snapshot), {g: Path(p) for g, p in files.items()}, release)
    merge_default_graph(store)
    for text in WARM_UP:  # also imports, before sealing, what writing the answers needs
        run_here(store, Job(text, max_rows=1, formats=("json", "turtle")))
    return store


WARM_UP = (
    "SELECT * { ?s ?p ?o } LIMIT 1",
    "ASK { ?s ?p ?o }",
    "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1",
    "DESCRIBE ?s { ?s ?p ?o } LIMIT 1",
)
