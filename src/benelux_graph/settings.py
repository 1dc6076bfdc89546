"""One frozen settings object, read from the environment (BENELUX_*) with defaults. Nothing reads it on import."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

#: The source tree this package was installed from (an editable install, or a clone run in place).
DEFAULT_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Settings:
    root: Path = field(default=DEFAULT_ROOT, metadata={"help": "project folder holding ontology/, data/, queries/"})
    host: str = field(default="127.0.0.1", metadata={"help": "address the server listens on"})
    port: int = field(default=8000, metadata={"help": "port the server listens on"})
    query_timeout: float = field(default=10.0, metadata={"help": "seconds a query may run before it is stopped"})
    min_query_timeout: float = field(
        default=1.0,
        metadata={"help": "seconds below which a client's `timeout` parameter does not lower the time limit"},
    )
    max_rows: int = field(default=10_000, metadata={"help": "rows a SELECT answer may hold; more are cut, and said so"})
    max_answer_bytes: int = field(
        default=32_000_000, metadata={"help": "bytes an answer may hold; more rows or triples are cut, and said so"}
    )
    max_query_bytes: int = field(default=64_000, metadata={"help": "largest query text accepted, in bytes"})
    max_body_bytes: int = field(default=1_000_000, metadata={"help": "largest request body accepted, in bytes"})
    workers: int = field(
        default=2,
        metadata={
            "help": "query worker processes one client address may fill at once (a runaway query is killed with its worker); one spare more runs, kept for an address holding none, so another client's query finds a worker at once"
        },
    )
    query_threads: int = field(
        default=8,
        metadata={
            "help": "threads of each server process that run queries of a shape known to be cheap (a worker ran it in under 25 ms, answer under 64 KB), with no hand-off to a worker; one still running after 0.25 s is rerun in a worker and its shape stays there, and one still running at its time limit, or growing the process by more than BENELUX_QUERY_MEMORY, makes its server process drain and be replaced (fastlane.py); 0 runs every query in a worker"
        },
    )
    query_memory: int = field(
        default=1_000_000_000,
        metadata={
            "help": "bytes of memory a query may take in its worker beyond the loaded store (RLIMIT_AS); a query needing more stops its worker, which is replaced; 0 is off"
        },
    )
    store_url: str = field(
        default="",
        metadata={
            "help": "SPARQL endpoint of a remote store: where `publish` loads a release, and what `serve --store` serves"
        },
    )
    store_user: str = field(
        default="", metadata={"help": "user for the remote store (publishing, and queries if it wants one)"}
    )
    store_password: str = field(default="", metadata={"help": "password for the remote store"})
    serve_from_store: bool = field(
        default=False,
        metadata={
            "help": "serve every API over the remote store at BENELUX_STORE_URL instead of the embedded one (`serve --store URL` sets both)"
        },
    )
    cache_bytes: int = field(
        default=64_000_000, metadata={"help": "memory for cached query answers, in bytes; 0 turns caching off"}
    )
    cache_max_age: int = field(
        default=300, metadata={"help": "seconds a client or CDN may reuse a query answer (Cache-Control max-age)"}
    )
    rate_limit: float = field(
        default=0.0, metadata={"help": "requests per minute per client address; 0 is off (429 with Retry-After beyond)"}
    )
    query_budget: float = field(
        default=0.0, metadata={"help": "seconds of query time per minute per client address; 0 is off"}
    )
    demote_after: float = field(
        default=0.0,
        metadata={
            "help": "error answers (their count halving every 10 s) after which a client address is served one request at a time, behind every other client (api/demotion.py); 0 is off"
        },
    )
    query_pacing: bool = field(
        default=False,
        metadata={
            "help": "while other addresses are served, hold back the query answers of an address running more than 1.5x its fair share of executed queries, to about 10 a second (api/pacing.py); off by default: it would slow a lone analyst's script whenever anyone else visits"
        },
    )
    client_fairness: bool = field(
        default=True,
        metadata={
            "help": "while other addresses are served, one address has at most 4 requests in the server process at once, and an address whose requests take long (on average over 0.1 s and 4x the quickest address being served) waits up to 0.5 s while quicker ones are in flight (api/fairness.py); a lone address is never held"
        },
    )
    admin_token: str = field(
        default="", metadata={"help": "bearer token for POST /admin/reload; empty turns the route off"}
    )
    reload_signal: bool = field(
        default=False, metadata={"help": "reload the release on SIGHUP (1/true/yes to turn on)"}
    )
    validate_timeout: float = field(
        default=15.0,
        metadata={
            "help": "seconds POST /validate may take to read and check one contribution before its worker is stopped (503)"
        },
    )
    validate_memory_bytes: int = field(
        default=500_000_000,
        metadata={
            "help": "memory a validation worker may take beyond what it holds when loaded, in bytes (RLIMIT_AS; 0 is no limit)"
        },
    )
    validate_workers: int = field(
        default=1,
        metadata={
            "help": "validation worker processes (contributions checked at once, each killed and replaced past its limits)"
        },
    )
    validate_queue: int = field(
        default=4,
        metadata={
            "help": "contributions that may wait for a validation worker; more are refused (503 with Retry-After)"
        },
    )
    service_allowlist: tuple[str, ...] = field(
        default=(), metadata={"help": "SERVICE endpoints a query may call, comma-separated (default: none)"}
    )
    public_url: str = field(
        default="",
        metadata={
            "help": "the server's public base URL, used in every absolute URL it writes (service description, VoID, citation, OpenAPI servers, redirects); default http://HOST:PORT, never the request's Host header"
        },
    )
    trusted_proxies: tuple[str, ...] = field(
        default=(),
        metadata={
            "help": "addresses or networks (CIDR) of reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed, comma-separated (default: none, the client is the connection's peer)"
        },
    )
    api_origins: tuple[str, ...] = field(
        default=(),
        metadata={
            "help": "origins (scheme://host[:port]) besides this server's own whose graph API the Benelux+ page may read when a link says ?api=, comma-separated; the page's Content-Security-Policy connect-src lists exactly these (default: none, any other ?api= is refused on the page)"
        },
    )
    read_timeout: float = field(
        default=15.0,
        metadata={
            "help": "seconds a client may take to send a whole request (headers and body) from its first byte; slower ones get 408 and are disconnected"
        },
    )

    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def shapes_dir(self) -> Path:
        return self.root / "ontology" / "shapes"

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"

    @property
    def base_url(self) -> str:
        """The public base URL without a trailing slash: `public_url`, else http://HOST:PORT as configured."""
        if self.public_url:
            return self.public_url.rstrip("/")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get("BENELUX_" + f.name.upper())
            if raw is None:
                continue
            if f.name == "root":
                values[f.name] = Path(raw)
            elif isinstance(f.default, tuple):
                values[f.name] = tuple(s.strip() for s in raw.split(",") if s.strip())
            elif isinstance(f.default, bool):  # bool("0") is True: read the words people write
                values[f.name] = raw.strip().lower() in ("1", "true", "yes", "on")
            else:
                default: Any = f.default  # every setting has a plain default (int, float, str)
                values[f.name] = type(default)(raw)
        return replace(cls(**values), **overrides)


def documented_settings() -> dict[str, str]:
    """Environment variable -> help text, for the README and `--help`."""
    return {"BENELUX_" + f.name.upper(): f.metadata["help"] for f in fields(Settings)}
