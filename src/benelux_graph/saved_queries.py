"""Saved queries: queries/*.rq files whose `#+` comment lines carry a YAML header (grlc style).

    #+ title: Forums each country takes part in     # English only, or in each language:
    #+ description:                                 # {en: ..., fr: ..., nl: ..., de: ...}
    #+   en: ...
    #+   fr: ...
    #+ tags: [energy]
    #+ params:
    #+   - name: country        # a variable of the query, bound by substitution, never by pasting text
    #+     type: iri            # iri | string | integer | year | lang
    #+     default: bxr:belgium
    #+     description: the country   # English only, or {en: ..., fr: ..., nl: ..., de: ...}
    #+     enum: [bxr:belgium, bxr:netherlands]   # optional closed list

The file stays valid SPARQL; the header becomes the API operation's documentation. A malformed header is an
error, not a silently skipped query. The saved queries are data too (`queries_quads`): each a
`sh:SPARQLExecutable` in the graph `…/graph/queries`, which the store holds and the dumps publish.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import yaml

from .errors import ParameterError, QueryError, UnknownQuery
from .namespaces import BXR, GRAPH, PREFIXES, XSD
from .settings import Settings
from .sparql_text import declared_prefixes, tokens

#: the languages a title or description is written in; English is required, the others fall back to it
LANGUAGES = ("en", "fr", "nl", "de")
PARAM_TYPES = ("iri", "string", "integer", "year", "lang")
#: the years a `year` parameter takes, as the graph API's `year` filter (four digits, no year zero)
YEARS = (1000, 2999)
NAME = re.compile(r"^[a-z][a-z0-9-]*$")
#: The named graph of the saved queries as data, and their IRIs.
QUERIES_GRAPH = str(GRAPH["queries"])
QUERY_NS = str(BXR) + "query/"
PREFIX_MAP: dict[str, str] = {p: str(ns) for p, ns in PREFIXES.items()}
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SH = str(PREFIXES["sh"])
RDFS = str(PREFIXES["rdfs"])
DCTERMS = str(PREFIXES["dcterms"])
DCAT = "http://www.w3.org/ns/dcat#"


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    description: str
    default: str | None = None
    enum: tuple[str, ...] = ()
    #: {lang: text} of the header's languages (English always; `description` is the English one)
    descriptions: dict[str, str] = field(default_factory=dict, compare=False)

    def description_in(self, lang: str) -> str:
        return self.descriptions.get(lang) or self.description


@dataclass(frozen=True)
class NamedQuery:
    name: str
    title: str
    description: str
    text: str
    path: Path
    tags: tuple[str, ...] = ()
    params: tuple[Parameter, ...] = field(default_factory=tuple)
    #: {lang: text} of the header's languages (English always; `title`/`description` are the English ones)
    titles: dict[str, str] = field(default_factory=dict, compare=False)
    descriptions: dict[str, str] = field(default_factory=dict, compare=False)

    def title_in(self, lang: str) -> str:
        """The title in `lang`, else in English."""
        return self.titles.get(lang) or self.title

    def description_in(self, lang: str) -> str:
        return self.descriptions.get(lang) or self.description

    def bindings(self, given: dict[str, str]) -> dict[ox.Variable, ox.NamedNode | ox.Literal]:
        """Typed substitutions for the query's parameters, from strings (defaults fill gaps)."""
        unknown = set(given) - {p.name for p in self.params}
        if unknown:
            raise ParameterError(f"query '{self.name}' has no parameter {', '.join(sorted(unknown))}")
        out = {}
        for p in self.params:
            raw = given.get(p.name, p.default)
            if raw is None:
                raise ParameterError(f"query '{self.name}' needs parameter '{p.name}' ({p.description})")
            out[ox.Variable(p.name)] = to_term(p, raw)
        return out


def expand_iri(text: str) -> str:
    """A full IRI, or a prefixed name of the project's prefix map."""
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    prefix, sep, local = text.partition(":")
    if sep and prefix in PREFIXES and not local.startswith("//"):
        return str(PREFIXES[prefix]) + local
    return text


def to_term(p: Parameter, raw: str) -> ox.NamedNode | ox.Literal:
    raw = str(raw).strip()
    if p.enum and raw not in p.enum and expand_iri(raw) not in {expand_iri(e) for e in p.enum}:
        raise ParameterError(f"parameter '{p.name}' must be one of {', '.join(p.enum)}, not '{raw}'")
    if p.type == "iri":
        iri = expand_iri(raw)
        if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>\"{}|\\^`]*$", iri):
            raise ParameterError(f"parameter '{p.name}' must be an IRI or a prefixed name, not '{printable(raw)}'")
        try:
            return ox.NamedNode(iri)
        except ValueError as e:  # RFC 3987: a second '#', a broken host, a bad %-escape, a control character...
            raise ParameterError(
                f"parameter '{p.name}' is not a valid IRI: {printable(str(e))} in '{printable(iri)}'"
            ) from None
    if p.type == "integer" or p.type == "year":
        # ASCII digits: \d (and int()) also read other scripts' digits, which are no xsd:integer
        if not re.fullmatch(r"-?[0-9]{1,9}", raw):
            raise ParameterError(f"parameter '{p.name}' must be a whole number, not '{printable(raw)}'")
        if p.type == "year":
            if not YEARS[0] <= int(raw) <= YEARS[1]:
                raise ParameterError(f"parameter '{p.name}' must be a year from {YEARS[0]} to {YEARS[1]}, not '{raw}'")
            return ox.Literal(f"{int(raw):04d}", datatype=ox.NamedNode(str(XSD.gYear)))
        return ox.Literal(raw, datatype=ox.NamedNode(str(XSD.integer)))
    if p.type == "lang":
        if not re.fullmatch(r"[a-z]{2}", raw):
            raise ParameterError(f"parameter '{p.name}' must be a two-letter language code, not '{raw}'")
        return ox.Literal(raw)
    return ox.Literal(raw)


def printable(text: str) -> str:
    """`text` with its control and other invisible characters written as \\uXXXX (for error messages)."""
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text)


def parse_header(path: Path) -> dict:
    """The YAML of the `#+` lines at the top of a query file."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#+"):
            lines.append(line[3:] if line.startswith("#+ ") else line[2:])
        elif line.strip() and not line.startswith("#"):
            break
    if not lines:
        raise QueryError(f"{path}: no '#+' header (title, description)")
    try:
        header = yaml.safe_load("\n".join(lines))
    except yaml.YAMLError as e:
        raise QueryError(f"{path}: the '#+' header is not valid YAML: {e}") from None
    if not isinstance(header, dict):
        raise QueryError(f"{path}: the '#+' header must be a mapping with title and description")
    return header


def load_query(path: Path) -> NamedQuery:
    header = parse_header(path)
    allowed = {"title", "description", "tags", "params"}
    if set(header) - allowed:
        raise QueryError(f"{path}: unknown header keys {sorted(set(header) - allowed)}; allowed: {sorted(allowed)}")
    words = {key: languages(path, key, header.get(key)) for key in ("title", "description")}
    if not NAME.match(path.stem):
        raise QueryError(f"{path}: a query file name must be lower-case words joined by hyphens")
    text = path.read_text(encoding="utf-8")
    params = []
    for raw in header.get("params") or []:
        if not isinstance(raw, dict) or not {"name", "type", "description"} <= set(raw):
            raise QueryError(f"{path}: each parameter needs name, type and description: {raw!r}")
        if raw["type"] not in PARAM_TYPES:
            raise QueryError(f"{path}: parameter '{raw['name']}' has type '{raw['type']}'; use one of {PARAM_TYPES}")
        if not re.search(r"[?$]" + re.escape(raw["name"]) + r"\b", text):
            raise QueryError(f"{path}: parameter '{raw['name']}' is not a variable of the query")
        default = None if raw.get("default") is None else str(raw["default"])
        described = languages(path, f"description of parameter '{raw['name']}'", raw["description"])
        enum = tuple(str(e) for e in raw.get("enum") or ())
        params.append(Parameter(raw["name"], raw["type"], described["en"], default, enum, described))
    tags = header.get("tags") or []
    return NamedQuery(
        path.stem,
        words["title"]["en"],
        words["description"]["en"],
        text,
        path,
        tuple(str(t) for t in tags),
        tuple(params),
        words["title"],
        words["description"],
    )


def languages(path: Path, key: str, value: object) -> dict[str, str]:
    """{lang: text} of a header's `title` or `description`: a text (English) or a mapping of languages to texts,
    with English."""
    if isinstance(value, str):
        value = {"en": value}
    if not isinstance(value, dict) or not isinstance(value.get("en"), str) or not value["en"].strip():
        raise QueryError(f"{path}: the header needs a non-empty '{key}' (a text, or {{en: ..., fr: ...}} with en)")
    unknown = sorted(str(lang) for lang in value if lang not in LANGUAGES)
    if unknown:
        raise QueryError(f"{path}: '{key}' has unknown languages {unknown}; use {', '.join(LANGUAGES)}")
    for lang, text in value.items():
        if not isinstance(text, str) or not text.strip():
            raise QueryError(f"{path}: '{key}' in '{lang}' must be a non-empty text")
    return {lang: value[lang].strip() for lang in LANGUAGES if lang in value}


def load_queries(directory: Path) -> dict[str, NamedQuery]:
    """Every saved query of a folder (not its checks/ subfolder), by name."""
    return {q.name: q for q in (load_query(p) for p in sorted(directory.glob("*.rq")))}


def get_query(queries: dict[str, NamedQuery], name: str) -> NamedQuery:
    try:
        return queries[name]
    except KeyError:
        raise UnknownQuery(f"no saved query '{name}'; known: {', '.join(sorted(queries))}") from None


# --- the saved queries as data (in the store, the dumps and VoID) ----------------------------------------------------------------------------------


def query_form(text: str) -> str:
    """SELECT, CONSTRUCT, ASK or DESCRIBE: the first query-form keyword outside comments, strings and IRIs."""
    for tok in tokens(text):
        if tok.kind == "word" and tok.text.upper() in ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE"):
            return tok.text.upper()
    raise ValueError("no query form (SELECT, CONSTRUCT, ASK, DESCRIBE) in the query")


def standalone_query(text: str) -> str:
    """A saved query's text as it runs anywhere: without its `#+` header, with the PREFIX lines it relies on."""
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#+")).strip("\n") + "\n"
    toks = tokens(body)
    declared = declared_prefixes(toks, {})
    used = {t.text.partition(":")[0] for t in toks if t.kind == "pname"}
    missing = [p for p in PREFIX_MAP if p in used and p not in declared]
    return "".join(f"PREFIX {p}: <{PREFIX_MAP[p]}>\n" for p in missing) + body


#: The SHACL-AF executable class and property of each query form. DESCRIBE has none: a saved DESCRIBE query
#: cannot be published, and `queries_quads` says so.
EXECUTABLE = {
    "SELECT": ("SPARQLSelectExecutable", "select"),
    "CONSTRUCT": ("SPARQLConstructExecutable", "construct"),
    "ASK": ("SPARQLAskExecutable", "ask"),
}


def queries_quads(settings: Settings) -> list[ox.Quad]:
    """Each saved query as a `sh:SPARQLExecutable` in the graph `…/graph/queries`, its label and comment in each
    language of its header."""
    g = ox.NamedNode(QUERIES_GRAPH)
    out: list[ox.Quad] = []
    for q in load_queries(settings.queries_dir).values():
        node = ox.NamedNode(QUERY_NS + q.name)
        form = query_form(q.text)
        if form not in EXECUTABLE:
            raise ValueError(f"{q.path}: a {form} query cannot be published as a SHACL executable")
        cls, prop = EXECUTABLE[form]
        comment = q.description
        if q.params:
            comment += (
                " Parameters: "
                + "; ".join(
                    f"?{p.name} ({p.type}): {p.description}" + (f", default {p.default}" if p.default else "")
                    for p in q.params
                )
                + "."
            )

        def add(p: str, o, node: ox.NamedNode = node) -> None:
            out.append(ox.Quad(node, ox.NamedNode(p), o, g))

        add(RDF_TYPE, ox.NamedNode(SH + "SPARQLExecutable"))
        add(RDF_TYPE, ox.NamedNode(SH + cls))
        for lang, title in q.titles.items():
            add(RDFS + "label", ox.Literal(title, language=lang))
        add(RDFS + "comment", ox.Literal(comment, language="en"))
        for lang, description in q.descriptions.items():  # the parameters' words are English: with the English one
            if lang != "en":
                add(RDFS + "comment", ox.Literal(description, language=lang))
        add(SH + prop, ox.Literal(standalone_query(q.text)))
        add(DCTERMS + "identifier", ox.Literal(q.name))
        for tag in q.tags:
            add(DCAT + "keyword", ox.Literal(tag, language="en"))
    return out
