"""`benelux-graph diff OLD NEW`: changes grouped by entity with labels; exit 0 no change, 1 changes, 2 error."""

from __future__ import annotations

import json
import shutil

from typer.testing import CliRunner

from benelux_graph.cli import app
from benelux_graph.diff import diff

runner = CliRunner()


def changed_project(settings, tmp_path):
    """A copy of the project with one period changed and a label removed."""
    for folder in ("ontology", "data", "queries"):
        shutil.copytree(settings.root / folder, tmp_path / folder, ignore=shutil.ignore_patterns("sources"))
    path = tmp_path / "data" / "benelux-plus.ttl"
    text = path.read_text(encoding="utf-8")
    lux = (
        "org:member bxr:luxembourg ; org:organization bxr:greater-region ; org:role role:presidency ;\n"
        "    org:memberDuring bxr:period-2027-2028 ;"
    )
    assert lux in text
    text = text.replace(lux, lux.replace("period-2027-2028", "period-2025-2028"))
    text = text.replace(', "Noordse Raad"@nl', "")
    path.write_text(text, encoding="utf-8")
    return tmp_path


def test_no_change_between_two_dumps_of_the_same_release(dump_dir):
    result = runner.invoke(app, ["diff", str(dump_dir), str(dump_dir / "benelux-graph.ttl.gz")])
    assert result.exit_code == 0, result.output
    assert "No change" in result.output


def test_changes_are_grouped_by_entity_with_labels(settings, dump_dir, tmp_path):
    project = changed_project(settings, tmp_path)
    result = diff(dump_dir, project)
    assert result.changed and result.added == 1 and result.removed == 2
    by_iri = {e.iri.rsplit("/", 1)[-1]: e for e in result.entities}
    membership = by_iri["membership-luxembourg-greater-region-presidency"]
    assert membership.status == "changed"
    assert membership.added == ["org:memberDuring bxr:period-2025-2028 (2025-2028)"]
    assert membership.removed == ["org:memberDuring bxr:period-2027-2028 (2027-2028)"]
    council = by_iri["nordic-council"]
    assert council.label == "Nordic Council" and council.removed == ['skos:prefLabel "Noordse Raad"@nl']

    out = runner.invoke(app, ["diff", str(dump_dir), str(project)])
    assert out.exit_code == 1
    assert "### Nordic Council (bxr:nordic-council)" in out.output
    assert '- skos:prefLabel "Noordse Raad"@nl' in out.output
    assert out.output.splitlines()[0].startswith("# Changes from 0.1.0+")
    as_json = json.loads(runner.invoke(app, ["diff", str(dump_dir), str(project), "--format", "json"]).output)
    assert as_json["added"] == 1 and as_json["removed"] == 2


def test_unreadable_input_is_exit_2(tmp_path, dump_dir):
    (tmp_path / "broken.ttl").write_text("<a> <b> .\n")
    for args in (
        ["diff", str(tmp_path / "missing"), str(dump_dir)],
        ["diff", str(tmp_path / "broken.ttl"), str(dump_dir)],
        ["diff", str(tmp_path), str(dump_dir)],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert "error:" in result.output
