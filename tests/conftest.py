"""The fixtures every folder shares live in the support package (tests/support/fixtures.py); tests/ goes on
sys.path so that `support` is importable by name, whatever pytest's import mode."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from support.fixtures import *  # noqa: E402,F401,F403 - the fixtures, so pytest sees them here
