"""A remote SPARQL 1.1 store as the graph's backend, holding a release `publish` (publish.py) loaded into it:
queried like the embedded store (the query text as it is sent: query_rewriting.py).

`RemoteStore` answers `.query(sparql, substitutions=None, default_graph=None, named_graphs=None)` with the same
pyoxigraph result objects as `GraphStore.query` (QuerySolutions, QueryBoolean, QueryTriples), through SPARQLWrapper.
Every query names its dataset by the protocol (`default-graph-uri`, `named-graph-uri`): the default graph is the
ontology and data graphs, the named graphs are the project's graphs, so a store's own graphs (Virtuoso's system
graphs) are never seen, and a `FROM` in the query text is overridden, as it is on the embedded store.

Two traps of real stores are checked rather than trusted: an answer cut by the store's own row cap (Virtuoso's
`ResultSetMaxRows`, 10,000 by default: `check_row_cap` finds it) and a partial "anytime" answer sent when the
store's time limit is hit (Virtuoso's `X-SQL-State` header: raised as QueryTimeout, never returned as complete).

Credentials: BENELUX_STORE_USER / BENELUX_STORE_PASSWORD (read here until they are Settings fields).
"""

from __future__ import annotations

import math
import os
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import pyoxigraph as ox
import rdflib
from SPARQLWrapper import DIGEST, JSON, POST, TURTLE, SPARQLWrapper
from SPARQLWrapper import SPARQLExceptions as swe

from . import __version__
from .errors import BeneluxGraphError, QueryTimeout
from .namespaces import DCTERMS, GRAPH, OWL, bind_prefixes
from .query_rewriting import check_syntax, strip_dataset
from .store import RdflibViews, bind_variables

ENV_USER = "BENELUX_STORE_USER"
ENV_PASSWORD = "BENELUX_STORE_PASSWORD"

#: The graph recording what was published: the release id and the graphs it holds.
RELEASE_GRAPH = str(GRAPH["release"])
#: The ontology and data graphs merged into one graph, published next to them: a query's default graph is this
#: one graph rather than the fourteen-odd graphs it merges, because Virtuoso 7.2 gives wrong (empty) answers to
#: some queries (a property path with an OPTIONAL { … FILTER(lang(…)) }) once a query has more than 8 default graphs.
UNION_GRAPH = str(GRAPH["default"])
RELEASE_OF = str(OWL.versionInfo)  # <release graph> owl:versionInfo "0.1.0+abcdef123456"
HAS_GRAPH = str(DCTERMS.hasPart)  # <release graph> dcterms:hasPart <graph> (one per published graph)
PUBLISHED = str(DCTERMS.modified)  # <release graph> dcterms:modified "…"^^xsd:dateTime
XSD_DATETIME = "http://www.w3.org/2001/XMLSchema#dateTime"

RESULTS_ACCEPT = "application/sparql-results+json"
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, text/plain;q=0.5"
GRAPH_FORMATS = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "text/rdf+n3": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
RESULT_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}


class RemoteStoreError(BeneluxGraphError, OSError):
    """The remote store cannot be reached, refused the credentials, failed, or holds no published release."""


def credentials(user: str | None = None, password: str | None = None) -> tuple[str | None, str | None]:
    """Explicit credentials, else BENELUX_STORE_USER / BENELUX_STORE_PASSWORD from the environment."""
    return (
        user if user is not None else os.environ.get(ENV_USER) or None,
        password if password is not None else os.environ.get(ENV_PASSWORD) or None,
    )


# --- RemoteStore --------------------------------------------------------------------------------------------------


def graph_kind(name: str) -> str | None:
    if name == str(GRAPH["ontology"]):
        return "ontology"
    for kind in ("shapes", "data"):
        if name.startswith(str(GRAPH[kind + "/"])):
            return kind
    return None


#: The saved queries' graph (dumps.QUERIES_GRAPH): published with the release, but made from queries/, not a
#: source file, so it is not among a store's `files` (GraphStore keeps it beside them too).
QUERIES_GRAPH = str(GRAPH["queries"])


def ordered_graphs(names) -> list[str]:
    """The order GraphStore loads files in: the ontology, then shapes, then data, then anything else; by name."""
    rank: dict[str | None, int] = {"ontology": 0, "shapes": 1, "data": 2}
    return sorted(set(names), key=lambda g: (rank.get(graph_kind(g), 3), g))


def as_iris(graphs, what: str) -> list[str]:
    if graphs is None:
        return []
    if isinstance(graphs, (str, ox.NamedNode, ox.BlankNode, ox.DefaultGraph)):
        graphs = [graphs]
    out = []
    for g in graphs:
        if isinstance(g, ox.NamedNode):
            out.append(g.value)
        elif isinstance(g, str):
            out.append(g)
        else:
            raise TypeError(f"{what}: a remote store can only be given named graphs (IRIs), not {g!r}")
    return out


def media_type(headers) -> str:
    return (headers.get("Content-Type") or "").split(";")[0].strip().lower()


class RemoteStore(RdflibViews):
    """A SPARQL 1.1 query endpoint holding a published release, queried like GraphStore.

    url       the query endpoint (Virtuoso: http://host:8890/sparql)
    graphs    the project's named graphs (default: those the release graph lists)
    timeout   seconds a query may run (sent to Virtuoso as its `timeout`, and the HTTP time-out)
    user, password  for a store that wants them on queries (default: BENELUX_STORE_USER / _PASSWORD)
    release   the release id (default: what the release graph records)
    """

    def __init__(
        self,
        url: str,
        graphs: list[str] | None = None,
        timeout: float = 30.0,
        user: str | None = None,
        password: str | None = None,
        release: str | None = None,
    ):
        self.url, self.timeout = url, timeout
        self.user, self.password = credentials(user, password)
        self.published = None
        self._sizes: dict[str, int] | None = None
        self.union_graph: str | None = None  # UNION_GRAPH once the release graph says it was published
        self.extra_graphs: list[str] = []  # [QUERIES_GRAPH] once the release graph says it was published
        # both known once __init__ returns: given, or read from the release graph
        self.graphs_: list[str] = ordered_graphs(graphs) if graphs is not None else []
        self.release_: str = release if release is not None else ""
        if graphs is None or release is None:
            info = read_release(self)
            if info is None:
                if graphs is None:
                    raise RemoteStoreError(
                        f"{url} holds no published release (no graph <{RELEASE_GRAPH}>): "
                        f"run `benelux-graph publish --to {url}` first"
                    )
            else:
                release = release or info["release"]
                self.published = info["published"]
                if UNION_GRAPH in info["graphs"]:
                    self.union_graph = UNION_GRAPH
                self.extra_graphs = [QUERIES_GRAPH] if QUERIES_GRAPH in info["graphs"] else []
                if graphs is None:
                    self.graphs_ = ordered_graphs(g for g in info["graphs"] if g not in (UNION_GRAPH, QUERIES_GRAPH))
        self.release_ = release if release is not None else __version__

    def refresh(self) -> bool:
        """Read the release graph again; True if another release was published since (a server then drops its
        caches and makes a new RemoteStore: the rdflib views here belong to the release they were read from)."""
        info = read_release(self)
        if info is None or info["release"] == self.release_:
            return False
        self.release_, self.published = info["release"], info["published"]
        self.union_graph = UNION_GRAPH if UNION_GRAPH in info["graphs"] else None
        self.extra_graphs = [QUERIES_GRAPH] if QUERIES_GRAPH in info["graphs"] else []
        self.graphs_ = ordered_graphs(g for g in info["graphs"] if g not in (UNION_GRAPH, QUERIES_GRAPH))
        self._sizes = None
        for name in ("data", "shapes", "dataset"):
            self.__dict__.pop(name, None)
        return True

    def __repr__(self) -> str:
        return f"RemoteStore({self.url!r}, release={self.release_!r}, graphs={len(self.graphs_ or ())})"

    # GraphStore's interface -----------------------------------------------------------------------------------

    @property
    def release(self) -> str:
        return self.release_

    @property
    def files(self) -> dict[str, None]:
        """The project's named graphs (GraphStore maps them to source files; a remote store has none)."""
        return dict.fromkeys(self.graphs_)

    def graphs(self, kind: str) -> list[str]:
        """Named graphs of one kind: 'ontology', 'shapes' or 'data'."""
        return [g for g in self.graphs_ if graph_kind(g) == kind]

    @property
    def default_graphs(self) -> list[str]:
        """What a query sees without FROM or GRAPH: the ontology and the data, not the shapes."""
        return self.graphs("ontology") + self.graphs("data")

    def query(
        self,
        sparql: str,
        substitutions: dict | None = None,
        default_graph=None,
        named_graphs=None,
        use_default_graph_as_union: bool = False,
        base_iri: str | None = None,
        prefixes: dict[str, str] | None = None,
        timeout: float | None = None,
    ):
        """Run SPARQL on the remote store over the project's graphs; pyoxigraph result objects, as GraphStore.

        `default_graph` (NamedNode(s) or IRIs) replaces the default graph (the ontology and data graphs);
        `named_graphs` narrows the graphs GRAPH can see (default: every project graph). A malformed query raises
        SyntaxError before anything is sent; a remote failure RemoteStoreError; a time-out QueryTimeout (after
        `timeout` seconds when given and shorter than the store's).
        """
        if substitutions:
            sparql = bind_variables(sparql, substitutions)
        form = check_syntax(sparql, base_iri=base_iri, prefixes=prefixes)
        sparql = strip_dataset(sparql)
        prologue = (f"BASE <{base_iri}>\n" if base_iri else "") + "".join(
            f"PREFIX {p}: <{iri}>\n" for p, iri in (prefixes or {}).items()
        )
        if use_default_graph_as_union and default_graph is None:
            default = list(self.graphs_)
        else:
            default = as_iris(default_graph, "default_graph") if default_graph is not None else self.default_graphs
        if self.union_graph and set(default) == set(self.default_graphs):
            default = [self.union_graph]
        named = (
            as_iris(named_graphs, "named_graphs")
            if named_graphs is not None
            else list(self.graphs_) + self.extra_graphs
        )
        body, mime = self._request(
            prologue + sparql, form, default, named, self.timeout if timeout is None else min(timeout, self.timeout)
        )
        if form in ("SELECT", "ASK"):
            fmt = RESULT_FORMATS.get(mime)
            if fmt is None:
                raise RemoteStoreError(f"{self.url} answered a {form} query as '{mime}', not SPARQL results")
            return ox.parse_query_results(body, fmt)
        rdf_format = GRAPH_FORMATS.get(mime)
        if rdf_format is None:
            raise RemoteStoreError(f"{self.url} answered a {form} query as '{mime}', not N-Triples or Turtle")
        return as_query_triples(ox.parse(body, rdf_format))

    def __len__(self) -> int:
        """Triples in the project's graphs (the release graph not counted), as len(GraphStore)."""
        return sum(self.graph_sizes().values())

    def graph_sizes(self) -> dict[str, int]:
        """Triples per project graph on the remote store (a graph it lacks counts 0); counted once per release."""
        if self._sizes is None:
            rows = self.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
            sizes = dict.fromkeys(self.graphs_ + self.extra_graphs, 0)
            sizes.update({row["g"].value: int(row["n"].value) for row in rows})
            self._sizes = sizes
        return dict(self._sizes)

    def default_graph_size(self) -> int:
        """Distinct triples in the default graphs merged, as GraphStore.default_graph_size."""
        rows = list(self.query("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"))
        return int(rows[0]["n"].value)

    def quads(self, graph: str | None = None) -> list[ox.Quad]:
        """Every quad of one project graph, or of all of them (as GraphStore.quads); an answer the store cut
        short (its own row cap on CONSTRUCT) raises RemoteStoreError rather than being served as complete."""
        out: list[ox.Quad] = []
        for name in self.graphs_ if graph is None else [graph]:
            triples = self.triples(name)
            expected = self.graph_sizes().get(name, 0)
            if len(triples) != expected:
                raise RemoteStoreError(
                    f"{self.url} returned {len(triples)} of the {expected} triples of <{name}>: "
                    f"the store cuts long answers (raise Virtuoso's [SPARQL] ResultSetMaxRows)"
                )
            g = ox.NamedNode(name)
            out.extend(ox.Quad(t.subject, t.predicate, t.object, g) for t in triples)
        return out

    def triples(self, graph: str) -> list[ox.Triple]:
        """Every triple of one project graph (for dumps and the rdflib views)."""
        return list(
            self.query(
                "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }",
                substitutions={ox.Variable("g"): ox.NamedNode(graph)},
            )
        )

    def rdflib_graph(self, graphs: list[str]) -> rdflib.Graph:
        """An rdflib Graph holding the union of the given named graphs, fetched from the store."""
        g = rdflib.Graph()
        bind_prefixes(g)
        for name in graphs:
            g.parse(data=ox.serialize(self.triples(name), format=ox.RdfFormat.N_TRIPLES), format="nt")
        return g

    def check_row_cap(self, rows: int) -> int:
        """Raise RemoteStoreError if the store cuts a SELECT answer of `rows` rows (Virtuoso's ResultSetMaxRows,
        10,000 by default, cuts silently); return the rows received. A cross join of two VALUES: no data is read."""
        side = max(1, math.isqrt(max(rows - 1, 0)) + 1)
        values = " ".join(str(i) for i in range(side))
        sparql = f"SELECT ?a ?b WHERE {{ VALUES ?a {{ {values} }} VALUES ?b {{ {values} }} }} LIMIT {rows}"
        got = sum(1 for _ in self.query(sparql))
        if got != rows:
            raise RemoteStoreError(
                f"{self.url} returned {got} rows of an answer of {rows}: the store cuts long "
                f"answers (raise Virtuoso's [SPARQL] ResultSetMaxRows)"
            )
        return got

    # HTTP -----------------------------------------------------------------------------------------------------

    def _wrapper(self, url: str | None = None, timeout: float | None = None) -> SPARQLWrapper:
        sw = SPARQLWrapper(url or self.url, agent=f"benelux-graph/{__version__}")
        sw.setMethod(POST)
        sw.setOnlyConneg(True)
        sw.setTimeout(max(1, round((self.timeout if timeout is None else timeout) + 5)))
        if self.user:
            sw.setHTTPAuth(DIGEST)
            sw.setCredentials(self.user, self.password or "")
        return sw

    def _request(
        self, sparql: str, form: str, default: list[str], named: list[str], timeout: float
    ) -> tuple[bytes, str]:
        sw = self._wrapper(timeout=timeout)
        sw.setReturnFormat(JSON if form in ("SELECT", "ASK") else TURTLE)
        sw.addCustomHttpHeader("Accept", RESULTS_ACCEPT if form in ("SELECT", "ASK") else GRAPH_ACCEPT)
        sw.setQuery(sparql)
        for g in default:
            sw.addDefaultGraph(g)
        for g in named:
            sw.addNamedGraph(g)
        # Virtuoso stops a query on the server at this many milliseconds (other stores ignore the parameter).
        sw.addParameter("timeout", str(max(1, int(timeout * 1000))))
        started = time.monotonic()
        try:
            response = sw.query().response
            body = response.read()
        except swe.QueryBadFormed as e:
            raise SyntaxError(f"the remote store rejected the query: {remote_message(e)}") from None
        except (
            swe.Unauthorized,
            swe.EndPointNotFound,
            swe.EndPointInternalError,
            swe.URITooLong,
            swe.SPARQLWrapperException,
        ) as e:
            if is_timeout_message(remote_message(e)):
                raise QueryTimeout(f"the query ran past {timeout:g} s on {self.url}") from None
            raise RemoteStoreError(f"{self.url}: {remote_message(e)}") from None
        except TimeoutError:
            raise QueryTimeout(f"no answer from {self.url} within {time.monotonic() - started:.0f} s") from None
        except urllib.error.URLError as e:
            if isinstance(e.reason, (TimeoutError, socket.timeout)):
                raise QueryTimeout(f"no answer from {self.url} within {timeout:g} s") from None
            raise RemoteStoreError(f"cannot reach {self.url}: {e.reason}") from None
        state = response.headers.get("X-SQL-State")
        if state:  # Virtuoso's "anytime" answer: partial results when its time limit is hit
            message = response.headers.get("X-SQL-Message", "")
            if state == "S1TAT" or is_timeout_message(message):
                raise QueryTimeout(
                    f"the query ran past the time limit on {self.url}; the store sent a partial "
                    f"answer ({state} {message}), refused"
                )
            raise RemoteStoreError(f"{self.url} sent an incomplete answer: {state} {message}")
        return body, media_type(response.headers)


def served_store(settings) -> RemoteStore:
    """The remote store a server serves (`serve --store URL`), checked before it serves: it holds a published
    release, and it does not cut an answer of the row cap plus one (else a cut answer would pass as complete)."""
    if not settings.store_url:
        raise RemoteStoreError("no store to serve from: give `serve --store URL` or set BENELUX_STORE_URL")
    store = RemoteStore(
        settings.store_url,
        timeout=max(settings.query_timeout, 30.0),
        user=settings.store_user or None,
        password=settings.store_password or None,
    )
    store.check_row_cap(settings.max_rows + 1)
    store.graph_sizes()
    return store


def remote_message(e: Exception) -> str:
    """The store's own complaint out of a SPARQLWrapper exception: Virtuoso's "Virtuoso <state> Error …" line
    (which follows the partial answer when a query is interrupted), else the start of the response."""
    text = str(e)
    if "Response:" in text:
        text = text.split("Response:", 1)[1].strip()
        if text[:2] in ("b'", 'b"'):
            text = text[2:-1]
    virtuoso = re.search(r"Virtuoso \w+ Error .*?(?=\\n|\n|$)", text)
    if virtuoso:
        return virtuoso.group(0)[:800]
    text = text.replace("\\n", "\n").split("SPARQL query:", 1)[0]
    return " ".join(ln.strip() for ln in text.splitlines() if ln.strip())[:800]


def is_timeout_message(text: str) -> bool:
    """Virtuoso's ways of saying a query ran past its `timeout`: S1TAT (anytime answer), and HY008 SR203 "Async
    statement killed by SQLCancel" when the limit cancels the statement outright (seen once in CI)."""
    return bool(re.search(r"S1TAT|HY008|SQLCancel|timed out|time-?out|time limit", text, re.IGNORECASE))


def as_query_triples(triples) -> ox.QueryTriples:
    """Triples as a real QueryTriples (what GraphStore returns for CONSTRUCT/DESCRIBE, with its .serialize)."""
    tmp = ox.Store()
    tmp.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    answer = tmp.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    assert isinstance(answer, ox.QueryTriples)
    return answer


def read_release(store: RemoteStore) -> dict | None:
    """What the release graph records, or None if the store holds none."""
    rows = list(
        store.query(
            "SELECT ?p ?o WHERE { GRAPH ?g { ?g ?p ?o } }",
            substitutions={ox.Variable("g"): ox.NamedNode(RELEASE_GRAPH)},
            default_graph=[RELEASE_GRAPH],
            named_graphs=[RELEASE_GRAPH],
        )
    )
    if not rows:
        return None
    info: dict[str, Any] = {"release": None, "published": None, "graphs": []}
    for row in rows:
        p, o = row["p"].value, row["o"]
        if p == RELEASE_OF:
            info["release"] = o.value
        elif p == PUBLISHED:
            info["published"] = o.value
        elif p == HAS_GRAPH:
            info["graphs"].append(o.value)
    return info
