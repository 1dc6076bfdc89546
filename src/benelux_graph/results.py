"""What a query answers, as the engines return it: rows of pyoxigraph terms, a boolean, or triples, or the
answer already written in a format (its bytes), with what was cut and how long it took."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox


@dataclass
class Result:
    kind: str  # "bindings" (SELECT), "boolean" (ASK) or "graph" (CONSTRUCT, DESCRIBE)
    variables: list[str] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)  # tuples of terms, None for an unbound variable
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)
    truncated: bool = False
    seconds: float = 0.0  # time the worker spent evaluating
    body: bytes | None = None  # the answer written in `format` (Job.formats), rows and triples then left out
    format: str | None = None
    count: int | None = None  # rows or triples of a written answer
    waited: float = 0.0  # seconds the caller waited for a free worker (run_async)
    round_trip: float = 0.0  # seconds from sending the job to reading the answer (run_async)
    lane: str = "worker"  # where it ran: "worker" (a process) or "thread" (fastlane.FastLane)

    @property
    def size(self) -> int:
        """Rows, triples, or 1 for a boolean."""
        if self.count is not None:
            return self.count
        return {"bindings": len(self.rows), "graph": len(self.triples)}.get(self.kind, 1)
