"""Reloading a new release without stopping the server (`POST /admin/reload` or SIGHUP: api/admin.py).

- A reload copies the project folder's `ontology/`, `data/` and `queries/` into a private snapshot (so that the
  files of a release never change under it, whatever an editor does next), loads it, validates it against the
  SHACL shapes, builds a complete application over it and starts its query workers. Only then is it switched
  in. A release that cannot be read (file, line and reason), that does not conform (its violations), or whose
  workers cannot start is refused (409 `release-refused`) and the old one keeps serving.
- Atomic: `ReleaseSwitch`, the outermost layer but one, hands each request whole to the application that was
  current when it arrived; that application answers from its own store, workers, pages and headers
  (`X-Benelux-Release`), so no request ever sees a mix of two releases. The old application finishes the
  requests it holds, then its workers are stopped and its snapshot removed.
"""

from __future__ import annotations

import gc
import logging
import shutil
import tempfile
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Protocol

from .errors import BeneluxGraphError, DataFileError, ReleaseRefused, ReloadInProgress
from .protocols import Engine, Store
from .settings import Settings

log = logging.getLogger("benelux_graph.api")

#: What a release is made of, copied from the project folder at each reload.
RELEASE_FOLDERS = ("ontology", "data", "queries")
#: Violations listed in a refusal (the count is always given).
SHOWN = 20


class Runtime(Protocol):
    """What a reload needs of a release being served (api/runtime.Runtime)."""

    settings: Settings
    store: Store
    engine: Engine
    releases: object | None

    def prepare(self) -> None: ...

    def close(self) -> None: ...


def refreeze(retired: weakref.ref, tries: int | None = None) -> None:
    """In a process that froze its startup heap (api/app.app_from_env), once a retired release is gone: what it
    left is collected and what serves now, the new release's pages' index included, is frozen in its place, so
    that full collector passes no longer walk it. One full pass per reload, and one more every FREEZE_AGAIN
    seconds while the retired runtime is still referenced (a request finishing, a connection's last scope): frozen
    with it, its reference cycles would never be collected (a release leaked per reload; seen in the full test
    session), so it is thawed and collected again once that reference is gone."""
    if not gc.get_freeze_count():
        return  # a process that never froze its heap, or thawed it since (it then wants no freezing)
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    tries = FREEZE_TRIES if tries is None else tries
    if retired() is not None and tries > 0:
        timer = threading.Timer(FREEZE_AGAIN, refreeze, (retired, tries - 1))
        timer.daemon = True
        timer.start()


#: While a retired runtime is still referenced: a full pass again every FREEZE_AGAIN seconds, FREEZE_TRIES times
#: at most (the first release stays referenced by the application uvicorn holds: bounded work, then left).
FREEZE_AGAIN, FREEZE_TRIES = 2.0, 15


class Generation:
    """One release being served: its application, runtime and snapshot folder, and the requests it holds."""

    def __init__(self, app, runtime: Runtime, folder: Path | None):
        self.app, self.runtime, self.folder = app, runtime, folder
        self.active = 0
        self.retired = False
        self.closed = False

    @property
    def release(self) -> str:
        return self.runtime.store.release


def snapshot(root: Path) -> Path:
    """A private copy of the release's files (node_modules linked, not copied)."""
    folder = Path(tempfile.mkdtemp(prefix="benelux-release-"))
    try:
        for name in RELEASE_FOLDERS:
            if (root / name).is_dir():
                shutil.copytree(root / name, folder / name)
        if (root / "node_modules").exists():
            (folder / "node_modules").symlink_to((root / "node_modules").resolve())
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder


def shown_path(path: str, folder: Path) -> str:
    try:
        return Path(path).resolve().relative_to(folder.resolve()).as_posix()
    except ValueError:
        return path


class Releases:
    """The release being served and the ones finishing their requests; reloads one at a time."""

    def __init__(self, runtime: Runtime, app, factory: Callable, forget: Callable[[], None] = lambda: None):
        self.settings = runtime.settings
        self.forget = forget  # empties the web framework's caches that name a retired release's endpoints
        self.current = Generation(app, runtime, None)
        self.retired: list[Generation] = []
        self.factory = factory  # create_app(settings, store), given by the application (no import back up)
        self.lock = threading.Lock()  # the counters and the switch
        self.reloading = threading.Lock()  # one reload at a time
        self.reloads = 0
        runtime.releases = self

    @property
    def release(self) -> str:
        return self.current.release

    # requests

    def enter(self) -> Generation:
        with self.lock:
            generation = self.current
            generation.active += 1
            return generation

    def leave(self, generation: Generation) -> None:
        with self.lock:
            generation.active -= 1
            done = generation.retired and generation.active == 0 and not generation.closed
            if done:
                generation.closed = True
        if done:
            threading.Thread(target=self._close, args=(generation,), name="benelux-release-close", daemon=True).start()

    # reloading

    def build(self, folder: Path):
        """Load, validate and start a release from a snapshot folder: (app, runtime), or ReleaseRefused."""
        from .store import GraphStore
        from .validation import validate_files

        settings = replace(self.settings, root=folder)
        if settings.serve_from_store:  # the release now on the store (`publish` validated it)
            return self.start(settings, self.remote_store(settings))
        try:
            store = GraphStore.load(settings)
        except DataFileError as e:
            where = shown_path(e.path, folder) + (f":{e.line}" if e.line else "") + (f":{e.column}" if e.column else "")
            raise ReleaseRefused(
                f"the new release cannot be read: {where}: {e.message}", [f"{where}: {e.message}"]
            ) from None
        try:
            report = validate_files(settings)
        except BeneluxGraphError as e:
            raise ReleaseRefused(f"the new release cannot be validated: {e}") from None
        if not report.conforms:
            violations = report.violations
            raise ReleaseRefused(
                f"the new release does not conform to the shapes: {len(violations)} violation"
                f"{'s' * (len(violations) != 1)}",
                [r.to_line() for r in violations[:SHOWN]],
            )
        return self.start(settings, store)

    @staticmethod
    def remote_store(settings):
        from .remote import served_store

        try:
            return served_store(settings)
        except BeneluxGraphError as e:
            raise ReleaseRefused(f"the store cannot serve: {e}") from None

    def start(self, settings, store):
        """The application and runtime of a loaded release, its query engine started."""
        app = self.factory(settings, store)
        runtime: Runtime = app.state.runtime
        runtime.releases = self
        try:
            runtime.engine.start()
        except BeneluxGraphError as e:
            runtime.close()
            raise ReleaseRefused(f"the new release's query workers cannot start: {e}") from None
        runtime.prepare()  # before the switch, as at startup (refreeze, when the old release is gone)
        return app, runtime

    def reload(self) -> dict:
        """Switch to the release now in the project folder; raise ReleaseRefused and keep the old one otherwise.
        Blocking (seconds: validation): call it from a thread."""
        if not self.reloading.acquire(blocking=False):
            raise ReloadInProgress("a reload is running already; try again when it is done")
        try:
            start = time.perf_counter()
            previous = self.release
            try:
                folder = snapshot(Path(self.settings.root))
            except OSError as e:
                raise ReleaseRefused(f"the project folder cannot be copied: {e}") from None
            try:
                app, runtime = self.build(folder)
            except BaseException:
                shutil.rmtree(folder, ignore_errors=True)
                raise
            new = Generation(app, runtime, folder)
            with self.lock:
                old, self.current = self.current, new
                old.retired = True
                idle = old.active == 0 and not old.closed
                if idle:
                    old.closed = True
                self.retired.append(old)
                self.reloads += 1
            if idle:
                threading.Thread(target=self._close, args=(old,), name="benelux-release-close", daemon=True).start()
            seconds = time.perf_counter() - start
            log.info("reloaded: release %s replaces %s (%.1f s)", new.release, previous, seconds)
            return {
                "status": "reloaded",
                "release": new.release,
                "previous": previous,
                "changed": new.release != previous,
                "triples": len(runtime.store),
                "seconds": round(seconds, 3),
            }
        finally:
            self.reloading.release()

    def _close(self, generation: Generation) -> None:
        generation.runtime.close()
        if generation.folder is not None:
            shutil.rmtree(generation.folder, ignore_errors=True)
        release = generation.release
        with self.lock:
            if generation in self.retired:
                self.retired.remove(generation)
            gone = generation.retired and not self.retired
            retired = weakref.ref(generation.runtime)
            if generation.retired:  # what still names it (this thread's argument) holds nothing
                del generation.app, generation.runtime
        self.forget()
        log.info("release %s retired", release)
        if gone:
            refreeze(retired)

    def close(self) -> None:
        """At shutdown: stop the workers of every release started by a reload (the first one's application
        stops its own)."""
        with self.lock:
            generations = [g for g in [self.current, *self.retired] if g.folder is not None and not g.closed]
            for g in generations:
                g.closed = True
        for g in generations:
            self._close(g)

    # SIGHUP

    def on_signal(self) -> None:
        def run() -> None:
            try:
                result = self.reload()
                log.info("SIGHUP: %s", result)
            except (ReleaseRefused, ReloadInProgress) as e:
                log.error("SIGHUP: reload refused: %s%s", e, "".join("\n  " + p for p in getattr(e, "problems", [])))
            except Exception:
                log.exception("SIGHUP: reload failed")

        threading.Thread(target=run, name="benelux-reload", daemon=True).start()
