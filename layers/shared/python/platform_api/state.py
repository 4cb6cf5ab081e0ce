"""Per-invocation request state that the response finaliser reads (request id, rate-limit headers).

A context variable rather than a module global so that threaded callers (tests, the local stack's
in-process `invoke`) never see each other's state.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any


@dataclass
class RequestState:
    request_id: str = ""
    event: Any = None  # the raw API Gateway event being served
    principal: Any = None
    actor: Any = None  # domain.tenancy.Actor, for routes declared with http.tenant_route
    response_headers: dict[str, str] = field(default_factory=dict)


_current: ContextVar[RequestState] = ContextVar("request_state")


def begin(request_id: str) -> RequestState:
    state = RequestState(request_id=request_id)
    _current.set(state)
    return state


def current() -> RequestState:
    try:
        return _current.get()
    except LookupError:
        return begin("")
