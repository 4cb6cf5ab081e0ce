"""Logger, Tracer and Metrics, created once per container and shared by every module."""

from __future__ import annotations

import os
import threading
import warnings
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.metrics.functions import is_metrics_disabled

logger = Logger()
metrics = Metrics()


class MetricName:
    """The business metrics the platform emits (namespace POWERTOOLS_METRICS_NAMESPACE, dimension `service`).
    template.yaml's alarms and dashboard name them; tests/unit/test_template_operations.py checks they exist here."""

    UNHANDLED_ERRORS = "UnhandledErrors"  # an API function answered 500 for an exception it did not expect
    RATE_LIMITED = "RateLimited"  # a 429 the platform answered (per-caller windows, login throttles)
    LOGIN_FAILURES = "LoginFailures"  # a login refused for a wrong email or password
    WEBHOOK_DELIVERED = "WebhookDeliverySucceeded"  # an attempt the endpoint accepted (2xx)
    WEBHOOK_ATTEMPT_FAILED = "WebhookDeliveryFailed"  # an attempt that failed (any reason)
    WEBHOOK_RETRY_SCHEDULED = "WebhookDeliveryRetried"  # a failed attempt with another one scheduled
    WEBHOOK_DEAD_LETTERED = "WebhookDeliveryDeadLettered"  # the last attempt failed: the message went to the DLQ


_metrics_lock = threading.Lock()


def count(name: str, value: int = 1) -> None:
    """Add to a metric of the current invocation (flushed by the handler's `metrics.log_metrics`). Safe from the
    threads a webhook delivery batch runs its attempts on. Where metrics are off (tests, the local stack) nothing
    is kept: Powertools would hold every value of a disabled flush for the life of the process."""
    if is_metrics_disabled():
        return
    with _metrics_lock:
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)


def log_metrics(handler: Callable[..., Any]) -> Callable[..., Any]:
    """Powertools' `log_metrics` for a Lambda handler: flushes the invocation's metrics and counts cold starts
    (`ColdStart`, dimensions function_name and service). Powertools prints the cold start even where metrics are
    off, so it is asked for only where they are on."""
    return metrics.log_metrics(handler, capture_cold_start_metric=not is_metrics_disabled())


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
