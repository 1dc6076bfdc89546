"""Content negotiation: the Accept header with its q-values, and the `format` parameter for links in a browser.

Each answer kind has its formats in the server's order of preference; the client's q-values pick among them,
a tie goes to the server's order, a missing Accept header means the first. `format` wins over Accept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..formats import COMPACTED, EXPANDED, FLATTENED, GRAPHS, HTML, JSON, RESULTS, TEXT, Format

# The formats live in the foundations (formats.py); they are named here too for the routes that negotiate.
__all__ = ["GRAPHS", "HTML", "JSON", "RESULTS", "TEXT", "Format", "Range", "parse_accept", "quality", "negotiate"]
__all__ += ["by_name", "choose", "describe", "entries", "jsonld_form", "qvalue"]


#: Entries of an Accept, Accept-Language or Accept-Encoding header read: a browser sends under ten; a header of
#: thousands (up to the 128 KB head limit) took 0.1 s of the event loop per negotiation, per request.
MAX_ENTRIES = 64


def entries(header: str | None) -> list[str]:
    """The first MAX_ENTRIES comma-separated entries of a header (those beyond are not read, nor split)."""
    return (header or "").split(",", MAX_ENTRIES)[:MAX_ENTRIES]


#: A q-value as RFC 9110 (12.4.2) writes it: 0 to 1 with at most three decimals.
QVALUE = re.compile(r"(?:0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)")


def qvalue(text: str) -> float:
    """The weight `q=` gives (Accept, Accept-Language, Accept-Encoding); one not written as the RFC says (`abc`,
    `inf`, `nan`, `2`, `-1`) is 0: what it names is not asked for, and it never outweighs a valid one."""
    text = text.strip()
    return float(text) if QVALUE.fullmatch(text) else 0.0


@dataclass(frozen=True)
class Range:
    type: str
    subtype: str
    q: float

    def matches(self, media_type: str) -> int:
        """How specifically this range matches a media type: 3 exact, 2 type/*, 1 */*, 0 not at all."""
        t, _, s = media_type.partition("/")
        if self.type == t and self.subtype == s:
            return 3
        if self.type == t and self.subtype == "*":
            return 2
        if self.type == "*":
            return 1
        return 0


def parse_accept(header: str | None) -> list[Range]:
    ranges = []
    for part in entries(header):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0] or "/" not in fields[0]:
            continue
        q = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                q = qvalue(value)
        t, _, s = fields[0].lower().partition("/")
        ranges.append(Range(t, s, q))
    return ranges


def quality(ranges: list[Range], fmt: Format) -> float:
    """The q-value the client gives a format: that of the most specific range matching its media type, or of a
    range naming one of its other media types exactly (wildcards do not reach those: `text/*` is not a request
    for SPARQL XML just because that may be served as text/xml)."""
    matches = [(r.matches(fmt.media_type), r.q) for r in ranges if r.matches(fmt.media_type)]
    best = max(matches)[1] if matches else 0.0
    for media_type in fmt.also:
        best = max([best] + [r.q for r in ranges if r.matches(media_type) == 3])
    return best


def negotiate(accept: str | None, offered: tuple[Format, ...]) -> Format | None:
    """The format to answer with, or None when the client accepts none of those offered (406)."""
    ranges = parse_accept(accept)
    if not ranges:
        return offered[0]
    best, best_q = None, 0.0
    for fmt in offered:
        q = quality(ranges, fmt)
        if q > best_q:
            best, best_q = fmt, q
    return best


def by_name(values: list[str], offered: tuple[Format, ...]) -> Format | None:
    """The format a `format` parameter names (a short name or a media type); the first recognised value wins."""
    for value in values:
        value = value.strip().lower()
        for fmt in offered:
            if value in (fmt.name, fmt.media_type, *fmt.names, *fmt.also):
                return fmt
    return None


def choose(accept: str | None, format_values: list[str], offered: tuple[Format, ...]) -> Format | None:
    format_values = [v for v in format_values if v.strip()]  # an empty field of a form names no format
    if format_values:
        return by_name(format_values, offered)
    return negotiate(accept, offered)


def describe(offered: tuple[Format, ...]) -> str:
    return ", ".join(f"{f.media_type} (format={f.name})" for f in offered)


def jsonld_form(accept: str | None) -> str:
    """The JSON-LD document form a client asks for by `Accept: application/ld+json;profile="…"` (JSON-LD 1.1, 9.1):
    the profile of its most preferred application/ld+json range naming one of expanded, compacted or flattened
    (the first of those in its list); else flattened, the form of the dumps."""
    best, best_q = FLATTENED, 0.0
    for part in entries(accept):
        fields = [f.strip() for f in part.split(";")]
        if fields[0].lower() != "application/ld+json":
            continue
        params = {k.strip().lower(): v.strip().strip('"') for k, _, v in (f.partition("=") for f in fields[1:])}
        q = qvalue(params.get("q", "1"))
        forms = [p for p in params.get("profile", "").split() if p in (EXPANDED, COMPACTED, FLATTENED)]
        if forms and q > best_q:
            best, best_q = forms[0], q
    return best
