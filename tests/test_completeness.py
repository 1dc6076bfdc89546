"""The completeness report: what the sources leave open (a translation, a theme, a date, the parties) is reported by
`benelux-graph stats`, never as a SHACL result, so the data conforms to its shapes as the SHACL specification
defines it (no result of any severity).

tests/completeness/<case>.ttl: one small graph per gap, with tests/shapes/base.ttl; its first lines say which gap
must be found: `# expect: Info <substring of the message>`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from benelux_graph.store import GraphStore, graph_name
from benelux_graph.validation import completeness, validate_files

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "tests" / "shapes" / "base.ttl"
CASES = sorted((ROOT / "tests" / "completeness").glob("*.ttl"))


def expectations(path: Path) -> list[str]:
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("# expect: Info "):
            break
        found.append(line.removeprefix("# expect: Info ").strip())
    return found


def gaps_of(settings, files: list[Path]):
    project = [settings.ontology_dir / "benelux.ttl", *sorted(settings.shapes_dir.glob("*.ttl"))]
    store = GraphStore.load(settings, [*project, *files])
    return completeness(store, [graph_name(f, settings) for f in files])


def test_there_are_cases():
    assert len(CASES) >= 16


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_a_gap_is_reported_as_a_gap_not_as_a_shacl_result(settings, case):
    expected = expectations(case)
    assert expected, f"{case.name} must start with '# expect: Info <message substring>'"
    gaps = gaps_of(settings, [BASE, case])
    for text in expected:
        assert any(text in g.message and g.severity == "Info" for g in gaps.results), gaps.to_text()
    assert all(g.file == f"tests/completeness/{case.name}" for g in gaps.results if g.focus_node.startswith("bxr:x-"))
    report = validate_files(settings, [BASE, case])
    assert report.conforms, report.to_text()


def test_the_base_graph_has_no_gap(settings):
    assert gaps_of(settings, [BASE]).results == []


def test_the_project_data_conforms_with_no_result_of_any_severity(shacl_report):
    report = shacl_report(None)
    assert report.results == [] and report.conforms, report.to_text()


def stats(*args: str) -> subprocess.CompletedProcess:
    exe = shutil.which("benelux-graph")
    command = [exe] if exe else [sys.executable, "-c", "from benelux_graph.cli import main; main()"]
    return subprocess.run(
        [*command, "stats", *args],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "BENELUX_ROOT": str(ROOT)},
        timeout=300,
    )


def test_stats_reports_the_gaps_in_json_and_text(settings):
    done = stats("--format", "json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)["completeness"]
    assert report["gaps"] == len(report["items"]) > 0
    assert sum(report["by_check"].values()) == report["gaps"]
    # the missing translations are gaps (today most of them), each named with its entity and file
    french = [g for g in report["items"] if g["check"] == "bxsh:prefLabel-fr"]
    assert french and all(g["file"].startswith("data/") and g["focus_node"] for g in french)
    assert {g["check"] for g in report["items"]} <= set(report["by_check"])
    text = stats()
    assert text.returncode == 0
    assert f"completeness: {report['gaps']} gaps the sources leave open" in text.stdout
    assert "bxsh:prefLabel-fr" in text.stdout


def test_the_saved_query_lists_the_same_missing_translations(store):
    """queries/missing-translations.rq lists, per entity, the languages the completeness report finds missing."""
    from benelux_graph.graph_stats import compact

    text = (ROOT / "queries" / "missing-translations.rq").read_text(encoding="utf-8")
    listed = {(compact(row[0].value), frozenset(row[2].value.split())) for row in store.query(text)}
    gaps: dict[str, set] = {}
    for gap in completeness(store).results:
        if gap.source_shape.startswith("bxsh:prefLabel-"):
            gaps.setdefault(gap.focus_node, set()).add(gap.source_shape.removeprefix("bxsh:prefLabel-"))
    assert listed and listed == {(entity, frozenset(langs)) for entity, langs in gaps.items()}
