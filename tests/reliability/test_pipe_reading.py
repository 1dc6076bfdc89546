"""The server reads a worker's answer as it arrives (engine.receive): a worker still writing a large answer never
blocks the event loop, which serves every other client meanwhile (issue 13: an answer doubled twenty times, 2 MB,
held the loop for as long as the worker took to write it)."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import struct
import threading
import time
from multiprocessing.reduction import ForkingPickler

import pytest

from benelux_graph.query_workers import receive
from support.aio import run_async as in_a_thread

PAUSE = 0.5


def write_slowly(fd: int, message: bytes) -> None:
    """Write a whole Connection message (length header, then the pickle) in two halves, PAUSE seconds apart, as a
    busy worker writing a large answer does."""
    data = struct.pack("!i", len(message)) + message
    half = len(data) // 2
    os.write(fd, data[:half])
    time.sleep(PAUSE)
    view = memoryview(data)[half:]
    while view:
        view = view[os.write(fd, view) :]


async def longest_stall(reading) -> tuple[object, float]:
    """The answer of `reading`, and the longest the event loop went without running a 10 ms ticker meanwhile."""
    stalls = [0.0]

    async def ticker() -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0.01)
            now = time.perf_counter()
            stalls.append(now - last)
            last = now

    tick = asyncio.create_task(ticker())
    await asyncio.sleep(0.05)
    try:
        answer = await reading
        await asyncio.sleep(0.05)  # the ticker's next turn records the interval the reading may have held up
    finally:
        tick.cancel()
    return answer, max(stalls)


def test_a_large_answer_written_slowly_never_blocks_the_event_loop():
    ours, theirs = multiprocessing.Pipe()
    answer = ("ok", "x" * 2_000_000, list(range(1000)))
    writer = threading.Thread(
        target=write_slowly, args=(theirs.fileno(), bytes(ForkingPickler.dumps(answer))), daemon=True
    )
    writer.start()
    try:
        got, stall = in_a_thread(longest_stall(receive(ours)))
    finally:
        writer.join(30)  # a reader that failed leaves the writer blocked on a full pipe: fail, never hang
    assert got == answer
    assert stall < PAUSE / 2, f"the event loop stood still {stall:.3f} s while the answer arrived"
    theirs.send(("next", 1))  # the pipe is left usable, blocking as Connection expects, at a message boundary
    assert ours.recv() == ("next", 1)


def test_a_pipe_closed_mid_answer_is_an_eof_error():
    ours, theirs = multiprocessing.Pipe()
    os.write(theirs.fileno(), struct.pack("!i", 1000) + b"partial")
    theirs.close()
    with pytest.raises(EOFError):
        in_a_thread(receive(ours))
