"""validation.py and `benelux-graph validate`: the project's data conforms, reports are readable, exit codes hold."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import rdflib

from benelux_graph.validation import ValidationReport, ValidationResult, validate_files, validate_graph

ROOT = Path(__file__).resolve().parents[1]
SHAPES_TESTS = ROOT / "tests" / "shapes"
BASE = SHAPES_TESTS / "base.ttl"
NO_ENGLISH = SHAPES_TESTS / "invalid" / "entity-no-english-label.ttl"


@pytest.fixture(scope="module")
def project_report(shacl_report) -> ValidationReport:
    return shacl_report(None)


# ----------------------------------------------------------------------------------------------------------------
# The real data
# ----------------------------------------------------------------------------------------------------------------


def test_project_data_conforms(project_report):
    assert project_report.conforms, "violations in the project's data:\n" + "\n".join(
        r.to_line() for r in project_report.sorted_results() if r.severity == "Violation"
    )


def test_project_results_name_their_data_file(project_report, settings):
    data_files = {f"data/{p.name}" for p in settings.data_dir.glob("*.ttl")}
    for r in project_report.results:
        assert r.file in data_files, r


# ----------------------------------------------------------------------------------------------------------------
# Reports
# ----------------------------------------------------------------------------------------------------------------


def test_given_files_are_checked_with_the_ontology(settings):
    report = validate_files(settings, [BASE, NO_ENGLISH])
    assert not report.conforms
    [violation] = report.violations
    assert violation == ValidationResult(
        severity="Violation",
        focus_node="bxr:x-forum",
        path="skos:prefLabel",
        message='needs an English skos:prefLabel ("..."@en)',
        value=None,
        source_shape="bxsh:prefLabel-en",
        file="tests/shapes/invalid/entity-no-english-label.ttl",
    )


def test_text_report(settings):
    report = validate_files(settings, [BASE, NO_ENGLISH])
    lines = report.to_text().splitlines()
    assert (
        "tests/shapes/invalid/entity-no-english-label.ttl: Violation: bxr:x-forum skos:prefLabel: "
        'needs an English skos:prefLabel ("..."@en)'
    ) in lines
    assert re.fullmatch(r"does not conform: 1 violation, \d+ warnings?, 0 info in 1 file", lines[-1])
    # grouped by file, violations before warnings
    body = lines[:-1]
    assert body == [r.to_line() for r in report.sorted_results()]
    assert body[0].split(": ")[1] == "Violation"


def test_text_report_of_a_conforming_graph(settings):
    report = validate_files(settings, [BASE])
    assert report.conforms
    assert report.to_text() == "conforms: 0 violations, 0 warnings, 0 info"


def test_json_report(settings):
    report = validate_files(settings, [BASE, NO_ENGLISH])
    doc = json.loads(report.to_json())
    assert doc["conforms"] is False
    assert doc["counts"]["violations"] == 1
    assert doc["counts"]["warnings"] == len(report.warnings)
    assert set(doc["results"][0]) == {
        "severity",
        "focus_node",
        "path",
        "message",
        "value",
        "source_shape",
        "file",
    }


def test_a_warning_breaks_conformance_as_the_shacl_specification_says(settings):
    report = validate_files(settings, [BASE, SHAPES_TESTS / "invalid" / "passage-unused.ttl"])
    assert report.warnings and not report.violations
    assert not report.conforms
    assert report.to_json().startswith('{\n  "conforms": false')
    assert report.to_text().splitlines()[-1].startswith("does not conform: 0 violations, 1 warning")


def test_validate_graph_on_rdflib_graphs(store):
    """The entry point for callers that hold graphs (the HTTP /validate route): no files, no file names."""
    data = rdflib.Graph().parse(
        data="""
        @prefix bx: <https://w3id.org/benelux-graph/ontology#> .
        @prefix bxr: <https://w3id.org/benelux-graph/id/> .
        @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        bxr:x-forum a bx:Forum ; skos:prefLabel "Forum X"@en .
        """,
        format="turtle",
    )
    ontology = store.rdflib_graph(store.graphs("ontology"))
    report = validate_graph(data, store.shapes, ontology)
    messages = {r.message for r in report.violations}
    assert any("needs prov:wasDerivedFrom" in m for m in messages)
    assert all(r.file is None for r in report.results)


def test_subclass_instances_meet_sh_class(settings):
    """sh:class sees the ontology's hierarchy: a bx:CrossBorderRegion is an org:Organization for memberships."""
    report = validate_files(settings, [BASE, SHAPES_TESTS / "valid" / "memberships.ttl"])
    assert report.conforms, report.to_text()


def test_a_constraints_query_is_one_cache_entry_whatever_the_order_of_its_prefixes():
    """pySHACL writes a SPARQL constraint's PREFIX lines in the order it reads sh:declare, which changes with every
    parse of the shapes: the parsed-query cache (validation._reuse_parsed_queries) keys on the text with them
    sorted, else each validation of freshly read shapes parses every constraint again (half of a shapes case)."""
    from benelux_graph.validation import _sorted_prefixes

    body = "\nSELECT $this WHERE { $this a:p b:o }"
    one = _sorted_prefixes("PREFIX b: <http://b/>\nPREFIX a: <http://a/>\n" + body)
    assert one == _sorted_prefixes("PREFIX a: <http://a/>\nPREFIX b: <http://b/>\n" + body)
    assert one == "PREFIX a: <http://a/>\nPREFIX b: <http://b/>\n" + body
    twice = "PREFIX a: <http://2/>\nPREFIX a: <http://1/>\nASK { ?s a:p ?o }"  # the last one wins: kept as it is
    assert _sorted_prefixes(twice) == twice


# ----------------------------------------------------------------------------------------------------------------
# The command line
# ----------------------------------------------------------------------------------------------------------------


def cli(*args: str) -> subprocess.CompletedProcess:
    exe = shutil.which("benelux-graph")
    command = [exe] if exe else [sys.executable, "-c", "from benelux_graph.cli import main; main()"]
    env = {**os.environ, "BENELUX_ROOT": str(ROOT)}
    return subprocess.run(
        [*command, "validate", *args],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_cli_project_data_exit_0():
    done = cli()
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert done.stdout.strip().splitlines()[-1].startswith("conforms: 0 violations")


def test_cli_violation_exit_1():
    done = cli(str(BASE.relative_to(ROOT)), str(NO_ENGLISH.relative_to(ROOT)))
    assert done.returncode == 1, done.stderr
    assert "Violation: bxr:x-forum skos:prefLabel: needs an English skos:prefLabel" in done.stdout
    assert done.stdout.strip().splitlines()[-1].startswith("does not conform: 1 violation")


def test_cli_only_warnings_exit_1():
    done = cli(str(BASE), str(SHAPES_TESTS / "invalid" / "passage-unused.ttl"))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Warning:" in done.stdout
    assert done.stdout.strip().splitlines()[-1].startswith("does not conform: 0 violations, 1 warning")


def test_cli_quiet_still_names_the_warning_that_fails_it():
    """`make serve` runs `validate --quiet`: a warning stops it (exit 1), so the warning must be printed, not only
    counted in the summary (it printed violations only, and a newcomer saw "does not conform" without why)."""
    done = cli("--quiet", str(BASE), str(SHAPES_TESTS / "invalid" / "passage-unused.ttl"))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Warning:" in done.stdout
    assert done.stdout.strip().splitlines()[-1].startswith("does not conform: 0 violations, 1 warning")


def test_cli_json_conforms_follows_the_specification():
    """A warning is a SHACL result: `conforms` is false, as pyshacl's own report and other engines say."""
    done = cli("--format", "json", str(BASE), str(SHAPES_TESTS / "invalid" / "passage-unused.ttl"))
    doc = json.loads(done.stdout)
    assert doc["conforms"] is False and doc["counts"]["violations"] == 0 and doc["counts"]["warnings"] == 1
    assert done.returncode == 1


def test_cli_broken_turtle_exit_2(tmp_path):
    broken = tmp_path / "broken.ttl"
    broken.write_text(
        "@prefix bxr: <https://w3id.org/benelux-graph/id/> .\n\nbxr:a bxr:b bxr:c ;\n    bxr:d bxr:e bxr:f .\n"
    )
    done = cli(str(broken))
    assert done.returncode == 2
    assert re.search(re.escape(str(broken)) + r":4:\d+: ", done.stderr), done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_cli_missing_file_exit_2(tmp_path):
    done = cli(str(tmp_path / "missing.ttl"))
    assert done.returncode == 2
    assert "missing.ttl" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_cli_json_format():
    done = cli("--format", "json", str(BASE), str(NO_ENGLISH))
    assert done.returncode == 1
    doc = json.loads(done.stdout)
    assert doc["conforms"] is False
    assert doc["counts"]["violations"] == 1
    assert doc["results"][0]["focus_node"] == "bxr:x-forum"


def test_cli_json_format_project_data():
    done = cli("--format", "json")
    doc = json.loads(done.stdout)
    assert doc["conforms"] is (done.returncode == 0)
    assert doc["conforms"] is True
    assert doc["counts"] == {"violations": 0, "warnings": 0, "infos": 0} and doc["results"] == []


def test_result_names_the_file_stating_the_offending_triple(settings):
    """The focus bxr:test-country is defined in base.ttl, but the faulty triples are in the case files."""
    for case, severity in (
        ("party-to-non-instrument", "Violation"),
        ("plain-member-of-without-node", "Warning"),
    ):
        path = SHAPES_TESTS / "invalid" / f"{case}.ttl"
        report = validate_files(settings, [BASE, path])
        [result] = [r for r in report.results if r.severity == severity and r.focus_node == "bxr:test-country"]
        assert result.file == f"tests/shapes/invalid/{case}.ttl"
