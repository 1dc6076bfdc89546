"""The synthetic graph generator: deterministic, of the asked size, conforming to the SHACL shapes."""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from pathlib import Path

import pyoxigraph as ox
import rdflib

from benelux_graph.query_jobs import Job, execute
from benelux_graph.saved_queries import load_queries
from benelux_graph.settings import Settings
from benelux_graph.store import GraphStore, bind_variables
from benelux_graph.validation import validate_graph


def bench_module(name: str):
    """A module of bench/ (benchmark code, not part of the package)."""
    spec = importlib.util.spec_from_file_location(name, Path(__file__).resolve().parents[2] / "bench" / f"{name}.py")
    module = sys.modules[name] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


synthetic = bench_module("synthetic")
Generator, generate, write_project = synthetic.Generator, synthetic.generate, synthetic.write_project


def digest(files: dict[str, str]) -> str:
    return hashlib.sha256("".join(f"{name}\n{text}" for name, text in sorted(files.items())).encode()).hexdigest()


def test_same_seed_same_bytes():
    assert digest(generate(5_000, seed=7)) == digest(generate(5_000, seed=7))
    assert digest(generate(5_000, seed=7)) != digest(generate(5_000, seed=8))


def test_the_size_is_the_one_asked_for():
    for size in (3_000, 20_000):
        files = generate(size)
        triples = sum(len(list(ox.parse(text.encode(), format=ox.RdfFormat.TURTLE))) for text in files.values())
        assert size <= triples < size + 200


def test_a_small_graph_conforms_to_the_shapes(settings):
    data = rdflib.Graph()
    for text in Generator(units=6, seed=3).run().values():  # six units: every kind of unit appears
        data.parse(data=text, format="turtle")
    shapes = rdflib.Graph()
    for path in sorted(settings.shapes_dir.glob("*.ttl")):
        shapes.parse(path)
    ontology = rdflib.Graph().parse(settings.ontology_dir / "benelux.ttl")
    report = validate_graph(data, shapes, ontology)
    assert report.conforms, report.to_text()
    assert {r.source_shape for r in report.warnings} <= {"bxsh:prefLabel-fr", "bxsh:prefLabel-nl", "bxsh:prefLabel-de"}


def test_the_saved_queries_find_something_in_a_synthetic_project(tmp_path, settings):
    root = write_project(tmp_path / "synthetic", 4_000, source_root=settings.root)
    store = GraphStore.load(Settings(root=root))
    queries = load_queries(root / "queries")
    empty = []
    for q in queries.values():
        text = bind_variables(q.text, q.bindings({})) if q.params else q.text
        if execute(store, Job(text)).size == 0:
            empty.append(q.name)
    assert len(empty) <= len(queries) // 5, empty


def test_relationships_active_in_a_year_has_one_row_per_relationship_and_pair(tmp_path, settings):
    """A cooperation with a period of its own (half of them in a synthetic project) is one row per pair of its
    partners: as first written for issue 12, the query left ?member unbound there and its label OPTIONAL matched
    every English label of the graph (996,875 rows at 10k triples, over ten minutes at 1M)."""
    root = write_project(tmp_path / "synthetic", 4_000, source_root=settings.root)
    store = GraphStore.load(Settings(root=root))
    q = load_queries(root / "queries")["relationships-active-in-year"]
    rows = list(store.query(bind_variables(q.text, q.bindings({"year": "2025"}))))
    ask = "SELECT (COUNT(*) AS ?n) { { ?r a <http://www.w3.org/ns/org#Membership> } UNION { ?r a <https://w3id.org/benelux-graph/ontology#Cooperation> } }"
    relationships = int(next(iter(store.query(ask)))["n"].value)
    assert rows and all(r["member"] is not None and r["organisation"] is not None for r in rows)
    assert len(rows) <= 2 * relationships, (len(rows), relationships)
    assert len({tuple(str(v) for v in r) for r in rows}) == len(rows)  # no row twice
