"""`benelux-graph validate` keeps its last answer for the project's data (validation_cache.py): a second run with
nothing changed answers from it, a changed input is checked again, `--force` always checks. Real subprocesses
over a copy of the project."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from benelux_graph import validation_cache
from benelux_graph.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
KEPT_NOTE = "the last check's answer"


@pytest.fixture
def project(project_copy) -> Path:
    return project_copy


def validate(root: Path, *args: str) -> subprocess.CompletedProcess:
    exe = shutil.which("benelux-graph")
    command = [exe] if exe else [sys.executable, "-c", "from benelux_graph.cli import main; main()"]
    return subprocess.run(
        [*command, "validate", *args],
        check=False,
        cwd=root,
        env={**os.environ, "BENELUX_ROOT": str(root)},
        capture_output=True,
        text=True,
        timeout=300,
    )


def keep(root: Path, kind: str, output: str, exit_code: int) -> None:
    settings = Settings.from_env({"BENELUX_ROOT": str(root)})
    validation_cache.write(settings, kind, validation_cache.key(settings), output, exit_code)


def test_an_unchanged_project_is_answered_from_the_kept_answer(project):
    # a planted answer under the right key is what the command says: it did not check again
    keep(project, "text-quiet", "planted: 0 violations", 1)
    done = validate(project, "--quiet")
    assert (done.returncode, done.stdout.strip()) == (1, "planted: 0 violations"), done.stderr
    assert KEPT_NOTE in done.stderr
    # another kind of report is kept apart
    assert validation_cache.read(Settings.from_env({"BENELUX_ROOT": str(project)}), "json", "x") is None


def test_force_checks_again_and_keeps_the_new_answer(project):
    for path in (project / "data").glob("*.ttl"):  # a small project: the check is the point, not the data
        if path.name != "periods.ttl":
            path.unlink()
    keep(project, "text-quiet", "planted: 0 violations", 1)
    done = validate(project, "--quiet", "--force")
    assert done.returncode in (0, 1) and "planted" not in done.stdout, done.stdout + done.stderr
    assert done.stdout.strip().splitlines()[-1].startswith(("conforms:", "does not conform:"))
    assert KEPT_NOTE not in done.stderr
    again = validate(project, "--quiet")
    assert (again.returncode, again.stdout) == (done.returncode, done.stdout) and KEPT_NOTE in again.stderr
    kept = json.loads((project / ".cache" / "validate" / "text-quiet.json").read_text())
    assert (kept["exit"], kept["output"] + "\n") == (done.returncode, done.stdout)


@pytest.mark.parametrize("changed", ["data/facts.ttl", "ontology/shapes", "ontology/benelux.ttl", "queries"])
def test_a_changed_input_is_checked_again(project, changed):
    keep(project, "text-quiet", "planted: 0 violations", 0)
    target = project / changed
    if target.is_dir():  # a new file in the folder
        target = target / ("zz-new.rq" if changed == "queries" else "zz-new.ttl")
    with target.open("a", encoding="utf-8") as f:
        f.write("\nthis is not Turtle nor SPARQL\n")  # checked again: the broken file is the answer (exit 2)
    done = validate(project, "--quiet")
    assert done.returncode == 2 and "planted" not in done.stdout, done.stdout + done.stderr
    assert KEPT_NOTE not in done.stderr and "Traceback" not in done.stderr


def test_given_files_are_never_answered_from_the_cache(project):
    keep(project, "text-quiet", "planted: 0 violations", 1)
    done = validate(project, "--quiet", str(ROOT / "tests" / "shapes" / "base.ttl"))
    assert "planted" not in done.stdout and KEPT_NOTE not in done.stderr


def test_a_broken_cache_file_is_no_cache(project):
    folder = project / ".cache" / "validate"
    folder.mkdir(parents=True)
    (folder / "text-quiet.json").write_text("{not json")
    settings = Settings.from_env({"BENELUX_ROOT": str(project)})
    assert validation_cache.read(settings, "text-quiet", validation_cache.key(settings)) is None
