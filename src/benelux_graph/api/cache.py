"""Caches of the query endpoint, in the server process, in front of the query workers.

- the parsed-query cache: what the guard read in a query text (its form, whether it names its own dataset,
  whether it may be cached at all), so a text seen before is not tokenized again;
- the result cache: the answer's bytes, keyed on everything that decides them: the dataset release, the query
  text, the parameter bindings, the default and named graphs, the answer's format and the row cap. A hit is
  answered without a worker. Only complete, successful answers are kept; a query calling RAND, NOW, UUID,
  STRUUID or BNODE is never cached (its answer may differ at every run).

Both are LRU caches bounded by bytes (BENELUX_CACHE_BYTES, default 64 MB, shared 1:15 between the two;
0 turns caching off); an answer larger than a quarter of the budget is not kept. A new release makes every key
new, and the caches are emptied when the runtime's release changes.

HTTP: every query answer carries an `ETag` (a hash of the release, the query, its bindings and graphs, and the
format: known before the query runs) and `Cache-Control: public, max-age=N` (BENELUX_CACHE_MAX_AGE, default
300 s), so a CDN or a browser can keep it; a request whose `If-None-Match` names the current tag is answered
304 without running anything.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from ..sparql_text import QueryText, inspect_query

DEFAULT_BYTES = 64 * 1024 * 1024
DEFAULT_MAX_AGE = 300
#: Functions whose value changes from one run to the next: an answer using them is never cached.
VOLATILE = frozenset({"RAND", "NOW", "UUID", "STRUUID", "BNODE"})
#: Bytes counted for an entry besides its payload (key, dict slot, object headers).
OVERHEAD = 200


def setting(settings, name: str, default: int) -> int:
    """A cache setting (cache_bytes, cache_max_age), never negative."""
    return max(0, int(getattr(settings, name, default)))


class LRU:
    """A thread-safe LRU map bounded by the bytes of its entries (as told by `put`)."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.bytes = 0
        self.hits = 0
        self.misses = 0
        self._items: OrderedDict = OrderedDict()  # key -> (value, size)
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            item = self._items.get(key)
            if item is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return item[0]

    def put(self, key, value, size: int) -> bool:
        """Keep `value`; False when it is larger than a quarter of the budget (then nothing is kept)."""
        size += OVERHEAD
        if size > self.max_bytes // 4:
            return False
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.bytes -= old[1]
            self._items[key] = (value, size)
            self.bytes += size
            while self.bytes > self.max_bytes and self._items:
                _, (_, dropped) = self._items.popitem(last=False)
                self.bytes -= dropped
        return True

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.bytes = 0

    def __len__(self) -> int:
        return len(self._items)

    def stats(self) -> dict:
        return {
            "entries": len(self._items),
            "bytes": self.bytes,
            "max_bytes": self.max_bytes,
            "hits": self.hits,
            "misses": self.misses,
        }


@dataclass(frozen=True)
class Parsed:
    """A query text as the guard read it, and whether its answer may be cached."""

    info: QueryText
    cacheable: bool


@dataclass(frozen=True)
class Answer:
    """A complete answer as sent: the body and what its headers need."""

    body: bytes
    content_type: str
    size: int  # rows, triples, or 1
    truncated: bool
    engine_ms: float


@dataclass
class Caches:
    release: str
    max_bytes: int = DEFAULT_BYTES
    max_age: int = DEFAULT_MAX_AGE
    parsed: LRU = field(init=False)
    answers: LRU = field(init=False)

    def __post_init__(self):
        self.parsed = LRU(self.max_bytes // 16)
        self.answers = LRU(self.max_bytes - self.max_bytes // 16)

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0

    def parse(self, text: str, allowlist: tuple[str, ...], prefixes: dict[str, str]) -> Parsed:
        """The guard's reading of a text (QueryRefused raised as by inspect_query; refusals are not kept)."""
        key = (text, allowlist)
        parsed = self.parsed.get(key) if self.enabled else None
        if parsed is None:
            info = inspect_query(text, allowlist, prefixes)
            volatile = not VOLATILE.isdisjoint(info.words)  # the guard's words: the text is tokenized once
            parsed = Parsed(info, cacheable=info.form is not None and not volatile)
            if self.enabled:
                self.parsed.put(key, parsed, 2 * len(text))
        return parsed

    def clear(self) -> None:
        self.parsed.clear()
        self.answers.clear()

    def stats(self) -> dict:
        return {"release": self.release, "parsed": self.parsed.stats(), "answers": self.answers.stats()}


def answer_key(
    release: str, text: str, substitutions: dict | None, default_graphs, named_graphs, fmt_name: str, max_rows: int
) -> tuple:
    """What decides an answer's bytes. Bindings as N-Triples terms (str of a pyoxigraph term), sorted by name."""
    bindings = tuple(sorted((getattr(v, "value", str(v)), str(t)) for v, t in (substitutions or {}).items()))
    return (release, text, bindings, default_graphs, named_graphs, fmt_name, max_rows)


def etag(key: tuple) -> str:
    """A strong validator for the answer a key names: a hash of the release, the query, its bindings and
    graphs, the format and the row cap (the same request on the same release gets the same bytes)."""
    digest = hashlib.sha256(repr(key).encode("utf-8")).hexdigest()[:32]
    return f'"{digest}"'


def caches_for(runtime) -> Caches:
    """The runtime's caches (Runtime.caches), made on first use and emptied when it serves another release."""
    caches = runtime.caches
    release = runtime.store.release
    if caches is None:
        settings = runtime.settings
        caches = Caches(
            release,
            setting(settings, "cache_bytes", DEFAULT_BYTES),
            setting(settings, "cache_max_age", DEFAULT_MAX_AGE),
        )
        runtime.caches = caches
    elif caches.release != release:
        caches.clear()
        caches.release = release
    return caches
