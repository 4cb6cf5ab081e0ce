"""Start `python -m local run` as a child process and wait until it answers: for tests and benchmarks that need
the whole stack over HTTP, several times, with their own environment and data folder."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from local.aws import free_port
from local.template import ROOT

# Every caller registers from 127.0.0.1: lift the per-IP sign-up and login guards for such a stack only.
TEST_ENVIRONMENT = {
    "WEBHOOK_ALLOW_LOOPBACK": "true",
    "PYTHONUNBUFFERED": "1",
    "REGISTRATIONS_PER_IP_PER_HOUR": "100000",
    "LOGIN_ATTEMPTS_PER_IP_PER_MINUTE": "100000",
    "ANONYMOUS_REQUESTS_PER_IP_PER_MINUTE": "100000",
    "ANONYMOUS_REQUESTS_PER_IP_PER_HOUR": "1000000",
}


@dataclass
class RunningStack:
    url: str
    process: subprocess.Popen
    log_path: Path
    moto_url: str

    def rss_bytes(self, with_children: bool = False) -> int:
        """Resident memory of the stack process (the server and the embedded backend), optionally with its
        function workers."""
        pids = [self.process.pid]
        if with_children:
            pids += _children(self.process.pid)
        return sum(_rss(pid) for pid in pids)

    def stop(self, kill: bool = False) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if kill:  # a killed stack leaves its function workers behind, as a crashed laptop would not
            for pid in _children(self.process.pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)


def _rss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _children(pid: int) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            for line in status.read_text().splitlines():
                if line.startswith("PPid:") and int(line.split()[1]) == pid:
                    found.append(int(status.parent.name))
                    break
        except (OSError, ValueError):
            continue
    return found


def start(data_dir: Path, log_path: Path, environment: dict[str, str] | None = None) -> RunningStack:
    port, moto_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("AWS_ENDPOINT_URL", "DYNAMODB_ENDPOINT_URL", "RESET")}
    env.update(TEST_ENVIRONMENT)
    env.update({"PORT": str(port), "LOCAL_DATA_DIR": str(data_dir)})
    env.update(environment or {})
    with open(log_path, "a") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "local", "run", "--port", str(port), "--moto-port", str(moto_port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    stack = RunningStack(f"http://127.0.0.1:{port}", process, log_path, f"http://127.0.0.1:{moto_port}")
    _wait_until_ready(stack)
    return stack


def _wait_until_ready(stack: RunningStack, seconds: float = 90) -> None:
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if stack.process.poll() is not None:
            raise RuntimeError(f"local stack exited:\n{stack.log_path.read_text()[-5000:]}")
        try:
            with urllib.request.urlopen(f"{stack.url}/v1/health", timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    stack.stop(kill=True)
    raise RuntimeError(f"local stack did not start:\n{stack.log_path.read_text()[-5000:]}")


@contextlib.contextmanager
def running(data_dir: Path, log_path: Path, environment: dict[str, str] | None = None) -> Iterator[RunningStack]:
    stack = start(data_dir, log_path, environment)
    try:
        yield stack
    finally:
        stack.stop()
