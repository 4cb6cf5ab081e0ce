"""Hostile input never reaches a 5xx (issue 19: F3, F7, L4), black-box over HTTP against the local stack.

OWASP API4 (unrestricted resource consumption) and API8 (security misconfiguration): bodies nested to exhaust
the parser, encodings and media types the handlers would choke on, non-standard numbers, characters that
disguise a name. Every answer is a 4xx in the error envelope, and no log line grows past a few KB.
"""

from __future__ import annotations

import json
import uuid

import pytest
import requests

from local.template import ROOT
from tests.helpers import template_routes
from tests.identity_support import register_user_http

pytestmark = pytest.mark.e2e

MAX_LOG_LINE = 8 * 1024
FAKE_IDS = {
    "workspace_id": "wks_01JD0000000000000000000000",
    "user_id": "usr_01JD0000000000000000000000",
    "namespace_id": "ns_01JD0000000000000000000000",
    "package_id": "pkg_free",
    "resource_id": "res_01JD0000000000000000000000",
    "key_id": "key_01JD0000000000000000000000",
    "webhook_id": "wh_01JD0000000000000000000000",
    "delivery_id": "del_01JD0000000000000000000000",
    "invitation_id": "inv_01JD0000000000000000000000",
}

HOSTILE: list[tuple[str, bytes, str | None]] = [
    ("40 KB of [[[", b"[" * 40_000, "application/json"),
    ("metadata 1,000 deep", ('{"name":"x","metadata":' + '{"a":' * 1000 + "1" + "}" * 1001).encode(), None),
    ("UTF-16", json.dumps({"name": "x"}).encode("utf-16"), "application/json"),
    ("invalid UTF-8", b'{"name":"\xff\xfe"}', "application/json"),
    ("NaN", b'{"name":"x","metadata":{"n":NaN}}', "application/json"),
    ("Infinity", b'{"name":"x","metadata":{"n":-Infinity}}', "application/json"),
    ("1e999", b'{"name":"x","metadata":{"n":1e999}}', "application/json"),
    ("a 5,000-digit integer", b'{"name":"x","metadata":{"n":' + b"9" * 5000 + b"}}", "application/json"),
    ("truncated", b'{"name": "x"', "application/json"),
    ("vnd.api+json", b'{"name":"x"}', "application/vnd.api+json"),
    ("malformed media type", b'{"name":"x"}', ";;;==="),
    ("text/plain", b'{"name":"x"}', "text/plain"),
    ("form", b"name=x", "application/x-www-form-urlencoded"),
    ("2 MB", b'{"name":"' + b"a" * 2_000_000 + b'"}', "application/json"),
    ("bidi override", json.dumps({"name": "\u202egnp.exe\u200b"}).encode(), "application/json"),
    ("NUL", json.dumps({"name": "a\u0000b", "description": "\u0007"}).encode(), "application/json"),
    ("a JSON array", b"[1,2,3]", "application/json"),
    ("a JSON string", b'"just a string"', "application/json"),
]


def _write_routes() -> list[tuple[str, str]]:
    routes = sorted({(m, p) for m, p, _ in template_routes() if m in ("POST", "PATCH", "PUT", "DELETE")})
    return [(method, path.format(**FAKE_IDS)) for method, path in routes]


def test_no_hostile_body_reaches_a_server_error_on_any_write_route(base_url):
    log = ROOT / ".pytest-local-stack.log"
    offset = log.stat().st_size
    token = register_user_http(base_url)["access_token"]
    failures = []
    for name, body, content_type in HOSTILE:
        for method, path in _write_routes():
            for auth in ({}, {"Authorization": f"Bearer {token}"}):
                if auth and path == "/v1/auth/logout":
                    continue  # it would end the session the rest of the run uses
                headers = {**auth, **({"Content-Type": content_type} if content_type else {})}
                reply = requests.request(method, f"{base_url}{path}", data=body, headers=headers, timeout=60)
                refused_in_envelope = reply.status_code < 400 or "error" in reply.json()
                if reply.status_code >= 500 or not refused_in_envelope:
                    failures.append((name, method, path, bool(auth), reply.status_code, reply.text[:200]))
    assert not failures, failures[:10]
    with open(log, "rb") as handle:
        handle.seek(offset)
        longest = max((len(line) for line in handle), default=0)
    assert longest <= MAX_LOG_LINE, f"a log line of {longest} bytes"


@pytest.mark.parametrize(("name", "body", "content_type"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_api8_each_hostile_body_is_a_clear_4xx_when_creating_a_resource(base_url, name, body, content_type):
    token = register_user_http(base_url)["access_token"]
    headers = {"Authorization": f"Bearer {token}", **({"Content-Type": content_type} if content_type else {})}
    reply = requests.post(f"{base_url}/v1/resources", data=body, headers=headers, timeout=60)
    expected = {"2 MB": 413, "form": 415, "malformed media type": 415}.get(name, 400)
    if name in ("vnd.api+json", "text/plain"):  # a +json type is JSON; so is a JSON body sent as text/plain
        expected = 201
    assert reply.status_code == expected, reply.text[:300]
    if expected != 201:
        assert set(reply.json()["error"]) >= {"code", "message", "details", "request_id"}
    listed = requests.get(f"{base_url}/v1/resources", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert listed.json()["meta"]["total"] == (1 if expected == 201 else 0)  # nothing half-written


@pytest.mark.parametrize(
    ("route", "field"),
    [("/v1/workspaces", "name"), ("/v1/namespaces", "name"), ("/v1/api-keys", "name")],
)
def test_api8_names_elsewhere_refuse_disguising_characters(base_url, route, field):
    token = register_user_http(base_url)["access_token"]
    body = {field: "invoice\u202eexe.pdf", "slug": f"s-{uuid.uuid4().hex[:8]}"}
    if route == "/v1/api-keys":
        body.pop("slug")
    reply = requests.post(f"{base_url}{route}", json=body, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert reply.status_code == 400, reply.text
