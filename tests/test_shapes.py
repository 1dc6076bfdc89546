"""The SHACL shapes, case by case.

tests/shapes/invalid/<case>.ttl: one small invalid graph per shape or constraint. Its first lines say what must
fire: `# expect: <Violation|Warning> <substring of the message>` (one line per expected result). Each case is
validated together with tests/shapes/base.ttl (a valid context) and the ontology; the expected results must fire,
and no violation that the case does not expect may fire, so every case pins down one constraint.
tests/shapes/valid/*.ttl: small valid graphs, which must conform.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import rdflib
from rdflib import RDF, RDFS, SH

from benelux_graph.validation import validate_files

SHAPES_TESTS = Path(__file__).parent / "shapes"
BASE = SHAPES_TESTS / "base.ttl"
INVALID = sorted((SHAPES_TESTS / "invalid").glob("*.ttl"))
VALID = sorted((SHAPES_TESTS / "valid").glob("*.ttl"))
EXPECT = re.compile(r"^# expect: (Violation|Warning|Info) (.+?)\s*$")


def expectations(path: Path) -> list[tuple[str, str]]:
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        m = EXPECT.match(line)
        if not m:
            break
        found.append((m.group(1), m.group(2)))
    return found


def describe(report) -> str:
    return "\n".join(r.to_line() for r in report.sorted_results()) or "(no results)"


def test_there_are_cases():
    assert len(INVALID) >= 100
    assert VALID


@pytest.mark.parametrize("case", INVALID, ids=lambda p: p.stem)
def test_invalid_case(shacl_report, case):
    expected = expectations(case)
    assert expected, f"{case.name} must start with '# expect: <severity> <message substring>'"
    report = shacl_report([BASE, case])
    for severity, text in expected:
        assert any(r.severity == severity and text in r.message for r in report.results), (
            f"{case.name}: expected {severity} containing {text!r}, got:\n{describe(report)}"
        )
    stray = [
        r
        for r in report.violations
        if not any(r.severity == severity and text in r.message for severity, text in expected)
    ]
    assert not stray, f"{case.name}: unexpected violations:\n" + "\n".join(r.to_line() for r in stray)
    # a result of any severity, a warning too, means the graph does not conform (SHACL 1.0, 3.6.1)
    assert not report.conforms
    # each result in the /validate page's other languages too, a SPARQL one's {?var} filled in (validation._tagged)
    untranslated = [r.to_line() for r in report.results if [lang for lang, _ in r.translations] != ["de", "fr", "nl"]]
    assert not untranslated, f"{case.name}: results without their French, Dutch and German text: {untranslated}"
    assert not [r.to_line() for r in report.results if "{?" in r.message_in("fr") or "{$" in r.message_in("de")]


@pytest.mark.parametrize("case", [BASE, *VALID], ids=lambda p: p.stem)
def test_valid_case(shacl_report, case):
    files = [BASE] if case == BASE else [BASE, case]
    report = shacl_report(files)
    assert report.conforms, describe(report)


def test_invalid_case_results_name_the_case_file(settings):
    case = SHAPES_TESTS / "invalid" / "entity-no-english-label.ttl"
    report = validate_files(settings, [BASE, case])
    [result] = [r for r in report.violations if "English" in r.message]
    assert result.file.endswith("tests/shapes/invalid/entity-no-english-label.ttl")
    assert result.focus_node == "bxr:x-forum"
    assert result.path == "skos:prefLabel"
    assert result.source_shape == "bxsh:prefLabel-en"


# ----------------------------------------------------------------------------------------------------------------
# The shapes themselves
# ----------------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shapes(store) -> rdflib.Graph:
    return store.shapes


CONSTRAINTS = {
    SH[name]
    for name in [
        "class",
        "datatype",
        "nodeKind",
        "minCount",
        "maxCount",
        "minExclusive",
        "minInclusive",
        "maxExclusive",
        "maxInclusive",
        "minLength",
        "maxLength",
        "pattern",
        "languageIn",
        "uniqueLang",
        "equals",
        "disjoint",
        "lessThan",
        "lessThanOrEquals",
        "not",
        "and",
        "or",
        "xone",
        "node",
        "qualifiedValueShape",
        "hasValue",
        "in",
        "closed",
        "sparql",
    ]
}


def top_shapes(g: rdflib.Graph) -> set:
    """Shapes that produce results: targeted node shapes and the property shapes they use (not sh:or operands)."""
    found = set(g.subjects(RDF.type, SH.NodeShape)) | set(g.subjects(RDF.type, SH.PropertyShape))
    for target in (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode):
        found |= set(g.subjects(target, None))
    found |= set(g.objects(None, SH.property))
    return found


def test_every_shape_has_a_name(shapes):
    unnamed = [s for s in top_shapes(shapes) if not (shapes.value(s, RDFS.label) or shapes.value(s, SH.name))]
    assert not unnamed, f"shapes without rdfs:label or sh:name: {unnamed}"


def test_every_constraint_has_a_message(shapes):
    silent = []
    for s in top_shapes(shapes):
        has_constraint = (
            any((s, c, None) in shapes for c in CONSTRAINTS - {SH.sparql})
            or (
                s,
                SH.qualifiedMinCount,
                None,
            )
            in shapes
        )
        if has_constraint and shapes.value(s, SH.message) is None:
            silent.append(s)
        for sparql in shapes.objects(s, SH.sparql):
            if shapes.value(sparql, SH.message) is None:
                silent.append(sparql)
    assert not silent, f"constraints without sh:message: {silent}"


def test_shapes_use_the_bxsh_namespace(shapes):
    named = [s for s in top_shapes(shapes) if isinstance(s, rdflib.URIRef)]
    assert named
    assert all(str(s).startswith("https://w3id.org/benelux-graph/shapes#") for s in named)


def test_every_class_with_instances_has_a_shape(store, shapes):
    """A shape targets every class of the ontology (or a reused class) that the data has instances of."""
    targeted = set(shapes.objects(None, SH.targetClass))
    rows = store.store.query(
        "SELECT DISTINCT ?c WHERE { GRAPH ?g { ?s a ?c } "
        "FILTER(STRSTARTS(STR(?g), 'https://w3id.org/benelux-graph/graph/data/')) }"
    )
    classes = {rdflib.URIRef(row[0].value) for row in rows}
    missing = sorted(str(c) for c in classes - targeted)
    assert not missing, f"classes with instances but no shape: {missing}"


def test_every_ontology_class_has_a_shape(store, shapes):
    """Every class the ontology defines in its own namespace has its own shape, whether or not it has instances."""
    targeted = set(shapes.objects(None, SH.targetClass))
    ontology = store.rdflib_graph(store.graphs("ontology"))
    own = {
        c for c in ontology.subjects(RDF.type, rdflib.OWL.Class) if str(c).startswith("https://w3id.org/benelux-graph/")
    }
    missing = sorted(str(c) for c in own - targeted)
    assert not missing, f"ontology classes without a shape: {missing}"


LANGUAGES = {"en", "fr", "nl", "de"}


def test_every_message_is_in_the_four_languages(shapes):
    """Each sh:message has exactly one text in English, French, Dutch and German (the /validate page shows the
    reader's), and each says the same {?var} as the English one."""
    wrong = []
    for node in set(shapes.subjects(SH.message, None)):
        messages = list(shapes.objects(node, SH.message))
        languages = [m.language for m in messages if isinstance(m, rdflib.Literal)]
        english = next((str(m) for m in messages if getattr(m, "language", None) == "en"), "")
        where = next(iter(shapes.subjects(SH.sparql, node)), node)  # a SPARQL constraint: name its shape
        if sorted(languages) != sorted(LANGUAGES):
            wrong.append(
                f"{where} {english!r}: has {sorted(map(str, languages))}, lacks {sorted(LANGUAGES - set(languages))}"
            )
        variables = sorted(re.findall(r"\{[?$]\w+\}", english))
        for m in messages:
            if sorted(re.findall(r"\{[?$]\w+\}", str(m))) != variables:
                wrong.append(f"{where} {english!r}: the {m.language} text says other {{?var}}: {str(m)!r}")
    assert not wrong, "sh:message not in en, fr, nl and de:\n" + "\n".join(sorted(wrong))
