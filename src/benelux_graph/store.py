"""Loads ontology/, its shapes and data/ into one store: one named graph per file.

Oxigraph (pyoxigraph) holds the quads and answers SPARQL; rdflib views of the same files are built on demand,
because rdflib is the API for everything else (validation, networkx projection, dumps).
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
import rdflib

from . import __version__
from .errors import BeneluxGraphError, DataFileError
from .namespaces import GRAPH, bind_prefixes
from .saved_queries import queries_quads
from .settings import Settings


def graph_name(path: Path, settings: Settings) -> str:
    """The named graph IRI of a source file: graph/ontology, graph/shapes/<stem>, graph/data/<stem>."""
    path = path.resolve()
    if path == (settings.ontology_dir / "benelux.ttl").resolve():
        return str(GRAPH["ontology"])
    if path.parent == settings.shapes_dir.resolve():
        return str(GRAPH["shapes/" + path.stem])
    if path.parent == settings.data_dir.resolve():
        return str(GRAPH["data/" + path.stem])
    return str(GRAPH["file/" + path.stem])


def project_files(settings: Settings) -> list[Path]:
    """Every Turtle file of the dataset, in a stable order: ontology, shapes, data."""
    return (
        [settings.ontology_dir / "benelux.ttl"]
        + sorted(settings.shapes_dir.glob("*.ttl"))
        + sorted(settings.data_dir.glob("*.ttl"))
    )


def parse_file(path: Path, graph: str | None = None) -> list[ox.Quad]:
    """Parse one Turtle file, raising DataFileError with line and column on a syntax error."""
    to_graph = ox.NamedNode(graph) if graph else ox.DefaultGraph()
    try:
        triples = ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, rename_blank_nodes=True)
        return [ox.Quad(t.subject, t.predicate, t.object, to_graph) for t in triples]
    except SyntaxError as e:
        line, column = (e.args[1][1], e.args[1][2]) if len(e.args) > 1 and e.args[1] else (None, None)
        raise DataFileError(path, str(e.args[0] if e.args else e), line, column) from None
    except OSError as e:
        raise DataFileError(path, e.strerror or str(e)) from None


def to_rdflib(term):
    """An rdflib term for a pyoxigraph term."""
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    if datatype == "http://www.w3.org/2001/XMLSchema#string":
        return rdflib.Literal(term.value)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(datatype))


WHERE_OPEN = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


def bind_variables(sparql: str, substitutions: dict) -> str:
    """Pre-bind variables by a VALUES block at the start of the outermost WHERE group.

    The values are RDF terms serialised by pyoxigraph (escaped, IRIs validated), never text pasted from a
    request, so a parameter cannot change the query's structure. Oxigraph's own substitution requires the
    variable in the SELECT projection; a VALUES block binds it before FILTERs and aggregates are evaluated.
    """
    match = WHERE_OPEN.search(sparql)
    if not match:
        raise ValueError("a parameterised query needs an explicit 'WHERE {'")
    values = " ".join(f"VALUES ?{var.value} {{ {term} }}" for var, term in substitutions.items())
    return sparql[: match.end()] + " " + values + " " + sparql[match.end() :]


class RdflibViews:
    """rdflib views of a store (embedded or remote) that has `rdflib_graph(graphs)`, `default_graphs`,
    `graphs(kind)` and `files` (named graph -> source); each view is built once."""

    if TYPE_CHECKING:  # what the store it is mixed into provides

        def rdflib_graph(self, graphs: list[str]) -> rdflib.Graph: ...
        def graphs(self, kind: str) -> list[str]: ...
        @property
        def default_graphs(self) -> list[str]: ...
        @property
        def files(self) -> Mapping[str, object]: ...

    @cached_property
    def data(self) -> rdflib.Graph:
        """Ontology and data together, as rdflib sees them: what validation and the network projection use."""
        return self.rdflib_graph(self.default_graphs)

    @cached_property
    def shapes(self) -> rdflib.Graph:
        return self.rdflib_graph(self.graphs("shapes"))

    @cached_property
    def dataset(self) -> rdflib.Dataset:
        """Every named graph of the store, as an rdflib Dataset."""
        ds = rdflib.Dataset()
        bind_prefixes(ds)
        for name in self.files:
            graph = ds.graph(rdflib.URIRef(name))
            for triple in self.rdflib_graph([name]):
                graph.add(triple)
        return ds


@dataclass
class GraphStore(RdflibViews):
    store: ox.Store
    files: dict[str, Path] = field(default_factory=dict)  # named graph IRI -> source file
    release: str = __version__

    @classmethod
    def load(cls, settings: Settings, paths: list[Path] | None = None, saved_queries: bool = True) -> GraphStore:
        """The project's files (or `paths`) in one store, a named graph each, and the saved queries' graph
        (unless `saved_queries` is False: validating a list of files needs only them)."""
        paths = project_files(settings) if paths is None else paths
        store = ox.Store()
        files: dict[str, Path] = {}
        digest = hashlib.sha256()
        for path in paths:
            name = graph_name(path, settings)
            store.extend(parse_file(path, name))
            files[name] = path
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
        # The saved queries are published in the dumps too, so a changed query is a new release; and they are
        # in the store, in the named graph the VoID description names, so that /sparql holds what is published.
        if saved_queries:
            for path in sorted(settings.queries_dir.glob("*.rq")):
                digest.update(path.name.encode() + b"\0" + path.read_bytes())
            try:
                store.extend(queries_quads(settings))
            except (BeneluxGraphError, ValueError) as e:
                raise DataFileError(settings.queries_dir, str(e)) from None
        return cls(store, files, f"{__version__}+{digest.hexdigest()[:12]}")

    @classmethod
    def from_snapshot(cls, path: Path, files: dict[str, Path], release: str) -> GraphStore:
        """A store from an N-Quads snapshot written by `snapshot()`."""
        store = ox.Store()
        store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
        return cls(store, files, release)

    def snapshot(self) -> Path:
        """The store's quads as an N-Quads file, written once per release (atomically) in the temp folder."""
        folder = Path(tempfile.gettempdir()) / "benelux-graph-snapshots"
        folder.mkdir(exist_ok=True)
        path = folder / f"{self.release}-{len(self.store)}.nq"
        if not path.exists():
            handle, part = tempfile.mkstemp(dir=folder, suffix=".part")
            os.close(handle)
            self.store.dump(output=part, format=ox.RdfFormat.N_QUADS)
            os.replace(part, path)
        return path

    def graphs(self, kind: str) -> list[str]:
        """Named graphs of one kind: 'ontology', 'shapes' or 'data'."""
        return [
            g
            for g in self.files
            if g == str(GRAPH["ontology"]) and kind == "ontology" or g.startswith(str(GRAPH[kind + "/"]))
        ]

    @property
    def default_graphs(self) -> list[str]:
        """What a query sees without FROM or GRAPH: the ontology and the data, not the shapes."""
        return self.graphs("ontology") + self.graphs("data")

    def query(self, sparql: str, substitutions: dict | None = None, **kwargs):
        """Run SPARQL on Oxigraph over the default graphs (unless `default_graph` is given).

        `substitutions` ({Variable: term}) pre-binds variables; see `bind_variables`.
        """
        kwargs.setdefault("default_graph", [ox.NamedNode(g) for g in self.default_graphs])
        if substitutions:
            sparql = bind_variables(sparql, substitutions)
        return self.store.query(sparql, **kwargs)

    def __len__(self) -> int:
        return len(self.store)

    def quads(self, graph: str | None = None) -> list[ox.Quad]:
        """Every quad of one named graph, or of the whole store."""
        return list(self.store.quads_for_pattern(None, None, None, None if graph is None else ox.NamedNode(graph)))

    def graph_sizes(self) -> dict[str, int]:
        """Triples in each named graph."""
        return {g: sum(1 for _ in self.store.quads_for_pattern(None, None, None, ox.NamedNode(g))) for g in self.files}

    def default_graph_size(self) -> int:
        """Distinct triples in the default graphs merged (a triple in two files counts once)."""
        return len({(q.subject, q.predicate, q.object) for g in self.default_graphs for q in self.quads(g)})

    def rdflib_graph(self, graphs: list[str]) -> rdflib.Graph:
        """An rdflib Graph holding the union of the given named graphs, as loaded (never re-read from disk:
        the files may have changed since, and the views must be those of this release)."""
        g = rdflib.Graph()
        bind_prefixes(g)
        for name in graphs:
            for quad in self.store.quads_for_pattern(None, None, None, ox.NamedNode(name)):
                g.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
        return g
