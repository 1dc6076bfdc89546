"""The `benelux-graph` command.

Exit codes: 0 success, 1 a "no" (validate: the data does not conform; facts --check: data/facts.ttl is out of
date; diff: the releases differ), 2 an error (a file that cannot be read, a malformed query, a bad option, a port
already taken): the message says what and where.
"""

from __future__ import annotations

import contextlib
import sys
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer

from .errors import BeneluxGraphError
from .settings import Settings

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)


class ReportFormat(StrEnum):
    text = "text"
    json = "json"


class TableFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def show_version(value: bool) -> None:
    if value:
        from . import __version__

        typer.echo(f"benelux-graph {__version__}")
        raise typer.Exit(0)


@app.callback()
def main_options(
    version: bool = typer.Option(
        False, "--version", callback=show_version, is_eager=True, help="print the version and exit"
    ),
) -> None:
    """The knowledge graph of Benelux Union cooperation: validate, query, serve, dump, diff, publish."""


def fail(error: Exception) -> None:
    typer.echo(f"error: {error}", err=True)
    raise typer.Exit(2)


def load_store(settings: Settings, files: list[Path] | None = None):
    from .store import GraphStore

    try:
        return GraphStore.load(settings, files)
    except BeneluxGraphError as e:
        fail(e)


def open_store(settings: Settings):
    """The store a server serves: the embedded one, or the remote one when BENELUX_SERVE_FROM_STORE is set."""
    if not settings.serve_from_store:
        return load_store(settings)
    from .remote import served_store

    try:
        return served_store(settings)
    except BeneluxGraphError as e:
        fail(e)


@app.command()
def validate(
    files: list[Path] | None = typer.Argument(None, help="Turtle files to check (default: the project's data)"),
    format: ReportFormat = typer.Option(ReportFormat.text, "--format", help="report as text or JSON"),
    quiet: bool = typer.Option(
        False, "--quiet", "-q", help="print the results and the one-line summary only (as text already does)"
    ),
    force: bool = typer.Option(False, "--force", help="check again even if nothing changed since the last check"),
) -> None:
    """Check data against the SHACL shapes: exit 0 conforms, 1 does not, 2 error."""
    from . import validation_cache

    settings = Settings.from_env()
    kind = format.value + ("-quiet" if quiet else "")
    inputs_key = None
    if not files:  # the project's data: its last answer is kept, for as long as nothing it reads changes
        with contextlib.suppress(OSError):  # a file that cannot be read: the check itself says which
            inputs_key = validation_cache.key(settings)
        kept = validation_cache.read(settings, kind, inputs_key) if inputs_key and not force else None
        if kept is not None:
            typer.echo(kept[0])
            typer.echo("(the last check's answer: nothing it reads has changed since; --force checks again)", err=True)
            raise typer.Exit(kept[1])

    from .validation import validate_files

    try:
        report = validate_files(settings, files or None)
    except BeneluxGraphError as e:
        fail(e)
    # --quiet prints every result too: a warning fails the check (and `make serve`) as a violation does, so it
    # must be named, not only counted
    output = report.to_json() if format is ReportFormat.json else report.to_text()
    typer.echo(output)
    exit_code = 0 if report.conforms else 1
    if inputs_key:
        validation_cache.write(settings, kind, inputs_key, output, exit_code)
    raise typer.Exit(exit_code)


@app.command()
def stats(
    format: ReportFormat = typer.Option(ReportFormat.text, "--format"),
    unsourced: bool = typer.Option(False, "--unsourced", help="list the relationship facts without a source"),
) -> None:
    """Entities per class, relationships per kind, the share with provenance and with each language, the
    relationship facts with a source of their own, and the completeness report: the gaps the sources leave open
    (missing translations, themes, dates, parties), which are not SHACL results."""
    from .graph_stats import compute_stats

    store = load_store(Settings.from_env())
    result = compute_stats(store, list_unsourced=unsourced)
    typer.echo(result.to_json() if format is ReportFormat.json else result.to_text())


@app.command()
def facts(check: bool = typer.Option(False, "--check", help="only check that data/facts.ttl is up to date")) -> None:
    """Write data/facts.ttl, the per-fact citations, from the sentence ledgers of data/ledger/ (exit 1 with
    --check when it is out of date, 2 when a ledger is wrong: the message says which sentence or fact)."""
    from .ledger import is_current, write

    root = Settings.from_env().root
    try:
        if check:
            current = is_current(root)
            typer.echo(
                "data/facts.ttl is up to date"
                if current
                else "data/facts.ttl is out of date: run `benelux-graph facts`"
            )
            raise typer.Exit(0 if current else 1)
        typer.echo(f"wrote {write(root)}")
    except BeneluxGraphError as e:
        fail(e)


@app.command()
def query(
    text: str | None = typer.Argument(None, help="SPARQL text, a path to a .rq file, or the name of a saved query"),
    param: list[str] = typer.Option([], "--param", "-p", help="NAME=VALUE for a saved query's parameter"),
    format: TableFormat = typer.Option(TableFormat.table, "--format"),
    list_saved: bool = typer.Option(False, "--list", help="list the saved queries"),
    lang: str | None = typer.Option(
        None, "--lang", help="language of --list's titles: en, fr, nl or de (default: the locale's, LANG, else en)"
    ),
) -> None:
    """Run SPARQL over the graph and print a table, CSV or JSON."""
    from .cli_query import run_cli_query

    settings = Settings.from_env()
    try:
        output = run_cli_query(settings, text, param, format.value, list_saved, lang)
    except BeneluxGraphError as e:
        fail(e)
    typer.echo(output)


@app.command()
def serve(
    host: str | None = typer.Option(None, help="address to listen on (default 127.0.0.1)"),
    port: int | None = typer.Option(None, help="port to listen on (default 8000)"),
    workers: int | None = typer.Option(
        None,
        "--workers",
        min=1,
        help="server processes sharing the port, each with its own "
        "store, caches and BENELUX_WORKERS query workers (default: one per core, at most 2)",
    ),
    store: str | None = typer.Option(
        None,
        "--store",
        help="serve over this remote SPARQL store (a release published there with `publish --to`) "
        "instead of the embedded one; sets BENELUX_STORE_URL and BENELUX_SERVE_FROM_STORE",
    ),
) -> None:
    """Serve the SPARQL endpoint, pages and dumps over the embedded store (or a remote one: --store URL)."""
    import os

    from . import server

    overrides: dict[str, Any] = {
        k: v for k, v in {"host": host, "port": port, "store_url": store}.items() if v is not None
    }
    if store is not None:
        overrides["serve_from_store"] = True
    settings = Settings.from_env(**overrides)
    try:
        server.check(settings)  # a public URL or proxy list that cannot work stops here
        server.check_port(settings)  # so does a port another server holds, before the store loads
    except BeneluxGraphError as e:
        fail(e)
    # with several processes too: a file that cannot be read, or a store that cannot serve, stops here, once
    open_store(settings)  # (`store` is the --store URL: the opened store is not kept, each process opens its own)
    os.environ.update({"BENELUX_" + k.upper(): str(v) for k, v in overrides.items()})
    # Under uvicorn's supervisor even with one server process: this process holds the socket and starts a server
    # process again, on the same socket, when one dies (a crash, the kernel's OOM killer, a SIGKILL). A death is
    # seen at once; the health check's time is for a live process that does not answer (loading a large store
    # may hold the interpreter for seconds), and for a new one to start on SIGHUP.
    server.run(
        server.APP_FACTORY,
        settings,
        workers=workers or server.default_processes(),
        factory=True,
        log_level="info",
        access_log=False,
        timeout_worker_healthcheck=60,
    )


@app.command()
def publish(
    to: str | None = typer.Option(
        None, "--to", help="the store's SPARQL endpoint (Virtuoso: http://HOST:8890/sparql; default: BENELUX_STORE_URL)"
    ),
    user: str | None = typer.Option(None, help="user allowed to write (default: BENELUX_STORE_USER)"),
    password: str | None = typer.Option(None, help="its password (default: BENELUX_STORE_PASSWORD)"),
    graph_store: str | None = typer.Option(
        None, "--graph-store", help="Graph Store Protocol URL (found on its own for Virtuoso)"
    ),
    update_url: str | None = typer.Option(None, "--update-url", help="SPARQL Update URL (default: --to)"),
    method: str = typer.Option("auto", help="auto, graph-store or update"),
) -> None:
    """Load the release into a SPARQL 1.1 store, one named graph per file, replacing graphs of the same name."""
    from .publish import publish as publish_release

    settings = Settings.from_env()
    to = to or settings.store_url
    if not to:
        fail(ValueError("say where to publish: --to URL, or BENELUX_STORE_URL"))
    user = user if user is not None else settings.store_user or None
    password = password if password is not None else settings.store_password or None
    store = load_store(settings)
    from .validation import validate_files

    try:
        validation = validate_files(settings)
    except BeneluxGraphError as e:
        fail(e)
    if not validation.conforms:  # servers over the store would serve it as it is: refuse it here
        typer.echo(validation.to_text(), err=True)
        fail(
            ValueError(
                f"the release does not conform to the shapes ({len(validation.violations)} violations): not published"
            )
        )
    try:
        report = publish_release(store, to, user, password, graph_store, update_url=update_url, method=method)
    except (BeneluxGraphError, ValueError) as e:
        fail(e)
    typer.echo(report.to_text())


@app.command()
def dump(
    out: Path = typer.Option(..., "--out", help="folder to write the files into (created if missing)"),
    base_url: str = typer.Option(
        "https://w3id.org/benelux-graph/",
        "--base-url",
        help="where the files will be served: void.ttl links <base>downloads/<file>",
    ),
) -> None:
    """Write the release in every format (Turtle, N-Triples, TriG, N-Quads, JSON-LD, RDF/XML, each also .gz),
    with void.ttl, context.jsonld and SHA256SUMS: the same bytes for the same data. Exit 0, 2 on error."""
    from .dumps import Publication

    settings = Settings.from_env()
    store = load_store(settings)
    try:
        files = Publication(store, settings).write(out, base_url if base_url.endswith("/") else base_url + "/")
    except (BeneluxGraphError, OSError, ValueError) as e:
        fail(e)
    for f in files:
        count = f"{f.statements:>7} statements" if f.statements is not None else " " * 18
        typer.echo(f"{f.size:>10} bytes {count}  {f.sha256[:16]}  {out / f.name}")
    typer.echo(f"release {store.release}: {len(files)} files in {out}")


@app.command(name="diff")
def diff_command(
    old: Path = typer.Argument(..., help="the older release: a dump file, a folder of dumps, or a project folder"),
    new: Path = typer.Argument(..., help="the newer release, likewise"),
    format: ReportFormat = typer.Option(ReportFormat.text, "--format", help="Markdown text or JSON"),
) -> None:
    """List added and removed statements grouped by entity, with labels: exit 0 no change, 1 changes, 2 error."""
    from .diff import diff as release_diff

    try:
        result = release_diff(old, new)
    except (BeneluxGraphError, OSError, ValueError) as e:
        fail(e)
    typer.echo(result.to_json() if format is ReportFormat.json else result.to_text())
    raise typer.Exit(1 if result.changed else 0)


def main() -> None:  # pragma: no cover - console entry point
    sys.exit(app())
