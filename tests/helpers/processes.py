"""Real processes for tests (`sprocket`, or a program of the machine such as Prometheus):
started with settings in their environment, waited for by polling with generous deadlines,
stopped by signal."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

SPROCKET = str(Path(sys.executable).with_name("sprocket"))


def free_port() -> int:
    """A TCP port nothing listens on now (the OS picks it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Process:
    """A running command (``args``: the program's name and arguments), its output in ``log``."""

    args: list[str]
    env: dict[str, str]
    log: Path
    popen: subprocess.Popen[bytes]

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def signal(self, number: int) -> None:
        self.popen.send_signal(number)

    def stop(self, deadline: float = 60) -> int:
        """SIGTERM, then wait up to ``deadline`` seconds (SIGKILL after that); the exit status."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(deadline)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        return self.popen.returncode


def start(args: list[str], *, env: dict[str, str], log: Path, program: str = SPROCKET) -> Process:
    """Start ``program <args>`` (``sprocket`` unless told) with ``env`` over this process's
    environment, its output (both streams) appended to ``log``."""
    command = [program, *args]
    with log.open("ab") as output:
        popen = subprocess.Popen(
            command, env={**os.environ, **env}, stdout=output, stderr=subprocess.STDOUT
        )
    return Process(command, env, log, popen)


def wait_until_answering(process: Process, url: str, deadline: float = 90) -> None:
    """Poll ``url`` until it answers 200; fails with the process's log when it exits first or
    ``deadline`` seconds pass."""
    until = time.monotonic() + deadline
    while time.monotonic() < until:
        if process.popen.poll() is not None:
            raise AssertionError(
                f"{process.args} exited ({process.popen.returncode}):\n{process.tail()}"
            )
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {deadline} s:\n{process.tail()}")


def children(pid: int) -> list[int]:
    """The ids of the processes ``pid`` started (Linux /proc)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found.extend(int(child) for child in text)
    return found
