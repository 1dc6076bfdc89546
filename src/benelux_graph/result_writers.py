"""An engine Result as bytes in a negotiated format.

SELECT and ASK answers are written here, following the W3C result formats (JSON, XML, CSV, TSV), because the
row cap means writing a cut answer, which pyoxigraph's serializer (which consumes the whole iterator) cannot do;
the JSON form carries a top-level `truncated` flag. Graphs (CONSTRUCT, DESCRIBE) are written by pyoxigraph.

`capped` keeps a written answer within a number of bytes: one longer is written again with fewer rows or
triples (in proportion, a tenth less each time), and marked truncated like an answer cut at the row cap. The
engine's workers have already stopped collecting where the terms' text passed that size (engine.collect), so
this rewriting starts from at most a few times the limit.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import replace
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from .errors import EvaluationError
from .formats import Format
from .namespaces import PREFIXES
from .results import Result

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
PREFIX_MAP = {prefix: str(ns) for prefix, ns in PREFIXES.items()}
#: Characters XML 1.0 cannot carry at all, not even as a character reference (XML 1.0, 2.2 "Char").
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def serialize(result: Result, fmt: Format) -> bytes:
    if result.kind == "graph":
        return graph(result.triples, fmt)
    if result.kind == "boolean":
        return boolean(bool(result.boolean), fmt)
    return {"json": bindings_json, "xml": bindings_xml, "csv": bindings_csv, "tsv": bindings_tsv}[fmt.name](result)


def capped(result: Result, fmt: Format, max_bytes: int) -> tuple[bytes, Result]:
    """The answer written in `fmt`, at most `max_bytes` long (0: no limit), with the result it was written from
    (fewer rows or triples, and `truncated`, when some had to go). An answer with none left is kept whatever its
    size (its head: never more than a few hundred bytes)."""
    body = serialize(result, fmt)
    items = "triples" if result.kind == "graph" else "rows"
    count = len(getattr(result, items)) if result.kind != "boolean" else 0
    while max_bytes and len(body) > max_bytes and count > 0:
        count = min(count - 1, int(count * max_bytes / len(body) * 0.9))
        result = replace(result, **{items: getattr(result, items)[:count]}, truncated=True)
        body = serialize(result, fmt)
    return body, result


def graph(triples: list[ox.Triple], fmt: Format, prefixes: dict[str, str] | None = None) -> bytes:
    rdf_format = fmt.rdf
    items: list = triples
    if rdf_format is ox.RdfFormat.TRIG:
        items = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]
    if rdf_format is ox.RdfFormat.RDF_XML:
        for t in triples:  # Oxigraph writes the characters as they are (see xml_text)
            if isinstance(t.object, ox.Literal):
                xml_text(t.object.value)
        body = ox.serialize(items, format=rdf_format, prefixes={**PREFIX_MAP, **(prefixes or {})}) or b""
        return body.replace(b"\r", b"&#13;")  # in a literal only: names and IRIs hold none
    if rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG):
        return ox.serialize(items, format=rdf_format, prefixes={**PREFIX_MAP, **(prefixes or {})}) or b""
    return ox.serialize(items, format=rdf_format) or b""  # bytes, as no output is given


def boolean(value: bool, fmt: Format) -> bytes:
    if fmt.name == "json":
        return json.dumps({"head": {}, "boolean": value}, separators=(",", ":")).encode()
    if fmt.name == "xml":
        return (
            f'<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/>'
            f"<boolean>{str(value).lower()}</boolean></sparql>\n"
        ).encode()
    return str(value).lower().encode()  # CSV/TSV have no ASK form; the word, as other stores give it


# --- terms ------------------------------------------------------------------------------------------------


def term_json(term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": term_json(term.subject),
                "predicate": term_json(term.predicate),
                "object": term_json(term.object),
            },
        }
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != XSD_STRING:
        out["datatype"] = term.datatype.value
    return out


def xml_text(value: str) -> str:
    """`value` as XML character data that reads back as it is: a carriage return as a reference (a parser reads a
    raw one as a line feed), and a character XML 1.0 cannot hold refused, where a raw one made the document
    unreadable to every XML parser."""
    bad = NOT_XML.search(value)
    if bad:
        raise EvaluationError(
            f"the answer holds the character U+{ord(bad.group()):04X}, which XML 1.0 cannot carry: ask for it "
            "as JSON, CSV or TSV (format=json)"
        )
    return escape(value, {"\r": "&#13;"})


def term_xml(term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Triple):
        return (
            f"<triple><subject>{term_xml(term.subject)}</subject><predicate>{term_xml(term.predicate)}"
            f"</predicate><object>{term_xml(term.object)}</object></triple>"
        )
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{xml_text(term.value)}</literal>"
    if term.datatype.value != XSD_STRING:
        return f"<literal datatype={quoteattr(term.datatype.value)}>{xml_text(term.value)}</literal>"
    return f"<literal>{xml_text(term.value)}</literal>"


def term_csv(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if isinstance(term, ox.Triple):
        return term_tsv(term)
    return term.value


def term_tsv(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.Triple):
        return f"<< {term_tsv(term.subject)} {term_tsv(term.predicate)} {term_tsv(term.object)} >>"
    return str(term)  # N-Triples syntax, which is valid Turtle and escapes tabs and line breaks


# --- SELECT answers ---------------------------------------------------------------------------------------


def bindings_json(result: Result) -> bytes:
    rows = [
        {v: term_json(t) for v, t in zip(result.variables, row, strict=False) if t is not None} for row in result.rows
    ]
    # the flag before "results": strict streaming parsers (Oxigraph's among them) stop reading after the bindings
    doc = {"head": {"vars": result.variables}, "truncated": result.truncated, "results": {"bindings": rows}}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()


def bindings_xml(result: Result) -> bytes:
    out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>']
    out += [f"<variable name={quoteattr(v)}/>" for v in result.variables]
    out.append("</head><results>")
    for row in result.rows:
        out.append("<result>")
        out += [
            f"<binding name={quoteattr(v)}>{term_xml(t)}</binding>"
            for v, t in zip(result.variables, row, strict=False)
            if t is not None
        ]
        out.append("</result>")
    out.append("</results></sparql>\n")
    return "".join(out).encode()


def bindings_csv(result: Result) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(result.variables)
    writer.writerows([term_csv(t) for t in row] for row in result.rows)
    return buffer.getvalue().encode()


def bindings_tsv(result: Result) -> bytes:
    lines = ["\t".join("?" + v for v in result.variables)]
    lines += ["\t".join(term_tsv(t) for t in row) for row in result.rows]
    return ("\n".join(lines) + "\n").encode()
