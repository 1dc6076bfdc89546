"""Serve create_app in this process (a test's subprocess): `python serve_app.py '<settings as JSON>'`.

The settings are those of tests/reliability/conftest.py's ReliabilitySettings (the reliability fields included,
whether or not settings.py declares them yet). uvicorn runs in the main thread, so signals (SIGHUP) reach the
application as they do under `benelux-graph serve`.
"""

from __future__ import annotations

import json
import sys
from dataclasses import fields
from pathlib import Path

import uvicorn
from reliability_settings import ReliabilitySettings

from benelux_graph.api.app import create_app
from benelux_graph.store import GraphStore


def main() -> None:
    values = json.loads(sys.argv[1])
    names = {f.name for f in fields(ReliabilitySettings)}
    values = {k: v for k, v in values.items() if k in names}
    values["root"] = Path(values["root"])
    if "service_allowlist" in values:
        values["service_allowlist"] = tuple(values["service_allowlist"])
    settings = ReliabilitySettings(**values)
    store = GraphStore.load(settings)
    uvicorn.run(create_app(settings, store), host=settings.host, port=settings.port, log_level="warning")


if __name__ == "__main__":
    main()
