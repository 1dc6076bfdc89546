"""What the routers share: settings, the loaded store, the query engine, the saved queries, the prefix map.

create_app builds one Runtime and hands it to each router factory; nothing here is a module-level global.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from ..engine import QueryEngine
from ..namespaces import PREFIXES
from ..queries import NamedQuery, load_queries
from ..remote import RemoteStore
from ..remote_engine import RemoteEngine
from ..settings import Settings
from ..store import GraphStore
from .contributions import ContributionChecker


@dataclass
class Runtime:
    settings: Settings
    store: GraphStore | RemoteStore
    engine: QueryEngine | RemoteEngine
    queries: dict[str, NamedQuery] = field(default_factory=dict)
    releases: object | None = None  # api/admin.Releases, once the application serves (reloads)

    @classmethod
    def create(cls, settings: Settings, store: GraphStore | RemoteStore) -> Runtime:
        """The runtime of an embedded store (query worker processes) or a remote one (`serve --store URL`)."""
        engine = RemoteEngine(settings, store) if isinstance(store, RemoteStore) else QueryEngine(settings, store)
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

    @cached_property
    def checker(self) -> ContributionChecker:
        """The validation workers of POST /validate (api/contributions.py), started on first use or by the app."""
        return ContributionChecker(self.settings, self.store)

    def close(self) -> None:
        """Stop the query workers, and the validation workers if they were started."""
        self.engine.close()
        if "checker" in self.__dict__:
            self.checker.close()

    @property
    def prefixes(self) -> dict[str, str]:
        """Prefixes every query may use without declaring them."""
        return {prefix: str(ns) for prefix, ns in PREFIXES.items()}

    @cached_property
    def graph_sizes(self) -> dict[str, int]:
        """Triples in each named graph of the store."""
        return self.store.graph_sizes()

    @cached_property
    def default_graph_size(self) -> int:
        return self.store.default_graph_size()
