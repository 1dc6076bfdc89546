"""Shared fixtures: settings pointing at this checkout, and the loaded store (loaded once per session)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benelux_graph.settings import Settings
from benelux_graph.store import GraphStore

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings(root=ROOT)


@pytest.fixture(scope="session")
def store(settings) -> GraphStore:
    return GraphStore.load(settings)
