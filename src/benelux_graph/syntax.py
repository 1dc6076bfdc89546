"""Oxigraph's SPARQL syntax errors in one readable line.

Its parser lists every character class it would have accepted ("expected one of Prefix not found, ['%'],
['-' | '0' ..= '9' | '\\u{00B7}' | ...") over several lines. An undeclared prefix becomes "undeclared prefix
'foo:'" (named when the query text is at hand), and the lists of Unicode ranges are dropped.
"""

from __future__ import annotations

import re

from .namespaces import PREFIXES

POSITION = re.compile(r"error at (\d+):(\d+)")
UNICODE_CLASS = re.compile(r"\[[^\[\]]*\\u\{[^\[\]]*\]")
PREFIXED_NAME = re.compile(r"([A-Za-z][\w.-]*)?:[\w.%-]*$")


def undeclared_prefix(text: str, line: int, column: int) -> str | None:
    """The prefix of the prefixed name that ends just before (line, column) of `text`, if there is one."""
    lines = text.split("\n")
    if not 1 <= line <= len(lines):
        return None
    m = PREFIXED_NAME.search(lines[line - 1][: max(column - 1, 0)])
    return m.group(1) or "" if m else None


def plain_message(message: str, text: str | None = None) -> str:
    at = POSITION.search(message)
    where = f"error at {at.group(1)}:{at.group(2)}: " if at else ""
    if "Prefix not found" in message:
        name = undeclared_prefix(text, int(at.group(1)), int(at.group(2))) if text and at else None
        what = f"undeclared prefix '{name}:'" if name is not None else "undeclared prefix"
        return (
            f"{where}{what}: declare it (PREFIX {'p' if name is None else name}: <IRI>) or use one of the project's prefixes, "
            f"which need no declaration ({', '.join(PREFIXES)})"
        )
    short = UNICODE_CLASS.sub("", message)
    short = re.sub(r"\s+", " ", short)
    short = re.sub(r"(,\s*)+(?=,|\s*$)", "", short).replace(" ,", ",").strip().rstrip(",")
    return short
