"""A contribution to POST /validate, read and checked: what runs in a validation worker (api/contributions.py).

Turtle is parsed by Oxigraph, which reads no IRIs; a JSON-LD `@context` must be inline, or the project's own
(`https://w3id.org/benelux-graph/context.jsonld` or `/context.jsonld`), which is substituted locally; any other
remote context is refused (400). `read_form` reads the page's form, `parse_contribution` refuses deep nesting,
JSON-LD term chains and RDF-star first (400), and `Validator.check` gives the results the contribution brings.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import OrderedDict
from urllib.parse import parse_qsl

import pyoxigraph as ox
import rdflib

from ..dumps import CONTEXT_IRI
from ..rdf_writers import jsonld_context
from ..store import to_rdflib
from ..validation import ValidationReport, validate_graph
from .contribution_errors import Phrase, refusal

SYNTAXES = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/ld+json": "jsonld",
    "application/json": "jsonld",
}
OX = {"turtle": ox.RdfFormat.TURTLE, "jsonld": ox.RdfFormat.JSON_LD}
FORM = "application/x-www-form-urlencoded"
OWN_CONTEXTS = (CONTEXT_IRI, "/context.jsonld")
RDF_TYPE = rdflib.RDF.type

EXAMPLE = """\
@prefix bx:      <https://w3id.org/benelux-graph/ontology#> .
@prefix bxr:     <https://w3id.org/benelux-graph/id/> .
@prefix src:     <https://w3id.org/benelux-graph/id/source/> .
@prefix role:    <https://w3id.org/benelux-graph/id/role/> .
@prefix org:     <http://www.w3.org/ns/org#> .
@prefix prov:    <http://www.w3.org/ns/prov#> .

# A proposed membership: who, in what, in which role, from which passage.
bxr:membership-luxembourg-greater-region-presidency-example a org:Membership ;
    org:member bxr:luxembourg ;
    org:organization bxr:greater-region ;
    org:role role:presidency ;
    org:memberDuring bxr:period-2027-2028 ;
    prov:wasDerivedFrom src:benelux-plus-3 .
"""


def line_column(error: SyntaxError) -> tuple[int | None, int | None]:
    """Oxigraph puts (file, line, column, ...) in the SyntaxError's second argument."""
    where = error.args[1] if len(error.args) > 1 else None
    if where and len(where) > 2 and where[1] is not None:
        return int(where[1]), int(where[2]) if where[2] is not None else None
    return None, None


def inline_contexts(node, path: str = "") -> None:
    """Replace references to the project's own context by its content; refuse every other remote context."""
    if isinstance(node, list):
        for i, item in enumerate(node):
            inline_contexts(item, f"{path}[{i}]")
        return
    if not isinstance(node, dict):
        return
    if "@context" in node:
        ctx = node["@context"]
        items = ctx if isinstance(ctx, list) else [ctx]
        resolved = []
        for item in items:
            if isinstance(item, str):
                if item not in OWN_CONTEXTS:
                    raise refusal(
                        400,
                        "remote-context",
                        "refusal_remote_context",
                        where=path or Phrase("refusal_word_top"),
                        iri=item,
                        own=CONTEXT_IRI,
                    )
                resolved.append(jsonld_context()["@context"])
            else:
                resolved.append(item)
        node["@context"] = resolved if isinstance(ctx, list) else resolved[0]
    for key, value in node.items():
        if key != "@context":
            inline_contexts(value, f"{path}.{key}" if path else key)
        elif isinstance(value, (dict, list)):  # scoped contexts inside term definitions
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, dict):
                    for term in item.values():
                        if (
                            isinstance(term, dict)
                            and isinstance(term.get("@context"), str)
                            and term["@context"] not in OWN_CONTEXTS
                        ):
                            raise refusal(400, "remote-context", "refusal_scoped_context", iri=term["@context"])


#: Deepest nesting of brackets (Turtle collections and blank nodes, JSON arrays and objects) a contribution may
#: have, and longest chain of JSON-LD terms each defined by the next: far beyond what a contribution needs, far
#: below what overflows a parser's stack (10,000 chained terms crash Oxigraph's JSON-LD context processing).
MAX_NESTING = 64
MAX_CHAIN = 64
#: What the bracket count skips: strings, IRIs and comments of Turtle; strings of JSON.
TURTLE_SKIPPED = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*'
)
#: A JSON string that never closes runs to the end (possessive, closing quote optional): read once, not again from
#: each of its escaped quotes (quadratic: 100 KB of them held the validation worker to its time limit).
JSON_SKIPPED = re.compile(r'"(?:[^"\\]|\\.)*+"?')
BOM = b"\xef\xbb\xbf"
RDF_REIFIES = "http://www.w3.org/1999/02/22-rdf-syntax-ns#reifies"


def too_deep(text: str, skipped: re.Pattern, opening: str) -> int | None:
    """Where the brackets of `text` first nest deeper than MAX_NESTING (an offset), or None."""
    blank = skipped.sub(lambda m: " " * len(m.group()), text)
    depth = 0
    for m in re.finditer(r"[()\[\]{}]", blank):
        if m.group() in opening:
            depth += 1
            if depth > MAX_NESTING:
                return m.start()
        elif depth:
            depth -= 1
    return None


def check_nesting(text: str, syntax: str) -> None:
    """A 400 saying where, if the contribution nests deeper than MAX_NESTING."""
    at = too_deep(text, TURTLE_SKIPPED, "([") if syntax == "turtle" else too_deep(text, JSON_SKIPPED, "[{")
    if at is not None:
        line = text.count("\n", 0, at) + 1
        column = at - (text.rfind("\n", 0, at) + 1) + 1
        what = Phrase("refusal_word_collections" if syntax == "turtle" else "refusal_word_arrays")
        raise refusal(400, "nested-too-deep", "refusal_nesting", line, column, what=what, max=MAX_NESTING)


def contexts(document):
    """Every @context value in a JSON document (walked without recursion)."""
    stack = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            for k, v in node.items():
                if k == "@context":
                    yield v
                stack.append(v)


def longest_chain(terms: dict) -> int:
    """The longest run of terms each defined through the next, cycles included: "t0": "t1:x" (a prefix),
    "t0:a": {"@id": "t1:a"} (a whole term), or through @type or @reverse; walked without recursion."""

    def targets(definition) -> set:
        values = (
            [definition]
            if isinstance(definition, str)
            else [definition.get(k) for k in ("@id", "@type", "@reverse")]
            if isinstance(definition, dict)
            else []
        )
        found: set = set()
        for value in values:
            if isinstance(value, str) and not value.startswith("@"):
                found.update(t for t in (value, value.split(":", 1)[0]) if t in terms)
        return found

    after = {t: targets(d) - {t} for t, d in terms.items()}
    length: dict = {}
    for start in terms:
        if start in length:
            continue
        stack, on_path = [(start, iter(after[start]))], {start}
        while stack:
            node, successors = stack[-1]
            following = next(successors, None)
            if following is None:
                stack.pop()
                on_path.discard(node)
                length[node] = 1 + max((length.get(t, 0) for t in after[node]), default=0)
            elif following not in length and following not in on_path:
                stack.append((following, iter(after[following])))
                on_path.add(following)
    return max(length.values(), default=0)


def check_contexts(document) -> None:
    for context in contexts(document):
        terms: dict = {}
        for item in context if isinstance(context, list) else [context]:
            if isinstance(item, dict):
                terms.update(item)
        chain = longest_chain(terms)
        if chain > MAX_CHAIN:
            raise refusal(400, "context-too-deep", "refusal_chain", chain=chain, max=MAX_CHAIN)


def parse_contribution(data: bytes, syntax: str) -> list[ox.Triple]:
    """The triples of a contribution (named graphs flattened), or an ApiError 400 saying where it is wrong.

    Runs in a validation worker (api/contributions.py): the checks first refuse, cheaply and saying where, what
    would make the parser recurse too deep; what slips through can crash only that worker."""
    data = data.removeprefix(BOM)  # no content: editors on Windows write one before UTF-8
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        if syntax == "jsonld":
            raise refusal(400, "syntax-error", "refusal_not_utf8") from None
        text = data.decode("utf-8", errors="replace")  # Oxigraph says where
    check_nesting(text, syntax)
    if syntax == "jsonld":
        try:
            document = json.loads(text)
        except json.JSONDecodeError as e:
            raise refusal(400, "syntax-error", "refusal_invalid_json", e.lineno, e.colno, detail=e.msg) from None
        del text
        check_contexts(document)
        inline_contexts(document)
        data = json.dumps(document).encode("utf-8")
    else:
        del text
    try:
        parsed = list(ox.parse(data, format=OX[syntax], rename_blank_nodes=True))
    except SyntaxError as e:
        line, column = line_column(e)
        message = str(e.args[0] if e.args else e)
        name = "Turtle" if syntax == "turtle" else "JSON-LD"
        raise refusal(400, "syntax-error", "refusal_unreadable", line, column, syntax=name, detail=message) from None
    for q in parsed:
        if isinstance(q.subject, ox.Triple) or isinstance(q.object, ox.Triple) or q.predicate.value == RDF_REIFIES:
            raise refusal(400, "unsupported-rdf-star", "refusal_rdf_star")
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in parsed]
    if not triples:
        raise refusal(400, "empty-contribution", "refusal_empty")
    return triples


def read_form(body: bytes) -> tuple[str, str]:
    """The syntax and text of the /validate page's form (`data=...&syntax=turtle|jsonld`)."""
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=20)
    except (UnicodeDecodeError, ValueError) as e:
        raise refusal(400, "bad-request", "refusal_form", detail=str(e)) from None
    fields = dict(pairs)
    for name in fields:  # the one rule of every route (api/parameters.py): a field given twice is no choice
        if (count := sum(1 for k, _ in pairs if k == name)) > 1:
            raise refusal(400, "bad-parameter", "refusal_field_twice", name=name, count=count)
    syntax = fields.get("syntax", "turtle")
    if syntax not in OX:
        raise refusal(400, "bad-parameter", "refusal_syntax")
    return syntax, fields.get("data", "")


CACHED = 32


def fingerprint(graph: rdflib.Graph) -> str:
    lines = sorted(f"{s.n3()} {p.n3()} {o.n3()}" for s, p, o in graph)
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def fingerprint_nodes(nodes: set) -> str:
    return hashlib.sha256("\n".join(sorted(n.n3() for n in nodes)).encode("utf-8")).hexdigest()


def remember(cache: OrderedDict, k: str, compute):
    """The cached value of k, or the computed one, kept among the last CACHED."""
    if k in cache:
        cache.move_to_end(k)
        return cache[k]
    value = cache[k] = compute()
    while len(cache) > CACHED:
        cache.popitem(last=False)
    return value


def key(result) -> tuple:
    return (result.severity, result.focus_node, result.path, result.message, result.value, result.source_shape)


class Validator:
    """The shapes, the ontology and the data as rdflib graphs; checks one contribution at a time.

    Validating the whole data takes seconds (pySHACL evaluates each SPARQL constraint per focus node), so a
    contribution is checked with its neighbourhood in the data: every statement about the resources it
    mentions and about their neighbours, and the types of the next ring. The same neighbourhood is checked
    without the contribution, and the answer keeps the results on the mentioned resources that only the
    contribution brings: a result the data already gives is not the contributor's concern.
    """

    def __init__(self, ontology: rdflib.Graph, shapes: rdflib.Graph, data: rdflib.Graph):
        self.ontology, self.shapes, self.data = ontology, shapes, data
        self.before: OrderedDict = OrderedDict()  # fingerprint of a neighbourhood -> keys of its results
        self.reports: OrderedDict = OrderedDict()  # fingerprint of a contribution -> its report

    @classmethod
    def from_store(cls, store: ox.Store, graphs: dict[str, list[str]]) -> Validator:
        """The validator of the named graphs of each kind ('ontology', 'shapes', 'data') of a pyoxigraph store."""

        def graph(names: list[str]) -> rdflib.Graph:
            g = rdflib.Graph()
            for name in names:
                for q in store.quads_for_pattern(None, None, None, ox.NamedNode(name)):
                    g.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
            return g

        return cls(graph(graphs["ontology"]), graph(graphs["shapes"]), graph(graphs["data"]))

    def neighbours(self, nodes: set, graph: rdflib.Graph) -> set:
        out: set = set()
        for n in nodes:
            out.update(o for o in graph.objects(n, None) if not isinstance(o, rdflib.Literal))
            out.update(graph.subjects(None, n))
        return out

    def neighbourhood(self, contribution: rdflib.Graph, mentioned: set) -> rdflib.Graph:
        ring1 = self.neighbours(mentioned, self.data) | self.neighbours(mentioned, contribution)
        ring2 = self.neighbours(ring1, self.data) - ring1 - mentioned
        out = rdflib.Graph()
        for n in mentioned | ring1:
            for p, o in self.data.predicate_objects(n):
                out.add((n, p, o))
        for n in ring2:
            for o in self.data.objects(n, RDF_TYPE):
                out.add((n, RDF_TYPE, o))
        return out

    def check(self, triples: list[ox.Triple]) -> ValidationReport:
        """The results the contribution brings. The store never changes, so answers are kept (a few dozen):
        the same contribution, or another one with the same neighbourhood, is answered sooner."""
        contribution = rdflib.Graph()
        for t in triples:
            contribution.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
        mentioned = set(contribution.subjects()) | {
            o for o in contribution.objects() if not isinstance(o, rdflib.Literal)
        }
        asked = fingerprint(contribution)
        if asked in self.reports:
            return self.reports[asked]
        around = self.neighbourhood(contribution, mentioned)
        # Only the results on the mentioned resources are kept: the shapes check those alone (focus=mentioned).
        known = remember(
            self.before,
            fingerprint(around) + fingerprint_nodes(mentioned),
            lambda: frozenset(
                key(r) for r in validate_graph(around, self.shapes, self.ontology, focus=mentioned).results
            ),
        )
        after = validate_graph(
            around + contribution,
            self.shapes,
            self.ontology,
            focus=mentioned,
            locate=lambda focus, *rest: "contribution" if focus in mentioned else None,
        )
        report = ValidationReport([r for r in after.results if r.file == "contribution" and key(r) not in known])
        return remember(self.reports, asked, lambda: report)
