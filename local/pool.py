"""A pool of warm workers per function, grown on demand up to a concurrency limit (like Lambda scaling)."""

from __future__ import annotations

import os
import threading
from dataclasses import asdict
from typing import Any

from local.template import FunctionSpec
from local.worker import IPC_SLACK_SECONDS, Worker

# Outcomes after which the container is gone, and a new one starts for the next invocation.
_FATAL = ("Task timed out", "Runtime exited without providing a reason")


def _timeout_caps() -> dict[str, int]:
    """LOCAL_TIMEOUT_CAPS="ResourcesFunction=3,...": shorter Timeouts (never longer) for named functions. Fault
    tests use it so that a key held by a killed invocation frees in seconds, as after that Lambda timeout;
    per function, because others (webhook delivery) plan their work by the time they have left."""
    caps = {}
    for entry in filter(None, (os.environ.get("LOCAL_TIMEOUT_CAPS") or "").split(",")):
        name, _, seconds = entry.partition("=")
        caps[name.strip()] = int(seconds)
    return caps


class FunctionPool:
    def __init__(self, spec: FunctionSpec, base_environment: dict[str, str], max_workers: int | None = None):
        self.spec = spec
        self.max_workers = max_workers or int(os.environ.get("LOCAL_FUNCTION_CONCURRENCY", "4"))
        self._payload = {
            **{k: v for k, v in asdict(spec).items() if k in ("logical_id", "handler", "timeout", "memory")},
            "timeout": min(spec.timeout, _timeout_caps().get(spec.logical_id, spec.timeout)),
            "code_dir": str(spec.code_dir),
            "layer_dirs": [str(p) for p in spec.layer_dirs],
            "environment": {**base_environment, **spec.environment},
        }
        self._idle: list[Worker] = []
        self._count = 0
        self._lock = threading.Condition()

    def _acquire(self) -> Worker:
        with self._lock:
            while True:
                while self._idle and not self._idle[-1].process.is_alive():
                    self._idle.pop()  # a container that died while idle is replaced, as Lambda starts a new one
                    self._count -= 1
                if self._idle:
                    return self._idle.pop()
                if self._count < self.max_workers:
                    break
                self._lock.wait()
            self._count += 1
        try:
            return Worker(self._payload)
        except Exception:
            with self._lock:
                self._count -= 1
                self._lock.notify()
            raise

    def _release(self, worker: Worker, healthy: bool) -> None:
        with self._lock:
            if healthy:
                self._idle.append(worker)
            else:
                self._count -= 1
            self._lock.notify()

    def invoke(self, event: dict[str, Any], answer_within: float | None = None) -> dict[str, Any]:
        """Returns {"result": ...} or {"error": ..., "trace": ...} as Lambda's Invoke would.

        With `answer_within` shorter than the function's Timeout (API Gateway's 29 s integration limit), the
        caller gets {"error": "Endpoint request timed out", "pending": True} then, and the function runs on
        to its own end in the background, as it does on AWS.
        """
        worker = self._acquire()
        outcome = worker.send(event)
        if outcome is not None:
            self._release(worker, healthy=False)
            return outcome
        limit = worker.timeout + IPC_SLACK_SECONDS
        if answer_within is None or answer_within >= limit:
            outcome = worker.wait(limit) or worker.timed_out()
            self._finish(worker, outcome)
            return outcome
        outcome = worker.wait(answer_within)
        if outcome is not None:
            self._finish(worker, outcome)
            return outcome

        def run_on() -> None:
            self._finish(worker, worker.wait(limit - answer_within) or worker.timed_out())

        threading.Thread(target=run_on, daemon=True, name=f"{self.spec.logical_id}:run-on").start()
        return {"error": "Endpoint request timed out", "pending": True, "trace": ""}

    def _finish(self, worker: Worker, outcome: dict[str, Any]) -> None:
        healthy = worker.process.is_alive() and outcome.get("error") not in _FATAL
        if not healthy:
            worker.close()
        self._release(worker, healthy)

    def close(self) -> None:
        with self._lock:
            workers, self._idle = self._idle, []
        for worker in workers:
            worker.close()
