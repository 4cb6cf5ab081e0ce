"""The asyncio flavour: the same transport and retry policy as the sync client, each call run in a worker thread
(``asyncio.to_thread``), so the event loop never blocks and no other HTTP library is needed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Sequence
from typing import Any, Generic

from ._core import BaseClient, M, Page, RateLimit, Route
from ._generated.models import ListLinks, ListMeta


class AsyncListIterator(Generic[M]):
    """What an async ``list(...)`` returns: ``await`` it for the first page, ``async for`` it for every item of
    every page (following ``meta.next_cursor``), or ``async for page in it.pages()``."""

    def __init__(self, fetch: Callable[[str | None], Awaitable[Page[M]]]) -> None:
        self._fetch = fetch
        self._first: Page[M] | None = None

    async def first_page(self) -> Page[M]:
        if self._first is None:
            self._first = await self._fetch(None)
        return self._first

    def __await__(self) -> Generator[Any, None, Page[M]]:
        return self.first_page().__await__()

    async def pages(self) -> AsyncIterator[Page[M]]:
        page = await self.first_page()
        seen: set[str] = set()
        while True:
            yield page
            cursor = page.next_cursor
            if cursor is None or cursor in seen:
                return
            seen.add(cursor)
            page = await self._fetch(cursor)

    async def _items(self) -> AsyncIterator[M]:
        async for page in self.pages():
            for item in page.data:
                yield item

    def __aiter__(self) -> AsyncIterator[M]:
        return self._items()

    async def to_list(self) -> list[M]:
        return [item async for item in self]


class AsyncBaseClient:
    """Holds a sync :class:`BaseClient` (its settings, session and retry policy) and awaits its calls."""

    def __init__(self, api_key: str | None = None, **options: Any) -> None:
        self._sync = BaseClient(api_key, **options)

    @property
    def sync(self) -> BaseClient:
        """The underlying transport (its settings: ``api_key``, ``base_url``, ``max_retries``, ...)."""
        return self._sync

    @property
    def api_key(self) -> str | None:
        return self._sync.api_key

    @property
    def base_url(self) -> str:
        return self._sync.base_url

    @property
    def rate_limit(self) -> RateLimit | None:
        return self._sync.rate_limit

    async def _request(self, route: Route, path_params: Sequence[str] = (), **options: Any) -> Any:
        return await asyncio.to_thread(self._sync._request, route, path_params, **options)

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
    ) -> AsyncListIterator[M]:
        fetch = self._sync._page_fetcher(
            route, path_params, model=model, meta_model=meta_model, links_model=links_model, query=query, **options
        )

        async def fetch_async(cursor: str | None) -> Page[M]:
            return await asyncio.to_thread(fetch, cursor)

        return AsyncListIterator(fetch_async)

    async def aclose(self) -> None:
        self._sync.close()

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, authenticated={self.api_key is not None})"
