"""The benchmark's query mixes: the saved queries of queries/, as full SPARQL texts every server can run.

Each saved query is sent to /sparql as its text with its parameters bound by a VALUES block (store.bind_variables,
as the project's own engine binds them), so the three servers receive exactly the same text. A parameter's values
rotate over what the data holds (every theme, every organisation, every sourced entity, the years around the
programmes, ...): request k of the "varied" mix runs query k mod Q with the (k div Q)-th value of each of its
parameters, so that a result cache meets a text it has seen only after a whole rotation. The "repeated" mix is the
saved queries at their default parameters, over and over: what a result cache (or a CDN) answers.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass

import pyoxigraph as ox

from benelux_graph.saved_queries import NamedQuery, to_term
from benelux_graph.store import bind_variables

PREFIXES = """PREFIX bx: <https://w3id.org/benelux-graph/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""

#: Where a parameter's values come from, by parameter name: a SELECT of ?v over the default graph.
VALUE_QUERIES = {
    "theme": "SELECT DISTINCT ?v WHERE { ?v a bx:Theme }",
    "organisation": "SELECT DISTINCT ?v WHERE { ?v a/rdfs:subClassOf* org:Organization }",
    "agent": "SELECT DISTINCT ?v WHERE { ?v a/rdfs:subClassOf* org:Organization }",
    "forum": "SELECT DISTINCT ?v WHERE { { ?v a bx:Forum } UNION { ?v a bx:Body } }",
    "partner": "SELECT DISTINCT ?v WHERE { ?c bx:partner ?v }",
    "entity": "SELECT DISTINCT ?v WHERE { ?v prov:wasDerivedFrom ?p ; skos:prefLabel ?l }",
    "instrument": "SELECT DISTINCT ?v WHERE { ?v a/rdfs:subClassOf* bx:LegalInstrument }",
    "programme": "SELECT DISTINCT ?v WHERE { ?v a bx:WorkProgramme }",
    "earlier": "SELECT DISTINCT ?v WHERE { ?v a bx:WorkProgramme }",
    "other": "SELECT DISTINCT ?v WHERE { ?v a bx:WorkProgramme }",
    "section": "SELECT DISTINCT ?v WHERE { ?p bx:sectionTitle ?v }",
}
LANGS = ("en", "fr", "nl", "de")
YEARS = tuple(str(y) for y in range(2015, 2036))
#: At most this many values per parameter (the first ones, in a stable order).
MAX_VALUES = 400


@dataclass(frozen=True)
class Request:
    query: str  # the saved query's name
    text: str  # the SPARQL text, parameters bound
    key: str  # query name and parameter values: what a result cache would key on

    def path(self, extra: dict[str, str] | None = None, endpoint: str = "/sparql") -> str:
        """GET /sparql?query=... (plus, e.g., default-graph-uri)."""
        return endpoint + "?" + urllib.parse.urlencode({"query": self.text, **(extra or {})})


def parameter_values(store, q: NamedQuery, max_values: int = MAX_VALUES) -> dict[str, list[str]]:
    """For each parameter of a saved query, the values to rotate over (as the API would take them)."""
    out: dict[str, list[str]] = {}
    for p in q.params:
        values: list[str] = []
        if p.enum:
            values = list(p.enum)
        elif p.type == "lang":
            values = list(LANGS)
        elif p.type == "year":
            values = list(YEARS)
        elif p.name in VALUE_QUERIES:
            rows = store.query(PREFIXES + VALUE_QUERIES[p.name])
            values = sorted({r["v"].value for r in rows if r["v"] is not None and not isinstance(r["v"], ox.BlankNode)})
        if p.default is not None:
            default = str(to_term(p, p.default).value) if p.type == "iri" else p.default
            values = [default] + [v for v in values if v != default]
        out[p.name] = values[:max_values] or ([p.default] if p.default is not None else [])
    return out


def bound_text(q: NamedQuery, given: dict[str, str]) -> str:
    substitutions = q.bindings(given)
    return bind_variables(q.text, substitutions) if substitutions else q.text


class Mix:
    """The saved queries with their parameter rotations."""

    def __init__(self, store, queries: dict[str, NamedQuery], skip: tuple[str, ...] = ()):
        self.queries = [q for name, q in sorted(queries.items()) if name not in skip]
        self.values = {q.name: parameter_values(store, q) for q in self.queries}

    def __len__(self) -> int:
        return len(self.queries)

    def distinct(self) -> int:
        """How many different texts the varied mix can send."""
        total = 0
        for q in self.queries:
            n = 1
            for values in self.values[q.name].values():
                n = max(n, len(values))
            total += n
        return total

    def varied(self, k: int) -> Request:
        q = self.queries[k % len(self.queries)]
        turn = k // len(self.queries)
        given = {name: values[turn % len(values)] for name, values in self.values[q.name].items() if values}
        key = q.name + "?" + "&".join(f"{n}={v}" for n, v in sorted(given.items()))
        return Request(q.name, bound_text(q, given), key)

    def repeated(self, k: int) -> Request:
        q = self.queries[k % len(self.queries)]
        return Request(q.name, bound_text(q, {}), q.name)

    def defaults(self) -> list[Request]:
        return [self.repeated(i) for i in range(len(self.queries))]


#: The generic analyst mix (not the project's saved queries): counts, label lookups with LIMIT, class counts, ASK,
#: label search, an entity's properties. {c}: a class, {e}: an entity, {w}: a word of a label, {n}: a number.
GENERIC = (
    "SELECT (COUNT(*) AS ?n) WHERE {{ ?s a <{c}> }}",
    "SELECT ?l WHERE {{ <{e}> rdfs:label|skos:prefLabel ?l }} LIMIT 10",
    "ASK {{ <{e}> ?p ?o }}",
    'SELECT ?s ?l WHERE {{ ?s skos:prefLabel ?l FILTER(CONTAINS(LCASE(STR(?l)), "{w}")) }} LIMIT 20',
    "SELECT ?c (COUNT(?s) AS ?n) WHERE {{ ?s a ?c }} GROUP BY ?c ORDER BY DESC(?n) ?c LIMIT {n}",
    "SELECT ?p ?o WHERE {{ <{e}> ?p ?o }} ORDER BY ?p ?o LIMIT 50",
)


class GenericMix:
    """Request k: template k mod T with the (k div T)-th class, entity, word and number of the data's."""

    def __init__(self, store):
        def values(query: str) -> list[str]:
            rows = store.query(PREFIXES + query)
            return sorted({r["v"].value for r in rows if isinstance(r["v"], ox.NamedNode | ox.Literal)})[:MAX_VALUES]

        self.classes = values("SELECT DISTINCT ?v WHERE { ?s a ?v FILTER(isIRI(?v)) }")
        self.entities = values("SELECT DISTINCT ?v WHERE { ?v skos:prefLabel ?l FILTER(isIRI(?v)) }")
        labels = values("SELECT DISTINCT ?v WHERE { ?s skos:prefLabel ?v }")
        words = sorted({w.lower() for label in labels for w in label.split() if w.isalpha() and len(w) >= 5})
        self.words = words[:MAX_VALUES] or ["benelux"]

    def __len__(self) -> int:
        return len(GENERIC)

    def request(self, k: int) -> Request:
        template, turn = GENERIC[k % len(GENERIC)], k // len(GENERIC)
        text = PREFIXES + template.format(
            c=self.classes[turn % len(self.classes)],
            e=self.entities[turn % len(self.entities)],
            w=self.words[turn % len(self.words)],
            n=5 + turn % 50,
        )
        return Request(f"generic-{k % len(GENERIC)}", text, text)
