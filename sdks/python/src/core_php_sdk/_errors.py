"""One exception family for every failed call: :class:`ApiError` and a subclass per status family."""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any


class ApiError(Exception):
    """A call the API refused (or that never got an answer: :class:`ApiConnectionError`).

    ``status`` is the HTTP status (``None`` when there was no response); ``code``, ``message``, ``details`` and
    ``request_id`` come from the error envelope ``{"error": {...}}``; ``body`` and ``headers`` are the raw answer.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        details: Any = None,
        request_id: str | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.details = details if details is not None else {}
        self.request_id = request_id
        self.body = body
        self.headers: dict[str, str] = dict(headers or {})

    def __str__(self) -> str:
        parts = [str(self.status) if self.status is not None else "no response"]
        if self.code:
            parts.append(self.code)
        text = f"[{' '.join(parts)}] {self.message}"
        if self.details:
            text += f" {self.details}"
        if self.request_id:
            text += f" (request {self.request_id})"
        return text


class ApiConnectionError(ApiError):
    """The request failed before an answer arrived (connection refused or reset, DNS, timeout), after retries."""


class ApiTimeoutError(ApiConnectionError):
    """The request timed out, after retries."""


class ValidationError(ApiError):
    """400 ``invalid_request`` or 422 (``idempotency_key_mismatch``): ``details`` maps fields to messages."""


class AuthenticationError(ApiError):
    """401: missing, invalid, expired or revoked credentials."""


class PermissionDeniedError(ApiError):
    """403: a missing scope, too low a role, or an exceeded entitlement (``code`` ``limit_exceeded``)."""


class NotFoundError(ApiError):
    """404: no such object, or another tenant's."""


class ConflictError(ApiError):
    """409: a duplicate, a concurrent change, or an Idempotency-Key whose first request still runs."""


class RateLimitError(ApiError):
    """429: a rate-limit window is full.

    ``retry_after`` is the number of seconds to wait (``Retry-After``), ``reset`` the epoch second the window
    resets (``X-RateLimit-Reset``), ``limit``/``remaining`` that window's size and what is left of it.
    """

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        reset: int | None = None,
        limit: int | None = None,
        remaining: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after
        self.reset = reset
        self.limit = limit
        self.remaining = remaining

    @property
    def reset_at(self) -> datetime | None:
        """``reset`` as an aware datetime (epoch *seconds*, not milliseconds)."""
        return datetime.fromtimestamp(self.reset, UTC) if self.reset is not None else None

    def seconds_until_reset(self, now: float | None = None) -> float | None:
        if self.reset is None:
            return None
        return max(0.0, self.reset - (time.time() if now is None else now))


class ServerError(ApiError):
    """5xx: the API failed; retried automatically before it reaches you."""


def error_class(status: int) -> type[ApiError]:
    if status in (400, 422):
        return ValidationError
    if status >= 500:
        return ServerError
    return {401: AuthenticationError, 403: PermissionDeniedError, 404: NotFoundError, 409: ConflictError}.get(
        status, RateLimitError if status == 429 else ApiError
    )
