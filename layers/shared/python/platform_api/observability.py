"""Logger, Tracer and Metrics, created once per container and shared by every module."""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics

logger = Logger()
metrics = Metrics()

# A request that records no business metric is normal; Powertools would warn on every such flush.
warnings.filterwarnings("ignore", message="No application metrics to publish", category=UserWarning)


def tracing_enabled() -> bool:
    return os.environ.get("POWERTOOLS_TRACE_DISABLED", "false").strip().lower() not in ("1", "true")


class _OptionalTracer:
    """Powertools' Tracer, built only when detailed tracing is on (template parameter DetailedTracing).

    Creating a Tracer imports the X-Ray SDK (about 0.4 s of cold start, measured in docs/performance.md),
    even when it is disabled. Lambda's active tracing still records every invocation's segment without it;
    the SDK adds per-call subsegments (DynamoDB, SQS) when a team turns DetailedTracing on.
    """

    def __init__(self) -> None:
        self._tracer: Any = None

    @property
    def enabled(self) -> bool:
        return tracing_enabled()

    def _get(self) -> Any:
        if self._tracer is None:
            from aws_lambda_powertools import Tracer

            self._tracer = Tracer()
        return self._tracer

    def capture_lambda_handler(self, handler: Callable[..., Any]) -> Callable[..., Any]:
        return self._get().capture_lambda_handler(handler) if self.enabled else handler

    def capture_method(self, method: Callable[..., Any]) -> Callable[..., Any]:
        return self._get().capture_method(method) if self.enabled else method


tracer = _OptionalTracer()
