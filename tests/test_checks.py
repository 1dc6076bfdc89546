"""The quality checks (queries/checks/*-violation.rq): each must find nothing in the project's data.

Each check is also run on a small hand-made graph with one planted violation, so that a check that can never
fire (a typo in a property, a wrong prefix) fails here instead of passing silently.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from benelux_graph.namespaces import PREFIXES
from benelux_graph.saved_queries import parse_header

ROOT = Path(__file__).resolve().parents[1]
CHECKS_DIR = ROOT / "queries" / "checks"
CHECK_FILES = sorted(CHECKS_DIR.glob("*.rq"))


def show(term) -> str:
    if term is None:
        return "-"
    text = term.value if hasattr(term, "value") else str(term)
    return text.replace("https://w3id.org/benelux-graph/id/", "bxr:").replace(
        "https://w3id.org/benelux-graph/ontology#", "bx:"
    )


def test_there_are_checks():
    assert len(CHECK_FILES) >= 8, [p.name for p in CHECK_FILES]


def test_check_files_are_named_what_violation():
    stray = [p.name for p in CHECKS_DIR.iterdir() if p.suffix == ".rq" and not p.stem.endswith("-violation")]
    assert not stray, f"checks must be named <what>-violation.rq: {stray}"


@pytest.mark.parametrize("path", CHECK_FILES, ids=lambda p: p.stem)
def test_check_has_a_header_and_no_parameters(path):
    header = parse_header(path)
    assert isinstance(header.get("title"), str) and header["title"].strip()
    assert isinstance(header.get("description"), str) and header["description"].strip()
    assert not header.get("params"), "a check takes no parameters"


@pytest.mark.parametrize("path", CHECK_FILES, ids=lambda p: p.stem)
def test_check_finds_no_violation(path, store):
    result = store.query(path.read_text(encoding="utf-8"))
    assert isinstance(result, ox.QuerySolutions), "a check is a SELECT query"
    names = [v.value for v in result.variables]
    rows = [" | ".join(f"{n}={show(row[n])}" for n in names) for row in result]
    assert not rows, f"{path.stem}: {len(rows)} violation(s):\n" + "\n".join(rows)


# One planted violation per check: (Turtle, what the check must report in some row).
PLANTED = {
    "symmetric-one-way-violation": (
        "bx:cooperatesWith a owl:SymmetricProperty .\nbxr:a bx:cooperatesWith bxr:b .",
        "bxr:a",
    ),
    "membership-without-role-violation": (
        "bxr:m a org:Membership ; org:member bxr:belgium ; org:organization bxr:benelux-union .",
        "bxr:m",
    ),
    "cooperation-partners-violation": (
        "bxr:c a bx:Cooperation ; bx:partner bxr:benelux-union .",
        "bxr:c",
    ),
    "interval-order-violation": (
        (
            "bxr:p a time:Interval ; time:hasBeginning bxr:y2 ; time:hasEnd bxr:y1 .\n"
            'bxr:y1 a time:Instant ; time:inXSDgYear "2020"^^xsd:gYear .\n'
            'bxr:y2 a time:Instant ; time:inXSDgYear "2025"^^xsd:gYear .'
        ),
        "bxr:p",
    ),
    "english-label-violation": (
        'bxr:x a bx:Country ; skos:prefLabel "Belgique"@fr .',
        "bxr:x",
    ),
    "passage-programme-violation": (
        'src:x a bx:SourcePassage ; bx:quote "Some sentence."@en ; bx:sectionTitle "Somewhere" .',
        "src:x",
    ),
    "plain-without-membership-violation": (
        "bxr:forum bx:chairedBy bxr:someone .",
        "bxr:forum",
    ),
    "membership-without-plain-violation": (
        "bxr:m a org:Membership ; org:member bxr:someone ; org:organization bxr:forum ; org:role role:chair .",
        "bxr:m",
    ),
    "cooperation-plain-violation": (
        "bxr:a bx:cooperatesWith bxr:b .",
        "bxr:a",
    ),
    "provenance-violation": (
        'bxr:f a bx:Forum ; skos:prefLabel "Some forum"@en .',
        "bxr:f",
    ),
    "component-programme-violation": (
        'bxr:c a bx:SubTheme ; skos:prefLabel "Some section"@en .',
        "bxr:c",
    ),
    "dangling-reference-violation": (
        "bxr:f a bx:Forum ; bx:concerns bxr:no-such-thing .",
        "bxr:no-such-thing",
    ),
    "theme-violation": (
        "bxr:f a bx:Forum ; bx:addressesTheme theme:not-a-theme .",
        "theme:not-a-theme",
    ),
    "date-datatype-violation": (
        'bxr:i a bx:Treaty ; dcterms:issued "2008"^^xsd:integer .',
        "bxr:i",
    ),
}


def test_every_check_has_a_planted_violation():
    assert set(PLANTED) == {p.stem for p in CHECK_FILES}


def planted_store(turtle: str) -> ox.Store:
    """The ontology plus the planted triples, in the default graph."""
    store = ox.Store()
    store.load(path=str(ROOT / "ontology" / "benelux.ttl"), format=ox.RdfFormat.TURTLE)
    prologue = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items())
    store.load((prologue + turtle).encode(), format=ox.RdfFormat.TURTLE)
    return store


def expand(name: str) -> str:
    prefix, _, local = name.partition(":")
    return str(PREFIXES[prefix]) + local


@pytest.mark.parametrize("path", CHECK_FILES, ids=lambda p: p.stem)
def test_check_detects_a_planted_violation(path):
    turtle, culprit = PLANTED[path.stem]
    result = planted_store(turtle).query(path.read_text(encoding="utf-8"))
    values = {term.value for row in result for term in row if term is not None and hasattr(term, "value")}
    assert expand(culprit) in values, f"{path.stem} does not report the planted violation of {culprit}"
