"""Query answers as things to compare across engines (the embedded store, Virtuoso, a server over either).

Answers are compared as multisets of rows, terms exactly (IRI; literal value, datatype and language tag; blank
nodes as such), with one normalisation, for GROUP_CONCAT columns only: SPARQL leaves the order of the
concatenated values undefined, and engines differ on the result's type (test_differences.py shows how), so a
GROUP_CONCAT column is compared as the sorted list of its values.
"""

from __future__ import annotations

import ast
import re
from collections import Counter

import pyoxigraph as ox

STRING = r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\''
GROUP_CONCAT = re.compile(
    r"GROUP_CONCAT\s*\((?:[^()]|\([^()]*\))*?(?:;\s*SEPARATOR\s*=\s*(" + STRING + r"))?\s*\)\s*AS\s+\?(\w+)",
    re.IGNORECASE | re.DOTALL,
)


def concat_columns(sparql: str) -> dict[str, str]:
    """Variable -> separator of every GROUP_CONCAT(…) AS ?var in the query."""
    return {m.group(2): ast.literal_eval(m.group(1)) if m.group(1) else " " for m in GROUP_CONCAT.finditer(sparql)}


def term_key(term):
    if term is None:
        return None
    if isinstance(term, ox.BlankNode):
        return ("bnode",)
    if isinstance(term, ox.Literal):
        return ("literal", term.value, term.datatype.value, term.language)
    return ("iri", term.value)


def answer(result, concat: dict[str, str] | None = None):
    """A query answer as something to compare: a bool, or a Counter of rows (tuples of (variable, term key))."""
    concat = concat or {}
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        rows = Counter()
        for solution in result:
            row = []
            for name in names:
                term = solution[name]
                if name in concat:  # order undefined; type differs (see test_differences.py)
                    row.append((name, tuple(sorted(term.value.split(concat[name]))) if term and term.value else ()))
                else:
                    row.append((name, term_key(term)))
            rows[tuple(row)] += 1
        return rows
    return Counter((term_key(t.subject), term_key(t.predicate), term_key(t.object)) for t in result)
