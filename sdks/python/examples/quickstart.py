"""Document 004's example and the SDK's main features, type-checked by `make lint` (mypy).

Run it with CORE_PHP_API_KEY (and CORE_PHP_BASE_URL, default http://127.0.0.1:3000) set.
"""

from __future__ import annotations

import os

from core_php_sdk import Client, NotFoundError, RateLimitError, webhooks
from core_php_sdk.models import SparseNamespace, WorkspaceOut


def main() -> None:
    client = Client(os.environ["CORE_PHP_API_KEY"], base_url=os.environ.get("CORE_PHP_BASE_URL"))

    workspace: WorkspaceOut = client.workspaces.create(name="My Workspace", tier="pro")
    namespaces = client.namespaces.list(workspace_id=workspace.id)
    first: list[SparseNamespace] = namespaces.data
    print(workspace.id, [ns.name for ns in first], namespaces.meta.next_cursor)

    for resource in client.resources.list(per_page=100, sort="-created_at"):  # every page
        print(resource.id, resource.name)

    try:
        client.resources.get("res_missing")
    except NotFoundError as error:
        print(error.status, error.code, error.request_id)
    except RateLimitError as error:
        print("retry in", error.retry_after, "s; window resets at", error.reset_at)

    hook = client.webhooks.create(url="https://example.com/hooks", events=["resource.created"])
    body, headers = b"{}", {"webhook-id": "msg_1"}
    print(webhooks.verify_standard(hook.secret, headers, body))


if __name__ == "__main__":
    main()
