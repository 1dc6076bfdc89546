"""The query text as a remote store is sent it: its form read from the prologue (never by evaluating the query),
its syntax checked locally first, and its dataset clauses (FROM, FROM NAMED) read or taken out, since the
protocol's `default-graph-uri` and `named-graph-uri` name the dataset instead (remote.RemoteStore)."""

from __future__ import annotations

import re
from typing import Any

import pyoxigraph as ox

# --- the query form, read from the prologue (never by evaluating the query) -------------------------------------

PROLOGUE_TOKEN = re.compile(r"\s+|#[^\n]*|BASE\s*<[^>]*>|PREFIX\s+[^\s:]*:\s*<[^>]*>", re.IGNORECASE)
FORM = re.compile(r"(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)


def query_form(sparql: str) -> tuple[str, int]:
    """SELECT, ASK, CONSTRUCT or DESCRIBE (the first keyword after the BASE/PREFIX prologue and comments), and
    where it starts."""
    pos = 0
    while match := PROLOGUE_TOKEN.match(sparql, pos):
        if match.end() == pos:
            break
        pos = match.end()
    form = FORM.match(sparql, pos)
    if not form:
        raise SyntaxError(
            f"a query must start with SELECT, ASK, CONSTRUCT or DESCRIBE after its prologue (at character {pos})"
        )
    return form.group(1).upper(), pos


def check_syntax(sparql: str, base_iri: str | None = None, prefixes: dict[str, str] | None = None) -> str:
    """The query form, after Oxigraph has parsed the query: a malformed query raises Oxigraph's own SyntaxError
    (with 'error at line:column'), exactly as on GraphStore.

    An empty in-memory store parses the query; SELECT/CONSTRUCT/DESCRIBE answers are lazy and never pulled, so
    nothing is evaluated. ASK is evaluated eagerly by pyoxigraph, so it is parsed as the SELECT it is a test of.
    """
    options: dict[str, Any] = {k: v for k, v in (("base_iri", base_iri), ("prefixes", prefixes)) if v}
    try:
        form, at = query_form(sparql)
    except SyntaxError:
        ox.Store().query(sparql, **options)  # Oxigraph's own message for what is not a query at all
        raise
    if form == "ASK":
        try:
            ox.Store().query(sparql[:at] + "SELECT (1 AS ?ask_)" + sparql[at + 3 :], **options)
        except SyntaxError:
            ox.Store().query(sparql, **options)  # malformed, so never evaluated: the message with its own columns
            raise
    else:
        ox.Store().query(sparql, **options)
    return form


IRIREF = r"""<[^<>"{}|^`\\\x00-\x20]*>"""
MASKED = re.compile(
    r'''"""(?:[^"\\]|\\.|"(?!""))*"""'''  # long strings
    r"""|'''(?:[^'\\]|\\.|'(?!''))*'''"""
    r'''|"(?:[^"\\\n]|\\.)*"'''  # strings
    r"""|'(?:[^'\\\n]|\\.)*'"""
    r"|"
    + IRIREF  # IRIs (a '<' between spaces is a comparison, not an IRI)
    + r"|#[^\n]*"
)  # comments
DATASET_CLAUSE = re.compile(
    r"(?<![?$\w:.-])FROM(?:\s+|(?=<))(?:NAMED(?:\s+|(?=<)))?(?:" + IRIREF + r"|[\w.-]*:[\w.:%-]*)\s*", re.IGNORECASE
)


def strip_dataset(sparql: str) -> str:
    """The query without its FROM / FROM NAMED clauses.

    The dataset is always the one the protocol names, as on the embedded store (where `default_graph`
    overrides FROM). Virtuoso does the opposite of the protocol's rule: a FROM in the text wins over
    `default-graph-uri` and FROM NAMED adds graphs, which would open its system graphs to any query.
    Strings, IRIs and comments are masked first, so only real clauses are removed.
    """
    masked = MASKED.sub(
        lambda m: "<" + "x" * (len(m.group(0)) - 2) + ">" if m.group(0)[0] == "<" else " " * len(m.group(0)), sparql
    )
    for match in reversed(list(DATASET_CLAUSE.finditer(masked))):
        sparql = sparql[: match.start()] + sparql[match.end() :]
    return sparql


PREFIX_DECLARATION = re.compile(r"PREFIX\s+([\w.-]*):\s*(" + IRIREF + ")", re.IGNORECASE)
CLAUSE_GRAPH = re.compile(IRIREF + r"|[\w.-]*:[\w.:%-]*")


def dataset_clauses(sparql: str, prefixes: dict[str, str] | None = None) -> tuple[list[str], list[str]] | None:
    """The graphs a query's own FROM and FROM NAMED clauses name, as (default, named) IRIs, or None if it has
    none (strip_dataset removes them from the text: the protocol then names them to the store)."""
    masked = MASKED.sub(
        lambda m: "<" + "x" * (len(m.group(0)) - 2) + ">" if m.group(0)[0] == "<" else " " * len(m.group(0)), sparql
    )
    clauses = list(DATASET_CLAUSE.finditer(masked))
    if not clauses:
        return None
    known = dict(prefixes or {})
    known.update({m.group(1): sparql[m.start(2) + 1 : m.end(2) - 1] for m in PREFIX_DECLARATION.finditer(masked)})
    default: list[str] = []
    named: list[str] = []
    for clause in clauses:
        target = CLAUSE_GRAPH.search(masked, clause.start() + 4)  # after FROM (NAMED holds no '<' nor ':')
        assert target is not None  # DATASET_CLAUSE matched only with a graph after it
        text = sparql[target.start() : target.end()]
        if text.startswith("<"):
            iri = text[1:-1]
        else:
            prefix, _, local = text.partition(":")
            iri = known.get(prefix, "urn:x-benelux-graph:unknown-prefix:") + local
        (named if "NAMED" in clause.group(0).upper() else default).append(iri)
    return default, named
