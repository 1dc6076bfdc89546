"""Docs that cannot drift: every setting is documented in the README, and its examples run."""

import os
import re
import shlex
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from benelux_graph.settings import documented_settings
from support.live_server import children, serving

LOCAL = "http://127.0.0.1:8000"


def test_every_setting_is_in_the_readme(settings):
    readme = (settings.root / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- settings:start -->")[1].split("<!-- settings:end -->")[0]
    for variable, help_text in documented_settings().items():
        assert f"| `{variable}` | {help_text} |" in block, f"{variable} is not documented in README.md"


def test_the_readme_opens_with_the_two_commands(settings):
    head = (settings.root / "README.md").read_text(encoding="utf-8").splitlines()[:5]
    assert any(line.startswith("make serve") for line in head)
    assert any(line.startswith("make test") for line in head)


def readme_curls(root: Path) -> list[str]:
    """The `curl` lines of the README's code (fenced blocks and indented ones) that ask the local server."""
    lines, fenced = [], False
    for line in (root / "README.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif (fenced or line.startswith("    ")) and line.strip().startswith("curl ") and LOCAL in line:
            lines.append(line.strip())
    return lines


def first_screen_paths(root: Path) -> list[str]:
    """The paths the README's first screen tells a newcomer to open (its table before "What is here")."""
    head = (root / "README.md").read_text(encoding="utf-8").split("## What is here")[0]
    paths = re.findall(r"^\| `(/[^`]*)` \|", head, flags=re.MULTILINE)
    assert {"/", "/sparql", "/benelux-plus", "/downloads", "/ontology", "/docs"} <= set(paths), paths
    return paths


def descendants(pid: int) -> list[int]:
    found = []
    for child in children(pid):
        found += [child, *descendants(child)]
    return found


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except (OSError, IndexError):
        return False


@pytest.mark.server
def test_serve_says_where_answers_every_readme_example_and_stops_on_ctrl_c(settings, tmp_path):
    """What a newcomer does after `make serve`: read where it serves, try the README's examples, press Ctrl-C."""
    examples = readme_curls(settings.root)
    assert len(examples) >= 6, examples
    (tmp_path / "my-query.rq").write_text("SELECT ?country { ?country a bx:Country }\n", encoding="utf-8")
    with serving(tmp_path, processes=None) as url:  # as `make serve` runs it: serve's default processes
        deadline = time.monotonic() + 60
        while "serving release" not in url.log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        where = next(line for line in url.log.read_text().splitlines() if "serving release" in line)
        assert f" at {url}/ " in where, where
        for path in ("/sparql", "/docs", "/benelux-plus", "/downloads"):
            assert f" {path}" in where, where
        for path in first_screen_paths(settings.root):  # the README's "open:" table, each a page
            page = httpx.get(url + path, headers={"Accept": "text/html"}, timeout=60)
            assert page.status_code == 200 and page.headers["content-type"].startswith("text/html"), path
        for example in examples:
            command = [arg.replace(LOCAL, url) for arg in shlex.split(example, comments=True)]
            done = subprocess.run(
                [*command, "--fail", "-sS", "-w", "\n%{http_code}"],
                cwd=tmp_path,
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            assert done.returncode == 0 and done.stdout.endswith("\n200"), (example, done.stdout[-300:], done.stderr)
        assert (tmp_path / "benelux-plus.gexf").read_text().startswith("<?xml")  # curl -OJ names the file
        tree = descendants(url.process.pid)
        assert len(tree) >= 2, tree  # its server processes (and the query workers they started)
        url.process.send_signal(signal.SIGINT)  # Ctrl-C
        assert url.process.wait(30) == 0, url.tail()
        deadline = time.monotonic() + 10
        while [pid for pid in tree if alive(pid)] and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [pid for pid in tree if alive(pid)], "orphans left after Ctrl-C"


DOCS = ("README.md", "SECURITY.md", "ontology/README.md", "data/ledger/README.md", "queries/README.md")


def test_every_command_the_docs_name_exists_with_the_options_they_give(settings):
    """The README's command table lists exactly the CLI's commands, and every `benelux-graph CMD --opt` written in
    the docs names a command and options it has (an option renamed in the code and not in the docs fails here)."""
    from typer.main import get_command
    from typer.testing import CliRunner

    from benelux_graph.cli import app

    commands = get_command(app).commands  # type: ignore[attr-defined]
    readme = (settings.root / "README.md").read_text(encoding="utf-8")
    table = set(re.findall(r"^\| `benelux-graph ([a-z]+)", readme, flags=re.MULTILINE))
    assert table == set(commands), f"README's command table: {sorted(table)}, the CLI's: {sorted(commands)}"
    for name in commands:
        done = CliRunner().invoke(app, [name, "--help"])
        assert done.exit_code == 0, (name, done.output)
    for doc in DOCS:
        text = (settings.root / doc).read_text(encoding="utf-8")
        for name, rest in re.findall(r"benelux-graph ([a-z]+)((?: [^`|\n]*)?)", text):
            if name == "serves":  # prose: "benelux-graph serves a curated knowledge graph"
                continue
            assert name in commands, f"{doc}: benelux-graph {name}{rest}"
            options = {o for p in commands[name].params for o in p.opts}
            for option in re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", rest.split("#")[0]):
                assert option in options, f"{doc}: benelux-graph {name}{rest}: no option {option}"


def test_every_turtle_example_of_the_docs_is_in_the_graph(settings, store):
    """The modelling patterns are shown on real entities: each statement of a ```turtle block (those without a
    blank node or a `…` standing for what is left out) must be in the graph, so an example cannot drift from
    the data it shows."""
    from rdflib import BNode, Graph

    from benelux_graph.namespaces import PREFIXES

    prologue = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items())
    checked = 0
    for doc in DOCS:
        text = (settings.root / doc).read_text(encoding="utf-8")
        for block in re.findall(r"```turtle\n(.*?)```", text, flags=re.DOTALL):
            example = Graph().parse(data=prologue + block, format="turtle")
            for triple in example:
                if any(isinstance(term, BNode) or "…" in term for term in triple):
                    continue
                statement = " ".join(term.n3() for term in triple)
                assert bool(store.query(f"ASK {{ {statement} }}")), f"{doc}: not in the graph: {statement}"
                checked += 1
    assert checked >= 30, checked


def test_every_default_the_readme_gives_is_the_settings_default(settings):
    """The README's tables of limits give defaults (`| BENELUX_X | 10 |`): each must be what Settings() holds."""
    from dataclasses import fields

    from benelux_graph.settings import Settings

    defaults = {"BENELUX_" + f.name.upper(): getattr(Settings(), f.name) for f in fields(Settings)}
    readme = (settings.root / "README.md").read_text(encoding="utf-8")
    readme = re.sub(r"<!-- settings:start -->.*<!-- settings:end -->", "", readme, flags=re.DOTALL)
    given = re.findall(r"`(BENELUX_[A-Z_]+)` \| (\(none\)|[\d,.]+(?: s)?) \|", readme)
    assert len(given) >= 12, given
    for variable, text in given:
        expected = defaults[variable]
        value = text.removesuffix(" s").replace(",", "")
        assert (not expected) if value == "(none)" else float(value) == expected, f"README: {variable} {text}"


def test_the_cost_the_ontology_readme_gives_for_a_cited_fact_is_the_graphs(settings, store):
    """ontology/README.md weighs statement nodes by their size: "about N triples per cited fact" (the fact, its
    citations and their selectors). It said 14 while the graph held 17.4."""
    text = (settings.root / "ontology" / "README.md").read_text(encoding="utf-8")
    said = int(re.search(r"about (\d+) triples per cited fact", text).group(1))
    facts = store.query("SELECT (COUNT(DISTINCT ?f) AS ?n) { ?f a <https://w3id.org/benelux-graph/ontology#Fact> }")
    count = "SELECT (COUNT(*) AS ?n) {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), '{}')) }}"
    triples = store.query(count.format("https://w3id.org/benelux-graph/id/fact/"))
    per_fact = int(next(iter(triples))["n"].value) / int(next(iter(facts))["n"].value)
    assert abs(per_fact - said) <= 1, (
        f"ontology/README.md says about {said} triples per cited fact, the graph {per_fact:.1f}"
    )


def test_the_queries_readme_gives_each_querys_parameters_and_defaults(settings):
    """queries/README.md's table names each saved query's parameters with their defaults (`year` (`2027`)):
    a parameter added, renamed or given another default in the query's header must be changed there too."""
    from benelux_graph.saved_queries import load_queries

    queries = load_queries(settings.queries_dir)
    readme = (settings.queries_dir / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| \[`([a-z0-9-]+)`\]\([a-z0-9-]+\.rq\) \| .*? \| (.*) \|$", readme, flags=re.MULTILINE)
    assert len(rows) == len(queries), sorted(set(queries) - {name for name, _ in rows})
    for name, cell in rows:
        given = sorted(re.findall(r"`([a-z]+)` \(`([^`]+)`", cell))
        assert given == sorted((p.name, str(p.default)) for p in queries[name].params), f"queries/README.md: {name}"


def test_a_second_make_serve_does_not_set_up_again(settings):
    """Once set up, `make serve` only checks (from its kept answer) and serves: no pip, no npm (a target made
    phony, or a stamp no longer written, would reinstall everything on each start)."""
    if (
        not (settings.root / ".venv" / ".installed").exists()
        or not (settings.root / "node_modules" / ".installed").exists()
    ):
        pytest.skip("not set up by make (a venv of one's own)")
    # as a newcomer runs it, not as a sub-make of `make test` (which would print its Entering/Leaving lines)
    outside_make = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    done = subprocess.run(
        ["make", "-n", "serve"], cwd=settings.root, capture_output=True, text=True, timeout=60, env=outside_make
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:-1] == ["benelux-graph validate --quiet", "benelux-graph serve"], done.stdout


def test_every_make_target_the_docs_name_exists(settings):
    targets = set(re.findall(r"^([a-z-]+):", (settings.root / "Makefile").read_text(encoding="utf-8"), re.MULTILINE))
    for doc in DOCS:
        text = (settings.root / doc).read_text(encoding="utf-8")
        for target in re.findall(r"(?:`|^)make ([a-z-]+)", text, flags=re.MULTILINE):
            assert target in targets, f"{doc}: make {target} is no target of the Makefile"
