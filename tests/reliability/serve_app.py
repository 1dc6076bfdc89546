"""Serve create_app in this process (a test's subprocess): `python serve_app.py '<settings as JSON>'`.

The settings are those of tests/reliability/conftest.py's ReliabilitySettings (the reliability fields included,
whether or not settings.py declares them yet). uvicorn runs in the main thread, so signals (SIGHUP) reach the
application as they do under `benelux-graph serve`, with its HTTP settings (benelux_graph.server).
"""

from __future__ import annotations

import json
import sys
from dataclasses import fields
from pathlib import Path

from reliability_settings import ReliabilitySettings

from benelux_graph import server
from benelux_graph.api.app import create_app
from benelux_graph.store import GraphStore


def main() -> None:
    values = json.loads(sys.argv[1])
    names = {f.name for f in fields(ReliabilitySettings)}
    values = {k: v for k, v in values.items() if k in names}
    values["root"] = Path(values["root"])
    for f in fields(ReliabilitySettings):  # lists in JSON, tuples in the settings
        if isinstance(f.default, tuple) and f.name in values:
            values[f.name] = tuple(values[f.name])
    settings = ReliabilitySettings(**values)
    store = GraphStore.load(settings)
    server.run(create_app(settings, store), settings, log_level="warning")  # as `benelux-graph serve` does


if __name__ == "__main__":
    main()
