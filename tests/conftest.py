"""The fixtures every folder shares live in the support package (tests/support/fixtures.py), and so does the hook
that keeps the garbage collector off what lives for the session (tests/support/session_gc.py); tests/ goes on
sys.path so that `support` is importable by name, whatever pytest's import mode."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from support.fixtures import *  # noqa: E402,F401,F403 - the fixtures, so pytest sees them here
from support.session_gc import pytest_collection_finish  # noqa: E402,F401 - a hook, so pytest sees it here
