"""Flare's processes run as an operator runs them, and killed as a host dies: for the tests here."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path


def flare_env(**settings: str) -> dict[str, str]:
    """This shell's environment without any FLARE_ setting of its own, plus `settings`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLARE_")}
    env.update(settings)
    return env


def start_flare(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """`flare ARGS` in a new process, its output kept in `log`."""
    out = log.open("ab")
    command = [sys.executable, "-c", "from cli.main import main; main()", *args]
    return subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)


def family(pid: int) -> list[int]:
    """`pid` and every process descended from it (read from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def kill_all(process: subprocess.Popen[bytes]) -> None:
    """kill -9 a process and all it started, at once, as when its host or container dies."""
    for pid in family(process.pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    process.wait(timeout=10)


def stop(process: subprocess.Popen[bytes]) -> int:
    """SIGTERM, as systemd or Docker stop a service; the exit status."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        kill_all(process)
        return -9
