"""Which SPARQL engine answers the endpoint: rdflib's own, or Oxigraph (pyoxigraph)?

    python bench/engines.py [--runs 5] [--scale 20] [--project-only]

Runs every saved query of queries/ (parameters at their defaults, bound the way each engine binds them: rdflib's
initBindings, Oxigraph's substitutions) over the project's default graph (ontology + data), and again over a
larger graph made by copying the data graphs `--scale` times under fresh IRIs (copy 0 keeps the original IRIs,
so the parameters' defaults still name something). For each query: the median wall time of `--runs` runs,
answers materialised; the ratio rdflib / Oxigraph; and whether the answers are the same, compared as sets of
rows of normalised terms (blank nodes as one placeholder; "same*" when equal only once GROUP_CONCAT's
undefined order is ignored; "same**" when equal only once, in addition, the language tag of a GROUP_CONCAT
result and the value of an empty GROUP_CONCAT (unbound or "") are ignored, where the two engines read SPARQL
1.1 differently). Prints one table per graph and a summary line; exits 1 if answers really differ.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib.term import BNode, Literal, URIRef, Variable

from benelux_graph.store import bind_variables

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from benelux_graph.namespaces import BXR, PREFIXES
from benelux_graph.saved_queries import load_queries
from benelux_graph.settings import Settings
from benelux_graph.store import GraphStore

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


# --- terms, normalised alike for both engines ---------------------------------------------------------------


def norm_ox(term):
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return ("uri", term.value)
    if isinstance(term, ox.BlankNode):
        return ("bnode",)
    return ("literal", term.value, term.language or term.datatype.value)


def norm_rdflib(term):
    if term is None:
        return None
    if isinstance(term, URIRef):
        return ("uri", str(term))
    if isinstance(term, BNode):
        return ("bnode",)
    return ("literal", str(term), term.language or (str(term.datatype) if term.datatype else XSD_STRING))


def to_rdflib(term):
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    return Literal(term.value, datatype=None if term.datatype.value == XSD_STRING else URIRef(term.datatype.value))


def order_free(rows: set) -> set:
    """Literals with their characters sorted: GROUP_CONCAT joins its values in no defined order."""
    return {
        tuple(t if t is None or t[0] != "literal" else ("literal", "".join(sorted(t[1])), t[2]) for t in row)
        for row in rows
    }


def loose(rows: set) -> set:
    """As order_free, also ignoring a literal's language or datatype and taking "" as unbound: where SPARQL 1.1
    engines differ on GROUP_CONCAT (the language tag of its result, the value of an empty group)."""
    return {
        tuple(
            None
            if t is None or t == ("literal", "", XSD_STRING)
            else t
            if t[0] != "literal"
            else ("literal", "".join(sorted(t[1])))
            for t in row
        )
        for row in rows
    }


def verdict(ox_rows: set, rdflib_rows: set) -> str:
    if ox_rows == rdflib_rows:
        return "yes"
    if order_free(ox_rows) == order_free(rdflib_rows):
        return "same*"
    if loose(ox_rows) == loose(rdflib_rows):
        return "same**"
    return f"NO ({len(rdflib_rows)} vs {len(ox_rows)} rows)"


# --- running ------------------------------------------------------------------------------------------------


def run_oxigraph(store: ox.Store, graphs: list[ox.NamedNode], text: str, substitutions: dict) -> set:
    text = bind_variables(text, substitutions) if substitutions else text
    solutions = store.query(text, default_graph=graphs)
    names = [v.value for v in solutions.variables]
    return {tuple(norm_ox(s[n]) for n in names) for s in solutions}


def run_rdflib(graph: rdflib.Graph, text: str, bindings: dict) -> set:
    result = graph.query(text, initBindings=bindings)
    names = [str(v) for v in result.vars]
    return {tuple(norm_rdflib(row[n]) if n in row.labels else None for n in names) for row in result}


def times(ratio: float) -> str:
    return f"{ratio:.1f}x" if ratio < 10 else f"{ratio:.0f}x"


def timed(function, runs: int):
    times, answer = [], None
    for _ in range(runs):
        start = time.perf_counter()
        answer = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), answer


# --- the graphs ---------------------------------------------------------------------------------------------


def scaled_quads(gs: GraphStore, scale: int) -> list[ox.Quad]:
    """The ontology once, and the data graphs `scale` times, IRIs under bxr: renamed in copies 1..scale-1."""
    base, quads = str(BXR), []
    ontology = set(gs.graphs("ontology"))
    for q in gs.store:
        if q.graph_name.value in ontology:
            quads.append(q)
    data = [q for q in gs.store if q.graph_name.value in set(gs.graphs("data"))]
    for copy in range(scale):

        def rename(term, copy=copy):
            if copy and isinstance(term, ox.NamedNode) and term.value.startswith(base):
                return ox.NamedNode(f"{term.value}--{copy}")
            return term

        quads += [ox.Quad(rename(q.subject), q.predicate, rename(q.object), q.graph_name) for q in data]
    return quads


def engines_for(quads: list[ox.Quad], graphs: list[str]) -> tuple[ox.Store, rdflib.Graph, float, float]:
    start = time.perf_counter()
    store = ox.Store()
    store.extend(quads)
    ox_load = time.perf_counter() - start
    nt = ox.serialize([q.triple for q in quads if q.graph_name.value in set(graphs)], format=ox.RdfFormat.N_TRIPLES)
    start = time.perf_counter()
    graph = rdflib.Graph()
    graph.parse(data=nt, format="nt")
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True)
    rdflib_load = time.perf_counter() - start
    return store, graph, ox_load, rdflib_load


def compare(title: str, quads, graphs: list[str], queries, runs: int) -> list[tuple]:
    store, graph, ox_load, rdflib_load = engines_for(quads, graphs)
    default = [ox.NamedNode(g) for g in graphs]
    print(
        f"\n## {title}: {len(graph)} triples in the default graph "
        f"(load: Oxigraph {ox_load:.2f} s, rdflib {rdflib_load:.2f} s)\n"
    )
    print("| query | rows | rdflib ms | Oxigraph ms | rdflib / Oxigraph | same answers |")
    print("| --- | ---: | ---: | ---: | ---: | --- |")
    lines = []
    for name, q in queries.items():
        try:
            substitutions = q.bindings({})
        except Exception as e:  # noqa: BLE001 - a parameter without a default
            print(f"| {name} | - | - | - | - | skipped: {e} |")
            continue
        bindings = {Variable(v.value): to_rdflib(t) for v, t in substitutions.items()}
        ox_time, ox_rows = timed(lambda q=q, s=substitutions: run_oxigraph(store, default, q.text, s), runs)
        try:
            rdflib_time, rdflib_rows = timed(lambda q=q, b=bindings: run_rdflib(graph, q.text, b), runs)
        except Exception as e:  # noqa: BLE001 - rdflib cannot run it
            print(f"| {name} | {len(ox_rows)} | error | {ox_time * 1000:.1f} | - | rdflib failed: {e} |")
            lines.append((name, None, ox_time, False))
            continue
        same = verdict(ox_rows, rdflib_rows)
        ratio = rdflib_time / ox_time if ox_time else float("inf")
        print(
            f"| {name} | {len(ox_rows)} | {rdflib_time * 1000:.1f} | {ox_time * 1000:.2f} | {times(ratio)} | {same} |"
        )
        lines.append((name, rdflib_time, ox_time, same.startswith("NO")))
        sys.stdout.flush()
    timed_lines = [line for line in lines if line[1] is not None]
    if timed_lines:
        ratios = [r / o for _, r, o, _ in timed_lines if o]
        total_r, total_o = sum(r for _, r, _, _ in timed_lines), sum(o for _, _, o, _ in timed_lines)
        faster = sum(1 for r in ratios if r > 1)
        print(
            f"\n{title}: {len(timed_lines)} queries; Oxigraph faster on {faster}; median ratio "
            f"{times(statistics.median(ratios))} (min {times(min(ratios))}, max {times(max(ratios))}); whole mix "
            f"rdflib {total_r:.2f} s, Oxigraph {total_o:.2f} s ({times(total_r / total_o)}); answers differ on "
            f"{sum(1 for *_, d in lines if d)}; rdflib failed on {len(lines) - len(timed_lines)}"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="runs per query and engine (median reported)")
    parser.add_argument("--scale", type=int, default=20, help="copies of the data in the larger graph")
    parser.add_argument("--project-only", action="store_true", help="skip the larger graph")
    args = parser.parse_args(argv)
    settings = Settings.from_env(root=ROOT)
    gs = GraphStore.load(settings)
    queries = load_queries(settings.queries_dir)
    print(
        f"# rdflib {rdflib.__version__} vs pyoxigraph {ox.__version__}: {len(queries)} saved queries, "
        f"median of {args.runs} runs"
    )
    differ = compare("Project data", list(gs.store), gs.default_graphs, queries, args.runs)
    if not args.project_only and args.scale > 1:
        differ += compare(
            f"Project data x{args.scale}",
            scaled_quads(gs, args.scale),
            gs.default_graphs,
            queries,
            max(1, args.runs // 2),
        )
    return 1 if any(d for *_, d in differ) else 0


if __name__ == "__main__":
    sys.exit(main())
