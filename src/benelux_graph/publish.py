"""Publishing a release into a remote SPARQL 1.1 store (`benelux-graph publish --to URL`).

`publish` copies every named graph of a loaded `GraphStore` into the remote store, one graph at a time, replacing
graphs of the same name (SPARQL 1.1 Graph Store Protocol PUT, or SPARQL 1.1 Update where that is what the store
offers), drops graphs the previous release had and this one has not, records the release in the graph
`…/graph/release`, and checks that every graph holds as many triples as the local one (remote.RemoteStore then
serves it).
"""

from __future__ import annotations

import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime

import pyoxigraph as ox

from .remote import (
    HAS_GRAPH,
    PUBLISHED,
    QUERIES_GRAPH,
    RELEASE_GRAPH,
    RELEASE_OF,
    RESULTS_ACCEPT,
    UNION_GRAPH,
    XSD_DATETIME,
    RemoteStore,
    RemoteStoreError,
    credentials,
    ordered_graphs,
    read_release,
)
from .store import GraphStore


class PublishError(RemoteStoreError):
    """A release could not be published completely."""


# --- publish ------------------------------------------------------------------------------------------------------


@dataclass
class PublishReport:
    release: str
    method: str  # "graph-store" or "update"
    target: str
    graphs: dict[str, int]  # graph -> triples, as checked on the remote store after loading
    dropped: list[str]
    seconds: float

    def to_text(self) -> str:
        files = {g: n for g, n in self.graphs.items() if g != UNION_GRAPH}
        lines = [
            f"published release {self.release} to {self.target} ({self.method}) in {self.seconds:.1f} s",
            f"{len(files)} graphs, {sum(files.values())} triples, checked on the store",
        ]
        lines += [f"  {n:6d}  {g}" for g, n in self.graphs.items()]
        lines += [f"  dropped {g} (not in this release)" for g in self.dropped]
        return "\n".join(lines)


class HttpClient:
    """urllib with digest (or basic) authentication, for Graph Store Protocol requests and SPARQL Update."""

    def __init__(self, url: str, user: str | None, password: str | None, timeout: float):
        handlers = []
        if user:
            manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            manager.add_password(None, url, user, password or "")
            handlers += [urllib.request.HTTPDigestAuthHandler(manager), urllib.request.HTTPBasicAuthHandler(manager)]
        self.opener = urllib.request.build_opener(*handlers)
        self.timeout = timeout

    def send(
        self,
        method: str,
        url: str,
        data: bytes | None = None,
        content_type: str | None = None,
        accept: str | None = None,
    ) -> tuple[int, dict, bytes]:
        request = urllib.request.Request(url, data=data, method=method)
        if content_type:
            request.add_header("Content-Type", content_type)
        if accept:
            request.add_header("Accept", accept)
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as e:
            detail = e.read().decode("utf-8", "replace").strip()[:600]
            raise PublishError(f"{method} {url}: HTTP {e.code} {e.reason}: {detail}") from None
        except urllib.error.URLError as e:
            raise PublishError(f"{method} {url}: cannot reach the store: {e.reason}") from None
        except TimeoutError:
            raise PublishError(f"{method} {url}: no answer within {self.timeout:g} s") from None


def virtuoso_urls(endpoint_url: str, client: HttpClient) -> str | None:
    """The Graph Store Protocol URL of a Virtuoso server (its /sparql-graph-crud-auth), or None if not Virtuoso."""
    probe = endpoint_url + ("&" if "?" in endpoint_url else "?") + urllib.parse.urlencode({"query": "ASK {}"})
    try:
        _, headers, _ = client.send("GET", probe, accept=RESULTS_ACCEPT)
    except PublishError:
        return None
    if "virtuoso" not in headers.get("Server", "").lower():
        return None
    parts = urllib.parse.urlsplit(endpoint_url)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, "/sparql-graph-crud-auth", "", ""))


def graph_ntriples(store: GraphStore, graphs: list[str]) -> tuple[bytes, int]:
    """N-Triples of the merge of some named graphs of the embedded store (each triple once), and their count."""
    triples = set()
    for graph in graphs:
        for q in store.store.quads_for_pattern(None, None, None, ox.NamedNode(graph)):
            triples.add(ox.Triple(q.subject, q.predicate, q.object))
    return ox.serialize(sorted(triples, key=str), format=ox.RdfFormat.N_TRIPLES) or b"", len(triples)


def release_ntriples(release: str, graphs: list[str]) -> bytes:
    g = ox.NamedNode(RELEASE_GRAPH)
    now = datetime.now(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    triples = [
        ox.Triple(g, ox.NamedNode(RELEASE_OF), ox.Literal(release)),
        ox.Triple(g, ox.NamedNode(PUBLISHED), ox.Literal(now, datatype=ox.NamedNode(XSD_DATETIME))),
    ]
    triples += [ox.Triple(g, ox.NamedNode(HAS_GRAPH), ox.NamedNode(name)) for name in graphs]
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""  # bytes: no output given


def gsp_url(base: str, graph: str) -> str:
    return base + ("&" if "?" in base else "?") + urllib.parse.urlencode({"graph": graph})


def update_batches(ntriples: bytes, size: int = 1000) -> tuple[str, list[str]]:
    """The triples with blank nodes (all together: blank-node labels are scoped to one request) and the others
    in batches of at most `size`, as N-Triples text."""
    lines = [ln for ln in ntriples.decode("utf-8").splitlines() if ln.strip()]
    with_bnodes = [ln for ln in lines if "_:" in ln]  # over-approximates (a literal may hold "_:"): harmless
    plain = [ln for ln in lines if "_:" not in ln]
    return "\n".join(with_bnodes), ["\n".join(plain[i : i + size]) for i in range(0, len(plain), size)]


def publish(
    store: GraphStore,
    endpoint_url: str,
    user: str | None = None,
    password: str | None = None,
    graph_store_url: str | None = None,
    *,
    update_url: str | None = None,
    method: str = "auto",
    timeout: float = 300.0,
) -> PublishReport:
    """Load every named graph of the release into the remote store, replacing graphs of the same name.

    endpoint_url   the store's SPARQL query endpoint (for Virtuoso: http://host:8890/sparql)
    graph_store_url  its Graph Store Protocol endpoint (Virtuoso: /sparql-graph-crud-auth, found on its own when
                   endpoint_url is a Virtuoso server); with neither, SPARQL Update is sent to update_url
                   (default: endpoint_url; for Virtuoso /sparql-auth)
    method         "auto", "graph-store" or "update"
    Credentials default to BENELUX_STORE_USER / BENELUX_STORE_PASSWORD. Graphs are replaced one by one (a reader
    may briefly see a mix of two releases); the release graph is written last, and every graph's triple count is
    checked on the store afterwards (PublishError if one differs).
    """
    started = time.monotonic()
    user, password = credentials(user, password)
    client = HttpClient(endpoint_url, user, password, timeout)
    if method not in ("auto", "graph-store", "update"):
        raise ValueError(f"method must be auto, graph-store or update, not {method!r}")
    if method in ("auto", "graph-store") and not graph_store_url:
        graph_store_url = virtuoso_urls(endpoint_url, client)
        if method == "graph-store" and not graph_store_url:
            raise PublishError(f"{endpoint_url} is not a Virtuoso server: give the Graph Store Protocol URL")
    use_gsp = method != "update" and bool(graph_store_url)
    target = graph_store_url if use_gsp and graph_store_url else (update_url or endpoint_url)
    if (
        not use_gsp
        and update_url is None
        and urllib.parse.urlsplit(endpoint_url).path.rstrip("/") == "/sparql"
        and user
    ):
        # Virtuoso takes authenticated updates at /sparql-auth (its /sparql is anonymous and read-only).
        parts = urllib.parse.urlsplit(endpoint_url)
        if virtuoso_urls(endpoint_url, client):
            target = urllib.parse.urlunsplit((parts.scheme, parts.netloc, "/sparql-auth", "", ""))
    sender = HttpClient(target, user, password, timeout)

    remote = RemoteStore(
        endpoint_url, graphs=[RELEASE_GRAPH], timeout=timeout, user=user, password=password, release=""
    )
    previous = read_release(remote)
    graphs = ordered_graphs(store.files)
    payloads = {name: graph_ntriples(store, [name]) for name in graphs}
    payloads[UNION_GRAPH] = graph_ntriples(store, store.default_graphs)
    queries = graph_ntriples(store, [QUERIES_GRAPH])  # the saved queries, as the embedded store holds them
    if queries[1]:
        payloads[QUERIES_GRAPH] = queries
    expected = {name: count for name, (_, count) in payloads.items()}
    for name, (body, _) in payloads.items():
        if use_gsp:
            put_graph(sender, target, name, body)
        else:
            update_graph(sender, target, name, body)
    dropped = [g for g in (previous or {}).get("graphs", []) if g not in expected]
    for name in dropped:
        if use_gsp:
            sender.send("DELETE", gsp_url(target, name))
        else:
            send_update(sender, target, f"DROP SILENT GRAPH <{name}>")
    release = release_ntriples(store.release, list(payloads))
    if use_gsp:
        put_graph(sender, target, RELEASE_GRAPH, release)
    else:
        update_graph(sender, target, RELEASE_GRAPH, release)

    check = RemoteStore(
        endpoint_url, graphs=list(payloads), timeout=timeout, user=user, password=password, release=store.release
    )
    got = check.graph_sizes()
    wrong = {g: (n, got.get(g, 0)) for g, n in expected.items() if got.get(g, 0) != n}
    if wrong:
        listing = ", ".join(f"<{g}> {n} triples, {m} on the store" for g, (n, m) in wrong.items())
        raise PublishError(f"the store does not hold what was sent: {listing}")
    info = read_release(check)
    if not info or info["release"] != store.release:
        raise PublishError(f"the release graph on {endpoint_url} does not record release {store.release}")
    return PublishReport(
        store.release, "graph-store" if use_gsp else "update", target, got, dropped, time.monotonic() - started
    )


def put_graph(client: HttpClient, base: str, graph: str, ntriples: bytes) -> None:
    """Graph Store Protocol PUT: the graph's content replaced by this N-Triples (sent as Turtle, a superset).

    A large graph goes in parts: PUT of the triples with blank nodes (kept in one request) and the first batch,
    then POST (merge) of each further batch. Under digest authentication every request is first sent without
    credentials; Virtuoso answers 401 and closes the connection at once, which broke a multi-megabyte body
    ("Broken pipe") before the retry with credentials could be made.
    """
    if ntriples.strip():
        bnodes, batches = update_batches(ntriples)
        first = "\n".join(part for part in [bnodes] + batches[:1] if part) + "\n"
        client.send("PUT", gsp_url(base, graph), first.encode("utf-8"), "text/turtle; charset=utf-8")
        for batch in batches[1:]:
            client.send("POST", gsp_url(base, graph), (batch + "\n").encode("utf-8"), "text/turtle; charset=utf-8")
    else:
        try:
            client.send("DELETE", gsp_url(base, graph))
        except PublishError as e:
            if "HTTP 404" not in str(e):
                raise


def send_update(client: HttpClient, url: str, update: str) -> None:
    client.send(
        "POST",
        url,
        urllib.parse.urlencode({"update": update}).encode("utf-8"),
        "application/x-www-form-urlencoded",
        accept="*/*",
    )


def update_graph(client: HttpClient, url: str, graph: str, ntriples: bytes) -> None:
    """SPARQL 1.1 Update: DROP SILENT and the triples with blank nodes in one request, then INSERT DATA batches.

    Triples with blank nodes go in an `INSERT { … } WHERE {}` template: Virtuoso refuses blank nodes in
    INSERT DATA, and one template's labels are one set of new blank nodes, which keeps their links.
    """
    bnodes, batches = update_batches(ntriples)
    first = f"DROP SILENT GRAPH <{graph}>"
    if bnodes:
        first += f" ;\nINSERT {{ GRAPH <{graph}> {{\n{bnodes}\n}} }} WHERE {{}}"
    send_update(client, url, first)
    for batch in batches:
        send_update(client, url, f"INSERT DATA {{ GRAPH <{graph}> {{\n{batch}\n}} }}")
