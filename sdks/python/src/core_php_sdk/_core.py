"""The hand-written core every generated method calls: one HTTP request with auth, tenant headers, an
Idempotency-Key, retries with backoff, the error envelope, the data envelope, and list pagination."""

from __future__ import annotations

import email.utils
import random
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar
from urllib.parse import quote

import requests

from ._base import NOT_GIVEN, ApiModel
from ._errors import ApiConnectionError, ApiError, ApiTimeoutError, RateLimitError, error_class
from ._generated.models import ListLinks, ListMeta
from ._version import __version__

DEFAULT_BASE_URL = "http://127.0.0.1:3000"
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_RETRIES = 3
DEFAULT_MAX_RETRY_WAIT = 60.0
BACKOFF_BASE = 0.5
BACKOFF_CAP = 8.0
USER_AGENT = f"core-php-sdk-python/{__version__}"
TENANT_HEADERS = {"workspace_id": "X-Workspace-ID", "namespace_id": "X-Namespace-ID"}

M = TypeVar("M", bound=ApiModel)


@dataclass(frozen=True)
class Route:
    """One operation of the API, as the generated code describes it to the core."""

    operation_id: str
    http_method: str
    path: str
    replayable: bool = False  # sends an Idempotency-Key, so a retry never repeats the work
    auth: bool = True  # sends the API key or access token
    # The tenant headers it accepts: "workspace_id" (X-Workspace-ID), "namespace_id" (X-Namespace-ID); a route
    # whose path names the workspace or namespace leaves that one out, so a client default never contradicts it.
    tenant: tuple[str, ...] = ()


@dataclass(frozen=True)
class RateLimit:
    """The ``X-RateLimit-*`` headers of the latest answer: the window closest to exhaustion."""

    limit: int | None
    remaining: int | None
    reset: int | None  # epoch seconds

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> RateLimit | None:
        values = [_int(headers.get(f"X-RateLimit-{name}")) for name in ("Limit", "Remaining", "Reset")]
        return cls(*values) if any(v is not None for v in values) else None


def _int(text: str | None) -> int | None:
    try:
        return int(float(text)) if text is not None else None
    except ValueError:
        return None


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """``Retry-After`` in seconds: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def jsonable(value: Any) -> Any:
    """Request values as JSON: models as their fields, datetimes in ISO 8601, NOT_GIVEN left out."""
    if isinstance(value, ApiModel):
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items() if v is not NOT_GIVEN}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def body_of(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON body of the given fields (those left NOT_GIVEN are omitted)."""
    return {name: jsonable(value) for name, value in fields.items() if value is not NOT_GIVEN}


def query_of(params: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Query parameters: None and NOT_GIVEN left out, booleans as true/false, sequences comma-joined."""
    pairs: list[tuple[str, str]] = []
    for name, value in params.items():
        if value is None or value is NOT_GIVEN:
            continue
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, datetime | date):
            text = value.isoformat()
        elif isinstance(value, list | tuple | set | frozenset):
            text = ",".join(str(v) for v in value)
        else:
            text = str(value)
        pairs.append((name, text))
    return pairs


class Page(Generic[M]):
    """One page of a list: ``data`` (models), ``meta`` (``next_cursor``, ``total``, ...), ``links``."""

    def __init__(self, data: list[M], meta: ListMeta, links: ListLinks | None, raw: dict[str, Any]) -> None:
        self.data = data
        self.meta = meta
        self.links = links
        self.raw = raw

    @property
    def next_cursor(self) -> str | None:
        cursor = getattr(self.meta, "next_cursor", None)
        return cursor if isinstance(cursor, str) and cursor else None

    def __iter__(self) -> Iterator[M]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        return f"Page({len(self.data)} items, next_cursor={self.next_cursor!r})"


class ListIterator(Generic[M]):
    """What ``list(...)`` returns: iterating it yields every item of every page, following ``meta.next_cursor``.

    The first page is fetched at once (so errors surface at the call): ``first_page``, ``meta``, ``links`` and
    ``data`` are that page's; :meth:`pages` yields page after page.
    """

    def __init__(self, fetch: Callable[[str | None], Page[M]]) -> None:
        self._fetch = fetch
        self.first_page: Page[M] = fetch(None)

    @property
    def meta(self) -> ListMeta:
        return self.first_page.meta

    @property
    def links(self) -> ListLinks | None:
        return self.first_page.links

    @property
    def data(self) -> list[M]:
        return self.first_page.data

    def pages(self) -> Iterator[Page[M]]:
        page = self.first_page
        seen: set[str] = set()
        while True:
            yield page
            cursor = page.next_cursor
            if cursor is None or cursor in seen:
                return
            seen.add(cursor)
            page = self._fetch(cursor)

    def __iter__(self) -> Iterator[M]:
        for page in self.pages():
            yield from page.data

    def to_list(self) -> list[M]:
        return list(self)


class BaseClient:
    """Transport, credentials and retry policy; the generated groups hang off :class:`core_php_sdk.Client`."""

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        workspace_id: str | None = None,
        namespace_id: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        max_retry_wait: float = DEFAULT_MAX_RETRY_WAIT,
        backoff_base: float = BACKOFF_BASE,
        backoff_cap: float = BACKOFF_CAP,
        default_headers: Mapping[str, str] | None = None,
        session: requests.Session | None = None,
    ) -> None:
        self.api_key = api_key
        self.base_url = _normalise_base_url(base_url or DEFAULT_BASE_URL)
        self.workspace_id = workspace_id
        self.namespace_id = namespace_id
        self.timeout = timeout
        self.max_retries = max(0, max_retries)
        self.max_retry_wait = max_retry_wait
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.default_headers = dict(default_headers or {})
        self._owns_session = session is None
        self.session = session or requests.Session()
        self.rate_limit: RateLimit | None = None  # from the latest answer
        self.last_request_id: str | None = None
        self._sleep: Callable[[float], None] = time.sleep
        self._random: Callable[[float, float], float] = random.SystemRandom().uniform
        self._attach_groups()

    def _attach_groups(self) -> None:
        """Where :class:`core_php_sdk.Client` hangs its generated groups (``client.resources``, ...)."""

    # ------------------------------------------------------------------------------------------ lifecycle
    def close(self) -> None:
        if self._owns_session:
            self.session.close()

    def __enter__(self) -> BaseClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, authenticated={self.api_key is not None})"

    # ------------------------------------------------------------------------------------------- retries
    def backoff(self, attempt: int) -> float:
        """Exponential backoff with full jitter: uniform(0, min(cap, base * 2**attempt))."""
        return self._random(0.0, min(self.backoff_cap, self.backoff_base * (2**attempt)))

    @staticmethod
    def _retryable(route: Route, status: int, code: str | None) -> bool:
        if status == 429:  # refused before any work: safe for every route
            return True
        safe = route.http_method == "GET" or route.replayable
        if status == 409 and code == "idempotency_key_in_use":  # our own earlier attempt still runs
            return safe
        return safe and status >= 500

    # ------------------------------------------------------------------------------------------- calling
    def _headers(
        self,
        route: Route,
        idempotency_key: str | None,
        tenant: Mapping[str, str | None],
        extra: Mapping[str, str] | None,
    ) -> dict[str, str]:
        headers = {"Accept": "application/json", "User-Agent": USER_AGENT, **self.default_headers}
        if route.auth and self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        defaults = {"workspace_id": self.workspace_id, "namespace_id": self.namespace_id}
        for name in route.tenant:
            value = tenant.get(name) or defaults.get(name)
            if value:
                headers[TENANT_HEADERS[name]] = value
        if route.replayable:
            headers["Idempotency-Key"] = idempotency_key or str(uuid.uuid4())  # one key for every attempt
        headers.update(extra or {})
        return headers

    def _call(
        self,
        route: Route,
        path_params: Sequence[str] = (),
        *,
        query: Sequence[tuple[str, str]] = (),
        body: Mapping[str, Any] | None = None,
        tenant: Mapping[str, str | None] | None = None,
        idempotency_key: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> Any:
        """Send one operation, retrying as the policy allows; the decoded JSON body, or None for 204."""
        url = self.base_url + _fill_path(route.path, path_params)
        headers = self._headers(route, idempotency_key, tenant or {}, extra_headers)
        safe = route.http_method == "GET" or route.replayable
        attempt = 0
        while True:
            try:
                response = self.session.request(
                    route.http_method,
                    url,
                    params=list(query) or None,
                    json=body,
                    headers=headers,
                    timeout=timeout if timeout is not None else self.timeout,
                )
            except requests.RequestException as exc:
                # Without an answer, only a request that cannot do its work twice is sent again; a connect
                # timeout never reached the server at all.
                again = safe or isinstance(exc, requests.ConnectTimeout)
                if again and attempt < self.max_retries:
                    self._sleep(self.backoff(attempt))
                    attempt += 1
                    continue
                kind = ApiTimeoutError if isinstance(exc, requests.Timeout) else ApiConnectionError
                raise kind(f"{route.http_method} {route.path}: {exc}") from exc
            self.rate_limit = RateLimit.from_headers(response.headers) or self.rate_limit
            self.last_request_id = response.headers.get("X-Request-Id") or self.last_request_id
            if response.status_code < 400:
                return _decode(response)
            error = self._error(response)
            if not self._retryable(route, response.status_code, error.code) or attempt >= self.max_retries:
                raise error
            wait = parse_retry_after(response.headers.get("Retry-After"))
            if wait is None and isinstance(error, RateLimitError):
                wait = error.retry_after
            if wait is not None and wait > self.max_retry_wait:
                raise error  # longer than the caller agreed to wait: let them decide (error.retry_after)
            self._sleep(wait if wait is not None else self.backoff(attempt))
            attempt += 1

    def _error(self, response: requests.Response) -> ApiError:
        try:
            body: Any = response.json()
        except ValueError:
            body = response.text
        envelope = body.get("error") if isinstance(body, dict) else None
        envelope = envelope if isinstance(envelope, dict) else {}
        status = response.status_code
        message = envelope.get("message") or response.reason or f"HTTP {status}"
        kwargs: dict[str, Any] = {
            "status": status,
            "code": envelope.get("code"),
            "details": envelope.get("details"),
            "request_id": envelope.get("request_id") or response.headers.get("X-Request-Id"),
            "body": body,
            "headers": response.headers,
        }
        cls = error_class(status)
        if cls is RateLimitError:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            if retry_after is None and isinstance(envelope.get("retry_after"), int | float):
                retry_after = float(envelope["retry_after"])
            limits = RateLimit.from_headers(response.headers)
            if retry_after is None and limits and limits.reset is not None:
                retry_after = max(0.0, limits.reset - time.time())  # epoch seconds, not milliseconds
            return RateLimitError(
                message,
                retry_after=retry_after,
                reset=limits.reset if limits else None,
                limit=limits.limit if limits else None,
                remaining=limits.remaining if limits else None,
                **kwargs,
            )
        return cls(message, **kwargs)

    def _request(
        self,
        route: Route,
        path_params: Sequence[str] = (),
        *,
        model: type[ApiModel] | None = None,
        unwrap: bool = False,
        **options: Any,
    ) -> Any:
        """One call whose answer becomes a model (``unwrap``: the envelope's ``data``), a list of them, or None."""
        payload = self._call(route, path_params, **options)
        if payload is None:
            return None
        if unwrap and isinstance(payload, dict) and "data" in payload:
            payload = payload["data"]
        if model is None:
            return payload
        if isinstance(payload, list):
            return [model.from_api(item) for item in payload]
        return model.from_api(payload)

    def _page_fetcher(
        self,
        route: Route,
        path_params: Sequence[str] = (),
        *,
        model: type[M],
        meta_model: type[ListMeta],
        links_model: type[ListLinks],
        query: Sequence[tuple[str, str]] = (),
        **options: Any,
    ) -> Callable[[str | None], Page[M]]:
        """Fetches one page of a list: the first (None), or the one a ``cursor`` names (sent without ``page``)."""

        def fetch(cursor: str | None) -> Page[M]:
            params = list(query)
            if cursor is not None:
                params = [(k, v) for k, v in params if k not in ("page", "cursor")] + [("cursor", cursor)]
            payload = self._call(route, path_params, query=params, **options) or {}
            items = payload.get("data") or []
            return Page(
                [model.from_api(item) for item in items],
                meta_model.from_api(payload.get("meta") or {}),
                links_model.from_api(payload["links"]) if isinstance(payload.get("links"), dict) else None,
                payload,
            )

        return fetch

    def _list(
        self,
        route: Route,
        path_params: Sequence[str] = (),
        *,
        model: type[M],
        meta_model: type[ListMeta],
        links_model: type[ListLinks],
        query: Sequence[tuple[str, str]] = (),
        **options: Any,
    ) -> ListIterator[M]:
        """A list call: the first page now, the following ones by ``cursor`` as iterated."""
        fetch = self._page_fetcher(
            route, path_params, model=model, meta_model=meta_model, links_model=links_model, query=query, **options
        )
        return ListIterator(fetch)


def _normalise_base_url(url: str) -> str:
    """``https://host``, ``https://host/api`` or ``https://host/api/v1`` all work: routes carry ``/v1``."""
    url = url.rstrip("/")
    return url.removesuffix("/v1")


def _fill_path(path: str, params: Sequence[str]) -> str:
    parts = path.split("{")
    out = parts[0]
    values = iter(params)
    for part in parts[1:]:
        _, _, rest = part.partition("}")
        value = next(values, None)
        if value is None or value == "":
            raise ValueError(f"{path}: every path parameter needs a non-empty value")
        out += quote(str(value), safe="") + rest
    return out


def _decode(response: requests.Response) -> Any:
    if response.status_code == 204 or not response.content:
        return None
    try:
        return response.json()
    except ValueError as exc:
        raise ApiError(
            "The API answered with a body that is not JSON",
            status=response.status_code,
            code="invalid_response",
            body=response.text,
            headers=response.headers,
            request_id=response.headers.get("X-Request-Id"),
        ) from exc
