"""Seed a local backend with the fixtures the recorded events name: `seed(stack) -> fixtures`.

`make invoke`, `make events` and the event replay test call it on a fresh backend, so that every file in events/
(whose Authorization header holds `${LOCAL_DEMO_API_KEY}`) meets the users, workspaces, namespaces, resources,
webhooks, deliveries, keys and invitations it names. The fixtures are made through the functions' own handlers,
by the API's rules, in a child process whose ids and random tokens are deterministic: the same seed gives the same
ids and tokens on every fresh backend, which is what lets an event recorded against one replay on another.
Local only: the secrets below are public by design and exist in no deployed stack.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

from local.template import ROOT

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo-password-local-only"  # noqa: S105 - local fixture, public by design
DEMO_KEY_ID = "key_01JDEM0000000000000000000K"
DEMO_API_KEY = "sk_test_01JDEM0000000000000000000K_local-demo-secret-not-for-production"
# The admin routes' events (events/admin/) carry `${LOCAL_DEMO_OPERATOR_KEY}`: an operator key, local only too.
DEMO_OPERATOR_KEY_ID = "opk_01JDEM0000000000000000000P"
DEMO_OPERATOR_KEY = "opk_test_01JDEM0000000000000000000P_local-demo-operator-secret-not-for-production"
PLACEHOLDERS = {"${LOCAL_DEMO_API_KEY}": DEMO_API_KEY, "${LOCAL_DEMO_OPERATOR_KEY}": DEMO_OPERATOR_KEY}
SEED_EPOCH_MS = 1_795_392_000_000  # 2026-11-23T00:00:00Z: the ULID clock of every seeded id
SOURCE_IP = "203.0.113.10"  # documentation range (RFC 5737), as in the recorded events


def fill_placeholders(text: str) -> str:
    """An event file's text with the demo credentials in place of their placeholders."""
    for placeholder, value in PLACEHOLDERS.items():
        text = text.replace(placeholder, value)
    return text


def seed(stack: Any) -> dict[str, str]:
    """Idempotent on a fresh backend: run the seeding in a process configured like the functions, against the
    stack; return the fixtures' names and ids (also tokens the events carry, such as the demo refresh token)."""
    env = {**os.environ, **stack.base_environment}
    for spec in stack.functions.values():
        env.update({k: v for k, v in spec.environment.items() if k != "POWERTOOLS_SERVICE_NAME"})
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "layers" / "shared" / "python"), str(ROOT)])
    env["POWERTOOLS_LOG_LEVEL"] = "ERROR"
    done = subprocess.run([sys.executable, "-m", "local.seed"], env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"seeding failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------------------------------- the child process
def _deterministic() -> None:
    """Ids from a counter on a fixed ULID clock, and random tokens from a counter: the same on every run."""
    import base64
    import hashlib
    import itertools
    import secrets

    from ulid import ULID

    from platform_api import ids

    counter = itertools.count(1)

    def new_id(prefix: str) -> str:
        n = next(counter)
        return f"{prefix}_{ULID.from_bytes((SEED_EPOCH_MS + n).to_bytes(6, 'big') + n.to_bytes(10, 'big'))}"

    def token_urlsafe(nbytes: int | None = None) -> str:
        material = hashlib.shake_256(f"local-seed-{next(counter)}".encode()).digest(nbytes or 32)
        return base64.urlsafe_b64encode(material).rstrip(b"=").decode()

    ids.new_id = new_id  # type: ignore[assignment] - before any domain module binds it
    secrets.token_urlsafe = token_urlsafe  # type: ignore[assignment]


class _Api:
    """The functions' handlers, in this process, on API Gateway REST proxy events."""

    def __init__(self) -> None:
        from local.template import api_routes, load_template, route_pattern

        self.template = load_template()
        self.routes = sorted(api_routes(self.template), key=lambda r: (r[1].count("{"), -len(r[1])))
        self.pattern = route_pattern
        self.modules: dict[str, Any] = {}

    def _handler(self, logical_id: str) -> Any:
        if logical_id not in self.modules:
            import importlib.util

            code_dir = ROOT / self.template["Resources"][logical_id]["Properties"]["CodeUri"]
            spec = importlib.util.spec_from_file_location(f"seed_{logical_id}", code_dir / "app.py")
            assert spec is not None
            assert spec.loader is not None
            module = importlib.util.module_from_spec(spec)
            sys.modules[spec.name] = module
            spec.loader.exec_module(module)
            self.modules[logical_id] = module
        return self.modules[logical_id].handler

    def __call__(self, method: str, path: str, body: Any = None, *, token: str = DEMO_API_KEY, **headers: str) -> Any:
        matched = [
            (resource, logical_id, found)
            for route_method, resource, logical_id in self.routes
            if route_method == method and (found := self.pattern(resource).fullmatch(path))
        ]
        if not matched:
            raise LookupError(f"no route for {method} {path}")
        resource, logical_id, found = matched[0]
        all_headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}", **headers}
        event = {
            "resource": resource,
            "path": path,
            "httpMethod": method,
            "headers": all_headers,
            "multiValueHeaders": {k: [v] for k, v in all_headers.items()},
            "queryStringParameters": None,
            "multiValueQueryStringParameters": None,
            "pathParameters": found.groupdict() or None,
            "stageVariables": None,
            "requestContext": {
                "resourcePath": resource,
                "httpMethod": method,
                "path": f"/api{path}",
                "stage": "api",
                "requestId": f"seed-{method}-{path}",
                "identity": {"sourceIp": SOURCE_IP, "userAgent": "local.seed"},
                "domainName": "localhost",
            },
            "body": json.dumps(body) if body is not None else None,
            "isBase64Encoded": False,
        }

        class Context:
            function_name, memory_limit_in_mb, aws_request_id = logical_id, 1024, "seed"
            invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{logical_id}"

            @staticmethod
            def get_remaining_time_in_millis() -> int:
                return 15_000

        reply = self._handler(logical_id)(event, Context())
        answer = json.loads(reply["body"]) if reply.get("body") else None
        if reply["statusCode"] >= 300:
            raise RuntimeError(f"seed: {method} {path} answered {reply['statusCode']}: {reply.get('body')}")
        return answer


def _register(api: _Api, email: str, username: str, password: str = DEMO_PASSWORD) -> dict[str, Any]:
    return api("POST", "/v1/auth/register", {"email": email, "username": username, "password": password})


def _seed() -> dict[str, str]:
    _deterministic()
    from platform_api.dal import api_keys, users
    from platform_api.domain import api_keys as keys
    from platform_api.domain import users as users_domain

    confirmations: dict[str, str] = {}
    announce = users_domain.announce_confirmation

    def remember(user_id: str, email: str, token: str) -> None:
        confirmations[email] = token
        announce(user_id, email, token)

    users_domain.announce_confirmation = remember  # type: ignore[assignment] - the demo's confirmation token
    api = _Api()
    f: dict[str, str] = {}
    if users.find_by_email(DEMO_EMAIL) is not None:
        raise SystemExit("seed: the backend is already seeded (the fixtures need a fresh one)")
    demo = _register(api, DEMO_EMAIL, "demo")
    f.update(demo_user=demo["data"]["id"], personal_namespace=demo["data"]["default_namespace_id"])
    f["confirmation_token"] = confirmations[DEMO_EMAIL]
    # Tiers are the operator's to sell (docs/operators.md): the demo operator key makes the demo user enterprise,
    # so that document 004's `tier: "pro"` examples work as printed.
    from platform_api.dal import operators as operator_keys
    from platform_api.domain import operators

    if operator_keys.get(DEMO_OPERATOR_KEY_ID) is None:
        operators.store(DEMO_OPERATOR_KEY_ID, DEMO_OPERATOR_KEY, name="local demo operator key", created_by="seed")
    spare = "opk_01JDEM0000000000000000000Q"  # revoked by the recorded DELETE /v1/admin/operator-keys/{key_id}
    if operator_keys.get(spare) is None:
        operators.store(spare, f"opk_test_{spare[4:]}_spare-not-for-production", name="spare", created_by="seed")
    f["operator_key_to_revoke"] = spare
    upgrade = {"tier": "enterprise", "reason": "local demo account"}
    api("PATCH", f"/v1/admin/users/{f['demo_user']}", upgrade, token=DEMO_OPERATOR_KEY)
    owner = users.find_by_email(DEMO_EMAIL)
    if api_keys.get(DEMO_KEY_ID) is None:
        keys.store(
            owner,
            DEMO_KEY_ID,
            DEMO_API_KEY,
            name="local demo key",
            scopes=["read:all", "write:all", "admin:workspace"],
            tier="enterprise",
        )
    session = api("POST", "/v1/auth/login", {"email": DEMO_EMAIL, "password": DEMO_PASSWORD})
    f["refresh_token"] = session["refresh_token"]
    # Another session's refresh token: the recorded refresh event rotates this one, the demo's stays for invoke.
    f["refresh_token"] = api("POST", "/v1/auth/login", {"email": DEMO_EMAIL, "password": DEMO_PASSWORD})[
        "refresh_token"
    ]
    people = {name: _register(api, f"{name}@example.com", name) for name in ("bob", "carol", "dave", "erin", "eve")}
    f.update({f"user_{name}": person["data"]["id"] for name, person in people.items()})

    def workspace(name: str, slug: str, token: str = DEMO_API_KEY, collection: str = "workspaces") -> str:
        return api("POST", f"/v1/{collection}", {"name": name, "slug": slug}, token=token)["data"]["id"]

    f["workspace"] = workspace("Demo Workspace", "demo-workspace")
    f["workspace_to_delete"] = workspace("Workspace to delete", "demo-workspace-to-delete")
    f["organization_to_delete"] = workspace("Organization to delete", "demo-org-to-delete", collection="organizations")
    members = f"/v1/workspaces/{f['workspace']}/members"
    for name in ("bob", "carol"):  # members: a role to change, one to remove by each path
        invited = api("POST", members, {"user_id": f[f"user_{name}"], "role": "member"})["data"]
        api("POST", f"/v1/invitations/{invited['id']}/accept", token=people[name]["access_token"])
    f["invitation_sent"] = api("POST", members, {"user_id": f["user_dave"]})["data"]["id"]  # pending, to cancel
    eve = people["eve"]["access_token"]
    for index in (1, 2):  # invitations to the demo user: one to accept, one to decline
        theirs = workspace(f"Eve's workspace {index}", f"eve-workspace-{index}", token=eve)
        invited = api("POST", f"/v1/workspaces/{theirs}/members", {"user_id": f["demo_user"]}, token=eve)
        f[f"invitation_received_{index}"] = invited["data"]["id"]

    f["namespace"] = api("POST", "/v1/namespaces", {"name": "Side projects", "slug": "side"})["data"]["id"]
    f["namespace_to_delete"] = api("POST", "/v1/namespaces", {"name": "To delete", "slug": "to-delete"})["data"]["id"]
    # Packages are the operator's to grant (docs/operators.md): the demo operator key grants one.
    grant = {"package_id": "pkg_starter"}
    api("POST", f"/v1/admin/namespaces/{f['namespace']}/packages", grant, token=DEMO_OPERATOR_KEY)

    f["resource"] = api("POST", "/v1/resources", {"name": "Example Resource", "type": "standard"})["data"]["id"]
    f["resource_to_delete"] = api("POST", "/v1/resources", {"name": "Resource to delete"})["data"]["id"]

    hook = {"url": "https://hooks.invalid/demo", "events": ["resource.created", "resource.updated"]}
    f["webhook"] = api("POST", "/v1/webhooks", hook)["data"]["id"]
    f["webhook_to_delete"] = api("POST", "/v1/webhooks", {**hook, "url": "https://hooks.invalid/old"})["data"]["id"]
    api("POST", f"/v1/webhooks/{f['webhook']}/test")  # .invalid never resolves: a failed delivery, to retry
    f["delivery"] = api("GET", f"/v1/webhooks/{f['webhook']}/deliveries")["data"][0]["id"]

    demo_token = session["access_token"]  # a key cannot create keys: the demo user's session does
    f["api_key"] = api("POST", "/v1/api-keys", {"name": "Example key", "scopes": ["read:all"]}, token=demo_token)[
        "data"
    ]["id"]
    f["api_key_to_revoke"] = api("POST", "/v1/api-keys", {"name": "Key to revoke"}, token=demo_token)["data"]["id"]
    return f


if __name__ == "__main__":
    print(json.dumps(_seed(), sort_keys=True))
