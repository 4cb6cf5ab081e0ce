"""One warm "Lambda container": a process that imports a function's handler once and serves invocations.

Each function runs in processes of its own, as on Lambda: Powertools keeps the current event on a class
attribute, so two functions (or two requests) must never share an interpreter at the same time.
"""

from __future__ import annotations

import contextlib
import importlib
import multiprocessing
import os
import sys
import time
import traceback
import uuid
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

IPC_SLACK_SECONDS = 0.5  # the pipe's hand-off, on top of the function's own Timeout


@dataclass
class LambdaContext:
    function_name: str
    memory_limit_in_mb: int
    timeout_seconds: int
    aws_request_id: str = ""
    function_version: str = "$LATEST"
    log_group_name: str = "local"
    log_stream_name: str = "local"

    def __post_init__(self) -> None:
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{self.function_name}"
        self._deadline = time.monotonic() + self.timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def load_handler(code_dir: str, handler: str, layer_dirs: list[str], environment: dict[str, str]) -> Any:
    os.environ.update(environment)
    for path in reversed([code_dir, *layer_dirs]):
        if path not in sys.path:
            sys.path.insert(0, path)
    module_name, function_name = handler.rsplit(".", 1)
    module = importlib.import_module(module_name)
    return getattr(module, function_name)


def _serve(conn: Connection, spec: dict[str, Any]) -> None:
    from local import aws_calls

    aws_calls.install(spec["logical_id"])  # under `make test` only (AWS_CALLS_DIR): this process's AWS requests
    handler = load_handler(spec["code_dir"], spec["handler"], spec["layer_dirs"], spec["environment"])
    conn.send({"ready": True})
    while True:
        try:
            event = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        if event is None:
            return
        context = LambdaContext(spec["logical_id"], spec["memory"], spec["timeout"], str(uuid.uuid4()))
        try:
            conn.send({"result": handler(event, context)})
        except Exception as exc:  # the function crashed: Lambda reports it as an invocation error
            conn.send({"error": repr(exc), "trace": traceback.format_exc()})


def _name_process(logical_id: str) -> None:
    """Show the function in `ps` and /proc/<pid>/comm (Linux keeps 15 characters), so that a person or a
    fault test can find the containers of one function and kill them."""
    with contextlib.suppress(OSError):
        Path("/proc/self/comm").write_text(logical_id[:15])


def _entry(conn: Connection, spec: dict[str, Any]) -> None:
    _name_process(spec["logical_id"])
    try:
        _serve(conn, spec)
    except KeyboardInterrupt:
        pass
    except Exception:
        conn.send({"error": "init failed", "trace": traceback.format_exc()})


class Worker:
    def __init__(self, spec: dict[str, Any]):
        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_entry, args=(child, spec), daemon=True, name=spec["logical_id"])
        self.process.start()
        self.timeout = spec["timeout"]
        first = self.conn.recv()
        if "error" in first:
            self.close()
            raise RuntimeError(f"{spec['logical_id']} failed to initialise:\n{first['trace']}")

    def send(self, event: dict[str, Any]) -> dict[str, Any] | None:
        """Hand the event over; an error outcome when the process is gone (killed between invocations)."""
        try:
            self.conn.send(event)
        except (OSError, BrokenPipeError):
            return {"error": "Runtime exited without providing a reason", "trace": ""}
        return None

    def wait(self, seconds: float) -> dict[str, Any] | None:
        """The outcome, or None if the function is still running after `seconds`."""
        try:
            if not self.conn.poll(max(0.0, seconds)):
                return None
            return self.conn.recv()
        except (EOFError, OSError):  # the process died mid-invocation (OOM, kill -9)
            return {"error": "Runtime exited without providing a reason", "trace": ""}

    def invoke(self, event: dict[str, Any]) -> dict[str, Any]:
        """Lambda's synchronous invoke: the outcome, or a timeout once the function's Timeout has passed."""
        return self.send(event) or self.wait(self.timeout + IPC_SLACK_SECONDS) or self.timed_out()

    def timed_out(self) -> dict[str, Any]:
        self.close()
        return {"error": "Task timed out", "trace": f"Task timed out after {self.timeout:.2f} seconds"}

    def close(self) -> None:
        with contextlib.suppress(OSError, BrokenPipeError):
            self.conn.send(None)
        self.process.join(timeout=2)
        if self.process.is_alive():
            self.process.kill()
