"""Versioned names for the project's own static files: `/static/site.css?v=<hash of the file>`. A page names each
file by its content, so a browser may keep it a year without asking again (`immutable`); a changed file gets a
new name. The same file asked for without `v` (an old page, an embedder) keeps the short lifetime it had."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from urllib.parse import parse_qs

IMMUTABLE = f"public, max-age={365 * 86400}, immutable"


@lru_cache(maxsize=64)
def _digest(path: Path, mtime_ns: int, size: int) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def versioned(url: str, path: Path) -> str:
    """`url?v=<hash of the file at path>` (read again only when the file changes); `url` if there is no file."""
    try:
        stat = path.stat()
    except OSError:
        return url
    return f"{url}?v={_digest(path, stat.st_mtime_ns, stat.st_size)}"


def cache_control(scope, default: str) -> str:
    """A year, immutable, for a versioned name (`?v=`); `default` otherwise."""
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    return IMMUTABLE if query.get("v") else default
