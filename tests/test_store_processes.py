"""Nothing lost: a logger killed with SIGKILL, and two processes logging to one database at once.

The children are real Python processes on a SQLite file in tmp_path; each prints a line only
after `log_event` returned, i.e. after the click's transaction committed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO_ROOT

from shopdemo.store import SessionStore

LOGGER = """
import sys
from shopdemo.store import SessionStore
url, session, first, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
store = SessionStore(url)
print("ready", flush=True)
sys.stdin.readline()  # start together
item = first
while count < 0 or item < first + count:
    store.log_event(session, item)
    print(item, flush=True)
    item += 1
"""


def start_logger(url: str, session: int, first: int, count: int) -> subprocess.Popen[str]:
    child = subprocess.Popen(
        [sys.executable, "-c", LOGGER, url, str(session), str(first), str(count)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO_ROOT,
    )
    assert child.stdout is not None and child.stdout.readline() == "ready\n"
    return child


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL")
def test_sigkill_loses_no_acknowledged_click(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shop.sqlite3'}"
    with SessionStore(url) as store:
        session = store.current_session().number
    child = start_logger(url, session, first=1000, count=-1)  # logs until killed
    assert child.stdin is not None and child.stdout is not None
    child.stdin.write("go\n")
    child.stdin.flush()
    acknowledged = [int(child.stdout.readline()) for _ in range(300)]
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    acknowledged += [int(line) for line in child.stdout.read().split()]  # acked before the kill
    assert child.returncode == -signal.SIGKILL
    with SessionStore(url) as store:
        assert store.integrity_check() == "ok"
        info, events = store.load_session(session)
    items = [event.item_id for event in events]
    # Every acknowledged click is there, in order; at most one more committed but not yet printed.
    assert items[: len(acknowledged)] == acknowledged
    assert len(items) - len(acknowledged) in (0, 1)
    assert [event.position for event in events] == list(range(len(items)))
    assert info.event_count == len(items)


def test_two_processes_logging_to_one_session_lose_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shop.sqlite3'}"
    with SessionStore(url) as store:
        session = store.current_session().number
    children = [start_logger(url, session, first, 150) for first in (10_000, 20_000)]
    for child in children:  # both are connected; release them together
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
    outputs = [child.communicate(timeout=120)[0].split() for child in children]
    assert [child.returncode for child in children] == [0, 0]
    assert [len(lines) for lines in outputs] == [150, 150]
    with SessionStore(url) as store:
        info, events = store.load_session(session)
        assert store.integrity_check() == "ok"
    assert info.event_count == 300
    assert [event.position for event in events] == list(range(300))
    for first in (10_000, 20_000):  # each writer's clicks all present, in its own order
        mine = [e.item_id for e in events if first <= e.item_id < first + 150]
        assert mine == list(range(first, first + 150))
