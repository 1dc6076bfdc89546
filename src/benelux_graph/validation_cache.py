"""The last answer of `benelux-graph validate` for the project's data, so that a second `make serve` starts at once.

The SHACL check takes 8-20 s; its answer depends only on what it reads. An answer is kept with a key: the SHA-256
of every file the check reads (ontology/, ontology/shapes/, data/, the saved queries GraphStore.load reads too),
of the package's own code, and of the versions of the libraries that do the checking. Any change is a new key, so
the data is checked again; `validate --force` always checks. One file per kind of report (text or JSON, quiet or
not) under <root>/.cache/validate/ (gitignored). A cache that cannot be read or written is no cache: it never
turns a check into an error.

This module reads files and hashes them only: it imports neither rdflib nor pySHACL, so an answer from the cache
costs a fraction of a second.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from importlib import metadata
from pathlib import Path

from . import __version__
from .settings import Settings

#: The libraries whose behaviour is part of the answer.
LIBRARIES = ("pyshacl", "rdflib", "owlrl", "pyoxigraph")
PACKAGE = Path(__file__).resolve().parent


def folder(settings: Settings) -> Path:
    return settings.root / ".cache" / "validate"


def inputs(settings: Settings) -> list[Path]:
    """Every file the check reads (a superset: all of ontology/*.ttl), and the package's code."""
    return [
        *sorted(settings.ontology_dir.glob("*.ttl")),
        *sorted(settings.shapes_dir.glob("*.ttl")),
        *sorted(settings.data_dir.glob("*.ttl")),
        *sorted(settings.queries_dir.glob("*.rq")),
        *sorted(PACKAGE.rglob("*.py")),
    ]


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "none"


def key(settings: Settings) -> str:
    """The hash of everything the answer depends on; a file that cannot be read raises OSError."""
    digest = hashlib.sha256(f"benelux-graph {__version__}\0".encode())
    for name in LIBRARIES:
        digest.update(f"{name} {_version(name)}\0".encode())
    for path in inputs(settings):
        data = path.read_bytes()
        digest.update(f"{path.resolve()}\0{len(data)}\0".encode() + data)
    return digest.hexdigest()


def read(settings: Settings, kind: str, inputs_key: str) -> tuple[str, int] | None:
    """The kept output and exit code of this kind of report for these inputs, or None."""
    try:
        kept = json.loads((folder(settings) / f"{kind}.json").read_text(encoding="utf-8"))
        if kept["key"] == inputs_key:
            return str(kept["output"]), int(kept["exit"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return None


def write(settings: Settings, kind: str, inputs_key: str, output: str, exit_code: int) -> None:
    """Keep an answer (atomically: a reader sees the old file or the new one); errors are ignored."""
    target = folder(settings) / f"{kind}.json"
    part = target.with_name(f"{kind}.{os.getpid()}.part")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        part.write_text(json.dumps({"key": inputs_key, "output": output, "exit": exit_code}), encoding="utf-8")
        part.replace(target)
    except OSError:
        with contextlib.suppress(OSError):
            part.unlink(missing_ok=True)
