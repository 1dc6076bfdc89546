"""The exception tree. Every error says what is wrong and where (file:line:column, an IRI, a query position).

BeneluxGraphError
├── DataFileError        a Turtle/RDF file cannot be read: file, line, column, parser message
├── QueryError           a SPARQL text is malformed or refused: message, line, column
│   ├── QueryRefused     an update, LOAD, SERVICE or other operation the read-only endpoint does not run
│   └── QueryTimeout     the query ran past its time limit and was stopped
├── UnknownQuery         no saved query of that name
└── ParameterError       a saved-query parameter is missing or of the wrong type
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
