"""A private Virtuoso Open Source 7 on 127.0.0.1 for the remote-store tests (one per session).

Virtuoso itself is installed by the setup (`make setup-virtuoso`, i.e. `scripts/virtuoso.sh install`), or here
when it is missing and the tests run as root with apt-get (as in CI). These fixtures start it through
scripts/virtuoso.sh on free ports in a temporary folder and stop it by its pid. Nothing is skipped: if Virtuoso
is missing or cannot start, every test here fails and says why.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from benelux_graph.publish import publish
from benelux_graph.remote import RemoteStore

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "virtuoso.sh"
INSTALL_HINT = "install it with `make setup-virtuoso` (apt-get install -y virtuoso-opensource)"


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "remote: runs against a real Virtuoso started on 127.0.0.1 (scripts/virtuoso.sh)"
    )


@dataclass(frozen=True)
class Virtuoso:
    http: str  # http://127.0.0.1:PORT
    isql: str  # 127.0.0.1:PORT
    pid: int
    folder: Path
    user: str
    password: str

    @property
    def endpoint(self) -> str:
        return self.http + "/sparql"

    def stop(self) -> None:
        stop_virtuoso(self)


def installed() -> bool:
    return shutil.which("virtuoso-t") is not None and shutil.which("isql-vt") is not None


def ensure_installed() -> None:
    """Install Debian's package when it is missing and this runs as root with apt-get (a clean CI machine
    whose setup did not run `make setup-virtuoso`); otherwise fail and say how to install it."""
    if installed():
        return
    if os.name == "posix" and os.geteuid() == 0 and shutil.which("apt-get"):
        done = subprocess.run(
            ["bash", str(SCRIPT), "install"], check=False, capture_output=True, text=True, timeout=900
        )
        if installed():
            return
        pytest.fail(f"installing Virtuoso failed:\n{done.stderr.strip()[-2000:]}", pytrace=False)
    pytest.fail(f"Virtuoso (virtuoso-t, isql-vt) is not installed: {INSTALL_HINT}", pytrace=False)


def launch(folder: Path, **env: str) -> Virtuoso:
    """Start an instance in `folder` (extra environment: VIRTUOSO_MAX_ROWS, …); pytest.fail if it cannot."""
    ensure_installed()
    user, password = "benelux-loader", secrets.token_urlsafe(12)
    environ = {**os.environ, "BENELUX_STORE_USER": user, "BENELUX_STORE_PASSWORD": password, **env}
    try:
        done = subprocess.run(
            ["bash", str(SCRIPT), "start", str(folder)],
            env=environ,
            check=False,
            capture_output=True,
            text=True,
            timeout=120,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"Virtuoso did not start within 120 s (see {folder}/virtuoso.log)", pytrace=False)
    if done.returncode != 0:
        pytest.fail(f"Virtuoso could not start:\n{done.stderr.strip()}\n{done.stdout.strip()}", pytrace=False)
    values = dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)
    return Virtuoso(
        values["VIRTUOSO_HTTP"], values["VIRTUOSO_ISQL"], int(values["VIRTUOSO_PID"]), folder, user, password
    )


def stop_virtuoso(instance: Virtuoso) -> None:
    subprocess.run(["bash", str(SCRIPT), "stop", str(instance.folder)], check=False, capture_output=True, timeout=60)


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory):
    instance = launch(tmp_path_factory.mktemp("virtuoso"))
    yield instance
    stop_virtuoso(instance)


@pytest.fixture
def start_virtuoso():
    """Start another instance (folder, extra environment); it is stopped after the test."""
    started: list[Virtuoso] = []

    def start(folder: Path, **env: str) -> Virtuoso:
        started.append(launch(folder, **env))
        return started[-1]

    yield start
    for instance in started:
        stop_virtuoso(instance)


@pytest.fixture(scope="session")
def published(virtuoso, store):
    """The release published into Virtuoso once (Graph Store Protocol), and its report."""
    return publish(store, virtuoso.endpoint, virtuoso.user, virtuoso.password)


@pytest.fixture(scope="session")
def remote(published, virtuoso) -> RemoteStore:
    return RemoteStore(virtuoso.endpoint, timeout=30)
