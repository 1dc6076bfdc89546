"""What a query text asks for, read before it runs: its form, whether it names its own dataset (FROM), and the
operations the read-only endpoint refuses (SPARQL Update, LOAD, SERVICE outside the allow-list).

The text is split into SPARQL tokens (comments, IRIs, strings, variables, prefixed names and keywords), so a
keyword inside a string or an IRI is not mistaken for an operation. Two guarantees do not rest on this reading:
Oxigraph's query parser rejects every update form by itself, and, unless SERVICE endpoints are allow-listed, the
query workers cannot open a socket or a file at all (see engine.seal).

A tokenizer cannot always tell an IRI from a less-than sign (`FILTER(1<2)SERVICE:x#>` reads as one IRI
`<2)SERVICE:x#>` but Oxigraph sees a SERVICE call), so the text is also searched for the standalone word
SERVICE: one found inside what was read as an IRI is refused, and when endpoints are allow-listed every one
found anywhere (strings and comments included) must be a SERVICE call understood here. Where such a misreading
would go on past the IRI (a quote or `#` in it opens a string or a comment that Oxigraph does not see, or the
other way round), the query is refused (`misread_less_than`). A reading that could be fooled errs on the side of
refusing.

Oxigraph parses and evaluates a query recursively, so a deeply nested one would overflow a worker's stack and
kill it: nesting beyond MAX_DEPTH levels is refused (`nesting`). The reading takes linear time in the length of
the text (the server reads it before any worker is involved).
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass, field

from .errors import QueryRefused

FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
#: Words that only SPARQL Update uses: none of them can appear as a bare word in a valid query.
UPDATE_WORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH", "USING")
#: The deepest nesting of brackets (braces, parentheses, square brackets, a quoted triple's `<<`) and negations
#: (`!`) accepted. Oxigraph parses and evaluates a query recursively: in a worker's 8 MB stack, some 700 levels of
#: `EXISTS { FILTER(` or 2,000 of `{` overflow it and kill the worker (and 15,000 `<<`; 100 nested quoted triples
#: take minutes). Queries written by people nest a dozen levels at most.
MAX_DEPTH = 64

#: One token at an offset (tried in order). Two kinds are read apart, because a pattern for them reads far ahead
#: before it fails, and would do so again at each of many offsets (quadratic time): strings (see `_string`), and
#: runs of name characters (`name`), a prefixed name when a colon follows, otherwise words and single characters
#: (`NAME_PART`). The IRI pattern is SPARQL's IRIREF with the codepoint escapes Oxigraph accepts in it.
TOKEN = re.compile(
    r"""(?P<comment>\#[^\r\n]*)
      | (?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*+>)
      | (?P<quote>['"])
      | (?P<var>[?$][\w\u00B7\u0300-\u036F\u203F\u2040]+)
      | (?P<pname>(?:[^\W\d][\w.\-\u00B7]*+)?:(?:[\w\-:%\u00B7]|\\.|\.(?=[\w\-:%]))*+)
      | (?P<name>[^\W\d][\w.\-\u00B7]*+)
      | (?P<space>\s+)
      | (?P<other>.)""",
    re.VERBOSE | re.DOTALL,
)
#: The tokens of a run of name characters that no colon follows: words and single characters.
NAME_PART = re.compile(r"(?P<word>[^\W\d]\w*)|(?P<other>.)", re.DOTALL)
#: Each string opener (longest first) and the longest text a string it opens spans before its closing quote.
STRING_BODY = {
    "'''": re.compile(r"'''(?:[^'\\]|\\[\s\S]|'(?!''))*+"),
    '"""': re.compile(r'"""(?:[^"\\]|\\[\s\S]|"(?!""))*+'),
    "'": re.compile(r"'(?:[^'\\\r\n]|\\.)*+", re.DOTALL),
    '"': re.compile(r'"(?:[^"\\\r\n]|\\.)*+', re.DOTALL),
}
#: The word SERVICE standing alone: not inside a longer name, a prefixed name's local part or an IRI's path.
LONE_SERVICE = re.compile(r"(?<![\w\-\u00B7:/#])service(?![\w\-\u00B7])", re.IGNORECASE)
#: Inside a token read as an IRI, the characters that nest (it may be a less-than sign followed by an expression).
IRI_PARTS = re.compile(r"(?P<mark>[(\[!)\]])|[^(\[!)\]]+")


@dataclass(slots=True)
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
    words: set[str] = field(default_factory=set)  # its bare words (keywords, function names), upper-cased


def position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _string(text: str, offset: int, unclosed: dict[str, int]) -> int:
    """The end of the string opened at `offset` (a quote), or -1 if none is.

    An opener that is not closed reads on to the end of its line (or of the text, for a long string) each time;
    a later opener of the same kind before that point cannot be closed either (it was read as an escaped quote,
    after which both readings go on alike), so `unclosed` keeps that point for each opener and the text is read
    once: linear time.
    """
    for opener, body in STRING_BODY.items():
        if not text.startswith(opener, offset) or offset < unclosed.get(opener, -1):
            continue
        found = body.match(text, offset)
        assert found is not None  # the text starts with the opener here
        end = found.end()
        if text.startswith(opener, end):
            return end + len(opener)
        unclosed[opener] = end
    return -1


def tokens(text: str) -> list[Token]:
    """The significant tokens of a SPARQL text (no spaces, no comments), in linear time."""
    out: list[Token] = []
    unclosed: dict[str, int] = {}
    offset, size, match = 0, len(text), TOKEN.match
    while offset < size:
        m = match(text, offset)
        assert m is not None  # TOKEN's last alternative takes any one character
        kind, end = m.lastgroup or "other", m.end()  # every alternative is a named group
        if kind == "name":
            out += [Token(p.lastgroup or "other", p.group(), offset + p.start()) for p in NAME_PART.finditer(m.group())]
        elif kind == "quote":
            end = _string(text, offset, unclosed)
            if end < 0:
                end = offset + 1
                out.append(Token("other", text[offset], offset))
            else:
                out.append(Token("string", text[offset:end], offset))
        elif kind not in ("space", "comment"):
            out.append(Token(kind, m.group(), offset))
        offset = end
    return out


def refuse(text: str, offset: int, message: str) -> QueryRefused:
    line, column = position(text, offset)
    return QueryRefused(message, line, column)


def declared_prefixes(toks: list[Token], defaults: dict[str, str]) -> dict[str, str]:
    prefixes = dict(defaults)
    for i, tok in enumerate(toks[:-2]):
        if (
            tok.kind == "word"
            and tok.text.upper() == "PREFIX"
            and toks[i + 1].kind == "pname"
            and toks[i + 2].kind == "iri"
        ):
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


def _marks(toks: list[Token]):
    """Each token as (mark, offset): a mark opens or closes a level (`(`, `[`, `{`, `)`, `]`, `}`, and a quoted
    triple's `<<` and `>>`, which Oxigraph parses recursively too: 30,000 `<` killed a worker), or negates
    what follows (`!`); any other token is an operand (""). The characters of what reads as an IRI count too."""
    paired = -1  # the index of the second `<` or `>` of a pair, already yielded
    for i, tok in enumerate(toks):
        if i == paired:
            continue
        if tok.kind == "other" and tok.text in "<>" and i + 1 < len(toks):
            after = toks[i + 1]
            if after.kind == "other" and after.text == tok.text and after.offset == tok.offset + 1:
                paired = i + 1
                yield ("(" if tok.text == "<" else ")"), tok.offset
                continue
        if tok.kind == "other" and tok.text in "([{!)]}":
            yield tok.text, tok.offset
        elif tok.kind == "iri":
            for m in IRI_PARTS.finditer(tok.text, 1, len(tok.text) - 1):
                yield (m.group() if m.lastgroup == "mark" else ""), tok.offset + m.start()
            yield "", tok.offset
        else:
            yield "", tok.offset


def nesting(toks: list[Token]) -> tuple[int, int | None]:
    """How deep the text nests, and the offset where it first goes deeper than MAX_DEPTH (None if it never does).

    Each open bracket is a level, and so is each `!` in a row of them (`!!!x` is three levels, and a `!` before a
    bracket stays a level until the bracket is closed); a closing bracket ends the innermost level."""
    frames: list[int] = []  # the levels each open bracket added: itself and the `!` just before it
    depth = pending = deepest = 0
    beyond = None
    for mark, offset in _marks(toks):
        if mark == "!":
            pending += 1
        elif mark in ("(", "[", "{"):
            frames.append(pending + 1)
            depth, pending = depth + pending + 1, 0
        else:
            if mark and frames:
                depth -= frames.pop()
            pending = 0
        if depth + pending > deepest:
            deepest = depth + pending
            if beyond is None and deepest > MAX_DEPTH:
                beyond = offset
    return deepest, beyond


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
        info.words.add(word)
        if word in UPDATE_WORDS:
            what = "LOAD" if word == "LOAD" else f"SPARQL Update ({word})"
            raise refuse(
                text,
                tok.offset,
                f"{what} is not accepted: this endpoint is read-only and runs queries "
                "only (SELECT, ASK, CONSTRUCT, DESCRIBE)",
            )
        if word in FORMS and info.form is None:
            info.form = word
        elif word == "FROM":
            info.has_dataset = True
        elif word == "SERVICE":
            service_offsets.add(tok.offset)
            rest = toks[i + 1 : i + 3]
            if rest and rest[0].kind == "word" and rest[0].text.upper() == "SILENT":
                rest = rest[1:]
            iri = endpoint_iri(rest[0], known) if rest else None
            if not allowlist:
                raise refuse(
                    text,
                    tok.offset,
                    "SERVICE is refused: this endpoint does not call other endpoints "
                    "(an operator may allow some with BENELUX_SERVICE_ALLOWLIST)",
                )
            if iri not in allowlist:
                named = iri or (rest[0].text if rest else "")
                raise refuse(text, tok.offset, f"SERVICE {named} is refused: only {', '.join(allowlist)} may be called")
            info.services.append(iri)
    depth, beyond = nesting(toks)
    if beyond is not None:
        raise refuse(
            text,
            beyond,
            f"the query is nested {depth} levels deep (braces, parentheses, square brackets, quoted triples "
            f"`<<` and `!`); at most {MAX_DEPTH} levels are accepted",
        )
    starts = [t.offset for t in toks]
    for m in LONE_SERVICE.finditer(text):
        if m.start() in service_offsets:
            continue
        inside = enclosing(toks, m.start(), starts)
        if allowlist or (inside is not None and inside.kind == "iri"):
            raise refuse(
                text,
                m.start(),
                "the word SERVICE appears where it cannot be checked (inside what "
                "reads as an IRI, or next to an allow-list); the query is refused",
            )
    misread = misread_less_than(toks)
    if misread is not None:
        raise refuse(
            text,
            misread.offset,
            "`<` here is a less-than sign, but the text after it also reads as an "
            "IRI containing a quote or `#`, and the two readings differ; write a "
            "space after `<`",
        )
    return info


def _ends_operand(tok: Token) -> bool:
    """Whether an expression's operand can end with the token (then a `<` right after it is a less-than sign)."""
    if tok.kind in ("var", "string", "iri", "pname"):
        return True
    if tok.kind == "word":
        return tok.text.upper() != "DISTINCT"  # COUNT(DISTINCT <...>)
    return tok.text in ")]" or tok.text.isdigit()


def _parenthesis(here: str, values: bool, prev: Token | None, prev2: Token | None) -> str:
    """What a `(` opens, in `here` (see misread_less_than), after the tokens `prev2` and `prev`."""
    if here == "data" or values:  # VALUES (?a ?b) { (1 2) }
        return "data"
    if (
        prev is not None and prev2 is not None and prev.text == prev2.text == "<" and prev.kind == prev2.kind == "other"
    ):  # <<( ?s ?p ?o )>>
        return "terms"
    if here in ("expression", "query"):
        return "expression"
    if prev is None:
        return "terms"
    if prev.text.upper() in ("FILTER", "BIND"):
        return "expression"
    if prev.kind in ("word", "pname", "iri") and prev2 is not None and prev2.text.upper() == "FILTER":
        return "expression"  # FILTER regex(...), FILTER ex:f(...)
    return "terms"  # a collection or a property path


def misread_less_than(toks: list[Token]) -> Token | None:
    """The first token read as an IRI where Oxigraph sees a less-than sign, if a quote or `#` inside it then
    starts a string or a comment for one reading only (after it, the two readings would part); else None.

    Within an expression, SPARQL never puts two operands side by side, so a `<` right after an operand is a
    less-than sign; anywhere else it opens an IRI. The parentheses that hold expressions: after FILTER or BIND,
    after a function's name after FILTER, those of a query's clauses outside its patterns (SELECT, GROUP BY,
    HAVING, ORDER BY: at the top, or in a subquery), and any within an expression; not VALUES lists and rows,
    collections, property paths, or triple terms `<<( )>>`.
    """
    frames: list[str] = []  # for each open bracket: "expression", "group", "query" (a subquery), "data", "terms"
    prev = prev2 = None
    values = False  # after VALUES, until its block opens
    for tok in toks:
        here = frames[-1] if frames else "query"
        if tok.kind == "word":
            word = tok.text.upper()
            if word == "VALUES":
                values = True
            elif word == "SELECT" and here == "group":
                frames[-1] = "query"
        elif tok.kind == "iri":
            if (
                here == "expression"
                and prev is not None
                and _ends_operand(prev)
                and ("'" in tok.text or "#" in tok.text)
            ):
                return tok
        elif tok.kind == "other":
            if tok.text == "{":
                frames.append("data" if values else "group")
                values = False
            elif tok.text == "[":
                frames.append("terms")
            elif tok.text == "(":
                kind = _parenthesis(here, values, prev, prev2)
                frames.append(kind)
            elif tok.text in ")]}" and frames:
                frames.pop()
        prev2, prev = prev, tok
    return None


def enclosing(toks: list[Token], offset: int, starts: list[int] | None = None) -> Token | None:
    """The significant token covering a text offset, if any (`starts`: the tokens' offsets, if known)."""
    i = bisect.bisect_right(starts if starts is not None else [t.offset for t in toks], offset) - 1
    if i >= 0 and toks[i].offset <= offset < toks[i].offset + len(toks[i].text):
        return toks[i]
    return None


#: What a `SELECT *` holds at one of its SELECTs: maybe DISTINCT or REDUCED, then `*`, with only spaces and comments
#: between them (the tokens `tokens` skips). A text where no SELECT is followed so is no `SELECT *` query.
SELECT_WORD = re.compile("SELECT", re.IGNORECASE)
STAR_AFTER = re.compile(r"(?:\s|\#[^\r\n]*+)*+(?:(?:DISTINCT|REDUCED)(?:\s|\#[^\r\n]*+)*+)?\*", re.IGNORECASE)
#: More SELECTs than this are tokenized at once (each one's check reads on through the spaces and comments after it).
MAX_SELECTS = 16


def maybe_star(text: str) -> bool:
    """Whether the text may be a `SELECT *` query (False: it is not), in time linear in its length."""
    ends = [m.end() for m in SELECT_WORD.finditer(text)]
    return len(ends) > MAX_SELECTS or any(STAR_AFTER.match(text, end) for end in ends)


@functools.lru_cache(maxsize=256)
def star_projection(text: str) -> tuple[int, tuple[str, ...]] | None:
    """For a `SELECT *` query (DISTINCT or REDUCED too): the offset of its `*` and its variables in the order
    they first appear in the text (`$x` is `?x`); None for any other query. SPARQL 1.1 (18.2.1) makes `*` the
    in-scope variables, which Jena and Virtuoso give in that order and Oxigraph alphabetically. Every SELECT
    answer asks this of its text (query_jobs.evaluate): a text that `maybe_star` rules out is not tokenized, which took
    0.1-0.4 ms of the interpreter lock for a saved query (the lock a fast-lane thread shares with the event loop)."""
    if not maybe_star(text):
        return None
    toks = tokens(text)
    first = next((i for i, t in enumerate(toks) if t.kind == "word" and t.text.upper() in FORMS), None)
    if first is None or toks[first].text.upper() != "SELECT":
        return None
    star = first + 1
    if star < len(toks) and toks[star].kind == "word" and toks[star].text.upper() in ("DISTINCT", "REDUCED"):
        star += 1
    if star >= len(toks) or toks[star].text != "*":
        return None
    names = dict.fromkeys(t.text[1:] for t in toks if t.kind == "var")
    return toks[star].offset, tuple(names)
