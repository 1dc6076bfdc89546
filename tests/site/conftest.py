"""Fixtures of the site tests: the shared live server of tests/support (with its `http` client, which asks for
no compression unless told, and Debian's Chromium for Playwright)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def site_server(live_server):
    return live_server
