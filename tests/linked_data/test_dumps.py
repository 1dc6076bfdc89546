"""Dumps: every format read back with rdflib equals the store's graphs; identical input gives identical bytes;
the checksums, the saved queries as data, and the VoID counts hold."""

from __future__ import annotations

import gzip
import hashlib
import subprocess
import sys

import pyoxigraph as ox
import pytest
import rdflib

from benelux_graph.dumps import FORMATS, QUERIES_GRAPH, Publication, queries_quads
from benelux_graph.saved_queries import LANGUAGES, load_queries
from benelux_graph.store import GraphStore

from .conftest import canonical, rdflib_quads

RDFLIB_SYNTAX = {
    "turtle": "turtle",
    "ntriples": "nt",
    "trig": "trig",
    "nquads": "nquads",
    "jsonld": "json-ld",
    "rdfxml": "xml",
}
VOID = "http://rdfs.org/ns/void#"


def read_back(data: bytes, fmt) -> list[tuple]:
    if fmt.named_graphs:
        ds = rdflib.Dataset()
        ds.parse(data=data, format=RDFLIB_SYNTAX[fmt.name])
        return rdflib_quads(ds)
    g = rdflib.Graph()
    g.parse(data=data, format=RDFLIB_SYNTAX[fmt.name])
    return list(g)


@pytest.fixture(scope="session")
def expected_canonical(expected_quads) -> dict[bool, set[str]]:
    """The canonical forms of the expected statements, once: with their graphs (True) and merged (False)."""
    return {True: canonical(expected_quads), False: canonical(q[:3] for q in expected_quads)}


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("fmt", FORMATS, ids=[f.name for f in FORMATS])
def test_every_dump_reads_back_as_the_stores_graphs(fmt, gz, dump_dir, expected_quads, expected_canonical):
    data = (dump_dir / f"benelux-graph.{fmt.extension}").read_bytes()
    if gz:
        packed = (dump_dir / f"benelux-graph.{fmt.extension}.gz").read_bytes()
        assert packed[4:8] == b"\0\0\0\0", "gzip mtime must be 0 so that the bytes are stable"
        # the plain file's very bytes, which its own case reads back (a second parse would prove no more)
        assert gzip.decompress(packed) == data
        return
    got = read_back(data, fmt)
    if fmt.named_graphs:
        assert {str(q[3]) for q in got} - {"urn:x-rdflib:default"} == {str(q[3]) for q in expected_quads}
    # with their graphs, or (a triples format) merged: the union of every graph, each file's blank nodes its own
    assert canonical(got) == expected_canonical[fmt.named_graphs]


def test_two_runs_give_the_same_bytes_even_from_a_fresh_load(settings, publication, dump_dir, tmp_path):
    again = Publication(GraphStore.load(settings), settings)  # blank nodes get new random names when loaded
    files = again.write(tmp_path / "again")
    assert sorted(f.name for f in files) == sorted(p.name for p in dump_dir.iterdir())
    for f in files:
        assert (tmp_path / "again" / f.name).read_bytes() == (dump_dir / f.name).read_bytes(), f.name


def test_the_dump_command_writes_the_same_bytes_in_another_process(dump_dir, tmp_path):
    out = tmp_path / "cli"
    run = subprocess.run(
        [sys.executable, "-m", "benelux_graph", "dump", "--out", str(out)],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "benelux-graph.nq.gz" in run.stdout and "release" in run.stdout
    for path in dump_dir.iterdir():
        assert (out / path.name).read_bytes() == path.read_bytes(), path.name


def test_checksums_cover_every_file_and_hold(dump_dir):
    lines = (dump_dir / "SHA256SUMS").read_text().splitlines()
    listed = {}
    for line in lines:
        digest, name = line.split("  ", 1)
        listed[name] = digest
    assert set(listed) == {p.name for p in dump_dir.iterdir()} - {"SHA256SUMS"}
    for name, digest in listed.items():
        assert hashlib.sha256((dump_dir / name).read_bytes()).hexdigest() == digest, name


def test_blank_nodes_have_content_derived_labels_and_prefixes_are_fixed(dump_dir):
    nquads = (dump_dir / "benelux-graph.nq").read_text()
    labels = {w for line in nquads.splitlines() for w in line.split() if w.startswith("_:")}
    assert labels and all(label.startswith("_:c14n") for label in labels)
    turtle = (dump_dir / "benelux-graph.ttl").read_text().splitlines()
    assert turtle[0].startswith("# Benelux cooperation graph, release ")
    prefixes = [line.split()[1] for line in turtle if line.startswith("@prefix")]
    assert prefixes[:4] == ["bx:", "bxr:", "src:", "role:"]
    subjects = [line.split(" ", 1)[0] for line in turtle if line and not line.startswith(("@", "#", "\t", " "))]
    assert len(subjects) == len(set(subjects)) > 500, "statements are sorted, so each subject is written once"


def test_each_saved_query_is_published_as_a_shacl_executable(settings, publication):
    queries = load_queries(settings.queries_dir)
    published = [q for q in publication.quads if q.graph_name == ox.NamedNode(QUERIES_GRAPH)]
    assert set(published) == set(queries_quads(settings))
    ds = ox.Dataset(published)
    sh = "http://www.w3.org/ns/shacl#"
    executables = {q.subject for q in ds.quads_for_object(ox.NamedNode(sh + "SPARQLExecutable"))}
    assert len(executables) == len(queries)
    for node in executables:
        name = node.value.rsplit("/", 1)[-1]
        by_p = {q.predicate.value: q.object for q in ds.quads_for_subject(node)}
        by_lang = {
            (q.predicate.value.rsplit("#", 1)[-1], q.object.language): q.object.value
            for q in ds.quads_for_subject(node)
            if q.predicate.value.startswith("http://www.w3.org/2000/01/rdf-schema#")
        }
        query = queries[name]
        assert {lang: by_lang["label", lang] for lang in LANGUAGES} == query.titles  # in the four languages
        assert by_lang["comment", "en"].startswith(query.description)
        assert {lang: by_lang["comment", lang] for lang in LANGUAGES[1:]} == {
            lang: query.descriptions[lang] for lang in LANGUAGES[1:]
        }
        text = by_p.get(sh + "select") or by_p.get(sh + "construct") or by_p.get(sh + "ask")
        ox.Store().query(text.value)  # stands on its own: every prefix it uses is declared


def test_void_counts_equal_the_stores(publication, dump_dir, store, settings):
    void = rdflib.Graph().parse(dump_dir / "void.ttl")
    ns = rdflib.Namespace(VOID)
    dataset = rdflib.URIRef("https://w3id.org/benelux-graph/dataset")
    queries = queries_quads(settings)
    assert int(void.value(dataset, ns.triples)) == len(store)  # the store holds the queries' graph too
    for graph in store.files:
        in_store = sum(1 for _ in store.store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
        assert int(void.value(rdflib.URIRef(graph), ns.triples)) == in_store, graph
    assert int(void.value(rdflib.URIRef(QUERIES_GRAPH), ns.triples)) == len(queries)
    assert sum(1 for _ in store.store.quads_for_pattern(None, None, None, ox.NamedNode(QUERIES_GRAPH))) == len(queries)

    def store_count(sparql: str) -> int:
        return int(next(iter(store.store.query(sparql)))[0].value)

    entities = store_count(
        "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
        "FILTER(STRSTARTS(STR(?s), 'https://w3id.org/benelux-graph/id/') && isIRI(?s)) }"
    )
    # the store holds the queries' graph: what VoID counts is what a query of the endpoint counts
    assert int(void.value(dataset, ns.entities)) == entities
    for part in void.objects(dataset, ns.classPartition):
        cls = void.value(part, ns["class"])
        n = store_count(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH ?g {{ ?s a <{cls}> }} }}")
        assert int(void.value(part, ns.entities)) == n, cls
    for part in void.objects(dataset, ns.propertyPartition):
        prop = void.value(part, ns.property)
        n = store_count(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s <{prop}> ?o }} }}")
        assert int(void.value(part, ns.triples)) == n, prop
    dumps = {str(o) for o in void.objects(dataset, ns.dataDump)}
    assert {d.rsplit("/", 1)[-1] for d in dumps} == {
        f"benelux-graph.{f.extension}{gz}" for f in FORMATS for gz in ("", ".gz")
    }
    assert (
        dataset,
        rdflib.URIRef("http://purl.org/dc/terms/license"),
        rdflib.URIRef("https://creativecommons.org/licenses/by/4.0/"),
    ) in void
    assert str(void.value(dataset, rdflib.OWL.versionInfo)) == store.release
