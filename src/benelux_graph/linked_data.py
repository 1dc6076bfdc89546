"""Linked data of one release: its publication (dumps.Publication) with the indexes the pages, the descriptions
and the source pages use, each built on first use and kept as long as the release is served."""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from functools import cached_property

import pyoxigraph as ox

from .citations import Citations
from .dumps import Publication
from .graph_index import Index
from .protocols import Store
from .rdf_writers import graph_iri
from .settings import Settings


class LinkedData:
    """The publication of one release's store, with the indexes the pages use. Built on first use."""

    def __init__(self, store: Store, settings: Settings):
        self.store = store
        self.publication = Publication(store, settings)
        self.home_counts: dict[str, int] | None = None  # what the home page says the release holds (api/site.py)
        self._lock = threading.Lock()
        self._citations: Citations | None = None

    @property
    def release(self) -> str:
        return self.publication.release

    @property
    def index(self) -> Index:
        return self.publication.index

    @cached_property
    def ontology_index(self) -> Index:
        return Index(q for q in self.publication.quads if graph_iri(q) in self.store.graphs("ontology"))

    @cached_property
    def shapes_graphs(self) -> list[str]:
        return self.store.graphs("shapes")

    @cached_property
    def shapes_index(self) -> Index:
        graphs = set(self.shapes_graphs)
        return Index(q for q in self.publication.quads if graph_iri(q) in graphs)

    @cached_property
    def class_counts(self) -> dict[str, int]:
        """Instances per class and statements per property, in the data."""
        counts: Counter = Counter()
        rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
        for pairs in self.index.out.values():
            for p, o in pairs:
                counts[p.value] += 1
                if p.value == rdf_type and isinstance(o, ox.NamedNode):
                    counts[o.value] += 1
        return dict(counts)

    def etag(self, *parts: str) -> str:
        digest = hashlib.sha256("\0".join((self.release, *parts)).encode()).hexdigest()[:32]
        return f'W/"{digest}"'

    @property
    def citations(self) -> Citations:
        """The release's per-fact citations (the source pages), built once."""
        with self._lock:
            if self._citations is None:
                self._citations = Citations(self.index)
            return self._citations
