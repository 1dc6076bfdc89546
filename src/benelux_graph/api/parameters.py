"""The rules every route's query parameters keep, checked once, here, before any route reads them:

- **one value per parameter.** `?lang=fr&lang=nl`, `?limit=1&limit=2`, two `query`s or `timeout`s: a 400
  `bad-parameter` naming the parameter, never the first (or last) value taken silently, for every parameter a
  route reads as one value (SINGLE). The SPARQL protocol's `query` in a form body counts with the URL's
  (api/sparql.py calls `repeated` on both).
- **every name and value is UTF-8** once %-decoded (RFC 3986 2.5): `%FF` is a 400 naming its parameter on
  every route, never read as U+FFFD.
- **`lang` is one of the site's languages** (en, fr, nl, de; a region or case, `fr-BE`, `FR`, is read as its
  language), on every route that has one: pages, search, the editor, the graph API, /docs. Any other value is a
  400 `bad-request` that lists them; an empty `lang=` is no choice (Accept-Language decides on pages, English in
  the API). The saved queries' own `lang` parameter (/api/queries/…, a language of the data) is theirs to check.
"""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import parse_qsl, unquote, unquote_to_bytes

from starlette.requests import Request

from .errors import ApiError, ErrorPage, browser_error
from .messages import LANGUAGES

#: The parameters the routes read as one value. Given twice, they are a 400; the others are either made to be
#: repeated (`format`: the first value naming a format the route offers wins, and SPARQLWrapper sends two; the
#: SPARQL protocol's graph URIs; the graph API's filters, values ORed), a saved query's own (checked by it), or
#: read by no route, as SPARQLWrapper's `output` and `results` (ignored, twice or not).
SINGLE = frozenset(
    {"query", "timeout", "lang", "q", "limit", "year", "depth", "from", "to", "top", "scope", "themes", "graph"}
    | {"default", "focus", "api", "update"}
)

#: Paths where `lang` is a parameter of a saved query (any language tag of the data), not the page's language.
OWN_LANG = "/api/queries/"


def repeated(pairs: list[tuple[str, str]]) -> None:
    """Raise a 400 naming the first single-valued parameter given more than once."""
    counts = Counter(name for name, _ in pairs)
    for name, count in counts.items():
        if count > 1 and name in SINGLE:
            values = ", ".join([repr(v[:40]) for k, v in pairs if k == name][:3])
            raise ApiError(400, "bad-parameter", f"give parameter '{name}' once, not {count} times ({values})")


def language(value: str) -> str | None:
    """The site language `value` names (None for an empty value); a 400 for any other."""
    tag = value.strip().lower()
    if not tag:
        return None
    primary = tag.split("-")[0].split("_")[0]
    if primary not in LANGUAGES:
        raise ApiError(
            400,
            "bad-request",  # a bad value (README "Errors"), as the graph API's other parameters
            f"parameter 'lang' must be one of {', '.join(LANGUAGES)} (a region such as fr-BE is read as its "
            f"language), not {value[:40]!r}",
        )
    return primary


def field_names(text: str) -> list[str]:
    """The names of a query string's fields, as parse_qsl reads them (blank fields skipped), values not decoded."""
    names = []
    for field in text.split("&"):
        if field:
            name = field.partition("=")[0]
            names.append(unquote(name.replace("+", " ")) if "%" in name or "+" in name else name)
    return names


#: A run of bytes of 0x80 and more, %-escaped or raw: only they can break UTF-8, and a UTF-8 sequence never spans
#: an ASCII character, so each run is checked alone (in C: bytes.fromhex). Checking every %-escape run cost a
#: saved query's text (its titles in four languages) 0.23 ms a request on the event loop; unquoting the whole
#: string took 17 ms for 120 KB of `%C3%A9`. The two branches begin with different bytes: linear.
HIGH_RUN = re.compile(rb"(?:%[89A-Fa-f][0-9A-Fa-f]|[\x80-\xff])+")
#: The same when the query string has no raw byte of 0x80 and more (bytes.isascii), as clients send it: a pattern
#: that begins with a literal `%` is searched for ten times faster (9 us for a saved query against 113).
ESCAPED_RUN = re.compile(rb"%[89A-Fa-f][0-9A-Fa-f](?:%[89A-Fa-f][0-9A-Fa-f])*")


def utf8(query_string: bytes) -> None:
    """A 400 naming the first field whose name or value is not UTF-8 once %-decoded: it was read as U+FFFD, a
    character the client never sent (`/search?q=%FF`, a saved query's string parameter bound as U+FFFD). The runs
    are found in C and each distinct one is decoded once (a text in four languages repeats its few letters)."""
    pattern = ESCAPED_RUN if query_string.isascii() else HIGH_RUN
    if all(map(is_utf8, set(pattern.findall(query_string)))):
        return
    m = next(m for m in pattern.finditer(query_string) if not is_utf8(m.group()))
    field = query_string[: m.start()].rpartition(b"&")[2]
    name = unquote_to_bytes(field.partition(b"=")[0].replace(b"+", b" ")).decode("utf-8", "replace")[:40]
    raise ApiError(400, "bad-request", f"parameter {name!r} is not valid UTF-8 once %-decoded (RFC 3986 2.5)")


def is_utf8(run: bytes) -> bool:
    try:
        raw = bytes.fromhex(run.replace(b"%", b"").decode("ascii")) if len(run) == 3 * run.count(b"%") else b""
    except ValueError:  # raw bytes among the escapes: read as the parser reads them
        raw = b""
    try:
        (raw or unquote_to_bytes(run)).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def checked_query_string(path: str, query_string: bytes) -> bytes:
    """The query string with `lang` normalised (or dropped when empty); raises ApiError for a broken rule."""
    if not query_string:
        return query_string
    text = query_string.decode("latin-1")
    utf8(query_string)
    names = field_names(text)
    if len(names) != len(set(names)) or "lang" in names:  # only then are the values read (a SPARQL query's
        pairs = parse_qsl(text, keep_blank_values=True)  # are long, and decoding them is most of the work)
        repeated(pairs)
    if path.startswith(OWN_LANG) or "lang" not in names:
        return query_string
    chosen = language(next(v for k, v in pairs if k == "lang"))
    kept = []
    for field in text.split("&"):  # the other fields stay as they were sent, byte for byte
        name = parse_qsl(field, keep_blank_values=True)
        if name and name[0][0] == "lang":
            if chosen is not None:
                kept.append(f"lang={chosen}")
        elif field:
            kept.append(field)
    return "&".join(kept).encode("latin-1")


class Parameters:
    """ASGI middleware applying the rules of this module to every HTTP request's query string."""

    def __init__(self, app, error_page: ErrorPage):
        self.app = app
        self.error_page = error_page  # a browser's broken rule gets the site's error page (api/pages.py)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        try:
            query_string = checked_query_string(scope["path"], scope.get("query_string", b""))
        except ApiError as e:
            return await browser_error(Request(scope), e, self.error_page)(scope, receive, send)
        if query_string != scope.get("query_string", b""):
            scope = {**scope, "query_string": query_string}
        return await self.app(scope, receive, send)
