"""A copy of the project's release files in a folder of its own, for tests that change, break or reload data."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def copy_project(target: Path) -> Path:
    """The release files of this checkout in `target` (node_modules linked): a project folder of its own."""
    target.mkdir(parents=True, exist_ok=True)
    for name in ("ontology", "data", "queries"):
        shutil.copytree(ROOT / name, target / name)
    if (ROOT / "node_modules").exists():
        (target / "node_modules").symlink_to(ROOT / "node_modules")
    return target
