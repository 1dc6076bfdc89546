"""The SPARQL 1.1 Service Description of the endpoint: what it accepts, the formats it answers in, and the
dataset: one named graph per source file, and a default graph that is the union of the ontology and data graphs.
"""

from __future__ import annotations

import pyoxigraph as ox

from .. import __version__
from ..namespaces import DCTERMS, OWL, RDF, RDFS
from ..saved_queries import QUERIES_GRAPH
from .runtime import Runtime

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
VOID = "http://rdfs.org/ns/void#"
RESULT_FORMATS = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "JSON-LD",
    "RDF_XML",
    "TriG",
    "N-Quads",
)
PREFIXES = {"sd": SD, "formats": FORMATS, "void": VOID, "dcterms": str(DCTERMS), "rdfs": str(RDFS), "owl": str(OWL)}


def iri(value) -> ox.NamedNode:
    return ox.NamedNode(str(value))


def literal(value, datatype: str | None = None) -> ox.Literal:
    if datatype:
        return ox.Literal(str(value), datatype=ox.NamedNode(datatype))
    return ox.Literal(str(value))


def integer(value: int) -> ox.Literal:
    return literal(value, "http://www.w3.org/2001/XMLSchema#integer")


def service_description(runtime: Runtime, endpoint: str) -> list[ox.Triple]:
    settings, store = runtime.settings, runtime.store
    service, dataset, default = iri(endpoint), ox.BlankNode("dataset"), ox.BlankNode("default-graph")
    a = iri(RDF.type)
    out = [
        ox.Triple(service, a, iri(SD + "Service")),
        ox.Triple(service, iri(SD + "endpoint"), service),
        ox.Triple(service, iri(SD + "supportedLanguage"), iri(SD + "SPARQL11Query")),
        ox.Triple(service, iri(SD + "defaultEntailmentRegime"), iri("http://www.w3.org/ns/entailment/Simple")),
        ox.Triple(service, iri(DCTERMS.title), literal("benelux-graph SPARQL endpoint")),
        ox.Triple(
            service,
            iri(RDFS.comment),
            literal(
                f"Read-only: SPARQL Update, LOAD and SERVICE are refused"
                f"{' (SERVICE except to ' + ', '.join(settings.service_allowlist) + ')' if settings.service_allowlist else ''}"
                f". A query runs at most {settings.query_timeout:g} s (the `timeout` parameter may lower it); an answer "
                f"holds at most {settings.max_rows} rows or triples, and a cut answer says so (header "
                f"X-Benelux-Truncated, and `truncated` in SPARQL JSON). The prefixes of the project (bx:, bxr:, org:, "
                f"skos:, ...) may be used without being declared."
            ),
        ),
        ox.Triple(service, iri(OWL.versionInfo), literal(f"{__version__}; dataset release {store.release}")),
        ox.Triple(service, iri(SD + "defaultDataset"), dataset),
        ox.Triple(dataset, a, iri(SD + "Dataset")),
        # The VoID/DCAT description of the same dataset (counts, dumps, licence), served by the linked-data routes.
        ox.Triple(dataset, iri(RDFS.seeAlso), iri(endpoint.rsplit("/sparql", 1)[0] + "/.well-known/void")),
        ox.Triple(dataset, iri(SD + "defaultGraph"), default),
        ox.Triple(default, a, iri(SD + "Graph")),
        ox.Triple(default, iri(VOID + "triples"), integer(runtime.default_graph_size)),
        ox.Triple(
            default,
            iri(DCTERMS.description),
            literal(
                "The default graph (what a query sees without FROM or GRAPH) is the union of the ontology graph and "
                "the data graphs; the SHACL shapes graphs are not in it. Each source file is also a named graph."
            ),
        ),
    ]
    out += [ox.Triple(service, iri(SD + "resultFormat"), iri(FORMATS + f)) for f in RESULT_FORMATS]
    if settings.service_allowlist:
        out.append(ox.Triple(service, iri(SD + "feature"), iri(SD + "BasicFederatedQuery")))
    out += [ox.Triple(default, iri(DCTERMS.hasPart), iri(g)) for g in store.default_graphs]
    sources = {
        name: (runtime.graph_sizes.get(name, 0), relative(path, settings.root)) for name, path in store.files.items()
    }
    queries = saved_queries_size(store)
    if queries:  # the saved queries' graph, made from queries/*.rq (GraphStore.load)
        sources[QUERIES_GRAPH] = (queries, "queries/*.rq")
    for i, (name, (size, source)) in enumerate(sources.items()):
        named, graph = ox.BlankNode(f"named-graph-{i}"), ox.BlankNode(f"graph-{i}")
        out += [
            ox.Triple(dataset, iri(SD + "namedGraph"), named),
            ox.Triple(named, a, iri(SD + "NamedGraph")),
            ox.Triple(named, iri(SD + "name"), iri(name)),
            ox.Triple(named, iri(SD + "graph"), graph),
            ox.Triple(graph, a, iri(SD + "Graph")),
            ox.Triple(graph, iri(VOID + "triples"), integer(size)),
            ox.Triple(graph, iri(DCTERMS.source), literal(source)),
        ]
    return out


def saved_queries_size(store) -> int:
    """Triples in the saved queries' graph (of the embedded store, or as published on a remote one)."""
    if not isinstance(getattr(store, "store", None), ox.Store):
        return store.graph_sizes().get(QUERIES_GRAPH, 0)
    return sum(1 for _ in store.store.quads_for_pattern(None, None, None, ox.NamedNode(QUERIES_GRAPH)))


def relative(path, root) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return path.name
