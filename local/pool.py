"""A pool of warm workers per function, grown on demand up to a concurrency limit (like Lambda scaling)."""

from __future__ import annotations

import os
import threading
from dataclasses import asdict
from typing import Any

from local.template import FunctionSpec
from local.worker import Worker


class FunctionPool:
    def __init__(self, spec: FunctionSpec, base_environment: dict[str, str], max_workers: int | None = None):
        self.spec = spec
        self.max_workers = max_workers or int(os.environ.get("LOCAL_FUNCTION_CONCURRENCY", "4"))
        self._payload = {
            **{k: v for k, v in asdict(spec).items() if k in ("logical_id", "handler", "timeout", "memory")},
            "code_dir": str(spec.code_dir),
            "layer_dirs": [str(p) for p in spec.layer_dirs],
            "environment": {**base_environment, **spec.environment},
        }
        self._idle: list[Worker] = []
        self._count = 0
        self._lock = threading.Condition()

    def _acquire(self) -> Worker:
        with self._lock:
            while not self._idle and self._count >= self.max_workers:
                self._lock.wait()
            if self._idle:
                return self._idle.pop()
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

    def invoke(self, event: dict[str, Any]) -> dict[str, Any]:
        """Returns {"result": ...} or {"error": ..., "trace": ...} as Lambda's Invoke would."""
        worker = self._acquire()
        outcome: dict[str, Any] = {"error": "invocation failed", "trace": ""}
        try:
            outcome = worker.invoke(event)
            return outcome
        finally:
            healthy = worker.process.is_alive() and outcome.get("error") != "Task timed out"
            self._release(worker, healthy)

    def close(self) -> None:
        with self._lock:
            workers, self._idle = self._idle, []
        for worker in workers:
            worker.close()
