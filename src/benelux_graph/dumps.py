"""Deterministic dumps of the whole dataset, the saved queries as data, and the VoID/DCAT description (the
deterministic writing itself: rdf_writers.py).

What is published (a `Publication`) is every named graph of the store (ontology, shapes, data) plus the graph
`…/graph/queries`, where each saved query of `queries/` is a `sh:SPARQLExecutable`. Dumps of it are
byte-identical for identical input:

- blank nodes (the ontology's `owl:AllDisjointClasses` and lists, the shapes' property shapes) get the labels of
  W3C RDF Dataset Canonicalization (RDFC-1.0, `_:c14n0`, `_:c14n1`, ...), which depend on content only;
- statements are sorted (graph, subject, `rdf:type` first then predicate, object);
- prefixes are the fixed map of `namespaces.PREFIXES`, written in that order;
- JSON-LD is written here (keys sorted, one inline context, the one published at `/context.jsonld`);
- gzip files carry no name and mtime 0.

Files of a dump (`benelux-graph dump --out DIR` and `/downloads`):

    benelux-graph.ttl  .nt  .rdf      every statement, graphs merged (Turtle, N-Triples, RDF/XML)
    benelux-graph.trig .nq  .jsonld   named graphs kept (TriG, N-Quads, JSON-LD)
    *.gz                              each of them gzipped
    context.jsonld                    the JSON-LD context (prefixes)
    void.ttl                          VoID + DCAT description of the dataset and of these files
    SHA256SUMS                        `sha256sum -c SHA256SUMS` checks every file above
"""

from __future__ import annotations

import gzip
import json
import os
import re
import tempfile
import threading
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pyoxigraph as ox

from .formats import DUMPS, Format, by_extension
from .graph_index import Index
from .namespaces import BASE, BXR, PREFIXES
from .rdf_writers import canonical, compact, graph_iri, gzipped, jsonld_context, serialize, sha256, sort_key, triples_of
from .saved_queries import QUERIES_GRAPH, queries_quads
from .settings import Settings

NAME = "benelux-graph"
TITLE = "Benelux cooperation graph"
DESCRIPTION = (
    "A sourced RDF knowledge graph of the cooperation structures of the Benelux Union, built from the "
    "Joint Work Programme 2025-2028 and the Common Work Programme 2021-2024: every fact is linked to a "
    "verbatim passage of one of them."
)
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
LICENSE_NAME = "CC BY 4.0"
DATASET_IRI = BASE + "dataset"
PUBLISHER_IRI = BASE + "contributors"
PUBLISHER_NAME = "benelux-graph contributors"
CONTEXT_IRI = BASE + "context.jsonld"
SOURCES = (str(BXR) + "joint-work-programme-2025-2028", str(BXR) + "common-work-programme-2021-2024")

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"
SH = str(PREFIXES["sh"])
RDFS = str(PREFIXES["rdfs"])
DCTERMS = str(PREFIXES["dcterms"])
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
SPDX = "http://spdx.org/rdf/terms#"
FOAF = str(PREFIXES["foaf"])
OWL = str(PREFIXES["owl"])
SKOS = str(PREFIXES["skos"])
IANA = "https://www.iana.org/assignments/media-types/"

PREFIX_MAP: dict[str, str] = {p: str(ns) for p, ns in PREFIXES.items()}
VOID_PREFIXES: dict[str, str] = {**PREFIX_MAP, "void": VOID, "dcat": DCAT, "spdx": SPDX}


#: The dump files' formats (formats.py: the registry), by extension.
FORMATS = DUMPS
FORMAT_BY_EXTENSION = by_extension(DUMPS)


# --- the publication ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DumpFile:
    name: str
    format: Format | None  # None for the context, the VoID description and SHA256SUMS
    compressed: bool
    size: int
    sha256: str
    statements: int | None  # quads (named-graph formats) or distinct triples; None for non-RDF files

    @property
    def media_type(self) -> str:
        if self.compressed:
            return "application/gzip"
        if self.format:
            return self.format.media_type
        return {"context.jsonld": "application/ld+json", "void.ttl": "text/turtle"}.get(self.name, "text/plain")

    @property
    def label(self) -> str:
        if self.format:
            what = self.format.label + (", named graphs kept" if self.format.named_graphs else ", graphs merged")
            return what + (" (gzip)" if self.compressed else "")
        return {
            "context.jsonld": "JSON-LD context (prefixes)",
            "void.ttl": "VoID + DCAT description (Turtle)",
            "SHA256SUMS": "SHA-256 checksums of every file (sha256sum -c SHA256SUMS)",
        }.get(self.name, self.name)


class Publication:
    """What the project publishes: the store's named graphs plus the saved queries, ready to dump and describe."""

    def __init__(self, store, settings: Settings):
        self.store = store
        self.settings = settings
        self.release: str = store.release
        self._lock = threading.Lock()
        self._served: tuple[Path, list[DumpFile]] | None = None

    @cached_property
    def queries(self) -> list[ox.Quad]:
        return queries_quads(self.settings)

    @cached_property
    def quads(self) -> list[ox.Quad]:
        """Every published quad, with canonical blank-node labels, sorted."""
        # the store holds the queries graph too (GraphStore.load): taken from the files here, once
        return canonical([q for q in self.store.quads() if q.graph_name.value != QUERIES_GRAPH] + self.queries)

    @cached_property
    def triples(self) -> list[ox.Triple]:
        return triples_of(self.quads)

    @cached_property
    def index(self):
        """Statements of the ontology, the data and the queries, by subject and object: what entity pages show."""
        described = set(self.store.default_graphs) | {QUERIES_GRAPH}
        return Index(q for q in self.quads if graph_iri(q) in described)

    @cached_property
    def graph_counts(self) -> dict[str, int]:
        """Named graph IRI -> number of statements in it."""
        return dict(sorted(Counter(graph_iri(q) for q in self.quads).items()))

    @cached_property
    def last_modified(self) -> float:
        """The newest modification time of the files the publication is made of (seconds since the epoch; a
        remote store's graphs have no file: the queries' files count)."""
        paths = [p for p in self.store.files.values() if p is not None]
        paths += sorted(self.settings.queries_dir.glob("*.rq"))
        return max((p.stat().st_mtime for p in paths if p.exists()), default=0.0)

    def comment(self) -> list[str]:
        return [
            f"{TITLE}, release {self.release}",
            f"Data licence: {LICENSE_NAME} ({LICENSE})",
            f"Description: {BASE}dataset (VoID/DCAT)",
        ]

    def dump_bytes(self, fmt: Format) -> bytes:
        statements = self.quads if fmt.named_graphs else self.triples
        return serialize(statements, fmt, comment=self.comment())

    def statement_count(self, fmt: Format) -> int:
        return len(self.quads) if fmt.named_graphs else len(self.triples)

    def build(self, base_url: str = BASE) -> dict[str, bytes]:
        """Every file of a dump, by name (void.ttl links the dumps under `base_url` + 'downloads/')."""
        files: dict[str, bytes] = {}
        for fmt in FORMATS:
            data = self.dump_bytes(fmt)
            files[f"{NAME}.{fmt.extension}"] = data
            files[f"{NAME}.{fmt.extension}.gz"] = gzipped(data)
        files["context.jsonld"] = (json.dumps(jsonld_context(), indent=1) + "\n").encode()
        entries = self.file_entries(files)
        files["void.ttl"] = serialize(
            void_triples(self, entries, base_url),
            FORMAT_BY_EXTENSION["ttl"],
            VOID_PREFIXES,
            [f"VoID and DCAT description of {TITLE}, release {self.release}"],
        )
        files["SHA256SUMS"] = "".join(f"{sha256(data)}  {name}\n" for name, data in sorted(files.items())).encode()
        return files

    def file_entries(self, files: dict[str, bytes]) -> list[DumpFile]:
        out = []
        for name, data in files.items():
            ext = name.removesuffix(".gz").rsplit(".", 1)[-1]
            fmt = FORMAT_BY_EXTENSION.get(ext) if name.startswith(NAME + ".") else None
            out.append(
                DumpFile(
                    name, fmt, name.endswith(".gz"), len(data), sha256(data), self.statement_count(fmt) if fmt else None
                )
            )
        return out

    def write(self, out_dir: Path, base_url: str = BASE) -> list[DumpFile]:
        """Write every file of a dump into `out_dir` (created if needed); return what was written."""
        out_dir.mkdir(parents=True, exist_ok=True)
        files = self.build(base_url)
        for name, data in files.items():
            (out_dir / name).write_bytes(data)
        return self.file_entries(files)

    def served_files(self) -> tuple[Path, list[DumpFile]]:
        """The dump files for the server (those `write` gives, links under the project's base), written once
        into a folder named by their content.

        The folder sits in the system's temporary folder; files get the publication's modification time, so
        `Last-Modified` says when the data last changed, not when the server started.
        """
        with self._lock:
            if self._served is not None and (self._served[0] / "SHA256SUMS").exists():
                return self._served
            files = self.build()
            key = sha256(files["SHA256SUMS"])[:16]
            folder = Path(tempfile.gettempdir()) / "benelux-graph-dumps" / key
            if not (folder / "SHA256SUMS").exists() or (folder / "SHA256SUMS").read_bytes() != files["SHA256SUMS"]:
                folder.parent.mkdir(parents=True, exist_ok=True)
                staging = Path(tempfile.mkdtemp(prefix=key + ".", dir=folder.parent))
                for name, data in files.items():
                    (staging / name).write_bytes(data)
                    os.utime(staging / name, (self.last_modified, self.last_modified))
                try:
                    staging.rename(folder)
                except OSError:  # another process wrote the same folder first: the same bytes
                    for name in files:
                        (staging / name).unlink()
                    staging.rmdir()
            self._served = (folder, self.file_entries(files))
            return self._served


# --- VoID and DCAT ------------------------------------------------------------------------------------------


def namespace_of(iri: str) -> str:
    m = re.match(r"^(.*[#/])[^#/]*$", iri)
    return m.group(1) if m else iri


def fragment(iri: str) -> str:
    """A readable fragment for a partition: the compact IRI with its punctuation turned into hyphens."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", compact(iri, VOID_PREFIXES)).strip("-")


def void_triples(pub: Publication, files: list[DumpFile], base_url: str = BASE) -> list[ox.Triple]:
    """VoID + DCAT: counts (from the published quads), partitions, subsets per named graph, dumps, endpoint."""
    base_url = base_url if base_url.endswith("/") else base_url + "/"
    out: list[ox.Triple] = []
    n = ox.NamedNode

    def lit(value, datatype: str | None = None, lang: str | None = None) -> ox.Literal:
        if lang:
            return ox.Literal(str(value), language=lang)
        return ox.Literal(str(value), datatype=n(datatype)) if datatype else ox.Literal(str(value))

    def add(s: str, p: str, o) -> None:
        out.append(ox.Triple(n(s), n(p), o if not isinstance(o, str) else n(o)))

    def count(s: str, p: str, value: int) -> None:
        add(s, VOID + p, lit(value, XSD + "integer"))

    def linkset(g: str) -> None:
        """A data/links-*.ttl graph is a VoID linkset: its link predicates, and the schemes its targets are in."""
        mine = [q for q in pub.quads if q.graph_name == n(g)]
        add(g, RDF_TYPE, VOID + "Linkset")
        add(g, VOID + "subjectsTarget", ds)
        for p in sorted({q.predicate.value for q in mine} & {SKOS + "exactMatch", OWL + "sameAs"}):
            add(g, VOID + "linkPredicate", p)
        in_scheme = [q.object for q in mine if q.predicate.value == SKOS + "inScheme"]
        for scheme in sorted({o.value for o in in_scheme if not isinstance(o, ox.Triple)}):
            add(g, VOID + "objectsTarget", scheme)

    quads = pub.quads
    ds = DATASET_IRI
    add(ds, RDF_TYPE, VOID + "Dataset")
    add(ds, RDF_TYPE, DCAT + "Dataset")
    add(ds, DCTERMS + "title", lit(TITLE, lang="en"))
    add(ds, DCTERMS + "description", lit(DESCRIPTION, lang="en"))
    add(ds, DCTERMS + "license", LICENSE)
    add(ds, DCTERMS + "publisher", PUBLISHER_IRI)
    add(PUBLISHER_IRI, RDF_TYPE, FOAF + "Organization")
    add(PUBLISHER_IRI, FOAF + "name", lit(PUBLISHER_NAME))
    for source in SOURCES:
        add(ds, DCTERMS + "source", source)
    add(ds, OWL + "versionInfo", lit(pub.release))
    add(ds, DCAT + "version", lit(pub.release))
    add(ds, DCAT + "landingPage", base_url + "downloads")
    add(ds, VOID + "sparqlEndpoint", base_url + "sparql")
    add(ds, VOID + "uriLookupEndpoint", base_url + "search?q=")
    add(ds, VOID + "uriSpace", lit(str(BXR)))
    add(ds, VOID + "exampleResource", str(BXR) + "benelux-union")
    add(ds, VOID + "exampleResource", str(BXR) + "greater-region")
    add(ds, VOID + "rootResource", str(BXR) + "benelux-union")
    for f in FORMATS:
        add(
            ds,
            VOID + "feature",
            {
                "turtle": "http://www.w3.org/ns/formats/Turtle",
                "ntriples": "http://www.w3.org/ns/formats/N-Triples",
                "trig": "http://www.w3.org/ns/formats/TriG",
                "nquads": "http://www.w3.org/ns/formats/N-Quads",
                "jsonld": "http://www.w3.org/ns/formats/JSON-LD",
                "rdfxml": "http://www.w3.org/ns/formats/RDF_XML",
            }[f.name],
        )

    subjects = {q.subject for q in quads}
    entities = {s for s in subjects if isinstance(s, ox.NamedNode) and s.value.startswith(str(BXR))}
    classes: Counter[str] = Counter()
    typed: dict[str, set] = {}
    for q in quads:
        if q.predicate.value == RDF_TYPE and isinstance(q.object, ox.NamedNode):
            typed.setdefault(q.object.value, set()).add(q.subject)
    for c, members in typed.items():
        classes[c] = len(members)
    properties = Counter(q.predicate.value for q in quads)
    count(ds, "triples", len(quads))
    count(ds, "entities", len(entities))
    count(ds, "distinctSubjects", len(subjects))
    count(ds, "distinctObjects", len({q.object for q in quads}))
    count(ds, "classes", len(classes))
    count(ds, "properties", len(properties))
    vocabularies = sorted({namespace_of(p) for p in properties} | {namespace_of(c) for c in classes})
    for v in vocabularies:
        add(ds, VOID + "vocabulary", v)
    for c in sorted(classes):
        part = f"{ds}#class-{fragment(c)}"
        add(ds, VOID + "classPartition", part)
        add(part, VOID + "class", c)
        count(part, "entities", classes[c])
    for p in sorted(properties):
        part = f"{ds}#property-{fragment(p)}"
        add(ds, VOID + "propertyPartition", part)
        add(part, VOID + "property", p)
        count(part, "triples", properties[p])
    for g, size in pub.graph_counts.items():
        add(ds, VOID + "subset", g)
        add(g, RDF_TYPE, VOID + "Dataset")
        count(g, "triples", size)
        path = pub.store.files.get(g)
        if path is not None:
            add(g, DCTERMS + "title", lit(f"{path.parent.name}/{path.name}"))
            if path.name.startswith("links-"):
                linkset(g)
        elif g == QUERIES_GRAPH:
            add(g, DCTERMS + "title", lit("saved queries (queries/*.rq) as SHACL SPARQL executables", lang="en"))

    for dump in sorted(files, key=lambda d: d.name):
        url = base_url + "downloads/" + dump.name
        if dump.format is not None:
            add(ds, VOID + "dataDump", url)
            add(ds, DCAT + "distribution", url)
            add(url, RDF_TYPE, DCAT + "Distribution")
            add(url, DCTERMS + "title", lit(f"{TITLE}, {dump.label}", lang="en"))
            add(url, DCAT + "downloadURL", url)
            add(url, DCAT + "mediaType", IANA + dump.format.media_type)
            if dump.compressed:
                add(url, DCAT + "compressFormat", IANA + "application/gzip")
            add(url, DCAT + "byteSize", lit(dump.size, XSD + "nonNegativeInteger"))
            add(url, DCTERMS + "license", LICENSE)
            add(url, SPDX + "checksum", url + "#sha256")
            add(url + "#sha256", RDF_TYPE, SPDX + "Checksum")
            add(url + "#sha256", SPDX + "algorithm", SPDX + "checksumAlgorithm_sha256")
            add(url + "#sha256", SPDX + "checksumValue", lit(dump.sha256, XSD + "hexBinary"))
    service = base_url + "sparql"
    add(service, RDF_TYPE, DCAT + "DataService")
    add(service, DCAT + "endpointURL", service)
    add(service, DCAT + "servesDataset", ds)
    add(service, DCTERMS + "title", lit(f"SPARQL endpoint of the {TITLE}", lang="en"))
    add(ds, DCAT + "distribution", base_url + "sparql#distribution")
    add(base_url + "sparql#distribution", RDF_TYPE, DCAT + "Distribution")
    add(base_url + "sparql#distribution", DCAT + "accessService", service)
    add(base_url + "sparql#distribution", DCAT + "accessURL", service)
    return sorted(set(out), key=sort_key)


# --- reading dumps back (diff, tests) -----------------------------------------------------------------------


def read_dump(path: Path) -> list[ox.Quad]:
    """The quads of a dump file in any of the formats (gzipped or not), triples in the default graph."""
    name = path.name.removesuffix(".gz")
    ext = name.rsplit(".", 1)[-1]
    if ext not in FORMAT_BY_EXTENSION:
        raise ValueError(
            f"{path}: not a dump file (extensions: {', '.join(f.extension for f in FORMATS)}, each optionally .gz)"
        )
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        data = gzip.decompress(data)
    quads = ox.parse(data, format=FORMAT_BY_EXTENSION[ext].rdf)
    return [
        q if isinstance(q, ox.Quad) else ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in quads
    ]
