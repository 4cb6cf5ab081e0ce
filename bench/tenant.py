"""An authenticated caller for the benchmarks: register a user through the API and log in.

`call` is any function with tests.helpers.call's signature (in process, or through the local stack),
so the same code signs up a user in moto in process and on the cold-start stack.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench.env import find_key

PASSWORD = "bench-Password-123456!"  # noqa: S105 - a throwaway user in moto


@dataclass
class Caller:
    token: str
    user_id: str | None
    namespace_id: str | None
    email: str


class NotBuilt(Exception):
    """A route the benchmark needs does not exist (yet), or answered an unexpected status."""


def sign_up(call: Callable[..., Any], tag: str = "") -> Caller:
    from bench.env import route_built

    for method, path in (("POST", "/v1/auth/register"), ("POST", "/v1/auth/login")):
        if not route_built(method, path):
            raise NotBuilt(f"{method} {path} not built")
    suffix = (tag + uuid.uuid4().hex)[:16]
    email = f"bench-{suffix}@example.com"
    body = {"email": email, "username": f"bench_{suffix}", "password": PASSWORD, "name": "Bench User"}
    reply = call("POST", "/v1/auth/register", body=body)
    if reply.status not in (200, 201):
        raise NotBuilt(f"POST /v1/auth/register answered {reply.status}: {str(reply.json)[:200]}")
    token = find_key(reply.json, "access_token")
    if not token:
        login = call("POST", "/v1/auth/login", body={"email": email, "password": PASSWORD})
        if login.status != 200:
            raise NotBuilt(f"POST /v1/auth/login answered {login.status}: {str(login.json)[:200]}")
        token = find_key(login.json, "access_token")
    user_id = find_key(reply.json, "user_id") or _id_with_prefix(reply.json, "usr_")
    me = call("GET", "/v1/users/me", token=token)
    namespace_id = None
    if me.status == 200:
        user_id = user_id or find_key(me.json, "id")
        namespace_id = find_key(me.json, "default_namespace_id", "namespace_id")
    return Caller(token=token, user_id=user_id, namespace_id=namespace_id, email=email)


def _id_with_prefix(data: Any, prefix: str) -> str | None:
    if isinstance(data, str):
        return data if data.startswith(prefix) else None
    values = data.values() if isinstance(data, dict) else data if isinstance(data, list) else []
    for value in values:
        found = _id_with_prefix(value, prefix)
        if found:
            return found
    return None


def create_resource(call: Callable[..., Any], caller: Caller, name: str = "bench", **extra: Any) -> dict[str, Any]:
    body = {"name": name, "type": "standard", "description": "A benchmark resource", **extra}
    reply = call("POST", "/v1/resources", body=body, token=caller.token)
    if reply.status != 201:
        raise NotBuilt(f"POST /v1/resources answered {reply.status}: {str(reply.json)[:200]}")
    return reply.json["data"]
