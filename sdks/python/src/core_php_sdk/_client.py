"""The client: the hand-written core plus the generated endpoint groups."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests

from ._async import AsyncBaseClient
from ._core import (
    BACKOFF_BASE,
    BACKOFF_CAP,
    DEFAULT_MAX_RETRIES,
    DEFAULT_MAX_RETRY_WAIT,
    DEFAULT_TIMEOUT,
    BaseClient,
)
from ._generated.async_resources import AsyncClientGroups
from ._generated.resources import ClientGroups


class Client(BaseClient, ClientGroups):
    """A client of the platform API.

    ``api_key`` is an API key (``sk_live_...`` / ``sk_test_...``) or an access token from ``auth.login``; without
    one, only the public routes (``auth.register``, ``auth.login``, ``auth.refresh``, ``health``) work.

        client = Client("sk_test_...", base_url="https://api.example.com/api/v1")
        ws = client.workspaces.create(name="My Workspace", tier="pro")
        for ns in client.namespaces.list(workspace_id=ws.id):
            print(ns.name)

    ``workspace_id`` / ``namespace_id`` set the default tenant context (X-Workspace-ID / X-Namespace-ID), which
    a call's own ``workspace_id=`` / ``namespace_id=`` overrides. Failed calls are retried up to ``max_retries``
    times (network errors, 429, 5xx) with exponential backoff and full jitter, honouring ``Retry-After`` up to
    ``max_retry_wait`` seconds; writes carry one Idempotency-Key for all their attempts.
    """

    def _attach_groups(self) -> None:
        self._init_groups(self)

    def with_options(self, **changes: Any) -> Client:
        """A copy with some settings changed (``api_key=``, ``workspace_id=``, ``max_retries=``, ...), sharing
        this client's connection pool: ``authed = client.with_options(api_key=tokens.access_token)``."""
        settings: dict[str, Any] = {
            "api_key": self.api_key,
            "base_url": self.base_url,
            "workspace_id": self.workspace_id,
            "namespace_id": self.namespace_id,
            "timeout": self.timeout,
            "max_retries": self.max_retries,
            "max_retry_wait": self.max_retry_wait,
            "backoff_base": self.backoff_base,
            "backoff_cap": self.backoff_cap,
            "default_headers": self.default_headers,
            "session": self.session,
        }
        unknown = set(changes) - set(settings)
        if unknown:
            raise TypeError(f"unknown client options: {', '.join(sorted(unknown))}")
        settings.update(changes)
        api_key = settings.pop("api_key")
        return Client(api_key, **settings)

    def __enter__(self) -> Client:
        return self


class AsyncClient(AsyncBaseClient, AsyncClientGroups):
    """The asyncio client: the same groups, arguments and retry policy as :class:`Client`, as coroutines.

        async with AsyncClient("sk_test_...", base_url=...) as client:
            ws = await client.workspaces.create(name="My Workspace")
            first_page = await client.resources.list(per_page=50)     # a Page
            async for resource in client.resources.list(per_page=50):  # every item of every page
                ...

    Each call runs the sync transport in a worker thread (``asyncio.to_thread``); calls run concurrently.
    """

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
        super().__init__(
            api_key,
            base_url=base_url,
            workspace_id=workspace_id,
            namespace_id=namespace_id,
            timeout=timeout,
            max_retries=max_retries,
            max_retry_wait=max_retry_wait,
            backoff_base=backoff_base,
            backoff_cap=backoff_cap,
            default_headers=default_headers,
            session=session,
        )
        self._init_groups(self)

    async def __aenter__(self) -> AsyncClient:
        return self
