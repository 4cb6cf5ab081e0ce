"""An SDK no one here wrote works out of the box: openapi-python-client generates a client from the document the
stack serves, and that client registers, creates, walks a list by cursor and deletes (issue 21).

The spec README makes the served document the SDKs' source; a default on `page`, an operation without a typed
answer or a parameter the server refuses would each break this round trip.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.e2e

PACKAGE = "platform_api_sdk"


@pytest.fixture(scope="module")
def sdk(base_url, tmp_path_factory):
    root = tmp_path_factory.mktemp("generated")
    document = root / "openapi.json"
    document.write_bytes(requests.get(f"{base_url}/v1/openapi.json", timeout=30).content)
    generator = Path(sys.executable).with_name("openapi-python-client")
    env = {**os.environ, "PATH": f"{generator.parent}{os.pathsep}{os.environ.get('PATH', '')}"}  # its ruff pass
    subprocess.run(
        [str(generator), "generate", "--path", str(document), "--meta", "none", "--output-path", str(root / PACKAGE)],
        check=True,
        capture_output=True,
        env=env,
        timeout=120,
    )
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def test_register_create_cursor_walk_delete(sdk, base_url):
    from platform_api_sdk import AuthenticatedClient, Client
    from platform_api_sdk.api.auth import register
    from platform_api_sdk.api.resources import create_resource, delete_resource, get_resource, list_resources
    from platform_api_sdk.models import ErrorEnvelope, RegisterRequest, ResourceCreate

    name = f"sdk{uuid.uuid4().hex[:10]}"
    registered = register.sync(
        client=Client(base_url=base_url),
        body=RegisterRequest(email=f"{name}@example.com", username=name, password="correct horse battery staple"),
    )
    assert not isinstance(registered, ErrorEnvelope), registered
    client = AuthenticatedClient(base_url=base_url, token=registered.access_token)

    created = []
    for index in range(5):
        reply = create_resource.sync_detailed(
            client=client, body=ResourceCreate(name=f"item {index}"), idempotency_key=str(uuid.uuid4())
        )
        assert reply.status_code == 201, reply.content
        created.append(reply.parsed.data.id)

    walked, cursor, pages = [], None, 0
    while True:
        kwargs = {"cursor": cursor} if cursor else {}
        page = list_resources.sync(client=client, per_page=2, **kwargs)
        assert not isinstance(page, ErrorEnvelope), page  # a default page= beside the cursor would be a 400
        walked += [item.id for item in page.data]
        pages += 1
        cursor = page.meta.next_cursor
        if not cursor:
            break
    assert pages == 3
    assert walked == list(reversed(created))  # newest first, each once

    assert delete_resource.sync_detailed(created[0], client=client).status_code == 204
    missing = get_resource.sync(created[0], client=client)
    assert isinstance(missing, ErrorEnvelope)
    assert missing.error.code == "resource_not_found"
