"""The formats the service writes: each by its short name, media type, the other names a client may use for it,
and its file extension. Answers to SELECT and ASK (RESULTS), graphs (GRAPHS), and pages and errors.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    name: str
    media_type: str  # what the response's Content-Type says
    also: tuple[str, ...] = ()  # other media types a client may ask for to get it
    names: tuple[str, ...] = ()  # other values of the `format` parameter
    extension: str = ""

    @property
    def content_type(self) -> str:
        return self.media_type + "; charset=utf-8"  # every format served is text in UTF-8


RESULTS = (  # SELECT and ASK
    Format("json", "application/sparql-results+json", ("application/json",), ("srj",), "srj"),
    Format("xml", "application/sparql-results+xml", ("application/xml", "text/xml"), ("srx",), "srx"),
    Format("csv", "text/csv", (), (), "csv"),
    Format("tsv", "text/tab-separated-values", (), (), "tsv"),
)
GRAPHS = (  # CONSTRUCT and DESCRIBE
    Format(
        "turtle",
        "text/turtle",
        ("application/x-turtle", "application/turtle", "text/n3", "text/rdf+n3"),
        ("ttl", "n3"),
        "ttl",
    ),
    Format("ntriples", "application/n-triples", (), ("nt", "n-triples"), "nt"),
    Format("jsonld", "application/ld+json", ("application/json",), ("json-ld", "json"), "jsonld"),
    Format("rdfxml", "application/rdf+xml", ("application/xml", "text/xml"), ("rdf", "xml", "rdf+xml", "owl"), "rdf"),
    Format("trig", "application/trig", (), (), "trig"),
)
HTML = Format("html", "text/html", ("application/xhtml+xml",))
JSON = Format("json", "application/json")
TEXT = Format("text", "text/plain")
