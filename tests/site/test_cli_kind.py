"""The `benelux-graph` command is as kind as the API: a mistyped saved query or a missing file is said to be
one (with the close names), the project's prefixes need no declaration, an undeclared prefix is one clear line
(on the command line and on the endpoint), `--version`, and `validate --quiet`. A real subprocess each time."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx
import pytest


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "benelux_graph", *args],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=120,
    )


def test_a_mistyped_saved_query_names_the_close_ones():
    out = run("query", "presidency-in-yaer")
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [
        "error: no such saved query or file: 'presidency-in-yaer'; did you mean presidency-in-year? "
        "(`benelux-graph query --list` lists the saved queries)"
    ]


def test_a_missing_query_file_is_said_to_be_missing():
    out = run("query", "my-querry.rq")
    assert out.returncode == 2 and "no such saved query or file: 'my-querry.rq'" in out.stderr
    assert "malformed" not in out.stderr


def test_the_readmes_example_runs_with_the_project_prefixes():
    out = run("query", "SELECT ?c ?label { ?c a bx:Country ; skos:prefLabel ?label }", "--format", "csv")
    assert out.returncode == 0, out.stderr
    assert "Luxembourg" in out.stdout


def test_an_undeclared_prefix_is_one_clear_line():
    out = run("query", "SELECT * { ?c a foo:Bar }")
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "undeclared prefix 'foo:'" in lines[0] and "\\u{" not in lines[0]


@pytest.mark.server
def test_the_endpoint_names_an_undeclared_prefix_in_one_line(site_server):
    r = httpx.post(site_server.url + "/sparql", data={"query": "SELECT * {\n  ?c a foo:Bar }"})
    error = r.json()["error"]
    assert r.status_code == 400 and error["type"] == "malformed-query"
    assert error["message"].startswith("error at 2:15: undeclared prefix 'foo:'") and "\n" not in error["message"]
    assert (error["line"], error["column"]) == (2, 15)
    other = httpx.post(site_server.url + "/sparql", data={"query": "SELECT * { ?s ?p }"}).json()["error"]
    assert "\\u{" not in other["message"] and "\n" not in other["message"]


def test_version_and_a_quiet_validation():
    from benelux_graph import __version__

    out = run("--version")
    assert out.returncode == 0 and out.stdout.strip() == f"benelux-graph {__version__}"
    quiet = run("validate", "--quiet")
    assert quiet.returncode == 0 and len(quiet.stdout.strip().splitlines()) == 1
    assert quiet.stdout.startswith("conforms: 0 violations")
