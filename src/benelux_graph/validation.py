"""SHACL validation of the data against ontology/shapes/*.ttl, with results traced back to the file they concern.

    validate_files(settings, None)      the project's data: ontology/benelux.ttl + data/*.ttl
    validate_files(settings, [paths])   the given files, checked together with the ontology
    validate_graph(data, shapes, ontology)   any rdflib graphs (used by the above and by HTTP /validate)
    completeness(store)                 the gaps the sources leave open (ontology/completeness.ttl), for `stats`

`conforms` is what the SHACL specification says it is: True only when there is no result of any severity (a
sh:Warning is a result too). What is merely incomplete is no SHACL result: it is checked by completeness().
"""

from __future__ import annotations

import functools
import json
import logging
import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping
from contextvars import ContextVar
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyoxigraph as ox
import rdflib
from pyshacl import validate as shacl_validate
from pyshacl.errors import ConstraintLoadError, ReportableRuntimeError, ShapeLoadError
from rdflib import RDF, SH, BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from .errors import BeneluxGraphError
from .namespaces import BASE, GRAPH, bind_prefixes
from .settings import Settings
from .store import GraphStore

#: Namespace of the shapes in ontology/shapes/*.ttl (prefix bxsh:).
SHAPES_NS = BASE + "shapes#"
SEVERITIES = ("Violation", "Warning", "Info")
_SEVERITY_NAMES: dict[Node | None, str] = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


@dataclass(frozen=True)
class ValidationResult:
    severity: str  # "Violation", "Warning" or "Info"
    focus_node: str  # compact form: bxr:benelux-union, src:energy-3, _:b0 for a blank node
    path: str | None  # compact SHACL path: skos:prefLabel, ^bx:partyTo, bx:a|bx:b; None for node-level constraints
    message: str
    value: str | None  # the offending value in Turtle notation, if the constraint names one
    source_shape: str  # bxsh:ShapeName, or bxsh:ParentShape[path] for an anonymous property shape
    file: str | None = None  # the data file that defines the focus node, relative to the project root if inside it
    # The message in the shapes' other languages, (("fr", "..."), ...): for the /validate page, not for programs
    # (to_dict leaves it out, so the JSON keeps its fields); equality and hashing ignore it.
    translations: tuple[tuple[str, str], ...] = field(default=(), compare=False, repr=False)

    def message_in(self, lang: str) -> str:
        """The message in `lang`, or in English where the shape has none in it."""
        return dict(self.translations).get(lang, self.message)

    def to_dict(self) -> dict:
        out = asdict(self)
        del out["translations"]
        return out

    def to_line(self) -> str:
        where = self.focus_node + (f" {self.path}" if self.path else "")
        value = f" (value: {self.value})" if self.value is not None and self.value != self.focus_node else ""
        return f"{self.file or '<no file>'}: {self.severity}: {where}: {self.message}{value}"


@dataclass
class ValidationReport:
    results: list[ValidationResult] = field(default_factory=list)

    @property
    def conforms(self) -> bool:
        return not self.results  # SHACL 1.0, 3.6.1: any result, whatever its severity, means not conforming

    @property
    def counts(self) -> dict[str, int]:
        c = Counter(r.severity for r in self.results)
        return {s.lower() + "s": c.get(s, 0) for s in SEVERITIES}

    @property
    def violations(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def warnings(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == "Warning"]

    def sorted_results(self) -> list[ValidationResult]:
        order = {s: i for i, s in enumerate(SEVERITIES)}
        return sorted(
            self.results,
            key=lambda r: (
                r.file or "~",
                order.get(r.severity, 9),
                r.focus_node,
                r.path or "",
                r.message,
                r.value or "",
            ),
        )

    def to_text(self) -> str:
        lines = [r.to_line() for r in self.sorted_results()]
        c = self.counts
        files = len({r.file for r in self.results})
        verdict = "conforms" if self.conforms else "does not conform"
        summary = (
            f"{verdict}: {c['violations']} violation{'s' * (c['violations'] != 1)}, "
            f"{c['warnings']} warning{'s' * (c['warnings'] != 1)}, {c['infos']} info"
            + (f" in {files} file{'s' * (files != 1)}" if self.results else "")
        )
        return "\n".join(lines + [summary])

    def to_dict(self) -> dict:
        return {
            "conforms": self.conforms,
            "counts": self.counts,
            "results": [r.to_dict() for r in self.sorted_results()],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)


# --------------------------------------------------------------------------------------------------------------
# Validation of rdflib graphs
# --------------------------------------------------------------------------------------------------------------


def validate_graph(
    data: rdflib.Graph,
    shapes: rdflib.Graph,
    ontology: rdflib.Graph,
    locate: Mapping[rdflib.term.Node, str] | Callable[..., str | None] | None = None,
    focus: Collection | None = None,
) -> ValidationReport:
    """Validate `data` against `shapes`; the ontology is mixed into the data so sh:class sees subclasses.

    `locate` tells the file of a result (ValidationResult.file): a mapping focus node -> file, or a function
    (focus, path, value, results_graph) -> file. `focus` keeps, of each shape's targets, those among these nodes
    (the results on them are the same: a shape evaluates each focus node on its own, with the whole data).
    """
    _reuse_parsed_queries()
    _targets_among_focus()
    token = _FOCUS.set(frozenset(focus) if focus is not None else None)
    try:
        return _validate_graph(data, shapes, ontology, locate)
    finally:
        _FOCUS.reset(token)


def _validate_graph(data, shapes, ontology, locate) -> ValidationReport:
    if locate is None:
        locate = {}
    if isinstance(locate, Mapping):
        locate = _by_focus(locate)
    try:
        _, results_graph, _ = shacl_validate(
            data,
            shacl_graph=shapes,
            ont_graph=ontology,
            inference="none",
            allow_warnings=True,
            abort_on_first=False,
            advanced=False,
        )
    except (ShapeLoadError, ConstraintLoadError, ReportableRuntimeError) as e:
        raise BeneluxGraphError(f"the SHACL shapes cannot be used: {e}") from None
    if not isinstance(results_graph, rdflib.Graph):  # pyshacl's ValidationFailure: a shape it cannot run
        raise BeneluxGraphError(f"the SHACL shapes cannot be used: {getattr(results_graph, 'message', results_graph)}")
    return report_from_graph(results_graph, shapes, data, locate)


def report_from_graph(
    results_graph: rdflib.Graph,
    shapes: rdflib.Graph,
    data: rdflib.Graph | None = None,
    locate: Callable[..., str | None] | None = None,
) -> ValidationReport:
    """A ValidationReport from a SHACL validation report graph (pyshacl's, or another engine's)."""
    if locate is None:
        locate = _by_focus({})
    names = rdflib.Graph()
    bind_prefixes(names)
    names.bind("bxsh", SHAPES_NS)
    for prefix, ns in list(shapes.namespaces()) + list(data.namespaces() if data is not None else []):
        if prefix and prefix not in dict(names.namespaces()):
            names.bind(prefix, ns, override=False)

    nested = set(results_graph.objects(None, SH.detail))
    results = []
    for r in results_graph.subjects(RDF.type, SH.ValidationResult):
        if r in nested:
            continue
        focus = results_graph.value(r, SH.focusNode)
        path = results_graph.value(r, SH.resultPath)
        value = results_graph.value(r, SH.value)
        shape = results_graph.value(r, SH.sourceShape)
        constraint = results_graph.value(r, SH.sourceConstraint)
        templates = [
            m
            for node in (shape, constraint)
            if node is not None
            for g in (shapes, results_graph)
            for m in g.objects(node, SH.message)
        ]
        messages = _tagged(list(results_graph.objects(r, SH.resultMessage)), templates)
        results.append(
            ValidationResult(
                severity=_SEVERITY_NAMES.get(results_graph.value(r, SH.resultSeverity), "Violation"),
                focus_node=_show(focus, names),
                path=_show_path(results_graph, path, names) if path is not None else None,
                message=_pick_message(messages),
                translations=_translations(messages),
                value=_show(value, names) if value is not None else None,
                source_shape=_show_shape(shapes, shape, names),
                file=locate(focus, path, value, results_graph),
            )
        )
    # pyshacl may report the same result twice (a shape reached through two targets): keep one
    return ValidationReport(list(dict.fromkeys(results)))


@functools.cache
def _reuse_parsed_queries() -> None:
    """Let rdflib parse each SPARQL text once. pySHACL runs a SPARQL constraint's text once per focus node, and
    rdflib parses it again every time (pyparsing: two thirds of the time of a contribution's check). The parsed
    and translated query is what rdflib's own prepareQuery makes to be reused; keyed on the text, base and
    prefixes, it is the same query."""
    from rdflib.plugins.sparql import processor
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    original = processor.SPARQLProcessor.query

    @functools.lru_cache(maxsize=512)
    def prepared(text: str, base, namespaces: tuple):
        return translateQuery(parseQuery(text), base, dict(namespaces))

    def query(self, strOrQuery, initBindings=None, initNs=None, base=None, DEBUG=False):  # noqa: N803 - rdflib's
        if isinstance(strOrQuery, str):
            strOrQuery = prepared(_sorted_prefixes(strOrQuery), base, tuple(sorted((initNs or {}).items())))
        return original(self, strOrQuery, initBindings, initNs, base, DEBUG)

    processor.SPARQLProcessor.query = query  # type: ignore[method-assign]  # the patch is the point


_PREFIX_LINE = re.compile(r"PREFIX ([^\s:]*): <[^<>\s]*>")


def _sorted_prefixes(text: str) -> str:
    """The same query with its leading PREFIX lines sorted. pySHACL writes a constraint's prefixes in the order
    it finds its sh:declare, which changes with every parse of the shapes (blank nodes): without this, each
    validation of freshly read shapes parsed every constraint again. Distinct names: their order changes nothing."""
    lines = text.split("\n")
    names: list[str] = []
    while len(names) < len(lines) and (m := _PREFIX_LINE.fullmatch(lines[len(names)])):
        names.append(m.group(1))
    if len(set(names)) < len(names):
        return text  # a name declared twice: the last one wins, so the order matters
    return "\n".join(sorted(lines[: len(names)]) + lines[len(names) :])


_FOCUS: ContextVar[frozenset | None] = ContextVar("benelux_graph_focus", default=None)


@functools.cache
def _targets_among_focus() -> None:
    """Let validate_graph(focus=...) narrow the shapes' targets (pySHACL's own focus_nodes option would also
    skip the value nodes that sh:node, sh:or, ... check, and so miss results on the focus nodes)."""
    from pyshacl.shape import Shape

    original = Shape.focus_nodes

    def focus_nodes(self, data_graph, debug=False):
        found = original(self, data_graph, debug)
        only = _FOCUS.get()
        return found if only is None else found & only

    Shape.focus_nodes = focus_nodes  # type: ignore[method-assign]  # the patch is the point


def _by_focus(files: Mapping) -> Callable[..., str | None]:
    return lambda focus, path, value, graph=None: files.get(focus)


def _pick_message(messages: list) -> str:
    if not messages:
        return "does not conform"
    english = [m for m in messages if isinstance(m, Literal) and m.language in (None, "en")]
    return str((english or messages)[0])


def _tagged(messages: list, templates: list) -> list:
    """The messages with their language: pySHACL drops the tag of a message whose {?var} it fills in (a SPARQL
    constraint's), so a plain one gets the language of the shape's template it matches."""
    out = []
    for m in messages:
        if isinstance(m, Literal) and m.language is None:
            for t in templates:
                if isinstance(t, Literal) and t.language and _template(str(t)).fullmatch(str(m)):
                    m = Literal(str(m), lang=t.language)
                    break
        out.append(m)
    return out


@functools.lru_cache(maxsize=1024)
def _template(text: str) -> re.Pattern:
    return re.compile("(.*)".join(re.escape(part) for part in re.split(r"\{[?$]\w+\}", text)), re.DOTALL)


def _translations(messages: list) -> tuple[tuple[str, str], ...]:
    """The messages in languages other than English, one per language, sorted by language."""
    found = {m.language: str(m) for m in messages if isinstance(m, Literal) and m.language not in (None, "en")}
    return tuple(sorted(found.items()))


def _show(node, names: rdflib.Graph) -> str:
    if isinstance(node, URIRef):
        return names.namespace_manager.normalizeUri(node)
    if isinstance(node, BNode):
        return f"_:{node}"
    if isinstance(node, Literal):
        return node.n3(names.namespace_manager)
    return str(node)


def _show_path(g: rdflib.Graph, path, names: rdflib.Graph) -> str:
    if isinstance(path, URIRef):
        return _show(path, names)
    inverse = g.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + _show_path(g, inverse, names)
    alternatives = g.value(path, SH.alternativePath)
    if alternatives is not None:
        return "|".join(_show_path(g, p, names) for p in rdflib.collection.Collection(g, alternatives))
    for prop, suffix in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        inner = g.value(path, prop)
        if inner is not None:
            return _show_path(g, inner, names) + suffix
    if g.value(path, RDF.first) is not None:
        return "/".join(_show_path(g, p, names) for p in rdflib.collection.Collection(g, path))
    return _show(path, names)


def _show_shape(shapes: rdflib.Graph, shape, names: rdflib.Graph) -> str:
    if shape is None:
        return ""
    if isinstance(shape, BNode):
        parent = shapes.value(None, SH.property, shape) or shapes.value(None, SH.sparql, shape)
        path = shapes.value(shape, SH.path)
        label = _show_path(shapes, path, names) if path is not None else (shapes.value(shape, SH.name) or "")
        if parent is not None:
            return f"{_show(parent, names)}[{label}]"
    return _show(shape, names)


# --------------------------------------------------------------------------------------------------------------
# Validation of files
# --------------------------------------------------------------------------------------------------------------


def validate_files(settings: Settings, files: list[Path] | None = None) -> ValidationReport:
    """Validate the project's data (files None) or the given Turtle files (with the ontology) against the shapes.

    Files are read through GraphStore.load, so a syntax error raises errors.DataFileError (file, line, column).
    """
    ontology_file = settings.ontology_dir / "benelux.ttl"
    shape_files = sorted(settings.shapes_dir.glob("*.ttl"))
    if files is None:
        store = GraphStore.load(settings)
        data_graphs = store.graphs("data")
    else:
        given = _unique_paths(files)
        fixed = {p.resolve() for p in [ontology_file, *shape_files]}
        given = [p for p in given if p.resolve() not in fixed]
        store = GraphStore.load(settings, [ontology_file, *shape_files, *given], saved_queries=False)
        wanted = {p.resolve() for p in given}
        data_graphs = [g for g, p in store.files.items() if p.resolve() in wanted]

    shapes = _to_rdflib(store, store.graphs("shapes"))
    return _validate_store(store, data_graphs, shapes, settings.root)


def _validate_store(store: GraphStore, data_graphs: list[str], shapes: rdflib.Graph, root: Path) -> ValidationReport:
    ontology = _to_rdflib(store, store.graphs("ontology"))
    data = _to_rdflib(store, data_graphs)
    return validate_graph(data, shapes, ontology, locate=_Locator(store, data_graphs, root))


def completeness_shapes_file(ontology_dir: Path) -> Path:
    return ontology_dir / "completeness.ttl"


def completeness(store: GraphStore, graphs: list[str] | None = None) -> ValidationReport:
    """The gaps of a loaded store's data graphs (or of the given named graphs), by ontology/completeness.ttl.

    The results are sh:Info: a translation, theme, date or party that the sources leave open. They are listed by
    `benelux-graph stats`, never by `validate`: incomplete is not invalid.
    """
    ontology_file = store.files[str(GRAPH["ontology"])]
    shapes = rdflib.Graph()
    try:
        shapes.parse(completeness_shapes_file(ontology_file.parent), format="turtle")
    except (OSError, SyntaxError) as e:
        raise BeneluxGraphError(f"the completeness shapes cannot be read: {e}") from None
    graphs = store.graphs("data") if graphs is None else graphs
    return _validate_store(store, graphs, shapes, ontology_file.parent.parent)


def _unique_paths(files: Iterable[Path]) -> list[Path]:
    seen: dict[Path, Path] = {}
    for f in files:
        seen.setdefault(Path(f).resolve(), Path(f))
    return list(seen.values())


def _display_path(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def _to_rdflib(store: GraphStore, graphs: list[str]) -> rdflib.Graph:
    """The union of some named graphs of the store, as an rdflib Graph (no second parse of the files)."""
    g = rdflib.Graph()
    bind_prefixes(g)
    # rdflib logs a traceback for an ill-formed literal ("abc"^^xsd:date); the shapes report it properly
    term_logger = logging.getLogger("rdflib.term")
    level = term_logger.level
    term_logger.setLevel(logging.ERROR)
    try:
        for name in graphs:
            for quad in store.store.quads_for_pattern(None, None, None, ox.NamedNode(name)):
                g.add((_term(quad.subject), _term(quad.predicate), _term(quad.object)))
    finally:
        term_logger.setLevel(level)
    return g


def _term(t):
    if isinstance(t, ox.NamedNode):
        return URIRef(t.value)
    if isinstance(t, ox.BlankNode):
        return BNode(t.value)
    if isinstance(t, ox.Literal):
        if t.language:
            return Literal(t.value, lang=t.language)
        if t.datatype.value == str(XSD.string):
            return Literal(t.value)
        return Literal(t.value, datatype=URIRef(t.datatype.value))
    raise TypeError(f"unexpected RDF term {t!r}")  # pragma: no cover - triples in named graphs only


class _Locator:
    """The file of a result: where the offending triple (focus, path, value) is stated, if it is one triple of one
    file; else the file that defines the focus node (where it is typed, else a subject, else mentioned)."""

    def __init__(self, store: GraphStore, graphs: list[str], root: Path):
        self.nodes: dict = {}
        self.triples: dict = {}
        self.links: dict = {}  # (subject, object) -> files stating some triple between them
        typed: dict = {}
        subject: dict = {}
        mentioned: dict = {}
        rdf_type = ox.NamedNode(str(RDF.type))
        for name in [*graphs, *store.graphs("ontology")]:
            shown = _display_path(store.files[name], root)
            for quad in store.store.quads_for_pattern(None, None, None, ox.NamedNode(name)):
                s, p, o = _term(quad.subject), _term(quad.predicate), _term(quad.object)
                self.triples.setdefault((s, p, o), shown)
                self.links.setdefault((s, o), set()).add(shown)
                if quad.predicate == rdf_type:
                    typed.setdefault(s, shown)
                subject.setdefault(s, shown)
                if not isinstance(o, Literal):
                    mentioned.setdefault(o, shown)
        self.nodes = {**mentioned, **subject, **typed}

    def __call__(self, focus, path, value, graph: rdflib.Graph | None = None) -> str | None:
        if value is not None and path is not None:
            for triple in _path_triples(focus, path, value, graph):
                if triple in self.triples:
                    return self.triples[triple]
        if value is not None and path is None and len(self.links.get((focus, value), ())) == 1:
            [file] = self.links[(focus, value)]  # a SPARQL result about one triple of one file
            return file
        return self.nodes.get(focus)


def _path_triples(focus, path, value, graph: rdflib.Graph | None) -> list[tuple]:
    """The triples a one-step path (p, ^p, or p1|p2|...) could have used between focus and value."""
    if isinstance(path, URIRef):
        return [(focus, path, value)]
    if graph is None:
        return []
    inverse = graph.value(path, SH.inversePath)
    if isinstance(inverse, URIRef):
        return [(value, inverse, focus)]
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return [
            t for p in rdflib.collection.Collection(graph, alternatives) for t in _path_triples(focus, p, value, graph)
        ]
    return []


__all__ = [
    "ValidationReport",
    "ValidationResult",
    "completeness",
    "report_from_graph",
    "validate_files",
    "validate_graph",
]
