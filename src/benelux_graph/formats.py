"""The format registry: every format the service writes, in one place, built on pyoxigraph's own formats.

Each RDF format and SPARQL results format is an entry made from pyoxigraph's `RdfFormat` / `QueryResultsFormat`
(media type, file extension and label come from it), with the other media types and `format=` names a client
may use for it. The tuples below say where each is offered, in that place's order of preference: answers to
SELECT and ASK (RESULTS), to CONSTRUCT and DESCRIBE (GRAPHS), descriptions of linked data (DESCRIPTIONS), the
dump files (DUMPS), the network of the graph API (NETWORK). Content negotiation (api/negotiation.py), the
result writers (result_writers.py), the dumps (dumps.py), the linked-data routes (api/resources.py) and the
graph API (api/graph.py) all read them.

Adding an RDF output format is its entry here and its name in the tuples where it is offered; pyoxigraph writes
it. Only SPARQL results (result_writers.py, which must cut an answer) and the dumps' JSON-LD (dumps.jsonld,
which must be deterministic) have writers of their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pyoxigraph as ox


@dataclass(frozen=True)
class Format:
    name: str
    media_type: str  # what the response's Content-Type says
    also: tuple[str, ...] = ()  # other media types a client may ask for to get it
    names: tuple[str, ...] = ()  # other values of the `format` parameter
    extension: str = ""
    label: str = ""
    rdf: ox.RdfFormat | None = field(default=None, compare=False)  # pyoxigraph's format, for an RDF format
    results: ox.QueryResultsFormat | None = field(default=None, compare=False)  # for a SPARQL results format
    profile: str = field(default="", compare=False)  # JSON-LD's document form (the same format: rdf_writers.jsonld)

    @property
    def content_type(self) -> str:
        profile = f'; profile="{self.profile}"' if self.profile else ""
        return self.media_type + "; charset=utf-8" + profile  # every format served is text in UTF-8

    @property
    def named_graphs(self) -> bool:
        """Whether it keeps named graphs (a quad format)."""
        return self.rdf is not None and self.rdf.supports_datasets


def rdf_format(fmt: ox.RdfFormat, name: str, also: tuple[str, ...] = (), names: tuple[str, ...] = ()) -> Format:
    return Format(name, fmt.media_type, also, names, fmt.file_extension, fmt.name, rdf=fmt)


def results_format(
    fmt: ox.QueryResultsFormat, name: str, also: tuple[str, ...] = (), names: tuple[str, ...] = ()
) -> Format:
    media_type = fmt.media_type.partition(";")[0]  # pyoxigraph adds the charset to some; content_type adds it to all
    return Format(name, media_type, also, names, fmt.file_extension, fmt.name, results=fmt)


# --- the entries ------------------------------------------------------------------------------------------------

TURTLE = rdf_format(
    ox.RdfFormat.TURTLE,
    "turtle",
    ("application/x-turtle", "application/turtle", "text/n3", "text/rdf+n3"),
    ("ttl", "n3"),
)
NTRIPLES = rdf_format(ox.RdfFormat.N_TRIPLES, "ntriples", (), ("nt", "n-triples"))
JSONLD = rdf_format(ox.RdfFormat.JSON_LD, "jsonld", ("application/json",), ("json-ld", "json"))
RDFXML = rdf_format(ox.RdfFormat.RDF_XML, "rdfxml", ("application/xml", "text/xml"), ("rdf", "xml", "rdf+xml", "owl"))
TRIG = rdf_format(ox.RdfFormat.TRIG, "trig")
NQUADS = rdf_format(ox.RdfFormat.N_QUADS, "nquads", (), ("nq", "n-quads"))

JSON_RESULTS = results_format(ox.QueryResultsFormat.JSON, "json", ("application/json",), ("srj",))
XML_RESULTS = results_format(ox.QueryResultsFormat.XML, "xml", ("application/xml", "text/xml"), ("srx",))
CSV_RESULTS = results_format(ox.QueryResultsFormat.CSV, "csv")
TSV_RESULTS = results_format(ox.QueryResultsFormat.TSV, "tsv")

HTML = Format("html", "text/html", ("application/xhtml+xml",))
JSON = Format("json", "application/json")
TEXT = Format("text", "text/plain")

# --- where each is offered, in order of preference -----------------------------------------------------------

RESULTS = (JSON_RESULTS, XML_RESULTS, CSV_RESULTS, TSV_RESULTS)  # SELECT and ASK
#: The JSON-LD document forms (JSON-LD 1.1, 9.1), a media type parameter: `application/ld+json;profile="…"`.
JSONLD_NS = "http://www.w3.org/ns/json-ld#"
EXPANDED, COMPACTED, FLATTENED = JSONLD_NS + "expanded", JSONLD_NS + "compacted", JSONLD_NS + "flattened"

#: CONSTRUCT and DESCRIBE (and the service description), written by the engine: its JSON-LD is the expanded form
GRAPHS = (TURTLE, NTRIPLES, replace(JSONLD, profile=EXPANDED), RDFXML, TRIG, NQUADS)
#: A description (an entity, the ontology, the shapes, a named graph). N-Triples is also what a client asking
#: for text/plain gets; TriG and N-Quads keep a named graph's name.
DESCRIPTIONS = (TURTLE, JSONLD, RDFXML, replace(NTRIPLES, also=("text/plain",)), TRIG, NQUADS)
DUMPS = (TURTLE, NTRIPLES, TRIG, NQUADS, JSONLD, RDFXML)  # the dump files, `benelux-graph.<extension>`
#: The network of the graph API (`format=`): JSON for Cytoscape.js or D3, or a GraphML or GEXF file.
NETWORK = (
    Format("cytoscape", "application/json"),
    Format("node-link", "application/json"),
    Format("graphml", "application/graphml+xml", extension="graphml"),
    Format("gexf", "application/gexf+xml", extension="gexf"),
)


def by_extension(offered: tuple[Format, ...]) -> dict[str, Format]:
    return {f.extension: f for f in offered}
