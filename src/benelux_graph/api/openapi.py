"""What the routes answer, for the OpenAPI description: the `responses`, parameters and request bodies of each
route, built from the formats the route negotiates (negotiation.py), so that the document and the answers stay
in step: a format added to RESULTS, GRAPHS or a route's offer appears in its documentation by itself.

- `answers(formats, ...)`: the 200 of a route, one media type per format (`Format.media_type`, the Content-Type
  without its charset), each with its schema: the JSON schemas below for JSON answers, a string otherwise;
- `NOT_MODIFIED` (304) and `see_other(...)` (303): answers without a body, so with no media type;
- `format_parameter(formats)`: the `format` parameter of a negotiating route (the formats' names);
- `install(app)`: the schemas the answers refer to, under `components/schemas`.

Routes answer by content negotiation on `Accept` as well, which OpenAPI cannot describe as a parameter (it
ignores `Accept`); `format` names the same choices. The errors every route may give (the JSON error shape, and
HTML or plain text to clients that ask for them) are added to the whole document by middleware.document_errors.
HEAD is answered like GET on every GET route, without a body, and is not listed separately.
"""

from __future__ import annotations

from ..dumps import NAME
from ..formats import DUMPS as DUMP_FORMATS
from .negotiation import GRAPHS, HTML, JSON, RESULTS, Format

LANGUAGES = ("en", "fr", "nl", "de")
STRING = {"type": "string"}
BINARY = {"type": "string", "format": "binary"}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


# --- the schemas of JSON answers (components/schemas) ---------------------------------------------------------

_NODE = {"type": "object", "required": ["id"], "properties": {"id": STRING}}
_ELEMENTS = {
    "type": "object",
    "required": ["nodes", "edges"],
    "properties": {
        "nodes": {"type": "array", "items": {"type": "object", "required": ["data"], "properties": {"data": _NODE}}},
        "edges": {"type": "array", "items": {"type": "object", "required": ["data"], "properties": {"data": _NODE}}},
    },
}
_META = {"type": "object", "required": ["release", "lang"], "properties": {"release": STRING, "lang": STRING}}

SCHEMAS: dict[str, dict] = {
    "RdfTerm": {
        "title": "RdfTerm",
        "type": "object",
        "required": ["type", "value"],
        "properties": {
            "type": {"enum": ["uri", "literal", "bnode", "triple"]},
            "value": {"type": ["string", "object"]},
            "xml:lang": STRING,
            "datatype": STRING,
        },
    },
    "SparqlResults": {
        "title": "SparqlResults",
        "type": "object",
        "required": ["head"],
        "description": "SPARQL 1.1 Query Results JSON Format: `results.bindings` for SELECT, `boolean` for ASK; "
        "`truncated` says whether the row limit cut the answer",
        "properties": {
            "head": {
                "type": "object",
                "properties": {"vars": {"type": "array", "items": STRING}, "link": {"type": "array", "items": STRING}},
            },
            "results": {
                "type": "object",
                "required": ["bindings"],
                "properties": {
                    "bindings": {"type": "array", "items": {"type": "object", "additionalProperties": ref("RdfTerm")}}
                },
            },
            "boolean": {"type": "boolean"},
            "truncated": {"type": "boolean"},
        },
    },
    "JsonLd": {"title": "JsonLd", "description": "a JSON-LD document", "type": ["object", "array"]},
    "JsonLdContext": {
        "title": "JsonLdContext",
        "type": "object",
        "required": ["@context"],
        "properties": {"@context": {"type": "object"}},
    },
    "GraphElements": {
        "title": "GraphElements",
        "description": "Cytoscape.js elements (format=cytoscape)",
        "type": "object",
        "required": ["meta", "elements"],
        "properties": {"meta": _META, "elements": _ELEMENTS},
    },
    "GraphNodeLink": {
        "title": "GraphNodeLink",
        "description": "D3 node-link data (format=node-link)",
        "type": "object",
        "required": ["directed", "multigraph", "meta", "nodes", "links"],
        "properties": {
            "directed": {"type": "boolean"},
            "multigraph": {"type": "boolean"},
            "meta": _META,
            "nodes": {"type": "array", "items": _NODE},
            "links": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["source", "target"],
                    "properties": {"source": STRING, "target": STRING},
                },
            },
        },
    },
    "GraphPath": {
        "title": "GraphPath",
        "type": "object",
        "required": ["meta", "from", "to", "length", "nodes", "steps", "elements"],
        "properties": {
            "meta": _META,
            "from": _NODE,
            "to": _NODE,
            "length": {"type": "integer", "minimum": 0},
            "nodes": {"type": "array", "items": _NODE},
            "steps": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["from", "to", "direction", "edge"],
                    "properties": {
                        "from": STRING,
                        "to": STRING,
                        "direction": {"enum": ["forward", "backward"]},
                        "edge": _NODE,
                    },
                },
            },
            "elements": _ELEMENTS,
        },
    },
    "GraphMetrics": {
        "title": "GraphMetrics",
        "type": "object",
        "required": ["meta", "hub", "nodes", "communities"],
        "properties": {
            "meta": _META,
            "hub": {"anyOf": [{"type": "object"}, {"type": "null"}]},
            "nodes": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "degree", "degree_centrality", "betweenness", "community"],
                    "properties": {
                        "id": STRING,
                        "degree": {"type": "integer"},
                        "degree_centrality": {"type": "number"},
                        "betweenness": {"type": "number"},
                        "community": {"type": "integer"},
                    },
                },
            },
            "communities": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "size", "hub", "members"],
                    "properties": {
                        "id": {"type": "integer"},
                        "size": {"type": "integer"},
                        "hub": {"type": "object"},
                        "members": {"type": "array", "items": STRING},
                    },
                },
            },
        },
    },
    "SearchResults": {
        "title": "SearchResults",
        "type": "object",
        "required": ["query", "lang", "results"],
        "properties": {
            "query": STRING,
            "lang": {"enum": list(LANGUAGES)},
            "results": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["iri", "label", "types", "page"],
                    "properties": {
                        "iri": STRING,
                        "label": STRING,
                        "label_lang": {"type": ["string", "null"]},
                        "matched": {"type": ["string", "null"]},
                        "matched_lang": {"type": ["string", "null"]},
                        "types": {"type": "array", "items": STRING},
                        "page": {"type": ["string", "null"]},
                    },
                },
            },
        },
    },
    "Downloads": {
        "title": "Downloads",
        "type": "object",
        "required": ["title", "release", "license", "files", "graphs"],
        "properties": {
            "title": STRING,
            "release": STRING,
            "license": STRING,
            "description": STRING,
            "files": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["name", "url", "media_type", "compressed", "size", "sha256"],
                    "properties": {
                        "name": STRING,
                        "url": STRING,
                        "label": STRING,
                        "media_type": STRING,
                        "compressed": {"type": "boolean"},
                        "size": {"type": "integer", "minimum": 0},
                        "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                        "statements": {"type": ["integer", "null"]},
                        "named_graphs": {"type": "boolean"},
                    },
                },
            },
            "graphs": {"type": "object", "additionalProperties": {"type": "integer"}},
        },
    },
    "ValidationReport": {
        "title": "ValidationReport",
        "type": "object",
        "required": ["conforms", "counts", "results", "statements"],
        "description": "the SHACL results the contribution brings (non-conformance is a result, not an error)",
        "properties": {
            "conforms": {"type": "boolean"},
            "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
            "results": {
                "type": "array",
                "description": "each result's message in English, whatever the language asked for (the /validate "
                "page shows it in French, Dutch or German)",
                "items": {"type": "object", "required": ["severity", "message"]},
            },
            "statements": {"type": "integer", "minimum": 1},
            "release": STRING,
            "note": STRING,
        },
    },
}

#: The schema of a format's answers, when it is not a string.
BY_MEDIA_TYPE = {"application/sparql-results+json": ref("SparqlResults"), "application/ld+json": ref("JsonLd")}


# --- responses ------------------------------------------------------------------------------------------------


def content(formats: tuple[Format, ...], json: dict | None = None) -> dict:
    """{media type: {"schema": ...}} of answers in these formats; `json` is the schema of application/json."""
    out = {}
    for fmt in formats:
        if fmt.media_type == JSON.media_type:
            schema = json if json is not None else {"type": "object"}
        else:
            schema = BY_MEDIA_TYPE.get(fmt.media_type, STRING)
        out[fmt.media_type] = {"schema": schema}
    return out


def answers(formats: tuple[Format, ...], description: str, json: dict | None = None, status: int = 200) -> dict:
    """The `responses` entry of a route answering in these formats (UTF-8 text, `; charset=utf-8`)."""
    return {status: {"description": description, "content": content(formats, json)}}


def media(*media_types: str) -> dict:
    """`content` for media types that are not negotiated formats (files, XML exports)."""
    return {m: {"schema": BY_MEDIA_TYPE.get(m, STRING)} for m in media_types}


NOT_MODIFIED = {
    304: {
        "description": "not modified: the request's `If-None-Match` names the answer's `ETag` (or its "
        "`If-Modified-Since` is not older than its `Last-Modified`); no body"
    }
}
LOCATION = {"Location": {"description": "the document to follow", "schema": STRING}}


def see_other(description: str) -> dict:
    return {303: {"description": description + " (303 See Other, no body)", "headers": LOCATION}}


def dump_file_names() -> list[str]:
    """The names of the files /downloads serves (dumps.Publication.build)."""
    names = [f"{NAME}.{fmt.extension}{gz}" for fmt in DUMP_FORMATS for gz in ("", ".gz")]
    return names + ["context.jsonld", "void.ttl", "SHA256SUMS"]


def dump_file_answers() -> dict:
    """The answers of /downloads/<file>: the file (whole, or the ranges asked for), 304, 416."""
    files = {
        **media(*dict.fromkeys(f.media_type for f in DUMP_FORMATS), "text/plain"),
        "application/gzip": {"schema": BINARY},
    }
    return {
        200: {
            "description": "the file: the dump in its format, gzipped (.gz), or the checksums (text/plain)",
            "content": files,
        },
        206: {
            "description": "the byte range asked for (Range), or several as multipart/byteranges: a part of "
            "the file, which need not parse in its format (so no schema)",
            "content": {m: {} for m in [*files, "multipart/byteranges"]},
        },
        **NOT_MODIFIED,
        416: {
            "description": "a Range beyond the end of the file: `Content-Range: */<size>`, an empty body",
            "content": {"text/plain": {"schema": STRING}},
        },
    }


# --- parameters -----------------------------------------------------------------------------------------------


def format_values(formats: tuple[Format, ...]) -> list[str]:
    """The names of these formats, the values of `format` the schema lists (in the server's order). The route
    also takes each one's other names and media types (negotiation.by_name); listing those too would only make
    the schema, and every client and fuzzer enumerating it, longer."""
    return list(dict.fromkeys(fmt.name for fmt in formats))


def format_parameter(formats: tuple[Format, ...], description: str = "") -> dict:
    names = ", ".join(format_values(formats))
    return {
        "name": "format",
        "in": "query",
        "required": False,
        "description": (description or f"the answer's format: {names}; otherwise the Accept header decides")
        + " (a format's media type, or another of its names, is taken too; an unknown one is 406)",
        "schema": {"type": "string", "enum": format_values(formats)},
    }


def lang_parameter(description: str) -> dict:
    return {
        "name": "lang",
        "in": "query",
        "required": False,
        "description": description,
        "schema": {"type": "string", "enum": list(LANGUAGES)},
    }


# --- /sparql ------------------------------------------------------------------------------------------------

SPARQL_ANSWERS = RESULTS + GRAPHS
SPARQL_EXAMPLES = {
    "select": {"summary": "SELECT", "value": "SELECT ?s ?label WHERE { ?s rdfs:label ?label } LIMIT 3"},
    "ask": {"summary": "ASK", "value": "ASK { bxr:benelux-union ?p ?o }"},
    "construct": {"summary": "CONSTRUCT", "value": "CONSTRUCT WHERE { bxr:brussels ?p ?o }"},
}
_GRAPH_URI = {"type": "array", "items": STRING}


def sparql_parameters(with_query: bool) -> list[dict]:
    """The SPARQL Protocol's URL parameters of /sparql, with the endpoint's `format`.

    `timeout` (seconds, lowering the server's time limit) is left out of the schema: any number above 0 is taken,
    and a query given less time than it needs is stopped and answered 503 (query-timeout), which a fuzzer
    reading the schema would send on purpose and count as a server error."""
    out = (
        [
            {
                "name": "query",
                "in": "query",
                "required": False,
                "schema": STRING,
                "examples": SPARQL_EXAMPLES,
                "description": "the SPARQL query (without one, GET answers the Service Description, or the query "
                "editor to a browser)",
            }
        ]
        if with_query
        else []
    )
    return out + [
        {
            "name": "default-graph-uri",
            "in": "query",
            "required": False,
            "schema": _GRAPH_URI,
            "explode": True,
            "description": "a named graph of the store to query as the default graph",
        },
        {
            "name": "named-graph-uri",
            "in": "query",
            "required": False,
            "schema": _GRAPH_URI,
            "explode": True,
            "description": "a named graph of the store the query may name",
        },
        format_parameter(
            SPARQL_ANSWERS + ((HTML,) if with_query else ()),
            "json, xml, csv, tsv for SELECT and ASK; turtle, ntriples, jsonld, rdfxml, trig for "
            "CONSTRUCT and DESCRIBE"
            + (", html for the query editor" if with_query else "")
            + "; otherwise the Accept header decides",
        ),
    ]


SPARQL_FORM = {
    "type": "object",
    "required": ["query"],
    "properties": {
        "query": STRING,
        "default-graph-uri": _GRAPH_URI,
        "named-graph-uri": _GRAPH_URI,
        "format": {"type": "string", "enum": format_values(SPARQL_ANSWERS)},
    },
}
SPARQL_REQUEST_BODY = {
    "required": True,
    "description": "the query, as a form (`query=...`, with the other parameters) or as the body itself "
    "(application/sparql-query, the other parameters in the URL); SPARQL Update is refused",
    "content": {
        "application/x-www-form-urlencoded": {
            "schema": SPARQL_FORM,
            "encoding": {
                "default-graph-uri": {"style": "form", "explode": True},
                "named-graph-uri": {"style": "form", "explode": True},
            },
        },
        "application/sparql-query": {"schema": STRING, "examples": SPARQL_EXAMPLES},
    },
}


def query_formats(form: str | None) -> tuple[Format, ...]:
    """The formats a query of this form (SELECT, ASK, CONSTRUCT, DESCRIBE; None if unknown) is answered in."""
    if form in ("SELECT", "ASK"):
        return RESULTS
    if form in ("CONSTRUCT", "DESCRIBE"):
        return GRAPHS
    return SPARQL_ANSWERS


def query_answers(form: str | None) -> dict:
    """The `responses` of a route running a query of this form."""
    kind = {"SELECT": "SPARQL results", "ASK": "SPARQL results", "CONSTRUCT": "RDF", "DESCRIBE": "RDF"}
    what = f"{form} query: {kind[form]}" if form in kind else "SPARQL results or RDF"
    return {
        **answers(query_formats(form), f"the answer of the {what}, by content negotiation or `format`"),
        **NOT_MODIFIED,
    }


# --- /validate ------------------------------------------------------------------------------------------------


def validate_request_body(syntaxes: dict[str, str], form: str) -> dict:
    """The bodies POST /validate takes: {media type: syntax} of the contribution itself, or the page's form."""
    bodies = {m: {"schema": ref("JsonLd") if syntax == "jsonld" else STRING} for m, syntax in syntaxes.items()}
    bodies[form] = {
        "schema": {
            "type": "object",
            "properties": {
                "data": {"type": "string", "description": "the contribution"},
                "syntax": {"type": "string", "enum": sorted(set(syntaxes.values())), "default": "turtle"},
            },
        }
    }
    return {
        "required": True,
        "description": "the contribution, in Turtle or JSON-LD (at most `max_body_bytes`), "
        "or the form of the /validate page",
        "content": bodies,
    }


# --- routes -------------------------------------------------------------------------------------------------


# --- the document -------------------------------------------------------------------------------------------


def add_schemas(document: dict) -> dict:
    """Put the schemas the answers refer to into an OpenAPI document (in place; returned)."""
    document.setdefault("components", {}).setdefault("schemas", {}).update(SCHEMAS)
    return document


def install(app) -> None:
    """Make `app.openapi()` (and /openapi.json) carry the schemas of the answers."""
    original = app.openapi

    def openapi() -> dict:
        return add_schemas(original())

    app.openapi = openapi
