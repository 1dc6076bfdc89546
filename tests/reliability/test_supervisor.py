"""The supervisor `benelux-graph serve` runs (uvicorn's, with benelux_graph.server.ServerProcess): a server process
that dies while a health check waits for its answer is seen dead at once, and replaced, not after the check's whole
timeout (60 s under serve) with no server process meanwhile: a draining process (api/app.py `drain_and_exit`) dies
just so, and the drain-and-replace test in test_fast_lane.py twice found no server for a minute."""

from __future__ import annotations

import os
import signal
import socket
import threading
import time

import pytest
import uvicorn

from benelux_graph.server import ServerProcess

pytestmark = pytest.mark.server


async def app(scope, receive, send):  # the least server process there is: what is checked is the supervisor's side
    await send({"type": "http.response.start", "status": 204, "headers": []})
    await send({"type": "http.response.body", "body": b""})


def test_a_server_process_dying_during_a_health_check_is_seen_dead_at_once():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(f"{__name__}:app", host="127.0.0.1", port=sock.getsockname()[1], log_level="warning")
    process = ServerProcess(config, [sock])
    process.start()
    try:
        assert process.wait_until_ready(60), "the server process did not start"
        pid = process.process.pid
        assert pid is not None
        os.kill(pid, signal.SIGSTOP)  # it can answer no check now; it dies half a second into the next one
        threading.Timer(0.5, os.kill, (pid, signal.SIGKILL)).start()
        start = time.monotonic()
        alive = process.is_alive(timeout=30)
        took = time.monotonic() - start
        assert not alive
        assert took < 10, f"the check waited {took:.1f} s for a process dead after 0.5 s"
    finally:
        process.kill()
        process.join()
        sock.close()
