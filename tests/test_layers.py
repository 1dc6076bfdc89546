"""The package is built in floors, and the import graph keeps to them.

A module may import modules of its own floor or of a lower one, never of a higher one, and the imports make no
circle. Both module-level and function-level imports count (a late import is still a dependency). FLOORS maps
every module of `src/benelux_graph` to its floor; a new module must be given one.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "benelux_graph"

#: Lowest first. Foundations import no web framework; the store holds the triples; services do the work;
#: interfaces (the command line and the HTTP API) present it.
FOUNDATIONS, STORE, SERVICES, INTERFACES = 0, 1, 2, 3
FLOOR_NAMES = ("foundations", "store", "services", "interfaces")

FLOORS: dict[str, int] = {
    # foundations: errors, settings, namespaces, formats, SPARQL text, saved query files, result writers
    "benelux_graph": FOUNDATIONS,
    "benelux_graph.errors": FOUNDATIONS,
    "benelux_graph.settings": FOUNDATIONS,
    "benelux_graph.namespaces": FOUNDATIONS,
    "benelux_graph.formats": FOUNDATIONS,
    "benelux_graph.sparql_text": FOUNDATIONS,
    "benelux_graph.syntax": FOUNDATIONS,
    "benelux_graph.saved_queries": FOUNDATIONS,
    "benelux_graph.results": FOUNDATIONS,
    "benelux_graph.result_writers": FOUNDATIONS,
    "benelux_graph.rdf_writers": FOUNDATIONS,
    "benelux_graph.reasoning": FOUNDATIONS,
    # store: the embedded one and the remote one
    "benelux_graph.store": STORE,
    "benelux_graph.remote": STORE,
    "benelux_graph.query_rewriting": STORE,
    # services
    "benelux_graph.engine": SERVICES,
    "benelux_graph.query_jobs": SERVICES,
    "benelux_graph.query_workers": SERVICES,
    "benelux_graph.priority": FOUNDATIONS,
    "benelux_graph.fastlane": SERVICES,
    "benelux_graph.remote_engine": SERVICES,
    "benelux_graph.validation": SERVICES,
    "benelux_graph.validation_cache": SERVICES,
    "benelux_graph.graph_stats": SERVICES,
    "benelux_graph.graph_index": SERVICES,
    "benelux_graph.descriptions": SERVICES,
    "benelux_graph.page_model": SERVICES,
    "benelux_graph.search": SERVICES,
    "benelux_graph.vocabulary_docs": SERVICES,
    "benelux_graph.citations": SERVICES,
    "benelux_graph.compare": SERVICES,
    "benelux_graph.ledger": SERVICES,
    "benelux_graph.source_reader": SERVICES,
    "benelux_graph.network": SERVICES,
    "benelux_graph.layout": SERVICES,
    "benelux_graph.network_selection": SERVICES,
    "benelux_graph.analytics": SERVICES,
    "benelux_graph.dumps": SERVICES,
    "benelux_graph.linked_data": SERVICES,
    "benelux_graph.protocols": SERVICES,
    "benelux_graph.diff": SERVICES,
    "benelux_graph.publish": SERVICES,
    "benelux_graph.release_reload": SERVICES,
    # interfaces: the command line, the server, the HTTP API
    "benelux_graph.__main__": INTERFACES,
    "benelux_graph.cli": INTERFACES,
    "benelux_graph.cli_query": INTERFACES,
    "benelux_graph.server": INTERFACES,
    "benelux_graph.api": INTERFACES,
}


def module_name(path: Path, package: Path = PACKAGE) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def floor_of(module: str) -> int:
    """A module's floor: its own entry, or its package's (every module of `api` is an interface)."""
    name = module
    while name not in FLOORS and "." in name:
        name = name.rpartition(".")[0]
    if name not in FLOORS or (name == "benelux_graph" and module != name):
        raise KeyError(module)
    return FLOORS[name]


def imported(module: str, path: Path, modules: set[str]) -> set[str]:
    """The package's modules that `module` imports anywhere in its file (at the top or inside a function)."""
    is_package = path.name == "__init__.py"
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            # `from . import x` imports the module x when there is one, else a name of the package
            names = [f"{target}.{a.name}" if f"{target}.{a.name}" in modules else target for a in node.names]
        else:
            continue
        for name in names:
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name and name != module:
                out.add(name)
    return out


def import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    paths = {module_name(p, package): p for p in sorted(package.rglob("*.py"))}
    modules = set(paths)
    return {m: imported(m, p, modules) for m, p in paths.items()}


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    return [
        f"{m} ({FLOOR_NAMES[floor_of(m)]}) imports {t} ({FLOOR_NAMES[floor_of(t)]})"
        for m, targets in sorted(graph.items())
        for t in sorted(targets)
        if floor_of(t) > floor_of(m)
    ]


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan), as a sorted list of names."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(m: str) -> None:
        index[m] = low[m] = len(index)
        stack.append(m)
        on_stack.add(m)
        for t in graph.get(m, ()):
            if t not in index:
                visit(t)
                low[m] = min(low[m], low[t])
            elif t in on_stack:
                low[m] = min(low[m], index[t])
        if low[m] == index[m]:
            group = []
            while True:
                t = stack.pop()
                on_stack.discard(t)
                group.append(t)
                if t == m:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for m in sorted(graph):
        if m not in index:
            visit(m)
    return found


def test_every_module_has_a_floor():
    unplaced = []
    for m in import_graph():
        try:
            floor_of(m)
        except KeyError:
            unplaced.append(m)
    assert unplaced == [], "give these modules a floor in FLOORS: " + ", ".join(unplaced)


def test_no_module_imports_from_a_higher_floor():
    assert upward_imports(import_graph()) == []


def test_no_import_circles():
    assert circles(import_graph()) == []


def test_foundations_and_store_import_no_web_framework():
    framework = ("fastapi", "starlette", "uvicorn")
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        m = module_name(path)
        if floor_of(m) > STORE:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            offenders += [f"{m} imports {n}" for n in names if n.split(".")[0] in framework]
    assert offenders == []


# The checks themselves, on a small package written for them: each catches what it is for.


@pytest.fixture
def planted(tmp_path):
    package = tmp_path / "benelux_graph"
    (package / "api").mkdir(parents=True)
    for name in ("__init__.py", "errors.py", "engine.py", "api/__init__.py", "api/app.py"):
        (package / name).write_text("")
    return package


def test_an_upward_import_inside_a_function_is_caught(planted):
    (planted / "errors.py").write_text("def f():\n    from .api.app import x\n")
    assert upward_imports(import_graph(planted)) == [
        "benelux_graph.errors (foundations) imports benelux_graph.api.app (interfaces)"
    ]


def test_an_upward_absolute_import_is_caught(planted):
    (planted / "engine.py").write_text("import benelux_graph.api.app\n")
    assert upward_imports(import_graph(planted)) == [
        "benelux_graph.engine (services) imports benelux_graph.api.app (interfaces)"
    ]


def test_a_circle_is_caught(planted):
    (planted / "api" / "__init__.py").write_text("from . import app\n")
    (planted / "api" / "app.py").write_text("from .. import engine\nfrom benelux_graph.api import x\n")
    (planted / "engine.py").write_text("from . import errors\n")
    assert upward_imports(import_graph(planted)) == []
    assert circles(import_graph(planted)) == [["benelux_graph.api", "benelux_graph.api.app"]]
