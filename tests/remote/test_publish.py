"""Publishing a release into a real Virtuoso: every graph arrives whole, the release is recorded, and publishing
again replaces rather than adds (by the Graph Store Protocol and by SPARQL Update)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from benelux_graph import remote as remote_module
from benelux_graph.cli import app
from benelux_graph.publish import PublishError, publish
from benelux_graph.remote import (
    QUERIES_GRAPH,
    RELEASE_GRAPH,
    UNION_GRAPH,
    RemoteStore,
    RemoteStoreError,
)
from benelux_graph.store import GraphStore, project_files

pytestmark = pytest.mark.remote


def canonical(triples) -> set[str]:
    """Triples as text, blank nodes relabelled canonically (RDFC-1.0), so two copies of a graph compare equal."""
    ds = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    ds.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return {str(q) for q in ds}


def local_triples(store: GraphStore, graph: str):
    return [q.triple for q in store.store.quads_for_pattern(None, None, None, ox.NamedNode(graph))]


def test_publish_reports_every_graph(published, store):
    assert published.method == "graph-store"
    assert published.target.endswith("/sparql-graph-crud-auth")
    assert published.release == store.release
    assert {g: n for g, n in published.graphs.items() if g != UNION_GRAPH} == {  # the saved queries' graph too
        g: len(local_triples(store, g)) for g in [*store.files, QUERIES_GRAPH]
    }


def test_remote_store_reads_the_release(remote, store):
    assert remote.release == store.release
    assert remote.published  # when it was published, from the release graph
    for kind in ("ontology", "shapes", "data"):
        assert remote.graphs(kind) == store.graphs(kind)
    assert remote.default_graphs == store.default_graphs
    assert list(remote.files) == list(store.files)
    assert len(remote) == len(store)


def test_every_graph_arrives_unchanged(remote, store):
    """Literals (language tags, xsd:gYear, xsd:date …), IRIs and blank-node structure survive the trip."""
    for graph in [*store.files, QUERIES_GRAPH]:
        assert canonical(remote.triples(graph)) == canonical(local_triples(store, graph)), graph


def test_the_store_own_graphs_are_never_seen(remote, store):
    system = "http://www.openlinksw.com/schemas/virtrdf#"
    seen = {row["g"].value for row in remote.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")}
    assert seen == set(store.files) | {QUERIES_GRAPH}  # the release's graphs: its files' and the saved queries'
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    expected = next(iter(store.query(count)))["n"]
    # A FROM in the text does not widen the dataset (Virtuoso would let it win over default-graph-uri).
    assert next(iter(remote.query(count.replace("WHERE", f"FROM <{system}> WHERE"))))["n"] == expected
    named = f"SELECT DISTINCT ?g FROM NAMED <{system}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    assert system not in {row["g"].value for row in remote.query(named)}
    # Nothing of it through GRAPH <…> either (ASK and COUNT(*) are wrong there: see test_differences.py).
    assert list(remote.query(f"SELECT * WHERE {{ GRAPH <{system}> {{ ?s ?p ?o }} }} LIMIT 5")) == []


def test_publishing_again_replaces(virtuoso, remote, store):
    before = remote.graph_sizes()
    again = publish(store, virtuoso.endpoint, virtuoso.user, virtuoso.password)
    assert again.graphs == publish(store, virtuoso.endpoint, virtuoso.user, virtuoso.password).graphs
    assert remote.graph_sizes() == before
    assert len(remote) == len(store)


def test_publishing_by_sparql_update_replaces(virtuoso, remote, store):
    """The path for stores that only take SPARQL Update (Virtuoso's /sparql-auth here)."""
    before = remote.graph_sizes()
    report = publish(store, virtuoso.endpoint, virtuoso.user, virtuoso.password, method="update")
    assert report.method == "update" and report.target.endswith("/sparql-auth")
    assert remote.graph_sizes() == before
    for graph in store.graphs("ontology"):  # the graph with blank nodes (OWL lists) keeps its structure
        assert canonical(remote.triples(graph)) == canonical(local_triples(store, graph))
    publish(store, virtuoso.endpoint, virtuoso.user, virtuoso.password)


def test_a_smaller_release_drops_the_graphs_it_no_longer_has(virtuoso, store, settings):
    files = project_files(settings)
    smaller = GraphStore.load(settings, [files[0], settings.data_dir / "vocabularies.ttl"])
    serving = RemoteStore(virtuoso.endpoint)
    try:
        report = publish(smaller, virtuoso.endpoint, virtuoso.user, virtuoso.password)
        assert serving.refresh() and serving.release == smaller.release
        assert serving.default_graphs == smaller.default_graphs
        assert set(report.dropped) == set(store.files) - set(smaller.files)
        now = RemoteStore(virtuoso.endpoint)
        assert now.release == smaller.release
        assert list(now.files) == list(smaller.files)
        assert len(now) == len(smaller)
        seen = {
            row["g"].value
            for row in now.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", named_graphs=list(store.files))
        }
        assert seen == set(smaller.files)
    finally:
        publish(store, virtuoso.endpoint, virtuoso.user, virtuoso.password)
    assert RemoteStore(virtuoso.endpoint).release == store.release
    assert serving.refresh() and list(serving.files) == list(store.files)
    assert not serving.refresh()


def test_rdflib_views(remote, store):
    """What validation, the network projection and dumps use: the same graphs as parsed from the files."""
    assert len(remote.data) == len(store.data)
    assert len(remote.shapes) == len(store.shapes)
    assert {str(g.identifier) for g in remote.dataset.graphs() if len(g)} == set(store.files)


def test_wrong_credentials_are_refused(virtuoso, store):
    with pytest.raises(PublishError, match="401"):
        publish(store, virtuoso.endpoint, virtuoso.user, "not-the-password")


def test_an_unreachable_store_says_so(store):
    with pytest.raises(RemoteStoreError, match="cannot reach"):
        RemoteStore("http://127.0.0.1:9/sparql", timeout=2)


def test_a_store_without_a_release_says_to_publish_first(virtuoso, monkeypatch):
    monkeypatch.setattr(remote_module, "RELEASE_GRAPH", RELEASE_GRAPH + "/never-published")
    with pytest.raises(RemoteStoreError, match="publish"):
        RemoteStore(virtuoso.endpoint, timeout=5)


def test_cli_publish(virtuoso, store, monkeypatch):
    monkeypatch.setenv("BENELUX_STORE_USER", virtuoso.user)
    monkeypatch.setenv("BENELUX_STORE_PASSWORD", virtuoso.password)
    result = CliRunner().invoke(app, ["publish", "--to", virtuoso.endpoint])
    assert result.exit_code == 0, result.output
    assert f"published release {store.release}" in result.output
    assert RemoteStore(virtuoso.endpoint).release == store.release


def test_cli_publish_error_exits_2(virtuoso):
    result = CliRunner().invoke(
        app,
        ["publish", "--to", virtuoso.endpoint, "--user", "nobody-here", "--password", "x", "--method", "graph-store"],
    )
    assert result.exit_code == 2
    assert "401" in result.output
