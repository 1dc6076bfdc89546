"""Answers compared as sets of rows of normalised terms, whatever format they came in."""

from __future__ import annotations

import pyoxigraph as ox

from benelux_graph.namespaces import PREFIXES

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
PREFIX_MAP = {p: str(ns) for p, ns in PREFIXES.items()}


def norm_ox(term) -> tuple | None:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return ("uri", term.value)
    if isinstance(term, ox.BlankNode):
        return ("bnode",)
    return ("literal", term.value, term.language or (term.datatype.value if term.datatype else XSD_STRING))


def norm_json(binding: dict | None) -> tuple | None:
    if binding is None:
        return None
    if binding["type"] == "uri":
        return ("uri", binding["value"])
    if binding["type"] == "bnode":
        return ("bnode",)
    return ("literal", binding["value"], binding.get("xml:lang") or binding.get("datatype") or XSD_STRING)


def expected_rows(store, text: str) -> set[tuple]:
    """The embedded store's answer to a SELECT, as the endpoint should give it (project prefixes predeclared)."""
    solutions = store.query(text, prefixes=PREFIX_MAP)
    names = [v.value for v in solutions.variables]
    return {tuple(norm_ox(s[n]) for n in names) for s in solutions}


def json_rows(doc: dict) -> set[tuple]:
    names = doc["head"]["vars"]
    return {tuple(norm_json(b.get(n)) for n in names) for b in doc["results"]["bindings"]}


def parsed_rows(body: bytes, fmt: ox.QueryResultsFormat) -> set[tuple]:
    solutions = ox.parse_query_results(body, format=fmt)
    names = [v.value for v in solutions.variables]
    return {tuple(norm_ox(s[n]) for n in names) for s in solutions}


def expected_triples(store, text: str) -> set[tuple]:
    return {
        tuple(norm_ox(t) for t in (tr.subject, tr.predicate, tr.object))
        for tr in store.query(text, prefixes=PREFIX_MAP)
    }


def parsed_triples(body: bytes, fmt: ox.RdfFormat) -> set[tuple]:
    return {tuple(norm_ox(t) for t in (q.subject, q.predicate, q.object)) for q in ox.parse(body, format=fmt)}
