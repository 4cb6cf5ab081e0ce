"""The Python SDK (sdks/python) without the stack: generation and drift, the route surface, transport behaviour
against a scripted local server (auth, tenant headers, idempotency keys, retries, errors, pagination), models, and
webhook verification against the platform's own signer."""

from __future__ import annotations

import asyncio
import copy
import importlib.util
import inspect
import json
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import core_php_sdk
import pytest
from core_php_sdk import (
    NOT_GIVEN,
    ApiConnectionError,
    ApiTimeoutError,
    AsyncClient,
    AuthenticationError,
    Client,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    ValidationError,
    WebhookVerificationError,
    webhooks,
)
from core_php_sdk._generated.resources import OPERATIONS
from core_php_sdk.models import ResourceOut, WorkspaceOut

from platform_api import webhook_signing
from sdks import routes as route_table
from tests.sdks.python_sdk_support import FakeApi, Reply, error_body

ROOT = Path(__file__).resolve().parents[2]
SDK = ROOT / "sdks" / "python"
ROUTES = json.loads((ROOT / "sdks" / "routes.json").read_text())
DOCUMENT = json.loads((ROOT / "functions" / "docs" / "openapi.json").read_text())


def _generator():
    spec = importlib.util.spec_from_file_location("core_php_sdk_generate", SDK / "generate.py")
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def client_for(fake: FakeApi, **options) -> tuple[Client, list[float]]:
    """A client of the fake server whose sleeps are recorded instead of slept."""
    waits: list[float] = []
    client = Client(options.pop("api_key", "sk_test_abc"), base_url=fake.url, **options)
    client._sleep = waits.append
    return client, waits


def page(ids: list[str], next_cursor: str | None, total: int | None = None) -> dict:
    return {
        "data": [{"id": i, "name": f"n-{i}"} for i in ids],
        "meta": {
            "page": None,
            "current_page": None,
            "per_page": len(ids),
            "total": total,
            "total_pages": None,
            "last_page": None,
            "next_cursor": next_cursor,
        },
        "links": {"first": None, "last": None, "prev": None, "next": None},
    }


# --------------------------------------------------------------------------------------- generation and drift
def test_generated_code_matches_the_route_table_and_the_document():
    """The drift test: regenerate in memory; any difference means `make sdks` was not run after a change."""
    for path, text in _generator().render().items():
        assert path.read_text() == text, f"{path.relative_to(ROOT)} is stale: run make sdks"


def test_generator_check_mode_exits_zero_when_fresh():
    result = subprocess.run(
        [sys.executable, str(SDK / "generate.py"), "--check"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_a_new_route_or_a_changed_model_changes_the_generated_code():
    """Routes other teams add later (e.g. webhook recover) need no hand edit: the table alone yields the method;
    and a model change shows up as drift."""
    generator = _generator()
    routes = copy.deepcopy(ROUTES)
    template = next(r for r in routes if r["operation_id"] == "retryWebhookDelivery")
    routes.append(
        {
            **template,
            "operation_id": "recoverWebhook",
            "group": ["webhooks"],
            "method": "recover",
            "path": "/v1/webhooks/{webhook_id}/recover",
            "path_params": ["webhook_id"],
            "body": {
                "schema": None,
                "required": True,
                "properties": [{"name": "since", "required": True, "schema": {"type": "string"}, "description": ""}],
            },
        }
    )
    document = copy.deepcopy(DOCUMENT)
    document["components"]["schemas"]["WorkspaceOut"]["properties"]["region"] = {"type": "string"}
    files = {path.name: text for path, text in generator.render(routes, document).items()}
    assert "def recover(" in files["resources.py"]
    assert '"recoverWebhook": ("webhooks", "recover")' in files["resources.py"]
    assert "region: str | None = None" in files["models.py"]
    namespace: dict = {"__name__": "core_php_sdk._generated.probe", "__package__": "core_php_sdk._generated"}
    exec(compile(files["resources.py"], "resources.py", "exec"), namespace)  # noqa: S102 - our generated code
    recover = namespace["WebhooksResource"].recover
    assert list(inspect.signature(recover).parameters)[:2] == ["self", "webhook_id"]


def test_every_operation_of_the_document_has_a_method():
    documented = {
        op["operationId"]
        for methods in DOCUMENT["paths"].values()
        for verb, op in methods.items()
        if verb in ("get", "post", "put", "patch", "delete")
    } - set(route_table.EXCLUDED)
    assert documented == {r["operation_id"] for r in ROUTES} == set(OPERATIONS)
    client = Client(base_url="http://127.0.0.1:9")
    for route in ROUTES:
        target = client
        for name in [*route["group"], route["method"]]:
            target = getattr(target, name)
        assert callable(target), route["operation_id"]
        parameters = list(inspect.signature(target).parameters.values())
        positional = [p.name for p in parameters if p.kind is p.POSITIONAL_OR_KEYWORD]
        assert positional == route["path_params"], route["operation_id"]
        names = {p.name for p in parameters}
        for prop in (route["body"] or {}).get("properties") or []:
            assert prop["name"] in names or f"body_{prop['name']}" in names, (route["operation_id"], prop["name"])
        if route["replayable"]:
            assert "idempotency_key" in names


def test_document_004_groups_exist():
    client = Client(base_url="http://127.0.0.1:9")
    for path in [
        "auth.login",
        "users.me",
        "workspaces.create",
        "organizations.list",
        "namespaces.list",
        "namespaces.packages.list",
        "namespaces.entitlements.check",
        "packages.list",
        "api_keys.create",
        "resources.batch",
        "webhooks.test",
        "webhooks.deliveries.list",
        "webhooks.deliveries.retry",
        "webhooks.rotate_secret",
        "usage.get",
    ]:
        target = client
        for name in path.split("."):
            target = getattr(target, name)
        assert callable(target), path


def test_the_sdk_imports_without_the_platform_package():
    code = (
        "import sys; sys.modules['platform_api'] = None; import core_php_sdk; "
        "assert 'platform_api' not in [m.split('.')[0] for m in sys.modules if sys.modules[m] is not None]"
    )
    env_path = str(SDK / "src")
    result = subprocess.run(
        [sys.executable, "-c", f"import sys; sys.path.insert(0, {env_path!r}); {code}"],
        capture_output=True,
        text=True,
        check=False,
        cwd="/",
    )
    assert result.returncode == 0, result.stderr


# ------------------------------------------------------------------------------------------------ transport
def test_requests_carry_auth_user_agent_tenant_and_an_idempotency_key():
    with FakeApi(Reply(201, {"data": {"id": "wks_1", "name": "W", "future_field": 7}})) as fake:
        client, _ = client_for(fake, workspace_id="wks_default")
        ws = client.workspaces.create(name="W", tier="pro", slug=NOT_GIVEN, settings={"timezone": "UTC"})
        sent = fake.seen[0]
    assert isinstance(ws, WorkspaceOut)
    assert ws.id == "wks_1"
    assert ws["name"] == "W"
    assert ws.future_field == 7
    assert ws.to_dict()["future_field"] == 7
    assert (sent.method, sent.path) == ("POST", "/v1/workspaces")
    assert sent.body == {"name": "W", "tier": "pro", "settings": {"timezone": "UTC"}}  # NOT_GIVEN left out
    assert sent.headers["authorization"] == "Bearer sk_test_abc"
    assert sent.headers["user-agent"] == f"core-php-sdk-python/{core_php_sdk.__version__}"
    assert sent.headers["x-workspace-id"] == "wks_default"
    assert len(sent.headers["idempotency-key"]) == 36


def test_per_call_tenant_overrides_and_public_routes_send_no_credentials():
    with FakeApi(
        Reply(200, {"data": {"id": "res_1", "name": "r"}}),
        Reply(200, {"access_token": "a", "refresh_token": "r", "token_type": "Bearer", "expires_in": 3600}),
    ) as fake:
        client, _ = client_for(fake, namespace_id="ns_default")
        client.resources.get("res_1", namespace_id="ns_call", workspace_id="wks_call")
        tokens = client.auth.login(email="a@example.com", password="pw")
        first, second = fake.seen
    assert first.headers["x-namespace-id"] == "ns_call"
    assert first.headers["x-workspace-id"] == "wks_call"
    assert "idempotency-key" not in first.headers  # a GET
    assert "authorization" not in second.headers
    assert "idempotency-key" not in second.headers
    assert tokens.access_token == "a"
    assert tokens.expires_in == 3600


def test_a_default_tenant_never_contradicts_the_path():
    with FakeApi(Reply(200, {"data": {"id": "wks_other"}})) as fake:
        client, _ = client_for(fake, workspace_id="wks_default", namespace_id="ns_default")
        client.workspaces.get("wks_other")
        sent = fake.seen[0]
    assert "x-workspace-id" not in sent.headers
    assert sent.headers["x-namespace-id"] == "ns_default"


def test_null_is_sent_for_none_and_path_parameters_are_escaped():
    with FakeApi(Reply(200, {"data": {"id": "key_1"}})) as fake:
        client, _ = client_for(fake)
        client.resources.update("res/1 x", description=None)
        sent = fake.seen[0]
    assert sent.path == "/v1/resources/res%2F1%20x"
    assert sent.body == {"description": None}


def test_base_url_may_end_in_api_v1():
    with FakeApi(Reply(200, {"status": "ok", "version": "1", "stage": "api", "environment": "dev"})) as fake:
        client = Client(base_url=fake.url + "/v1/")
        assert client.health.get().status == "ok"
        assert fake.seen[0].path == "/v1/health"


def test_no_content_is_none():
    with FakeApi(Reply(204)) as fake:
        client, _ = client_for(fake)
        assert client.resources.delete("res_1") is None


@pytest.mark.parametrize(
    ("status", "code", "error_type"),
    [
        (400, "invalid_request", ValidationError),
        (401, "authentication_required", AuthenticationError),
        (403, "insufficient_permissions", PermissionDeniedError),
        (404, "resource_not_found", NotFoundError),
        (409, "conflict", ConflictError),
        (422, "idempotency_key_mismatch", ValidationError),
    ],
)
def test_errors_carry_the_envelope(status, code, error_type):
    body = error_body(code, "Nope", {"name": ["Field required"]}, request_id="req_42")
    with FakeApi(Reply(status, body)) as fake:
        client, waits = client_for(fake)
        with pytest.raises(error_type) as caught:
            client.resources.create(name="x")
    error = caught.value
    assert isinstance(error, core_php_sdk.ApiError)
    assert (error.status, error.code, error.message, error.request_id) == (status, code, "Nope", "req_42")
    assert error.details == {"name": ["Field required"]}
    assert "req_42" in str(error)
    assert len(fake.seen) == 1
    assert waits == []


def test_429_then_success_retries_with_the_same_idempotency_key_after_retry_after():
    reset = int(time.time()) + 2
    limited = Reply(
        429,
        error_body("rate_limit_exceeded", "Slow down", retry_after=2),
        {"Retry-After": "2", "X-RateLimit-Limit": "60", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)},
    )
    created = Reply(201, {"data": {"id": "res_1", "name": "x"}}, {"X-RateLimit-Remaining": "59"})
    with FakeApi(limited, created) as fake:
        client, waits = client_for(fake)
        resource = client.resources.create(name="x")
        keys = [seen.headers["idempotency-key"] for seen in fake.seen]
    assert isinstance(resource, ResourceOut)
    assert resource.id == "res_1"
    assert waits == [2.0]
    assert len(keys) == 2
    assert keys[0] == keys[1]
    assert client.rate_limit is not None
    assert client.rate_limit.remaining == 59


def test_429_with_retry_after_beyond_the_maximum_wait_raises_at_once():
    reset = int(time.time()) + 40
    limited = Reply(
        429,
        error_body("rate_limit_exceeded", "Slow down", retry_after=40),
        {"Retry-After": "40", "X-RateLimit-Limit": "60", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)},
    )
    with FakeApi(limited) as fake:
        client, waits = client_for(fake, max_retry_wait=5)
        with pytest.raises(RateLimitError) as caught:
            client.users.me()
    error = caught.value
    assert error.retry_after == 40
    assert error.reset == reset
    assert error.limit == 60
    assert error.remaining == 0
    assert error.reset_at is not None
    assert abs(error.reset_at.timestamp() - reset) < 1
    assert len(fake.seen) == 1
    assert waits == []


def test_5xx_backs_off_with_full_jitter_then_gives_up():
    with FakeApi(Reply(503, error_body("internal_server_error", "Down"))) as fake:
        client, waits = client_for(fake, max_retries=3)
        client._random = lambda low, high: high  # the top of each jitter range
        with pytest.raises(ServerError):
            client.users.me()
    assert len(fake.seen) == 4
    assert waits == [0.5, 1.0, 2.0]


def test_backoff_is_capped_and_jittered():
    client = Client(base_url="http://127.0.0.1:9")
    assert all(0 <= client.backoff(10) <= 8.0 for _ in range(50))
    assert len({round(client.backoff(3), 6) for _ in range(20)}) > 1


def test_5xx_then_success_on_a_write_keeps_one_key():
    with FakeApi(
        Reply(500, error_body("internal_server_error", "Oops")), Reply(201, {"data": {"id": "res_9"}})
    ) as fake:
        client, waits = client_for(fake)
        assert client.resources.create(name="x", idempotency_key="my-key").id == "res_9"
        assert [s.headers["idempotency-key"] for s in fake.seen] == ["my-key", "my-key"]
        assert len(waits) == 1


def test_in_flight_idempotency_conflict_is_retried():
    busy = Reply(409, error_body("idempotency_key_in_use", "Still running"), {"Retry-After": "1"})
    with FakeApi(busy, Reply(201, {"data": {"id": "res_2"}})) as fake:
        client, waits = client_for(fake)
        assert client.resources.create(name="x").id == "res_2"
    assert waits == [1.0]


def test_session_routes_are_not_retried_on_5xx():
    with FakeApi(Reply(500, error_body("internal_server_error", "Oops"))) as fake:
        client, _ = client_for(fake)
        with pytest.raises(ServerError):
            client.auth.refresh(refresh_token="rt")
        assert len(fake.seen) == 1


def test_max_retries_zero_means_one_attempt():
    with FakeApi(Reply(502, None)) as fake:
        client, _ = client_for(fake, max_retries=0)
        with pytest.raises(ServerError) as caught:
            client.users.me()
        assert len(fake.seen) == 1
        assert caught.value.status == 502


def test_network_errors_are_retried_then_raised():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = Client("k", base_url=f"http://127.0.0.1:{port}", max_retries=2)
    waits: list[float] = []
    client._sleep = waits.append
    with pytest.raises(ApiConnectionError) as caught:
        client.users.me()
    assert caught.value.status is None
    assert len(waits) == 2


def test_timeouts_raise_the_timeout_error():
    with FakeApi(Reply(200, {"data": {"id": "usr_1"}}, delay=1.0)) as fake:
        client, waits = client_for(fake, timeout=0.2, max_retries=1)
        with pytest.raises(ApiTimeoutError):
            client.users.me()
        assert len(waits) == 1


# ------------------------------------------------------------------------------------------------ pagination
def test_list_follows_next_cursor_through_every_page():
    with FakeApi(
        Reply(200, page(["res_1", "res_2"], "c2", total=5)),
        Reply(200, page(["res_3", "res_4"], "c3")),
        Reply(200, page(["res_5"], None)),
    ) as fake:
        client, _ = client_for(fake)
        listing = client.resources.list(per_page=2, page=1, status="active", sort=["-created_at", "name"])
        assert len(fake.seen) == 1  # the first page at once
        assert listing.meta.total == 5
        assert listing.meta.next_cursor == "c2"
        assert [r.id for r in listing.data] == ["res_1", "res_2"]
        ids = [r.id for r in listing]
        queries = [dict(s.query) for s in fake.seen]
    assert ids == ["res_1", "res_2", "res_3", "res_4", "res_5"]
    assert queries[0] == {"per_page": "2", "page": "1", "status": "active", "sort": "-created_at,name"}
    assert queries[1] == {"per_page": "2", "status": "active", "sort": "-created_at,name", "cursor": "c2"}
    assert queries[2]["cursor"] == "c3"
    assert "page" not in queries[2]


def test_pages_and_a_repeated_cursor_stops():
    with FakeApi(Reply(200, page(["a"], "same")), Reply(200, page(["b"], "same"))) as fake:
        client, _ = client_for(fake)
        pages = list(client.webhooks.list().pages())
    assert [p.data[0].id for p in pages] == ["a", "b"]


# ----------------------------------------------------------------------------------------------------- models
def test_models_keep_the_raw_object_and_tolerate_surprises():
    raw = {"id": "res_1", "name": "n", "created_at": "not a date", "owner": {"id": "usr_1"}}
    model = ResourceOut.from_api(raw)  # invalid for the model: kept unvalidated rather than failing the call
    assert model.id == "res_1"
    assert model.to_dict() is raw
    assert model["owner"] == {"id": "usr_1"}
    complete = {
        **raw,
        "description": None,
        "type": "standard",
        "status": "active",
        "metadata": {},
        "tags": [],
        "owner": "usr_1",
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-02T00:00:00Z",
    }
    ok = ResourceOut.from_api(complete)
    assert ok.created_at.year == 2026
    assert ok.tags == []
    assert ok.to_dict() is complete


# --------------------------------------------------------------------------------------------------- webhooks
BODY = b'{"id":"evt_1","type":"resource.created","created_at":"2026-11-28T10:00:00Z","data":{"object":{"id":"res_1","type":"resource","attributes":{"name":"x"}}}}'  # noqa: E501
NOW = 1_800_000_000


@pytest.mark.parametrize("secret", [webhook_signing.new_secret(), "whsec_not-base64!", "plain-secret"])
def test_webhook_helper_verifies_what_the_platform_signs(secret):
    headers = webhook_signing.signature_headers(secret, "msg_1", BODY, NOW)
    event = webhooks.construct_event(BODY, headers, secret, now=NOW + 10)
    assert (event.id, event.type, event.data.object.id) == ("evt_1", "resource.created", "res_1")
    assert webhooks.verify_standard(secret, {k.upper(): v for k, v in headers.items()}, BODY, now=NOW)
    assert webhooks.verify_legacy(secret, headers["X-Webhook-Signature"], BODY)
    assert headers["X-Webhook-Signature"] == webhooks.legacy_signature(secret, BODY)
    legacy_only = {k: v for k, v in headers.items() if k.startswith("X-")}
    webhooks.verify(BODY, legacy_only, secret, now=NOW)


def test_webhook_helper_refuses_tampering_staleness_and_wrong_secrets():
    secret = webhook_signing.new_secret()
    headers = webhook_signing.signature_headers(secret, "msg_1", BODY, NOW)
    with pytest.raises(WebhookVerificationError):
        webhooks.verify(BODY + b" ", headers, secret, now=NOW)
    with pytest.raises(WebhookVerificationError):
        webhooks.verify(BODY, headers, secret, now=NOW + 301)
    with pytest.raises(WebhookVerificationError):
        webhooks.verify(BODY, headers, webhook_signing.new_secret(), now=NOW)
    legacy_only = {k: v for k, v in headers.items() if k.startswith("X-")}
    with pytest.raises(WebhookVerificationError):
        webhooks.verify(BODY, legacy_only, secret, now=NOW + 301)
    with pytest.raises(WebhookVerificationError):
        webhooks.verify(BODY, {}, secret, now=NOW)
    assert not webhooks.verify_legacy(secret, "sha256=" + "0" * 64, BODY)


def test_webhook_helper_accepts_either_secret_during_a_rotation():
    old, new = webhook_signing.new_secret(), webhook_signing.new_secret()
    headers = webhook_signing.signature_headers([new, old], "msg_2", BODY, NOW)
    assert webhooks.verify_standard(old, headers, BODY, now=NOW)
    assert webhooks.verify_standard(new, headers, BODY, now=NOW)
    assert webhooks.verify_standard([webhook_signing.new_secret(), old], headers, BODY, now=NOW)


# ---------------------------------------------------------------------------------------------- packaging
@pytest.mark.slow
def test_the_package_builds_an_installable_wheel(tmp_path):
    """`pip install ./sdks/python` works: build the wheel (hatchling from the configured index) and look inside."""
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path), str(SDK)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    (wheel,) = tmp_path.glob("core_php_sdk-0.1.0-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("__init__.py", "py.typed", "webhooks.py", "_generated/resources.py", "_generated/models.py"):
        assert f"core_php_sdk/{name}" in names
    metadata = zipfile.ZipFile(wheel).read("core_php_sdk-0.1.0.dist-info/METADATA").decode()
    assert "Name: core-php-sdk" in metadata
    assert "Requires-Dist: requests" in metadata
    # Installed on its own (dependencies from this environment), it imports and reports its version.
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(target), str(wheel)],
        check=True,
        timeout=120,
    )
    probe = f"import sys; sys.path.insert(0, {str(target)!r}); import core_php_sdk; print(core_php_sdk.__file__)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=tmp_path)
    assert out.stdout.startswith(str(target))


def test_a_schema_that_would_shadow_the_sdks_own_names_fails_the_generator():
    document = copy.deepcopy(DOCUMENT)
    document["components"]["schemas"]["Route"] = document["components"]["schemas"].pop("Health")
    routes = copy.deepcopy(ROUTES)
    for route in routes:
        if route["response"].get("schema") == "Health":
            route["response"]["schema"] = "Route"
    with pytest.raises(SystemExit, match="Route"):
        _generator().render(routes, document)


# ------------------------------------------------------------------------------------------------ async client
def test_the_async_client_has_every_route_as_a_coroutine_or_an_async_list():
    client = AsyncClient(base_url="http://127.0.0.1:9")
    for route in ROUTES:
        target = client
        for name in [*route["group"], route["method"]]:
            target = getattr(target, name)
        assert inspect.iscoroutinefunction(target) == (route["response"]["kind"] != "list"), route["operation_id"]


def test_the_async_client_retries_paginates_and_raises():
    limited = Reply(429, error_body("rate_limit_exceeded", "Slow down", retry_after=1), {"Retry-After": "1"})

    async def scenario(fake: FakeApi) -> tuple:
        async with AsyncClient("k", base_url=fake.url) as client:
            waits: list[float] = []
            client.sync._sleep = waits.append
            created = await client.resources.create(name="x")
            first = await client.resources.list(per_page=2)
            every = [r.id async for r in client.resources.list(per_page=2)]
            with pytest.raises(NotFoundError):
                await client.resources.get("res_missing")
            return created, first, every, waits

    with FakeApi(
        limited,
        Reply(201, {"data": {"id": "res_1"}}),
        Reply(200, page(["a", "b"], "c2")),
        Reply(200, page(["a", "b"], "c2")),
        Reply(200, page(["c"], None)),
        Reply(404, error_body("resource_not_found", "No such resource")),
    ) as fake:
        created, first, every, waits = asyncio.run(scenario(fake))
        keys = {s.headers.get("idempotency-key") for s in fake.seen[:2]}
    assert created.id == "res_1"
    assert waits == [1.0]
    assert len(keys) == 1
    assert [r.id for r in first.data] == ["a", "b"]
    assert first.next_cursor == "c2"
    assert every == ["a", "b", "c"]
