"""The reliability tests' fixtures live in reliability_support.py, a module with a unique name that the test
files import helpers from (`from conftest import ...` would find another folder's conftest under importlib mode)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from reliability_support import *  # noqa: E402,F401,F403 - the fixtures, so pytest sees them here
