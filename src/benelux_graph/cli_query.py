"""`benelux-graph query`: run SPARQL text, a .rq file or a saved query, and render a table, CSV or JSON."""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping
from pathlib import Path

import pyoxigraph as ox

from .errors import QueryError
from .namespaces import PREFIXES
from .query_jobs import Job, evaluate
from .saved_queries import LANGUAGES, get_query, load_queries
from .settings import Settings
from .store import GraphStore
from .syntax import plain_message

RESULT_FORMATS = {"csv": ox.QueryResultsFormat.CSV, "json": ox.QueryResultsFormat.JSON}
GRAPH_FORMATS = {"csv": ox.RdfFormat.N_TRIPLES, "json": ox.RdfFormat.JSON_LD, "table": ox.RdfFormat.TURTLE}


def run_sparql(store: GraphStore, text: str, substitutions=None):
    """Run a query on the store as the endpoint runs it (query_jobs.evaluate: its base IRI, `SELECT *` in order of
    appearance), turning the parser's complaint into a QueryError with line and column."""
    # the project's prefixes need no PREFIX line, as on the endpoint (a query's own PREFIX wins)
    job = Job(text, substitutions=substitutions, prefixes={p: str(ns) for p, ns in PREFIXES.items()})
    try:
        return evaluate(store, job)
    except SyntaxError as e:
        message = str(e.args[0] if e.args else e)
        at = re.search(r"error at (\d+):(\d+)", message)
        line, column = (int(at.group(1)), int(at.group(2))) if at else (None, None)
        raise QueryError(f"malformed query: {plain_message(message, text)}", line, column) from None
    except (RuntimeError, OSError, ValueError) as e:
        raise QueryError(f"the query could not be run: {e}") from None


def term_text(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.Literal):
        return term.value + (f"@{term.language}" if term.language else "")
    return term.value


def render_table(result) -> str:
    names = [v.value for v in result.variables]
    rows = [[term_text(s[n]) for n in names] for s in result]
    widths = [max([len(n)] + [len(r[i]) for r in rows]) for i, n in enumerate(names)]

    def line(cells):
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=False)).rstrip()

    out = [line(names), line(["-" * w for w in widths])] + [line(r) for r in rows]
    return "\n".join(out + [f"({len(rows)} row{'s' if len(rows) != 1 else ''})"])


def render(result, fmt: str) -> str:
    if isinstance(result, ox.QueryBoolean):
        return {"json": f'{{"head": {{}}, "boolean": {str(bool(result)).lower()}}}'}.get(fmt, str(bool(result)).lower())
    if isinstance(result, ox.QuerySolutions):
        if fmt == "table":
            return render_table(result)
        return (result.serialize(format=RESULT_FORMATS[fmt]) or b"").decode("utf-8").rstrip("\n")
    return (ox.serialize(list(result), format=GRAPH_FORMATS[fmt]) or b"").decode("utf-8").rstrip("\n")


#: What a saved query's name or a file name looks like (SPARQL text has spaces, braces or a `?`).
NAME_LIKE = re.compile(r"^[\w./-]+$")


def no_such(text: str, saved: dict) -> str:
    close = difflib.get_close_matches(Path(text).stem if text.endswith(".rq") else text, list(saved), n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(close)}?" if close else ""
    return f"no such saved query or file: '{text}'{hint} (`benelux-graph query --list` lists the saved queries)"


def list_language(asked: str | None, environ: Mapping[str, str] = os.environ) -> str:
    """The language of `--list`'s titles: `--lang`, else the locale's (LC_ALL, LC_MESSAGES, LANG: `fr_BE.UTF-8` is
    French), as the site takes `?lang=` else Accept-Language; English when it is none of the four."""
    if asked is not None:
        if asked.strip().lower() not in LANGUAGES:
            raise QueryError(f"--lang takes one of {', '.join(LANGUAGES)}, not '{asked}'")
        return asked.strip().lower()
    locale = next((environ[name] for name in ("LC_ALL", "LC_MESSAGES", "LANG") if environ.get(name)), "")
    lang = re.split(r"[_.@-]", locale.lower(), maxsplit=1)[0]
    return lang if lang in LANGUAGES else "en"


def run_cli_query(
    settings: Settings, text: str | None, params: list[str], fmt: str, list_saved: bool, lang: str | None = None
) -> str:
    saved = load_queries(settings.queries_dir)
    if list_saved:
        language = list_language(lang)
        return "\n".join(f"{q.name:40s} {q.title_in(language)}" for q in saved.values())
    if not text:
        raise QueryError("give SPARQL text, a .rq file or the name of a saved query (see --list)")
    given = {}
    for p in params:
        name, sep, value = p.partition("=")
        if not sep:
            raise QueryError(f"--param takes NAME=VALUE, not '{p}'")
        given[name] = value
    substitutions = None
    if text in saved:
        named = get_query(saved, text)
        text, substitutions = named.text, named.bindings(given)
    elif Path(text).suffix == ".rq" or NAME_LIKE.match(text):  # a file or a saved query's name, not SPARQL
        if not Path(text).is_file():
            raise QueryError(no_such(text, saved) + ("; --param applies to saved queries only" if params else ""))
        text = Path(text).read_text(encoding="utf-8")
    elif params:
        raise QueryError("--param applies to saved queries only")
    store = GraphStore.load(settings)
    return render(run_sparql(store, text, substitutions), fmt)
