"""Settings with the reliability fields, for the tests: importable by the query workers (spawned processes
unpickle their settings by module name, so the class lives in a top-level module on sys.path, not in conftest).

The fields are those the application reads with defaults (api/runtime.py) until settings.py declares them:
`rate_limit` (requests per minute and client, 0 off), `query_budget` (seconds of query time per minute and
client, 0 off), `admin_token` (POST /admin/reload, empty off) and
`reload_signal` (SIGHUP reloads).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from benelux_graph.settings import Settings


@dataclass(frozen=True)
class ReliabilitySettings(Settings):
    rate_limit: float = 0
    query_budget: float = 0
    admin_token: str = ""
    reload_signal: bool = False


def reliability_settings(settings: Settings, **overrides) -> ReliabilitySettings:
    values = {f.name: getattr(settings, f.name) for f in fields(settings) if f.init}
    names = {f.name for f in fields(ReliabilitySettings)}
    return replace(ReliabilitySettings(**{k: v for k, v in values.items() if k in names}), **overrides)
