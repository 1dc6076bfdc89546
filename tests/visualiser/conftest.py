"""Fixtures of the visualiser tests: the shared ones of tests/support under this folder's names (the app
in-process through `api`, the live server as `graph_server`), and Playwright's context without the page's CSP."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def api(asgi_client):
    return asgi_client


@pytest.fixture(scope="session")
def graph_server(live_server):
    return live_server


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # Playwright's wait_for_function evaluates its predicate inside the page, which the page's CSP (no eval)
    # rightly forbids; the CSP itself is tested in tests/reliability.
    return {**browser_context_args, "bypass_csp": True}
