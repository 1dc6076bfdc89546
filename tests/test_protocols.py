"""The declared seams (protocols.py): the embedded and the remote store implement `Store`, the query worker pool
and the remote engine implement `Engine`, every member with the same parameters."""

from __future__ import annotations

import inspect

import pytest

from benelux_graph.engine import QueryEngine
from benelux_graph.protocols import Engine, Store
from benelux_graph.remote import RemoteStore
from benelux_graph.remote_engine import RemoteEngine


def members(protocol: type) -> dict[str, object]:
    names = {n: v for n, v in vars(protocol).items() if not n.startswith("_") or n == "__len__"}
    names.update({n: None for n in vars(protocol).get("__annotations__", {})})
    return names


def parameters(function) -> list[str]:
    return [
        p.name
        for p in inspect.signature(function).parameters.values()
        if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
    ]


def takes(function, names: list[str]) -> bool:
    """Whether `function` takes these parameters first (by name), or the first of them and **kwargs for the rest."""
    own = parameters(function)
    rest = any(p.kind == p.VAR_KEYWORD for p in inspect.signature(function).parameters.values())
    return own[: len(names)] == names or (rest and names[: len(own)] == own)


def missing_or_different(instance: object, protocol: type) -> list[str]:
    wrong = []
    for name, declared in members(protocol).items():
        try:
            found = inspect.getattr_static(instance, name)
        except AttributeError:
            wrong.append(f"{name}: missing")
            continue
        if inspect.isfunction(declared):
            if not inspect.isfunction(found):
                wrong.append(f"{name}: not a method")
            elif not takes(found, parameters(declared)):
                wrong.append(f"{name}{inspect.signature(found)}: the protocol has {inspect.signature(declared)}")
            elif inspect.iscoroutinefunction(found) != inspect.iscoroutinefunction(declared):
                wrong.append(f"{name}: async in one, not in the other")
    return wrong


@pytest.fixture(scope="module")
def remote(store) -> RemoteStore:
    return RemoteStore("http://127.0.0.1:9/sparql", graphs=list(store.files), release=store.release)  # not reached


def test_the_protocols_declare_what_is_used():
    assert {"release", "graphs", "default_graphs", "query", "quads", "graph_sizes"} <= set(members(Store))
    assert {"size", "start", "close", "run", "run_async", "worker_pids"} <= set(members(Engine))


def test_the_embedded_and_the_remote_store_implement_store(store, remote):
    assert missing_or_different(store, Store) == []
    assert missing_or_different(remote, Store) == []


def test_the_worker_pool_and_the_remote_engine_implement_engine(settings, store, remote):
    assert missing_or_different(QueryEngine(settings, store), Engine) == []  # not started: no workers
    assert missing_or_different(RemoteEngine(settings, remote), Engine) == []


def test_a_missing_member_or_other_parameters_are_caught(store):
    class Partial:
        release = "r"

        def graphs(self, category: str) -> list[str]:
            return []

    wrong = missing_or_different(Partial(), Store)
    assert "query: missing" in wrong and any(w.startswith("graphs(self, category") for w in wrong)
