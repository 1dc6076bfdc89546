"""The exception tree. Every error says what is wrong and where (file:line:column, an IRI, a query position).

BeneluxGraphError
├── DataFileError        a Turtle/RDF file cannot be read: file, line, column, parser message
├── QueryError           a SPARQL text is malformed or refused: message, line, column
│   ├── QueryRefused     an update, LOAD, SERVICE or other operation the read-only endpoint does not run
│   ├── QueryTimeout     the query ran past its time limit and was stopped
│   └── EvaluationError  a well-formed query failed while it was evaluated
├── EngineError          the engine could not run the query (every worker busy, a worker died): its own type
├── ReleaseRefused       a reload's new release cannot be read, does not conform or cannot start: its problems
├── ReloadInProgress     a reload was asked while another runs
├── UnknownQuery         no saved query of that name
└── ParameterError       a saved-query parameter is missing or of the wrong type

ERROR_TYPES is the one table of the error types the HTTP API answers with (`{"error": {"type": ...}}`), each
with its status and what it means; EXCEPTION_TYPES maps each exception above to its type. The README's list of
error types is this table (tests/test_errors.py keeps both complete).
"""

from __future__ import annotations

from pathlib import Path


class BeneluxGraphError(Exception):
    """Base of every error the project raises on purpose."""


class DataFileError(BeneluxGraphError):
    def __init__(self, path: Path | str, message: str, line: int | None = None, column: int | None = None):
        self.path, self.message, self.line, self.column = str(path), message, line, column
        where = self.path + (f":{line}" if line else "") + (f":{column}" if column else "")
        super().__init__(f"{where}: {message}")


class QueryError(BeneluxGraphError):
    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        self.message, self.line, self.column = message, line, column
        where = f" (line {line}, column {column})" if line else ""
        super().__init__(f"{message}{where}")


class QueryRefused(QueryError):
    pass


class QueryTimeout(QueryError):
    pass


class UnknownQuery(BeneluxGraphError):
    pass


class ParameterError(BeneluxGraphError):
    pass


class EvaluationError(QueryError):
    """A well-formed query failed while it was evaluated (an error reported by the engine)."""


class EngineError(BeneluxGraphError):
    """The engine could not run the query: every worker busy, or a worker died (`type`: the API's error type)."""

    def __init__(self, message: str, status: int = 503, type: str = "engine-unavailable"):
        self.message, self.status, self.type = message, status, type
        super().__init__(message)


class ReleaseRefused(BeneluxGraphError):
    """A reload refused its new release (the old one keeps serving): why, and its problems (file:line: ...)."""

    def __init__(self, message: str, problems: list[str] | None = None):
        self.message, self.problems = message, problems or []
        super().__init__(message)


class ReloadInProgress(BeneluxGraphError):
    """A reload was asked while another one runs."""


#: Every error type of the HTTP API: (status, what it means). Listed in the README between the errors markers.
ERROR_TYPES: dict[str, tuple[int, str]] = {
    # queries
    "malformed-query": (400, "the query is not valid SPARQL (with the parser's line and column)"),
    "query-refused": (400, "an update, LOAD, SERVICE outside the allow-list, or nesting too deep (line and column)"),
    "query-failed": (400, "a well-formed query failed while it was evaluated"),
    "bad-parameter": (400, "a missing, unknown or ill-typed parameter"),
    "unknown-query": (404, "no saved query of that name"),
    "query-too-large": (413, "the query text is longer than BENELUX_MAX_QUERY_BYTES"),
    "query-timeout": (503, "the query ran past its time limit and was stopped"),
    "query-out-of-memory": (503, "the query needed more than BENELUX_QUERY_MEMORY; its worker is replaced"),
    "engine-unavailable": (503, "no query worker could run the query (one died, or none started); try again"),
    # requests
    "bad-request": (400, "the request is not valid (a parameter the route does not take, a bad value)"),
    "unauthorized": (401, "POST /admin/reload without the operator's token"),
    "not-found": (404, "no such path"),
    "method-not-allowed": (405, "the path does not take that method"),
    "not-acceptable": (406, "none of the formats the client accepts is offered here (the message names them)"),
    "request-timeout": (408, "the request did not arrive whole within BENELUX_READ_TIMEOUT"),
    "too-large": (413, "the request is too large"),
    "body-too-large": (413, "the request body is larger than BENELUX_MAX_BODY_BYTES"),
    "unsupported-media-type": (
        415,
        "the body's Content-Type is not one the route reads, or it is compressed (Content-Encoding)",
    ),
    "too-many-requests": (429, "more than BENELUX_RATE_LIMIT requests in a minute from this client (Retry-After)"),
    "query-time-exhausted": (429, "more than BENELUX_QUERY_BUDGET seconds of query time in a minute (Retry-After)"),
    "client-demoted": (
        503,
        "with BENELUX_DEMOTE_AFTER set, a client whose recent requests mostly failed is served one at a time "
        "behind the others, "
        "and this request waited 10 s (SECURITY.md)",
    ),
    "precondition-failed": (412, "an If-Match or If-Unmodified-Since the answer does not meet (RFC 9110 13.1)"),
    "head-too-large": (431, "the request line and headers hold more than 128 KB"),
    "internal-error": (500, "an unexpected failure, logged with its traceback (never sent)"),
    "unavailable": (503, "the service cannot answer now"),
    "http-error": (400, "another HTTP error (its own status)"),
    # linked data, downloads, the graph API
    "unknown-iri": (404, "the graph has nothing with that IRI"),
    "unknown-graph": (404, "no named graph of that name"),
    "unknown-document": (404, "no such document or format of it"),
    "unknown-version": (404, "a version of the ontology this server does not have"),
    "unknown-file": (404, "no such file in the downloads"),
    "unknown-node": (404, "the graph API has no node with that id"),
    "no-path": (404, "the graph API found no path between the two nodes"),
    "bad-filter": (400, "a filter of the graph API names nothing known"),
    # POST /validate
    "syntax-error": (400, "the contribution is not valid Turtle or JSON-LD (line and column)"),
    "empty-contribution": (400, "the contribution holds no statements"),
    "remote-context": (400, "a JSON-LD @context that is neither inline nor the project's own"),
    "nested-too-deep": (400, "the contribution is nested more deeply than 64 levels"),
    "context-too-deep": (400, "JSON-LD terms defined each through the next, more than 64 deep"),
    "unsupported-rdf-star": (400, "the contribution uses RDF-star, which the shapes cannot check"),
    "unreadable-contribution": (400, "the parser crashed on the contribution"),
    "validation-failed": (422, "the contribution could not be checked (it crashed its worker)"),
    "validation-too-large": (422, "checking the contribution needs more than BENELUX_VALIDATE_MEMORY_BYTES"),
    "validation-busy": (503, "every validation worker is busy and BENELUX_VALIDATE_QUEUE wait (Retry-After)"),
    "validation-timeout": (503, "the check ran past BENELUX_VALIDATE_TIMEOUT and its worker was stopped"),
    "validation-unavailable": (503, "the validation worker was stopped by the system; try again"),
    # operations
    "release-refused": (409, "POST /admin/reload: the new release cannot be read, does not conform or cannot start"),
    "reload-in-progress": (409, "POST /admin/reload while another reload runs"),
}

#: The type each exception is answered with, most specific first (EngineError carries its own type).
EXCEPTION_TYPES: tuple[tuple[type[BeneluxGraphError], str], ...] = (
    (QueryTimeout, "query-timeout"),
    (QueryRefused, "query-refused"),
    (EvaluationError, "query-failed"),
    (QueryError, "malformed-query"),
    (UnknownQuery, "unknown-query"),
    (ParameterError, "bad-parameter"),
    (ReleaseRefused, "release-refused"),
    (ReloadInProgress, "reload-in-progress"),
)

#: The type of an HTTP error the web framework raises, by status (others: `http-error`).
HTTP_TYPES: dict[int, str] = {
    400: "bad-request",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    413: "too-large",
    415: "unsupported-media-type",
    500: "internal-error",
    503: "unavailable",
}
