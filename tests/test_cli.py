"""The `benelux-graph` command as a user runs it: a real subprocess, real files."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys

import pytest


def run(*args: str, root=None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if root is not None:
        env["BENELUX_ROOT"] = str(root)
    return subprocess.run(
        [sys.executable, "-m", "benelux_graph", *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_stats_counts_entities_provenance_and_languages():
    out = run("stats")
    assert out.returncode == 0, out.stderr
    assert "entities per class:" in out.stdout and "bx:Country" in out.stdout
    assert "entities with provenance: 100.0%" in out.stdout
    data = json.loads(run("stats", "--format", "json").stdout)
    assert data["entities_per_class"]["bx:Country"] >= 6
    assert set(data["with_label"]) == {"en", "fr", "nl", "de"} and data["with_label"]["en"] == 1.0


def test_query_runs_a_saved_query_with_a_parameter_as_csv():
    out = run("query", "secretariat-provider", "--param", "forum=bxr:pentalateral-energy-forum", "--format", "csv")
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert [r["provider"] for r in rows] == ["https://w3id.org/benelux-graph/id/benelux-union"]


def test_query_runs_sparql_text_as_json_and_as_a_table():
    text = "PREFIX bx: <https://w3id.org/benelux-graph/ontology#> SELECT ?c WHERE { ?c a bx:Country } ORDER BY ?c"
    data = json.loads(run("query", text, "--format", "json").stdout)
    countries = [b["c"]["value"].rsplit("/", 1)[-1] for b in data["results"]["bindings"]]
    assert {"belgium", "netherlands", "luxembourg"} <= set(countries)
    table = run("query", text).stdout
    assert "belgium" in table and "rows)" in table


def test_query_select_star_names_its_columns_in_order_of_appearance_as_the_endpoint_does():
    # SPARQL 1.1 18.2.1: `*` is the in-scope variables; the endpoint (and Jena, Virtuoso) give them as they first
    # appear, Oxigraph alphabetically
    text = "SELECT * WHERE { ?s ?p ?o } LIMIT 1"
    assert run("query", text, "--format", "csv").stdout.splitlines()[0] == "s,p,o"
    assert json.loads(run("query", text, "--format", "json").stdout)["head"]["vars"] == ["s", "p", "o"]
    assert run("query", text).stdout.split()[:3] == ["s", "p", "o"]


def test_query_resolves_relative_iris_against_the_base_the_endpoint_uses():
    out = run("query", "ASK { <id/benelux-union> ?p ?o }")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "true"


def test_query_runs_a_file(tmp_path):
    path = tmp_path / "ask.rq"
    path.write_text("ASK { <https://w3id.org/benelux-graph/id/benelux-union> ?p ?o }")
    assert run("query", str(path)).stdout.strip() == "true"


@pytest.mark.parametrize(
    "args, expected",
    [
        (("query", "SELECT ?s WHERE { ?s ?p }"), "line 1, column"),
        (("query", "no-such-query-name", "--param", "x=1"), "saved queries only"),
        (("query", "secretariat-provider", "--param", "forum=not an iri"), "must be an IRI"),
        (("query", "secretariat-provider", "--param", "nope=1"), "has no parameter nope"),
    ],
)
def test_bad_queries_exit_2_with_a_message_and_no_traceback(args, expected):
    out = run(*args)
    assert out.returncode == 2
    assert expected in out.stderr and "Traceback" not in out.stderr + out.stdout


def test_a_broken_data_file_is_reported_with_file_line_and_column(tmp_path, settings):
    root = tmp_path / "project"
    shutil.copytree(settings.ontology_dir, root / "ontology")
    shutil.copytree(settings.data_dir, root / "data")
    shutil.copytree(settings.queries_dir, root / "queries")
    (root / "data" / "broken.ttl").write_text('@prefix ex: <http://ex/> .\nex:a ex:b "unterminated .\n')
    out = run("stats", root=root)
    assert out.returncode == 2
    assert "broken.ttl:2:" in out.stderr and "Traceback" not in out.stderr


def test_serve_on_a_port_already_taken_says_which_and_what_to_do(settings):
    """A newcomer's `make serve` while something else listens on 8000: exit 2 at once with the address and the
    setting to change, not uvicorn's bare "[Errno 98] Address already in use" (exit 3) after the store loaded."""
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        out = run("serve", "--port", str(port), "--workers", "1")
    assert out.returncode == 2, out.stderr
    assert f"127.0.0.1:{port}" in out.stderr and "BENELUX_PORT" in out.stderr and "--port" in out.stderr
    assert "Traceback" not in out.stderr


def test_query_list_speaks_the_language_asked_for_or_the_locales():
    """`query --list` gave English titles only; it takes `--lang`, else the locale (LANG), as the site takes
    `?lang=` else Accept-Language."""
    english = run("query", "--list")
    assert english.returncode == 0 and "Who holds a presidency in a given year" in english.stdout
    french = run("query", "--list", "--lang", "fr")
    assert french.returncode == 0, french.stderr
    assert "Qui exerce une présidence au cours d'une année donnée" in french.stdout
    assert "Who holds a presidency" not in french.stdout
    env = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES")}
    german = subprocess.run(
        [sys.executable, "-m", "benelux_graph", "query", "--list"],
        capture_output=True,
        text=True,
        env={**env, "LANG": "de_DE.UTF-8"},
        timeout=120,
    )
    assert "Wer in einem bestimmten Jahr einen Vorsitz innehat" in german.stdout, german.stderr
    refused = run("query", "--list", "--lang", "es")
    assert refused.returncode != 0 and "--lang takes one of en, fr, nl, de" in refused.stderr + refused.stdout
