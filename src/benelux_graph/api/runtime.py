"""What the routers share: settings, the loaded store, the query engine, the saved queries, the prefix map.

create_app builds one Runtime and hands it to each router factory; nothing here is a module-level global. What
the routes build on first use and share (the linked data, the caches, the validation workers) is declared here
too: nothing is added to a Runtime from outside.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import cached_property

from ..engine import QueryEngine
from ..linked_data import LinkedData
from ..namespaces import PREFIXES
from ..protocols import Engine, Store
from ..remote import RemoteStore
from ..remote_engine import RemoteEngine
from ..saved_queries import NamedQuery, load_queries
from ..settings import Settings
from .cache import Caches
from .contributions import ContributionChecker


@dataclass
class Runtime:
    settings: Settings
    store: Store  # the embedded GraphStore or a RemoteStore (protocols.py)
    engine: Engine  # the query worker pool (engine.QueryEngine) or the remote engine
    queries: dict[str, NamedQuery] = field(default_factory=dict)
    releases: object | None = None  # release_reload.Releases, once the application serves (reloads)
    caches: Caches | None = None  # the query caches (api/cache.caches_for), made on first use
    _linked_data: LinkedData | None = field(default=None, init=False, repr=False)
    _checker: ContributionChecker | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @classmethod
    def create(cls, settings: Settings, store: Store) -> Runtime:
        """The runtime of an embedded store (query worker processes) or a remote one (`serve --store URL`)."""
        engine: Engine = (
            RemoteEngine(settings, store) if isinstance(store, RemoteStore) else QueryEngine(settings, store)
        )
        return cls(settings, store, engine, load_queries(settings.queries_dir))

    # The reliability layer's settings, named here for the modules that use them (ratelimit.py, admin.py).

    @property
    def rate_limit(self) -> float:
        return self.settings.rate_limit

    @property
    def query_budget(self) -> float:
        return self.settings.query_budget

    @property
    def admin_token(self) -> str:
        return self.settings.admin_token

    @property
    def reload_signal(self) -> bool:
        return self.settings.reload_signal

    @property
    def checker(self) -> ContributionChecker:
        """The validation workers of POST /validate (api/contributions.py), started on first use or by the app."""
        with self._lock:
            if self._checker is None:
                self._checker = ContributionChecker(self.settings, self.store)
            return self._checker

    @property
    def linked_data(self) -> LinkedData:
        """The release's publication and the indexes of its pages (linked_data.py), built on first use."""
        with self._lock:
            if self._linked_data is None:
                self._linked_data = LinkedData(self.store, self.settings)
            return self._linked_data

    def prepare(self) -> None:
        """Build now what the first page view would build (the pages' index), so that it is made before a gc.freeze:
        built after it, its 137,000 objects were walked by every full collector pass, 60-110 ms on the event loop
        under issue 13's attacks. A remote store's pages ask the remote; nothing to build."""
        if not self.settings.serve_from_store:
            _ = self.linked_data.index

    def close(self) -> None:
        """Stop the query workers, and the validation workers if they were started."""
        self.engine.close()
        if self._checker is not None:
            self._checker.close()

    @cached_property
    def prefixes(self) -> dict[str, str]:
        """Prefixes every query may use without declaring them (made once: it was made again for every query)."""
        return {prefix: str(ns) for prefix, ns in PREFIXES.items()}

    @cached_property
    def graph_sizes(self) -> dict[str, int]:
        """Triples in each named graph of the store."""
        return self.store.graph_sizes()

    @cached_property
    def default_graph_size(self) -> int:
        return self.store.default_graph_size()
