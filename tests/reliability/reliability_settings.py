"""Settings for the reliability tests: the project's Settings with overrides (rate_limit, query_budget,
admin_token, reload_signal, ...). Kept as a top-level module on sys.path because the tests import it by name."""

from __future__ import annotations

from dataclasses import replace

from benelux_graph.settings import Settings

ReliabilitySettings = Settings


def reliability_settings(settings: Settings, **overrides) -> Settings:
    return replace(settings, **overrides)
