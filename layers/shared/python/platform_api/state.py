"""Per-invocation request state that the response finaliser reads (request id, rate-limit headers).

A context variable rather than a module global so that threaded callers (tests, the local stack's
in-process `invoke`) never see each other's state.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar, copy_context
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")


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


def map_in_threads(function: Callable[[T], R], items: Sequence[T], max_workers: int) -> list[R]:
    """`function` over `items`, up to `max_workers` at a time, results in order. Each call runs in a copy of the
    caller's context: it is the same invocation's work (its request state, the AWS call recorder's attribution),
    and what it sets there stays in its copy."""
    caller = copy_context()
    with ThreadPoolExecutor(max_workers=max(1, min(max_workers, len(items)))) as pool:
        return list(pool.map(lambda item: caller.copy().run(function, item), items))
