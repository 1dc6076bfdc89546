"""What a query text asks for, read before it runs: its form, whether it names its own dataset (FROM), and the
operations the read-only endpoint refuses (SPARQL Update, LOAD, SERVICE outside the allow-list).

The text is split into SPARQL tokens (comments, IRIs, strings, variables, prefixed names and keywords), so a
keyword inside a string or an IRI is not mistaken for an operation. Two guarantees do not rest on this reading:
Oxigraph's query parser rejects every update form by itself, and, unless SERVICE endpoints are allow-listed, the
query workers cannot open a socket or a file at all (see engine.seal).

A tokenizer cannot always tell an IRI from a less-than sign (`FILTER(1<2)SERVICE:x#>` reads as one IRI
`<2)SERVICE:x#>` but Oxigraph sees a SERVICE call), so the text is also searched for the standalone word
SERVICE: one found inside what was read as an IRI is refused, and when endpoints are allow-listed every one
found anywhere (strings and comments included) must be a SERVICE call understood here. A reading that could be
fooled errs on the side of refusing.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from ..errors import QueryRefused

FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
#: Words that only SPARQL Update uses: none of them can appear as a bare word in a valid query.
UPDATE_WORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH", "USING")

TOKEN = re.compile(
    r"""(?P<comment>\#[^\r\n]*)
      | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
      | (?P<string>'''(?:[^'\\]|\\[\s\S]|'(?!''))*'''|\"\"\"(?:[^"\\]|\\[\s\S]|"(?!""))*\"\"\"
                  |'(?:[^'\\\r\n]|\\.)*'|"(?:[^"\\\r\n]|\\.)*")
      | (?P<var>[?$][\w\u00B7\u0300-\u036F\u203F\u2040]+)
      | (?P<pname>(?:[^\W\d][\w.\-\u00B7]*)?:(?:[\w\-:%\u00B7]|\\.|\.(?=[\w\-:%]))*)
      | (?P<word>[^\W\d]\w*)
      | (?P<space>\s+)
      | (?P<other>.)""",
    re.VERBOSE | re.DOTALL,
)
#: The word SERVICE standing alone: not inside a longer name, a prefixed name's local part or an IRI's path.
LONE_SERVICE = re.compile(r"(?<![\w\-\u00B7:/#])service(?![\w\-\u00B7])", re.IGNORECASE)


@dataclass
class Token:
    kind: str
    text: str
    offset: int


@dataclass
class QueryText:
    """What the endpoint needs to know about a query before running it."""

    form: str | None = None
    has_dataset: bool = False  # FROM or FROM NAMED
    services: list[str] = field(default_factory=list)  # SERVICE endpoints (all allow-listed)


def position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def tokens(text: str) -> list[Token]:
    """The significant tokens of a SPARQL text (no spaces, no comments)."""
    out = []
    for m in TOKEN.finditer(text):
        if m.lastgroup not in ("space", "comment"):
            out.append(Token(m.lastgroup, m.group(), m.start()))
    return out


def refuse(text: str, offset: int, message: str) -> QueryRefused:
    line, column = position(text, offset)
    return QueryRefused(message, line, column)


def declared_prefixes(toks: list[Token], defaults: dict[str, str]) -> dict[str, str]:
    prefixes = dict(defaults)
    for i, tok in enumerate(toks[:-2]):
        if tok.kind == "word" and tok.text.upper() == "PREFIX" and toks[i + 1].kind == "pname" \
                and toks[i + 2].kind == "iri":
            prefixes[toks[i + 1].text[:-1]] = toks[i + 2].text[1:-1]
    return prefixes


def endpoint_iri(tok: Token, prefixes: dict[str, str]) -> str | None:
    """The IRI a SERVICE names, or None for a variable or an unknown prefix."""
    if tok.kind == "iri":
        return tok.text[1:-1]
    if tok.kind == "pname":
        prefix, _, local = tok.text.partition(":")
        return prefixes[prefix] + local if prefix in prefixes else None
    return None


def inspect_query(text: str, allowlist: tuple[str, ...] = (), prefixes: dict[str, str] | None = None) -> QueryText:
    """Read a query text; raise QueryRefused (with line and column) for what the endpoint does not run."""
    toks = tokens(text)
    info = QueryText()
    known = declared_prefixes(toks, prefixes or {})
    service_offsets = set()
    for i, tok in enumerate(toks):
        if tok.kind != "word":
            continue
        word = tok.text.upper()
        if word in UPDATE_WORDS:
            what = "LOAD" if word == "LOAD" else f"SPARQL Update ({word})"
            raise refuse(text, tok.offset, f"{what} is not accepted: this endpoint is read-only and runs queries "
                                           "only (SELECT, ASK, CONSTRUCT, DESCRIBE)")
        if word in FORMS and info.form is None:
            info.form = word
        elif word == "FROM":
            info.has_dataset = True
        elif word == "SERVICE":
            service_offsets.add(tok.offset)
            rest = toks[i + 1:i + 3]
            if rest and rest[0].kind == "word" and rest[0].text.upper() == "SILENT":
                rest = rest[1:]
            iri = endpoint_iri(rest[0], known) if rest else None
            if not allowlist:
                raise refuse(text, tok.offset, "SERVICE is refused: this endpoint does not call other endpoints "
                                               "(an operator may allow some with BENELUX_SERVICE_ALLOWLIST)")
            if iri not in allowlist:
                named = iri or (rest[0].text if rest else "")
                raise refuse(text, tok.offset, f"SERVICE {named} is refused: only {', '.join(allowlist)} may be "
                                               "called")
            info.services.append(iri)
    for m in LONE_SERVICE.finditer(text):
        if m.start() in service_offsets:
            continue
        inside = enclosing(toks, m.start())
        if allowlist or (inside is not None and inside.kind == "iri"):
            raise refuse(text, m.start(), "the word SERVICE appears where it cannot be checked (inside what "
                                          "reads as an IRI, or next to an allow-list); the query is refused")
    return info


def enclosing(toks: list[Token], offset: int) -> Token | None:
    """The significant token covering a text offset, if any."""
    i = bisect.bisect_right([t.offset for t in toks], offset) - 1
    if i >= 0 and toks[i].offset <= offset < toks[i].offset + len(toks[i].text):
        return toks[i]
    return None
